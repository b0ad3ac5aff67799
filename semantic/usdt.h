/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * USDT probes (sys/sdt.h STAP_PROBE*, DTRACE_PROBE*): the .note.stapsdt
 * notes of an ELF file, each a probe site with its provider, name,
 * semaphore and argument operands in assembler syntax ("-4@%edi
 * 8@-16(%rbp) 4@$5"), for process("PATH").mark("NAME") on uprobes.
 */
#ifndef ETAP_USDT_H
#define ETAP_USDT_H

#include <stdbool.h>
#include <stdint.h>

#define USDT_MAX_ARGS 12

enum usdt_arg_kind {
	UA_CONST, /* $imm */
	UA_REG,	  /* %reg */
	UA_MEM,	  /* disp(%reg): user memory */
	UA_UNSUPPORTED,
};

struct usdt_arg {
	enum usdt_arg_kind kind;
	int size;	/* bytes: 1, 2, 4 or 8 */
	bool is_signed; /* a negative size in the note */
	int reg_off;	/* UA_REG/UA_MEM: pt_regs offset */
	int64_t val;	/* UA_CONST: the value; UA_MEM: the displacement */
	char *text;	/* the operand as written, for messages */
};

struct usdt_site {
	char *provider, *name;
	uint64_t offset;     /* the probe's file offset (uprobe) */
	uint64_t sem_offset; /* its semaphore's file offset, 0 if none */
	int nargs;
	struct usdt_arg args[USDT_MAX_ARGS];
};

struct usdt_list {
	struct usdt_site *v;
	int n;
};

/* The USDT sites of path whose provider (NULL: any) and name match the
 * glob patterns, in file order. 0, or -1 with *why set. */
int usdt_match(const char *path, const char *provider, const char *name,
	       struct usdt_list *out, const char **why);
/* Take site i out of the list (the caller owns it then). */
struct usdt_site *usdt_take(struct usdt_list *l, int i);
void usdt_free(struct usdt_list *l);

/* Parse one note's argument string into args; the number of operands. */
int usdt_parse_args(const char *s, struct usdt_arg *args, int max);

#endif
