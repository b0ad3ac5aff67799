/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Global storage as user context sees it: scalars in the mmap'ed global
 * data, arrays in BPF maps (read and written with bpf(2) map commands), so
 * user-context probes and kernel probes share the same state.
 */
#ifndef ETAP_STORE_H
#define ETAP_STORE_H

#include <stdbool.h>
#include <stdint.h>
#include "../semantic/sem.h"

/* A value in user context. Strings are NUL-terminated, owned by the value
 * holder (see value_set_str). */
struct value {
	enum etype type;
	int64_t l;
	char *s;
};

struct store {
	const struct program *prog;
	uint8_t *gd;	 /* mmap'ed global data (prog->gd_size bytes) */
	int *map_fds;	 /* per array symbol: fd of its map (map_idx) */
};

int64_t store_get_long(struct store *st, const struct symbol *g);
void store_set_long(struct store *st, const struct symbol *g, int64_t v);
/* Returns a pointer into global data (valid until the next write). */
const char *store_get_str(struct store *st, const struct symbol *g);
void store_set_str(struct store *st, const struct symbol *g, const char *s);

/* Arrays: keys has g->nkeys values. Returns true when the element exists
 * (out is set), false when absent (out is 0 / ""). */
bool store_array_get(struct store *st, const struct symbol *g,
		     const struct value *keys, struct value *out);
/* Returns 0, or -E2BIG when the array is full (MAXMAPENTRIES). */
int store_array_set(struct store *st, const struct symbol *g,
		    const struct value *keys, const struct value *v);
void store_array_delete(struct store *st, const struct symbol *g,
			const struct value *keys);
void store_array_clear(struct store *st, const struct symbol *g);
/* Snapshot of all keys: *keys is a malloc'd array of n * g->nkeys values
 * (free with store_keys_free). */
int store_array_keys(struct store *st, const struct symbol *g,
		     struct value **keys, int *n);
void store_keys_free(struct value *keys, int n, int nkeys);

/* Per-CPU long arrays (store_percpu.c): the sum over CPUs / a store on
 * CPU 0 with the others zeroed. key is packed. */
bool store_percpu_get(struct store *st, const struct symbol *g,
		      const uint8_t *key, int64_t *out);
int store_percpu_set(struct store *st, const struct symbol *g,
		     const uint8_t *key, int64_t v);

/* Pack/unpack a key tuple in the map's layout (sym->keyoff/keysize). */
void store_pack_key(const struct symbol *g, const struct value *keys,
		    uint8_t *buf);
void store_unpack_key(const struct symbol *g, const uint8_t *buf,
		      struct value *keys);

#endif
