/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * @entry(expr) in kernel.function(...).return probes, rewritten before
 * names are bound: an added entry probe on the same function saves each
 * expression in a hidden global array keyed by tid(), and the return
 * probe starts by moving the saved values into locals and deleting them.
 * As in stap, a return probe's `$param` and `$param->chain` are values at
 * entry too: kretprobes lost the argument registers by then, and what an
 * argument points to may have changed; only a plain `$param` through fexit
 * is read directly (fexit programs see the arguments).
 */
#ifndef ETAP_ENTRY_H
#define ETAP_ENTRY_H

#include "sem.h"

/* Rewrite every resolved probe; errors for @entry outside a
 * kernel.function return probe. Returns -1 after an error. */
int sem_entry_rewrite(struct program *p);

#endif
