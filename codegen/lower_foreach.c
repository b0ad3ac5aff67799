// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Kernel-context iteration over an array: unsorted `foreach` (keys, value,
 * limit, break/continue/next/return/errors inside) and whole-array
 * `delete`. A BPF program cannot walk a hash map itself, so the loop body
 * becomes a callback subprogram that bpf_for_each_map_elem calls once per
 * element (R2 = key, R3 = value, R4 = our context).
 *
 * Registers do not cross into the callback, so the state the body shares
 * with the handler lives in scratch while the loop runs: a header (how
 * the callback ended, the MAXACTION count, the limit and the trip count,
 * a function's return value) then one slot per long local. String locals
 * already live in scratch at fixed offsets; the callback addresses the
 * same buffers through its own lookup of this CPU's scratch value. The
 * probe context is spilled to the handler's stack and read back through
 * the callback's context pointer, so $target variables work in the body.
 */
#include "lower_int.h"

#include <stdlib.h>

#include "../parser/diag.h"

enum {
	FE_STATUS = 0, /* how the callback ended: FE_END_* */
	FE_ACTIONS = 8,
	FE_COUNT = 16,
	FE_LIMIT = 24,
	FE_RET = 32,
	FE_LOCALS = 40,
};

enum { FE_END_NORMAL, FE_END_BREAK, FE_END_EXIT, FE_END_CATCH, FE_END_RET };

struct fe_iter {
	const struct symbol *g;
	struct node *stmt;	     /* the foreach or delete */
	struct foreach_info *fe;     /* NULL for delete */
	bool count_actions;	     /* each element is a loop iteration */
	int nlocals;
	const struct symbol *const *locsyms;
	uint32_t area;		     /* scratch offset of the shared state */
	/* `[*, k]` restrictions: the key list (E_STAR where any value
	 * goes) and the scratch copy of a key holding the fixed parts */
	struct node *slice;
	uint32_t slice_area;
	bool in_test; /* `[*, k] in a`: stop at the first match */
	/* while/for (S_WHILE, S_FOR): the body, condition and step run in a
	 * bpf_loop callback, one call an iteration */
	struct node *loop;
};

static int fe_ptr(struct lower *L, uint32_t area)
{
	return lw_scratch_ptr(L, area);
}

/* Long locals (and the MAXACTION count) to their scratch slots. */
static void fe_save(struct lower *L, struct fe_iter *it, int sp)
{
	if (L->actions >= 0)
		ir_store_reg(L->f, 8, sp, FE_ACTIONS, L->actions);
	for (int i = 0; i < it->nlocals; i++)
		if (it->locsyms[i]->type != T_STRING)
			ir_store_reg(L->f, 8, sp, (int16_t)(FE_LOCALS + 8 * i),
				     L->locals[i]);
}

static void fe_load(struct lower *L, struct fe_iter *it, int sp)
{
	if (L->actions >= 0)
		ir_load(L->f, 8, L->actions, sp, FE_ACTIONS);
	for (int i = 0; i < it->nlocals; i++)
		if (it->locsyms[i]->type != T_STRING)
			ir_load(L->f, 8, L->locals[i], sp,
				(int16_t)(FE_LOCALS + 8 * i));
}

/* A string register of the handler as the callback sees it: the same
 * scratch offset from the callback's own scratch pointer. */
static int fe_map_str(struct lower *L, struct lower *C, int reg,
		      struct node *where)
{
	int32_t off;
	int r = lw_vr(C);

	if (!ir_vreg_base_offset(L->f, reg, L->scratch, &off)) {
		lw_fail(C, where, "this string variable inside a foreach", NULL);
		ir_mov_imm(C->f, r, 0);
		return r;
	}
	ir_mov_reg(C->f, r, C->scratch);
	if (off)
		ir_alu_imm(C->f, BPF_ADD, r, off);
	return r;
}

static void fe_end(struct lower *C, int sp, int rc, int status, int r0,
		   int out)
{
	int one = lw_vr(C);

	if (status != FE_END_NORMAL && status != FE_END_BREAK)
		ir_store_imm(C->f, 8, sp, FE_STATUS, status);
	ir_mov_imm(C->f, rc, r0);
	ir_mov_imm(C->f, one, 1);
	ir_jcond_imm(C->f, BPF_JNE, one, 0, out);
}

/* foreach: the key and value variables of this element. */
static void fe_bind(struct lower *C, struct fe_iter *it, int kv, int vv)
{
	const struct symbol *g = it->g;
	int i = 0, m = lw_maxstr(C);

	for (struct node *k = it->fe->keys; k; k = k->next, i++) {
		int dst = C->locals[k->sym->slot], src = lw_vr(C);

		ir_mov_reg(C->f, src, kv);
		if (g->keyoff[i])
			ir_alu_imm(C->f, BPF_ADD, src, g->keyoff[i]);
		if (g->keytypes[i] == T_STRING)
			lw_str_copy(C, dst, g->keysize[i] < m ? g->keysize[i] : m,
				    src);
		else
			ir_load(C->f, 8, dst, src, 0);
	}
	if (it->fe->value) {
		int dst = C->locals[it->fe->value->sym->slot];

		if (g->type == T_STRING)
			lw_str_copy(C, dst,
				    (int)g->value_size < m ? (int)g->value_size
							   : m,
				    vv);
		else
			ir_load(C->f, 8, dst, vv, 0);
	}
}

/* Skip an element whose fixed key parts differ from the slice's: the
 * whole slot is compared word by word (string slots are zero-padded in
 * keys, as lower_key builds them). */
static void fe_slice_filter(struct lower *C, struct fe_iter *it, int kv,
			    int skip)
{
	const struct symbol *g = it->g;
	int sl = lw_scratch_ptr(C, it->slice_area);
	int i = 0;

	for (struct node *k = it->slice; k; k = k->next, i++) {
		if (k->kind == E_STAR)
			continue;
		for (uint32_t o = 0; o < g->keysize[i]; o += 8) {
			int a = lw_vr(C), b = lw_vr(C);
			int16_t off = (int16_t)(g->keyoff[i] + o);
			int sz = g->keysize[i] - o >= 8 ? 8 : 4;

			ir_load(C->f, sz, a, kv, off);
			ir_load(C->f, sz, b, sl, off);
			ir_jcond_reg(C->f, BPF_JNE, a, b, skip);
		}
	}
}

static void fe_callback(struct lower *L, struct fe_iter *it, struct lower *C,
			int idx_unused)
{
	struct ir_func *f = C->f;
	int kv = lw_vr(C), vv = lw_vr(C), cbc = lw_vr(C);
	int zoff, zp, ok, sp;
	int l_cont = ir_label_new(f), l_brk = ir_label_new(f);
	int l_exit = ir_label_new(f), l_catch = -1, l_ret = -1;
	int rc, out;

	(void)idx_unused;
	ir_set_loc(f, it->stmt->loc);
	if (it->loop) {
		/* bpf_loop: R1 = the iteration, R2 = our context */
		ir_comment(f, "callback: one iteration of the loop");
		ir_mov_imm(f, kv, 0);
		ir_mov_imm(f, vv, 0);
		ir_mov_reg(f, cbc, IR_R2);
	} else {
		ir_comment(f, "callback: one element of %s", it->g->name);
		ir_mov_reg(f, kv, IR_R2);
		ir_mov_reg(f, vv, IR_R3);
		ir_mov_reg(f, cbc, IR_R4);
	}
	C->ctx = lw_vr(C);
	ir_load(f, 8, C->ctx, cbc, 0);
	/* this CPU's scratch, as the handler found it */
	C->scratch = lw_vr(C);
	zoff = ir_stack_alloc(f, 8, 8);
	ir_store_imm(f, 4, IR_FP, (int16_t)zoff, 0);
	zp = lw_vr(C);
	ir_mov_reg(f, zp, IR_FP);
	ir_alu_imm(f, BPF_ADD, zp, zoff);
	ir_ld_map(f, IR_R1, L->sh->map_scratch);
	ir_mov_reg(f, IR_R2, zp);
	ir_call_helper(f, BPF_FUNC_map_lookup_elem);
	ir_mov_reg(f, C->scratch, IR_R0);
	ok = ir_label_new(f);
	ir_jcond_imm(f, BPF_JNE, C->scratch, 0, ok);
	ir_mov_imm(f, IR_R0, 1);
	ir_exit(f);
	ir_label_place(f, ok);
	sp = fe_ptr(C, it->area);

	C->locals = calloc((size_t)it->nlocals + 1, sizeof(int));
	if (!C->locals)
		abort();
	for (int i = 0; i < it->nlocals; i++) {
		if (it->locsyms[i]->type == T_STRING) {
			C->locals[i] = fe_map_str(L, C, L->locals[i], it->stmt);
			if (L->catch_msg == L->locals[i])
				C->catch_msg = C->locals[i];
		} else {
			C->locals[i] = lw_vr(C);
		}
	}
	if (L->actions >= 0)
		C->actions = lw_vr(C);
	fe_load(C, it, sp);
	if (L->depth > 0) {
		l_ret = ir_label_new(f);
		C->ret_label = l_ret;
		if (L->ret.type == T_STRING) {
			C->ret.reg = fe_map_str(L, C, L->ret.reg, it->stmt);
		} else {
			C->ret.reg = lw_vr(C);
			ir_mov_imm(f, C->ret.reg, 0);
		}
	}
	if (L->catch_label >= 0) {
		l_catch = ir_label_new(f);
		C->catch_label = l_catch;
	}
	C->exit_label = l_exit;
	C->brk = l_brk;
	C->cont = l_cont;

	/* a slice's other elements are not iterations: filter first */
	if (it->slice)
		fe_slice_filter(C, it, kv, l_cont);
	if (it->fe && it->fe->limit) {
		int cnt = lw_vr(C), lim = lw_vr(C);

		ir_load(f, 8, cnt, sp, FE_COUNT);
		ir_load(f, 8, lim, sp, FE_LIMIT);
		ir_jcond_reg(f, BPF_JSGE, cnt, lim, l_brk);
		ir_alu_imm(f, BPF_ADD, cnt, 1);
		ir_store_reg(f, 8, sp, FE_COUNT, cnt);
	}
	if (it->count_actions && C->actions >= 0) {
		int fine = ir_label_new(f);

		ir_alu_imm(f, BPF_ADD, C->actions, 1);
		ir_jcond_imm(f, BPF_JLE, C->actions,
			     (int32_t)L->p->opt.maxaction, fine);
		lw_emit_error(C, it->stmt->loc, "MAXACTION exceeded");
		ir_label_place(f, fine);
	}
	{
		/* a body ending in break or next leaves l_cont without a
		 * jump to it: this one is never taken at run time */
		int one = lw_imm(C, 1);

		ir_jcond_imm(f, BPF_JEQ, one, 0, l_cont);
	}
	if (it->loop) {
		struct node *s = it->loop;
		struct node *cond = s->kind == S_WHILE ? s->a : s->b;
		struct node *body = s->kind == S_WHILE ? s->b : s->d;
		int l_step = ir_label_new(f);

		if (cond)
			lw_branch(C, cond, false, l_brk);
		C->cont = l_step;
		lw_stmt(C, body);
		ir_label_place(f, l_step);
		if (s->kind == S_FOR && s->c)
			lw_expr(C, s->c);
	} else if (it->in_test) {
		ir_store_imm(f, 8, sp, FE_COUNT, 1);
		ir_jmp(f, l_brk);
	} else if (it->fe) {
		fe_bind(C, it, kv, vv);
		lw_stmt(C, it->fe->body);
	} else {
		ir_ld_map(f, IR_R1, it->g->map_idx);
		ir_mov_reg(f, IR_R2, kv);
		ir_call_helper(f, BPF_FUNC_map_delete_elem);
	}
	/* The ways out, chained by jumps the verifier's structural check
	 * cannot prove taken, so an exit nothing jumps to is not an
	 * "unreachable instruction". */
	rc = lw_vr(C);
	out = ir_label_new(f);
	ir_label_place(f, l_cont);
	fe_end(C, sp, rc, FE_END_NORMAL, 0, out);
	ir_label_place(f, l_brk);
	fe_end(C, sp, rc, FE_END_BREAK, 1, out);
	ir_label_place(f, l_exit);
	fe_end(C, sp, rc, FE_END_EXIT, 1, out);
	if (l_catch >= 0) {
		ir_label_place(f, l_catch);
		fe_end(C, sp, rc, FE_END_CATCH, 1, out);
	}
	if (l_ret >= 0) {
		ir_label_place(f, l_ret);
		if (L->ret.type != T_STRING)
			ir_store_reg(f, 8, sp, FE_RET, C->ret.reg);
		fe_end(C, sp, rc, FE_END_RET, 1, out);
	}
	ir_label_place(f, out);
	fe_save(C, it, sp);
	ir_mov_reg(f, IR_R0, rc);
	ir_exit(f);
	free(C->locals);
}

static bool fe_check(struct lower *L, const struct symbol *g, struct node *s)
{
	if (!g || g->nkeys == 0) {
		lw_fail(L, s, "iterating over this", NULL);
		return false;
	}
	if (g->percpu || g->type == T_STATS) {
		lw_fail(L, s, "iterating over an aggregate or per-CPU array",
			"move the loop to a timer or end probe");
		return false;
	}
	return true;
}

/* The slice's fixed parts, evaluated once before the walk, as a key in
 * scratch (stars stand as 0 or ""; those slots are not compared). */
static void fe_slice_key(struct lower *L, struct fe_iter *it)
{
	const struct symbol *g = it->g;
	struct node *head = NULL, **tail = &head;
	int i = 0, kp, dst;

	for (struct node *k = it->slice; k; k = k->next, i++) {
		struct node *c;

		if (k->kind != E_STAR) {
			c = malloc(sizeof(*c));
			if (!c)
				abort();
			*c = *k;
		} else if (g->keytypes[i] == T_STRING) {
			c = ast_node_new(E_STR, k->loc);
			c->str = "";
			c->type = T_STRING;
			c->strmax = 1;
		} else {
			c = ast_node_new(E_NUM, k->loc);
			c->type = T_LONG;
		}
		c->next = NULL;
		*tail = c;
		tail = &c->next;
	}
	kp = lw_key(L, g, head, it->stmt->loc);
	it->slice_area = lw_scratch_alloc(L, g->key_size, it->stmt->loc);
	dst = lw_scratch_ptr(L, it->slice_area);
	for (uint32_t o = 0; o < g->key_size; o += 8) {
		int t = lw_vr(L);
		int sz = g->key_size - o >= 8 ? 8 : 4;

		ir_load(L->f, sz, t, kp, (int16_t)o);
		ir_store_reg(L->f, sz, dst, (int16_t)o, t);
	}
}

static void fe_iterate(struct lower *L, struct fe_iter *it)
{
	struct lower C = *L;
	struct ir_func *sub;
	int idx, sp, st, cbc, so;

	if (L->depth > 0) {
		const struct symbol *fn = L->fnstack[L->depth - 1];

		it->nlocals = fn->nlocals;
		it->locsyms = (const struct symbol *const *)fn->locals;
	} else {
		it->nlocals = L->rp->nlocals;
		it->locsyms = (const struct symbol *const *)L->rp->locals;
	}
	it->area = lw_scratch_alloc(L, FE_LOCALS + 8 * (uint32_t)it->nlocals,
				    it->stmt->loc);
	sp = fe_ptr(L, it->area);
	ir_store_imm(L->f, 8, sp, FE_STATUS, FE_END_NORMAL);
	ir_store_imm(L->f, 8, sp, FE_COUNT, 0);
	if (it->fe && it->fe->limit) {
		struct val lim = lw_expr(L, it->fe->limit);

		ir_store_reg(L->f, 8, sp, FE_LIMIT, lim.reg);
	}
	fe_save(L, it, sp);
	if (it->slice)
		fe_slice_key(L, it);

	sub = ir_func_sub_new(L->f, it->loop ? "loop" : "fe", &idx);
	C.f = sub;
	C.soff = L->soff;
	fe_callback(L, it, &C, idx);
	L->soff = C.soff;
	L->scratch_full = C.scratch_full;
	L->errors = C.errors;

	/* the probe context, for the callback to read back */
	so = ir_stack_alloc(L->f, 8, 8);
	ir_store_reg(L->f, 8, IR_FP, (int16_t)so, L->ctx);
	cbc = lw_vr(L);
	ir_mov_reg(L->f, cbc, IR_FP);
	ir_alu_imm(L->f, BPF_ADD, cbc, so);
	ir_set_loc(L->f, it->stmt->loc);
	if (it->loop) {
		/* at most MAXACTION + 1 iterations: each counts an action,
		 * so a longer loop has failed with MAXACTION by then */
		ir_mov_imm(L->f, IR_R1, (int32_t)L->p->opt.maxaction + 1);
		ir_ld_func(L->f, IR_R2, idx);
		ir_mov_reg(L->f, IR_R3, cbc);
		ir_mov_imm(L->f, IR_R4, 0);
		ir_call_helper(L->f, BPF_FUNC_loop);
	} else {
		ir_ld_map(L->f, IR_R1, it->g->map_idx);
		ir_ld_func(L->f, IR_R2, idx);
		ir_mov_reg(L->f, IR_R3, cbc);
		ir_mov_imm(L->f, IR_R4, 0);
		ir_call_helper(L->f, BPF_FUNC_for_each_map_elem);
	}

	sp = fe_ptr(L, it->area);
	fe_load(L, it, sp);
	st = lw_vr(L);
	ir_load(L->f, 8, st, sp, FE_STATUS);
	ir_jcond_imm(L->f, BPF_JEQ, st, FE_END_EXIT, L->exit_label);
	if (L->catch_label >= 0)
		ir_jcond_imm(L->f, BPF_JEQ, st, FE_END_CATCH, L->catch_label);
	if (L->depth > 0) {
		int no = ir_label_new(L->f);

		ir_jcond_imm(L->f, BPF_JNE, st, FE_END_RET, no);
		if (L->ret.type != T_STRING && L->ret.type != T_VOID)
			ir_load(L->f, 8, L->ret.reg, sp, FE_RET);
		ir_jmp(L->f, L->ret_label);
		ir_label_place(L->f, no);
	}
}

void lower_foreach_kernel(struct lower *L, struct node *s)
{
	struct fe_iter it = { .stmt = s, .fe = s->fe, .count_actions = true };

	if (s->fe->array->kind != E_IDENT) {
		lw_fail(L, s, "foreach over this expression",
			"move the foreach to a timer or end probe");
		return;
	}
	it.g = s->fe->array->sym;
	it.slice = s->fe->slice;
	if (!fe_check(L, it.g, s))
		return;
	fe_iterate(L, &it);
}

/* while/for in a kernel probe: the iterations are bpf_loop callback
 * calls, so the verifier checks the body once, whatever the trip count
 * and however it branches (a loop it unrolled could exceed its budget). */
void lower_loop_kernel(struct lower *L, struct node *s)
{
	struct fe_iter it = { .stmt = s, .loop = s, .count_actions = true };

	if (s->kind == S_FOR && s->a)
		lw_expr(L, s->a);
	fe_iterate(L, &it);
}

void lower_delete_all(struct lower *L, struct node *s)
{
	struct fe_iter it = { .stmt = s, .g = s->a->sym };

	if (!fe_check(L, it.g, s))
		return;
	fe_iterate(L, &it);
}

bool lower_has_star(const struct node *keys)
{
	for (; keys; keys = keys->next)
		if (keys->kind == E_STAR)
			return true;
	return false;
}

/* delete a[*, k]: every element whose fixed key parts match. */
void lower_delete_slice(struct lower *L, struct node *s)
{
	struct fe_iter it = { .stmt = s, .g = s->a->sym, .slice = s->a->args };

	if (!fe_check(L, it.g, s))
		return;
	fe_iterate(L, &it);
}

/* [*, k] in a: whether any element matches; the walk stops at the
 * first. */
struct val lower_in_slice(struct lower *L, struct node *e)
{
	struct fe_iter it = { .stmt = e, .g = e->sym, .slice = e->args,
			      .in_test = true };
	int r = lw_vr(L);

	if (!fe_check(L, it.g, e)) {
		ir_mov_imm(L->f, r, 0);
		return (struct val){ .type = T_LONG, .reg = r };
	}
	fe_iterate(L, &it);
	ir_load(L->f, 8, r, fe_ptr(L, it.area), FE_COUNT);
	return (struct val){ .type = T_LONG, .reg = r };
}
