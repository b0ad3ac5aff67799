// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * User functions called from kernel-context probes are inlined: each call
 * lowers the function's body again with a fresh frame (long locals in new
 * virtual registers, string locals in new scratch buffers). Inlining needs
 * no bpf-to-bpf calls, and the verifier sees the real types of the
 * arguments. Recursion cannot be inlined: it is a compile error that says
 * where the function may run instead.
 */
#include "lower_int.h"

#include <stdlib.h>

#include "../parser/diag.h"

static bool node_needs_frame(const struct node *n, int depth)
{
	if (!n || depth > 64)
		return false;
	for (; n; n = n->next) {
		if ((n->kind == E_CALL && n->sym) || n->kind == S_FOREACH ||
		    n->kind == S_TRY)
			return true;
		if (node_needs_frame(n->a, depth + 1) ||
		    node_needs_frame(n->b, depth + 1) ||
		    node_needs_frame(n->c, depth + 1) ||
		    node_needs_frame(n->d, depth + 1) ||
		    node_needs_frame(n->args, depth + 1))
			return true;
	}
	return false;
}

bool lower_body_needs_frame(const struct program *p, const struct node *n)
{
	(void)p;
	return node_needs_frame(n, 0);
}

static struct val zero_of(struct lower *L, enum etype t, struct loc loc)
{
	if (t == T_STRING)
		return lw_str_literal(L, "", 0, loc);
	return (struct val){ .type = t == T_VOID ? T_VOID : T_LONG,
			     .reg = lw_imm(L, 0) };
}

/* -D MAXNESTING, within what the inlining stack can hold. */
static int lower_max_nesting(const struct lower *L)
{
	int64_t n = L->p->opt.maxnesting > 0 ? L->p->opt.maxnesting : 10;

	return n < LOWER_MAX_NESTING ? (int)n : LOWER_MAX_NESTING;
}

static bool call_check(struct lower *L, struct node *e,
		       const struct symbol *fn)
{
	for (int i = 0; i < L->depth; i++) {
		if (L->fnstack[i] != fn)
			continue;
		diag_report("semantic error", e->loc,
			    "recursive call of function '%s' cannot run in a "
			    "kernel-context probe",
			    fn->name);
		diag_hint("kernel probes inline functions; call '%s' from a "
			  "begin, end or timer probe, or write the recursion "
			  "as a loop",
			  fn->name);
		L->errors++;
		return false;
	}
	if (L->depth >= lower_max_nesting(L)) {
		diag_report("semantic error", e->loc,
			    "function calls nest deeper than %d in a "
			    "kernel-context probe (MAXNESTING)",
			    lower_max_nesting(L));
		diag_hint("call fewer functions from each other, or raise "
			  "the limit with -D MAXNESTING=N (at most %d in "
			  "kernel probes)", LOWER_MAX_NESTING);
		L->errors++;
		return false;
	}
	return true;
}

struct val lower_func_call(struct lower *L, struct node *e)
{
	const struct symbol *fn = e->sym;
	int m = lw_maxstr(L);
	struct val args[64];
	int nargs = 0, *frame, *saved_locals;
	int saved_ret_label = L->ret_label, saved_brk = L->brk;
	int saved_cont = L->cont;
	struct val saved_ret = L->ret, ret;

	if (!call_check(L, e, fn))
		return zero_of(L, e->type, e->loc);
	for (struct node *a = e->args; a && nargs < 64; a = a->next)
		args[nargs++] = lw_expr(L, a);
	frame = calloc(fn->nlocals + 1, sizeof(int));
	if (!frame)
		abort();
	for (int i = 0; i < fn->nlocals; i++) {
		const struct symbol *s = fn->locals[i];
		bool param = s->is_param && s->slot < nargs;

		frame[i] = lw_vr(L);
		if (s->type == T_STRING) {
			uint32_t off = lw_scratch_alloc(L, (uint32_t)m, s->loc);

			ir_mov_reg(L->f, frame[i], L->scratch);
			ir_alu_imm(L->f, BPF_ADD, frame[i], (int32_t)off);
			if (param)
				lw_str_copy(L, frame[i], m, args[s->slot].reg);
			else
				ir_store_imm(L->f, 1, frame[i], 0, 0);
		} else if (param) {
			ir_mov_reg(L->f, frame[i], args[s->slot].reg);
		} else {
			ir_mov_imm(L->f, frame[i], 0);
		}
	}
	if (fn->type == T_STRING) {
		uint32_t off = lw_scratch_alloc(L, (uint32_t)m, e->loc);

		ret = (struct val){ .type = T_STRING, .reg = lw_vr(L),
				    .strmax = m };
		ir_mov_reg(L->f, ret.reg, L->scratch);
		ir_alu_imm(L->f, BPF_ADD, ret.reg, (int32_t)off);
		ir_store_imm(L->f, 1, ret.reg, 0, 0);
	} else {
		ret = (struct val){ .type = fn->type == T_VOID ? T_VOID
							       : T_LONG,
				    .reg = lw_vr(L) };
		ir_mov_imm(L->f, ret.reg, 0);
	}
	saved_locals = L->locals;
	L->locals = frame;
	L->ret = ret;
	L->ret_label = ir_label_new(L->f);
	L->fnstack[L->depth++] = fn;
	lw_stmt(L, fn->fn->body);
	ir_label_place(L->f, L->ret_label);
	L->depth--;
	L->locals = saved_locals;
	L->ret_label = saved_ret_label;
	L->ret = saved_ret;
	L->brk = saved_brk;
	L->cont = saved_cont;
	free(frame);
	return ret;
}
