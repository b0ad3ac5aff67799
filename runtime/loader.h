/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Load the compiled object into the kernel with libbpf, expose its maps
 * (the mmap'ed global data, the ring buffer, one fd per script array) and
 * attach or detach its programs. Whatever was loaded is released by
 * loader_close() on every path.
 */
#ifndef ETAP_LOADER_H
#define ETAP_LOADER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "../codegen/codegen.h"

struct bpf_object;
struct bpf_program;
struct bpf_link;

struct loader {
	const struct compiled *c;
	struct bpf_object *obj;
	struct bpf_program **progs; /* per compiled.progs entry */
	struct bpf_link **links;    /* per compiled.progs entry, or NULL */
	int nprogs;
	int gd_fd;
	uint8_t *gd; /* mmap'ed global data */
	size_t gd_len;
	int rb_fd;
	int *map_fds; /* per array map (symbol->map_idx) */
	int nmap_fds;
	int *own_fds; /* maps created without an object (no programs) */
	struct bpf_link **xlinks; /* per-CPU perf-event links */
	int nxlinks;
};

/* Route libbpf's messages: to stderr at verbosity >= 1, otherwise only
 * kept for error reports. Call once before loader_open. */
void loader_set_verbosity(int verbose);
/* Open and load c's ELF object named `name`, find its maps and map the
 * global data. Reports failures on stderr; returns 0 or -errno. On
 * failure l is already closed. */
int loader_open(struct loader *l, const struct compiled *c, const char *name);
/* target() for kernel probes: written before attaching. */
void loader_set_target(struct loader *l, pid_t pid);
/* Attach every program. Reports failures; returns 0 or -errno (after a
 * failure, programs attached so far stay attached: loader_detach or
 * loader_close releases them). */
int loader_attach(struct loader *l);
/* attach_kernel.c: after loading, fill the syscall dispatchers' program
 * arrays and the syscall names (0 or -errno); attach program i when it
 * needs more than one link or none (true when handled, *err set). */
int loader_fill_tables(struct loader *l);
bool loader_attach_special(struct loader *l, int i, int *err);
void loader_detach_extra(struct loader *l);
/* Detach every program (idempotent): no kernel probe fires afterwards. */
void loader_detach(struct loader *l);
/* Sum of the programs' recursion misses (hits the kernel skipped). */
uint64_t loader_recursion_misses(struct loader *l);
/* Detach, unmap and close everything (idempotent). */
void loader_close(struct loader *l);

#endif
