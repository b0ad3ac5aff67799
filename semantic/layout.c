// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Storage layout: scalars go to the global-data value after its fixed
 * header, arrays to one hash map each. String key slots are as large as
 * the longest string any index expression can hold (execname() needs 16
 * bytes, not MAXSTRINGLEN), which keeps keys small and hashing cheap.
 */
#include "sem_internal.h"
#include "stats.h"

static uint32_t round8(uint32_t v)
{
	return (v + 7) & ~7u;
}

void sem_layout_storage(struct program *p)
{
	uint32_t off = GD_SCALARS;
	uint32_t strlen_max = (uint32_t)p->opt.maxstringlen;
	uint32_t zero = 0;
	int maps = 0;

	for (struct symbol *g = p->globals; g; g = g->next) {
		if (g->nkeys == 0 && g->type != T_STATS) {
			g->gd_off = off;
			off += g->type == T_STRING ? round8(strlen_max) : 8;
			continue;
		}
		/* aggregates only user context collects into live in the
		 * evaluator (runtime/stats.c), not in a map */
		g->has_map = g->type != T_STATS || g->used_in_kernel;
		if (g->has_map)
			g->map_idx = maps++;
		g->key_size = 0;
		for (int i = 0; i < g->nkeys; i++) {
			uint32_t sz = 8;

			if (g->keytypes[i] == T_STRING) {
				sz = g->keysize[i] > 0 ? (uint32_t)g->keysize[i]
						       : strlen_max;
				if (sz > strlen_max)
					sz = strlen_max;
				sz = round8(sz);
			}
			g->keysize[i] = (int)sz;
			g->keyoff[i] = (int)g->key_size;
			g->key_size += sz;
		}
		g->value_size = g->type == T_STRING ? round8(strlen_max) : 8;
		if (g->type == T_STATS) {
			g->value_size = stats_value_size(g->stats);
			g->percpu = true;
			if (g->has_map && g->nkeys > 0 && g->value_size > zero)
				zero = g->value_size;
		}
		if (g->maxentries == 0)
			g->maxentries = (uint32_t)p->opt.maxmapentries;
	}
	/* kernel probes create aggregate elements from these zeros */
	p->gd_stats_zero = off;
	off += zero;
	p->gd_size = off;
	p->nmaps_arrays = maps;
}
