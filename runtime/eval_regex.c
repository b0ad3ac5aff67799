// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Regular expressions in user context: =~, !~, matched(), ngroups().
 *
 * regex_exec() runs the tables semantic/regex_compile.c built, with the
 * same three scans the kernel-context code (codegen/lower_regex.c) emits,
 * so both contexts agree by construction; libc's regex is never used.
 */
#include "eval_internal.h"

#include <stdlib.h>
#include <string.h>

#include "semantic/regex.h"

struct eval_rematch {
	bool ok;     /* the last =~ of this handler matched */
	int ngroups; /* with group 0 */
	int64_t tags[2 * (RX_MAXGROUPS + 1)];
	char *subject;
};

static uint16_t rx_u16(const struct regex_prog *rp, uint32_t off, size_t i)
{
	uint16_t v;

	memcpy(&v, rp->blob + off + 2 * i, 2);
	return v;
}

static uint64_t rx_u64(const struct regex_prog *rp, uint32_t off, size_t i)
{
	uint64_t v;

	memcpy(&v, rp->blob + off + 8 * i, 8);
	return v;
}

int regex_exec(const struct regex_prog *rp, const char *s, size_t len,
	       int64_t *tags)
{
	const uint8_t *cls = rp->blob + rp->off_class;
	const uint8_t *ff = rp->blob + rp->off_fwd_flags;
	const uint8_t *rf = rp->blob + rp->off_rev_flags;
	const unsigned char *u = (const unsigned char *)s;
	size_t nc = (size_t)rp->nclasses;
	int64_t start = -1, end = -1;
	uint16_t *trail, d, k;
	uint64_t ent, seen = 0;

	/* 1: leftmost start, scanning backwards with the reverse DFA */
	d = rp->rev_start;
	if (rf[d] & (len == 0 ? RX_ACC_END : RX_ACC))
		start = (int64_t)len;
	for (size_t j = len; j-- > 0;) {
		d = rx_u16(rp, rp->off_rev, d * nc + cls[u[j]]);
		if (rf[d] & (j == 0 ? RX_ACC_END : RX_ACC))
			start = (int64_t)j;
	}
	if (start < 0)
		return 0;

	/* 2: longest match from there, keeping the DFA states */
	trail = malloc((len - start + 1) * sizeof(*trail));
	if (!trail)
		abort();
	d = rp->fwd_start[start == 0];
	trail[0] = d;
	if (ff[d] & ((size_t)start == len ? RX_ACC_END : RX_ACC))
		end = start;
	for (size_t i = (size_t)start; i < len; i++) {
		d = rx_u16(rp, rp->off_fwd, d * nc + cls[u[i]]);
		if (!d)
			break;
		trail[i + 1 - start] = d;
		if (ff[d] & (i + 1 == len ? RX_ACC_END : RX_ACC))
			end = (int64_t)i + 1;
	}

	/* 3: submatch tags, walking the trail backwards */
	for (int t = 0; t < 2 * rp->ngroups; t++)
		tags[t] = -1;
	tags[0] = start;
	tags[1] = end;
	ent = rx_u64(rp, rp->off_back_end,
		     trail[end - start] * 2 + ((size_t)end == len));
	for (int64_t i = end;; i--) {
		uint64_t mask = ent >> RX_BACK_KSHIFT & ~seen;

		for (int t = 0; mask; t++, mask >>= 1)
			if (mask & 1)
				tags[2 + t] = i;
		seen |= ent >> RX_BACK_KSHIFT;
		k = (uint16_t)ent;
		if (i == start)
			break;
		ent = rx_u64(rp, rp->off_back,
			     ((size_t)trail[i - 1 - start] * rp->nkern + k) *
					     nc + cls[u[i - 1]]);
	}
	free(trail);
	/* a group whose close was never crossed did not take part */
	for (int g = 1; g < rp->ngroups; g++)
		if (tags[2 * g] < 0 || tags[2 * g + 1] < 0)
			tags[2 * g] = tags[2 * g + 1] = -1;
	return 1;
}

static struct eval_rematch *rematch_get(struct eval *ev)
{
	if (!ev->rematch) {
		ev->rematch = calloc(1, sizeof(*ev->rematch));
		if (!ev->rematch)
			abort();
	}
	return ev->rematch;
}

void eval_regex_reset(struct eval *ev)
{
	if (!ev->rematch)
		return;
	free(ev->rematch->subject);
	ev->rematch->subject = NULL;
	ev->rematch->ok = false;
}

void eval_regex_free(struct eval *ev)
{
	eval_regex_reset(ev);
	free(ev->rematch);
	ev->rematch = NULL;
}

void eval_regex_match(struct eval *ev, const struct node *n,
		      struct value *out)
{
	const struct regex_prog *rp = n->sem;
	struct eval_rematch *m;
	struct value subj = { 0 };
	const char *s;
	int ok;

	eval_expr(ev, n->a, &subj);
	if (ev->unwind || !rp) {
		value_free(&subj);
		return;
	}
	s = value_str(&subj);
	m = rematch_get(ev);
	ok = regex_exec(rp, s, strlen(s), m->tags);
	m->ok = ok;
	m->ngroups = rp->ngroups;
	free(m->subject);
	m->subject = subj.s ? subj.s : strdup("");
	subj.s = NULL;
	value_set_long(out, n->op == OP_MATCH ? ok : !ok);
}

/* matched(n) and ngroups(): what the handler's last =~ captured. */
void eval_regex_builtin(struct eval *ev, const struct node *n,
			struct value *out)
{
	struct eval_rematch *m = rematch_get(ev);
	int64_t g = 0;

	if (n->op == BI_MATCHED) {
		g = eval_long(ev, n->args);
		if (ev->unwind)
			return;
	}
	if (!m->ok) {
		if (n->op == BI_MATCHED)
			eval_fail(ev, n, "Attempted to get subexpression %lld "
					 "from failed match",
				  (long long)g);
		else
			eval_fail(ev, n, "Attempted to get number of groups "
					 "from failed match");
		return;
	}
	if (n->op == BI_NGROUPS) {
		value_set_long(out, m->ngroups);
		return;
	}
	if (g < 0 || g >= m->ngroups) {
		eval_fail(ev, n, "Attempted to get nonexistent subexpression "
				 "%lld",
			  (long long)g);
		return;
	}
	if (m->tags[2 * g] < 0) {
		eval_value_set_str(ev, out, "");
		return;
	}
	eval_value_take_str(ev, out,
			    strndup(m->subject + m->tags[2 * g],
				    (size_t)(m->tags[2 * g + 1] -
					     m->tags[2 * g])));
}
