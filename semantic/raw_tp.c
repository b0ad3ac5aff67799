// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A classic tracepoint program runs from the trace-event path: the
 * kernel first fills a perf trace record with every field of the event
 * (trace_call_bpf via perf_trace_*), whether or not the handler reads
 * them. A raw tracepoint program (BPF_PROG_TYPE_RAW_TRACEPOINT, section
 * raw_tp/EVENT) is called straight from the tracepoint with its raw
 * arguments, skipping that work. The two contexts differ in layout, so
 * only a handler that never looks at its context (no $field, $$vars,
 * @cast of a field, nor a function doing so) can switch; counting
 * idioms such as `n++` or `c[execname()]++` are the common case.
 *
 * Left alone: syscall.* and syscall_any probes (the syscalls:* events
 * are ftrace's synthetic events, with no raw tracepoint of their own;
 * syscall_any reads the number from the classic context) and events of
 * systems that are not kernel tracepoints (kprobes, uprobes, ...).
 */
#include "raw_tp.h"

#include <stdlib.h>
#include <string.h>

#include "sem.h"

/* Systems whose events are not tracepoints a raw_tp can name. */
static bool raw_tp_system_ok(const char *sys)
{
	static const char *const not_tp[] = {
		"syscalls", "ftrace", "kprobes", "uprobes", "synthetic",
		"user_events", "eprobes", "fprobes", "tracepoints",
	};

	for (size_t i = 0; i < sizeof(not_tp) / sizeof(not_tp[0]); i++)
		if (strcmp(sys, not_tp[i]) == 0)
			return false;
	return true;
}

#define RAW_TP_MAXDEPTH 256

/* Functions already walked for the current probe: each is looked at once
 * (a call graph can be recursive, or call one function many times). */
static struct {
	const struct function **fns;
	int n, cap;
} seen;

static bool raw_tp_seen(const struct function *fn)
{
	for (int i = 0; i < seen.n; i++)
		if (seen.fns[i] == fn)
			return true;
	if (seen.n == seen.cap) {
		seen.cap = seen.cap ? 2 * seen.cap : 16;
		seen.fns = realloc(seen.fns, seen.cap * sizeof(*seen.fns));
		if (!seen.fns)
			abort();
	}
	seen.fns[seen.n++] = fn;
	return false;
}

/* True when the tree under n (with its siblings) reads the probe's
 * context, or when we cannot tell (too deep). */
static bool raw_tp_reads_ctx(const struct node *n, int depth);

static bool raw_tp_fe_reads_ctx(const struct foreach_info *fe, int depth)
{
	return raw_tp_reads_ctx(fe->value, depth) ||
	       raw_tp_reads_ctx(fe->keys, depth) ||
	       raw_tp_reads_ctx(fe->array, depth) ||
	       raw_tp_reads_ctx(fe->slice, depth) ||
	       raw_tp_reads_ctx(fe->limit, depth) ||
	       raw_tp_reads_ctx(fe->body, depth);
}

static bool raw_tp_reads_ctx(const struct node *n, int depth)
{
	if (depth > RAW_TP_MAXDEPTH)
		return n != NULL;
	for (; n; n = n->next) {
		if (n->kind == E_TARGET || n->kind == E_CAST ||
		    n->kind == E_DOLLARS)
			return true;
		if (n->sym && n->sym->kind == SYM_CONTEXT)
			return true;
		if (n->kind == E_CALL && n->sym &&
		    n->sym->kind == SYM_FUNCTION && n->sym->fn &&
		    !raw_tp_seen(n->sym->fn) &&
		    raw_tp_reads_ctx(n->sym->fn->body, depth + 1))
			return true;
		if (raw_tp_reads_ctx(n->a, depth + 1) ||
		    raw_tp_reads_ctx(n->b, depth + 1) ||
		    raw_tp_reads_ctx(n->c, depth + 1) ||
		    raw_tp_reads_ctx(n->d, depth + 1) ||
		    raw_tp_reads_ctx(n->args, depth + 1))
			return true;
		if (n->fe && raw_tp_fe_reads_ctx(n->fe, depth + 1))
			return true;
	}
	return false;
}

void sem_choose_raw_tracepoints(struct program *p)
{
	for (struct rprobe *rp = p->probes; rp; rp = rp->next) {
		if (rp->type != PT_TRACEPOINT || rp->mech != MECH_TRACEPOINT ||
		    rp->syscall || rp->syscall_any || !rp->tp ||
		    !raw_tp_system_ok(rp->tp->system))
			continue;
		seen.n = 0;
		if (raw_tp_reads_ctx(rp->cond, 0) ||
		    raw_tp_reads_ctx(rp->body, 0))
			continue;
		rp->mech = MECH_RAW_TP;
	}
	free(seen.fns);
	seen.fns = NULL;
	seen.n = seen.cap = 0;
}
