/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Syscall numbers of the running architecture by tracepoint name. The table
 * is generated at build time from <asm/unistd.h> (__NR_*): tracefs formats
 * do not carry the number (the event id is not the syscall number). Events
 * whose kernel name differs from the __NR_ name (newstat, sendfile64,
 * umount) are mapped here; syscalls newer than the build's headers have no
 * number and keep their classic tracepoint.
 */
#ifndef ETAP_SYSCALL_NR_H
#define ETAP_SYSCALL_NR_H

/* Number of the syscall whose tracepoint is sys_enter_EVENT, or -1. */
int syscall_nr_of(const char *event_name);
/* Name for number nr (the __NR_ name), or NULL. */
const char *syscall_name_of(int nr);
/* Largest known number + 1. */
int syscall_nr_max(void);

#endif
