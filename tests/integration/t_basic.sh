#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# End-to-end runs of the driver on the real kernel: output, exit codes,
# the ways a run ends (exit(), -c, -x, -T, signals), errors, -o, -p1..-p4,
# and that nothing stays loaded after each run.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# -p4 runs in another directory
ETAP=$(cd "$(dirname "$ETAP")" && pwd)/$(basename "$ETAP")

# Check that no etap program survived the previous run.
no_leftovers() {
	if wait_no_etap_progs; then
		pass "$1: nothing left loaded"
	else
		fail "$1: nothing left loaded" "$(bpftool prog list | grep ' name etap_')"
	fi
}

# ---- output and exit() ----
expect hello 0 "hello" -e 'probe begin { println("hello") exit() }'
no_leftovers hello

expect printf-begin 0 "x=42 s=abc" \
	-e 'probe begin { printf("x=%d s=%s\n", 42, "abc") exit() }'

expect args 0 "7 seven" -e 'probe begin { printf("%d %s\n", $1, @2) exit() }' 7 seven

# ---- -c: target() and the command's end ends the run ----
run_etap "$TMPD/out" "$TMPD/err" \
	-c 'dd if=/dev/zero of=/dev/null bs=1 count=1000' \
	-e 'global n probe syscall.read { if (pid() == target()) n++ } probe end { printf("%d\n", n) }'
n=$(cat "$TMPD/out")
if [ "$RC" -eq 0 ] && [[ $n =~ ^[0-9]+$ ]] && [ "$n" -ge 1000 ] && [ "$n" -le 1010 ]; then
	pass "dd-reads"
else
	fail "dd-reads" "rc=$RC stdout=$n (want 1000..1010)" "stderr: $(head -c 2000 "$TMPD/err")"
fi
no_leftovers dd-reads

# ---- a tracepoint with string keys; the loop is the -c command ----
run_etap "$TMPD/out" "$TMPD/err" -T 20 \
	-c "sh -c 'i=0; while [ \$i -lt 50 ]; do /bin/true; i=\$((i+1)); done'" \
	-e 'global c probe kernel.trace("sched:sched_process_exec") { c[execname()]++ } probe end { foreach (k in c- limit 3) printf("%s %d\n", k, c[k]) }'
first=$(head -1 "$TMPD/out")
if [ "$RC" -eq 0 ] && [[ $first =~ ^true\ ([0-9]+)$ ]] && [ "${BASH_REMATCH[1]}" -ge 50 ]; then
	pass "exec-count"
else
	fail "exec-count" "rc=$RC first line: $first (want 'true 50' or more)" \
		"stdout: $(cat "$TMPD/out")" "stderr: $(head -c 2000 "$TMPD/err")"
fi
no_leftovers exec-count

# ---- atomic counting from two CPUs at once ----
if [ "$(nproc)" -ge 2 ]; then
	expect two-cpus 0 "200000" \
		-c "sh -c 'taskset -c 0 dd if=/dev/zero of=/dev/null bs=7 count=100000 2>/dev/null & taskset -c 1 dd if=/dev/zero of=/dev/null bs=7 count=100000 2>/dev/null & wait'" \
		-e 'global n probe syscall.read { if ($count == 7) n++ } probe end { println(n) }'
	no_leftovers two-cpus
fi

# ---- exit() from kernel context ends the run; end probes still run ----
expect kernel-exit 0 "bye" -T 20 \
	-c "sh -c 'while :; do /bin/true; done'" \
	-e 'probe kernel.trace("sched:sched_process_exec") { exit() } probe end { println("bye") }'
no_leftovers kernel-exit

# ---- timers ----
expect timer 0 "3" \
	-e 'global n probe timer.ms(50) { n++ if (n == 3) exit() } probe end { println(n) }'

# ---- -T ----
start=$(date +%s%N)
expect timeout 0 "end" -T 1 -e 'probe end { println("end") }'
ms=$((($(date +%s%N) - start) / 1000000))
if [ "$ms" -ge 900 ] && [ "$ms" -lt 5000 ]; then
	pass "timeout-duration"
else
	fail "timeout-duration" "took ${ms} ms (want about 1000)"
fi
no_leftovers timeout

# ---- -x: the run ends when the process does ----
sleep 1 &
spid=$!
expect target-pid 0 "$spid done" -T 20 -x "$spid" \
	-e 'probe end { printf("%d done\n", target()) }'
wait "$spid" 2>/dev/null

# ---- -o ----
run_etap "$TMPD/out" "$TMPD/err" -o "$TMPD/o.txt" \
	-e 'probe begin { println("to file") exit() }'
if [ "$RC" -eq 0 ] && [ ! -s "$TMPD/out" ] && [ "$(cat "$TMPD/o.txt" 2>/dev/null)" = "to file" ]; then
	pass "output-file"
else
	fail "output-file" "rc=$RC stdout: $(cat "$TMPD/out")" "file: $(cat "$TMPD/o.txt" 2>/dev/null)"
fi

# ---- SIGTERM and SIGINT: end probes run, exit 0 ----
for sig in TERM INT; do
	"$ETAP" -e 'probe begin { println("started") } probe end { println("stopped") }' \
		>"$TMPD/sig.out" 2>"$TMPD/sig.err" &
	epid=$!
	# Output reaches the file within a tick: wait for it, not for a guess.
	for _ in $(seq 1 200); do
		grep -q started "$TMPD/sig.out" 2>/dev/null && break
		sleep 0.05
	done
	kill -"$sig" "$epid"
	wait "$epid"
	rc=$?
	got=$(cat "$TMPD/sig.out")
	if [ "$rc" -eq 0 ] && [ "$got" = $'started\nstopped' ]; then
		pass "signal-$sig"
	else
		fail "signal-$sig" "rc=$rc stdout: $got" "stderr: $(cat "$TMPD/sig.err")"
	fi
	no_leftovers "signal-$sig"
done

# ---- runtime errors ----
expect_err user-div0 1 'ERROR: division by 0 near operator .*<input>:1:' \
	-e 'global z probe begin { x = 1 / z println(x) exit() }'
expect_err kernel-div0 1 'ERROR: division by 0 near operator' -T 20 \
	-c 'dd if=/dev/zero of=/dev/null bs=1 count=10 status=none' \
	-e 'global z probe syscall.read { if (pid() == target()) n = $count / z }'
grep -q 'WARNING: Number of errors: [1-9]' "$TMPD/err" &&
	pass "kernel-div0-warning" ||
	fail "kernel-div0-warning" "stderr: $(cat "$TMPD/err")"
no_leftovers kernel-div0
expect error-probe 1 "error probe" \
	-e 'global z probe begin { z = 1 / z } probe end { println("end probe") } probe error { println("error probe") }'

# ---- compile-time errors ----
expect_err syntax-error 1 '<input>:1:.*' -e 'probe begin { x = = 1 }'
grep -q '\^' "$TMPD/err" && pass "syntax-error-caret" ||
	fail "syntax-error-caret" "stderr: $(cat "$TMPD/err")"
expect_err unknown-probe 1 'nosuch\.point' -e 'probe nosuch.point { }'
expect_err process-probe-stripped 1 "no match for probe point 'process\(\"/bin/ls\"\).function\(\"main\"\)'" -e 'probe process("/bin/ls").function("main") { }'
expect_err missing-file 1 'nosuch\.stp' "$TMPD/nosuch.stp"

# ---- usage ----
expect_err no-script 1 "Try 'etap --help'"
expect_err bad-pass 1 "Try 'etap --help'" -p 9 -e 'probe begin { }'
expect_err bad-option 1 "Try 'etap --help'" --no-such-option
expect_err c-and-x 1 "-c and -x" -c true -x 1 -e 'probe begin { }'
run_etap "$TMPD/out" "$TMPD/err" --help
[ "$RC" -eq 0 ] && grep -q -- '-p NUM' "$TMPD/out" && pass help || fail help "rc=$RC"
run_etap "$TMPD/out" "$TMPD/err" -V
[ "$RC" -eq 0 ] && grep -q etap "$TMPD/out" && pass version || fail version "rc=$RC"

# ---- -v pass lines ----
run_etap "$TMPD/out" "$TMPD/err" -v -e 'probe begin { exit() }'
if [ "$RC" -eq 0 ] && grep -Eq '^Pass 1: parsed user script .* in [0-9]+usr/[0-9]+sys/[0-9]+real ms\.$' "$TMPD/err" &&
	grep -Eq '^Pass 5: run completed in [0-9]+usr/[0-9]+sys/[0-9]+real ms\.$' "$TMPD/err"; then
	pass verbose
else
	fail verbose "rc=$RC" "stderr: $(cat "$TMPD/err")"
fi

# ---- -p1 .. -p4 ----
script='global n probe syscall.read { n++ } probe end { println(n) }'
run_etap "$TMPD/out" "$TMPD/err" -p1 -e "$script"
[ "$RC" -eq 0 ] && grep -q 'syscall.read' "$TMPD/out" && pass p1 ||
	fail p1 "rc=$RC" "$(cat "$TMPD/out" "$TMPD/err")"
# -p1 output parses back to the same tree
cp "$TMPD/out" "$TMPD/p1.stp"
run_etap "$TMPD/out" "$TMPD/err" -p1 "$TMPD/p1.stp"
cmp -s "$TMPD/out" "$TMPD/p1.stp" && pass p1-reparse || fail p1-reparse "$(diff "$TMPD/p1.stp" "$TMPD/out")"
run_etap "$TMPD/out" "$TMPD/err" -p2 -e "$script"
[ "$RC" -eq 0 ] && grep -q 'syscall.read' "$TMPD/out" && pass p2 ||
	fail p2 "rc=$RC" "$(cat "$TMPD/out" "$TMPD/err")"
run_etap "$TMPD/out" "$TMPD/err" -p3 -e "$script"
[ "$RC" -eq 0 ] && [ -s "$TMPD/out" ] && pass p3 ||
	fail p3 "rc=$RC" "$(cat "$TMPD/out" "$TMPD/err")"
(cd "$TMPD" && run_etap "$TMPD/out" "$TMPD/err" -p4 -m etap_t_basic -e "$script"
	echo "$RC" >"$TMPD/rc")
if [ "$(cat "$TMPD/rc")" -eq 0 ] && [ "$(cat "$TMPD/out")" = "etap_t_basic.bpf.o" ] &&
	[ -s "$TMPD/etap_t_basic.bpf.o" ]; then
	pass p4
else
	fail p4 "rc=$(cat "$TMPD/rc")" "$(cat "$TMPD/out" "$TMPD/err")"
fi
if llvm-objdump -d "$TMPD/etap_t_basic.bpf.o" 2>&1 | grep -q 'tracepoint/syscalls/sys_enter_read'; then
	pass p4-objdump
else
	fail p4-objdump "$(llvm-objdump -d "$TMPD/etap_t_basic.bpf.o" 2>&1 | head -20)"
fi
if bpftool btf dump file "$TMPD/etap_t_basic.bpf.o" >"$TMPD/btf" 2>&1 && grep -q etap_gd "$TMPD/btf"; then
	pass p4-bpftool
else
	fail p4-bpftool "$(head -20 "$TMPD/btf")"
fi
no_leftovers passes
