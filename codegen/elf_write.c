// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Assemble a relocatable ELF64 BPF object in memory, byte by byte: the
 * format is small and fixed, and libelf cannot write to memory.
 *
 * Section order: null, .strtab, .shstrtab, .symtab, then each program
 * section followed by its .rel section, license, .maps, the ".data.<name>"
 * global-data sections, .BTF, .BTF.ext. All symbols are global (programs
 * are FUNC, maps OBJECT), so the symbol table has no locals but the null
 * entry.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include "elf_btf.h"
#include "elf_write.h"

#ifndef EM_BPF
#define EM_BPF 247
#endif
#ifndef R_BPF_64_64
#define R_BPF_64_64 1
#endif

enum { SEC_STRTAB = 1, SEC_SHSTRTAB, SEC_SYMTAB, SEC_FIRST_PROG };

/* A growable string table; offset 0 is the empty string. */
struct elf_strtab {
	char *p;
	size_t len, cap;
	bool oom;
};

static uint32_t elf_strtab_add(struct elf_strtab *t, const char *s)
{
	size_t n = strlen(s) + 1, off = t->len;
	char *p;

	if (t->len + n > t->cap) {
		t->cap = (t->len + n) * 2 + 64;
		p = realloc(t->p, t->cap);
		if (!p) {
			t->oom = true; /* checked once the object is laid out */
			return 0;
		}
		t->p = p;
	}
	memcpy(t->p + t->len, s, n);
	t->len += n;
	return off;
}

struct elf_sec {
	Elf64_Shdr sh;
	const void *data; /* NULL: sh_size zero bytes */
};

struct elf_out {
	struct elf_sec *secs;
	size_t nsecs;
	struct elf_strtab shstr, str;
	Elf64_Sym *syms;
	size_t nsyms;
	/* owned buffers referenced by secs[].data */
	void **owned;
	size_t nowned;
};

static size_t elf_sec_add(struct elf_out *o, const char *name, uint32_t type,
			  uint64_t flags, const void *data, size_t size,
			  uint64_t align)
{
	struct elf_sec *s = &o->secs[o->nsecs];

	s->sh.sh_name = elf_strtab_add(&o->shstr, name);
	s->sh.sh_type = type;
	s->sh.sh_flags = flags;
	s->sh.sh_size = size;
	s->sh.sh_addralign = align;
	s->data = data;
	return o->nsecs++;
}

static void *elf_own(struct elf_out *o, void *p)
{
	if (p)
		o->owned[o->nowned++] = p;
	return p;
}

/* Symbol slots are fixed up front: 1 + program index for programs, then
 * 1 + nprogs + map index for maps, so relocations can name a map's symbol
 * before its section exists. */
static void elf_sym_set(struct elf_out *o, size_t idx, const char *name,
			int type, size_t shndx, uint64_t value, uint64_t size)
{
	Elf64_Sym *s = &o->syms[idx];

	s->st_name = elf_strtab_add(&o->str, name);
	s->st_info = ELF64_ST_INFO(STB_GLOBAL, type);
	s->st_other = STV_DEFAULT;
	s->st_shndx = shndx;
	s->st_value = value;
	s->st_size = size;
}

/*
 * Rewrite each map load from the IR's convention (the kernel's: src_reg =
 * BPF_PSEUDO_MAP_FD/VALUE, imm = map index, second imm = value offset) into
 * the ELF one: a plain ld_imm64 whose first imm is the addend (the offset in
 * the value), plus an R_BPF_64_64 relocation against the map's symbol.
 * libbpf puts the map fd and src_reg back at load time.
 */
static int elf_prog_relocate(const struct obj_desc *d,
			     const struct bpf_prog_code *c,
			     struct bpf_insn *insns, Elf64_Rel *rels,
			     uint32_t byte_off, const size_t *map_sym,
			     char **err)
{
	size_t i;

	for (i = 0; i < c->nrelocs; i++) {
		const struct bpf_map_reloc *r = &c->relocs[i];
		struct bpf_insn *in = &insns[r->insn_idx];
		const struct obj_map *m;
		int32_t off;

		if (r->insn_idx + 1 >= c->ninsns ||
		    in->code != (BPF_LD | BPF_IMM | BPF_DW))
			return elf_fail(
			    err,
			    "%s: relocation at insn %u is not on an ld_imm64",
			    c->name, r->insn_idx);
		if (r->kind == RELOC_SUBPROG) {
			/* libbpf: a relocation against a global FUNC of .text
			 * with imm 0 is the address of that subprogram */
			if (r->map_idx < 0 || (size_t)r->map_idx >= d->nprogs ||
			    !d->progs[r->map_idx].subprog)
				return elf_fail(err,
						"%s: callback %d is not a "
						"subprogram",
						c->name, r->map_idx);
			in[0].src_reg = BPF_PSEUDO_FUNC;
			in[0].imm = 0;
			in[1].imm = 0;
			rels[i].r_offset = byte_off + r->insn_idx * 8;
			rels[i].r_info = ELF64_R_INFO(1 + (size_t)r->map_idx,
						      R_BPF_64_64);
			continue;
		}
		if (r->map_idx < 0 || (size_t)r->map_idx >= d->nmaps)
			return elf_fail(err,
					"%s: relocation against unknown map %d",
					c->name, r->map_idx);
		m = &d->maps[r->map_idx];
		/* libbpf reads a relocation against ".maps" as a map fd and
		 * one against a data section as a value address */
		if (r->kind == RELOC_MAP_VALUE && !elf_map_is_data(m))
			return elf_fail(
			    err,
			    "%s: map '%s' has no direct value "
			    "access (needs array, 1 entry, mmapable)",
			    c->name, m->name);
		if (r->kind == RELOC_MAP_FD && elf_map_is_data(m))
			return elf_fail(err,
					"%s: global-data map '%s' is "
					"addressed by value only",
					c->name, m->name);
		off = r->kind == RELOC_MAP_VALUE ? in[1].imm : 0;
		in[0].src_reg = 0;
		in[0].imm = off;
		in[1].imm = 0;
		rels[i].r_offset = byte_off + r->insn_idx * 8;
		rels[i].r_info = ELF64_R_INFO(map_sym[r->map_idx], R_BPF_64_64);
	}
	return 0;
}

/* Program sections: distinct section names, in order of first use; a
 * program goes after those already placed in its section. */
static size_t elf_place_progs(const struct obj_desc *d,
			      struct elf_prog_place *place,
			      const char **secnames, uint32_t *secsize)
{
	size_t n = 0, i, s;

	for (i = 0; i < d->nprogs; i++) {
		for (s = 0; s < n; s++)
			if (!strcmp(secnames[s], d->progs[i].section))
				break;
		if (s == n) {
			secnames[n] = d->progs[i].section;
			secsize[n++] = 0;
		}
		place[i].sec = s;
		place[i].byte_off = secsize[s];
		secsize[s] +=
		    d->progs[i].code->ninsns * sizeof(struct bpf_insn);
	}
	return n;
}

/* The code and relocations of program section s. */
static int elf_add_prog_section(struct elf_out *o, const struct obj_desc *d,
				const struct elf_prog_place *place, size_t s,
				const char *name, uint32_t size,
				const size_t *map_sym, char **err)
{
	struct bpf_insn *insns = elf_own(o, calloc(1, size + 8));
	Elf64_Rel *rels;
	size_t i, nrels = 0, sec, rsec;
	char *rname;

	for (i = 0; i < d->nprogs; i++)
		if (place[i].sec == s)
			nrels += d->progs[i].code->nrelocs;
	rels = elf_own(o, calloc(nrels + 1, sizeof(*rels)));
	if (!insns || !rels)
		return elf_fail(err, "out of memory");
	sec = elf_sec_add(o, name, SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR,
			  insns, size, 8);
	nrels = 0;
	for (i = 0; i < d->nprogs; i++) {
		const struct bpf_prog_code *c = d->progs[i].code;
		struct bpf_insn *at = insns + place[i].byte_off / 8;

		if (place[i].sec != s)
			continue;
		memcpy(at, c->insns, c->ninsns * sizeof(*at));
		if (elf_prog_relocate(d, c, at, rels + nrels, place[i].byte_off,
				      map_sym, err) < 0)
			return -1;
		nrels += c->nrelocs;
		elf_sym_set(o, 1 + i, c->name, STT_FUNC, sec, place[i].byte_off,
			    c->ninsns * sizeof(struct bpf_insn));
		/* hidden: libbpf keeps a callback's BTF linkage static */
		if (d->progs[i].subprog)
			o->syms[1 + i].st_other = STV_HIDDEN;
	}
	if (!nrels)
		return 0;
	if (asprintf(&rname, ".rel%s", name) < 0)
		return elf_fail(err, "out of memory");
	rsec =
	    elf_sec_add(o, rname, SHT_REL, 0, rels, nrels * sizeof(*rels), 8);
	free(rname);
	o->secs[rsec].sh.sh_link = SEC_SYMTAB;
	o->secs[rsec].sh.sh_info = sec;
	o->secs[rsec].sh.sh_entsize = sizeof(Elf64_Rel);
	return 0;
}

/* ".maps" holds zeroes: libbpf reads the definitions from BTF, and only
 * needs each map's symbol at its offset. */
static int elf_add_maps(struct elf_out *o, const struct obj_desc *d,
			const struct elf_btf *eb, char **err)
{
	size_t i, sec, maps_sec = 0, msym = 1 + d->nprogs;

	if (eb->maps_size)
		maps_sec =
		    elf_sec_add(o, ".maps", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE,
				NULL, eb->maps_size, 8);
	for (i = 0; i < d->nmaps; i++) {
		const struct obj_map *m = &d->maps[i];
		char *name;

		if (!elf_map_is_data(m)) {
			elf_sym_set(o, msym + i, m->name, STT_OBJECT, maps_sec,
				    eb->map_off[i], eb->map_size[i]);
			continue;
		}
		name = elf_map_data_section(m);
		if (!name)
			return elf_fail(err, "out of memory");
		/* zero bytes: the initial value of the global data */
		sec = elf_sec_add(o, name, SHT_PROGBITS, SHF_ALLOC | SHF_WRITE,
				  NULL, m->value_size, 8);
		free(name);
		elf_sym_set(o, msym + i, m->name, STT_OBJECT, sec, 0,
			    m->value_size);
	}
	return 0;
}

/* Offsets of every section's bytes and of the section header table. */
static size_t elf_layout(struct elf_out *o, uint64_t *shoff)
{
	uint64_t off = sizeof(Elf64_Ehdr), a;
	size_t i;

	for (i = 1; i < o->nsecs; i++) {
		a = o->secs[i].sh.sh_addralign ? o->secs[i].sh.sh_addralign : 1;
		off = (off + a - 1) & ~(a - 1);
		o->secs[i].sh.sh_offset = off;
		off += o->secs[i].sh.sh_size;
	}
	*shoff = (off + 7) & ~7ULL;
	return *shoff + o->nsecs * sizeof(Elf64_Shdr);
}

static void *elf_serialise(struct elf_out *o, size_t *len)
{
	Elf64_Ehdr eh = {.e_ident = {ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3,
				     ELFCLASS64,
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
				     ELFDATA2LSB,
#else
				     ELFDATA2MSB,
#endif
				     EV_CURRENT, ELFOSABI_NONE}};
	uint64_t shoff;
	uint8_t *b;
	size_t i;

	*len = elf_layout(o, &shoff);
	b = calloc(1, *len);
	if (!b)
		return NULL;
	eh.e_type = ET_REL;
	eh.e_machine = EM_BPF;
	eh.e_version = EV_CURRENT;
	eh.e_shoff = shoff;
	eh.e_ehsize = sizeof(eh);
	eh.e_shentsize = sizeof(Elf64_Shdr);
	eh.e_shnum = o->nsecs;
	eh.e_shstrndx = SEC_SHSTRTAB;
	memcpy(b, &eh, sizeof(eh));
	for (i = 1; i < o->nsecs; i++)
		if (o->secs[i].data)
			memcpy(b + o->secs[i].sh.sh_offset, o->secs[i].data,
			       o->secs[i].sh.sh_size);
	for (i = 0; i < o->nsecs; i++)
		memcpy(b + shoff + i * sizeof(Elf64_Shdr), &o->secs[i].sh,
		       sizeof(Elf64_Shdr));
	return b;
}

/* Everything after the fixed leading sections; the string and symbol
 * tables are filled last, once every name is in. */
static int elf_add_sections(struct elf_out *o, const struct obj_desc *d,
			    struct elf_btf *eb, char **err)
{
	size_t n = d->nprogs + 1, nsecs, i;
	struct elf_prog_place *place = calloc(n, sizeof(*place));
	const char **secnames = calloc(n, sizeof(*secnames));
	uint32_t *secsize = calloc(n, sizeof(*secsize));
	size_t *map_sym = calloc(d->nmaps + 1, sizeof(*map_sym));
	const void *btf_data;
	const char *lic;
	uint32_t btf_len;
	void *ext = NULL;
	size_t ext_len;
	int e = -1;

	if (!place || !secnames || !secsize || !map_sym) {
		elf_fail(err, "out of memory");
		goto out;
	}
	for (i = 0; i < d->nmaps; i++)
		map_sym[i] = 1 + d->nprogs + i;
	nsecs = elf_place_progs(d, place, secnames, secsize);
	for (i = 0; i < nsecs; i++)
		if (elf_add_prog_section(o, d, place, i, secnames[i],
					 secsize[i], map_sym, err) < 0)
			goto out;
	lic = d->license ? d->license : "GPL";
	elf_sec_add(o, "license", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, lic,
		    strlen(lic) + 1, 1);
	if (elf_add_maps(o, d, eb, err) < 0 ||
	    btf_ext_encode(eb, d, place, secnames, nsecs, &ext, &ext_len, err) <
		0)
		goto out;
	btf_data = btf__raw_data(eb->btf, &btf_len);
	if (!btf_data) {
		elf_fail(err, "cannot serialise BTF");
		goto out;
	}
	elf_sec_add(o, ".BTF", SHT_PROGBITS, 0, btf_data, btf_len, 4);
	/* libbpf rejects an empty .BTF.ext: a maps-only object (a script
	 * whose probes all run in user context) carries none. */
	if (d->nprogs)
		elf_sec_add(o, ".BTF.ext", SHT_PROGBITS, 0, elf_own(o, ext),
			    ext_len, 4);
	else
		free(ext);
	e = 0;
out:
	free(place);
	free(secnames);
	free(secsize);
	free(map_sym);
	return e;
}

int elf_write_object(const struct obj_desc *d, void **buf, size_t *len,
		     char **err)
{
	size_t maxsecs = SEC_FIRST_PROG + 2 * d->nprogs + 2 + d->nmaps + 2, i;
	struct elf_out o = {0};
	struct elf_btf eb;
	int e = -1;

	*err = NULL;
	*buf = NULL;
	*len = 0;
	for (i = 0; i < d->nprogs; i++)
		if (!d->progs[i].code->ninsns || !d->progs[i].section)
			return elf_fail(err,
					"program %s has no code or section",
					d->progs[i].code->name);
	if (elf_btf_build(&eb, d, err) < 0)
		return -1;
	o.secs = calloc(maxsecs, sizeof(*o.secs));
	o.syms = calloc(1 + d->nprogs + d->nmaps, sizeof(*o.syms));
	o.owned = calloc(2 * d->nprogs + 1, sizeof(*o.owned));
	if (!o.secs || !o.syms || !o.owned) {
		elf_fail(err, "out of memory");
		goto out;
	}
	o.nsyms = 1 + d->nprogs + d->nmaps;
	elf_strtab_add(&o.str, "");
	elf_sec_add(&o, "", SHT_NULL, 0, NULL, 0, 0);
	elf_sec_add(&o, ".strtab", SHT_STRTAB, 0, NULL, 0, 1);
	elf_sec_add(&o, ".shstrtab", SHT_STRTAB, 0, NULL, 0, 1);
	elf_sec_add(&o, ".symtab", SHT_SYMTAB, 0, o.syms,
		    o.nsyms * sizeof(Elf64_Sym), 8);
	o.secs[SEC_SYMTAB].sh.sh_link = SEC_STRTAB;
	o.secs[SEC_SYMTAB].sh.sh_info = 1; /* first global: all are */
	o.secs[SEC_SYMTAB].sh.sh_entsize = sizeof(Elf64_Sym);
	if (elf_add_sections(&o, d, &eb, err) < 0)
		goto out;
	if (o.str.oom || o.shstr.oom) {
		elf_fail(err, "out of memory");
		goto out;
	}
	o.secs[SEC_STRTAB].data = o.str.p;
	o.secs[SEC_STRTAB].sh.sh_size = o.str.len;
	o.secs[SEC_SHSTRTAB].data = o.shstr.p;
	o.secs[SEC_SHSTRTAB].sh.sh_size = o.shstr.len;
	*buf = elf_serialise(&o, len);
	if (!*buf)
		elf_fail(err, "out of memory");
	else
		e = 0;
out:
	for (i = 0; i < o.nowned; i++)
		free(o.owned[i]);
	free(o.owned);
	free(o.secs);
	free(o.syms);
	free(o.str.p);
	free(o.shstr.p);
	elf_btf_free(&eb);
	return e;
}
