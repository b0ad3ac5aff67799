// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * $arg1 ... $argN of a USDT probe: each operand of the site's note becomes
 * an access path over the uprobe's registers (codegen/lower_target.c):
 * %reg is the register's value, disp(%reg) a load from the program's
 * memory, $imm a constant; then narrowed to the operand's size, signed
 * when the note says so.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../parser/diag.h"
#include "target_vars.h"
#include "usdt.h"

static bool usdt_arg_number(const char *name, int *n)
{
	char *end;
	long v;

	if (strncmp(name, "arg", 3) != 0 || !name[3])
		return false;
	v = strtol(name + 3, &end, 10);
	if (*end || v < 0 || v > 99)
		return false;
	*n = (int)v;
	return true;
}

struct symbol *usdt_var_resolve(struct rprobe *rp, struct node *e,
				bool checking)
{
	const struct usdt_site *u = rp->usdt;
	const struct usdt_arg *ua;
	struct tgt_access *a;
	int n;

	if (!usdt_arg_number(e->str, &n) || n < 1 || n > u->nargs || e->a) {
		if (checking) {
			diag_report("semantic error", e->loc,
				    "'$%s' is not a variable of USDT probe "
				    "%s:%s",
				    e->str, u->provider, u->name);
			if (u->nargs > 1)
				diag_hint("it has %d arguments: $arg1 ... "
					  "$arg%d",
					  u->nargs, u->nargs);
			else if (u->nargs)
				diag_hint("it has 1 argument: $arg1");
			else
				diag_hint("it has no arguments");
		}
		return NULL;
	}
	ua = &u->args[n - 1];
	if (ua->kind == UA_UNSUPPORTED) {
		if (checking) {
			diag_report("semantic error", e->loc,
				    "'$%s' of %s:%s is the operand '%s', a form "
				    "etap cannot read",
				    e->str, u->provider, u->name, ua->text);
			diag_hint("etap reads %%reg, disp(%%reg) and $constant "
				  "operands");
		}
		return NULL;
	}
	a = calloc(1, sizeof(*a));
	if (!a)
		abort();
	a->size = (uint32_t)ua->size;
	a->is_signed = ua->is_signed;
	a->end = TE_VALUE;
	if (ua->kind == UA_CONST) {
		a->base = ast_node_new(E_NUM, e->loc);
		a->base->num = ua->val;
		a->base->type = T_LONG;
	} else {
		a->ctx_off = ua->reg_off;
	}
	if (ua->kind == UA_MEM) {
		a->steps = calloc(1, sizeof(*a->steps));
		if (!a->steps)
			abort();
		a->steps[0] = (struct tgt_step){ .kind = TS_ADD, .off = ua->val };
		a->nsteps = 1;
		a->end = TE_LOAD;
		a->user_mem = true;
	}
	return target_access_symbol(a, e->str, e->loc);
}
