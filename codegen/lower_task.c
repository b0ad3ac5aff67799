// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Context functions of the current task in kernel context: gid(),
 * local_clock_ns() through helpers; ppid(), pexecname(), euid(), egid()
 * by reading the current task_struct at member offsets from kernel BTF
 * (semantic/task_btf.c), since no helper returns them; user_string()
 * and kernel_string() from the probed context's memory.
 */
#include "lower_int.h"

#include <linux/bpf.h>

#include "../semantic/task_btf.h"

/* *(u64 or u32 *)(ptr + off) through bpf_probe_read_kernel (the helper
 * zeroes the slot when the read faults). */
static int task_read(struct lower *L, int ptr, uint32_t off, int size)
{
	int slot = ir_stack_alloc(L->f, 8, 8);
	int dst = lw_vr(L), src = lw_vr(L), r = lw_vr(L);

	ir_mov_reg(L->f, dst, IR_FP);
	ir_alu_imm(L->f, BPF_ADD, dst, slot);
	ir_mov_reg(L->f, src, ptr);
	ir_alu_imm(L->f, BPF_ADD, src, (int32_t)off);
	lw_call(L, BPF_FUNC_probe_read_kernel, dst, lw_imm(L, size), src, -1);
	ir_load(L->f, size, r, IR_FP, (int16_t)slot);
	return r;
}

static const struct task_offsets *task_offsets(struct lower *L,
					       struct node *e)
{
	const struct task_offsets *o = task_btf_offsets();

	if (!o)
		lw_fail(L, e, "this function without kernel BTF",
			"it reads the current task through "
			"/sys/kernel/btf/vmlinux, which this kernel lacks");
	return o;
}

/* user_string(addr[, default]), user_string_n(addr, n), kernel_string(addr
 * [, default]): a NUL-terminated copy into scratch space. A fault is
 * stap's runtime error, unless a default string was given. */
static struct val task_read_string(struct lower *L, struct node *e)
{
	bool user = e->op != BI_KERNEL_STRING;
	int size = lw_maxstr(L);
	uint32_t off = lw_scratch_alloc(L, (uint32_t)size, e->loc);
	int dst = lw_scratch_ptr(L, off), n, ok = ir_label_new(L->f);
	struct val addr = lw_expr(L, e->args);
	struct node *dflt = e->op == BI_USER_STRING_N ? NULL : e->args->next;

	if (e->op == BI_USER_STRING_N) {
		struct val lim = lw_expr(L, e->args->next);
		int one = ir_label_new(L->f), big = ir_label_new(L->f);

		/* n + 1 bytes with the NUL, clamped to 1..MAXSTRINGLEN */
		n = lw_vr(L);
		ir_mov_reg(L->f, n, lim.reg);
		ir_alu_imm(L->f, BPF_ADD, n, 1);
		ir_jcond_imm(L->f, BPF_JSGT, n, 0, one);
		ir_mov_imm(L->f, n, 1);
		ir_label_place(L->f, one);
		ir_jcond_imm(L->f, BPF_JSLE, n, size, big);
		ir_mov_imm(L->f, n, size);
		ir_label_place(L->f, big);
	} else {
		n = lw_imm(L, size);
	}
	n = lw_call(L, user ? BPF_FUNC_probe_read_user_str
			    : BPF_FUNC_probe_read_kernel_str,
		    dst, n, addr.reg, -1);
	ir_jcond_imm(L->f, BPF_JSGE, n, 0, ok);
	if (dflt) {
		struct val d = lw_expr(L, dflt);

		lw_str_copy(L, dst, size, d.reg);
	} else {
		lw_emit_error(L, e->loc, user ? "user string copy fault"
					      : "kernel string copy fault");
	}
	ir_label_place(L->f, ok);
	return (struct val){ .type = T_STRING, .reg = dst, .strmax = size };
}

bool lower_task_builtin(struct lower *L, struct node *e, struct val *out)
{
	const struct task_offsets *o;
	int r, task, p;

	switch (e->op) {
	case BI_USER_STRING:
	case BI_USER_STRING_N:
	case BI_KERNEL_STRING:
		*out = task_read_string(L, e);
		return true;
	case BI_GID:
		r = lw_call(L, BPF_FUNC_get_current_uid_gid, -1, -1, -1, -1);
		ir_alu_imm(L->f, BPF_RSH, r, 32);
		break;
	case BI_LOCAL_CLOCK_NS:
		r = lw_call(L, BPF_FUNC_ktime_get_ns, -1, -1, -1, -1);
		break;
	case BI_TASK_CURRENT:
		r = lw_call(L, BPF_FUNC_get_current_task, -1, -1, -1, -1);
		break;
	case BI_PPID:
	case BI_PEXECNAME:
	case BI_EUID:
	case BI_EGID:
		o = task_offsets(L, e);
		if (!o) {
			*out = (struct val){ .type = e->type,
					     .reg = lw_imm(L, 0) };
			return true;
		}
		task = lw_call(L, BPF_FUNC_get_current_task, -1, -1, -1, -1);
		if (e->op == BI_EUID || e->op == BI_EGID) {
			p = task_read(L, task, o->cred, 8);
			r = task_read(L, p, e->op == BI_EUID ? o->euid : o->egid,
				      4);
			break;
		}
		p = task_read(L, task, o->real_parent, 8);
		if (e->op == BI_PPID) {
			r = task_read(L, p, o->tgid, 4);
			break;
		}
		{
			uint32_t off = lw_scratch_alloc(L, 16, e->loc);
			int dst = lw_scratch_ptr(L, off), src = lw_vr(L);

			ir_mov_reg(L->f, src, p);
			ir_alu_imm(L->f, BPF_ADD, src, (int32_t)o->comm);
			lw_call(L, BPF_FUNC_probe_read_kernel_str, dst,
				lw_imm(L, 16), src, -1);
			*out = (struct val){ .type = T_STRING, .reg = dst,
					     .strmax = 16 };
			return true;
		}
	default:
		return false;
	}
	*out = (struct val){ .type = T_LONG, .reg = r };
	return true;
}
