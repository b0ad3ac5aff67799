#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# kernel.function, @entry and vfs.* as far as this machine can take them
# (it has neither fentry nor kprobes): ETAP_MECH forces a mechanism, so
# resolution, the @entry rewrite, -L and translation run here; attaching
# runs in the VM lane (t_vm.sh).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

RET='probe kernel.function("vfs_read").return {
	printf("%d %d %d\n", $return, $count, @entry($count)) }'

# ---- @entry through kretprobes: an entry probe saves the values ----
ETAP_MECH=kprobe expect entry-kretprobe-p2 0 '# globals
__entry_0_0:long[long]  (hash map, key 8 bytes, value 8 bytes, 2048 entries, wrapping)
__entry_0_1:long[long]  (hash map, key 8 bytes, value 8 bytes, 2048 entries, wrapping)
# probes
kernel.function("vfs_read") /* kernel context, kprobe vfs_read */
kernel.function("vfs_read").return /* kernel context, kretprobe vfs_read */
  local __entry0:long
  local __entry1:long' -p2 -e "$RET"

# ---- through fexit the arguments are there: nothing to save ----
ETAP_MECH=fentry expect entry-fexit-p2 0 '# globals
# probes
kernel.function("vfs_read").return /* kernel context, fexit vfs_read */' \
	-p2 -e "$RET"

# ---- ... but a chain is read as at entry, as in stap ----
ETAP_MECH=fentry expect entry-fexit-chain-p2 0 '# globals
__entry_0_0:long[long]  (hash map, key 8 bytes, value 8 bytes, 2048 entries, wrapping)
# probes
kernel.function("vfs_read") /* kernel context, fentry vfs_read */
kernel.function("vfs_read").return /* kernel context, fexit vfs_read */
  local __entry0:long' \
	-p2 -e 'probe kernel.function("vfs_read").return { println($pos[0]) }'

# ---- sections by mechanism in the object (fexit needs no entry probe) ----
for m in fentry kprobe; do
	(cd "$TMPD" && ETAP_MECH=$m "$ETAP" -p4 -m "kf_$m" -e "$RET") \
		>"$TMPD/out" 2>"$TMPD/err"
	secs=$(llvm-objdump -h "$TMPD/kf_$m.bpf.o" 2>/dev/null |
		grep -oE '(fentry|fexit|kprobe|kretprobe)/vfs_read' | sort -u | tr '\n' ' ')
	want="fexit/vfs_read "
	[ $m = kprobe ] && want="kprobe/vfs_read kretprobe/vfs_read "
	if [ "$secs" = "$want" ]; then
		pass "sections-$m"
	else
		fail "sections-$m" "got '$secs', want '$want'" "$(cat "$TMPD/err")"
	fi
done

# ---- vfs.* translate through either mechanism ----
for m in fentry kprobe; do
	ETAP_MECH=$m run_etap "$TMPD/out" "$TMPD/err" -p3 -e '
		probe vfs.read.return { printf("%s %d %s %d\n", name, bytes_read, devname, ino) }
		probe vfs.write { printf("%d %s\n", bytes_to_write, argstr) }'
	if [ "$RC" -eq 0 ] && grep -q "section $( [ $m = fentry ] && echo fexit || echo kretprobe)/vfs_read" "$TMPD/out"; then
		pass "vfs-p3-$m"
	else
		fail "vfs-p3-$m" "rc=$RC" "$(head -c 1500 "$TMPD/err")"
	fi
done

# ---- -L: typed arguments from kernel BTF ----
ETAP_MECH=fentry expect kfunc-listing 0 \
	'kernel.function("vfs_read").return $file:struct file* $buf:char* $count:size_t $pos:loff_t* $return:ssize_t' \
	-L 'kernel.function("vfs_read").return'

# ---- errors ----
expect_err entry-outside-return 1 \
	"<input>:1:21: semantic error: @entry\(\) is only available in kernel.function\(\"...\"\).return probes" \
	-p2 -e 'probe begin { print(@entry(1)) }'
ETAP_MECH=nope expect_err mech-forced-off 1 \
	'fentry is turned off by ETAP_MECH=nope, and kprobes are turned off by ETAP_MECH=nope' \
	-p2 -e 'probe kernel.function("vfs_read") { }'
