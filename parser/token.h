/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The token stream between the lexer, the preprocessor and the grammar.
 *
 * stap preprocesses tokens, not characters: %( %) conditionals and @define
 * macros splice token sequences. So the lexer turns a whole file into a
 * vector first, the preprocessor rewrites that vector, and the bison parser
 * reads the result.
 */
#ifndef ETAP_PARSER_TOKEN_H
#define ETAP_PARSER_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "parser/parser.h"

struct token {
	int type;	   /* bison token kind (grammar.h) or a character */
	char *text;	   /* spelling; decoded bytes for strings; code for %{ %} */
	int64_t len;	   /* length of text (strings may hold NUL bytes) */
	int64_t num;	   /* numbers: value; $N/@N: N; targets: trailing '$'s */
	int op;		   /* operator tokens: enum op / enum statop */
	struct loc loc;
	bool space_before; /* whitespace or a comment precedes it */
};

struct token_vec {
	struct token *v;
	int n;
	int cap;
};

void token_vec_push(struct token_vec *tv, const struct token *t);
void token_vec_free(struct token_vec *tv);

/* Lex text (len bytes, may contain NUL) of file into out. Errors are
 * reported through diag; returns the number of errors. */
int lexer_scan(const char *file, const char *text, size_t len,
	       struct token_vec *out);

/* Printable spelling of a token for messages ("'foo'", "end of input"). */
const char *token_describe(const struct token *t, char *buf, size_t size);

/* Expand %( %) conditionals, @define macros and $N/@N/$#/@# arguments.
 * env may be NULL: arguments then stay unresolved for later passes.
 * Returns the number of errors. */
int preproc_run(const struct token_vec *in, const char *file,
		const struct parse_env *env, struct token_vec *out);

#endif
