/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The builtin function table: names, arity, types, contexts. */
#ifndef ETAP_BUILTINS_H
#define ETAP_BUILTINS_H

#include "sem.h"

struct builtin_info {
	const char *name;
	enum builtin id;
	int min_args, max_args; /* max -1: variadic */
	enum etype ret;
	enum etype arg; /* type of every fixed argument, T_UNKNOWN: any */
	bool kernel;	/* available in kernel context in this version */
};

const struct builtin_info *builtin_lookup(const char *name);
const struct builtin_info *builtin_by_id(enum builtin id);
/* Nearest builtin name for "did you mean" (NULL if none is close). */
const char *builtin_suggest(const char *name);

#endif
