// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Function symbols of an ELF file for uprobes. A uprobe is placed at a
 * file offset: a symbol's address is translated through the PT_LOAD
 * segment that holds it (vaddr -> offset), which is right for
 * executables, PIEs and shared libraries alike.
 */
#define _GNU_SOURCE
#include "elf_funcs.h"

#include <fcntl.h>
#include <fnmatch.h>
#include <gelf.h>
#include <stdbool.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int func_cmp(const void *a, const void *b)
{
	const struct elf_func *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

bool elf_vaddr_to_offset(Elf *e, uint64_t addr, uint64_t *off)
{
	size_t n;

	if (elf_getphdrnum(e, &n))
		return false;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_LOAD ||
		    !(ph.p_flags & PF_X))
			continue;
		if (addr >= ph.p_vaddr && addr < ph.p_vaddr + ph.p_filesz) {
			*off = addr - ph.p_vaddr + ph.p_offset;
			return true;
		}
	}
	return false;
}

static bool seen_addr(const struct elf_func_list *l, uint64_t addr)
{
	for (int i = 0; i < l->n; i++)
		if (l->v[i].addr == addr)
			return true;
	return false;
}

static void scan_symtab(Elf *e, Elf_Scn *scn, const GElf_Shdr *sh,
			const char *pattern, struct elf_func_list *out)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	size_t count = sh->sh_entsize ? sh->sh_size / sh->sh_entsize : 0;

	for (size_t i = 0; d && i < count; i++) {
		GElf_Sym s;
		const char *name;
		uint64_t off;

		if (!gelf_getsym(d, (int)i, &s) ||
		    GELF_ST_TYPE(s.st_info) != STT_FUNC ||
		    s.st_shndx == SHN_UNDEF || !s.st_value)
			continue;
		name = elf_strptr(e, sh->sh_link, s.st_name);
		if (!name || !*name || fnmatch(pattern, name, 0) ||
		    seen_addr(out, s.st_value) ||
		    !elf_vaddr_to_offset(e, s.st_value, &off))
			continue;
		out->v = realloc(out->v, (out->n + 1) * sizeof(*out->v));
		if (!out->v)
			abort();
		out->v[out->n++] = (struct elf_func){ .name = strdup(name),
						      .addr = s.st_value,
						      .offset = off,
						      .size = s.st_size };
	}
}

Elf *elf_open_file(const char *path, int *fd, const char **why)
{
	Elf *e;

	if (elf_version(EV_CURRENT) == EV_NONE) {
		*why = "libelf is unusable";
		return NULL;
	}
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0) {
		*why = "cannot open it";
		return NULL;
	}
	e = elf_begin(*fd, ELF_C_READ, NULL);
	if (!e || elf_kind(e) != ELF_K_ELF) {
		*why = "it is not an ELF file";
		if (e)
			elf_end(e);
		close(*fd);
		return NULL;
	}
	return e;
}

int elf_funcs_match(const char *path, const char *pattern,
		    struct elf_func_list *out, const char **why)
{
	Elf_Scn *dyn = NULL, *sym = NULL, *scn = NULL;
	GElf_Shdr dsh, ssh;
	Elf *e;
	int fd;

	out->v = NULL;
	out->n = 0;
	e = elf_open_file(path, &fd, why);
	if (!e)
		return -1;
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh))
			continue;
		if (sh.sh_type == SHT_SYMTAB) {
			sym = scn;
			ssh = sh;
		} else if (sh.sh_type == SHT_DYNSYM) {
			dyn = scn;
			dsh = sh;
		}
	}
	/* .symtab has every function (static ones too); a stripped file
	 * keeps only its exported ones in .dynsym */
	if (sym)
		scan_symtab(e, sym, &ssh, pattern, out);
	if (dyn)
		scan_symtab(e, dyn, &dsh, pattern, out);
	elf_end(e);
	close(fd);
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), func_cmp);
	return 0;
}

void elf_funcs_free(struct elf_func_list *l)
{
	for (int i = 0; i < l->n; i++)
		free(l->v[i].name);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

char *elf_find_executable(const char *name)
{
	const char *path = getenv("PATH");
	char *copy, *dir, *save = NULL, *found = NULL;

	if (strchr(name, '/'))
		return realpath(name, NULL);
	copy = strdup(path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
	if (!copy)
		abort();
	for (dir = strtok_r(copy, ":", &save); dir && !found;
	     dir = strtok_r(NULL, ":", &save)) {
		char *cand;

		if (asprintf(&cand, "%s/%s", *dir ? dir : ".", name) < 0)
			abort();
		if (access(cand, X_OK) == 0)
			found = realpath(cand, NULL);
		free(cand);
	}
	free(copy);
	return found;
}
