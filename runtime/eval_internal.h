/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the evaluator's files share: the evaluator state, value helpers and
 * the error/unwind protocol. Not for use outside runtime/eval*.c.
 *
 * Errors and `next` unwind without longjmp so that strings and key
 * snapshots are freed on the way out: eval_fail() records the error and
 * sets ev->unwind; every expression still produces a (zero) value, and
 * each statement stops when it sees ev->unwind set.
 */
#ifndef ETAP_EVAL_INTERNAL_H
#define ETAP_EVAL_INTERNAL_H

#include <signal.h>
#include "runtime/eval.h"
#include "runtime/printf_fmt.h"

struct stats_user;

enum eval_unwind {
	UW_NONE = 0,
	UW_ERROR, /* a runtime error: ends the handler unless caught */
	UW_NEXT,  /* `next`, or a stop request: ends the handler quietly */
};

struct eval_frame {
	struct value *slots;
	int nslots;
	struct value ret; /* a function's return value */
};

struct eval_fmt {
	const struct node *call;
	struct fmt fmt;
	const char *err; /* parse error, or NULL */
};

struct eval {
	const struct program *prog;
	struct store *st;
	FILE *out, *err;
	size_t strmax; /* longest string, MAXSTRINGLEN - 1 */
	int max_nesting;

	const struct rprobe *rp; /* the probe being run, or NULL */
	struct eval_frame *frame;
	int depth; /* user function calls in progress */

	enum eval_unwind unwind;
	char *errmsg;	/* pending error message, without "ERROR: " */
	char *errwhere; /* " near ... at FILE:LINE:COL", or "" */
	int nerrors;
	bool exit_req;
	bool abort_req; /* abort(): no end probes */
	volatile sig_atomic_t stop; /* eval_request_stop(), e.g. on SIGINT */

	/* printf/sprintf formats, parsed on first use */
	struct eval_fmt *fmts;
	int nfmts, capfmts;

	char execname[32];
	struct stats_user *ustats; /* user-context <<< (eval_stats.c) */
	struct eval_rematch *rematch; /* the last =~ (eval_regex.c) */
};

/* Value helpers. A string value owns its malloc'd s; NULL reads as "". */
static inline const char *value_str(const struct value *v)
{
	return v->s ? v->s : "";
}
void value_free(struct value *v);
void value_set_long(struct value *v, int64_t l);
/* Take ownership of s (malloc'd), truncated to the program's MAXSTRINGLEN. */
void eval_value_take_str(struct eval *ev, struct value *v, char *s);
void eval_value_set_str(struct eval *ev, struct value *v, const char *s);
void eval_value_copy(struct eval *ev, struct value *dst,
		     const struct value *src);

/* Record a runtime error at node n (NULL: no location) and start
 * unwinding. The "near ..." part names n's operator or identifier. */
void eval_fail(struct eval *ev, const struct node *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

void eval_expr(struct eval *ev, const struct node *n, struct value *out);
int64_t eval_long(struct eval *ev, const struct node *n);

/* Builtins (eval_builtin.c). */
void eval_builtin_call(struct eval *ev, const struct node *n,
		       struct value *out);
void eval_builtin_free(struct eval *ev);

/* Regular expressions (eval_regex.c). */
void eval_regex_match(struct eval *ev, const struct node *n,
		      struct value *out);
void eval_regex_builtin(struct eval *ev, const struct node *n,
			struct value *out);
void eval_regex_reset(struct eval *ev);
void eval_regex_free(struct eval *ev);

/* Aggregates (eval_stats.c). */
void eval_stats_agg(struct eval *ev, const struct node *n, struct value *out);
void eval_stats_op(struct eval *ev, const struct node *n, struct value *out);
void eval_stats_hist_index(struct eval *ev, const struct node *n,
			   struct value *out);
/* Append the histogram of E_HIST n; false after an error. */
bool eval_stats_print(struct eval *ev, const struct node *n,
		      struct strbuf *sb);
/* Merged bucket counts of E_HIST h (malloc'd); -1 after an error. */
int eval_stats_buckets(struct eval *ev, const struct node *h,
		       int64_t **counts);
int eval_stats_keys(struct eval *ev, const struct symbol *g,
		    struct value **keys, int *n);
/* The aggregate foreach sorts an element by (statop 0: @count). */
void eval_stats_sort_value(struct eval *ev, const struct symbol *g,
			   const struct value *keys, int statop,
			   struct value *out);
void eval_stats_delete(struct eval *ev, const struct node *t);
void eval_stats_free(struct eval *ev);

#endif
