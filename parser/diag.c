// SPDX-License-Identifier: GPL-2.0-or-later
/* Located diagnostics with the quoted source line and a caret. */
#include "diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct source {
	const char *file;
	const char *text;
	struct source *next;
};

static struct source *sources;
static int errors;
static int muted, muted_errors;
static FILE *stream;

void diag_register_source(const char *file, const char *text)
{
	struct source *s = calloc(1, sizeof(*s));

	if (!s)
		abort();
	s->file = file;
	s->text = text;
	s->next = sources;
	sources = s;
}

const char *diag_source(const char *file)
{
	for (struct source *s = sources; s; s = s->next)
		if (file && strcmp(s->file, file) == 0)
			return s->text;
	return NULL;
}

void diag_set_stream(FILE *f)
{
	stream = f;
}

static FILE *diag_stream(void)
{
	return stream ? stream : stderr;
}

static void diag_quote_line(FILE *out, struct loc loc)
{
	const char *text = diag_source(loc.file);
	const char *p, *end;
	int line = 1;

	if (!text || loc.line < 1)
		return;
	for (p = text; *p && line < loc.line; p++)
		if (*p == '\n')
			line++;
	if (line != loc.line)
		return;
	end = strchr(p, '\n');
	if (!end)
		end = p + strlen(p);
	fprintf(out, "    %.*s\n    ", (int)(end - p), p);
	/* Keep tabs so the caret lines up under tab-indented source. */
	for (int i = 1; i < loc.col && p + i - 1 < end; i++)
		fputc(p[i - 1] == '\t' ? '\t' : ' ', out);
	fputs("^\n", out);
}

void diag_report(const char *kind, struct loc loc, const char *fmt, ...)
{
	FILE *out = diag_stream();
	va_list ap;

	if (muted) {
		if (strcmp(kind, "warning") != 0)
			muted_errors++;
		return;
	}
	if (strcmp(kind, "warning") != 0)
		errors++;
	if (loc.file)
		fprintf(out, "%s:%d:%d: ", loc.file, loc.line, loc.col);
	fprintf(out, "%s: ", kind);
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fputc('\n', out);
	diag_quote_line(out, loc);
}

void diag_hint(const char *fmt, ...)
{
	FILE *out = diag_stream();
	va_list ap;

	if (muted)
		return;
	fputs("    hint: ", out);
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fputc('\n', out);
}

int diag_error_count(void)
{
	return errors;
}

void diag_mute(int delta)
{
	muted += delta;
}

int diag_muted_errors(void)
{
	return muted_errors;
}
