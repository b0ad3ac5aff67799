// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A program with known functions for the process(...).function tests:
 * run as `uprobe_target N [MS]`, it calls etap_add(i, 2 * i) and
 * etap_greet("name-i") for i = 1..N, then etap_leaf() once, then sleeps
 * MS milliseconds (so that its maps are still there when a tracer names
 * its stack). Built with -O0 and noinline so each call really happens.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

__attribute__((noinline)) long etap_add(long a, long b)
{
	return a + b;
}

__attribute__((noinline)) int etap_greet(const char *name)
{
	int n = 0;

	while (name[n])
		n++;
	return n;
}

__attribute__((noinline)) static int etap_leaf(int x)
{
	return -x;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 3, sum = 0;
	char buf[32];

	for (long i = 1; i <= n; i++) {
		sum += etap_add(i, 2 * i);
		snprintf(buf, sizeof(buf), "name-%ld", i);
		sum += etap_greet(buf);
	}
	int r = etap_leaf((int)sum) == 0 ? 1 : 0;

	if (argc > 2) {
		long ms = atol(argv[2]);
		struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

		nanosleep(&ts, NULL);
	}
	return r;
}
