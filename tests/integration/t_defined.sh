#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# @defined() and @choose_defined(): true when a target variable or chain
# resolves in the probe, and the branch ruled out is never checked, so it
# may name variables the probe does not have.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
T='perl -e getppid'
SW='global done
probe kernel.trace("sched:sched_switch") { if ($prev->pid != target() || done) next; done = 1'

expect defined-values 0 '1 0 0 1' -c "$T" -e "$SW
printf(\"%d %d %d %d\\n\", @defined(\$prev->pid), @defined(\$prev->nosuch), @defined(\$nosuch), !@defined(\$nosuch)) }"
expect defined-if-drops-branch 0 'no field
negated
yes' -c "$T" -e "$SW
if (@defined(\$prev->nosuch)) println(\$prev->nosuch) else println(\"no field\")
if (!@defined(\$nosuch)) println(\"negated\") else println(\$nosuch)
if (@defined(\$prev->comm)) println(\"yes\") }"
expect defined-ternary 0 '42 1' -c "$T" -e "$SW
x = @defined(\$nope) ? \$nope : 42; y = @defined(\$prev->pid) ? \$prev->pid : 0
println(x, \" \", y == target()) }"
expect choose-defined 0 '7 1 dflt' -c "$T" -e "$SW
println(@choose_defined(\$nope, 7), \" \", @choose_defined(\$prev->pid, 0) == target(), \" \", @choose_defined(\$nope->x, \"dflt\")) }"
expect defined-user-context 0 '0
none
dflt' -e 'probe begin { println(@defined($x)); if (@defined($x)) println($x) else println("none")
println(@choose_defined($y, "dflt")); exit() }'
# outside @defined() an unresolved variable is still an error
expect_err defined-other-uses-checked 1 "unresolved target variable '.nosuch'" -p2 -e '
probe begin { if (@defined($x)) println(1); println($nosuch) }'
wait_no_etap_progs || fail no-leftover-programs
