/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the running kernel offers for kernel.function and perf probes,
 * probed once and only when a script asks (a tiny fentry program is loaded
 * and attached; kprobes need kprobe_events in tracefs; hardware perf
 * events need a CPU PMU under /sys/bus/event_source/devices).
 */
#ifndef ETAP_KFEATURES_H
#define ETAP_KFEATURES_H

#include <stdbool.h>

/* fentry/fexit programs load and attach. *why (static) says what failed. */
bool kfeature_fentry(const char **why);
/* kprobes are built in. */
bool kfeature_kprobes(const char **why);
/* A hardware PMU exists. */
bool kfeature_hw_pmu(const char **why);

#endif
