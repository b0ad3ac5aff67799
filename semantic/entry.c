// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * @entry(expr) (see entry.h). For a return probe R with k saved values:
 *
 *   global __entry_R_i                       (one per value, keyed by tid)
 *   probe <R's function, entry> { __entry_R_i[tid()] = expr_i ... }
 *   probe R { __entry_i = __entry_R_i[tid()]; delete __entry_R_i[tid()]
 *             ... R's body, each @entry(expr_i) read as __entry_i ... }
 *
 * The values move into locals first, so `next` or an error later in R
 * cannot leave an element behind. Recursion of the probed function on one
 * thread keeps only the innermost call's values (stap keeps a stack).
 */
#define _GNU_SOURCE
#include "entry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../parser/diag.h"
#include "clone.h"

struct entry_ctx {
	struct program *p;
	struct rprobe *rp;
	bool ret;		/* a kernel.function return probe */
	bool kret;		/* ... through a kretprobe: no arguments */
	int n;			/* values saved so far */
	struct node *saves;	/* entry probe statements */
	struct node **saves_tail;
	struct node *loads;	/* return probe prologue */
	struct node **loads_tail;
	int errors;
};

static struct node *mk(enum node_kind k, struct loc l)
{
	return ast_node_new(k, l);
}

static struct node *ident(const char *name, struct loc l)
{
	struct node *n = mk(E_IDENT, l);

	n->str = (char *)ast_intern(name);
	return n;
}

/* g[tid()] */
static struct node *per_task(const char *g, struct loc l)
{
	struct node *ix = mk(E_INDEX, l), *call = mk(E_CALL, l);

	call->str = (char *)ast_intern("tid");
	ix->a = ident(g, l);
	ix->args = call;
	ix->nargs = 1;
	return ix;
}

static struct node *stmt_expr(struct node *e)
{
	struct node *s = mk(S_EXPR, e->loc);

	s->a = e;
	return s;
}

static struct node *assign(struct node *lhs, struct node *rhs)
{
	struct node *e = mk(E_ASSIGN, lhs->loc);

	e->op = OP_ASSIGN;
	e->a = lhs;
	e->b = rhs;
	return e;
}

static void global_add(struct program *p, const char *name, struct loc l)
{
	struct global *g = calloc(1, sizeof(*g)), **tail = &p->script->globals;

	if (!g)
		abort();
	g->loc = l;
	g->name = (char *)ast_intern(name);
	/* A return that never comes (a missed kretprobe, a thread killed
	 * in the call) leaves an element behind: evict the oldest rather
	 * than fail when the array fills. */
	g->wrap = true;
	while (*tail)
		tail = &(*tail)->next;
	*tail = g;
}

/* Turn node n (in place, keeping its place in any list) into a local that
 * holds the value expr had at entry. */
static void entry_save(struct entry_ctx *x, struct node *n, struct node *expr)
{
	char gname[64], lname[32];
	struct node *next = n->next, *del;

	snprintf(gname, sizeof(gname), "__entry_%d_%d", x->rp->index, x->n);
	snprintf(lname, sizeof(lname), "__entry%d", x->n);
	x->n++;
	global_add(x->p, gname, n->loc);
	expr->next = NULL;
	*x->saves_tail = stmt_expr(assign(per_task(gname, n->loc), expr));
	x->saves_tail = &(*x->saves_tail)->next;
	*x->loads_tail = stmt_expr(assign(ident(lname, n->loc),
					  per_task(gname, n->loc)));
	x->loads_tail = &(*x->loads_tail)->next;
	del = mk(S_DELETE, n->loc);
	del->a = per_task(gname, n->loc);
	*x->loads_tail = del;
	x->loads_tail = &del->next;
	memset(n, 0, sizeof(*n));
	n->kind = E_IDENT;
	n->loc = del->loc;
	n->str = (char *)ast_intern(lname);
	n->next = next;
}

static bool is_arg(const struct node *n)
{
	return n->kind == E_TARGET && strcmp(n->str, "return") != 0;
}

static void walk_list(struct entry_ctx *x, struct node *n);

static void walk_one(struct entry_ctx *x, struct node *n)
{
	if (n->kind == E_ENTRY) {
		if (!x->rp || !x->rp->is_return || x->rp->type != PT_KFUNC) {
			diag_report("semantic error", n->loc,
				    "@entry() is only available in "
				    "kernel.function(\"...\").return probes");
			diag_hint("save the value in a global array keyed by "
				  "tid() in the entry probe");
			x->errors++;
			n->kind = E_NUM;
			n->num = 0;
			n->a = NULL;
			return;
		}
		/* fexit sees the arguments themselves */
		if (!x->kret && n->a && is_arg(n->a) && !n->a->a) {
			struct node *next = n->next, *arg = n->a;

			*n = *arg;
			n->next = next;
			return;
		}
		entry_save(x, n, n->a);
		return;
	}
	/* stap reads a return probe's target variables as they were at
	 * entry: kretprobes lost the argument registers, and through fexit
	 * the argument is there but what it points to may have changed */
	if (x->ret && ((is_arg(n) && (x->kret || n->a)) ||
		       (n->kind == E_UNARY && n->op == OP_ADDR && n->a &&
			is_arg(n->a)))) {
		entry_save(x, n, sem_clone_node(n));
		return;
	}
	walk_list(x, n->a);
	walk_list(x, n->b);
	walk_list(x, n->c);
	walk_list(x, n->d);
	walk_list(x, n->args);
	if (n->fe) {
		walk_list(x, n->fe->value);
		walk_list(x, n->fe->keys);
		walk_list(x, n->fe->array);
		walk_list(x, n->fe->slice);
		walk_list(x, n->fe->limit);
		walk_list(x, n->fe->body);
	}
}

static void walk_list(struct entry_ctx *x, struct node *n)
{
	for (; n; n = n->next)
		walk_one(x, n);
}

/* The probe on the function's entry that saves the values. */
static struct rprobe *entry_probe(struct entry_ctx *x)
{
	struct rprobe *rp = x->rp, *e = calloc(1, sizeof(*e));
	struct node *body = mk(S_BLOCK, rp->body->loc);

	if (!e)
		abort();
	body->args = x->saves;
	for (struct node *s = x->saves; s; s = s->next)
		body->nargs++;
	e->src = rp->src;
	e->pp = rp->pp;
	if (asprintf(&e->name, "kernel.function(\"%s\")", rp->kfunc) < 0)
		abort();
	e->type = PT_KFUNC;
	e->kernel = true;
	e->mech = rp->mech == MECH_FEXIT ? MECH_FENTRY : MECH_KPROBE;
	e->kfunc = rp->kfunc;
	e->body = body;
	e->index = x->p->nprobes++;
	return e;
}

int sem_entry_rewrite(struct program *p)
{
	int errors = 0;

	for (struct rprobe **link = &p->probes; *link; link = &(*link)->next) {
		struct rprobe *rp = *link;
		struct entry_ctx x = { .p = p, .rp = rp };

		x.ret = rp->type == PT_KFUNC && rp->is_return;
		x.kret = x.ret && rp->mech == MECH_KRETPROBE;
		x.saves_tail = &x.saves;
		x.loads_tail = &x.loads;
		if (!rp->body)
			continue;
		walk_list(&x, rp->body);
		errors += x.errors;
		if (!x.n)
			continue;
		/* the return probe reads (and frees) its values first */
		*x.loads_tail = rp->body->args;
		rp->body->args = x.loads;
		rp->body->nargs += 2 * x.n;
		/* the entry probe goes first, so it is attached first */
		*link = entry_probe(&x);
		(*link)->next = rp;
		link = &(*link)->next;
	}
	return errors ? -1 : 0;
}
