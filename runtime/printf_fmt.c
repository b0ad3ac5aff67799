// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * stap's printf formatting. Every value is a 64-bit integer or a string, and
 * the output must match what stap's runtime (its vsprintf.c number() and
 * friends) prints, which differs from C printf in a few corners:
 *  - "%#x" and "%p" always print the 0x prefix, even for 0 ("0x0");
 *    "%#o" always prints a leading 0 ("00" for 0, "010" for 8 with "%#.3o"
 *    giving "0010");
 *  - "%.0d" of 0 prints "0" (C prints nothing);
 *  - the 0 flag still pads with zeros when a precision is given ("%08.3d"
 *    of 5 is "00000005", C gives "     005");
 *  - a negative precision from '*' means 0 (C: as if none was given);
 *  - "%p" is "%#x" of the full 64-bit value;
 *  - "%0s" appends a NUL byte after the (space-padded) string;
 *  - "%#c" and "%#s" escape unprintable characters, quotes and backslashes
 *    as C escapes or three octal digits;
 *  - "%b" writes the raw bytes of the value in host order: the precision (or
 *    else the width) picks 1, 2, 4 or 8 bytes, default 8; a wider width pads
 *    with NUL bytes.
 * Widths and precisions are clamped to FMT_MAX_WIDTH.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/printf_fmt.h"

/* ---- parsing ---- */

struct fmt_builder {
	struct fmt *f;
	int segcap;
	int argcap;
	struct strbuf lit; /* literal text being gathered */
};

static void *fmt_realloc_or_die(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p)
		abort();
	return p;
}

static struct fmt_seg *fmt_push_seg(struct fmt_builder *b)
{
	struct fmt *f = b->f;
	struct fmt_seg *s;

	if (f->nsegs == b->segcap) {
		b->segcap = b->segcap ? 2 * b->segcap : 8;
		f->segs =
		    fmt_realloc_or_die(f->segs, b->segcap * sizeof(*f->segs));
	}
	s = &f->segs[f->nsegs++];
	memset(s, 0, sizeof(*s));
	s->width = -1;
	s->prec = -1;
	return s;
}

static void fmt_push_arg(struct fmt_builder *b, bool is_string)
{
	struct fmt *f = b->f;

	if (f->nargs == b->argcap) {
		b->argcap = b->argcap ? 2 * b->argcap : 8;
		f->arg_is_string = fmt_realloc_or_die(f->arg_is_string,
						      b->argcap * sizeof(bool));
	}
	f->arg_is_string[f->nargs++] = is_string;
}

/* Literal text becomes one segment owning a copy of itself: the caller's
 * format string need not outlive the parsed form. */
static void fmt_flush_literal(struct fmt_builder *b)
{
	struct fmt_seg *s;
	char *text;

	if (!b->lit.len)
		return;
	text = fmt_realloc_or_die(NULL, b->lit.len + 1);
	memcpy(text, b->lit.buf, b->lit.len + 1);
	s = fmt_push_seg(b);
	s->conv = FMT_LITERAL;
	s->text = text;
	s->textlen = b->lit.len;
	strbuf_reset(&b->lit);
}

static int fmt_parse_number(const char **pp)
{
	const char *p = *pp;
	int n = 0;

	while (isdigit((unsigned char)*p)) {
		if (n < FMT_MAX_WIDTH)
			n = n * 10 + (*p - '0');
		p++;
	}
	*pp = p;
	return n > FMT_MAX_WIDTH ? FMT_MAX_WIDTH : n;
}

static void fmt_skip_length(const char **pp)
{
	const char *p = *pp;

	/* stap scripts copied from C use %ld, %lld, %lu, %zu ...: every value
	 * is 64-bit anyway, so the modifier means nothing. */
	if ((p[0] == 'h' && p[1] == 'h') || (p[0] == 'l' && p[1] == 'l'))
		p += 2;
	else if (strchr("hlLjzt", *p) && *p)
		p++;
	*pp = p;
}

static enum fmt_conv fmt_conv_of(char c)
{
	switch (c) {
	case 'd':
	case 'i':
		return FMT_SIGNED;
	case 'u':
		return FMT_UNSIGNED;
	case 'o':
		return FMT_OCTAL;
	case 'x':
		return FMT_HEX;
	case 'X':
		return FMT_HEX_UPPER;
	case 'p':
		return FMT_POINTER;
	case 's':
		return FMT_STRING;
	case 'c':
		return FMT_CHAR;
	case 'b':
		return FMT_BINARY;
	case 'm':
	case 'M':
		return FMT_MEMORY;
	default:
		return FMT_LITERAL; /* not a conversion */
	}
}

/* Parse one conversion; p points after its '%'. Returns the position
 * after it, or NULL with *err set. */
static const char *fmt_parse_conv(struct fmt_builder *b, const char *p,
				  const char **err)
{
	struct fmt_seg seg = {.width = -1, .prec = -1};
	bool star_width = false, star_prec = false;
	struct fmt_seg *s;

	for (;; p++) {
		if (*p == '-')
			seg.left = true;
		else if (*p == '0')
			seg.zero = true;
		else if (*p == '+')
			seg.plus = true;
		else if (*p == ' ')
			seg.space = true;
		else if (*p == '#')
			seg.alt = true;
		else
			break;
	}
	if (*p == '*') {
		star_width = true;
		seg.width = -2;
		p++;
	} else if (isdigit((unsigned char)*p)) {
		seg.width = fmt_parse_number(&p);
	}
	if (*p == '.') {
		p++;
		if (*p == '*') {
			star_prec = true;
			seg.prec = -2;
			p++;
		} else {
			/* "%.s" is precision 0, as in C. */
			seg.prec = fmt_parse_number(&p);
		}
	}
	fmt_skip_length(&p);
	if (!*p) {
		*err = "trailing incomplete print format conversion";
		return NULL;
	}
	seg.conv = fmt_conv_of(*p);
	if (seg.conv == FMT_MEMORY) {
		*err = "%m and %M are not supported";
		return NULL;
	}
	if (seg.conv == FMT_LITERAL) {
		*err = "invalid or missing conversion specifier";
		return NULL;
	}
	/* Arguments are consumed in the order C uses: width, precision,
	 * value. */
	if (star_width)
		fmt_push_arg(b, false);
	if (star_prec)
		fmt_push_arg(b, false);
	fmt_push_arg(b, seg.conv == FMT_STRING);
	s = fmt_push_seg(b);
	*s = seg;
	return p + 1;
}

int fmt_parse(const char *format, struct fmt *out, const char **err,
	      int *errpos)
{
	struct fmt_builder b = {.f = out};
	const char *p = format;

	memset(out, 0, sizeof(*out));
	strbuf_init(&b.lit);
	while (*p) {
		const char *pct;

		if (*p != '%') {
			const char *q = strchr(p, '%');
			size_t n = q ? (size_t)(q - p) : strlen(p);

			strbuf_add(&b.lit, p, n);
			p += n;
			continue;
		}
		if (p[1] == '%') {
			strbuf_addc(&b.lit, '%');
			p += 2;
			continue;
		}
		fmt_flush_literal(&b);
		pct = p;
		p = fmt_parse_conv(&b, p + 1, err);
		if (!p) {
			*errpos = (int)(pct - format);
			strbuf_free(&b.lit);
			fmt_free(out);
			return -1;
		}
	}
	fmt_flush_literal(&b);
	strbuf_free(&b.lit);
	return 0;
}

void fmt_free(struct fmt *f)
{
	for (int i = 0; i < f->nsegs; i++)
		if (f->segs[i].conv == FMT_LITERAL)
			free((char *)f->segs[i].text);
	free(f->segs);
	free(f->arg_is_string);
	memset(f, 0, sizeof(*f));
}

/* ---- formatting ---- */

struct fmt_spec {
	bool left, zero, plus, space, alt;
	int width; /* -1: none */
	int prec;  /* -1: none */
};

static void fmt_put_number(struct strbuf *sb, uint64_t num, int base,
			   bool is_signed, bool upper,
			   const struct fmt_spec *sp)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[64];
	int ndig = 0, prec = sp->prec, size = sp->width;
	bool zero = sp->zero && !sp->left;
	char sign = 0;

	if (is_signed) {
		if ((int64_t)num < 0) {
			sign = '-';
			/* Unsigned negation: INT64_MIN stays 2^63. */
			num = -num;
		} else if (sp->plus) {
			sign = '+';
		} else if (sp->space) {
			sign = ' ';
		}
	}
	if (sign)
		size--;
	if (sp->alt && base == 16)
		size -= 2;
	else if (sp->alt && base == 8)
		size--;
	do {
		tmp[ndig++] = digits[num % base];
		num /= base;
	} while (num);
	if (prec < ndig)
		prec = ndig;
	size -= prec;
	if (!zero && !sp->left && size > 0) {
		strbuf_addpad(sb, ' ', size);
		size = 0;
	}
	if (sign)
		strbuf_addc(sb, sign);
	if (sp->alt && base == 16)
		strbuf_add(sb, upper ? "0X" : "0x", 2);
	else if (sp->alt && base == 8)
		strbuf_addc(sb, '0');
	if (zero && size > 0) {
		strbuf_addpad(sb, '0', size);
		size = 0;
	}
	if (prec > ndig)
		strbuf_addpad(sb, '0', prec - ndig);
	while (ndig > 0)
		strbuf_addc(sb, tmp[--ndig]);
	if (size > 0)
		strbuf_addpad(sb, ' ', size);
}

/* Escaped form of c for '#': C escapes, else three octal digits. Returns
 * the length written to out (1 when c needs no escape). */
static int fmt_escape_char(unsigned char c, char out[4])
{
	static const char from[] = "\a\b\f\n\r\t\v'\\";
	static const char to[] = "abfnrtv'\\";
	const char *e;

	if (c && (e = strchr(from, c))) {
		out[0] = '\\';
		out[1] = to[e - from];
		return 2;
	}
	if (isascii(c) && isprint(c)) {
		out[0] = c;
		return 1;
	}
	out[0] = '\\';
	out[1] = '0' + ((c >> 6) & 3);
	out[2] = '0' + ((c >> 3) & 7);
	out[3] = '0' + (c & 7);
	return 4;
}

void fmt_escape_str(struct strbuf *sb, const char *s)
{
	char esc[4];

	for (; *s; s++)
		strbuf_add(sb, esc, fmt_escape_char((unsigned char)*s, esc));
}

static void fmt_put_text(struct strbuf *sb, const char *s, size_t n,
			 const struct fmt_spec *sp)
{
	size_t outlen = n;
	char esc[4];

	if (sp->alt) {
		outlen = 0;
		for (size_t i = 0; i < n; i++)
			outlen += fmt_escape_char(s[i], esc);
	}
	if (!sp->left && sp->width > (int)outlen)
		strbuf_addpad(sb, ' ', sp->width - outlen);
	if (sp->alt) {
		for (size_t i = 0; i < n; i++)
			strbuf_add(sb, esc, fmt_escape_char(s[i], esc));
	} else {
		strbuf_add(sb, s, n);
	}
	if (sp->left && sp->width > (int)outlen)
		strbuf_addpad(sb, ' ', sp->width - outlen);
}

static int fmt_binary_size(int n)
{
	return (n == 1 || n == 2 || n == 4 || n == 8) ? n : -1;
}

static void fmt_put_binary(struct strbuf *sb, int64_t v,
			   const struct fmt_spec *sp)
{
	int width = sp->width, nbytes = fmt_binary_size(sp->prec);
	unsigned char raw[8];

	/* The precision names the size; failing that the width does;
	 * failing both, 8 bytes. */
	if (width < 0) {
		if (nbytes < 0)
			nbytes = 8;
		width = nbytes;
	} else if (nbytes < 0) {
		nbytes = fmt_binary_size(width);
		if (nbytes < 0)
			nbytes = 8;
	}
	if (!sp->left && width > nbytes)
		strbuf_addpad(sb, '\0', width - nbytes);
	switch (nbytes) {
	case 1: {
		uint8_t x = v;
		memcpy(raw, &x, 1);
		break;
	}
	case 2: {
		uint16_t x = v;
		memcpy(raw, &x, 2);
		break;
	}
	case 4: {
		uint32_t x = v;
		memcpy(raw, &x, 4);
		break;
	}
	default:
		memcpy(raw, &v, 8);
		break;
	}
	strbuf_add(sb, (const char *)raw, nbytes);
	if (sp->left && width > nbytes)
		strbuf_addpad(sb, '\0', width - nbytes);
}

static int fmt_clamp(int64_t v)
{
	if (v < 0)
		return 0;
	return v > FMT_MAX_WIDTH ? FMT_MAX_WIDTH : (int)v;
}

void fmt_format(struct strbuf *sb, const struct fmt *f,
		const struct fmt_arg *args)
{
	int ai = 0;

	for (int i = 0; i < f->nsegs; i++) {
		const struct fmt_seg *seg = &f->segs[i];
		struct fmt_spec sp = {
		    .left = seg->left,
		    .zero = seg->zero,
		    .plus = seg->plus,
		    .space = seg->space,
		    .alt = seg->alt,
		    .width = seg->width,
		    .prec = seg->prec,
		};
		const struct fmt_arg *a;
		const char *s;
		char c;

		if (seg->conv == FMT_LITERAL) {
			strbuf_add(sb, seg->text, seg->textlen);
			continue;
		}
		if (sp.width == -2) {
			/* A negative '*' width means left-justify, as in C. */
			int64_t w = args[ai++].l;

			if (w < 0) {
				sp.left = true;
				w = w == INT64_MIN ? INT64_MAX : -w;
			}
			sp.width = fmt_clamp(w);
		}
		if (sp.prec == -2)
			sp.prec = fmt_clamp(args[ai++].l);
		a = &args[ai++];
		switch (seg->conv) {
		case FMT_SIGNED:
			fmt_put_number(sb, a->l, 10, true, false, &sp);
			break;
		case FMT_UNSIGNED:
			fmt_put_number(sb, a->l, 10, false, false, &sp);
			break;
		case FMT_OCTAL:
			fmt_put_number(sb, a->l, 8, false, false, &sp);
			break;
		case FMT_HEX:
			fmt_put_number(sb, a->l, 16, false, false, &sp);
			break;
		case FMT_HEX_UPPER:
			fmt_put_number(sb, a->l, 16, false, true, &sp);
			break;
		case FMT_POINTER:
			sp.alt = true;
			fmt_put_number(sb, a->l, 16, false, false, &sp);
			break;
		case FMT_STRING:
			s = a->is_string && a->s ? a->s : "";
			fmt_put_text(sb, s,
				     strnlen(s, sp.prec < 0 ? SIZE_MAX
							    : (size_t)sp.prec),
				     &sp);
			if (sp.zero)
				strbuf_addc(sb, '\0');
			break;
		case FMT_CHAR:
			c = (char)a->l;
			sp.prec = -1;
			fmt_put_text(sb, &c, 1, &sp);
			break;
		case FMT_BINARY:
			fmt_put_binary(sb, a->l, &sp);
			break;
		default:
			break;
		}
	}
}
