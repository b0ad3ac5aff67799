// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Probe alias expansion. A user's point that names an alias becomes the
 * alias's targets, each with a handler made of the alias body and the
 * user's body (prologue `=` first, epilogue `+=` after), recursively for
 * aliases of aliases. Targets follow stap's rules: `?` may match nothing,
 * `!` stops at the first target that matched.
 *
 * Prologues assign many variables (a tapset cannot know which ones a
 * script reads); each one costs BPF instructions, scratch space and
 * verifier work, and may use functions only one context has. So a
 * prologue assignment to a local that nothing reads, with a pure right
 * side, is dropped, as stap's optimizer drops it.
 */
#define _GNU_SOURCE
#include "alias.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../parser/diag.h"
#include "clone.h"
#include "sem_internal.h"

#define ALIAS_MAX_DEPTH 32

static bool alias_keep_unused;

void alias_set_keep_unused(bool keep)
{
	alias_keep_unused = keep;
}

/* ---- names and patterns ---- */

static bool glob_class(const char **pp, char c)
{
	const char *p = *pp + 1;
	bool neg = false, hit = false;

	if (*p == '!' || *p == '^') {
		neg = true;
		p++;
	}
	for (bool first = true; *p && (first || *p != ']'); first = false) {
		if (p[1] == '-' && p[2] && p[2] != ']') {
			if (c >= p[0] && c <= p[2])
				hit = true;
			p += 3;
		} else {
			if (c == *p)
				hit = true;
			p++;
		}
	}
	if (*p != ']')
		return false; /* unterminated: no match */
	*pp = p + 1;
	return hit != neg;
}

bool pp_glob_match(const char *pat, const char *s)
{
	while (*pat) {
		if (pat[0] == '*' && pat[1] == '*') {
			pat += 2;
			for (const char *t = s;; t++) {
				if (pp_glob_match(pat, t))
					return true;
				if (!*t)
					return false;
			}
		}
		if (*pat == '*') {
			pat++;
			for (const char *t = s;; t++) {
				if (pp_glob_match(pat, t))
					return true;
				if (!*t || *t == '.')
					return false;
			}
		}
		if (!*s)
			return false;
		if (*pat == '?') {
			if (*s == '.')
				return false;
		} else if (*pat == '[') {
			const char *q = pat;

			if (!glob_class(&q, *s))
				return false;
			pat = q;
			s++;
			continue;
		} else if (*pat != *s) {
			return false;
		}
		pat++;
		s++;
	}
	return !*s;
}

static void strv_push(char ***v, int *n, char *s)
{
	*v = realloc(*v, (*n + 1) * sizeof(**v));
	if (!*v)
		abort();
	(*v)[(*n)++] = s;
}

char **pp_brace_expand(const char *s, int *n)
{
	const char *open = strchr(s, '{'), *close = NULL, *p;
	char **out = NULL;
	int depth = 0;

	*n = 0;
	if (open)
		for (p = open; *p; p++) {
			depth += *p == '{' ? 1 : *p == '}' ? -1 : 0;
			if (depth == 0) {
				close = p;
				break;
			}
		}
	if (!open || !close) {
		strv_push(&out, n, strdup(s));
		return out;
	}
	/* Each alternative of the first group, then expand the rest. */
	for (const char *alt = open + 1; alt <= close;) {
		const char *end = alt;
		char *joined, **rest;
		int nrest;

		for (depth = 0; end < close; end++) {
			if (*end == '{')
				depth++;
			else if (*end == '}')
				depth--;
			else if (*end == ',' && depth == 0)
				break;
		}
		if (asprintf(&joined, "%.*s%.*s%s", (int)(open - s), s,
			     (int)(end - alt), alt, close + 1) < 0)
			abort();
		rest = pp_brace_expand(joined, &nrest);
		for (int i = 0; i < nrest; i++)
			strv_push(&out, n, rest[i]);
		free(rest);
		free(joined);
		alt = end + 1;
	}
	return out;
}

char *pp_point_text(const struct probe_point *pp)
{
	struct probe_point plain = *pp;

	plain.optional = plain.sufficient = false;
	return sem_probe_point_str(&plain);
}

bool pp_point_matches(const struct probe_point *pat,
		      const struct probe_point *name)
{
	char *ptext = pp_point_text(pat), *ntext = pp_point_text(name);
	char **alts;
	int n;
	bool hit = false;

	alts = pp_brace_expand(ptext, &n);
	for (int i = 0; i < n; i++) {
		if (!hit && pp_glob_match(alts[i], ntext))
			hit = true;
		free(alts[i]);
	}
	free(alts);
	free(ptext);
	free(ntext);
	return hit;
}

/* ---- dropping unread prologue assignments ---- */

struct names {
	const char **v;
	int n;
};

static bool names_has(const struct names *ns, const char *s)
{
	for (int i = 0; i < ns->n; i++)
		if (strcmp(ns->v[i], s) == 0)
			return true;
	return false;
}

static void names_reads(struct names *ns, const struct node *n)
{
	for (; n; n = n->next) {
		if (n->kind == E_IDENT && !names_has(ns, n->str)) {
			ns->v = realloc(ns->v, (ns->n + 1) * sizeof(char *));
			if (!ns->v)
				abort();
			ns->v[ns->n++] = n->str;
		}
		/* The target of a plain assignment is written, not read. */
		if (n->kind == E_ASSIGN && n->op == OP_ASSIGN &&
		    n->a && n->a->kind == E_IDENT)
			names_reads(ns, n->b);
		else if (n->kind == E_TARGET || n->kind == E_CAST) {
			names_reads(ns, n->a);
			names_reads(ns, n->b);
			names_reads(ns, n->c);
		} else {
			names_reads(ns, n->a);
			names_reads(ns, n->b);
			names_reads(ns, n->c);
			names_reads(ns, n->d);
		}
		names_reads(ns, n->args);
		if (n->fe) {
			names_reads(ns, n->fe->array);
			names_reads(ns, n->fe->slice);
			names_reads(ns, n->fe->limit);
			names_reads(ns, n->fe->body);
		}
	}
}

static bool expr_is_pure(const struct node *e)
{
	static const char *const effects[] = {
		"printf", "print", "println", "printd", "printdln", "log",
		"warn", "error", "exit", "system", NULL,
	};

	if (!e)
		return true;
	switch (e->kind) {
	case E_ASSIGN:
	case E_INCDEC:
	case E_EMBEDDED:
		return false;
	case E_CALL:
		for (int i = 0; effects[i]; i++)
			if (strcmp(e->str, effects[i]) == 0)
				return false;
		break;
	default:
		break;
	}
	for (const struct node *a = e->args; a; a = a->next)
		if (!expr_is_pure(a))
			return false;
	return expr_is_pure(e->a) && expr_is_pure(e->b) &&
	       expr_is_pure(e->c) && expr_is_pure(e->d);
}

static bool is_global(const struct script *s, const char *name)
{
	for (const struct global *g = s->globals; g; g = g->next)
		if (strcmp(g->name, name) == 0)
			return true;
	return false;
}

/* Replace unread pure assignments under n by ';'; true when any went. */
static bool prune_stmts(struct node *n, const struct names *reads,
			const struct script *s)
{
	bool changed = false;

	for (; n; n = n->next) {
		struct node *e = n->a;

		if (n->kind == S_EXPR && e && e->kind == E_ASSIGN &&
		    e->op == OP_ASSIGN && e->a->kind == E_IDENT &&
		    !names_has(reads, e->a->str) && !is_global(s, e->a->str) &&
		    expr_is_pure(e->b)) {
			n->kind = S_NULL;
			n->a = NULL;
			changed = true;
			continue;
		}
		if (n->kind == S_BLOCK)
			changed |= prune_stmts(n->args, reads, s);
		else if (n->kind == S_IF) {
			changed |= prune_stmts(n->b, reads, s);
			changed |= prune_stmts(n->c, reads, s);
		}
	}
	return changed;
}

/* ---- expansion ---- */

struct alias_walk {
	struct program *p;
	alias_resolve_fn fn;
	void *arg;
	struct node *user_cond;
	struct probe *user;
	struct node *parts[ALIAS_MAX_DEPTH]; /* alias bodies in this chain */
	int nparts;
};

static void body_prune(struct alias_walk *w, struct node *body,
		       struct node *cond)
{
	bool changed = true;

	while (changed && !alias_keep_unused) {
		struct names reads = { 0 };

		names_reads(&reads, body);
		names_reads(&reads, cond);
		changed = false;
		for (int i = 0; i < w->nparts; i++)
			changed |= prune_stmts(w->parts[i], &reads,
					       w->p->script);
		free(reads.v);
	}
}

static struct node *cond_and(struct node *a, struct node *b)
{
	struct node *e;

	if (!a)
		return b ? sem_clone_node(b) : NULL;
	if (!b)
		return sem_clone_node(a);
	e = ast_node_new(E_BINARY, a->loc);
	e->op = OP_LAND;
	e->a = sem_clone_node(a);
	e->b = sem_clone_node(b);
	return e;
}

static int expand_point(struct alias_walk *w, struct probe_point *pp,
			struct node *body, bool optional);

static int resolve_leaf(struct alias_walk *w, struct probe_point *target,
			struct node *body)
{
	struct probe *src = calloc(1, sizeof(*src));
	struct probe_point *pp = calloc(1, sizeof(*pp));

	if (!src || !pp)
		abort();
	*pp = *target;
	pp->next = NULL;
	pp->cond = cond_and(target->cond, w->user_cond);
	body_prune(w, body, pp->cond);
	*src = *w->user;
	src->points = pp;
	src->alias = ALIAS_NONE;
	src->targets = NULL;
	src->body = body;
	src->next = NULL;
	return w->fn(src, pp, w->arg);
}

/* The handler of one alias target: alias body around the inner body. */
static struct node *body_wrap(struct alias_walk *w, const struct probe *a,
			      struct node *inner)
{
	struct node *blk = ast_node_new(S_BLOCK, a->body->loc);
	struct node *mine = sem_clone_node(a->body);
	struct node *user = sem_clone_node(inner);

	if (a->alias == ALIAS_EPILOGUE) {
		blk->args = user;
		user->next = mine;
	} else {
		blk->args = mine;
		mine->next = user;
	}
	blk->nargs = 2;
	w->parts[w->nparts++] = mine;
	return blk;
}

static int expand_alias(struct alias_walk *w, struct probe *a,
			struct probe_point *name, struct node *body,
			bool optional)
{
	int total = 0;

	if (w->nparts == ALIAS_MAX_DEPTH) {
		char *s = pp_point_text(name);

		diag_report("semantic error", name->loc,
			    "probe alias '%s' expands too deeply", s);
		diag_hint("an alias probably refers to itself");
		free(s);
		return -1;
	}
	for (struct probe_point *t = a->targets; t; t = t->next) {
		struct node *wrapped = body_wrap(w, a, body);
		int r = expand_point(w, t, wrapped, optional || t->optional);

		w->nparts--;
		if (r < 0)
			return -1;
		if (r == 0 && !optional && !t->optional) {
			char *ts = pp_point_text(t), *ns = pp_point_text(name);

			diag_report("semantic error", t->loc,
				    "no match for probe point '%s' "
				    "(in probe alias '%s')",
				    ts, ns);
			diag_hint("mark the target optional with '?' or "
				  "check `etap -l '%s'`",
				  ts);
			free(ts);
			free(ns);
			return -1;
		}
		total += r;
		if (r > 0 && t->sufficient)
			break;
	}
	return total;
}

static int expand_point(struct alias_walk *w, struct probe_point *pp,
			struct node *body, bool optional)
{
	bool matched = false;
	int total = 0;

	for (struct probe *a = w->p->script->aliases; a; a = a->next)
		for (struct probe_point *n = a->points; n; n = n->next) {
			int r;

			if (!pp_point_matches(pp, n))
				continue;
			matched = true;
			r = expand_alias(w, a, n, body, optional);
			if (r < 0)
				return -1;
			total += r;
			break; /* one alias, several names: expand it once */
		}
	if (!matched)
		return w->nparts ? resolve_leaf(w, pp, body) : ALIAS_NO_MATCH;
	return total;
}

int alias_expand(struct program *p, struct probe *src, struct probe_point *pp,
		 alias_resolve_fn fn, void *arg)
{
	struct alias_walk w = { .p = p, .fn = fn, .arg = arg,
				.user_cond = pp->cond, .user = src };

	int r;

	if (!p->script->aliases)
		return ALIAS_NO_MATCH;
	r = expand_point(&w, pp, src->body, pp->optional);
	if (r == 0 && !pp->optional) {
		char *s = pp_point_text(pp);

		diag_report("semantic error", pp->loc,
			    "probe point '%s' matched no probe on this kernel",
			    s);
		diag_hint("every target of its alias is optional ('?') and "
			  "none exists here; mark the point '%s?' to allow "
			  "that",
			  s);
		free(s);
		return -1;
	}
	return r;
}
