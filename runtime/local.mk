# SPDX-License-Identifier: GPL-2.0-or-later
noinst_LIBRARIES += libetap_runtime.a
libetap_runtime_a_SOURCES =
libetap_runtime_a_SOURCES += runtime/printf_fmt.c runtime/printf_fmt.h runtime/strbuf.c
libetap_runtime_a_SOURCES += runtime/hist_print.c runtime/hist_print.h runtime/stats.c runtime/stats.h runtime/eval_stats.c runtime/store_percpu.c
libetap_runtime_a_SOURCES += runtime/child.c runtime/child.h
libetap_runtime_a_SOURCES += runtime/store.c runtime/eval.c runtime/eval.h runtime/eval_builtin.c runtime/eval_internal.h
libetap_runtime_a_SOURCES += runtime/eval_regex.c
libetap_runtime_a_SOURCES += runtime/options.c runtime/options.h runtime/gopt.c runtime/gopt.h runtime/pass_stats.c runtime/pass_stats.h runtime/kconfig.c runtime/kconfig.h runtime/loader.c runtime/loader.h runtime/consumer.c runtime/consumer.h runtime/consumer_fast.c runtime/consumer_fast.h runtime/consumer_wake.c runtime/consumer_wake.h runtime/errloc.c runtime/errloc.h runtime/run.c runtime/run.h
libetap_runtime_a_SOURCES += runtime/attach_kernel.c runtime/symbolize.c runtime/symbolize.h
libetap_runtime_a_SOURCES += runtime/globals_dump.c runtime/globals_dump.h
