/* SPDX-License-Identifier: GPL-2.0-or-later */
/* -G NAME=VALUE: set script globals from the command line, as stap does. */
#ifndef ETAP_GOPT_H
#define ETAP_GOPT_H

#include "../semantic/sem.h"

/* Make each "NAME=VALUE" the initial value of global NAME (its type, long
 * or string, decides how VALUE is read). Reports bad ones on stderr and
 * returns -1. */
int gopt_apply(struct program *p, const char *const *assigns, int n);
/* Set tapset/tzinfo.stp's zone globals when the script uses them. */
int gopt_apply_tz(struct program *p);

#endif
