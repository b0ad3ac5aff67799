// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * POSIX extended regular expressions to a tree (semantic/regex.h).
 *
 * Grammar: alternation of concatenations of atoms with postfix repeats
 * (* + ? {m} {m,} {m,n}); atoms are groups, bracket expressions with
 * ranges and [:class:] names, '.', anchors, escapes and plain bytes.
 * Besides POSIX, the escapes \d \s \w (and \D \S \W), \n \t \r \f \v
 * are understood, as stap's regex engine and glibc understand them.
 */
#include "regex.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RX_DUP_MAX 255

struct rx_parser {
	const unsigned char *p, *start;
	int ngroups;
	struct regex_error *err;
	bool failed;
};

static struct rx_node *rx_new(enum rx_kind k)
{
	struct rx_node *n = calloc(1, sizeof(*n));

	if (!n)
		abort();
	n->kind = k;
	return n;
}

void regex_tree_free(struct rx_node *n)
{
	if (!n)
		return;
	regex_tree_free(n->l);
	regex_tree_free(n->r);
	free(n);
}

static void rx_fail(struct rx_parser *ps, const char *msg)
{
	if (ps->failed)
		return;
	ps->failed = true;
	snprintf(ps->err->msg, sizeof(ps->err->msg), "%s", msg);
	ps->err->pos = (int)(ps->p - ps->start);
}

static void set_add(uint64_t *set, int c)
{
	set[c >> 6] |= 1ull << (c & 63);
}

static bool set_has(const uint64_t *set, int c)
{
	return set[c >> 6] >> (c & 63) & 1;
}

static const struct {
	const char *name;
	int (*fn)(int);
} rx_classes[] = {
	{ "alpha", isalpha }, { "digit", isdigit }, { "alnum", isalnum },
	{ "upper", isupper }, { "lower", islower }, { "space", isspace },
	{ "blank", isblank }, { "punct", ispunct }, { "print", isprint },
	{ "graph", isgraph }, { "cntrl", iscntrl }, { "xdigit", isxdigit },
};

/* Bytes of a named class in the C locale (stap's runtime has no other). */
static bool class_fill(uint64_t *set, const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(rx_classes) / sizeof(rx_classes[0]); i++) {
		if (strlen(rx_classes[i].name) != len ||
		    strncmp(rx_classes[i].name, name, len) != 0)
			continue;
		for (int c = 1; c < 128; c++)
			if (rx_classes[i].fn(c))
				set_add(set, c);
		return true;
	}
	return false;
}

/* \d \s \w and their complements; returns false for other letters. */
static bool escape_class(uint64_t *set, int c)
{
	uint64_t tmp[4] = { 0 };

	switch (tolower(c)) {
	case 'd':
		class_fill(tmp, "digit", 5);
		break;
	case 's':
		class_fill(tmp, "space", 5);
		break;
	case 'w':
		class_fill(tmp, "alnum", 5);
		set_add(tmp, '_');
		break;
	default:
		return false;
	}
	for (int i = 1; i < 256; i++)
		if (set_has(tmp, i) != (bool)isupper(c))
			set_add(set, i);
	return true;
}

static int escape_byte(int c)
{
	switch (c) {
	case 'n': return '\n';
	case 't': return '\t';
	case 'r': return '\r';
	case 'f': return '\f';
	case 'v': return '\v';
	default: return c;
	}
}

static struct rx_node *parse_bracket(struct rx_parser *ps)
{
	struct rx_node *n = rx_new(RX_SET);
	bool negate = false, first = true;

	if (*ps->p == '^') {
		negate = true;
		ps->p++;
	}
	for (;;) {
		int lo, hi;

		if (!*ps->p) {
			rx_fail(ps, "unmatched [ in bracket expression");
			return n;
		}
		if (*ps->p == ']' && !first)
			break;
		first = false;
		if (ps->p[0] == '[' && ps->p[1] == ':') {
			const char *name = (const char *)ps->p + 2;
			const char *end = strstr(name, ":]");

			if (!end || !class_fill(n->set, name, end - name)) {
				rx_fail(ps, "unknown character class name");
				return n;
			}
			ps->p = (const unsigned char *)end + 2;
			continue;
		}
		if (ps->p[0] == '[' && (ps->p[1] == '.' || ps->p[1] == '=')) {
			/* [.c.] and [=c=] of a single byte */
			int d = ps->p[1];

			if (!ps->p[2] || ps->p[3] != d || ps->p[4] != ']') {
				rx_fail(ps, "unsupported collating element");
				return n;
			}
			lo = ps->p[2];
			ps->p += 5;
		} else {
			lo = *ps->p++;
		}
		hi = lo;
		if (ps->p[0] == '-' && ps->p[1] && ps->p[1] != ']') {
			hi = ps->p[1];
			ps->p += 2;
			if (hi < lo) {
				rx_fail(ps, "invalid range end in bracket "
					    "expression");
				return n;
			}
		}
		for (int c = lo; c <= hi; c++)
			set_add(n->set, c);
	}
	ps->p++; /* ']' */
	if (negate)
		for (int i = 0; i < 4; i++)
			n->set[i] = ~n->set[i];
	n->set[0] &= ~1ull; /* never NUL */
	return n;
}

static struct rx_node *parse_alt(struct rx_parser *ps);

static struct rx_node *parse_atom(struct rx_parser *ps)
{
	struct rx_node *n;
	int c = *ps->p++;

	switch (c) {
	case '(':
		n = rx_new(RX_GROUP);
		n->group = ++ps->ngroups;
		n->l = parse_alt(ps);
		if (*ps->p != ')') {
			rx_fail(ps, "unmatched ( in regular expression");
			return n;
		}
		ps->p++;
		return n;
	case '[':
		return parse_bracket(ps);
	case '.':
		n = rx_new(RX_SET);
		memset(n->set, 0xff, sizeof(n->set));
		n->set[0] &= ~1ull;
		return n;
	case '^':
		return rx_new(RX_BOL);
	case '$':
		return rx_new(RX_EOL);
	case '\\':
		n = rx_new(RX_SET);
		c = *ps->p;
		if (!c) {
			rx_fail(ps, "trailing backslash in regular expression");
			return n;
		}
		ps->p++;
		if (!escape_class(n->set, c))
			set_add(n->set, escape_byte(c));
		return n;
	default:
		n = rx_new(RX_SET);
		set_add(n->set, c);
		return n;
	}
}

static int parse_count(struct rx_parser *ps)
{
	int v = 0;

	if (!isdigit(*ps->p))
		return -1;
	while (isdigit(*ps->p)) {
		v = v * 10 + (*ps->p++ - '0');
		if (v > RX_DUP_MAX)
			v = RX_DUP_MAX + 1;
	}
	return v;
}

/* {m}, {m,}, {m,n}; the '{' is consumed. */
static void parse_bounds(struct rx_parser *ps, struct rx_node *rep)
{
	rep->min = parse_count(ps);
	rep->max = rep->min;
	if (rep->min < 0) {
		rx_fail(ps, "invalid repetition count in { }");
		return;
	}
	if (*ps->p == ',') {
		ps->p++;
		rep->max = *ps->p == '}' ? -1 : parse_count(ps);
		if (rep->max == -1 && *ps->p != '}') {
			rx_fail(ps, "invalid repetition count in { }");
			return;
		}
	}
	if (*ps->p != '}') {
		rx_fail(ps, "unmatched { in regular expression");
		return;
	}
	ps->p++;
	if (rep->min > RX_DUP_MAX || rep->max > RX_DUP_MAX)
		rx_fail(ps, "repetition count larger than 255");
	else if (rep->max >= 0 && rep->max < rep->min)
		rx_fail(ps, "invalid repetition range: the maximum is smaller "
			    "than the minimum");
}

static struct rx_node *parse_repeat(struct rx_parser *ps)
{
	struct rx_node *n;

	if (*ps->p == '*' || *ps->p == '+' || *ps->p == '?' ||
	    *ps->p == '{') {
		rx_fail(ps, "repetition operator with nothing to repeat");
		return rx_new(RX_EMPTY);
	}
	n = parse_atom(ps);
	while (!ps->failed && (*ps->p == '*' || *ps->p == '+' ||
			       *ps->p == '?' || *ps->p == '{')) {
		struct rx_node *r = rx_new(RX_REP);
		int c = *ps->p++;

		r->l = n;
		r->min = c == '+';
		r->max = c == '?' ? 1 : -1;
		if (c == '{')
			parse_bounds(ps, r);
		n = r;
	}
	return n;
}

static struct rx_node *parse_cat(struct rx_parser *ps)
{
	struct rx_node *n = NULL;

	while (!ps->failed && *ps->p && *ps->p != '|' && *ps->p != ')') {
		struct rx_node *a = parse_repeat(ps);

		if (n) {
			struct rx_node *c = rx_new(RX_CAT);

			c->l = n;
			c->r = a;
			a = c;
		}
		n = a;
	}
	return n ? n : rx_new(RX_EMPTY);
}

static struct rx_node *parse_alt(struct rx_parser *ps)
{
	struct rx_node *n = parse_cat(ps);

	while (!ps->failed && *ps->p == '|') {
		struct rx_node *a = rx_new(RX_ALT);

		ps->p++;
		a->l = n;
		a->r = parse_cat(ps);
		n = a;
	}
	return n;
}

struct rx_node *regex_parse(const char *pattern, int *ngroups,
			    struct regex_error *err)
{
	struct rx_parser ps = { .p = (const unsigned char *)pattern,
				.start = (const unsigned char *)pattern,
				.err = err };
	struct rx_node *n = parse_alt(&ps);

	if (!ps.failed && *ps.p == ')')
		rx_fail(&ps, "unmatched ) in regular expression");
	if (!ps.failed && ps.ngroups > RX_MAXGROUPS)
		rx_fail(&ps, "too many groups ( ) in regular expression "
			     "(at most 23)");
	if (ps.failed) {
		regex_tree_free(n);
		return NULL;
	}
	*ngroups = ps.ngroups;
	return n;
}
