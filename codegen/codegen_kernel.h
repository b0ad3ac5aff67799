/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Maps and programs of kernel-probe mechanisms: the syscall dispatchers
 * and their program arrays, syscall names, perf-event scratch
 * (codegen-internal). */
#ifndef ETAP_CODEGEN_KERNEL_H
#define ETAP_CODEGEN_KERNEL_H

#include "codegen.h"

/* Dispatchers one object may hold (groups of syscall probes). */
#define CODEGEN_MAX_DISPATCHERS 8

/* Decide the indexes of the extra maps, starting at `first`. */
void codegen_kernel_plan(const struct program *p, struct compiled *c,
			 int first);
/* Add them (in the planned order) after etap_scratch. */
void codegen_kernel_maps(const struct program *p, struct compiled *c,
			 uint32_t scratch_size);
/* One program per dispatcher group; 0 or -1 after reporting. */
int codegen_dispatchers(const struct program *p, struct compiled *c);
void codegen_map_add(struct compiled *c, const char *name, uint32_t type,
		     uint32_t key, uint32_t value, uint32_t entries,
		     uint32_t flags);

#endif
