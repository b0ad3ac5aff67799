/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ETAP_SEMANTIC_SYSCALL_VARS_H
#define ETAP_SEMANTIC_SYSCALL_VARS_H

#include <stdio.h>

struct rprobe;

/* Prepend to a syscall.NAME[.return] handler the stap variables it reads
 * (argstr, retstr, filename, flags, fd, buf_uaddr, ...), written as script
 * code from the tracefs format. Returns -1 on a parse error. */
struct script;
int syscall_vars_add(struct rprobe *rp, const struct script *script);

/* -L: the variables syscall_vars_add can give rp, " name:type" each. */
void syscall_vars_list(FILE *m, const struct rprobe *rp);

#endif
