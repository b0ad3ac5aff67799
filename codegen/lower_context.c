// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Context functions of the probe and of raw memory in kernel context:
 * pp(), pn() and probefunc() are strings known at translate time (one
 * program per probe point), so they lower to literals; user_long/int/
 * short/char() and kernel_long/int() read memory through the
 * probe_read helpers. stap's user_* give 0 when the read faults, its
 * kernel_* report an error.
 */
#include "lower_int.h"

#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>

#include "../semantic/regs.h"
#include "../semantic/tracefs.h"

/* A size-byte read of addr, sign-extended to 64 bits. */
static struct val context_read_mem(struct lower *L, struct node *e, int size,
				   bool user)
{
	int slot = ir_stack_alloc(L->f, 8, 8);
	int dst = lw_vr(L), r = lw_vr(L), ok = ir_label_new(L->f), rc;
	struct val addr = lw_expr(L, e->args);

	ir_store_imm(L->f, 8, IR_FP, (int16_t)slot, 0);
	ir_mov_reg(L->f, dst, IR_FP);
	ir_alu_imm(L->f, BPF_ADD, dst, slot);
	rc = lw_call(L, user ? BPF_FUNC_probe_read_user
			     : BPF_FUNC_probe_read_kernel,
		     dst, lw_imm(L, size), addr.reg, -1);
	if (!user) {
		ir_jcond_imm(L->f, BPF_JEQ, rc, 0, ok);
		lw_emit_error(L, e->loc, size == 8 ? "kernel long copy fault"
						   : "kernel int copy fault");
		ir_label_place(L->f, ok);
	}
	/* the helper zeroes the destination when the read faults */
	ir_load(L->f, size, r, IR_FP, (int16_t)slot);
	if (size < 8) {
		ir_alu_imm(L->f, BPF_LSH, r, 64 - 8 * size);
		ir_alu_imm(L->f, BPF_ARSH, r, 64 - 8 * size);
	}
	return (struct val){ .type = T_LONG, .reg = r };
}

static struct val context_literal(struct lower *L, struct node *e,
				  const char *s)
{
	return lw_str_literal(L, s, (int64_t)strlen(s), e->loc);
}

/* probefunc(): the kernel function the probe stands for. A syscall
 * tracepoint stands for the syscall's entry point (__x64_sys_openat, as
 * stap's kprobe-based syscall tapset reports it); kernel.function probes
 * name their function; other probe points have none here (""). */
static void context_probefunc(const struct rprobe *rp, char *buf, size_t n)
{
	const char *ev = rp->tp && !rp->syscall_any ? rp->tp->event : NULL;
	const char *name = NULL;

	buf[0] = '\0';
	if (rp->type == PT_KFUNC && rp->kfunc) {
		snprintf(buf, n, "%s", rp->kfunc);
		return;
	}
	if (rp->type == PT_UPROBE && rp->ufunc) {
		snprintf(buf, n, "%s", rp->ufunc);
		return;
	}
	if (ev && strncmp(ev, "sys_enter_", 10) == 0)
		name = ev + 10;
	else if (ev && strncmp(ev, "sys_exit_", 9) == 0)
		name = ev + 9;
	if (!name)
		return;
#if defined(__x86_64__)
	snprintf(buf, n, "__x64_sys_%s", name);
#elif defined(__aarch64__)
	snprintf(buf, n, "__arm64_sys_%s", name);
#else
	snprintf(buf, n, "sys_%s", name);
#endif
}

/* Probes whose context is the probed task's registers (struct pt_regs;
 * a perf event's context starts with them). */
static bool context_has_regs(const struct rprobe *rp)
{
	return rp->mech == MECH_KPROBE || rp->mech == MECH_KRETPROBE ||
	       rp->mech == MECH_UPROBE || rp->mech == MECH_URETPROBE ||
	       rp->mech == MECH_PERF;
}

/* register("rdi") / u_register("edi"): a register of the probed task, a
 * narrower name sign- (register) or zero-extended (u_register). */
static struct val context_register(struct lower *L, struct node *e,
				   bool is_unsigned)
{
	const char *fn = is_unsigned ? "u_register" : "register";
	int r = lw_vr(L), bits = 64, off = -1;
	char what[96];

	if (!context_has_regs(L->rp)) {
		static const struct rprobe *reported;

		/* once per probe: the *_arg() tapset reads six registers */
		if (reported == L->rp)
			return (struct val){ .type = T_LONG,
					     .reg = lw_imm(L, 0) };
		reported = L->rp;
		snprintf(what, sizeof(what),
			 "%s() needs a probe with registers; %s has none", fn,
			 L->rp->name);
		lw_error(L, e, what,
			"use it in process(\"PATH\").function(...), a "
			"kernel.function kprobe or a perf/timer.profile probe");
		return (struct val){ .type = T_LONG, .reg = lw_imm(L, 0) };
	}
	if (e->args && e->args->kind == E_STR)
		off = regs_offset(e->args->str, &bits);
	if (off < 0) {
		snprintf(what, sizeof(what),
			 "%s() needs a register name written as a string", fn);
		lw_error(L, e->args ? e->args : e, what,
			"e.g. register(\"rdi\"), u_register(\"eax\"), "
			"register(\"r8\")");
		return (struct val){ .type = T_LONG, .reg = lw_imm(L, 0) };
	}
	ir_load(L->f, 8, r, L->ctx, (int16_t)off);
	if (bits < 64) {
		ir_alu_imm(L->f, BPF_LSH, r, 64 - bits);
		ir_alu_imm(L->f, is_unsigned ? BPF_RSH : BPF_ARSH, r, 64 - bits);
	}
	return (struct val){ .type = T_LONG, .reg = r };
}

/* returnval(): the "ret" field of a syscall return tracepoint record
 * (syscall.NAME.return, syscall_any.return), as $return reads it; the
 * return register in a function's return probe. */
static struct val context_returnval(struct lower *L, struct node *e)
{
	if (L->rp->mech == MECH_URETPROBE || L->rp->mech == MECH_KRETPROBE) {
		int r = lw_vr(L), bits;

		ir_load(L->f, 8, r, L->ctx, (int16_t)regs_offset("rax", &bits));
		return (struct val){ .type = T_LONG, .reg = r };
	}
	const struct tp_field *f = L->rp->is_return && L->rp->tp
					   ? tp_format_field(L->rp->tp, "ret")
					   : NULL;
	int r = lw_vr(L);

	if (!f) {
		lw_error(L, e, "returnval() needs a probe with a return value",
			"use it in syscall.NAME.return, syscall_any.return or "
			"a function's .return probe");
		return (struct val){ .type = T_LONG, .reg = lw_imm(L, 0) };
	}
	ir_load(L->f, 8, r, L->ctx, (int16_t)f->offset);
	return (struct val){ .type = T_LONG, .reg = r };
}

bool lower_context_builtin(struct lower *L, struct node *e, struct val *out)
{
	char buf[256];

	switch (e->op) {
	case BI_PP:
	case BI_PN:
		*out = context_literal(L, e, L->rp->name);
		return true;
	case BI_PROBEFUNC:
		context_probefunc(L->rp, buf, sizeof(buf));
		*out = context_literal(L, e, buf);
		return true;
	case BI_USER_LONG:
		*out = context_read_mem(L, e, 8, true);
		return true;
	case BI_USER_INT:
		*out = context_read_mem(L, e, 4, true);
		return true;
	case BI_USER_SHORT:
		*out = context_read_mem(L, e, 2, true);
		return true;
	case BI_USER_CHAR:
		*out = context_read_mem(L, e, 1, true);
		return true;
	case BI_KERNEL_LONG:
		*out = context_read_mem(L, e, 8, false);
		return true;
	case BI_KERNEL_INT:
		*out = context_read_mem(L, e, 4, false);
		return true;
	case BI_REGISTER:
	case BI_U_REGISTER:
		*out = context_register(L, e, e->op == BI_U_REGISTER);
		return true;
	case BI_RETURNVAL:
		*out = context_returnval(L, e);
		return true;
	default:
		return false;
	}
}
