// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * User-space probe points: process("PATH").function("NAME") and its
 * .call/.return, and process("PATH")[.provider("P")].mark("NAME") (USDT,
 * semantic/usdt.h), on uprobes. PATH is found as a shell finds a command;
 * NAME is a glob over the functions of the file's symbol tables (no
 * debuginfo: arguments come from registers, int_arg(1), pointer_arg(2),
 * and the return value from returnval()). Each match is one probe,
 * attached for every process that runs the file.
 */
#define _GNU_SOURCE
#include "sem_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../parser/diag.h"
#include "elf_funcs.h"
#include "usdt.h"

static bool is(const struct pp_comp *c, const char *name)
{
	return c && strcmp(c->name, name) == 0;
}

static bool str_arg(const struct pp_comp *c)
{
	return c && c->has_arg && c->arg && c->arg->kind == E_STR;
}

static int process_unsupported(struct resolve_ctx *rc, const char *what)
{
	diag_report("semantic error", rc->pp->loc,
		    "process(\"PATH\").%s probes are not supported", what);
	diag_hint("process(\"PATH\").function(\"NAME\") and its .return "
		  "probe a program's functions, .mark(\"NAME\") its USDT "
		  "probes; syscall.* probes filtered on pid() == target() "
		  "cover its system calls");
	return -1;
}

/* One uprobe probe at file offset off of path; name and ufunc are taken. */
static struct rprobe *process_probe_add(struct resolve_ctx *rc, char *name,
					const char *path, const char *ufunc,
					uint64_t off, bool ret)
{
	struct rprobe *rp = sem_probe_add(rc, PT_UPROBE, name);

	rp->upath = strdup(path);
	rp->ufunc = ufunc;
	rp->uoffset = off;
	rp->is_return = ret;
	rp->mech = ret ? MECH_URETPROBE : MECH_UPROBE;
	return rp;
}

static int process_function(struct resolve_ctx *rc, const char *path)
{
	const struct pp_comp *c1 = rc->pp->comps->next;
	const struct pp_comp *c2 = c1->next;
	bool ret = is(c2, "return");
	struct elf_func_list l;
	const char *why = "";
	int made = 0;

	if (!str_arg(c1) || (c2 && !ret && !is(c2, "call")) ||
	    (c2 && c2->next)) {
		diag_report("semantic error", rc->pp->loc,
			    "process(\"PATH\").function needs a function "
			    "name: process(\"PATH\").function(\"NAME\")"
			    "[.call|.return]");
		return -1;
	}
	if (elf_funcs_match(path, c1->arg->str, &l, &why) < 0) {
		diag_report("semantic error", rc->pp->comps->arg->loc,
			    "cannot read the symbols of %s: %s", path, why);
		return -1;
	}
	for (int i = 0; i < l.n; i++) {
		char *name;

		if (asprintf(&name, "process(\"%s\").function(\"%s\")%s", path,
			     l.v[i].name,
			     ret ? ".return" : c2 ? ".call" : "") < 0)
			abort();
		process_probe_add(rc, name, path, l.v[i].name, l.v[i].offset,
				  ret);
		l.v[i].name = NULL;
		made++;
	}
	elf_funcs_free(&l);
	return made;
}

/* process("PATH")[.provider("P")].mark("NAME"): one probe per site. */
static int process_mark(struct resolve_ctx *rc, const char *path,
			const struct pp_comp *prov, const struct pp_comp *mark)
{
	struct usdt_list l;
	const char *why = "";
	int made = 0;

	if ((prov && !str_arg(prov)) || !str_arg(mark) || mark->next) {
		diag_report("semantic error", rc->pp->loc,
			    "a USDT probe point is process(\"PATH\")"
			    "[.provider(\"P\")].mark(\"NAME\")");
		return -1;
	}
	if (usdt_match(path, prov ? prov->arg->str : NULL, mark->arg->str, &l,
		       &why) < 0) {
		diag_report("semantic error", rc->pp->comps->arg->loc,
			    "cannot read the USDT notes of %s: %s", path, why);
		return -1;
	}
	for (int i = 0; i < l.n; i++) {
		struct rprobe *rp;
		char *name;

		if (asprintf(&name, "process(\"%s\").provider(\"%s\").mark(\"%s\")",
			     path, l.v[i].provider, l.v[i].name) < 0)
			abort();
		rp = process_probe_add(rc, name, path, l.v[i].name,
				       l.v[i].offset, false);
		rp->usdt = usdt_take(&l, i);
		made++;
	}
	usdt_free(&l);
	return made;
}

int sem_resolve_process_probes(struct resolve_ctx *rc)
{
	const struct pp_comp *c0 = rc->pp->comps;
	const struct pp_comp *c1 = c0->next;
	char *path;
	int r;

	/* process.begin/end without a path are tapset aliases */
	if (!is(c0, "process") || !c0->has_arg)
		return 0;
	if (!str_arg(c0)) {
		diag_report("semantic error", rc->pp->loc,
			    "process needs the program's path: "
			    "process(\"PATH\")");
		return -1;
	}
	if (!is(c1, "function") && !is(c1, "mark") && !is(c1, "provider"))
		return process_unsupported(rc, c1 ? c1->name : "begin/end");
	if (is(c1, "provider") && !is(c1->next, "mark"))
		return process_unsupported(rc, "provider without .mark");
	path = elf_find_executable(c0->arg->str);
	if (!path) {
		if (rc->pp->optional)
			return 0;
		diag_report("semantic error", c0->arg->loc,
			    "no program '%s' here", c0->arg->str);
		diag_hint("give its path, or a command name found in $PATH");
		return -1;
	}
	if (is(c1, "function"))
		r = process_function(rc, path);
	else if (is(c1, "mark"))
		r = process_mark(rc, path, NULL, c1);
	else
		r = process_mark(rc, path, c1, c1->next);
	free(path);
	return r;
}

void sem_process_hint(const struct probe_point *pp)
{
	const struct pp_comp *c0 = pp->comps;

	if (str_arg(c0))
		diag_hint("etap -l 'process(\"%s\").%s(\"*\")' lists "
			  "the %s it can probe",
			  c0->arg->str,
			  is(c0->next, "function") ? "function" : "mark",
			  is(c0->next, "function") ? "functions"
						   : "USDT probes");
}
