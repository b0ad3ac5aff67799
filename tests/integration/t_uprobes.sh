#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# process("PATH").function("NAME") and .return on uprobes, driven by a
# test program with known functions (tests/progs/uprobe_target.c, built
# here without debuginfo): arguments from registers through the dwarfless
# *_arg() functions and register(), return values, wildcards, static
# functions from .symtab, a shared library's function, exact counts, USDT
# marks with their operands and semaphores (tests/progs/usdt_target.c), and
# the errors for what is not there or not supported.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../progs" && pwd)/uprobe_target.c
T=$TMPD/uprobe_target
if ! gcc -O0 -g0 -o "$T" "$SRC"; then
	fail "build the uprobe test program" "gcc -O0 -o $T $SRC failed"
	exit 0
fi
P="process(\"$T\")"

# ---- entry: arguments from registers; return: the return value ----
expect uprobe-args-and-returns 0 "add 1 2
ret 3
add 2 4
ret 6
add 3 6
ret 9" -c "$T 3" \
	-e "probe $P.function(\"etap_add\") { printf(\"add %d %d\\n\", long_arg(1), long_arg(2)) }
	    probe $P.function(\"etap_add\").return { printf(\"ret %d\\n\", returnval()) }"

# ---- a wildcard: one probe per function, probefunc() names it; a char *
# argument read with user_string(pointer_arg(1)); a static function ----
expect uprobe-wildcard 0 "etap_add 1
etap_greet name-1
etap_add 2
etap_greet name-2
etap_leaf 21" -c "$T 2" \
	-e "probe $P.function(\"etap_*\") {
		printf(\"%s %s\\n\", probefunc(), probefunc() == \"etap_greet\"
			? user_string(pointer_arg(1)) : sprint(int_arg(1))) }"

# ---- register() and u_register(): 64- and 32-bit names; etap_leaf(21)
# returns the int -21, which leaves eax sign-less in rax ----
expect uprobe-registers 0 "21 4294967275 -21 4294967275" -c "$T 2" \
	-e "probe $P.function(\"etap_leaf\") { printf(\"%d \", register(\"rdi\")) }
	    probe $P.function(\"etap_leaf\").return {
		printf(\"%d %d %d\\n\", register(\"rax\"), register(\"eax\"), u_register(\"eax\")) }"

# ---- pp() and the -p2 mechanism ----
expect uprobe-pp 0 "process(\"$T\").function(\"etap_leaf\").return" -c "$T 1" \
	-e "probe $P.function(\"etap_leaf\").return { println(pp()) }"
run_etap "$TMPD/out" "$TMPD/err" -p2 -e "probe $P.function(\"etap_add\") { }"
if grep -q "uprobe at $T+0x" "$TMPD/out"; then
	pass "uprobe-p2-mechanism"
else
	fail "uprobe-p2-mechanism" "$(cat "$TMPD/out" "$TMPD/err")"
fi

# ---- exact counts: 20000 calls, and a shared library's function ----
libc=$(ldd "$T" | awk '$1 ~ /^libc\.so/ { print $3 }')
expect uprobe-counts 0 "20000 10000" -c "$T 10000" \
	-e "global n, s
	    probe $P.function(\"etap_add\"), $P.function(\"etap_greet\") { n++ }
	    probe process(\"$libc\").function(\"snprintf\") { if (pid() == target()) s++ }
	    probe end { printf(\"%d %d\\n\", n, s) }"

# ---- -l lists the functions a pattern matches ----
expect uprobe-list 0 "$P.function(\"etap_add\")
$P.function(\"etap_greet\")
$P.function(\"etap_leaf\")" -l "$P.function(\"etap_*\")"

# ---- errors ----
expect_err uprobe-no-function 1 \
	"hint: etap -l 'process\(\"$T\"\).function\(\"\*\"\)' lists" \
	-p2 -e "probe $P.function(\"nosuch\") { }"
expect_err uprobe-no-program 1 "no program 'no-such-program-here' here" \
	-p2 -e 'probe process("no-such-program-here").function("main") { }'
expect_err uprobe-statement-unsupported 1 'process\("PATH"\).statement probes are not supported' \
	-p2 -e "probe $P.statement(\"x\") { }"
expect_err uprobe-return-var 1 "process probes read no debuginfo.*returnval\(\)" \
	-p2 -e "probe $P.function(\"etap_add\").return { println(\$return) }"
expect_err register-without-regs 1 "register\(\) needs a probe with registers; syscall.read has none" \
	-p4 -e 'probe syscall.read { println(int_arg(1)) }'
expect_err register-bad-name 1 "register\(\) needs a register name written as a string" \
	-p4 -e "probe $P.function(\"etap_add\") { println(register(\"xyz\")) }"

# ---- USDT: process("PATH").mark("NAME") with $argN (tests/progs/usdt_target.c,
# built -O2: operands in registers, on the stack, signed and unsigned) ----
U=$TMPD/usdt_target
if gcc -O2 -o "$U" "$(dirname "$SRC")/usdt_target.c"; then
	expect usdt-args 0 "1 tick-1
2 tick-2
3 tick-3
-5 3000000000 -2
guarded 3" -c "$U 3" \
		-e "probe process(\"$U\").mark(\"tick\") { printf(\"%d %s\\n\", \$arg1, user_string(\$arg2)) }
		    probe process(\"$U\").mark(\"values\") { printf(\"%d %d %d\\n\", \$arg1, \$arg2, \$arg3) }
		    probe process(\"$U\").mark(\"guarded\") { printf(\"guarded %d\\n\", \$arg1) }"
	expect usdt-list 0 "process(\"$U\").provider(\"etap\").mark(\"guarded\")
process(\"$U\").provider(\"etap\").mark(\"tick\")
process(\"$U\").provider(\"etap\").mark(\"values\")" -l "process(\"$U\").mark(\"*\")"
	expect usdt-provider-count 0 "5000" -c "$U 5000" \
		-e "global n probe process(\"$U\").provider(\"etap\").mark(\"tick\") { n++ } probe end { println(n) }"
	expect_err usdt-bad-arg 1 "'\\\$arg3' is not a variable of USDT probe etap:tick" \
		-p2 -e "probe process(\"$U\").mark(\"tick\") { println(\$arg3) }"
	expect_err usdt-bad-arg-hint 1 "it has 2 arguments: .arg1 ... .arg2" \
		-p2 -e "probe process(\"$U\").mark(\"tick\") { println(\$arg3) }"
else
	fail "build the USDT test program" "gcc -O2 $U needs sys/sdt.h (systemtap-sdt-dev)"
fi

wait_no_etap_progs || fail "nothing left loaded" "$(bpftool prog list | grep ' name etap_')"
