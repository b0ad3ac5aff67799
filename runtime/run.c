// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The run loop. One thread does everything: it polls the ring buffer's
 * epoll fd, a self-pipe written by the signal handler and the pidfd of the
 * -c child or -x target, with a short timeout so that records sent without
 * a wake-up (the kernel side batches notifications) still appear within a
 * tick, and so that timer probes run on time. Timer probes keep absolute
 * deadlines on the monotonic clock, so a slow handler does not make the
 * following ones drift.
 *
 * Shutdown order matters: programs are detached before the last drain, so
 * nothing can be added to the ring buffer or to the maps while end probes
 * read them, and every record sent before detaching is printed.
 */
#define _GNU_SOURCE /* pipe2, ppoll */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "child.h"
#include "consumer.h"
#include "consumer_wake.h"
#include "eval.h"
#include "loader.h"
#include "run.h"
#include "globals_dump.h"
#include "store.h"

#define RUN_TICK_NS (10 * 1000000ULL)
#define RUN_IDLE_TICK_NS (50 * 1000000ULL)
#define RUN_IDLE_TICKS 100
#define RUN_OUT_BUFSIZE (256 * 1024)

enum run_stop {
	RUN_GOING = 0,
	RUN_STOP_EXIT,	  /* exit() in either context */
	RUN_STOP_SIGNAL,  /* SIGINT, SIGTERM, SIGHUP */
	RUN_STOP_TIMEOUT, /* -T */
	RUN_STOP_CHILD,	  /* the -c command ended */
	RUN_STOP_TARGET,  /* the -x process ended */
	RUN_STOP_ERRORS,  /* more than MAXERRORS runtime errors */
	RUN_STOP_OUTPUT,  /* the output cannot be written any more */
	RUN_STOP_ABORT,	  /* abort() in either context: no end probes */
};

struct run_timer {
	const struct rprobe *rp;
	uint64_t next; /* monotonic ns */
};

struct run {
	const struct etap_options *o;
	const struct program *p;
	const struct compiled *c;
	FILE *out;
	struct loader ld;
	bool loaded;
	struct store st;
	struct eval *ev;
	struct consumer cs;
	bool cs_open;
	struct child child;
	bool have_child;
	int target_pidfd;
	struct run_timer *timers;
	int ntimers;
	uint64_t deadline; /* -T, 0 when none */
	enum run_stop stop;
	uint64_t drops_said;	/* drops already reported while running */
	uint64_t drops_said_at; /* when, monotonic ns */
	uint64_t user_errors_pushed; /* user-context errors added to GD_ERRORS */
	bool error_state; /* errors exceeded MAXERRORS */
};

static volatile sig_atomic_t run_signal;
static int run_sigpipe[2] = { -1, -1 };
static struct eval *volatile run_sig_eval;

static void run_on_signal(int sig)
{
	int saved = errno;

	run_signal = sig;
	/* Interrupts an endless loop in a begin, timer or end probe. */
	if (run_sig_eval)
		eval_request_stop(run_sig_eval);
	if (run_sigpipe[1] >= 0)
		(void)!write(run_sigpipe[1], "s", 1);
	errno = saved;
}

static const int run_signals[] = { SIGINT, SIGTERM, SIGHUP };
static struct sigaction run_old_actions[3];

static int run_install_signals(void)
{
	struct sigaction sa;

	if (pipe2(run_sigpipe, O_CLOEXEC | O_NONBLOCK) < 0)
		return -errno;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = run_on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a blocking call returns EINTR and the loop looks
	 * at the flag. */
	for (int i = 0; i < 3; i++)
		sigaction(run_signals[i], &sa, &run_old_actions[i]);
	/* A closed output pipe (etap ... | head) ends the run cleanly,
	 * detaching everything, instead of killing etap mid-way. */
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

static void run_restore_signals(void)
{
	for (int i = 0; i < 3; i++)
		sigaction(run_signals[i], &run_old_actions[i], NULL);
	for (int i = 0; i < 2; i++) {
		if (run_sigpipe[i] >= 0)
			close(run_sigpipe[i]);
		run_sigpipe[i] = -1;
	}
}

static uint64_t run_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static uint64_t run_gd_read(struct run *r, uint32_t off)
{
	uint64_t v = 0;

	if (r->ld.gd)
		memcpy(&v, r->ld.gd + off, sizeof(v));
	return v;
}

/* Every error counts once. Kernel handlers add theirs to GD_ERRORS
 * whether or not their record could be sent; user-context errors are
 * added there too, so that kernel handlers, which check GD_ERRORS on
 * entry, stop as soon as the total exceeds MAXERRORS, whichever context
 * made the errors. Counting records instead would race with the ring
 * buffer: the counter runs ahead of the records still queued. */
static void run_push_user_errors(struct run *r)
{
	uint64_t n;

	if (!r->ev || !r->ld.gd)
		return;
	n = (uint64_t)eval_error_count(r->ev);
	if (n <= r->user_errors_pushed)
		return;
	__atomic_fetch_add((uint64_t *)(r->ld.gd + GD_ERRORS),
			   n - r->user_errors_pushed, __ATOMIC_SEQ_CST);
	r->user_errors_pushed = n;
}

static uint64_t run_error_count(struct run *r)
{
	uint64_t k = run_gd_read(r, GD_ERRORS) % GD_ERRORS_ABORTED;
	uint64_t user = r->ev ? (uint64_t)eval_error_count(r->ev) : 0;

	run_push_user_errors(r);
	k = k > r->user_errors_pushed ? k - r->user_errors_pushed : 0;
	return k + user;
}

/* stap ends a run once errors exceed MAXERRORS. */
static bool run_errors_exceeded(struct run *r)
{
	return run_error_count(r) > (uint64_t)r->p->opt.maxerrors;
}

/* abort() in either context. stap then puts the session in error:
 * error probes run, end probes do not. */
static bool run_aborted(struct run *r)
{
	if (r->ev && eval_abort_requested(r->ev) && r->ld.gd &&
	    !__atomic_exchange_n((uint64_t *)(r->ld.gd + GD_ABORT), 1,
				 __ATOMIC_SEQ_CST))
		__atomic_fetch_add((uint64_t *)(r->ld.gd + GD_ERRORS),
				   GD_ERRORS_ABORTED, __ATOMIC_SEQ_CST);
	return r->cs.abort_requested || run_gd_read(r, GD_ABORT) ||
	       (r->ev && eval_abort_requested(r->ev));
}

static int run_probe_cmp(const void *a, const void *b)
{
	const struct rprobe *x = *(const struct rprobe *const *)a;
	const struct rprobe *y = *(const struct rprobe *const *)b;

	if (x->order != y->order)
		return x->order < y->order ? -1 : 1;
	return x->index - y->index;
}

/* Probes of one type, by begin(N)/end(N) sequence then script order. */
static const struct rprobe **run_collect(const struct program *p,
					 enum probe_type type, int *n)
{
	const struct rprobe **v = calloc(p->nprobes + 1, sizeof(*v));
	const struct rprobe *rp;

	*n = 0;
	if (!v)
		return NULL;
	for (rp = p->probes; rp; rp = rp->next)
		if (rp->type == type && !rp->kernel)
			v[(*n)++] = rp;
	qsort(v, *n, sizeof(*v), run_probe_cmp);
	return v;
}

static void run_check_stop(struct run *r)
{
	if (r->stop)
		return;
	if (run_signal)
		r->stop = RUN_STOP_SIGNAL;
	else if (run_aborted(r))
		r->stop = RUN_STOP_ABORT;
	else if (r->cs.exit_requested || run_gd_read(r, GD_EXIT) ||
		 (r->ev && eval_exit_requested(r->ev)))
		r->stop = RUN_STOP_EXIT;
	else if (run_errors_exceeded(r)) {
		r->stop = RUN_STOP_ERRORS;
		r->error_state = true;
	}
	else if (ferror(r->out))
		r->stop = RUN_STOP_OUTPUT;
}

/* The checks that only apply once the script is running. Without
 * pidfds (old kernels) the child and the -x target are polled. */
static void run_check_running(struct run *r, uint64_t now, bool child_ready,
			      bool target_ready)
{
	run_check_stop(r);
	if (r->stop)
		return;
	if (r->have_child && (child_ready || r->child.pidfd < 0) &&
	    child_poll_exit(&r->child, NULL))
		r->stop = RUN_STOP_CHILD;
	else if (r->deadline && now >= r->deadline)
		r->stop = RUN_STOP_TIMEOUT;
	else if (target_ready)
		r->stop = RUN_STOP_TARGET;
	else if (r->o->target_pid && r->target_pidfd < 0 &&
		 kill(r->o->target_pid, 0) < 0 && errno == ESRCH)
		r->stop = RUN_STOP_TARGET;
}

/* Run begin probes in order until a signal or too many errors stop
 * them; exit() lets the remaining ones run, as stap's begin phase does.
 * End and error probes (at_end) all run, whatever happens. */
static void run_probes(struct run *r, const struct rprobe **v, int n,
		       bool at_end)
{
	for (int i = 0; i < n; i++) {
		eval_run_probe(r->ev, v[i]);
		consumer_drain(&r->cs);
		if (run_aborted(r))
			break;
		if (at_end)
			continue;
		if (run_errors_exceeded(r))
			r->error_state = true;
		if (run_signal || r->error_state)
			break;
	}
}

static int run_setup_timers(struct run *r)
{
	const struct rprobe *rp;
	uint64_t now = run_now_ns();

	r->timers = calloc(r->p->nprobes + 1, sizeof(*r->timers));
	if (!r->timers)
		return -ENOMEM;
	for (rp = r->p->probes; rp; rp = rp->next) {
		if (rp->type != PT_TIMER || rp->kernel || !rp->period_ns)
			continue;
		r->timers[r->ntimers].rp = rp;
		r->timers[r->ntimers].next = now + rp->period_ns;
		r->ntimers++;
	}
	return 0;
}

static void run_due_timers(struct run *r)
{
	for (int i = 0; i < r->ntimers && !r->stop; i++) {
		struct run_timer *t = &r->timers[i];
		uint64_t now = run_now_ns();

		if (now < t->next)
			continue;
		eval_run_probe(r->ev, t->rp);
		t->next += t->rp->period_ns;
		/* Behind by a whole period (a slow handler, a stopped
		 * process): skip the missed ticks instead of bursting. */
		if (t->next <= now)
			t->next = now + t->rp->period_ns;
		run_check_stop(r);
	}
}

/* Records sent without a wake-up (the kernel side batches them) are
 * found by polling: every 10 ms while output flows, backing off to 50 ms
 * after a second of silence so an idle etap stays out of syscall
 * counts. */
static uint64_t run_next_wakeup(const struct run *r, uint64_t now,
				int idle_ticks)
{
	uint64_t wake = now + (idle_ticks > RUN_IDLE_TICKS ? RUN_IDLE_TICK_NS
							   : RUN_TICK_NS);

	for (int i = 0; i < r->ntimers; i++)
		if (r->timers[i].next < wake)
			wake = r->timers[i].next;
	if (r->deadline && r->deadline < wake)
		wake = r->deadline;
	return wake;
}

/* Lost records are said while the run goes on, at most once a second,
 * so the user can restart with a bigger buffer without waiting for the
 * end; the total comes again in the final report. */
static void run_report_drops(struct run *r, uint64_t now)
{
	uint64_t drops = run_gd_read(r, GD_DROPS);

	if (drops <= r->drops_said || now - r->drops_said_at < 1000000000ULL)
		return;
	fflush(r->out);
	fprintf(stderr, "WARNING: %llu events dropped so far; increase the buffer with -s MB\n",
		(unsigned long long)drops);
	r->drops_said = drops;
	r->drops_said_at = now;
}

static void run_loop(struct run *r)
{
	struct pollfd pfd[5];
	struct timespec ts;
	char buf[64];
	uint64_t now, wake;
	int n, child_i, target_i, idle = 0;

	while (!r->stop) {
		now = run_now_ns();
		wake = run_next_wakeup(r, now, idle);
		wake = wake > now ? wake - now : 0;
		ts.tv_sec = wake / 1000000000ULL;
		ts.tv_nsec = wake % 1000000000ULL;
		n = 0;
		child_i = target_i = -1;
		pfd[n].fd = consumer_wake_fd(&r->cs, r->ld.rb_fd);
		pfd[n++].events = POLLIN;
		pfd[n].fd = run_sigpipe[0];
		pfd[n++].events = POLLIN;
		if (r->have_child && r->child.pidfd >= 0) {
			child_i = n;
			pfd[n].fd = r->child.pidfd;
			pfd[n++].events = POLLIN;
		}
		if (r->target_pidfd >= 0) {
			target_i = n;
			pfd[n].fd = r->target_pidfd;
			pfd[n++].events = POLLIN;
		}
		/* With no events asked, poll still reports POLLERR on a pipe
		 * whose reader left (etap ... | head): stop then, rather
		 * than at the next write, which may be long in coming. */
		pfd[n].fd = fileno(r->out);
		pfd[n++].events = 0;
		for (int i = 0; i < n; i++)
			pfd[i].revents = 0;
		if (ppoll(pfd, n, &ts, NULL) < 0 && errno != EINTR) {
			fprintf(stderr, "etap: poll: %s\n", strerror(errno));
			r->stop = RUN_STOP_SIGNAL;
			break;
		}
		if (pfd[1].revents)
			while (read(run_sigpipe[0], buf, sizeof(buf)) > 0)
				;
		if (consumer_drain(&r->cs) > 0)
			idle = 0;
		else if (idle <= RUN_IDLE_TICKS)
			idle++;
		/* Idle or not, output reaches the user within a tick
		 * (user-context probes write to the same stream). */
		fflush(r->out);
		run_report_drops(r, run_now_ns());
		run_check_running(r, run_now_ns(),
				  child_i >= 0 && pfd[child_i].revents,
				  target_i >= 0 && pfd[target_i].revents);
		if (!r->stop && (pfd[n - 1].revents & POLLERR))
			r->stop = RUN_STOP_OUTPUT;
		if (!r->stop)
			run_due_timers(r);
	}
}

static int run_open_output(struct run *r)
{
	if (r->o->output_file) {
		r->out = fopen(r->o->output_file, "w");
		if (!r->out) {
			fprintf(stderr, "etap: cannot open output file '%s': %s\n",
				r->o->output_file, strerror(errno));
			return -1;
		}
	} else {
		r->out = stdout;
	}
	setvbuf(r->out, NULL, _IOFBF, RUN_OUT_BUFSIZE);
	return 0;
}

static int run_start_child(struct run *r)
{
	const char *err = NULL;
	char **argv;
	int rc;

	if (!r->o->cmd)
		return 0;
	argv = child_split_words(r->o->cmd, &err);
	if (!argv) {
		fprintf(stderr, "etap: cannot parse -c command '%s': %s\n",
			r->o->cmd, err ? err : "empty command");
		return -1;
	}
	rc = child_spawn(&r->child, argv);
	for (char **a = argv; *a; a++)
		free(*a);
	free(argv);
	if (rc < 0) {
		fprintf(stderr, "etap: cannot start '%s': %s\n", r->o->cmd,
			strerror(-rc));
		return -1;
	}
	r->have_child = true;
	return 0;
}

static int run_watch_target(struct run *r)
{
	pid_t pid = r->o->target_pid;

	r->target_pidfd = -1;
	if (!pid)
		return 0;
#ifdef SYS_pidfd_open
	/* Readable when the process exits; without pidfds (old kernels) the
	 * loop falls back to kill(pid, 0) each tick. */
	r->target_pidfd = syscall(SYS_pidfd_open, pid, 0);
	if (r->target_pidfd >= 0)
		return 0;
#endif
	if (kill(pid, 0) < 0 && errno == ESRCH) {
		fprintf(stderr, "etap: no process with pid %d (-x)\n", (int)pid);
		return -1;
	}
	return 0;
}

static int run_start(struct run *r)
{
	if (run_open_output(r) < 0 || run_watch_target(r) < 0 ||
	    run_start_child(r) < 0)
		return -1;
	if (loader_open(&r->ld, r->c, r->o->module_name) < 0)
		return -1;
	r->loaded = true;
	r->st.prog = r->p;
	r->st.gd = r->ld.gd;
	r->st.map_fds = r->ld.map_fds;
	r->ev = eval_new(r->p, &r->st, r->out);
	if (!r->ev) {
		fprintf(stderr, "etap: out of memory\n");
		return -1;
	}
	run_sig_eval = r->ev;
	/* Globals and target() must be in place before the first kernel
	 * probe can fire. */
	if (eval_init_globals(r->ev) < 0)
		return -1;
	loader_set_target(&r->ld, r->have_child ? r->child.pid : r->o->target_pid);
	if (consumer_open(&r->cs, r->c, r->ld.rb_fd, r->out) < 0)
		return -1;
	r->cs_open = true;
	/* -T counts from here; timers start after it, so that -T 5 with
	 * timer.s(5) ends the run before a last, nearly empty tick. */
	if (r->o->timeout_s > 0)
		r->deadline = run_now_ns() + (uint64_t)(r->o->timeout_s * 1e9);
	if (run_setup_timers(r) < 0)
		return -1;
	if (loader_attach(&r->ld) < 0)
		return -1;
	return 0;
}

static void run_report(struct run *r, uint64_t skipped)
{
	uint64_t errors = run_error_count(r);
	uint64_t drops = run_gd_read(r, GD_DROPS);

	if (errors || skipped)
		fprintf(stderr, "WARNING: Number of errors: %llu, skipped probes: %llu\n",
			(unsigned long long)errors, (unsigned long long)skipped);
	if (drops)
		fprintf(stderr, "WARNING: %llu events dropped; increase the buffer with -s MB\n",
			(unsigned long long)drops);
	if (r->cs.malformed)
		fprintf(stderr, "WARNING: %llu malformed records ignored\n",
			(unsigned long long)r->cs.malformed);
}

/* Detach first, then print what is still queued, then end probes. */
static void run_finish(struct run *r)
{
	const struct rprobe **v;
	uint64_t skipped;
	bool in_error;
	int n;

	loader_detach(&r->ld);
	if (r->have_child)
		child_kill(&r->child);
	r->have_child = false;
	while (consumer_drain(&r->cs) > 0)
		;
	skipped = run_gd_read(r, GD_SKIPPED) + loader_recursion_misses(&r->ld);
	/* As stap: after too many errors the session is in error and
	 * "error" probes run instead of "end" probes. */
	in_error = run_errors_exceeded(r) || run_aborted(r);
	v = run_collect(r->p, in_error ? PT_ERROR : PT_END, &n);
	if (v && r->stop != RUN_STOP_OUTPUT) {
		run_signal = 0;
		run_probes(r, v, n, true);
	}
	/* stap's display of unread globals is one more end probe */
	if (!in_error && !run_aborted(r) && r->stop != RUN_STOP_OUTPUT)
		globals_dump(r->ev, r->out);
	free(v);
	fflush(r->out);
	run_report(r, skipped);
}

int run_program(const struct etap_options *o, const struct program *p,
		const struct compiled *c)
{
	struct run r = { .o = o, .p = p, .c = c, .target_pidfd = -1 };
	const struct rprobe **begin;
	bool failed = false;
	int n;

	loader_set_verbosity(o->verbose);
	if (run_install_signals() < 0) {
		fprintf(stderr, "etap: cannot set up signals: %s\n", strerror(errno));
		return 1;
	}
	if (run_start(&r) < 0) {
		failed = true;
		goto out;
	}

	begin = run_signal ? NULL : run_collect(p, PT_BEGIN, &n);
	if (begin)
		run_probes(&r, begin, n, false);
	free(begin);
	consumer_drain(&r.cs);
	run_check_stop(&r);
	if (!r.stop && r.have_child && child_release(&r.child) < 0)
		r.stop = RUN_STOP_CHILD;
	run_loop(&r);
	run_finish(&r);
out:
	run_sig_eval = NULL;
	if (r.out)
		fflush(r.out);
	if (r.have_child)
		child_kill(&r.child);
	if (r.cs_open)
		consumer_close(&r.cs);
	if (r.ev) {
		if (!failed && run_error_count(&r))
			failed = true;
		eval_free(r.ev);
		r.ev = NULL;
	}
	if (r.loaded)
		loader_close(&r.ld);
	if (r.target_pidfd >= 0)
		close(r.target_pidfd);
	free(r.timers);
	if (r.out && r.out != stdout)
		fclose(r.out);
	run_restore_signals();
	return failed ? 1 : 0;
}
