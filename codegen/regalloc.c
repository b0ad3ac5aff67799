// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Register allocation: liveness on the control-flow graph, one live interval
 * per virtual register (the hull of every point where it is live, so loops
 * stretch it over their back edges), then Poletto-Sarkar linear scan over
 * R0..R9.
 *
 * Positions: instruction i reads its operands at 2i and writes its result at
 * 2i+1, so a value that dies at i and a value born at i may share a register
 * (needed for BPF's two-address ALU forms to come out as "r1 += r2").
 *
 * Physical registers named by the IR (call arguments, R0 after a call, the
 * context in R1 at entry) and the registers a call clobbers are tracked
 * exactly, position by position; a vreg may take Rk only if Rk is never
 * occupied within its interval. That one rule also keeps values that live
 * across calls out of R0..R5.
 *
 * When no register is left, the interval with the fewest uses per position
 * (uses inside loops count 8 times per loop level; ties go to the one
 * ending last) is spilled: it gets an
 * 8-byte stack slot (full-width stores keep pointers trackable by the
 * verifier), and every instruction touching it is rewritten to go through
 * a fresh short-lived temporary that may not be spilled itself. Allocation
 * then restarts on the rewritten code, so reloads compete for registers
 * like everything else and no register is reserved up front.
 */
#define _GNU_SOURCE
#include "ir_internal.h"

#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct ra_block {
	int first, last; /* instruction indexes, inclusive */
	int succ[2], nsucc;
	uint64_t *use, *def, *in, *out;
};

struct ra {
	struct ir_func *f;
	int n;	      /* instructions */
	int nregs;    /* IR_VREG_BASE + vregs */
	int *gidx;    /* register -> bit in the liveness sets, or -1 */
	int *gname;   /* bit -> register */
	size_t words; /* per bitset */
	struct ra_block *blocks;
	int nblocks;
	uint64_t *bits;	    /* storage of all block bitsets */
	int *start, *end;   /* per register; end < 0: never seen */
	int *occ[IR_NPHYS]; /* prefix counts of positions where Rk is busy */
	int *hint;	    /* register a vreg would like to share */
	double *weight;	    /* vreg -> uses and defs, scaled by loop depth */
	int *assign;	    /* vreg -> physical register or -1 */
	int *spill_slot;    /* vreg -> FP offset, 0 when not spilled */
	char *err;
};

static void *ra_zalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p)
		abort();
	return p;
}

static void ra_fail(struct ra *ra, const char *fmt, ...)
{
	va_list ap;

	if (ra->err)
		return;
	va_start(ap, fmt);
	if (vasprintf(&ra->err, fmt, ap) < 0)
		ra->err = NULL;
	va_end(ap);
	if (!ra->err)
		abort();
}

static inline void bit_set(uint64_t *b, int i)
{
	b[i / 64] |= 1ull << (i % 64);
}

static inline bool bit_test(const uint64_t *b, int i)
{
	return b[i / 64] >> (i % 64) & 1;
}

/*
 * The argument registers of each call: the R1..R5 written since the last
 * label, jump or call. Lowering sets arguments right before the call, and
 * the helper's prototype is not known here. A call reached from the entry
 * without any barrier also receives R1, which still holds the context.
 */
static void ra_mark_call_args(struct ir_func *f)
{
	for (size_t i = 0; i < f->ninsns; i++) {
		struct ir_insn *call = &f->insns[i];
		uint16_t mask = 0;
		bool barrier = false;

		if (!ir_is_call(call))
			continue;
		for (size_t j = i; j-- > 0;) {
			struct ir_insn *in = &f->insns[j];
			struct ir_regs r;

			if (in->kind == IRK_LABEL || ir_is_jump(in) ||
			    ir_is_call(in) || ir_is_exit(in)) {
				barrier = true;
				break;
			}
			ir_insn_regs(in, &r);
			for (int k = 0; k < r.ndef; k++)
				if (r.def[k] >= IR_R1 && r.def[k] <= IR_R5)
					mask |= 1u << r.def[k];
		}
		if (!barrier)
			mask |= 1u << IR_R1;
		call->arg_mask = mask;
	}
}

static bool ra_ends_block(const struct ir_insn *in)
{
	return ir_is_jump(in) || ir_is_exit(in);
}

static int ra_build_cfg(struct ra *ra)
{
	struct ir_func *f = ra->f;
	int *label_block = ra_zalloc(f->nlabels, sizeof(int));
	int nb = 0;

	for (int l = 0; l < f->nlabels; l++)
		label_block[l] = -1;
	ra->blocks = ra_zalloc(ra->n, sizeof(*ra->blocks));
	for (int i = 0; i < ra->n; i++) {
		struct ir_insn *in = &f->insns[i];

		if (i == 0 || in->kind == IRK_LABEL ||
		    ra_ends_block(&f->insns[i - 1])) {
			ra->blocks[nb].first = i;
			nb++;
		}
		ra->blocks[nb - 1].last = i;
		if (in->kind == IRK_LABEL) {
			if (label_block[in->label] >= 0) {
				ra_fail(ra, "label %d placed twice", in->label);
				goto out;
			}
			label_block[in->label] = nb - 1;
		}
	}
	ra->nblocks = nb;
	for (int b = 0; b < nb; b++) {
		struct ra_block *bl = &ra->blocks[b];
		struct ir_insn *in = &f->insns[bl->last];
		bool falls =
		    !ir_is_exit(in) &&
		    !(ir_is_jump(in) && in->code == (BPF_JMP | BPF_JA));

		if (ir_is_jump(in)) {
			int t = label_block[in->label];

			if (t < 0) {
				ra_fail(ra, "jump to label %d, never placed",
					in->label);
				goto out;
			}
			bl->succ[bl->nsucc++] = t;
		}
		if (falls && b + 1 < nb)
			bl->succ[bl->nsucc++] = b + 1;
	}
out:
	free(label_block);
	return ra->err ? -1 : 0;
}

/*
 * Only registers that may be live across a block boundary need liveness
 * sets: a vreg seen in one block only, written before it is read there,
 * lives and dies inside it. Lowering makes many such temporaries, and
 * leaving them out keeps the sets small on long programs.
 */
static void ra_globals(struct ra *ra)
{
	int *blk = ra_zalloc(ra->nregs, sizeof(int));
	int n = 0;

	ra->gidx = ra_zalloc(ra->nregs, sizeof(int));
	ra->gname = ra_zalloc(ra->nregs, sizeof(int));
	for (int r = 0; r < ra->nregs; r++) {
		blk[r] = -1;
		ra->gidx[r] = r < IR_VREG_BASE ? 0 : -1;
	}
	for (int b = 0; b < ra->nblocks; b++) {
		for (int i = ra->blocks[b].first; i <= ra->blocks[b].last;
		     i++) {
			struct ir_regs r;

			ir_insn_regs(&ra->f->insns[i], &r);
			for (int k = 0; k < r.nuse; k++) {
				int v = r.use[k];

				if (blk[v] != b)
					ra->gidx[v] = 0;
				blk[v] = b;
			}
			for (int k = 0; k < r.ndef; k++) {
				int v = r.def[k];

				if (blk[v] >= 0 && blk[v] != b)
					ra->gidx[v] = 0;
				blk[v] = b;
			}
		}
	}
	for (int r = 0; r < ra->nregs; r++)
		if (ra->gidx[r] == 0) {
			ra->gname[n] = r;
			ra->gidx[r] = n++;
		}
	ra->words = (n + 63) / 64;
	free(blk);
}

static void ra_liveness(struct ra *ra)
{
	size_t w = ra->words;
	bool changed = true;

	ra->bits = ra_zalloc(4 * w * ra->nblocks, sizeof(uint64_t));
	for (int b = 0; b < ra->nblocks; b++) {
		struct ra_block *bl = &ra->blocks[b];

		bl->use = ra->bits + 4 * w * b;
		bl->def = bl->use + w;
		bl->in = bl->def + w;
		bl->out = bl->in + w;
		for (int i = bl->first; i <= bl->last; i++) {
			struct ir_regs r;

			ir_insn_regs(&ra->f->insns[i], &r);
			for (int k = 0; k < r.nuse; k++) {
				int g = ra->gidx[r.use[k]];

				if (g >= 0 && !bit_test(bl->def, g))
					bit_set(bl->use, g);
			}
			for (int k = 0; k < r.ndef; k++)
				if (ra->gidx[r.def[k]] >= 0)
					bit_set(bl->def, ra->gidx[r.def[k]]);
		}
	}
	/* Backward problem: visiting blocks last to first converges fast. */
	while (changed) {
		changed = false;
		for (int b = ra->nblocks - 1; b >= 0; b--) {
			struct ra_block *bl = &ra->blocks[b];

			for (size_t k = 0; k < w; k++) {
				uint64_t out = 0, in;

				for (int s = 0; s < bl->nsucc; s++)
					out |= ra->blocks[bl->succ[s]].in[k];
				in = bl->use[k] | (out & ~bl->def[k]);
				if (out != bl->out[k] || in != bl->in[k])
					changed = true;
				bl->out[k] = out;
				bl->in[k] = in;
			}
		}
	}
}

static void ra_extend(struct ra *ra, int reg, int pos)
{
	if (ra->end[reg] < 0 || pos < ra->start[reg])
		ra->start[reg] = pos;
	if (pos > ra->end[reg])
		ra->end[reg] = pos;
}

/* Vreg hulls, and the exact busy positions of each physical register. */
static void ra_intervals(struct ra *ra)
{
	int npos = 2 * ra->n;
	uint16_t *busy = ra_zalloc(npos, sizeof(uint16_t));

	ra->start = ra_zalloc(ra->nregs, sizeof(int));
	ra->end = ra_zalloc(ra->nregs, sizeof(int));
	for (int r = 0; r < ra->nregs; r++)
		ra->end[r] = -1;
	for (int b = 0; b < ra->nblocks; b++) {
		struct ra_block *bl = &ra->blocks[b];
		uint16_t live = 0;

		for (size_t w = 0; w < ra->words; w++) {
			for (uint64_t m = bl->in[w]; m; m &= m - 1) {
				int r = ra->gname[64 * w + __builtin_ctzll(m)];

				if (r >= IR_VREG_BASE)
					ra_extend(ra, r, 2 * bl->first);
			}
			for (uint64_t m = bl->out[w]; m; m &= m - 1) {
				int r = ra->gname[64 * w + __builtin_ctzll(m)];

				if (r >= IR_VREG_BASE)
					ra_extend(ra, r, 2 * bl->last + 1);
			}
		}
		for (int r = 0; r < IR_NPHYS; r++)
			if (bit_test(bl->out, r))
				live |= 1u << r;
		for (int i = bl->last; i >= bl->first; i--) {
			struct ir_regs r;
			uint16_t defs = 0, uses = 0;

			ir_insn_regs(&ra->f->insns[i], &r);
			for (int k = 0; k < r.ndef; k++) {
				if (r.def[k] < IR_NPHYS)
					defs |= 1u << r.def[k];
				else
					ra_extend(ra, r.def[k], 2 * i + 1);
			}
			for (int k = 0; k < r.nuse; k++) {
				if (r.use[k] < IR_NPHYS)
					uses |= 1u << r.use[k];
				else
					ra_extend(ra, r.use[k], 2 * i);
			}
			/* A register written here is busy at the write even
			 * when nobody reads it: that is how a call's clobber
			 * of R0..R5 evicts values living across it. */
			busy[2 * i + 1] = live | defs;
			live = (live & ~defs) | uses;
			busy[2 * i] = live;
		}
	}
	for (int k = 0; k < IR_NPHYS; k++) {
		int *occ = ra_zalloc(npos + 1, sizeof(int));

		for (int p = 0; p < npos; p++)
			occ[p + 1] = occ[p] + (busy[p] >> k & 1);
		ra->occ[k] = occ;
	}
	free(busy);
}

static bool ra_phys_free(struct ra *ra, int k, int start, int end)
{
	return ra->occ[k][end + 1] - ra->occ[k][start] == 0;
}

static void ra_hints(struct ra *ra)
{
	ra->hint = ra_zalloc(ra->nregs, sizeof(int));
	for (int r = 0; r < ra->nregs; r++)
		ra->hint[r] = IR_NOREG;
	for (int i = 0; i < ra->n; i++) {
		struct ir_insn *in = &ra->f->insns[i];

		if (in->kind != IRK_INSN ||
		    in->code != (BPF_ALU64 | BPF_MOV | BPF_X) ||
		    in->src == IR_FP)
			continue;
		if (ir_is_vreg(in->dst))
			ra->hint[in->dst] = in->src;
		else if (ir_is_vreg(in->src) && ra->hint[in->src] == IR_NOREG)
			ra->hint[in->src] = in->dst;
	}
}

/*
 * How much spilling each vreg would cost: one per access, times 8 per
 * enclosing loop. A loop is the span from a label back to a jump to it.
 */
static void ra_weights(struct ra *ra)
{
	struct ir_func *f = ra->f;
	int *label_pos = ra_zalloc(f->nlabels, sizeof(int));
	int *delta = ra_zalloc(ra->n + 1, sizeof(int));
	int depth = 0;

	for (int i = 0; i < ra->n; i++)
		if (f->insns[i].kind == IRK_LABEL)
			label_pos[f->insns[i].label] = i;
	for (int i = 0; i < ra->n; i++) {
		struct ir_insn *in = &f->insns[i];

		if (ir_is_jump(in) && label_pos[in->label] <= i) {
			delta[label_pos[in->label]]++;
			delta[i + 1]--;
		}
	}
	ra->weight = ra_zalloc(ra->nregs, sizeof(double));
	for (int i = 0; i < ra->n; i++) {
		struct ir_regs r;
		double w;

		depth += delta[i];
		w = 1 << (3 * (depth < 5 ? depth : 5));
		ir_insn_regs(&f->insns[i], &r);
		for (int k = 0; k < r.nuse; k++)
			ra->weight[r.use[k]] += w;
		for (int k = 0; k < r.ndef; k++)
			ra->weight[r.def[k]] += w;
	}
	free(label_pos);
	free(delta);
}

/* Lower is cheaper to keep in memory. */
static double ra_spill_score(struct ra *ra, int v)
{
	return ra->weight[v] / (ra->end[v] - ra->start[v] + 1);
}

/* Is a a better spill choice than b? */
static bool ra_spill_better(struct ra *ra, int a, int b)
{
	double sa = ra_spill_score(ra, a), sb = ra_spill_score(ra, b);

	if (sa != sb)
		return sa < sb;
	return ra->end[a] > ra->end[b];
}

static int ra_cmp_start(const void *a, const void *b, void *arg)
{
	const struct ra *ra = arg;
	int x = *(const int *)a, y = *(const int *)b;

	if (ra->start[x] != ra->start[y])
		return ra->start[x] < ra->start[y] ? -1 : 1;
	return x - y;
}

static bool ra_nospill(struct ra *ra, int v)
{
	return ra->f->vreg_flags[v - IR_VREG_BASE] & IR_VREG_NOSPILL;
}

/* The register to try first: the one a move partner already holds. */
static int ra_hint_reg(struct ra *ra, int v)
{
	int h = ra->hint[v];

	if (h == IR_NOREG)
		return -1;
	if (!ir_is_vreg(h))
		return h < IR_NPHYS ? h : -1;
	return ra->assign[h];
}

/* Returns how many vregs were spilled (their spill_slot gets set), or -1. */
static int ra_scan(struct ra *ra)
{
	int owner[IR_NPHYS];
	int *order = ra_zalloc(ra->nregs, sizeof(int));
	int norder = 0, nspilled = 0;

	for (int k = 0; k < IR_NPHYS; k++)
		owner[k] = -1;
	for (int v = IR_VREG_BASE; v < ra->nregs; v++) {
		ra->assign[v] = -1;
		if (ra->end[v] >= 0)
			order[norder++] = v;
	}
	qsort_r(order, norder, sizeof(int), ra_cmp_start, ra);

	for (int o = 0; o < norder; o++) {
		int v = order[o], s = ra->start[v], e = ra->end[v];
		int pick = -1, hint, victim = -1;

		for (int k = 0; k < IR_NPHYS; k++)
			if (owner[k] >= 0 && ra->end[owner[k]] < s)
				owner[k] = -1;
		hint = ra_hint_reg(ra, v);
		if (hint >= 0 && owner[hint] < 0 &&
		    ra_phys_free(ra, hint, s, e))
			pick = hint;
		/* Ascending order hands out caller-saved registers first,
		 * keeping R6..R9 for values that must survive calls. */
		for (int k = 0; pick < 0 && k < IR_NPHYS; k++)
			if (owner[k] < 0 && ra_phys_free(ra, k, s, e))
				pick = k;
		if (pick < 0) {
			for (int k = 0; k < IR_NPHYS; k++) {
				int w = owner[k];

				if (w < 0 || ra_nospill(ra, w) ||
				    !ra_phys_free(ra, k, s, e))
					continue;
				if (victim < 0 ||
				    ra_spill_better(ra, w, victim))
					victim = w;
			}
			if (victim >= 0 && (ra_nospill(ra, v) ||
					    ra_spill_better(ra, victim, v))) {
				pick = ra->assign[victim];
				ra->assign[victim] = -1;
				ra->spill_slot[victim] = 1;
				nspilled++;
			} else if (!ra_nospill(ra, v)) {
				ra->spill_slot[v] = 1;
				nspilled++;
				continue;
			} else {
				ra_fail(ra,
					"out of registers at IR instruction %d",
					s / 2);
				free(order);
				return -1;
			}
		}
		owner[pick] = v;
		ra->assign[v] = pick;
	}
	free(order);
	return nspilled;
}

static void ra_push(struct ir_insn **out, size_t *n, size_t *cap,
		    const struct ir_insn *in)
{
	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 64;
		*out = realloc(*out, *cap * sizeof(**out));
		if (!*out)
			abort();
	}
	(*out)[(*n)++] = *in;
}

static struct ir_insn ra_slot_insn(const struct ir_insn *at, uint8_t cls,
				   int reg, int slot)
{
	struct ir_insn m;

	memset(&m, 0, sizeof(m));
	m.kind = IRK_INSN;
	m.code = cls | BPF_MEM | BPF_DW;
	m.label = -1;
	m.loc = at->loc;
	m.off = (int16_t)slot;
	if (cls == BPF_LDX) {
		m.dst = reg;
		m.src = IR_FP;
	} else {
		m.dst = IR_FP;
		m.src = reg;
	}
	return m;
}

/*
 * Stack slots for this round's spills. Vregs whose intervals do not overlap
 * are never live together and share a slot: 512 bytes hold only 64 slots.
 */
static void ra_assign_slots(struct ra *ra)
{
	int *order = ra_zalloc(ra->nregs, sizeof(int));
	int *slot_off = ra_zalloc(ra->nregs, sizeof(int));
	int *slot_end = ra_zalloc(ra->nregs, sizeof(int));
	int n = 0, nslots = 0;

	for (int v = IR_VREG_BASE; v < ra->nregs; v++)
		if (ra->spill_slot[v] == 1)
			order[n++] = v;
	qsort_r(order, n, sizeof(int), ra_cmp_start, ra);
	for (int o = 0; o < n; o++) {
		int v = order[o], k;

		for (k = 0; k < nslots; k++)
			if (slot_end[k] < ra->start[v])
				break;
		if (k == nslots)
			slot_off[nslots++] = ir_stack_alloc(ra->f, 8, 8);
		slot_end[k] = ra->end[v];
		ra->spill_slot[v] = slot_off[k];
	}
	free(order);
	free(slot_off);
	free(slot_end);
}

/*
 * Route every access to a spilled vreg through a temporary: load it before
 * the instruction that reads it, store it after the one that writes it.
 */
static void ra_rewrite_spills(struct ra *ra)
{
	struct ir_func *f = ra->f;
	struct ir_insn *out = NULL;
	size_t nout = 0, cap = 0;

	ra_assign_slots(ra);
	for (int i = 0; i < ra->n; i++) {
		struct ir_insn in = f->insns[i];
		int *fields[2] = {&in.dst, &in.src};
		int orig[2] = {in.dst, in.src}, temp[2] = {-1, -1};
		struct ir_regs r;
		bool used[2] = {false, false}, defd[2] = {false, false};

		ir_insn_regs(&f->insns[i], &r);
		for (int k = 0; k < 2; k++) {
			int v = orig[k];

			if (!ir_is_vreg(v) || !ra->spill_slot[v])
				continue;
			if (k == 1 && v == orig[0]) {
				temp[1] = temp[0];
			} else {
				temp[k] = ir_vreg_new_flags(f, IR_VREG_NOSPILL);
				for (int u = 0; u < r.nuse; u++)
					used[k] |= r.use[u] == v;
				for (int d = 0; d < r.ndef; d++)
					defd[k] |= r.def[d] == v;
			}
			*fields[k] = temp[k];
		}
		for (int k = 0; k < 2; k++) {
			struct ir_insn m;

			if (!used[k])
				continue;
			m = ra_slot_insn(&in, BPF_LDX, temp[k],
					 ra->spill_slot[orig[k]]);
			if (asprintf(&m.comment, "fill v%d",
				     orig[k] - IR_VREG_BASE) < 0)
				abort();
			ra_push(&out, &nout, &cap, &m);
		}
		ra_push(&out, &nout, &cap, &in);
		for (int k = 0; k < 2; k++) {
			struct ir_insn m;

			if (!defd[k])
				continue;
			m = ra_slot_insn(&in, BPF_STX, temp[k],
					 ra->spill_slot[orig[k]]);
			if (asprintf(&m.comment, "spill v%d",
				     orig[k] - IR_VREG_BASE) < 0)
				abort();
			ra_push(&out, &nout, &cap, &m);
		}
	}
	free(f->insns);
	f->insns = out;
	f->ninsns = nout;
	f->cap = cap;
}

static void ra_apply(struct ra *ra)
{
	for (int i = 0; i < ra->n; i++) {
		struct ir_insn *in = &ra->f->insns[i];

		if (ir_is_vreg(in->dst))
			in->dst = ra->assign[in->dst];
		if (ir_is_vreg(in->src))
			in->src = ra->assign[in->src];
	}
}

static void ra_round_free(struct ra *ra)
{
	free(ra->blocks);
	free(ra->bits);
	free(ra->start);
	free(ra->end);
	free(ra->hint);
	free(ra->gidx);
	free(ra->gname);
	ra->gidx = ra->gname = NULL;
	free(ra->weight);
	ra->weight = NULL;
	for (int k = 0; k < IR_NPHYS; k++)
		free(ra->occ[k]);
	ra->blocks = NULL;
	ra->bits = NULL;
	ra->start = ra->end = ra->hint = NULL;
	memset(ra->occ, 0, sizeof(ra->occ));
}

int ir_regalloc(struct ir_func *f, char **err)
{
	struct ra ra = {.f = f};
	int nspilled, rc = -1;
	/* Every round spills at least one original vreg, and temporaries
	 * are never spilled, so this bound is never reached in practice. */
	int rounds = f->nvregs + 2;

	if (f->ninsns == 0) {
		*err = strdup("program has no instructions");
		return -1;
	}
	ra.spill_slot = ra_zalloc(f->nvregs + IR_VREG_BASE, sizeof(int));
	while (rounds-- > 0) {
		ra_mark_call_args(f);
		ra.n = (int)f->ninsns;
		ra.nregs = IR_VREG_BASE + f->nvregs;
		ra.assign = realloc(ra.assign, ra.nregs * sizeof(int));
		ra.spill_slot = realloc(ra.spill_slot, ra.nregs * sizeof(int));
		if (!ra.assign || !ra.spill_slot)
			abort();
		if (ra_build_cfg(&ra) < 0)
			goto out;
		ra_globals(&ra);
		ra_liveness(&ra);
		ra_intervals(&ra);
		ra_hints(&ra);
		ra_weights(&ra);
		/* Vregs spilled by earlier rounds no longer occur. */
		memset(ra.spill_slot, 0, ra.nregs * sizeof(int));
		nspilled = ra_scan(&ra);
		if (nspilled < 0)
			goto out;
		if (nspilled == 0) {
			ra_apply(&ra);
			rc = 0;
			goto out;
		}
		ra_rewrite_spills(&ra);
		ra_round_free(&ra);
	}
	ra_fail(&ra, "register allocation did not converge");
out:
	ra_round_free(&ra);
	free(ra.assign);
	free(ra.spill_slot);
	if (rc < 0)
		*err = ra.err;
	return rc;
}
