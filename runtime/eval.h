/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The user-context evaluator: runs begin, end, error and timer probes (and
 * global initializers) by walking the typed AST the semantic pass left,
 * reading and writing the same storage the kernel probes use (store.h).
 * It obeys the semantics contract of DESIGN.md operator for operator, so
 * an expression gives the same result in either context.
 */
#ifndef ETAP_EVAL_H
#define ETAP_EVAL_H

#include <stdbool.h>
#include <stdio.h>
#include "runtime/store.h"
#include "semantic/sem.h"

/* stap's default MAXNESTING: nested user function calls allowed. */
#define EVAL_MAX_NESTING 10

struct eval;

/* Script output goes to out; runtime errors and warnings to stderr. */
struct eval *eval_new(const struct program *p, struct store *st, FILE *out);
void eval_free(struct eval *ev);

/* Where "ERROR: ..." and "WARNING: ..." lines go (default stderr). */
void eval_set_errstream(struct eval *ev, FILE *err);
/* Function call depth limit (-D MAXNESTING); default EVAL_MAX_NESTING. */
void eval_set_max_nesting(struct eval *ev, int n);

/* Store the initial values of scalar globals declared with "= value".
 * Returns 0, or -1 after reporting an error. */
int eval_init_globals(struct eval *ev);

/* Run a user-context probe's body once. Returns 0, or -1 when a runtime
 * error stopped the handler (it was reported and counted). */
int eval_run_probe(struct eval *ev, const struct rprobe *rp);

/* Make running loops and handlers end quietly at their next step; safe to
 * call from a signal handler (Ctrl-C during an endless begin loop). */
void eval_request_stop(struct eval *ev);

/* exit() was called by a probe this evaluator ran. */
bool eval_exit_requested(struct eval *ev);
/* abort() was called: the run ends without end probes. */
bool eval_abort_requested(struct eval *ev);
/* Runtime errors reported so far (caught ones in try/catch excluded). */
int eval_error_count(struct eval *ev);

#endif
