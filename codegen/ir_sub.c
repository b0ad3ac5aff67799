// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Callback subprograms: helpers such as bpf_for_each_map_elem call a
 * function of the same program, passed as an ld_imm64 with src_reg
 * BPF_PSEUDO_FUNC. Each callback is its own ir_func (own registers, own
 * stack frame, arguments in R1..R5), registered on the root function and
 * finalized with it; the object writer puts the finished code in ".text"
 * where libbpf finds subprograms.
 */
#define _GNU_SOURCE
#include "ir_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ir_func *ir_func_sub_new(struct ir_func *f, const char *name, int *idx)
{
	struct ir_func *root = f->root ? f->root : f;
	struct ir_func *sub, **v;
	char *full;

	if (asprintf(&full, "%s_%s%d", root->name, name, root->nsubs) < 0)
		abort();
	sub = ir_func_new(full);
	free(full);
	sub->root = root;
	v = realloc(root->subs, (size_t)(root->nsubs + 1) * sizeof(*v));
	if (!v)
		abort();
	root->subs = v;
	root->subs[root->nsubs] = sub;
	*idx = root->nsubs++;
	return sub;
}

void ir_ld_func(struct ir_func *f, int dst, int idx)
{
	struct ir_insn *in;
	struct ir_func *root = f->root ? f->root : f;

	if (idx < 0 || idx >= root->nsubs)
		ir_error(f, "IR loads unknown subprogram %d", idx);
	in = ir_insn_append(f, IRK_LD_MAP);
	in->code = BPF_LD | BPF_IMM | BPF_DW;
	in->dst = dst;
	in->map_idx = idx;
	in->reloc = RELOC_SUBPROG;
	in->imm64 = 0;
}

bool ir_vreg_base_offset(const struct ir_func *f, int vreg, int base,
			 int32_t *off)
{
	bool moved = false;
	int32_t sum = 0;

	for (size_t i = 0; i < f->ninsns; i++) {
		const struct ir_insn *in = &f->insns[i];

		if (in->kind == IRK_LABEL || in->dst != vreg || ir_is_jump(in))
			continue;
		if (in->kind == IRK_INSN &&
		    BPF_CLASS(in->code) == BPF_STX)
			continue; /* a store through vreg, not a def */
		if (in->kind == IRK_INSN && BPF_CLASS(in->code) == BPF_ST)
			continue;
		if (!moved && in->kind == IRK_INSN &&
		    in->code == (BPF_ALU64 | BPF_MOV | BPF_X) &&
		    in->src == base) {
			moved = true;
			continue;
		}
		if (moved && in->kind == IRK_INSN &&
		    in->code == (BPF_ALU64 | BPF_ADD | BPF_K)) {
			sum += in->imm;
			continue;
		}
		return false;
	}
	*off = sum;
	return moved;
}

int ir_subs_finalize(struct ir_func *f, struct bpf_prog_code *out,
		     char **err)
{
	if (!f->nsubs)
		return 0;
	out->subs = calloc((size_t)f->nsubs, sizeof(*out->subs));
	if (!out->subs)
		abort();
	out->nsubs = (size_t)f->nsubs;
	for (int i = 0; i < f->nsubs; i++) {
		char *e = NULL;

		if (ir_func_finalize(f->subs[i], &out->subs[i], &e) < 0) {
			if (asprintf(err, "callback %s: %s", f->subs[i]->name,
				     e ? e : "unknown error") < 0)
				abort();
			free(e);
			return -1;
		}
	}
	return 0;
}
