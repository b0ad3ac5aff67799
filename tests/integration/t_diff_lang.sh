#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Differential suite: every case of diff_cases.txt runs once in a begin
# probe (user-context evaluator) and once in a kernel probe (BPF) that
# fires when the -c target calls getppid; both outputs must equal the
# expected value written in the case. Operands come from -G globals.
# Cases are batched (BATCH per script) within each "## section".
. "$(dirname "$0")/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
CASES=${DIFF_CASES:-$HERE/diff_cases.txt}
BATCH=${DIFF_BATCH:-12}
GOPTS=(-G a=7 -G b=-3 -G c=100 -G z=0 -G m=-9223372036854775808
       -G M=9223372036854775807 -G n1=-1 -G k=64 -G k2=65 -G big=123456789012
       -G s1=hello -G s2=World -G e= -G "sp=a b" -G num=42
       -G "esc=$(printf 'a\tb\001c\\d')"
       # a batch of cases runs in one probe hit; the loop cases together
       # take more than the default 1000 actions (t_errors tests MAXACTION)
       -D MAXACTION=20000)
TARGET='perl -e getppid'

# gen_script MODE FILE: the batch in $TMPD/exprs as one handler
gen_script() {
	local mode=$1 out=$2
	cat "$HERE/diff_prelude.stp" >"$out"
	if [ "$mode" = user ]; then
		echo 'probe begin {' >>"$out"
	else
		echo 'probe syscall.getppid { if (pid() != target()) next' >>"$out"
	fi
	sed 's/^/println(/; s/$/)/' "$TMPD/exprs" >>"$out"
	echo 'exit() }' >>"$out"
}

ncases=0
run_batch() {
	[ -s "$TMPD/exprs" ] || return 0
	local mode
	for mode in user kernel; do
		gen_script $mode "$TMPD/b_$mode.stp"
		if [ $mode = user ]; then
			run_etap "$TMPD/o_$mode" "$TMPD/e_$mode" "${GOPTS[@]}" "$TMPD/b_$mode.stp"
		else
			run_etap "$TMPD/o_$mode" "$TMPD/e_$mode" "${GOPTS[@]}" -c "$TARGET" "$TMPD/b_$mode.stp"
		fi
		echo "$RC" >"$TMPD/rc_$mode"
	done
	local i=0
	while IFS= read -r expr <&3 && IFS= read -r want <&4; do
		i=$((i + 1))
		for mode in user kernel; do
			got=$(sed -n "${i}p" "$TMPD/o_$mode")
			if [ "$mode" = kernel ] && [ -n "$xfail" ]; then
				echo "XFAIL diff[$mode] $expr (verifier complexity)"
			elif [ "$(cat "$TMPD/rc_$mode")" = 0 ] && [ "$got" = "$want" ]; then
				pass "diff[$mode] $expr"
			else
				fail "diff[$mode] $expr" "got:  $got" "want: $want" \
					"rc=$(cat "$TMPD/rc_$mode") stderr: $(head -c 600 "$TMPD/e_$mode")"
			fi
		done
	done 3<"$TMPD/exprs" 4<"$TMPD/wants"
	: >"$TMPD/exprs"
	: >"$TMPD/wants"
	xfail=
}

: >"$TMPD/exprs"
: >"$TMPD/wants"
n=0
while IFS= read -r line; do
	case "$line" in
	'## '*)
		run_batch
		n=0
		# inlined loops make big programs: fewer per batch
		case "$line" in
		'## functions') limit=2 ;;
		# each matched() site adds ~100k verifier steps
		'## regex') limit=4 ;;
		# each foreach is a callback subprogram
		'## iteration') limit=4 ;;
		*) limit=$BATCH ;;
		esac
		continue ;;
	'#'* | '') continue ;;
	esac
	rest=${line#*	}
	xfail=
	case "$rest" in
	*'	kernel-xfail')
		# alone in its batch, so it cannot spoil the others
		run_batch
		n=0
		xfail=1
		rest=${rest%	kernel-xfail}
		;;
	esac
	printf '%s\n' "${line%%	*}" >>"$TMPD/exprs"
	printf '%s\n' "$rest" >>"$TMPD/wants"
	ncases=$((ncases + 1))
	n=$((n + 1))
	if { [ -n "$xfail" ] || [ "$n" -ge "${limit:-$BATCH}" ]; } && ! grep -q '^arr\|^sarr\|^cnt' "$TMPD/exprs"; then
		run_batch
		n=0
	fi
done <"$CASES"
run_batch
echo "diff cases: $ncases"

# The kernel side computes: the listing of a batch loads the -G operands
# from global data and divides at run time.
printf '%s\n' 'a / b' 'sprintf("%5d|%s", c, s1 . s2)' >"$TMPD/exprs"
gen_script kernel "$TMPD/p3.stp"
if "$ETAP" -p3 "$TMPD/p3.stp" >"$TMPD/p3" 2>&1 &&
	grep -q 'etap_gd' "$TMPD/p3" && grep -Eq ' /= | %= ' "$TMPD/p3" &&
	grep -q 'probe_read_kernel_str' "$TMPD/p3"; then
	pass "diff -p3 listing computes in the kernel"
else
	fail "diff -p3 listing computes in the kernel" "$(head -c 1500 "$TMPD/p3")"
fi

# The exit-time display of globals written but never read, after the same
# writes in a begin probe and in a kernel probe: long, string, empty
# string, two-key array by decreasing value, aggregate.
DUMP_BODY='n = a * 6; s = s1 . s2; arr3["k", a] = c; arr3["j", b] = a; st <<< a; st <<< c; e2 = ""'
DUMP_WANT='n=42
s="helloWorld"
arr3["k",7]=100
arr3["j",-3]=7
st @count=2 @min=7 @max=100 @sum=107 @avg=53
e2=""'
DUMP_G="global a, b, c, s1, s2, n, s, arr3, st, e2"
DUMP_OPTS=(-G a=7 -G b=-3 -G c=100 -G s1=hello -G s2=World)
expect "diff[user] exit-time display" 0 "$DUMP_WANT" "${DUMP_OPTS[@]}" -e "$DUMP_G
probe begin { $DUMP_BODY; exit() }"
expect "diff[kernel] exit-time display" 0 "$DUMP_WANT" "${DUMP_OPTS[@]}" -c "$TARGET" -e "$DUMP_G
probe syscall.getppid { if (pid() != target()) next; $DUMP_BODY }"
