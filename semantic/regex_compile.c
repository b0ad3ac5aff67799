// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ERE tree -> Thompson NFA -> the forward DFA, reverse DFA and back tables
 * described in regex.h, laid out in one blob the kernel maps as it is.
 */
#include "regex.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum nkind { N_SET, N_EPS, N_SPLIT, N_TAG, N_BOL, N_EOL, N_MATCH };

struct nstate {
	enum nkind kind;
	int out, out2;
	int tag;
	const uint64_t *set; /* N_SET: the tree node's bytes */
	int kid;	     /* kernel id or -1 */
};

struct nfa {
	struct nstate *st;
	int n, cap;
	int start;
	int *kstate; /* kernel id -> NFA state */
	int nkern;
	bool too_big;
};

static int nfa_add(struct nfa *a, enum nkind k, int out, int out2)
{
	if (a->n >= RX_MAXNFA) {
		a->too_big = true;
		return 0;
	}
	if (a->n == a->cap) {
		a->cap = a->cap ? 2 * a->cap : 64;
		a->st = realloc(a->st, a->cap * sizeof(*a->st));
		if (!a->st)
			abort();
	}
	a->st[a->n] = (struct nstate){ .kind = k, .out = out, .out2 = out2,
				       .kid = -1 };
	return a->n++;
}

/* Build n so that it continues to next; returns its entry. Built from the
 * end backwards (continuation style), so no patch lists are needed. With
 * rev the pattern is reversed: concatenations swap, ^ and $ swap, and
 * groups carry no tags. */
static int nfa_build(struct nfa *a, const struct rx_node *n, int next,
		     bool rev)
{
	int s, t;

	if (a->too_big)
		return next;
	switch (n->kind) {
	case RX_SET:
		s = nfa_add(a, N_SET, next, -1);
		a->st[s].set = n->set;
		return s;
	case RX_EMPTY:
		return next;
	case RX_BOL:
	case RX_EOL:
		return nfa_add(a, (n->kind == RX_BOL) != rev ? N_BOL : N_EOL,
			       next, -1);
	case RX_CAT:
		if (rev)
			return nfa_build(a, n->r, nfa_build(a, n->l, next, rev),
					 rev);
		return nfa_build(a, n->l, nfa_build(a, n->r, next, rev), rev);
	case RX_ALT: {
		int l = nfa_build(a, n->l, next, rev);
		int r = nfa_build(a, n->r, next, rev);

		return nfa_add(a, N_SPLIT, l, r);
	}
	case RX_GROUP:
		if (rev)
			return nfa_build(a, n->l, next, rev);
		t = nfa_add(a, N_TAG, next, -1);
		a->st[t].tag = 2 * (n->group - 1) + 1;
		s = nfa_add(a, N_TAG, nfa_build(a, n->l, t, rev), -1);
		a->st[s].tag = 2 * (n->group - 1);
		return s;
	case RX_REP:
		t = next;
		if (n->max < 0) {
			/* greedy loop: prefer another iteration. The body
			 * returns to a second split so that an empty
			 * iteration of a nullable body can still leave
			 * (the closure visits each state once): (a*)* on ""
			 * sets group 1 to (0,0) as POSIX says. */
			int loop = nfa_add(a, N_SPLIT, -1, next);
			int first = nfa_add(a, N_SPLIT, -1, next);

			int body = nfa_build(a, n->l, loop, rev);

			a->st[loop].out = body; /* a->st may have moved */
			body = nfa_build(a, n->l, loop, rev);
			a->st[first].out = body;
			/* after a mandatory copy (x+ is x x*) no empty
			 * iteration follows a real one, as glibc does */
			t = n->min ? loop : first;
		} else {
			for (int i = n->min; i < n->max && !a->too_big; i++)
				t = nfa_add(a, N_SPLIT,
					    nfa_build(a, n->l, t, rev), next);
		}
		for (int i = 0; i < n->min && !a->too_big; i++)
			t = nfa_build(a, n->l, t, rev);
		return t;
	}
	return next;
}

/* Kernel states: the start, then the targets of byte transitions in the
 * order a depth-first walk in priority order meets their bytes, so lower
 * ids belong to earlier parts of the pattern. */
static void nfa_number(struct nfa *a)
{
	int *stack = malloc((a->n + 1) * 2 * sizeof(int));
	char *seen = calloc(a->n + 1, 1);
	int sp = 0;

	if (!stack || !seen)
		abort();
	a->kstate = malloc((a->n + 1) * sizeof(int));
	if (!a->kstate)
		abort();
	a->st[a->start].kid = 0;
	a->kstate[0] = a->start;
	a->nkern = 1;
	stack[sp++] = a->start;
	while (sp) {
		int s = stack[--sp];
		struct nstate *st = &a->st[s];

		if (seen[s])
			continue;
		seen[s] = 1;
		if (st->kind == N_SET && a->st[st->out].kid < 0) {
			a->st[st->out].kid = a->nkern;
			a->kstate[a->nkern++] = st->out;
		}
		if (st->kind == N_MATCH)
			continue;
		if (st->kind == N_SPLIT && !seen[st->out2])
			stack[sp++] = st->out2;
		if (!seen[st->out])
			stack[sp++] = st->out;
	}
	free(stack);
	free(seen);
}

static bool set_has(const uint64_t *set, int c)
{
	return set[c >> 6] >> (c & 63) & 1;
}

/* ---- byte classes ---- */

static int classes_compute(const struct nfa *a, uint8_t *cls)
{
	int n = 1;

	memset(cls, 0, 256);
	for (int s = 0; s < a->n; s++) {
		int map[256][2];

		if (a->st[s].kind != N_SET)
			continue;
		for (int i = 0; i < n; i++)
			map[i][0] = map[i][1] = -1;
		{
			int nn = 0;

			for (int c = 0; c < 256; c++) {
				int in = set_has(a->st[s].set, c);
				int *m = &map[cls[c]][in];

				if (*m < 0)
					*m = nn++;
				cls[c] = (uint8_t)*m;
			}
			n = nn;
		}
	}
	return n;
}

/* ---- closures ---- */

struct walk {
	const struct nfa *a;
	int *stack;
	uint64_t *tags; /* per stack entry: tags crossed to get there */
	unsigned *mark; /* visit generation per NFA state */
	unsigned gen;
};

/* Walk the epsilon closure from NFA state s in priority order. visit(p,
 * tags) is called for each byte state and (with p = -1) for a match; it
 * returns true to stop. */
static bool closure_walk(struct walk *w, int s, bool bos, bool eos,
			 bool (*visit)(void *, int, uint64_t), void *arg)
{
	const struct nfa *a = w->a;
	int sp = 0;

	w->gen++;
	w->stack[sp] = s;
	w->tags[sp++] = 0;
	while (sp) {
		int q = w->stack[--sp];
		uint64_t t = w->tags[sp];
		const struct nstate *st = &a->st[q];

		if (w->mark[q] == w->gen)
			continue;
		w->mark[q] = w->gen;
		switch (st->kind) {
		case N_SET:
			if (visit(arg, q, t))
				return true;
			break;
		case N_MATCH:
			if (visit(arg, -1, t))
				return true;
			break;
		case N_SPLIT:
			w->stack[sp] = st->out2;
			w->tags[sp++] = t;
			w->stack[sp] = st->out;
			w->tags[sp++] = t;
			break;
		case N_TAG:
			t |= 1ull << st->tag;
			/* fallthrough */
		case N_EPS:
			w->stack[sp] = st->out;
			w->tags[sp++] = t;
			break;
		case N_BOL:
		case N_EOL:
			if ((st->kind == N_BOL && bos) ||
			    (st->kind == N_EOL && eos)) {
				w->stack[sp] = st->out;
				w->tags[sp++] = t;
			}
			break;
		}
	}
	return false;
}

/* ---- DFA construction over sets of kernel states ---- */

struct dfa {
	int nwords; /* words of a kernel set */
	uint64_t *sets; /* state i: nwords words, then flag word */
	int n, cap;
	int *hash;
	int hsize;
	uint16_t *trans;
	uint8_t *flags;
	bool too_big;
};

static uint64_t *dfa_set(const struct dfa *d, int i)
{
	return d->sets + (size_t)i * (d->nwords + 1);
}

static unsigned set_hash(const uint64_t *k, int nw)
{
	uint64_t h = 1469598103934665603ull;

	for (int i = 0; i <= nw; i++)
		h = (h ^ k[i]) * 1099511628211ull;
	return (unsigned)(h ^ h >> 32);
}

static int dfa_intern(struct dfa *d, const uint64_t *key)
{
	unsigned h = set_hash(key, d->nwords) & (d->hsize - 1);

	while (d->hash[h] >= 0) {
		if (!memcmp(dfa_set(d, d->hash[h]), key,
			    (d->nwords + 1) * sizeof(uint64_t)))
			return d->hash[h];
		h = (h + 1) & (d->hsize - 1);
	}
	if (d->n >= RX_MAXSTATES) {
		d->too_big = true;
		return 0;
	}
	if (d->n == d->cap) {
		d->cap *= 2;
		d->sets = realloc(d->sets, (size_t)d->cap * (d->nwords + 1) *
						   sizeof(uint64_t));
		if (!d->sets)
			abort();
	}
	memcpy(dfa_set(d, d->n), key, (d->nwords + 1) * sizeof(uint64_t));
	d->hash[h] = d->n;
	return d->n++;
}

struct step_arg {
	const struct nfa *a;
	uint64_t *next; /* kernel set being built */
	int cls;
	const uint8_t *classes;
	int c_byte; /* a byte of class cls */
	bool match;
};

static bool step_visit(void *arg, int p, uint64_t tags)
{
	struct step_arg *sa = arg;
	int k;

	(void)tags;
	if (p < 0) {
		sa->match = true;
		return false;
	}
	if (sa->c_byte >= 0 && set_has(sa->a->st[p].set, sa->c_byte)) {
		k = sa->a->st[sa->a->st[p].out].kid;
		sa->next[k >> 6] |= 1ull << (k & 63);
	}
	return false;
}

/* Build a DFA; unanchored adds the start to every state but the first
 * (the reverse scan looks for a match starting anywhere). The flag word
 * of a state is 1 for the state at the subject's edge. */
static void dfa_build(struct dfa *d, const struct nfa *a, struct walk *w,
		      const uint8_t *cls, int nclasses, bool unanchored,
		      int nstarts)
{
	uint64_t *key;
	int byte_of[256];

	d->nwords = (a->nkern + 63) / 64;
	d->cap = 64;
	d->sets = calloc((size_t)d->cap * (d->nwords + 1), sizeof(uint64_t));
	d->hsize = 2 * RX_MAXSTATES > 1024 ? 8192 : 1024;
	d->hash = malloc(d->hsize * sizeof(int));
	key = calloc(d->nwords + 1, sizeof(uint64_t));
	if (!d->sets || !d->hash || !key)
		abort();
	for (int i = 0; i < d->hsize; i++)
		d->hash[i] = -1;
	for (int c = 0; c < 256; c++)
		byte_of[c] = -1;
	for (int c = 255; c >= 1; c--)
		byte_of[cls[c]] = c;
	/* state 0: dead (empty set, flag 2 keeps it apart from others) */
	key[d->nwords] = 2;
	dfa_intern(d, key);
	/* the start states: flag 0, then 1 (at the edge) */
	for (int f = 0; f < nstarts; f++) {
		memset(key, 0, (d->nwords + 1) * sizeof(uint64_t));
		key[0] = 1;
		key[d->nwords] = (uint64_t)(nstarts == 1 ? 1 : f);
		dfa_intern(d, key);
	}
	for (int i = 1; i < d->n && !d->too_big; i++) {
		size_t row = (size_t)i * nclasses;

		d->trans = realloc(d->trans, (size_t)d->n * nclasses *
						     sizeof(uint16_t) +
						     nclasses * sizeof(uint16_t));
		d->flags = realloc(d->flags, d->n + 1);
		if (!d->trans || !d->flags)
			abort();
		d->flags[i] = 0;
		for (int end = 0; end < 2; end++) {
			struct step_arg sa = { .a = a, .next = key,
					       .c_byte = -1 };
			const uint64_t *ks = dfa_set(d, i);
			bool bos = ks[d->nwords] == 1;

			for (int k = 0; k < a->nkern && !sa.match; k++)
				if (ks[k >> 6] >> (k & 63) & 1)
					closure_walk(w, a->kstate[k], bos, end,
						     step_visit, &sa);
			if (sa.match)
				d->flags[i] |= end ? RX_ACC_END : RX_ACC;
		}
		for (int c = 0; c < nclasses; c++) {
			const uint64_t *ks;
			struct step_arg sa = { .a = a, .next = key, .cls = c,
					       .classes = cls,
					       .c_byte = byte_of[c] };
			bool empty = true;
			int to;

			memset(key, 0, (d->nwords + 1) * sizeof(uint64_t));
			if (sa.c_byte >= 0) {
				ks = dfa_set(d, i);
				for (int k = 0; k < a->nkern; k++)
					if (ks[k >> 6] >> (k & 63) & 1)
						closure_walk(w, a->kstate[k],
							     ks[d->nwords] == 1,
							     false, step_visit,
							     &sa);
			}
			if (unanchored)
				key[0] |= 1;
			for (int k = 0; k < d->nwords; k++)
				empty = empty && !key[k];
			to = empty ? 0 : dfa_intern(d, key);
			/* the DFA's storage may have moved */
			d->trans = realloc(d->trans,
					   ((size_t)d->n + 1) * nclasses *
						   sizeof(uint16_t));
			if (!d->trans)
				abort();
			d->trans[row + c] = (uint16_t)to;
		}
	}
	for (int c = 0; c < nclasses && d->trans; c++)
		d->trans[c] = 0;
	if (d->flags)
		d->flags[0] = 0;
	free(key);
}

static void dfa_free(struct dfa *d)
{
	free(d->sets);
	free(d->hash);
	free(d->trans);
	free(d->flags);
}

/* ---- back tables ---- */

struct back_arg {
	const struct nfa *a;
	uint64_t *row; /* back[(D * nkern + k') * nclasses + c] for this D */
	int nclasses;
	const uint8_t *cls;
	int k; /* kernel state the walk started from */
	bool want_match;
	uint64_t found;
	bool got;
};

static bool back_visit(void *arg, int p, uint64_t tags)
{
	struct back_arg *ba = arg;

	if (ba->want_match) {
		if (p >= 0)
			return false;
		ba->found = (uint64_t)ba->k | tags << RX_BACK_KSHIFT;
		ba->got = true;
		return true;
	}
	if (p < 0)
		return false;
	{
		int kn = ba->a->st[ba->a->st[p].out].kid;
		uint64_t *r = ba->row + (size_t)kn * ba->nclasses;

		for (int c = 1; c < 256; c++) {
			uint64_t *e = &r[ba->cls[c]];

			if (!set_has(ba->a->st[p].set, c) || (*e >> 63))
				continue;
			*e = 1ull << 63 | (uint64_t)ba->k |
			     tags << RX_BACK_KSHIFT;
		}
	}
	return false;
}

static void back_build(struct regex_prog *rp, const struct nfa *a,
		       struct walk *w, const struct dfa *d, uint64_t *back,
		       uint64_t *back_end)
{
	size_t per = (size_t)a->nkern * rp->nclasses;

	for (int i = 1; i < d->n; i++) {
		const uint64_t *ks = dfa_set(d, i);
		bool bos = ks[d->nwords] == 1;
		struct back_arg ba = { .a = a, .row = back + i * per,
				       .nclasses = rp->nclasses,
				       .cls = rp->blob + rp->off_class };

		/* lower kernel ids first: they win (see regex.h) */
		for (int k = 0; k < a->nkern; k++) {
			if (!(ks[k >> 6] >> (k & 63) & 1))
				continue;
			ba.k = k;
			closure_walk(w, a->kstate[k], bos, false, back_visit,
				     &ba);
		}
		for (int end = 0; end < 2; end++) {
			ba.want_match = true;
			ba.got = false;
			for (int k = 0; k < a->nkern && !ba.got; k++) {
				if (!(ks[k >> 6] >> (k & 63) & 1))
					continue;
				ba.k = k;
				closure_walk(w, a->kstate[k], bos, end,
					     back_visit, &ba);
			}
			back_end[i * 2 + end] = ba.got ? ba.found : 0;
		}
	}
	for (size_t i = 0; i < (size_t)d->n * per; i++)
		back[i] &= ~(1ull << 63);
}

/* ---- putting it together ---- */

static bool nfa_make(struct nfa *a, const struct rx_node *t, bool rev)
{
	int match = nfa_add(a, N_MATCH, -1, -1);

	a->start = nfa_build(a, t, match, rev);
	if (a->too_big)
		return false;
	nfa_number(a);
	return a->nkern < 65536;
}

static void walk_init(struct walk *w, const struct nfa *a)
{
	w->a = a;
	w->stack = malloc((a->n * 2 + 2) * sizeof(int));
	w->tags = malloc((a->n * 2 + 2) * sizeof(uint64_t));
	w->mark = calloc(a->n + 1, sizeof(unsigned));
	w->gen = 0;
	if (!w->stack || !w->tags || !w->mark)
		abort();
}

static void walk_fini(struct walk *w)
{
	free(w->stack);
	free(w->tags);
	free(w->mark);
}

static uint32_t align8(uint32_t v)
{
	return (v + 7) & ~7u;
}

static int prog_layout(struct regex_prog *rp, const uint8_t *cls,
		       const struct dfa *fwd, const struct dfa *rev)
{
	uint64_t off = 0, sz;

	rp->off_class = 0;
	off = 256;
	rp->off_fwd = (uint32_t)off;
	off = align8((uint32_t)(off + (uint64_t)fwd->n * rp->nclasses * 2));
	rp->off_fwd_flags = (uint32_t)off;
	off = align8((uint32_t)(off + fwd->n));
	rp->off_rev = (uint32_t)off;
	off = align8((uint32_t)(off + (uint64_t)rev->n * rp->nclasses * 2));
	rp->off_rev_flags = (uint32_t)off;
	off = align8((uint32_t)(off + rev->n));
	rp->off_back = (uint32_t)off;
	sz = (uint64_t)fwd->n * rp->nkern * rp->nclasses * 8;
	if (sz > RX_MAXBLOB)
		return -1;
	off += sz;
	rp->off_back_end = (uint32_t)off;
	off += (uint64_t)fwd->n * 2 * 8;
	if (off > RX_MAXBLOB)
		return -1;
	rp->blob_size = (uint32_t)off;
	rp->blob = calloc(1, off);
	if (!rp->blob)
		abort();
	memcpy(rp->blob, cls, 256);
	memcpy(rp->blob + rp->off_fwd, fwd->trans,
	       (size_t)fwd->n * rp->nclasses * 2);
	memcpy(rp->blob + rp->off_fwd_flags, fwd->flags, fwd->n);
	memcpy(rp->blob + rp->off_rev, rev->trans,
	       (size_t)rev->n * rp->nclasses * 2);
	memcpy(rp->blob + rp->off_rev_flags, rev->flags, rev->n);
	return 0;
}

static void err_set(struct regex_error *err, const char *msg)
{
	snprintf(err->msg, sizeof(err->msg), "%s", msg);
	err->pos = -1;
}

struct regex_prog *regex_compile(const char *pattern, struct regex_error *err)
{
	struct nfa fa = { 0 }, ra = { 0 };
	struct dfa fwd = { 0 }, rev = { 0 };
	struct walk fw, rw;
	struct regex_prog *rp = NULL;
	struct rx_node *t;
	uint8_t cls[256];
	int ngroups;

	t = regex_parse(pattern, &ngroups, err);
	if (!t)
		return NULL;
	if (!nfa_make(&fa, t, false) || !nfa_make(&ra, t, true)) {
		err_set(err, "regular expression too complex (too many "
			     "states; lower the repetition counts)");
		goto out;
	}
	rp = calloc(1, sizeof(*rp));
	if (!rp)
		abort();
	rp->pattern = strdup(pattern);
	rp->ngroups = ngroups + 1;
	rp->nclasses = classes_compute(&fa, cls);
	rp->nkern = fa.nkern;
	walk_init(&fw, &fa);
	walk_init(&rw, &ra);
	dfa_build(&fwd, &fa, &fw, cls, rp->nclasses, false, 2);
	dfa_build(&rev, &ra, &rw, cls, rp->nclasses, true, 1);
	if (fwd.too_big || rev.too_big ||
	    prog_layout(rp, cls, &fwd, &rev) < 0) {
		err_set(err, "regular expression too complex (its automaton "
			     "would be too large)");
		regex_free(rp);
		rp = NULL;
	} else {
		rp->nfwd = fwd.n;
		rp->nrev = rev.n;
		rp->fwd_start[0] = 1;
		rp->fwd_start[1] = 2;
		rp->rev_start = 1;
		back_build(rp, &fa, &fw,
			   &fwd, (uint64_t *)(rp->blob + rp->off_back),
			   (uint64_t *)(rp->blob + rp->off_back_end));
	}
	walk_fini(&fw);
	walk_fini(&rw);
	dfa_free(&fwd);
	dfa_free(&rev);
out:
	free(fa.st);
	free(fa.kstate);
	free(ra.st);
	free(ra.kstate);
	regex_tree_free(t);
	return rp;
}

void regex_free(struct regex_prog *rp)
{
	if (!rp)
		return;
	free((void *)rp->pattern);
	free(rp->blob);
	free(rp);
}
