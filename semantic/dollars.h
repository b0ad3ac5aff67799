/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ETAP_DOLLARS_H
#define ETAP_DOLLARS_H

#include "sem.h"

/* Rewrite E_DOLLARS e ($$vars, $$parms, $$locals, $$return) of probe rp
 * into the equivalent sprintf() call (see dollars.c). */
void dollars_expand(struct rprobe *rp, struct node *e);

#endif
