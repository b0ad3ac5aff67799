/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Aggregates as user context sees them. Kernel probes collect into per-CPU
 * maps (one value per CPU, semantic/stats.h layout); user-context `<<<`
 * collects into a copy only user context writes (struct stats_user), so it
 * never races a kernel update. Reading merges every CPU's value and the
 * user copy the way stap merges its per-CPU data.
 */
#ifndef ETAP_RUNTIME_STATS_H
#define ETAP_RUNTIME_STATS_H

#include <stdbool.h>
#include <stdint.h>
#include "runtime/hist_print.h"
#include "runtime/store.h"
#include "semantic/stats.h"

struct stats_user;

/* A merged aggregate. hist has nbuckets entries (NULL without one). */
struct stats_agg {
	int64_t count, sum, min, max;
	int64_t variance;
	int64_t *hist;
	int nbuckets;
};

struct stats_user *stats_user_new(void);
void stats_user_free(struct stats_user *u);

/* Add v to one value (STW_* words), as stap's per-CPU update does. */
void stats_value_add(const struct stats_info *si, int64_t *w, int64_t v);

/* s <<< v from user context; key is packed (store_pack_key), NULL for a
 * scalar aggregate. Returns 0, or -E2BIG when the array is full. */
int stats_user_add(struct stats_user *u, const struct symbol *g,
		   const uint8_t *key, int64_t v);

/* Merge every CPU and the user copy. Returns false when there is no such
 * element (or nothing was collected): out is then all zero. Free with
 * stats_agg_free. */
bool stats_get(struct store *st, struct stats_user *u, const struct symbol *g,
	       const uint8_t *key, struct stats_agg *out);
void stats_agg_free(struct stats_agg *a);

/* @count ... @variance of a merged aggregate. Returns false with *err set
 * ("empty aggregate") when the operator needs samples there are not. */
bool stats_extract(const struct stats_agg *a, int statop, int64_t *res,
		   const char **err);

/* delete: one element (key), or the whole aggregate (key NULL). */
void stats_clear(struct store *st, struct stats_user *u,
		 const struct symbol *g, const uint8_t *key);

/* Every key of a stats array, kernel's and user context's, unpacked and
 * sorted as store_array_keys returns them. */
int stats_keys(struct store *st, struct stats_user *u, const struct symbol *g,
	       struct value **keys, int *n);

/* The histogram shape of an aggregate. */
void stats_hist_shape(const struct stats_info *si, struct hist_shape *h);

#endif
