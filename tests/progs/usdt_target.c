// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A program with USDT probes for the process(...).mark tests: run as
 * `usdt_target N`, it fires etap:tick(i, "tick-i") for i = 1..N,
 * etap:values(-5, 3000000000, (short)-2) once, and etap:guarded(N) only
 * when a tracer holds its semaphore.
 */
#define _SDT_HAS_SEMAPHORES 1
#include <stdio.h>
#include <stdlib.h>
#include <sys/sdt.h>

/* with semaphores on, every probe has one; the tracer's uprobe raises it */
unsigned short etap_tick_semaphore __attribute__((unused, section(".probes")));
unsigned short etap_values_semaphore
	__attribute__((unused, section(".probes")));
unsigned short etap_guarded_semaphore
	__attribute__((unused, section(".probes")));

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 3;
	volatile int neg = -5;
	volatile unsigned int big = 3000000000u;
	volatile short small = -2;
	char buf[32];

	for (long i = 1; i <= n; i++) {
		snprintf(buf, sizeof(buf), "tick-%ld", i);
		DTRACE_PROBE2(etap, tick, i, buf);
	}
	DTRACE_PROBE3(etap, values, neg, big, small);
	if (etap_guarded_semaphore)
		DTRACE_PROBE1(etap, guarded, n);
	return 0;
}
