#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# `[*, k]` wildcards: `delete a[*, k]` and `[*, k] in a`, the same text in a
# begin probe and in a kernel probe of the -c target (there they walk the
# array with bpf_for_each_map_elem); fixed parts come from -G globals so
# nothing is folded at compile time.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
T='perl -e getppid'
BODY='a[1,2]=1; a[2,2]=2; a[3,3]=3; a[4,1]=4
printf("%d %d %d %d %d\n", [*, two] in a, [*, 5] in a, [3, *] in a, [*, *] in a, [two + 1, *] in a)
delete a[*, two]
foreach ([x, y] in a) n++
printf("n=%d %d %d %d\n", n, [1,2] in a, [3,3] in a, [*, two] in a)
s["a", 1, "x"] = 1; s["bb", 1, "y"] = 2; s["a", 2, "x"] = 3; s["a", 2, "z"] = 4
delete s[str, *, "x"]
foreach ([p, q, r] in s) m += q * 10 + strlen(p)
printf("m=%d %d %d %d\n", m, ["bb", *, *] in s, [str, *, "x"] in s, [str, 2, *] in s)
delete s[*, *, *]
foreach ([p, q, r] in s) left++
printf("left=%d\n", left)'
WANT='1 0 1 1 1
n=2 0 1 0
m=33 1 0 1
left=0'
G=(-G two=2 -G str=a)
expect wildcard-user 0 "$WANT" "${G[@]}" -e "global a, s, two, str
probe begin { $BODY; exit() }"
expect wildcard-kernel 0 "$WANT" "${G[@]}" -c "$T" -e "global a, s, two, str, done
probe syscall.getppid { if (pid() != target() || done) next; done = 1
$BODY }"
# the kernel side really walks the map
run_etap "$TMPD/out" "$TMPD/err" -G two=2 -p3 -e "global a, two
probe syscall.getppid { a[1, 2] = 1; x = [*, two] in a; delete a[*, two] }"
if [ "$RC" -eq 0 ] && [ "$(grep -c 'for_each_map_elem' "$TMPD/out")" -ge 2 ]; then
	pass wildcard-p3-callbacks
else
	fail wildcard-p3-callbacks "rc=$RC" "$(grep -c for_each_map_elem "$TMPD/out") calls"
fi
wait_no_etap_progs || fail no-leftover-programs
