// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Kernel-context statements beyond the core ones of lower.c: `return` of
 * inlined functions, try/catch and error(), and the clear errors for what
 * a kernel probe cannot do (sorted foreach, whole-array delete).
 */
#include "lower_int.h"

#include <string.h>

#include "../parser/diag.h"

/* An unconditional jump the verifier's structural check cannot see
 * through: statements after error() or return are then not "unreachable
 * instructions" (which it rejects); at run time the branch is always
 * taken. */
static void jmp_opaque(struct lower *L, int label)
{
	int one = lw_imm(L, 1);

	ir_jcond_imm(L->f, BPF_JNE, one, 0, label);
}

static void lower_return(struct lower *L, struct node *s)
{
	if (L->depth == 0) {
		lw_fail(L, s, "return outside a function", NULL);
		return;
	}
	if (s->a) {
		struct val v = lw_expr(L, s->a);

		if (L->ret.type == T_STRING)
			lw_str_copy(L, L->ret.reg, lw_maxstr(L), v.reg);
		else if (v.type == T_LONG)
			ir_mov_reg(L->f, L->ret.reg, v.reg);
	}
	jmp_opaque(L, L->ret_label);
}

/* try { a } catch (msg) { b }: errors inside a jump to b with their
 * message, neither printed nor counted, as stap does. */
static void lower_try(struct lower *L, struct node *s)
{
	int saved_label = L->catch_label, saved_msg = L->catch_msg;
	int catch = ir_label_new(L->f), done = ir_label_new(L->f);

	L->catch_label = catch;
	L->catch_msg = s->sym ? L->locals[s->sym->slot] : -1;
	lw_stmt(L, s->a);
	L->catch_label = saved_label;
	L->catch_msg = saved_msg;
	/* opaque: a try block that cannot fail leaves no jump to the
	 * catch block, which must still not be "unreachable" */
	jmp_opaque(L, done);
	ir_label_place(L->f, catch);
	lw_stmt(L, s->b);
	ir_label_place(L->f, done);
}

void lower_catch_error(struct lower *L, const char *msg)
{
	if (L->catch_msg >= 0) {
		struct val v = lw_str_literal(L, msg, (int64_t)strlen(msg),
					      (struct loc){ 0 });

		lw_str_copy(L, L->catch_msg, lw_maxstr(L), v.reg);
	}
	jmp_opaque(L, L->catch_label);
}

void lower_error_call(struct lower *L, struct node *e, struct val msg)
{
	struct rec_desc d = { .kind = REC_ERROR, .probe_name = L->rp->name,
			      .nargs = 1 };
	int id, rec, fail, done;
	int size = msg.strmax > 0 && msg.strmax < lw_maxstr(L)
			   ? msg.strmax
			   : lw_maxstr(L);

	if (L->catch_label >= 0) {
		if (L->catch_msg >= 0)
			lw_str_copy(L, L->catch_msg, lw_maxstr(L), msg.reg);
		jmp_opaque(L, L->catch_label);
		return;
	}
	/* stap reports error() without a location */
	d.argtype[0] = T_STRING;
	d.argoff[0] = sizeof(struct rec_hdr);
	d.argsize[0] = (uint32_t)((size + 7) & ~7);
	d.size = d.argoff[0] + d.argsize[0];
	id = lower_add_rec(L->sh, &d);
	done = ir_label_new(L->f);
	lw_gd_atomic_inc(L, GD_ERRORS);
	rec = lw_rb_reserve(L, d.size, id, &fail);
	{
		int dst = lw_vr(L);

		ir_mov_reg(L->f, dst, rec);
		ir_alu_imm(L->f, BPF_ADD, dst, (int32_t)d.argoff[0]);
		lw_str_copy(L, dst, (int)d.argsize[0], msg.reg);
	}
	lw_rb_commit(L, rec);
	lw_rb_drop(L, fail, done);
	jmp_opaque(L, L->exit_label);
	(void)e;
}

static void lower_foreach(struct lower *L, struct node *s)
{
	if (s->fe->sort_dir) {
		diag_report("semantic error", s->loc,
			    "sorted foreach cannot run in a kernel-context "
			    "probe");
		diag_hint("move the sorted foreach to a timer or end probe");
		L->errors++;
		return;
	}
	lower_foreach_kernel(L, s);
}

void lower_actions_settle(struct lower *L, struct loc loc)
{
	int slot, ok;

	if (L->actions < 0)
		return;
	slot = lw_scratch_ptr(L, lw_scratch_alloc(L, 8, loc));
	ok = ir_label_new(L->f);
	ir_store_reg(L->f, 8, slot, 0, L->actions);
	ir_load(L->f, 8, L->actions, slot, 0);
	ir_jcond_imm(L->f, BPF_JLE, L->actions, (int32_t)L->p->opt.maxaction,
		     ok);
	lw_emit_error(L, loc, "MAXACTION exceeded");
	ir_label_place(L->f, ok);
}

bool lower_stmt_more(struct lower *L, struct node *s)
{
	switch (s->kind) {
	case S_RETURN:
		lower_return(L, s);
		return true;
	case S_TRY:
		lower_try(L, s);
		return true;
	case S_FOREACH:
		lower_foreach(L, s);
		return true;
	case S_DELETE:
		if (s->a->kind != E_IDENT)
			return false;
		lower_delete_all(L, s);
		return true;
	default:
		return false;
	}
}
