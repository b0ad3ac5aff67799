// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The syscall dispatcher: one program on raw_syscalls:sys_enter (or
 * sys_exit) per group reads the syscall number (`id`, at offset 8 as in
 * every syscalls:* record) and tail-calls the handler the runtime put at
 * that index of the group's program array. A number without a handler
 * makes the tail call fail and the dispatcher return. The handlers read
 * the raw record, whose `args[6]` sit where the per-syscall formats put
 * their fields (offset 16 + 8 * i), so they are lowered unchanged.
 */
#define _GNU_SOURCE
#include "codegen_kernel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../parser/diag.h"
#include "../semantic/syscall_nr.h"

#define SYSNAME_SIZE 32

static int tail_groups(const struct program *p)
{
	int n = 0;

	for (const struct rprobe *rp = p->probes; rp; rp = rp->next)
		if (rp->mech == MECH_SYSCALL_TAIL && rp->tail_group + 1 > n)
			n = rp->tail_group + 1;
	return n;
}

void codegen_kernel_plan(const struct program *p, struct compiled *c,
			 int first)
{
	bool any = false, perf = false;

	for (const struct rprobe *rp = p->probes; rp; rp = rp->next) {
		any |= rp->syscall_any;
		perf |= rp->type == PT_PERF;
	}
	c->ntail = tail_groups(p);
	c->map_tail0 = c->ntail ? first : -1;
	first += c->ntail;
	c->map_sysnames = any ? first++ : -1;
	c->map_scratch_perf = perf ? first++ : -1;
}

void codegen_kernel_maps(const struct program *p, struct compiled *c,
			 uint32_t scratch_size)
{
	uint32_t nrs = (uint32_t)syscall_nr_max() + 64;

	(void)p;
	for (int g = 0; g < c->ntail; g++) {
		char *name;

		if (asprintf(&name, "etap_tail%d", g) < 0)
			abort();
		codegen_map_add(c, name, BPF_MAP_TYPE_PROG_ARRAY, 4, 4, nrs, 0);
	}
	if (c->map_sysnames >= 0)
		codegen_map_add(c, "etap_sysnames", BPF_MAP_TYPE_ARRAY, 4,
				SYSNAME_SIZE, nrs, 0);
	if (c->map_scratch_perf >= 0)
		codegen_map_add(c, "etap_scratch_perf",
				BPF_MAP_TYPE_PERCPU_ARRAY, 4, scratch_size, 1,
				0);
}

int codegen_dispatchers(const struct program *p, struct compiled *c)
{
	if (c->ntail > CODEGEN_MAX_DISPATCHERS) {
		struct loc loc = { p->script->file, 1, 1 };

		diag_report("error", loc,
			    "too many probes on the same syscalls (%d "
			    "dispatchers, at most %d)",
			    c->ntail, CODEGEN_MAX_DISPATCHERS);
		return -1;
	}
	for (int g = 0; g < c->ntail; g++) {
		struct compiled_prog *cp = &c->progs[c->nprogs];
		const struct rprobe *first = NULL;
		struct ir_func *f;
		char name[32];
		char *err = NULL;
		int ctx, id, out;

		for (const struct rprobe *rp = p->probes; rp; rp = rp->next)
			if (rp->mech == MECH_SYSCALL_TAIL &&
			    rp->tail_group == g) {
				first = rp;
				break;
			}
		if (!first)
			continue;
		snprintf(name, sizeof(name), "etap_disp%d", g);
		f = ir_func_new(name);
		ir_set_loc(f, first->src->loc);
		ir_comment(f, "dispatch on the syscall number");
		ctx = ir_vreg_new(f);
		id = ir_vreg_new(f);
		out = ir_label_new(f);
		ir_mov_reg(f, ctx, IR_R1);
		ir_load(f, 8, id, ctx, 8);
		ir_jcond_imm(f, BPF_JSLT, id, 0, out);
		ir_mov_reg(f, IR_R1, ctx);
		ir_ld_map(f, IR_R2, c->map_tail0 + g);
		ir_mov_reg(f, IR_R3, id);
		ir_call_helper(f, BPF_FUNC_tail_call);
		ir_label_place(f, out);
		ir_mov_imm(f, IR_R0, 0);
		ir_exit(f);
		if (ir_func_finalize(f, &cp->code, &err) < 0) {
			diag_report("error", first->src->loc,
				    "cannot compile the syscall dispatcher: %s",
				    err ? err : "unknown error");
			free(err);
			ir_func_free(f);
			return -1;
		}
		ir_func_free(f);
		cp->probe = first;
		if (asprintf(&cp->section, "tracepoint/raw_syscalls/%s",
			     g % 2 ? "sys_exit" : "sys_enter") < 0)
			abort();
		cp->tail_map = -1;
		c->nprogs++;
	}
	return 0;
}
