// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The user-context evaluator over small hand-annotated trees (as the
 * semantic pass would leave them), with real BPF hash maps for arrays and
 * a plain buffer as global data: no mocks, so the store layer is tested
 * through the kernel's own map semantics (E2BIG when full, key hashing).
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <bpf/bpf.h>

#include "parser/diag.h"
#include "parser/parser.h"
#include "runtime/eval.h"
#include "runtime/store.h"
#include "semantic/stats.h"

/* ---- fixture ---- */

struct fx {
	struct program prog;
	struct store st;
	uint8_t gd[16384];
	int fds[16];
	int nmaps;
	uint32_t gd_next;
	struct eval *ev;
	char *obuf, *ebuf;
	size_t olen, elen;
	FILE *out, *err;
};

static struct fx *F;

static void fx_open(int64_t maxstringlen)
{
	F = calloc(1, sizeof(*F));
	F->prog.opt.maxstringlen = maxstringlen;
	F->prog.opt.maxmapentries = 64;
	F->st.prog = &F->prog;
	F->st.gd = F->gd;
	F->st.map_fds = F->fds;
	F->gd_next = GD_SCALARS;
	F->out = open_memstream(&F->obuf, &F->olen);
	F->err = open_memstream(&F->ebuf, &F->elen);
	F->ev = eval_new(&F->prog, &F->st, F->out);
	eval_set_errstream(F->ev, F->err);
}

static int setup(void **state)
{
	fx_open(512);
	return 0;
}

static int setup_short(void **state)
{
	fx_open(16); /* strings of at most 15 bytes */
	return 0;
}

static int teardown(void **state)
{
	eval_free(F->ev);
	fclose(F->out);
	fclose(F->err);
	free(F->obuf);
	free(F->ebuf);
	for (int i = 0; i < F->nmaps; i++)
		close(F->fds[i]);
	free(F);
	F = NULL;
	return 0;
}

/* Output so far (and reset it). */
static const char *out_text(void)
{
	static char buf[65536];

	fflush(F->out);
	snprintf(buf, sizeof(buf), "%.*s", (int)F->olen, F->obuf);
	rewind(F->out);
	F->olen = 0;
	if (F->obuf)
		F->obuf[0] = '\0';
	return buf;
}

static const char *err_text(void)
{
	static char buf[65536];

	fflush(F->err);
	snprintf(buf, sizeof(buf), "%.*s", (int)F->elen, F->ebuf);
	rewind(F->err);
	F->elen = 0;
	if (F->ebuf)
		F->ebuf[0] = '\0';
	return buf;
}

/* ---- symbols ---- */

static struct symbol *sym_new(enum sym_kind kind, const char *name,
			      enum etype t)
{
	struct symbol *s = calloc(1, sizeof(*s));

	s->kind = kind;
	s->name = name;
	s->type = t;
	return s;
}

static struct symbol *global_scalar(const char *name, enum etype t)
{
	struct symbol *s = sym_new(SYM_GLOBAL, name, t);

	s->gd_off = F->gd_next;
	F->gd_next += t == T_STRING ? (F->prog.opt.maxstringlen + 7) & ~7 : 8;
	return s;
}

/* An array with nkeys keys of the given types (strings get keysize
 * bytes), backed by a real BPF hash map. */
static struct symbol *global_array(const char *name, enum etype vt,
				   uint32_t maxentries, int nkeys, ...)
{
	struct symbol *s = sym_new(SYM_GLOBAL, name, vt);
	va_list ap;

	va_start(ap, nkeys);
	s->nkeys = nkeys;
	for (int i = 0; i < nkeys; i++) {
		s->keytypes[i] = va_arg(ap, int);
		s->keysize[i] = s->keytypes[i] == T_STRING ? va_arg(ap, int) : 8;
		s->keyoff[i] = s->key_size;
		s->key_size += s->keysize[i];
	}
	va_end(ap);
	s->value_size = vt == T_STRING ? F->prog.opt.maxstringlen : 8;
	s->maxentries = maxentries;
	s->map_idx = F->nmaps;
	F->fds[F->nmaps] = bpf_map_create(BPF_MAP_TYPE_HASH, name, s->key_size,
					  s->value_size, maxentries, NULL);
	assert_true(F->fds[F->nmaps] >= 0);
	F->nmaps++;
	return s;
}

static struct symbol *local(const char *name, enum etype t, int slot)
{
	struct symbol *s = sym_new(SYM_LOCAL, name, t);

	s->slot = slot;
	return s;
}

/* ---- nodes ---- */

static int cur_line = 1;

static struct node *nd(enum node_kind k, enum etype t)
{
	struct node *n = calloc(1, sizeof(*n));

	n->kind = k;
	n->type = t;
	n->loc = (struct loc){ "t.stp", cur_line, 1 };
	return n;
}

static struct node *at(struct node *n, int line, int col)
{
	n->loc.line = line;
	n->loc.col = col;
	/* stap names the array, so its identifier carries the location */
	if (n->kind == E_INDEX)
		n->a->loc = n->loc;
	return n;
}

static struct node *num(int64_t v)
{
	struct node *n = nd(E_NUM, T_LONG);

	n->num = v;
	return n;
}

static struct node *str(const char *s)
{
	struct node *n = nd(E_STR, T_STRING);

	n->str = strdup(s);
	n->num = strlen(s);
	return n;
}

static struct node *id(struct symbol *s)
{
	struct node *n = nd(E_IDENT, s->type);

	n->str = (char *)s->name;
	n->sym = s;
	return n;
}

static struct node *star(void)
{
	return nd(E_STAR, T_UNKNOWN);
}

/* Link a NULL-terminated list of nodes through next. */
static struct node *vlist(va_list ap, int *count)
{
	struct node *head = NULL, **tail = &head, *x;

	*count = 0;
	while ((x = va_arg(ap, struct node *))) {
		*tail = x;
		tail = &x->next;
		++*count;
	}
	return head;
}

static struct node *idx(struct symbol *a, ...)
{
	struct node *n = nd(E_INDEX, a->type);
	va_list ap;

	n->a = id(a);
	n->sym = a;
	va_start(ap, a);
	n->args = vlist(ap, &n->nargs);
	va_end(ap);
	return n;
}

static struct node *in(struct symbol *a, ...)
{
	struct node *n = nd(E_IN, T_LONG);
	va_list ap;

	n->a = id(a);
	va_start(ap, a);
	n->args = vlist(ap, &n->nargs);
	va_end(ap);
	return n;
}

static struct node *bin(int op, struct node *a, struct node *b)
{
	struct node *n = nd(E_BINARY, op == OP_CAT ? T_STRING : T_LONG);

	n->op = op;
	n->a = a;
	n->b = b;
	return n;
}

static struct node *un(int op, struct node *a)
{
	struct node *n = nd(E_UNARY, T_LONG);

	n->op = op;
	n->a = a;
	return n;
}

static struct node *asg(int op, struct node *l, struct node *r)
{
	struct node *n = nd(E_ASSIGN, l->type);

	n->op = op;
	n->a = l;
	n->b = r;
	return n;
}

static struct node *incdec(int op, struct node *l)
{
	struct node *n = nd(E_INCDEC, T_LONG);

	n->op = op;
	n->a = l;
	return n;
}

static struct node *ternary(struct node *c, struct node *a, struct node *b)
{
	struct node *n = nd(E_TERNARY, a->type);

	n->a = c;
	n->b = a;
	n->c = b;
	return n;
}

static struct node *bi(enum builtin b, const char *name, enum etype t, ...)
{
	struct node *n = nd(E_CALL, t);
	va_list ap;

	n->op = b;
	n->str = (char *)name;
	va_start(ap, t);
	n->args = vlist(ap, &n->nargs);
	va_end(ap);
	return n;
}

static struct node *call(struct symbol *fn, ...)
{
	struct node *n = nd(E_CALL, fn->type);
	va_list ap;

	n->str = (char *)fn->name;
	n->sym = fn;
	va_start(ap, fn);
	n->args = vlist(ap, &n->nargs);
	va_end(ap);
	return n;
}

#define PRINT(...) expr(bi(BI_PRINT, "print", T_VOID, __VA_ARGS__, NULL))
#define PRINTF(...) expr(bi(BI_PRINTF, "printf", T_VOID, __VA_ARGS__, NULL))

static struct node *expr(struct node *e)
{
	struct node *n = nd(S_EXPR, T_UNKNOWN);

	n->a = e;
	return n;
}

static struct node *block(struct node *first, ...)
{
	struct node *n = nd(S_BLOCK, T_UNKNOWN);
	struct node **tail = &n->args, *x = first;
	va_list ap;

	va_start(ap, first);
	while (x) {
		*tail = x;
		tail = &x->next;
		x = va_arg(ap, struct node *);
	}
	va_end(ap);
	return n;
}

static struct node *stmt(enum node_kind k, struct node *a, struct node *b,
			 struct node *c, struct node *d)
{
	struct node *n = nd(k, T_UNKNOWN);

	n->a = a;
	n->b = b;
	n->c = c;
	n->d = d;
	return n;
}

static struct node *foreach(struct node *value, struct node *keys,
			    struct symbol *arr, int dir, int key,
			    struct node *limit, struct node *body)
{
	struct node *n = nd(S_FOREACH, T_UNKNOWN);
	struct foreach_info *fe = calloc(1, sizeof(*fe));

	fe->value = value;
	fe->keys = keys;
	for (struct node *k = keys; k; k = k->next)
		fe->nkeys++;
	fe->array = id(arr);
	fe->sort_dir = dir;
	fe->sort_key = key;
	fe->limit = limit;
	fe->body = body;
	n->fe = fe;
	return n;
}

/* ---- running ---- */

static int run_probe(struct node *body, int nlocals)
{
	struct rprobe rp = {
		.name = "begin",
		.type = PT_BEGIN,
		.body = body,
		.nlocals = nlocals,
	};

	return eval_run_probe(F->ev, &rp);
}

/* The value of a long expression, through a global. */
static int64_t long_of(struct node *e)
{
	struct symbol *r = global_scalar("r", T_LONG);

	assert_int_equal(run_probe(block(expr(asg(OP_ASSIGN, id(r), e)), NULL),
				   4), 0);
	return store_get_long(&F->st, r);
}

/* ---- tests ---- */

static void test_arith_contract(void **state)
{
	assert_int_equal(long_of(bin(OP_DIV, num(INT64_MIN), num(-1))),
			 INT64_MIN);
	assert_int_equal(long_of(bin(OP_MOD, num(INT64_MIN), num(-1))), 0);
	assert_int_equal(long_of(bin(OP_DIV, num(-7), num(2))), -3);
	assert_int_equal(long_of(bin(OP_MOD, num(-7), num(3))), -1);
	assert_int_equal(long_of(bin(OP_MOD, num(7), num(-3))), 1);
	assert_int_equal(long_of(bin(OP_ADD, num(INT64_MAX), num(1))),
			 INT64_MIN);
	assert_int_equal(long_of(bin(OP_SUB, num(INT64_MIN), num(1))),
			 INT64_MAX);
	assert_int_equal(long_of(bin(OP_MUL, num(INT64_MIN), num(-1))),
			 INT64_MIN);
	assert_int_equal(long_of(bin(OP_MUL, num(0x100000000LL),
				     num(0x100000000LL))), 0);
	assert_int_equal(long_of(un(OP_NEG, num(INT64_MIN))), INT64_MIN);
	assert_int_equal(long_of(bin(OP_SHL, num(1), num(65))), 2);
	assert_int_equal(long_of(bin(OP_SHL, num(1), num(63))), INT64_MIN);
	assert_int_equal(long_of(bin(OP_SHL, num(3), num(-1))), INT64_MIN);
	assert_int_equal(long_of(bin(OP_SHR, num(-16), num(2))), -4);
	assert_int_equal(long_of(bin(OP_SHR, num(-16), num(66))), -4);
	assert_int_equal(long_of(bin(OP_SHR, num(-1), num(63))), -1);
	assert_int_equal(long_of(bin(OP_USHR, num(-1), num(60))), 15);
	assert_int_equal(long_of(bin(OP_USHR, num(-16), num(64))), -16);
	assert_int_equal(long_of(bin(OP_BAND, num(12), num(10))), 8);
	assert_int_equal(long_of(bin(OP_BOR, num(12), num(10))), 14);
	assert_int_equal(long_of(bin(OP_BXOR, num(12), num(10))), 6);
	assert_int_equal(long_of(un(OP_BNOT, num(0))), -1);
	assert_int_equal(long_of(un(OP_NOT, num(5))), 0);
	assert_int_equal(long_of(un(OP_NOT, num(0))), 1);
	assert_int_equal(long_of(bin(OP_LT, num(-1), num(1))), 1);
	assert_int_equal(long_of(bin(OP_GE, num(INT64_MIN), num(0))), 0);
	assert_int_equal(long_of(ternary(num(0), num(1), num(2))), 2);
	assert_string_equal(err_text(), "");
}

static void test_logical_short_circuit(void **state)
{
	struct symbol *g = global_scalar("g", T_LONG);

	/* 0 && (g = 1): g stays 0; 1 || (g = 2): g stays 0 */
	assert_int_equal(long_of(bin(OP_LAND, num(0),
				     asg(OP_ASSIGN, id(g), num(1)))), 0);
	assert_int_equal(long_of(bin(OP_LOR, num(7),
				     asg(OP_ASSIGN, id(g), num(2)))), 1);
	assert_int_equal(store_get_long(&F->st, g), 0);
	assert_int_equal(long_of(bin(OP_LAND, num(3),
				     asg(OP_ASSIGN, id(g), num(5)))), 1);
	assert_int_equal(store_get_long(&F->st, g), 5);
}

static void test_division_by_zero(void **state)
{
	struct symbol *x = local("x", T_LONG, 0);
	struct node *b;

	b = block(PRINT(str("a")),
		  expr(asg(OP_ASSIGN, id(x),
			   at(bin(OP_DIV, num(1), num(0)), 3, 15))),
		  PRINT(str("b")), NULL);
	assert_int_equal(run_probe(b, 1), -1);
	assert_string_equal(out_text(), "a");
	assert_string_equal(err_text(),
		"ERROR: division by 0 near operator '/' at t.stp:3:15\n");
	assert_int_equal(eval_error_count(F->ev), 1);

	b = block(expr(at(asg(OP_MOD_ASSIGN, id(x), num(0)), 4, 3)), NULL);
	assert_int_equal(run_probe(b, 1), -1);
	assert_string_equal(err_text(),
		"ERROR: division by 0 near operator '%=' at t.stp:4:3\n");
	assert_int_equal(eval_error_count(F->ev), 2);

	/* the evaluator recovers: the next probe runs normally */
	assert_int_equal(run_probe(block(PRINT(num(1)), NULL), 0), 0);
	assert_string_equal(out_text(), "1");
}

static void test_strings(void **state)
{
	struct symbol *s = global_scalar("s", T_STRING);
	struct symbol *l = local("l", T_STRING, 0);
	struct node *b;

	b = block(expr(asg(OP_ASSIGN, id(l), bin(OP_CAT, str("ab"),
						 str("cd")))),
		  expr(asg(OP_CAT_ASSIGN, id(l), str("e"))),
		  expr(asg(OP_ASSIGN, id(s), id(l))),
		  PRINT(id(l), str(" "), id(s), str(" "),
			bi(BI_STRLEN, "strlen", T_LONG, id(s), NULL)),
		  PRINT(bin(OP_LT, str("abc"), str("abd")),
			bin(OP_EQ, str("x"), str("x")),
			bin(OP_GT, str("b"), str("abc"))),
		  NULL);
	assert_int_equal(run_probe(b, 1), 0);
	assert_string_equal(out_text(), "abcde abcde 5111");
	assert_string_equal(store_get_str(&F->st, s), "abcde");
}

static void test_string_truncation(void **state)
{
	struct symbol *s = global_scalar("s", T_STRING);
	struct symbol *l = local("l", T_STRING, 0);
	struct symbol *a = global_array("a", T_STRING, 8, 1, T_STRING, 8);
	struct node *b;

	/* MAXSTRINGLEN 16: 15 bytes survive */
	b = block(expr(asg(OP_ASSIGN, id(l), bin(OP_CAT, str("0123456789"),
						 str("abcdefghij")))),
		  PRINT(id(l), str("|")),
		  expr(asg(OP_CAT_ASSIGN, id(l), str("zz"))),
		  PRINT(id(l), str("|")),
		  expr(asg(OP_ASSIGN, id(s), str("0123456789abcdefXYZ"))),
		  PRINT(id(s), str("|")),
		  /* key slots of 8 bytes keep 7 bytes */
		  expr(asg(OP_ASSIGN, idx(a, str("keykeykey"), NULL),
			   str("0123456789abcdefXYZ"))),
		  PRINT(idx(a, str("keykeyk"), NULL), str("|")),
		  NULL);
	assert_int_equal(run_probe(b, 1), 0);
	assert_string_equal(out_text(),
			    "0123456789abcde|0123456789abcde|"
			    "0123456789abcde|0123456789abcde|");
}

static void test_arrays(void **state)
{
	struct symbol *a = global_array("a", T_LONG, 64, 2, T_LONG, T_STRING,
					16);
	struct symbol *s = global_array("s", T_STRING, 64, 1, T_STRING, 16);
	struct node *b;

	b = block(expr(asg(OP_ASSIGN, idx(a, num(1), str("x"), NULL), num(10))),
		  expr(asg(OP_ADD_ASSIGN, idx(a, num(1), str("x"), NULL),
			   num(5))),
		  expr(incdec(OP_POSTINC, idx(a, num(2), str("y"), NULL))),
		  PRINT(incdec(OP_PREINC, idx(a, num(2), str("y"), NULL)),
			str(","),
			incdec(OP_POSTDEC, idx(a, num(2), str("y"), NULL)),
			str(","), idx(a, num(1), str("x"), NULL),
			str(","), idx(a, num(9), str("none"), NULL),
			str(","), in(a, num(1), str("x"), NULL),
			in(a, num(1), str("y"), NULL),
			in(a, star(), str("y"), NULL),
			in(a, num(3), star(), NULL)),
		  expr(asg(OP_ASSIGN, idx(s, str("k"), NULL), str("v"))),
		  expr(asg(OP_CAT_ASSIGN, idx(s, str("k"), NULL), str("w"))),
		  PRINT(str(","), idx(s, str("k"), NULL), str(","),
			idx(s, str("missing"), NULL), str(".")),
		  NULL);
	assert_int_equal(run_probe(b, 0), 0);
	assert_string_equal(out_text(), "2,2,15,0,1010,vw,.");

	/* delete an element, then by wildcard, then everything */
	b = block(expr(asg(OP_ASSIGN, idx(a, num(3), str("x"), NULL), num(1))),
		  expr(asg(OP_ASSIGN, idx(a, num(4), str("z"), NULL), num(1))),
		  stmt(S_DELETE, idx(a, num(1), str("x"), NULL), NULL, NULL,
		       NULL),
		  PRINT(in(a, num(1), str("x"), NULL),
			in(a, num(2), str("y"), NULL)),
		  stmt(S_DELETE, idx(a, star(), str("x"), NULL), NULL, NULL,
		       NULL),
		  PRINT(in(a, num(3), str("x"), NULL),
			in(a, num(4), str("z"), NULL)),
		  stmt(S_DELETE, id(a), NULL, NULL, NULL),
		  PRINT(in(a, num(4), str("z"), NULL),
			in(a, num(2), str("y"), NULL)),
		  NULL);
	assert_int_equal(run_probe(b, 0), 0);
	assert_string_equal(out_text(), "010100");
	assert_string_equal(err_text(), "");
}

static void test_delete_scalars(void **state)
{
	struct symbol *g = global_scalar("g", T_LONG);
	struct symbol *s = global_scalar("s", T_STRING);
	struct symbol *l = local("l", T_LONG, 0);
	struct node *b;

	b = block(expr(asg(OP_ASSIGN, id(g), num(4))),
		  expr(asg(OP_ASSIGN, id(s), str("x"))),
		  expr(asg(OP_ASSIGN, id(l), num(4))),
		  stmt(S_DELETE, id(g), NULL, NULL, NULL),
		  stmt(S_DELETE, id(s), NULL, NULL, NULL),
		  stmt(S_DELETE, id(l), NULL, NULL, NULL),
		  PRINT(id(g), id(s), id(l)), NULL);
	assert_int_equal(run_probe(b, 1), 0);
	assert_string_equal(out_text(), "00");
}

static void test_array_overflow(void **state)
{
	struct symbol *a = global_array("a", T_LONG, 2, 1, T_LONG);
	struct symbol *i = local("i", T_LONG, 0);
	struct node *b;

	/* for (i = 0; i < 5; i++) a[i] = i */
	b = block(stmt(S_FOR, asg(OP_ASSIGN, id(i), num(0)),
		       bin(OP_LT, id(i), num(5)),
		       incdec(OP_POSTINC, id(i)),
		       expr(asg(OP_ASSIGN, at(idx(a, id(i), NULL), 2, 7),
				id(i)))),
		  PRINT(str("not reached")), NULL);
	assert_int_equal(run_probe(b, 1), -1);
	assert_string_equal(out_text(), "");
	assert_string_equal(err_text(),
		"ERROR: Array overflow, check MAXMAPENTRIES near identifier 'a' at t.stp:2:7\n");
	/* updating an existing element of a full array is fine */
	b = block(expr(asg(OP_ASSIGN, idx(a, num(1), NULL), num(7))),
		  PRINT(idx(a, num(1), NULL)), NULL);
	assert_int_equal(run_probe(b, 0), 0);
	assert_string_equal(out_text(), "7");
}

/* Fill a[name] = value for the foreach tests. */
static struct symbol *fill_counts(void)
{
	struct symbol *a = global_array("counts", T_LONG, 64, 1, T_STRING, 16);
	static const char *names[] = { "cat", "ant", "dog", "bee", "eel" };
	static const int64_t vals[] = { 30, 10, 50, 20, 40 };
	struct value k = { .type = T_STRING }, v = { .type = T_LONG };

	for (int i = 0; i < 5; i++) {
		k.s = (char *)names[i];
		v.l = vals[i];
		assert_int_equal(store_array_set(&F->st, a, &k, &v), 0);
	}
	return a;
}

static void test_foreach_sorted(void **state)
{
	struct symbol *a = fill_counts();
	struct symbol *k = local("k", T_STRING, 0);
	struct symbol *v = local("v", T_LONG, 1);
	struct node *body = PRINT(id(k), str("="), idx(a, id(k), NULL),
				  str(" "));
	struct node *vbody = PRINT(id(k), str(":"), id(v), str(" "));

	/* by value descending */
	assert_int_equal(run_probe(block(foreach(NULL, id(k), a, -1, 0, NULL,
						 body), NULL), 2), 0);
	assert_string_equal(out_text(), "dog=50 eel=40 cat=30 bee=20 ant=10 ");
	/* by value ascending, limit 2 */
	assert_int_equal(run_probe(block(foreach(NULL, id(k), a, 1, 0,
						 num(2), body), NULL), 2), 0);
	assert_string_equal(out_text(), "ant=10 bee=20 ");
	/* by key ascending, with the value variable */
	assert_int_equal(run_probe(block(foreach(id(v), id(k), a, 1, 1, NULL,
						 vbody), NULL), 2), 0);
	assert_string_equal(out_text(), "ant:10 bee:20 cat:30 dog:50 eel:40 ");
	/* by key descending, limit 0 runs nothing */
	assert_int_equal(run_probe(block(foreach(id(v), id(k), a, -1, 1,
						 num(0), vbody), NULL), 2), 0);
	assert_string_equal(out_text(), "");
	assert_int_equal(run_probe(block(foreach(id(v), id(k), a, -1, 1,
						 num(3), vbody), NULL), 2), 0);
	assert_string_equal(out_text(), "eel:40 dog:50 cat:30 ");
}

static void test_foreach_multikey_break(void **state)
{
	struct symbol *a = global_array("m", T_LONG, 64, 2, T_LONG, T_STRING,
					8);
	struct symbol *k1 = local("k1", T_LONG, 0);
	struct symbol *k2 = local("k2", T_STRING, 1);
	struct symbol *n = local("n", T_LONG, 2);
	struct node *keys, *body, *b;

	b = block(expr(asg(OP_ASSIGN, idx(a, num(3), str("a"), NULL), num(1))),
		  expr(asg(OP_ASSIGN, idx(a, num(1), str("c"), NULL), num(2))),
		  expr(asg(OP_ASSIGN, idx(a, num(2), str("b"), NULL), num(3))),
		  expr(asg(OP_ASSIGN, idx(a, num(-5), str("d"), NULL), num(4))),
		  NULL);
	assert_int_equal(run_probe(b, 3), 0);

	/* foreach ([k1, k2] in m+2) sorted by the second key; skip k1 == 2
	 * with continue, stop after three printed with break */
	keys = id(k1);
	keys->next = id(k2);
	body = block(stmt(S_IF, bin(OP_EQ, id(k1), num(2)),
			  stmt(S_CONTINUE, NULL, NULL, NULL, NULL), NULL, NULL),
		     PRINT(id(k1), id(k2), str(" ")),
		     stmt(S_IF, bin(OP_GE, incdec(OP_PREINC, id(n)), num(2)),
			  stmt(S_BREAK, NULL, NULL, NULL, NULL), NULL, NULL),
		     NULL);
	b = block(foreach(NULL, keys, a, 1, 2, NULL, body),
		  PRINT(str("n="), id(n)), NULL);
	assert_int_equal(run_probe(b, 3), 0);
	assert_string_equal(out_text(), "3a 1c n=2");

	/* numeric key order, descending: negative keys last */
	keys = id(k1);
	keys->next = id(k2);
	b = block(foreach(NULL, keys, a, -1, 1, NULL,
			  PRINT(id(k1), str(" "))), NULL);
	assert_int_equal(run_probe(b, 3), 0);
	assert_string_equal(out_text(), "3 2 1 -5 ");
}

/* function fib(n) { if (n < 2) return n; return fib(n-1) + fib(n-2) } */
static struct symbol *make_fib(void)
{
	struct symbol *fs = sym_new(SYM_FUNCTION, "fib", T_LONG);
	struct function *fn = calloc(1, sizeof(*fn));
	struct symbol *n = local("n", T_LONG, 0);

	n->is_param = true;
	fs->fn = fn;
	fs->nlocals = 1;
	fn->name = "fib";
	fn->nparams = 1;
	fn->sym = fs;
	fn->body = block(stmt(S_IF, bin(OP_LT, id(n), num(2)),
			      stmt(S_RETURN, id(n), NULL, NULL, NULL), NULL,
			      NULL),
			 stmt(S_RETURN,
			      bin(OP_ADD,
				  call(fs, bin(OP_SUB, id(n), num(1)), NULL),
				  call(fs, bin(OP_SUB, id(n), num(2)), NULL)),
			      NULL, NULL, NULL),
			 NULL);
	return fs;
}

static void test_functions_recursion(void **state)
{
	struct symbol *fib = make_fib();
	struct symbol *x = local("x", T_LONG, 0);
	struct node *c;

	/* the caller's local is untouched by the callee's slot 0 */
	assert_int_equal(run_probe(block(expr(asg(OP_ASSIGN, id(x), num(99))),
					 PRINT(call(fib, num(10), NULL),
					       str(" "), id(x)), NULL), 1), 0);
	assert_string_equal(out_text(), "55 99");

	/* deeper than MAXNESTING: an error, not a crash */
	c = at(call(fib, num(12), NULL), 5, 9);
	assert_int_equal(run_probe(block(PRINT(c), NULL), 1), -1);
	assert_string_equal(out_text(), "");
	assert_string_equal(err_text(),
		"ERROR: MAXNESTING exceeded near identifier 'fib' at t.stp:1:1\n");
	eval_set_max_nesting(F->ev, 100);
	assert_int_equal(run_probe(block(PRINT(call(fib, num(20), NULL)),
					 NULL), 1), 0);
	assert_string_equal(out_text(), "6765");
}

static void test_string_function(void **state)
{
	/* function twice(s:string) { return s . s } ; no return -> "" */
	struct symbol *fs = sym_new(SYM_FUNCTION, "twice", T_STRING);
	struct symbol *fz = sym_new(SYM_FUNCTION, "nothing", T_STRING);
	struct function *fn = calloc(1, sizeof(*fn));
	struct function *fz_fn = calloc(1, sizeof(*fz_fn));
	struct symbol *s = local("s", T_STRING, 0);

	fs->fn = fn;
	fs->nlocals = 1;
	fn->nparams = 1;
	fn->body = block(stmt(S_RETURN, bin(OP_CAT, id(s), id(s)), NULL, NULL,
			      NULL), NULL);
	fz->fn = fz_fn;
	fz_fn->body = block(NULL);
	assert_int_equal(run_probe(block(PRINT(call(fs, str("ab"), NULL),
					       str("|"), call(fz, NULL),
					       str("|")), NULL), 0), 0);
	assert_string_equal(out_text(), "abab||");
}

static void test_printf_sprintf(void **state)
{
	struct symbol *l = local("l", T_STRING, 0);
	struct node *b;

	b = block(PRINTF(str("%d-%s-%5d|%-3s|%x\n"), num(42), str("x"),
			 num(7), str("ab"), num(255)),
		  expr(asg(OP_ASSIGN, id(l),
			   bi(BI_SPRINTF, "sprintf", T_STRING, str("<%03d>"),
			      num(5), NULL))),
		  expr(bi(BI_PRINTLN, "println", T_VOID, id(l), num(-3), NULL)),
		  expr(asg(OP_ASSIGN, id(l),
			   bi(BI_SPRINT, "sprint", T_STRING, num(12), NULL))),
		  PRINTF(str("%s%%\n"), id(l)),
		  NULL);
	assert_int_equal(run_probe(b, 1), 0);
	assert_string_equal(out_text(), "42-x-    7|ab |ff\n<005>-3\n12%\n");
}

static void test_control_flow(void **state)
{
	struct symbol *i = local("i", T_LONG, 0);
	struct symbol *sum = local("sum", T_LONG, 1);
	struct node *b;

	/* while (++i < 10) { if (i % 2) continue; if (i > 6) break;
	 * sum += i } ; print(sum); next; print("x") */
	b = block(stmt(S_WHILE, bin(OP_LT, incdec(OP_PREINC, id(i)), num(10)),
		       block(stmt(S_IF, bin(OP_MOD, id(i), num(2)),
				  stmt(S_CONTINUE, NULL, NULL, NULL, NULL),
				  NULL, NULL),
			     stmt(S_IF, bin(OP_GT, id(i), num(6)),
				  stmt(S_BREAK, NULL, NULL, NULL, NULL),
				  NULL, NULL),
			     expr(asg(OP_ADD_ASSIGN, id(sum), id(i))), NULL),
		       NULL, NULL),
		  PRINT(id(sum), str(" "), id(i)),
		  expr(bi(BI_EXIT, "exit", T_VOID, NULL)),
		  PRINT(str(" after-exit")),
		  stmt(S_NEXT, NULL, NULL, NULL, NULL),
		  PRINT(str("not reached")), NULL);
	assert_false(eval_exit_requested(F->ev));
	assert_int_equal(run_probe(b, 2), 0);
	assert_string_equal(out_text(), "12 8 after-exit");
	assert_true(eval_exit_requested(F->ev));
	assert_int_equal(eval_error_count(F->ev), 0);
}

static void test_locals_reset(void **state)
{
	struct symbol *x = local("x", T_LONG, 0);
	struct symbol *s = local("s", T_STRING, 1);
	struct node *b = block(expr(incdec(OP_POSTINC, id(x))),
			       expr(asg(OP_CAT_ASSIGN, id(s), str("a"))),
			       PRINT(id(x), id(s)), NULL);

	assert_int_equal(run_probe(b, 2), 0);
	assert_int_equal(run_probe(b, 2), 0);
	assert_string_equal(out_text(), "1a1a");
}

static void test_global_init(void **state)
{
	struct symbol *g = global_scalar("g", T_LONG);
	struct symbol *s = global_scalar("s", T_STRING);
	struct global dg = { .name = "g", .init = un(OP_NEG, num(5)) };
	struct global ds = { .name = "s", .init = str("hello") };

	g->decl = &dg;
	s->decl = &ds;
	g->next = s;
	F->prog.globals = g;
	assert_int_equal(eval_init_globals(F->ev), 0);
	assert_int_equal(store_get_long(&F->st, g), -5);
	assert_string_equal(store_get_str(&F->st, s), "hello");
}

static void test_error_warn_log(void **state)
{
	struct node *b;

	b = block(expr(bi(BI_LOG, "log", T_VOID, str("logged"), NULL)),
		  expr(bi(BI_WARN, "warn", T_VOID, str("careful"), NULL)),
		  PRINT(bi(BI_PP, "pp", T_STRING, NULL)),
		  expr(bi(BI_ERROR, "error", T_VOID, str("boom"), NULL)),
		  PRINT(str("not reached")), NULL);
	assert_int_equal(run_probe(b, 0), -1);
	assert_string_equal(out_text(), "logged\nbegin");
	assert_string_equal(err_text(), "WARNING: careful\nERROR: boom\n");
	assert_int_equal(eval_error_count(F->ev), 1);
}

static void test_try_catch(void **state)
{
	struct symbol *m = local("m", T_STRING, 0);
	struct node *t = stmt(S_TRY,
			      block(PRINT(str("a")),
				    expr(bin(OP_DIV, num(1), num(0))),
				    PRINT(str("b")), NULL),
			      block(PRINT(str("caught: "), id(m)), NULL),
			      NULL, NULL);

	t->sym = m;
	assert_int_equal(run_probe(block(t, PRINT(str(" end")), NULL), 1), 0);
	assert_string_equal(out_text(), "acaught: division by 0 end");
	assert_string_equal(err_text(), "");
	assert_int_equal(eval_error_count(F->ev), 0);
}

static void test_process_builtins(void **state)
{
	uint64_t tgt = 4242;
	struct node *b;
	char want[128];

	memcpy(F->gd + GD_TARGET, &tgt, sizeof(tgt));
	b = block(PRINT(bi(BI_PID, "pid", T_LONG, NULL), str(" "),
			bi(BI_TARGET, "target", T_LONG, NULL), str(" "),
			bi(BI_EXECNAME, "execname", T_STRING, NULL), str(" "),
			bin(OP_GT, bi(BI_GETTIMEOFDAY_S, "gettimeofday_s",
				      T_LONG, NULL), num(1600000000))),
		  NULL);
	assert_int_equal(run_probe(b, 0), 0);
	snprintf(want, sizeof(want), "%d 4242 %.15s 1", getpid(),
		 "test_eval");
	assert_string_equal(out_text(), want);
}

/* User-context <<< collects into the evaluator's own copy; an empty
 * aggregate's @min is the runtime error stap reports. */
static void test_aggregate(void **state)
{
	struct symbol *st = global_scalar("st", T_STATS);
	struct stats_info si = { 0 };
	struct node *sum = nd(E_STATOP, T_LONG), *mn = nd(E_STATOP, T_LONG);

	st->stats = &si;
	sum->op = STAT_SUM;
	sum->a = id(st);
	mn->op = STAT_MIN;
	mn->a = id(st);
	assert_int_equal(run_probe(block(expr(asg(OP_AGG, id(st), num(1))),
					 expr(asg(OP_AGG, id(st), num(5))),
					 expr(bi(BI_PRINT, "print", T_VOID, sum,
						 NULL)),
					 NULL),
				   0),
			 0);
	assert_string_equal(out_text(), "6");
	assert_int_equal(run_probe(block(expr(at(bi(BI_PRINT, "print", T_VOID,
						    mn, NULL), 2, 4)),
					 NULL),
				   0),
			 0);
	st = global_scalar("empty", T_STATS);
	st->stats = &si;
	mn = at(nd(E_STATOP, T_LONG), 3, 9);
	mn->op = STAT_MIN;
	mn->a = id(st);
	assert_int_equal(run_probe(block(expr(mn), NULL), 0), -1);
	assert_string_equal(err_text(),
		"ERROR: empty aggregate near operator '@min' at t.stp:3:9\n");
}

static void test_store_keys(void **state)
{
	struct symbol *a = global_array("k", T_LONG, 64, 2, T_STRING, 16,
					T_LONG);
	struct value k[2] = { { .type = T_STRING }, { .type = T_LONG } };
	struct value v = { .type = T_LONG }, out, *keys;
	uint8_t buf[24];
	int n;

	/* packing zeroes the whole slot: stale bytes never leak into keys */
	memset(buf, 0xff, sizeof(buf));
	k[0].s = "ab";
	k[1].l = -2;
	store_pack_key(a, k, buf);
	assert_memory_equal(buf, "ab\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16);
	assert_int_equal(*(int64_t *)(buf + 16), -2);

	/* a string longer than the slot is cut to keysize - 1 bytes */
	k[0].s = "0123456789abcdefgh";
	v.l = 1;
	assert_int_equal(store_array_set(&F->st, a, k, &v), 0);
	k[0].s = "0123456789abcde";
	assert_true(store_array_get(&F->st, a, k, &out));
	assert_int_equal(out.l, 1);
	k[0].s = "other";
	assert_false(store_array_get(&F->st, a, k, &out));
	assert_int_equal(out.l, 0);
	v.l = 2;
	assert_int_equal(store_array_set(&F->st, a, k, &v), 0);

	assert_int_equal(store_array_keys(&F->st, a, &keys, &n), 0);
	assert_int_equal(n, 2);
	for (int i = 0; i < n; i++) {
		assert_int_equal(keys[2 * i + 1].l, -2);
		assert_true(!strcmp(keys[2 * i].s, "other") ||
			    !strcmp(keys[2 * i].s, "0123456789abcde"));
	}
	store_keys_free(keys, n, 2);
	store_array_clear(&F->st, a);
	assert_int_equal(store_array_keys(&F->st, a, &keys, &n), 0);
	assert_int_equal(n, 0);
	store_keys_free(keys, n, 2);
}


/* ---- from script text, through the parser and the semantic pass ---- */

/* Parse and elaborate text, make its maps and global data, run begin
 * probes then end probes (in begin(N)/end(N) order) as etap's run loop
 * would. Output and errors land in F's streams. Returns the number of
 * probes that stopped with a runtime error. */
static int run_script(const char *text)
{
	struct sem_options opt = {
		.maxstringlen = 512, .maxmapentries = 64, .maxaction = 1000,
	};
	struct parse_env env = { .runtime = "bpf", .systemtap_v = "5.0" };
	const struct rprobe *order[64];
	struct script *sc;
	struct program *p;
	struct eval *ev;
	struct store st;
	int n = 0, failed = 0;

	diag_set_stream(F->err);
	diag_register_source("t.stp", text);
	sc = parse_text("t.stp", text, &env, NULL);
	assert_non_null(sc);
	assert_int_equal(diag_error_count(), 0);
	p = sem_elaborate(sc, &opt);
	assert_non_null(p);
	st.prog = p;
	st.gd = calloc(1, p->gd_size);
	st.map_fds = calloc(p->nmaps_arrays + 1, sizeof(int));
	for (const struct symbol *g = p->globals; g; g = g->next) {
		if (g->nkeys == 0)
			continue;
		st.map_fds[g->map_idx] =
			bpf_map_create(BPF_MAP_TYPE_HASH, g->name, g->key_size,
				       g->value_size, g->maxentries, NULL);
		assert_true(st.map_fds[g->map_idx] >= 0);
	}
	ev = eval_new(p, &st, F->out);
	eval_set_errstream(ev, F->err);
	assert_int_equal(eval_init_globals(ev), 0);
	for (int pass = 0; pass < 2; pass++) {
		enum probe_type want = pass ? PT_END : PT_BEGIN;

		n = 0;
		for (const struct rprobe *rp = p->probes; rp && n < 64;
		     rp = rp->next)
			if (rp->type == want)
				order[n++] = rp;
		/* insertion sort: stable, as probes of equal order run in
		 * script order */
		for (int i = 1; i < n; i++)
			for (int j = i; j > 0 && order[j - 1]->order >
						   order[j]->order; j--) {
				const struct rprobe *t = order[j];

				order[j] = order[j - 1];
				order[j - 1] = t;
			}
		for (int i = 0; i < n; i++) {
			if (eval_run_probe(ev, order[i]) < 0)
				failed++;
			if (!pass && eval_exit_requested(ev))
				break;
		}
	}
	eval_free(ev);
	for (int i = 0; i < p->nmaps_arrays; i++)
		close(st.map_fds[i]);
	free(st.map_fds);
	free(st.gd);
	return failed;
}

static void test_script_basics(void **state)
{
	assert_int_equal(run_script(
		"probe begin { x = 7 / 2; printf(\"%d\\n\", x) }"), 0);
	assert_string_equal(out_text(), "3\n");

	assert_int_equal(run_script(
		"global g = 10, s = \"pre\"\n"
		"function sq(n) { return n * n }\n"
		"function cat(a:string, b:string) { return a . \"-\" . b }\n"
		"probe begin {\n"
		"  g += sq(3)\n"
		"  s .= \"fix\"\n"
		"  printf(\"%d %s %s\\n\", g, s, cat(\"a\", sprint(g)))\n"
		"  println(-9223372036854775807 - 1 == (1 << 63))\n"
		"}\n"), 0);
	assert_string_equal(out_text(), "19 prefix a-19\n1\n");
}

static void test_script_division_error(void **state)
{
	assert_int_equal(run_script(
		"probe begin {\n"
		"  z = 0\n"
		"  print(\"before\\n\")\n"
		"  x = 5 % z\n"
		"  print(\"after\\n\")\n"
		"}\n"
		"probe end { print(\"end ran\\n\") }\n"), 1);
	assert_string_equal(out_text(), "before\nend ran\n");
	assert_string_equal(err_text(),
		"ERROR: division by 0 near operator '%' at t.stp:4:9\n");
}

static void test_script_foreach(void **state)
{
	assert_int_equal(run_script(
		"global count\n"
		"probe begin {\n"
		"  count[\"read\"] = 40; count[\"write\"] = 25\n"
		"  count[\"open\"] = 90; count[\"close\"] = 10\n"
		"  foreach (name in count- limit 3)\n"
		"    printf(\"%-6s %d\\n\", name, count[name])\n"
		"  foreach (n = [k] in count+)\n"
		"    printf(\"%s=%d \", k, n)\n"
		"  delete count[\"open\"]\n"
		"  printf(\"\\n%d %d\\n\", \"open\" in count, \"read\" in count)\n"
		"}\n"), 0);
	assert_string_equal(out_text(),
			    "open   90\nread   40\nwrite  25\n"
			    "close=10 write=25 read=40 open=90 \n0 1\n");
}

static void test_script_recursion_and_loops(void **state)
{
	assert_int_equal(run_script(
		"function fib(n) { if (n < 2) return n\n"
		"  return fib(n - 1) + fib(n - 2) }\n"
		"probe begin {\n"
		"  for (i = 0; i < 10; i++) { if (i == 3) continue\n"
		"    if (i == 8) break\n"
		"    s = s . sprint(fib(i)) . \" \" }\n"
		"  println(s)\n"
		"  exit()\n"
		"  println(\"still runs\")\n"
		"}\n"
		"probe begin(1) { println(\"skipped after exit\") }\n"
		"probe end { println(\"bye\") }\n"), 0);
	assert_string_equal(out_text(), "0 1 1 3 5 8 13 \nstill runs\nbye\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_arith_contract, setup, teardown),
		cmocka_unit_test_setup_teardown(test_logical_short_circuit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_division_by_zero, setup, teardown),
		cmocka_unit_test_setup_teardown(test_strings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_string_truncation, setup_short, teardown),
		cmocka_unit_test_setup_teardown(test_arrays, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_scalars, setup, teardown),
		cmocka_unit_test_setup_teardown(test_array_overflow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_foreach_sorted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_foreach_multikey_break, setup, teardown),
		cmocka_unit_test_setup_teardown(test_functions_recursion, setup, teardown),
		cmocka_unit_test_setup_teardown(test_string_function, setup, teardown),
		cmocka_unit_test_setup_teardown(test_printf_sprintf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_control_flow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_locals_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_global_init, setup, teardown),
		cmocka_unit_test_setup_teardown(test_error_warn_log, setup, teardown),
		cmocka_unit_test_setup_teardown(test_try_catch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_process_builtins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_aggregate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_script_basics, setup, teardown),
		cmocka_unit_test_setup_teardown(test_script_division_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_script_foreach, setup, teardown),
		cmocka_unit_test_setup_teardown(test_script_recursion_and_loops, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
