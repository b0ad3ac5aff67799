#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Kernel probe points on the real kernel: typed BTF tracepoint arguments
# (kernel.trace with $prev->comm), the error for mixing them with format
# fields, kernel.function's error where neither fentry nor kprobes work,
# syscall.* through the raw_syscalls dispatcher (counts equal to the
# classic tracepoint's), syscall_any, timer.profile and perf.sw.* sampling,
# perf.hw.* without a PMU.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# ---- kernel.trace with typed arguments (tp_btf) ----
# The workload's own switch-out: prev is the sleeping command, so its comm
# and pid (from $prev->comm, $prev->pid) match execname() and pid().
run_etap "$TMPD/out" "$TMPD/err" -c 'sleep 0.2' -e '
global ok, bad
probe kernel.trace("sched_switch") {
	if ($prev->pid == target() && execname() == "sleep") {
		if ($prev->comm == "sleep" && $prev->pid == pid() &&
		    @cast($prev, "task_struct")->tgid == pid() &&
		    $next->pid != $prev->pid)
			ok++
		else
			bad++
	}
}
probe end { printf("ok=%d bad=%d\n", ok > 0, bad) }'
if [ "$RC" -eq 0 ] && [ "$(cat "$TMPD/out")" = "ok=1 bad=0" ]; then
	pass "tp_btf: \$prev->comm, \$prev->pid, @cast"
else
	fail "tp_btf: \$prev->comm, \$prev->pid, @cast" "rc=$RC" "$(cat "$TMPD/out")" "$(head -c 2000 "$TMPD/err")"
fi

run_etap "$TMPD/out" "$TMPD/err" -p2 -e 'probe kernel.trace("sched_switch") { println($next->pid) }'
if grep -q 'BTF tracepoint (tp_btf) sched_switch' "$TMPD/out"; then
	pass "tp_btf: -p2 shows the mechanism"
else
	fail "tp_btf: -p2 shows the mechanism" "$(cat "$TMPD/out" "$TMPD/err")"
fi
run_etap "$TMPD/out" "$TMPD/err" -p2 -e 'probe kernel.trace("sched_switch") { println($next_pid) }'
if grep -q 'classic tracepoint sched:sched_switch' "$TMPD/out"; then
	pass "format fields keep the classic tracepoint"
else
	fail "format fields keep the classic tracepoint" "$(cat "$TMPD/out" "$TMPD/err")"
fi

# A name both kinds have ($prev_state) follows the rest of the handler.
expect_err mixed-kinds 1 "mixes the two kinds of variables.*'\\\$prev_pid' is a format field.*'\\\$next' a typed prototype argument" \
	-p2 -e 'probe kernel.trace("sched_switch") { printf("%d %d %d\n", $next->pid, $prev_state, $prev_pid) }'
expect_err mixed-kinds-hint 1 "typed arguments: .*\\\$prev .*format fields: .*\\\$prev_comm" \
	-p2 -e 'probe kernel.trace("sched_switch") { printf("%d %d\n", $next->pid, $prev_pid) }'
expect_err no-such-member 1 "struct task_struct has no member 'nosuch'" \
	-p2 -e 'probe kernel.trace("sched_switch") { println($next->nosuch) }'

# ---- kernel.function where neither fentry nor kprobes work ----
if [ ! -e /sys/kernel/tracing/kprobe_events ]; then
	expect_err kernel.function-error 1 "cannot probe kernel.function\\(\"vfs_read\"\\) on this kernel: .*fentry.*kprobes" \
		-p2 -e 'probe kernel.function("vfs_read") { }'
	expect_err kernel.function-hint 1 "hint: syscall.read / vfs.read covers the same ground" \
		-p2 -e 'probe kernel.function("vfs_read").return { }'
fi

# ---- syscall.*: the dispatcher counts what the classic tracepoints count ----
# (n[k] = n[k] + 1: the array is also read in kernel context, so it stays
# one shared hash map whatever the per-CPU choice is.)
count_script='global n probe syscall.%s { if (pid() == target()) n[name] = n[name] + 1 }
probe end { printf("read=%%d write=%%d close=%%d\\n", n["read"], n["write"], n["close"]) }'
workload='dd if=/dev/zero of=/dev/null bs=1 count=500'
# shellcheck disable=SC2059
run_etap "$TMPD/one" "$TMPD/err1" -c "$workload" -e "$(printf "$count_script" 'read, syscall.write, syscall.close')"
rc1=$RC
start=$(date +%s%N)
# shellcheck disable=SC2059
run_etap "$TMPD/all" "$TMPD/err2" -c "$workload" -e "$(printf "$count_script" '*')"
rc2=$RC
end=$(date +%s%N)
reads=$(sed -n 's/^read=\([0-9]*\).*/\1/p' "$TMPD/all")
if [ "$rc1" -eq 0 ] && [ "$rc2" -eq 0 ] && [ -n "$reads" ] && [ "$reads" -ge 500 ] &&
	cmp -s "$TMPD/one" "$TMPD/all"; then
	pass "syscall.* through the dispatcher: $(cat "$TMPD/all")"
else
	fail "syscall.* through the dispatcher" "classic: $(cat "$TMPD/one")" "dispatcher: $(cat "$TMPD/all")" "$(head -c 1500 "$TMPD/err2")"
fi
echo "    syscall.* run under -c (load, attach, detach, end): $(((end - start) / 1000000)) ms"
run_etap "$TMPD/out" "$TMPD/err" -p2 -e 'probe syscall.* { }'
if grep -q 'syscall.read /\* kernel context, tail call from the raw_syscalls dispatcher (raw_syscalls:sys_enter, syscall 0)' "$TMPD/out"; then
	pass "syscall.*: -p2 shows the dispatcher"
else
	fail "syscall.*: -p2 shows the dispatcher" "$(grep 'syscall.read ' "$TMPD/out")"
fi

# ---- syscall_any ----
run_etap "$TMPD/out" "$TMPD/err" -c "$workload" -e '
global n, r
probe syscall_any { if (pid() == target() && name == "read") n[syscall_nr] = n[syscall_nr] + 1 }
probe syscall_any.return { if (pid() == target() && name == "read" && retval == 1) r++ }
probe end { printf("%d %d\n", n[0], r >= 500) }'
if [ "$RC" -eq 0 ] && [ "$(cat "$TMPD/out")" = "$reads 1" ]; then
	pass "syscall_any: name, syscall_nr, retval"
else
	fail "syscall_any: name, syscall_nr, retval" "got $(cat "$TMPD/out"), want $reads 1" "$(head -c 1500 "$TMPD/err")"
fi

# ---- profiling ----
# The loop gets what CPU the machine spares (other tests may run at the
# same time), so it must dominate its own process tree's samples: the
# spinning sh against the sleeping timeout that started it.
busy='timeout 1 sh -c "while :; do :; done"'
run_etap "$TMPD/out" "$TMPD/err" -c "$busy" -e '
global s, o
probe timer.profile { if (execname() == "sh") s++; if (execname() == "timeout") o++ }
probe end { printf("%d\n", s >= 20 && s > 10 * o) }'
if [ "$RC" -eq 0 ] && [ "$(cat "$TMPD/out")" = "1" ]; then
	pass "timer.profile: the busy loop dominates its CPU's samples"
else
	fail "timer.profile" "$(cat "$TMPD/out")" "$(head -c 1500 "$TMPD/err")"
fi
run_etap "$TMPD/out" "$TMPD/err" -c "$busy" -e '
global s, o
probe perf.sw.cpu_clock.sample(1000000) { if (execname() == "sh") s++; if (execname() == "timeout") o++ }
probe end { printf("%d\n", s >= 80 && s > 10 * o) }'
if [ "$RC" -eq 0 ] && [ "$(cat "$TMPD/out")" = "1" ]; then
	pass "perf.sw.cpu_clock.sample(N)"
else
	fail "perf.sw.cpu_clock.sample(N)" "$(cat "$TMPD/out")" "$(head -c 1500 "$TMPD/err")"
fi
if [ ! -e /sys/bus/event_source/devices/cpu ]; then
	expect_err perf.hw-no-pmu 1 "hardware perf events need a CPU PMU.*no hardware PMU" \
		-p2 -e 'probe perf.hw.cpu_cycles { }'
fi
# ---- '&' on a member chain: its address, whatever the member's type ----
# Offsets from kernel BTF (bpftool), then the same through etap.
btf_off() {
	bpftool btf dump file /sys/kernel/btf/vmlinux format raw 2>/dev/null |
		awk -v s="STRUCT '$1'" -v m="'$2'" '
		index($0, s) { on = 1; next }
		on && /^\[/ { exit }
		on && $1 == m { sub("bits_offset=", "", $3); print $3 / 8; exit }'
}
want="$(btf_off task_struct tgid) $(btf_off task_struct comm) $(btf_off mount mnt) 1"
expect addr-of-member 0 "$want" -c "sleep 0.1" \
	-e 'global a, b, c, d
	    probe kernel.trace("sched_switch") { if ($prev->pid == target()) {
		t = task_current()
		a = &@cast(t, "task_struct")->tgid - t; b = &$prev->comm - $prev
		c = &@cast(0, "mount")->mnt; d = kernel_int(&@cast(t, "task_struct")->tgid) == pid() } }
	    probe end { printf("%d %d %d %d\n", a, b, c, d) }'
expect_err addr-of-bitfield-or-value 1 "'&' needs a member or element in memory" \
	-p2 -e 'probe kernel.trace("sched_switch") { println(&$prev) }'

wait_no_etap_progs || fail "nothing left loaded" "$(bpftool prog list | grep ' name etap_')"
