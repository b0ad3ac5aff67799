/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Kernel-context `<<<` (codegen-internal). */
#ifndef ETAP_LOWER_STATS_H
#define ETAP_LOWER_STATS_H

#include "lower_int.h"

/* e is E_ASSIGN with op OP_AGG: add e->b to this CPU's aggregate. */
struct val lower_stats_agg(struct lower *L, struct node *e);

#endif
