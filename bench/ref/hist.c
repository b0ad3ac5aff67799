// SPDX-License-Identifier: GPL-2.0-or-later
// Usage: refhist -- CMD...
// Holds CMD until the probe is attached, releases it, waits for it, then
// prints its wall time, the number of reads counted and the non-empty
// buckets (value = 2^(b-1)), as ../shared/reference's rbref does for its jobs.
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "hist.skel.h"

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: refhist -- CMD...\n");
		return 2;
	}
	char **cmd = argv + 2;
	int p[2];
	if (pipe(p))
		return 1;
	pid_t child = fork();
	if (!child) {
		char c;
		close(p[1]);
		if (read(p[0], &c, 1) != 1)
			_exit(126);
		execvp(cmd[0], cmd);
		_exit(127);
	}
	close(p[0]);
	struct hist_bpf *s = hist_bpf__open_and_load();
	if (!s || hist_bpf__attach(s)) {
		fprintf(stderr, "load/attach failed\n");
		return 1;
	}
	double t0 = now();
	if (write(p[1], "x", 1) != 1)
		return 1;
	close(p[1]);
	int st;
	waitpid(child, &st, 0);
	double t1 = now();
	int ncpu = libbpf_num_possible_cpus();
	unsigned long long vals[ncpu], events = 0;
	printf("child_wall=%.3fs", t1 - t0);
	for (__u32 b = 0; b < 65; b++) {
		unsigned long long n = 0;
		if (bpf_map_lookup_elem(bpf_map__fd(s->maps.hist), &b, vals))
			continue;
		for (int i = 0; i < ncpu; i++)
			n += vals[i];
		events += n;
		if (n)
			printf(" b%u=%llu", b, n);
	}
	printf(" events=%llu drops=0\n", events);
	hist_bpf__destroy(s);
	return 0;
}
