/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where the context functions ppid(), pexecname(), euid() and egid() find
 * their data in the current task: member offsets of task_struct and cred
 * from the running kernel's BTF, looked up at translate time, and only
 * when a kernel-context probe calls one of them.
 */
#ifndef ETAP_TASK_BTF_H
#define ETAP_TASK_BTF_H

#include <stdint.h>

struct task_offsets {
	uint32_t real_parent; /* task_struct.real_parent (pointer) */
	uint32_t tgid;	      /* task_struct.tgid (pid_t) */
	uint32_t comm;	      /* task_struct.comm (char[16]) */
	uint32_t cred;	      /* task_struct.cred (pointer) */
	uint32_t euid;	      /* cred.euid (kuid_t: one u32) */
	uint32_t egid;	      /* cred.egid */
};

/* The offsets, or NULL with errno set (no usable vmlinux BTF). */
const struct task_offsets *task_btf_offsets(void);

#endif
