// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Regular expressions in kernel context: BPF that runs the tables
 * semantic/regex_compile.c built (the three scans of semantic/regex.h,
 * the same algorithm as regex_exec() in runtime/eval_regex.c), reading
 * them from the read-only "etap_regex" map the loader fills before
 * attaching.
 *
 * The verifier walks a bounded loop once per iteration, and explores
 * both sides of every branch it cannot decide. So each scan's body is
 * branch-free (selects by masks, table indexes masked to a power of two
 * the map value is padded to), a loop leaves only at the subject's end
 * (or, forward, at the dead state), and whatever a later scan needs goes
 * through a scratch slot: reloaded, it is an unknown value, so the paths
 * that left the loop at different iterations are the same state again
 * and the verifier prunes them at once.
 *
 * The last match of a handler hit (ok flag, group count, tags, a copy
 * of the subject and the scan-2 trail) lives in scratch at a place fixed
 * for the handler, its flag cleared at handler start; matched(n) copies
 * its substring out of the subject copy.
 */
#include "lower_regex.h"

#include "codegen_kernel.h"

#include <stdlib.h>
#include <string.h>

#include "../parser/diag.h"
#include "../semantic/regex.h"

/* Array map values the kernel accepts (KMALLOC_MAX_SIZE on x86-64). */
#define RX_MAP_MAX (4u << 20)
#define RX_TAGSLOTS 64 /* >= 2 * (RX_MAXGROUPS + 1), a power of two */

/* Layout of the last-match state, from L->rx_state. */
enum {
	RX_OK = 0,    /* the last =~ matched */
	RX_NG = 8,    /* its groups, with group 0 */
	RX_LEN = 16,  /* subject length */
	RX_START = 24,
	RX_END = 32,
	RX_TAGS = 40, /* RX_TAGSLOTS longs: start/end of each group */
	RX_DIGITS = RX_TAGS + 8 * RX_TAGSLOTS, /* 24 bytes: a number's digits */
	RX_MSG = RX_DIGITS + 24, /* RX_MSGLEN bytes: an error message */
	RX_TRAIL = RX_MSG + 128, /* u16 per position, P of them */
	/* then the subject copy, P bytes */
};

enum { RX_NEED_STATE = 1, RX_NEED_MATCHED = 2 };

static uint64_t pow2_ceil(uint64_t n)
{
	uint64_t p = 1;

	while (p < n)
		p <<= 1;
	return p;
}

/* ---- which handlers use regular expressions ---- */

static int rx_need(const struct node *n, int depth)
{
	int need = 0;

	if (depth > 64)
		return 0;
	for (; n; n = n->next) {
		if (n->kind == E_REGEX)
			need |= RX_NEED_STATE;
		if (n->kind == E_CALL && !n->sym && n->op == BI_NGROUPS)
			need |= RX_NEED_STATE;
		if (n->kind == E_CALL && !n->sym && n->op == BI_MATCHED)
			need |= RX_NEED_STATE | RX_NEED_MATCHED;
		if (n->kind == E_CALL && n->sym && n->sym->fn)
			need |= rx_need(n->sym->fn->body, depth + 1);
		need |= rx_need(n->a, depth + 1) | rx_need(n->b, depth + 1) |
			rx_need(n->c, depth + 1) | rx_need(n->d, depth + 1) |
			rx_need(n->args, depth + 1);
	}
	return need;
}

bool lower_regex_used(const struct node *n)
{
	return rx_need(n, 0) != 0;
}

static int P_of(struct lower *L)
{
	return (int)pow2_ceil((uint64_t)lw_maxstr(L));
}

void lower_regex_begin(struct lower *L)
{
	int need = rx_need(L->rp->body, 0);
	int p;

	if (!need)
		return;
	L->rx_on = true;
	L->rx_matched = need & RX_NEED_MATCHED;
	L->rx_state = lw_scratch_alloc(L, RX_TRAIL + 3 * P_of(L),
				       L->rp->body->loc);
	p = lw_scratch_ptr(L, L->rx_state);
	ir_comment(L->f, "regex: no match yet in this hit");
	ir_store_imm(L->f, 8, p, RX_OK, 0);
}

/* ---- emission helpers ---- */

struct rxe {
	struct lower *L;
	struct ir_func *f;
	const struct regex_prog *rp;
	int tbl;       /* vreg: the etap_regex value */
	int pm;	       /* subject positions are masked with this */
	int32_t st;    /* scratch offset of the state */
};

static int rx_vr(struct rxe *x)
{
	return lw_vr(x->L);
}

static int rx_mov(struct rxe *x, int src)
{
	int r = rx_vr(x);

	ir_mov_reg(x->f, r, src);
	return r;
}

static int rx_const(struct rxe *x, int64_t v)
{
	return lw_imm(x->L, v);
}

/* 1 if x == 0, else 0, for 0 <= x < 2^63, without a branch. */
static int rx_is_zero(struct rxe *x, int v)
{
	int r = rx_mov(x, v);

	ir_alu_imm(x->f, BPF_SUB, r, 1);
	ir_alu_imm(x->f, BPF_RSH, r, 63);
	return r;
}

/* dst = bit ? v : dst (bit is 0 or 1), without a branch. */
static void rx_select(struct rxe *x, int dst, int bit, int v)
{
	int m = rx_mov(x, bit), t = rx_mov(x, dst);

	ir_alu_imm(x->f, BPF_NEG, m, 0);
	ir_alu_reg(x->f, BPF_XOR, t, v);
	ir_alu_reg(x->f, BPF_AND, t, m);
	ir_alu_reg(x->f, BPF_XOR, dst, t);
}

/* Load size bytes of table entry idx (entries of size bytes, n of them:
 * idx is masked to the power of two above n, which the map is padded
 * to hold). */
static int rx_table(struct rxe *x, uint32_t off, int size, uint64_t n,
		    int idx)
{
	int i = rx_mov(x, idx), p = rx_mov(x, x->tbl), r = rx_vr(x);

	ir_alu_imm(x->f, BPF_AND, i, (int32_t)(pow2_ceil(n) - 1));
	if (size > 1)
		ir_alu_imm(x->f, BPF_LSH, i, size == 2 ? 1 : 3);
	ir_alu_imm(x->f, BPF_ADD, p, (int32_t)(x->rp->map_off + off));
	ir_alu_reg(x->f, BPF_ADD, p, i);
	ir_load(x->f, size, r, p, 0);
	return r;
}

/* A state field at byte off + scale * idx (idx masked with mask). */
static int rx_state_ptr(struct rxe *x, int idx, int32_t mask, int shift)
{
	int p = rx_mov(x, x->L->scratch);

	if (idx >= 0) {
		int i = rx_mov(x, idx);

		ir_alu_imm(x->f, BPF_AND, i, mask);
		if (shift)
			ir_alu_imm(x->f, BPF_LSH, i, shift);
		ir_alu_reg(x->f, BPF_ADD, p, i);
	}
	return p;
}

static int rx_load_slot(struct rxe *x, int slot)
{
	int r = rx_vr(x);

	ir_load(x->f, 8, r, x->L->scratch, (int16_t)(x->st + slot));
	return r;
}

static void rx_store_slot(struct rxe *x, int slot, int v)
{
	ir_store_reg(x->f, 8, x->L->scratch, (int16_t)(x->st + slot), v);
}

/* Byte class of subject byte at position pos. */
static int rx_class_at(struct rxe *x, int pos)
{
	int p = rx_state_ptr(x, pos, x->pm, 0), b = rx_vr(x);

	ir_load(x->f, 1, b, p, (int16_t)(x->st + RX_TRAIL + 2 * (x->pm + 1)));
	return rx_table(x, x->rp->off_class, 1, 256, b);
}

/* d = next DFA state from d on class c. */
static void rx_step(struct rxe *x, int d, int c, uint32_t off, int nstates)
{
	int i = rx_mov(x, d), n;

	ir_alu_imm(x->f, BPF_MUL, i, x->rp->nclasses);
	ir_alu_reg(x->f, BPF_ADD, i, c);
	n = rx_table(x, off, 2, (uint64_t)nstates * x->rp->nclasses, i);
	ir_mov_reg(x->f, d, n);
}

/* 1 if state d's flags accept here: RX_ACC, or RX_ACC_END when at_end. */
static int rx_accepts(struct rxe *x, uint32_t off, int nstates, int d,
		      int at_end)
{
	int f = rx_table(x, off, 1, (uint64_t)nstates, d);

	ir_alu_reg(x->f, BPF_RSH, f, at_end);
	ir_alu_imm(x->f, BPF_AND, f, 1);
	return f;
}

/* The loop frame: n counts iterations from 0; the loop ends when n
 * reaches the subject's power of two (which the verifier sees) or when
 * the scan's own condition sends it to out. */
static void rx_loop_head(struct rxe *x, int n, int head, int out)
{
	ir_label_place(x->f, head);
	ir_jcond_imm(x->f, BPF_JGE, n, x->pm + 1, out);
}

/* Stay in the loop when a op b, else leave to out. The verifier follows
 * the fall-through first and keeps the jump's target for later: the
 * way out falls through, so it is explored (and the paths after the
 * loop recorded) while only one pending state per loop waits, instead
 * of one per iteration (it allows 8192 in all). */
static void rx_stay_if(struct rxe *x, int op, int a, int b, bool b_imm,
		       int out)
{
	int stay = ir_label_new(x->f);

	if (b_imm)
		ir_jcond_imm(x->f, op, a, b, stay);
	else
		ir_jcond_reg(x->f, op, a, b, stay);
	ir_jmp(x->f, out);
	ir_label_place(x->f, stay);
}

static void rx_loop_tail(struct rxe *x, int n, int head)
{
	ir_alu_imm(x->f, BPF_ADD, n, 1);
	ir_jmp(x->f, head);
}

/* ---- the three scans ---- */

/* 1: the reverse DFA from the end; start = lowest accepting position. */
static void rx_scan_reverse(struct rxe *x)
{
	const struct regex_prog *rp = x->rp;
	struct ir_func *f = x->f;
	uint8_t f0 = rp->blob[rp->off_rev_flags + rp->rev_start];
	int len = rx_load_slot(x, RX_LEN);
	int start = rx_const(x, -1), acc = rx_const(x, f0);
	int d = rx_const(x, rp->rev_start), n = rx_const(x, 0);
	int head = ir_label_new(f), out = ir_label_new(f);
	int j, c;

	ir_comment(f, "regex /%s/ scan 1: reverse DFA, leftmost start",
		   rp->pattern);
	ir_alu_reg(f, BPF_RSH, acc, rx_is_zero(x, len));
	ir_alu_imm(f, BPF_AND, acc, 1);
	rx_select(x, start, acc, len);
	rx_loop_head(x, n, head, out);
	rx_stay_if(x, BPF_JLT, n, len, false, out);
	j = rx_mov(x, len);
	ir_alu_imm(f, BPF_SUB, j, 1);
	ir_alu_reg(f, BPF_SUB, j, n);
	ir_alu_imm(f, BPF_AND, j, x->pm);
	c = rx_class_at(x, j);
	rx_step(x, d, c, rp->off_rev, rp->nrev);
	acc = rx_accepts(x, rp->off_rev_flags, rp->nrev, d, rx_is_zero(x, j));
	rx_select(x, start, acc, j);
	rx_loop_tail(x, n, head);
	ir_label_place(f, out);
	rx_store_slot(x, RX_START, start);
}

/* 2: the forward DFA from start; end = last accepting position, the
 * state at each position kept in the trail. */
static void rx_scan_forward(struct rxe *x)
{
	const struct regex_prog *rp = x->rp;
	struct ir_func *f = x->f;
	int len = rx_load_slot(x, RX_LEN), start = rx_load_slot(x, RX_START);
	int d = rx_const(x, rp->fwd_start[0]), end = rx_const(x, -1);
	int n = rx_const(x, 0), i = rx_vr(x);
	int head = ir_label_new(f), out = ir_label_new(f);
	int t, c, p, i1, acc;

	ir_comment(f, "regex /%s/ scan 2: forward DFA, longest end",
		   rp->pattern);
	ir_alu_imm(f, BPF_AND, start, x->pm);
	rx_select(x, d, rx_is_zero(x, start), rx_const(x, rp->fwd_start[1]));
	p = rx_state_ptr(x, -1, 0, 0);
	ir_store_reg(f, 2, p, (int16_t)(x->st + RX_TRAIL), d);
	t = rx_mov(x, start);
	ir_alu_reg(f, BPF_XOR, t, len);
	acc = rx_accepts(x, rp->off_fwd_flags, rp->nfwd, d, rx_is_zero(x, t));
	rx_select(x, end, acc, start);
	rx_loop_head(x, n, head, out);
	ir_mov_reg(f, i, start);
	ir_alu_reg(f, BPF_ADD, i, n);
	rx_stay_if(x, BPF_JLT, i, len, false, out);
	c = rx_class_at(x, i);
	rx_step(x, d, c, rp->off_fwd, rp->nfwd);
	rx_stay_if(x, BPF_JNE, d, 0, true, out);
	t = rx_mov(x, n);
	ir_alu_imm(f, BPF_ADD, t, 1);
	p = rx_state_ptr(x, t, x->pm, 1);
	ir_store_reg(f, 2, p, (int16_t)(x->st + RX_TRAIL), d);
	i1 = rx_mov(x, i);
	ir_alu_imm(f, BPF_ADD, i1, 1);
	t = rx_mov(x, i1);
	ir_alu_reg(f, BPF_XOR, t, len);
	acc = rx_accepts(x, rp->off_fwd_flags, rp->nfwd, d, rx_is_zero(x, t));
	rx_select(x, end, acc, i1);
	rx_loop_tail(x, n, head);
	ir_label_place(f, out);
	rx_store_slot(x, RX_END, end);
}

/* 3: the submatch tags, walking the trail back from end to start with
 * the back table; a tag takes the first position seen (its last one
 * going forward). */
static void rx_scan_back(struct rxe *x)
{
	const struct regex_prog *rp = x->rp;
	struct ir_func *f = x->f;
	int ntags = 2 * (rp->ngroups - 1);
	int len = rx_load_slot(x, RX_LEN), start = rx_load_slot(x, RX_START);
	int end = rx_load_slot(x, RX_END);
	int q, t, p, ent, seen, n, head, out, i, m, k, c;
	uint64_t nback = (uint64_t)rp->nfwd * rp->nkern * rp->nclasses;

	ir_comment(f, "regex /%s/ scan 3: submatch tags from the back table",
		   rp->pattern);
	ir_alu_imm(f, BPF_AND, start, x->pm);
	ir_alu_imm(f, BPF_AND, end, x->pm);
	p = rx_state_ptr(x, -1, 0, 0);
	ir_store_reg(f, 8, p, (int16_t)(x->st + RX_TAGS), start);
	ir_store_reg(f, 8, p, (int16_t)(x->st + RX_TAGS + 8), end);
	for (int g = 0; g < ntags; g++)
		ir_store_imm(f, 8, p, (int16_t)(x->st + RX_TAGS + 16 + 8 * g),
			     -1);
	q = rx_mov(x, end);
	ir_alu_reg(f, BPF_SUB, q, start);
	ir_alu_imm(f, BPF_AND, q, x->pm);
	p = rx_state_ptr(x, q, x->pm, 1);
	t = rx_vr(x);
	ir_load(f, 2, t, p, (int16_t)(x->st + RX_TRAIL));
	ir_alu_imm(f, BPF_LSH, t, 1);
	m = rx_mov(x, end);
	ir_alu_reg(f, BPF_XOR, m, len);
	ir_alu_reg(f, BPF_ADD, t, rx_is_zero(x, m));
	ent = rx_vr(x);
	ir_mov_reg(f, ent, rx_table(x, rp->off_back_end, 8,
				    (uint64_t)rp->nfwd * 2, t));
	seen = rx_const(x, 0);
	n = rx_const(x, 0);
	i = rx_vr(x);
	head = ir_label_new(f);
	out = ir_label_new(f);
	rx_loop_head(x, n, head, out);
	/* i = end - n, the position this entry describes */
	ir_mov_reg(f, i, end);
	ir_alu_reg(f, BPF_SUB, i, n);
	m = rx_mov(x, ent);
	ir_alu_imm(f, BPF_RSH, m, RX_BACK_KSHIFT);
	t = rx_mov(x, seen);
	ir_alu_imm(f, BPF_XOR, t, -1);
	ir_alu_reg(f, BPF_AND, t, m);
	ir_alu_reg(f, BPF_OR, seen, m);
	p = rx_state_ptr(x, -1, 0, 0);
	for (int g = 0; g < ntags; g++) {
		int16_t off = (int16_t)(x->st + RX_TAGS + 16 + 8 * g);
		int bit = rx_mov(x, t), old = rx_vr(x);

		if (g)
			ir_alu_imm(f, BPF_RSH, bit, g);
		ir_alu_imm(f, BPF_AND, bit, 1);
		ir_load(f, 8, old, p, off);
		rx_select(x, old, bit, i);
		ir_store_reg(f, 8, p, off, old);
	}
	rx_stay_if(x, BPF_JLT, n, q, false, out);
	k = rx_mov(x, ent);
	ir_alu_imm(f, BPF_AND, k, 0xffff);
	/* the state at i - 1 is trail[q - n - 1]; byte i - 1 leads to i */
	t = rx_mov(x, q);
	ir_alu_reg(f, BPF_SUB, t, n);
	ir_alu_imm(f, BPF_SUB, t, 1);
	p = rx_state_ptr(x, t, x->pm, 1);
	t = rx_vr(x);
	ir_load(f, 2, t, p, (int16_t)(x->st + RX_TRAIL));
	m = rx_mov(x, i);
	ir_alu_imm(f, BPF_SUB, m, 1);
	c = rx_class_at(x, m);
	ir_alu_imm(f, BPF_MUL, t, rp->nkern);
	ir_alu_reg(f, BPF_ADD, t, k);
	ir_alu_imm(f, BPF_MUL, t, rp->nclasses);
	ir_alu_reg(f, BPF_ADD, t, c);
	ir_mov_reg(f, ent, rx_table(x, rp->off_back, 8, nback, t));
	rx_loop_tail(x, n, head);
	ir_label_place(f, out);
}

/* The etap_regex value, or a jump to fail (it always exists). */
static int rx_lookup_table(struct lower *L, int fail)
{
	int zoff = ir_stack_alloc(L->f, 8, 8), zp = lw_vr(L), r = lw_vr(L);

	ir_store_imm(L->f, 4, IR_FP, (int16_t)zoff, 0);
	ir_mov_reg(L->f, zp, IR_FP);
	ir_alu_imm(L->f, BPF_ADD, zp, zoff);
	ir_ld_map(L->f, IR_R1, L->sh->out->map_regex);
	ir_mov_reg(L->f, IR_R2, zp);
	ir_call_helper(L->f, BPF_FUNC_map_lookup_elem);
	ir_mov_reg(L->f, r, IR_R0);
	ir_jcond_imm(L->f, BPF_JEQ, r, 0, fail);
	return r;
}

struct val lower_regex_match(struct lower *L, struct node *e)
{
	const struct regex_prog *rp = e->sem;
	struct val s = lw_expr(L, e->a);
	struct rxe x = { .L = L, .f = L->f, .rp = rp };
	int res = lw_vr(L), nomatch, done, len, m, start, p;

	if (!rp || !L->rx_on || L->sh->out->map_regex < 0) {
		lw_fail(L, e, "this regular expression match", NULL);
		return (struct val){ .type = T_LONG, .reg = lw_imm(L, 0) };
	}
	x.pm = P_of(L) - 1;
	x.st = (int32_t)L->rx_state;
	nomatch = ir_label_new(L->f);
	done = ir_label_new(L->f);
	ir_set_loc(L->f, e->loc);
	ir_comment(L->f, "regex /%s/: copy the subject, its length",
		   rp->pattern);
	p = rx_state_ptr(&x, -1, 0, 0);
	ir_store_imm(L->f, 8, p, (int16_t)(x.st + RX_NG), rp->ngroups);
	ir_store_imm(L->f, 8, p, (int16_t)(x.st + RX_OK), 0);
	m = lw_scratch_ptr(L, L->rx_state + RX_TRAIL + 2 * (x.pm + 1));
	len = lw_call(L, BPF_FUNC_probe_read_kernel_str, m,
		      lw_imm(L, lw_maxstr(L)), s.reg, -1);
	/* len - 1, 0 when the copy failed: no branch */
	ir_alu_imm(L->f, BPF_SUB, len, 1);
	m = rx_mov(&x, len);
	ir_alu_imm(L->f, BPF_ARSH, m, 63);
	ir_alu_imm(L->f, BPF_XOR, m, -1);
	ir_alu_reg(L->f, BPF_AND, len, m);
	ir_alu_imm(L->f, BPF_AND, len, x.pm);
	rx_store_slot(&x, RX_LEN, len);
	x.tbl = rx_lookup_table(L, nomatch);
	rx_scan_reverse(&x);
	start = rx_load_slot(&x, RX_START);
	ir_jcond_imm(L->f, BPF_JSLT, start, 0, nomatch);
	if (L->rx_matched) {
		rx_scan_forward(&x);
		rx_scan_back(&x);
	}
	p = rx_state_ptr(&x, -1, 0, 0);
	ir_store_imm(L->f, 8, p, (int16_t)(x.st + RX_OK), 1);
	ir_mov_imm(L->f, res, e->op == OP_MATCH);
	ir_jmp(L->f, done);
	ir_label_place(L->f, nomatch);
	ir_mov_imm(L->f, res, e->op != OP_MATCH);
	ir_label_place(L->f, done);
	return (struct val){ .type = T_LONG, .reg = res };
}

/* Store the bytes of s (and its NUL) at p + off. */
static void rx_put_text(struct lower *L, int p, int off, const char *s)
{
	size_t n = strlen(s);

	for (size_t i = 0; i <= n; i++)
		ir_store_imm(L->f, 1, p, (int16_t)(off + i), (uint8_t)s[i]);
}

/* pre, the decimal v, post: in the state's message area (no sprintf
 * buffers: a handler may call matched() many times). */
static int rx_message(struct rxe *x, const char *pre, int v,
		      const char *post)
{
	struct ir_func *f = x->f;
	int plen = (int)strlen(pre);
	int msg = rx_state_ptr(x, -1, 0, 0), u = rx_mov(x, v);
	int sign = rx_const(x, 0), k = rx_const(x, 23), dig = rx_vr(x);
	int loop = ir_label_new(f), pos_l = ir_label_new(f);
	int out = ir_label_new(f);
	int p, n;

	ir_alu_imm(f, BPF_ADD, msg, x->st + RX_MSG);
	rx_put_text(x->L, msg, 0, pre);
	ir_jcond_imm(f, BPF_JSGE, u, 0, pos_l);
	ir_store_imm(f, 1, msg, (int16_t)plen, '-');
	ir_alu_imm(f, BPF_NEG, u, 0);
	ir_mov_imm(f, sign, 1);
	ir_label_place(f, pos_l);
	/* digits backwards into RX_DIGITS[k]; unsigned, so INT64_MIN works */
	ir_label_place(f, loop);
	ir_mov_reg(f, dig, u);
	ir_alu_imm(f, BPF_MOD, dig, 10);
	ir_alu_imm(f, BPF_ADD, dig, '0');
	p = rx_state_ptr(x, k, 31, 0);
	ir_store_reg(f, 1, p, (int16_t)(x->st + RX_DIGITS), dig);
	ir_alu_imm(f, BPF_DIV, u, 10);
	ir_alu_imm(f, BPF_SUB, k, 1);
	ir_jcond_imm(f, BPF_JEQ, u, 0, out);
	ir_jcond_imm(f, BPF_JSGT, k, 3, loop);
	ir_label_place(f, out);
	/* copy the 23 - k digits after the sign */
	ir_alu_imm(f, BPF_AND, k, 31);
	n = rx_const(x, 23);
	ir_alu_reg(f, BPF_SUB, n, k);
	ir_alu_imm(f, BPF_AND, n, 31);
	ir_alu_imm(f, BPF_AND, sign, 1);
	p = rx_mov(x, msg);
	ir_alu_imm(f, BPF_ADD, p, plen);
	ir_alu_reg(f, BPF_ADD, p, sign);
	{
		int src = rx_state_ptr(x, k, 31, 0);

		ir_alu_imm(f, BPF_ADD, src, x->st + RX_DIGITS + 1);
		lw_call(x->L, BPF_FUNC_probe_read_kernel, p, n, src, -1);
	}
	ir_alu_reg(f, BPF_ADD, p, n);
	rx_put_text(x->L, p, 0, post);
	return msg;
}

/* A runtime error whose message carries the number v, as the user-context
 * runner words it: caught by an enclosing try, else reported at e. */
static void rx_error_num(struct lower *L, struct node *e, const char *pre,
			 int v, const char *post)
{
	struct rxe x = { .L = L, .f = L->f, .st = (int32_t)L->rx_state };
	struct val msg = { .type = T_STRING, .reg = rx_message(&x, pre, v,
								post) };
	int size = 128;
	struct rec_desc d = { .kind = REC_ERROR, .probe_name = L->rp->name,
			      .loc = e->loc, .nargs = 1 };
	int id, rec, fail, done, dst;

	if (L->catch_label >= 0) {
		if (L->catch_msg >= 0)
			lw_str_copy(L, L->catch_msg, lw_maxstr(L), msg.reg);
		ir_jcond_imm(L->f, BPF_JNE, lw_imm(L, 1), 0, L->catch_label);
		return;
	}
	d.argtype[0] = T_STRING;
	d.argoff[0] = sizeof(struct rec_hdr);
	d.argsize[0] = (uint32_t)size;
	d.size = d.argoff[0] + d.argsize[0];
	id = lower_add_rec(L->sh, &d);
	done = ir_label_new(L->f);
	lw_gd_atomic_inc(L, GD_ERRORS);
	rec = lw_rb_reserve(L, d.size, id, &fail);
	dst = lw_vr(L);
	ir_mov_reg(L->f, dst, rec);
	ir_alu_imm(L->f, BPF_ADD, dst, (int32_t)d.argoff[0]);
	lw_str_copy(L, dst, size, msg.reg);
	lw_rb_commit(L, rec);
	lw_rb_drop(L, fail, done);
	/* opaque: code after the call stays reachable for the verifier */
	ir_jcond_imm(L->f, BPF_JNE, lw_imm(L, 1), 0, L->exit_label);
}

static struct val rx_matched(struct lower *L, struct node *e)
{
	struct val g = lw_expr(L, e->args);
	struct rxe x = { .L = L, .f = L->f };
	int M = lw_maxstr(L), ok, ng, p, s, en, size, dst, err, bad, done;

	x.pm = P_of(L) - 1;
	x.st = (int32_t)L->rx_state;
	ir_set_loc(L->f, e->loc);
	ir_comment(L->f, "matched(): a group of the last match");
	err = ir_label_new(L->f);
	bad = ir_label_new(L->f);
	done = ir_label_new(L->f);
	ok = rx_load_slot(&x, RX_OK);
	ir_jcond_imm(L->f, BPF_JEQ, ok, 0, err);
	ng = rx_load_slot(&x, RX_NG);
	ir_jcond_imm(L->f, BPF_JSLT, g.reg, 0, bad);
	ir_jcond_reg(L->f, BPF_JSGE, g.reg, ng, bad);
	dst = lw_scratch_ptr(L, lw_scratch_alloc(L, (uint32_t)M, e->loc));
	ir_store_imm(L->f, 1, dst, 0, 0);
	p = rx_state_ptr(&x, g.reg, RX_TAGSLOTS / 2 - 1, 4);
	s = rx_vr(&x);
	en = rx_vr(&x);
	ir_load(L->f, 8, s, p, (int16_t)(x.st + RX_TAGS));
	ir_load(L->f, 8, en, p, (int16_t)(x.st + RX_TAGS + 8));
	/* a group that did not take part: "" */
	ir_jcond_imm(L->f, BPF_JSLT, s, 0, done);
	ir_jcond_imm(L->f, BPF_JSLT, en, 0, done);
	size = rx_mov(&x, en);
	ir_alu_reg(L->f, BPF_SUB, size, s);
	ir_alu_imm(L->f, BPF_ADD, size, 1);
	ir_jcond_imm(L->f, BPF_JGT, size, M, done);
	p = rx_state_ptr(&x, s, x.pm, 0);
	ir_alu_imm(L->f, BPF_ADD, p, x.st + RX_TRAIL + 2 * (x.pm + 1));
	lw_call(L, BPF_FUNC_probe_read_kernel_str, dst, size, p, -1);
	ir_jmp(L->f, done);
	ir_label_place(L->f, err);
	rx_error_num(L, e, "Attempted to get subexpression ", g.reg,
		     " from failed match");
	ir_jmp(L->f, done);
	ir_label_place(L->f, bad);
	rx_error_num(L, e, "Attempted to get nonexistent subexpression ",
		     g.reg, "");
	ir_label_place(L->f, done);
	return (struct val){ .type = T_STRING, .reg = dst, .strmax = M };
}

static struct val rx_ngroups(struct lower *L, struct node *e)
{
	struct rxe x = { .L = L, .f = L->f, .st = (int32_t)L->rx_state };
	int ok = rx_load_slot(&x, RX_OK), ng, fine = ir_label_new(L->f);

	ir_jcond_imm(L->f, BPF_JNE, ok, 0, fine);
	lw_emit_error(L, e->loc,
		      "Attempted to get number of groups from failed match");
	ir_label_place(L->f, fine);
	ng = rx_load_slot(&x, RX_NG);
	return (struct val){ .type = T_LONG, .reg = ng };
}

bool lower_regex_builtin(struct lower *L, struct node *e, struct val *out)
{
	if (e->op != BI_MATCHED && e->op != BI_NGROUPS)
		return false;
	if (!L->rx_on) {
		lw_fail(L, e, "this function", NULL);
		*out = (struct val){ .type = e->type, .reg = lw_imm(L, 0) };
		return true;
	}
	*out = e->op == BI_MATCHED ? rx_matched(L, e) : rx_ngroups(L, e);
	return true;
}

/* ---- the etap_regex map ---- */

static uint64_t rx_table_end(uint32_t off, int size, uint64_t n)
{
	return off + (uint64_t)size * pow2_ceil(n);
}

int codegen_regex_plan(const struct program *p, struct compiled *c,
		       int first)
{
	uint64_t off = 0, need = 0;
	bool any = false;

	c->map_regex = -1;
	for (const struct rprobe *rp = p->probes; rp; rp = rp->next)
		any |= rp->kernel && lower_regex_used(rp->body);
	if (!any || !p->nregexes)
		return 0;
	for (int i = 0; i < p->nregexes; i++) {
		struct regex_prog *r = p->regexes[i];
		uint64_t nf = (uint64_t)r->nfwd, nc = (uint64_t)r->nclasses;
		uint64_t ends[] = {
			rx_table_end(r->off_class, 1, 256),
			rx_table_end(r->off_fwd, 2, nf * nc),
			rx_table_end(r->off_fwd_flags, 1, nf),
			rx_table_end(r->off_rev, 2, (uint64_t)r->nrev * nc),
			rx_table_end(r->off_rev_flags, 1, (uint64_t)r->nrev),
			rx_table_end(r->off_back, 8, nf * r->nkern * nc),
			rx_table_end(r->off_back_end, 8, nf * 2),
		};

		r->map_off = (uint32_t)off;
		for (size_t t = 0; t < sizeof(ends) / sizeof(ends[0]); t++)
			if (off + ends[t] > need)
				need = off + ends[t];
		off = (off + r->blob_size + 7) & ~7ull;
		if (need > RX_MAP_MAX)
			break;
	}
	if (off > need)
		need = off;
	need = (need + 7) & ~7ull;
	if (need > RX_MAP_MAX) {
		struct loc loc = { p->script->file, 0, 0 };

		diag_report("error", loc,
			    "the regular expressions of kernel-context probes "
			    "need more than %u bytes of tables",
			    RX_MAP_MAX);
		diag_hint("use fewer or simpler patterns in kernel probes, "
			  "or match in a timer or end probe");
		return -1;
	}
	c->regex_value = calloc(1, need);
	if (!c->regex_value)
		abort();
	for (int i = 0; i < p->nregexes; i++)
		memcpy((uint8_t *)c->regex_value + p->regexes[i]->map_off,
		       p->regexes[i]->blob, p->regexes[i]->blob_size);
	c->regex_size = (uint32_t)need;
	c->map_regex = first;
	return 0;
}

void codegen_regex_maps(struct compiled *c)
{
	if (c->map_regex < 0)
		return;
	/* Programs only read it; the loader fills and freezes it. */
	codegen_map_add(c, "etap_regex", BPF_MAP_TYPE_ARRAY, 4, c->regex_size,
			1, BPF_F_RDONLY_PROG);
}
