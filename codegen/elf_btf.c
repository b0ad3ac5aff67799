// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The .BTF section of an object: map definitions as libbpf reads them,
 * global-data sections, and a FUNC per program (the kernel requires a FUNC
 * for func info, and line info needs func info).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include "elf_btf.h"

int elf_fail(char **err, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		va_start(ap, fmt);
		if (vasprintf(err, fmt, ap) < 0)
			*err = NULL;
		va_end(ap);
	}
	return -1;
}

bool elf_map_is_data(const struct obj_map *m)
{
	return m->type == BPF_MAP_TYPE_ARRAY && m->max_entries == 1 &&
	       (m->flags & BPF_F_MMAPABLE);
}

char *elf_map_data_section(const struct obj_map *m)
{
	char *s;

	if (asprintf(&s, ".data.%s", m->name) < 0)
		return NULL;
	return s;
}

/* BTF and the kernel accept only C identifiers as VAR and FUNC names. */
static bool elf_name_valid(const char *s)
{
	if (!s || !*s || (*s >= '0' && *s <= '9'))
		return false;
	for (; *s; s++)
		if (!(*s == '_' || (*s >= 'a' && *s <= 'z') ||
		      (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')))
			return false;
	return true;
}

/*
 * libbpf reads an integer attribute of a BTF-defined map from the element
 * count of an array pointed to by the member: `int (*type)[X]`.
 */
static int elf_btf_add_uint_field_type(struct btf *btf, int int_id,
				       uint32_t val)
{
	int arr = btf__add_array(btf, int_id, int_id, val);

	return arr < 0 ? arr : btf__add_ptr(btf, arr);
}

struct elf_map_field {
	const char *name;
	uint32_t val;
};

/* Members of one map definition; ring buffers refuse key/value sizes, and
 * zero-valued optional attributes are left out as C code would. */
static int elf_map_fields(const struct obj_map *m, struct elf_map_field *f)
{
	int n = 0;

	f[n++] = (struct elf_map_field){"type", m->type};
	if (m->key_size)
		f[n++] = (struct elf_map_field){"key_size", m->key_size};
	if (m->value_size)
		f[n++] = (struct elf_map_field){"value_size", m->value_size};
	f[n++] = (struct elf_map_field){"max_entries", m->max_entries};
	if (m->flags)
		f[n++] = (struct elf_map_field){"map_flags", m->flags};
	return n;
}

/* VAR of one BTF-defined map; its anonymous struct has size 8 per member,
 * which is also the room the map takes in ".maps". */
static int elf_btf_add_map_var(struct btf *btf, int int_id,
			       const struct obj_map *m, uint32_t *size)
{
	struct elf_map_field f[5];
	int ptr[5], n = elf_map_fields(m, f), st, i;

	for (i = 0; i < n; i++) {
		ptr[i] = elf_btf_add_uint_field_type(btf, int_id, f[i].val);
		if (ptr[i] < 0)
			return ptr[i];
	}
	*size = n * 8;
	st = btf__add_struct(btf, NULL, *size);
	for (i = 0; st >= 0 && i < n; i++) {
		int e = btf__add_field(btf, f[i].name, ptr[i], i * 64, 0);

		if (e < 0)
			return e;
	}
	if (st < 0)
		return st;
	return btf__add_var(btf, m->name, BTF_VAR_GLOBAL_ALLOCATED, st);
}

/*
 * A global-data map is a DATASEC holding one global VAR of type
 * `unsigned char[value_size]`. The VAR must be global (not static): libbpf
 * makes the internal map BPF_F_MMAPABLE only if some VAR is exposed.
 */
static int elf_btf_add_data(struct btf *btf, int int_id, int uchar_id,
			    const struct obj_map *m)
{
	char *sec = elf_map_data_section(m);
	int arr, var, ds, e;

	if (!sec)
		return -ENOMEM;
	arr = btf__add_array(btf, int_id, uchar_id, m->value_size);
	var = arr < 0
		  ? arr
		  : btf__add_var(btf, m->name, BTF_VAR_GLOBAL_ALLOCATED, arr);
	ds = var < 0 ? var : btf__add_datasec(btf, sec, m->value_size);
	e = ds < 0 ? ds : btf__add_datasec_var_info(btf, var, 0, m->value_size);
	free(sec);
	return e;
}

static int elf_btf_add_maps(struct elf_btf *eb, const struct obj_desc *d,
			    int int_id, char **err)
{
	struct btf *btf = eb->btf;
	int *vars, uchar_id, e = 0;
	uint32_t *sizes = eb->map_size, i;

	vars = calloc(d->nmaps + 1, sizeof(*vars));
	if (!vars)
		return elf_fail(err, "out of memory");
	uchar_id = btf__add_int(btf, "unsigned char", 1, 0);
	for (i = 0; i < d->nmaps && e >= 0; i++) {
		const struct obj_map *m = &d->maps[i];

		if (!elf_name_valid(m->name)) {
			e = -EINVAL;
			elf_fail(err, "map name '%s' is not an identifier",
				 m->name ? m->name : "(null)");
		} else if (!elf_map_is_data(m)) {
			e = vars[i] =
			    elf_btf_add_map_var(btf, int_id, m, &sizes[i]);
			eb->map_off[i] = eb->maps_size;
			eb->maps_size += sizes[i];
		} else if (m->key_size != 4 || !m->value_size) {
			e = -EINVAL;
			elf_fail(err,
				 "global-data map '%s' needs key size 4 and a "
				 "value size",
				 m->name);
		} else {
			e = elf_btf_add_data(btf, int_id, uchar_id, m);
		}
	}
	/* The DATASEC comes after its VARs: secinfos attach to the last type.
	 */
	if (e >= 0 && eb->maps_size)
		e = btf__add_datasec(btf, ".maps", eb->maps_size);
	for (i = 0; i < d->nmaps && e >= 0; i++)
		if (!elf_map_is_data(&d->maps[i]))
			e = btf__add_datasec_var_info(btf, vars[i],
						      eb->map_off[i], sizes[i]);
	free(vars);
	if (e < 0 && err && !*err)
		elf_fail(err, "cannot build map BTF: %s", strerror(-e));
	return e < 0 ? -1 : 0;
}

/* Every program is `int NAME(void *ctx)`, global, as clang emits for a
 * SEC("tracepoint/...") function. */
static int elf_btf_add_funcs(struct elf_btf *eb, const struct obj_desc *d,
			     int int_id, char **err)
{
	struct btf *btf = eb->btf;
	int vptr, proto, e;
	size_t i;

	int long_id, cbproto;

	vptr = btf__add_ptr(btf, 0);
	proto = vptr < 0 ? vptr : btf__add_func_proto(btf, int_id);
	e = proto < 0 ? proto : btf__add_func_param(btf, "ctx", vptr);
	/* callbacks: long cb(void *map, void *key, void *value, void *ctx),
	 * static, as the verifier checks a callback's BTF */
	long_id = e < 0 ? e : btf__add_int(btf, "long", 8, BTF_INT_SIGNED);
	cbproto = long_id < 0 ? long_id : btf__add_func_proto(btf, long_id);
	e = cbproto < 0 ? cbproto : btf__add_func_param(btf, "map", vptr);
	if (e >= 0)
		e = btf__add_func_param(btf, "key", vptr);
	if (e >= 0)
		e = btf__add_func_param(btf, "value", vptr);
	if (e >= 0)
		e = btf__add_func_param(btf, "ctx", vptr);
	for (i = 0; i < d->nprogs && e >= 0; i++) {
		const char *name = d->progs[i].code->name;
		bool cb = d->progs[i].subprog;

		if (!elf_name_valid(name))
			return elf_fail(
			    err, "program name '%s' is not an identifier",
			    name ? name : "(null)");
		e = btf__add_func(btf, name,
				  cb ? BTF_FUNC_STATIC : BTF_FUNC_GLOBAL,
				  cb ? cbproto : proto);
		eb->func_ids[i] = e;
	}
	return e < 0 ? elf_fail(err, "cannot build func BTF: %s", strerror(-e))
		     : 0;
}

int elf_btf_build(struct elf_btf *eb, const struct obj_desc *d, char **err)
{
	int int_id;

	memset(eb, 0, sizeof(*eb));
	eb->btf = btf__new_empty();
	eb->func_ids = calloc(d->nprogs + 1, sizeof(*eb->func_ids));
	eb->map_off = calloc(d->nmaps + 1, sizeof(*eb->map_off));
	eb->map_size = calloc(d->nmaps + 1, sizeof(*eb->map_size));
	if (!eb->btf || !eb->func_ids || !eb->map_off || !eb->map_size) {
		elf_btf_free(eb);
		return elf_fail(err, "out of memory");
	}
	int_id = btf__add_int(eb->btf, "int", 4, BTF_INT_SIGNED);
	if (int_id < 0 || elf_btf_add_maps(eb, d, int_id, err) < 0 ||
	    elf_btf_add_funcs(eb, d, int_id, err) < 0) {
		if (err && !*err)
			elf_fail(err, "cannot build BTF");
		elf_btf_free(eb);
		return -1;
	}
	return 0;
}

void elf_btf_free(struct elf_btf *eb)
{
	btf__free(eb->btf);
	free(eb->func_ids);
	free(eb->map_off);
	free(eb->map_size);
	memset(eb, 0, sizeof(*eb));
}
