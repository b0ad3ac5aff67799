/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Histogram buckets and their text rendering, byte for byte as stap prints
 * @hist_log and @hist_linear. Shared by the user-context evaluator and the
 * unit tests; the BPF side computes the same buckets in codegen/lower_stats.c.
 */
#ifndef ETAP_HIST_PRINT_H
#define ETAP_HIST_PRINT_H

#include <stdbool.h>
#include <stdint.h>
#include "runtime/printf_fmt.h"

#define HIST_LOG_BUCKETS 128
#define HIST_LOG_BUCKET0 64
#define HIST_WIDTH 50
#define HIST_ELISION_DEFAULT 2

struct hist_shape {
	bool linear;
	int nbuckets;	/* 128 for log, (high - low) / width + 3 for linear */
	int64_t low;	/* linear only */
	int64_t width;	/* linear only */
};

/* Bucket of v in a log histogram (0..127, 64 holds 0). */
int hist_log_bucket(int64_t v);
/* The value a log bucket is labelled with. */
int64_t hist_log_label(int bucket);
/* Bucket of v in a linear histogram (0 underflow, nbuckets-1 overflow). */
int hist_linear_bucket(const struct hist_shape *h, int64_t v);
/* Buckets of @hist_linear(low, high, width), or -1 when width is not
 * positive or the count is outside 1..126 (plus under/overflow). */
int hist_linear_nbuckets(int64_t low, int64_t high, int64_t width);

/* Append the histogram to sb: header, rows, blank line. elision is
 * HIST_ELISION (negative: never elide). Nothing is printed for a
 * histogram whose buckets are all zero (callers report an empty
 * aggregate before). */
void hist_render(struct strbuf *sb, const struct hist_shape *h,
		 const int64_t *buckets, int64_t elision);

#endif
