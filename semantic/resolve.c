// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Name binding and type inference.
 *
 * Names bind to, in order: the probe's or function's locals, the probe's
 * context variables (syscall `name`, `retval`), then globals; an unknown
 * name becomes a new local. Types are inferred by iterating over every body
 * until nothing changes (a function's return type may come from a later
 * probe), then a last walk reports what is still unknown or conflicting.
 */
#include "sem_internal.h"

#include <stdlib.h>
#include <string.h>

#include "../parser/diag.h"
#include "builtins.h"
#include "target_vars.h"
#include "dollars.h"

struct scope {
	struct program *p;
	struct rprobe *rp;     /* probe being resolved, or NULL */
	struct symbol *fn;     /* function being resolved, or NULL */
	struct symbol ***locals; /* the frame's slot array */
	int *nlocals;
	int loop_depth;
	bool changed;  /* a type was learned in this walk */
	bool checking; /* final walk: report errors */
};

struct symbol *sym_new(enum sym_kind kind, const char *name, struct loc loc)
{
	struct symbol *s = calloc(1, sizeof(*s));

	if (!s)
		abort();
	s->kind = kind;
	s->name = name;
	s->loc = loc;
	return s;
}

struct symbol *sem_find_global(struct program *p, const char *name)
{
	for (struct symbol *g = p->globals; g; g = g->next)
		if (strcmp(g->name, name) == 0)
			return g;
	return NULL;
}

/* stap overloads functions by arity: the one taking nargs arguments, else
 * any of that name (whose arity error the caller then reports). */
static struct symbol *find_function_arity(struct program *p, const char *name,
					  int nargs)
{
	struct symbol *any = NULL;

	for (struct symbol *f = p->functions; f; f = f->next) {
		if (strcmp(f->name, name) != 0)
			continue;
		if (nargs < 0 || f->fn->nparams == nargs)
			return f;
		if (!any)
			any = f;
	}
	return any;
}

static struct symbol *local_find(struct scope *sc, const char *name)
{
	for (int i = 0; i < *sc->nlocals; i++)
		if (strcmp((*sc->locals)[i]->name, name) == 0)
			return (*sc->locals)[i];
	return NULL;
}

static struct symbol *local_add(struct scope *sc, const char *name,
				struct loc loc)
{
	struct symbol *s = sym_new(SYM_LOCAL, name, loc);

	s->slot = *sc->nlocals;
	*sc->locals = realloc(*sc->locals, (*sc->nlocals + 1) * sizeof(s));
	if (!*sc->locals)
		abort();
	(*sc->locals)[(*sc->nlocals)++] = s;
	return s;
}

/* Context variables live in the probe; they are made on first use. */
static struct symbol *context_find(struct scope *sc, const char *name,
				   bool dollar, struct loc loc)
{
	struct rprobe *rp = sc->rp;
	struct symbol *s;
	const struct tp_field *f = NULL;
	enum ctx_kind kind = CTX_TP_FIELD;

	if (!rp || !rp->tp)
		return NULL;
	if (!dollar && rp->syscall_any && strcmp(name, "syscall_nr") == 0) {
		f = tp_format_field(rp->tp, "id");
	} else if (!dollar && rp->syscall_any && strcmp(name, "name") == 0) {
		kind = CTX_SYSCALL_ANY_NAME;
	} else if (!dollar && rp->syscall && strcmp(name, "name") == 0) {
		kind = CTX_SYSCALL_NAME;
	} else if (rp->is_return &&
		   ((dollar && strcmp(name, "return") == 0) ||
		    (!dollar && strcmp(name, "retval") == 0))) {
		kind = CTX_RETURN;
		f = tp_format_field(rp->tp, "ret");
	} else if (dollar) {
		f = tp_format_field(rp->tp, name);
		if (!f)
			return NULL;
	} else {
		return NULL;
	}
	s = sym_new(SYM_CONTEXT, name, loc);
	s->ctx = kind;
	s->field = f;
	if (kind == CTX_SYSCALL_NAME) {
		s->type = T_STRING;
		s->const_str = rp->syscall;
	} else if (kind == CTX_SYSCALL_ANY_NAME) {
		s->type = T_STRING;
	} else {
		s->type = f && f->is_string ? T_STRING : T_LONG;
	}
	return s;
}

static void sym_learn(struct scope *sc, struct symbol *s, enum etype t,
		      struct loc loc)
{
	if (!s || t == T_UNKNOWN || t == T_VOID)
		return;
	if (s->type == T_UNKNOWN) {
		s->type = t;
		sc->changed = true;
	} else if (s->type != t && sc->checking) {
		diag_report("semantic error", loc,
			    "type mismatch: '%s' is %s here but %s elsewhere",
			    s->name, etype_name(t), etype_name(s->type));
	}
}

/* Push an expected type into whatever symbol decides e's type. */
static void expect_type(struct scope *sc, struct node *e, enum etype t)
{
	if (!e || t == T_UNKNOWN)
		return;
	switch (e->kind) {
	case E_IDENT:
	case E_INDEX:
		if (e->sym && e->sym->kind != SYM_CONTEXT)
			sym_learn(sc, e->sym, t, e->loc);
		break;
	case E_CALL:
		if (e->sym)
			sym_learn(sc, e->sym, t, e->loc);
		break;
	case E_TERNARY:
		expect_type(sc, e->b, t);
		expect_type(sc, e->c, t);
		break;
	default:
		break;
	}
	if (sc->checking && e->type != T_UNKNOWN && e->type != t &&
	    !(e->kind == E_IDENT || e->kind == E_INDEX))
		diag_report("semantic error", e->loc,
			    "type mismatch: expected %s, found %s",
			    etype_name(t), etype_name(e->type));
}

static void walk_expr(struct scope *sc, struct node *e);
static void walk_stmt(struct scope *sc, struct node *s);

static void unsupported(struct scope *sc, struct node *n, const char *what,
			const char *hint)
{
	if (!sc->checking)
		return;
	diag_report("semantic error", n->loc, "%s is not supported yet", what);
	if (hint)
		diag_hint("%s", hint);
}

static struct symbol *bind_array(struct scope *sc, struct node *id,
				 int nkeys)
{
	struct symbol *g;

	if (!id || id->kind != E_IDENT) {
		unsupported(sc, id ? id : NULL, "indexing this expression",
			    NULL);
		return NULL;
	}
	g = sem_find_global(sc->p, id->str);
	if (!g) {
		if (sc->checking) {
			diag_report("semantic error", id->loc,
				    "unresolved array '%s'", id->str);
			diag_hint("declare it: global %s", id->str);
		}
		return NULL;
	}
	id->sym = g;
	if (nkeys > SEM_MAXKEYS) {
		if (sc->checking)
			diag_report("semantic error", id->loc,
				    "too many index expressions (at most %d)",
				    SEM_MAXKEYS);
		return NULL;
	}
	if (g->nkeys == 0 && nkeys > 0) {
		g->nkeys = nkeys;
		sc->changed = true;
	} else if (g->nkeys != nkeys && sc->checking) {
		diag_report("semantic error", id->loc,
			    "'%s' is used with %d index expressions here but "
			    "%d elsewhere",
			    g->name, nkeys, g->nkeys);
	}
	return g;
}

static void walk_keys(struct scope *sc, struct symbol *g, struct node *keys)
{
	int i = 0;

	for (struct node *k = keys; k; k = k->next, i++) {
		if (k->kind == E_STAR)
			continue;
		walk_expr(sc, k);
		if (!g || i >= SEM_MAXKEYS)
			continue;
		if (k->type == T_STRING && k->strmax > g->keysize[i])
			g->keysize[i] = k->strmax;
		if (g->keytypes[i] == T_UNKNOWN && k->type != T_UNKNOWN) {
			g->keytypes[i] = k->type;
			sc->changed = true;
		} else if (k->type == T_UNKNOWN) {
			expect_type(sc, k, g->keytypes[i]);
		} else if (sc->checking && k->type != g->keytypes[i]) {
			diag_report("semantic error", k->loc,
				    "index %d of '%s' is %s here but %s "
				    "elsewhere",
				    i + 1, g->name, etype_name(k->type),
				    etype_name(g->keytypes[i]));
		}
	}
}

static int strmax_default(struct scope *sc)
{
	return (int)sc->p->opt.maxstringlen;
}

static void walk_ident(struct scope *sc, struct node *e, bool assigned)
{
	struct symbol *s = local_find(sc, e->str);

	if (!s)
		s = context_find(sc, e->str, false, e->loc);
	if (!s)
		s = sem_find_global(sc->p, e->str);
	if (!s)
		s = local_add(sc, e->str, e->loc);
	e->sym = s;
	if (s->kind == SYM_GLOBAL && s->nkeys > 0 && sc->checking) {
		diag_report("semantic error", e->loc,
			    "'%s' is an array: index it, as %s[...]", s->name,
			    s->name);
	}
	if (assigned) {
		s->written = true;
		if (s->kind == SYM_CONTEXT && sc->checking)
			diag_report("semantic error", e->loc,
				    "'%s' is a probe context variable and "
				    "cannot be assigned",
				    s->name);
	} else {
		s->read = true;
	}
	e->type = s->type;
	if (s->kind == SYM_CONTEXT && s->type == T_STRING)
		e->strmax = s->field && s->field->array_len
				    ? s->field->array_len + 1
				    : (s->const_str ? (int)strlen(s->const_str) + 1
						    : strmax_default(sc));
	else
		e->strmax = strmax_default(sc);
}

static void walk_lvalue(struct scope *sc, struct node *e)
{
	if (e->kind == E_IDENT) {
		walk_ident(sc, e, true);
	} else if (e->kind == E_INDEX) {
		struct symbol *g = bind_array(sc, e->a, e->nargs);

		e->sym = g;
		walk_keys(sc, g, e->args);
		if (g) {
			g->written = true;
			e->type = g->type;
		}
		e->strmax = strmax_default(sc);
	} else {
		walk_expr(sc, e);
		if (sc->checking)
			diag_report("semantic error", e->loc,
				    "this expression cannot be assigned to");
	}
}

static void walk_call(struct scope *sc, struct node *e)
{
	struct symbol *f = find_function_arity(sc->p, e->str, e->nargs);
	const struct builtin_info *bi;
	int i = 0;

	for (struct node *a = e->args; a; a = a->next)
		walk_expr(sc, a);
	if (f) {
		struct param *pa = f->fn->params;

		e->sym = f;
		if (e->nargs != f->fn->nparams && sc->checking)
			diag_report("semantic error", e->loc,
				    "function '%s' takes %d arguments, %d given",
				    f->name, f->fn->nparams, e->nargs);
		/* Parameters are locals 0..n-1 of the function's frame. */
		for (struct node *a = e->args; a && pa;
		     a = a->next, pa = pa->next, i++) {
			if (f->locals) {
				struct symbol **fl = f->locals;

				if (a->type == T_UNKNOWN)
					expect_type(sc, a, fl[i]->type);
				else
					sym_learn(sc, fl[i], a->type, a->loc);
			}
		}
		e->type = f->type;
		e->strmax = strmax_default(sc);
		return;
	}
	bi = builtin_lookup(e->str);
	if (!bi) {
		if (sc->checking) {
			const char *sug = builtin_suggest(e->str);

			diag_report("semantic error", e->loc,
				    "unresolved function '%s'", e->str);
			if (sug)
				diag_hint("did you mean %s()?", sug);
		}
		return;
	}
	e->op = bi->id;
	e->type = bi->ret;
	e->strmax = bi->id == BI_EXECNAME || bi->id == BI_PEXECNAME
			    ? 16
			    : strmax_default(sc);
	if (sc->checking &&
	    (e->nargs < bi->min_args ||
	     (bi->max_args >= 0 && e->nargs > bi->max_args)))
		diag_report("semantic error", e->loc,
			    "%s() takes %d%s argument%s, %d given", bi->name,
			    bi->min_args,
			    bi->max_args < 0 ? " or more" : "",
			    bi->min_args == 1 && bi->max_args == 1 ? "" : "s",
			    e->nargs);
	if (bi->arg != T_UNKNOWN)
		for (struct node *a = e->args; a; a = a->next)
			expect_type(sc, a, bi->arg);
	if ((bi->id == BI_PRINTF || bi->id == BI_SPRINTF) && e->args) {
		if (e->args->kind != E_STR && sc->checking)
			diag_report("semantic error", e->args->loc,
				    "the format of %s must be a string literal",
				    bi->name);
	}
	if (sc->checking && sc->rp && sc->rp->kernel && !bi->kernel) {
		diag_report("semantic error", e->loc,
			    "%s() is not available in kernel-context probes "
			    "yet",
			    bi->name);
		if (bi->id >= BI_SPRINT_BACKTRACE && bi->id <= BI_SPRINT_USTACK)
			diag_hint("symbols are looked up in user space: print "
				  "stacks with print_backtrace() or "
				  "print_ubacktrace(), or keep addresses or "
				  "backtrace() strings in a global and name "
				  "them with %s() in an end or timer probe",
				  bi->name);
	}
}

static enum etype binary_type(struct scope *sc, struct node *e)
{
	switch (e->op) {
	case OP_CAT:
		expect_type(sc, e->a, T_STRING);
		expect_type(sc, e->b, T_STRING);
		e->strmax = e->a->strmax + e->b->strmax - 1;
		if (e->strmax > strmax_default(sc))
			e->strmax = strmax_default(sc);
		return T_STRING;
	case OP_EQ: case OP_NE: case OP_LT: case OP_LE: case OP_GT:
	case OP_GE:
		if (e->a->type == T_UNKNOWN)
			expect_type(sc, e->a, e->b->type);
		else if (e->b->type == T_UNKNOWN)
			expect_type(sc, e->b, e->a->type);
		else if (sc->checking && e->a->type != e->b->type)
			diag_report("semantic error", e->loc,
				    "cannot compare %s with %s",
				    etype_name(e->a->type),
				    etype_name(e->b->type));
		return T_LONG;
	case OP_MATCH: case OP_NMATCH:
		unsupported(sc, e, "regular expression matching",
			    NULL);
		return T_LONG;
	default:
		expect_type(sc, e->a, T_LONG);
		expect_type(sc, e->b, T_LONG);
		return T_LONG;
	}
}

static void walk_assign(struct scope *sc, struct node *e)
{
	walk_expr(sc, e->b);
	walk_lvalue(sc, e->a);
	if (e->a->sym && e->a->kind == E_IDENT)
		e->a->sym->read = e->a->sym->read || e->op != OP_ASSIGN;
	switch (e->op) {
	case OP_ASSIGN:
		if (e->a->type == T_UNKNOWN)
			expect_type(sc, e->a, e->b->type);
		else
			expect_type(sc, e->b, e->a->type);
		e->type = e->a->type != T_UNKNOWN ? e->a->type : e->b->type;
		break;
	case OP_CAT_ASSIGN:
		expect_type(sc, e->a, T_STRING);
		expect_type(sc, e->b, T_STRING);
		e->type = T_STRING;
		break;
	case OP_AGG:
		/* checked further by semantic/stats.c */
		expect_type(sc, e->a, T_STATS);
		expect_type(sc, e->b, T_LONG);
		e->type = T_VOID;
		break;
	default:
		expect_type(sc, e->a, T_LONG);
		expect_type(sc, e->b, T_LONG);
		e->type = T_LONG;
		break;
	}
	e->strmax = strmax_default(sc);
}

/* @defined(x): whether x resolves here (a target variable, a chain,
 * @cast, @var). It is tried as the checking walk would, with its
 * diagnostics muted; the node then becomes the number 0 or 1. */
static bool defined_try(struct scope *sc, struct node *x)
{
	bool checking = sc->checking;
	int before = diag_muted_errors();

	sc->checking = true;
	diag_mute(1);
	walk_expr(sc, x);
	diag_mute(-1);
	sc->checking = checking;
	return diag_muted_errors() == before && x->type != T_UNKNOWN;
}

/* Replace e by pick, keeping e's place in its list. */
static void defined_replace(struct node *e, const struct node *pick)
{
	struct node *next = e->next;

	*e = *pick;
	e->next = next;
}

/* Fold @defined() and @choose_defined() in place. */
static void defined_fold(struct scope *sc, struct node *e)
{
	if (e->kind == E_CHOOSE_DEFINED) {
		defined_replace(e, defined_try(sc, e->a) ? e->a : e->b);
		return;
	}
	e->num = defined_try(sc, e->a);
	e->kind = E_NUM;
	e->a = NULL;
	e->type = T_LONG;
}

/* A condition made of @defined() (or its negation) is known here: the
 * branch it rules out is dropped before it is checked, so a tapset can
 * guard a target variable that only some kernels have. -1: not such a
 * condition. */
static int defined_cond(struct scope *sc, struct node *c)
{
	int v;

	if (c->kind == E_UNARY && c->op == OP_NOT) {
		v = defined_cond(sc, c->a);
		if (v >= 0)
			defined_replace(c, &(struct node){ .kind = E_NUM,
				.loc = c->loc, .num = !v, .type = T_LONG });
		return v < 0 ? -1 : !v;
	}
	if (c->kind != E_DEFINED)
		return -1;
	defined_fold(sc, c);
	return c->num != 0;
}

static void walk_expr(struct scope *sc, struct node *e)
{
	if (!e)
		return;
	switch (e->kind) {
	case E_NUM:
		e->type = T_LONG;
		break;
	case E_STR:
		e->type = T_STRING;
		e->strmax = (int)e->num + 1;
		if (e->strmax > strmax_default(sc))
			e->strmax = strmax_default(sc);
		break;
	case E_IDENT:
		walk_ident(sc, e, false);
		break;
	case E_TARGET: {
		struct symbol *s;

		for (struct node *c = e->a; c; c = c->next)
			if (c->kind == E_SUBSCRIPT) {
				walk_expr(sc, c->a);
				expect_type(sc, c->a, T_LONG);
			}
		if (sc->rp && sc->rp->usdt) {
			s = usdt_var_resolve(sc->rp, e, sc->checking);
			if (!s)
				break;
			s->read = true;
			e->sym = s;
			e->type = s->type;
			e->strmax = strmax_default(sc);
			break;
		}
		if (target_var_resolve(sc->p, sc->rp, e, sc->checking, &s)) {
			if (!s)
				break;
			s->read = true;
			e->sym = s;
			e->type = s->type;
			e->strmax = s->type == T_STRING
					    ? (int)target_strsize(s)
					    : strmax_default(sc);
			break;
		}
		if (e->a) {
			unsupported(sc, e, "'->' and '[]' on target variables",
				    "typed BTF tracepoint arguments arrive with "
				    "the probe-point work");
			break;
		}
		s = context_find(sc, e->str, true, e->loc);
		if (!s) {
			if (sc->checking) {
				diag_report("semantic error", e->loc,
					    "unresolved target variable '$%s'",
					    e->str);
				if (sc->rp && sc->rp->type == PT_UPROBE) {
					diag_hint("process probes read no "
						  "debuginfo: take arguments "
						  "with int_arg(N), long_arg(N), "
						  "pointer_arg(N) or "
						  "register(\"rdi\"), and the "
						  "return value with "
						  "returnval()");
				} else if (sc->rp && sc->rp->tp) {
					char *buf = NULL;
					size_t len = 0;
					FILE *m = open_memstream(&buf, &len);

					for (int i = 0; i < sc->rp->tp->nfields;
					     i++) {
						const struct tp_field *f =
							&sc->rp->tp->fields[i];
						if (!f->is_common)
							fprintf(m, " $%s",
								f->name);
					}
					fclose(m);
					diag_hint("%s has:%s%s",
						  sc->rp->name, buf,
						  sc->rp->is_return
							  ? " $return"
							  : "");
					free(buf);
				} else {
					diag_hint("target variables exist only "
						  "in kernel probes");
				}
			}
			break;
		}
		if (s->ctx == CTX_TP_FIELD)
			target_var_note_field(sc->rp, e, sc->checking);
		s->read = true;
		e->sym = s;
		e->type = s->type;
		e->strmax = s->field && s->field->array_len
				    ? s->field->array_len + 1
				    : strmax_default(sc);
		break;
	}
	case E_INDEX: {
		struct symbol *g = bind_array(sc, e->a, e->nargs);

		e->sym = g;
		walk_keys(sc, g, e->args);
		if (g) {
			g->read = true;
			e->type = g->type;
		}
		e->strmax = strmax_default(sc);
		break;
	}
	case E_CALL:
		walk_call(sc, e);
		break;
	case E_BINARY:
		walk_expr(sc, e->a);
		walk_expr(sc, e->b);
		e->type = binary_type(sc, e);
		break;
	case E_UNARY:
		if (e->op == OP_ADDR) {
			/* &$p->f, &@cast(p, "T")->f: the member's address */
			if (!e->a || (e->a->kind != E_TARGET &&
				      e->a->kind != E_CAST)) {
				if (sc->checking)
					diag_report("semantic error", e->loc,
						    "'&' takes the address of "
						    "a target member: "
						    "&$ptr->field or "
						    "&@cast(p, \"type\")->field");
				e->type = T_LONG;
				break;
			}
			e->a->addr_of = true;
		}
		walk_expr(sc, e->a);
		expect_type(sc, e->a, T_LONG);
		e->type = T_LONG;
		break;
	case E_INCDEC:
		walk_lvalue(sc, e->a);
		if (e->a->sym)
			e->a->sym->read = true;
		expect_type(sc, e->a, T_LONG);
		e->type = T_LONG;
		break;
	case E_ASSIGN:
		walk_assign(sc, e);
		break;
	case E_TERNARY:
		switch (defined_cond(sc, e->a)) {
		case 1:
			defined_replace(e, e->b);
			walk_expr(sc, e);
			return;
		case 0:
			defined_replace(e, e->c);
			walk_expr(sc, e);
			return;
		}
		walk_expr(sc, e->a);
		walk_expr(sc, e->b);
		walk_expr(sc, e->c);
		expect_type(sc, e->a, T_LONG);
		if (e->b->type == T_UNKNOWN)
			expect_type(sc, e->b, e->c->type);
		else
			expect_type(sc, e->c, e->b->type);
		e->type = e->b->type != T_UNKNOWN ? e->b->type : e->c->type;
		e->strmax = e->b->strmax > e->c->strmax ? e->b->strmax
							: e->c->strmax;
		break;
	case E_IN: {
		struct symbol *g = bind_array(sc, e->a, e->nargs);

		walk_keys(sc, g, e->args);
		if (g)
			g->read = true;
		e->sym = g;
		e->type = T_LONG;
		break;
	}
	case E_STAR:
		break;
	case E_REGEX:
		walk_expr(sc, e->a);
		walk_expr(sc, e->b);
		expect_type(sc, e->a, T_STRING);
		sem_regex_compile(sc->p, e);
		e->type = T_LONG;
		break;
	case E_STATOP:
	case E_HIST:
		/* operand and parameters: semantic/stats.c */
		walk_expr(sc, e->a);
		expect_type(sc, e->a, T_STATS);
		e->type = e->kind == E_HIST ? T_STATS : T_LONG;
		break;
	case E_HIST_INDEX:
		walk_expr(sc, e->a);
		walk_expr(sc, e->b);
		expect_type(sc, e->b, T_LONG);
		e->type = T_LONG;
		break;
	case E_CAST: {
		struct symbol *s;

		walk_expr(sc, e->a);
		expect_type(sc, e->a, T_LONG);
		for (struct node *c = e->c; c; c = c->next)
			if (c->kind == E_SUBSCRIPT) {
				walk_expr(sc, c->a);
				expect_type(sc, c->a, T_LONG);
			}
		e->type = T_LONG;
		if (sc->rp && !sc->rp->kernel) {
			unsupported(sc, e, "@cast in user-context probes",
				    "use it in a kernel probe");
			break;
		}
		s = target_cast_resolve(sc->p, sc->rp, e, sc->checking);
		if (!s)
			break;
		e->sym = s;
		e->type = s->type;
		e->strmax = s->type == T_STRING ? (int)target_strsize(s)
						: strmax_default(sc);
		break;
	}
	case E_DEFINED:
	case E_CHOOSE_DEFINED:
		defined_fold(sc, e);
		walk_expr(sc, e);
		break;
	case E_DOLLARS:
		dollars_expand(sc->rp, e);
		walk_expr(sc, e);
		break;
	case E_ARG:
	case E_ARGC:
		if (sc->checking)
			diag_report("semantic error", e->loc,
				    "unresolved script argument");
		e->type = T_LONG;
		break;
	default:
		unsupported(sc, e,
			    e->kind == E_ENTRY	     ? "@entry()"
			    : e->kind == E_DEFINED   ? "@defined()"
			    : e->kind == E_CAST	     ? "@cast()"
			    : e->kind == E_DOLLARS   ? "$$vars and friends"
			    : e->kind == E_CHOOSE_DEFINED ? "@choose_defined()"
						     : "this expression",
			    NULL);
		e->type = T_LONG;
		break;
	}
}

/* What every foreach form shares: the limit is a long, the body a loop. */
static void walk_foreach_limit_body(struct scope *sc, struct foreach_info *fe)
{
	if (fe->limit) {
		walk_expr(sc, fe->limit);
		expect_type(sc, fe->limit, T_LONG);
	}
	sc->loop_depth++;
	walk_stmt(sc, fe->body);
	sc->loop_depth--;
}

/* foreach (b in @hist_linear(s, ...)): b runs over bucket indexes. */
static void walk_foreach_hist(struct scope *sc, struct node *s)
{
	struct foreach_info *fe = s->fe;

	walk_expr(sc, fe->array);
	if ((fe->nkeys != 1 || fe->value) && sc->checking) {
		diag_report("semantic error", s->loc,
			    "foreach over histogram buckets takes one key: "
			    "the bucket index");
		diag_hint("write foreach (b in @hist_log(s)) and read "
			  "@hist_log(s)[b]");
	}
	for (struct node *k = fe->keys; k; k = k->next) {
		walk_ident(sc, k, true);
		sym_learn(sc, k->sym, T_LONG, k->loc);
	}
	walk_foreach_limit_body(sc, fe);
}

static void walk_foreach(struct scope *sc, struct node *s)
{
	struct foreach_info *fe = s->fe;
	struct symbol *g;
	int i = 0;

	if (fe->array->kind == E_HIST) {
		walk_foreach_hist(sc, s);
		return;
	}
	if (fe->array->kind != E_IDENT) {
		unsupported(sc, fe->array, "foreach over this expression",
			    NULL);
		return;
	}
	g = bind_array(sc, fe->array, fe->nkeys);
	if (g)
		g->read = true;
	for (struct node *k = fe->keys; k; k = k->next, i++) {
		walk_ident(sc, k, true);
		if (k->sym && k->sym->kind != SYM_LOCAL && sc->checking)
			diag_report("semantic error", k->loc,
				    "foreach key '%s' must be a local variable",
				    k->str);
		if (g && i < SEM_MAXKEYS) {
			if (g->keytypes[i] != T_UNKNOWN)
				sym_learn(sc, k->sym, g->keytypes[i], k->loc);
			else if (k->sym && k->sym->type != T_UNKNOWN) {
				g->keytypes[i] = k->sym->type;
				sc->changed = true;
			}
		}
	}
	if (fe->value) {
		walk_ident(sc, fe->value, true);
		if (g)
			sym_learn(sc, fe->value->sym, g->type, fe->value->loc);
	}
	if (fe->slice)
		unsupported(sc, s, "foreach over an array slice", NULL);
	if (fe->sort_agg && g && g->type != T_STATS && sc->checking) {
		diag_report("semantic error", s->loc,
			    "sorting by @%s needs an array of aggregates",
			    ast_statop_str(fe->sort_agg));
		diag_hint("sort '%s' by value with '%s-' or '%s+'", g->name,
			  g->name, g->name);
	}
	walk_foreach_limit_body(sc, fe);
}

static void walk_stmt(struct scope *sc, struct node *s)
{
	if (!s)
		return;
	switch (s->kind) {
	case S_BLOCK:
		for (struct node *c = s->args; c; c = c->next)
			walk_stmt(sc, c);
		break;
	case S_EXPR:
		walk_expr(sc, s->a);
		break;
	case S_IF:
		switch (defined_cond(sc, s->a)) {
		case 1:
			s->c = NULL;
			break;
		case 0:
			s->b = ast_node_new(S_BLOCK, s->loc);
			break;
		}
		walk_expr(sc, s->a);
		expect_type(sc, s->a, T_LONG);
		walk_stmt(sc, s->b);
		walk_stmt(sc, s->c);
		break;
	case S_WHILE:
		walk_expr(sc, s->a);
		expect_type(sc, s->a, T_LONG);
		sc->loop_depth++;
		walk_stmt(sc, s->b);
		sc->loop_depth--;
		break;
	case S_FOR:
		walk_expr(sc, s->a);
		walk_expr(sc, s->b);
		if (s->b)
			expect_type(sc, s->b, T_LONG);
		walk_expr(sc, s->c);
		sc->loop_depth++;
		walk_stmt(sc, s->d);
		sc->loop_depth--;
		break;
	case S_FOREACH:
		walk_foreach(sc, s);
		break;
	case S_BREAK:
	case S_CONTINUE:
		if (!sc->loop_depth && sc->checking)
			diag_report("semantic error", s->loc,
				    "%s outside a loop",
				    s->kind == S_BREAK ? "break" : "continue");
		break;
	case S_NEXT:
		if (sc->fn && sc->checking)
			diag_report("semantic error", s->loc,
				    "next is allowed only in probe handlers");
		break;
	case S_RETURN:
		if (!sc->fn) {
			if (sc->checking)
				diag_report("semantic error", s->loc,
					    "return outside a function");
			break;
		}
		walk_expr(sc, s->a);
		if (s->a) {
			if (s->a->type == T_UNKNOWN)
				expect_type(sc, s->a, sc->fn->type);
			else
				sym_learn(sc, sc->fn, s->a->type, s->a->loc);
		}
		break;
	case S_DELETE:
		if (s->a->kind == E_INDEX) {
			struct symbol *g = bind_array(sc, s->a->a, s->a->nargs);

			s->a->sym = g;
			walk_keys(sc, g, s->a->args);
			if (g)
				g->written = true;
		} else if (s->a->kind == E_IDENT) {
			struct symbol *g = sem_find_global(sc->p, s->a->str);

			if (g && g->nkeys > 0) {
				s->a->sym = g;
				g->written = true;
			} else {
				walk_ident(sc, s->a, true);
			}
		} else if (sc->checking) {
			diag_report("semantic error", s->loc,
				    "delete needs a variable, an array or an "
				    "array element");
		}
		break;
	case S_TRY:
		/* the catch variable is a string local of the handler */
		walk_stmt(sc, s->a);
		if (s->str) {
			s->sym = local_find(sc, s->str);
			if (!s->sym)
				s->sym = local_add(sc, s->str, s->loc);
			sym_learn(sc, s->sym, T_STRING, s->loc);
		}
		walk_stmt(sc, s->b);
		break;
	case S_EMBEDDED:
		if (sc->checking) {
			diag_report("semantic error", s->loc,
				    "embedded C (%%{ %%}) cannot run in BPF");
			diag_hint("use script functions instead");
		}
		break;
	case S_NULL:
		break;
	default:
		walk_expr(sc, s);
		break;
	}
}

static void walk_all(struct program *p, bool checking, bool *changed)
{
	for (struct symbol *f = p->functions; f; f = f->next) {
		struct symbol **fl = f->locals;
		struct scope sc = { .p = p, .fn = f, .checking = checking };

		sc.locals = &fl;
		sc.nlocals = &f->nlocals;
		if (checking && f->fn->body->kind == S_EMBEDDED) {
			diag_report("semantic error", f->fn->body->loc,
				    "embedded C (%%{ %%}) cannot run in BPF");
			diag_hint("write the function in the script language");
		} else {
			walk_stmt(&sc, f->fn->body);
		}
		f->locals = fl;
		*changed |= sc.changed;
	}
	for (struct rprobe *rp = p->probes; rp; rp = rp->next) {
		struct scope sc = { .p = p, .rp = rp, .checking = checking };

		sc.locals = &rp->locals;
		sc.nlocals = &rp->nlocals;
		walk_stmt(&sc, rp->body);
		*changed |= sc.changed;
	}
}

static void function_declare(struct program *p, struct function *fn)
{
	struct symbol *f = sym_new(SYM_FUNCTION, fn->name, fn->loc);
	struct symbol **fl = NULL;
	struct symbol **tail = &p->functions;
	int i = 0;

	f->fn = fn;
	f->type = fn->ret;
	fn->sym = f;
	for (struct param *pa = fn->params; pa; pa = pa->next, i++) {
		struct symbol *ps = sym_new(SYM_LOCAL, pa->name, pa->loc);

		ps->slot = i;
		ps->is_param = true;
		ps->type = pa->type;
		fl = realloc(fl, (i + 1) * sizeof(*fl));
		if (!fl)
			abort();
		fl[i] = ps;
	}
	f->nlocals = i;
	f->locals = fl;
	while (*tail)
		tail = &(*tail)->next;
	*tail = f;
}

static void global_declare(struct program *p, struct global *gd)
{
	struct symbol *g = sem_find_global(p, gd->name);
	struct symbol **tail = &p->globals;

	if (g) {
		diag_report("semantic error", gd->loc,
			    "global '%s' is declared twice", gd->name);
		return;
	}
	g = sym_new(SYM_GLOBAL, gd->name, gd->loc);
	g->decl = gd;
	g->wrap = gd->wrap;
	gd->sym = g;
	if (gd->init) {
		const struct node *v = gd->init;

		if (v->kind == E_UNARY)
			v = v->a;
		g->type = v && v->kind == E_STR ? T_STRING : T_LONG;
	}
	if (gd->size > 0)
		g->maxentries = (uint32_t)gd->size;
	while (*tail)
		tail = &(*tail)->next;
	*tail = g;
	p->nglobals++;
}

int sem_resolve_symbols(struct program *p)
{
	int before = diag_error_count();
	bool changed = true;

	for (struct global *gd = p->script->globals; gd; gd = gd->next)
		global_declare(p, gd);
	for (struct function *fn = p->script->functions; fn; fn = fn->next) {
		struct symbol *same = find_function_arity(p, fn->name,
							  fn->nparams);

		if (same && same->fn->nparams == fn->nparams) {
			diag_report("semantic error", fn->loc,
				    "function '%s' is defined twice with %d "
				    "parameters",
				    fn->name, fn->nparams);
			continue;
		}
		function_declare(p, fn);
	}
	for (int i = 0; changed && i < 32; i++) {
		changed = false;
		walk_all(p, false, &changed);
	}
	walk_all(p, true, &changed);

	/* What is still untyped: report locals that are used; default
	 * unused globals to long, as stap does for unreferenced ones. */
	for (struct symbol *g = p->globals; g; g = g->next) {
		if (g->type == T_UNKNOWN && (g->read || g->written))
			diag_report("semantic error", g->loc,
				    "cannot infer the type of global '%s'",
				    g->name);
		if (g->type == T_UNKNOWN)
			g->type = T_LONG;
		for (int i = 0; i < g->nkeys; i++)
			if (g->keytypes[i] == T_UNKNOWN)
				diag_report("semantic error", g->loc,
					    "cannot infer the type of index %d "
					    "of '%s'",
					    i + 1, g->name);
	}
	for (struct rprobe *rp = p->probes; rp; rp = rp->next)
		for (int i = 0; i < rp->nlocals; i++) {
			struct symbol *l = rp->locals[i];

			if (l->type != T_UNKNOWN)
				continue;
			diag_report("semantic error", l->loc,
				    "cannot infer the type of '%s'", l->name);
			diag_hint("assign it a value, or declare it with "
				  "'global %s'",
				  l->name);
		}
	for (struct symbol *f = p->functions; f; f = f->next) {
		struct symbol **fl = f->locals;

		if (f->type == T_UNKNOWN)
			f->type = T_VOID;
		for (int i = 0; i < f->nlocals; i++)
			if (fl[i]->type == T_UNKNOWN)
				fl[i]->type = T_LONG;
	}
	return diag_error_count() > before ? -1 : 0;
}
