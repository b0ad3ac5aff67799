/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stap's printf: parse a format string once into segments, then format
 * arguments with it. Used by the user-context evaluator (printf, sprintf)
 * and by the ring-buffer consumer for records from kernel probes.
 */
#ifndef ETAP_PRINTF_FMT_H
#define ETAP_PRINTF_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A growable output buffer. */
struct strbuf {
	char *buf;
	size_t len;
	size_t cap;
};
void strbuf_init(struct strbuf *sb);
void strbuf_free(struct strbuf *sb);
void strbuf_reset(struct strbuf *sb);
void strbuf_add(struct strbuf *sb, const char *s, size_t n);
void strbuf_addc(struct strbuf *sb, char c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Append n copies of c. */
void strbuf_addpad(struct strbuf *sb, char c, size_t n);

enum fmt_conv {
	FMT_LITERAL, /* text between conversions (and %%) */
	FMT_SIGNED,  /* %d %i */
	FMT_UNSIGNED, /* %u */
	FMT_OCTAL,   /* %o */
	FMT_HEX,     /* %x */
	FMT_HEX_UPPER, /* %X */
	FMT_POINTER, /* %p */
	FMT_STRING,  /* %s */
	FMT_CHAR,    /* %c */
	FMT_BINARY,  /* %b: the raw bytes of the value (width 1,2,4,8) */
	FMT_MEMORY,  /* %m / %M: reserved, rejected for now */
};

/* Widths and precisions, literal or from '*', are clamped to this, as stap
 * clamps them to its print buffer size (STP_BUFFER_SIZE, 8192). */
#define FMT_MAX_WIDTH 8192

struct fmt_seg {
	enum fmt_conv conv;
	const char *text; /* FMT_LITERAL: the text (with %% decoded) */
	size_t textlen;
	bool left, zero, plus, space, alt; /* - 0 + space # */
	int width;	  /* -1 none, -2 taken from an argument (*) */
	int prec;	  /* -1 none, -2 taken from an argument (*) */
};

struct fmt {
	struct fmt_seg *segs;
	int nsegs;
	int nargs; /* arguments consumed, counting '*' ones */
	/* Per consumed argument: true when it must be a string (%s). */
	bool *arg_is_string;
};

/* Parse a stap format. Returns 0, or -1 with *err a static message and
 * *errpos the byte offset of the offending conversion. */
int fmt_parse(const char *format, struct fmt *out, const char **err,
	      int *errpos);
void fmt_free(struct fmt *f);

struct fmt_arg {
	bool is_string;
	int64_t l;
	const char *s;
};

/* s with C escapes, as '#' with %s gives it (text_str()). */
void fmt_escape_str(struct strbuf *sb, const char *s);

/* Append the formatted text to sb. args has f->nargs entries. */
void fmt_format(struct strbuf *sb, const struct fmt *f,
		const struct fmt_arg *args);

#endif
