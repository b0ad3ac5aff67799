# SPDX-License-Identifier: GPL-2.0-or-later
noinst_LIBRARIES += libetap_semantic.a
libetap_semantic_a_SOURCES =
libetap_semantic_a_SOURCES += semantic/sem.h semantic/sem_internal.h \
	semantic/builtins.c semantic/builtins.h semantic/clone.c \
	semantic/clone.h semantic/probes.c semantic/resolve.c \
	semantic/layout.c semantic/elaborate.c \
	semantic/stats.c semantic/stats.h
libetap_semantic_a_SOURCES += semantic/tracefs.c semantic/tracefs.h
libetap_semantic_a_SOURCES += semantic/alias.c semantic/alias.h \
	semantic/tapset_load.c semantic/tapset.h \
	semantic/listing.c semantic/listing.h \
	semantic/task_btf.c semantic/task_btf.h
libetap_semantic_a_SOURCES += semantic/btf_types.c semantic/btf_types.h \
	semantic/target_vars.c semantic/target_vars.h \
	semantic/probes_kernel.c semantic/syscall_nr.c semantic/syscall_nr.h \
	semantic/syscall_vars.c semantic/syscall_vars.h \
	semantic/kfeatures.c semantic/kfeatures.h \
	semantic/probes_process.c semantic/elf_funcs.c semantic/elf_funcs.h \
	semantic/regs.c semantic/regs.h semantic/usdt.c semantic/usdt.h \
	semantic/usdt_vars.c semantic/dollars.c semantic/dollars.h
# Syscall numbers of this architecture, from the kernel headers' __NR_*.
BUILT_SOURCES += semantic/syscall_nrs.inc
CLEANFILES += semantic/syscall_nrs.inc
semantic/syscall_nrs.inc:
	$(AM_V_GEN)echo '#include <asm/unistd.h>' | $(CC) -E -dM - | \
	sed -n 's/^#define __NR_\([a-z0-9_]*\) \([0-9][0-9]*\)$$/{ "\1", \2 },/p' > $@
libetap_semantic_a_SOURCES += semantic/regex.h semantic/regex_parse.c \
	semantic/regex_compile.c semantic/regex_sem.c
libetap_semantic_a_SOURCES += semantic/entry.c semantic/entry.h
libetap_semantic_a_SOURCES += semantic/raw_tp.c semantic/raw_tp.h
