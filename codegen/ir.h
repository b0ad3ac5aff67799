/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A linear IR of BPF instructions over virtual registers.
 *
 * Lowering emits instructions that look like BPF but name virtual registers
 * (>= IR_VREG_BASE) and labels; physical registers R0..R10 may be named
 * directly where the BPF calling convention demands it (arguments in R1..R5
 * before a call, the result in R0, the context in R1 at entry, FP = R10).
 * ir_func_finalize() allocates registers (linear scan over live intervals,
 * spilling to the stack when needed), resolves labels and produces the final
 * instruction array with line info and map relocations.
 */
#ifndef ETAP_IR_H
#define ETAP_IR_H

#include <linux/bpf.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stddef.h>
#include "../parser/ast.h"

#define IR_R0 0
#define IR_R1 1
#define IR_R2 2
#define IR_R3 3
#define IR_R4 4
#define IR_R5 5
#define IR_FP 10
#define IR_VREG_BASE 16

struct ir_func;

struct bpf_line {
	uint32_t insn_off; /* index of the first instruction of this line */
	struct loc loc;
};

enum reloc_kind {
	RELOC_MAP_FD,	 /* ld_imm64 of a map: src_reg = BPF_PSEUDO_MAP_FD */
	RELOC_MAP_VALUE, /* ld_imm64 of a map value address + offset */
	RELOC_SUBPROG,	 /* ld_imm64 of a callback subprogram's address
			  * (BPF_PSEUDO_FUNC): map_idx is the subprogram's
			  * index in the program's subs */
};

struct bpf_map_reloc {
	uint32_t insn_idx; /* index of the first half of the ld_imm64 */
	int map_idx;	   /* index into the object's map table */
	enum reloc_kind kind;
};

/* Finished code of one BPF program. */
struct bpf_prog_code {
	char *name;
	struct bpf_insn *insns;
	size_t ninsns;
	struct bpf_line *lines;
	size_t nlines;
	struct bpf_map_reloc *relocs;
	size_t nrelocs;
	int stack_size; /* bytes of stack used, <= 512 */
	/* Per instruction, an optional comment for the -p3 listing. */
	char **comments;
	/* Callback subprograms (ir_func_sub_new), in index order; each has
	 * no subs of its own (nested ones are registered on the root). */
	struct bpf_prog_code *subs;
	size_t nsubs;
};

struct ir_func *ir_func_new(const char *name);
void ir_func_free(struct ir_func *f);
int ir_vreg_new(struct ir_func *f);
/* Location recorded for every instruction emitted after this call. */
void ir_set_loc(struct ir_func *f, struct loc loc);
/* A comment attached to the next emitted instruction (listing only). */
void ir_comment(struct ir_func *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* 64-bit ALU: op is BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_MOD, BPF_OR,
 * BPF_AND, BPF_XOR, BPF_LSH, BPF_RSH, BPF_ARSH, BPF_NEG, BPF_MOV. */
void ir_alu_reg(struct ir_func *f, int op, int dst, int src);
void ir_alu_imm(struct ir_func *f, int op, int dst, int32_t imm);
/* 32-bit ALU (upper half of dst zeroed, as BPF defines). */
void ir_alu32_reg(struct ir_func *f, int op, int dst, int src);
void ir_alu32_imm(struct ir_func *f, int op, int dst, int32_t imm);
void ir_mov_reg(struct ir_func *f, int dst, int src);
void ir_mov_imm(struct ir_func *f, int dst, int32_t imm);
void ir_ld_imm64(struct ir_func *f, int dst, uint64_t imm);
/* dst = address of map (for helper calls) / of its value at offset off
 * (array maps with one element: direct access to global data). */
void ir_ld_map(struct ir_func *f, int dst, int map_idx);
void ir_ld_map_value(struct ir_func *f, int dst, int map_idx, uint32_t off);

/* size is 1, 2, 4 or 8 bytes. */
void ir_load(struct ir_func *f, int size, int dst, int base, int16_t off);
void ir_store_reg(struct ir_func *f, int size, int base, int16_t off, int src);
void ir_store_imm(struct ir_func *f, int size, int base, int16_t off,
		  int32_t imm);
/* Atomic *(base + off) += src; size 4 or 8. */
void ir_atomic_add(struct ir_func *f, int size, int base, int16_t off, int src);

/* Call helper `id`. Arguments must already sit in R1..R5 (ir_mov_reg into
 * IR_R1...); the result is in R0. Clobbers R0..R5. */
void ir_call_helper(struct ir_func *f, int id);

int ir_label_new(struct ir_func *f);
void ir_label_place(struct ir_func *f, int label);
void ir_jmp(struct ir_func *f, int label);
/* Conditional jumps: op is BPF_JEQ, BPF_JNE, BPF_JGT, BPF_JGE, BPF_JLT,
 * BPF_JLE, BPF_JSGT, BPF_JSGE, BPF_JSLT, BPF_JSLE, BPF_JSET (64-bit). */
void ir_jcond_reg(struct ir_func *f, int op, int a, int b, int label);
void ir_jcond_imm(struct ir_func *f, int op, int a, int32_t imm, int label);
/* Return R0 to the kernel. */
void ir_exit(struct ir_func *f);

/* Reserve stack bytes; returns the (negative) offset from FP. */
int ir_stack_alloc(struct ir_func *f, int size, int align);

/*
 * Callback subprograms (codegen/ir_sub.c), for helpers that take a
 * function (bpf_for_each_map_elem): a second ir_func with its own frame,
 * entered with the callback arguments in R1..R5 and returning R0. It is
 * finalized with the program that owns it (nested subprograms belong to
 * the root program too). *idx receives the index ir_ld_func takes.
 */
struct ir_func *ir_func_sub_new(struct ir_func *f, const char *name, int *idx);
/* dst = address of subprogram idx of f's program (ld_imm64 with
 * BPF_PSEUDO_FUNC). */
void ir_ld_func(struct ir_func *f, int dst, int idx);
/* When vreg was set only as `vreg = base + constant` (how lowering
 * addresses scratch buffers), store the constant in *off. */
bool ir_vreg_base_offset(const struct ir_func *f, int vreg, int base,
			 int32_t *off);

/* Allocate registers and resolve labels. On failure returns -1 and sets
 * *err to a malloc'd message. The ir_func may be freed afterwards. */
int ir_func_finalize(struct ir_func *f, struct bpf_prog_code *out, char **err);
void bpf_prog_code_free(struct bpf_prog_code *p);

/* The -p3 listing: one line per instruction in a readable assembly
 * (e.g. "  12: r1 = *(u32 *)(r6 + 16)"), preceded, whenever the source line
 * changes, by "# FILE:LINE: <source text>". map_names[i] names map i. */
void bpf_print_listing(FILE *out, const struct bpf_prog_code *p,
		       const char *const *map_names);
/* Disassemble one instruction (the listing's format) into buf. */
void bpf_insn_format(char *buf, size_t len, const struct bpf_insn *insn,
		     const char *const *map_names);

#endif
