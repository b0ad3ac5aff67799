// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * task_struct and cred member offsets from /sys/kernel/btf/vmlinux.
 * Parsing vmlinux BTF costs 10-15 ms, so it happens once and only for
 * scripts that read these members in kernel context.
 */
#include "task_btf.h"
#include "btf_types.h"

#include <bpf/btf.h>
#include <errno.h>
#include <string.h>

/* Offset in bytes of member `name` of struct `id`, looking inside
 * anonymous structs and unions; -1 when absent. */
static long member_off(const struct btf *btf, uint32_t id, const char *name)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	const struct btf_member *m;

	if (!t || (!btf_is_struct(t) && !btf_is_union(t)))
		return -1;
	m = btf_members(t);
	for (int i = 0; i < btf_vlen(t); i++, m++) {
		const char *mn = btf__name_by_offset(btf, m->name_off);
		long bit = btf_member_bit_offset(t, i);

		if (mn && *mn) {
			if (strcmp(mn, name) == 0)
				return bit / 8;
			continue;
		}
		/* anonymous member: search inside it */
		{
			uint32_t sub = m->type;
			const struct btf_type *st = btf__type_by_id(btf, sub);
			long off;

			while (st && (btf_is_mod(st) || btf_is_typedef(st))) {
				sub = st->type;
				st = btf__type_by_id(btf, sub);
			}
			off = member_off(btf, sub, name);
			if (off >= 0)
				return bit / 8 + off;
		}
	}
	return -1;
}

static int struct_id(const struct btf *btf, const char *name)
{
	return btf__find_by_name_kind(btf, name, BTF_KIND_STRUCT);
}

const struct task_offsets *task_btf_offsets(void)
{
	static struct task_offsets o;
	static int state; /* 0 unknown, 1 ok, -errno failed */
	struct btf *btf;
	long v[6];
	int task, cred;

	if (state == 1)
		return &o;
	if (state < 0) {
		errno = -state;
		return NULL;
	}
	/* the shared copy: a script reading typed tracepoint arguments too
	 * pays the vmlinux BTF parse once */
	btf = btf_kernel();
	if (!btf) {
		state = -(errno ? errno : ENOENT);
		return NULL;
	}
	task = struct_id(btf, "task_struct");
	cred = struct_id(btf, "cred");
	v[0] = task > 0 ? member_off(btf, task, "real_parent") : -1;
	v[1] = task > 0 ? member_off(btf, task, "tgid") : -1;
	v[2] = task > 0 ? member_off(btf, task, "comm") : -1;
	v[3] = task > 0 ? member_off(btf, task, "cred") : -1;
	v[4] = cred > 0 ? member_off(btf, cred, "euid") : -1;
	v[5] = cred > 0 ? member_off(btf, cred, "egid") : -1;
	for (int i = 0; i < 6; i++)
		if (v[i] < 0) {
			state = -ENOENT;
			errno = ENOENT;
			return NULL;
		}
	o.real_parent = v[0];
	o.tgid = v[1];
	o.comm = v[2];
	o.cred = v[3];
	o.euid = v[4];
	o.egid = v[5];
	state = 1;
	return &o;
}
