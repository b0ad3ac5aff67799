/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The in-memory IR shared by the emitters (ir.c), the register allocator
 * (regalloc.c) and the final pass (ir_finalize.c). Nothing outside codegen/
 * should include this: lowering talks to codegen/ir.h only.
 */
#ifndef ETAP_IR_INTERNAL_H
#define ETAP_IR_INTERNAL_H

#include <stdbool.h>
#include "ir.h"

#define IR_NOREG (-1)
#define IR_NPHYS 10	 /* R0..R9 can be allocated; R10 never */
#define IR_MAX_STACK 512 /* bytes, the verifier's limit */

enum ir_kind {
	IRK_INSN,   /* one BPF slot: ALU, load, store, jump, call, exit */
	IRK_LD64,   /* ld_imm64 of the constant in imm64 */
	IRK_LD_MAP, /* ld_imm64 of a map (or its value + imm64) */
	IRK_LABEL,  /* where label `label` is placed; emits nothing */
};

struct ir_insn {
	enum ir_kind kind;
	uint8_t code; /* BPF opcode (IRK_INSN) */
	int16_t off;  /* memory offset; unused for jumps */
	int32_t imm;
	int dst, src;	       /* register numbers or IR_NOREG */
	uint64_t imm64;	       /* IRK_LD64 value, IRK_LD_MAP value offset */
	int label;	       /* jump target / placed label, else -1 */
	int map_idx;	       /* IRK_LD_MAP */
	enum reloc_kind reloc; /* IRK_LD_MAP */
	uint16_t arg_mask; /* BPF_CALL: bit k set when Rk carries an argument */
	struct loc loc;
	char *comment;
};

/* Per virtual register flags. */
#define IR_VREG_NOSPILL 0x1 /* reload/spill temporary: must get a register */

struct ir_func {
	char *name;
	struct ir_insn *insns;
	size_t ninsns, cap;
	int nvregs;
	uint8_t *vreg_flags; /* indexed by vreg - IR_VREG_BASE */
	size_t vreg_cap;
	int nlabels;
	int stack_size;
	struct loc loc;
	char *pending_comment;
	char *error; /* first misuse seen by an emitter, reported by finalize */
	/* callback subprograms (ir_sub.c): registered on the root function,
	 * finalized by ir_func_finalize of the root */
	struct ir_func *root;
	struct ir_func **subs;
	int nsubs;
};

/* Append a blank instruction carrying the current location and comment. */
struct ir_insn *ir_insn_append(struct ir_func *f, enum ir_kind kind);
/* Record the first emitter misuse; finalize fails with it. */
void ir_error(struct ir_func *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* A vreg for allocator temporaries (never spilled). */
int ir_vreg_new_flags(struct ir_func *f, uint8_t flags);

static inline bool ir_is_vreg(int r)
{
	return r >= IR_VREG_BASE;
}

static inline bool ir_is_jump(const struct ir_insn *in)
{
	uint8_t op = in->code & 0xf0;

	return in->kind == IRK_INSN && BPF_CLASS(in->code) == BPF_JMP &&
	       op != BPF_CALL && op != BPF_EXIT;
}

static inline bool ir_is_call(const struct ir_insn *in)
{
	return in->kind == IRK_INSN && in->code == (BPF_JMP | BPF_CALL);
}

static inline bool ir_is_exit(const struct ir_insn *in)
{
	return in->kind == IRK_INSN && in->code == (BPF_JMP | BPF_EXIT);
}

/*
 * Registers read and written by one instruction. Physical registers appear
 * by number; R10 is left out since it is never allocated nor clobbered.
 */
struct ir_regs {
	int use[6], nuse;
	int def[6], ndef;
};
void ir_insn_regs(const struct ir_insn *in, struct ir_regs *r);

/* Finalize the callback subprograms of root function f into out->subs
 * (ir_sub.c). */
int ir_subs_finalize(struct ir_func *f, struct bpf_prog_code *out,
		     char **err);
/* Drop pure instructions whose results are never read. */
void ir_dce(struct ir_func *f);
/* Rewrite f so that it names only R0..R10, adding spill code and slots. */
int ir_regalloc(struct ir_func *f, char **err);

#endif
