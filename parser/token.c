// SPDX-License-Identifier: GPL-2.0-or-later
/* Token vectors and their description in messages. */
#include "parser/token.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "parser/grammar.h"

void token_vec_push(struct token_vec *tv, const struct token *t)
{
	if (tv->n == tv->cap) {
		int cap = tv->cap ? tv->cap * 2 : 256;
		struct token *v = realloc(tv->v, (size_t)cap * sizeof(*v));

		if (!v)
			abort();
		tv->v = v;
		tv->cap = cap;
	}
	tv->v[tv->n++] = *t;
}

/* Token texts may be shared between vectors (the preprocessor copies
 * tokens), so only the array is freed; texts live as long as the AST. */
void token_vec_free(struct token_vec *tv)
{
	free(tv->v);
	tv->v = NULL;
	tv->n = tv->cap = 0;
}

const char *token_describe(const struct token *t, char *buf, size_t size)
{
	if (!t || t->type == TOK_YYEOF) {
		snprintf(buf, size, "end of input");
		return buf;
	}
	switch (t->type) {
	case TOK_STRING: {
		size_t o = 0;

		/* Quote a prefix of the string, bytes made printable. */
		o += (size_t)snprintf(buf, size, "string \"");
		for (int64_t i = 0; i < t->len && o + 8 < size && i < 24; i++) {
			unsigned char c = (unsigned char)t->text[i];

			buf[o++] = (c >= 0x20 && c < 0x7f && c != '"') ? (char)c
								       : '?';
		}
		if (t->len > 24 && o + 8 < size)
			o += (size_t)snprintf(buf + o, size - o, "...");
		snprintf(buf + o, size - o, "\"");
		return buf;
	}
	case TOK_EMBEDDED:
		snprintf(buf, size, "embedded code '%%{...%%}'");
		return buf;
	case TOK_TARGET:
		snprintf(buf, size, "'$%s'", t->text);
		return buf;
	case TOK_DOLLARS:
		snprintf(buf, size, "'$$%s'", t->text);
		return buf;
	default:
		snprintf(buf, size, "'%.40s'", t->text ? t->text : "?");
		return buf;
	}
}
