#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Context functions against -c workloads whose values are known: the task
# tapset (tapset/task.stp) on task_current() and its parent (etap itself,
# which forked the workload); pp/pn/probefunc; user_* and kernel_* memory
# readers (codegen/lower_context.c).
. "$(dirname "$0")/lib.sh"

expect task-funcs 0 "cat 1 1 etap 1 1" \
	-e 'probe kernel.trace("sched_process_exec") {
		if (pid() != target()) next
		t = task_current(); p = task_parent(t)
		printf("%s %d %d %s %d %d\n", task_execname(t),
			task_pid(t) == target(), task_tid(t) == tid(),
			task_execname(p), task_pid(p) == ppid(),
			task_pid(task_parent(p)) != task_pid(p))
		exit() }' \
	-c 'cat /dev/null'

# sleep 0.01 asks clock_nanosleep for { 0, 10000000 }: the user_* readers
# see the timespec at the known widths (10000000 is 0x989680: low short
# 0x9680 = -27008, low char 0x80 = -128, both sign-extended); an
# unreadable user address gives 0 as in stap. pp()/pn() name the point
# and probefunc() the syscall's entry function.
expect user-mem 0 "0 10000000 10000000 -27008 -128 0|syscall.clock_nanosleep|syscall.clock_nanosleep|__x64_sys_clock_nanosleep" \
	-e 'probe syscall.clock_nanosleep {
		if (pid() != target()) next
		printf("%d %d %d %d %d %d|%s|%s|%s\n", user_long($rqtp),
			user_long($rqtp + 8), user_int($rqtp + 8),
			user_short($rqtp + 8), user_char($rqtp + 8), user_long(0),
			pp(), pn(), probefunc())
		exit() }' \
	-c 'sleep 0.01'

expect user-mem-fixed 0 "-128 128 -27008 38528 38528 10000000 10000000 10000000" \
	-e 'probe syscall.clock_nanosleep {
		if (pid() != target()) next
		a = $rqtp + 8
		printf("%d %d %d %d %d %d %d %d\n", user_int8(a), user_uint8(a),
			user_int16(a), user_uint16(a), user_ushort(a),
			user_int32(a), user_uint32(a), user_int64(a))
		exit() }' \
	-c 'sleep 0.01'

# kernel_long/int at a task_struct's start read thread_info.flags (the
# first member), as @cast does; address 0 is stap's copy-fault error.
expect kernel-mem 0 "1 1" \
	-e 'probe kernel.trace("sched_process_exec") {
		if (pid() != target()) next
		t = task_current(); f = @cast(t, "task_struct")->thread_info->flags
		printf("%d %d\n", kernel_long(t) == f,
			kernel_int(t) == (f & 0xffffffff))
		exit() }' \
	-c 'cat /dev/null'
expect_err kernel-mem-fault 1 "ERROR: kernel long copy fault" \
	-e 'probe kernel.trace("sched_process_exec") {
		if (pid() == target()) println(kernel_long(0)) }' \
	-c 'cat /dev/null'

# User context: pp() and pn() are the probe point, probefunc() is empty
# (no function), user_* read nothing (0).
expect user-ctx 0 "begin|begin||0" \
	-e 'probe begin { printf("%s|%s|%s|%d\n", pp(), pn(), probefunc(),
		user_int(4096)); exit() }'

# cat's own open of a missing file: its command line (tapset/cmdline.stp
# reads mm->arg_start..arg_end) and the file name quoted
# (tapset/uconversions.stp; an unreadable address is its hex value).
expect cmdline 0 '[cat -u /nonexistent-etap-ctx][cat][/nonexistent-etap-ctx][][-u,/nonexistent-etap-ctx]' \
	-e 'probe syscall.openat {
		if (pid() != target() ||
		    user_string($filename, "") != "/nonexistent-etap-ctx") next
		printf("[%s][%s][%s][%s][%s]\n", cmdline_str(),
			cmdline_arg(0), cmdline_arg(2), cmdline_arg(3),
			cmdline_args(1, -1, ","))
		exit() }' \
	-c 'cat -u /nonexistent-etap-ctx'
expect quoted 0 '"/nonexistent-etap-ctx" 0x0' \
	-e 'probe syscall.openat {
		if (pid() != target() ||
		    user_string($filename, "") != "/nonexistent-etap-ctx") next
		printf("%s %s\n", user_string_quoted($filename),
			user_string_quoted(0))
		exit() }' \
	-c 'cat -u /nonexistent-etap-ctx'
expect cmdline-user 0 "[][]" \
	-e 'probe begin { printf("[%s][%s]\n", cmdline_str(), cmdline_arg(0)); exit() }'

# returnval()/returnstr() in syscall return probes: cat opens /dev/null
# (fd 3, as each library before it) and a missing file (ENOENT); every
# returnval() equals $return. In an entry probe it is a semantic error.
expect returnval 0 "-2 (ENOENT)|-2 (ENOENT)
0x3|3
mismatches 0" \
	-e 'global s, bad
	probe syscall.openat.return {
		if (pid() != target()) next
		if (returnval() != $return) bad++
		if (returnval() == 3 || returnval() == -2)
			s[returnstr(2)] = returnstr(1)
	}
	probe end { foreach (k+ in s) printf("%s|%s\n", k, s[k])
		printf("mismatches %d\n", bad) }' \
	-c 'cat /dev/null /nonexistent-etap-ret'
expect_err returnval-entry 1 "returnval\(\) needs a probe with a return value" \
	-e 'probe syscall.openat { println(returnval()) }'

# syscall.*.return goes through the raw_syscalls dispatcher's per-syscall
# handlers: each still knows its own pn() and probefunc().
expect dispatch-names 0 "__x64_sys_close syscall.close.return
__x64_sys_openat syscall.openat.return" \
	-e 'global s
	probe syscall.*.return {
		if (pid() == target() && (pn() == "syscall.openat.return" ||
					  pn() == "syscall.close.return"))
			s[probefunc(), pn()] = 1
	}
	probe end { foreach ([f, n+] in s) printf("%s %s\n", f, n) }' \
	-c 'cat /dev/null'

# task_uid/gid/euid/egid/cpu on a workload that setpriv runs as nobody
# (65534): the ids come from the task's cred.
expect task-ids 0 "65534 65534 65534 65534 1" \
	-e 'probe kernel.trace("sched_process_exec") {
		t = task_current()
		if (pid() != target() || task_execname(t) != "cat") next
		printf("%d %d %d %d %d\n", task_uid(t), task_gid(t),
			task_euid(t), task_egid(t), task_cpu(t) == cpu())
		exit() }' \
	-c 'setpriv --reuid=65534 --regid=65534 --clear-groups cat /dev/null'
