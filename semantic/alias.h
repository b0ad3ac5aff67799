/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Probe aliases: `probe NAME = TARGETS { prologue }` and
 * `probe NAME += TARGETS { epilogue }`, with `?`/`!` targets, wildcards
 * (`*` within a component, `**` across), brace expansion and aliases of
 * aliases. Also the probe-point name matching that -l/-L and the tapset
 * loader share.
 */
#ifndef ETAP_ALIAS_H
#define ETAP_ALIAS_H

#include <stdbool.h>
#include "sem.h"

/* Resolve one concrete (alias-free) point of a synthetic probe whose body
 * already holds the alias prologues and epilogues; returns the number of
 * resolved probes made, or -1 after reporting an error. */
typedef int (*alias_resolve_fn)(struct probe *src, struct probe_point *pp,
				void *arg);

#define ALIAS_NO_MATCH (-2)

/* Expand pp (a point of the user's probe src) through the script's
 * aliases. Returns ALIAS_NO_MATCH when no alias matches pp (the caller
 * then asks the built-in providers), else the number of resolved probes
 * (0: nothing matched and every unmatched target was optional), or -1. */
int alias_expand(struct program *p, struct probe *src, struct probe_point *pp,
		 alias_resolve_fn fn, void *arg);

/* -L wants every variable an alias offers: do not drop the prologue
 * assignments whose variables the handler never reads. */
void alias_set_keep_unused(bool keep);

/* Glob on dotted probe-point text: `*` and `?` stay within a component,
 * `**` crosses dots, `[...]` classes; braces are not expanded here. */
bool pp_glob_match(const char *pat, const char *s);
/* Every alternative of {a,b} groups (nested allowed); *n gets the count. */
char **pp_brace_expand(const char *s, int *n);
/* Whether pattern point pat matches the alias name point name. */
bool pp_point_matches(const struct probe_point *pat,
		      const struct probe_point *name);
/* "a.b(\"x\").c" without ?/! suffixes. */
char *pp_point_text(const struct probe_point *pp);

#endif
