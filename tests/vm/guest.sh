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
	head -8 $T/out | sed 's/^/VM     | /'
	tail -8 $T/err | sed 's/^/VM     ! /'
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
run "" -L 'kernel.function("vfs_read").return'
want listing-kfunc 'kernel.function\("vfs_read"\).return \$file:struct file\* \$buf:char\* \$count:size_t \$pos:loff_t\* \$return:ssize_t'

for m in fentry kprobe; do
	# a wildcard attaches every match (vfs_read, vfs_readlink, vfs_readv:
	# busybox reads its /proc/self/exe link too); one function may carry
	# several probes
	run $m -c "$READ2" -e 'global w, r, l
		probe kernel.function("vfs_rea*").call {
			if (pid() == target() && execname() == "dd") w++ }
		probe kernel.function("vfs_read") {
			if (pid() == target() && execname() == "dd") r++ }
		probe kernel.function("vfs_readlink") {
			if (pid() == target() && execname() == "dd") l++ }
		probe end { printf("w=%d sum=%d r=%d\n", w, w == r + l, r) }'
	want $m/wildcard-call "w=[3-9] sum=1 r=2" 1

	# entry: typed arguments, -> chains through kernel structs
	run $m -c "$READ2" -e 'probe kernel.function("vfs_read") {
		if (pid() == target())
			printf("count=%d ino=%d\n", $count, $file->f_inode->i_ino)
	}'
	wantn $m/entry-args "count=123 ino=$INO" 2

	# a user-space string argument, at entry and through @entry
	run $m -c "dd if=/tmp/data of=/dev/null count=0" -e '
		probe kernel.function("do_sys_openat2") {
			if (pid() == target())
				printf("open %s\n", user_string($filename))
		}
		probe kernel.function("do_sys_openat2").return {
			if (pid() == target())
				printf("fd=%d %s\n", $return,
				       @entry(user_string($filename)))
		}'
	want $m/entry-user-string "open /tmp/data" 1
	want $m/return-entry-user-string "fd=[0-9]+ /tmp/data" 1

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

# ---- vfs.* through kernel.function (fentry/fexit, then kprobes) ----
# A file on a RAM disk with vfat gives a real devname; /tmp (tmpfs) has
# no block device, so "N/A" there.
BDEV=
if insmod /vm/modules/brd.ko rd_nr=1 rd_size=2048 max_part=0 &&
	insmod /vm/modules/fat.ko && insmod /vm/modules/vfat.ko &&
	insmod /vm/modules/nls_cp437.ko && insmod /vm/modules/nls_ascii.ko &&
	mkdosfs /dev/ram0 >/dev/null && mount -t vfat /dev/ram0 /mnt; then
	BDEV=ram0
	dd if=/dev/zero of=/mnt/disk bs=1000 count=1 2>/dev/null
	DINO=$(stat -c %i /mnt/disk)
else
	echo "VM SKIP vfs-devname: no RAM disk with vfat in this guest"
fi

for m in fentry kprobe; do
	run $m -c "$READ2" -e 'probe vfs.read.return {
		if (pid() == target())
			printf("%s %d %d %s %d %s\n", name, bytes_to_read, bytes_read,
			       devname, ino, retstr)
	}'
	wantn $m/vfs.read.return "vfs.read 123 123 N/A $INO 123" 2

	run $m -c "$READ2" -e 'probe vfs.read {
		if (pid() == target())
			printf("%s %d %s %d %s\n", name, bytes_to_read, devname, ino,
			       argstr)
	}'
	# stap's argstr: count, the pos pointer as a number, buf
	want $m/vfs.read "vfs.read 123 N/A $INO 123, -?[0-9]+, 0x[0-9a-f]+" 1

	[ -n "$BDEV" ] || continue
	run $m -c "dd if=/tmp/data of=/mnt/out$m bs=200 count=3 conv=fsync" \
		-e 'global bytes, wdev, inode
		probe vfs.write.return {
			if (pid() == target() && bytes_written > 0) {
				bytes[execname(), devname] += bytes_written
				if (devname != "N/A")
					inode = ino
			}
		}
		probe vfs.write {
			if (pid() == target() && devname != "N/A")
				wdev = dev
		}
		probe end {
			foreach ([e, d] in bytes)
				printf("%s %s %d\n", e, d, bytes[e, d])
			printf("ino=%d dev=%d:%d\n", inode, wdev >> 20, wdev & 0xfffff)
		}'
	d=$(stat -c %d /mnt/out$m)
	want $m/vfs.write.return-devname "dd $BDEV 600" 1
	want $m/vfs.write-ino-dev "ino=$(stat -c %i /mnt/out$m) dev=$(((d >> 8) & 0xfff)):$(((d & 0xff) | ((d >> 12) & 0xfff00)))" 1

	run $m -c "dd if=/mnt/disk of=/dev/null bs=500" -e 'probe vfs.read.return {
		if (pid() == target() && bytes_read)
			printf("%s %d %d\n", devname, ino, bytes_read)
	}'
	wantn $m/vfs.read.return-devname "$BDEV $DINO 500" 2
done
