/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The probed task's registers as a struct pt_regs context holds them
 * (kprobes, uprobes, perf events): register("rdi") and USDT operands
 * (%edi, -8(%rbp)) name them the way stap and the assembler do.
 */
#ifndef ETAP_REGS_H
#define ETAP_REGS_H

/* The pt_regs offset of register name ("rdi", "edi", "di", "dil",
 * "r8d" ...; no '%'), and its width in bits (64, 32, 16 or 8); -1 for a
 * name this architecture does not have. */
int regs_offset(const char *name, int *bits);

#endif
