// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Benchmark harness: runs one tracer and one workload, each pinned to its
 * own CPU, and reports the figures bench/run needs.
 *
 *   harness [-t CPU] [-w CPU] [-r FILE] [-o FILE] TRACER... [++ WORKLOAD...]
 *
 * The workload is forked first and held (blocked on a pipe) so its pid is
 * known: "@PID@" in the tracer's arguments is replaced by it. The tracer
 * runs with stdout to -o FILE (default /dev/null). When -r FILE is given,
 * the workload is released once FILE holds a line "ready" (the script
 * prints it from its begin probe, which every tool runs after attaching).
 * The workload's wall time runs from its release to its exit; then the
 * tracer gets SIGINT (unless it already exits by itself) and its CPU time
 * from the release to its exit (utime+stime, the part spent draining after
 * the workload ended included) and its peak RSS are read from wait4.
 * Without a workload the tracer just runs to its end: wall time, its own
 * CPU time (sampled, children excluded) and peak RSS of the whole run. With "-" as the tracer, only the workload
 * runs (untraced). Output: one line "wall=S tracer_cpu=S maxrss_kb=N
 * work_cpu=S" (work_cpu: the workload's user+system time, which includes
 * the BPF programs run in its context but not time spent waiting for a
 * CPU, so it is steadier than wall time on a shared machine).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double harness_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static void harness_pin(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) < 0)
		perror("harness: sched_setaffinity");
}

/* utime+stime of a live process, in seconds (from /proc/PID/stat). */
static double harness_proc_cpu(pid_t pid)
{
	char path[64], buf[4096], *p;
	unsigned long long ut = 0, st = 0;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
			 &ut, &st) != 2)
		return 0;
	return (double)(ut + st) / sysconf(_SC_CLK_TCK);
}

static int harness_ready(const char *file)
{
	char buf[65536];
	ssize_t n;
	int fd = open(file, O_RDONLY);

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	return strstr(buf, "ready\n") != NULL;
}

int main(int argc, char **argv)
{
	int tcpu = -1, wcpu = -1, opt, hold[2], i, st;
	const char *ready = NULL, *out = "/dev/null";
	char **tracer, **work = NULL, pidbuf[32];
	pid_t wpid = -1, tpid = -1;
	double t0, t1 = 0, c0 = 0, cpu = 0, wcpu_s = 0;
	struct rusage ru;
	long maxrss = 0;

	while ((opt = getopt(argc, argv, "+t:w:r:o:")) != -1) {
		switch (opt) {
		case 't': tcpu = atoi(optarg); break;
		case 'w': wcpu = atoi(optarg); break;
		case 'r': ready = optarg; break;
		case 'o': out = optarg; break;
		default: return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: harness [-t CPU] [-w CPU] [-r FILE] [-o FILE] TRACER... [++ WORKLOAD...]\n");
		return 2;
	}
	tracer = argv + optind;
	for (i = optind; i < argc; i++) {
		if (!strcmp(argv[i], "++")) {
			argv[i] = NULL;
			work = argv + i + 1;
			break;
		}
	}
	if (work) {
		if (pipe(hold) < 0)
			return 1;
		wpid = fork();
		if (wpid == 0) {
			char c;

			close(hold[1]);
			harness_pin(wcpu);
			if (read(hold[0], &c, 1) != 1)
				_exit(126);
			close(hold[0]);
			/* dd's summary goes nowhere; its writes still count. */
			int null = open("/dev/null", O_WRONLY);

			if (null >= 0) {
				dup2(null, 1);
				dup2(null, 2);
			}
			execv(work[0], work);
			_exit(127);
		}
		close(hold[0]);
	}
	snprintf(pidbuf, sizeof(pidbuf), "%d", (int)wpid);
	for (char **a = tracer; *a; a++)
		if (!strcmp(*a, "@PID@"))
			*a = pidbuf;
	if (ready)
		unlink(ready);
	t0 = harness_now();
	if (strcmp(tracer[0], "-")) {
		tpid = fork();
		if (tpid == 0) {
			int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);

			harness_pin(tcpu);
			if (fd >= 0) {
				dup2(fd, 1);
				close(fd);
			}
			execvp(tracer[0], tracer);
			_exit(127);
		}
	}
	if (!work) {
		/* A tracer that runs its own workload (the reference) would
		 * have the workload's CPU time in wait4's figure once it has
		 * reaped it: sample its own utime+stime until it ends (the
		 * last millisecond or so is missed). */
		for (;;) {
			siginfo_t si = { 0 };

			if (waitid(P_PID, tpid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
			    si.si_pid == tpid)
				break;
			c0 = harness_proc_cpu(tpid);
			usleep(1000);
		}
		wait4(tpid, &st, 0, &ru);
		t1 = harness_now();
		/* What is not the tracer's own is its reaped children's. */
		printf("wall=%.6f tracer_cpu=%.6f maxrss_kb=%ld work_cpu=%.6f\n",
		       t1 - t0, c0, ru.ru_maxrss,
		       ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
			       ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6 - c0);
		return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
	}
	while (ready && tpid > 0 && !harness_ready(ready)) {
		if (waitpid(tpid, &st, WNOHANG) == tpid) {
			fprintf(stderr, "harness: the tracer ended before it was ready\n");
			kill(wpid, SIGKILL);
			return 1;
		}
		if (harness_now() - t0 > 120) {
			fprintf(stderr, "harness: the tracer is not ready after 120 s\n");
			kill(tpid, SIGKILL);
			kill(wpid, SIGKILL);
			return 1;
		}
		usleep(2000);
	}
	if (tpid > 0)
		c0 = harness_proc_cpu(tpid);
	t0 = harness_now();
	if (write(hold[1], "x", 1) != 1)
		return 1;
	close(hold[1]);
	wait4(wpid, &st, 0, &ru);
	t1 = harness_now();
	wcpu_s = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
		 ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	if (tpid > 0) {
		/* etap -x ends by itself when the workload exits; give it a
		 * moment, then interrupt whatever still runs. */
		for (i = 0; i < 1000; i++) {
			siginfo_t si = { 0 };

			if (waitid(P_PID, tpid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
			    si.si_pid == tpid)
				break;
			if (i == 20)
				kill(tpid, SIGINT);
			usleep(10000);
		}
		if (i == 1000)
			kill(tpid, SIGKILL);
		if (wait4(tpid, NULL, 0, &ru) == tpid) {
			cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
			      ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6 - c0;
			maxrss = ru.ru_maxrss;
		}
	}
	printf("wall=%.6f tracer_cpu=%.6f maxrss_kb=%ld work_cpu=%.6f\n", t1 - t0,
	       cpu, maxrss, wcpu_s);
	return 0;
}
