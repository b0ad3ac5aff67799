// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * User-context access to script globals. Scalars are read and written in
 * place in the mmap'ed global data, so kernel probes see every store at
 * once; arrays go through bpf(2) map commands on the same hash maps the
 * kernel probes use.
 */
#define _GNU_SOURCE /* qsort_r */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "runtime/store.h"

/* Longest string the program's MAXSTRINGLEN allows, excluding the NUL. */
static size_t store_strmax(const struct store *st)
{
	int64_t n = st->prog->opt.maxstringlen;

	return n > 1 ? (size_t)n - 1 : 0;
}

/* Copy at most max bytes of s into dst and terminate it; dst has room for
 * max + 1 bytes. */
static void store_copy_str(char *dst, const char *s, size_t max)
{
	size_t n = s ? strnlen(s, max) : 0;

	memcpy(dst, s ? s : "", n);
	dst[n] = '\0';
}

int64_t store_get_long(struct store *st, const struct symbol *g)
{
	int64_t v;

	/* memcpy: the offset need not be 8-aligned in a hand-made layout */
	memcpy(&v, st->gd + g->gd_off, sizeof(v));
	return v;
}

void store_set_long(struct store *st, const struct symbol *g, int64_t v)
{
	memcpy(st->gd + g->gd_off, &v, sizeof(v));
}

const char *store_get_str(struct store *st, const struct symbol *g)
{
	char *s = (char *)st->gd + g->gd_off;

	/* a kernel probe may be writing it right now: keep it terminated */
	s[store_strmax(st)] = '\0';
	return s;
}

void store_set_str(struct store *st, const struct symbol *g, const char *s)
{
	store_copy_str((char *)st->gd + g->gd_off, s, store_strmax(st));
}

void store_pack_key(const struct symbol *g, const struct value *keys,
		    uint8_t *buf)
{
	/* zero padding too, so that equal tuples hash equal */
	memset(buf, 0, g->key_size);
	for (int i = 0; i < g->nkeys; i++) {
		uint8_t *slot = buf + g->keyoff[i];

		if (g->keytypes[i] == T_STRING) {
			const char *s = keys[i].s ? keys[i].s : "";
			size_t n = strnlen(s, g->keysize[i] - 1);

			memcpy(slot, s, n);
		} else {
			memcpy(slot, &keys[i].l, sizeof(int64_t));
		}
	}
}

void store_unpack_key(const struct symbol *g, const uint8_t *buf,
		      struct value *keys)
{
	for (int i = 0; i < g->nkeys; i++) {
		const uint8_t *slot = buf + g->keyoff[i];

		keys[i].type = g->keytypes[i];
		keys[i].l = 0;
		keys[i].s = NULL;
		if (g->keytypes[i] == T_STRING) {
			size_t n = strnlen((const char *)slot, g->keysize[i]);

			keys[i].s = malloc(n + 1);
			if (keys[i].s) {
				memcpy(keys[i].s, slot, n);
				keys[i].s[n] = '\0';
			}
		} else {
			memcpy(&keys[i].l, slot, sizeof(int64_t));
		}
	}
}

static int store_map_fd(struct store *st, const struct symbol *g)
{
	return st->map_fds[g->map_idx];
}

bool store_array_get(struct store *st, const struct symbol *g,
		     const struct value *keys, struct value *out)
{
	uint8_t *key = malloc(g->key_size);
	uint8_t *val = malloc(g->value_size);
	bool found = false;

	out->type = g->type;
	out->l = 0;
	out->s = NULL;
	if (!key || !val)
		goto out;
	store_pack_key(g, keys, key);
	if (g->percpu) { /* counts from every CPU (store_percpu.c) */
		found = store_percpu_get(st, g, key, &out->l);
		goto out;
	}
	found = bpf_map_lookup_elem(store_map_fd(st, g), key, val) == 0;
	if (!found)
		goto out;
	if (g->type == T_STRING) {
		size_t n = strnlen((const char *)val, g->value_size - 1);

		out->s = malloc(n + 1);
		if (out->s) {
			memcpy(out->s, val, n);
			out->s[n] = '\0';
		}
	} else {
		memcpy(&out->l, val, sizeof(int64_t));
	}
out:
	free(key);
	free(val);
	return found;
}

int store_array_set(struct store *st, const struct symbol *g,
		    const struct value *keys, const struct value *v)
{
	uint8_t *key = malloc(g->key_size);
	uint8_t *val = calloc(1, g->value_size);
	int err = -ENOMEM;

	if (!key || !val)
		goto out;
	store_pack_key(g, keys, key);
	if (g->percpu) {
		err = store_percpu_set(st, g, key, v->l);
		goto out;
	}
	if (g->type == T_STRING)
		store_copy_str((char *)val, v->s, g->value_size - 1);
	else
		memcpy(val, &v->l, sizeof(int64_t));
	err = bpf_map_update_elem(store_map_fd(st, g), key, val, BPF_ANY);
	if (err < 0)
		err = -errno;
out:
	free(key);
	free(val);
	return err;
}

void store_array_delete(struct store *st, const struct symbol *g,
			const struct value *keys)
{
	uint8_t *key = malloc(g->key_size);

	if (!key)
		return;
	store_pack_key(g, keys, key);
	bpf_map_delete_elem(store_map_fd(st, g), key);
	free(key);
}

void store_array_clear(struct store *st, const struct symbol *g)
{
	int fd = store_map_fd(st, g);
	uint8_t *key = malloc(g->key_size);

	if (!key)
		return;
	/* Always restart from the first key: deleting the current key would
	 * make get_next_key restart anyway, and this way a concurrent insert
	 * by a kernel probe cannot make the loop skip elements. */
	while (bpf_map_get_next_key(fd, NULL, key) == 0)
		if (bpf_map_delete_elem(fd, key) < 0 && errno != ENOENT)
			break;
	free(key);
}

static int store_cmp_raw(const void *a, const void *b, void *size)
{
	return memcmp(a, b, *(size_t *)size);
}

int store_array_keys(struct store *st, const struct symbol *g,
		     struct value **keys, int *n)
{
	int fd = store_map_fd(st, g);
	size_t ks = g->key_size;
	size_t cap = 64, cnt = 0, limit;
	uint8_t *raw = malloc(cap * ks);
	struct value *out;
	size_t uniq = 0;

	*keys = NULL;
	*n = 0;
	if (!raw)
		return -ENOMEM;
	/* A kernel probe deleting the key we stand on makes get_next_key
	 * restart from the top, so bound the walk and drop duplicates. */
	limit = 2 * (size_t)(g->maxentries ? g->maxentries : 65536) + 16;
	while (cnt < limit) {
		const void *prev = cnt ? raw + (cnt - 1) * ks : NULL;

		if (cnt == cap) {
			uint8_t *r = realloc(raw, 2 * cap * ks);

			if (!r) {
				free(raw);
				return -ENOMEM;
			}
			raw = r;
			cap *= 2;
			prev = raw + (cnt - 1) * ks;
		}
		if (bpf_map_get_next_key(fd, prev, raw + cnt * ks) < 0)
			break;
		cnt++;
	}
	if (cnt > 1)
		qsort_r(raw, cnt, ks, store_cmp_raw, &ks);
	out = calloc(cnt ? cnt * g->nkeys : 1, sizeof(*out));
	if (!out) {
		free(raw);
		return -ENOMEM;
	}
	for (size_t i = 0; i < cnt; i++) {
		if (uniq && !memcmp(raw + i * ks, raw + (i - 1) * ks, ks))
			continue;
		store_unpack_key(g, raw + i * ks, out + uniq * g->nkeys);
		uniq++;
	}
	free(raw);
	*keys = out;
	*n = (int)uniq;
	return 0;
}

void store_keys_free(struct value *keys, int n, int nkeys)
{
	if (!keys)
		return;
	for (int i = 0; i < n * nkeys; i++)
		free(keys[i].s);
	free(keys);
}
