// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Probe point resolution: each point of each probe becomes one or more
 * resolved probes (struct rprobe) with a mechanism. User context: begin,
 * end, error, timer.*. Kernel context: kernel.trace("SYS:EVT") and
 * syscall.NAME[.return], both classic tracepoints read through tracefs.
 */
#define _GNU_SOURCE
#include "sem_internal.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../parser/diag.h"
#include "alias.h"
#include "clone.h"
#include "syscall_vars.h"

/* Syscalls whose tracepoints carry the kernel's "new" prefix while stap's
 * tapsets name them plainly. */
static const char *const syscall_new_names[] = {
	"stat", "lstat", "fstat", "fstatat", "uname", NULL,
};

static const char *syscall_stap_name(const char *event_name)
{
	if (strncmp(event_name, "new", 3) == 0)
		for (int i = 0; syscall_new_names[i]; i++)
			if (strcmp(event_name + 3, syscall_new_names[i]) == 0)
				return event_name + 3;
	return event_name;
}

char *sem_probe_point_str(const struct probe_point *pp)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (!m)
		abort();
	for (const struct pp_comp *c = pp->comps; c; c = c->next) {
		fprintf(m, "%s%s", c == pp->comps ? "" : ".", c->name);
		if (!c->has_arg)
			continue;
		if (c->arg && c->arg->kind == E_STR)
			fprintf(m, "(\"%s\")", c->arg->str);
		else if (c->arg && c->arg->kind == E_NUM)
			fprintf(m, "(%lld)", (long long)c->arg->num);
		else
			fputs("()", m);
	}
	if (pp->optional)
		fputc('?', m);
	if (pp->sufficient)
		fputc('!', m);
	fclose(m);
	return buf;
}

static int comp_count(const struct probe_point *pp)
{
	int n = 0;

	for (const struct pp_comp *c = pp->comps; c; c = c->next)
		n++;
	return n;
}

static bool comp_is(const struct pp_comp *c, const char *name)
{
	return c && strcmp(c->name, name) == 0;
}

static struct rprobe *probe_add(struct resolve_ctx *rc, enum probe_type type,
				char *name)
{
	struct rprobe *rp = calloc(1, sizeof(*rp));
	struct node *body;

	if (!rp)
		abort();
	rp->src = rc->src;
	rp->pp = rc->pp;
	rp->name = name;
	rp->type = type;
	rp->kernel = type == PT_TRACEPOINT || type == PT_PERF ||
		     type == PT_KFUNC || type == PT_UPROBE;
	rp->mech = type == PT_TRACEPOINT ? MECH_TRACEPOINT : MECH_NONE;
	/* The first instance annotates the body as written; later ones get
	 * their own copy, since context variables differ per point. */
	body = rc->instances++ ? sem_clone_node(rc->src->body) : rc->src->body;
	if (rc->pp->cond) {
		struct node *cond = rc->instances > 1
					    ? sem_clone_node(rc->pp->cond)
					    : rc->pp->cond;
		struct node *ifs = ast_node_new(S_IF, rc->pp->cond->loc);
		struct node *blk = ast_node_new(S_BLOCK, rc->src->body->loc);

		ifs->a = cond;
		ifs->b = body;
		blk->args = ifs;
		blk->nargs = 1;
		body = blk;
	}
	rp->body = body;
	rp->index = rc->p->nprobes++;
	*rc->tail = rp;
	rc->tail = &rp->next;
	return rp;
}

struct rprobe *sem_probe_add(struct resolve_ctx *rc, enum probe_type type,
			     char *name)
{
	return probe_add(rc, type, name);
}

static bool arg_number(const struct pp_comp *c, int64_t *out)
{
	if (!c->has_arg || !c->arg || c->arg->kind != E_NUM)
		return false;
	*out = c->arg->num;
	return true;
}

static int resolve_user(struct resolve_ctx *rc)
{
	const struct probe_point *pp = rc->pp;
	const struct pp_comp *c0 = pp->comps;
	int n = comp_count(pp);
	int64_t v = 0;
	struct rprobe *rp;

	if (n == 1 && (comp_is(c0, "begin") || comp_is(c0, "end") ||
		       comp_is(c0, "error"))) {
		enum probe_type t = comp_is(c0, "begin") ? PT_BEGIN
				    : comp_is(c0, "end") ? PT_END
							 : PT_ERROR;
		if (c0->has_arg && !arg_number(c0, &v)) {
			diag_report("semantic error", pp->loc,
				    "%s(N) takes a number", c0->name);
			return -1;
		}
		rp = probe_add(rc, t, sem_probe_point_str(pp));
		rp->order = v;
		return 1;
	}
	if (n == 2 && comp_is(c0, "timer")) {
		static const struct {
			const char *unit;
			uint64_t ns;
		} units[] = { { "s", 1000000000ull }, { "sec", 1000000000ull },
			      { "ms", 1000000ull },   { "msec", 1000000ull },
			      { "us", 1000ull },      { "usec", 1000ull },
			      { "ns", 1ull },	      { "nsec", 1ull },
			      { "hz", 0 },	      { "jiffies", 0 } };
		const struct pp_comp *c1 = c0->next;

		for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			if (!comp_is(c1, units[i].unit))
				continue;
			if (!arg_number(c1, &v) || v <= 0) {
				diag_report("semantic error", pp->loc,
					    "timer.%s(N) needs a positive number",
					    c1->name);
				return -1;
			}
			rp = probe_add(rc, PT_TIMER, sem_probe_point_str(pp));
			if (strcmp(units[i].unit, "hz") == 0)
				rp->period_ns = 1000000000ull / (uint64_t)v;
			else if (strcmp(units[i].unit, "jiffies") == 0)
				rp->period_ns = (uint64_t)v * 4000000ull;
			else
				rp->period_ns = (uint64_t)v * units[i].ns;
			if (rp->period_ns == 0)
				rp->period_ns = 1;
			return 1;
		}
	}
	return 0;
}

struct event_list {
	char **sys, **evt;
	int n, cap;
};

static void event_collect(const char *system, const char *event, void *arg)
{
	struct event_list *l = arg;

	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		l->sys = realloc(l->sys, l->cap * sizeof(char *));
		l->evt = realloc(l->evt, l->cap * sizeof(char *));
		if (!l->sys || !l->evt)
			abort();
	}
	l->sys[l->n] = strdup(system);
	l->evt[l->n] = strdup(event);
	l->n++;
}

static int tracefs_check(const struct probe_point *pp)
{
	const char *hint = NULL;

	if (tracefs_root(&hint))
		return 0;
	diag_report("error", pp->loc, "cannot use tracefs: %s",
		    strerror(errno));
	if (hint)
		diag_hint("%s", hint);
	return -1;
}

static struct rprobe *tp_add(struct resolve_ctx *rc, const char *system,
			     const char *event, char *name)
{
	const struct tp_format *f = tracefs_format(system, event);
	struct rprobe *rp;

	if (!f) {
		diag_report("error", rc->pp->loc,
			    "cannot read the format of tracepoint %s:%s: %s",
			    system, event, strerror(errno));
		free(name);
		return NULL;
	}
	rp = probe_add(rc, PT_TRACEPOINT, name);
	rp->tp = f;
	return rp;
}

static int resolve_kernel_trace(struct resolve_ctx *rc)
{
	const struct pp_comp *c1 = rc->pp->comps->next;
	struct event_list l = { 0 };
	char *spec, *colon;
	const char *sys = "*", *evt;
	int made = 0;

	if (!c1 || !c1->has_arg || !c1->arg || c1->arg->kind != E_STR ||
	    c1->next) {
		diag_report("semantic error", rc->pp->loc,
			    "kernel.trace needs a tracepoint name: "
			    "kernel.trace(\"SYSTEM:EVENT\")");
		return -1;
	}
	if (tracefs_check(rc->pp))
		return -1;
	spec = strdup(c1->arg->str);
	colon = strchr(spec, ':');
	evt = spec;
	if (colon) {
		*colon = '\0';
		sys = spec;
		evt = colon + 1;
	}
	tracefs_list_events(sys, evt, event_collect, &l);
	for (int i = 0; i < l.n; i++) {
		char *name;

		if (asprintf(&name, "kernel.trace(\"%s:%s\")", l.sys[i],
			     l.evt[i]) < 0)
			abort();
		if (tp_add(rc, l.sys[i], l.evt[i], name))
			made++;
	}
	free(spec);
	return made;
}

static int resolve_syscall(struct resolve_ctx *rc)
{
	const struct probe_point *pp = rc->pp;
	const struct pp_comp *c1 = pp->comps->next;
	const struct pp_comp *c2 = c1 ? c1->next : NULL;
	bool ret = comp_is(c2, "return");
	struct event_list l = { 0 };
	int made = 0;

	if (!c1 || c1->has_arg || (c2 && !ret) || (c2 && c2->next))
		return 0;
	if (tracefs_check(pp))
		return -1;
	tracefs_list_events("syscalls", ret ? "sys_exit_*" : "sys_enter_*",
			    event_collect, &l);
	for (int i = 0; i < l.n; i++) {
		const char *kname = l.evt[i] + (ret ? 9 : 10);
		const char *sname = syscall_stap_name(kname);
		struct rprobe *rp;
		char *name;

		if (fnmatch(c1->name, sname, 0) != 0)
			continue;
		/* Prefer the plain event when the kernel has both forms. */
		if (sname != kname) {
			bool plain = false;

			for (int j = 0; j < l.n; j++)
				if (strcmp(l.evt[j] + (ret ? 9 : 10), sname) ==
				    0)
					plain = true;
			if (plain)
				continue;
		}
		if (asprintf(&name, "syscall.%s%s", sname,
			     ret ? ".return" : "") < 0)
			abort();
		rp = tp_add(rc, "syscalls", l.evt[i], name);
		if (!rp)
			continue;
		rp->syscall = strdup(sname);
		rp->is_return = ret;
		if (syscall_vars_add(rp, rc->p->script) < 0)
			return -1;
		made++;
	}
	return made;
}

static int resolve_point(struct resolve_ctx *rc)
{
	const struct pp_comp *c0 = rc->pp->comps;
	int r;

	r = resolve_user(rc);
	if (r)
		return r;
	if (comp_is(c0, "kernel") && comp_is(c0->next, "trace"))
		return resolve_kernel_trace(rc);
	if (comp_is(c0, "syscall"))
		return resolve_syscall(rc);
	r = sem_resolve_process_probes(rc);
	if (r)
		return r;
	r = sem_resolve_kernel_probes(rc);
	if (r)
		return r;
	return 0;
}

const char *sem_suggest_probe(const struct probe_point *pp)
{
	static char buf[256];
	const struct pp_comp *c0 = pp->comps;
	const struct pp_comp *c1 = c0 ? c0->next : NULL;
	static const char *const roots[] = { "begin", "end", "error", "timer",
					     "kernel", "syscall", NULL };
	struct event_list l = { 0 };
	int best = 4;

	buf[0] = '\0';
	if (comp_is(c0, "syscall") && c1 && !strpbrk(c1->name, "*?[")) {
		const char *hint = NULL;

		if (!tracefs_root(&hint))
			return NULL;
		tracefs_list_events("syscalls", "sys_enter_*", event_collect,
				    &l);
		for (int i = 0; i < l.n; i++) {
			const char *s = syscall_stap_name(l.evt[i] + 10);
			int d = edit_distance(c1->name, s);

			if (d < best) {
				best = d;
				snprintf(buf, sizeof(buf), "syscall.%s%s", s,
					 comp_is(c1->next, "return")
						 ? ".return"
						 : "");
			}
		}
		return buf[0] ? buf : NULL;
	}
	if (comp_is(c0, "kernel") && comp_is(c1, "trace") && c1->arg &&
	    c1->arg->kind == E_STR) {
		const char *colon = strchr(c1->arg->str, ':');
		const char *s = NULL;

		if (colon) {
			char sys[128];

			snprintf(sys, sizeof(sys), "%.*s",
				 (int)(colon - c1->arg->str), c1->arg->str);
			s = tracefs_suggest(sys, colon + 1);
		} else {
			s = tracefs_suggest(NULL, c1->arg->str);
		}
		if (!s)
			return NULL;
		snprintf(buf, sizeof(buf), "kernel.trace(\"%s\")", s);
		return buf;
	}
	for (int i = 0; c0 && roots[i]; i++) {
		int d = edit_distance(c0->name, roots[i]);

		if (d < best && d > 0) {
			best = d;
			snprintf(buf, sizeof(buf), "%s", roots[i]);
		}
	}
	return buf[0] ? buf : NULL;
}

/* One concrete target of an alias expansion: src is a synthetic probe
 * whose body holds the alias bodies around the user's. */
static int resolve_alias_target(struct probe *src, struct probe_point *pp,
				void *arg)
{
	struct resolve_ctx *rc = arg;
	struct resolve_ctx sub = *rc;
	int r;

	sub.src = src;
	sub.pp = pp;
	sub.instances = 0;
	r = resolve_point(&sub);
	rc->tail = sub.tail;
	return r;
}

int sem_resolve_probes(struct program *p)
{
	struct rprobe **tail = &p->probes;
	int errors = 0;

	for (struct probe *pr = p->script->probes; pr; pr = pr->next) {
		struct resolve_ctx rc = { .p = p, .src = pr, .tail = tail };

		for (struct probe_point *pp = pr->points; pp; pp = pp->next) {
			int r;

			rc.pp = pp;
			r = alias_expand(p, pr, pp, resolve_alias_target, &rc);
			if (r == ALIAS_NO_MATCH)
				r = resolve_point(&rc);
			if (r < 0) {
				errors++;
			} else if (r == 0 && !pp->optional) {
				char *s = sem_probe_point_str(pp);
				const char *sug = sem_suggest_probe(pp);

				diag_report("semantic error", pp->loc,
					    "no match for probe point '%s'", s);
				if (comp_is(pp->comps, "process") &&
				    pp->comps->has_arg)
					sem_process_hint(pp);
				else if (sug)
					diag_hint("did you mean %s?", sug);
				free(s);
				errors++;
			}
			if (r > 0 && pp->sufficient)
				break;
		}
		tail = rc.tail;
	}
	return errors ? -1 : 0;
}
