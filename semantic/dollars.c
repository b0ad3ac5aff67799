// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * $$vars, $$parms, $$locals and $$return, as stap expands them: a string
 * equivalent to sprintf("a=0x%x b=0x%x", $a, $b) over the probe's
 * parameters (the tracepoint's format fields, a syscall's arguments, a
 * kernel function's typed arguments), strings shown as name="text". The
 * node is rewritten into that sprintf call before it is resolved, so both
 * contexts and every mechanism treat it as ordinary code. Probe points
 * without debuginfo-free parameters (uprobes, timers) give "". The
 * pretty-printing suffixes ($$vars$, $$vars$$) print the same.
 */
#define _GNU_SOURCE
#include "dollars.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "target_vars.h"
#include "tracefs.h"

struct dollars_out {
	FILE *fmt;
	struct node *head, **tail;
	int n;
	struct loc loc;
};

static void dollars_add(struct dollars_out *o, const char *name, bool str)
{
	struct node *t = ast_node_new(E_TARGET, o->loc);

	t->str = strdup(name);
	fprintf(o->fmt, str ? "%s%s=\"%%s\"" : "%s%s=0x%%x", o->n ? " " : "",
		name);
	*o->tail = t;
	o->tail = &t->next;
	o->n++;
}

/* The parameters of rp, as $name targets. */
static void dollars_parms(struct rprobe *rp, struct dollars_out *o)
{
	char *typed;

	if (rp->type == PT_KFUNC) {
		typed = target_var_list(rp);
		for (char *save = NULL, *tok = typed ? strtok_r(typed, " ", &save)
						    : NULL;
		     tok; tok = strtok_r(NULL, " ", &save))
			dollars_add(o, tok + 1, false);
		free(typed);
		return;
	}
	if (rp->type != PT_TRACEPOINT || !rp->tp)
		return;
	for (int i = 0; i < rp->tp->nfields; i++) {
		const struct tp_field *f = &rp->tp->fields[i];

		if (f->is_common || strncmp(f->name, "__", 2) == 0 ||
		    (rp->is_return && strcmp(f->name, "ret") == 0))
			continue;
		/* arrays other than strings have no one value */
		if (f->array_len && !f->is_string)
			continue;
		if (strchr(f->type, '[') && !f->is_string)
			continue;
		dollars_add(o, f->name, f->is_string);
	}
}

static bool dollars_has_return(const struct rprobe *rp)
{
	if (!rp->is_return)
		return false;
	return rp->type == PT_KFUNC ||
	       (rp->type == PT_TRACEPOINT && rp->tp &&
		tp_format_field(rp->tp, "ret"));
}

void dollars_expand(struct rprobe *rp, struct node *e)
{
	struct dollars_out o = { .loc = e->loc };
	char *fmt = NULL;
	size_t len = 0;
	struct node *f;

	o.tail = &o.head;
	o.fmt = open_memstream(&fmt, &len);
	if (!o.fmt)
		abort();
	if (rp && (!strcmp(e->str, "vars") || !strcmp(e->str, "parms")))
		dollars_parms(rp, &o);
	if (rp && !strcmp(e->str, "return") && dollars_has_return(rp))
		dollars_add(&o, "return", false);
	fclose(o.fmt);
	f = ast_node_new(E_STR, e->loc);
	f->str = fmt;
	f->num = (int64_t)strlen(fmt);
	f->next = o.head;
	e->kind = E_CALL;
	e->str = "sprintf";
	e->args = f;
	e->nargs = o.n + 1;
	e->num = 0;
}
