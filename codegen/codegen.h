/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Passes 3 and 4: lower kernel-context probes to BPF and write the object.
 *
 * Maps of every object, in this order:
 *   0 .. p->nmaps_arrays-1   one hash map per global array (symbol->map_idx)
 *   map_gd                   "etap_gd": array, 1 entry, BPF_F_MMAPABLE,
 *                            value = global data (sem.h GD_* header, then
 *                            scalars at symbol->gd_off)
 *   map_ringbuf              "etap_rb": ring buffer for records
 *   map_scratch              "etap_scratch": per-CPU array, 1 entry, big
 *                            value for string temporaries and keys
 *
 * Ring-buffer records: struct rec_hdr, then the arguments, each at the
 * offset given by its rec_desc: longs as 8 bytes, strings as NUL-terminated
 * bytes in a slot of rec_desc.argsize[i] bytes.
 */
#ifndef ETAP_CODEGEN_H
#define ETAP_CODEGEN_H

#include <stdint.h>
#include <stdio.h>
#include "../semantic/sem.h"
#include "elf_write.h"
#include "ir.h"

enum rec_kind {
	REC_PRINTF,  /* printf(fmt, ...): format with fmt */
	REC_PRINT,   /* print/println: args printed plainly; newline if
		      * println */
	REC_EXIT,    /* exit() */
	REC_ERROR,   /* runtime error: message, location */
	REC_WARN,    /* warn(msg): "WARNING: msg" on stderr */
	REC_ABORT,   /* abort(): stop now, no end probes */
	REC_STACK,   /* print_backtrace/print_ubacktrace: pid, bytes of
		      * addresses (bpf_get_stack), the addresses */
};

#define REC_MAXARGS 32
/* Frames a kernel probe captures for a backtrace (stap's MAXBACKTRACE). */
#define STACK_MAX_FRAMES 20
/* REC_STACK: struct rec_hdr, then u32 pid, s32 bytes, the addresses */
#define STACK_REC_PID 8
#define STACK_REC_BYTES 12
#define STACK_REC_ADDRS 16

struct rec_desc {
	enum rec_kind kind;
	const char *format;  /* REC_PRINTF */
	bool newline;	     /* REC_PRINT for println */
	bool user_stack;     /* REC_STACK: a user-space stack */
	const char *message; /* REC_ERROR: e.g. "division by 0" */
	const char *probe_name; /* probe point (for error messages) */
	struct loc loc;
	int nargs;
	enum etype argtype[REC_MAXARGS];
	uint32_t argoff[REC_MAXARGS];
	uint32_t argsize[REC_MAXARGS];
	uint32_t size; /* total record bytes */
};

struct rec_hdr {
	uint32_t id; /* index into compiled.recs */
	uint32_t cpu;
};

struct compiled_prog {
	const struct rprobe *probe;
	char *section; /* "tracepoint/SYSTEM/EVENT" */
	struct bpf_prog_code code;
	/* A handler tail-called by a syscall dispatcher: the loader puts it
	 * at tail_key of map tail_map and never attaches it. Else -1. */
	int tail_map, tail_key;
};

struct compiled {
	struct obj_map *maps;
	const char **map_names;
	int nmaps;
	int map_gd, map_ringbuf, map_scratch;
	/* Kernel-probe maps after etap_scratch (codegen_kernel.c), -1 when
	 * absent: one prog array per syscall dispatcher (map_tail0 + group),
	 * syscall names by number, the scratch of perf-event programs (they
	 * may interrupt other handlers on the same CPU). */
	int map_tail0, ntail;
	int map_sysnames, map_scratch_perf;
	/* "etap_regex" after those (lower_regex.c), -1 when no kernel
	 * probe matches: every pattern's tables (regex_prog.map_off), which
	 * the loader copies in before attaching. */
	int map_regex;
	void *regex_value;
	uint32_t regex_size;
	struct compiled_prog *progs;
	int nprogs;
	struct rec_desc *recs;
	int nrecs;
	void *elf;
	size_t elf_len;
	uint32_t ringbuf_size; /* bytes, power of two */
};

struct codegen_options {
	uint32_t ringbuf_size; /* -s MB, default 16 MiB */
};

/* Lower every kernel-context probe and build the ELF object. Errors are
 * reported through diag_report; returns -1 on failure. */
int codegen_program(const struct program *p, const struct codegen_options *o,
		    struct compiled *out);
/* The -p3 listing of every program. */
void codegen_print_listing(FILE *out, const struct compiled *c);

#endif
