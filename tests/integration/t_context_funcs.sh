#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Context functions against -c workloads whose values are known: the task
# tapset (tapset/task.stp) on task_current() and its parent (etap itself,
# which forked the workload).
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
