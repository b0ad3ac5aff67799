// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Front end glue: read, lex, preprocess and parse a script, appending its
 * declarations to a struct script; and the token feeder the grammar pulls
 * from, which also enforces the nesting limits that keep later passes'
 * recursion bounded whatever the input.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "parser/diag.h"
#include "parser/parse_ctx.h"
#include "parser/parser.h"
#include "parser/grammar.h"

int etapyyparse(struct parse_ctx *ctx);

static void parse_abort(struct parse_ctx *ctx, const struct token *t,
			const char *msg, const char *hint)
{
	diag_report("parse error", t->loc, "%s", msg);
	diag_hint("%s", hint);
	ctx->aborted = true;
}

static bool parse_counts_as_op(const struct token *t)
{
	switch (t->type) {
	case TOK_INC: case TOK_DEC: case '?': case TOK_IF: case TOK_WHILE:
	case TOK_FOR: case TOK_FOREACH: case TOK_ELSE: case '!': case '~':
	case TOK_ARROW:
		return true;
	}
	return t->op != OP_NONE;
}

int etapyylex(ETAPYYSTYPE *lval, struct loc *lloc, struct parse_ctx *ctx)
{
	const struct token *t;

	if (ctx->aborted || ctx->pos >= ctx->ntoks) {
		struct loc end = { ctx->file, 1, 1 };

		if (ctx->ntoks > 0)
			end = ctx->toks[ctx->ntoks - 1].loc;
		*lloc = end;
		lval->tok = NULL;
		ctx->cur = NULL;
		return TOK_YYEOF;
	}
	t = &ctx->toks[ctx->pos++];
	switch (t->type) {
	case '(': case '[': case '{':
		if (++ctx->nest > PARSE_MAX_NEST) {
			parse_abort(ctx, t, "nesting too deep",
				    "at most 200 brackets, parentheses and "
				    "braces can be open at once");
			return etapyylex(lval, lloc, ctx);
		}
		break;
	case ')': case ']': case '}':
		if (ctx->nest > 0)
			ctx->nest--;
		break;
	}
	if (t->type == ';' || t->type == '{' || t->type == '}') {
		ctx->ops = 0;
	} else if (parse_counts_as_op(t) && ++ctx->ops > PARSE_MAX_OPS) {
		parse_abort(ctx, t, "statement too complex",
			    "split it: at most 5000 operators may appear "
			    "between ';', '{' and '}'");
		return etapyylex(lval, lloc, ctx);
	}
	lval->tok = t;
	*lloc = t->loc;
	ctx->cur = t;
	return t->type;
}

static struct script *parse_buffer(const char *file, const char *text,
				   size_t len, const struct parse_env *env,
				   struct script *into)
{
	struct token_vec raw = { 0 }, toks = { 0 };
	struct parse_ctx ctx = { 0 };
	struct script *s = into;
	char *copy = malloc(len + 1);

	if (!copy)
		abort();
	memcpy(copy, text, len);
	copy[len] = '\0';
	diag_register_source(file, copy);
	if (!s) {
		s = calloc(1, sizeof(*s));
		if (!s)
			abort();
	}
	if (!s->file)
		s->file = file;

	lexer_scan(file, copy, len, &raw);
	preproc_run(&raw, file, env, &toks);

	ctx.file = file;
	ctx.toks = toks.v;
	ctx.ntoks = toks.n;
	ctx.script = s;
	/* Append after whatever earlier parses put there. */
	for (ctx.probe_tail = &s->probes; *ctx.probe_tail;
	     ctx.probe_tail = &(*ctx.probe_tail)->next)
		;
	for (ctx.alias_tail = &s->aliases; *ctx.alias_tail;
	     ctx.alias_tail = &(*ctx.alias_tail)->next)
		;
	for (ctx.global_tail = &s->globals; *ctx.global_tail;
	     ctx.global_tail = &(*ctx.global_tail)->next)
		;
	for (ctx.function_tail = &s->functions; *ctx.function_tail;
	     ctx.function_tail = &(*ctx.function_tail)->next)
		;
	for (ctx.embedded_tail = &s->embedded; *ctx.embedded_tail;
	     ctx.embedded_tail = &(*ctx.embedded_tail)->next)
		;
	etapyyparse(&ctx);
	/* The AST points at token texts, never at the tokens themselves. */
	token_vec_free(&raw);
	token_vec_free(&toks);
	return s;
}

struct script *parse_text(const char *file, const char *text,
			  const struct parse_env *env, struct script *into)
{
	const char *f = ast_intern(file ? file : "<input>");

	return parse_buffer(f, text ? text : "", text ? strlen(text) : 0, env,
			    into);
}

struct script *parse_file(const char *path, const struct parse_env *env,
			  struct script *into)
{
	struct loc nowhere = { NULL, 0, 0 };
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0;
	struct script *s;

	if (!f) {
		diag_report("error", nowhere, "cannot read %s: %s", path,
			    strerror(errno));
		return NULL;
	}
	for (;;) {
		size_t got;

		if (len + 65536 > cap) {
			cap = cap ? cap * 2 : 131072;
			buf = realloc(buf, cap);
			if (!buf)
				abort();
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		diag_report("error", nowhere, "cannot read %s: %s", path,
			    strerror(errno));
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	s = parse_buffer(ast_intern(path), buf ? buf : "", len, env, into);
	free(buf);
	return s;
}
