#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Field-less kernel.trace handlers run as raw tracepoints: -p2 names the
# mechanism (and keeps the classic tracepoint for a handler reading a
# field, or for syscall.*), the object's section is raw_tp/EVENT, and a
# raw handler sees exactly the hits the classic one sees. Also the
# reader's fast printf path: kernel printf/print output equals the
# user-context formatter's, byte for byte, for the formats it takes.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

both='global a, b
probe kernel.trace("raw_syscalls:sys_enter") { if (pid() == target()) a++ }
probe kernel.trace("raw_syscalls:sys_enter") { if (pid() == target() && $id >= 0) b++ }
probe end { printf("%d %d\n", a, b) }'

run_etap "$TMPD/out" "$TMPD/err" -p2 -e "$both"
if [ "$RC" -eq 0 ] &&
	[ "$(grep -c 'raw tracepoint (raw_tp, no fields read) sys_enter' "$TMPD/out")" = 1 ] &&
	[ "$(grep -c 'classic tracepoint raw_syscalls:sys_enter' "$TMPD/out")" = 1 ]; then
	pass "-p2: raw tracepoint without fields, classic with \$id"
else
	fail "-p2: raw tracepoint without fields, classic with \$id" "$(cat "$TMPD/out" "$TMPD/err")"
fi

run_etap "$TMPD/out" "$TMPD/err" -p2 -e 'global n probe syscall.read { n++ } probe kernel.trace("sched:sched_switch") { n++ }'
if [ "$RC" -eq 0 ] && grep -q '^syscall.read .*classic tracepoint syscalls:sys_enter_read' "$TMPD/out" &&
	grep -q 'sched_switch") .*raw tracepoint (raw_tp, no fields read) sched_switch' "$TMPD/out"; then
	pass "-p2: syscall.* stays classic, sched_switch goes raw"
else
	fail "-p2: syscall.* stays classic, sched_switch goes raw" "$(cat "$TMPD/out" "$TMPD/err")"
fi

run_etap "$TMPD/out" "$TMPD/err" -p3 -e "$both"
if [ "$RC" -eq 0 ] && grep -q 'raw_tp/sys_enter' "$TMPD/out" &&
	grep -q 'tracepoint/raw_syscalls/sys_enter' "$TMPD/out"; then
	pass "-p3: sections raw_tp/sys_enter and tracepoint/raw_syscalls/sys_enter"
else
	fail "-p3: sections raw_tp/sys_enter and tracepoint/raw_syscalls/sys_enter" "$(head -c 2000 "$TMPD/out") $(cat "$TMPD/err")"
fi

run_etap "$TMPD/out" "$TMPD/err" -e "$both" -c 'dd if=/dev/zero of=/dev/null bs=1 count=2000 status=none'
read -r a b <"$TMPD/out"
if [ "$RC" -eq 0 ] && [ -n "$a" ] && [ "$a" = "$b" ] && [ "$a" -ge 4000 ]; then
	pass "raw and classic handlers count the same hits ($a)"
else
	fail "raw and classic handlers count the same hits" "got '$a' '$b' rc $RC" "$(cat "$TMPD/err")"
fi

# ---- fast printf path vs the user-context formatter ----
body='printf("a%d b%u c%s %% %i|%d|%d|%d|\n", -9223372036854775807-1, -1, S, 0, 9, 99, 12345678901234)
    printf("%d%d%s%u\n", -1, 100, "", 18446744073709551615)
    printf("%5d|%-3s|%x|%s\n", 3, "ab", 255, S)
    println(1, S, -5)
    print(0, "\n")
    printf("no args\n")'
run_etap "$TMPD/out" "$TMPD/err" -c 'dd if=/dev/zero of=/dev/null bs=1 count=1 status=none' -e "
global done
probe kernel.trace(\"raw_syscalls:sys_enter\") {
  if (pid() == target() && execname() == \"dd\" && !done) {
    done = 1
    S = execname()
    $body
  }
}
probe end { S = \"dd\"
    $body
}"
half=$(($(wc -l <"$TMPD/out") / 2))
if [ "$RC" -eq 0 ] && [ "$half" -eq 6 ] &&
	cmp -s <(head -n "$half" "$TMPD/out") <(tail -n "$half" "$TMPD/out"); then
	pass "kernel printf/print output equals user context's"
else
	fail "kernel printf/print output equals user context's" "$(cat "$TMPD/out" "$TMPD/err")"
fi
