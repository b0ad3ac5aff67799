// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The exit-time display of globals a script writes but never reads, as
 * stap adds it: one line per scalar (`n=1234`, `s="abc"`,
 * `st @count=2 @min=3 @max=5 @sum=8 @avg=4`, or `st @count=0x0` for an
 * empty aggregate) and one line per array element (`c["bash",2]=12`),
 * elements by decreasing value as stap's `foreach (... in a-)` orders them.
 * Globals of tapsets are left out, as stap leaves them out.
 */
#include "globals_dump.h"

#include <stdlib.h>
#include <string.h>

#include "eval_internal.h"
#include "stats.h"
#include "../semantic/tapset.h"

struct dump_elem {
	struct value *keys;
	struct value val;
	struct stats_agg agg;
};

static bool dump_from_tapset(const struct symbol *g)
{
	const char *const *d = tapset_dirs();
	const char *f = g->loc.file;

	if (!f)
		return false;
	for (; d && *d; d++) {
		size_t n = strlen(*d);

		if (n && !strncmp(f, *d, n) && f[n] == '/')
			return true;
	}
	return false;
}

/*
 * stap's condition: written and never "used", where a use is a read whose
 * value matters. The update of `c[k]++`, `n += 2` or `s <<< v` reads the
 * variable only to write it back, so those globals are still displayed.
 * The semantic pass's `read` flag counts those updates as reads (storage
 * choices need that), hence this walk of its own.
 */
struct dump_use {
	const struct symbol **used;
	int n, cap;
};

static void use_mark(struct dump_use *u, const struct symbol *g)
{
	if (!g || g->kind != SYM_GLOBAL)
		return;
	for (int i = 0; i < u->n; i++)
		if (u->used[i] == g)
			return;
	if (u->n == u->cap) {
		const struct symbol **v;

		u->cap = u->cap ? 2 * u->cap : 16;
		v = realloc(u->used, (size_t)u->cap * sizeof(*v));
		if (!v)
			return;
		u->used = v;
	}
	u->used[u->n++] = g;
}

static void use_walk(struct dump_use *u, const struct node *n);

static void use_walk_list(struct dump_use *u, const struct node *n)
{
	for (; n; n = n->next)
		use_walk(u, n);
}

/* The target of a write: its keys are read, the variable is not. */
static void use_walk_lvalue(struct dump_use *u, const struct node *n)
{
	if (!n)
		return;
	if (n->kind == E_INDEX)
		use_walk_list(u, n->args);
	else if (n->kind != E_IDENT)
		use_walk(u, n);
}

static void use_walk(struct dump_use *u, const struct node *n)
{
	if (!n)
		return;
	switch (n->kind) {
	case E_ASSIGN:
		use_walk_lvalue(u, n->a);
		use_walk(u, n->b);
		return;
	case E_INCDEC:
	case S_DELETE:
		use_walk_lvalue(u, n->a);
		return;
	case S_FOREACH:
		use_mark(u, n->fe->array ? n->fe->array->sym : NULL);
		use_walk(u, n->fe->array);
		use_walk_list(u, n->fe->slice);
		use_walk(u, n->fe->limit);
		use_walk(u, n->fe->body);
		return;
	case E_IDENT:
	case E_INDEX:
	case E_IN:
		use_mark(u, n->sym);
		break;
	default:
		break;
	}
	use_walk(u, n->a);
	use_walk(u, n->b);
	use_walk(u, n->c);
	use_walk(u, n->d);
	use_walk_list(u, n->args);
}

static bool dump_used(const struct dump_use *u, const struct symbol *g)
{
	for (int i = 0; i < u->n; i++)
		if (u->used[i] == g)
			return true;
	return false;
}

static bool dump_wanted(const struct dump_use *u, const struct symbol *g)
{
	return g->kind == SYM_GLOBAL && g->written && !dump_used(u, g) &&
	       g->type != T_UNKNOWN && !dump_from_tapset(g);
}

static void dump_stats(FILE *out, const struct stats_agg *a)
{
	int64_t avg = a->count ? a->sum / a->count : 0;

	fprintf(out, " @count=%lld @min=%lld @max=%lld @sum=%lld @avg=%lld\n",
		(long long)a->count, (long long)a->min, (long long)a->max,
		(long long)a->sum, (long long)avg);
}

static void dump_keys(FILE *out, const struct symbol *g,
		      const struct value *k)
{
	fputc('[', out);
	for (int i = 0; i < g->nkeys; i++) {
		if (i)
			fputc(',', out);
		if (g->keytypes[i] == T_STRING)
			fprintf(out, "\"%s\"", value_str(&k[i]));
		else
			fprintf(out, "%lld", (long long)k[i].l);
	}
	fputc(']', out);
}

static void dump_scalar(struct eval *ev, const struct symbol *g, FILE *out)
{
	struct stats_agg a;

	switch (g->type) {
	case T_LONG:
		fprintf(out, "%s=%lld\n", g->name,
			(long long)store_get_long(ev->st, g));
		break;
	case T_STRING:
		fprintf(out, "%s=\"%s\"\n", g->name, store_get_str(ev->st, g));
		break;
	case T_STATS:
		memset(&a, 0, sizeof(a));
		if (!stats_get(ev->st, ev->ustats, g, NULL, &a) || !a.count)
			fprintf(out, "%s @count=0x0\n", g->name);
		else {
			fputs(g->name, out);
			dump_stats(out, &a);
		}
		stats_agg_free(&a);
		break;
	default:
		break;
	}
}

static const struct symbol *dump_sort_sym;

/* Decreasing value (strings: decreasing bytes, stats: decreasing count);
 * equal values keep the key order the store returned. */
static int dump_cmp(const void *pa, const void *pb)
{
	const struct dump_elem *a = pa, *b = pb;
	int c = 0;

	if (dump_sort_sym->type == T_STATS)
		c = (a->agg.count < b->agg.count) - (a->agg.count > b->agg.count);
	else if (dump_sort_sym->type == T_STRING)
		c = -strcmp(value_str(&a->val), value_str(&b->val));
	else
		c = (a->val.l < b->val.l) - (a->val.l > b->val.l);
	if (c)
		return c;
	return (a->keys > b->keys) - (a->keys < b->keys);
}

static void dump_array(struct eval *ev, const struct symbol *g, FILE *out)
{
	struct value *keys = NULL;
	struct dump_elem *el;
	uint8_t kbuf[512];
	int n = 0, i;

	if (g->type == T_STATS ? stats_keys(ev->st, ev->ustats, g, &keys, &n)
			       : store_array_keys(ev->st, g, &keys, &n))
		return;
	el = calloc(n ? (size_t)n : 1, sizeof(*el));
	if (!el) {
		store_keys_free(keys, n, g->nkeys);
		return;
	}
	for (i = 0; i < n; i++) {
		el[i].keys = &keys[(size_t)i * g->nkeys];
		if (g->type == T_STATS) {
			if (g->key_size > sizeof(kbuf))
				continue;
			store_pack_key(g, el[i].keys, kbuf);
			stats_get(ev->st, ev->ustats, g, kbuf, &el[i].agg);
		} else {
			store_array_get(ev->st, g, el[i].keys, &el[i].val);
		}
	}
	dump_sort_sym = g;
	qsort(el, (size_t)n, sizeof(*el), dump_cmp);
	for (i = 0; i < n; i++) {
		fputs(g->name, out);
		dump_keys(out, g, el[i].keys);
		if (g->type == T_STATS)
			dump_stats(out, &el[i].agg);
		else if (g->type == T_STRING)
			fprintf(out, "=\"%s\"\n", value_str(&el[i].val));
		else
			fprintf(out, "=%lld\n", (long long)el[i].val.l);
		stats_agg_free(&el[i].agg);
		value_free(&el[i].val);
	}
	free(el);
	store_keys_free(keys, n, g->nkeys);
}

void globals_dump(struct eval *ev, FILE *out)
{
	struct dump_use u = { 0 };

	for (const struct rprobe *rp = ev->prog->probes; rp; rp = rp->next) {
		use_walk(&u, rp->cond);
		use_walk(&u, rp->body);
	}
	for (const struct symbol *f = ev->prog->functions; f; f = f->next)
		if (f->fn)
			use_walk(&u, f->fn->body);
	for (const struct symbol *g = ev->prog->globals; g; g = g->next) {
		if (!dump_wanted(&u, g))
			continue;
		if (g->nkeys == 0)
			dump_scalar(ev, g, out);
		else
			dump_array(ev, g, out);
	}
	free(u.used);
}
