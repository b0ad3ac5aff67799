// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A string with C escapes, as text_str() and the '#' flag of %s/%c give
 * it (the same rules as runtime/printf_fmt.c: \a \b \f \n \r \t \v \' \\,
 * other non-printable bytes as three octal digits). In a kernel probe the
 * per-byte work is a bpf_loop callback: the source is first copied to
 * scratch, and the callback, called once per byte, reads it and appends to
 * the result at fixed scratch offsets, so the verifier checks one byte's
 * code whatever the string. The positions live in scratch too.
 */
#include "lower_int.h"
#include "lower.h"

#include <linux/bpf.h>

/* The callback: R1 = the byte's index; the positions {u64 i, u64 j} at
 * scratch offset st (map memory, so the verifier takes them as unknown
 * values within the checked bounds and converges at once; on the stack it
 * would track each value and walk every iteration). Returns 1 to stop
 * (end of string, result full). */
static void esc_callback(struct lower *C, uint32_t src, uint32_t srcmax,
			 uint32_t dst, uint32_t dstmax, uint32_t st,
			 struct loc loc)
{
	struct ir_func *f = C->f;
	static const char from[] = "\a\b\f\n\r\t\v'\\";
	static const char to[] = "abfnrtv'\\";
	int ctx = lw_vr(C), sc = lw_vr(C), i = lw_vr(C), j = lw_vr(C);
	int c = lw_vr(C), p = lw_vr(C), t = lw_vr(C);
	int zoff = ir_stack_alloc(f, 8, 8);
	int stop = ir_label_new(f), next = ir_label_new(f);
	int plain = ir_label_new(f), octal = ir_label_new(f);

	/* line info: every subprogram needs some (.BTF.ext) */
	ir_set_loc(f, loc);
	/* this CPU's scratch */
	ir_store_imm(f, 4, IR_FP, (int16_t)zoff, 0);
	ir_ld_map(f, IR_R1, C->sh->map_scratch);
	ir_mov_reg(f, IR_R2, IR_FP);
	ir_alu_imm(f, BPF_ADD, IR_R2, zoff);
	ir_call_helper(f, BPF_FUNC_map_lookup_elem);
	ir_mov_reg(f, sc, IR_R0);
	ir_jcond_imm(f, BPF_JEQ, sc, 0, stop);
	ir_mov_reg(f, ctx, sc);
	ir_alu_imm(f, BPF_ADD, ctx, (int32_t)st);
	ir_load(f, 8, i, ctx, 0);
	ir_load(f, 8, j, ctx, 8);
	/* bounds the verifier can see */
	ir_jcond_imm(f, BPF_JGE, i, (int32_t)srcmax, stop);
	ir_jcond_imm(f, BPF_JGT, j, (int32_t)(dstmax - 5), stop);
	ir_mov_reg(f, p, sc);
	ir_alu_reg(f, BPF_ADD, p, i);
	ir_load(f, 1, c, p, (int16_t)src);
	ir_jcond_imm(f, BPF_JEQ, c, 0, stop);
	ir_mov_reg(f, p, sc);
	ir_alu_reg(f, BPF_ADD, p, j);
	ir_alu_imm(f, BPF_ADD, p, (int32_t)dst);
	for (int k = 0; from[k]; k++) {
		int no = ir_label_new(f);

		ir_jcond_imm(f, BPF_JNE, c, (unsigned char)from[k], no);
		ir_store_imm(f, 1, p, 0, '\\');
		ir_store_imm(f, 1, p, 1, to[k]);
		ir_store_imm(f, 1, p, 2, 0);
		ir_alu_imm(f, BPF_ADD, j, 2);
		ir_jmp(f, next);
		ir_label_place(f, no);
	}
	ir_jcond_imm(f, BPF_JLT, c, 0x20, octal);
	ir_jcond_imm(f, BPF_JGT, c, 0x7e, octal);
	ir_jmp(f, plain);
	ir_label_place(f, octal);
	ir_store_imm(f, 1, p, 0, '\\');
	for (int k = 0; k < 3; k++) {
		ir_mov_reg(f, t, c);
		ir_alu_imm(f, BPF_RSH, t, 6 - 3 * k);
		ir_alu_imm(f, BPF_AND, t, k ? 7 : 3);
		ir_alu_imm(f, BPF_ADD, t, '0');
		ir_store_reg(f, 1, p, (int16_t)(1 + k), t);
	}
	ir_store_imm(f, 1, p, 4, 0);
	ir_alu_imm(f, BPF_ADD, j, 4);
	ir_jmp(f, next);
	ir_label_place(f, plain);
	ir_store_reg(f, 1, p, 0, c);
	ir_store_imm(f, 1, p, 1, 0);
	ir_alu_imm(f, BPF_ADD, j, 1);
	ir_label_place(f, next);
	ir_alu_imm(f, BPF_ADD, i, 1);
	ir_store_reg(f, 8, ctx, 0, i);
	ir_store_reg(f, 8, ctx, 8, j);
	ir_mov_imm(f, IR_R0, 0);
	ir_exit(f);
	ir_label_place(f, stop);
	ir_mov_imm(f, IR_R0, 1);
	ir_exit(f);
}

struct val lower_str_escape(struct lower *L, struct val s, struct loc loc)
{
	int maxstr = lw_maxstr(L);
	int srcmax = s.strmax > 0 && s.strmax < maxstr ? s.strmax : maxstr;
	uint32_t src = lw_scratch_alloc(L, (uint32_t)srcmax, loc);
	uint32_t dst = lw_scratch_alloc(L, (uint32_t)maxstr + 8, loc);
	uint32_t st = lw_scratch_alloc(L, 16, loc);
	struct lower C = *L;
	int idx, pos, d;

	lw_str_copy(L, lw_scratch_ptr(L, src), srcmax, s.reg);
	d = lw_scratch_ptr(L, dst);
	ir_store_imm(L->f, 1, d, 0, 0);
	C.f = ir_func_sub_new(L->f, "esc", &idx);
	esc_callback(&C, src, (uint32_t)srcmax, dst, (uint32_t)maxstr, st, loc);
	ir_set_loc(L->f, loc);
	pos = lw_scratch_ptr(L, st);
	ir_store_imm(L->f, 8, pos, 0, 0);
	ir_store_imm(L->f, 8, pos, 8, 0);
	ir_mov_imm(L->f, IR_R1, srcmax);
	ir_ld_func(L->f, IR_R2, idx);
	ir_mov_imm(L->f, IR_R3, 0);
	ir_mov_imm(L->f, IR_R4, 0);
	ir_call_helper(L->f, BPF_FUNC_loop);
	/* the callback wrote through its own scratch pointer: look again */
	d = lw_scratch_ptr(L, dst);
	return (struct val){ .type = T_STRING, .reg = d, .strmax = maxstr };
}

bool lower_escape_builtin(struct lower *L, struct node *e, struct val *out)
{
	if (e->op != BI_TEXT_STR)
		return false;
	*out = lower_str_escape(L, lw_expr(L, e->args), e->loc);
	return true;
}
