/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Regular expressions in kernel context (lower_regex.c): the "etap_regex"
 * map holding every pattern's tables, and the BPF that runs them for =~,
 * !~, matched() and ngroups(). Codegen-internal.
 */
#ifndef ETAP_LOWER_REGEX_H
#define ETAP_LOWER_REGEX_H

#include "lower_int.h"

/* Whether a kernel-context handler body (with the functions it calls)
 * uses =~, !~, matched() or ngroups(). */
bool lower_regex_used(const struct node *n);
/* At handler start: the last-match state in scratch, "no match yet". */
void lower_regex_begin(struct lower *L);
/* s =~ "re" / s !~ "re": 1 or 0, and the state matched() reads. */
struct val lower_regex_match(struct lower *L, struct node *e);
/* matched(n), ngroups(); false when e is neither. */
bool lower_regex_builtin(struct lower *L, struct node *e, struct val *out);

/* Decide the etap_regex map's index (first free index) and each
 * pattern's place in it, when a kernel probe matches; 0 or -1 after
 * reporting. */
int codegen_regex_plan(const struct program *p, struct compiled *c,
		       int first);
/* Add the map (after the other maps, as planned). */
void codegen_regex_maps(struct compiled *c);

#endif
