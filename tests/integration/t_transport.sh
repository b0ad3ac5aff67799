#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The ring-buffer transport: every record a kernel probe sends is either
# printed or counted as dropped, never lost silently. The script counts
# what it emits with a kernel-side counter, independently of the buffer,
# and prints the count from its end probe.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Eight records per write() of dd; with a 16 KiB buffer (-s 0.015625) and
# a reader held up, records must be dropped.
flood_script='global n
probe syscall.write {
	if (pid() == target()) {
		n += 8
		printf("%d a\n", n) printf("%d b\n", n) printf("%d c\n", n) printf("%d d\n", n)
		printf("%d e\n", n) printf("%d f\n", n) printf("%d g\n", n) printf("%d h\n", n)
	}
}
probe end { printf("emitted %d\n", n) }'

# check_accounting NAME WANT_DROPS(yes|no) ETAP-ARGS...
# With drops wanted, etap's output goes to a pipe nobody reads for the
# first second: the reader blocks in write() while dd keeps sending, so
# the buffer must overflow whatever the scheduler does.
check_accounting() {
	local name=$1 want=$2
	shift 2
	if [ "$want" = yes ]; then
		timeout -s INT 60 "$ETAP" "$@" 2>"$TMPD/err" |
			{ sleep 1; cat >"$TMPD/out"; }
		RC=${PIPESTATUS[0]}
	else
		run_etap "$TMPD/out" "$TMPD/err" "$@"
	fi
	local emitted printed dropped
	emitted=$(sed -n 's/^emitted \([0-9]*\)$/\1/p' "$TMPD/out")
	printed=$(grep -Ec '^[0-9]+ [a-h]$' "$TMPD/out")
	dropped=$(sed -n 's/^WARNING: \([0-9]*\) events dropped; increase the buffer with -s MB$/\1/p' "$TMPD/err")
	dropped=${dropped:-0}
	if [ "$RC" -ne 0 ] || [ -z "$emitted" ] || [ "$emitted" -eq 0 ] ||
	   [ $((printed + dropped)) -ne "$emitted" ] ||
	   { [ "$want" = yes ] && { [ "$dropped" -eq 0 ] || [ "$printed" -eq 0 ]; }; } ||
	   { [ "$want" = no ] && [ "$dropped" -ne 0 ]; }; then
		fail "$name" "rc=$RC emitted=$emitted printed=$printed dropped=$dropped (drops wanted: $want)" \
			"stderr: $(head -c 2000 "$TMPD/err")"
		return
	fi
	pass "$name ($printed printed + $dropped dropped = $emitted emitted)"
}

check_accounting flood-tiny-buffer yes -s 0.015625 \
	-c 'dd if=/dev/zero of=/dev/null bs=1 count=20000' -e "$flood_script"
# ... and the drops were said while the run went on, not only at the end.
if grep -Eq '^WARNING: [0-9]+ events dropped so far; increase the buffer with -s MB$' "$TMPD/err"; then
	pass drops-said-while-running
else
	fail drops-said-while-running "stderr: $(head -c 2000 "$TMPD/err")"
fi

# The default 16 MiB buffer holds all 160,000 records even if the reader
# never ran: nothing may be lost.
check_accounting flood-default-buffer no \
	-c 'dd if=/dev/zero of=/dev/null bs=1 count=20000' -e "$flood_script"

# -s takes fractions; nonsense is refused.
expect_err bad-buffer-size 1 "Invalid buffer size 'x'" -s x -e 'probe begin { exit() }'
expect_err zero-buffer-size 1 "Invalid buffer size '0'" -s 0 -e 'probe begin { exit() }'
expect small-buffer-ok 0 "ok" -s 0.004 -e 'probe begin { println("ok") exit() }'

if wait_no_etap_progs; then
	pass "transport: nothing left loaded"
else
	fail "transport: nothing left loaded" "$(bpftool prog list | grep ' name etap_')"
fi
