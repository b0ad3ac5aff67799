// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Per-pass time and memory for -v. Users compare these lines with stap's,
 * so the numbers have the same meaning: user and system CPU time of this
 * process, wall time, and /proc/self/statm sizes in kB.
 */
#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>
#include "pass_stats.h"

void pass_clock_start(struct pass_clock *c)
{
	struct rusage ru;

	clock_gettime(CLOCK_MONOTONIC, &c->real);
	getrusage(RUSAGE_SELF, &ru);
	c->usr = ru.ru_utime;
	c->sys = ru.ru_stime;
}

static long pass_tv_ms(const struct timeval *a, const struct timeval *b)
{
	return (b->tv_sec - a->tv_sec) * 1000L +
	       (b->tv_usec - a->tv_usec) / 1000L;
}

static void pass_format_times(char *buf, size_t len,
			      const struct pass_clock *c)
{
	struct pass_clock now;

	pass_clock_start(&now);
	snprintf(buf, len, "%ldusr/%ldsys/%ldreal ms",
		 pass_tv_ms(&c->usr, &now.usr), pass_tv_ms(&c->sys, &now.sys),
		 (long)((now.real.tv_sec - c->real.tv_sec) * 1000L +
			(now.real.tv_nsec - c->real.tv_nsec) / 1000000L));
}

void pass_report(int pass, const struct pass_clock *c, const char *what)
{
	unsigned long size = 0, res = 0, shr = 0, text, lib, data = 0;
	long pagekb = sysconf(_SC_PAGESIZE) / 1024;
	char times[96];
	FILE *f;

	pass_format_times(times, sizeof(times), c);
	f = fopen("/proc/self/statm", "r");
	if (f) {
		if (fscanf(f, "%lu %lu %lu %lu %lu %lu", &size, &res, &shr,
			   &text, &lib, &data) != 6)
			size = res = shr = data = 0;
		fclose(f);
	}
	fprintf(stderr,
		"Pass %d: %s using %luvirt/%lures/%lushr/%ludata kb, in %s.\n",
		pass, what, size * pagekb, res * pagekb, shr * pagekb,
		data * pagekb, times);
}

void pass_report_time(int pass, const struct pass_clock *c, const char *what)
{
	char times[96];

	pass_format_times(times, sizeof(times), c);
	fprintf(stderr, "Pass %d: %s in %s.\n", pass, what, times);
}
