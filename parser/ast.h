/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The abstract syntax tree shared by every pass.
 *
 * One generic node type keeps the parser, printer, semantic pass, code
 * generator and evaluator small: each kind documents which fields it uses.
 * Lists are singly linked through `next`. Every node carries its location.
 * The semantic pass fills the annotation fields at the bottom of struct node.
 */
#ifndef ETAP_AST_H
#define ETAP_AST_H

#include <stdbool.h>
#include <stdint.h>

struct symbol;

struct loc {
	const char *file; /* interned, never freed */
	int line;	  /* 1-based */
	int col;	  /* 1-based, in bytes */
};

/* Value types. Arrays are symbols whose value type is one of these. */
enum etype {
	T_UNKNOWN = 0,
	T_LONG,
	T_STRING,
	T_STATS, /* aggregate, target of <<< */
	T_VOID,
};

enum node_kind {
	/* ---- expressions ---- */
	E_NUM,	   /* num */
	E_STR,	   /* str (decoded bytes, NUL-terminated; len in num) */
	E_IDENT,   /* str = name: a local, global, or (semantic) probe var */
	E_TARGET,  /* $name or $name->f[2]...: str = name without '$',
		    * a = chain of E_MEMBER/E_INDEX_CHAIN nodes via next,
		    * op = 1 if written with a trailing '$' or '$$' (pretty),
		    * num = how many '$' (1 or 2) when op = 1 */
	E_MEMBER,  /* in a target chain: str = field name */
	E_SUBSCRIPT, /* in a target chain: a = index expression */
	E_DOLLARS,   /* $$vars, $$parms, $$locals, $$return: str = "vars" etc,
		      * op = number of trailing '$' (0, 1 or 2) */
	E_INDEX,     /* array element: a = array (E_IDENT), args = keys */
	E_CALL,	     /* function call: str = name, args = arguments */
	E_BINARY,    /* a op b: op is one of the OP_* below */
	E_UNARY,     /* op a: OP_NEG, OP_NOT, OP_BNOT, OP_PLUS */
	E_INCDEC,    /* op = OP_PREINC, OP_PREDEC, OP_POSTINC, OP_POSTDEC; a */
	E_ASSIGN,    /* a op b: op = OP_ASSIGN, OP_ADD_ASSIGN, ..., OP_AGG
		      * (<<<), OP_CAT_ASSIGN (.=) */
	E_TERNARY,   /* a ? b : c */
	E_IN,	     /* [args] in a: args = keys (E_STAR for wildcard), a =
		      * array ident */
	E_STAR,	     /* '*' wildcard in an index list or delete */
	E_REGEX,     /* a =~ b (op = OP_MATCH) or a !~ b (op = OP_NMATCH) */
	E_STATOP,    /* @count(a) etc.: op = STAT_*; a = aggregate expr */
	E_HIST,	     /* @hist_log(a) / @hist_linear(a, args...): op = STAT_*;
		      * args = extra parameters */
	E_HIST_INDEX, /* @hist_xxx(...)[i]: a = E_HIST, b = index */
	E_ENTRY,      /* @entry(a) */
	E_DEFINED,    /* @defined(a) */
	E_CHOOSE_DEFINED, /* @choose_defined(a, b) */
	E_CAST,	      /* @cast(a, "type"[, "module"]): str = type,
		       * a = pointer expression, b = module E_STR or NULL,
		       * c = member chain (like E_TARGET's a); op/num: pretty
		       * print suffix as for E_TARGET */
	E_ARG,	      /* $N (op = 0) or @N (op = 1) left unresolved: num = N;
		       * the preprocessor normally substitutes them */
	E_ARGC,	      /* $# (op = 0) or @# (op = 1) */

	/* ---- statements ---- */
	S_BLOCK,    /* args = statement list */
	S_EXPR,	    /* a */
	S_IF,	    /* a = cond, b = then, c = else or NULL */
	S_WHILE,    /* a = cond, b = body */
	S_FOR,	    /* a = init expr or NULL, b = cond or NULL,
		     * c = step expr or NULL, d = body */
	S_FOREACH,  /* see struct foreach_info (fe) */
	S_BREAK,
	S_CONTINUE,
	S_NEXT,
	S_RETURN,   /* a = value or NULL */
	S_DELETE,   /* a = E_IDENT (whole array or scalar) or E_INDEX (with
		     * possible E_STAR keys) */
	S_TRY,	    /* a = try block, b = catch block, str = catch var or
		     * NULL */
	S_NULL,	    /* ';' */
	S_EMBEDDED, /* %{ ... %} : str = code */

	/* ---- expressions added later (kept last so values stay stable) */
	E_EMBEDDED, /* %{ ... %} used as a value: str = code */
	E_VAR,	    /* @var("name[@cu]"[, "module"]): str = name, b = module
		     * E_STR or NULL, c = member chain; op/num as E_TARGET */
};

/* Binary/unary/assignment operators. */
enum op {
	OP_NONE = 0,
	OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MOD,
	OP_SHL, OP_SHR /* arithmetic >> */, OP_USHR /* >>> */,
	OP_BAND, OP_BOR, OP_BXOR,
	OP_LAND, OP_LOR,
	OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE,
	OP_CAT, /* . */
	OP_MATCH, OP_NMATCH,
	/* unary */
	OP_NEG, OP_NOT, OP_BNOT, OP_PLUS,
	/* increments */
	OP_PREINC, OP_PREDEC, OP_POSTINC, OP_POSTDEC,
	/* assignment */
	OP_ASSIGN, OP_ADD_ASSIGN, OP_SUB_ASSIGN, OP_MUL_ASSIGN,
	OP_DIV_ASSIGN, OP_MOD_ASSIGN, OP_SHL_ASSIGN, OP_SHR_ASSIGN,
	OP_USHR_ASSIGN, OP_BAND_ASSIGN, OP_BOR_ASSIGN, OP_BXOR_ASSIGN,
	OP_CAT_ASSIGN, OP_AGG /* <<< */,
	/* unary '&' on a $target, @cast or @var: its address (E_UNARY) */
	OP_ADDR,
};

/* Aggregate operators for E_STATOP / E_HIST and foreach sorting. */
enum statop {
	STAT_NONE = 0,
	STAT_COUNT, STAT_SUM, STAT_MIN, STAT_MAX, STAT_AVG, STAT_VARIANCE,
	STAT_HIST_LOG, STAT_HIST_LINEAR,
};

struct node;

/* foreach ([k1, k2] in arr- limit 5) / foreach (v = [k1] in arr @sum+) */
struct foreach_info {
	struct node *value;   /* E_IDENT of the value variable or NULL */
	struct node *keys;    /* list of E_IDENT key variables (via next) */
	int nkeys;
	bool keys_bracketed;  /* written as [k1, k2] */
	struct node *array;   /* E_IDENT array, or E_HIST for histogram
			       * buckets */
	struct node *slice;   /* list of key restrictions (expr or E_STAR),
			       * from 'arr[k, *]', or NULL */
	int sort_dir;	      /* 0 none, +1 ascending, -1 descending */
	int sort_key;	      /* 0 = sort by value, N = by key N (1-based) */
	enum statop sort_agg; /* aggregate used to sort stats arrays */
	struct node *limit;   /* expression or NULL */
	struct node *body;
};

struct node {
	enum node_kind kind;
	struct loc loc;
	int op;	     /* enum op or enum statop */
	int64_t num; /* E_NUM value; E_STR length; E_ARG number */
	char *str;
	struct node *a, *b, *c, *d;
	struct node *args; /* list head (via next) */
	int nargs;
	struct foreach_info *fe; /* S_FOREACH only */
	struct node *next;	 /* sibling in a list */

	/* ---- filled by the semantic pass ---- */
	enum etype type;
	struct symbol *sym; /* resolved variable, array, function or
			     * probe-context variable */
	int strmax;	    /* for strings: largest length (bytes incl.
			     * NUL) the compiler can prove */
	void *sem;	    /* pass-private annotation */
	bool addr_of;	    /* a $target/@cast chain under unary '&': its
			     * value is the member's address */
};

/* One component of a probe point: name or name(arg), e.g. trace("x:y"). */
struct pp_comp {
	char *name;	  /* may contain * or ** wildcards and {a,b} */
	struct node *arg; /* literal argument (E_NUM or E_STR) or NULL */
	bool has_arg;	  /* written with parentheses */
	struct pp_comp *next;
};

struct probe_point {
	struct loc loc;
	struct pp_comp *comps;
	bool optional;	 /* trailing ? */
	bool sufficient; /* trailing ! */
	struct node *cond; /* if (expr) on this point, or NULL */
	struct probe_point *next;
};

enum alias_kind { ALIAS_NONE = 0, ALIAS_PROLOGUE /* = */, ALIAS_EPILOGUE /* += */ };

struct probe {
	struct loc loc;
	struct probe_point *points; /* the probe's points (or alias names) */
	enum alias_kind alias;	    /* for 'probe name = points { }' */
	struct probe_point *targets; /* alias: the points it expands to */
	struct node *body;	     /* S_BLOCK */
	bool is_private;
	struct probe *next;
	void *sem;
};

struct global {
	struct loc loc;
	char *name;
	struct node *init; /* initializer or NULL (E_NUM/E_STR, maybe unary
			    * minus) */
	int64_t size;	   /* [N] or 0 */
	bool wrap;	   /* [N%] or % */
	bool is_private;
	struct global *next;
	struct symbol *sym;
};

struct param {
	struct loc loc;
	char *name;
	enum etype type; /* T_UNKNOWN when not declared */
	struct param *next;
};

struct function {
	struct loc loc;
	char *name;
	struct param *params;
	int nparams;
	enum etype ret; /* declared :long/:string or T_UNKNOWN */
	int64_t priority;
	bool is_private;
	struct node *body; /* S_BLOCK, or S_EMBEDDED for %{ %} bodies */
	struct function *next;
	struct symbol *sym;
};

struct script {
	const char *file; /* main script file name or "<input>" */
	struct probe *probes;
	struct probe *aliases;
	struct global *globals;
	struct function *functions;
	struct node *embedded; /* top-level %{ %} blocks (list) */
};

/* Constructors and helpers (parser/ast.c). All memory lives until exit. */
struct node *ast_node_new(enum node_kind kind, struct loc loc);
struct node *ast_list_append(struct node *head, struct node *item);
int ast_list_length(const struct node *head);
const char *ast_intern(const char *s);
const char *ast_op_str(int op);		/* "+", "<<<", ... */
const char *ast_statop_str(int statop); /* "count", "hist_log", ... */
/* The binary operator behind a compound assignment (OP_ADD for
 * OP_ADD_ASSIGN ...), OP_NONE for others. */
int ast_assign_binop(int op);

#endif
