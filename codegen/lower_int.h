/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * State and helpers of kernel-context lowering shared by lower.c and the
 * files that lower one family of constructs (lower_string.c strings and
 * sprintf, lower_func.c inlined user functions, lower_stmt_more.c
 * statements beyond the core ones). Codegen-internal.
 */
#ifndef ETAP_LOWER_INT_H
#define ETAP_LOWER_INT_H

#include "lower.h"

/* Nested inlined user-function calls one kernel probe may hold: at most
 * -D MAXNESTING (default 10), and never more than this. */
#define LOWER_MAX_NESTING 64

struct val {
	enum etype type;
	int reg;
	int strmax; /* strings: bytes the pointed-to buffer may hold */
};

struct lower {
	struct lower_shared *sh;
	const struct program *p;
	const struct rprobe *rp;
	struct ir_func *f;
	int ctx;     /* vreg: the tracepoint record */
	int scratch; /* vreg: this CPU's scratch value */
	uint32_t soff;
	int exit_label;
	int *locals; /* slot -> vreg (long value or string pointer) */
	int brk, cont;
	int actions; /* vreg counting statements, or -1 when the handler
		      * has no loop (then its length bounds it statically) */
	int errors;
	bool scratch_full;
	bool discard; /* the expression being lowered is a statement: its
		       * value is not needed */
	/* Inlined user functions (lower_func.c): the chain of functions
	 * being inlined, and where `return` goes. */
	const struct symbol *fnstack[LOWER_MAX_NESTING];
	int depth;
	int ret_label;
	struct val ret;
	/* try/catch (lower_stmt_more.c): where a runtime error inside a try
	 * block goes instead of ending the handler (-1: none), and the
	 * string local receiving the message (or -1). */
	int catch_label;
	int catch_msg;
	/* Regular expressions (lower_regex.c): the handler's last-match
	 * state in scratch, and whether matched() needs the group scans. */
	bool rx_on, rx_matched;
	uint32_t rx_state;
};

/* Helpers of lower.c (exported under lw_ names). */
int lw_vr(struct lower *L);
int lw_imm(struct lower *L, int64_t v);
int lw_call(struct lower *L, int id, int a1, int a2, int a3, int a4);
uint32_t lw_scratch_alloc(struct lower *L, uint32_t size, struct loc loc);
int lw_scratch_ptr(struct lower *L, uint32_t off);
int lw_gd_ptr(struct lower *L, uint32_t off);
void lw_str_copy(struct lower *L, int dst, int size, int src);
void lw_emit_error(struct lower *L, struct loc loc, const char *msg);
struct val lw_expr(struct lower *L, struct node *e);
void lw_stmt(struct lower *L, struct node *s);
void lw_branch(struct lower *L, struct node *e, bool jump_if, int target);
struct val lw_str_literal(struct lower *L, const char *s, int64_t len,
			  struct loc loc);
int lw_key(struct lower *L, const struct symbol *g, struct node *keys,
	   struct loc loc);
int lw_map_lookup(struct lower *L, const struct symbol *g, int key);
void lw_fail(struct lower *L, struct node *n, const char *what,
	     const char *hint);
void lw_error(struct lower *L, struct node *n, const char *msg,
	      const char *hint);
struct val lw_store(struct lower *L, struct node *lv, int op, struct val rhs,
		    struct node *e, bool discard);
int lw_maxstr(struct lower *L);
int lw_rb_reserve(struct lower *L, uint32_t size, int id, int *fail);
void lw_rb_commit(struct lower *L, int rec);
void lw_rb_drop(struct lower *L, int fail, int done);
void lw_gd_atomic_inc(struct lower *L, uint32_t off);

/* lower_escape.c: s with C escapes (text_str, '#' with %s and %c). */
struct val lower_str_escape(struct lower *L, struct val s, struct loc loc);
bool lower_escape_builtin(struct lower *L, struct node *e, struct val *out);

/* lower_string.c */
struct val lower_str_cat(struct lower *L, struct val a, struct val b,
			 struct loc loc);
/* Builtins lower.c does not handle itself; false when e is none of them. */
bool lower_builtin_more(struct lower *L, struct node *e, struct val *out);
struct val lower_sprintf(struct lower *L, struct node *e);

/* lower_task.c: context functions of the current task; false when e
 * is none of them. */
bool lower_task_builtin(struct lower *L, struct node *e, struct val *out);
bool lower_context_builtin(struct lower *L, struct node *e, struct val *out);

/* lower_stack.c: backtraces and uaddr(); false when e is none. */
bool lower_stack_builtin(struct lower *L, struct node *e, struct val *out);

/* lower_logging.c: warn() and abort(); false when e is neither. */
bool lower_logging_builtin(struct lower *L, struct node *e, struct val *out);

/* lower_func.c */
struct val lower_func_call(struct lower *L, struct node *e);
/* Whether a handler calls user functions or uses foreach or try: it then
 * needs scratch space and the MAXACTION counter. */
bool lower_body_needs_frame(const struct program *p, const struct node *n);

/* lower_foreach.c: unsorted foreach and whole-array delete through a
 * bpf_for_each_map_elem callback. */
void lower_foreach_kernel(struct lower *L, struct node *s);
void lower_loop_kernel(struct lower *L, struct node *s);
void lower_delete_all(struct lower *L, struct node *s);
/* `[*, k]` wildcards: delete a[*, k] and [*, k] in a walk the array. */
bool lower_has_star(const struct node *keys);
void lower_delete_slice(struct lower *L, struct node *s);
struct val lower_in_slice(struct lower *L, struct node *e);

/* lower_stmt_more.c: statements beyond lower.c's; false when s is none. */
bool lower_stmt_more(struct lower *L, struct node *s);
/* After a loop: the MAXACTION count goes through memory so that the
 * verifier's paths of every trip count meet again (else each statement
 * after the loop is verified once per trip count). */
void lower_actions_settle(struct lower *L, struct loc loc);
/* A runtime error with a constant message inside a try block: hand the
 * message to the catch block. */
void lower_catch_error(struct lower *L, const char *msg);
/* error(msg): caught by an enclosing try, else reported and the handler
 * ends. */
void lower_error_call(struct lower *L, struct node *e, struct val msg);

#endif
