/* SPDX-License-Identifier: GPL-2.0-or-later */
/* State shared by the grammar and its token feeder (parse.c). */
#ifndef ETAP_PARSER_PARSE_CTX_H
#define ETAP_PARSER_PARSE_CTX_H

#include "parser/ast.h"
#include "parser/token.h"

/* Later passes recurse over the tree, so its depth is capped here. */
#define PARSE_MAX_NEST 200  /* open ( [ { at once */
#define PARSE_MAX_OPS 5000  /* operators in one statement */

struct parse_ctx {
	const char *file;
	const struct token *toks;
	int ntoks;
	int pos;
	const struct token *cur; /* last token handed to the parser */
	struct script *script;
	struct probe **probe_tail, **alias_tail;
	struct global **global_tail;
	struct function **function_tail;
	struct node **embedded_tail;
	struct probe *last_probe;	/* for 'private probe' */
	struct function *last_function; /* for 'private function' */
	int nest;
	int ops;
	bool aborted; /* a limit was hit: stop quietly */
};

#endif
