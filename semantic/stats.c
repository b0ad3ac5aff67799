// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Aggregates: the checks stap makes on <<<, @count ... @variance and
 * @hist_*, what each aggregate must keep (one histogram shape, one
 * @variance shift), and where each global is used. Kernel probes only
 * collect (<<<); reading an aggregate needs the merge of every CPU, which
 * user context (end, timer probes) does, so kernel-context reads are
 * refused with a hint. Arrays that kernel probes only increment, as in
 * counts[execname()]++, become per-CPU maps: no cache line bounces between
 * CPUs, and user context adds the CPUs up when it reads them.
 */
#include "sem_internal.h"

#include <stdlib.h>
#include <string.h>

#include "../parser/diag.h"
#include "stats.h"

#define STATS_MAX_BUCKETS 126
#define STATS_MAX_SHIFT 62

struct swalk {
	struct program *p;
	bool kernel, user;
	bool report;  /* this walk reports errors */
	bool *kinc;   /* per global: kernel probes ++ / += it */
	bool *kother; /* per global: kernel probes use it otherwise */
	bool *fn_kernel, *fn_user; /* per function: called from there */
	bool changed;
};

static int global_index(const struct program *p, const struct symbol *g)
{
	int i = 0;

	for (const struct symbol *s = p->globals; s; s = s->next, i++)
		if (s == g)
			return i;
	return -1;
}

static int function_index(const struct program *p, const struct symbol *f)
{
	int i = 0;

	for (const struct symbol *s = p->functions; s; s = s->next, i++)
		if (s == f)
			return i;
	return -1;
}

static void sw_use(struct swalk *w, const struct symbol *g, bool incr)
{
	int i;

	if (!g || g->kind != SYM_GLOBAL)
		return;
	i = global_index(w->p, g);
	if (i < 0)
		return;
	if (w->kernel) {
		((struct symbol *)g)->used_in_kernel = true;
		if (incr)
			w->kinc[i] = true;
		else
			w->kother[i] = true;
	}
	if (w->user)
		((struct symbol *)g)->used_in_user = true;
}

static bool num_value(const struct node *n, int64_t *v)
{
	if (n && n->kind == E_NUM) {
		*v = n->num;
		return true;
	}
	if (n && n->kind == E_UNARY && n->op == OP_NEG && n->a &&
	    n->a->kind == E_NUM) {
		*v = (int64_t)(0 - (uint64_t)n->a->num);
		return true;
	}
	return false;
}

/* The aggregate an @op or <<< works on, or NULL after an error. */
static struct symbol *sw_aggregate(struct swalk *w, const struct node *e,
				   const struct node *at, const char *what)
{
	struct symbol *g = e ? e->sym : NULL;

	if (e && (e->kind == E_IDENT || e->kind == E_INDEX) && g &&
	    g->kind == SYM_GLOBAL && g->type == T_STATS)
		return g;
	if (!w->report)
		return NULL;
	if (e && e->kind == E_IDENT && g && g->kind == SYM_LOCAL) {
		diag_report("semantic error", e->loc,
			    "aggregate '%s' must be a global variable", e->str);
		diag_hint("declare it: global %s", e->str);
	} else {
		diag_report("semantic error", (e ? e : at)->loc,
			    "%s needs an aggregate: a global collected with "
			    "<<<",
			    what);
	}
	return NULL;
}

static void sw_kernel_read(struct swalk *w, const struct node *e,
			   const char *what)
{
	if (!w->kernel || !w->report)
		return;
	diag_report("semantic error", e->loc,
		    "%s cannot be read in kernel-context probes", what);
	diag_hint("aggregates merge every CPU when read: read them in an "
		  "end or timer probe, e.g. probe end { print(@hist_log(s)) }");
}

static void sw_hist(struct swalk *w, struct node *e)
{
	struct symbol *g = sw_aggregate(
	    w, e->a, e, e->op == STAT_HIST_LOG ? "@hist_log" : "@hist_linear");
	struct stats_info want = {.hist = true};
	struct stats_info *si;
	int64_t prm[3] = {0, 0, 0};
	int i = 0;

	sw_kernel_read(w, e,
		       e->op == STAT_HIST_LOG ? "@hist_log" : "@hist_linear");
	if (e->op == STAT_HIST_LINEAR) {
		for (struct node *a = e->args; a && i < 3; a = a->next, i++)
			num_value(a, &prm[i]);
		want.linear = true;
		want.low = prm[0];
		want.high = prm[1];
		want.width = prm[2];
		if (prm[2] <= 0) {
			if (w->report) {
				diag_report("semantic error", e->loc,
					    "@hist_linear bucket width %lld "
					    "must be positive",
					    (long long)prm[2]);
				diag_hint("write @hist_linear(v, low, high, "
					  "width) with width > 0");
			}
			return;
		}
		if ((prm[1] - prm[0]) / prm[2] < 1 ||
		    (prm[1] - prm[0]) / prm[2] > STATS_MAX_BUCKETS) {
			if (w->report) {
				diag_report(
				    "semantic error", e->loc,
				    "@hist_linear(v, %lld, %lld, %lld) "
				    "gives %lld buckets; it must give "
				    "between 1 and %d",
				    (long long)prm[0], (long long)prm[1],
				    (long long)prm[2],
				    (long long)((prm[1] - prm[0]) / prm[2]),
				    STATS_MAX_BUCKETS);
				diag_hint("buckets = (high - low) / width: "
					  "adjust low, high or width");
			}
			return;
		}
		want.nbuckets = (int)((prm[1] - prm[0]) / prm[2]) + 3;
	} else {
		want.nbuckets = 128;
	}
	if (!g || !g->stats)
		return;
	si = g->stats;
	if (!si->hist) {
		si->hist = true;
		si->linear = want.linear;
		si->low = want.low;
		si->high = want.high;
		si->width = want.width;
		si->nbuckets = want.nbuckets;
		si->hist_at = e;
		return;
	}
	if (si->linear == want.linear && si->low == want.low &&
	    si->high == want.high && si->width == want.width)
		return;
	if (w->report) {
		diag_report("semantic error", e->loc,
			    "'%s' already keeps a different histogram (line "
			    "%d)",
			    g->name, si->hist_at->loc.line);
		diag_hint("an aggregate keeps one histogram: collect into a "
			  "second aggregate for this one");
	}
}

/* What reading aggregate g with op needs kept (see stats_info). */
static void sw_keep(struct symbol *g, enum statop op)
{
	if (!g || g->type != T_STATS || !g->stats)
		return;
	g->stats->read = true;
	if (op == STAT_SUM || op == STAT_AVG || op == STAT_VARIANCE)
		g->stats->keep_sum = true;
	if (op == STAT_MIN || op == STAT_MAX)
		g->stats->keep_minmax = true;
}

static void sw_statop(struct swalk *w, struct node *e)
{
	char what[16];
	struct symbol *g;
	int64_t shift = 0;

	snprintf(what, sizeof(what), "@%s", ast_statop_str(e->op));
	g = sw_aggregate(w, e->a, e, what);
	sw_kernel_read(w, e, what);
	sw_keep(g, e->op);
	if (e->op != STAT_VARIANCE || !g || !g->stats)
		return;
	if (e->args && (!num_value(e->args, &shift) || shift < 0 ||
			shift > STATS_MAX_SHIFT)) {
		if (w->report) {
			diag_report("semantic error", e->args->loc,
				    "the @variance shift must be a number from "
				    "0 to %d",
				    STATS_MAX_SHIFT);
		}
		return;
	}
	if (g->stats->variance && g->stats->shift != shift) {
		if (w->report) {
			diag_report("semantic error", e->loc,
				    "'%s' is read with @variance shift %lld "
				    "here but %d at line %d",
				    g->name, (long long)shift, g->stats->shift,
				    g->stats->shift_at->loc.line);
			diag_hint("use one shift for each aggregate");
		}
		return;
	}
	g->stats->variance = true;
	g->stats->shift = (int)shift;
	g->stats->shift_at = e;
}

static void sw_expr(struct swalk *w, struct node *e);
static void sw_stmt(struct swalk *w, struct node *s);

static void sw_list(struct swalk *w, struct node *l)
{
	for (; l; l = l->next)
		sw_expr(w, l);
}

static void sw_call(struct swalk *w, struct node *e)
{
	int i;

	sw_list(w, e->args);
	if (!e->sym || e->sym->kind != SYM_FUNCTION)
		return;
	i = function_index(w->p, e->sym);
	if (i < 0)
		return;
	if (w->kernel && !w->fn_kernel[i])
		w->fn_kernel[i] = w->changed = true;
	if (w->user && !w->fn_user[i])
		w->fn_user[i] = w->changed = true;
}

static void sw_expr(struct swalk *w, struct node *e)
{
	if (!e)
		return;
	switch (e->kind) {
	case E_IDENT:
		sw_use(w, e->sym, false);
		if (w->report && e->sym && e->sym->kind == SYM_GLOBAL &&
		    e->sym->type == T_STATS && e->sym->nkeys == 0) {
			diag_report("semantic error", e->loc,
				    "aggregate '%s' has no value of its own",
				    e->str);
			diag_hint(
			    "read it with @count(%s), @sum(%s), @avg(%s), "
			    "... or print(@hist_log(%s))",
			    e->str, e->str, e->str, e->str);
		}
		return;
	case E_INDEX:
	case E_IN:
		sw_use(w, e->sym ? e->sym : (e->a ? e->a->sym : NULL), false);
		sw_list(w, e->args);
		return;
	case E_ASSIGN:
		if (e->op == OP_AGG) {
			struct symbol *g = sw_aggregate(w, e->a, e, "<<<");

			sw_use(w, g, false);
			if (e->a && e->a->kind == E_INDEX)
				sw_list(w, e->a->args);
			sw_expr(w, e->b);
			return;
		}
		break;
	case E_STATOP:
		sw_statop(w, e);
		sw_use(w, e->a ? e->a->sym : NULL, false);
		if (e->a && e->a->kind == E_INDEX)
			sw_list(w, e->a->args);
		return;
	case E_HIST:
		sw_hist(w, e);
		sw_keep(e->a ? e->a->sym : NULL, e->op);
		sw_use(w, e->a ? e->a->sym : NULL, false);
		if (e->a && e->a->kind == E_INDEX)
			sw_list(w, e->a->args);
		return;
	case E_CALL:
		sw_call(w, e);
		return;
	default:
		break;
	}
	sw_expr(w, e->a);
	sw_expr(w, e->b);
	sw_expr(w, e->c);
	sw_expr(w, e->d);
	sw_list(w, e->args);
}

/* `a[k]++`, `a[k] += v` as statements: increments whose value nobody
 * reads, all a per-CPU array needs. */
static bool sw_increment(struct swalk *w, struct node *e)
{
	struct node *lv;

	if (!e)
		return false;
	if (e->kind == E_INCDEC)
		lv = e->a;
	else if (e->kind == E_ASSIGN &&
		 (e->op == OP_ADD_ASSIGN || e->op == OP_SUB_ASSIGN))
		lv = e->a;
	else
		return false;
	if (!lv || lv->kind != E_INDEX || !lv->sym || lv->sym->type != T_LONG)
		return false;
	sw_use(w, lv->sym, true);
	sw_list(w, lv->args);
	if (e->kind == E_ASSIGN)
		sw_expr(w, e->b);
	return true;
}

static void sw_stmt(struct swalk *w, struct node *s)
{
	if (!s)
		return;
	switch (s->kind) {
	case S_BLOCK:
		for (struct node *c = s->args; c; c = c->next)
			sw_stmt(w, c);
		return;
	case S_EXPR:
		if (!sw_increment(w, s->a))
			sw_expr(w, s->a);
		return;
	case S_FOREACH: {
		struct foreach_info *fe = s->fe;

		if (fe->array && fe->sort_dir)
			sw_keep(fe->array->sym,
				fe->sort_agg ? fe->sort_agg : STAT_COUNT);
		sw_expr(w, fe->array);
		sw_list(w, fe->slice);
		sw_expr(w, fe->limit);
		sw_stmt(w, fe->body);
		return;
	}
	case S_IF:
		sw_expr(w, s->a);
		sw_stmt(w, s->b);
		sw_stmt(w, s->c);
		return;
	case S_WHILE:
		sw_expr(w, s->a);
		sw_stmt(w, s->b);
		return;
	case S_FOR:
		sw_expr(w, s->a);
		sw_expr(w, s->b);
		sw_expr(w, s->c);
		sw_stmt(w, s->d);
		return;
	case S_TRY:
		sw_stmt(w, s->a);
		sw_stmt(w, s->b);
		return;
	case S_DELETE:
		if (s->a && s->a->kind == E_IDENT)
			sw_use(w, s->a->sym, false);
		else
			sw_expr(w, s->a);
		return;
	case S_RETURN:
		sw_expr(w, s->a);
		return;
	default:
		if (s->kind < S_BLOCK || s->kind > S_EMBEDDED)
			sw_expr(w, s);
		return;
	}
}

/* Which functions run in which context: probes call them, and they call
 * each other. */
static void sw_function_contexts(struct swalk *w)
{
	int i;

	w->report = false;
	for (struct rprobe *rp = w->p->probes; rp; rp = rp->next) {
		w->kernel = rp->kernel;
		w->user = !rp->kernel;
		sw_stmt(w, rp->cond);
		sw_stmt(w, rp->body);
	}
	do {
		w->changed = false;
		i = 0;
		for (struct symbol *f = w->p->functions; f; f = f->next, i++) {
			w->kernel = w->fn_kernel[i];
			w->user = w->fn_user[i];
			if (w->kernel || w->user)
				sw_stmt(w, f->fn->body);
		}
	} while (w->changed);
}

static void sw_choose_percpu(struct swalk *w)
{
	/* ETAP_PERCPU=0 keeps every array shared: bench/percpu_counts.sh
	 * measures the difference */
	const char *env = getenv("ETAP_PERCPU");
	bool off = env && strcmp(env, "0") == 0;
	int i = 0;

	for (struct symbol *g = w->p->globals; g; g = g->next, i++) {
		if (off) {
			g->percpu = false;
			continue;
		}
		g->percpu = g->type == T_LONG && g->nkeys > 0 && !g->wrap &&
			    w->kinc[i] && !w->kother[i];
	}
}

int sem_stats_analyse(struct program *p)
{
	int before = diag_error_count();
	int ng = 0, nf = 0, i;
	struct swalk w = {.p = p};

	for (struct symbol *g = p->globals; g; g = g->next, ng++)
		if (g->type == T_STATS && !g->stats) {
			g->stats = calloc(1, sizeof(*g->stats));
			if (!g->stats)
				abort();
		}
	for (struct symbol *f = p->functions; f; f = f->next)
		nf++;
	w.kinc = calloc(ng + 1, sizeof(bool));
	w.kother = calloc(ng + 1, sizeof(bool));
	w.fn_kernel = calloc(nf + 1, sizeof(bool));
	w.fn_user = calloc(nf + 1, sizeof(bool));
	if (!w.kinc || !w.kother || !w.fn_kernel || !w.fn_user)
		abort();
	sw_function_contexts(&w);

	/* The walk that counts: each body once, in its context(s). */
	memset(w.kinc, 0, ng + 1);
	memset(w.kother, 0, ng + 1);
	w.report = true;
	for (struct rprobe *rp = p->probes; rp; rp = rp->next) {
		w.kernel = rp->kernel;
		w.user = !rp->kernel;
		sw_expr(&w, rp->cond);
		sw_stmt(&w, rp->body);
	}
	i = 0;
	for (struct symbol *f = p->functions; f; f = f->next, i++) {
		w.kernel = w.fn_kernel[i];
		w.user = w.fn_user[i];
		if (w.kernel || w.user)
			sw_stmt(&w, f->fn->body);
	}
	sw_choose_percpu(&w);
	for (struct symbol *g = p->globals; g; g = g->next)
		if (g->stats && !g->stats->read)
			g->stats->keep_sum = g->stats->keep_minmax = true;
	free(w.kinc);
	free(w.kother);
	free(w.fn_kernel);
	free(w.fn_user);
	return diag_error_count() > before ? -1 : 0;
}
