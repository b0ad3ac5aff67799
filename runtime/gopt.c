// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * -G NAME=VALUE replaces the initializer of global NAME after the semantic
 * pass typed it: the same path as `global NAME = VALUE` then sets it before
 * the first probe runs, in global data the kernel probes read at run time.
 */
#include "gopt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static struct symbol *gopt_find(struct program *p, const char *name,
				size_t len)
{
	for (struct symbol *g = p->globals; g; g = g->next)
		if (strlen(g->name) == len && !strncmp(g->name, name, len))
			return g;
	return NULL;
}

static int gopt_one(struct program *p, const char *a)
{
	const char *eq = strchr(a, '=');
	struct symbol *g;
	struct node *v;
	char *end;

	if (!eq || eq == a) {
		fprintf(stderr, "etap: -G needs NAME=VALUE, not '%s'\n", a);
		return -1;
	}
	g = gopt_find(p, a, (size_t)(eq - a));
	if (!g || !g->decl) {
		fprintf(stderr, "etap: -G %s: the script has no global '%.*s'\n",
			a, (int)(eq - a), a);
		return -1;
	}
	if (g->nkeys > 0 || (g->type != T_LONG && g->type != T_STRING)) {
		fprintf(stderr,
			"etap: -G %s: '%s' is not a number or string scalar\n",
			a, g->name);
		return -1;
	}
	v = ast_node_new(g->type == T_STRING ? E_STR : E_NUM, g->decl->loc);
	v->type = g->type;
	if (g->type == T_STRING) {
		v->str = strdup(eq + 1);
		v->num = (int64_t)strlen(eq + 1);
		v->strmax = (int)v->num + 1;
	} else {
		errno = 0;
		v->num = (int64_t)strtoull(eq + 1, &end, 0);
		if (eq[1] == '-')
			v->num = strtoll(eq + 1, &end, 0);
		if (errno || !eq[1] || *end) {
			fprintf(stderr,
				"etap: -G %s: '%s' is not a number\n", a,
				eq + 1);
			return -1;
		}
	}
	g->decl->init = v;
	g->written = true;
	return 0;
}

int gopt_apply(struct program *p, const char *const *assigns, int n)
{
	int ret = 0;

	for (int i = 0; i < n; i++)
		if (gopt_one(p, assigns[i]) < 0)
			ret = -1;
	return ret;
}

/* tapset/tzinfo.stp's globals, when the script reaches them: the local
 * zone's offset (seconds west of UTC) and name, as stap's staprun passes
 * them at startup. */
int gopt_apply_tz(struct program *p)
{
	struct symbol *off = gopt_find(p, "__tz_gmtoff", 11);
	struct symbol *name = gopt_find(p, "__tz_name", 9);
	char a[64], b[96];
	time_t now = time(NULL);
	struct tm tm;

	if (!off && !name)
		return 0;
	tzset();
	if (!localtime_r(&now, &tm))
		return 0;
	snprintf(a, sizeof(a), "__tz_gmtoff=%ld", -(long)tm.tm_gmtoff);
	snprintf(b, sizeof(b), "__tz_name=%s", tm.tm_zone ? tm.tm_zone : "");
	if (off && off->type == T_LONG && gopt_one(p, a) < 0)
		return -1;
	if (name && name->type == T_STRING && gopt_one(p, b) < 0)
		return -1;
	return 0;
}
