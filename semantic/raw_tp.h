/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Field-less tracepoint handlers as raw tracepoints (see raw_tp.c).
 */
#ifndef ETAP_RAW_TP_H
#define ETAP_RAW_TP_H

struct program;

/* Switch every classic-tracepoint probe whose handler reads no context
 * variable to MECH_RAW_TP. Run after name resolution. */
void sem_choose_raw_tracepoints(struct program *p);

#endif
