#!/usr/bin/env bash
# Sweep benchmarks (not tests): throughput on 2 workers against 1
# (BenchmarkSweepWorkers: both in one run, by wall time, with the CPU time
# beside it: the figure that means something on a loaded machine), and
# the peak RSS of a sweep of 1,000 runs against one of 100,000. The sweep
# is experiment/sweep/testdata/tiny.yaml at a 60 s horizon (with the
# warm-up before it, about a millisecond of CPU: a few thousand runs a
# second on two cores, far more than any real study), so that the sweep's own machinery
# (results file appended and synced in order, hand-offs, progress,
# aggregation) is what is measured. Memory is also given at the file's own
# 2 s horizon, the fastest runs there are, as a stress: there the garbage
# collector runs every few milliseconds and the process's peak grows
# with its first ten thousand runs or so (allocation outpacing a
# collection now and then), then stays flat; that figure is reported, not
# held to the target. Results land in out/bench/sweep.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
out=out/bench
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
$GO build -o "$tmp/hasim" ./cmd/hasim
sweep=experiment/sweep/testdata/tiny.yaml

# measure SEEDS WORKERS: prints "wall cpu maxrss_kb"
measure() {
	rm -f "$tmp/r.jsonl"
	/usr/bin/time -f '%e %U %S %M' -o "$tmp/time" "$tmp/hasim" sweep "$sweep" --seeds "$1" --workers "$2" -q --results "$tmp/r.jsonl" "${@:3}" >/dev/null 2>&1
	awk '{printf "%s %.2f %s\n", $1, $2+$3, $4}' "$tmp/time"
}

# rss SEEDS ARGS...: the median peak RSS (KB) of three runs. A peak is
# one moment of a process's life (the scavenger returning freed pages a
# little late), so one run alone says little.
rss() {
	for _ in 1 2 3; do measure "$@" | cut -d' ' -f3; done | sort -n | sed -n 2p
}

# The speedup of 2 workers over 1, both measured in each of 3 iterations.
tput=$($GO test ./experiment/sweep -run '^$' -bench '^BenchmarkSweepWorkers$' -benchtime 3x -count 1 | grep -E '^Benchmark')
long=(--set spec.horizon=60s)
m1k=$(rss 500 2 "${long[@]}")
m100k=$(rss 50000 2 "${long[@]}")
# The run phase alone: a shard's run writes its results and aggregates
# nothing (shard 0 of 2 holds half the runs: 1,000 and 100,000 with twice
# the seeds).
r1k=$(rss 1000 2 --shard 0/2 "${long[@]}")
r100k=$(rss 100000 2 --shard 0/2 "${long[@]}")
# The stress: 2 s horizons.
s1k=$(rss 1000 2 --shard 0/2)
s10k=$(rss 10000 2 --shard 0/2)
s100k=$(rss 100000 2 --shard 0/2)
nproc=$(nproc)
load=$(cut -d' ' -f1 /proc/loadavg)
{
	printf 'sweep throughput, 2 workers against 1, 2,000 runs each (%d cores, load average %s when done; target >= 1.8x on an idle 2-core machine)\n' "$nproc" "$load"
	echo "$tput" | awk '{for (i = 5; i < NF; i += 2) printf "  %s %s\n", $(i+1), $i}'
	awk -v a="$r1k" -v b="$r100k" 'BEGIN{printf "sweep peak RSS (median of 3), running (a shard: results written, nothing aggregated): 1,000 runs %d KB, 100,000 runs %d KB: %+.1f%% (target within 10%%)\n", a, b, (b-a)*100/a}'
	awk -v a="$m1k" -v b="$m100k" 'BEGIN{printf "sweep peak RSS (median of 3), running and aggregating one metric: 1,000 runs %d KB, 100,000 runs %d KB: %+.1f%% (bounded samples: exact up to 4,096 runs a point)\n", a, b, (b-a)*100/a}'
	awk -v a="$s1k" -v m="$s10k" -v b="$s100k" 'BEGIN{printf "stress, 2 s horizons (the fastest runs): a shard of 1,000 runs %d KB, 10,000 runs %d KB (%+.1f%%), 100,000 runs %d KB (%+.1f%%; %+.1f%% from 10,000)\n", a, m, (m-a)*100/a, b, (b-a)*100/a, (b-m)*100/m}'
} | tee "$out/sweep.txt"
