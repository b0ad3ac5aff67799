// SPDX-License-Identifier: GPL-2.0-or-later
/* Kernel feature probes (see kfeatures.h). */
#define _GNU_SOURCE
#include "kfeatures.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <linux/bpf.h>

#include "btf_types.h"
#include "tracefs.h"

static char fentry_why[256];
static int fentry_state; /* 0 unknown, 1 yes, -1 no */

/*
 * ETAP_MECH=fentry or ETAP_MECH=kprobe forces the kernel.function
 * mechanism without probing the kernel: the VM test lane runs both on
 * one kernel, and -p3/-p4 can show either on a kernel that has neither.
 * Returns 1 when forced to `mech`, -1 when forced to the other, 0 when
 * not forced.
 */
static int kfeature_forced(const char *mech)
{
	const char *env = getenv("ETAP_MECH");

	if (!env || !*env)
		return 0;
	return strcmp(env, mech) == 0 ? 1 : -1;
}

bool kfeature_fentry(const char **why)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct btf *b;
	int id, fd, lfd;

	if (fentry_state) {
		*why = fentry_why;
		return fentry_state > 0;
	}
	fentry_state = -1;
	*why = fentry_why;
	switch (kfeature_forced("fentry")) {
	case 1:
		fentry_state = 1;
		return true;
	case -1:
		snprintf(fentry_why, sizeof(fentry_why),
			 "fentry is turned off by ETAP_MECH=%s",
			 getenv("ETAP_MECH"));
		return false;
	}
	b = btf_kernel();
	if (!b) {
		snprintf(fentry_why, sizeof(fentry_why),
			 "fentry needs kernel BTF (%s)", strerror(errno));
		return false;
	}
	/* Any traceable function will do: this one exists everywhere. */
	id = btf__find_by_name_kind(b, "vfs_read", BTF_KIND_FUNC);
	if (id <= 0) {
		snprintf(fentry_why, sizeof(fentry_why),
			 "fentry: kernel BTF has no vfs_read to test with");
		return false;
	}
	{
		LIBBPF_OPTS(bpf_prog_load_opts, o,
			    .expected_attach_type = BPF_TRACE_FENTRY,
			    .attach_btf_id = (unsigned)id);

		fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "etap_fentry", "GPL",
				   insns, 2, &o);
	}
	if (fd < 0) {
		snprintf(fentry_why, sizeof(fentry_why),
			 "the kernel refuses fentry programs (%s)",
			 strerror(errno));
		return false;
	}
	lfd = bpf_link_create(fd, 0, BPF_TRACE_FENTRY, NULL);
	if (lfd < 0) {
		snprintf(fentry_why, sizeof(fentry_why),
			 "the kernel refuses to attach fentry programs (%s)",
			 strerror(errno));
		close(fd);
		return false;
	}
	close(lfd);
	close(fd);
	fentry_state = 1;
	fentry_why[0] = '\0';
	return true;
}

bool kfeature_kprobes(const char **why)
{
	static char buf[256];
	const char *hint = NULL;
	const char *root = tracefs_root(&hint);
	char path[512];

	*why = buf;
	switch (kfeature_forced("kprobe")) {
	case 1:
		return true;
	case -1:
		snprintf(buf, sizeof(buf), "kprobes are turned off by ETAP_MECH=%s",
			 getenv("ETAP_MECH"));
		return false;
	}
	if (!root) {
		snprintf(buf, sizeof(buf), "kprobes need tracefs (%s)",
			 strerror(errno));
		return false;
	}
	snprintf(path, sizeof(path), "%s/kprobe_events", root);
	if (access(path, F_OK) == 0)
		return true;
	snprintf(buf, sizeof(buf),
		 "the kernel has no kprobes (%s is missing: CONFIG_KPROBES "
		 "is off)",
		 path);
	return false;
}

bool kfeature_hw_pmu(const char **why)
{
	*why = "this machine has no hardware PMU "
	       "(/sys/bus/event_source/devices/cpu is missing; virtual "
	       "machines often hide it)";
	return access("/sys/bus/event_source/devices/cpu", F_OK) == 0 ||
	       access("/sys/bus/event_source/devices/cpu_core", F_OK) == 0;
}
