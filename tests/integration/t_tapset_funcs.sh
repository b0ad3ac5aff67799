#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Script-level tapset functions that must give real strings in both
# contexts: errno_str() (tapset/errno.stp), ctime() (tapset/ctime.stp),
# and the task_current() builtin they build on elsewhere.
. "$(dirname "$0")/lib.sh"

ct0="$(TZ=UTC date -d @0 '+%a %b %e %H:%M:%S %Y')"
ct1="$(TZ=UTC date -d @1764044474 '+%a %b %e %H:%M:%S %Y')"
ct2="$(TZ=UTC date -d @951825599 '+%a %b %e %H:%M:%S %Y')"

expect funcs-user 0 "ENOENT|EAGAIN|EHWPOISON||$ct0|$ct1|$ct2|a long, long time ago...|0" \
	-e 'probe begin { printf("%s|%s|%s|%s|%s|%s|%s|%s|%d\n", errno_str(-2),
		errno_str(11), errno_str(133), errno_str(999), ctime(0),
		ctime(1764044474), ctime(951825599), ctime(-1), task_current())
		exit() }'

# Kernel context: the strings go through a global array and are printed
# at the end, so they are real strings, not deferred formats.
expect funcs-kernel 0 "-2 ENOENT $ct1 1" \
	-e 'global s
	probe syscall.openat.return {
		if (pid() == target() && $return < 0)
			s[tid()] = sprintf("%d %s %s %d", $return, errno_str($return),
				ctime(1764044474),
				@cast(task_current(), "task_struct")->tgid == pid())
	}
	probe end { foreach (t in s) println(s[t]) }' \
	-c 'cat /nonexistent-etap-funcs 2>/dev/null'

wait_no_etap_progs && pass funcs-no-leak || fail funcs-no-leak
