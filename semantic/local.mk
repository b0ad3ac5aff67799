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
