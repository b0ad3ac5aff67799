#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Tapsets and probe aliases on the real kernel: alias bodies in stap's
# order, ?/!, wildcards and braces, -l/-L, the signal, process and block
# tapsets driven by workloads with known effects, and the current-task
# context functions in both contexts.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
FIX=$(cd "$(dirname "${BASH_SOURCE[0]}")/tapset_fixtures" && pwd)

# ---- alias mechanics (tapset_fixtures/order.stp through -I) ----
expect alias-prologue 0 "prologue body" -I "$FIX" \
	-e 'probe myt.pro { printf("body\n") exit() }'
expect alias-epilogue 0 "body epilogue" -I "$FIX" \
	-e 'probe myt.epi { printf("body ") exit() }'
expect alias-chain 0 "prologue chain body" -I "$FIX" \
	-e 'probe myt.chain { printf("body\n") exit() }'
expect alias-optional-target 0 "opt body" -I "$FIX" \
	-e 'probe myt.opt { printf("body\n") exit() }'
expect alias-sufficient 0 "suff body 42" -I "$FIX" \
	-e 'probe myt.suff { printf("body %d\n", myt_twice(21)) exit() }'
expect alias-braces 0 "prologue 1
prologue chain 2" -I "$FIX" \
	-e 'global n probe myt.{pro,chain} { printf("%d\n", ++n) if (n == 2) exit() }'
expect_err alias-missing-target 1 \
	"no match for probe point 'kernel.trace\(\"nosuch:event\"\)' \(in probe alias 'myt.bad'\)" \
	-I "$FIX" -e 'probe myt.bad { } probe begin { exit() }'
expect_err alias-all-optional 1 "'myt.none' matched no probe on this kernel" \
	-I "$FIX" -e 'probe myt.none { } probe begin { exit() }'
expect alias-optional-point 0 "ok" -I "$FIX" \
	-e 'probe myt.none ? { } probe begin { println("ok") exit() }'

# ---- -l / -L ----
expect list-wildcard 0 "myt.chain
myt.epi
myt.opt
myt.pro
myt.suff" -I "$FIX" -l 'myt.*'
expect list-doublestar 0 "myt.chain
myt.epi
myt.opt
myt.pro
myt.suff" -I "$FIX" -l 'm**'
expect list-nomatch 1 "" -l 'nosuch.thing'
expect list-signal-vars 0 'signal.send name:string pid_name:string result:long shared:long si_code:long sig:long sig_name:string sig_pid:long $sig:int $errno:int $code:int $comm:char[16] $pid:pid_t $group:int $result:int' \
	-L 'signal.send'
run_etap "$TMPD/out" "$TMPD/err" -l 'syscall.*'
n=$(wc -l <"$TMPD/out")
if [ "$RC" -eq 0 ] && [ "$n" -gt 250 ] && grep -qx 'syscall.openat' "$TMPD/out" &&
	grep -qx 'syscall.stat' "$TMPD/out" && ! grep -q 'newstat' "$TMPD/out"; then
	pass "list-syscalls ($n)"
else
	fail list-syscalls "rc=$RC lines=$n" "$(head -5 "$TMPD/out")"
fi
run_etap "$TMPD/out" "$TMPD/err" -L 'syscall.openat'
if [ "$RC" -eq 0 ] && [ "$(wc -l <"$TMPD/out")" -eq 1 ] &&
	grep -Eq '^syscall\.openat .*filename' "$TMPD/out"; then
	pass list-L-openat
else
	fail list-L-openat "rc=$RC" "$(cat "$TMPD/out")"
fi

# ---- signal.send: kill -TERM of a sleep, seen with its sender ----
expect signal-send-term 0 "SIGTERM 15 sleep sh 1" \
	-c 'sh -c "sleep 10 & sleep 0.3; kill -TERM \$!; wait"' \
	-e 'probe signal.send { if (sig == 15 && pid() == target())
		printf("%s %d %s %s %d\n", sig_name, sig, pid_name, execname(),
		       sig_pid != target()) }'

# ---- kprocess: exec, exec_complete and exit of a known command ----
expect kprocess-exec-exit 0 "exec /bin/true
complete true 1
exit true 1" -c /bin/true \
	-e 'probe kprocess.exec { if (pid() == target()) printf("exec %s\n", filename) }
	    probe kprocess.exec_complete { if (pid() == target()) printf("complete %s %d\n", execname(), success) }
	    probe kprocess.exit { if (pid() == target()) printf("exit %s %d\n", execname(), group_dead) }'
expect process-begin-end 0 "begin sh
end true" -c 'sh -c "/bin/true; exit 0"' \
	-e 'probe process.begin { if (ppid() == target()) printf("begin %s\n", execname()) }
	    probe process.end { if (ppid() == target()) printf("end %s\n", execname()) }'

# ---- block I/O: 64 KiB of direct writes on the file's own device ----
dev=$(stat -c '%Hd:%Ld' "$TMPD")
if [ "${dev%%:*}" -ne 0 ]; then
	# the kernel's name of that device, as /sys/dev/block names it
	devname=$(basename "$(readlink -f "/sys/dev/block/$dev")")
	expect ioblock-direct-write 0 "65536 $devname" \
		-c "dd if=/dev/zero of=$TMPD/blk bs=4096 count=16 oflag=direct status=none" \
		-e 'global bytes, dev probe ioblock_trace.request {
			if (pid() == target() && rw) { bytes += size; dev = devname } }
		    probe end { printf("%d %s\n", bytes, dev) }'
else
	echo "SKIP ioblock-direct-write: $TMPD is on no block device ($dev)"
fi

# ---- context functions of the current task, both contexts ----
expect task-context 0 "$(id -g) $(id -u) $(id -g) 1
$(id -g) $(id -u) $(id -g) etap 1 1" -c /bin/true \
	-e 'global me
	    probe kprocess.exec_complete { if (pid() == target())
		printf("%d %d %d %s %d %d\n", gid(), euid(), egid(), pexecname(),
		       ppid() == me, local_clock_ns() > 0) }
	    probe begin { me = pid()
		printf("%d %d %d %d\n", gid(), euid(), egid(), pexecname() != "") }'
