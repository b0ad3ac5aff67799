/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * At exit, after the end probes: print the globals the script writes but
 * never reads, in stap's format (runtime/globals_dump.c).
 */
#ifndef ETAP_GLOBALS_DUMP_H
#define ETAP_GLOBALS_DUMP_H

#include <stdio.h>

struct eval;

void globals_dump(struct eval *ev, FILE *out);

#endif
