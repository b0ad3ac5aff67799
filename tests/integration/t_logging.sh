#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# stap's logging functions and MAXNESTING in both contexts: warn() on
# stderr in order with the output, assert() as a catchable error, abort()
# ending the run at once (error probes, no end probes, not catchable, and
# no kernel handler after it), -D MAXNESTING for user functions.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
T="perl -e 'getppid for 1..5'"
K='probe syscall.getppid { if (pid() != target()) next; n++'

# logging_expect NAME RC STDOUT STDERR ARGS...: exact stdout and stderr
logging_expect() {
	local name=$1 erc=$2 eout=$3 eerr=$4 got goterr
	shift 4
	run_etap "$TMPD/out" "$TMPD/err" "$@"
	got=$(cat "$TMPD/out")
	goterr=$(grep -v '^Pass 5' "$TMPD/err")
	if [ "$RC" -ne "$erc" ] || [ "$got" != "$eout" ] || [ "$goterr" != "$eerr" ]; then
		fail "$name" "rc=$RC (want $erc)" "stdout: $got" "want:   $eout" \
			"stderr: $goterr" "want:   $eerr"
		return 1
	fi
	pass "$name"
}

for ctx in user kernel; do
	if [ $ctx = user ]; then P='probe begin {'; E='exit() }'; C=()
	else P="global n
$K"; E='}'; C=(-c "$T"); fi
	logging_expect "warn-$ctx" 0 "" "WARNING: w1
WARNING: two lines
WARNING: x=42" "${C[@]}" -G x=42 -e "global x
$P if (n > 1) next; warn(\"w1\"); warn(\"two lines\\n\"); warn(sprintf(\"x=%d\", x + 0)); $E"
	logging_expect "assert-$ctx" 1 "c1 assertion failed
c2 one is not two" "ERROR: assertion failed
WARNING: Number of errors: 1, skipped probes: 0" "${C[@]}" -G z=0 -e "global z
$P assert(1); assert(1, \"no\")
try { assert(z) } catch (m) { println(\"c1 \", m) }
try { assert(z == 1, \"one is not two\") } catch (m) { println(\"c2 \", m) }
assert(z); println(\"not reached\"); $E"
	logging_expect "assert-msg-$ctx" 1 "" "ERROR: bad value 0
WARNING: Number of errors: 1, skipped probes: 0" "${C[@]}" -G z=0 -e "global z
$P assert(z, sprintf(\"bad value %d\", z)); $E"
done

# abort(): not caught, the handler ends, error probes instead of end
# probes, no global display; in a kernel probe no handler runs after it
logging_expect abort-user 0 "b1
errp g=5" "" -e 'global g
probe begin { g = 5; println("b1"); try { abort() } catch { println("caught") } println("after") }
probe begin { println("b2") }
probe end { println("end") }
probe error { printf("errp g=%d\n", g) }'
logging_expect abort-kernel 0 "hit 1
hit 2
hit 3
errp n=3" "" -c "$T" -e "global n, g
$K; g = 1; printf(\"hit %d\\n\", n)
if (n == 3) { try { abort() } catch { println(\"caught\") } println(\"after\") } }
probe end { println(\"end\") }
probe error { printf(\"errp n=%d\\n\", n) }"
logging_expect abort-in-end 0 "e1" "" -e '
probe begin { exit() }
probe end { println("e1"); abort(); println("no") }
probe end { println("e2") }'
logging_expect abort-in-function 0 "f" "" -c "$T" -e "global n
function f() { println(\"f\"); abort(); println(\"no\") }
$K; f(); println(\"no\") }
probe end { println(\"end\") }"

# MAXNESTING: nested user function calls, user context at run time,
# kernel context when inlining
NEST='function a() { return 1 } function b() { return a() + 1 }
function c() { return b() + 1 } function d() { return c() + 1 }'
logging_expect maxnesting-user 1 "3" "ERROR: MAXNESTING exceeded near identifier 'a' at <input>:1:49
WARNING: Number of errors: 1, skipped probes: 0" -D MAXNESTING=3 -e "$NEST
probe begin { println(c()); println(d()); exit() }"
expect maxnesting-user-default 0 '10' -e 'function f(n) { if (n <= 1) return 1; return 1 + f(n - 1) }
probe begin { println(f(10)); exit() }'
expect_err maxnesting-user-default-exceeded 1 "ERROR: MAXNESTING exceeded near identifier 'f'" -e '
function f(n) { if (n <= 1) return 1; return 1 + f(n - 1) }
probe begin { println(f(11)); exit() }'
expect maxnesting-user-raised 0 '30' -D MAXNESTING=30 -e '
function f(n) { if (n <= 1) return 1; return 1 + f(n - 1) }
probe begin { println(f(30)); exit() }'
expect_err maxnesting-kernel 1 'function calls nest deeper than 3 in a kernel-context probe \(MAXNESTING\)' \
	-D MAXNESTING=3 -c "$T" -e "$NEST
global n
$K; println(d()) }"
expect maxnesting-kernel-ok 0 '4' -D MAXNESTING=4 -c "perl -e getppid" -e "$NEST
probe syscall.getppid { if (pid() == target()) println(d()) }"
wait_no_etap_progs || fail no-leftover-programs
