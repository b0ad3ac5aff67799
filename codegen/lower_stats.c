// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Kernel-context `<<<`: the update of this CPU's aggregate value in a
 * per-CPU map (semantic/stats.h layout). Being per-CPU, the update needs
 * no atomics and never bounces a cache line between CPUs; user context
 * merges the CPUs when it reads (runtime/stats.c). The arithmetic is
 * stap's per-CPU update, Welford's variance with its int-sized difference
 * included, so both contexts and stap agree.
 */
#include "lower_stats.h"

#include <errno.h>

#include "../semantic/stats.h"

/* q = a / d for d > 0, rounding toward zero like C (BPF's div is
 * unsigned; the objects must run on kernels without sdiv). */
static int stats_sdiv(struct lower *L, int a, int d)
{
	struct ir_func *f = L->f;
	int q = lw_vr(L), pos = ir_label_new(f), done = ir_label_new(f);

	ir_mov_reg(f, q, a);
	ir_jcond_imm(f, BPF_JSGE, q, 0, pos);
	ir_alu_imm(f, BPF_NEG, q, 0);
	ir_alu_reg(f, BPF_DIV, q, d);
	ir_alu_imm(f, BPF_NEG, q, 0);
	ir_jmp(f, done);
	ir_label_place(f, pos);
	ir_alu_reg(f, BPF_DIV, q, d);
	ir_label_place(f, done);
	return q;
}

/* Bucket of x in a log histogram: 64 for 0, 65 + floor(log2 x) above,
 * 63 - floor(log2 -x) below. */
static int stats_log_bucket(struct lower *L, int x)
{
	struct ir_func *f = L->f;
	int b = lw_vr(L), u = lw_vr(L), lg = lw_vr(L), t = lw_vr(L);
	int neg = ir_label_new(f), scan = ir_label_new(f);
	int done = ir_label_new(f), pos = ir_label_new(f);

	ir_mov_imm(f, b, 64);
	ir_jcond_imm(f, BPF_JEQ, x, 0, done);
	ir_mov_reg(f, u, x);
	ir_jcond_imm(f, BPF_JSGT, x, 0, scan);
	ir_alu_imm(f, BPF_NEG, u, 0);
	ir_label_place(f, scan);
	ir_mov_imm(f, lg, 0);
	for (int sh = 32; sh >= 1; sh /= 2) {
		int skip = ir_label_new(f);

		ir_mov_reg(f, t, u);
		ir_alu_imm(f, BPF_RSH, t, sh);
		ir_jcond_imm(f, BPF_JEQ, t, 0, skip);
		ir_mov_reg(f, u, t);
		ir_alu_imm(f, BPF_ADD, lg, sh);
		ir_label_place(f, skip);
	}
	ir_jcond_imm(f, BPF_JSGT, x, 0, pos);
	ir_mov_imm(f, b, 63);
	ir_alu_reg(f, BPF_SUB, b, lg);
	ir_jmp(f, done);
	ir_label_place(f, pos);
	ir_mov_imm(f, b, 65);
	ir_alu_reg(f, BPF_ADD, b, lg);
	ir_label_place(f, done);
	(void)neg;
	return b;
}

/* Bucket of x in @hist_linear: 0 below low, (x - low) / width + 1, the
 * last for everything past high. */
static int stats_linear_bucket(struct lower *L, const struct stats_info *si,
			       int x)
{
	struct ir_func *f = L->f;
	int b = lw_vr(L), done = ir_label_new(f);

	ir_mov_reg(f, b, x);
	ir_alu_reg(f, BPF_SUB, b, lw_imm(L, si->low));
	ir_jcond_imm(f, BPF_JSGE, b, 0, done);
	ir_mov_imm(f, b, -1);
	ir_label_place(f, done);
	{
		int under = ir_label_new(f), end = ir_label_new(f);

		ir_jcond_imm(f, BPF_JSLT, b, 0, under);
		ir_alu_reg(f, BPF_DIV, b, lw_imm(L, si->width));
		ir_alu_imm(f, BPF_ADD, b, 1);
		ir_jmp(f, end);
		ir_label_place(f, under);
		ir_mov_imm(f, b, 0);
		ir_label_place(f, end);
	}
	return b;
}

static void stats_add_words(struct lower *L, const struct stats_info *si, int w,
			    int x)
{
	struct ir_func *f = L->f;
	int cnt = lw_vr(L), t = lw_vr(L), more = ir_label_new(f);
	int hist = ir_label_new(f);

	ir_load(f, 8, cnt, w, STW_COUNT * 8);
	ir_jcond_imm(f, BPF_JNE, cnt, 0, more);
	/* the first sample on this CPU */
	ir_store_imm(f, 8, w, STW_COUNT * 8, 1);
	if (si->keep_sum)
		ir_store_reg(f, 8, w, STW_SUM * 8, x);
	if (si->keep_minmax) {
		ir_store_reg(f, 8, w, STW_MIN * 8, x);
		ir_store_reg(f, 8, w, STW_MAX * 8, x);
	}
	if (si->variance) {
		ir_mov_reg(f, t, x);
		if (si->shift)
			ir_alu_imm(f, BPF_LSH, t, si->shift);
		ir_store_reg(f, 8, w, STW_AVG_S * 8, t);
		ir_store_imm(f, 8, w, STW_M2 * 8, 0);
	}
	ir_jmp(f, hist);

	ir_label_place(f, more);
	ir_alu_imm(f, BPF_ADD, cnt, 1);
	ir_store_reg(f, 8, w, STW_COUNT * 8, cnt);
	if (si->keep_sum) {
		ir_load(f, 8, t, w, STW_SUM * 8);
		ir_alu_reg(f, BPF_ADD, t, x);
		ir_store_reg(f, 8, w, STW_SUM * 8, t);
	}
	if (si->keep_minmax) {
		int skip = ir_label_new(f);

		ir_load(f, 8, t, w, STW_MAX * 8);
		ir_jcond_reg(f, BPF_JSLE, x, t, skip);
		ir_store_reg(f, 8, w, STW_MAX * 8, x);
		ir_label_place(f, skip);
	}
	if (si->keep_minmax) {
		int skip = ir_label_new(f);

		ir_load(f, 8, t, w, STW_MIN * 8);
		ir_jcond_reg(f, BPF_JSGE, x, t, skip);
		ir_store_reg(f, 8, w, STW_MIN * 8, x);
		ir_label_place(f, skip);
	}
	if (si->variance) {
		int xs = lw_vr(L), avg = lw_vr(L), delta = lw_vr(L);
		int m2 = lw_vr(L), c1 = lw_vr(L), q;

		ir_mov_reg(f, xs, x);
		if (si->shift)
			ir_alu_imm(f, BPF_LSH, xs, si->shift);
		ir_load(f, 8, avg, w, STW_AVG_S * 8);
		ir_mov_reg(f, delta, xs);
		ir_alu_reg(f, BPF_SUB, delta, avg);
		/* stap's delta is an int */
		ir_alu_imm(f, BPF_LSH, delta, 32);
		ir_alu_imm(f, BPF_ARSH, delta, 32);
		q = stats_sdiv(L, delta, cnt);
		ir_alu_reg(f, BPF_ADD, avg, q);
		ir_store_reg(f, 8, w, STW_AVG_S * 8, avg);
		ir_mov_reg(f, t, xs);
		ir_alu_reg(f, BPF_SUB, t, avg);
		ir_alu_reg(f, BPF_MUL, t, delta);
		ir_load(f, 8, m2, w, STW_M2 * 8);
		ir_alu_reg(f, BPF_ADD, m2, t);
		ir_store_reg(f, 8, w, STW_M2 * 8, m2);
		ir_mov_reg(f, c1, cnt);
		ir_alu_imm(f, BPF_SUB, c1, 1);
		q = stats_sdiv(L, m2, c1);
		ir_store_reg(f, 8, w, STW_VAR_S * 8, q);
	}

	ir_label_place(f, hist);
	if (si->hist) {
		int b = si->linear ? stats_linear_bucket(L, si, x)
				   : stats_log_bucket(L, x);
		int ok = ir_label_new(f), p = lw_vr(L);

		/* an explicit bound for the verifier */
		ir_jcond_imm(f, BPF_JLE, b, si->nbuckets - 1, ok);
		ir_mov_imm(f, b, si->nbuckets - 1);
		ir_label_place(f, ok);
		ir_alu_imm(f, BPF_LSH, b, 3);
		ir_mov_reg(f, p, w);
		ir_alu_reg(f, BPF_ADD, p, b);
		ir_load(f, 8, t, p, STW_HIST * 8);
		ir_alu_imm(f, BPF_ADD, t, 1);
		ir_store_reg(f, 8, p, STW_HIST * 8, t);
	}
}

/* This CPU's value of a stats array element, created from the zeros in
 * global data when missing. */
static int stats_elem(struct lower *L, const struct symbol *g, int key,
		      struct loc loc)
{
	struct ir_func *f = L->f;
	int w = lw_vr(L), r = lw_vr(L), have = ir_label_new(f);
	int ok = ir_label_new(f), found = ir_label_new(f);
	static const char *overflow = "Array overflow, check MAXMAPENTRIES";

	ir_mov_reg(f, w, lw_map_lookup(L, g, key));
	ir_jcond_imm(f, BPF_JNE, w, 0, have);
	ir_ld_map(f, IR_R1, g->map_idx);
	ir_mov_reg(f, IR_R2, key);
	ir_mov_reg(f, IR_R3, lw_gd_ptr(L, L->p->gd_stats_zero));
	ir_mov_imm(f, IR_R4, BPF_NOEXIST);
	ir_call_helper(f, BPF_FUNC_map_update_elem);
	ir_mov_reg(f, r, IR_R0);
	/* -EEXIST: a probe on another CPU made it first */
	ir_jcond_imm(f, BPF_JEQ, r, 0, ok);
	ir_jcond_imm(f, BPF_JEQ, r, -EEXIST, ok);
	lw_emit_error(L, loc, overflow);
	ir_label_place(f, ok);
	ir_mov_reg(f, w, lw_map_lookup(L, g, key));
	ir_jcond_imm(f, BPF_JNE, w, 0, found);
	lw_emit_error(L, loc, overflow);
	ir_label_place(f, found);
	ir_label_place(f, have);
	return w;
}

struct val lower_stats_agg(struct lower *L, struct node *e)
{
	struct ir_func *f = L->f;
	const struct symbol *g = e->a->sym;
	struct val x = lw_expr(L, e->b);
	int w, done = ir_label_new(f);

	if (!g || !g->stats || !g->has_map) {
		lw_fail(L, e, "'<<<' on this expression", NULL);
		return (struct val){.type = T_LONG, .reg = lw_imm(L, 0)};
	}
	if (e->a->kind == E_INDEX) {
		w = stats_elem(L, g, lw_key(L, g, e->a->args, e->a->loc),
			       e->loc);
	} else {
		int off = ir_stack_alloc(f, 8, 8), kp = lw_vr(L);

		ir_store_imm(f, 8, IR_FP, (int16_t)off, 0);
		ir_mov_reg(f, kp, IR_FP);
		ir_alu_imm(f, BPF_ADD, kp, off);
		w = lw_vr(L);
		ir_mov_reg(f, w, lw_map_lookup(L, g, kp));
		ir_jcond_imm(f, BPF_JEQ, w, 0, done);
	}
	stats_add_words(L, g->stats, w, x.reg);
	ir_label_place(f, done);
	return (struct val){.type = T_LONG, .reg = lw_imm(L, 0)};
}
