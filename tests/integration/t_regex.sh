#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Regular expressions end to end in user context: =~ and !~ with operands
# from -G globals (nothing folds at translate time), matched(), ngroups(),
# the runtime errors of matched(), and patterns rejected at compile time.
# Kernel context still rejects =~ with a located error (checked below).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

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
expect call-args 0 $'5|read(3, 100)|read|3|100\n0 1' -G 's=read(3, 100)' -e "$S"
expect call-one-arg 0 $'5|close(7)|close|7|\n1 0' -G 's=close(7)' -e "$S"
expect call-none 0 $'no\n1 0' -G 's=X(12)' -e "$S"
expect empty-subject 0 $'no\n1 1' -e "$S"

expect leftmost-longest 0 'xabcx|abc|c' -G 's=xabcx' -e 'global s
probe begin { if (s =~ "(a|ab)(c|bcd)?") printf("%s|%s|%s\n", s, matched(0), matched(2)); exit() }'

expect last-iteration 0 'ab,b' -G 's=ab' -e 'global s
probe begin { if (s =~ "((a)|b)*") printf("%s,%s\n", matched(0), matched(1)); exit() }'

expect_err matched-after-failure 1 'ERROR: Attempted to get subexpression 1 from failed match near identifier .matched. at <input>:1:' \
	-e 'probe begin { if ("abc" =~ "x") ; println(matched(1)); exit() }'
expect_err matched-nonexistent 1 'ERROR: Attempted to get nonexistent subexpression 3 near identifier .matched.' \
	-e 'probe begin { if ("abc" =~ "(b)") println(matched(3)); exit() }'
expect_err bad-pattern 1 '<input>:1:36: semantic error: invalid regular expression: unmatched \( in regular expression' \
	-e 'probe begin { println("abc" =~ "a(b"); exit() }'
expect_err bad-class 1 'semantic error: invalid regular expression: unknown character class name' \
	-e 'probe begin { println("abc" =~ "[[:nope:]]"); exit() }'
expect_err kernel-context 1 'semantic error: .* kernel-context probes' \
	-e 'probe syscall.getpid { println(execname() =~ "^et") }'
