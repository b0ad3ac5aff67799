/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The fd the run loop sleeps on for ring-buffer data (see consumer_wake.c).
 */
#ifndef ETAP_CONSUMER_WAKE_H
#define ETAP_CONSUMER_WAKE_H

struct consumer;

/* An fd that turns readable when the kernel side wakes the reader (the
 * pending data crossed its threshold), not merely while records are
 * waiting. Call before each poll: it also takes the previous wake-up.
 * Falls back to consumer_epoll_fd(). */
int consumer_wake_fd(const struct consumer *cs, int rb_fd);

#endif
