// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * From allocated IR to the final instruction array: drop instructions that
 * allocation made useless, place labels, encode jumps, split ld_imm64 into
 * its two slots, and record line info and map relocations on the way.
 */
#define _GNU_SOURCE
#include "ir_internal.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static void *fin_xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		abort();
	return p;
}

static int fin_fail(char **err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int fin_fail(char **err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(err, fmt, ap) < 0)
		abort();
	va_end(ap);
	return -1;
}

/* "r1 = r1" once both sides got the same register. The 32-bit form is
 * kept: it zeroes the upper half. */
static bool fin_is_self_move(const struct ir_insn *in)
{
	return in->kind == IRK_INSN &&
	       in->code == (BPF_ALU64 | BPF_MOV | BPF_X) && in->off == 0 &&
	       in->dst == in->src;
}

/* "goto +0": a jump to a label with nothing but labels in between. */
static bool fin_is_jump_next(const struct ir_func *f, size_t i)
{
	const struct ir_insn *in = &f->insns[i];

	if (!ir_is_jump(in) || in->code != (BPF_JMP | BPF_JA))
		return false;
	for (size_t j = i + 1; j < f->ninsns; j++) {
		if (f->insns[j].kind != IRK_LABEL)
			return false;
		if (f->insns[j].label == in->label)
			return true;
	}
	return false;
}

/*
 * A 64-bit reload of the stack slot the previous instruction just stored:
 * spilling each access separately leaves many. Returns true when the load
 * can go; a load into another register becomes a move.
 */
static bool fin_fold_reload(struct ir_func *f, size_t i)
{
	struct ir_insn *ld = &f->insns[i], *st;

	if (i == 0 || ld->kind != IRK_INSN ||
	    ld->code != (BPF_LDX | BPF_MEM | BPF_DW) || ld->src != IR_FP)
		return false;
	st = &f->insns[i - 1];
	if (st->kind != IRK_INSN || st->code != (BPF_STX | BPF_MEM | BPF_DW) ||
	    st->dst != IR_FP || st->off != ld->off)
		return false;
	if (st->src == ld->dst) {
		/* Nothing left to say about a reload that vanished. */
		free(ld->comment);
		ld->comment = NULL;
		return true;
	}
	ld->code = BPF_ALU64 | BPF_MOV | BPF_X;
	ld->src = st->src;
	ld->off = 0;
	return false;
}

static size_t fin_slots(const struct ir_insn *in)
{
	switch (in->kind) {
	case IRK_LABEL:
		return 0;
	case IRK_LD64:
	case IRK_LD_MAP:
		return 2;
	case IRK_INSN:
		break;
	}
	return 1;
}

static bool fin_loc_same(struct loc a, struct loc b)
{
	if (a.line != b.line || a.col != b.col)
		return false;
	if (a.file == b.file)
		return true;
	return a.file && b.file && strcmp(a.file, b.file) == 0;
}

/* Glue a dropped instruction's comment onto the next one. */
static char *fin_join_comments(char *carry, char *c)
{
	char *both;

	if (!carry)
		return c;
	if (!c)
		return carry;
	if (asprintf(&both, "%s; %s", carry, c) < 0)
		abort();
	free(carry);
	free(c);
	return both;
}

static int fin_emit(struct ir_func *f, const bool *drop, const int *label_slot,
		    size_t nslots, struct bpf_prog_code *out, char **err)
{
	size_t slot = 0, ncap_lines = 0;
	char *carry = NULL;

	out->insns = calloc(nslots ? nslots : 1, sizeof(*out->insns));
	out->comments = calloc(nslots ? nslots : 1, sizeof(char *));
	if (!out->insns || !out->comments)
		abort();
	out->ninsns = nslots;
	for (size_t i = 0; i < f->ninsns; i++) {
		struct ir_insn *in = &f->insns[i];
		struct bpf_insn *bi = &out->insns[slot];

		if (drop[i]) {
			carry = fin_join_comments(carry, in->comment);
			in->comment = NULL;
			continue;
		}
		if (in->kind == IRK_LABEL)
			continue;
		if (in->dst > IR_FP || in->src > IR_FP) {
			free(carry);
			return fin_fail(err,
					"internal error: unallocated "
					"register in instruction %zu",
					i);
		}
		if (in->loc.file && in->loc.line > 0 &&
		    (out->nlines == 0 ||
		     !fin_loc_same(out->lines[out->nlines - 1].loc, in->loc))) {
			if (out->nlines == ncap_lines) {
				ncap_lines = ncap_lines ? 2 * ncap_lines : 16;
				out->lines = fin_xrealloc(
				    out->lines,
				    ncap_lines * sizeof(*out->lines));
			}
			out->lines[out->nlines].insn_off = slot;
			out->lines[out->nlines].loc = in->loc;
			out->nlines++;
		}
		out->comments[slot] = fin_join_comments(carry, in->comment);
		carry = NULL;
		in->comment = NULL;

		bi->code = in->code;
		bi->dst_reg = in->dst < 0 ? 0 : in->dst;
		bi->src_reg = in->src < 0 ? 0 : in->src;
		bi->off = in->off;
		bi->imm = in->imm;
		if (in->kind == IRK_LD64) {
			bi->src_reg = 0;
			bi->imm = (int32_t)(uint32_t)in->imm64;
			bi[1].imm = (int32_t)(uint32_t)(in->imm64 >> 32);
		} else if (in->kind == IRK_LD_MAP) {
			struct bpf_map_reloc *r;

			bi->src_reg = in->reloc == RELOC_MAP_VALUE
					  ? BPF_PSEUDO_MAP_VALUE
				      : in->reloc == RELOC_SUBPROG
					  ? BPF_PSEUDO_FUNC
					  : BPF_PSEUDO_MAP_FD;
			bi->imm = 0;
			bi[1].imm = in->reloc == RELOC_MAP_VALUE
					? (int32_t)(uint32_t)in->imm64
					: 0;
			out->relocs =
			    fin_xrealloc(out->relocs, (out->nrelocs + 1) *
							  sizeof(*out->relocs));
			r = &out->relocs[out->nrelocs++];
			r->insn_idx = slot;
			r->map_idx = in->map_idx;
			r->kind = in->reloc;
		} else if (ir_is_jump(in)) {
			long target = label_slot[in->label];
			long delta = target - (long)slot - 1;

			if (target >= (long)nslots) {
				free(carry);
				return fin_fail(err,
						"jump at instruction %zu to a "
						"label after the last "
						"instruction",
						slot);
			}
			if (delta < INT16_MIN || delta > INT16_MAX) {
				free(carry);
				return fin_fail(err,
						"jump from instruction %zu to "
						"%ld is out of the 16-bit "
						"offset range",
						slot, target);
			}
			bi->off = (int16_t)delta;
		}
		slot += fin_slots(in);
	}
	free(carry);
	return 0;
}

int ir_func_finalize(struct ir_func *f, struct bpf_prog_code *out, char **err)
{
	bool *drop = NULL;
	int *label_slot = NULL;
	size_t nslots = 0;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	*err = NULL;
	if (f->error) {
		*err = strdup(f->error);
		return -1;
	}
	ir_dce(f);
	if (ir_regalloc(f, err) < 0)
		return -1;
	if (f->stack_size > IR_MAX_STACK)
		return fin_fail(
		    err, "program needs %d bytes of stack, BPF allows %d",
		    f->stack_size, IR_MAX_STACK);

	drop = calloc(f->ninsns ? f->ninsns : 1, sizeof(bool));
	label_slot = calloc(f->nlabels ? f->nlabels : 1, sizeof(int));
	if (!drop || !label_slot)
		abort();
	for (size_t i = 0; i < f->ninsns; i++) {
		struct ir_insn *in = &f->insns[i];

		drop[i] = fin_fold_reload(f, i) || fin_is_self_move(in) ||
			  fin_is_jump_next(f, i);
		if (in->kind == IRK_LABEL)
			label_slot[in->label] = nslots;
		else if (!drop[i])
			nslots += fin_slots(in);
	}
	out->name = strdup(f->name);
	out->stack_size = f->stack_size;
	if (fin_emit(f, drop, label_slot, nslots, out, err) < 0) {
		bpf_prog_code_free(out);
		memset(out, 0, sizeof(*out));
		goto done;
	}
	if (ir_subs_finalize(f, out, err) < 0) {
		bpf_prog_code_free(out);
		memset(out, 0, sizeof(*out));
		goto done;
	}
	rc = 0;
done:
	free(drop);
	free(label_slot);
	return rc;
}

void bpf_prog_code_free(struct bpf_prog_code *p)
{
	if (!p)
		return;
	if (p->comments)
		for (size_t i = 0; i < p->ninsns; i++)
			free(p->comments[i]);
	free(p->comments);
	free(p->name);
	free(p->insns);
	free(p->lines);
	free(p->relocs);
	for (size_t i = 0; i < p->nsubs; i++)
		bpf_prog_code_free(&p->subs[i]);
	free(p->subs);
	p->subs = NULL;
	p->nsubs = 0;
	p->comments = NULL;
	p->name = NULL;
	p->insns = NULL;
	p->lines = NULL;
	p->relocs = NULL;
	p->ninsns = p->nlines = p->nrelocs = 0;
}
