// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Parser tests: every construct, precedence through the printer, the
 * preprocessor, located errors with recovery, robustness against garbage,
 * and print -> parse -> print round trips (also over every .stp file in
 * the source tree), comparing trees structurally as well as by text.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "parser/diag.h"
#include "parser/parser.h"

#ifndef ETAP_SRCDIR
#define ETAP_SRCDIR "."
#endif

/* ---- helpers ---- */

static char *diag_buf;
static size_t diag_len;
static FILE *diag_mem;

static void capture_start(void)
{
	diag_mem = open_memstream(&diag_buf, &diag_len);
	diag_set_stream(diag_mem);
}

static const char *capture_end(void)
{
	fflush(diag_mem);
	fclose(diag_mem);
	diag_set_stream(NULL);
	return diag_buf;
}

static struct script *parse_ok(const char *src)
{
	int before = diag_error_count();
	struct script *s;

	capture_start();
	s = parse_text("t.stp", src, NULL, NULL);
	if (diag_error_count() != before)
		fail_msg("unexpected errors for:\n%s\n%s", src, capture_end());
	capture_end();
	assert_non_null(s);
	return s;
}

/* Parse src expecting errors; returns the diagnostics text. */
static const char *parse_bad(const char *src, int *nerr)
{
	int before = diag_error_count();

	capture_start();
	parse_text("bad.stp", src, NULL, NULL);
	*nerr = diag_error_count() - before;
	return capture_end();
}

static char *print_script(const struct script *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ast_print_script(f, s);
	fclose(f);
	return buf;
}

static char *print_expr(const struct node *e)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ast_print_expr(f, e);
	fclose(f);
	return buf;
}

/* The expression of the first statement of `probe begin { src }`. */
static const struct node *first_expr(const char *src)
{
	char code[4096];
	struct script *s;
	const struct node *st;

	snprintf(code, sizeof(code), "probe begin { %s }", src);
	s = parse_ok(code);
	assert_non_null(s->probes);
	st = s->probes->body->args;
	assert_non_null(st);
	assert_int_equal(st->kind, S_EXPR);
	return st->a;
}

static const struct node *first_stmt(const char *src)
{
	char code[4096];
	struct script *s;

	snprintf(code, sizeof(code), "probe begin { %s }", src);
	s = parse_ok(code);
	assert_non_null(s->probes->body->args);
	return s->probes->body->args;
}

static void check_expr(const char *src, const char *want)
{
	char *got = print_expr(first_expr(src));

	if (strcmp(got, want) != 0)
		fail_msg("'%s' printed as '%s', want '%s'", src, got, want);
	free(got);
}

/* ---- structural comparison ---- */

static bool node_eq(const struct node *a, const struct node *b);

static bool list_eq(const struct node *a, const struct node *b)
{
	for (; a && b; a = a->next, b = b->next)
		if (!node_eq(a, b))
			return false;
	return !a && !b;
}

static bool str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static bool node_eq(const struct node *a, const struct node *b)
{
	if (!a || !b)
		return !a && !b;
	if (a->kind != b->kind || a->op != b->op || a->num != b->num ||
	    a->nargs != b->nargs)
		return false;
	if (a->kind == E_STR) {
		if (memcmp(a->str, b->str, (size_t)a->num) != 0)
			return false;
	} else if (!str_eq(a->str, b->str)) {
		return false;
	}
	if (!node_eq(a->a, b->a) || !node_eq(a->b, b->b) ||
	    !node_eq(a->c, b->c) || !node_eq(a->d, b->d) ||
	    !list_eq(a->args, b->args))
		return false;
	if (a->kind == E_TARGET || a->kind == E_CAST || a->kind == E_VAR) {
		/* chains hang off a/c and are lists */
		if (!list_eq(a->kind == E_TARGET ? a->a : a->c,
			     b->kind == E_TARGET ? b->a : b->c))
			return false;
	}
	if (a->fe || b->fe) {
		const struct foreach_info *x = a->fe, *y = b->fe;

		if (!x || !y || !node_eq(x->value, y->value) ||
		    !list_eq(x->keys, y->keys) || x->nkeys != y->nkeys ||
		    x->keys_bracketed != y->keys_bracketed ||
		    !node_eq(x->array, y->array) ||
		    !list_eq(x->slice, y->slice) ||
		    x->sort_dir != y->sort_dir || x->sort_key != y->sort_key ||
		    x->sort_agg != y->sort_agg || !node_eq(x->limit, y->limit) ||
		    !node_eq(x->body, y->body))
			return false;
	}
	return true;
}

static bool pp_eq(const struct probe_point *a, const struct probe_point *b)
{
	for (; a && b; a = a->next, b = b->next) {
		const struct pp_comp *x = a->comps, *y = b->comps;

		for (; x && y; x = x->next, y = y->next)
			if (strcmp(x->name, y->name) || x->has_arg != y->has_arg ||
			    !node_eq(x->arg, y->arg))
				return false;
		if (x || y || a->optional != b->optional ||
		    a->sufficient != b->sufficient || !node_eq(a->cond, b->cond))
			return false;
	}
	return !a && !b;
}

static bool probes_eq(const struct probe *a, const struct probe *b)
{
	for (; a && b; a = a->next, b = b->next)
		if (!pp_eq(a->points, b->points) || !pp_eq(a->targets, b->targets) ||
		    a->alias != b->alias || a->is_private != b->is_private ||
		    !node_eq(a->body, b->body))
			return false;
	return !a && !b;
}

static bool script_eq(const struct script *a, const struct script *b)
{
	const struct global *g, *h;
	const struct function *f, *e;

	for (g = a->globals, h = b->globals; g && h; g = g->next, h = h->next)
		if (strcmp(g->name, h->name) || !node_eq(g->init, h->init) ||
		    g->size != h->size || g->wrap != h->wrap ||
		    g->is_private != h->is_private)
			return false;
	if (g || h)
		return false;
	for (f = a->functions, e = b->functions; f && e; f = f->next, e = e->next) {
		const struct param *p, *q;

		if (strcmp(f->name, e->name) || f->ret != e->ret ||
		    f->priority != e->priority || f->is_private != e->is_private ||
		    f->nparams != e->nparams || !node_eq(f->body, e->body))
			return false;
		for (p = f->params, q = e->params; p && q; p = p->next, q = q->next)
			if (strcmp(p->name, q->name) || p->type != q->type)
				return false;
	}
	if (f || e)
		return false;
	return probes_eq(a->probes, b->probes) &&
	       probes_eq(a->aliases, b->aliases) &&
	       list_eq(a->embedded, b->embedded);
}

/* print -> parse -> print must be a fixed point, with equal trees. */
static void check_roundtrip_script(const char *what, struct script *s1)
{
	char *p1 = print_script(s1), *p2;
	struct script *s2;
	int before = diag_error_count();

	capture_start();
	s2 = parse_text("printed.stp", p1, NULL, NULL);
	if (diag_error_count() != before)
		fail_msg("%s: printed text does not parse:\n%s\n%s", what, p1,
			 capture_end());
	capture_end();
	p2 = print_script(s2);
	if (strcmp(p1, p2) != 0)
		fail_msg("%s: print is not a fixed point:\n%s\n----\n%s", what,
			 p1, p2);
	if (!script_eq(s1, s2))
		fail_msg("%s: trees differ after a round trip:\n%s", what, p1);
	free(p1);
	free(p2);
}

static void check_roundtrip(const char *src)
{
	check_roundtrip_script(src, parse_ok(src));
}

/* ---- precedence and associativity ---- */

static void test_precedence(void **state)
{
	static const char *const cases[][2] = {
		{ "a + b * c", "a + (b * c)" },
		{ "a * b + c", "(a * b) + c" },
		{ "a - b - c", "(a - b) - c" },
		{ "a / b % c", "(a / b) % c" },
		{ "a = b = c", "a = b = c" },
		{ "a += b -= c", "a += b -= c" },
		{ "a . b + c", "a . (b + c)" },
		{ "a + b . c", "(a + b) . c" },
		{ "a . b . c", "(a . b) . c" },
		{ "a << b . c", "a << (b . c)" },
		{ "a << b >> c >>> d", "((a << b) >> c) >>> d" },
		{ "a < b << c", "a < (b << c)" },
		{ "a == b < c", "(a == b) < c" },
		{ "a & b == c", "a & (b == c)" },
		{ "a ^ b & c", "a ^ (b & c)" },
		{ "a | b ^ c", "a | (b ^ c)" },
		{ "a && b | c", "a && (b | c)" },
		{ "a || b && c", "a || (b && c)" },
		{ "a ? b : c ? d : e", "a ? b : (c ? d : e)" },
		{ "x = a || b ? c : d", "x = (a || b) ? c : d" },
		{ "a ? b = 1 : c", "a ? b = 1 : c" },
		{ "a ? b : c = 5", "(a ? b : c) = 5" },
		{ "-a * b", "-a * b" },
		{ "-(a * b)", "-(a * b)" },
		{ "- -a", "-(-a)" },
		{ "!a && ~b", "!a && ~b" },
		{ "!!a", "!(!a)" },
		{ "+ +a", "+(+a)" },
		{ "a++ + ++b", "a++ + ++b" },
		{ "-x++", "-(x++)" },
		{ "k in arr && x", "(k in arr) && x" },
		{ "a + 1 in arr", "(a + 1) in arr" },
		{ "a == b in arr", "(a == b) in arr" },
		{ "[a, b] in arr", "[a, b] in arr" },
		{ "[a, *] in arr", "[a, *] in arr" },
		{ "[(a || b)] in arr", "(a || b) in arr" },
		{ "!(k in arr)", "!(k in arr)" },
		{ "s =~ \"^a\" && t !~ \"b\"", "(s =~ \"^a\") && (t !~ \"b\")" },
		{ "a . b =~ \"x\"", "(a . b) =~ \"x\"" },
		{ "x <<< a + b", "x <<< a + b" },
		{ "x .= \"a\" \"b\"", "x .= \"ab\"" },
		{ "x >>>= 1", "x >>>= 1" },
		{ "f(a = 1, b ? c : d)", "f(a = 1, b ? c : d)" },
		{ "arr[a + 1, \"k\"]++", "arr[a + 1, \"k\"]++" },
		{ "(((a)))", "a" },
		{ "a - (b - c)", "a - (b - c)" },
		{ "a & &$x->y", "a & &$x->y" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char code[256];

		check_expr(cases[i][0], cases[i][1]);
		snprintf(code, sizeof(code), "probe begin { %s }", cases[i][0]);
		check_roundtrip(code);
	}
}

static void test_tree_shapes(void **state)
{
	const struct node *e;

	e = first_expr("a = b = c");
	assert_int_equal(e->kind, E_ASSIGN);
	assert_int_equal(e->b->kind, E_ASSIGN);
	e = first_expr("a - b - c");
	assert_int_equal(e->op, OP_SUB);
	assert_int_equal(e->a->kind, E_BINARY);
	assert_int_equal(e->b->kind, E_IDENT);
	e = first_expr("[a, b] in arr");
	assert_int_equal(e->kind, E_IN);
	assert_int_equal(e->nargs, 2);
	assert_string_equal(e->a->str, "arr");
	e = first_expr("x <<< 5");
	assert_int_equal(e->kind, E_ASSIGN);
	assert_int_equal(e->op, OP_AGG);
	e = first_expr("s =~ \"a\" \"b\"");
	assert_int_equal(e->kind, E_REGEX);
	assert_int_equal(e->op, OP_MATCH);
	assert_int_equal(e->b->kind, E_STR);
	assert_string_equal(e->b->str, "ab");
	e = first_expr("++x");
	assert_int_equal(e->kind, E_INCDEC);
	assert_int_equal(e->op, OP_PREINC);
	e = first_expr("x--");
	assert_int_equal(e->op, OP_POSTDEC);
	e = first_expr("a ? b : c");
	assert_int_equal(e->kind, E_TERNARY);
	assert_non_null(e->c);
}

/* ---- literals ---- */

static void test_literals(void **state)
{
	const struct node *e;

	e = first_expr("9223372036854775808");
	assert_int_equal(e->kind, E_NUM);
	assert_true(e->num == INT64_MIN);
	check_expr("9223372036854775808", "9223372036854775808");
	check_expr("-9223372036854775808", "-9223372036854775808");
	check_expr("0xffffffffffffffff", "18446744073709551615");
	e = first_expr("0x10 + 010");
	assert_int_equal(e->a->num, 16);
	assert_int_equal(e->b->num, 8);
	e = first_expr("\"a\\\"b\\n\\x41\\101\\001\"");
	assert_int_equal(e->kind, E_STR);
	assert_int_equal(e->num, 7);
	assert_memory_equal(e->str, "a\"b\nAA\001", 7);
	check_expr("\"tab\\there\\\\ \\001\"", "\"tab\\there\\\\ \\001\"");
	e = first_expr("\"nul\\0inside\"");
	assert_int_equal(e->num, 10);
	check_roundtrip("probe begin { x = \"nul\\0inside\" }");
}

/* ---- probes ---- */

static void test_probe_points(void **state)
{
	struct script *s = parse_ok(
		"probe syscall.read, kernel.function(\"sys_*\").return?, "
		"timer.ms(100), process(\"/bin/ls\").function(\"main\")!, "
		"kernel.trace(\"sched:*\") if (x > 0), syscall.*, "
		"kernel.function(\"*@fs/*.c\").call, foo.** , begin(-1), "
		"kernel.statement(0xffff).absolute { }");
	const struct probe_point *pp = s->probes->points;
	const struct pp_comp *c;

	assert_string_equal(pp->comps->name, "syscall");
	assert_string_equal(pp->comps->next->name, "read");
	assert_false(pp->optional);
	pp = pp->next;
	c = pp->comps;
	assert_string_equal(c->name, "kernel");
	assert_string_equal(c->next->name, "function");
	assert_true(c->next->has_arg);
	assert_int_equal(c->next->arg->kind, E_STR);
	assert_string_equal(c->next->arg->str, "sys_*");
	assert_string_equal(c->next->next->name, "return");
	assert_true(pp->optional);
	assert_false(pp->sufficient);
	pp = pp->next;
	assert_int_equal(pp->comps->next->arg->kind, E_NUM);
	assert_int_equal(pp->comps->next->arg->num, 100);
	pp = pp->next;
	assert_string_equal(pp->comps->arg->str, "/bin/ls");
	assert_true(pp->optional);
	assert_true(pp->sufficient);
	pp = pp->next;
	assert_non_null(pp->cond);
	assert_int_equal(pp->cond->kind, E_BINARY);
	pp = pp->next;
	assert_string_equal(pp->comps->next->name, "*");
	pp = pp->next->next;
	assert_string_equal(pp->comps->next->name, "**");
	pp = pp->next;
	assert_int_equal(pp->comps->arg->num, -1);
	pp = pp->next;
	assert_int_equal(pp->comps->next->arg->num, 0xffff);
	check_roundtrip_script("probe points", s);
}

static void test_probe_wildcards_braces(void **state)
{
	struct script *s;
	int n;

	/* braces only start a component, as in stap */
	parse_bad("probe sys*_x.re{ad,cv}? {}", &n);
	assert_true(n >= 1);
	s = parse_ok("probe syscall.{read,write}.return, sys_*call {}");
	assert_string_equal(s->probes->points->comps->next->name, "{read,write}");
	assert_string_equal(s->probes->points->comps->next->next->name, "return");
	assert_string_equal(s->probes->points->next->comps->name, "sys_*call");
	check_roundtrip("probe syscall.{read,write}.return, sys_*call {}");
	check_roundtrip("probe kernel.{function(\"a\").call,timer.s(1)} {}");
}

static void test_probe_point_errors(void **state)
{
	int n;
	const char *out = parse_bad("probe foo bar { }", &n);

	assert_true(n >= 1);
	assert_non_null(strstr(out, "bad.stp:1:11: parse error: unexpected bar"));
}

static void test_aliases(void **state)
{
	struct script *s = parse_ok(
		"probe myread = syscall.read, syscall.pread { fd = $fd }\n"
		"probe mywrite += syscall.write? { n = 1 }\n"
		"probe a = b = kernel.function(\"x\") { }\n"
		"probe myread { print(fd) }");
	const struct probe *a = s->aliases;

	assert_non_null(a);
	assert_int_equal(a->alias, ALIAS_PROLOGUE);
	assert_string_equal(a->points->comps->name, "myread");
	assert_string_equal(a->targets->comps->next->name, "read");
	assert_string_equal(a->targets->next->comps->next->name, "pread");
	a = a->next;
	assert_int_equal(a->alias, ALIAS_EPILOGUE);
	assert_true(a->targets->optional);
	assert_false(a->points->sufficient);
	a = a->next;
	assert_string_equal(a->points->next->comps->name, "b");
	assert_null(a->next);
	assert_non_null(s->probes);
	assert_null(s->probes->next);
	check_roundtrip_script("aliases", s);
}

static void test_private(void **state)
{
	struct script *s = parse_ok("private global a, b = 1\n"
				    "private c\n"
				    "global d\n"
				    "private function f() { return 1 }\n"
				    "function g() { }\n"
				    "private probe begin { }\n"
				    "probe end { }");

	assert_true(s->globals->is_private);
	assert_true(s->globals->next->is_private);
	assert_true(s->globals->next->next->is_private);
	assert_false(s->globals->next->next->next->is_private);
	assert_true(s->functions->is_private);
	assert_false(s->functions->next->is_private);
	assert_true(s->probes->is_private);
	assert_false(s->probes->next->is_private);
	check_roundtrip_script("private", s);
}

/* ---- globals and functions ---- */

static void test_globals(void **state)
{
	struct script *s = parse_ok("global a, b = 5, c[100], d[100%], e%, "
				    "f%[10], g = \"str\", h = -7;\n"
				    "global i = 9223372036854775808");
	const struct global *g = s->globals;

	assert_string_equal(g->name, "a");
	assert_null(g->init);
	g = g->next;
	assert_int_equal(g->init->kind, E_NUM);
	assert_int_equal(g->init->num, 5);
	g = g->next;
	assert_int_equal(g->size, 100);
	assert_false(g->wrap);
	g = g->next;
	assert_int_equal(g->size, 100);
	assert_true(g->wrap);
	g = g->next;
	assert_true(g->wrap);
	assert_int_equal(g->size, 0);
	g = g->next;
	assert_true(g->wrap);
	assert_int_equal(g->size, 10);
	g = g->next;
	assert_string_equal(g->init->str, "str");
	g = g->next;
	assert_int_equal(g->init->num, -7);
	g = g->next;
	assert_true(g->init->num == INT64_MIN);
	check_roundtrip_script("globals", s);
}

static void test_functions(void **state)
{
	struct script *s = parse_ok(
		"function f:long (a:string, b) { return a + b }\n"
		"function g(x) %{ /* c */ STAP_RETURN(1); %}\n"
		"function h:string () :5 { return \"x\" }\n"
		"function v() { return }\n"
		"function long() { }");
	const struct function *f = s->functions;

	assert_string_equal(f->name, "f");
	assert_int_equal(f->ret, T_LONG);
	assert_int_equal(f->nparams, 2);
	assert_string_equal(f->params->name, "a");
	assert_int_equal(f->params->type, T_STRING);
	assert_int_equal(f->params->next->type, T_UNKNOWN);
	assert_int_equal(f->body->kind, S_BLOCK);
	f = f->next;
	assert_int_equal(f->body->kind, S_EMBEDDED);
	assert_string_equal(f->body->str, " /* c */ STAP_RETURN(1); ");
	f = f->next;
	assert_int_equal(f->ret, T_STRING);
	assert_int_equal(f->priority, 5);
	f = f->next;
	assert_int_equal(f->body->args->kind, S_RETURN);
	assert_null(f->body->args->a);
	assert_string_equal(f->next->name, "long");
	check_roundtrip_script("functions", s);
}

/* ---- statements ---- */

static void test_statements(void **state)
{
	const struct node *st;

	st = first_stmt("if (a) b = 1 else { c = 2 }");
	assert_int_equal(st->kind, S_IF);
	assert_int_equal(st->b->kind, S_EXPR);
	assert_int_equal(st->c->kind, S_BLOCK);
	st = first_stmt("if (a) if (b) x = 1 else y = 2");
	assert_null(st->c);
	assert_non_null(st->b->c);
	st = first_stmt("while (i < 10) i++");
	assert_int_equal(st->kind, S_WHILE);
	st = first_stmt("for (i = 0; i < 10; i++) ;");
	assert_int_equal(st->kind, S_FOR);
	assert_non_null(st->a);
	assert_non_null(st->b);
	assert_non_null(st->c);
	assert_int_equal(st->d->kind, S_NULL);
	st = first_stmt("for (;;) break");
	assert_null(st->a);
	assert_null(st->b);
	assert_null(st->c);
	assert_int_equal(st->d->kind, S_BREAK);
	st = first_stmt("delete arr[*, 1]");
	assert_int_equal(st->kind, S_DELETE);
	assert_int_equal(st->a->kind, E_INDEX);
	assert_int_equal(st->a->args->kind, E_STAR);
	st = first_stmt("try { error(\"x\") } catch (msg) { println(msg) }");
	assert_int_equal(st->kind, S_TRY);
	assert_string_equal(st->str, "msg");
	st = first_stmt("try { } catch { }");
	assert_null(st->str);
	st = first_stmt("next");
	assert_int_equal(st->kind, S_NEXT);
	st = first_stmt("continue");
	assert_int_equal(st->kind, S_CONTINUE);
	st = first_stmt("%{ /* embedded */ %}");
	assert_int_equal(st->kind, S_EMBEDDED);
	st = first_stmt("a = 1 b = 2; ; c = 3");
	assert_int_equal(ast_list_length(st), 4);
	assert_int_equal(st->next->next->kind, S_NULL);

	check_roundtrip("probe begin { if (a) b = 1 else { c = 2 } }");
	check_roundtrip("probe begin { if (a) if (b) x = 1 else y = 2 }");
	check_roundtrip("probe begin { if (a) x else if (b) y else z }");
	check_roundtrip("probe begin { for (;;) break for (i = 0; i < 3; i++) ; }");
	check_roundtrip("probe begin { a = 1 ; ; b = 2 ;; }");
	check_roundtrip("function f() { return; ; return 1 }");
	check_roundtrip("function f() { if (x) return -1 return }");
	check_roundtrip("probe begin { x = 1 -y }");
	check_roundtrip("probe begin { x = 1; -y; (z); [a] in b; \"s\"; &$p }");
	check_roundtrip("probe begin { if (c) x; -y }");
	check_roundtrip("probe begin { while (1) { next } delete a delete b[1] }");
	check_roundtrip("probe begin { try { } catch { } try { x } catch (e) { } }");
	check_roundtrip("probe begin { break; ; continue; ; next }");
}

static void test_foreach(void **state)
{
	const struct node *st;
	const struct foreach_info *fe;

	st = first_stmt("foreach (k in a) print(k)");
	fe = st->fe;
	assert_int_equal(st->kind, S_FOREACH);
	assert_int_equal(fe->nkeys, 1);
	assert_false(fe->keys_bracketed);
	assert_null(fe->value);
	assert_string_equal(fe->array->str, "a");
	assert_int_equal(fe->sort_dir, 0);

	fe = first_stmt("foreach ([a, b] in arr) ;")->fe;
	assert_int_equal(fe->nkeys, 2);
	assert_true(fe->keys_bracketed);

	fe = first_stmt("foreach (v = [a, b] in arr) ;")->fe;
	assert_string_equal(fe->value->str, "v");

	fe = first_stmt("foreach (k in arr-) ;")->fe;
	assert_int_equal(fe->sort_dir, -1);
	assert_int_equal(fe->sort_key, 0);

	fe = first_stmt("foreach (k- in arr) ;")->fe;
	assert_int_equal(fe->sort_dir, -1);
	assert_int_equal(fe->sort_key, 1);

	fe = first_stmt("foreach ([a, b+] in arr) ;")->fe;
	assert_int_equal(fe->sort_dir, 1);
	assert_int_equal(fe->sort_key, 2);

	fe = first_stmt("foreach (v = [k] in arr+ limit 5) ;")->fe;
	assert_int_equal(fe->sort_dir, 1);
	assert_int_equal(fe->sort_key, 0);
	assert_int_equal(fe->limit->num, 5);

	fe = first_stmt("foreach (v- = k in arr) ;")->fe;
	assert_int_equal(fe->sort_dir, -1);
	assert_int_equal(fe->sort_key, 0);
	assert_string_equal(fe->value->str, "v");

	fe = first_stmt("foreach (k in arr @sum-) ;")->fe;
	assert_int_equal(fe->sort_agg, STAT_SUM);
	assert_int_equal(fe->sort_dir, -1);

	fe = first_stmt("foreach (b in @hist_linear(s, 0, 100, 10)) ;")->fe;
	assert_int_equal(fe->array->kind, E_HIST);
	assert_int_equal(fe->array->op, STAT_HIST_LINEAR);
	assert_int_equal(fe->array->nargs, 3);

	fe = first_stmt("foreach ([a, b] in arr[*, \"x\"]) ;")->fe;
	assert_int_equal(ast_list_length(fe->slice), 2);
	assert_int_equal(fe->slice->kind, E_STAR);
	assert_int_equal(fe->slice->next->kind, E_STR);

	check_roundtrip("probe begin { foreach (k in a) print(k)\n"
			"foreach (v = [a, b-] in arr[*, \"x\"] limit n + 1) { }\n"
			"foreach (k in arr @avg+ limit 3) ;\n"
			"foreach (v- = k in arr) ;\n"
			"foreach (b in @hist_log(s)) ;\n"
			"foreach (k in arr-) ; }");
}

static void test_foreach_errors(void **state)
{
	int n;
	const char *out = parse_bad("probe begin { foreach ([a+, b-] in x) ; }", &n);

	assert_int_equal(n, 1);
	assert_non_null(strstr(out, "multiple sort directives"));
	out = parse_bad("probe begin { foreach (k+ in x-) ; }", &n);
	assert_int_equal(n, 1);
	out = parse_bad("probe begin { foreach (k in x @sum) ; }", &n);
	assert_true(n >= 1);
}

/* ---- target variables and @operators ---- */

static void test_targets(void **state)
{
	const struct node *e;

	e = first_expr("$var->field[2]->x");
	assert_int_equal(e->kind, E_TARGET);
	assert_string_equal(e->str, "var");
	assert_int_equal(e->a->kind, E_MEMBER);
	assert_string_equal(e->a->str, "field");
	assert_int_equal(e->a->next->kind, E_SUBSCRIPT);
	assert_int_equal(e->a->next->a->num, 2);
	assert_string_equal(e->a->next->next->str, "x");
	assert_int_equal(e->op, 0);

	e = first_expr("$var$");
	assert_int_equal(e->op, 1);
	assert_int_equal(e->num, 1);
	assert_null(e->a);
	e = first_expr("$var$$");
	assert_int_equal(e->num, 2);
	e = first_expr("$p->q$");
	assert_int_equal(e->op, 1);
	assert_string_equal(e->a->str, "q");
	e = first_expr("$p[1]$");
	assert_int_equal(e->op, 1);
	e = first_expr("$$parms$");
	assert_int_equal(e->kind, E_DOLLARS);
	assert_string_equal(e->str, "parms");
	assert_int_equal(e->op, 1);
	e = first_expr("$$vars");
	assert_int_equal(e->op, 0);
	e = first_expr("$$return$$");
	assert_int_equal(e->op, 2);
	e = first_expr("&$x->y");
	assert_int_equal(e->kind, E_UNARY);
	assert_int_equal(e->op, OP_ADDR);
	e = first_expr("$p->return");
	assert_string_equal(e->a->str, "return");

	e = first_expr("@cast(ptr, \"task_struct\", \"kernel\")->pid");
	assert_int_equal(e->kind, E_CAST);
	assert_string_equal(e->str, "task_struct");
	assert_string_equal(e->b->str, "kernel");
	assert_string_equal(e->c->str, "pid");
	e = first_expr("@cast(ptr, \"task_struct\")$");
	assert_null(e->b);
	assert_int_equal(e->op, 1);
	e = first_expr("@var(\"jiffies@kernel/time.c\", \"kernel\")->x");
	assert_int_equal(e->kind, E_VAR);
	assert_string_equal(e->str, "jiffies@kernel/time.c");
	e = first_expr("@entry($x->y)");
	assert_int_equal(e->kind, E_ENTRY);
	assert_int_equal(e->a->kind, E_TARGET);
	e = first_expr("@defined($x)");
	assert_int_equal(e->kind, E_DEFINED);
	e = first_expr("@choose_defined($a, 0)");
	assert_int_equal(e->kind, E_CHOOSE_DEFINED);
	assert_int_equal(e->b->kind, E_NUM);

	check_roundtrip("probe begin { x = $var->field[2]->x + $p$ + $q->r$$ + "
			"$p[1]$ + $$parms$ + $$vars + $$locals$$ + $$return + "
			"&$x->y + @cast(p, \"t\", \"m\")->a[1]$ + "
			"@var(\"v\")->w + @var(\"a\", \"b\") + @entry($x) + "
			"@defined($y->z) + @choose_defined($a, $b) + "
			"@cast(p, \"t\")$$ + $p $ }");
}

static void test_target_errors(void **state)
{
	int n;
	const char *out = parse_bad("probe begin { x = $p$->q }", &n);

	assert_true(n >= 1);
	assert_non_null(strstr(out, "not accepted after a pretty-printing"));
}

static void test_aggregates(void **state)
{
	const struct node *e;

	e = first_expr("@count(x)");
	assert_int_equal(e->kind, E_STATOP);
	assert_int_equal(e->op, STAT_COUNT);
	e = first_expr("@variance(x[1], 3)");
	assert_int_equal(e->op, STAT_VARIANCE);
	assert_int_equal(e->nargs, 1);
	assert_int_equal(e->args->num, 3);
	e = first_expr("@hist_log(x)[3]");
	assert_int_equal(e->kind, E_HIST_INDEX);
	assert_int_equal(e->a->kind, E_HIST);
	assert_int_equal(e->a->op, STAT_HIST_LOG);
	e = first_expr("print(@hist_linear(x, -10, 100, 5))");
	assert_int_equal(e->kind, E_CALL);
	assert_int_equal(e->args->kind, E_HIST);
	assert_int_equal(e->args->args->num, -10);
	e = first_expr("x in @hist_log(s)");
	assert_int_equal(e->kind, E_IN);
	assert_int_equal(e->a->kind, E_HIST);
	check_roundtrip("probe begin { x = @count(a) + @sum(a) + @min(a) + "
			"@max(a) + @avg(a[1, 2]) + @variance(a, 2) + "
			"@hist_log(a)[0] print(@hist_log(a)) "
			"println(@hist_linear(a, -5, 5, 1)) }");
}

static void test_aggregate_errors(void **state)
{
	int n;
	const char *out = parse_bad("probe begin { print(@hist_linear(x)) "
				    "y = @count(x, 2) }", &n);

	assert_int_equal(n, 2);
	assert_non_null(strstr(out, "@hist_linear needs 3 parameters"));
	assert_non_null(strstr(out, "only @variance takes a parameter"));
}

static void test_embedded_and_args(void **state)
{
	struct script *s = parse_ok("%{ #include <linux/x.h> %}\n"
				    "probe begin { x = %{ 5 %} + $1 . @2 + $# }");
	const struct node *e = s->probes->body->args->a;

	assert_non_null(s->embedded);
	assert_int_equal(s->embedded->kind, S_EMBEDDED);
	assert_string_equal(s->embedded->str, " #include <linux/x.h> ");
	/* '.' binds looser than '+': (%{5%} + $1) . (@2 + $#) */
	assert_int_equal(e->b->op, OP_CAT);
	assert_int_equal(e->b->a->a->kind, E_EMBEDDED);
	assert_int_equal(e->b->a->b->kind, E_ARG);
	assert_int_equal(e->b->a->b->num, 1);
	assert_int_equal(e->b->a->b->op, 0);
	assert_int_equal(e->b->b->a->kind, E_ARG);
	assert_int_equal(e->b->b->a->op, 1);
	assert_int_equal(e->b->b->b->kind, E_ARGC);
	check_roundtrip_script("embedded", s);
}

/* ---- preprocessor ---- */

static const char *test_config(const char *name)
{
	if (strcmp(name, "CONFIG_YES") == 0)
		return "y";
	if (strcmp(name, "CONFIG_NUM") == 0)
		return "42";
	return NULL;
}

static char *pp_print(const char *src, const struct parse_env *env, int *nerr)
{
	int before = diag_error_count();
	struct script *s;
	char *out;

	capture_start();
	s = parse_text("pp.stp", src, env, NULL);
	*nerr = diag_error_count() - before;
	capture_end();
	out = print_script(s);
	return out;
}

static void check_pp(const char *src, const struct parse_env *env,
		     const char *want_body)
{
	int n;
	char *out = pp_print(src, env, &n);

	if (n != 0 || !strstr(out, want_body))
		fail_msg("preprocessing %s gave (%d errors):\n%s\nwant: %s\n%s",
			 src, n, out, want_body, diag_buf);
	free(out);
}

static void test_preproc_conditions(void **state)
{
	static const char *const argv[] = { "42", "hello", "x y" };
	struct parse_env env = {
		.argv = argv, .argc = 3, .kernel_release = "6.8.0-45-generic",
		.arch = "x86_64", .runtime = "bpf", .systemtap_v = "5.0",
		.config = test_config,
	};
	static const char *const cases[][2] = {
		{ "kernel_v >= \"6.1\"", "yes" },
		{ "kernel_v >= \"6.10\"", "no" },
		{ "kernel_v > \"6.8\"", "yes" },
		{ "kernel_v > \"6.9\"", "no" },
		{ "kernel_v == \"6.8.0\"", "yes" },
		{ "kernel_vr == \"6.8.0-45-generic\"", "yes" },
		{ "kernel_vr == \"6.8*\"", "yes" },
		{ "kernel_v != \"5.*\"", "yes" },
		{ "kernel_v < \"2.6.30\"", "no" },
		{ "kernel_v <= \"6.8.0\"", "yes" },
		{ "arch == \"x86_64\"", "yes" },
		{ "arch == \"i?86\"", "no" },
		{ "arch != \"arm*\"", "yes" },
		{ "runtime == \"bpf\"", "yes" },
		{ "runtime == \"kernel\"", "no" },
		{ "systemtap_v >= \"4.0\"", "yes" },
		{ "systemtap_v < \"2.0\"", "no" },
		{ "CONFIG_YES == \"y\"", "yes" },
		{ "CONFIG_UNKNOWN == \"y\"", "no" },
		{ "CONFIG_UNKNOWN != \"y\"", "yes" },
		{ "CONFIG_NUM == 42", "yes" },
		{ "$# == 3", "yes" },
		{ "@# == \"3\"", "yes" },
		{ "$1 == 42", "yes" },
		{ "$2 == \"hello\"", "yes" },
		{ "@1 == \"42\"", "yes" },
		{ "arch == \"x86_64\" && runtime == \"kernel\"", "no" },
		{ "arch == \"x86_64\" && runtime == \"bpf\"", "yes" },
		{ "arch == \"arm\" || runtime == \"bpf\"", "yes" },
		{ "arch == \"arm\" || runtime == \"bpf\" && $# == 0", "no" },
		{ "arch == \"x86_64\" || runtime == \"x\" && $# == 0", "yes" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char src[512];

		snprintf(src, sizeof(src), "probe begin { %%( %s %%? yes %%: "
			 "no %%) = 1 }", cases[i][0]);
		char want[32];

		snprintf(want, sizeof(want), "  %s = 1", cases[i][1]);
		check_pp(src, &env, want);
	}
	/* nesting, and conditionals around whole declarations */
	check_pp("%( arch == \"x86_64\" %? %( runtime == \"bpf\" %? "
		 "probe a {} %: probe b {} %) %: probe c {} %)", &env,
		 "probe a {");
	check_pp("probe begin { x = %( arch == \"nope\" %? 1 %) 2 }", &env,
		 "x = 2");
	check_pp("probe kernel.function(%( kernel_v <= \"2.6.12\" %? "
		 "\"old\" %: \"new\" %)) {}", &env, "kernel.function(\"new\")");
	/* skipped branches may hold anything that lexes */
	check_pp("%( arch == \"sparc\" %? **ERROR** %) probe begin {}", &env,
		 "probe begin");
}

static void test_preproc_arguments(void **state)
{
	static const char *const argv[] = { "42", "hello", "a + b" };
	struct parse_env env = { .argv = argv, .argc = 3 };
	int n;
	char *out;
	const char *diag;

	check_pp("probe begin { x = $1 y = @2 z = $3 w = $# v = @# }", &env,
		 "  x = 42\n  y = \"hello\"\n  z = a + b\n  w = 3\n  v = \"3\"");
	check_pp("probe begin { x = $2 }", &env, "x = hello");
	out = pp_print("probe begin {\n  x = $4 + @5\n}", &env, &n);
	free(out);
	assert_int_equal(n, 2);
	diag = diag_buf;
	assert_non_null(strstr(diag, "pp.stp:2:7: parse error: missing script "
				     "argument $4"));
	assert_non_null(strstr(diag, "missing script argument @5"));
	assert_non_null(strstr(diag, "given 3 argument(s)"));
	/* no env: left for later passes */
	check_pp("probe begin { x = $1 . @1 }", NULL, "x = $1 . @1");
}

static void test_preproc_macros(void **state)
{
	static const char *const argv[] = { "7" };
	struct parse_env env = { .argv = argv, .argc = 1 };

	check_pp("@define foo %( x %)\n@define add(a,b) %( ((@a) + (@b)) %)\n"
		 "probe begin { @foo = @add(2, @add(3, $1)) }", &env,
		 "x = 2 + (3 + 7)");
	check_pp("@define pick(c, a, b) %( %( $# == 1 %? @a %: @b %) %)\n"
		 "probe begin { y = @pick(0, f(1, 2), [z] in q) }", &env,
		 "y = f(1, 2)");
	check_pp("@define N %( 10 %)\n@define twice(x) %( (@x) * 2 %)\n"
		 "probe begin { y = @twice(@N) }", &env, "y = 10 * 2");
	/* a library macro file (.stpm) defines macros for later parses */
	parse_text("lib.stpm", "@define libmac %( 99 %)", &env, NULL);
	check_pp("probe begin { x = @libmac }", &env, "x = 99");
}

static void test_preproc_errors(void **state)
{
	struct parse_env env = { .arch = "x86_64" };
	int n;
	char *out;

	out = pp_print("probe begin { %( arch == \"x\" %? 1 }", &env, &n);
	assert_true(n >= 1);
	assert_non_null(strstr(diag_buf, "pp.stp:1:15: parse error: unterminated "
					 "preprocessor conditional"));
	free(out);
	out = pp_print("%( bogus == \"x\" %? 1 %)", &env, &n);
	assert_int_equal(n, 1);
	assert_non_null(strstr(diag_buf, "unknown preprocessor condition 'bogus'"));
	free(out);
	out = pp_print("probe begin { x = @nosuch(1) }", &env, &n);
	assert_true(n >= 1);
	assert_non_null(strstr(diag_buf, "unknown operator or macro '@nosuch'"));
	free(out);
	out = pp_print("@define r %( @r %)\nprobe begin { x = @r }", &env, &n);
	assert_true(n >= 1);
	assert_non_null(strstr(diag_buf, "recursive macro"));
	free(out);
	out = pp_print("@define m(a) %( @a %)\nprobe begin { x = @m(1, 2) }",
		       &env, &n);
	assert_true(n >= 1);
	assert_non_null(strstr(diag_buf, "wrong number of arguments"));
	free(out);
	out = pp_print("%) probe begin { }", &env, &n);
	assert_int_equal(n, 1);
	free(out);
	/* exponential expansion is cut off */
	out = pp_print("@define a %( 1 1 1 1 1 1 1 1 %)\n@define b %( @a @a @a @a @a @a @a @a %)\n"
		       "@define c %( @b @b @b @b @b @b @b @b %)\n@define d %( @c @c @c @c @c @c @c @c %)\n"
		       "@define e %( @d @d @d @d @d @d @d @d %)\n@define f %( @e @e @e @e @e @e @e @e %)\n"
		       "@define g %( @f @f @f @f @f @f @f @f %)\n@define h %( @g @g @g @g @g @g @g @g %)\n"
		       "probe begin { x = @h }", &env, &n);
	assert_true(n >= 1);
	assert_non_null(strstr(diag_buf, "too large"));
	free(out);
}

/* ---- errors ---- */

static void test_error_messages(void **state)
{
	int n;
	const char *out;

	out = parse_bad("probe begin {\n  x = 1\n  y = (2\n}\n", &n);
	assert_true(n >= 1);
	assert_non_null(strstr(out, "bad.stp:4:1: parse error: expected ')' "));
	assert_non_null(strstr(out, "but found '}'"));

	out = parse_bad("probe begin { printf(\"x\" 1) }", &n);
	assert_int_equal(n, 1);
	assert_non_null(strstr(out, "bad.stp:1:26: parse error: expected ',' or "
				    "')' but found '1'"));

	out = parse_bad("global x y\n", &n);
	assert_int_equal(n, 1);
	assert_non_null(strstr(out, "bad.stp:1:10:"));

	out = parse_bad("probe begin { if (x = ) y }", &n);
	assert_int_equal(n, 1);
	assert_non_null(strstr(out, "expected an expression but found ')'"));

	out = parse_bad("probe begin { limit = 1 }", &n);
	assert_int_equal(n, 1);
	assert_non_null(strstr(out, "reserved word"));

	out = parse_bad("probe begin { x = 1 ", &n);
	assert_int_equal(n, 1);
	assert_non_null(strstr(out, "end of input"));
	assert_non_null(strstr(out, "never closed"));

	out = parse_bad("foo bar", &n);
	assert_true(n >= 1);
	assert_non_null(strstr(out, "bad.stp:1:1: parse error: expected"));

	out = parse_bad("probe begin { x = 1 }\n}\n", &n);
	assert_int_equal(n, 1);
	assert_non_null(strstr(out, "bad.stp:2:1:"));

	out = parse_bad("function f(a, a) { }", &n);
	assert_int_equal(n, 1);
	assert_non_null(strstr(out, "duplicate parameter 'a'"));

	out = parse_bad("global a[0]", &n);
	assert_int_equal(n, 1);
	assert_non_null(strstr(out, "array size out of range"));

	out = parse_bad("global a[2] = 1", &n);
	assert_int_equal(n, 1);
	assert_non_null(strstr(out, "only scalar globals"));

	out = parse_bad("function f() :0 { }", &n);
	assert_int_equal(n, 1);
	assert_non_null(strstr(out, "priority must be > 0"));

	out = parse_bad("probe begin { s =~ x }", &n);
	assert_int_equal(n, 1);
	assert_non_null(strstr(out, "expected string"));
}

static void test_error_quote_and_caret(void **state)
{
	int n;
	const char *out = parse_bad("probe begin {\n\tx = = 1\n}", &n);

	assert_int_equal(n, 1);
	assert_non_null(strstr(out, "bad.stp:2:6: parse error:"));
	assert_non_null(strstr(out, "\tx = = 1\n"));
	assert_non_null(strstr(out, "^"));
}

static void test_multiple_errors(void **state)
{
	int n;
	const char *out = parse_bad("probe begin {\n  x = = 1\n}\n"
				    "probe end {\n  y = + \n}\n"
				    "probe foo {\n  z = ]\n}\n"
				    "probe ok { fine = 1 }\n", &n);

	assert_int_equal(n, 3);
	assert_non_null(strstr(out, "bad.stp:2:7:"));
	assert_non_null(strstr(out, "bad.stp:6:1:"));
	assert_non_null(strstr(out, "bad.stp:8:7:"));
}

static void test_recovery_keeps_good_parts(void **state)
{
	int before = diag_error_count();
	struct script *s;

	capture_start();
	s = parse_text("r.stp", "global g\nprobe a { x = = 1 }\n"
			       "probe b { y = 2 }\nfunction f() { return 1 }",
		       NULL, NULL);
	capture_end();
	assert_int_equal(diag_error_count() - before, 1);
	assert_non_null(s->globals);
	assert_non_null(s->functions);
	assert_non_null(s->probes);
}

/* ---- robustness ---- */

static char *repeat(const char *head, const char *unit, size_t n,
		    const char *tail)
{
	size_t hl = strlen(head), ul = strlen(unit), tl = strlen(tail);
	char *src = malloc(hl + ul * n + tl + 1);
	char *p = src;

	memcpy(p, head, hl);
	p += hl;
	for (size_t i = 0; i < n; i++, p += ul)
		memcpy(p, unit, ul);
	memcpy(p, tail, tl + 1);
	return src;
}

static void test_deep_nesting(void **state)
{
	static const struct {
		const char *head, *unit, *msg;
	} cases[] = {
		{ "probe begin { x = ", "(", "nesting too deep" },
		{ "probe begin ", "{", "nesting too deep" },
		{ "probe begin { x = ", "1+", "statement too complex" },
		{ "probe begin { x = ", "- ", "statement too complex" },
		{ "probe begin { x = ", "x=", "statement too complex" },
		{ "probe begin { ", "if (x) ", "statement too complex" },
		{ "probe begin { x = ", "a[", "nesting too deep" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *src = repeat(cases[i].head, cases[i].unit, 100000,
				   "1 }");
		int errs;
		const char *out = parse_bad(src, &errs);

		if (errs != 1 || !strstr(out, cases[i].msg))
			fail_msg("%s: %s", cases[i].unit, out);
		free(src);
	}
}

static void test_huge_input(void **state)
{
	size_t n = 20000;
	char *src = malloc(n * 64 + 64);
	char *p = src;
	int errs;

	p += sprintf(p, "global a\nprobe begin {\n");
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "  a[%zu] = f(%zu, \"s\", x + %zu); y = 1;\n", i,
			     i, i);
	p += sprintf(p, "}\nprobe end { print(1");
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, ", %zu", i);
	p += sprintf(p, ") }\n");
	parse_bad(src, &errs);
	assert_int_equal(errs, 0);
	free(src);
}

static unsigned rng_state = 12345;

static unsigned rng(void)
{
	rng_state = rng_state * 1103515245u + 12345u;
	return rng_state >> 8;
}

static void test_fuzz_bytes(void **state)
{
	char buf[300];

	for (int iter = 0; iter < 3000; iter++) {
		size_t len = rng() % sizeof(buf);
		int errs;

		for (size_t i = 0; i + 1 < len; i++) {
			buf[i] = (char)(rng() & 0xff);
			if (!buf[i])
				buf[i] = ' ';
		}
		buf[len ? len - 1 : 0] = '\0';
		parse_bad(buf, &errs);
	}
}

static void test_fuzz_tokens(void **state)
{
	static const char *const vocab[] = {
		"probe", "global", "function", "private", "if", "else", "for",
		"foreach", "in", "limit", "return", "delete", "while", "break",
		"continue", "next", "try", "catch", "string", "long", "x", "y",
		"arr", "begin", "syscall", ".", "*", "{", "}", "(", ")", "[",
		"]", ",", ";", ":", "?", "!", "=", "+=", "<<<", "+", "-", "/",
		"%", "<", ">", "==", "!=", "&&", "||", "&", "|", "^", "~",
		"++", "--", "->", "=~", ">>>", "1", "0x10", "\"s\"", "$v", "$v$",
		"$$vars", "$1", "@1", "$#", "@count", "@hist_log", "@hist_linear",
		"@cast", "@var", "@entry", "@defined", "@define", "@m", "%(",
		"%?", "%:", "%)", "%{ c %}", "kernel_v", "\"6.0\"", "arch",
		"#", "\n", "/*", "*/",
	};
	char buf[2048];

	for (int iter = 0; iter < 3000; iter++) {
		int ntok = (int)(rng() % 60);
		size_t o = 0;
		int errs;

		for (int i = 0; i < ntok; i++)
			o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s ",
					      vocab[rng() % (sizeof(vocab) /
							     sizeof(vocab[0]))]);
		buf[o] = '\0';
		parse_bad(buf, &errs);
	}
}

/* Mutations of a valid script: each either parses or reports errors, and
 * whatever parses must round-trip. */
static void test_fuzz_mutations(void **state)
{
	static const char base[] =
		"global c[10], t = 1\n"
		"function f:long(a, b:string) { return a + strlen(b) }\n"
		"probe syscall.read?, timer.ms(10) if (t) {\n"
		"  c[execname()] <<< $count; if (c[\"x\"] > 1) next\n"
		"  foreach ([k, v-] in c limit 3) printf(\"%s %d\\n\", k, v)\n"
		"  x = a ? b : -c . \"s\"; delete c[*]\n"
		"}\n";
	char buf[sizeof(base) + 8];

	for (int iter = 0; iter < 2000; iter++) {
		int before = diag_error_count();
		struct script *s;

		memcpy(buf, base, sizeof(base));
		for (int k = 0; k < 3; k++) {
			size_t pos = rng() % (sizeof(base) - 1);
			const char *chars = "(){}[];,.+-*/=<>!?:$@%\"# \nx1";

			buf[pos] = chars[rng() % strlen(chars)];
		}
		capture_start();
		s = parse_text("m.stp", buf, NULL, NULL);
		capture_end();
		if (diag_error_count() == before)
			check_roundtrip_script(buf, s);
	}
}

/* ---- round trip over the source tree ---- */

static int files_checked;

static void roundtrip_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		char path[4096];
		struct stat st;
		size_t l = strlen(de->d_name);

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (stat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			roundtrip_dir(path);
		} else if (l > 4 && strcmp(de->d_name + l - 4, ".stp") == 0) {
			int before = diag_error_count();
			struct script *s;

			capture_start();
			s = parse_file(path, NULL, NULL);
			/* Scripts meant to fail (error tests) are skipped. */
			if (diag_error_count() != before || !s) {
				capture_end();
				continue;
			}
			capture_end();
			check_roundtrip_script(path, s);
			files_checked++;
		}
	}
	closedir(d);
}

static void test_roundtrip_tree(void **state)
{
	static const char *const dirs[] = { "examples", "tapset", "tests" };

	files_checked = 0;
	for (size_t i = 0; i < 3; i++) {
		char path[4096];

		snprintf(path, sizeof(path), "%s/%s", ETAP_SRCDIR, dirs[i]);
		roundtrip_dir(path);
	}
	/* tests/scripts always holds some */
	assert_true(files_checked >= 5);
}

static void test_scripts_parse_cleanly(void **state)
{
	static const char *const names[] = {
		"disktop.stp", "syscount.stp", "latency_hist.stp",
		"execsnoop.stp", "failstat.stp", "kitchen_sink.stp",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char path[4096];
		int before = diag_error_count();

		snprintf(path, sizeof(path), "%s/tests/scripts/%s", ETAP_SRCDIR,
			 names[i]);
		capture_start();
		assert_non_null(parse_file(path, NULL, NULL));
		if (diag_error_count() != before)
			fail_msg("%s: %s", path, capture_end());
		capture_end();
	}
}

static void test_parse_file_errors(void **state)
{
	int before = diag_error_count();
	const char *out;

	capture_start();
	assert_null(parse_file("/nonexistent/x.stp", NULL, NULL));
	out = capture_end();
	assert_int_equal(diag_error_count() - before, 1);
	assert_non_null(strstr(out, "cannot read /nonexistent/x.stp"));
}

static void test_merge_into(void **state)
{
	struct script *s = parse_ok("global a\nprobe begin { }");

	capture_start();
	parse_text("tapset.stp", "global b\nfunction f() { }\nprobe x = y { }",
		   NULL, s);
	capture_end();
	assert_string_equal(s->globals->next->name, "b");
	assert_non_null(s->functions);
	assert_non_null(s->aliases);
	assert_string_equal(s->file, "t.stp");
	assert_string_equal(s->functions->loc.file, "tapset.stp");
}

static void test_locations(void **state)
{
	struct script *s = parse_ok("\n\nprobe begin {\n  x = a +\n    b\n}");
	const struct node *st = s->probes->body->args;

	assert_int_equal(s->probes->loc.line, 3);
	assert_int_equal(s->probes->loc.col, 1);
	assert_int_equal(s->probes->points->loc.col, 7);
	assert_int_equal(st->loc.line, 4);
	assert_int_equal(st->loc.col, 3);
	assert_int_equal(st->a->loc.col, 5);	/* '=' */
	assert_int_equal(st->a->b->loc.col, 9); /* '+' */
	assert_int_equal(st->a->b->b->loc.line, 5);
	assert_int_equal(st->a->b->b->loc.col, 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_tree_shapes),
		cmocka_unit_test(test_literals),
		cmocka_unit_test(test_probe_points),
		cmocka_unit_test(test_probe_wildcards_braces),
		cmocka_unit_test(test_probe_point_errors),
		cmocka_unit_test(test_aliases),
		cmocka_unit_test(test_private),
		cmocka_unit_test(test_globals),
		cmocka_unit_test(test_functions),
		cmocka_unit_test(test_statements),
		cmocka_unit_test(test_foreach),
		cmocka_unit_test(test_foreach_errors),
		cmocka_unit_test(test_targets),
		cmocka_unit_test(test_target_errors),
		cmocka_unit_test(test_aggregates),
		cmocka_unit_test(test_aggregate_errors),
		cmocka_unit_test(test_embedded_and_args),
		cmocka_unit_test(test_preproc_conditions),
		cmocka_unit_test(test_preproc_arguments),
		cmocka_unit_test(test_preproc_macros),
		cmocka_unit_test(test_preproc_errors),
		cmocka_unit_test(test_error_messages),
		cmocka_unit_test(test_error_quote_and_caret),
		cmocka_unit_test(test_multiple_errors),
		cmocka_unit_test(test_recovery_keeps_good_parts),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_huge_input),
		cmocka_unit_test(test_fuzz_bytes),
		cmocka_unit_test(test_fuzz_tokens),
		cmocka_unit_test(test_fuzz_mutations),
		cmocka_unit_test(test_roundtrip_tree),
		cmocka_unit_test(test_scripts_parse_cleanly),
		cmocka_unit_test(test_parse_file_errors),
		cmocka_unit_test(test_merge_into),
		cmocka_unit_test(test_locations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
