// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Lowering of kernel-context probe handlers to IR.
 *
 * Values: a long is a virtual register; a string is a virtual register
 * holding a pointer to NUL-terminated bytes in a map value (per-CPU scratch,
 * global data or an array's value), so every string can be read with plain
 * loads and copied with bpf_probe_read_kernel_str. Long locals live in
 * virtual registers; string locals in scratch slots. Global scalars are
 * addressed directly in the global-data map value; arrays are hash maps.
 */
#include "lower_int.h"
#include "lower_regex.h"
#include "lower_stats.h"
#include "lower_target.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../parser/diag.h"

/* Pending ring-buffer data beyond which a record wakes the reader; below it
 * the reader's poll timer collects records, so a busy probe does not pay a
 * wake-up per event. */
#define RB_WAKEUP_BYTES (64 * 1024)

static struct val lower_expr(struct lower *L, struct node *e);
static void lower_stmt(struct lower *L, struct node *s);

static int vr(struct lower *L)
{
	return ir_vreg_new(L->f);
}

static void lower_fail(struct lower *L, struct node *n, const char *what,
		       const char *hint)
{
	diag_report("semantic error", n->loc,
		    "%s is not supported in kernel-context probes yet", what);
	if (hint)
		diag_hint("%s", hint);
	L->errors++;
}

/* An error in words of its own (lower_fail adds "not supported"). */
void lw_error(struct lower *L, struct node *n, const char *msg,
	      const char *hint)
{
	diag_report("semantic error", n->loc, "%s", msg);
	if (hint)
		diag_hint("%s", hint);
	L->errors++;
}

static int maxstr(struct lower *L)
{
	return (int)L->p->opt.maxstringlen;
}

static uint32_t round8(uint32_t v)
{
	return (v + 7) & ~7u;
}

static uint32_t scratch_alloc(struct lower *L, uint32_t size, struct loc loc)
{
	uint32_t off = L->soff;

	size = round8(size ? size : 8);
	if (L->soff + size > SCRATCH_MAX) {
		if (!L->scratch_full) {
			diag_report("error", loc,
				    "this probe needs more than %d bytes of "
				    "string and key temporaries",
				    SCRATCH_MAX);
			diag_hint("use fewer string values in one probe, or "
				  "lower MAXSTRINGLEN with -D MAXSTRINGLEN=N");
			L->errors++;
		}
		L->scratch_full = true;
		return 0;
	}
	L->soff += size;
	return off;
}

static int scratch_ptr(struct lower *L, uint32_t off)
{
	int r = vr(L);

	ir_mov_reg(L->f, r, L->scratch);
	if (off)
		ir_alu_imm(L->f, BPF_ADD, r, (int32_t)off);
	return r;
}

static int gd_ptr(struct lower *L, uint32_t off)
{
	int r = vr(L);

	ir_ld_map_value(L->f, r, L->sh->map_gd, off);
	return r;
}

static int imm(struct lower *L, int64_t v)
{
	int r = vr(L);

	if (v >= INT32_MIN && v <= INT32_MAX)
		ir_mov_imm(L->f, r, (int32_t)v);
	else
		ir_ld_imm64(L->f, r, (uint64_t)v);
	return r;
}

/* Call helper id with up to five argument registers (-1 ends the list);
 * returns a vreg holding R0. */
static int call(struct lower *L, int id, int a1, int a2, int a3, int a4)
{
	int args[4] = { a1, a2, a3, a4 };
	int r = vr(L);

	for (int i = 0; i < 4 && args[i] >= 0; i++)
		ir_mov_reg(L->f, IR_R1 + i, args[i]);
	ir_call_helper(L->f, id);
	ir_mov_reg(L->f, r, IR_R0);
	return r;
}

static void gd_atomic_inc(struct lower *L, uint32_t off)
{
	int p = gd_ptr(L, off);
	int one = imm(L, 1);

	ir_atomic_add(L->f, 8, p, 0, one);
}

/* Copy the string at src into dst (size bytes at most, always
 * NUL-terminated, empty on failure). */
static void str_copy(struct lower *L, int dst, int size, int src)
{
	int r = call(L, BPF_FUNC_probe_read_kernel_str, dst, imm(L, size), src,
		     -1);
	int ok = ir_label_new(L->f);

	ir_jcond_imm(L->f, BPF_JSGE, r, 0, ok);
	ir_store_imm(L->f, 1, dst, 0, 0);
	ir_label_place(L->f, ok);
}

/* Reserve a record of size bytes with header id; returns the vreg of the
 * record pointer and the label taken when nothing could be reserved (the
 * drop is counted there). */
static uint32_t rb_reserved_size; /* see rb_commit */

static int rb_reserve(struct lower *L, uint32_t size, int id, int *fail)
{
	int rec = vr(L);

	rb_reserved_size = size;

	*fail = ir_label_new(L->f);
	ir_ld_map(L->f, IR_R1, L->sh->map_rb);
	ir_mov_imm(L->f, IR_R2, (int32_t)size);
	ir_mov_imm(L->f, IR_R3, 0);
	ir_call_helper(L->f, BPF_FUNC_ringbuf_reserve);
	ir_mov_reg(L->f, rec, IR_R0);
	ir_jcond_imm(L->f, BPF_JEQ, rec, 0, *fail);
	ir_store_imm(L->f, 4, rec, 0, id);
	ir_store_imm(L->f, 4, rec, 4, 0);
	return rec;
}

/* Submit without waking the reader, except when this record makes the
 * pending data cross a multiple of RB_WAKEUP_BYTES: one wake-up per 64 KiB
 * of backlog, never one per record, since a wake-up (an IPI, a trap to the
 * hypervisor) costs far more than the record. The reader also polls on a
 * short timer, so a crossing missed in a race with another CPU only delays
 * output by a tick. avail counts this record (positions move at reserve);
 * it occupies its size rounded up to 8 plus the kernel's 8-byte header.
 * Lowering always commits the record it reserved last (arguments are
 * computed before the reserve, so nothing nests), hence rb_reserved_size. */
static void rb_commit(struct lower *L, int rec)
{
	int32_t span = (int32_t)(((rb_reserved_size + 7) & ~7u) + 8);
	/* A buffer smaller than 256 KiB (-s 0.0625) would never hold
	 * 64 KiB pending: wake at a quarter of it. Sizes are powers of 2. */
	int32_t every = (int32_t)(L->sh->out->ringbuf_size / 4);
	int avail = vr(L);
	int flags = vr(L);
	int quiet = ir_label_new(L->f);

	ir_ld_map(L->f, IR_R1, L->sh->map_rb);
	ir_mov_imm(L->f, IR_R2, BPF_RB_AVAIL_DATA);
	ir_call_helper(L->f, BPF_FUNC_ringbuf_query);
	ir_mov_reg(L->f, avail, IR_R0);
	ir_mov_imm(L->f, flags, BPF_RB_NO_WAKEUP);
	if (every <= 0 || every > RB_WAKEUP_BYTES)
		every = RB_WAKEUP_BYTES;
	ir_jcond_imm(L->f, BPF_JLT, avail, every, quiet);
	ir_alu_imm(L->f, BPF_AND, avail, every - 1);
	ir_jcond_imm(L->f, BPF_JGE, avail, span, quiet);
	ir_mov_imm(L->f, flags, BPF_RB_FORCE_WAKEUP);
	ir_label_place(L->f, quiet);
	ir_mov_reg(L->f, IR_R1, rec);
	ir_mov_reg(L->f, IR_R2, flags);
	ir_call_helper(L->f, BPF_FUNC_ringbuf_submit);
}

static void rb_drop(struct lower *L, int fail, int done)
{
	ir_jmp(L->f, done);
	ir_label_place(L->f, fail);
	gd_atomic_inc(L, GD_DROPS);
	ir_label_place(L->f, done);
}

/* A runtime error: tell user space where, count it, end the handler. */
static void emit_error(struct lower *L, struct loc loc, const char *msg)
{
	struct rec_desc d = { .kind = REC_ERROR, .message = msg,
			      .probe_name = L->rp->name, .loc = loc,
			      .size = sizeof(struct rec_hdr) };
	int id, fail, done;
	int rec;

	if (L->catch_label >= 0) {
		lower_catch_error(L, msg);
		return;
	}
	id = lower_add_rec(L->sh, &d);
	done = ir_label_new(L->f);
	gd_atomic_inc(L, GD_ERRORS);
	rec = rb_reserve(L, d.size, id, &fail);
	rb_commit(L, rec);
	rb_drop(L, fail, done);
	ir_jmp(L->f, L->exit_label);
}

static struct val val_long(int reg)
{
	return (struct val){ .type = T_LONG, .reg = reg };
}

static struct val lower_str_literal(struct lower *L, const char *s,
				    int64_t len, struct loc loc)
{
	uint32_t size = round8((uint32_t)len + 1);
	uint32_t off = scratch_alloc(L, size, loc);
	int p = scratch_ptr(L, off);

	for (uint32_t i = 0; i < size; i += 4) {
		uint32_t w = 0;

		for (int b = 0; b < 4; b++)
			if (i + b < (uint32_t)len)
				w |= (uint32_t)(uint8_t)s[i + b] << (8 * b);
		ir_store_imm(L->f, 4, p, (int16_t)i, (int32_t)w);
	}
	return (struct val){ .type = T_STRING, .reg = p, .strmax = (int)size };
}

/* A string field of the tracepoint record, copied into scratch. */
static struct val lower_tp_string(struct lower *L, const struct tp_field *fl,
				  struct loc loc)
{
	int size = fl->is_data_loc ? maxstr(L) : fl->array_len + 1;
	uint32_t off = scratch_alloc(L, (uint32_t)size, loc);
	int dst = scratch_ptr(L, off);
	int src = vr(L);

	if (fl->is_data_loc) {
		int dl = vr(L);

		/* __data_loc: low 16 bits offset, high 16 bits length */
		ir_load(L->f, 4, dl, L->ctx, (int16_t)fl->offset);
		ir_alu_imm(L->f, BPF_AND, dl, 0xffff);
		ir_mov_reg(L->f, src, L->ctx);
		ir_alu_reg(L->f, BPF_ADD, src, dl);
	} else {
		/* char[N]: at most N-1 bytes and the NUL, like comm */
		ir_mov_reg(L->f, src, L->ctx);
		ir_alu_imm(L->f, BPF_ADD, src, fl->offset);
		size = fl->array_len ? fl->array_len : 1;
	}
	str_copy(L, dst, size, src);
	return (struct val){ .type = T_STRING, .reg = dst,
			     .strmax = (int)round8((uint32_t)size) };
}

static struct val lower_tp_field(struct lower *L, const struct tp_field *fl,
				 struct loc loc)
{
	int r = vr(L);
	int size = fl->size;

	if (fl->is_string)
		return lower_tp_string(L, fl, loc);
	if (size != 1 && size != 2 && size != 4 && size != 8)
		size = 8;
	ir_load(L->f, size, r, L->ctx, (int16_t)fl->offset);
	if (fl->is_signed && size < 8) {
		ir_alu_imm(L->f, BPF_LSH, r, 64 - 8 * size);
		ir_alu_imm(L->f, BPF_ARSH, r, 64 - 8 * size);
	}
	return val_long(r);
}

static struct val lower_context(struct lower *L, struct node *e)
{
	const struct symbol *s = e->sym;

	switch (s->ctx) {
	case CTX_SYSCALL_NAME:
		return lower_str_literal(L, s->const_str,
					 (int64_t)strlen(s->const_str), e->loc);
	case CTX_TARGET:
		return lower_target(L, e);
	case CTX_SYSCALL_ANY_NAME:
		return lower_syscall_any_name(L, e);
	case CTX_SYSCALL_NR:
		break;
	case CTX_RETURN:
	case CTX_TP_FIELD:
		if (!s->field)
			break;
		return lower_tp_field(L, s->field, e->loc);
	}
	lower_fail(L, e, "this context variable", NULL);
	return val_long(imm(L, 0));
}

/* Build the key of array g from the index expressions; returns a pointer
 * to it in scratch. */
/* Keys of at most this many bytes are built on the stack: the counting
 * idioms (c[execname()]++, c[pid()]++) then need no scratch lookup. */
#define KEY_STACK_MAX 64

/* An execname() index is read straight into its key slot. */
static bool key_is_comm(const struct symbol *g, int j, const struct node *k)
{
	return g->keytypes[j] == T_STRING && g->keysize[j] >= 16 &&
	       k->kind == E_CALL && !k->sym && k->op == BI_EXECNAME;
}

static int lower_key(struct lower *L, const struct symbol *g,
		     struct node *keys, struct loc loc)
{
	struct val kv[SEM_MAXKEYS];
	struct node *kn[SEM_MAXKEYS];
	int i = 0;
	int kp;

	for (struct node *k = keys; k && i < SEM_MAXKEYS; k = k->next, i++) {
		kn[i] = k;
		if (k->kind == E_STAR) {
			lower_fail(L, k, "a '*' wildcard index", NULL);
			kv[i] = val_long(imm(L, 0));
			continue;
		}
		if (key_is_comm(g, i, k))
			continue;
		kv[i] = lower_expr(L, k);
	}
	if (g->key_size <= KEY_STACK_MAX) {
		int so = ir_stack_alloc(L->f, (int)g->key_size, 8);

		kp = vr(L);
		ir_mov_reg(L->f, kp, IR_FP);
		ir_alu_imm(L->f, BPF_ADD, kp, so);
	} else {
		kp = scratch_ptr(L, scratch_alloc(L, g->key_size, loc));
	}
	/* Zero the whole key first: string slots are compared bytewise. */
	for (uint32_t b = 0; b < g->key_size; b += 8)
		ir_store_imm(L->f, 8, kp, (int16_t)b, 0);
	for (int j = 0; j < i; j++) {
		if (g->keytypes[j] == T_STRING) {
			int dst = vr(L);

			ir_mov_reg(L->f, dst, kp);
			if (g->keyoff[j])
				ir_alu_imm(L->f, BPF_ADD, dst, g->keyoff[j]);
			if (key_is_comm(g, j, kn[j]))
				call(L, BPF_FUNC_get_current_comm, dst,
				     imm(L, 16), -1, -1);
			else
				str_copy(L, dst, g->keysize[j], kv[j].reg);
		} else {
			ir_store_reg(L->f, 8, kp, (int16_t)g->keyoff[j],
				     kv[j].reg);
		}
	}
	return kp;
}

static int map_lookup(struct lower *L, const struct symbol *g, int key)
{
	ir_ld_map(L->f, IR_R1, g->map_idx);
	ir_mov_reg(L->f, IR_R2, key);
	ir_call_helper(L->f, BPF_FUNC_map_lookup_elem);
	{
		int r = vr(L);

		ir_mov_reg(L->f, r, IR_R0);
		return r;
	}
}

static const char *overflow_msg = "Array overflow, check MAXMAPENTRIES";

/* Pointer to the element, created as zero when missing (the element is
 * then updated in place, atomically for += and ++). */
static int map_elem_create(struct lower *L, const struct symbol *g, int key,
			   struct loc loc)
{
	int v = map_lookup(L, g, key);
	int have = ir_label_new(L->f);
	int zoff, zp, r;

	ir_jcond_imm(L->f, BPF_JNE, v, 0, have);
	zoff = ir_stack_alloc(L->f, 8, 8);
	zp = vr(L);
	ir_store_imm(L->f, 8, IR_FP, (int16_t)zoff, 0);
	ir_mov_reg(L->f, zp, IR_FP);
	ir_alu_imm(L->f, BPF_ADD, zp, zoff);
	ir_ld_map(L->f, IR_R1, g->map_idx);
	ir_mov_reg(L->f, IR_R2, key);
	ir_mov_reg(L->f, IR_R3, zp);
	ir_mov_imm(L->f, IR_R4, BPF_NOEXIST);
	ir_call_helper(L->f, BPF_FUNC_map_update_elem);
	r = vr(L);
	ir_mov_reg(L->f, r, IR_R0);
	{
		int retry = ir_label_new(L->f);

		/* -EEXIST: another CPU created it first; fine. */
		ir_jcond_imm(L->f, BPF_JEQ, r, 0, retry);
		ir_jcond_imm(L->f, BPF_JEQ, r, -EEXIST, retry);
		emit_error(L, loc, overflow_msg);
		ir_label_place(L->f, retry);
	}
	{
		int v2 = map_lookup(L, g, key);
		int ok = ir_label_new(L->f);

		ir_jcond_imm(L->f, BPF_JNE, v2, 0, ok);
		emit_error(L, loc, overflow_msg);
		ir_label_place(L->f, ok);
		ir_mov_reg(L->f, v, v2);
	}
	ir_label_place(L->f, have);
	return v;
}

static void map_store(struct lower *L, const struct symbol *g, int key,
		      int valp, struct loc loc)
{
	int r, ok = ir_label_new(L->f);

	ir_ld_map(L->f, IR_R1, g->map_idx);
	ir_mov_reg(L->f, IR_R2, key);
	ir_mov_reg(L->f, IR_R3, valp);
	ir_mov_imm(L->f, IR_R4, BPF_ANY);
	ir_call_helper(L->f, BPF_FUNC_map_update_elem);
	r = vr(L);
	ir_mov_reg(L->f, r, IR_R0);
	ir_jcond_imm(L->f, BPF_JEQ, r, 0, ok);
	emit_error(L, loc, overflow_msg);
	ir_label_place(L->f, ok);
}

static struct val lower_index_read(struct lower *L, struct node *e)
{
	const struct symbol *g = e->sym;
	int key = lower_key(L, g, e->args, e->loc);
	int v = map_lookup(L, g, key);
	int miss = ir_label_new(L->f), done = ir_label_new(L->f);

	if (g->type == T_STRING) {
		uint32_t off = scratch_alloc(L, 8, e->loc);
		int empty = scratch_ptr(L, off);
		int r = vr(L);

		ir_jcond_imm(L->f, BPF_JEQ, v, 0, miss);
		ir_mov_reg(L->f, r, v);
		ir_jmp(L->f, done);
		ir_label_place(L->f, miss);
		ir_store_imm(L->f, 1, empty, 0, 0);
		ir_mov_reg(L->f, r, empty);
		ir_label_place(L->f, done);
		return (struct val){ .type = T_STRING, .reg = r,
				     .strmax = (int)g->value_size };
	}
	{
		int r = vr(L);

		ir_mov_imm(L->f, r, 0);
		ir_jcond_imm(L->f, BPF_JEQ, v, 0, done);
		ir_load(L->f, 8, r, v, 0);
		ir_label_place(L->f, done);
		(void)miss;
		return val_long(r);
	}
}

static struct val lower_ident(struct lower *L, struct node *e)
{
	const struct symbol *s = e->sym;

	switch (s->kind) {
	case SYM_LOCAL:
		return (struct val){ .type = s->type, .reg = L->locals[s->slot],
				     .strmax = maxstr(L) };
	case SYM_GLOBAL:
		if (s->type == T_STRING)
			return (struct val){ .type = T_STRING,
					     .reg = gd_ptr(L, s->gd_off),
					     .strmax = (int)round8(
						     (uint32_t)maxstr(L)) };
		{
			int p = gd_ptr(L, s->gd_off), r = vr(L);

			ir_load(L->f, 8, r, p, 0);
			return val_long(r);
		}
	case SYM_CONTEXT:
		return lower_context(L, e);
	default:
		lower_fail(L, e, "this name", NULL);
		return val_long(imm(L, 0));
	}
}

/* Signed division and modulo on unsigned BPF div/mod, so objects run on
 * any kernel: |a| op |b|, then the sign. INT64_MIN / -1 comes out as
 * INT64_MIN and INT64_MIN % -1 as 0, as the contract says. */
static int lower_divmod(struct lower *L, int op, int a, int b, struct loc loc)
{
	int ua = vr(L), ub = vr(L), q = vr(L), s = vr(L);
	int l1 = ir_label_new(L->f), l2 = ir_label_new(L->f);
	int l3 = ir_label_new(L->f), nz = ir_label_new(L->f);

	ir_jcond_imm(L->f, BPF_JNE, b, 0, nz);
	emit_error(L, loc, op == BPF_DIV ? "division by 0" : "division by 0");
	ir_label_place(L->f, nz);
	ir_mov_reg(L->f, ua, a);
	ir_jcond_imm(L->f, BPF_JSGE, ua, 0, l1);
	ir_alu_imm(L->f, BPF_NEG, ua, 0);
	ir_label_place(L->f, l1);
	ir_mov_reg(L->f, ub, b);
	ir_jcond_imm(L->f, BPF_JSGE, ub, 0, l2);
	ir_alu_imm(L->f, BPF_NEG, ub, 0);
	ir_label_place(L->f, l2);
	ir_mov_reg(L->f, q, ua);
	ir_alu_reg(L->f, op, q, ub);
	/* sign: of a ^ b for the quotient, of a for the remainder */
	ir_mov_reg(L->f, s, a);
	if (op == BPF_DIV)
		ir_alu_reg(L->f, BPF_XOR, s, b);
	ir_jcond_imm(L->f, BPF_JSGE, s, 0, l3);
	ir_alu_imm(L->f, BPF_NEG, q, 0);
	ir_label_place(L->f, l3);
	return q;
}

static int arith(struct lower *L, int op, int a, int b, struct node *e)
{
	int r;

	switch (op) {
	case OP_DIV:
	case OP_DIV_ASSIGN:
		return lower_divmod(L, BPF_DIV, a, b, e->loc);
	case OP_MOD:
	case OP_MOD_ASSIGN:
		return lower_divmod(L, BPF_MOD, a, b, e->loc);
	default:
		break;
	}
	r = vr(L);
	ir_mov_reg(L->f, r, a);
	switch (op) {
	case OP_ADD: case OP_ADD_ASSIGN:
		ir_alu_reg(L->f, BPF_ADD, r, b);
		break;
	case OP_SUB: case OP_SUB_ASSIGN:
		ir_alu_reg(L->f, BPF_SUB, r, b);
		break;
	case OP_MUL: case OP_MUL_ASSIGN:
		ir_alu_reg(L->f, BPF_MUL, r, b);
		break;
	case OP_BAND: case OP_BAND_ASSIGN:
		ir_alu_reg(L->f, BPF_AND, r, b);
		break;
	case OP_BOR: case OP_BOR_ASSIGN:
		ir_alu_reg(L->f, BPF_OR, r, b);
		break;
	case OP_BXOR: case OP_BXOR_ASSIGN:
		ir_alu_reg(L->f, BPF_XOR, r, b);
		break;
	case OP_SHL: case OP_SHL_ASSIGN:
	case OP_SHR: case OP_SHR_ASSIGN:
	case OP_USHR: case OP_USHR_ASSIGN: {
		/* shift counts are taken modulo 64 */
		int c = vr(L);

		ir_mov_reg(L->f, c, b);
		ir_alu_imm(L->f, BPF_AND, c, 63);
		ir_alu_reg(L->f,
			   op == OP_SHL || op == OP_SHL_ASSIGN   ? BPF_LSH
			   : op == OP_SHR || op == OP_SHR_ASSIGN ? BPF_ARSH
								 : BPF_RSH,
			   r, c);
		break;
	}
	default:
		lower_fail(L, e, "this operator", NULL);
		break;
	}
	return r;
}

/* Compare two strings: result register < 0, 0, > 0 as strcmp. */
static int str_compare(struct lower *L, struct val a, struct val b)
{
	int n = a.strmax < b.strmax ? a.strmax : b.strmax;
	int i = vr(L), pa = vr(L), pb = vr(L), ca = vr(L), cb = vr(L);
	int res = vr(L);
	int loop = ir_label_new(L->f), diff = ir_label_new(L->f);
	int eq = ir_label_new(L->f), done = ir_label_new(L->f);

	if (n <= 0)
		n = 1;
	ir_mov_imm(L->f, i, 0);
	ir_label_place(L->f, loop);
	ir_jcond_imm(L->f, BPF_JGE, i, n, eq);
	ir_mov_reg(L->f, pa, a.reg);
	ir_alu_reg(L->f, BPF_ADD, pa, i);
	ir_load(L->f, 1, ca, pa, 0);
	ir_mov_reg(L->f, pb, b.reg);
	ir_alu_reg(L->f, BPF_ADD, pb, i);
	ir_load(L->f, 1, cb, pb, 0);
	ir_jcond_reg(L->f, BPF_JNE, ca, cb, diff);
	ir_jcond_imm(L->f, BPF_JEQ, ca, 0, eq);
	ir_alu_imm(L->f, BPF_ADD, i, 1);
	ir_jmp(L->f, loop);
	ir_label_place(L->f, diff);
	ir_mov_reg(L->f, res, ca);
	ir_alu_reg(L->f, BPF_SUB, res, cb);
	ir_jmp(L->f, done);
	ir_label_place(L->f, eq);
	ir_mov_imm(L->f, res, 0);
	ir_label_place(L->f, done);
	return res;
}

static int cmp_jop(int op, bool negate)
{
	static const int pos[] = { [OP_EQ] = BPF_JEQ, [OP_NE] = BPF_JNE,
				   [OP_LT] = BPF_JSLT, [OP_LE] = BPF_JSLE,
				   [OP_GT] = BPF_JSGT, [OP_GE] = BPF_JSGE };
	static const int neg[] = { [OP_EQ] = BPF_JNE, [OP_NE] = BPF_JEQ,
				   [OP_LT] = BPF_JSGE, [OP_LE] = BPF_JSGT,
				   [OP_GT] = BPF_JSLE, [OP_GE] = BPF_JSLT };

	return negate ? neg[op] : pos[op];
}

static bool is_compare(int op)
{
	return op == OP_EQ || op == OP_NE || op == OP_LT || op == OP_LE ||
	       op == OP_GT || op == OP_GE;
}

/* Jump to target when e is false (jump_if == false) or true. */
static void lower_branch(struct lower *L, struct node *e, bool jump_if,
			 int target)
{
	if (e->kind == E_BINARY && is_compare(e->op) &&
	    e->a->type == T_LONG) {
		struct val a = lower_expr(L, e->a);
		struct val b = lower_expr(L, e->b);

		ir_jcond_reg(L->f, cmp_jop(e->op, !jump_if), a.reg, b.reg,
			     target);
		return;
	}
	if (e->kind == E_BINARY && (e->op == OP_LAND || e->op == OP_LOR)) {
		bool land = e->op == OP_LAND;
		int skip = ir_label_new(L->f);

		if (land == !jump_if) {
			/* a && b false when either is false;
			 * a || b true when either is true */
			lower_branch(L, e->a, jump_if, target);
			lower_branch(L, e->b, jump_if, target);
		} else {
			lower_branch(L, e->a, !jump_if, skip);
			lower_branch(L, e->b, jump_if, target);
			ir_label_place(L->f, skip);
		}
		return;
	}
	if (e->kind == E_UNARY && e->op == OP_NOT) {
		lower_branch(L, e->a, !jump_if, target);
		return;
	}
	{
		struct val v = lower_expr(L, e);

		ir_jcond_imm(L->f, jump_if ? BPF_JNE : BPF_JEQ, v.reg, 0,
			     target);
	}
}

static struct val lower_bool(struct lower *L, struct node *e)
{
	int r = vr(L), f = ir_label_new(L->f), done = ir_label_new(L->f);

	lower_branch(L, e, false, f);
	ir_mov_imm(L->f, r, 1);
	ir_jmp(L->f, done);
	ir_label_place(L->f, f);
	ir_mov_imm(L->f, r, 0);
	ir_label_place(L->f, done);
	return val_long(r);
}

static struct val lower_binary(struct lower *L, struct node *e)
{
	struct val a, b;

	if (e->op == OP_LAND || e->op == OP_LOR)
		return lower_bool(L, e);
	if (is_compare(e->op) && e->a->type == T_STRING) {
		int c, r = vr(L), t = ir_label_new(L->f);

		a = lower_expr(L, e->a);
		b = lower_expr(L, e->b);
		c = str_compare(L, a, b);
		ir_mov_imm(L->f, r, 1);
		ir_jcond_imm(L->f, cmp_jop(e->op, false), c, 0, t);
		ir_mov_imm(L->f, r, 0);
		ir_label_place(L->f, t);
		return val_long(r);
	}
	if (is_compare(e->op))
		return lower_bool(L, e);
	if (e->op == OP_CAT) {
		a = lower_expr(L, e->a);
		b = lower_expr(L, e->b);
		return lower_str_cat(L, a, b, e->loc);
	}
	a = lower_expr(L, e->a);
	b = lower_expr(L, e->b);
	return val_long(arith(L, e->op, a.reg, b.reg, e));
}

/* ---- assignment ---- */

/*
 * Update a long in memory at ptr: `=` stores; `+=`/`-=` (and ++/--) add
 * atomically; other compound operators load, compute and store. Returns
 * the new value (for ++/+= the value right after this update; another
 * CPU's concurrent add may be missing from it, never from memory).
 */
static int mem_update_long(struct lower *L, int ptr, int op, int rhs,
			   struct node *e, bool discard, bool percpu)
{
	int r = vr(L);

	/* This CPU's own slot of a per-CPU array: no other CPU writes it,
	 * so a plain add does (an atomic one costs a locked instruction). */
	if (percpu && (op == OP_ADD_ASSIGN || op == OP_SUB_ASSIGN)) {
		ir_load(L->f, 8, r, ptr, 0);
		ir_alu_reg(L->f, op == OP_ADD_ASSIGN ? BPF_ADD : BPF_SUB, r,
			   rhs);
		ir_store_reg(L->f, 8, ptr, 0, r);
		return discard ? rhs : r;
	}

	if (op == OP_ASSIGN) {
		ir_store_reg(L->f, 8, ptr, 0, rhs);
		ir_mov_reg(L->f, r, rhs);
		return r;
	}
	if (op == OP_ADD_ASSIGN || op == OP_SUB_ASSIGN) {
		int d = rhs;

		if (op == OP_SUB_ASSIGN) {
			d = vr(L);
			ir_mov_reg(L->f, d, rhs);
			ir_alu_imm(L->f, BPF_NEG, d, 0);
		}
		ir_atomic_add(L->f, 8, ptr, 0, d);
		if (discard)
			return rhs;
		ir_load(L->f, 8, r, ptr, 0);
		return r;
	}
	{
		int old = vr(L), nv;

		ir_load(L->f, 8, old, ptr, 0);
		nv = arith(L, ast_assign_binop(op), old, rhs, e);
		ir_store_reg(L->f, 8, ptr, 0, nv);
		return nv;
	}
}

/* Assign (or compound-assign) rhs to the lvalue; returns the new value. */
static struct val lower_store(struct lower *L, struct node *lv, int op,
			      struct val rhs, struct node *e, bool discard)
{
	const struct symbol *s = lv->sym;

	if (!s) {
		lower_fail(L, lv, "assigning to this expression", NULL);
		return rhs;
	}
	if (op == OP_CAT_ASSIGN) {
		rhs = lower_str_cat(L, lower_expr(L, lv), rhs, e->loc);
		op = OP_ASSIGN;
	}
	if (lv->kind == E_IDENT && s->kind == SYM_LOCAL) {
		int reg = L->locals[s->slot];

		if (s->type == T_STRING) {
			str_copy(L, reg, maxstr(L), rhs.reg);
			return (struct val){ .type = T_STRING, .reg = reg,
					     .strmax = maxstr(L) };
		}
		if (op == OP_ASSIGN) {
			ir_mov_reg(L->f, reg, rhs.reg);
		} else {
			int nv = arith(L, ast_assign_binop(op), reg, rhs.reg,
				       e);
			ir_mov_reg(L->f, reg, nv);
		}
		return val_long(reg);
	}
	if (lv->kind == E_IDENT && s->kind == SYM_GLOBAL) {
		int p = gd_ptr(L, s->gd_off);

		if (s->type == T_STRING) {
			str_copy(L, p, maxstr(L), rhs.reg);
			return (struct val){ .type = T_STRING, .reg = p,
					     .strmax = maxstr(L) };
		}
		return val_long(
			mem_update_long(L, p, op, rhs.reg, e, discard, false));
	}
	if (lv->kind == E_INDEX) {
		int key = lower_key(L, s, lv->args, lv->loc);

		if (s->type == T_STRING) {
			uint32_t off = scratch_alloc(L, s->value_size, e->loc);
			int vp = scratch_ptr(L, off);

			str_copy(L, vp, (int)s->value_size, rhs.reg);
			map_store(L, s, key, vp, lv->loc);
			return (struct val){ .type = T_STRING, .reg = vp,
					     .strmax = (int)s->value_size };
		}
		if (op == OP_ASSIGN) {
			int so = ir_stack_alloc(L->f, 8, 8);
			int sp = vr(L);

			ir_store_reg(L->f, 8, IR_FP, (int16_t)so, rhs.reg);
			ir_mov_reg(L->f, sp, IR_FP);
			ir_alu_imm(L->f, BPF_ADD, sp, so);
			map_store(L, s, key, sp, lv->loc);
			return rhs;
		}
		{
			int ep = map_elem_create(L, s, key, lv->loc);

			return val_long(mem_update_long(L, ep, op, rhs.reg, e,
							discard, s->percpu));
		}
	}
	lower_fail(L, lv, "assigning to this", NULL);
	return rhs;
}

static struct val lower_assign(struct lower *L, struct node *e, bool discard)
{
	struct val rhs;

	if (e->op == OP_AGG)
		return lower_stats_agg(L, e);
	rhs = lower_expr(L, e->b);
	return lower_store(L, e->a, e->op, rhs, e, discard);
}

static struct val lower_incdec(struct lower *L, struct node *e, bool discard)
{
	bool inc = e->op == OP_PREINC || e->op == OP_POSTINC;
	bool post = e->op == OP_POSTINC || e->op == OP_POSTDEC;
	struct val nv = lower_store(L, e->a, OP_ADD_ASSIGN,
				    val_long(imm(L, inc ? 1 : -1)), e,
				    discard);
	int r;

	if (!post || discard)
		return nv;
	r = vr(L);
	ir_mov_reg(L->f, r, nv.reg);
	ir_alu_imm(L->f, BPF_ADD, r, inc ? -1 : 1);
	return val_long(r);
}

/* ---- output ---- */

static struct val lower_output(struct lower *L, struct node *e, int bi)
{
	struct rec_desc d = { .loc = e->loc, .probe_name = L->rp->name };
	struct val args[REC_MAXARGS];
	struct node *a = e->args;
	uint32_t off = sizeof(struct rec_hdr);
	int n = 0, id, rec, fail, done;

	if (bi == BI_PRINTF) {
		d.kind = REC_PRINTF;
		d.format = a->str;
		a = a->next;
	} else {
		d.kind = REC_PRINT;
		d.newline = bi == BI_PRINTLN;
	}
	for (; a; a = a->next) {
		if (n == REC_MAXARGS) {
			lower_fail(L, a, "more than 32 arguments", NULL);
			break;
		}
		args[n] = lower_expr(L, a);
		d.argtype[n] = args[n].type;
		d.argoff[n] = off;
		if (args[n].type == T_STRING) {
			int sz = args[n].strmax;

			if (sz <= 0 || sz > maxstr(L))
				sz = maxstr(L);
			d.argsize[n] = round8((uint32_t)sz);
		} else {
			d.argsize[n] = 8;
		}
		off += d.argsize[n];
		n++;
	}
	d.nargs = n;
	d.size = off;
	id = lower_add_rec(L->sh, &d);
	done = ir_label_new(L->f);
	rec = rb_reserve(L, d.size, id, &fail);
	for (int i = 0; i < n; i++) {
		if (d.argtype[i] == T_STRING) {
			int dst = vr(L);

			ir_mov_reg(L->f, dst, rec);
			ir_alu_imm(L->f, BPF_ADD, dst, (int32_t)d.argoff[i]);
			str_copy(L, dst, (int)d.argsize[i], args[i].reg);
		} else {
			ir_store_reg(L->f, 8, rec, (int16_t)d.argoff[i],
				     args[i].reg);
		}
	}
	rb_commit(L, rec);
	rb_drop(L, fail, done);
	return (struct val){ .type = T_VOID, .reg = imm(L, 0) };
}

static struct val lower_exit_call(struct lower *L, struct node *e)
{
	struct rec_desc d = { .kind = REC_EXIT, .loc = e->loc,
			      .probe_name = L->rp->name,
			      .size = sizeof(struct rec_hdr) };
	int id = lower_add_rec(L->sh, &d);
	int fail, done = ir_label_new(L->f);
	int p = gd_ptr(L, GD_EXIT);
	int rec;

	ir_store_imm(L->f, 8, p, 0, 1);
	rec = rb_reserve(L, d.size, id, &fail);
	rb_commit(L, rec);
	rb_drop(L, fail, done);
	return (struct val){ .type = T_VOID, .reg = imm(L, 0) };
}

static struct val lower_builtin(struct lower *L, struct node *e)
{
	int r;

	switch (e->op) {
	case BI_PRINTF:
	case BI_PRINT:
	case BI_PRINTLN:
		return lower_output(L, e, e->op);
	case BI_EXIT:
		return lower_exit_call(L, e);
	case BI_PID:
	case BI_TID:
		r = call(L, BPF_FUNC_get_current_pid_tgid, -1, -1, -1, -1);
		if (e->op == BI_PID)
			ir_alu_imm(L->f, BPF_RSH, r, 32);
		else
			ir_alu32_reg(L->f, BPF_MOV, r, r);
		return val_long(r);
	case BI_UID:
		r = call(L, BPF_FUNC_get_current_uid_gid, -1, -1, -1, -1);
		ir_alu32_reg(L->f, BPF_MOV, r, r);
		return val_long(r);
	case BI_CPU:
		return val_long(call(L, BPF_FUNC_get_smp_processor_id, -1, -1,
				     -1, -1));
	case BI_TARGET: {
		int p = gd_ptr(L, GD_TARGET);

		r = vr(L);
		ir_load(L->f, 8, r, p, 0);
		return val_long(r);
	}
	case BI_EXECNAME: {
		uint32_t off = scratch_alloc(L, 16, e->loc);
		int dst = scratch_ptr(L, off);

		call(L, BPF_FUNC_get_current_comm, dst, imm(L, 16), -1, -1);
		return (struct val){ .type = T_STRING, .reg = dst,
				     .strmax = 16 };
	}
	default: {
		struct val v;

		if (lower_builtin_more(L, e, &v) ||
		    lower_task_builtin(L, e, &v) ||
		    lower_context_builtin(L, e, &v) ||
		    lower_logging_builtin(L, e, &v) ||
		    lower_stack_builtin(L, e, &v) ||
		    lower_escape_builtin(L, e, &v) ||
		    lower_regex_builtin(L, e, &v))
			return v;
		lower_fail(L, e, "this function", "call it from a begin, end "
						  "or timer probe");
		return (struct val){ .type = e->type, .reg = imm(L, 0) };
	}
	}
}

/* Branches of a string ?: with buffers of different sizes: the result is
 * copied (up to its NUL) into one buffer as large as the larger, so
 * readers may use the larger bound; the smaller bound would cut the
 * longer branch ("|O_CLOEXEC" : "" read as "|O_CLOE"). */
static struct val ternary_str_widen(struct lower *L, int src, int max,
				     struct loc loc)
{
	uint32_t off = lw_scratch_alloc(L, (uint32_t)max, loc);
	int dst = lw_scratch_ptr(L, off);

	lw_call(L, BPF_FUNC_probe_read_kernel_str, dst, imm(L, max), src, -1);
	return (struct val){ .type = T_STRING, .reg = dst, .strmax = max };
}

static struct val lower_ternary(struct lower *L, struct node *e)
{
	int r = vr(L), f = ir_label_new(L->f), done = ir_label_new(L->f);
	struct val a, b;

	lower_branch(L, e->a, false, f);
	a = lower_expr(L, e->b);
	ir_mov_reg(L->f, r, a.reg);
	ir_jmp(L->f, done);
	ir_label_place(L->f, f);
	b = lower_expr(L, e->c);
	ir_mov_reg(L->f, r, b.reg);
	ir_label_place(L->f, done);
	if (e->type == T_STRING && a.strmax != b.strmax)
		return ternary_str_widen(L, r,
					 a.strmax > b.strmax ? a.strmax
							     : b.strmax,
					 e->loc);
	return (struct val){ .type = e->type, .reg = r,
			     .strmax = a.strmax < b.strmax ? a.strmax
							   : b.strmax };
}

static struct val lower_expr(struct lower *L, struct node *e)
{
	bool discard = L->discard;

	L->discard = false;
	ir_set_loc(L->f, e->loc);
	switch (e->kind) {
	case E_NUM:
		return val_long(imm(L, e->num));
	case E_STR:
		return lower_str_literal(L, e->str, e->num, e->loc);
	case E_IDENT:
		return lower_ident(L, e);
	case E_TARGET:
	case E_CAST:
		return lower_context(L, e);
	case E_INDEX:
		return lower_index_read(L, e);
	case E_IN: {
		const struct symbol *g = e->sym;
		int key;

		if (lower_has_star(e->args))
			return lower_in_slice(L, e);
		key = lower_key(L, g, e->args, e->loc);
		int v = map_lookup(L, g, key);
		int r = vr(L), no = ir_label_new(L->f);

		ir_mov_imm(L->f, r, 0);
		ir_jcond_imm(L->f, BPF_JEQ, v, 0, no);
		ir_mov_imm(L->f, r, 1);
		ir_label_place(L->f, no);
		return val_long(r);
	}
	case E_CALL:
		if (e->sym)
			return lower_func_call(L, e);
		return lower_builtin(L, e);
	case E_BINARY:
		return lower_binary(L, e);
	case E_UNARY: {
		struct val a;
		int r;

		if (e->op == OP_NOT)
			return lower_bool(L, e);
		a = lower_expr(L, e->a);
		r = vr(L);
		ir_mov_reg(L->f, r, a.reg);
		if (e->op == OP_NEG)
			ir_alu_imm(L->f, BPF_NEG, r, 0);
		else if (e->op == OP_BNOT)
			ir_alu_imm(L->f, BPF_XOR, r, -1);
		return val_long(r);
	}
	case E_INCDEC:
		return lower_incdec(L, e, discard);
	case E_ASSIGN:
		return lower_assign(L, e, discard);
	case E_TERNARY:
		return lower_ternary(L, e);
	case E_REGEX:
		return lower_regex_match(L, e);
	default:
		lower_fail(L, e, "this expression", NULL);
		return val_long(imm(L, 0));
	}
}

static void lower_delete(struct lower *L, struct node *s)
{
	struct node *t = s->a;
	const struct symbol *g = t->sym;

	if (t->kind == E_INDEX && g && lower_has_star(t->args)) {
		lower_delete_slice(L, s);
		return;
	}
	if (t->kind == E_INDEX && g) {
		int key = lower_key(L, g, t->args, t->loc);

		ir_ld_map(L->f, IR_R1, g->map_idx);
		ir_mov_reg(L->f, IR_R2, key);
		ir_call_helper(L->f, BPF_FUNC_map_delete_elem);
		return;
	}
	if (t->kind == E_IDENT && g && g->nkeys == 0) {
		struct val zero = g->type == T_STRING
					  ? lower_str_literal(L, "", 0, s->loc)
					  : val_long(imm(L, 0));

		lower_store(L, t, OP_ASSIGN, zero, s, true);
		return;
	}
	if (!lower_stmt_more(L, s))
		lower_fail(L, s, "deleting a whole array",
			   "delete it in an end or timer probe");
}

/* MAXACTION: every statement of a handler with loops counts; the check at
 * each loop head also gives the verifier its bound. */
static void count_action(struct lower *L, struct node *s)
{
	if (L->actions >= 0 && s->kind != S_BLOCK && s->kind != S_NULL)
		ir_alu_imm(L->f, BPF_ADD, L->actions, 1);
}

static bool has_loop(const struct node *n)
{
	if (!n)
		return false;
	if (n->kind == S_WHILE || n->kind == S_FOR)
		return true;
	if (has_loop(n->b) || has_loop(n->c) || has_loop(n->d))
		return true;
	if (n->kind == S_BLOCK)
		for (const struct node *c = n->args; c; c = c->next)
			if (has_loop(c))
				return true;
	return false;
}

static void lower_stmt(struct lower *L, struct node *s)
{
	if (!s)
		return;
	ir_set_loc(L->f, s->loc);
	count_action(L, s);
	switch (s->kind) {
	case S_BLOCK:
		for (struct node *c = s->args; c; c = c->next)
			lower_stmt(L, c);
		break;
	case S_EXPR:
		L->discard = true;
		lower_expr(L, s->a);
		L->discard = false;
		break;
	case S_IF: {
		int f = ir_label_new(L->f), done = ir_label_new(L->f);

		lower_branch(L, s->a, false, f);
		lower_stmt(L, s->b);
		if (s->c)
			ir_jmp(L->f, done);
		ir_label_place(L->f, f);
		if (s->c)
			lower_stmt(L, s->c);
		ir_label_place(L->f, done);
		break;
	}
	case S_NEXT:
		ir_jmp(L->f, L->exit_label);
		break;
	case S_DELETE:
		lower_delete(L, s);
		break;
	case S_NULL:
		break;
	case S_WHILE:
	case S_FOR:
		lower_loop_kernel(L, s);
		lower_actions_settle(L, s->loc);
		break;
	case S_BREAK:
	case S_CONTINUE:
		ir_jmp(L->f, s->kind == S_BREAK ? L->brk : L->cont);
		break;
	default:
		if (!lower_stmt_more(L, s))
			lower_fail(L, s, "this statement", NULL);
		break;
	}
}

/* Whether a handler touches scratch space: strings and array keys live
 * there. Handlers that only count skip the per-hit scratch lookup. */
static bool needs_scratch(const struct node *n);

/* Whether building this key needs scratch (see lower_key). */
static bool key_needs_scratch(const struct symbol *g, const struct node *keys)
{
	int j = 0;

	if (!g || g->type != T_LONG || g->key_size > KEY_STACK_MAX)
		return true;
	for (const struct node *k = keys; k; k = k->next, j++) {
		if (j < SEM_MAXKEYS && key_is_comm(g, j, k))
			continue;
		if (k->kind == E_STAR || k->type == T_STRING ||
		    needs_scratch(k))
			return true;
	}
	return false;
}

static bool needs_scratch(const struct node *n)
{
	if (!n)
		return false;
	if ((n->kind == E_INDEX || n->kind == E_IN) && n->type != T_STRING)
		return key_needs_scratch(n->sym, n->args);
	if (n->type == T_STRING || n->kind == E_INDEX || n->kind == E_IN ||
	    n->kind == S_DELETE)
		return true;
	if (n->kind == E_CALL)
		for (const struct node *a = n->args; a; a = a->next)
			if (needs_scratch(a))
				return true;
	if (needs_scratch(n->a) || needs_scratch(n->b) || needs_scratch(n->c) ||
	    needs_scratch(n->d))
		return true;
	if (n->kind == S_BLOCK || n->kind == E_CALL)
		for (const struct node *c = n->args; c; c = c->next)
			if (needs_scratch(c))
				return true;
	return false;
}

/* A body of nothing but empty blocks and ';'. */
static bool lower_body_is_empty(const struct node *s)
{
	if (!s)
		return true;
	if (s->kind == S_NULL)
		return true;
	if (s->kind != S_BLOCK)
		return false;
	for (const struct node *c = s->args; c; c = c->next)
		if (!lower_body_is_empty(c))
			return false;
	return true;
}

int lower_probe(struct lower_shared *sh, const struct rprobe *rp,
		struct ir_func *f)
{
	struct lower L = { .sh = sh, .p = sh->p, .rp = rp, .f = f,
			   .catch_label = -1, .catch_msg = -1 };
	bool use_scratch = false;
	int zoff, zp, ok;

	L.exit_label = ir_label_new(f);
	ir_set_loc(f, rp->body->loc);
	ir_comment(f, "%s", rp->name);
	L.ctx = vr(&L);
	ir_mov_reg(f, L.ctx, IR_R1);
	/* Once errors exceed MAXERRORS, or after abort(), stap runs no
	 * more handlers; skip the body until the runtime detaches. A handler
	 * without statements has nothing to skip (and so costs only the
	 * probe mechanism itself). */
	if (!lower_body_is_empty(rp->body)) {
		int ep = gd_ptr(&L, GD_ERRORS), ne = vr(&L);

		/* one load: abort() adds GD_ERRORS_ABORTED to the count */
		ir_load(f, 8, ne, ep, 0);
		ir_jcond_imm(f, BPF_JGT, ne, (int32_t)L.p->opt.maxerrors,
			     L.exit_label);
	}

	/* This CPU's scratch space. */
	L.scratch = vr(&L);
	for (int i = 0; i < rp->nlocals; i++)
		if (rp->locals[i]->type == T_STRING)
			use_scratch = true;
	/* loops need it too: lower_actions_settle keeps a count there */
	if (use_scratch || needs_scratch(rp->body) || has_loop(rp->body) ||
	    lower_body_needs_frame(L.p, rp->body) ||
	    lower_regex_used(rp->body)) {
		zoff = ir_stack_alloc(f, 8, 8);
		ir_store_imm(f, 4, IR_FP, (int16_t)zoff, 0);
		zp = vr(&L);
		ir_mov_reg(f, zp, IR_FP);
		ir_alu_imm(f, BPF_ADD, zp, zoff);
		ir_ld_map(f, IR_R1, sh->map_scratch);
		ir_mov_reg(f, IR_R2, zp);
		ir_call_helper(f, BPF_FUNC_map_lookup_elem);
		ir_mov_reg(f, L.scratch, IR_R0);
		ok = ir_label_new(f);
		ir_jcond_imm(f, BPF_JNE, L.scratch, 0, ok);
		ir_jmp(f, L.exit_label);
		ir_label_place(f, ok);
	} else {
		ir_mov_imm(f, L.scratch, 0);
	}

	/* Locals start as 0 and "" (and the verifier wants them set). */
	L.locals = calloc(rp->nlocals + 1, sizeof(int));
	if (!L.locals)
		abort();
	for (int i = 0; i < rp->nlocals; i++) {
		const struct symbol *s = rp->locals[i];

		L.locals[i] = vr(&L);
		if (s->type == T_STRING) {
			uint32_t off = scratch_alloc(&L, (uint32_t)maxstr(&L),
						     s->loc);

			ir_mov_reg(f, L.locals[i], L.scratch);
			ir_alu_imm(f, BPF_ADD, L.locals[i], (int32_t)off);
			ir_store_imm(f, 1, L.locals[i], 0, 0);
		} else {
			ir_mov_imm(f, L.locals[i], 0);
		}
	}
	lower_regex_begin(&L);
	L.actions = -1;
	if (has_loop(rp->body) || lower_body_needs_frame(L.p, rp->body)) {
		L.actions = vr(&L);
		ir_mov_imm(f, L.actions, 0);
	}
	lower_stmt(&L, rp->body);
	ir_label_place(f, L.exit_label);
	/* Return 0: a tracepoint program's return value is ignored, but
	 * nonzero would send each hit on to perf's event path. */
	ir_mov_imm(f, IR_R0, 0);
	ir_exit(f);
	free(L.locals);
	if (L.soff > sh->scratch_size)
		sh->scratch_size = L.soff;
	return L.errors ? -1 : 0;
}

/* Exported helpers for the other lower_*.c files (lower_int.h). */
int lw_vr(struct lower *L) { return vr(L); }
int lw_imm(struct lower *L, int64_t v) { return imm(L, v); }
int lw_call(struct lower *L, int id, int a1, int a2, int a3, int a4)
{
	return call(L, id, a1, a2, a3, a4);
}
uint32_t lw_scratch_alloc(struct lower *L, uint32_t size, struct loc loc)
{
	return scratch_alloc(L, size, loc);
}
int lw_scratch_ptr(struct lower *L, uint32_t off) { return scratch_ptr(L, off); }
int lw_gd_ptr(struct lower *L, uint32_t off) { return gd_ptr(L, off); }
void lw_str_copy(struct lower *L, int dst, int size, int src)
{
	str_copy(L, dst, size, src);
}
void lw_emit_error(struct lower *L, struct loc loc, const char *msg)
{
	emit_error(L, loc, msg);
}
struct val lw_expr(struct lower *L, struct node *e) { return lower_expr(L, e); }
void lw_stmt(struct lower *L, struct node *s) { lower_stmt(L, s); }
void lw_branch(struct lower *L, struct node *e, bool jump_if, int target)
{
	lower_branch(L, e, jump_if, target);
}
struct val lw_str_literal(struct lower *L, const char *s, int64_t len,
			  struct loc loc)
{
	return lower_str_literal(L, s, len, loc);
}
int lw_key(struct lower *L, const struct symbol *g, struct node *keys,
	   struct loc loc)
{
	return lower_key(L, g, keys, loc);
}
int lw_map_lookup(struct lower *L, const struct symbol *g, int key)
{
	return map_lookup(L, g, key);
}
void lw_fail(struct lower *L, struct node *n, const char *what,
	     const char *hint)
{
	lower_fail(L, n, what, hint);
}
struct val lw_store(struct lower *L, struct node *lv, int op, struct val rhs,
		    struct node *e, bool discard)
{
	return lower_store(L, lv, op, rhs, e, discard);
}
int lw_maxstr(struct lower *L) { return maxstr(L); }
int lw_rb_reserve(struct lower *L, uint32_t size, int id, int *fail)
{
	return rb_reserve(L, size, id, fail);
}
void lw_rb_commit(struct lower *L, int rec) { rb_commit(L, rec); }
void lw_rb_drop(struct lower *L, int fail, int done) { rb_drop(L, fail, done); }
void lw_gd_atomic_inc(struct lower *L, uint32_t off) { gd_atomic_inc(L, off); }
