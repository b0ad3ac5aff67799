// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Stacks in kernel probes. print_backtrace() and print_ubacktrace() send
 * the raw addresses (bpf_get_stack straight into a ring-buffer record,
 * with the pid for user stacks); the consumer names them from kallsyms and
 * the process's ELF files (runtime/symbolize.c). backtrace() and
 * ubacktrace() are strings of hex addresses as stap gives them ("0xffff...
 * 0x..."), built here so that a handler can keep them (bt[backtrace()]++)
 * and an end probe can name them with print_stack()/print_ustack().
 *
 * The hex string is built without data-dependent branches but one exit
 * per frame: each address's 16 digits go to a scratch buffer, the number of
 * significant digits is counted with arithmetic, and a helper copies just
 * those, so the verifier sees a short straight path per frame.
 */
#include "lower_int.h"

#include <linux/bpf.h>

#define HEX_FRAME 19 /* "0x" + 16 digits + ' ' */

/* print_backtrace() / print_ubacktrace(): one record per call. */
static void lower_print_stack(struct lower *L, struct node *e, bool user)
{
	struct rec_desc d = { .kind = REC_STACK, .probe_name = L->rp->name,
			      .loc = e->loc, .user_stack = user };
	int id, rec, fail, done, p, r, pid;

	d.size = STACK_REC_ADDRS + 8 * STACK_MAX_FRAMES;
	id = lower_add_rec(L->sh, &d);
	done = ir_label_new(L->f);
	rec = lw_rb_reserve(L, d.size, id, &fail);
	pid = lw_call(L, BPF_FUNC_get_current_pid_tgid, -1, -1, -1, -1);
	ir_alu_imm(L->f, BPF_RSH, pid, 32);
	ir_store_reg(L->f, 4, rec, STACK_REC_PID, pid);
	p = lw_vr(L);
	ir_mov_reg(L->f, p, rec);
	ir_alu_imm(L->f, BPF_ADD, p, STACK_REC_ADDRS);
	r = lw_call(L, BPF_FUNC_get_stack, L->ctx, p,
		    lw_imm(L, 8 * STACK_MAX_FRAMES),
		    lw_imm(L, user ? BPF_F_USER_STACK : 0));
	ir_store_reg(L->f, 4, rec, STACK_REC_BYTES, r);
	lw_rb_commit(L, rec);
	lw_rb_drop(L, fail, done);
}

/* backtrace() / ubacktrace(): "0x... 0x..." in a scratch string. */
static struct val lower_hex_stack(struct lower *L, struct node *e, bool user)
{
	struct ir_func *f = L->f;
	int maxstr = lw_maxstr(L);
	int frames = (maxstr - 1) / HEX_FRAME;
	uint32_t soff, doff, hoff;
	int stk, dst, hex, n, pos, end = ir_label_new(f);

	if (frames > STACK_MAX_FRAMES)
		frames = STACK_MAX_FRAMES;
	soff = lw_scratch_alloc(L, 8 * STACK_MAX_FRAMES, e->loc);
	/* room for a whole frame past the last one that fits */
	doff = lw_scratch_alloc(L, (uint32_t)(maxstr + HEX_FRAME + 1), e->loc);
	/* the digits of one address: a '0', then 16 (see below) */
	hoff = lw_scratch_alloc(L, 24, e->loc);
	stk = lw_scratch_ptr(L, soff);
	dst = lw_scratch_ptr(L, doff);
	hex = lw_scratch_ptr(L, hoff);
	ir_store_imm(f, 1, hex, 0, '0');
	ir_store_imm(f, 1, dst, 0, 0);
	pos = lw_vr(L);
	ir_mov_imm(f, pos, 0);
	n = lw_call(L, BPF_FUNC_get_stack, L->ctx, stk,
		    lw_imm(L, 8 * STACK_MAX_FRAMES),
		    lw_imm(L, user ? BPF_F_USER_STACK : 0));
	/* frames captured: bytes / 8, nothing on error */
	ir_jcond_imm(f, BPF_JSLE, n, 0, end);
	ir_alu_imm(f, BPF_RSH, n, 3);
	for (int i = 0; i < frames; i++) {
		int a = lw_vr(L), seen = lw_vr(L), nd = lw_vr(L);
		int src = lw_vr(L), out = lw_vr(L), t = lw_vr(L);

		ir_jcond_imm(f, BPF_JLE, n, i, end);
		ir_load(f, 8, a, stk, (int16_t)(8 * i));
		ir_mov_imm(f, seen, 0);
		ir_mov_imm(f, nd, 0);
		for (int k = 0; k < 16; k++) {
			int dg = lw_vr(L), c = lw_vr(L), nz = lw_vr(L);

			/* digit k (most significant first) and its char:
			 * '0' + d, plus 39 more from 10 on ('a' - '9' - 1) */
			ir_mov_reg(f, dg, a);
			ir_alu_imm(f, BPF_RSH, dg, 60 - 4 * k);
			ir_alu_imm(f, BPF_AND, dg, 15);
			ir_mov_reg(f, c, dg);
			ir_alu_imm(f, BPF_ADD, c, 6);
			ir_alu_imm(f, BPF_RSH, c, 4);
			ir_alu_imm(f, BPF_MUL, c, 39);
			ir_alu_reg(f, BPF_ADD, c, dg);
			ir_alu_imm(f, BPF_ADD, c, '0');
			ir_store_reg(f, 1, hex, (int16_t)(1 + k), c);
			/* seen |= (d != 0): the sign bit of d | -d */
			ir_mov_reg(f, nz, dg);
			ir_alu_imm(f, BPF_NEG, nz, 0);
			ir_alu_reg(f, BPF_OR, nz, dg);
			ir_alu_imm(f, BPF_RSH, nz, 63);
			ir_alu_reg(f, BPF_OR, seen, nz);
			ir_alu_reg(f, BPF_ADD, nd, seen);
		}
		/* 0x0 still has one digit (nd is 0..17 to the verifier, hence
		 * the '0' before the 16 digits) */
		ir_mov_imm(f, t, 1);
		ir_alu_reg(f, BPF_SUB, t, seen);
		ir_alu_reg(f, BPF_ADD, nd, t);
		/* "0x", the significant digits, a space */
		ir_mov_reg(f, out, dst);
		ir_alu_reg(f, BPF_ADD, out, pos);
		ir_store_imm(f, 1, out, 0, '0');
		ir_store_imm(f, 1, out, 1, 'x');
		ir_alu_imm(f, BPF_ADD, out, 2);
		ir_mov_reg(f, src, hex);
		ir_alu_imm(f, BPF_ADD, src, 17);
		ir_alu_reg(f, BPF_SUB, src, nd);
		lw_call(L, BPF_FUNC_probe_read_kernel, out, nd, src, -1);
		ir_alu_reg(f, BPF_ADD, out, nd);
		ir_store_imm(f, 1, out, 0, ' ');
		ir_store_imm(f, 1, out, 1, 0);
		ir_alu_reg(f, BPF_ADD, pos, nd);
		ir_alu_imm(f, BPF_ADD, pos, 3);
	}
	ir_label_place(f, end);
	/* drop the trailing space */
	{
		int none = ir_label_new(f), last = lw_vr(L);

		ir_jcond_imm(f, BPF_JEQ, pos, 0, none);
		ir_mov_reg(f, last, dst);
		ir_alu_reg(f, BPF_ADD, last, pos);
		ir_store_imm(f, 1, last, -1, 0);
		ir_label_place(f, none);
	}
	return (struct val){ .type = T_STRING, .reg = dst, .strmax = maxstr };
}

/* uaddr(): the user-space instruction pointer of the current task, the
 * first frame of its user stack (0 when there is none). */
static struct val lower_uaddr(struct lower *L, struct node *e)
{
	uint32_t off = lw_scratch_alloc(L, 8, e->loc);
	int p = lw_scratch_ptr(L, off), r = lw_vr(L);

	ir_store_imm(L->f, 8, p, 0, 0);
	lw_call(L, BPF_FUNC_get_stack, L->ctx, p, lw_imm(L, 8),
		lw_imm(L, BPF_F_USER_STACK));
	ir_load(L->f, 8, r, p, 0);
	return (struct val){ .type = T_LONG, .reg = r };
}

bool lower_stack_builtin(struct lower *L, struct node *e, struct val *out)
{
	switch (e->op) {
	case BI_PRINT_BACKTRACE:
	case BI_PRINT_UBACKTRACE:
		lower_print_stack(L, e, e->op == BI_PRINT_UBACKTRACE);
		*out = (struct val){ .type = T_VOID, .reg = lw_imm(L, 0) };
		return true;
	case BI_BACKTRACE:
	case BI_UBACKTRACE:
		*out = lower_hex_stack(L, e, e->op == BI_UBACKTRACE);
		return true;
	case BI_UADDR:
		*out = lower_uaddr(L, e);
		return true;
	default:
		return false;
	}
}
