/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared between the files of the semantic pass only. */
#ifndef ETAP_SEM_INTERNAL_H
#define ETAP_SEM_INTERNAL_H

#include "sem.h"

struct symbol *sym_new(enum sym_kind kind, const char *name, struct loc loc);
struct symbol *sem_find_global(struct program *p, const char *name);
/* Resolve every probe point of the script into p->probes. */
int sem_resolve_probes(struct program *p);
/* Bind names and infer types in every probe and function. */
int sem_resolve_symbols(struct program *p);
/* Lay out global data and array maps. */
void sem_layout_storage(struct program *p);
/* "did you mean" for an unknown probe point; NULL when nothing is close */
const char *sem_suggest_probe(const struct probe_point *pp);
/* canonical text of a probe point */
char *sem_probe_point_str(const struct probe_point *pp);

#endif
