// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Why not libbpf's epoll fd: it watches the ring buffer level-triggered,
 * so a poll on it returns at once whenever any record is waiting. Under
 * a steady stream (one printf per syscall) the run loop then spun:
 * poll, drain a handful of records, fflush (a write per turn), poll
 * again, and the reader's CPU per record was dominated by those system
 * calls rather than by formatting. Kernel handlers submit without a
 * wake-up except when the pending data crosses a threshold, so watching
 * the map edge-triggered gives what the design asks for: the reader
 * sleeps until that wake-up or its tick (10 ms), then drains in batches.
 */
#include "consumer_wake.h"

#include <sys/epoll.h>
#include <unistd.h>

#include "consumer.h"

static struct {
	int efd;
	int rb_fd;
	const struct consumer *cs;
} wake = { -1, -1, NULL };

static int consumer_wake_open(const struct consumer *cs, int rb_fd)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET };

	if (wake.efd >= 0)
		close(wake.efd);
	wake.efd = epoll_create1(EPOLL_CLOEXEC);
	wake.rb_fd = rb_fd;
	wake.cs = cs;
	if (wake.efd < 0)
		return -1;
	if (epoll_ctl(wake.efd, EPOLL_CTL_ADD, rb_fd, &ev) < 0) {
		close(wake.efd);
		wake.efd = -1;
		return -1;
	}
	return 0;
}

int consumer_wake_fd(const struct consumer *cs, int rb_fd)
{
	struct epoll_event ev;

	if (!cs->rb || rb_fd < 0)
		return consumer_epoll_fd(cs);
	if ((wake.efd < 0 || wake.rb_fd != rb_fd || wake.cs != cs) &&
	    consumer_wake_open(cs, rb_fd) < 0)
		return consumer_epoll_fd(cs);
	/* Take the wake-up that ended the last poll (if any): an
	 * edge-triggered item stays on the ready list until harvested, and
	 * the records it announced were drained since. */
	while (epoll_wait(wake.efd, &ev, 1, 0) > 0)
		;
	return wake.efd;
}
