#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Tests run inside the VM (busybox sh, Debian's 6.1 kernel with kprobes,
# fentry and BTF). Each check prints "VM PASS name" or "VM FAIL name" and
# indented "VM     ..." detail lines; tests/vm/lane.sh turns them into the
# PASS/FAIL lines tests/run counts. Workloads are started with -c, so
# pid() == target() picks their own reads out of the kernel's. busybox cat
# never calls read() (it uses sendfile), so reads come from dd.
E=/vm/etap
export ETAP_TAPSET=/vm/tapset
T=/tmp/vmt
mkdir -p $T

pass() { echo "VM PASS $1"; }
fail() {
	n=$1
	shift
	echo "VM FAIL $n"
	for l in "$@"; do echo "VM     $l"; done
	echo "VM     rc=$RC"
	head -15 $T/out | sed 's/^/VM     | /'
	head -15 $T/err | sed 's/^/VM     ! /'
}

# run MECH ARGS...: ETAP_MECH=MECH (empty: let etap probe the kernel)
run() {
	m=$1
	shift
	ETAP_MECH=$m timeout -s KILL 60 $E "$@" >$T/out 2>$T/err
	RC=$?
}

# want NAME REGEX [MIN]: after run, rc 0 and at least MIN (default 1)
# stdout lines match REGEX (grep -E, whole line).
want() {
	c=$(grep -Ec "^($2)\$" $T/out)
	if [ "$RC" -eq 0 ] && [ "$c" -ge "${3:-1}" ]; then
		pass "$1"
	else
		fail "$1" "want at least ${3:-1} line(s) matching /^($2)\$/, got $c"
	fi
}

# wantn NAME REGEX N: exactly N matching lines
wantn() {
	c=$(grep -Ec "^($2)\$" $T/out)
	if [ "$RC" -eq 0 ] && [ "$c" -eq "$3" ]; then
		pass "$1"
	else
		fail "$1" "want exactly $3 line(s) matching /^($2)\$/, got $c"
	fi
}

dd if=/dev/zero of=/tmp/data bs=1000 count=1 2>/dev/null
INO=$(stat -c %i /tmp/data)
READ2="dd if=/tmp/data of=/dev/null bs=123 count=2"

# ---- the kernel offers both: etap picks fentry on its own ----
run "" -p2 -e 'probe kernel.function("vfs_read") { } probe kernel.function("vfs_read").return { }'
want mech-auto-fentry 'kernel.function\("vfs_read"\) /\* kernel context, fentry vfs_read \*/'
want mech-auto-fexit 'kernel.function\("vfs_read"\).return /\* kernel context, fexit vfs_read \*/'
run kprobe -p2 -e 'probe kernel.function("vfs_read") { } probe kernel.function("vfs_read").return { }'
want mech-forced-kprobe 'kernel.function\("vfs_read"\) /\* kernel context, kprobe vfs_read \*/'
want mech-forced-kretprobe 'kernel.function\("vfs_read"\).return /\* kernel context, kretprobe vfs_read \*/'

for m in fentry kprobe; do
	# entry: typed arguments, -> chains through kernel structs
	run $m -c "$READ2" -e 'probe kernel.function("vfs_read") {
		if (pid() == target())
			printf("count=%d ino=%d\n", $count, $file->f_inode->i_ino)
	}'
	wantn $m/entry-args "count=123 ino=$INO" 2

	# return: $return, arguments, @entry of an argument and of a string;
	# $pos[0] is read at entry as in stap (vfs_read advanced *pos since)
	run $m -c "$READ2" -e 'probe kernel.function("vfs_read").return {
		if (pid() == target())
			printf("ret=%d count=%d entry=%d pos=%d name=%s\n", $return,
			       $count, @entry($count), $pos[0],
			       @entry(kernel_string($file->f_path->dentry->d_name->name)))
	}'
	want $m/return-args "ret=123 count=123 entry=123 pos=0 name=data" 1
	want $m/return-entry-chain "ret=123 count=123 entry=123 pos=123 name=data" 1
done
