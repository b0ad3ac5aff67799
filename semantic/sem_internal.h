/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared between the files of the semantic pass only. */
#ifndef ETAP_SEM_INTERNAL_H
#define ETAP_SEM_INTERNAL_H

#include "sem.h"

struct symbol *sym_new(enum sym_kind kind, const char *name, struct loc loc);
struct symbol *sem_find_global(struct program *p, const char *name);
/* Resolution of one probe point (semantic/probes.c). */
struct resolve_ctx {
	struct program *p;
	struct probe *src;
	struct probe_point *pp;
	int instances; /* rprobes made from this probe so far */
	struct rprobe **tail;
};
/* Add a resolved probe for the current point (its body cloned as
 * needed); name is malloc'd and taken. */
struct rprobe *sem_probe_add(struct resolve_ctx *rc, enum probe_type type,
			     char *name);
/* kernel.function, timer.profile, perf.*, syscall_any (probes_kernel.c):
 * number of probes made, 0 if pp is none of those, -1 after errors. */
int sem_resolve_kernel_probes(struct resolve_ctx *rc);
/* process("PATH").function("NAME")[.call|.return] (probes_process.c):
 * number of probes made, 0 if pp is none of those, -1 after errors. */
int sem_resolve_process_probes(struct resolve_ctx *rc);
/* The hint after "no match" for a process(...) point. */
void sem_process_hint(const struct probe_point *pp);
/* After symbol resolution: pick per-probe mechanisms that depend on the
 * whole program (the syscall dispatcher). */
void sem_choose_mechanisms(struct program *p);
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

/* Compile the pattern of E_REGEX node e once (semantic/regex_sem.c):
 * errors are reported at the pattern; the program is left on e->sem. */
void sem_regex_compile(struct program *p, struct node *e);

#endif
