/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Typed target variables: `$arg`, `$arg->field[i]->x`, `@cast(p, "T")->f`,
 * resolved against kernel BTF into a short access path the code generator
 * replays with loads (codegen/lower_target.c).
 *
 * The path starts with a value: the 64-bit context slot at ctx_off (BTF
 * tracepoints and fentry pass arguments as an array of u64) or the value of
 * a @cast base expression. Steps then add offsets, dereference pointers
 * and index arrays; the end either keeps the value (narrowed to its C
 * size), loads a scalar from the address, or reads a char array as a
 * string.
 */
#ifndef ETAP_TARGET_VARS_H
#define ETAP_TARGET_VARS_H

#include <stdbool.h>
#include <stdint.h>
#include "sem.h"

enum tgt_step_kind {
	TS_ADD,	  /* v += off */
	TS_DEREF, /* v = *(u64 *)v */
	TS_INDEX, /* v += idx * elem_size */
};

struct tgt_step {
	enum tgt_step_kind kind;
	int64_t off;
	uint32_t elem_size;
	struct node *idx; /* TS_INDEX: long expression */
};

enum tgt_end {
	TE_VALUE,  /* v is the value: keep size bytes (sign-extended) */
	TE_LOAD,   /* v is an address: load size bytes (or a bitfield) */
	TE_STRING, /* v is the address of a char array: copy it */
};

struct tgt_access {
	int ctx_off;	   /* start from *(u64 *)(ctx + ctx_off) ... */
	struct node *base; /* ... or from this expression (@cast) */
	struct tgt_step *steps;
	int nsteps;
	enum tgt_end end;
	uint32_t size;	   /* bytes of the final scalar */
	bool is_signed;
	uint32_t bit_off;  /* bitfield: bits past the loaded byte */
	uint32_t bit_size; /* bitfield width, 0 if not a bitfield */
	uint32_t strsize;  /* TE_STRING: buffer bytes incl. NUL */
	uint32_t type_id;  /* BTF type of the result */
	bool user_mem;	   /* loads read user memory (USDT operands) */
};

/* Per-probe state: the typed prototype and which kind of variables the
 * handler used (a handler uses one kind). */
struct tgt_probe {
	bool loaded;	/* prototype looked up */
	int err;	/* -errno of the lookup */
	struct btf_proto *proto;
	const char *btf_name; /* first name used only as a typed argument */
	struct loc btf_loc;
	const char *fmt_name; /* first name used only as a format field */
	struct loc fmt_loc;
	bool mix_reported;
	bool arg_regs;	/* kprobe: arguments come from pt_regs */
};

/* $name with or without a chain in rp. Returns true when the name was
 * taken as a typed argument (then *out is its symbol, or NULL after an
 * error was reported in the checking walk); false to leave it to the
 * tracefs format fields. */
bool target_var_resolve(struct program *p, struct rprobe *rp, struct node *e,
			bool checking, struct symbol **out);
/* A tracefs format field was used in rp: check it is not mixed with typed
 * arguments. */
void target_var_note_field(struct rprobe *rp, struct node *e, bool checking);
/* @cast(ptr, "type")->chain. NULL after an error (checking walk). */
struct symbol *target_cast_resolve(struct program *p, struct rprobe *rp,
				   struct node *e, bool checking);
/* The context symbol that replays access a (taken) for $name. */
struct symbol *target_access_symbol(struct tgt_access *a, const char *name,
				    struct loc loc);
/* $argN of a USDT probe (semantic/usdt_vars.c): its symbol, or NULL after
 * an error was reported (checking walk). */
struct symbol *usdt_var_resolve(struct rprobe *rp, struct node *e,
				bool checking);
/* String buffer bytes of a CTX_TARGET symbol's value. */
uint32_t target_strsize(const struct symbol *s);
/* The typed argument names of rp (for hints and -L), space-separated "$a
 * $b"; malloc'd, NULL when rp has no typed prototype. */
char *target_var_list(struct rprobe *rp);

#endif
