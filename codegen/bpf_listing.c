// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The -p3 listing: BPF instructions in the notation of the kernel verifier's
 * log and bpftool ("r1 = *(u32 *)(r6 +16)", "if r1 != 0x7 goto +3"), so what
 * users read here matches what they see when a load fails. Lines are grouped
 * under the script line they came from.
 */
#include "ir.h"
#include "../parser/diag.h"

#include <stdbool.h>
#include <string.h>

/* Helper names come from the uapi header's own list, so they follow the
 * kernel headers etap is built against. __BPF_FUNC_MAPPER applies FN(name)
 * with commas in between in old and new headers alike. */
#define LISTING_HELPER_NAME(x, ...) [BPF_FUNC_##x] = "bpf_" #x
static const char *const listing_helpers[] = {
    __BPF_FUNC_MAPPER(LISTING_HELPER_NAME)};
#undef LISTING_HELPER_NAME

static const char *listing_alu_op(int op)
{
	switch (op) {
	case BPF_ADD:
		return "+=";
	case BPF_SUB:
		return "-=";
	case BPF_MUL:
		return "*=";
	case BPF_DIV:
		return "/=";
	case BPF_OR:
		return "|=";
	case BPF_AND:
		return "&=";
	case BPF_LSH:
		return "<<=";
	case BPF_RSH:
		return ">>=";
	case BPF_MOD:
		return "%=";
	case BPF_XOR:
		return "^=";
	case BPF_ARSH:
		return "s>>=";
	}
	return NULL;
}

static const char *listing_jmp_op(int op)
{
	switch (op) {
	case BPF_JEQ:
		return "==";
	case BPF_JNE:
		return "!=";
	case BPF_JGT:
		return ">";
	case BPF_JGE:
		return ">=";
	case BPF_JLT:
		return "<";
	case BPF_JLE:
		return "<=";
	case BPF_JSGT:
		return "s>";
	case BPF_JSGE:
		return "s>=";
	case BPF_JSLT:
		return "s<";
	case BPF_JSLE:
		return "s<=";
	case BPF_JSET:
		return "&";
	}
	return NULL;
}

static const char *listing_size(int size)
{
	switch (size) {
	case BPF_B:
		return "u8";
	case BPF_H:
		return "u16";
	case BPF_W:
		return "u32";
	}
	return "u64";
}

/* Immediates compared against read best in hex, except negative ones. */
static void listing_imm(char *buf, size_t len, int32_t imm)
{
	if (imm < 0)
		snprintf(buf, len, "%d", imm);
	else
		snprintf(buf, len, "0x%x", imm);
}

static void listing_alu(char *buf, size_t len, const struct bpf_insn *in)
{
	char r = BPF_CLASS(in->code) == BPF_ALU64 ? 'r' : 'w';
	int op = BPF_OP(in->code);
	bool x = BPF_SRC(in->code) == BPF_X;
	const char *sym = listing_alu_op(op);

	if (op == BPF_MOV && x)
		snprintf(buf, len, "%c%d = %c%d", r, in->dst_reg, r,
			 in->src_reg);
	else if (op == BPF_MOV)
		snprintf(buf, len, "%c%d = %d", r, in->dst_reg, in->imm);
	else if (op == BPF_NEG)
		snprintf(buf, len, "%c%d = -%c%d", r, in->dst_reg, r,
			 in->dst_reg);
	else if (op == BPF_END)
		snprintf(buf, len, "r%d = %s%d r%d", in->dst_reg,
			 x ? "be" : "le", in->imm, in->dst_reg);
	else if (!sym)
		snprintf(buf, len, "(%02x) unknown alu", in->code);
	else if (x)
		snprintf(buf, len, "%c%d %s %c%d", r, in->dst_reg, sym, r,
			 in->src_reg);
	else
		snprintf(buf, len, "%c%d %s %d", r, in->dst_reg, sym, in->imm);
}

static void listing_atomic(char *buf, size_t len, const struct bpf_insn *in)
{
	const char *sz = listing_size(BPF_SIZE(in->code));
	const char *sym = listing_alu_op(in->imm);

	if (sym && (in->imm == BPF_ADD || in->imm == BPF_AND ||
		    in->imm == BPF_OR || in->imm == BPF_XOR))
		snprintf(buf, len, "lock *(%s *)(r%d %+d) %s r%d", sz,
			 in->dst_reg, in->off, sym, in->src_reg);
	else
		snprintf(buf, len, "atomic 0x%x *(%s *)(r%d %+d), r%d", in->imm,
			 sz, in->dst_reg, in->off, in->src_reg);
}

static void listing_ld64(char *buf, size_t len, const struct bpf_insn *in,
			 const char *const *map_names)
{
	uint64_t v = (uint32_t)in[0].imm | (uint64_t)(uint32_t)in[1].imm << 32;
	const char *name = NULL;
	char idx[24];

	if (in->src_reg == BPF_PSEUDO_FUNC) {
		snprintf(buf, len, "r%d = callback ll", in->dst_reg);
		return;
	}
	if (in->src_reg != BPF_PSEUDO_MAP_FD &&
	    in->src_reg != BPF_PSEUDO_MAP_VALUE) {
		snprintf(buf, len, "r%d = 0x%llx ll", in->dst_reg,
			 (unsigned long long)v);
		return;
	}
	if (map_names && in->imm >= 0)
		name = map_names[in->imm];
	if (!name) {
		snprintf(idx, sizeof(idx), "#%d", in->imm);
		name = idx;
	}
	if (in->src_reg == BPF_PSEUDO_MAP_FD)
		snprintf(buf, len, "r%d = map[%s] ll", in->dst_reg, name);
	else
		snprintf(buf, len, "r%d = map[%s][0]+%u ll", in->dst_reg, name,
			 (uint32_t)in[1].imm);
}

static void listing_jmp(char *buf, size_t len, const struct bpf_insn *in)
{
	char r = BPF_CLASS(in->code) == BPF_JMP ? 'r' : 'w';
	int op = BPF_OP(in->code);
	const char *sym = listing_jmp_op(op);
	char imm[16];

	if (op == BPF_JA) {
		snprintf(buf, len, "goto %+d", in->off);
	} else if (op == BPF_EXIT) {
		snprintf(buf, len, "exit");
	} else if (op == BPF_CALL) {
		if (in->src_reg == BPF_PSEUDO_CALL)
			snprintf(buf, len, "call pc%+d", in->imm);
		else if (in->imm > 0 &&
			 (size_t)in->imm < sizeof(listing_helpers) /
					       sizeof(listing_helpers[0]) &&
			 listing_helpers[in->imm])
			snprintf(buf, len, "call %s#%d",
				 listing_helpers[in->imm], in->imm);
		else
			snprintf(buf, len, "call #%d", in->imm);
	} else if (!sym) {
		snprintf(buf, len, "(%02x) unknown jump", in->code);
	} else if (BPF_SRC(in->code) == BPF_X) {
		snprintf(buf, len, "if %c%d %s %c%d goto %+d", r, in->dst_reg,
			 sym, r, in->src_reg, in->off);
	} else {
		listing_imm(imm, sizeof(imm), in->imm);
		snprintf(buf, len, "if %c%d %s %s goto %+d", r, in->dst_reg,
			 sym, imm, in->off);
	}
}

/*
 * For ld_imm64 (BPF_LD | BPF_IMM | BPF_DW) insn must point at both slots.
 * A map load prints map_names[insn->imm]: the listing puts the relocation's
 * map index there, as final code carries 0 until the loader patches it.
 */
void bpf_insn_format(char *buf, size_t len, const struct bpf_insn *insn,
		     const char *const *map_names)
{
	uint8_t cls = BPF_CLASS(insn->code);
	const char *sz = listing_size(BPF_SIZE(insn->code));

	switch (cls) {
	case BPF_ALU:
	case BPF_ALU64:
		listing_alu(buf, len, insn);
		return;
	case BPF_LDX:
		snprintf(buf, len, "r%d = *(%s *)(r%d %+d)", insn->dst_reg, sz,
			 insn->src_reg, insn->off);
		return;
	case BPF_ST:
		snprintf(buf, len, "*(%s *)(r%d %+d) = %d", sz, insn->dst_reg,
			 insn->off, insn->imm);
		return;
	case BPF_STX:
		if (BPF_MODE(insn->code) == BPF_ATOMIC)
			listing_atomic(buf, len, insn);
		else
			snprintf(buf, len, "*(%s *)(r%d %+d) = r%d", sz,
				 insn->dst_reg, insn->off, insn->src_reg);
		return;
	case BPF_LD:
		if (insn->code == (BPF_LD | BPF_IMM | BPF_DW)) {
			listing_ld64(buf, len, insn, map_names);
			return;
		}
		break;
	case BPF_JMP:
	case BPF_JMP32:
		listing_jmp(buf, len, insn);
		return;
	}
	snprintf(buf, len, "(%02x) unknown", insn->code);
}

/* Print "# FILE:LINE: text" with the line's leading blanks trimmed. */
static void listing_header(FILE *out, struct loc loc)
{
	const char *text = diag_source(loc.file);
	const char *p = text, *end;
	int line = 1;

	fprintf(out, "# %s:%d:", loc.file, loc.line);
	while (p && *p && line < loc.line)
		if (*p++ == '\n')
			line++;
	if (!p || line != loc.line) {
		fputc('\n', out);
		return;
	}
	while (*p == ' ' || *p == '\t')
		p++;
	end = strchr(p, '\n');
	if (!end)
		end = p + strlen(p);
	fprintf(out, " %.*s\n", (int)(end - p), p);
}

void bpf_print_listing(FILE *out, const struct bpf_prog_code *p,
		       const char *const *map_names)
{
	size_t li = 0, r = 0;
	const char *last_file = NULL;
	int last_line = 0;
	char text[160];

	fprintf(out, "# %s: %zu instructions, %d bytes of stack\n",
		p->name ? p->name : "prog", p->ninsns, p->stack_size);
	for (size_t i = 0; i < p->ninsns; i++) {
		struct bpf_insn tmp[2];
		const struct bpf_insn *in = &p->insns[i];
		bool wide = in->code == (BPF_LD | BPF_IMM | BPF_DW) &&
			    i + 1 < p->ninsns;

		for (; li < p->nlines && p->lines[li].insn_off <= i; li++) {
			struct loc l = p->lines[li].loc;

			if (l.line == last_line && last_file && l.file &&
			    strcmp(l.file, last_file) == 0)
				continue;
			listing_header(out, l);
			last_file = l.file;
			last_line = l.line;
		}
		if (wide) {
			memcpy(tmp, in, sizeof(tmp));
			while (r < p->nrelocs && p->relocs[r].insn_idx < i)
				r++;
			if (r < p->nrelocs && p->relocs[r].insn_idx == i)
				tmp[0].imm = p->relocs[r].map_idx;
			in = tmp;
		}
		bpf_insn_format(text, sizeof(text), in, map_names);
		if (p->comments && p->comments[i])
			fprintf(out, "%5zu: %-40s ; %s\n", i, text,
				p->comments[i]);
		else
			fprintf(out, "%5zu: %s\n", i, text);
		if (wide)
			i++;
	}
}
