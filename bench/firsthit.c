// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Time from a tracer's launch until its first probe runs:
 *
 *   firsthit [-t CPU] [-w CPU] TRACER ARGS...
 *
 * Kernel BPF statistics are switched on (BPF_ENABLE_STATS, held only while
 * this runs), the highest BPF program id is noted, the tracer is started
 * (pinned to -t CPU, stdout to /dev/null), and this process (pinned to
 * -w CPU) polls the programs loaded since: the first one whose run count
 * is non-zero has been attached and hit. The probe measured must fire on
 * this process's own activity (raw_syscalls:sys_enter does: the polling
 * is made of syscalls), so the lag between attaching and noticing is a
 * few microseconds. Prints "first_hit=S"; the tracer is then interrupted.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>

static double firsthit_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static void firsthit_pin(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static __u32 firsthit_max_id(void)
{
	__u32 id = 0, next;

	while (!bpf_prog_get_next_id(id, &next))
		id = next;
	return id;
}

/* A program loaded after base that has run. */
static int firsthit_any_ran(__u32 base)
{
	__u32 id = base, next;

	while (!bpf_prog_get_next_id(id, &next)) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);
		int fd;

		id = next;
		fd = bpf_prog_get_fd_by_id(id);
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) && info.run_cnt) {
			close(fd);
			return 1;
		}
		close(fd);
	}
	return 0;
}

int main(int argc, char **argv)
{
	int tcpu = -1, wcpu = -1, opt, stats;
	double t0, t1 = -1;
	__u32 base;
	pid_t pid;

	while ((opt = getopt(argc, argv, "+t:w:")) != -1) {
		if (opt == 't')
			tcpu = atoi(optarg);
		else if (opt == 'w')
			wcpu = atoi(optarg);
		else
			return 2;
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: firsthit [-t CPU] [-w CPU] TRACER ARGS...\n");
		return 2;
	}
	stats = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (stats < 0) {
		perror("firsthit: BPF_ENABLE_STATS");
		return 1;
	}
	firsthit_pin(wcpu);
	base = firsthit_max_id();
	t0 = firsthit_now();
	pid = fork();
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);

		firsthit_pin(tcpu);
		dup2(fd, 1);
		execvp(argv[optind], argv + optind);
		_exit(127);
	}
	while (firsthit_now() - t0 < 60) {
		if (firsthit_any_ran(base)) {
			t1 = firsthit_now();
			break;
		}
		if (waitpid(pid, NULL, WNOHANG) == pid) {
			fprintf(stderr, "firsthit: the tracer ended before its probe ran\n");
			return 1;
		}
	}
	kill(pid, SIGINT);
	waitpid(pid, NULL, 0);
	close(stats);
	if (t1 < 0)
		return 1;
	printf("first_hit=%.6f\n", t1 - t0);
	return 0;
}
