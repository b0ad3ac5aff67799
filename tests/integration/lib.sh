# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers for integration tests: each check prints "PASS name" or
# "FAIL name" plus what differed. Tests run real BPF programs.
ETAP=${ETAP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/etap}
TMPD=$(mktemp -d /tmp/etap-test.XXXXXX)
trap 'rm -rf "$TMPD"' EXIT

pass() { echo "PASS $1"; }
fail() {
	echo "FAIL $1"
	shift
	[ $# -gt 0 ] && printf '    %s\n' "$@"
	return 0
}

# Number of BPF programs etap has loaded right now (names start "etap_").
etap_loaded_progs() {
	bpftool prog list 2>/dev/null | grep -c ' name etap_' || true
}

# Poll briefly: programs are freed asynchronously after their fds close.
wait_no_etap_progs() {
	for _ in $(seq 1 50); do
		[ "$(etap_loaded_progs)" -eq 0 ] && return 0
		sleep 0.1
	done
	return 1
}

# run_etap OUTFILE ERRFILE ARGS...: sets RC
run_etap() {
	local out=$1 err=$2
	shift 2
	timeout -s INT 60 "$ETAP" "$@" >"$out" 2>"$err"
	RC=$?
}

# expect NAME EXPECTED_RC EXPECTED_STDOUT ARGS...
expect() {
	local name=$1 erc=$2 eout=$3
	shift 3
	run_etap "$TMPD/out" "$TMPD/err" "$@"
	local got
	got=$(cat "$TMPD/out")
	if [ "$RC" -ne "$erc" ] || [ "$got" != "$eout" ]; then
		fail "$name" "rc=$RC (want $erc)" "stdout: $got" "want:   $eout" \
			"stderr: $(head -c 2000 "$TMPD/err")"
		return 1
	fi
	pass "$name"
}

# expect_err NAME EXPECTED_RC REGEX ARGS...: stderr must match REGEX (grep -E)
expect_err() {
	local name=$1 erc=$2 re=$3
	shift 3
	run_etap "$TMPD/out" "$TMPD/err" "$@"
	if [ "$RC" -ne "$erc" ] || ! grep -Eq -- "$re" "$TMPD/err"; then
		fail "$name" "rc=$RC (want $erc)" "stderr: $(head -c 2000 "$TMPD/err")" "want /$re/"
		return 1
	fi
	pass "$name"
}
