#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Runtime errors raised in kernel probes: MAXERRORS > 0 (every error shown,
# the run stops once errors exceed MAXERRORS, error probes instead of end
# probes, the final count exact, errors of both contexts added up), and the
# fault classes of kernel context. The -c target calls getppid exactly ten
# times, so hit and error counts are exact.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
T="perl -e 'getppid for 1..10'"
K='probe syscall.getppid { if (pid() != target()) next; n++; printf("hit %d\n", n)'

# errors_expect NAME RC STDOUT NERRORS WARNING ARGS...: exact stdout, exactly
# NERRORS "ERROR:" lines on stderr, and the final warning (or none when
# WARNING is empty).
errors_expect() {
	local name=$1 erc=$2 eout=$3 enerr=$4 ewarn=$5 got nerr
	shift 5
	run_etap "$TMPD/out" "$TMPD/err" "$@"
	got=$(cat "$TMPD/out")
	nerr=$(grep -c '^ERROR: ' "$TMPD/err")
	if [ "$RC" -ne "$erc" ] || [ "$got" != "$eout" ] ||
	   [ "$nerr" -ne "$enerr" ] ||
	   { [ -n "$ewarn" ] && ! grep -qx "WARNING: Number of errors: $ewarn" "$TMPD/err"; } ||
	   { [ -z "$ewarn" ] && grep -q 'WARNING: Number of errors' "$TMPD/err"; }; then
		fail "$name" "rc=$RC (want $erc) errors=$nerr (want $enerr)" \
			"stdout: $got" "want:   $eout" "stderr: $(head -c 1500 "$TMPD/err")"
		return 1
	fi
	pass "$name"
}

hits() { seq -f 'hit %g' 1 "$1"; }

# MAXERRORS=5: six handlers run and fail, each error is shown, the end
# probe does not run. Repeated: the count once raced with the ring buffer.
for i in 1 2 3; do
	errors_expect "maxerrors-5-kernel-$i" 1 "$(hits 6)" 6 '6, skipped probes: 0' \
		-D MAXERRORS=5 -c "$T" -e "global z, n
$K; x = 1 / z }
probe end { println(\"end \", n) }"
done
errors_expect maxerrors-0-kernel 1 "$(hits 1)" 1 '1, skipped probes: 0' \
	-c "$T" -e "global z, n
$K; x = 1 / z }
probe end { println(\"end \", n) }"
# error probes run instead of end probes, and see the globals
errors_expect maxerrors-error-probe 1 "$(hits 3)
error n=3" 3 '3, skipped probes: 0' -D MAXERRORS=2 -c "$T" -e "global z, n
$K; x = 1 % z }
probe end { println(\"end n=\", n) }
probe error { println(\"error n=\", n) }"
# not exceeded: the run goes on, end probes run, the exit status says errors
errors_expect maxerrors-not-exceeded 1 "$(hits 10)
end n=10" 10 '10, skipped probes: 0' -D MAXERRORS=10 -c "$T" -e "global z, n
$K; x = 1 / z }
probe end { println(\"end n=\", n) }
probe error { println(\"error n=\", n) }"
# user-context errors count toward the same limit: two in begin probes,
# then two kernel errors exceed MAXERRORS=3
errors_expect maxerrors-both-contexts 1 "$(hits 2)" 4 '4, skipped probes: 0' \
	-D MAXERRORS=3 -c "$T" -e "global z, n
probe begin { x = 1 / z }
probe begin { x = 1 % z }
$K; x = 1 / z }
probe end { println(\"end \", n) }"
# caught errors are not errors
errors_expect maxerrors-caught 0 "$(hits 10)
end n=10 c=10" 0 '' -c "$T" -e "global z, n, c
$K; try { x = 1 / z } catch { c++ } }
probe end { printf(\"end n=%d c=%d\\n\", n, c) }"
# error() counts like any other error
errors_expect maxerrors-error-fn 1 "$(hits 2)" 2 '2, skipped probes: 0' \
	-D MAXERRORS=1 -c "$T" -e "global n
$K; error(sprintf(\"bad %d\", n)) }"
grep -qx 'ERROR: bad 2' "$TMPD/err" && pass maxerrors-error-fn-text ||
	fail maxerrors-error-fn-text "$(cat "$TMPD/err")"

# ---- fault classes in kernel context ----
expect_err fault-kernel-string 1 "^ERROR: kernel string copy fault near identifier 'kernel_string' at <input>:2:" \
	-c "$T" -e "global n
probe syscall.getppid { if (pid() != target()) next; println(kernel_string(0)) }"
expect_err fault-user-string 1 "^ERROR: user string copy fault near identifier 'user_string' at <input>:2:" \
	-c "$T" -e "global n
probe syscall.getppid { if (pid() != target()) next; println(user_string(0)) }"
# a null pointer in a BTF chain: pi_blocked_on is NULL for a task that
# does not wait on an rt_mutex
expect_err fault-null-chain 1 "^ERROR: kernel read fault near identifier '\\\$prev' at <input>:2:" \
	-c "$T" -e 'probe kernel.trace("sched:sched_switch") { if ($prev->pid != target()) next
println($prev->pi_blocked_on->task->pid) }'
# the fault is an error like the others: try/catch sees its message
expect fault-caught 0 'caught: kernel read fault' -c "$T" -e 'global done
probe kernel.trace("sched:sched_switch") { if ($prev->pid != target() || done) next
try { println($prev->pi_blocked_on->task->pid) } catch (m) { done = 1; println("caught: ", m) } }'
wait_no_etap_progs || fail no-leftover-programs
