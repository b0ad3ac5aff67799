// SPDX-License-Identifier: GPL-2.0-or-later
#include "regs.h"

#include <stddef.h>
#include <string.h>

#if defined(__x86_64__)
/* x86_64 struct pt_regs; each row: the 64-, 32-, 16- and 8-bit names of
 * one register (NULL where there is none). */
static const struct {
	const char *names[4];
	int off;
} regs[] = {
	{ { "rax", "eax", "ax", "al" }, 80 },
	{ { "rbx", "ebx", "bx", "bl" }, 40 },
	{ { "rcx", "ecx", "cx", "cl" }, 88 },
	{ { "rdx", "edx", "dx", "dl" }, 96 },
	{ { "rsi", "esi", "si", "sil" }, 104 },
	{ { "rdi", "edi", "di", "dil" }, 112 },
	{ { "rbp", "ebp", "bp", "bpl" }, 32 },
	{ { "rsp", "esp", "sp", "spl" }, 152 },
	{ { "rip", "eip", "ip", NULL }, 128 },
	{ { "r8", "r8d", "r8w", "r8b" }, 72 },
	{ { "r9", "r9d", "r9w", "r9b" }, 64 },
	{ { "r10", "r10d", "r10w", "r10b" }, 56 },
	{ { "r11", "r11d", "r11w", "r11b" }, 48 },
	{ { "r12", "r12d", "r12w", "r12b" }, 24 },
	{ { "r13", "r13d", "r13w", "r13b" }, 16 },
	{ { "r14", "r14d", "r14w", "r14b" }, 8 },
	{ { "r15", "r15d", "r15w", "r15b" }, 0 },
	{ { "orig_rax", "orig_eax", NULL, NULL }, 120 },
	{ { "rflags", "eflags", "flags", NULL }, 144 },
};
#endif

int regs_offset(const char *name, int *bits)
{
#if defined(__x86_64__)
	static const int width[4] = { 64, 32, 16, 8 };

	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
		for (int k = 0; k < 4; k++)
			if (regs[i].names[k] &&
			    strcmp(regs[i].names[k], name) == 0) {
				*bits = width[k];
				/* "flags" is the whole register */
				if (regs[i].off == 144)
					*bits = 64;
				return regs[i].off;
			}
#else
	(void)name;
	(void)bits;
#endif
	return -1;
}
