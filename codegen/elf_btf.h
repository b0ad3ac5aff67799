/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Internal to the object writer: the .BTF builder (elf_btf.c) and the
 * .BTF.ext encoder (btf_ext.c) shared with elf_write.c.
 *
 * Maps come in two kinds in the object:
 *  - BTF-defined maps in ".maps" (libbpf's `struct { __uint(...) } x
 *    SEC(".maps")` convention), addressed by RELOC_MAP_FD;
 *  - global data: an ARRAY map with one entry and BPF_F_MMAPABLE is written
 *    as its own data section ".data.<name>", which libbpf turns into an
 *    internal mmap-able array map. Only those accept RELOC_MAP_VALUE:
 *    libbpf rewrites every relocation against a ".maps" symbol into a map
 *    fd load, so direct value access needs a data section.
 */
#ifndef ETAP_ELF_BTF_H
#define ETAP_ELF_BTF_H

#include <stdbool.h>
#include <stdint.h>
#include "elf_write.h"

struct btf;

/* Where each program sits in the object: programs sharing a section name
 * are laid out one after the other in that section. */
struct elf_prog_place {
	size_t sec;	   /* index into the list of program sections */
	uint32_t byte_off; /* offset of the program in its section */
};

struct elf_btf {
	struct btf *btf;
	uint32_t *func_ids; /* BTF FUNC of each program */
	uint32_t *map_off;  /* offset of each map in ".maps" (0 for data) */
	uint32_t *map_size; /* bytes of its definition in ".maps" */
	uint32_t maps_size; /* bytes of ".maps" */
};

/* True if map m is written as a ".data.<name>" global-data section. */
bool elf_map_is_data(const struct obj_map *m);
/* The data section name of such a map (malloc'd). */
char *elf_map_data_section(const struct obj_map *m);

/* Build .BTF types: map definitions, data sections, one FUNC per program.
 * Strings for line info are added later by btf_ext_encode(). */
int elf_btf_build(struct elf_btf *eb, const struct obj_desc *d, char **err);
void elf_btf_free(struct elf_btf *eb);

/* Encode .BTF.ext (func info and line info) for the programs placed in
 * the sections secnames[0..nsecs-1]; adds the strings it refers to into
 * eb->btf, so serialise the BTF only afterwards. *buf is malloc'd. */
int btf_ext_encode(struct elf_btf *eb, const struct obj_desc *d,
		   const struct elf_prog_place *place,
		   const char *const *secnames, size_t nsecs, void **buf,
		   size_t *len, char **err);

/* Set *err to a malloc'd message; returns -1 for `return elf_fail(...)`. */
int elf_fail(char **err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
