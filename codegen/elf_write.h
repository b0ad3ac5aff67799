/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Write a standard BPF ELF object: programs in their sections, BTF-defined
 * maps in ".maps", a license, ".BTF" (map definitions, one FUNC per program)
 * and ".BTF.ext" (func info and line info mapping instructions to script
 * lines). libbpf 1.1 has no writer for .BTF.ext, so it is encoded here.
 */
#ifndef ETAP_ELF_WRITE_H
#define ETAP_ELF_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "ir.h"

struct obj_map {
	const char *name;
	uint32_t type; /* BPF_MAP_TYPE_* */
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;
	uint32_t flags; /* BPF_F_* map flags */
};

struct obj_prog {
	const char *section; /* e.g. "tracepoint/syscalls/sys_enter_read" */
	const struct bpf_prog_code *code; /* code->name is the symbol name */
	/* A callback subprogram, `long NAME(void *map, void *key, void
	 * *value, void *ctx)`, section ".text": RELOC_SUBPROG relocations
	 * name it by its index in obj_desc.progs. */
	bool subprog;
};

struct obj_desc {
	const char *license; /* "GPL" */
	const struct obj_map *maps;
	size_t nmaps;
	const struct obj_prog *progs;
	size_t nprogs;
};

/* Build the object in memory (*buf malloc'd). Line info quotes source lines
 * via diag_source(loc.file). Returns 0, or -1 with *err malloc'd. */
int elf_write_object(const struct obj_desc *d, void **buf, size_t *len,
		     char **err);

#endif
