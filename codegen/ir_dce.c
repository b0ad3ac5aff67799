// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Dead-code elimination before register allocation. Lowering emits values
 * it may not need (the context pointer of a handler that reads no field, a
 * post-increment's old value used as a statement); removing their pure
 * definitions keeps handlers short, which is what every event pays for.
 */
#include <stdlib.h>
#include <string.h>

#include "ir_internal.h"

/* Whether removing `in` changes nothing but the register it defines. */
static bool dce_is_pure(const struct ir_insn *in)
{
	uint8_t cls = BPF_CLASS(in->code);

	if (in->kind == IRK_LD64 || in->kind == IRK_LD_MAP)
		return true;
	if (in->kind != IRK_INSN)
		return false;
	if (cls == BPF_ALU || cls == BPF_ALU64)
		return true;
	return cls == BPF_LDX && BPF_MODE(in->code) == BPF_MEM;
}

static int dce_count_uses(const struct ir_func *f, int *uses)
{
	memset(uses, 0, (size_t)f->nvregs * sizeof(int));
	for (size_t i = 0; i < f->ninsns; i++) {
		struct ir_regs r;

		ir_insn_regs(&f->insns[i], &r);
		for (int k = 0; k < r.nuse; k++) {
			bool self = false;

			if (!ir_is_vreg(r.use[k]))
				continue;
			/* `v += 1` alone does not keep v alive */
			for (int d = 0; d < r.ndef; d++)
				self |= r.def[d] == r.use[k];
			if (!self)
				uses[r.use[k] - IR_VREG_BASE]++;
		}
	}
	return 0;
}

void ir_dce(struct ir_func *f)
{
	int *uses = calloc((size_t)f->nvregs + 1, sizeof(int));
	bool changed = true;

	if (!uses)
		abort();
	while (changed) {
		size_t out = 0;

		changed = false;
		dce_count_uses(f, uses);
		for (size_t i = 0; i < f->ninsns; i++) {
			struct ir_insn *in = &f->insns[i];
			struct ir_regs r;

			ir_insn_regs(in, &r);
			if (dce_is_pure(in) && r.ndef == 1 &&
			    ir_is_vreg(r.def[0]) &&
			    uses[r.def[0] - IR_VREG_BASE] == 0) {
				/* keep its listing comment on the next one */
				if (in->comment && i + 1 < f->ninsns &&
				    !f->insns[i + 1].comment)
					f->insns[i + 1].comment = in->comment;
				else
					free(in->comment);
				changed = true;
				continue;
			}
			f->insns[out++] = *in;
		}
		f->ninsns = out;
	}
	free(uses);
}
