/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Front end entry points: preprocess, lex and parse a script (and tapset
 * files) into the AST of ast.h, and print an AST back as script text.
 */
#ifndef ETAP_PARSER_H
#define ETAP_PARSER_H

#include <stdio.h>
#include "ast.h"

/* What the preprocessor's %( COND %? ... %) conditions can ask about. */
struct parse_env {
	const char *const *argv; /* script arguments for $1/@1, $#/@# */
	int argc;
	const char *kernel_release; /* e.g. "6.18.44" (uname -r) */
	const char *arch;	    /* e.g. "x86_64" */
	const char *runtime;	    /* "bpf" */
	const char *systemtap_v;    /* compatibility version, "5.0" */
	/* CONFIG_* lookups: returns "y", "m", a string, or NULL when unset */
	const char *(*config)(const char *name);
	/* -D NAME=VALUE macros visible to @defined()? no: these are for
	 * conditions only; may be NULL */
};

/*
 * Parse text named `file` (used in locations and diagnostics). Errors are
 * reported through diag.h; the return value is NULL only on an
 * unrecoverable problem. The caller checks diag_error_count().
 * Several parses may be merged into one script (tapsets): pass the same
 * `into` to append, or NULL to allocate a new script.
 */
struct script *parse_text(const char *file, const char *text,
			  const struct parse_env *env, struct script *into);
/* Read a file and parse it; reports "cannot read FILE: reason" on failure. */
struct script *parse_file(const char *path, const struct parse_env *env,
			  struct script *into);

/* Print the script in canonical form (the -p1 output). Re-parsing the
 * output yields the same tree. */
void ast_print_script(FILE *out, const struct script *s);
void ast_print_expr(FILE *out, const struct node *e);
void ast_print_probe_point(FILE *out, const struct probe_point *pp);

#endif
