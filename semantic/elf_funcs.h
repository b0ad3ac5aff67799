/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The functions an ELF file defines, from its symbol tables through
 * libelf: what process("PATH").function("NAME") probes attach to.
 */
#ifndef ETAP_ELF_FUNCS_H
#define ETAP_ELF_FUNCS_H

#include <libelf.h>
#include <stdbool.h>
#include <stdint.h>

struct elf_func {
	char *name;
	uint64_t addr;	 /* st_value: the link-time address */
	uint64_t offset; /* where its code is in the file (uprobe offset) */
	uint64_t size;	 /* st_size (0 when the table does not say) */
};

struct elf_func_list {
	struct elf_func *v;
	int n;
};

/* Every defined function of path whose name matches the glob pattern,
 * one per address (.symtab first, else .dynsym), sorted by name. Returns
 * 0, or -1 with *why set when path is no readable ELF file. */
int elf_funcs_match(const char *path, const char *pattern,
		    struct elf_func_list *out, const char **why);
void elf_funcs_free(struct elf_func_list *l);

/* path opened for reading with libelf (*fd is its descriptor, to close
 * after elf_end), or NULL with *why set. */
Elf *elf_open_file(const char *path, int *fd, const char **why);

/* The file offset of link-time address addr in e's code; false when no
 * loadable executable segment holds it. */
bool elf_vaddr_to_offset(Elf *e, uint64_t addr, uint64_t *off);

/* The absolute path of an executable: PATH lookup for a bare name, as a
 * shell would; NULL when none is found (malloc'd otherwise). */
char *elf_find_executable(const char *name);

#endif
