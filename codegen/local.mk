# SPDX-License-Identifier: GPL-2.0-or-later
noinst_LIBRARIES += libetap_codegen.a
libetap_codegen_a_SOURCES = codegen/ir.h codegen/elf_write.h
libetap_codegen_a_SOURCES += codegen/elf_write.c codegen/elf_btf.c codegen/elf_btf.h codegen/btf_ext.c
libetap_codegen_a_SOURCES += codegen/ir.c codegen/ir_internal.h codegen/regalloc.c codegen/ir_finalize.c codegen/ir_sub.c codegen/bpf_listing.c
libetap_codegen_a_SOURCES += codegen/ir_dce.c codegen/codegen.h codegen/codegen.c \
	codegen/lower.h codegen/lower.c \
	codegen/lower_int.h codegen/lower_string.c codegen/lower_func.c \
	codegen/lower_stmt_more.c codegen/lower_task.c
# kernel-context sprintf parses formats as the user-context one does
libetap_codegen_a_SOURCES += runtime/printf_fmt.c runtime/strbuf.c
libetap_codegen_a_SOURCES += codegen/lower_target.c codegen/lower_target.h \
	codegen/codegen_kernel.c codegen/codegen_kernel.h
libetap_codegen_a_SOURCES += codegen/lower_stats.c codegen/lower_stats.h
libetap_codegen_a_SOURCES += codegen/lower_regex.c codegen/lower_regex.h
libetap_codegen_a_SOURCES += codegen/lower_foreach.c
libetap_codegen_a_SOURCES += codegen/lower_logging.c codegen/lower_stack.c codegen/lower_escape.c
libetap_codegen_a_SOURCES += codegen/lower_context.c
