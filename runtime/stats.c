// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Aggregates in user context: the user-context copy, the per-CPU update
 * (Welford's running variance, quirks included, so both contexts and stap
 * agree) and the merge across CPUs with stap's total-variance formula.
 * All arithmetic wraps in 64 bits like the script's; divisions by zero
 * give 0 as stap's _stp_div64 does.
 */
#define _GNU_SOURCE /* qsort_r */
#include "runtime/stats.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

struct stats_cell {
	const struct symbol *g;
	uint8_t *key;	/* g->key_size bytes, NULL for scalars */
	int64_t *w;	/* STW_* words, then the buckets */
	struct stats_cell *next;
};

struct stats_user {
	struct stats_cell **tab;
	size_t nbuckets, n;
};

#define STATS_TAB_INITIAL 64

static int64_t st_add(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a + (uint64_t)b);
}

static int64_t st_sub(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a - (uint64_t)b);
}

static int64_t st_mul(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a * (uint64_t)b);
}

static int64_t st_shl(int64_t a, int s)
{
	return (int64_t)((uint64_t)a << (s & 63));
}

static int64_t st_div(int64_t a, int64_t b)
{
	if (b == 0 || (a == INT64_MIN && b == -1))
		return 0;
	return a / b;
}

void stats_hist_shape(const struct stats_info *si, struct hist_shape *h)
{
	memset(h, 0, sizeof(*h));
	if (!si || !si->hist)
		return;
	h->linear = si->linear;
	h->nbuckets = si->nbuckets;
	h->low = si->low;
	h->width = si->width;
}

void stats_value_add(const struct stats_info *si, int64_t *w, int64_t v)
{
	int shift = si ? si->shift : 0;

	if (w[STW_COUNT] == 0) {
		w[STW_COUNT] = 1;
		w[STW_SUM] = w[STW_MIN] = w[STW_MAX] = v;
		w[STW_AVG_S] = st_shl(v, shift);
		w[STW_M2] = 0;
	} else {
		w[STW_COUNT]++;
		w[STW_SUM] = st_add(w[STW_SUM], v);
		if (v > w[STW_MAX])
			w[STW_MAX] = v;
		if (v < w[STW_MIN])
			w[STW_MIN] = v;
		if (si && si->variance) {
			/* stap keeps this difference in an int: keep its
			 * truncation too, so results match stap's */
			int64_t delta = (int32_t)(uint32_t)st_sub(st_shl(v, shift),
								   w[STW_AVG_S]);

			w[STW_AVG_S] = st_add(w[STW_AVG_S],
					      st_div(delta, w[STW_COUNT]));
			w[STW_M2] = st_add(w[STW_M2],
					   st_mul(delta,
						  st_sub(st_shl(v, shift),
							 w[STW_AVG_S])));
			w[STW_VAR_S] = st_div(w[STW_M2], w[STW_COUNT] - 1);
		}
	}
	if (si && si->hist) {
		struct hist_shape h;
		int b;

		stats_hist_shape(si, &h);
		b = h.linear ? hist_linear_bucket(&h, v) : hist_log_bucket(v);
		w[STW_HIST + b]++;
	}
}

/* ---- the user-context copy ---- */

struct stats_user *stats_user_new(void)
{
	struct stats_user *u = calloc(1, sizeof(*u));

	if (!u)
		return NULL;
	u->nbuckets = STATS_TAB_INITIAL;
	u->tab = calloc(u->nbuckets, sizeof(*u->tab));
	if (!u->tab) {
		free(u);
		return NULL;
	}
	return u;
}

static void stats_cell_free(struct stats_cell *c)
{
	free(c->key);
	free(c->w);
	free(c);
}

void stats_user_free(struct stats_user *u)
{
	if (!u)
		return;
	for (size_t i = 0; i < u->nbuckets; i++) {
		struct stats_cell *c = u->tab[i], *nx;

		for (; c; c = nx) {
			nx = c->next;
			stats_cell_free(c);
		}
	}
	free(u->tab);
	free(u);
}

static size_t stats_hash(const struct symbol *g, const uint8_t *key)
{
	uint64_t h = 1469598103934665603ull ^ (uintptr_t)g;

	for (uint32_t i = 0; key && i < g->key_size; i++)
		h = (h ^ key[i]) * 1099511628211ull;
	return (size_t)(h ^ (h >> 29));
}

static bool stats_cell_is(const struct stats_cell *c, const struct symbol *g,
			  const uint8_t *key)
{
	if (c->g != g)
		return false;
	if (!key || !c->key)
		return !key && !c->key;
	return memcmp(c->key, key, g->key_size) == 0;
}

static struct stats_cell **stats_user_slot(struct stats_user *u,
					   const struct symbol *g,
					   const uint8_t *key)
{
	struct stats_cell **pc = &u->tab[stats_hash(g, key) % u->nbuckets];

	while (*pc && !stats_cell_is(*pc, g, key))
		pc = &(*pc)->next;
	return pc;
}

static void stats_user_grow(struct stats_user *u)
{
	size_t nb = u->nbuckets * 2;
	struct stats_cell **tab = calloc(nb, sizeof(*tab));

	if (!tab)
		return; /* stay with longer chains */
	for (size_t i = 0; i < u->nbuckets; i++) {
		struct stats_cell *c = u->tab[i], *nx;

		for (; c; c = nx) {
			size_t b = stats_hash(c->g, c->key) % nb;

			nx = c->next;
			c->next = tab[b];
			tab[b] = c;
		}
	}
	free(u->tab);
	u->tab = tab;
	u->nbuckets = nb;
}

static size_t stats_user_count(struct stats_user *u, const struct symbol *g)
{
	size_t n = 0;

	for (size_t i = 0; i < u->nbuckets; i++)
		for (struct stats_cell *c = u->tab[i]; c; c = c->next)
			n += c->g == g;
	return n;
}

int stats_user_add(struct stats_user *u, const struct symbol *g,
		   const uint8_t *key, int64_t v)
{
	struct stats_cell **pc = stats_user_slot(u, g, key), *c = *pc;

	if (!c) {
		if (g->nkeys > 0 && g->maxentries &&
		    stats_user_count(u, g) >= g->maxentries)
			return -E2BIG;
		c = calloc(1, sizeof(*c));
		if (!c)
			return -ENOMEM;
		c->g = g;
		c->w = calloc(1, stats_value_size(g->stats));
		if (key) {
			c->key = malloc(g->key_size);
			if (c->key)
				memcpy(c->key, key, g->key_size);
		}
		if (!c->w || (key && !c->key)) {
			stats_cell_free(c);
			return -ENOMEM;
		}
		*pc = c;
		if (++u->n > 2 * u->nbuckets)
			stats_user_grow(u);
	}
	stats_value_add(g->stats, c->w, v);
	return 0;
}

/* ---- reading: merge ---- */

/* Every CPU's value from the kernel map, or NULL (no map, no element). */
static int64_t *stats_kernel_values(struct store *st, const struct symbol *g,
				    const uint8_t *key, int *ncpu)
{
	uint32_t zero = 0;
	int n = libbpf_num_possible_cpus();
	int64_t *vals;

	*ncpu = 0;
	if (!g->has_map || !st || !st->map_fds || n <= 0)
		return NULL;
	vals = calloc((size_t)n, g->value_size);
	if (!vals)
		return NULL;
	if (bpf_map_lookup_elem(st->map_fds[g->map_idx], key ? (void *)key
							     : (void *)&zero,
				vals) < 0) {
		free(vals);
		return NULL;
	}
	*ncpu = n;
	return vals;
}

bool stats_get(struct store *st, struct stats_user *u, const struct symbol *g,
	       const uint8_t *key, struct stats_agg *out)
{
	const struct stats_info *si = g->stats;
	int shift = si ? si->shift : 0, ncpu = 0, nparts = 0;
	size_t words = stats_value_size(si) / 8;
	int64_t *kv = stats_kernel_values(st, g, key, &ncpu);
	struct stats_cell *uc = u ? *stats_user_slot(u, g, key) : NULL;
	const int64_t *parts[ncpu + 1 > 0 ? ncpu + 1 : 1];
	int64_t avg_s, s1 = 0, s2 = 0;

	memset(out, 0, sizeof(*out));
	for (int i = 0; i < ncpu; i++)
		parts[nparts++] = kv + i * words;
	if (uc)
		parts[nparts++] = uc->w;
	out->nbuckets = si && si->hist ? si->nbuckets : 0;
	if (out->nbuckets)
		out->hist = calloc(out->nbuckets, sizeof(int64_t));
	for (int i = 0; i < nparts; i++) {
		const int64_t *w = parts[i];

		if (!w[STW_COUNT])
			continue;
		if (out->count == 0) {
			out->min = w[STW_MIN];
			out->max = w[STW_MAX];
		}
		out->count = st_add(out->count, w[STW_COUNT]);
		out->sum = st_add(out->sum, w[STW_SUM]);
		if (w[STW_MAX] > out->max)
			out->max = w[STW_MAX];
		if (w[STW_MIN] < out->min)
			out->min = w[STW_MIN];
		for (int b = 0; out->hist && b < out->nbuckets; b++)
			out->hist[b] = st_add(out->hist[b], w[STW_HIST + b]);
	}
	/* the total variance: spread of the per-CPU means around the whole
	 * mean, plus each CPU's own variance */
	avg_s = st_div(st_shl(out->sum, shift), out->count);
	for (int i = 0; i < nparts; i++) {
		const int64_t *w = parts[i];
		int64_t d = st_sub(w[STW_AVG_S], avg_s);

		if (!w[STW_COUNT])
			continue;
		s1 = st_add(s1, st_mul(st_mul(w[STW_COUNT], d), d));
		s2 = st_add(s2, st_mul(w[STW_COUNT] - 1, w[STW_VAR_S]));
	}
	out->variance = st_div(st_add(s1, s2), out->count - 1) >> (2 * shift);
	free(kv);
	return out->count > 0;
}

void stats_agg_free(struct stats_agg *a)
{
	free(a->hist);
	a->hist = NULL;
}

bool stats_extract(const struct stats_agg *a, int statop, int64_t *res,
		   const char **err)
{
	*res = 0;
	*err = NULL;
	switch (statop) {
	case STAT_COUNT:
		*res = a->count;
		return true;
	case STAT_SUM:
		*res = a->sum;
		return true;
	default:
		break;
	}
	if (a->count == 0) {
		*err = "empty aggregate";
		return false;
	}
	switch (statop) {
	case STAT_MIN:
		*res = a->min;
		break;
	case STAT_MAX:
		*res = a->max;
		break;
	case STAT_AVG:
		*res = st_div(a->sum, a->count);
		break;
	case STAT_VARIANCE:
		*res = a->variance;
		break;
	default:
		*err = "unknown statistics operator";
		return false;
	}
	return true;
}

void stats_clear(struct store *st, struct stats_user *u,
		 const struct symbol *g, const uint8_t *key)
{
	if (u) {
		for (size_t i = 0; i < u->nbuckets; i++) {
			struct stats_cell **pc = &u->tab[i];

			while (*pc) {
				struct stats_cell *c = *pc;

				if (c->g == g && (!key || stats_cell_is(c, g, key))) {
					*pc = c->next;
					stats_cell_free(c);
					u->n--;
				} else {
					pc = &c->next;
				}
			}
		}
	}
	if (!g->has_map || !st || !st->map_fds)
		return;
	if (g->nkeys == 0) {
		int n = libbpf_num_possible_cpus();
		uint32_t zero = 0;
		void *z = n > 0 ? calloc((size_t)n, g->value_size) : NULL;

		if (z)
			bpf_map_update_elem(st->map_fds[g->map_idx], &zero, z,
					    BPF_ANY);
		free(z);
	} else if (key) {
		bpf_map_delete_elem(st->map_fds[g->map_idx], key);
	} else {
		store_array_clear(st, g);
	}
}

static int stats_cmp_raw(const void *a, const void *b, void *size)
{
	return memcmp(a, b, *(size_t *)size);
}

int stats_keys(struct store *st, struct stats_user *u, const struct symbol *g,
	       struct value **keys, int *n)
{
	size_t ks = g->key_size, cnt = 0, cap = 64, uniq = 0, limit;
	uint8_t *raw = malloc(cap * ks);
	struct value *outv;

	*keys = NULL;
	*n = 0;
	if (!raw)
		return -ENOMEM;
	limit = 2 * (size_t)(g->maxentries ? g->maxentries : 65536) + 16;
	while (g->has_map && st && st->map_fds && cnt < limit) {
		const void *prev = cnt ? raw + (cnt - 1) * ks : NULL;

		if (cnt == cap) {
			uint8_t *r = realloc(raw, 2 * cap * ks);

			if (!r)
				break;
			raw = r;
			cap *= 2;
			prev = raw + (cnt - 1) * ks;
		}
		if (bpf_map_get_next_key(st->map_fds[g->map_idx], prev,
					 raw + cnt * ks) < 0)
			break;
		cnt++;
	}
	for (size_t i = 0; u && i < u->nbuckets; i++) {
		for (struct stats_cell *c = u->tab[i]; c; c = c->next) {
			if (c->g != g || !c->key)
				continue;
			if (cnt == cap) {
				uint8_t *r = realloc(raw, 2 * cap * ks);

				if (!r)
					goto unpack;
				raw = r;
				cap *= 2;
			}
			memcpy(raw + cnt++ * ks, c->key, ks);
		}
	}
unpack:
	if (cnt > 1)
		qsort_r(raw, cnt, ks, stats_cmp_raw, &ks);
	outv = calloc(cnt ? cnt * g->nkeys : 1, sizeof(*outv));
	if (!outv) {
		free(raw);
		return -ENOMEM;
	}
	for (size_t i = 0; i < cnt; i++) {
		if (uniq && !memcmp(raw + i * ks, raw + (i - 1) * ks, ks))
			continue;
		store_unpack_key(g, raw + i * ks, outv + uniq * g->nkeys);
		uniq++;
	}
	free(raw);
	*keys = outv;
	*n = (int)uniq;
	return 0;
}
