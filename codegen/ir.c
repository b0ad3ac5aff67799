// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Building the IR: one emitter per BPF instruction form, labels, stack
 * slots. Emitters never fail; a misuse (bad size, bad register) is kept
 * and reported by ir_func_finalize() so lowering code stays linear.
 */
#define _GNU_SOURCE
#include "ir_internal.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static void *ir_xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		abort();
	return p;
}

struct ir_func *ir_func_new(const char *name)
{
	struct ir_func *f = calloc(1, sizeof(*f));

	if (!f)
		abort();
	f->name = strdup(name ? name : "prog");
	if (!f->name)
		abort();
	return f;
}

void ir_func_free(struct ir_func *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->ninsns; i++)
		free(f->insns[i].comment);
	free(f->insns);
	for (int i = 0; i < f->nsubs; i++)
		ir_func_free(f->subs[i]);
	free(f->subs);
	free(f->vreg_flags);
	free(f->pending_comment);
	free(f->error);
	free(f->name);
	free(f);
}

void ir_error(struct ir_func *f, const char *fmt, ...)
{
	va_list ap;

	if (f->error)
		return;
	va_start(ap, fmt);
	if (vasprintf(&f->error, fmt, ap) < 0)
		f->error = NULL;
	va_end(ap);
}

int ir_vreg_new_flags(struct ir_func *f, uint8_t flags)
{
	if ((size_t)f->nvregs == f->vreg_cap) {
		f->vreg_cap = f->vreg_cap ? 2 * f->vreg_cap : 64;
		f->vreg_flags = ir_xrealloc(f->vreg_flags, f->vreg_cap);
	}
	f->vreg_flags[f->nvregs] = flags;
	return IR_VREG_BASE + f->nvregs++;
}

int ir_vreg_new(struct ir_func *f)
{
	return ir_vreg_new_flags(f, 0);
}

void ir_set_loc(struct ir_func *f, struct loc loc)
{
	f->loc = loc;
}

void ir_comment(struct ir_func *f, const char *fmt, ...)
{
	char *s;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (!s)
		return;
	/* Two comments before one instruction: keep both. */
	if (f->pending_comment) {
		char *both;

		if (asprintf(&both, "%s; %s", f->pending_comment, s) < 0)
			abort();
		free(f->pending_comment);
		free(s);
		s = both;
	}
	f->pending_comment = s;
}

struct ir_insn *ir_insn_append(struct ir_func *f, enum ir_kind kind)
{
	struct ir_insn *in;

	if (f->ninsns == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 64;
		f->insns = ir_xrealloc(f->insns, f->cap * sizeof(*f->insns));
	}
	in = &f->insns[f->ninsns++];
	memset(in, 0, sizeof(*in));
	in->kind = kind;
	in->dst = IR_NOREG;
	in->src = IR_NOREG;
	in->label = -1;
	in->loc = f->loc;
	/* A label has no code of its own: its comment waits for the next. */
	if (kind != IRK_LABEL) {
		in->comment = f->pending_comment;
		f->pending_comment = NULL;
	}
	return in;
}

/* Registers the IR may name: R0..R10 and allocated vregs. */
static bool ir_reg_check(struct ir_func *f, int r, bool written)
{
	if ((r >= 0 && r <= IR_FP) ||
	    (r >= IR_VREG_BASE && r < IR_VREG_BASE + f->nvregs)) {
		if (written && r == IR_FP) {
			ir_error(f,
				 "IR writes the read-only frame pointer r10");
			return false;
		}
		return true;
	}
	ir_error(f, "IR names unknown register %d", r);
	return false;
}

static int ir_size_code(struct ir_func *f, int size)
{
	switch (size) {
	case 1:
		return BPF_B;
	case 2:
		return BPF_H;
	case 4:
		return BPF_W;
	case 8:
		return BPF_DW;
	}
	ir_error(f, "IR memory access of %d bytes (1, 2, 4 or 8 allowed)",
		 size);
	return BPF_DW;
}

static bool ir_alu_op_check(struct ir_func *f, int op)
{
	switch (op) {
	case BPF_ADD:
	case BPF_SUB:
	case BPF_MUL:
	case BPF_DIV:
	case BPF_MOD:
	case BPF_OR:
	case BPF_AND:
	case BPF_XOR:
	case BPF_LSH:
	case BPF_RSH:
	case BPF_ARSH:
	case BPF_NEG:
	case BPF_MOV:
		return true;
	}
	ir_error(f, "IR uses unknown ALU operation 0x%x", op);
	return false;
}

static void ir_alu(struct ir_func *f, int cls, int op, int dst, int src,
		   int32_t imm, bool is_reg)
{
	struct ir_insn *in;

	ir_alu_op_check(f, op);
	ir_reg_check(f, dst, true);
	/* NEG has no source operand whatever the caller passes. */
	if (op == BPF_NEG)
		is_reg = false;
	if (is_reg)
		ir_reg_check(f, src, false);
	in = ir_insn_append(f, IRK_INSN);
	in->code = cls | op | (is_reg ? BPF_X : BPF_K);
	in->dst = dst;
	if (is_reg)
		in->src = src;
	else if (op != BPF_NEG)
		in->imm = imm;
}

void ir_alu_reg(struct ir_func *f, int op, int dst, int src)
{
	ir_alu(f, BPF_ALU64, op, dst, src, 0, true);
}

void ir_alu_imm(struct ir_func *f, int op, int dst, int32_t imm)
{
	ir_alu(f, BPF_ALU64, op, dst, IR_NOREG, imm, false);
}

void ir_alu32_reg(struct ir_func *f, int op, int dst, int src)
{
	ir_alu(f, BPF_ALU, op, dst, src, 0, true);
}

void ir_alu32_imm(struct ir_func *f, int op, int dst, int32_t imm)
{
	ir_alu(f, BPF_ALU, op, dst, IR_NOREG, imm, false);
}

void ir_mov_reg(struct ir_func *f, int dst, int src)
{
	ir_alu_reg(f, BPF_MOV, dst, src);
}

void ir_mov_imm(struct ir_func *f, int dst, int32_t imm)
{
	ir_alu_imm(f, BPF_MOV, dst, imm);
}

void ir_ld_imm64(struct ir_func *f, int dst, uint64_t imm)
{
	struct ir_insn *in;

	ir_reg_check(f, dst, true);
	in = ir_insn_append(f, IRK_LD64);
	in->code = BPF_LD | BPF_IMM | BPF_DW;
	in->dst = dst;
	in->imm64 = imm;
}

static void ir_ld_map_any(struct ir_func *f, int dst, int map_idx,
			  enum reloc_kind kind, uint32_t off)
{
	struct ir_insn *in;

	ir_reg_check(f, dst, true);
	if (map_idx < 0)
		ir_error(f, "IR loads map %d", map_idx);
	in = ir_insn_append(f, IRK_LD_MAP);
	in->code = BPF_LD | BPF_IMM | BPF_DW;
	in->dst = dst;
	in->map_idx = map_idx;
	in->reloc = kind;
	in->imm64 = off;
}

void ir_ld_map(struct ir_func *f, int dst, int map_idx)
{
	ir_ld_map_any(f, dst, map_idx, RELOC_MAP_FD, 0);
}

void ir_ld_map_value(struct ir_func *f, int dst, int map_idx, uint32_t off)
{
	ir_ld_map_any(f, dst, map_idx, RELOC_MAP_VALUE, off);
}

void ir_load(struct ir_func *f, int size, int dst, int base, int16_t off)
{
	struct ir_insn *in;
	int sz = ir_size_code(f, size);

	ir_reg_check(f, dst, true);
	ir_reg_check(f, base, false);
	in = ir_insn_append(f, IRK_INSN);
	in->code = BPF_LDX | BPF_MEM | sz;
	in->dst = dst;
	in->src = base;
	in->off = off;
}

void ir_store_reg(struct ir_func *f, int size, int base, int16_t off, int src)
{
	struct ir_insn *in;
	int sz = ir_size_code(f, size);

	ir_reg_check(f, base, false);
	ir_reg_check(f, src, false);
	in = ir_insn_append(f, IRK_INSN);
	in->code = BPF_STX | BPF_MEM | sz;
	in->dst = base;
	in->src = src;
	in->off = off;
}

void ir_store_imm(struct ir_func *f, int size, int base, int16_t off,
		  int32_t imm)
{
	struct ir_insn *in;
	int sz = ir_size_code(f, size);

	ir_reg_check(f, base, false);
	in = ir_insn_append(f, IRK_INSN);
	in->code = BPF_ST | BPF_MEM | sz;
	in->dst = base;
	in->off = off;
	in->imm = imm;
}

void ir_atomic_add(struct ir_func *f, int size, int base, int16_t off, int src)
{
	struct ir_insn *in;

	if (size != 4 && size != 8)
		ir_error(f, "IR atomic add of %d bytes (4 or 8 allowed)", size);
	ir_reg_check(f, base, false);
	ir_reg_check(f, src, false);
	in = ir_insn_append(f, IRK_INSN);
	in->code = BPF_STX | BPF_ATOMIC | (size == 4 ? BPF_W : BPF_DW);
	in->dst = base;
	in->src = src;
	in->off = off;
	in->imm = BPF_ADD;
}

void ir_call_helper(struct ir_func *f, int id)
{
	struct ir_insn *in = ir_insn_append(f, IRK_INSN);

	in->code = BPF_JMP | BPF_CALL;
	in->imm = id;
}

int ir_label_new(struct ir_func *f)
{
	return f->nlabels++;
}

static bool ir_label_check(struct ir_func *f, int label)
{
	if (label >= 0 && label < f->nlabels)
		return true;
	ir_error(f, "IR uses unknown label %d", label);
	return false;
}

void ir_label_place(struct ir_func *f, int label)
{
	struct ir_insn *in;

	ir_label_check(f, label);
	in = ir_insn_append(f, IRK_LABEL);
	in->label = label;
}

void ir_jmp(struct ir_func *f, int label)
{
	struct ir_insn *in;

	ir_label_check(f, label);
	in = ir_insn_append(f, IRK_INSN);
	in->code = BPF_JMP | BPF_JA;
	in->label = label;
}

static bool ir_jmp_op_check(struct ir_func *f, int op)
{
	switch (op) {
	case BPF_JEQ:
	case BPF_JNE:
	case BPF_JGT:
	case BPF_JGE:
	case BPF_JLT:
	case BPF_JLE:
	case BPF_JSGT:
	case BPF_JSGE:
	case BPF_JSLT:
	case BPF_JSLE:
	case BPF_JSET:
		return true;
	}
	ir_error(f, "IR uses unknown jump condition 0x%x", op);
	return false;
}

void ir_jcond_reg(struct ir_func *f, int op, int a, int b, int label)
{
	struct ir_insn *in;

	ir_jmp_op_check(f, op);
	ir_reg_check(f, a, false);
	ir_reg_check(f, b, false);
	ir_label_check(f, label);
	in = ir_insn_append(f, IRK_INSN);
	in->code = BPF_JMP | op | BPF_X;
	in->dst = a;
	in->src = b;
	in->label = label;
}

void ir_jcond_imm(struct ir_func *f, int op, int a, int32_t imm, int label)
{
	struct ir_insn *in;

	ir_jmp_op_check(f, op);
	ir_reg_check(f, a, false);
	ir_label_check(f, label);
	in = ir_insn_append(f, IRK_INSN);
	in->code = BPF_JMP | op | BPF_K;
	in->dst = a;
	in->imm = imm;
	in->label = label;
}

void ir_exit(struct ir_func *f)
{
	struct ir_insn *in = ir_insn_append(f, IRK_INSN);

	in->code = BPF_JMP | BPF_EXIT;
}

int ir_stack_alloc(struct ir_func *f, int size, int align)
{
	int end;

	if (size <= 0)
		size = 1;
	/* FP is 8-byte aligned; finer requests cannot be honoured anyway. */
	if (align <= 0 || align > 8 || (align & (align - 1)))
		align = 8;
	end = (f->stack_size + size + align - 1) & ~(align - 1);
	f->stack_size = end;
	/* Keep offsets representable even when the frame is already too big;
	 * finalize refuses such programs with the real size. */
	return end > 32767 ? -32768 : -end;
}

static void ir_regs_use(struct ir_regs *r, int reg)
{
	if (reg != IR_NOREG && reg != IR_FP)
		r->use[r->nuse++] = reg;
}

static void ir_regs_def(struct ir_regs *r, int reg)
{
	if (reg != IR_NOREG && reg != IR_FP)
		r->def[r->ndef++] = reg;
}

void ir_insn_regs(const struct ir_insn *in, struct ir_regs *r)
{
	uint8_t cls = BPF_CLASS(in->code), op = BPF_OP(in->code);

	r->nuse = r->ndef = 0;
	switch (in->kind) {
	case IRK_LABEL:
		return;
	case IRK_LD64:
	case IRK_LD_MAP:
		ir_regs_def(r, in->dst);
		return;
	case IRK_INSN:
		break;
	}
	switch (cls) {
	case BPF_ALU:
	case BPF_ALU64:
		if (op != BPF_MOV)
			ir_regs_use(r, in->dst);
		if (BPF_SRC(in->code) == BPF_X && op != BPF_NEG)
			ir_regs_use(r, in->src);
		ir_regs_def(r, in->dst);
		break;
	case BPF_LDX:
		ir_regs_use(r, in->src);
		ir_regs_def(r, in->dst);
		break;
	case BPF_ST:
		ir_regs_use(r, in->dst);
		break;
	case BPF_STX:
		ir_regs_use(r, in->dst);
		ir_regs_use(r, in->src);
		break;
	case BPF_JMP:
		if (op == BPF_CALL) {
			for (int k = 1; k <= 5; k++)
				if (in->arg_mask & (1u << k))
					ir_regs_use(r, k);
			for (int k = 0; k <= 5; k++)
				ir_regs_def(r, k);
		} else if (op == BPF_EXIT) {
			ir_regs_use(r, IR_R0);
		} else if (op != BPF_JA) {
			ir_regs_use(r, in->dst);
			if (BPF_SRC(in->code) == BPF_X)
				ir_regs_use(r, in->src);
		}
		break;
	}
}
