// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The .BTF.ext section (Documentation/bpf/btf.rst): func info and line info
 * per program section. libbpf 1.1 can read it but not write it.
 *
 * Instruction offsets are in bytes from the start of the ELF section;
 * libbpf converts them to instruction indexes of each program at load time.
 * Names, file names and quoted source lines are offsets into the .BTF string
 * table, which is why the strings are added to the BTF here.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include <bpf/btf.h>
#include "../parser/diag.h"
#include "elf_btf.h"

#define BTF_EXT_MAGIC 0xeB9F

struct btf_ext_hdr {
	uint16_t magic;
	uint8_t version;
	uint8_t flags;
	uint32_t hdr_len;
	/* offsets are relative to the end of this header */
	uint32_t func_info_off;
	uint32_t func_info_len;
	uint32_t line_info_off;
	uint32_t line_info_len;
	uint32_t core_relo_off;
	uint32_t core_relo_len;
};

/* Forward-only cursor over one registered source text, so that quoting the
 * lines of a program in order costs one pass over the file. */
struct src_cursor {
	const char *file;
	const char *text; /* start of line `line` */
	int line;
};

/* The text of line `line` of file, as a malloc'd string ("" if unknown). */
static char *btf_ext_source_line(struct src_cursor *c, const char *file,
				 int line)
{
	const char *p, *end;

	if (!file || line < 1)
		return strdup("");
	if (c->file != file || !c->text || line < c->line) {
		c->file = file;
		c->text = diag_source(file);
		c->line = 1;
	}
	if (!c->text)
		return strdup("");
	for (p = c->text; c->line < line; c->line++) {
		p = strchr(p, '\n');
		if (!p) {
			c->text = NULL; /* past the end: start over next time */
			return strdup("");
		}
		p++;
	}
	c->text = p;
	end = strchrnul(p, '\n');
	if (end > p && end[-1] == '\r')
		end--;
	return strndup(p, end - p);
}

/* The kernel rejects a line record on the second half of an ld_imm64. */
static bool btf_ext_insn_is_imm64_tail(const struct bpf_prog_code *c,
				       uint32_t i)
{
	return i > 0 && c->insns[i].code == 0 &&
	       c->insns[i - 1].code == (BPF_LD | BPF_IMM | BPF_DW);
}

/*
 * Line records of one program, appended at *out. The kernel wants the first
 * record at instruction 0 and strictly increasing offsets: a line that
 * produced no instruction shares its offset with the next one, and the
 * later line is the one that owns the code.
 */
static int btf_ext_put_lines(struct btf *btf, const struct bpf_prog_code *c,
			     uint32_t byte_off, struct bpf_line_info *out,
			     uint32_t *n)
{
	struct src_cursor cur = {0};
	uint32_t start = *n;
	size_t j;

	for (j = 0; j < c->nlines; j++) {
		const struct bpf_line *l = &c->lines[j];
		uint32_t idx = l->insn_off;
		struct bpf_line_info *r;
		int file_off, line_off;
		char *text;

		if (idx >= c->ninsns || btf_ext_insn_is_imm64_tail(c, idx))
			continue;
		if (*n == start)
			idx = 0;
		else if (idx * 8 + byte_off < out[*n - 1].insn_off)
			continue;
		r = &out[*n];
		if (*n > start && idx * 8 + byte_off == out[*n - 1].insn_off)
			r = &out[*n - 1];
		else
			(*n)++;
		text = btf_ext_source_line(&cur, l->loc.file, l->loc.line);
		if (!text)
			return -ENOMEM;
		file_off = btf__add_str(btf, l->loc.file ? l->loc.file : "");
		line_off = btf__add_str(btf, text);
		free(text);
		if (file_off < 0 || line_off < 0)
			return file_off < 0 ? file_off : line_off;
		r->insn_off = byte_off + idx * 8;
		r->file_name_off = file_off;
		r->line_off = line_off;
		r->line_col =
		    ((uint32_t)(l->loc.line > 0 ? l->loc.line : 0) << 10) |
		    ((uint32_t)(l->loc.col > 0 ? l->loc.col : 0) & 0x3ff);
	}
	return 0;
}

static void btf_ext_put32(uint8_t *buf, size_t *pos, uint32_t v)
{
	memcpy(buf + *pos, &v, 4);
	*pos += 4;
}

int btf_ext_encode(struct elf_btf *eb, const struct obj_desc *d,
		   const struct elf_prog_place *place,
		   const char *const *secnames, size_t nsecs, void **buf,
		   size_t *len, char **err)
{
	struct btf_ext_hdr h = {
	    .magic = BTF_EXT_MAGIC, .version = 1, .hdr_len = sizeof(h)};
	struct bpf_line_info *lines;
	size_t cap, nlines = 0, pos, s, i;
	uint8_t *b;
	int e = 0;

	for (i = 0; i < d->nprogs; i++)
		nlines += d->progs[i].code->nlines;
	cap = sizeof(h) + 8 + nsecs * 16 + d->nprogs * 8 + nlines * 16;
	b = calloc(1, cap);
	lines = calloc(nlines + 1, sizeof(*lines));
	if (!b || !lines) {
		e = -ENOMEM;
		goto out;
	}
	pos = sizeof(h);

	/* func info: one record per program, at its start */
	h.func_info_off = 0;
	btf_ext_put32(b, &pos, sizeof(struct bpf_func_info));
	for (s = 0; s < nsecs; s++) {
		uint32_t n = 0;
		int name = btf__add_str(eb->btf, secnames[s]);

		if (name < 0) {
			e = name;
			goto out;
		}
		for (i = 0; i < d->nprogs; i++)
			n += place[i].sec == s;
		btf_ext_put32(b, &pos, name);
		btf_ext_put32(b, &pos, n);
		for (i = 0; i < d->nprogs; i++) {
			if (place[i].sec != s)
				continue;
			btf_ext_put32(b, &pos, place[i].byte_off);
			btf_ext_put32(b, &pos, eb->func_ids[i]);
		}
	}
	h.func_info_len = pos - sizeof(h);

	/* line info: sections without any line are left out, since libbpf
	 * refuses a section entry with no records */
	h.line_info_off = h.func_info_len;
	btf_ext_put32(b, &pos, sizeof(struct bpf_line_info));
	for (s = 0; s < nsecs; s++) {
		uint32_t n = 0;
		int name = btf__add_str(eb->btf, secnames[s]);

		for (i = 0; i < d->nprogs && e >= 0; i++)
			if (place[i].sec == s)
				e = btf_ext_put_lines(eb->btf, d->progs[i].code,
						      place[i].byte_off, lines,
						      &n);
		if (e < 0)
			goto out;
		if (!n)
			continue;
		btf_ext_put32(b, &pos, name);
		btf_ext_put32(b, &pos, n);
		memcpy(b + pos, lines, n * sizeof(*lines));
		pos += n * sizeof(*lines);
	}
	h.line_info_len = pos - sizeof(h) - h.line_info_off;
	if (h.line_info_len == 4)
		h.line_info_len = 0; /* only the record size: no line info */
	h.core_relo_off = h.line_info_off + h.line_info_len;
	memcpy(b, &h, sizeof(h));
	*buf = b;
	*len = sizeof(h) + h.core_relo_off;
	b = NULL;
out:
	free(b);
	free(lines);
	if (e < 0)
		return elf_fail(err, "cannot encode .BTF.ext: %s",
				strerror(-e));
	return 0;
}
