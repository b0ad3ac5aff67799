// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Passes 3 and 4: lay out the object's maps, lower each kernel-context
 * probe to one BPF program, allocate registers, write the ELF object.
 */
#define _GNU_SOURCE
#include "codegen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../parser/diag.h"
#include "lower.h"
#include "lower_target.h"
#include "codegen_kernel.h"
#include "lower_regex.h"

int lower_add_rec(struct lower_shared *sh, const struct rec_desc *r)
{
	struct compiled *c = sh->out;

	c->recs = realloc(c->recs, (c->nrecs + 1) * sizeof(*c->recs));
	if (!c->recs)
		abort();
	c->recs[c->nrecs] = *r;
	return c->nrecs++;
}

void codegen_map_add(struct compiled *c, const char *name, uint32_t type,
		     uint32_t key, uint32_t value, uint32_t entries,
		     uint32_t flags);
#define map_add codegen_map_add
void codegen_map_add(struct compiled *c, const char *name, uint32_t type,
		    uint32_t key, uint32_t value, uint32_t entries,
		    uint32_t flags)
{
	struct obj_map *m;

	c->maps = realloc(c->maps, (c->nmaps + 1) * sizeof(*c->maps));
	c->map_names = realloc(c->map_names,
			       (c->nmaps + 1) * sizeof(*c->map_names));
	if (!c->maps || !c->map_names)
		abort();
	m = &c->maps[c->nmaps];
	memset(m, 0, sizeof(*m));
	m->name = name;
	m->type = type;
	m->key_size = key;
	m->value_size = value;
	m->max_entries = entries;
	m->flags = flags;
	c->map_names[c->nmaps] = name;
	c->nmaps++;
}

/* Append the callbacks of code to progs from index n; their RELOC_SUBPROG
 * relocations (in code and in each other) become object indexes. */
static size_t codegen_place_subs(struct bpf_prog_code *code,
				 struct obj_prog *progs, size_t n)
{
	size_t base = n;

	for (size_t s = 0; s < code->nsubs; s++) {
		progs[n].section = ".text";
		progs[n].subprog = true;
		progs[n++].code = &code->subs[s];
	}
	for (size_t s = 0; s <= code->nsubs; s++) {
		struct bpf_prog_code *c = s ? &code->subs[s - 1] : code;

		for (size_t r = 0; r < c->nrelocs; r++)
			if (c->relocs[r].kind == RELOC_SUBPROG)
				c->relocs[r].map_idx += (int)base;
	}
	return n;
}

static void codegen_layout_maps(const struct program *p, struct compiled *c,
				uint32_t scratch)
{
	for (const struct symbol *g = p->globals; g; g = g->next) {
		char *name;

		if (!g->has_map)
			continue;
		if (asprintf(&name, "a_%s", g->name) < 0)
			abort();
		if (g->nkeys == 0) /* a scalar aggregate: one per-CPU value */
			map_add(c, name, BPF_MAP_TYPE_PERCPU_ARRAY, 4,
				g->value_size, 1, 0);
		else
			map_add(c, name,
				g->percpu ? BPF_MAP_TYPE_PERCPU_HASH
				: g->wrap ? BPF_MAP_TYPE_LRU_HASH /* evicts */
					  : BPF_MAP_TYPE_HASH,
				g->key_size, g->value_size, g->maxentries, 0);
	}
	c->map_gd = c->nmaps;
	map_add(c, "etap_gd", BPF_MAP_TYPE_ARRAY, 4, p->gd_size, 1,
		BPF_F_MMAPABLE);
	c->map_ringbuf = c->nmaps;
	map_add(c, "etap_rb", BPF_MAP_TYPE_RINGBUF, 0, 0, c->ringbuf_size, 0);
	c->map_scratch = c->nmaps;
	map_add(c, "etap_scratch", BPF_MAP_TYPE_PERCPU_ARRAY, 4,
		scratch ? scratch : 8, 1, 0);
	codegen_kernel_maps(p, c, scratch ? scratch : 8);
	codegen_regex_maps(c);
}

static uint32_t ringbuf_size_pow2(uint32_t v)
{
	uint32_t r = 4096;

	while (r < v && r < (1u << 30))
		r <<= 1;
	return r;
}

int codegen_program(const struct program *p, const struct codegen_options *o,
		    struct compiled *out)
{
	struct lower_shared sh = { .p = p, .out = out };
	struct obj_prog *oprogs;
	struct obj_desc desc;
	int errors = 0, nk = 0;
	char *err = NULL;

	memset(out, 0, sizeof(*out));
	out->ringbuf_size = ringbuf_size_pow2(o && o->ringbuf_size
						      ? o->ringbuf_size
						      : 16u << 20);
	/* Map indexes are fixed before lowering: arrays first, then the
	 * three runtime maps. */
	sh.map_gd = p->nmaps_arrays;
	sh.map_rb = p->nmaps_arrays + 1;
	sh.map_scratch = p->nmaps_arrays + 2;
	codegen_kernel_plan(p, out, p->nmaps_arrays + 3);
	if (codegen_regex_plan(p, out, p->nmaps_arrays + 3 + out->ntail +
					       (out->map_sysnames >= 0) +
					       (out->map_scratch_perf >= 0)) < 0)
		return -1;
	for (const struct rprobe *rp = p->probes; rp; rp = rp->next)
		nk += rp->kernel;
	out->progs = calloc(nk + 1 + CODEGEN_MAX_DISPATCHERS,
			    sizeof(*out->progs));
	if (!out->progs)
		abort();
	for (const struct rprobe *rp = p->probes; rp; rp = rp->next) {
		struct compiled_prog *cp;
		struct ir_func *f;
		char name[32];

		if (!rp->kernel)
			continue;
		cp = &out->progs[out->nprogs];
		snprintf(name, sizeof(name), "etap_p%d", rp->index);
		f = ir_func_new(name);
		sh.map_scratch = rp->type == PT_PERF ? out->map_scratch_perf
						     : p->nmaps_arrays + 2;
		if (lower_probe(&sh, rp, f) < 0) {
			errors++;
			ir_func_free(f);
			continue;
		}
		if (ir_func_finalize(f, &cp->code, &err) < 0) {
			diag_report("error", rp->body->loc,
				    "cannot compile probe %s: %s", rp->name,
				    err ? err : "unknown error");
			free(err);
			err = NULL;
			errors++;
			ir_func_free(f);
			continue;
		}
		ir_func_free(f);
		cp->probe = rp;
		cp->section = lower_section_of(rp);
		cp->tail_map = rp->mech == MECH_SYSCALL_TAIL
				       ? out->map_tail0 + rp->tail_group
				       : -1;
		cp->tail_key = rp->syscall_nr;
		out->nprogs++;
	}
	sh.map_scratch = p->nmaps_arrays + 2;
	if (!errors && codegen_dispatchers(p, out) < 0)
		errors++;
	if (errors)
		return -1;
	codegen_layout_maps(p, out, sh.scratch_size);

	{
		size_t n = 0;

		for (int i = 0; i < out->nprogs; i++)
			n += 1 + out->progs[i].code.nsubs;
		oprogs = calloc(n + 1, sizeof(*oprogs));
		if (!oprogs)
			abort();
		n = 0;
		for (int i = 0; i < out->nprogs; i++) {
			oprogs[n].section = out->progs[i].section;
			oprogs[n++].code = &out->progs[i].code;
		}
		/* callbacks go to .text after every program; their
		 * relocations name them by object index from now on */
		for (int i = 0; i < out->nprogs; i++)
			n = codegen_place_subs(&out->progs[i].code, oprogs, n);
		desc = (struct obj_desc){ .license = "GPL", .maps = out->maps,
					  .nmaps = out->nmaps, .progs = oprogs,
					  .nprogs = n };
	}
	if (elf_write_object(&desc, &out->elf, &out->elf_len, &err) < 0) {
		struct loc loc = { p->script->file, 0, 0 };

		diag_report("error", loc, "cannot write the BPF object: %s",
			    err ? err : "unknown error");
		free(err);
		free(oprogs);
		return -1;
	}
	free(oprogs);
	return 0;
}

void codegen_print_listing(FILE *out, const struct compiled *c)
{
	for (int i = 0; i < c->nprogs; i++) {
		const struct compiled_prog *cp = &c->progs[i];

		fprintf(out, "%s: %s (section %s, %zu instructions, %d bytes "
			     "of stack)\n",
			cp->code.name, cp->probe->name, cp->section,
			cp->code.ninsns, cp->code.stack_size);
		bpf_print_listing(out, &cp->code, c->map_names);
		fputc('\n', out);
		for (size_t s = 0; s < cp->code.nsubs; s++) {
			const struct bpf_prog_code *sc = &cp->code.subs[s];

			fprintf(out, "%s: callback of %s (section .text, %zu "
				     "instructions, %d bytes of stack)\n",
				sc->name, cp->code.name, sc->ninsns,
				sc->stack_size);
			bpf_print_listing(out, sc, c->map_names);
			fputc('\n', out);
		}
	}
	fprintf(out, "maps:\n");
	for (int i = 0; i < c->nmaps; i++)
		fprintf(out, "  %d %s: type %u, key %u, value %u, entries %u, "
			     "flags %#x\n",
			i, c->maps[i].name, c->maps[i].type,
			c->maps[i].key_size, c->maps[i].value_size,
			c->maps[i].max_entries, c->maps[i].flags);
}
