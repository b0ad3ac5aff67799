// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * warn() and abort() in kernel probes. Both travel as ring-buffer records
 * so that they keep their place among the handler's output: warn's message
 * is written by the consumer as user-context warn() writes it, and abort's
 * record tells the run loop to stop without end probes. abort() also sets
 * GD_ABORT in global data, which closes the entry of every kernel handler
 * at once and tells the run loop even if the record could not be
 * reserved.
 */
#include "lower_int.h"
#include "lower.h"

static void lower_warn_call(struct lower *L, struct node *e)
{
	struct val msg = lw_expr(L, e->args);
	struct rec_desc d = { .kind = REC_WARN, .probe_name = L->rp->name,
			      .loc = e->loc, .nargs = 1 };
	int size = msg.strmax > 0 && msg.strmax < lw_maxstr(L)
			   ? msg.strmax
			   : lw_maxstr(L);
	int id, rec, fail, done, dst;

	d.argtype[0] = T_STRING;
	d.argoff[0] = sizeof(struct rec_hdr);
	d.argsize[0] = (uint32_t)((size + 7) & ~7);
	d.size = d.argoff[0] + d.argsize[0];
	id = lower_add_rec(L->sh, &d);
	done = ir_label_new(L->f);
	rec = lw_rb_reserve(L, d.size, id, &fail);
	dst = lw_vr(L);
	ir_mov_reg(L->f, dst, rec);
	ir_alu_imm(L->f, BPF_ADD, dst, (int32_t)d.argoff[0]);
	lw_str_copy(L, dst, (int)d.argsize[0], msg.reg);
	lw_rb_commit(L, rec);
	lw_rb_drop(L, fail, done);
}

/* Not an error: try/catch does not see it, and the handler ends here
 * (the jump's condition is opaque so that code after it stays
 * verifiable, as after error()). */
static void lower_abort_call(struct lower *L, struct node *e)
{
	struct rec_desc d = { .kind = REC_ABORT, .probe_name = L->rp->name,
			      .loc = e->loc, .size = sizeof(struct rec_hdr) };
	int id = lower_add_rec(L->sh, &d);
	int fail, done = ir_label_new(L->f);
	int p = lw_gd_ptr(L, GD_EXIT);
	int ap = lw_gd_ptr(L, GD_ABORT);
	int rec, one;

	ir_store_imm(L->f, 8, p, 0, 1);
	ir_store_imm(L->f, 8, ap, 0, 1);
	ir_atomic_add(L->f, 8, lw_gd_ptr(L, GD_ERRORS), 0,
		      lw_imm(L, (int64_t)GD_ERRORS_ABORTED));
	rec = lw_rb_reserve(L, d.size, id, &fail);
	lw_rb_commit(L, rec);
	lw_rb_drop(L, fail, done);
	one = lw_imm(L, 1);
	ir_jcond_imm(L->f, BPF_JNE, one, 0, L->exit_label);
}

bool lower_logging_builtin(struct lower *L, struct node *e, struct val *out)
{
	switch (e->op) {
	case BI_WARN:
		lower_warn_call(L, e);
		break;
	case BI_ABORT:
		lower_abort_call(L, e);
		break;
	default:
		return false;
	}
	*out = (struct val){ .type = T_VOID, .reg = lw_imm(L, 0) };
	return true;
}
