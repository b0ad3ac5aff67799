#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Aggregates end to end: <<< in user and kernel context, @count ...
# @variance, histograms printed byte for byte (expected texts in stats/,
# worked out by hand from stap's layout rules), foreach over stats arrays
# and buckets, delete, compile-time errors, the merge of two CPUs, and the
# per-CPU counting idiom.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
GOLD=$(cd "$(dirname "${BASH_SOURCE[0]}")/stats" && pwd)

# expect_file NAME RC FILE ARGS...: stdout must equal FILE byte for byte
expect_file() {
	local name=$1 erc=$2 want=$3
	shift 3
	run_etap "$TMPD/out" "$TMPD/err" "$@"
	if [ "$RC" -ne "$erc" ] || ! cmp -s "$TMPD/out" "$want"; then
		fail "$name" "rc=$RC (want $erc)" \
			"$(diff "$want" "$TMPD/out" | head -20)" \
			"stderr: $(head -c 1000 "$TMPD/err")"
		return 1
	fi
	pass "$name"
}

# ---- histograms, user-context <<< ----
expect_file hist-log-4096 0 "$GOLD/hist4096.out" \
	-e 'global s probe begin { for (i = 0; i < 1000; i++) s <<< 4096; print(@hist_log(s)); exit() }'
expect_file hist-linear-under-over 0 "$GOLD/linuo.out" \
	-e 'global s probe begin { s <<< -5; s <<< 55; s <<< 55; s <<< 55; s <<< 150; s <<< 150
		print(@hist_linear(s, 0, 100, 10)) exit() }'
expect_file hist-elide-default 0 "$GOLD/gap.out" \
	-e 'global s probe begin { s <<< 1; s <<< 256; print(@hist_log(s)) exit() }'
expect_file hist-elision-0 0 "$GOLD/el0.out" -D HIST_ELISION=0 \
	-e 'global s probe begin { s <<< 1; s <<< 16; print(@hist_log(s)) exit() }'
expect_file hist-elision-neg 0 "$GOLD/elm1.out" -D HIST_ELISION=-1 \
	-e 'global s probe begin { s <<< 1; s <<< 256; print(@hist_log(s)) exit() }'
# sprint gives the same text; println adds one newline after it
run_etap "$TMPD/out" "$TMPD/err" \
	-e 'global s probe begin { for (i = 0; i < 1000; i++) s <<< 4096; x = sprint(@hist_log(s)); print(x); println(@hist_log(s)) exit() }'
{ cat "$GOLD/hist4096.out" "$GOLD/hist4096.out"; echo; } >"$TMPD/want"
if [ "$RC" -eq 0 ] && cmp -s "$TMPD/out" "$TMPD/want"; then
	pass sprint-println-hist
else
	fail sprint-println-hist "rc=$RC" "$(diff "$TMPD/want" "$TMPD/out" | head)"
fi

# ---- extractors ----
expect stat-ops 0 "3 12 -3 10 4" \
	-e 'global s probe begin { s <<< 5; s <<< -3; s <<< 10
		printf("%d %d %d %d %d\n", @count(s), @sum(s), @min(s), @max(s), @avg(s)) exit() }'
# stap's integer Welford: with shift 0 the running mean of 1..5 stays 1,
# so the merge gives (5*(1-3)^2 + 4*7) / 4 = 12; with shift 4 it gives
# (4*640 / 4) >> 8 = 2
expect variance-shift 0 "12 2" \
	-e 'global s, t probe begin { for (i = 1; i <= 5; i++) { s <<< i; t <<< i }
		printf("%d %d\n", @variance(s), @variance(t, 4)) exit() }'
expect variance-one-sample 0 "0" \
	-e 'global s probe begin { s <<< 42; println(@variance(s)) exit() }'
expect empty-count-sum 0 "0 0" \
	-e 'global s probe begin { printf("%d %d\n", @count(s), @sum(s)) exit() }'
expect_err empty-min 1 "^ERROR: empty aggregate near operator '@min' at <input>:1:52" \
	-e 'global s probe begin { println(@count(s)); println(@min(s)) }'
expect_err empty-hist 1 "ERROR: empty aggregate near operator '@hist_log'" \
	-e 'global s probe begin { print(@hist_log(s)) }'

# ---- stats arrays ----
arr='global a probe begin { a["x"] <<< 1; a["x"] <<< 1; a["x"] <<< 1; a["y"] <<< 10; a["z"] <<< 2; a["z"] <<< 2'
expect foreach-sum-desc 0 "y 10
z 4
x 3" -e "$arr"' foreach (k in a @sum-) printf("%s %d\n", k, @sum(a[k])) exit() }'
expect foreach-count-default 0 "x 3
z 2
y 1" -e "$arr"' foreach (k in a-) printf("%s %d\n", k, @count(a[k])) exit() }'
expect foreach-limit 0 "y z " \
	-e "$arr"' foreach (k in a+ limit 2) printf("%s ", k); printf("\n") exit() }'
expect delete-element 0 "x y 0" \
	-e "$arr"' delete a["z"]; foreach (k+ in a) printf("%s ", k); printf("%d\n", @count(a["z"])) exit() }'
expect in-stats-array 0 "1 0 1" \
	-e "$arr"' printf("%d %d %d\n", ["x"] in a, ["w"] in a, [*] in a) exit() }'
expect delete-scalar 0 "0 1" \
	-e 'global s probe begin { s <<< 1; s <<< 2; delete s; printf("%d ", @count(s)); s <<< 7; printf("%d\n", @count(s)) exit() }'

# ---- buckets ----
expect hist-index 0 "3 0" \
	-e 'global s probe begin { s <<< 4096; s <<< 4096; s <<< 4096; printf("%d %d\n", @hist_log(s)[77], @hist_log(s)[64]) exit() }'
expect_err hist-index-range 1 "ERROR: histogram index out of range" \
	-e 'global s probe begin { s <<< 1; println(@hist_log(s)[128]) }'
expect foreach-buckets 0 "1 1
6 2
13" -e 'global s probe begin { s <<< 5; s <<< 55; s <<< 55; n = 0
		foreach (b in @hist_linear(s, 0, 100, 10)) { n++; if (@hist_linear(s, 0, 100, 10)[b]) printf("%d %d\n", b, @hist_linear(s, 0, 100, 10)[b]) }
		println(n) exit() }'

# ---- compile-time errors ----
expect_err linear-too-many 1 "gives 200 buckets; it must give between 1 and 126" \
	-e 'global s probe begin { s <<< 1; print(@hist_linear(s, 0, 1000, 5)) }'
expect_err linear-too-few 1 "gives 0 buckets" \
	-e 'global s probe begin { s <<< 1; print(@hist_linear(s, 0, 5, 10)) }'
expect_err linear-zero-width 1 "bucket width 0 must be positive" \
	-e 'global s probe begin { s <<< 1; print(@hist_linear(s, 0, 5, 0)) }'
expect_err kernel-read 1 "@count cannot be read in kernel-context probes" \
	-e 'global s probe syscall.read { s <<< 1; if (@count(s) > 10) exit() }'
expect_err aggregate-as-value 1 "aggregate 's' has no value of its own" \
	-e 'global s probe begin { s <<< 1; println(s) }'
expect_err local-aggregate 1 "aggregate 's' must be a global variable" \
	-e 'probe begin { s <<< 1 }'

# ---- kernel context ----
dd4096='dd if=/dev/zero of=/dev/null bs=4096 count=1000 status=none'
expect_file kernel-hist-read-sizes 0 "$GOLD/hist4096.out" -c "$dd4096" \
	-e 'global s probe syscall.read { if (pid() == target() && $fd == 0) s <<< $count } probe end { print(@hist_log(s)) }'
run_etap "$TMPD/out" "$TMPD/err" -c "$dd4096" \
	-e 'global s probe syscall.read.return { if (pid() == target()) s <<< $return } probe end { print(@hist_log(s)) }'
if [ "$RC" -eq 0 ] && grep -qx ' 4096 |@\{50\} 1000' "$TMPD/out"; then
	pass kernel-hist-return-4096-row
else
	fail kernel-hist-return-4096-row "rc=$RC" "$(cat "$TMPD/out" "$TMPD/err")"
fi
expect kernel-stats-array 0 "dd 1000 4096000" -c "$dd4096" \
	-e 'global a probe syscall.read { if (pid() == target() && $fd == 0) a[execname()] <<< $count }
	    probe end { foreach (k in a) printf("%s %d %d\n", k, @count(a[k]), @sum(a[k])) }'
# user-context samples join the kernel's per-CPU ones
expect kernel-and-user 0 "1002 4096010" -c "$dd4096" \
	-e 'global s probe begin { s <<< 4; s <<< 6 } probe syscall.read { if (pid() == target() && $fd == 0) s <<< $count }
	    probe end { printf("%d %d\n", @count(s), @sum(s)) }'

# Kernel probes keep only the running values the script reads: each
# @op alone still gets its value, and an aggregate nobody reads is shown
# at exit with all of them. Reads of 100, 100 and 300 bytes.
three="sh -c 'dd if=/dev/zero of=/dev/null bs=100 count=2 status=none; dd if=/dev/zero of=/dev/null bs=300 count=1 status=none'"
for op in min:100 max:300 sum:500 avg:166 count:3; do
	expect "kernel-keeps-only-@${op%%:*}" 0 "${op#*:}" -c "$three" \
		-e 'global s probe syscall.read { if (ppid() == target() && $fd == 0) s <<< $count }
		    probe end { printf("%d\n", @'"${op%%:*}"'(s)) }'
done
expect kernel-unread-stats-dump 0 "s @count=3 @min=100 @max=300 @sum=500 @avg=166" -c "$three" \
	-e 'global s probe syscall.read { if (ppid() == target() && $fd == 0) s <<< $count }'
expect kernel-sort-by-@max 0 "b 1
a 2" -c "$three" \
	-e 'global s probe syscall.read { if (ppid() == target() && $fd == 0) s[$count == 300 ? "b" : "a"] <<< $count }
	    probe end { foreach (k in s @max-) printf("%s %d\n", k, @count(s[k])) }'

# Two dd's pinned to CPU 0 and CPU 1: 10 reads of 100 bytes, 10 of 300.
# Merged as stap merges CPUs: mean 200, S1 = 10*100^2 + 10*100^2, each
# CPU's own variance 0, so (200000 + 0) / 19 = 10526 (one CPU's running
# Welford alone would give 10742).
two="sh -c 'taskset -c 0 dd if=/dev/zero of=/dev/null bs=100 count=10 status=none; taskset -c 1 dd if=/dev/zero of=/dev/null bs=300 count=10 status=none'"
expect kernel-variance-two-cpus 0 "20 4000 100 300 200 10526
cpu0 10
cpu1 10" -c "$two" \
	-e 'global s, n probe syscall.read { if (ppid() == target() && execname() == "dd" && $fd == 0) { s <<< $count; n[cpu()]++ } }
	    probe end { printf("%d %d %d %d %d %d\n", @count(s), @sum(s), @min(s), @max(s), @avg(s), @variance(s))
	    foreach (c in n+) printf("cpu%d %d\n", c, n[c]) }'

# ---- per-CPU counting idiom ----
two_counts="sh -c 'taskset -c 0 dd if=/dev/zero of=/dev/null bs=1 count=3000 status=none; taskset -c 1 dd if=/dev/zero of=/dev/null bs=1 count=7000 status=none'"
expect percpu-counts-exact 0 "dd 10000" -c "$two_counts" \
	-e 'global n probe syscall.read { if (ppid() == target() && $fd == 0) n[execname()]++ }
	    probe end { foreach (k in n) printf("%s %d\n", k, n[k]) }'
run_etap "$TMPD/out" "$TMPD/err" -p3 \
	-e 'global n, m probe syscall.read { n[execname()]++; m[pid()] = 1 } probe end { foreach (k in n) printf("%s %d\n", k, n[k]) }'
if grep -q 'a_n: type 5,' "$TMPD/out" && grep -q 'a_m: type 1,' "$TMPD/out"; then
	pass percpu-map-type
else
	fail percpu-map-type "$(grep 'a_[nm]:' "$TMPD/out")" "$(head -c 500 "$TMPD/err")"
fi
# a kernel read keeps the array shared
run_etap "$TMPD/out" "$TMPD/err" -p3 \
	-e 'global n probe syscall.read { n[execname()]++; if (n[execname()] > 5) next } probe end { foreach (k in n) printf("%s %d\n", k, n[k]) }'
if grep -q 'a_n: type 1,' "$TMPD/out"; then
	pass percpu-not-when-kernel-reads
else
	fail percpu-not-when-kernel-reads "$(grep 'a_n:' "$TMPD/out")"
fi
# user context can still write and delete it
expect percpu-user-writes 0 "dd 1000 7" -c "$dd4096" \
	-e 'global n probe syscall.read { if (pid() == target() && $fd == 0) n[execname()]++ }
	    probe end { foreach (k in n) printf("%s %d ", k, n[k]); delete n; n["x"] = 7; n["x"]--; n["x"]++; println(n["x"]) }'

wait_no_etap_progs || fail stats-leftovers "$(bpftool prog list | grep ' name etap_')"
