// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The user-context evaluator: expressions, statements, user functions and
 * foreach over the typed AST. Arithmetic follows the semantics contract
 * in DESIGN.md exactly (it is done in uint64_t: C's signed overflow is
 * undefined, the script's wraps), since kernel probes compute the same
 * operators in BPF and differential tests compare the two.
 */
#define _GNU_SOURCE /* qsort_r, vasprintf */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/eval_internal.h"

enum flow {
	FLOW_NORMAL,
	FLOW_BREAK,
	FLOW_CONTINUE,
	FLOW_RETURN,
	FLOW_UNWIND, /* ev->unwind says why */
};

static enum flow eval_stmt(struct eval *ev, const struct node *n);

/* ---- values ---- */

void value_free(struct value *v)
{
	free(v->s);
	v->s = NULL;
}

void value_set_long(struct value *v, int64_t l)
{
	v->type = T_LONG;
	v->l = l;
	v->s = NULL;
}

void eval_value_take_str(struct eval *ev, struct value *v, char *s)
{
	v->type = T_STRING;
	v->l = 0;
	v->s = s;
	if (s && strlen(s) > ev->strmax)
		s[ev->strmax] = '\0';
}

void eval_value_set_str(struct eval *ev, struct value *v, const char *s)
{
	size_t n = strnlen(s ? s : "", ev->strmax);
	char *c = malloc(n + 1);

	if (c) {
		memcpy(c, s ? s : "", n);
		c[n] = '\0';
	}
	eval_value_take_str(ev, v, c);
}

void eval_value_copy(struct eval *ev, struct value *dst,
		     const struct value *src)
{
	if (src->type == T_STRING)
		eval_value_set_str(ev, dst, value_str(src));
	else
		value_set_long(dst, src->l);
}

/* The zero value of type t: what a missing element or a fresh local reads. */
static void value_zero(struct value *v, enum etype t)
{
	v->type = t == T_STRING ? T_STRING : T_LONG;
	v->l = 0;
	v->s = NULL;
}

/* ---- errors ---- */

/* What stap names after "near": the operator or identifier of the node. */
static char *eval_where(const struct node *n)
{
	const char *tok = NULL, *what = "operator";
	struct loc loc;
	char *w = NULL;

	if (!n)
		return strdup("");
	loc = n->kind == E_INDEX && n->a ? n->a->loc : n->loc;
	switch (n->kind) {
	case E_BINARY:
	case E_UNARY:
	case E_INCDEC:
	case E_ASSIGN:
	case E_REGEX:
		tok = ast_op_str(n->op);
		break;
	case E_STATOP:
	case E_HIST:
		tok = ast_statop_str(n->op);
		break;
	case E_INDEX:
		tok = n->a ? n->a->str : n->str;
		what = "identifier";
		break;
	case E_IDENT:
	case E_CALL:
		tok = n->str;
		what = "identifier";
		break;
	default:
		break;
	}
	if (tok) {
		if (asprintf(&w, " near %s '%s%s' at %s:%d:%d", what,
			     n->kind == E_STATOP || n->kind == E_HIST ? "@" : "",
			     tok, loc.file ? loc.file : "<input>",
			     loc.line, loc.col) < 0)
			w = NULL;
	} else if (asprintf(&w, " at %s:%d:%d",
			    loc.file ? loc.file : "<input>",
			    loc.line, loc.col) < 0) {
		w = NULL;
	}
	return w ? w : strdup("");
}

void eval_fail(struct eval *ev, const struct node *n, const char *fmt, ...)
{
	va_list ap;

	if (ev->unwind == UW_ERROR)
		return; /* keep the first error */
	free(ev->errmsg);
	free(ev->errwhere);
	va_start(ap, fmt);
	if (vasprintf(&ev->errmsg, fmt, ap) < 0)
		ev->errmsg = NULL;
	va_end(ap);
	ev->errwhere = eval_where(n);
	ev->unwind = UW_ERROR;
}

static void eval_unsupported(struct eval *ev, const struct node *n,
			     const char *what)
{
	eval_fail(ev, n, "%s not supported in this version", what);
}

/* ---- arithmetic (the semantics contract) ---- */

static bool eval_arith(struct eval *ev, const struct node *n, int op,
		       int64_t a, int64_t b, int64_t *res)
{
	uint64_t ua = (uint64_t)a, ub = (uint64_t)b;
	unsigned int sh = (unsigned int)(ub & 63);

	switch (op) {
	case OP_ADD: *res = (int64_t)(ua + ub); break;
	case OP_SUB: *res = (int64_t)(ua - ub); break;
	case OP_MUL: *res = (int64_t)(ua * ub); break;
	case OP_DIV:
	case OP_MOD:
		if (b == 0) {
			eval_fail(ev, n, "division by 0");
			return false;
		}
		/* INT64_MIN / -1 overflows in C; the contract wraps it */
		if (b == -1)
			*res = op == OP_DIV ? (int64_t)(0 - ua) : 0;
		else
			*res = op == OP_DIV ? a / b : a % b;
		break;
	case OP_SHL: *res = (int64_t)(ua << sh); break;
	case OP_SHR:
		/* arithmetic shift without relying on implementation-defined
		 * right shifts of negative numbers */
		*res = a < 0 ? (int64_t)~(~ua >> sh) : (int64_t)(ua >> sh);
		break;
	case OP_USHR: *res = (int64_t)(ua >> sh); break;
	case OP_BAND: *res = a & b; break;
	case OP_BOR: *res = a | b; break;
	case OP_BXOR: *res = a ^ b; break;
	default:
		eval_fail(ev, n, "unknown operator");
		return false;
	}
	return true;
}

static char *eval_concat(struct eval *ev, const char *a, const char *b)
{
	size_t la = strnlen(a, ev->strmax);
	size_t lb = strnlen(b, ev->strmax - la);
	char *s = malloc(la + lb + 1);

	if (!s)
		return NULL;
	memcpy(s, a, la);
	memcpy(s + la, b, lb);
	s[la + lb] = '\0';
	return s;
}

/* ---- variables and array elements ---- */

struct lval {
	const struct node *n;
	struct symbol *sym;
	struct value keys[SEM_MAXKEYS];
	int nkeys;
};

static struct symbol *eval_array_sym(const struct node *n)
{
	if (n->sym)
		return n->sym;
	return n->a ? n->a->sym : NULL;
}

/* Evaluate an index list into keys (g->nkeys of them). */
static void eval_keys(struct eval *ev, const struct node *args,
		      struct value *keys, int nkeys)
{
	int i = 0;

	for (const struct node *k = args; k && i < nkeys; k = k->next, i++)
		eval_expr(ev, k, &keys[i]);
	for (; i < nkeys; i++)
		value_set_long(&keys[i], 0);
}

static void eval_keys_free(struct value *keys, int nkeys)
{
	for (int i = 0; i < nkeys; i++)
		value_free(&keys[i]);
}

/* Resolve an assignable expression; keys are evaluated once here, so
 * `a[f()] += 1` calls f once. */
static bool lval_resolve(struct eval *ev, const struct node *n,
			 struct lval *lv)
{
	lv->n = n;
	lv->nkeys = 0;
	lv->sym = n->kind == E_INDEX ? eval_array_sym(n) : n->sym;
	if (!lv->sym || (n->kind != E_IDENT && n->kind != E_INDEX)) {
		eval_fail(ev, n, "expression is not assignable");
		return false;
	}
	if (lv->sym->type == T_STATS) {
		eval_unsupported(ev, n, "statistics aggregates are");
		return false;
	}
	if (n->kind == E_INDEX) {
		lv->nkeys = lv->sym->nkeys;
		eval_keys(ev, n->args, lv->keys, lv->nkeys);
	}
	return ev->unwind == UW_NONE;
}

static void lval_release(struct lval *lv)
{
	eval_keys_free(lv->keys, lv->nkeys);
	lv->nkeys = 0;
}

/* Read a scalar symbol (local, global or context variable). */
static void eval_read_sym(struct eval *ev, const struct node *n,
			  const struct symbol *sym, enum etype t,
			  struct value *out)
{
	switch (sym->kind) {
	case SYM_LOCAL:
		if (!ev->frame || sym->slot >= ev->frame->nslots) {
			value_zero(out, t);
			eval_fail(ev, n, "local variable outside its frame");
		} else if (t == T_STRING) {
			eval_value_set_str(ev, out,
					   value_str(&ev->frame->slots[sym->slot]));
		} else {
			value_set_long(out, ev->frame->slots[sym->slot].l);
		}
		break;
	case SYM_GLOBAL:
		if (sym->type == T_STRING)
			eval_value_set_str(ev, out,
					   store_get_str(ev->st, sym));
		else
			value_set_long(out, store_get_long(ev->st, sym));
		break;
	case SYM_CONTEXT:
		if (sym->ctx == CTX_SYSCALL_NAME) {
			eval_value_set_str(ev, out, sym->const_str);
			break;
		}
		/* fall through */
	default:
		value_zero(out, t);
		eval_fail(ev, n, "probe context variables are not available in user context");
		break;
	}
}

/* Write a scalar symbol; v is copied. */
static void eval_write_sym(struct eval *ev, const struct node *n,
			   const struct symbol *sym, const struct value *v)
{
	switch (sym->kind) {
	case SYM_LOCAL:
		if (!ev->frame || sym->slot >= ev->frame->nslots) {
			eval_fail(ev, n, "local variable outside its frame");
			return;
		}
		value_free(&ev->frame->slots[sym->slot]);
		eval_value_copy(ev, &ev->frame->slots[sym->slot], v);
		break;
	case SYM_GLOBAL:
		if (sym->type == T_STRING)
			store_set_str(ev->st, sym, value_str(v));
		else
			store_set_long(ev->st, sym, v->l);
		break;
	default:
		eval_fail(ev, n, "expression is not assignable");
		break;
	}
}

static void lval_read(struct eval *ev, struct lval *lv, struct value *out)
{
	if (lv->n->kind == E_INDEX)
		store_array_get(ev->st, lv->sym, lv->keys, out);
	else
		eval_read_sym(ev, lv->n, lv->sym, lv->sym->type, out);
}

static void lval_write(struct eval *ev, struct lval *lv,
		       const struct value *v)
{
	if (lv->n->kind != E_INDEX) {
		eval_write_sym(ev, lv->n, lv->sym, v);
		return;
	}
	int err = store_array_set(ev->st, lv->sym, lv->keys, v);

	if (err == -E2BIG)
		eval_fail(ev, lv->n, "Array overflow, check MAXMAPENTRIES");
	else if (err < 0)
		eval_fail(ev, lv->n, "cannot store array element: %s",
			  strerror(-err));
}

/* ---- expressions ---- */

static void eval_assign(struct eval *ev, const struct node *n,
			struct value *out)
{
	struct lval lv;
	struct value rhs, cur;
	int binop;

	value_zero(out, n->type);
	if (n->op == OP_AGG) {
		eval_stats_agg(ev, n, out);
		return;
	}
	if (!lval_resolve(ev, n->a, &lv))
		goto out;
	eval_expr(ev, n->b, &rhs);
	if (ev->unwind)
		goto out_rhs;
	if (n->op == OP_ASSIGN) {
		eval_value_copy(ev, out, &rhs);
	} else if (n->op == OP_CAT_ASSIGN) {
		lval_read(ev, &lv, &cur);
		eval_value_take_str(ev, out, eval_concat(ev, value_str(&cur),
							 value_str(&rhs)));
		value_free(&cur);
	} else {
		int64_t r;

		binop = ast_assign_binop(n->op);
		lval_read(ev, &lv, &cur);
		if (!eval_arith(ev, n, binop, cur.l, rhs.l, &r))
			goto out_rhs;
		value_set_long(out, r);
	}
	lval_write(ev, &lv, out);
out_rhs:
	value_free(&rhs);
out:
	lval_release(&lv);
}

static void eval_incdec(struct eval *ev, const struct node *n,
			struct value *out)
{
	struct lval lv;
	struct value cur, nv;
	bool inc = n->op == OP_PREINC || n->op == OP_POSTINC;
	bool pre = n->op == OP_PREINC || n->op == OP_PREDEC;

	value_set_long(out, 0);
	if (!lval_resolve(ev, n->a, &lv))
		goto out;
	lval_read(ev, &lv, &cur);
	value_set_long(&nv, (int64_t)((uint64_t)cur.l + (inc ? 1 : -1)));
	value_free(&cur);
	lval_write(ev, &lv, &nv);
	out->l = pre ? nv.l : cur.l;
out:
	lval_release(&lv);
}

static int eval_compare(const struct value *a, const struct value *b)
{
	if (a->type == T_STRING || b->type == T_STRING) {
		int c = strcmp(value_str(a), value_str(b));

		return (c > 0) - (c < 0);
	}
	return (a->l > b->l) - (a->l < b->l);
}

static void eval_binary(struct eval *ev, const struct node *n,
			struct value *out)
{
	struct value a, b;
	int64_t r = 0;

	value_set_long(out, 0);
	if (n->op == OP_LAND || n->op == OP_LOR) {
		int64_t l = eval_long(ev, n->a);

		if (ev->unwind)
			return;
		if (n->op == OP_LAND ? !l : !!l) {
			out->l = n->op == OP_LOR;
			return;
		}
		out->l = eval_long(ev, n->b) != 0;
		return;
	}
	eval_expr(ev, n->a, &a);
	eval_expr(ev, n->b, &b);
	if (ev->unwind)
		goto out;
	switch (n->op) {
	case OP_CAT:
		eval_value_take_str(ev, out, eval_concat(ev, value_str(&a),
							 value_str(&b)));
		break;
	case OP_EQ: out->l = eval_compare(&a, &b) == 0; break;
	case OP_NE: out->l = eval_compare(&a, &b) != 0; break;
	case OP_LT: out->l = eval_compare(&a, &b) < 0; break;
	case OP_LE: out->l = eval_compare(&a, &b) <= 0; break;
	case OP_GT: out->l = eval_compare(&a, &b) > 0; break;
	case OP_GE: out->l = eval_compare(&a, &b) >= 0; break;
	default:
		if (eval_arith(ev, n, n->op, a.l, b.l, &r))
			out->l = r;
		break;
	}
out:
	value_free(&a);
	value_free(&b);
}

static void eval_unary(struct eval *ev, const struct node *n,
		       struct value *out)
{
	int64_t a = eval_long(ev, n->a);

	switch (n->op) {
	case OP_NEG: a = (int64_t)(0 - (uint64_t)a); break;
	case OP_NOT: a = !a; break;
	case OP_BNOT: a = ~a; break;
	case OP_PLUS: break;
	default:
		eval_unsupported(ev, n, "this operator is");
		break;
	}
	value_set_long(out, ev->unwind ? 0 : a);
}

/* Does a key tuple match a pattern where E_STAR entries match anything? */
static bool eval_keys_match(const struct value *keys,
			    const struct value *pat, const bool *star,
			    int nkeys)
{
	for (int i = 0; i < nkeys; i++)
		if (!star[i] && eval_compare(&keys[i], &pat[i]) != 0)
			return false;
	return true;
}

/* Evaluate an index list that may hold '*' wildcards. Returns whether
 * any entry is a wildcard. */
static bool eval_pattern(struct eval *ev, const struct node *args,
			 struct value *pat, bool *star, int nkeys)
{
	bool any = false;
	int i = 0;

	for (const struct node *k = args; k && i < nkeys; k = k->next, i++) {
		star[i] = k->kind == E_STAR;
		any |= star[i];
		if (star[i])
			value_set_long(&pat[i], 0);
		else
			eval_expr(ev, k, &pat[i]);
	}
	for (; i < nkeys; i++) {
		star[i] = true;
		value_set_long(&pat[i], 0);
		any = true;
	}
	return any;
}

static void eval_in(struct eval *ev, const struct node *n, struct value *out)
{
	struct symbol *g = n->a ? n->a->sym : n->sym;
	struct value pat[SEM_MAXKEYS], elem = { 0 }, *keys;
	bool star[SEM_MAXKEYS];
	int cnt;

	value_set_long(out, 0);
	if (!g) {
		eval_unsupported(ev, n, "this expression is");
		return;
	}
	/* aggregates: any element the kernel or user context collected */
	if (!eval_pattern(ev, n->args, pat, star, g->nkeys) &&
	    g->type != T_STATS) {
		if (!ev->unwind)
			out->l = store_array_get(ev->st, g, pat, &elem);
		value_free(&elem);
		goto out;
	}
	if (ev->unwind || (g->type == T_STATS
				   ? eval_stats_keys(ev, g, &keys, &cnt)
				   : store_array_keys(ev->st, g, &keys, &cnt)) < 0)
		goto out;
	for (int i = 0; i < cnt && !out->l; i++)
		out->l = eval_keys_match(keys + i * g->nkeys, pat, star,
					 g->nkeys);
	store_keys_free(keys, cnt, g->nkeys);
out:
	eval_keys_free(pat, g->nkeys);
}

static void eval_index(struct eval *ev, const struct node *n,
		       struct value *out)
{
	struct symbol *g = eval_array_sym(n);
	struct value keys[SEM_MAXKEYS];

	value_zero(out, n->type);
	if (!g || g->type == T_STATS) {
		eval_unsupported(ev, n, "statistics aggregates are");
		return;
	}
	eval_keys(ev, n->args, keys, g->nkeys);
	if (!ev->unwind)
		store_array_get(ev->st, g, keys, out);
	eval_keys_free(keys, g->nkeys);
}

static void eval_call(struct eval *ev, const struct node *n,
		      struct value *out)
{
	const struct symbol *fs = n->sym;
	const struct function *fn = fs->fn;
	struct eval_frame f = { 0 }, *caller = ev->frame;
	const struct node *arg;
	int i = 0;

	value_zero(out, n->type);
	if (ev->depth >= ev->max_nesting) {
		eval_fail(ev, n, "MAXNESTING exceeded");
		return;
	}
	if (!fn || !fn->body || fn->body->kind == S_EMBEDDED) {
		eval_unsupported(ev, n, "embedded C functions are");
		return;
	}
	f.nslots = fs->nlocals > fn->nparams ? fs->nlocals : fn->nparams;
	f.slots = calloc(f.nslots ? f.nslots : 1, sizeof(*f.slots));
	if (!f.slots) {
		eval_fail(ev, n, "out of memory");
		return;
	}
	/* arguments are evaluated in the caller's frame */
	for (arg = n->args; arg && i < f.nslots; arg = arg->next, i++)
		eval_expr(ev, arg, &f.slots[i]);
	if (!ev->unwind) {
		value_zero(&f.ret, n->type);
		ev->frame = &f;
		ev->depth++;
		eval_stmt(ev, fn->body);
		ev->depth--;
		ev->frame = caller;
		if (n->type == T_STRING) {
			eval_value_take_str(ev, out, f.ret.s);
			f.ret.s = NULL;
		} else {
			out->l = f.ret.l;
		}
		value_free(&f.ret);
	}
	for (i = 0; i < f.nslots; i++)
		value_free(&f.slots[i]);
	free(f.slots);
}

void eval_expr(struct eval *ev, const struct node *n, struct value *out)
{
	value_zero(out, n->type);
	if (ev->unwind)
		return;
	switch (n->kind) {
	case E_NUM:
		out->l = n->num;
		break;
	case E_STR:
		eval_value_set_str(ev, out, n->str);
		break;
	case E_IDENT:
		if (!n->sym) {
			eval_fail(ev, n, "unresolved identifier");
			break;
		}
		if (n->sym->nkeys > 0 || n->sym->type == T_STATS) {
			eval_unsupported(ev, n, "using an array as a value is");
			break;
		}
		eval_read_sym(ev, n, n->sym, n->type ? n->type : n->sym->type,
			      out);
		break;
	case E_INDEX:
		eval_index(ev, n, out);
		break;
	case E_CALL:
		if (n->sym)
			eval_call(ev, n, out);
		else
			eval_builtin_call(ev, n, out);
		break;
	case E_BINARY:
		eval_binary(ev, n, out);
		break;
	case E_UNARY:
		eval_unary(ev, n, out);
		break;
	case E_INCDEC:
		eval_incdec(ev, n, out);
		break;
	case E_ASSIGN:
		eval_assign(ev, n, out);
		break;
	case E_TERNARY: {
		int64_t c = eval_long(ev, n->a);

		if (!ev->unwind)
			eval_expr(ev, c ? n->b : n->c, out);
		break;
	}
	case E_IN:
		eval_in(ev, n, out);
		break;
	case E_REGEX:
		eval_regex_match(ev, n, out);
		break;
	case E_STATOP:
		eval_stats_op(ev, n, out);
		break;
	case E_HIST_INDEX:
		eval_stats_hist_index(ev, n, out);
		break;
	case E_HIST:
		eval_fail(ev, n, "a histogram can only be printed or indexed");
		break;
	case E_TARGET:
	case E_DOLLARS:
	case E_CAST:
	case E_ENTRY:
		eval_fail(ev, n, "probe context variables are not available in user context");
		break;
	default:
		eval_unsupported(ev, n, "this expression is");
		break;
	}
}

int64_t eval_long(struct eval *ev, const struct node *n)
{
	struct value v;

	eval_expr(ev, n, &v);
	value_free(&v);
	return v.l;
}

/* ---- foreach ---- */

struct fe_entry {
	struct value *keys; /* into the snapshot */
	struct value val;
};

struct fe_sort {
	int key;  /* 0: value, N: key N */
	int dir;  /* +1 / -1 */
	int nkeys;
};

static int fe_cmp(const void *pa, const void *pb, void *ctx)
{
	const struct fe_entry *a = pa, *b = pb;
	const struct fe_sort *s = ctx;
	int c;

	c = s->key == 0 ? eval_compare(&a->val, &b->val)
			: eval_compare(&a->keys[s->key - 1],
				       &b->keys[s->key - 1]);
	if (c)
		return c * s->dir;
	/* ties: the whole key tuple, ascending, so the order is stable
	 * from run to run whatever order the hash map returned */
	for (int i = 0; i < s->nkeys; i++) {
		c = eval_compare(&a->keys[i], &b->keys[i]);
		if (c)
			return c;
	}
	return 0;
}

/* One loop turn's outcome: true to leave the loop with *fl. */
static bool eval_loop_exit(enum flow body, enum flow *fl)
{
	switch (body) {
	case FLOW_BREAK:
		*fl = FLOW_NORMAL;
		return true;
	case FLOW_RETURN:
	case FLOW_UNWIND:
		*fl = body;
		return true;
	default:
		return false;
	}
}

/* foreach (b in @hist_log(s)): every bucket index, in order. */
static enum flow eval_foreach_hist(struct eval *ev, const struct node *n)
{
	const struct foreach_info *fe = n->fe;
	int64_t *counts, limit = -1;
	int nb = eval_stats_buckets(ev, fe->array, &counts);
	enum flow fl = FLOW_NORMAL;

	if (nb < 0)
		return FLOW_UNWIND;
	/* stap stops when its count reaches the limit: none below 0 */
	if (fe->limit && (limit = eval_long(ev, fe->limit)) < 0)
		limit = 0;
	for (int i = 0; i < nb && !ev->unwind; i++) {
		struct value b;

		if (limit >= 0 && i >= limit)
			break;
		value_set_long(&b, i);
		if (fe->keys)
			eval_write_sym(ev, fe->keys, fe->keys->sym, &b);
		if (ev->unwind)
			break;
		if (eval_loop_exit(eval_stmt(ev, fe->body), &fl))
			break;
	}
	free(counts);
	return ev->unwind ? FLOW_UNWIND : fl;
}

static enum flow eval_foreach(struct eval *ev, const struct node *n)
{
	const struct foreach_info *fe = n->fe;
	struct symbol *g = fe->array ? fe->array->sym : NULL;
	struct value *keys = NULL, pat[SEM_MAXKEYS];
	struct fe_entry *ents = NULL;
	bool star[SEM_MAXKEYS], sliced = false;
	bool need_val = fe->value || (fe->sort_dir && fe->sort_key == 0);
	int cnt = 0, nk, m = 0;
	int64_t limit = -1;
	enum flow fl = FLOW_NORMAL;

	if (fe->array && fe->array->kind == E_HIST)
		return eval_foreach_hist(ev, n);
	if (!g || fe->array->kind != E_IDENT) {
		eval_unsupported(ev, fe->array ? fe->array : n,
				 "this foreach is");
		return FLOW_UNWIND;
	}
	nk = g->nkeys;
	if (fe->slice) {
		eval_pattern(ev, fe->slice, pat, star, nk);
		sliced = true;
	}
	/* stap stops when its count reaches the limit: none below 0 */
	if (fe->limit && (limit = eval_long(ev, fe->limit)) < 0)
		limit = 0;
	if (ev->unwind)
		goto out;
	if ((g->type == T_STATS ? eval_stats_keys(ev, g, &keys, &cnt)
				: store_array_keys(ev->st, g, &keys, &cnt)) < 0) {
		eval_fail(ev, fe->array, "cannot read array");
		goto out;
	}
	ents = calloc(cnt ? cnt : 1, sizeof(*ents));
	if (!ents)
		goto out;
	for (int i = 0; i < cnt; i++) {
		struct value *k = keys + i * nk;

		if (sliced && !eval_keys_match(k, pat, star, nk))
			continue;
		ents[m].keys = k;
		value_zero(&ents[m].val, g->type);
		if (need_val && g->type == T_STATS)
			eval_stats_sort_value(ev, g, k, fe->sort_agg,
					      &ents[m].val);
		else if (need_val)
			store_array_get(ev->st, g, k, &ents[m].val);
		m++;
	}
	if (fe->sort_dir) {
		struct fe_sort s = {
			.key = fe->sort_key <= nk ? fe->sort_key : 0,
			.dir = fe->sort_dir < 0 ? -1 : 1,
			.nkeys = nk,
		};

		qsort_r(ents, m, sizeof(*ents), fe_cmp, &s);
	}
	if (limit >= 0 && limit < m)
		m = (int)limit;
	for (int i = 0; i < m; i++) {
		const struct node *kv = fe->keys;

		for (int k = 0; k < nk && kv; k++, kv = kv->next)
			eval_write_sym(ev, kv, kv->sym, &ents[i].keys[k]);
		if (fe->value)
			eval_write_sym(ev, fe->value, fe->value->sym,
				       &ents[i].val);
		if (ev->unwind) {
			fl = FLOW_UNWIND;
			break;
		}
		if (eval_loop_exit(eval_stmt(ev, fe->body), &fl))
			break;
	}
out:
	if (ents)
		for (int i = 0; i < cnt; i++)
			value_free(&ents[i].val);
	free(ents);
	store_keys_free(keys, cnt, nk);
	if (fe->slice)
		eval_keys_free(pat, nk);
	return ev->unwind ? FLOW_UNWIND : fl;
}

/* ---- statements ---- */

static enum flow eval_delete(struct eval *ev, const struct node *n)
{
	const struct node *t = n->a;
	struct symbol *g = t->kind == E_INDEX ? eval_array_sym(t) : t->sym;
	struct value pat[SEM_MAXKEYS], *keys;
	bool star[SEM_MAXKEYS];
	int cnt;

	if (!g) {
		eval_fail(ev, t, "unresolved identifier");
		return FLOW_UNWIND;
	}
	if (g->type == T_STATS) {
		eval_stats_delete(ev, t);
		return ev->unwind ? FLOW_UNWIND : FLOW_NORMAL;
	}
	if (t->kind == E_IDENT) {
		struct value zero;

		if (g->nkeys > 0) {
			store_array_clear(ev->st, g);
			return FLOW_NORMAL;
		}
		value_zero(&zero, g->type);
		eval_write_sym(ev, t, g, &zero);
		return ev->unwind ? FLOW_UNWIND : FLOW_NORMAL;
	}
	if (!eval_pattern(ev, t->args, pat, star, g->nkeys)) {
		if (!ev->unwind)
			store_array_delete(ev->st, g, pat);
	} else if (!ev->unwind && store_array_keys(ev->st, g, &keys, &cnt) == 0) {
		for (int i = 0; i < cnt; i++)
			if (eval_keys_match(keys + i * g->nkeys, pat, star,
					    g->nkeys))
				store_array_delete(ev->st, g,
						   keys + i * g->nkeys);
		store_keys_free(keys, cnt, g->nkeys);
	}
	eval_keys_free(pat, g->nkeys);
	return ev->unwind ? FLOW_UNWIND : FLOW_NORMAL;
}

static enum flow eval_try(struct eval *ev, const struct node *n)
{
	enum flow fl = eval_stmt(ev, n->a);
	struct value msg;

	if (fl != FLOW_UNWIND || ev->unwind != UW_ERROR)
		return fl;
	/* caught: neither printed nor counted, as in stap */
	ev->unwind = UW_NONE;
	eval_value_set_str(ev, &msg, ev->errmsg);
	free(ev->errmsg);
	free(ev->errwhere);
	ev->errmsg = ev->errwhere = NULL;
	if (n->sym)
		eval_write_sym(ev, n, n->sym, &msg);
	value_free(&msg);
	if (ev->unwind)
		return FLOW_UNWIND;
	return n->b ? eval_stmt(ev, n->b) : FLOW_NORMAL;
}

static enum flow eval_stmt(struct eval *ev, const struct node *n)
{
	enum flow fl = FLOW_NORMAL;

	if (!n)
		return FLOW_NORMAL;
	if (ev->unwind)
		return FLOW_UNWIND;
	switch (n->kind) {
	case S_BLOCK:
		for (const struct node *s = n->args; s; s = s->next) {
			fl = eval_stmt(ev, s);
			if (fl != FLOW_NORMAL)
				return fl;
		}
		return FLOW_NORMAL;
	case S_EXPR: {
		struct value v;

		eval_expr(ev, n->a, &v);
		value_free(&v);
		break;
	}
	case S_IF: {
		int64_t c = eval_long(ev, n->a);

		if (ev->unwind)
			break;
		return eval_stmt(ev, c ? n->b : n->c);
	}
	case S_WHILE:
		for (;;) {
			int64_t c = eval_long(ev, n->a);

			if (ev->unwind || !c || ev->stop)
				break;
			if (eval_loop_exit(eval_stmt(ev, n->b), &fl))
				return fl;
		}
		break;
	case S_FOR:
		if (n->a)
			eval_long(ev, n->a);
		for (;;) {
			int64_t c = n->b ? eval_long(ev, n->b) : 1;

			if (ev->unwind || !c || ev->stop)
				break;
			if (eval_loop_exit(eval_stmt(ev, n->d), &fl))
				return fl;
			if (n->c)
				eval_long(ev, n->c);
		}
		break;
	case S_FOREACH:
		return eval_foreach(ev, n);
	case S_BREAK:
		return FLOW_BREAK;
	case S_CONTINUE:
		return FLOW_CONTINUE;
	case S_NEXT:
		ev->unwind = UW_NEXT;
		return FLOW_UNWIND;
	case S_RETURN:
		if (n->a && ev->frame) {
			value_free(&ev->frame->ret);
			eval_expr(ev, n->a, &ev->frame->ret);
		}
		return ev->unwind ? FLOW_UNWIND : FLOW_RETURN;
	case S_DELETE:
		return eval_delete(ev, n);
	case S_TRY:
		return eval_try(ev, n);
	case S_NULL:
		break;
	case S_EMBEDDED:
		eval_unsupported(ev, n, "embedded C is");
		break;
	default:
		eval_unsupported(ev, n, "this statement is");
		break;
	}
	if (ev->stop && !ev->unwind)
		ev->unwind = UW_NEXT;
	return ev->unwind ? FLOW_UNWIND : FLOW_NORMAL;
}

/* ---- entry points ---- */

struct eval *eval_new(const struct program *p, struct store *st, FILE *out)
{
	struct eval *ev = calloc(1, sizeof(*ev));
	FILE *f;

	if (!ev)
		return NULL;
	ev->prog = p;
	ev->st = st;
	ev->out = out;
	ev->err = stderr;
	ev->strmax = p->opt.maxstringlen > 1 ? p->opt.maxstringlen - 1 : 511;
	ev->max_nesting = p->opt.maxnesting > 0 && p->opt.maxnesting < INT32_MAX
				  ? (int)p->opt.maxnesting
				  : EVAL_MAX_NESTING;
	/* user-context probes run in etap itself: execname() is its comm */
	f = fopen("/proc/self/comm", "r");
	if (f) {
		if (fgets(ev->execname, sizeof(ev->execname), f))
			ev->execname[strcspn(ev->execname, "\n")] = '\0';
		fclose(f);
	}
	return ev;
}

void eval_free(struct eval *ev)
{
	if (!ev)
		return;
	eval_builtin_free(ev);
	eval_stats_free(ev);
	eval_regex_free(ev);
	free(ev->errmsg);
	free(ev->errwhere);
	free(ev);
}

void eval_set_errstream(struct eval *ev, FILE *err)
{
	ev->err = err;
}

void eval_set_max_nesting(struct eval *ev, int n)
{
	ev->max_nesting = n;
}

void eval_request_stop(struct eval *ev)
{
	ev->stop = 1;
}

bool eval_exit_requested(struct eval *ev)
{
	return ev->exit_req;
}

bool eval_abort_requested(struct eval *ev)
{
	return ev->abort_req;
}

int eval_error_count(struct eval *ev)
{
	return ev->nerrors;
}

/* End of a handler: report an uncaught error and reset the unwind state. */
static int eval_finish(struct eval *ev)
{
	int ret = 0;

	if (ev->unwind == UW_ERROR) {
		/* keep the script's output ahead of the error, as stap does */
		fflush(ev->out);
		fprintf(ev->err, "ERROR: %s%s\n",
			ev->errmsg ? ev->errmsg : "out of memory",
			ev->errwhere ? ev->errwhere : "");
		fflush(ev->err);
		ev->nerrors++;
		ret = -1;
	}
	free(ev->errmsg);
	free(ev->errwhere);
	ev->errmsg = ev->errwhere = NULL;
	ev->unwind = UW_NONE;
	return ret;
}

int eval_init_globals(struct eval *ev)
{
	struct eval_frame f = { 0 };
	int ret = 0;

	ev->frame = &f;
	for (const struct symbol *g = ev->prog->globals; g; g = g->next) {
		struct value v;

		if (!g->decl || !g->decl->init || g->nkeys > 0 ||
		    g->type == T_STATS)
			continue;
		eval_expr(ev, g->decl->init, &v);
		if (!ev->unwind)
			eval_write_sym(ev, g->decl->init, g, &v);
		value_free(&v);
		if (eval_finish(ev) < 0)
			ret = -1;
	}
	ev->frame = NULL;
	return ret;
}

int eval_run_probe(struct eval *ev, const struct rprobe *rp)
{
	struct eval_frame f = { 0 };
	int ret;

	f.nslots = rp->nlocals;
	f.slots = calloc(f.nslots ? f.nslots : 1, sizeof(*f.slots));
	if (!f.slots) {
		fprintf(ev->err, "ERROR: out of memory\n");
		ev->nerrors++;
		return -1;
	}
	ev->rp = rp;
	ev->frame = &f;
	ev->depth = 0;
	/* a stop request interrupts one handler; end probes still run */
	ev->stop = 0;
	eval_regex_reset(ev);
	if (!rp->cond || eval_long(ev, rp->cond))
		eval_stmt(ev, rp->body);
	ret = eval_finish(ev);
	for (int i = 0; i < f.nslots; i++)
		value_free(&f.slots[i]);
	value_free(&f.ret);
	free(f.slots);
	ev->frame = NULL;
	ev->rp = NULL;
	return ret;
}
