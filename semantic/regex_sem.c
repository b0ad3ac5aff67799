// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The semantic side of =~ and !~: the pattern must be a literal, and it is
 * compiled here, at translate time, so a bad pattern is a located compile
 * error and both execution contexts later run the same tables.
 */
#include "sem_internal.h"

#include <stdlib.h>

#include "../parser/diag.h"
#include "regex.h"

void sem_regex_compile(struct program *p, struct node *e)
{
	struct regex_error err = { .pos = -1 };
	struct regex_prog *rp;
	struct loc loc;

	/* resolution walks every body until types settle: compile once */
	if (e->sem || e->num)
		return;
	e->num = 1;
	if (!e->b || e->b->kind != E_STR) {
		diag_report("semantic error", e->b ? e->b->loc : e->loc,
			    "the right side of %s must be a string literal",
			    ast_op_str(e->op));
		diag_hint("regular expressions are compiled when the script "
			  "is translated; write the pattern as \"...\"");
		return;
	}
	rp = regex_compile(e->b->str, &err);
	if (!rp) {
		loc = e->b->loc;
		/* point into the literal (exact unless escapes precede) */
		if (err.pos >= 0)
			loc.col += 1 + err.pos;
		diag_report("semantic error", loc,
			    "invalid regular expression: %s", err.msg);
		diag_hint("etap understands POSIX extended regular "
			  "expressions, as stap does");
		return;
	}
	e->sem = rp;
	p->regexes = realloc(p->regexes,
			     (p->nregexes + 1) * sizeof(*p->regexes));
	if (!p->regexes)
		abort();
	p->regexes[p->nregexes++] = rp;
}
