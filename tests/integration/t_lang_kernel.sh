#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Language features that needed more than straight-line BPF: foreach and
# whole-array delete in kernel probes (bpf_for_each_map_elem callbacks),
# wrap arrays, array sizes, the exit-time display of write-only globals,
# runtime errors of each class in both contexts, MAXERRORS, and probe
# ordering. Kernel probes fire once, when the -c target calls getppid.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
T='perl -e getppid'
K='probe syscall.getppid { if (pid() != target() || done) next; done = 1'

# ---- foreach and delete in kernel context ----
expect fe-keys-value-limit 0 'n=3 s=60 m=2 t=40 c=0' -c "$T" -e "global a, done
$K
  a[1] = 10; a[2] = 20; a[3] = 30
  foreach (k in a) { n++; s += a[k] }
  foreach ([k] in a limit 2) m++
  foreach (v = [k] in a) { if (v == 20) continue; t += v }
  delete a
  foreach (k in a) c++
  printf(\"n=%d s=%d m=%d t=%d c=%d\\n\", n, s, m, t, c) }"
expect fe-strings-nested-break 0 'len=6 pairs=9 b=1 lim0=0' -c "$T" -e "global a, b, done
$K
  a[1] = 1; a[2] = 2; a[3] = 3; b[\"x\", 1] = \"foo\"; b[\"y\", 2] = \"bar\"
  foreach ([s, n] in b) str .= sprintf(\"%s%d \", s, n)
  foreach (i in a) foreach (j in a) pairs++
  foreach (k in a) { brk++; break }
  foreach (k in a limit 0) lim0++
  printf(\"len=%d pairs=%d b=%d lim0=%d\\n\", strlen(str), pairs, brk, lim0) }"
expect fe-in-function-try-next 0 'sum=60 caught=division by 0' -c "$T" -e "global a, done
function total() { t = 0; foreach (k in a) t += a[k]; return t }
$K
  a[1] = 10; a[2] = 20; a[3] = 30
  printf(\"sum=%d \", total())
  try { foreach (k in a) x = 1 / (k - 2) } catch (m) { printf(\"caught=%s\\n\", m) }
  foreach (k in a) next
  println(\"not reached\") }"
expect fe-context-vars-in-body 0 'same=1' -c "$T" -e "global a, done
$K
  a[1] = 1
  foreach (k in a) same = pid() == target()
  printf(\"same=%d\\n\", same) }"
expect_err fe-maxaction 1 'ERROR: MAXACTION exceeded near keyword at <input>:3:' -D MAXACTION=50 -c "$T" -e "global a, done
probe begin { for (i = 0; i < 30; i++) a[i] = i }
$K foreach (k in a) n++ }"
expect_err fe-sorted-kernel-error 1 'sorted foreach cannot run in a kernel-context probe' -p3 -e 'global a
probe syscall.getppid { a[1] = 1; foreach (k+ in a) println(k) }'
if "$ETAP" -p3 -c "$T" -e "global a, done
$K a[1] = 1; foreach (k in a) n++; delete a }" 2>/dev/null | grep -q 'callback of etap_p0 (section .text'; then
	pass fe-p3-shows-callback
else
	fail fe-p3-shows-callback
fi

# ---- wrap arrays and sizes, both contexts ----
expect wrap-user 0 'n=3 6=6 1=0' -e 'global a[3%]
probe begin { for (i = 1; i <= 6; i++) a[i] = i; foreach (k in a) n++
  printf("n=%d 6=%d 1=%d\n", n, a[6], 1 in a); exit() }'
expect wrap-kernel 0 'n=3 6=6 1=0' -c "$T" -e "global a[3%], done
$K for (i = 1; i <= 6; i++) a[i] = i }
probe end { foreach (k in a) n++; printf(\"n=%d 6=%d 1=%d\\n\", n, a[6], 1 in a) }"
expect_err size-overflow-user 1 'ERROR: Array overflow, check MAXMAPENTRIES near identifier .b. at <input>:2:' -e 'global b[3]
probe begin { b[1] = 1; b[2] = 2; b[3] = 3; b[4] = 4; exit() }'
expect_err size-overflow-kernel 1 'ERROR: Array overflow, check MAXMAPENTRIES near identifier .b. at <input>:2:' -c "$T" -e "global b[3], done
$K b[1] = 1; b[2] = 2; b[3] = 3; b[4] = 4 }"
expect_err maxmapentries-kernel 1 'ERROR: Array overflow, check MAXMAPENTRIES' -D MAXMAPENTRIES=4 -c "$T" -e "global b, done
$K for (i = 0; i < 5; i++) b[i]++ }"

# ---- the exit-time display of globals written and never read ----
expect dump-user 0 'n=5
s="abc"
st @count=2 @min=3 @max=5 @sum=8 @avg=4
e @count=0x0
c["y",2]=3
c["x",1]=1' -e 'global n, s, st, e, c, used
probe begin { n = 5; s = "abc"; st <<< 3; st <<< 5; e <<< 1; delete e
  c["x", 1]++; c["y", 2] += 3; used = 1; if (used) exit() }'
expect dump-kernel 0 'hits=1
names["perl"]=1' -c "$T" -e "global hits, names, done
$K hits++; names[execname()]++ }"

# ---- runtime errors, each class in both contexts ----
for ctx in user kernel; do
	if [ $ctx = user ]; then P='probe begin {'; E='exit() }'; C=()
	else P="global done
$K"; E='}'; C=(-c "$T"); fi
	expect_err "err-div0-$ctx" 1 "ERROR: division by 0 near operator '/' at <input>:[0-9]+:[0-9]+" \
		"${C[@]}" -G z=0 -e "global z
$P x = 5 / z; $E"
	expect_err "err-mod0-$ctx" 1 "ERROR: division by 0 near operator '%' at <input>" \
		"${C[@]}" -G z=0 -e "global z
$P x = 5 % z; $E"
	[ $ctx = kernel ] && expect_err "err-maxaction-$ctx" 1 'ERROR: MAXACTION exceeded near keyword at <input>' \
		-D MAXACTION=20 "${C[@]}" -e "global done
$K while (1) i++; }"
	expect_err "err-count-line-$ctx" 1 'WARNING: Number of errors: 1, skipped probes: 0' \
		"${C[@]}" -G z=0 -e "global z
$P x = 5 / z; $E"
done
# a user-context loop has no MAXACTION: only kernel probes are capped
expect maxaction-user-uncapped 0 'i=5000' -D MAXACTION=20 -e 'probe begin { while (i < 5000) i++; printf("i=%d\n", i); exit() }'

# ---- MAXERRORS ----
run_etap "$TMPD/out" "$TMPD/err" -D MAXERRORS=2 -G z=0 -e 'global z
probe begin { try { x = 1 } catch { } }
probe timer.ms(10) { n++; x = 1 / z; if (n > 50) exit() }'
nerr=$(grep -c '^ERROR: division by 0' "$TMPD/err")
if [ "$RC" -eq 1 ] && [ "$nerr" -eq 3 ] && grep -q 'WARNING: Number of errors: 3' "$TMPD/err"; then
	pass maxerrors-2-user
else
	fail maxerrors-2-user "rc=$RC errors=$nerr" "$(head -c 800 "$TMPD/err")"
fi
# ---- probe order: begin(N)/end(N), several handlers in script order ----
expect order-begin-end 0 'b-1 b0a b0b b5 e-3 e0a e0b e2' -e '
probe end(2) { println("e2") } probe end { printf("e0a ") } probe end(-3) { printf("e-3 ") }
probe begin(5) { printf("b5 ") } probe begin { printf("b0a ") } probe begin(-1) { printf("b-1 ") }
probe begin { printf("b0b ") } probe end { printf("e0b ") } probe begin(9) { exit() }'
expect order-kernel-handlers 0 'first second' -c "$T" -e 'global done
probe syscall.getppid { if (pid() == target() && !done) printf("first ") }
probe syscall.getppid { if (pid() == target() && !done++) println("second") }'
wait_no_etap_progs || fail no-leftover-programs
