/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What each aggregate (a global used with <<<) keeps, as the semantic pass
 * decides it: the one histogram the script reads from it, and the shift of
 * @variance. The value layout below is the same in the per-CPU maps
 * kernel probes update (codegen/lower_stats.c) and in the user-context
 * copy (runtime/stats.c), so both merge the same way.
 */
#ifndef ETAP_STATS_H
#define ETAP_STATS_H

#include <stdbool.h>
#include <stdint.h>

struct program;
struct node;

/* Words of one aggregate value (int64 each), then the buckets. */
enum {
	STW_COUNT,
	STW_SUM,
	STW_MIN,
	STW_MAX,
	STW_AVG_S, /* Welford: running mean << shift */
	STW_M2,	   /* Welford: sum of squared deviations << 2 shift */
	STW_VAR_S, /* M2 / (count - 1), as of the last sample */
	STW_HIST,  /* first bucket */
};

struct stats_info {
	bool hist;		  /* a histogram is kept */
	bool linear;		  /* @hist_linear, else @hist_log */
	int64_t low, high, width; /* @hist_linear parameters */
	int nbuckets;		  /* 0 without a histogram */
	bool variance;		  /* @variance is used */
	int shift;		  /* @variance(s, shift) */
	/* Which running values kernel probes must keep: @sum/@avg need the
	 * sum, @min/@max the extremes. An aggregate no @op reads is shown at
	 * exit with all of them. The count and any histogram are always kept.
	 */
	bool read, keep_sum, keep_minmax;
	const struct node *hist_at; /* first histogram use (diagnostics) */
	const struct node *shift_at;
};

static inline uint32_t stats_value_size(const struct stats_info *si)
{
	return (uint32_t)(STW_HIST + (si ? si->nbuckets : 0)) * 8;
}

/* After types are known: check every <<<, @count..@variance and
 * @hist_* use, fill each aggregate's stats_info, mark which globals
 * kernel and user context use, and choose per-CPU storage for arrays that
 * kernel probes only increment. Returns -1 after reporting errors. */
int sem_stats_analyse(struct program *p);

#endif
