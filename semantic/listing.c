// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * -l and -L. A pattern is resolved the way a script's probe point is: each
 * alias name it matches is listed when the alias resolves on this kernel,
 * and points of the built-in providers (kernel.trace, syscall, ...) are
 * listed by their canonical names. -L adds the variables a handler can
 * read there, stap's way: alias variables as NAME:TYPE, sorted, then
 * target variables as $NAME:TYPE.
 */
#define _GNU_SOURCE
#include "listing.h"

#include <stdlib.h>
#include <string.h>

#include "../parser/diag.h"
#include "alias.h"
#include "btf_types.h"
#include "sem_internal.h"
#include "tapset.h"
#include "syscall_vars.h"

struct lines {
	char **v;
	int n;
};

static void lines_add(struct lines *l, char *s)
{
	l->v = realloc(l->v, (l->n + 1) * sizeof(*l->v));
	if (!l->v)
		abort();
	l->v[l->n++] = s;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static const char *field_type(const struct tp_field *f)
{
	const char *t = f->type;

	if (strncmp(t, "__data_loc ", 11) == 0)
		t += 11;
	return t;
}

static bool has_local(const struct rprobe *rp, const char *name)
{
	for (int i = 0; i < rp->nlocals; i++)
		if (strcmp(rp->locals[i]->name, name) == 0)
			return true;
	return false;
}

/* kernel.function's typed arguments (and $return) from kernel BTF, in
 * stap's spelling: "$file:struct file*". */
static void kfunc_vars_print(FILE *m, const struct rprobe *rp)
{
	struct btf_proto pr;
	char t[256];

	if (btf_function_proto(rp->kfunc, &pr) < 0)
		return;
	for (int i = 0; i <= pr.nargs; i++) {
		uint32_t id = i < pr.nargs ? pr.args[i].type_id : pr.ret_type;
		char *star;

		if (i == pr.nargs && (!rp->is_return || !id))
			break;
		if (i < pr.nargs && !pr.args[i].name)
			continue;
		btf_type_name(id, t, sizeof(t));
		while ((star = strstr(t, " *")))
			memmove(star, star + 1, strlen(star));
		fprintf(m, " $%s:%s", i < pr.nargs ? pr.args[i].name : "return",
			t);
	}
}

/* Variables of one resolved probe: locals its alias bodies assign, then
 * the context names every probe of its kind offers, then $fields. */
static void vars_print(FILE *m, const struct rprobe *rp)
{
	char **names = NULL;
	int n = 0;

	for (int i = 0; i < rp->nlocals; i++) {
		const struct symbol *s = rp->locals[i];
		char *t;

		if (s->type != T_LONG && s->type != T_STRING)
			continue;
		if (asprintf(&t, "%s:%s", s->name, etype_name(s->type)) < 0)
			abort();
		names = realloc(names, (n + 1) * sizeof(*names));
		if (!names)
			abort();
		names[n++] = t;
	}
	qsort(names, n, sizeof(*names), str_cmp);
	for (int i = 0; i < n; i++) {
		fprintf(m, " %s", names[i]);
		free(names[i]);
	}
	free(names);
	if (rp->syscall && !has_local(rp, "name"))
		fputs(" name:string", m);
	if (rp->syscall && rp->is_return && !has_local(rp, "retval"))
		fputs(" retval:long", m);
	if (!rp->nlocals) /* an alias lists its own variables */
		syscall_vars_list(m, rp);
	if (rp->type == PT_KFUNC)
		kfunc_vars_print(m, rp);
	if (!rp->tp)
		return;
	for (int i = 0; i < rp->tp->nfields; i++) {
		const struct tp_field *f = &rp->tp->fields[i];

		/* __syscall_nr and the like are the kernel's bookkeeping */
		if (!f->is_common && strncmp(f->name, "__", 2) != 0 &&
		    !(rp->is_return && !strcmp(f->name, "ret")))
			fprintf(m, " $%s:%s", f->name, field_type(f));
	}
	if (rp->syscall && rp->is_return)
		fputs(" $return:long", m);
}

/* Resolve one point as `probe POINT { }`; adds one line per distinct
 * resolved name (or `as` when given: an alias name). */
static void list_point(struct lines *out, struct script *s,
		       struct probe_point *pt, const char *as, bool vars,
		       const struct sem_options *opt)
{
	struct program *p = calloc(1, sizeof(*p));
	struct script tmp = *s;
	struct probe pr = { 0 };
	struct probe_point one = *pt;
	int before = diag_error_count();

	if (!p)
		abort();
	one.next = NULL;
	one.optional = one.sufficient = false;
	pr.loc = pt->loc;
	pr.points = &one;
	pr.body = ast_node_new(S_BLOCK, pt->loc);
	tmp.probes = &pr;
	p->script = &tmp;
	p->opt = *opt;
	if (sem_resolve_probes(p) < 0 || !p->probes)
		return;
	if (vars && sem_resolve_symbols(p) < 0 && diag_error_count() > before)
		vars = true; /* list what was learnt anyway */
	for (const struct rprobe *rp = p->probes; rp; rp = rp->next) {
		char *buf = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&buf, &len);

		if (!m)
			abort();
		fputs(as ? as : rp->name, m);
		if (vars)
			vars_print(m, rp);
		fclose(m);
		lines_add(out, buf);
		if (as)
			break; /* an alias lists once, with its first target's
				* variables */
	}
}

int listing_run(FILE *out, const char *pattern, bool vars,
		const struct parse_env *env, const struct sem_options *opt)
{
	struct script *s, *lib = NULL;
	struct probe_point *pat;
	struct lines l = { 0 };
	bool alias_hit = false;
	char *text;
	FILE *null;

	if (asprintf(&text, "probe %s {}", pattern) < 0)
		abort();
	s = parse_text("<pattern>", text, env, NULL);
	if (!s || diag_error_count() || !s->probes)
		return 1;
	pat = s->probes->points;
	if (tapset_load(s, pattern, env, &lib) < 0 || diag_error_count())
		return 1;
	tapset_merge(s, lib);

	/* Points that do not resolve here are simply not listed. */
	null = fopen("/dev/null", "w");
	if (null)
		diag_set_stream(null);
	alias_set_keep_unused(vars);
	for (struct probe *a = s->aliases; a; a = a->next)
		for (struct probe_point *n = a->points; n; n = n->next) {
			char *name;

			if (!pp_point_matches(pat, n))
				continue;
			alias_hit = true;
			name = pp_point_text(n);
			list_point(&l, s, n, name, vars, opt);
			free(name);
		}
	if (!alias_hit)
		list_point(&l, s, pat, NULL, vars, opt);
	alias_set_keep_unused(false);
	diag_set_stream(stderr);
	if (null)
		fclose(null);

	qsort(l.v, l.n, sizeof(*l.v), str_cmp);
	for (int i = 0; i < l.n; i++)
		if (i == 0 || strcmp(l.v[i], l.v[i - 1]) != 0)
			fprintf(out, "%s\n", l.v[i]);
	return l.n ? 0 : 1;
}
