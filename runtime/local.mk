# SPDX-License-Identifier: GPL-2.0-or-later
noinst_LIBRARIES += libetap_runtime.a
libetap_runtime_a_SOURCES =
libetap_runtime_a_SOURCES += runtime/printf_fmt.c runtime/printf_fmt.h runtime/strbuf.c
libetap_runtime_a_SOURCES += runtime/child.c runtime/child.h
libetap_runtime_a_SOURCES += runtime/store.c runtime/eval.c runtime/eval.h runtime/eval_builtin.c runtime/eval_internal.h
