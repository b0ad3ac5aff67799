/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kernel types from vmlinux BTF: prototypes of BTF tracepoints and kernel
 * functions, struct lookup for @cast, type names for messages. vmlinux BTF
 * is parsed (10-15 ms) only the first time a script needs it.
 */
#ifndef ETAP_BTF_TYPES_H
#define ETAP_BTF_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct btf;

struct btf_arg {
	const char *name;
	uint32_t type_id;
};

/* A prototype: for tracepoints without the leading `void *__data`. */
struct btf_proto {
	int nargs;
	struct btf_arg *args;
	uint32_t ret_type; /* 0 = void */
};

/* The running kernel's BTF, loaded once; NULL (errno set) without it. */
struct btf *btf_kernel(void);
/* Prototype of tracepoint EVENT (from __bpf_trace_EVENT or
 * __probestub_EVENT, which carry parameter names). 0 or -errno. */
int btf_tracepoint_proto(const char *event, struct btf_proto *out);
/* Prototype of kernel function NAME. 0 or -errno. */
int btf_function_proto(const char *name, struct btf_proto *out);
/* Kernel functions matching a glob, as fn(name, arg); returns the count. */
int btf_function_list(const char *glob, void (*fn)(const char *, void *),
		      void *arg);
/* Struct or union by name ("task_struct", "struct task_struct"). 0 if none. */
uint32_t btf_struct_find(const char *name);
/* Skip typedefs and qualifiers. */
uint32_t btf_type_skip_mods(uint32_t id);
/* C spelling of a type, e.g. "struct task_struct *", into buf. */
void btf_type_name(uint32_t id, char *buf, size_t len);

#endif
