// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Builtin functions in user context: output (printf and friends through
 * the shared stap formatter, so both contexts print alike), exit(), errors
 * and warnings, and the process/time queries, which describe the etap
 * process itself here since no traced task is current.
 */
#define _GNU_SOURCE /* gettid, sched_getcpu */
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "runtime/eval_internal.h"
#include "runtime/symbolize.h"

/* The parsed format of a printf/sprintf call, parsed on first use. */
static const struct eval_fmt *eval_fmt_get(struct eval *ev,
					   const struct node *call)
{
	const struct node *f = call->args;
	struct eval_fmt *e;
	int errpos;

	for (int i = 0; i < ev->nfmts; i++)
		if (ev->fmts[i].call == call)
			return &ev->fmts[i];
	if (ev->nfmts == ev->capfmts) {
		int cap = ev->capfmts ? 2 * ev->capfmts : 16;
		struct eval_fmt *n = realloc(ev->fmts, cap * sizeof(*n));

		if (!n)
			return NULL;
		ev->fmts = n;
		ev->capfmts = cap;
	}
	e = &ev->fmts[ev->nfmts++];
	memset(e, 0, sizeof(*e));
	e->call = call;
	if (!f || f->kind != E_STR)
		e->err = "format must be a literal string";
	else if (fmt_parse(f->str, &e->fmt, &e->err, &errpos) < 0 && !e->err)
		e->err = "invalid format";
	return e;
}

/* Format printf/sprintf's arguments into sb. Returns false on an error
 * (reported). */
static bool eval_format(struct eval *ev, const struct node *n,
			struct strbuf *sb)
{
	const struct eval_fmt *e = eval_fmt_get(ev, n);
	struct value *vals;
	struct fmt_arg *args;
	const struct node *a;
	int i, given = -1;

	for (a = n->args; a; a = a->next)
		given++;

	if (!e) {
		eval_fail(ev, n, "out of memory");
		return false;
	}
	if (e->err) {
		eval_fail(ev, n, "%s", e->err);
		return false;
	}
	if (given != e->fmt.nargs) {
		eval_fail(ev, n, "format expects %d arguments, got %d",
			  e->fmt.nargs, given);
		return false;
	}
	vals = calloc(given + 1, sizeof(*vals));
	args = calloc(given + 1, sizeof(*args));
	if (!vals || !args) {
		free(vals);
		free(args);
		eval_fail(ev, n, "out of memory");
		return false;
	}
	for (i = 0, a = n->args->next; a && i < given; a = a->next, i++) {
		eval_expr(ev, a, &vals[i]);
		/* the semantic pass matched types to conversions; should one
		 * slip through, show the value rather than crash */
		if (e->fmt.arg_is_string[i] && vals[i].type != T_STRING) {
			char *s = NULL;

			if (asprintf(&s, "%lld", (long long)vals[i].l) < 0)
				s = NULL;
			eval_value_take_str(ev, &vals[i], s);
		}
		args[i].is_string = vals[i].type == T_STRING;
		args[i].l = vals[i].l;
		args[i].s = value_str(&vals[i]);
	}
	if (!ev->unwind)
		fmt_format(sb, &e->fmt, args);
	for (i = 0; i < given; i++)
		value_free(&vals[i]);
	free(vals);
	free(args);
	return !ev->unwind;
}

/* print/println/sprint: each argument plainly, with no separator. */
static bool eval_print_args(struct eval *ev, const struct node *n,
			    struct strbuf *sb)
{
	for (const struct node *a = n->args; a; a = a->next) {
		struct value v;

		if (a->kind == E_HIST) {
			if (!eval_stats_print(ev, a, sb))
				break;
			continue;
		}
		eval_expr(ev, a, &v);
		if (v.type == T_STRING)
			strbuf_add(sb, value_str(&v), strlen(value_str(&v)));
		else
			strbuf_addf(sb, "%lld", (long long)v.l);
		value_free(&v);
	}
	return !ev->unwind;
}

static void eval_emit(struct eval *ev, const struct strbuf *sb)
{
	fwrite(sb->buf, 1, sb->len, ev->out);
}

/* A message line for log() and warn(): a newline is added unless the
 * text already ends with one. */
static void eval_emit_line(FILE *f, const char *prefix, const char *msg)
{
	size_t n = strlen(msg);

	fprintf(f, "%s%s%s", prefix, msg,
		n && msg[n - 1] == '\n' ? "" : "\n");
}

static char *eval_arg_str(struct eval *ev, const struct node *n)
{
	struct value v;

	if (!n->args)
		return strdup("");
	eval_expr(ev, n->args, &v);
	if (v.type != T_STRING) {
		value_free(&v);
		return strdup("");
	}
	return v.s ? v.s : strdup("");
}

static int64_t eval_time(int64_t div)
{
	struct timespec ts;
	int64_t ns;

	clock_gettime(CLOCK_REALTIME, &ts);
	ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	return ns / div;
}

/* Context functions of the etap process itself (user context). */
static void eval_task_builtin(struct eval *ev, int id, struct value *out)
{
	char path[64], comm[32] = "";
	struct timespec ts;
	FILE *f;

	switch (id) {
	case BI_GID:
		out->l = getgid();
		break;
	case BI_EUID:
		out->l = geteuid();
		break;
	case BI_EGID:
		out->l = getegid();
		break;
	case BI_LOCAL_CLOCK_NS:
		clock_gettime(CLOCK_MONOTONIC, &ts);
		out->l = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
		break;
	case BI_PEXECNAME:
		snprintf(path, sizeof(path), "/proc/%d/comm", (int)getppid());
		f = fopen(path, "r");
		if (f) {
			if (!fgets(comm, sizeof(comm), f))
				comm[0] = '\0';
			comm[strcspn(comm, "\n")] = '\0';
			fclose(f);
		}
		eval_value_set_str(ev, out, comm);
		break;
	}
}

/* The stack named in a backtrace()/ubacktrace() string: one line a
 * frame (print_stack: each ends in a newline; sprint_stack: between). */
static void eval_stack_lines(struct eval *ev, const char *hex, bool user,
			     bool trailing, struct strbuf *sb)
{
	int pid = 0;
	const char *p = hex;
	char line[1024];
	bool first = true;

	if (user)
		memcpy(&pid, ev->st->gd + GD_TARGET, sizeof(pid));
	while (p && *p) {
		char *end;
		unsigned long long a = strtoull(p, &end, 16);

		if (end == p)
			break;
		symbolize_line(user, pid, a, line, sizeof(line));
		if (!first && !trailing)
			strbuf_addc(sb, '\n');
		strbuf_add(sb, line, strlen(line));
		if (trailing)
			strbuf_addc(sb, '\n');
		first = false;
		p = end;
		while (*p == ' ')
			p++;
	}
}

/* symname(), symdata(), usymname(), usymdata() in user context: kernel
 * symbols, or those of the target() process. */
static void eval_symbol(struct eval *ev, const struct node *n,
			struct value *out)
{
	struct value v;
	char buf[768];
	int pid = 0;
	bool user = n->op == BI_USYMNAME || n->op == BI_USYMDATA;

	eval_expr(ev, n->args, &v);
	if (user)
		memcpy(&pid, ev->st->gd + GD_TARGET, sizeof(pid));
	if (n->op == BI_SYMNAME || n->op == BI_USYMNAME)
		symbolize_name(user, pid, (uint64_t)v.l, buf, sizeof(buf));
	else
		symbolize_data(user, pid, (uint64_t)v.l, buf, sizeof(buf));
	value_free(&v);
	eval_value_set_str(ev, out, buf);
}

void eval_builtin_call(struct eval *ev, const struct node *n,
		       struct value *out)
{
	struct strbuf sb;
	char *s;

	strbuf_init(&sb);
	switch (n->op) {
	case BI_PRINTF:
		if (eval_format(ev, n, &sb))
			eval_emit(ev, &sb);
		break;
	case BI_SPRINTF:
		if (eval_format(ev, n, &sb))
			eval_value_set_str(ev, out, sb.buf);
		break;
	case BI_PRINT:
	case BI_PRINTLN:
		if (!eval_print_args(ev, n, &sb))
			break;
		if (n->op == BI_PRINTLN)
			strbuf_addc(&sb, '\n');
		eval_emit(ev, &sb);
		break;
	case BI_SPRINT:
		if (eval_print_args(ev, n, &sb))
			eval_value_set_str(ev, out, sb.buf);
		break;
	case BI_BACKTRACE:
	case BI_UBACKTRACE:
	case BI_SPRINT_BACKTRACE:
	case BI_SPRINT_UBACKTRACE:
		/* no probed task here: an empty stack, as stap's begin */
		eval_value_set_str(ev, out, "");
		break;
	case BI_PRINT_BACKTRACE:
	case BI_PRINT_UBACKTRACE:
	case BI_UADDR:
		break;
	case BI_TEXT_STR:
		s = eval_arg_str(ev, n);
		fmt_escape_str(&sb, s ? s : "");
		free(s);
		eval_value_set_str(ev, out, sb.buf ? sb.buf : "");
		break;
	case BI_SYMNAME:
	case BI_SYMDATA:
	case BI_USYMNAME:
	case BI_USYMDATA:
		eval_symbol(ev, n, out);
		break;
	case BI_PRINT_STACK:
	case BI_PRINT_USTACK:
	case BI_SPRINT_STACK:
	case BI_SPRINT_USTACK: {
		bool print = n->op == BI_PRINT_STACK || n->op == BI_PRINT_USTACK;

		s = eval_arg_str(ev, n);
		eval_stack_lines(ev, s,
				 n->op == BI_PRINT_USTACK ||
					 n->op == BI_SPRINT_USTACK,
				 print, &sb);
		free(s);
		if (print)
			eval_emit(ev, &sb);
		else
			eval_value_set_str(ev, out, sb.buf ? sb.buf : "");
		break;
	}
	case BI_EXIT:
		/* as in stap, the handler runs on to its end */
		ev->exit_req = true;
		break;
	case BI_ABORT:
		/* unlike exit(), the handler ends here, and unlike error(),
		 * try/catch does not see it */
		if (ev->unwind)
			break;
		ev->exit_req = ev->abort_req = true;
		ev->unwind = UW_NEXT;
		break;
	case BI_PID:
		out->l = getpid();
		break;
	case BI_TID:
		out->l = gettid();
		break;
	case BI_PPID:
		out->l = getppid();
		break;
	case BI_TASK_CURRENT:
		/* no kernel task address in user context (stap's begin
		 * probes run in stapio's); 0 reads as no task */
		out->l = 0;
		break;
	case BI_UID:
		out->l = getuid();
		break;
	case BI_GID:
	case BI_EUID:
	case BI_EGID:
	case BI_PEXECNAME:
	case BI_LOCAL_CLOCK_NS:
		eval_task_builtin(ev, n->op, out);
		break;
	case BI_EXECNAME:
		eval_value_set_str(ev, out, ev->execname);
		break;
	case BI_CPU:
		out->l = sched_getcpu();
		if (out->l < 0)
			out->l = 0;
		break;
	case BI_TARGET:
		memcpy(&out->l, ev->st->gd + GD_TARGET, sizeof(int64_t));
		break;
	case BI_GETTIMEOFDAY_S:
		out->l = eval_time(1000000000);
		break;
	case BI_GETTIMEOFDAY_MS:
		out->l = eval_time(1000000);
		break;
	case BI_GETTIMEOFDAY_US:
		out->l = eval_time(1000);
		break;
	case BI_GETTIMEOFDAY_NS:
		out->l = eval_time(1);
		break;
	case BI_STRLEN:
		s = eval_arg_str(ev, n);
		out->l = s ? (int64_t)strlen(s) : 0;
		free(s);
		break;
	case BI_ERROR:
		s = eval_arg_str(ev, n);
		/* stap reports error() without a location */
		if (!ev->unwind)
			eval_fail(ev, NULL, "%s", s ? s : "");
		free(s);
		break;
	case BI_LOG:
		s = eval_arg_str(ev, n);
		if (!ev->unwind)
			eval_emit_line(ev->out, "", s ? s : "");
		free(s);
		break;
	case BI_WARN:
		s = eval_arg_str(ev, n);
		if (!ev->unwind) {
			fflush(ev->out);
			eval_emit_line(ev->err, "WARNING: ", s ? s : "");
		}
		free(s);
		break;
	case BI_PP:
	case BI_PN:
		eval_value_set_str(ev, out, ev->rp ? ev->rp->name : "");
		break;
	case BI_PROBEFUNC:
		/* begin, end and timer probes stand for no function */
		eval_value_set_str(ev, out, "");
		break;
	case BI_USER_LONG:
	case BI_USER_INT:
	case BI_USER_SHORT:
	case BI_USER_CHAR:
		/* no probed process: stap's user_* give 0 when unreadable */
		out->l = 0;
		break;
	case BI_MATCHED:
	case BI_NGROUPS:
		eval_regex_builtin(ev, n, out);
		break;
	default:
		eval_fail(ev, n, "function '%s' is not available in user context",
			  n->str ? n->str : "?");
		break;
	}
	strbuf_free(&sb);
}

void eval_builtin_free(struct eval *ev)
{
	for (int i = 0; i < ev->nfmts; i++)
		if (!ev->fmts[i].err)
			fmt_free(&ev->fmts[i].fmt);
	free(ev->fmts);
	ev->fmts = NULL;
	ev->nfmts = ev->capfmts = 0;
}
