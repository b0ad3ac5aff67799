#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The per-CPU counting optimisation: counts[execname()]++ in a kernel probe,
# read only in user context, becomes a per-CPU hash map (no cache line
# bouncing between CPUs, no atomic on a shared counter). This measures a
# workload that hits the probe from two CPUs at once, with the same key,
# under three setups in one run:
#   base    no tracing
#   shared  the array as a shared hash map (ETAP_PERCPU=0)
#   percpu  the array as etap builds it (per-CPU hash map)
# It prints the workload times and, from the kernel's BPF run-time
# statistics (kernel.bpf_stats_enabled), the mean time of one probe run
# with shared and with per-CPU storage, and their ratio. Runs are
# interleaved; the median of ROUNDS is kept. Needs root, 2 CPUs, bpftool
# and python3. Not part of the test suite: timings depend on the machine.
#
#   bench/percpu_counts.sh [ROUNDS] [READS_PER_CPU]
set -eu
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ETAP=${ETAP:-$ROOT/etap}
ROUNDS=${1:-5}
N=${2:-1000000}
TMP=$(mktemp -d /tmp/etap-bench.XXXXXX)
STATS=/proc/sys/kernel/bpf_stats_enabled
OLD_STATS=$(cat "$STATS")
trap 'echo "$OLD_STATS" >"$STATS"; rm -rf "$TMP"' EXIT
echo 1 >"$STATS"

[ "$(nproc)" -ge 2 ] || { echo "needs 2 CPUs" >&2; exit 1; }

# Two dd's, one pinned to each CPU, each doing N one-byte reads. The
# script times itself, so etap's start-up and exit stay out of the
# numbers, and reads the probe's run statistics while it is attached.
cat >"$TMP/load.sh" <<EOF
t0=\$(date +%s.%N)
taskset -c 0 dd if=/dev/zero of=/dev/null bs=1 count=$N status=none &
taskset -c 1 dd if=/dev/zero of=/dev/null bs=1 count=$N status=none &
wait
echo \$t0 \$(date +%s.%N) >$TMP/t
bpftool -j map show >$TMP/maps.json 2>/dev/null
bpftool -j prog show >$TMP/progs.json 2>/dev/null
EOF

# ns per run of the program that uses the map a_pcbench
cat >"$TMP/probe_ns.py" <<'EOF'
import json, sys
maps = json.load(open(sys.argv[1]))
progs = json.load(open(sys.argv[2]))
ids = {m["id"] for m in maps if m.get("name", "").startswith("a_pcbench")}
t = c = 0
for p in progs:
    if ids & set(p.get("map_ids", [])):
        t += p.get("run_time_ns", 0)
        c += p.get("run_cnt", 0)
print("%.1f" % (t / c) if c else "nan")
EOF

SCRIPT='global pcbench
probe syscall.read { if (ppid() == target() && $fd == 0) pcbench[execname()]++ }
probe end { foreach (k in pcbench) printf("%s %d\n", k, pcbench[k]) }'

# run_one SETUP: appends the workload's seconds to $TMP/SETUP and, when
# traced, the ns of one probe run to $TMP/SETUP.ns
run_one() {
	local t0 t1 out pc=1
	rm -f "$TMP/t"
	case $1 in
	base)
		sh "$TMP/load.sh"
		;;
	shared | percpu)
		[ "$1" = shared ] && pc=0
		out=$(ETAP_PERCPU=$pc "$ETAP" -c "sh $TMP/load.sh" -e "$SCRIPT")
		if [ "$out" != "dd $((2 * N))" ]; then
			echo "wrong count under $1: $out" >&2
			exit 1
		fi
		python3 "$TMP/probe_ns.py" "$TMP/maps.json" "$TMP/progs.json" \
			>>"$TMP/$1.ns"
		;;
	esac
	read -r t0 t1 <"$TMP/t"
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f\n", b - a }' >>"$TMP/$1"
}

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

for _ in $(seq 1 "$ROUNDS"); do
	for s in base shared percpu; do
		run_one $s
	done
done
awk -v b="$(median <"$TMP/base")" -v s="$(median <"$TMP/shared")" \
	-v p="$(median <"$TMP/percpu")" -v sn="$(median <"$TMP/shared.ns")" \
	-v pn="$(median <"$TMP/percpu.ns")" -v n="$N" -v r="$ROUNDS" 'BEGIN {
	printf "workload: 2 CPUs x %d one-byte reads (same key), median of %d rounds\n", n, r
	printf "workload time: base %.3f s, shared %.3f s, percpu %.3f s\n", b, s, p
	printf "ratio shared/percpu workload time: %.2f\n", s / p
	printf "one probe run: shared %.1f ns, percpu %.1f ns\n", sn, pn
	printf "ratio shared/percpu probe run time: %.2f\n", sn / pn
}'
