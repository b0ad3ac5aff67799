/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Typed target variables, @cast chains and syscall_any's name in kernel
 * context; program sections by mechanism (codegen-internal). */
#ifndef ETAP_LOWER_TARGET_H
#define ETAP_LOWER_TARGET_H

#include "lower_int.h"

/* e->sym is a CTX_TARGET symbol (E_TARGET or E_CAST). */
struct val lower_target(struct lower *L, struct node *e);
/* syscall_any's `name`: the name of the raw syscall number. */
struct val lower_syscall_any_name(struct lower *L, struct node *e);
/* The ELF section of rp's program (malloc'd): it tells libbpf the
 * program type and, for tp_btf/fentry, the BTF id to attach to. */
char *lower_section_of(const struct rprobe *rp);

#endif
