#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Stacks and symbols: print_backtrace()/backtrace() in a syscall probe
# named from /proc/kallsyms, print_ubacktrace()/ubacktrace() in a uprobe
# of a test program with known functions (frame pointers on), print_stack()
# of a saved backtrace() in an end probe, symname()/symdata() of a known
# kernel address, and the error for symbol functions in kernel probes.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../progs" && pwd)/uprobe_target.c
T=$TMPD/stack_target
if ! gcc -O0 -fno-omit-frame-pointer -o "$T" "$SRC"; then
	fail "build the stack test program" "gcc failed"
	exit 0
fi

# ---- a kernel stack at the exit_group syscall's entry ----
run_etap "$TMPD/out" "$TMPD/err" -c "/bin/true" -e '
global bt
probe syscall.exit_group { if (pid() == target()) { print_backtrace(); bt = backtrace() } }
probe end { println("--"); println(bt); println("--"); print_stack(bt) }'
# lines " 0x<16 hex> : name+0xoff/0xsize [kernel]", the syscall path among
# them, every name a kallsyms symbol; then the hex string; then the same
# lines again from print_stack() of that string
awk '/^--$/ { part++; next } part == 0 { print > "'"$TMPD/live"'" }
     part == 1 { print > "'"$TMPD/hex"'" } part == 2 { print > "'"$TMPD/again"'" }' "$TMPD/out"
ok=1
grep -qv '^ 0x[0-9a-f]\{16\} : [A-Za-z0-9_.]*+0x[0-9a-f]*/0x[0-9a-f]* \[kernel\]$' "$TMPD/live" && ok=0
grep -q ' : do_syscall_64+' "$TMPD/live" || ok=0
for name in $(sed 's/.* : \([^+]*\)+.*/\1/' "$TMPD/live"); do
	grep -q " [tTwW] $name\$" /proc/kallsyms || ok=0
done
[ "$(wc -l <"$TMPD/live")" -ge 2 ] || ok=0
[ "$(tr ' ' '\n' <"$TMPD/hex" | wc -l)" -eq "$(wc -l <"$TMPD/live")" ] || ok=0
[ "$(cut -c4-18 "$TMPD/live" | tr '\n' ' ')" = "$(tr ' ' '\n' <"$TMPD/hex" | sed 's/^0x//' | cut -c1-15 | tr '\n' ' ')" ] || ok=0
cmp -s "$TMPD/live" "$TMPD/again" || ok=0
if [ "$RC" -eq 0 ] && [ $ok -eq 1 ]; then
	pass "kernel-backtrace-print_stack"
else
	fail "kernel-backtrace-print_stack" "rc=$RC" "$(cat "$TMPD/out" "$TMPD/err" | head -40)"
fi

# ---- a user stack in a uprobe: etap_greet called from main ----
# (the program sleeps 300 ms at the end so its maps are still there when
# the record is read)
run_etap "$TMPD/out" "$TMPD/err" -c "$T 1 300" -e "
probe process(\"$T\").function(\"etap_greet\") {
	print_ubacktrace(); printf(\"%s\\n%x\\n\", ubacktrace(), uaddr()) }"
first=$(sed -n 1p "$TMPD/out" | awk '{ print $1 }')
if [ "$RC" -eq 0 ] &&
	sed -n 1p "$TMPD/out" | grep -q "^ 0x[0-9a-f]\{16\} : etap_greet+0x0/0x[0-9a-f]* \[$T\]$" &&
	sed -n 2p "$TMPD/out" | grep -q "^ 0x[0-9a-f]\{16\} : main+0x[0-9a-f]*/0x[0-9a-f]* \[$T\]$" &&
	[ "$(tail -2 "$TMPD/out" | head -1 | awk '{ print $1 }')" = "0x$(tail -1 "$TMPD/out")" ] &&
	[ "$((first))" = "$((0x$(tail -1 "$TMPD/out")))" ]; then
	pass "user-backtrace-uprobe"
else
	fail "user-backtrace-uprobe" "rc=$RC" "$(cat "$TMPD/out" "$TMPD/err" | head -20)"
fi

# ---- symname()/symdata() of a kernel function's address (user context) ----
line=$(grep -m1 ' [tT] do_syscall_64$' /proc/kallsyms)
addr=$((0x${line%% *}))
next=$(awk '$2 ~ /^[tTwW]$/ { print $1 }' /proc/kallsyms | sort -u |
	awk -v a="${line%% *}" 'found { print; exit } $1 == a { found = 1 }')
size=$(printf '%x' $((0x$next - addr)))
expect symname-symdata 0 "do_syscall_64
do_syscall_64+0x5/0x$size [kernel]" -G "a=$addr" \
	-e 'global a probe begin { println(symname(a)) println(symdata(a + 5)) exit() }'

# ---- symbol functions in kernel probes: a located error with a hint ----
expect_err symname-kernel-context 1 "symname\(\) is not available in kernel-context probes" \
	-p2 -e 'probe syscall.read { println(symname(0)) }'
expect_err symname-kernel-hint 1 "hint: symbols are looked up in user space" \
	-p2 -e 'probe syscall.read { println(symname(0)) }'

wait_no_etap_progs || fail "nothing left loaded" "$(bpftool prog list | grep ' name etap_')"
