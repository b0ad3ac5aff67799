// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * stap names the token an error happened at ("near operator '/'"). The
 * records that kernel probes send carry a location, not a token, so the
 * token is lexed again here from the script text diag.c keeps.
 */
#include <ctype.h>
#include <string.h>
#include "../parser/diag.h"
#include "errloc.h"

static const char *const errloc_keywords[] = {
	"probe", "global", "function", "if", "else", "for", "foreach", "in",
	"limit", "return", "delete", "while", "break", "continue", "next",
	"string", "long", "private", "try", "catch", NULL,
};

/* Longest first, so that "<<<" wins over "<<" and "<". */
static const char *const errloc_operators[] = {
	">>>=", "<<<", ">>>", "<<=", ">>=", "!~", "=~", "++", "--", "+=",
	"-=", "*=", "/=", "%=", "&=", "|=", "^=", ".=", "==", "!=", "<=",
	">=", "&&", "||", "<<", ">>", "->", NULL,
};

/* Start of line `line` (1-based) in text, or NULL. */
static const char *errloc_line_start(const char *text, int line)
{
	for (int l = 1; l < line && text; l++) {
		text = strchr(text, '\n');
		if (text)
			text++;
	}
	return text;
}

static bool errloc_is_keyword(const char *s, size_t n)
{
	for (int i = 0; errloc_keywords[i]; i++)
		if (strlen(errloc_keywords[i]) == n &&
		    !strncmp(errloc_keywords[i], s, n))
			return true;
	return false;
}

void errloc_describe_token(char *buf, size_t len, struct loc loc)
{
	const char *text = loc.file ? diag_source(loc.file) : NULL;
	const char *line, *p, *q;
	const char *kind;
	size_t n;

	buf[0] = '\0';
	if (!text || loc.line < 1 || loc.col < 1)
		return;
	line = errloc_line_start(text, loc.line);
	if (!line)
		return;
	for (p = line; p < line + loc.col - 1; p++)
		if (*p == '\n' || !*p)
			return;
	q = p;
	if (isalpha((unsigned char)*p) || *p == '_' || *p == '$' || *p == '@') {
		q++;
		while (isalnum((unsigned char)*q) || *q == '_')
			q++;
		n = q - p;
		if (errloc_is_keyword(p, n)) {
			snprintf(buf, len, "keyword");
			return;
		}
		kind = "identifier";
	} else if (isdigit((unsigned char)*p)) {
		while (isalnum((unsigned char)*q))
			q++;
		kind = "number";
	} else if (*p == '"') {
		for (q = p + 1; *q && *q != '"' && *q != '\n'; q++)
			if (*q == '\\' && q[1])
				q++;
		snprintf(buf, len, "string '%.*s'", (int)(q - p - 1), p + 1);
		return;
	} else if (*p && !isspace((unsigned char)*p)) {
		q = p + 1;
		for (int i = 0; errloc_operators[i]; i++) {
			n = strlen(errloc_operators[i]);
			if (!strncmp(p, errloc_operators[i], n)) {
				q = p + n;
				break;
			}
		}
		kind = "operator";
	} else {
		return;
	}
	snprintf(buf, len, "%s '%.*s'", kind, (int)(q - p), p);
}

void errloc_print_error(FILE *f, const char *message, struct loc loc)
{
	char tok[160];

	fprintf(f, "ERROR: %s", message);
	if (!strstr(message, " near ")) {
		errloc_describe_token(tok, sizeof(tok), loc);
		if (tok[0])
			fprintf(f, " near %s", tok);
	}
	if (loc.file && loc.line > 0)
		fprintf(f, " at %s:%d:%d", loc.file, loc.line, loc.col);
	fputc('\n', f);
}
