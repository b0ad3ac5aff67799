// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Context functions of the current task in kernel context: gid(),
 * local_clock_ns() through helpers; ppid(), pexecname(), euid(), egid()
 * by reading the current task_struct at member offsets from kernel BTF
 * (semantic/task_btf.c), since no helper returns them.
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

bool lower_task_builtin(struct lower *L, struct node *e, struct val *out)
{
	const struct task_offsets *o;
	int r, task, p;

	switch (e->op) {
	case BI_GID:
		r = lw_call(L, BPF_FUNC_get_current_uid_gid, -1, -1, -1, -1);
		ir_alu_imm(L->f, BPF_RSH, r, 32);
		break;
	case BI_LOCAL_CLOCK_NS:
		r = lw_call(L, BPF_FUNC_ktime_get_ns, -1, -1, -1, -1);
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
