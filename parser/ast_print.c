// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The -p1 printer: the AST back as canonical script text.
 *
 * Every binary, ternary, assignment, 'in' and regex sub-expression is
 * parenthesized, so the structure is visible and re-parsing yields the
 * same tree; only an expression standing alone (a statement, a condition,
 * an argument) drops its outer parentheses. One statement per line, two
 * spaces of indent; a ';' is printed only where the next line would
 * otherwise continue the statement (stap needs no separators).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "parser/parser.h"

static void pr_expr(FILE *f, const struct node *e, bool top);
static void pr_stmt(FILE *f, const struct node *s, int ind);

static void pr_pad(FILE *f, int ind)
{
	for (int i = 0; i < ind; i++)
		fputs("  ", f);
}

static void pr_string(FILE *f, const char *s, int64_t len)
{
	fputc('"', f);
	for (int64_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		switch (c) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\t': fputs("\\t", f); break;
		case '\r': fputs("\\r", f); break;
		default:
			/* Three octal digits never run into a following
			 * digit, unlike \x. */
			if (c < 0x20 || c == 0x7f)
				fprintf(f, "\\%03o", c);
			else
				fputc(c, f);
		}
	}
	fputc('"', f);
}

/* Literals as written in probe points, hist parameters, initializers:
 * the grammar reads '-' NUMBER there, so negatives print signed. */
static void pr_literal(FILE *f, const struct node *e)
{
	if (e->kind == E_STR)
		pr_string(f, e->str, e->num);
	else if (e->kind == E_NUM)
		fprintf(f, "%lld", (long long)e->num);
	else
		pr_expr(f, e, false);
}

static void pr_list(FILE *f, const struct node *l, bool top)
{
	for (; l; l = l->next) {
		pr_expr(f, l, top);
		if (l->next)
			fputs(", ", f);
	}
}

static void pr_dollars(FILE *f, int64_t n)
{
	for (int64_t i = 0; i < n && i < 2; i++)
		fputc('$', f);
}

static void pr_chain(FILE *f, const struct node *c, const struct node *owner)
{
	for (; c; c = c->next) {
		if (c->kind == E_MEMBER)
			fprintf(f, "->%s", c->str);
		else {
			fputc('[', f);
			pr_expr(f, c->a, true);
			fputc(']', f);
		}
	}
	if (owner->op)
		pr_dollars(f, owner->num ? owner->num : 1);
}

static bool pr_needs_parens_after_unary(const struct node *e)
{
	return e->kind == E_UNARY || e->kind == E_INCDEC;
}

static void pr_hist(FILE *f, const struct node *e)
{
	fprintf(f, "@%s(", ast_statop_str(e->op));
	pr_expr(f, e->a, true);
	for (const struct node *p = e->args; p; p = p->next) {
		fputs(", ", f);
		pr_literal(f, p);
	}
	fputc(')', f);
}

static void pr_expr(FILE *f, const struct node *e, bool top)
{
	if (!e) {
		fputs("/* null */", f);
		return;
	}
	switch (e->kind) {
	case E_NUM:
		/* Values that wrapped past INT64_MAX print unsigned so they
		 * read back as the same bits. */
		if (e->num < 0)
			fprintf(f, "%llu", (unsigned long long)e->num);
		else
			fprintf(f, "%lld", (long long)e->num);
		break;
	case E_STR:
		pr_string(f, e->str, e->num);
		break;
	case E_IDENT:
		fputs(e->str, f);
		break;
	case E_TARGET:
		fprintf(f, "$%s", e->str);
		pr_chain(f, e->a, e);
		break;
	case E_MEMBER:
		fprintf(f, "->%s", e->str);
		break;
	case E_SUBSCRIPT:
		fputc('[', f);
		pr_expr(f, e->a, true);
		fputc(']', f);
		break;
	case E_DOLLARS:
		fprintf(f, "$$%s", e->str);
		pr_dollars(f, e->op);
		break;
	case E_INDEX:
		pr_expr(f, e->a, false);
		fputc('[', f);
		pr_list(f, e->args, true);
		fputc(']', f);
		break;
	case E_CALL:
		fprintf(f, "%s(", e->str);
		pr_list(f, e->args, true);
		fputc(')', f);
		break;
	case E_BINARY:
	case E_ASSIGN:
	case E_REGEX:
		if (!top)
			fputc('(', f);
		pr_expr(f, e->a, false);
		fprintf(f, " %s ", ast_op_str(e->op));
		/* Assignment is right-associative: a = b = c needs none. */
		pr_expr(f, e->b, e->kind == E_ASSIGN);
		if (!top)
			fputc(')', f);
		break;
	case E_UNARY:
		fputs(ast_op_str(e->op), f);
		if (pr_needs_parens_after_unary(e->a)) {
			fputc('(', f);
			pr_expr(f, e->a, true);
			fputc(')', f);
		} else {
			pr_expr(f, e->a, false);
		}
		break;
	case E_INCDEC: {
		bool plain = e->a->kind != E_UNARY && e->a->kind != E_INCDEC;

		if (e->op == OP_PREINC || e->op == OP_PREDEC)
			fputs(ast_op_str(e->op), f);
		if (!plain)
			fputc('(', f);
		pr_expr(f, e->a, false);
		if (!plain)
			fputc(')', f);
		if (e->op == OP_POSTINC || e->op == OP_POSTDEC)
			fputs(ast_op_str(e->op), f);
		break;
	}
	case E_TERNARY:
		if (!top)
			fputc('(', f);
		pr_expr(f, e->a, false);
		fputs(" ? ", f);
		pr_expr(f, e->b, true);
		fputs(" : ", f);
		pr_expr(f, e->c, false);
		if (!top)
			fputc(')', f);
		break;
	case E_IN:
		if (!top)
			fputc('(', f);
		if (e->nargs == 1 && e->args && e->args->kind != E_STAR) {
			pr_expr(f, e->args, false);
		} else {
			fputc('[', f);
			pr_list(f, e->args, false);
			fputc(']', f);
		}
		fputs(" in ", f);
		pr_expr(f, e->a, false);
		if (!top)
			fputc(')', f);
		break;
	case E_STAR:
		fputc('*', f);
		break;
	case E_STATOP:
		fprintf(f, "@%s(", ast_statop_str(e->op));
		pr_expr(f, e->a, true);
		for (const struct node *p = e->args; p; p = p->next) {
			fputs(", ", f);
			pr_literal(f, p);
		}
		fputc(')', f);
		break;
	case E_HIST:
		pr_hist(f, e);
		break;
	case E_HIST_INDEX:
		pr_expr(f, e->a, false);
		fputc('[', f);
		pr_expr(f, e->b, true);
		fputc(']', f);
		break;
	case E_ENTRY:
		fputs("@entry(", f);
		pr_expr(f, e->a, true);
		fputc(')', f);
		break;
	case E_DEFINED:
		fputs("@defined(", f);
		pr_expr(f, e->a, true);
		fputc(')', f);
		break;
	case E_CHOOSE_DEFINED:
		fputs("@choose_defined(", f);
		pr_expr(f, e->a, true);
		fputs(", ", f);
		pr_expr(f, e->b, true);
		fputc(')', f);
		break;
	case E_CAST:
		fputs("@cast(", f);
		pr_expr(f, e->a, true);
		fputs(", ", f);
		pr_string(f, e->str, (int64_t)strlen(e->str));
		if (e->b) {
			fputs(", ", f);
			pr_literal(f, e->b);
		}
		fputc(')', f);
		pr_chain(f, e->c, e);
		break;
	case E_VAR:
		fputs("@var(", f);
		pr_string(f, e->str, (int64_t)strlen(e->str));
		if (e->b) {
			fputs(", ", f);
			pr_literal(f, e->b);
		}
		fputc(')', f);
		pr_chain(f, e->c, e);
		break;
	case E_ARG:
		fprintf(f, "%c%lld", e->op ? '@' : '$', (long long)e->num);
		break;
	case E_ARGC:
		fputs(e->op ? "@#" : "$#", f);
		break;
	case E_EMBEDDED:
		fprintf(f, "%%{%s%%}", e->str);
		break;
	default:
		fputs("/* statement in expression */", f);
		break;
	}
}

/* The simple statement a statement ends with, if it ends with one: a
 * following line could extend it. */
static const struct node *pr_last_simple(const struct node *s)
{
	while (s) {
		switch (s->kind) {
		case S_EXPR: case S_RETURN: case S_DELETE: case S_BREAK:
		case S_CONTINUE: case S_NEXT:
			return s;
		case S_IF:
			s = s->c ? s->c : s->b;
			break;
		case S_WHILE:
			s = s->b;
			break;
		case S_FOR:
			s = s->d;
			break;
		case S_FOREACH:
			s = s->fe ? s->fe->body : NULL;
			break;
		default:
			return NULL;
		}
	}
	return NULL;
}

static bool pr_needs_semicolon(const struct node *s, const struct node *next)
{
	const struct node *last = pr_last_simple(s);
	char *buf = NULL;
	size_t len = 0;
	FILE *m;
	bool risky;

	if (!last || !next)
		return false;
	if (next->kind == S_NULL)
		return true; /* else the ';' would be swallowed */
	if (last->kind == S_RETURN && !last->a)
		return true;
	if (last->kind != S_EXPR && last->kind != S_DELETE &&
	    last->kind != S_RETURN)
		return false;
	/* Would the next statement's first token continue the expression? */
	m = open_memstream(&buf, &len);
	if (!m)
		return true;
	pr_stmt(m, next, 0);
	fclose(m);
	risky = len > 0 && strchr("-+([&\"", buf[0]) != NULL;
	free(buf);
	return risky;
}

static void pr_stmts(FILE *f, const struct node *l, int ind)
{
	for (; l; l = l->next) {
		pr_pad(f, ind);
		pr_stmt(f, l, ind);
		if (pr_needs_semicolon(l, l->next))
			fputc(';', f);
		fputc('\n', f);
	}
}

/* A sub-statement of if/while/for/foreach/try: a block opens on the same
 * line, anything else goes on the next line, one level deeper. */
static void pr_sub(FILE *f, const struct node *s, int ind)
{
	if (s && s->kind == S_BLOCK) {
		fputs(" {\n", f);
		pr_stmts(f, s->args, ind + 1);
		pr_pad(f, ind);
		fputc('}', f);
	} else {
		fputc('\n', f);
		pr_pad(f, ind + 1);
		pr_stmt(f, s, ind + 1);
	}
}

static void pr_foreach(FILE *f, const struct node *s, int ind)
{
	const struct foreach_info *fe = s->fe;
	int k = 1;

	fputs("foreach (", f);
	if (fe->value) {
		pr_expr(f, fe->value, true);
		fputs(" = ", f);
	}
	if (fe->keys_bracketed)
		fputc('[', f);
	for (const struct node *key = fe->keys; key; key = key->next, k++) {
		pr_expr(f, key, true);
		if (fe->sort_dir && fe->sort_key == k)
			fputc(fe->sort_dir > 0 ? '+' : '-', f);
		if (key->next)
			fputs(", ", f);
	}
	if (fe->keys_bracketed)
		fputc(']', f);
	fputs(" in ", f);
	pr_expr(f, fe->array, false);
	if (fe->slice) {
		fputc('[', f);
		pr_list(f, fe->slice, true);
		fputc(']', f);
	}
	if (fe->sort_dir && fe->sort_key == 0) {
		if (fe->sort_agg)
			fprintf(f, " @%s", ast_statop_str(fe->sort_agg));
		fputc(fe->sort_dir > 0 ? '+' : '-', f);
	}
	if (fe->limit) {
		fputs(" limit ", f);
		pr_expr(f, fe->limit, true);
	}
	fputc(')', f);
	pr_sub(f, fe->body, ind);
}

static void pr_stmt(FILE *f, const struct node *s, int ind)
{
	if (!s) {
		fputc(';', f);
		return;
	}
	switch (s->kind) {
	case S_BLOCK:
		fputs("{\n", f);
		pr_stmts(f, s->args, ind + 1);
		pr_pad(f, ind);
		fputc('}', f);
		break;
	case S_EXPR:
		pr_expr(f, s->a, true);
		break;
	case S_IF:
		fputs("if (", f);
		pr_expr(f, s->a, true);
		fputc(')', f);
		pr_sub(f, s->b, ind);
		if (!s->c)
			break;
		if (s->b && s->b->kind == S_BLOCK)
			fputc(' ', f);
		else {
			fputc('\n', f);
			pr_pad(f, ind);
		}
		fputs("else", f);
		if (s->c->kind == S_IF) {
			fputc(' ', f);
			pr_stmt(f, s->c, ind);
		} else {
			pr_sub(f, s->c, ind);
		}
		break;
	case S_WHILE:
		fputs("while (", f);
		pr_expr(f, s->a, true);
		fputc(')', f);
		pr_sub(f, s->b, ind);
		break;
	case S_FOR:
		fputs("for (", f);
		if (s->a)
			pr_expr(f, s->a, true);
		fputs("; ", f);
		if (s->b)
			pr_expr(f, s->b, true);
		fputs("; ", f);
		if (s->c)
			pr_expr(f, s->c, true);
		fputc(')', f);
		pr_sub(f, s->d, ind);
		break;
	case S_FOREACH:
		pr_foreach(f, s, ind);
		break;
	case S_BREAK:
		fputs("break", f);
		break;
	case S_CONTINUE:
		fputs("continue", f);
		break;
	case S_NEXT:
		fputs("next", f);
		break;
	case S_RETURN:
		fputs("return", f);
		if (s->a) {
			fputc(' ', f);
			pr_expr(f, s->a, true);
		}
		break;
	case S_DELETE:
		fputs("delete ", f);
		pr_expr(f, s->a, true);
		break;
	case S_TRY:
		fputs("try", f);
		pr_sub(f, s->a, ind);
		fputs(" catch", f);
		if (s->str)
			fprintf(f, " (%s)", s->str);
		pr_sub(f, s->b, ind);
		break;
	case S_NULL:
		fputc(';', f);
		break;
	case S_EMBEDDED:
		fprintf(f, "%%{%s%%}", s->str);
		break;
	default:
		pr_expr(f, s, true);
		break;
	}
}

void ast_print_expr(FILE *out, const struct node *e)
{
	pr_expr(out, e, true);
}

void ast_print_probe_point(FILE *out, const struct probe_point *pp)
{
	for (const struct pp_comp *c = pp->comps; c; c = c->next) {
		fputs(c->name, out);
		if (c->has_arg && c->arg) {
			fputc('(', out);
			pr_literal(out, c->arg);
			fputc(')', out);
		}
		if (c->next)
			fputc('.', out);
	}
	if (pp->sufficient)
		fputc('!', out);
	else if (pp->optional)
		fputc('?', out);
	if (pp->cond) {
		fputs(" if (", out);
		pr_expr(out, pp->cond, true);
		fputc(')', out);
	}
}

static void pr_points(FILE *f, const struct probe_point *pp)
{
	for (; pp; pp = pp->next) {
		ast_print_probe_point(f, pp);
		if (pp->next)
			fputs(", ", f);
	}
}

static const char *pr_type(enum etype t)
{
	return t == T_LONG ? ":long" : t == T_STRING ? ":string" : "";
}

static void pr_body(FILE *f, const struct node *body)
{
	if (body && body->kind == S_EMBEDDED) {
		fprintf(f, " %%{%s%%}\n", body->str);
		return;
	}
	fputs(" {\n", f);
	if (body)
		pr_stmts(f, body->args, 1);
	fputs("}\n", f);
}

static void pr_probe(FILE *f, const struct probe *p)
{
	if (p->is_private)
		fputs("private ", f);
	fputs("probe ", f);
	if (p->alias != ALIAS_NONE) {
		for (const struct probe_point *a = p->points; a; a = a->next) {
			ast_print_probe_point(f, a);
			fputs(p->alias == ALIAS_EPILOGUE ? " += " : " = ", f);
		}
		pr_points(f, p->targets);
	} else {
		pr_points(f, p->points);
	}
	pr_body(f, p->body);
}

void ast_print_script(FILE *out, const struct script *s)
{
	for (const struct node *e = s->embedded; e; e = e->next)
		fprintf(out, "%%{%s%%}\n", e->str);
	for (const struct global *g = s->globals; g; g = g->next) {
		fprintf(out, "%sglobal %s", g->is_private ? "private " : "",
			g->name);
		if (g->wrap)
			fputc('%', out);
		if (g->size)
			fprintf(out, "[%lld]", (long long)g->size);
		if (g->init) {
			fputs(" = ", out);
			pr_literal(out, g->init);
		}
		fputc('\n', out);
	}
	for (const struct function *fn = s->functions; fn; fn = fn->next) {
		fprintf(out, "%sfunction %s%s(", fn->is_private ? "private " : "",
			fn->name, pr_type(fn->ret));
		for (const struct param *p = fn->params; p; p = p->next)
			fprintf(out, "%s%s%s", p->name, pr_type(p->type),
				p->next ? ", " : "");
		fputc(')', out);
		if (fn->priority)
			fprintf(out, " :%lld", (long long)fn->priority);
		pr_body(out, fn->body);
	}
	for (const struct probe *p = s->aliases; p; p = p->next)
		pr_probe(out, p);
	for (const struct probe *p = s->probes; p; p = p->next)
		pr_probe(out, p);
}
