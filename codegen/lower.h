/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Lowering of one kernel-context probe handler to IR (codegen-internal). */
#ifndef ETAP_LOWER_H
#define ETAP_LOWER_H

#include "codegen.h"

/* Scratch space: one per-CPU value this large holds string temporaries and
 * map keys (the per-CPU allocator serves at most 32 KiB per value). */
#define SCRATCH_MAX 32768

struct lower_shared {
	const struct program *p;
	struct compiled *out;
	int map_gd, map_rb, map_scratch;
	uint32_t scratch_size; /* largest scratch need of any probe */
};

/* Lower rp into f. Returns 0, or -1 after reporting errors. */
int lower_probe(struct lower_shared *sh, const struct rprobe *rp,
		struct ir_func *f);
/* Register a ring-buffer record descriptor; returns its id. */
int lower_add_rec(struct lower_shared *sh, const struct rec_desc *r);

#endif
