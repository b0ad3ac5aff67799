// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reading USDT notes. Each note of type 3 owned by "stapsdt" describes
 * one site: three addresses (the probe's pc, the link-time address of the
 * .stapsdt.base section, the semaphore) then provider, name and argument
 * strings. If the file was prelinked, .stapsdt.base moved: pc and
 * semaphore move with it. The pc becomes a file offset through the code
 * segment, the semaphore through the section that holds it (.probes):
 * the kernel increments it while the uprobe is attached (ref_ctr_offset).
 */
#define _GNU_SOURCE
#include "usdt.h"

#include <fnmatch.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "elf_funcs.h"
#include "regs.h"

#define NT_STAPSDT 3

static bool parse_reg(const char *s, int *off)
{
	int bits;

	if (*s != '%')
		return false;
	*off = regs_offset(s + 1, &bits);
	return *off >= 0;
}

/* One operand "SIZE@OP" (tok is NUL-terminated). */
static void parse_operand(char *tok, struct usdt_arg *a)
{
	char *at = strchr(tok, '@'), *op, *paren;
	long size;

	memset(a, 0, sizeof(*a));
	a->text = strdup(tok);
	a->kind = UA_UNSUPPORTED;
	if (!at)
		return;
	size = strtol(tok, NULL, 10);
	a->is_signed = size < 0;
	a->size = (int)(size < 0 ? -size : size);
	if (a->size != 1 && a->size != 2 && a->size != 4 && a->size != 8)
		return;
	op = at + 1;
	if (*op == '$') {
		a->kind = UA_CONST;
		a->val = strtoll(op + 1, NULL, 0);
	} else if (*op == '%') {
		if (parse_reg(op, &a->reg_off))
			a->kind = UA_REG;
	} else if ((paren = strchr(op, '(')) && !strchr(op, ',') &&
		   !strchr(op, ':')) {
		char *close = strchr(paren, ')');

		if (!close || close[1])
			return;
		*close = '\0';
		a->val = paren == op ? 0 : strtoll(op, NULL, 0);
		if (parse_reg(paren + 1, &a->reg_off))
			a->kind = UA_MEM;
		*close = ')';
	}
}

int usdt_parse_args(const char *s, struct usdt_arg *args, int max)
{
	char *copy = strdup(s ? s : ""), *save = NULL, *tok;
	int n = 0;

	if (!copy)
		abort();
	for (tok = strtok_r(copy, " ", &save); tok && n < max;
	     tok = strtok_r(NULL, " ", &save))
		parse_operand(tok, &args[n++]);
	free(copy);
	return n;
}

/* The file offset of the semaphore at link-time address addr: through
 * the section that holds it. */
static uint64_t sem_file_offset(Elf *e, uint64_t addr)
{
	Elf_Scn *scn = NULL;

	while (addr && (scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;

		if (gelf_getshdr(scn, &sh) && sh.sh_type != SHT_NOBITS &&
		    addr >= sh.sh_addr && addr < sh.sh_addr + sh.sh_size)
			return addr - sh.sh_addr + sh.sh_offset;
	}
	return 0;
}

static Elf_Scn *section_named(Elf *e, const char *want, GElf_Shdr *out)
{
	Elf_Scn *scn = NULL;
	size_t shstr;

	if (elf_getshdrstrndx(e, &shstr))
		return NULL;
	while ((scn = elf_nextscn(e, scn))) {
		const char *n;

		if (!gelf_getshdr(scn, out))
			continue;
		n = elf_strptr(e, shstr, out->sh_name);
		if (n && strcmp(n, want) == 0)
			return scn;
	}
	return NULL;
}

static void note_add(Elf *e, const char *desc, size_t len, uint64_t base_now,
		     const char *prov_pat, const char *name_pat,
		     struct usdt_list *out)
{
	uint64_t pc, base, sem, off;
	const char *prov, *name, *args;
	struct usdt_site *u;

	if (len < 24 + 3)
		return;
	memcpy(&pc, desc, 8);
	memcpy(&base, desc + 8, 8);
	memcpy(&sem, desc + 16, 8);
	prov = desc + 24;
	name = prov + strnlen(prov, len - 24) + 1;
	if (name >= desc + len)
		return;
	args = name + strnlen(name, desc + len - name) + 1;
	if (args > desc + len)
		args = "";
	if ((prov_pat && fnmatch(prov_pat, prov, 0)) ||
	    fnmatch(name_pat, name, 0))
		return;
	if (base && base_now) {
		pc += base_now - base;
		if (sem)
			sem += base_now - base;
	}
	if (!elf_vaddr_to_offset(e, pc, &off))
		return;
	out->v = realloc(out->v, (out->n + 1) * sizeof(*out->v));
	if (!out->v)
		abort();
	u = &out->v[out->n++];
	memset(u, 0, sizeof(*u));
	u->provider = strdup(prov);
	u->name = strdup(name);
	u->offset = off;
	u->sem_offset = sem_file_offset(e, sem);
	u->nargs = usdt_parse_args(args, u->args, USDT_MAX_ARGS);
}

int usdt_match(const char *path, const char *provider, const char *name,
	       struct usdt_list *out, const char **why)
{
	GElf_Shdr sh, bsh;
	Elf_Scn *scn;
	uint64_t base_now = 0;
	Elf *e;
	int fd;

	out->v = NULL;
	out->n = 0;
	e = elf_open_file(path, &fd, why);
	if (!e)
		return -1;
	if (section_named(e, ".stapsdt.base", &bsh))
		base_now = bsh.sh_addr;
	scn = section_named(e, ".note.stapsdt", &sh);
	if (scn && sh.sh_type == SHT_NOTE) {
		Elf_Data *d = elf_getdata(scn, NULL);
		size_t pos = 0, next, name_off, desc_off;
		GElf_Nhdr nh;

		while (d && (next = gelf_getnote(d, pos, &nh, &name_off,
						 &desc_off)) > 0) {
			const char *buf = d->d_buf;

			if (nh.n_type == NT_STAPSDT && nh.n_namesz == 8 &&
			    memcmp(buf + name_off, "stapsdt", 8) == 0)
				note_add(e, buf + desc_off, nh.n_descsz,
					 base_now, provider, name, out);
			pos = next;
		}
	}
	elf_end(e);
	close(fd);
	return 0;
}

struct usdt_site *usdt_take(struct usdt_list *l, int i)
{
	struct usdt_site *u = malloc(sizeof(*u));

	if (!u)
		abort();
	*u = l->v[i];
	memset(&l->v[i], 0, sizeof(l->v[i]));
	return u;
}

void usdt_free(struct usdt_list *l)
{
	for (int i = 0; i < l->n; i++) {
		free(l->v[i].provider);
		free(l->v[i].name);
		for (int k = 0; k < l->v[i].nargs; k++)
			free(l->v[i].args[k].text);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}
