#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# vfs.read/vfs.write(.return) on this machine (no fentry, no kprobes): the
# __vfs.*.syscall fallback of tapset/vfs_syscall.stp. A disktop-style
# report must name the real block device of the test file's filesystem
# (from /proc/self/mountinfo), the inode and the byte count dd moved, and
# "N/A" for a file on tmpfs.
. "$(dirname "$0")/lib.sh"

# Kernel name of the block device of the filesystem holding $1: the
# mount's MAJ:MIN from mountinfo (the one whose st_dev matches), then
# the kernel's name for that device.
file_devname() {
	local d maj min mm
	d=$(stat -c '%d' "$1")
	maj=$((d >> 8 & 0xfff))
	min=$(((d & 0xff) | (d >> 12 & 0xfff00)))
	mm="$maj:$min"
	awk -v mm="$mm" '$3 == mm { found = 1 } END { exit !found }' \
		/proc/self/mountinfo || return 1
	sed -n 's/^DEVNAME=//p' "/sys/dev/block/$mm/uevent" 2>/dev/null
}

SCRIPT='global io, n
probe vfs.write.return {
	if (pid() == target() && bytes_written > 0) {
		io[execname(), devname, ino] += bytes_written
		n++
	}
}
probe vfs.read.return {
	if (pid() == target() && bytes_read > 0)
		io["r:" . execname(), devname, ino] += bytes_read
}
probe end {
	foreach ([e, d, i] in io)
		printf("%s %s %d %d\n", e, d, i, io[e, d, i])
}'

src="$TMPD/src"
dst="$TMPD/dst"
head -c 12288 /dev/zero >"$src"
want_dev=$(file_devname "$TMPD")
if [ -z "$want_dev" ]; then
	want_dev=N/A
fi
run_etap "$TMPD/out" "$TMPD/err" -e "$SCRIPT" \
	-c "dd if=$src of=$dst bs=4096 count=3 conv=fsync status=none"
ino_src=$(stat -c '%i' "$src")
ino_dst=$(stat -c '%i' "$dst")
if [ "$RC" -eq 0 ] &&
	grep -qx "dd $want_dev $ino_dst 12288" "$TMPD/out" &&
	grep -qx "r:dd $want_dev $ino_src 12288" "$TMPD/out"; then
	pass "vfs-syscall-disktop-$want_dev"
else
	fail vfs-syscall-disktop "rc=$RC want dev $want_dev ino $ino_src/$ino_dst" \
		"$(cat "$TMPD/out")" "$(head -c 1500 "$TMPD/err")"
fi

# A file on tmpfs has no block device: "N/A".
if [ -d /dev/shm ] && [ "$(stat -f -c %T /dev/shm)" = tmpfs ]; then
	shm=/dev/shm/etap-vfs-$$
	run_etap "$TMPD/out" "$TMPD/err" -e "$SCRIPT" \
		-c "dd if=/dev/zero of=$shm bs=1000 count=2 status=none"
	ino=$(stat -c '%i' "$shm")
	rm -f "$shm"
	if [ "$RC" -eq 0 ] && grep -qx "dd N/A $ino 2000" "$TMPD/out"; then
		pass vfs-syscall-tmpfs-na
	else
		fail vfs-syscall-tmpfs-na "rc=$RC" "$(cat "$TMPD/out")" \
			"$(head -c 1500 "$TMPD/err")"
	fi
fi

# Entry side: the fd, its file and the requested count.
run_etap "$TMPD/out" "$TMPD/err" -e '
probe vfs.read { if (pid() == target() && ino == '"$(stat -c %i "$src")"')
	printf("%s %d %s %s\n", name, bytes_to_read, devname, argstr) }' \
	-c "dd if=$src of=/dev/null bs=5000 count=1 status=none"
if [ "$RC" -eq 0 ] && grep -qE "^read 5000 $want_dev 5000, 0x[0-9a-f]+$" "$TMPD/out"; then
	pass vfs-syscall-entry
else
	fail vfs-syscall-entry "rc=$RC" "$(cat "$TMPD/out")" "$(head -c 1500 "$TMPD/err")"
fi

wait_no_etap_progs && pass vfs-syscall-no-leak || fail vfs-syscall-no-leak
