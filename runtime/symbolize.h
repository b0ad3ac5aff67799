/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Addresses to names for backtraces and symname()/usymname(): kernel
 * addresses through /proc/kallsyms, user addresses through the process's
 * /proc/PID/maps and the mapped file's ELF symbol tables (libelf). Tables
 * are read on first use and kept; nothing is read when no script asks.
 */
#ifndef ETAP_SYMBOLIZE_H
#define ETAP_SYMBOLIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sym_info {
	const char *name;   /* NULL when unknown */
	uint64_t off, size; /* addr - symbol start; the symbol's size */
	const char *module; /* "kernel", a module's name, or the file */
};

/* Kernel address: false when kallsyms has nothing at or below it. */
bool symbolize_kernel(uint64_t addr, struct sym_info *si);
/* User address of process pid: false when its map or symbols are gone. */
bool symbolize_user(int pid, uint64_t addr, struct sym_info *si);

/* stap's text forms: "name" (symname; the hex address when unknown),
 * "name+0xoff/0xsize [module]" (symdata), and a backtrace line
 * " 0xaddr : name+0xoff/0xsize [module]". */
void symbolize_name(bool user, int pid, uint64_t addr, char *buf, size_t n);
void symbolize_data(bool user, int pid, uint64_t addr, char *buf, size_t n);
void symbolize_line(bool user, int pid, uint64_t addr, char *buf, size_t n);

/* Drop the cached tables (tests). */
void symbolize_reset(void);

#endif
