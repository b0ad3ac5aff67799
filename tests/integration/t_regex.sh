#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Regular expressions end to end: every case runs once in a begin probe
# (the user-context runner) and once in a kernel probe fired by the -c
# target's getppid (the BPF of codegen/lower_regex.c), operands from -G
# globals so nothing folds at translate time; both must print the
# expected text, and runtime errors must read the same in both. Then
# patterns rejected at compile time, and the -p3 listing of the table walk.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

KPROBE='probe syscall.getppid { if (pid() != target()) next'
TARGET='perl -e getppid'

# both NAME RC STDOUT ARGS... SCRIPT: the script (last) has one
# "probe begin {"; the kernel run moves that body to getppid of the target.
both() {
	local name=$1 rc=$2 out=$3
	shift 3
	local script=${!#}
	local args=("${@:1:$#-1}")
	expect "$name[begin]" "$rc" "$out" "${args[@]}" -e "$script"
	expect "$name[kernel]" "$rc" "$out" "${args[@]}" -c "$TARGET" \
		-e "${script/probe begin \{/$KPROBE}"
}

# both_err NAME RC REGEX ARGS... SCRIPT: stderr matches REGEX in both
# runs, and their ERROR lines are identical.
both_err() {
	local name=$1 rc=$2 re=$3
	shift 3
	local script=${!#}
	local args=("${@:1:$#-1}")
	expect_err "$name[begin]" "$rc" "$re" "${args[@]}" -e "$script"
	grep '^ERROR' "$TMPD/err" >"$TMPD/err_user"
	expect_err "$name[kernel]" "$rc" "$re" "${args[@]}" -c "$TARGET" \
		-e "${script/probe begin \{/$KPROBE}"
	if diff <(grep '^ERROR' "$TMPD/err") "$TMPD/err_user" >/dev/null; then
		pass "$name[same error]"
	else
		fail "$name[same error]" "kernel: $(grep '^ERROR' "$TMPD/err")" \
			"user:   $(cat "$TMPD/err_user")"
	fi
}

S='global s = "", p = 0
probe begin {
	if (s =~ "^([a-z_]+)\\(([0-9]+)(, *([0-9]+))?\\)$")
		printf("%d|%s|%s|%s|%s\n", ngroups(), matched(0), matched(1),
		       matched(2), matched(4))
	else
		println("no")
	println(s !~ "[[:digit:]]{3}", " ", s =~ "a|^$")
	exit()
}'
both call-args 0 $'5|read(3, 100)|read|3|100\n0 1' -G 's=read(3, 100)' "$S"
both call-one-arg 0 $'5|close(7)|close|7|\n1 0' -G 's=close(7)' "$S"
both call-none 0 $'no\n1 0' -G 's=X(12)' "$S"
both empty-subject 0 $'no\n1 1' "$S"

both leftmost-longest 0 'xabcx|abc|c' -G 's=xabcx' 'global s
probe begin { if (s =~ "(a|ab)(c|bcd)?") printf("%s|%s|%s\n", s, matched(0), matched(2)); exit() }'

both last-iteration 0 'ab,b,a' -G 's=ab' 'global s
probe begin { if (s =~ "((a)|b)*") printf("%s,%s,%s\n", matched(0), matched(1), matched(2)); exit() }'

# the issue's example: several syscall names, one optional suffix
SYS='global s
probe begin {
	if (s =~ "sys_(open|close|read|write)(at)?$")
		printf("%s:%s:%s:%d\n", matched(0), matched(1), matched(2), ngroups())
	else
		println("-")
	exit()
}'
both sys-openat 0 'sys_openat:open:at:3' -G s=__x64_sys_openat "$SYS"
both sys-read 0 'sys_read:read::3' -G s=sys_read "$SYS"
both sys-readv 0 '-' -G s=sys_readv "$SYS"
both sys-twice 0 'sys_write:write::3' -G s=sys_open_sys_write "$SYS"

R='global s, p
probe begin {
	println(s =~ "^[A-Z][a-z]+ [0-9]{2,3}$", s =~ "[^[:alnum:] ]", s =~ "o.*o", s =~ "^$")
	if (s =~ "([a-z]*)([0-9]*)") printf("[%s][%s][%s]\n", matched(0), matched(1), matched(2))
	if (s =~ "x*") printf("<%s>\n", matched(0))
	exit()
}'
both classes 0 $'1000\n[][][]\n<>' -G 's=Hello 42' "$R"
both classes-punct 0 $'0110\n[][][]\n<>' -G 's=Hollo, world' "$R"
both classes-empty 0 $'0001\n[][][]\n<>' "$R"

# long subjects (510 bytes; up to MAXSTRINGLEN-1 are matched), the rest cut as in
# every string; a smaller MAXSTRINGLEN cuts both contexts alike
LONG=$(printf 'a%.0s' $(seq 1 505))bcdef
L='global s
probe begin {
	if (s =~ "a(a*)(b.*)$") printf("%d %d %s\n", strlen(matched(0)), strlen(matched(1)), matched(2))
	println(s =~ "f$", s =~ "e$", s =~ "^a{63}$")
	exit()
}'
both long-subject 0 $'510 504 bcdef\n100' -G "s=$LONG" "$L"
both maxstringlen-64 0 '001' -D MAXSTRINGLEN=64 -G "s=$LONG" "$L"

# the last =~ of a hit counts, a failed one included
both last-match 0 $'b\ncaught: Attempted to get subexpression 0 from failed match' -G s=abc 'global s
probe begin {
	if (s =~ "(b)") println(matched(1))
	try {
		if (s =~ "(z)") println("?")
		println(matched(0))
	} catch (m) { println("caught: ", m) }
	exit()
}'

both_err matched-after-failure 1 'ERROR: Attempted to get subexpression 1 from failed match near identifier .matched. at <input>:4:' -G s=abc 'global s
probe begin {
	if (s =~ "x") ;
	println(matched(1)); exit() }'
both_err matched-nonexistent 1 'ERROR: Attempted to get nonexistent subexpression 3 near identifier .matched.' -G s=abc 'global s
probe begin {
	if (s =~ "(b)")
	println(matched(3)); exit() }'
both_err matched-negative 1 'ERROR: Attempted to get nonexistent subexpression -9223372036854775808 near' -G s=abc -G p=-9223372036854775808 'global s, p
probe begin {
	if (s =~ "(b)")
	println(matched(p)); exit() }'
both_err ngroups-after-failure 1 'ERROR: Attempted to get number of groups from failed match near identifier .ngroups.' -G s=abc 'global s
probe begin {
	println(s =~ "q")
	println(ngroups()); exit() }'

expect_err bad-pattern 1 '<input>:1:36: semantic error: invalid regular expression: unmatched \( in regular expression' \
	-e 'probe begin { println("abc" =~ "a(b"); exit() }'
expect_err bad-class 1 'semantic error: invalid regular expression: unknown character class name' \
	-e 'probe begin { println("abc" =~ "[[:nope:]]"); exit() }'

# The kernel side walks the tables: the three scans, lookups in the
# read-only etap_regex map (BPF_F_RDONLY_PROG = 0x80), and no scans for
# the groups when no matched() needs them.
printf '%s\n' "${SYS/probe begin \{/$KPROBE}" >"$TMPD/sys.stp"
if "$ETAP" -p3 "$TMPD/sys.stp" >"$TMPD/p3" 2>&1 &&
	grep -q 'scan 1: reverse DFA' "$TMPD/p3" &&
	grep -q 'scan 2: forward DFA' "$TMPD/p3" &&
	grep -q 'scan 3: submatch tags' "$TMPD/p3" &&
	grep -Eq 'etap_regex: type 2, key 4, value [0-9]+, entries 1, flags 0x80' "$TMPD/p3"; then
	pass "p3 listing walks the tables"
else
	fail "p3 listing walks the tables" "$(grep -E 'scan|etap_regex' "$TMPD/p3" | head -20)"
fi
printf '%s\n' "$KPROBE println(execname() =~ \"^(et|pe)\") }" >"$TMPD/only.stp"
if "$ETAP" -p3 "$TMPD/only.stp" >"$TMPD/p3" 2>&1 &&
	grep -q 'scan 1: reverse DFA' "$TMPD/p3" && ! grep -q 'scan 2' "$TMPD/p3"; then
	pass "p3 listing: no group scans without matched()"
else
	fail "p3 listing: no group scans without matched()" "$(grep -E 'scan|error' "$TMPD/p3" | head)"
fi
