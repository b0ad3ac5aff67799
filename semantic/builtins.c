// SPDX-License-Identifier: GPL-2.0-or-later
/* The builtin functions scripts may call without a tapset. */
#include "builtins.h"

#include <string.h>

static const struct builtin_info builtins[] = {
	{ "printf", BI_PRINTF, 1, -1, T_VOID, T_UNKNOWN, true },
	{ "sprintf", BI_SPRINTF, 1, -1, T_STRING, T_UNKNOWN, true },
	{ "print", BI_PRINT, 1, -1, T_VOID, T_UNKNOWN, true },
	{ "println", BI_PRINTLN, 0, -1, T_VOID, T_UNKNOWN, true },
	{ "sprint", BI_SPRINT, 1, 1, T_STRING, T_UNKNOWN, true },
	{ "exit", BI_EXIT, 0, 0, T_VOID, T_UNKNOWN, true },
	{ "pid", BI_PID, 0, 0, T_LONG, T_UNKNOWN, true },
	{ "tid", BI_TID, 0, 0, T_LONG, T_UNKNOWN, true },
	{ "ppid", BI_PPID, 0, 0, T_LONG, T_UNKNOWN, true },
	{ "gid", BI_GID, 0, 0, T_LONG, T_UNKNOWN, true },
	{ "euid", BI_EUID, 0, 0, T_LONG, T_UNKNOWN, true },
	{ "egid", BI_EGID, 0, 0, T_LONG, T_UNKNOWN, true },
	{ "pexecname", BI_PEXECNAME, 0, 0, T_STRING, T_UNKNOWN, true },
	{ "local_clock_ns", BI_LOCAL_CLOCK_NS, 0, 0, T_LONG, T_UNKNOWN, true },
	{ "user_string", BI_USER_STRING, 1, 2, T_STRING, T_UNKNOWN, true },
	{ "user_string_n", BI_USER_STRING_N, 2, 2, T_STRING, T_LONG, true },
	{ "kernel_string", BI_KERNEL_STRING, 1, 2, T_STRING, T_UNKNOWN, true },
	{ "uid", BI_UID, 0, 0, T_LONG, T_UNKNOWN, true },
	{ "execname", BI_EXECNAME, 0, 0, T_STRING, T_UNKNOWN, true },
	{ "cpu", BI_CPU, 0, 0, T_LONG, T_UNKNOWN, true },
	{ "target", BI_TARGET, 0, 0, T_LONG, T_UNKNOWN, true },
	{ "gettimeofday_s", BI_GETTIMEOFDAY_S, 0, 0, T_LONG, T_UNKNOWN, false },
	{ "gettimeofday_ms", BI_GETTIMEOFDAY_MS, 0, 0, T_LONG, T_UNKNOWN, false },
	{ "gettimeofday_us", BI_GETTIMEOFDAY_US, 0, 0, T_LONG, T_UNKNOWN, false },
	{ "gettimeofday_ns", BI_GETTIMEOFDAY_NS, 0, 0, T_LONG, T_UNKNOWN, false },
	{ "strlen", BI_STRLEN, 1, 1, T_LONG, T_STRING, true },
	{ "error", BI_ERROR, 1, 1, T_VOID, T_STRING, true },
	{ "log", BI_LOG, 1, 1, T_VOID, T_STRING, false },
	{ "warn", BI_WARN, 1, 1, T_VOID, T_STRING, true },
	{ "abort", BI_ABORT, 0, 0, T_VOID, T_UNKNOWN, true },
	{ "pp", BI_PP, 0, 0, T_STRING, T_UNKNOWN, true },
	{ "matched", BI_MATCHED, 1, 1, T_STRING, T_LONG, true },
	{ "ngroups", BI_NGROUPS, 0, 0, T_LONG, T_UNKNOWN, true },
	{ "task_current", BI_TASK_CURRENT, 0, 0, T_LONG, T_UNKNOWN, true },
	{ "pn", BI_PN, 0, 0, T_STRING, T_UNKNOWN, true },
	{ "probefunc", BI_PROBEFUNC, 0, 0, T_STRING, T_UNKNOWN, true },
	{ "register", BI_REGISTER, 1, 1, T_LONG, T_STRING, true },
	{ "u_register", BI_U_REGISTER, 1, 1, T_LONG, T_STRING, true },
	{ "backtrace", BI_BACKTRACE, 0, 0, T_STRING, T_UNKNOWN, true },
	{ "ubacktrace", BI_UBACKTRACE, 0, 0, T_STRING, T_UNKNOWN, true },
	{ "print_backtrace", BI_PRINT_BACKTRACE, 0, 0, T_VOID, T_UNKNOWN, true },
	{ "print_ubacktrace", BI_PRINT_UBACKTRACE, 0, 0, T_VOID, T_UNKNOWN,
	  true },
	{ "sprint_backtrace", BI_SPRINT_BACKTRACE, 0, 0, T_STRING, T_UNKNOWN,
	  false },
	{ "sprint_ubacktrace", BI_SPRINT_UBACKTRACE, 0, 0, T_STRING, T_UNKNOWN,
	  false },
	{ "symname", BI_SYMNAME, 1, 1, T_STRING, T_LONG, false },
	{ "symdata", BI_SYMDATA, 1, 1, T_STRING, T_LONG, false },
	{ "usymname", BI_USYMNAME, 1, 1, T_STRING, T_LONG, false },
	{ "usymdata", BI_USYMDATA, 1, 1, T_STRING, T_LONG, false },
	{ "print_stack", BI_PRINT_STACK, 1, 1, T_VOID, T_STRING, false },
	{ "sprint_stack", BI_SPRINT_STACK, 1, 1, T_STRING, T_STRING, false },
	{ "print_ustack", BI_PRINT_USTACK, 1, 1, T_VOID, T_STRING, false },
	{ "sprint_ustack", BI_SPRINT_USTACK, 1, 1, T_STRING, T_STRING, false },
	{ "uaddr", BI_UADDR, 0, 0, T_LONG, T_UNKNOWN, true },
	{ "text_str", BI_TEXT_STR, 1, 1, T_STRING, T_STRING, true },
	{ "user_long", BI_USER_LONG, 1, 1, T_LONG, T_LONG, true },
	{ "user_int", BI_USER_INT, 1, 1, T_LONG, T_LONG, true },
	{ "user_short", BI_USER_SHORT, 1, 1, T_LONG, T_LONG, true },
	{ "user_char", BI_USER_CHAR, 1, 1, T_LONG, T_LONG, true },
	{ "kernel_long", BI_KERNEL_LONG, 1, 1, T_LONG, T_LONG, true },
	{ "kernel_int", BI_KERNEL_INT, 1, 1, T_LONG, T_LONG, true },
	{ "returnval", BI_RETURNVAL, 0, 0, T_LONG, T_UNKNOWN, true },
};

#define NBUILTINS (sizeof(builtins) / sizeof(builtins[0]))

const struct builtin_info *builtin_lookup(const char *name)
{
	for (size_t i = 0; i < NBUILTINS; i++)
		if (strcmp(builtins[i].name, name) == 0)
			return &builtins[i];
	return NULL;
}

const struct builtin_info *builtin_by_id(enum builtin id)
{
	for (size_t i = 0; i < NBUILTINS; i++)
		if (builtins[i].id == id)
			return &builtins[i];
	return NULL;
}

const char *builtin_suggest(const char *name)
{
	const char *best = NULL;
	int bestd = 3;

	for (size_t i = 0; i < NBUILTINS; i++) {
		int d = edit_distance(name, builtins[i].name);

		if (d < bestd) {
			bestd = d;
			best = builtins[i].name;
		}
	}
	return best;
}
