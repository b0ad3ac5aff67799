// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Per-CPU long arrays as user context sees them: the semantic pass makes
 * an array per-CPU when kernel probes only increment it (the
 * counts[execname()]++ idiom, semantic/stats.c). A read adds up every
 * CPU's count; a write puts the value on CPU 0 and zeros elsewhere, so
 * the sum is what the script stored.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "runtime/store.h"

bool store_percpu_get(struct store *st, const struct symbol *g,
		      const uint8_t *key, int64_t *out)
{
	int n = libbpf_num_possible_cpus();
	uint64_t sum = 0;
	int64_t *vals;
	bool found;

	*out = 0;
	if (n <= 0)
		return false;
	vals = calloc((size_t)n, 8);
	if (!vals)
		return false;
	found = bpf_map_lookup_elem(st->map_fds[g->map_idx], key, vals) == 0;
	for (int i = 0; found && i < n; i++)
		sum += (uint64_t)vals[i];
	free(vals);
	*out = (int64_t)sum;
	return found;
}

int store_percpu_set(struct store *st, const struct symbol *g,
		     const uint8_t *key, int64_t v)
{
	int n = libbpf_num_possible_cpus();
	int64_t *vals;
	int err;

	if (n <= 0)
		return -EINVAL;
	vals = calloc((size_t)n, 8);
	if (!vals)
		return -ENOMEM;
	vals[0] = v;
	err = bpf_map_update_elem(st->map_fds[g->map_idx], key, vals, BPF_ANY);
	if (err < 0)
		err = -errno;
	free(vals);
	return err;
}
