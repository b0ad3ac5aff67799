/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The -c CMD child: split CMD into words as a shell would (quotes,
 * backslashes; no expansion or substitution), fork, hold the child until
 * every probe is attached and begin probes ran, then exec it directly so
 * that target() is the command's own pid.
 */
#ifndef ETAP_CHILD_H
#define ETAP_CHILD_H

#include <sys/types.h>

/* Split cmd into a NULL-terminated malloc'd argv. Returns NULL with *err a
 * static message on unbalanced quotes or an empty command. */
char **child_split_words(const char *cmd, const char **err);

struct child {
	pid_t pid;
	int release_fd; /* write end of the pipe the child waits on */
	int pidfd;	/* pidfd of the child, or -1 */
};

/* Fork the held child. Returns 0 or -errno. The child execs argv[0] looked
 * up in PATH once released; if exec fails it prints
 * "etap: cannot run 'X': reason" and exits 127. */
int child_spawn(struct child *c, char *const argv[]);
/* Let the child exec. */
int child_release(struct child *c);
/* Kill (SIGKILL) and reap a child that was never released. Once a child is
 * reaped (here or by child_poll_exit) its fds are closed and c->pid is 0,
 * so that no later call can signal a recycled pid. */
void child_kill(struct child *c);
/* Non-blocking: 1 if the child has exited (and reap it, storing its wait
 * status), 0 if still running. Called again after reaping, it returns 1
 * and leaves *status alone. */
int child_poll_exit(struct child *c, int *status);

#endif
