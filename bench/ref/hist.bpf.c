// SPDX-License-Identifier: GPL-2.0-or-later
// Hand-written floor for bench job (c), in the style of ../shared/reference
// (which has no histogram job): a log2 histogram of read() sizes in a
// per-CPU array, one bucket increment per read, nothing else.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 65);
	__type(key, __u32);
	__type(value, __u64);
} hist SEC(".maps");

struct sys_enter_read_args {
	__u64 pad;
	long nr;
	unsigned long fd, buf, count;
};

SEC("tracepoint/syscalls/sys_enter_read")
int on_read(struct sys_enter_read_args *ctx)
{
	__u64 v = ctx->count;
	__u32 b = 0;

	// bucket = floor(log2(v)) + 1, 0 for v == 0: the same binary search
	// a C programmer would write for a fixed-width log2
	if (v >> 32) { v >>= 32; b += 32; }
	if (v >> 16) { v >>= 16; b += 16; }
	if (v >> 8) { v >>= 8; b += 8; }
	if (v >> 4) { v >>= 4; b += 4; }
	if (v >> 2) { v >>= 2; b += 2; }
	if (v >> 1) { b += 1; }
	if (ctx->count)
		b += 1;
	__u64 *slot = bpf_map_lookup_elem(&hist, &b);
	if (slot)
		(*slot)++;
	return 0;
}
