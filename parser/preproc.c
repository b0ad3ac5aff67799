// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The stap preprocessor, on tokens: %( COND %? THEN %: ELSE %) conditionals,
 * @define macros and the $1/@1/$#/@# script arguments.
 *
 * As in stap, @define runs in a pass before conditionals (so a macro body
 * can itself hold conditionals, evaluated at each expansion); then one
 * recursive walk evaluates conditionals, expands macros and substitutes
 * arguments, descending only into the branches that are kept.
 */
#define _GNU_SOURCE
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include "parser/diag.h"
#include "parser/grammar.h"
#include "parser/token.h"

#define PP_MAX_DEPTH 64		 /* nested conditionals + expansions */
#define PP_MAX_TOKENS (4 << 20) /* stops runaway macro expansion */

struct macro {
	const char *name;
	const char **params;
	int nparams;
	struct token *body;
	int nbody;
	struct loc loc;
	struct macro *next;
};

/* Macros from .stpm library files are visible to every later parse, as
 * stap's library macros are; others are local to their file. */
static struct macro *pp_library_macros;

struct pp {
	const char *file;
	const struct parse_env *env;
	struct macro *macros;
	int errors;
	bool overflow;
	int in_cond; /* arguments stay tokens inside conditions */
	struct token_vec *out;
};

static void pp_error(struct pp *pp, struct loc loc, const char *fmt,
		     const char *arg)
{
	char msg[512];

	snprintf(msg, sizeof(msg), fmt, arg);
	diag_report("parse error", loc, "%s", msg);
	pp->errors++;
}

static bool pp_emit(struct pp *pp, struct token_vec *out, const struct token *t)
{
	if (out->n >= PP_MAX_TOKENS) {
		if (!pp->overflow)
			pp_error(pp, t->loc, "%s",
				 "preprocessor output too large "
				 "(runaway macro expansion?)");
		pp->overflow = true;
		return false;
	}
	token_vec_push(out, t);
	return true;
}

static struct macro *pp_find_macro(struct pp *pp, const char *name)
{
	for (struct macro *m = pp->macros; m; m = m->next)
		if (strcmp(m->name, name) == 0)
			return m;
	for (struct macro *m = pp_library_macros; m; m = m->next)
		if (strcmp(m->name, name) == 0)
			return m;
	return NULL;
}

static bool pp_is_at_word(const struct token *t)
{
	return t->text && t->text[0] == '@' && t->text[1] &&
	       t->type != TOK_ARG_STR && t->type != TOK_ARGC_STR;
}

/* Index of the %) closing the %( at i (or n when missing). */
static int pp_match_end(const struct token *v, int i, int n)
{
	int depth = 0;

	for (; i < n; i++) {
		if (v[i].type == TOK_PP_IF)
			depth++;
		else if (v[i].type == TOK_PP_END && --depth == 0)
			return i;
	}
	return n;
}

/* ---- pass 1: @define ---- */

static int pp_define(struct pp *pp, const struct token *v, int i, int n,
		     bool library)
{
	const struct token *at = &v[i];
	struct macro *m;
	int end;

	i++;
	if (i >= n || (v[i].type != TOK_IDENT && !(v[i].text &&
			(v[i].text[0] >= 'a' && v[i].text[0] <= 'z')))) {
		pp_error(pp, i < n ? v[i].loc : at->loc, "%s",
			 "expected a macro name after '@define'");
		return i;
	}
	m = calloc(1, sizeof(*m));
	if (!m)
		abort();
	m->name = ast_intern(v[i].text);
	m->loc = v[i].loc;
	i++;
	if (i < n && v[i].type == '(' && !v[i].space_before) {
		i++;
		while (i < n && v[i].type != ')') {
			if (v[i].type != TOK_IDENT) {
				pp_error(pp, v[i].loc, "%s",
					 "expected a parameter name");
				return i;
			}
			m->params = realloc(m->params, sizeof(char *) *
					    (size_t)(m->nparams + 1));
			if (!m->params)
				abort();
			m->params[m->nparams++] = ast_intern(v[i].text);
			i++;
			if (i < n && v[i].type == ',')
				i++;
			else if (i < n && v[i].type != ')') {
				pp_error(pp, v[i].loc, "%s",
					 "expected ',' or ')' in macro "
					 "parameters");
				return i;
			}
		}
		i++;
	}
	if (i >= n || v[i].type != TOK_PP_IF) {
		pp_error(pp, i < n ? v[i].loc : at->loc,
			 "expected '%%(' to start the body of macro '@%s'",
			 m->name);
		return i;
	}
	end = pp_match_end(v, i, n);
	if (end >= n) {
		pp_error(pp, v[i].loc, "unterminated body of macro '@%s'",
			 m->name);
		diag_hint("the body ends with a matching '%%)'");
		return n;
	}
	/* Copy the body: library macros outlive this parse's tokens. */
	m->nbody = end - i - 1;
	m->body = malloc(sizeof(*m->body) * (size_t)(m->nbody + 1));
	if (!m->body)
		abort();
	memcpy(m->body, &v[i + 1], sizeof(*m->body) * (size_t)m->nbody);
	if (pp_find_macro(pp, m->name)) {
		struct macro *old = pp_find_macro(pp, m->name);

		pp_error(pp, m->loc, "macro '@%s' is already defined",
			 m->name);
		diag_report("note", old->loc, "previous definition is here");
	}
	if (library) {
		m->next = pp_library_macros;
		pp_library_macros = m;
	} else {
		m->next = pp->macros;
		pp->macros = m;
	}
	return end + 1;
}

/* ---- conditions ---- */

static const char *pp_kernel_release(const struct parse_env *env)
{
	static struct utsname u;
	static bool done;

	if (env && env->kernel_release)
		return env->kernel_release;
	if (!done && uname(&u) == 0)
		done = true;
	return done ? u.release : "0";
}

static const char *pp_arch(const struct parse_env *env)
{
	static struct utsname u;
	static bool done;

	if (env && env->arch)
		return env->arch;
	if (!done && uname(&u) == 0)
		done = true;
	return done ? u.machine : "unknown";
}

static bool pp_has_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

static bool pp_cmp_result(int c, int op)
{
	switch (op) {
	case OP_EQ: return c == 0;
	case OP_NE: return c != 0;
	case OP_LT: return c < 0;
	case OP_LE: return c <= 0;
	case OP_GT: return c > 0;
	case OP_GE: return c >= 0;
	}
	return false;
}

static bool pp_is_cmp(const struct token *t)
{
	return t->type == TOK_EQ || t->type == TOK_NE || t->type == '<' ||
	       t->type == '>' || t->type == TOK_LE || t->type == TOK_GE;
}

/* Compare strings: globs for == and !=, otherwise as versions when
 * `version` (strverscmp, like stap) or as plain strings. */
static bool pp_cmp_strings(struct pp *pp, const char *l, const struct token *op,
			   const char *r, bool version)
{
	if (pp_has_glob(r) && (op->op == OP_EQ || op->op == OP_NE)) {
		bool m = fnmatch(r, l, 0) == 0;

		return op->op == OP_EQ ? m : !m;
	}
	return pp_cmp_result(version ? strverscmp(l, r) : strcmp(l, r),
			     op->op);
}

static bool pp_eval_triple(struct pp *pp, const struct token *l,
			   const struct token *op, const struct token *r)
{
	const char *name = l->text;
	const struct parse_env *env = pp->env;

	if (!pp_is_cmp(op)) {
		pp_error(pp, op->loc, "expected a comparison operator in "
			 "preprocessor condition, found '%s'", op->text);
		return false;
	}
	if (l->type == TOK_IDENT) {
		const char *val = NULL;
		bool version = false, strings_only = true;

		if (strcmp(name, "kernel_v") == 0 ||
		    strcmp(name, "kernel_vr") == 0) {
			static char kv[256];

			val = pp_kernel_release(env);
			if (strcmp(name, "kernel_v") == 0) {
				snprintf(kv, sizeof(kv), "%s", val);
				kv[strcspn(kv, "-")] = '\0';
				val = kv;
			}
			version = true;
		} else if (strcmp(name, "systemtap_v") == 0) {
			val = env && env->systemtap_v ? env->systemtap_v : "5.0";
			version = true;
		} else if (strcmp(name, "arch") == 0) {
			val = pp_arch(env);
		} else if (strcmp(name, "runtime") == 0) {
			val = env && env->runtime ? env->runtime : "bpf";
		} else if (strcmp(name, "systemtap_privilege") == 0) {
			val = "stapdev";
		} else if (strcmp(name, "guru_mode") == 0) {
			val = "0";
			strings_only = false;
		} else if (strncmp(name, "CONFIG_", 7) == 0) {
			/* Unknown configuration counts as unset. */
			val = env && env->config ? env->config(name) : NULL;
			if (!val)
				val = "";
			strings_only = false;
		} else {
			pp_error(pp, l->loc, "unknown preprocessor condition "
				 "'%s'", name);
			diag_hint("conditions test kernel_v, kernel_vr, arch, "
				  "runtime, systemtap_v, systemtap_privilege, "
				  "CONFIG_..., $#, @#, $N or @N");
			return false;
		}
		if (r->type == TOK_STRING)
			return pp_cmp_strings(pp, val, op, r->text, version);
		if (r->type == TOK_NUMBER && !strings_only)
			return pp_cmp_result((strtoll(val, NULL, 0) > r->num) -
					     (strtoll(val, NULL, 0) < r->num),
					     op->op);
		pp_error(pp, r->loc, "expected a string to compare '%s' with",
			 name);
		return false;
	}
	if (l->type == TOK_NUMBER && r->type == TOK_NUMBER)
		return pp_cmp_result((l->num > r->num) - (l->num < r->num),
				     op->op);
	if (l->type == TOK_STRING && r->type == TOK_STRING)
		return pp_cmp_strings(pp, l->text, op, r->text, false);
	pp_error(pp, l->loc, "%s", "preprocessor condition compares "
		 "different kinds of values (number vs string)");
	return false;
}

static void pp_process(struct pp *pp, const struct token *v, int n,
		       struct token_vec *out, int depth);

/* Turn $N/@N/$#/@# inside a condition into numbers or strings; a $N
 * whose text is a number compares as a number, otherwise as a string. */
static bool pp_cond_arg(struct pp *pp, const struct token *t, struct token *r)
{
	const struct parse_env *env = pp->env;
	int argc = env ? env->argc : 0;

	*r = *t;
	if (t->type == TOK_ARGC || t->type == TOK_ARGC_STR) {
		char buf[32];

		snprintf(buf, sizeof(buf), "%d", argc);
		r->type = t->type == TOK_ARGC ? TOK_NUMBER : TOK_STRING;
		r->num = argc;
		r->text = strdup(buf);
		r->len = (int64_t)strlen(buf);
		return true;
	}
	if (t->type == TOK_ARG || t->type == TOK_ARG_STR) {
		const char *a;
		char *end;

		if (t->num < 1 || t->num > argc || !env->argv) {
			pp_error(pp, t->loc, "missing script argument %s",
				 t->text);
			return false;
		}
		a = env->argv[t->num - 1];
		r->type = TOK_STRING;
		r->text = (char *)a;
		r->len = (int64_t)strlen(a);
		if (t->type == TOK_ARG && *a) {
			long long x = strtoll(a, &end, 0);

			if (*end == '\0') {
				r->type = TOK_NUMBER;
				r->num = x;
			}
		}
	}
	return true;
}

static bool pp_eval_condition(struct pp *pp, const struct token *v, int n,
			      const struct token *start, int depth)
{
	struct token_vec c = { 0 };
	bool result = false, and_result = true;
	int i = 0;

	/* Macros may appear in conditions; arguments are compared as
	 * values by pp_cond_arg, not pasted as tokens. */
	pp->in_cond++;
	pp_process(pp, v, n, &c, depth + 1);
	pp->in_cond--;
	if (c.n == 0) {
		pp_error(pp, start->loc, "%s", "empty preprocessor condition");
		token_vec_free(&c);
		return false;
	}
	for (;;) {
		struct token l, r;

		if (i + 2 >= c.n) {
			pp_error(pp, c.v[i < c.n ? i : c.n - 1].loc, "%s",
				 "incomplete preprocessor condition; expected "
				 "'NAME OP VALUE'");
			result = false;
			break;
		}
		if (!pp_cond_arg(pp, &c.v[i], &l) ||
		    !pp_cond_arg(pp, &c.v[i + 2], &r)) {
			result = false;
			break;
		}
		and_result &= pp_eval_triple(pp, &l, &c.v[i + 1], &r);
		i += 3;
		if (i < c.n && c.v[i].type == TOK_ANDAND) {
			i++;
			continue;
		}
		result |= and_result;
		and_result = true;
		if (i < c.n && c.v[i].type == TOK_OROR) {
			i++;
			continue;
		}
		if (i < c.n)
			pp_error(pp, c.v[i].loc, "expected '&&', '||' or '%%?' "
				 "in preprocessor condition, found '%s'",
				 c.v[i].text);
		break;
	}
	token_vec_free(&c);
	return result;
}

/* ---- pass 2 ---- */

static int pp_conditional(struct pp *pp, const struct token *v, int i, int n,
			  struct token_vec *out, int depth)
{
	int start = i, then = -1, els = -1, end = -1, nest = 0;
	bool cond;

	for (int j = i + 1; j < n; j++) {
		int t = v[j].type;

		if (t == TOK_PP_IF) {
			nest++;
		} else if (t == TOK_PP_END) {
			if (nest-- == 0) {
				end = j;
				break;
			}
		} else if (nest == 0 && t == TOK_PP_THEN && then < 0) {
			then = j;
		} else if (nest == 0 && t == TOK_PP_ELSE && then >= 0 &&
			   els < 0) {
			els = j;
		} else if (nest == 0 && (t == TOK_PP_THEN || t == TOK_PP_ELSE)) {
			pp_error(pp, v[j].loc, "unexpected '%s' in conditional",
				 v[j].text);
		}
	}
	if (end < 0) {
		pp_error(pp, v[start].loc, "%s",
			 "unterminated preprocessor conditional '%('");
		diag_hint("close it with '%%)'");
		return n;
	}
	if (then < 0) {
		pp_error(pp, v[start].loc, "%s",
			 "expected '%?' after the preprocessor condition");
		return end + 1;
	}
	if (depth >= PP_MAX_DEPTH) {
		pp_error(pp, v[start].loc, "%s",
			 "preprocessor conditionals nested too deeply");
		return end + 1;
	}
	cond = pp_eval_condition(pp, v + start + 1, then - start - 1,
				 &v[start], depth);
	if (cond)
		pp_process(pp, v + then + 1, (els >= 0 ? els : end) - then - 1,
			   out, depth + 1);
	else if (els >= 0)
		pp_process(pp, v + els + 1, end - els - 1, out, depth + 1);
	return end + 1;
}

static int pp_expand(struct pp *pp, struct macro *m, const struct token *v,
		     int i, int n, struct token_vec *out, int depth)
{
	const struct token *at = &v[i];
	struct token_vec *args = NULL;
	struct token_vec body = { 0 };
	int nargs = 0;

	i++;
	if (depth >= PP_MAX_DEPTH) {
		pp_error(pp, at->loc, "macro expansion too deep in '%s' "
			 "(recursive macro?)", at->text);
		return n;
	}
	if (m->nparams > 0) {
		int nest = 0, argstart;

		if (i >= n || v[i].type != '(') {
			pp_error(pp, at->loc, "macro '%s' expects arguments",
				 at->text);
			return i;
		}
		args = calloc((size_t)m->nparams, sizeof(*args));
		if (!args)
			abort();
		argstart = ++i;
		for (; i < n; i++) {
			int t = v[i].type;

			if (t == '(' || t == '[' || t == '{')
				nest++;
			else if ((t == ')' || t == ']' || t == '}') && nest > 0)
				nest--;
			else if (nest == 0 && (t == ',' || t == ')')) {
				if (nargs < m->nparams)
					pp_process(pp, v + argstart,
						   i - argstart, &args[nargs],
						   depth + 1);
				nargs++;
				argstart = i + 1;
				if (t == ')')
					break;
			}
		}
		if (i >= n) {
			pp_error(pp, at->loc, "unterminated arguments of "
				 "macro '%s'", at->text);
			goto out;
		}
		i++;
		if (nargs != m->nparams) {
			char msg[64];

			snprintf(msg, sizeof(msg), "%d", m->nparams);
			pp_error(pp, at->loc, "macro '%s' called with the "
				 "wrong number of arguments", at->text);
			diag_hint("it takes %s", msg);
			goto out;
		}
	}
	for (int j = 0; j < m->nbody; j++) {
		const struct token *t = &m->body[j];
		int p = -1;

		if (pp_is_at_word(t))
			for (int k = 0; k < m->nparams; k++)
				if (strcmp(m->params[k], t->text + 1) == 0)
					p = k;
		if (p < 0) {
			if (!pp_emit(pp, &body, t))
				goto out;
			continue;
		}
		for (int k = 0; k < args[p].n; k++)
			if (!pp_emit(pp, &body, &args[p].v[k]))
				goto out;
	}
	pp_process(pp, body.v, body.n, out, depth + 1);
out:
	for (int k = 0; args && k < m->nparams; k++)
		token_vec_free(&args[k]);
	free(args);
	token_vec_free(&body);
	return i;
}

static void pp_argument(struct pp *pp, const struct token *t,
			struct token_vec *out)
{
	const struct parse_env *env = pp->env;
	struct token r = *t;
	char buf[32];

	if (!env || pp->in_cond) {
		/* Leave them for later passes (E_ARG / E_ARGC). */
		pp_emit(pp, out, t);
		return;
	}
	if (t->type == TOK_ARGC || t->type == TOK_ARGC_STR) {
		snprintf(buf, sizeof(buf), "%d", env->argc);
		r.type = t->type == TOK_ARGC ? TOK_NUMBER : TOK_STRING;
		r.text = strdup(buf);
		r.len = (int64_t)strlen(buf);
		r.num = env->argc;
		pp_emit(pp, out, &r);
		return;
	}
	if (t->num < 1 || t->num > env->argc || !env->argv) {
		pp_error(pp, t->loc, "missing script argument %s", t->text);
		snprintf(buf, sizeof(buf), "%d", env->argc);
		diag_hint("the script was given %s argument(s)", buf);
		/* Keep parsing with a neutral value. */
		r.type = t->type == TOK_ARG ? TOK_NUMBER : TOK_STRING;
		r.text = (char *)(t->type == TOK_ARG ? "0" : "");
		r.len = t->type == TOK_ARG ? 1 : 0;
		r.num = 0;
		pp_emit(pp, out, &r);
		return;
	}
	if (t->type == TOK_ARG_STR) {
		const char *a = env->argv[t->num - 1];

		r.type = TOK_STRING;
		r.text = strdup(a);
		r.len = (int64_t)strlen(a);
		pp_emit(pp, out, &r);
	} else {
		/* $N pastes the argument's tokens, as stap does. */
		struct token_vec tv = { 0 };
		const char *a = env->argv[t->num - 1];
		const char *name = ast_intern(t->text);

		diag_register_source(name, strdup(a));
		pp->errors += lexer_scan(name, a, strlen(a), &tv);
		for (int k = 0; k < tv.n; k++) {
			tv.v[k].loc = t->loc;
			tv.v[k].space_before = k ? tv.v[k].space_before
						 : t->space_before;
			if (tv.v[k].type == TOK_ARG || tv.v[k].type == TOK_ARG_STR ||
			    tv.v[k].type == TOK_ARGC ||
			    tv.v[k].type == TOK_ARGC_STR) {
				pp_error(pp, t->loc, "%s", "script arguments "
					 "cannot refer to other arguments");
				continue;
			}
			pp_emit(pp, out, &tv.v[k]);
		}
		token_vec_free(&tv);
	}
}

static void pp_process(struct pp *pp, const struct token *v, int n,
		       struct token_vec *out, int depth)
{
	int i = 0;

	while (i < n && !pp->overflow) {
		const struct token *t = &v[i];
		struct macro *m;

		switch (t->type) {
		case TOK_PP_IF:
			i = pp_conditional(pp, v, i, n, out, depth);
			continue;
		case TOK_PP_THEN:
		case TOK_PP_ELSE:
		case TOK_PP_END:
			pp_error(pp, t->loc, "'%s' without a matching '%%('",
				 t->text);
			i++;
			continue;
		case TOK_ARG:
		case TOK_ARG_STR:
		case TOK_ARGC:
		case TOK_ARGC_STR:
			pp_argument(pp, t, out);
			i++;
			continue;
		case TOK_AT_DEFINE:
			pp_error(pp, t->loc, "%s", "'@define' is not allowed "
				 "inside a macro body or condition");
			i++;
			continue;
		}
		if (pp_is_at_word(t) && (m = pp_find_macro(pp, t->text + 1))) {
			i = pp_expand(pp, m, v, i, n, out, depth);
			continue;
		}
		if (t->type == TOK_AT_MACRO) {
			pp_error(pp, t->loc, "unknown operator or macro '%s'",
				 t->text);
			i++;
			continue;
		}
		pp_emit(pp, out, t);
		i++;
	}
}

int preproc_run(const struct token_vec *in, const char *file,
		const struct parse_env *env, struct token_vec *out)
{
	struct pp pp = { .file = file, .env = env, .out = out };
	struct token_vec rest = { 0 };
	size_t fl = file ? strlen(file) : 0;
	bool library = fl > 5 && strcmp(file + fl - 5, ".stpm") == 0;
	int i = 0;

	/* Pass 1: collect @define everywhere, as stap does, keeping the
	 * other tokens. */
	while (i < in->n) {
		if (in->v[i].type == TOK_AT_DEFINE) {
			i = pp_define(&pp, in->v, i, in->n, library);
			continue;
		}
		token_vec_push(&rest, &in->v[i]);
		i++;
	}
	pp_process(&pp, rest.v, rest.n, out, 0);
	token_vec_free(&rest);
	return pp.errors;
}
