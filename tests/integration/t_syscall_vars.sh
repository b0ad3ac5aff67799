#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# stap's variables on syscall.* (semantic/syscall_vars.c with
# tapset/syscall_decode.stp): argstr in strace style, filename/flags/...,
# retstr, in kernel context and stored in arrays as real strings.
. "$(dirname "$0")/lib.sh"

# stat of a missing file: ENOENT with the path in argstr, through the
# wildcard (one dispatcher, a handler per syscall).
run_etap "$TMPD/out" "$TMPD/err" -e 'global a
probe syscall.*stat* { if (pid() == target()) a[name, argstr] = 1 }
probe syscall.*stat*.return { if (pid() == target() && retval < 0) a[name, retstr] = 1 }
probe end { foreach ([n, s] in a) printf("%s(%s)\n", n, s) }' \
	-c 'stat /nonexistent-etap-sv'
if [ "$RC" -eq 0 ] &&
	grep -qE '^(statx|stat|lstat|fstatat)\((AT_FDCWD, )?"/nonexistent-etap-sv", ' "$TMPD/out" &&
	grep -qE '^(statx|stat|lstat|fstatat)\(-2 \(ENOENT\)\)$' "$TMPD/out"; then
	pass syscall-stat-enoent
else
	fail syscall-stat-enoent "rc=$RC" "$(cat "$TMPD/out")" "$(head -c 1500 "$TMPD/err")"
fi

# openat: flags decoded, the mode only with O_CREAT; stap's names.
run_etap "$TMPD/out" "$TMPD/err" -e 'global a
probe syscall.openat { if (pid() == target()) a[argstr, filename, flags & 3] = 1 }
probe end { foreach ([s, f, m] in a) printf("%s|%s|%d\n", s, f, m) }' \
	-c "sh -c 'cat /etc/hostname >/dev/null; : > $TMPD/created'"
if [ "$RC" -eq 0 ] &&
	grep -qx 'AT_FDCWD, "/etc/ld.so.cache", O_RDONLY|O_CLOEXEC|/etc/ld.so.cache|0' "$TMPD/out" &&
	grep -qx "AT_FDCWD, \"$TMPD/created\", O_WRONLY|O_CREAT|O_TRUNC, 0666|$TMPD/created|1" "$TMPD/out"; then
	pass syscall-openat-flags
else
	fail syscall-openat-flags "rc=$RC" "$(cat "$TMPD/out")" "$(head -c 1500 "$TMPD/err")"
fi

# kill -TERM: the signal by name.
run_etap "$TMPD/out" "$TMPD/err" -e '
probe syscall.kill { if (pid() == target()) printf("%s %d %d\n", argstr, pid, sig) }' \
	-c "sh -c 'sleep 5 & kill -TERM \$!'"
if [ "$RC" -eq 0 ] && grep -qE '^[0-9]+, SIGTERM [0-9]+ 15$' "$TMPD/out"; then
	pass syscall-kill-sigterm
else
	fail syscall-kill-sigterm "rc=$RC" "$(cat "$TMPD/out")" "$(head -c 1500 "$TMPD/err")"
fi

# A handler that names none of them gets no prologue.
run_etap "$TMPD/out" "$TMPD/err" -p2 -e 'probe syscall.openat { println($flags) }'
if [ "$RC" -eq 0 ] && ! grep -q 'argstr\|_sys_open_flag_str' "$TMPD/out"; then
	pass syscall-vars-unread-free
else
	fail syscall-vars-unread-free "rc=$RC" "$(cat "$TMPD/out")"
fi

# -L lists them.
expect syscall-vars-listing 0 \
	'syscall.openat name:string argstr:string dfd:long filename:string filename_uaddr:long flags:long mode:long $dfd:int $filename:const char * $flags:int $mode:umode_t' \
	-L 'syscall.openat'
expect syscall-vars-listing-return 0 \
	'syscall.openat.return name:string retval:long retstr:string $return:long' \
	-L 'syscall.openat.return'

wait_no_etap_progs && pass syscall-vars-no-leak || fail syscall-vars-no-leak
