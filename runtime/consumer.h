/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ring-buffer consumer: decodes the records kernel probes send
 * (printf, print, exit, runtime errors) and writes the script's output.
 */
#ifndef ETAP_CONSUMER_H
#define ETAP_CONSUMER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "../codegen/codegen.h"
#include "printf_fmt.h"

struct ring_buffer;
struct fmt;

struct consumer {
	const struct compiled *c;
	struct ring_buffer *rb;
	FILE *out;
	struct fmt **fmts; /* per record id, parsed on first use */
	bool *fmt_bad;	   /* per record id: format failed to parse */
	struct strbuf sb;
	uint64_t records; /* decoded so far */
	uint64_t errors;  /* REC_ERROR records */
	uint64_t malformed;
	int batch; /* records in the current drain */
	bool exit_requested; /* a REC_EXIT arrived */
	bool abort_requested; /* a REC_ABORT arrived */
};

/* Returns 0 or -errno (reported). */
int consumer_open(struct consumer *cs, const struct compiled *c, int rb_fd,
		  FILE *out);
/* fd that becomes readable when the kernel notifies new records. */
int consumer_epoll_fd(const struct consumer *cs);
/* Decode the records available now (up to a batch), without blocking.
 * Returns the number decoded, or -errno. */
int consumer_drain(struct consumer *cs);
void consumer_close(struct consumer *cs);

#endif
