// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Why a second formatter: a printf job sends one record per event, and
 * the generic path (read every argument into a fmt_arg, format through
 * printf_fmt into a strbuf one digit at a time, fwrite under the stream
 * lock) cost the reader ~500 ns per record against ~150 ns for the
 * reference's fprintf. The common formats need none of that generality,
 * so each record descriptor is looked at once: when every conversion is
 * plain, it becomes a list of steps reading the ring buffer in place.
 *
 * The tables live here rather than in struct consumer so the consumer
 * needs only its one call; a process runs one compiled script, and a
 * different one (tests) rebuilds them.
 */
#define _GNU_SOURCE
#include "consumer_fast.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consumer.h"
#include "printf_fmt.h"

/* Longest output a fast record may produce (stack buffer). */
#define FAST_MAXLEN 4096

enum fast_op { FAST_LIT, FAST_DEC, FAST_UDEC, FAST_STR };

struct fast_step {
	enum fast_op op;
	uint32_t off;	  /* argument offset in the record */
	uint32_t size;	  /* FAST_STR: slot bytes */
	const char *text; /* FAST_LIT */
	size_t len;
};

struct fast_rec {
	struct fmt f; /* owns the literal texts */
	int nsteps;
	struct fast_step steps[2 * REC_MAXARGS + 2];
};

enum { FAST_UNTRIED, FAST_YES, FAST_NO };

static struct {
	const struct compiled *c;
	const struct rec_desc *descs;
	int nrecs;
	struct fast_rec **recs;
	unsigned char *state;
} fast;

static void fast_reset_tables(const struct compiled *c)
{
	for (int i = 0; i < fast.nrecs; i++) {
		if (fast.recs[i]) {
			fmt_free(&fast.recs[i]->f);
			free(fast.recs[i]);
		}
	}
	free(fast.recs);
	free(fast.state);
	fast.c = c;
	fast.descs = c->recs;
	fast.nrecs = c->nrecs;
	fast.recs = calloc(c->nrecs + 1, sizeof(*fast.recs));
	fast.state = calloc(c->nrecs + 1, 1);
	if (!fast.recs || !fast.state) {
		free(fast.recs);
		free(fast.state);
		fast.recs = NULL;
		fast.state = NULL;
		fast.nrecs = 0;
	}
}

static struct fast_step *fast_push(struct fast_rec *r, enum fast_op op)
{
	struct fast_step *s = &r->steps[r->nsteps++];

	memset(s, 0, sizeof(*s));
	s->op = op;
	return s;
}

/* A step reading argument i, or NULL when it is not of the wanted kind. */
static struct fast_step *fast_push_arg(struct fast_rec *r,
				       const struct rec_desc *d, int i,
				       enum fast_op op, size_t *maxlen)
{
	bool is_str = d->argtype[i] == T_STRING;
	struct fast_step *s;

	if (is_str != (op == FAST_STR))
		return NULL;
	s = fast_push(r, op);
	s->off = d->argoff[i];
	s->size = d->argsize[i];
	*maxlen += is_str ? d->argsize[i] : 20;
	return s;
}

static bool fast_plain(const struct fmt_seg *seg)
{
	return !seg->left && !seg->zero && !seg->plus && !seg->space &&
	       !seg->alt && seg->width == -1 && seg->prec == -1;
}

/* printf: literals and plain %d %i %u %s only. */
static bool fast_build_printf(struct fast_rec *r, const struct rec_desc *d,
			      int nargs, size_t *maxlen)
{
	const char *err = NULL;
	int pos = 0, ai = 0;

	if (fmt_parse(d->format ? d->format : "", &r->f, &err, &pos))
		return false;
	if (r->f.nargs > nargs || r->f.nsegs > 2 * REC_MAXARGS + 1)
		return false;
	for (int i = 0; i < r->f.nsegs; i++) {
		const struct fmt_seg *seg = &r->f.segs[i];
		struct fast_step *s;
		enum fast_op op;

		if (seg->conv == FMT_LITERAL) {
			s = fast_push(r, FAST_LIT);
			s->text = seg->text;
			s->len = seg->textlen;
			*maxlen += seg->textlen;
			continue;
		}
		if (!fast_plain(seg))
			return false;
		if (seg->conv == FMT_SIGNED)
			op = FAST_DEC;
		else if (seg->conv == FMT_UNSIGNED)
			op = FAST_UDEC;
		else if (seg->conv == FMT_STRING)
			op = FAST_STR;
		else
			return false;
		if (ai >= nargs || !fast_push_arg(r, d, ai++, op, maxlen))
			return false;
	}
	return true;
}

/* print/println: every argument as %lld or as its string. */
static bool fast_build_print(struct fast_rec *r, const struct rec_desc *d,
			     int nargs, size_t *maxlen)
{
	for (int i = 0; i < nargs; i++) {
		enum fast_op op = d->argtype[i] == T_STRING ? FAST_STR
							    : FAST_DEC;

		if (!fast_push_arg(r, d, i, op, maxlen))
			return false;
	}
	if (d->newline) {
		struct fast_step *s = fast_push(r, FAST_LIT);

		s->text = "\n";
		s->len = 1;
		*maxlen += 1;
	}
	return true;
}

static struct fast_rec *fast_build(const struct rec_desc *d)
{
	struct fast_rec *r = calloc(1, sizeof(*r));
	int nargs = d->nargs < REC_MAXARGS ? d->nargs : REC_MAXARGS;
	size_t maxlen = 0;
	bool ok = false;

	if (!r)
		return NULL;
	if (d->kind == REC_PRINTF)
		ok = fast_build_printf(r, d, nargs, &maxlen);
	else if (d->kind == REC_PRINT)
		ok = fast_build_print(r, d, nargs, &maxlen);
	if (ok && maxlen <= FAST_MAXLEN)
		return r;
	fmt_free(&r->f);
	free(r);
	return NULL;
}

/* Decimal digits of v, written so they end at end; returns the start. */
static char *fast_utoa(char *end, uint64_t v)
{
	static const char pairs[] =
		"00010203040506070809101112131415161718192021222324"
		"25262728293031323334353637383940414243444546474849"
		"50515253545556575859606162636465666768697071727374"
		"75767778798081828384858687888990919293949596979899";
	char *p = end;

	while (v >= 100) {
		unsigned i = (unsigned)(v % 100) * 2;

		v /= 100;
		*--p = pairs[i + 1];
		*--p = pairs[i];
	}
	if (v >= 10) {
		*--p = pairs[v * 2 + 1];
		*--p = pairs[v * 2];
	} else {
		*--p = (char)('0' + v);
	}
	return p;
}

static size_t fast_put_num(char *out, int64_t v, bool is_signed)
{
	char tmp[24], *end = tmp + sizeof(tmp), *p;
	uint64_t u = (uint64_t)v;
	bool neg = is_signed && v < 0;

	/* Unsigned negation: INT64_MIN stays 2^63. */
	p = fast_utoa(end, neg ? -u : u);
	if (neg)
		*--p = '-';
	memcpy(out, p, end - p);
	return end - p;
}

static size_t fast_run(const struct fast_rec *r, const uint8_t *rec,
		       char *out)
{
	size_t len = 0;

	for (int i = 0; i < r->nsteps; i++) {
		const struct fast_step *s = &r->steps[i];
		int64_t v;
		size_t n;

		switch (s->op) {
		case FAST_LIT:
			memcpy(out + len, s->text, s->len);
			len += s->len;
			break;
		case FAST_DEC:
		case FAST_UDEC:
			memcpy(&v, rec + s->off, sizeof(v));
			len += fast_put_num(out + len, v, s->op == FAST_DEC);
			break;
		case FAST_STR:
			/* NUL-terminated within the slot, or cut at its end
			 * (the ring buffer is read-only: never written). */
			n = strnlen((const char *)rec + s->off, s->size);
			memcpy(out + len, rec + s->off, n);
			len += n;
			break;
		}
	}
	return len;
}

bool consumer_fast_print(struct consumer *cs, uint32_t id,
			 const uint8_t *rec)
{
	char buf[FAST_MAXLEN];
	const struct fast_rec *r;
	size_t len;

	if (fast.c != cs->c || fast.descs != cs->c->recs ||
	    fast.nrecs != cs->c->nrecs)
		fast_reset_tables(cs->c);
	if (!fast.state || id >= (uint32_t)fast.nrecs)
		return false;
	if (fast.state[id] == FAST_UNTRIED) {
		fast.recs[id] = fast_build(&cs->c->recs[id]);
		fast.state[id] = fast.recs[id] ? FAST_YES : FAST_NO;
	}
	if (fast.state[id] != FAST_YES)
		return false;
	r = fast.recs[id];
	len = fast_run(r, rec, buf);
	if (len)
		fwrite_unlocked(buf, 1, len, cs->out);
	return true;
}
