// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The evaluator's aggregates: `<<<` in user context (into the copy only
 * user context writes), @count ... @variance, @hist_*(s)[i], printing a
 * histogram, and the keys and sort values foreach needs over a stats
 * array. Reads merge the kernel's per-CPU values with the user copy.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/eval_internal.h"
#include "runtime/stats.h"

static struct stats_user *eval_ustats(struct eval *ev)
{
	if (!ev->ustats)
		ev->ustats = stats_user_new();
	return ev->ustats;
}

/* The aggregate an operand names and its packed key (malloc'd, NULL for
 * a scalar). Returns NULL after an error. */
static const struct symbol *eval_stats_target(struct eval *ev,
					      const struct node *a,
					      uint8_t **key)
{
	const struct symbol *g = a ? a->sym : NULL;
	struct value keys[SEM_MAXKEYS];
	int i = 0;

	*key = NULL;
	if (a && a->kind == E_INDEX && !g && a->a)
		g = a->a->sym;
	if (!g || g->type != T_STATS || !g->stats) {
		eval_fail(ev, a, "not an aggregate");
		return NULL;
	}
	if (a->kind != E_INDEX)
		return g;
	for (const struct node *k = a->args; k && i < g->nkeys;
	     k = k->next, i++)
		eval_expr(ev, k, &keys[i]);
	for (; i < g->nkeys; i++)
		value_set_long(&keys[i], 0);
	if (!ev->unwind) {
		*key = malloc(g->key_size ? g->key_size : 1);
		if (*key)
			store_pack_key(g, keys, *key);
	}
	for (i = 0; i < g->nkeys; i++)
		value_free(&keys[i]);
	if (ev->unwind || !*key) {
		free(*key);
		*key = NULL;
		return NULL;
	}
	return g;
}

void eval_stats_agg(struct eval *ev, const struct node *n, struct value *out)
{
	uint8_t *key;
	const struct symbol *g;
	int64_t v;
	int err;

	value_set_long(out, 0);
	g = eval_stats_target(ev, n->a, &key);
	if (!g)
		return;
	v = eval_long(ev, n->b);
	if (!ev->unwind) {
		err = eval_ustats(ev) ? stats_user_add(ev->ustats, g, key, v)
				      : -ENOMEM;
		if (err == -E2BIG)
			eval_fail(ev, n->a, "Array overflow, check MAXMAPENTRIES");
		else if (err < 0)
			eval_fail(ev, n, "out of memory");
	}
	free(key);
}

/* Merge the aggregate an operand names. false after an error. */
static bool eval_stats_read(struct eval *ev, const struct node *a,
			    struct stats_agg *agg)
{
	uint8_t *key;
	const struct symbol *g = eval_stats_target(ev, a, &key);

	memset(agg, 0, sizeof(*agg));
	if (!g)
		return false;
	stats_get(ev->st, ev->ustats, g, key, agg);
	free(key);
	return true;
}

void eval_stats_op(struct eval *ev, const struct node *n, struct value *out)
{
	struct stats_agg agg;
	const char *err;
	int64_t r = 0;

	value_set_long(out, 0);
	if (!eval_stats_read(ev, n->a, &agg))
		return;
	if (!stats_extract(&agg, n->op, &r, &err))
		eval_fail(ev, n, "%s", err);
	out->l = r;
	stats_agg_free(&agg);
}

/* The merged histogram of an E_HIST node; false (error reported) when the
 * aggregate is empty. */
static bool eval_stats_hist(struct eval *ev, const struct node *h,
			    struct stats_agg *agg, struct hist_shape *shape)
{
	const struct symbol *g = h->a ? h->a->sym : NULL;

	if (h->a && h->a->kind == E_INDEX && !g && h->a->a)
		g = h->a->a->sym;
	if (!eval_stats_read(ev, h->a, agg))
		return false;
	stats_hist_shape(g->stats, shape);
	if (agg->count == 0 || !agg->hist) {
		eval_fail(ev, h, "empty aggregate");
		stats_agg_free(agg);
		return false;
	}
	return true;
}

void eval_stats_hist_index(struct eval *ev, const struct node *n,
			   struct value *out)
{
	struct stats_agg agg;
	struct hist_shape shape;
	int64_t i;

	value_set_long(out, 0);
	if (!eval_stats_hist(ev, n->a, &agg, &shape))
		return;
	i = eval_long(ev, n->b);
	if (!ev->unwind && (i < 0 || i >= agg.nbuckets))
		eval_fail(ev, n, "histogram index out of range");
	else if (!ev->unwind)
		out->l = agg.hist[i];
	stats_agg_free(&agg);
}

bool eval_stats_print(struct eval *ev, const struct node *n, struct strbuf *sb)
{
	struct stats_agg agg;
	struct hist_shape shape;

	if (!eval_stats_hist(ev, n, &agg, &shape))
		return false;
	hist_render(sb, &shape, agg.hist, ev->prog->opt.hist_elision);
	stats_agg_free(&agg);
	return true;
}

int eval_stats_buckets(struct eval *ev, const struct node *h, int64_t **counts)
{
	struct stats_agg agg;
	struct hist_shape shape;

	*counts = NULL;
	if (!eval_stats_hist(ev, h, &agg, &shape))
		return -1;
	*counts = agg.hist;
	return agg.nbuckets;
}

int eval_stats_keys(struct eval *ev, const struct symbol *g,
		    struct value **keys, int *n)
{
	return stats_keys(ev->st, ev->ustats, g, keys, n);
}

void eval_stats_sort_value(struct eval *ev, const struct symbol *g,
			   const struct value *keys, int statop,
			   struct value *out)
{
	struct stats_agg agg;
	uint8_t *key = malloc(g->key_size ? g->key_size : 1);
	const char *err;
	int64_t r = 0;

	value_set_long(out, 0);
	if (!key)
		return;
	store_pack_key(g, keys, key);
	stats_get(ev->st, ev->ustats, g, key, &agg);
	/* sorting by @min of an element without samples: it sorts as 0 */
	stats_extract(&agg, statop ? statop : STAT_COUNT, &r, &err);
	out->l = r;
	stats_agg_free(&agg);
	free(key);
}

void eval_stats_delete(struct eval *ev, const struct node *t)
{
	uint8_t *key = NULL;
	const struct symbol *g;

	if (t->kind == E_IDENT) {
		stats_clear(ev->st, ev->ustats, t->sym, NULL);
		return;
	}
	g = eval_stats_target(ev, t, &key);
	if (g)
		stats_clear(ev->st, ev->ustats, g, key);
	free(key);
}

void eval_stats_free(struct eval *ev)
{
	stats_user_free(ev->ustats);
	ev->ustats = NULL;
}
