#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The VM test lane: probe mechanisms the development kernel lacks (kprobes,
# fentry/fexit) run on Debian's stock 6.1 kernel under qemu (TCG).
#
#   tests/vm/lane.sh            prepare (cached), boot, print PASS/FAIL lines
#   tests/vm/lane.sh -v         also show the guest's serial console
#   ETAP_VM_GUEST=FILE tests/vm/lane.sh -v   run FILE as the guest script
#                               instead of tests/vm/guest.sh (debugging)
#
# The kernel package is fetched with `apt-get download` and unpacked with
# `dpkg -x` (never installed); the uncompressed ELF vmlinux is cut out of
# the vmlinuz once (it boots through PVH, seconds faster than the
# bzImage) and cached in tests/vm/cache/ with the initramfs's fixed parts.
# The initramfs carries busybox-static, ./etap with its shared libraries,
# the tapsets and tests/vm/guest.sh; the guest reports "VM PASS name" /
# "VM FAIL name" on the serial console, printed here as "PASS vm/name" /
# "FAIL vm/name" for tests/run. When the lane cannot run at all (no qemu,
# no kernel package, no boot) it prints "SKIP vm: why" and exits 0.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
ETAP=${ETAP:-$top/etap}
CACHE=${ETAP_VM_CACHE:-$here/cache}
BOOT_TIMEOUT=${ETAP_VM_TIMEOUT:-240}
verbose=0
[ "${1:-}" = "-v" ] && verbose=1

skip() {
	echo "SKIP vm: $*"
	exit 0
}

mkdir -p "$CACHE" || skip "cannot create $CACHE"
command -v qemu-system-x86_64 >/dev/null ||
	skip "qemu-system-x86_64 is missing (apt-get install qemu-system-x86)"
BUSYBOX=$(command -v busybox 2>/dev/null || true)
[ -x /bin/busybox ] && BUSYBOX=/bin/busybox
[ -n "$BUSYBOX" ] && ! ldd "$BUSYBOX" >/dev/null 2>&1 ||
	skip "a static busybox is missing (apt-get install busybox-static)"
[ -x "$ETAP" ] || skip "$ETAP is not built"

# ---- the kernel: newest cached, else the 6.1 flavour apt offers ----
# cache/kernel-VERSION/ holds vmlinux and the few modules the guest loads
# (a RAM disk and vfat, so files can live on a block device).
VM_MODULES="drivers/block/brd.ko fs/fat/fat.ko fs/fat/vfat.ko
	fs/nls/nls_cp437.ko fs/nls/nls_ascii.ko"

vm_kernel() {
	local pkg deb k m
	k=$(ls -d "$CACHE"/kernel-*/vmlinux 2>/dev/null | sort -V | tail -1)
	if [ -n "$k" ]; then
		dirname "$k"
		return 0
	fi
	pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/.*Depends: \(linux-image-6\.1\.0-[0-9]*-amd64\)$/\1/p' |
		head -1)
	[ -n "$pkg" ] || pkg=$(apt-cache search --names-only \
		'^linux-image-6\.1\.0-[0-9]+-amd64$' 2>/dev/null |
		awk '{print $1}' | sort -V | tail -1)
	[ -n "$pkg" ] || return 1
	rm -rf "$CACHE/dl" && mkdir -p "$CACHE/dl" || return 1
	(cd "$CACHE/dl" && apt-get download -q "$pkg" >/dev/null 2>&1) ||
		return 1
	deb=$(ls "$CACHE"/dl/*.deb 2>/dev/null | head -1)
	[ -n "$deb" ] && dpkg -x "$deb" "$CACHE/dl/x" || return 1
	k="$CACHE/kernel-${pkg#linux-image-}"
	mkdir -p "$k/modules" || return 1
	for m in $VM_MODULES; do
		cp "$CACHE"/dl/x/lib/modules/*/kernel/"$m" "$k/modules/" 2>/dev/null
	done
	vm_extract "$CACHE"/dl/x/boot/vmlinuz-* "$k/vmlinux" || return 1
	rm -rf "$CACHE/dl"
	echo "$k"
}

# The vmlinuz is a boot stub followed by the compressed ELF kernel: find
# the compressed stream whose output is an ELF file.
vm_extract() {
	local in=$1 out=$2 off
	for off in $(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$in" | cut -d: -f1); do
		tail -c +$((off + 1)) "$in" | xz -dc 2>/dev/null >"$out.tmp"
		if [ "$(head -c 4 "$out.tmp" | od -An -c | tr -d ' ')" = '177ELF' ]; then
			mv "$out.tmp" "$out"
			return 0
		fi
	done
	for off in $(LC_ALL=C grep -obUaP '\x28\xb5\x2f\xfd' "$in" | cut -d: -f1); do
		tail -c +$((off + 1)) "$in" | zstd -dcq 2>/dev/null >"$out.tmp"
		if [ "$(head -c 4 "$out.tmp" | od -An -c | tr -d ' ')" = '177ELF' ]; then
			mv "$out.tmp" "$out"
			return 0
		fi
	done
	for off in $(LC_ALL=C grep -obUaP '\x1f\x8b\x08' "$in" | cut -d: -f1); do
		tail -c +$((off + 1)) "$in" | gzip -dc 2>/dev/null >"$out.tmp"
		if [ "$(head -c 4 "$out.tmp" | od -An -c | tr -d ' ')" = '177ELF' ]; then
			mv "$out.tmp" "$out"
			return 0
		fi
	done
	rm -f "$out.tmp"
	return 1
}

# One fetch at a time (several check runs may share the tree).
KDIR=$( (flock 9 && vm_kernel) 9>"$CACHE/.lock") ||
	skip "no Debian linux-image-6.1.0-*-amd64 package could be fetched and unpacked"
KERNEL=$KDIR/vmlinux

# ---- the initramfs: rebuilt every run (etap changes), uncompressed ----
# Per-run files live in their own directory, so runs may overlap; the last
# console log is kept as cache/console.log.
RUN=$(mktemp -d "$CACHE/run.XXXXXX") || skip "cannot create a run directory in $CACHE"
trap 'rm -rf "$RUN"' EXIT
ROOT="$RUN/root"
mkdir -p "$ROOT"/{bin,sbin,dev,proc,sys,tmp,etc,mnt,vm/tapset,vm/modules,usr/bin,usr/sbin} ||
	skip "cannot build the initramfs tree"
cp "$BUSYBOX" "$ROOT/bin/busybox"
cp "$here/init" "$ROOT/init"
cp "${ETAP_VM_GUEST:-$here/guest.sh}" "$ROOT/vm/guest.sh"
cp "$ETAP" "$ROOT/vm/etap"
cp "$top"/tapset/*.stp "$ROOT/vm/tapset/"
cp "$KDIR"/modules/*.ko "$ROOT/vm/modules/" 2>/dev/null
chmod 755 "$ROOT/init" "$ROOT/vm/guest.sh"
for lib in $(ldd "$ETAP" | grep -o '/[^ ]*'); do
	mkdir -p "$ROOT$(dirname "$lib")"
	cp -L "$lib" "$ROOT$lib"
done
echo "root:x:0:0:root:/:/bin/sh" >"$ROOT/etc/passwd"
INITRD="$RUN/initramfs.cpio"
(cd "$ROOT" && find . | "$BUSYBOX" cpio -o -H newc -R 0:0 2>/dev/null) \
	>"$INITRD" || skip "cannot write the initramfs (busybox cpio)"

# ---- boot ----
CONSOLE="$RUN/console.log"
start=$(date +%s.%N)
timeout -s KILL "$BOOT_TIMEOUT" qemu-system-x86_64 -accel tcg -cpu max \
	-smp 1 -m 768 -nodefaults -no-reboot -display none -monitor none \
	-serial "file:$CONSOLE" \
	-kernel "$KERNEL" -initrd "$INITRD" \
	-append "console=ttyS0 panic=-1 loglevel=4 mitigations=off rdinit=/init" \
	</dev/null >"$RUN/qemu.log" 2>&1
qrc=$?
end=$(date +%s.%N)
[ "$verbose" -eq 1 ] && cat "$CONSOLE"
tr -d '\r' <"$CONSOLE" >"$CONSOLE.txt"
cp "$CONSOLE.txt" "$CACHE/console.log" 2>/dev/null

if ! grep -q '^VM BOOTED' "$CONSOLE.txt"; then
	tail -20 "$CONSOLE.txt" | sed 's/^/    /'
	sed 's/^/    qemu: /' "$RUN/qemu.log" | tail -5
	skip "the guest did not boot (qemu exit $qrc; console in $CACHE/console.log)"
fi
sed -n 's/^VM \(PASS\|FAIL\) \(.*\)/\1 vm\/\2/p; s/^VM \(SKIP\) \(.*\)/\1 vm\/\2/p; s/^VM \(    .*\)/\1/p' \
	"$CONSOLE.txt"
if ! grep -q '^VM DONE' "$CONSOLE.txt"; then
	echo "FAIL vm/complete"
	echo "    the guest stopped before its tests finished (qemu exit $qrc" \
		"after $(awk "BEGIN{printf \"%.1f\", $end - $start}") s)"
	tail -30 "$CONSOLE.txt" | sed 's/^/    /'
fi
printf 'vm lane: %s, %.1f s\n' "$(basename "$KDIR")" \
	"$(awk "BEGIN{print $end - $start}")"
