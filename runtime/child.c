// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The -c CMD child. It is forked early so that target() can be known while
 * probes are compiled and attached, then held on a socket until everything
 * is in place, so that not one event of the command is missed. Exec'ing
 * the command directly (no shell) makes target() the command's own pid.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/child.h"

/* ---- word splitting ---- */

struct words {
	char **v;
	int n, cap;
	char *cur; /* word being built, NULL between words */
	size_t len, curcap;
};

static bool words_addc(struct words *w, char c)
{
	if (w->len + 2 > w->curcap) {
		size_t cap = w->curcap ? 2 * w->curcap : 32;
		char *p = realloc(w->cur, cap);

		if (!p)
			return false;
		w->cur = p;
		w->curcap = cap;
	}
	w->cur[w->len++] = c;
	w->cur[w->len] = '\0';
	return true;
}

/* Start a word even if nothing is added to it: "" is an empty argument. */
static bool words_begin(struct words *w)
{
	if (w->cur)
		return true;
	w->cur = malloc(32);
	if (!w->cur)
		return false;
	w->cur[0] = '\0';
	w->len = 0;
	w->curcap = 32;
	return true;
}

static bool words_end(struct words *w)
{
	if (!w->cur)
		return true;
	if (w->n + 2 > w->cap) {
		int cap = w->cap ? 2 * w->cap : 8;
		char **v = realloc(w->v, cap * sizeof(*v));

		if (!v)
			return false;
		w->v = v;
		w->cap = cap;
	}
	w->v[w->n++] = w->cur;
	w->v[w->n] = NULL;
	w->cur = NULL;
	w->len = w->curcap = 0;
	return true;
}

static void words_free(struct words *w)
{
	for (int i = 0; i < w->n; i++)
		free(w->v[i]);
	free(w->v);
	free(w->cur);
}

/* The POSIX shell's quoting rules, minus every kind of expansion: a '$',
 * '`', '*' or '~' is just a character here. */
char **child_split_words(const char *cmd, const char **err)
{
	struct words w = {0};
	const char *p = cmd;
	bool ok = true;

	*err = NULL;
	while (*p && ok) {
		char c = *p++;

		switch (c) {
		case ' ':
		case '\t':
		case '\n':
			ok = words_end(&w);
			break;
		case '\'':
			ok = words_begin(&w);
			while (ok && *p && *p != '\'')
				ok = words_addc(&w, *p++);
			if (!*p) {
				*err = "unbalanced single quote in command";
				goto fail;
			}
			p++;
			break;
		case '"':
			ok = words_begin(&w);
			while (ok && *p && *p != '"') {
				if (*p == '\\' && p[1] == '\n') {
					p += 2; /* line continuation */
					continue;
				}
				if (*p == '\\' && p[1] &&
				    strchr("\"\\$`", p[1]))
					p++;
				ok = words_addc(&w, *p++);
			}
			if (!*p) {
				*err = "unbalanced double quote in command";
				goto fail;
			}
			p++;
			break;
		case '\\':
			if (*p == '\n') {
				p++;
				break;
			}
			ok = words_begin(&w);
			/* A trailing backslash stays, as in sh. */
			if (ok)
				ok = words_addc(&w, *p ? *p++ : '\\');
			break;
		default:
			ok = words_begin(&w) && words_addc(&w, c);
			break;
		}
	}
	if (ok)
		ok = words_end(&w);
	if (!ok) {
		*err = "out of memory";
		goto fail;
	}
	if (!w.n) {
		*err = "empty command";
		goto fail;
	}
	return w.v;
fail:
	words_free(&w);
	return NULL;
}

/* ---- the held child ---- */

static int child_pidfd_open(pid_t pid)
{
#ifdef SYS_pidfd_open
	int fd = syscall(SYS_pidfd_open, pid, 0);

	return fd < 0 ? -1 : fd;
#else
	return -1;
#endif
}

/* Runs in the forked child: wait for the go byte; give the command the
 * signal state a shell would, since etap ignores or blocks signals it
 * handles itself; exec. Only async-signal-safe calls before exec. */
static void __attribute__((noreturn)) child_run(int hold_fd, char *const argv[])
{
	struct sigaction sa = {.sa_handler = SIG_DFL};
	sigset_t none;
	char go, msg[512];
	ssize_t n;
	int err;

	do
		n = read(hold_fd, &go, 1);
	while (n < 0 && errno == EINTR);
	/* etap went away or gave up before releasing us: run nothing. */
	if (n != 1)
		_exit(127);
	close(hold_fd);

	/* Only once released: these are the command's first system calls,
	 * and every probe must see all of them (before the release they
	 * raced with attaching, so two probes could count differently). */
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	execvp(argv[0], argv);
	err = errno;
	n = snprintf(msg, sizeof(msg), "etap: cannot run '%s': %s\n", argv[0],
		     strerror(err));
	if (n > 0)
		(void)!write(STDERR_FILENO, msg,
			     n < (ssize_t)sizeof(msg) ? n : sizeof(msg) - 1);
	_exit(127);
}

/* Wait (up to a second) until the child sleeps in its read of the go
 * byte, so that the read's entry always happens before probes attach and
 * the command's traced system calls are the same from run to run. */
static void child_wait_blocked(pid_t pid)
{
	char path[64], buf[256];

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	for (int i = 0; i < 10000; i++) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
		char *st;

		if (fd >= 0)
			close(fd);
		if (n <= 0)
			return;
		buf[n] = '\0';
		/* "pid (comm) S ...": the state follows the last ')' */
		st = strrchr(buf, ')');
		if (!st || st[1] != ' ' || st[2] == 'S' || st[2] == 'Z' ||
		    st[2] == 'X')
			return;
		usleep(100);
	}
}

int child_spawn(struct child *c, char *const argv[])
{
	int sv[2], err;
	pid_t pid;

	c->pid = 0;
	c->release_fd = -1;
	c->pidfd = -1;
	if (!argv || !argv[0])
		return -EINVAL;
	/* A socket rather than a pipe: releasing a child that already died
	 * must be an error (EPIPE), not a SIGPIPE that kills etap. */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		err = errno;
		close(sv[0]);
		close(sv[1]);
		return -err;
	}
	if (pid == 0) {
		close(sv[1]);
		child_run(sv[0], argv);
	}
	close(sv[0]);
	c->pid = pid;
	c->release_fd = sv[1];
	c->pidfd = child_pidfd_open(pid);
	child_wait_blocked(pid);
	return 0;
}

int child_release(struct child *c)
{
	ssize_t n;
	int err = 0;

	if (c->release_fd < 0)
		return -EINVAL;
	do
		n = send(c->release_fd, "g", 1, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		err = n < 0 ? -errno : -EIO;
	close(c->release_fd);
	c->release_fd = -1;
	return err;
}

static void child_forget(struct child *c)
{
	if (c->release_fd >= 0)
		close(c->release_fd);
	if (c->pidfd >= 0)
		close(c->pidfd);
	c->release_fd = -1;
	c->pidfd = -1;
	/* Reaped: a later kill must not hit a recycled pid. */
	c->pid = 0;
}

void child_kill(struct child *c)
{
	if (c->pid > 0) {
		kill(c->pid, SIGKILL);
		while (waitpid(c->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	child_forget(c);
}

int child_poll_exit(struct child *c, int *status)
{
	int st = 0;
	pid_t r;

	if (c->pid <= 0)
		return 1;
	do
		r = waitpid(c->pid, &st, WNOHANG);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		return 0;
	/* r < 0 (ECHILD): someone else reaped it; it is gone either way. */
	if (status)
		*status = r > 0 ? st : 0;
	child_forget(c);
	return 1;
}
