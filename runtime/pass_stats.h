/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The -v pass lines, in stap's form:
 *   Pass 1: parsed user script and 0 library scripts using
 *   12345virt/6789res/1234shr/5678data kb, in 1usr/0sys/2real ms.
 */
#ifndef ETAP_PASS_STATS_H
#define ETAP_PASS_STATS_H

#include <sys/time.h>
#include <time.h>

struct pass_clock {
	struct timespec real;
	struct timeval usr, sys;
};

void pass_clock_start(struct pass_clock *c);
/* "Pass N: <what> using ...kb, in ...ms." on stderr. */
void pass_report(int pass, const struct pass_clock *c, const char *what);
/* "Pass N: <what> in ...ms." without the memory figures. */
void pass_report_time(int pass, const struct pass_clock *c, const char *what);

#endif
