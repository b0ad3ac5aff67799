// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Replaying a typed access path (semantic/target_vars.h) as BPF: every
 * load goes through bpf_probe_read_kernel into a stack slot, so values
 * stay plain scalars the verifier lets us index and compute with (a
 * direct load in a tp_btf program would give a BTF pointer that refuses
 * variable offsets and most arithmetic). A failed read is stap's "kernel
 * read fault" runtime error.
 */
#define _GNU_SOURCE
#include "lower_target.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../semantic/target_vars.h"

/* dst = *(size bytes *)src via a stack slot; error on a fault. USDT
 * operands in memory are the probed program's (user memory). */
static void read_mem(struct lower *L, int dst, int src, int size,
		     struct loc loc, bool user)
{
	struct ir_func *f = L->f;
	int slot = ir_stack_alloc(f, 8, 8);
	int p = lw_vr(L), r, ok = ir_label_new(f);

	ir_store_imm(f, 8, IR_FP, (int16_t)slot, 0);
	ir_mov_reg(f, p, IR_FP);
	ir_alu_imm(f, BPF_ADD, p, slot);
	r = lw_call(L, user ? BPF_FUNC_probe_read_user
			    : BPF_FUNC_probe_read_kernel,
		    p, lw_imm(L, size), src, -1);
	ir_jcond_imm(f, BPF_JEQ, r, 0, ok);
	lw_emit_error(L, loc, user ? "user read fault" : "kernel read fault");
	ir_label_place(f, ok);
	ir_load(f, size, dst, IR_FP, (int16_t)slot);
}

static void read_kernel(struct lower *L, int dst, int src, int size,
			struct loc loc)
{
	read_mem(L, dst, src, size, loc, false);
}

static int load_size(uint32_t bytes)
{
	return bytes <= 1 ? 1 : bytes <= 2 ? 2 : bytes <= 4 ? 4 : 8;
}

/* Keep the low `bits` bits, sign-extending when asked. */
static void narrow(struct lower *L, int v, int bits, bool is_signed)
{
	if (bits >= 64)
		return;
	ir_alu_imm(L->f, BPF_LSH, v, 64 - bits);
	ir_alu_imm(L->f, is_signed ? BPF_ARSH : BPF_RSH, v, 64 - bits);
}

struct val lower_target(struct lower *L, struct node *e)
{
	const struct tgt_access *a = e->sym->access;
	struct ir_func *f = L->f;
	int v = lw_vr(L);

	if (a->base) {
		struct val b = lw_expr(L, a->base);

		ir_mov_reg(f, v, b.reg);
	} else if (L->rp->mech == MECH_KPROBE ||
		   L->rp->mech == MECH_KRETPROBE ||
		   L->rp->mech == MECH_UPROBE ||
		   L->rp->mech == MECH_URETPROBE) {
		ir_load(f, 8, v, L->ctx, (int16_t)a->ctx_off);
	} else {
		/* tp_btf/fentry: the argument array, read as a scalar. */
		int src = lw_vr(L);

		ir_mov_reg(f, src, L->ctx);
		ir_alu_imm(f, BPF_ADD, src, a->ctx_off);
		read_kernel(L, v, src, 8, e->loc);
	}
	for (int i = 0; i < a->nsteps; i++) {
		const struct tgt_step *s = &a->steps[i];

		switch (s->kind) {
		case TS_ADD:
			if (s->off >= INT32_MIN && s->off <= INT32_MAX) {
				ir_alu_imm(f, BPF_ADD, v, (int32_t)s->off);
			} else {
				int t = lw_imm(L, s->off);

				ir_alu_reg(f, BPF_ADD, v, t);
			}
			break;
		case TS_DEREF:
			read_kernel(L, v, v, 8, e->loc);
			break;
		case TS_INDEX:
			if (s->idx->kind == E_NUM) {
				ir_alu_imm(f, BPF_ADD, v,
					   (int32_t)(s->idx->num * s->elem_size));
			} else {
				struct val ix = lw_expr(L, s->idx);
				int t = lw_vr(L);

				ir_mov_reg(f, t, ix.reg);
				ir_alu_imm(f, BPF_MUL, t, (int32_t)s->elem_size);
				ir_alu_reg(f, BPF_ADD, v, t);
			}
			break;
		}
	}
	switch (a->end) {
	case TE_STRING: {
		uint32_t off = lw_scratch_alloc(L, a->strsize, e->loc);
		int dst = lw_scratch_ptr(L, off);

		lw_str_copy(L, dst, (int)a->strsize, v);
		return (struct val){ .type = T_STRING, .reg = dst,
				     .strmax = (int)((a->strsize + 7) & ~7u) };
	}
	case TE_LOAD:
		if (a->bit_size) {
			int sz = load_size((a->bit_off + a->bit_size + 7) / 8);

			read_kernel(L, v, v, sz, e->loc);
			if (a->bit_off)
				ir_alu_imm(f, BPF_RSH, v, (int32_t)a->bit_off);
			narrow(L, v, (int)a->bit_size, a->is_signed);
			break;
		}
		read_mem(L, v, v, load_size(a->size), e->loc, a->user_mem);
		narrow(L, v, 8 * load_size(a->size), a->is_signed);
		break;
	case TE_VALUE:
		narrow(L, v, 8 * load_size(a->size), a->is_signed);
		break;
	}
	return (struct val){ .type = T_LONG, .reg = v };
}

struct val lower_syscall_any_name(struct lower *L, struct node *e)
{
	struct ir_func *f = L->f;
	int slot = ir_stack_alloc(f, 8, 8);
	int key = lw_vr(L), id = lw_vr(L), r = lw_vr(L);
	int miss = ir_label_new(f), done = ir_label_new(f);
	struct val empty = lw_str_literal(L, "", 0, e->loc);

	ir_load(f, 8, id, L->ctx, 8);
	ir_store_reg(f, 4, IR_FP, (int16_t)slot, id);
	ir_mov_reg(f, key, IR_FP);
	ir_alu_imm(f, BPF_ADD, key, slot);
	ir_ld_map(f, IR_R1, L->sh->out->map_sysnames);
	ir_mov_reg(f, IR_R2, key);
	ir_call_helper(f, BPF_FUNC_map_lookup_elem);
	ir_mov_reg(f, r, IR_R0);
	ir_jcond_imm(f, BPF_JEQ, r, 0, miss);
	ir_jmp(f, done);
	ir_label_place(f, miss);
	ir_mov_reg(f, r, empty.reg);
	ir_label_place(f, done);
	return (struct val){ .type = T_STRING, .reg = r,
			     .strmax = 32 };
}

char *lower_section_of(const struct rprobe *rp)
{
	char *s = NULL;
	int n;

	switch (rp->mech) {
	case MECH_TP_BTF:
		n = asprintf(&s, "tp_btf/%s", rp->tp->event);
		break;
	case MECH_RAW_TP:
		n = asprintf(&s, "raw_tp/%s", rp->tp->event);
		break;
	case MECH_PERF:
		n = asprintf(&s, "perf_event");
		break;
	case MECH_FENTRY:
	case MECH_FEXIT:
	case MECH_KPROBE:
	case MECH_KRETPROBE:
		n = asprintf(&s, "%s/%s",
			     rp->mech == MECH_FENTRY  ? "fentry"
			     : rp->mech == MECH_FEXIT ? "fexit"
			     : rp->mech == MECH_KPROBE ? "kprobe"
						       : "kretprobe",
			     rp->kfunc);
		break;
	case MECH_UPROBE:
	case MECH_URETPROBE:
		/* attached by offset at run time (runtime/attach_kernel.c) */
		n = asprintf(&s, "%s", rp->mech == MECH_UPROBE ? "uprobe"
							     : "uretprobe");
		break;
	default:
		/* Classic tracepoints; a tail-called handler has the same
		 * program type and is never attached itself. */
		n = asprintf(&s, "tracepoint/%s/%s", rp->tp->system,
			     rp->tp->event);
		break;
	}
	if (n < 0)
		abort();
	return s;
}
