#!/usr/bin/env bash
# Runs the engine workloads W1 and W2 through hasim's engine and, where its
# source is at hand (LIMIT_SRC: the team's plain-heap limit program, which
# is not part of this repository), through that limit program, interleaved
# in the same run, and prints the engine/limit ratios (targets: W1 >= 0.8,
# W2 >= 0.5). Without it the engine's own figures are printed. Results land
# in out/bench/.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
COUNT=${BENCHCOUNT:-6}
LIMIT_SRC=${LIMIT_SRC:-../shared/bench/limit}
out=out/bench
mkdir -p "$out"
: > "$out/sim.txt"
: > "$out/limit.txt"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
limit=false
if [ -d "$LIMIT_SRC" ]; then
	limit=true
	mkdir "$tmp/limit"
	cp -r "$LIMIT_SRC"/. "$tmp/limit/"
	(cd "$tmp/limit" && GOFLAGS= $GO build -tags qbin2 -o ../w1 . && GOFLAGS= $GO build -tags qbin4 -o ../w2 .)
else
	echo "bench: no limit program at $LIMIT_SRC (set LIMIT_SRC): engine figures without ratios" >&2
fi
$GO test -c -o "$tmp/sim.test" ./sim
$GO test -c -o "$tmp/model.test" ./model
$GO test -c -o "$tmp/experiment.test" ./experiment
$GO test -c -o "$tmp/scenarios.test" ./scenarios
: > "$out/model.txt"

for i in $(seq "$COUNT"); do
	if $limit; then
		"$tmp/w1" -w w1 -mode lazy >>"$out/limit.txt"
		"$tmp/w2" -w w2 -mode idx >>"$out/limit.txt"
	fi
	"$tmp/sim.test" -test.run '^$' -test.bench 'W1TimerStorm|W2ResetHeavy' -test.benchmem -test.count 1 | grep -E '^(Benchmark|goos|goarch|pkg|cpu)' >>"$out/sim.txt"
	(cd model && "$tmp/model.test" -test.run '^$' -test.bench 'Stacked3|SlowReads' -test.benchtime 3x -test.count 1) | grep -E '^Benchmark' >>"$out/model.txt"
done

# The closed form beside the simulation: etcd quorum unavailability of 3
# and 5 members with near-instant failover, once (it is a measurement, not
# a timing).
(cd experiment && "$tmp/experiment.test" -test.run '^$' -test.bench 'QuorumClosedForm' -test.benchtime 1x -test.count 1 -test.v) |
	grep -E '^(Benchmark|\s+quorum_test)' | tee "$out/closedform.txt"

# Years of a stacked 3-master cluster under the cloud failure profile with
# the fast-forward; its speedup over a full run (three days, in one run);
# the live heap after 10, 100 and 250 years; the resident set and live heap
# as one run passes 10, 100 and 1,000 years (about 20 CPU-minutes).
(cd scenarios && "$tmp/scenarios.test" -test.run '^$' -test.bench 'YearsStacked3|FastForwardSpeedup|YearsMemory|YearsRSS' -test.benchtime 1x -test.count 1) |
	grep -E '^Benchmark' | tee "$out/years.txt"

# The peak RSS of a whole run of years-stacked-3 (hasim run, one process
# each) over 10, 100, 250 and 1,000 simulated years: the memory a run over
# years needs should not grow with its horizon (past 250 years the
# calendar is rebased every 50). The 1,000-year run takes about 20 minutes
# of CPU. The peak RSS is the Go runtime's high-water mark and moves
# between runs of the same simulation with when the runtime collects and
# returns memory (hasim runs the collector at GOGC 50, internal/gctune,
# which keeps it within about 1 MB), so the 10-year run, the baseline, is
# taken three times and its median used; the live heap after each
# collection (GODEBUG=gctrace=1) is given too: its largest value before the
# report is written (the last collections).
$GO build -o "$tmp/hasim" ./cmd/hasim
: > "$out/years-rss.txt"
for y in 10 10 10 100 250 1000; do
	GODEBUG=gctrace=1 /usr/bin/time -f "%M" -o "$tmp/rss" "$tmp/hasim" run years-stacked-3 --until "${y}y" -q --no-progress >/dev/null 2>"$tmp/gc"
	live=$(awk '/^gc /{split($11,a,"->"); v[++n]=a[3]+0} END {m=0; for(i=1;i<=n-3;i++) if(v[i]>m) m=v[i]; print m}' "$tmp/gc")
	echo "$y $(tail -1 "$tmp/rss") $live" >>"$out/years-rss.txt"
done
awk '$1==10{print $2}' "$out/years-rss.txt" | sort -n | sed -n 2p > "$tmp/base"
awk -v base="$(cat "$tmp/base")" '{printf "years-stacked-3 over %sy: peak RSS %d KB (%+.1f%% against the median of the 10y runs, %d KB; target within 10%%); largest live heap after a collection %d MB\n", $1, $2, ($2-base)*100/base, base, $3}' "$out/years-rss.txt" | tee "$out/years-rss-summary.txt"

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
ew1=$(grep '^BenchmarkW1TimerStorm' "$out/sim.txt" | awk '{for(i=1;i<=NF;i++) if($i=="events/s") print $(i-1)}' | median)
ew2=$(grep '^BenchmarkW2ResetHeavy' "$out/sim.txt" | awk '{for(i=1;i<=NF;i++) if($i=="ops/s") print $(i-1)}' | median)
ms3=$(grep '^BenchmarkStacked3Hour' "$out/model.txt" | awk '{for(i=1;i<=NF;i++) if($i=="events/s") print $(i-1)}' | median)
bpe=$(grep '^BenchmarkStacked3Hour' "$out/model.txt" | awk '{for(i=1;i<=NF;i++) if($i=="B/event") print $(i-1)}' | median)
grow=$(grep '^BenchmarkStacked3Retained' "$out/model.txt" | awk '{for(i=1;i<=NF;i++) if($i=="heap-B/h") print $(i-1)}' | median)
if ! $limit; then
	{
		printf 'workload  engine (median of %d)\n' "$COUNT"
		printf 'W1        %12.0f events/s\nW2        %12.0f ops/s\nStacked3  %12.0f events/s (target >= 3M events/s)\n' "$ew1" "$ew2" "$ms3"
		printf 'Stacked3  %s bytes allocated per event; retained heap grows %s B per simulated hour\n' "$bpe" "$grow"
	} | tee "$out/ratios.txt"
	exit 0
fi
lw1=$(grep 'workload=w1' "$out/limit.txt" | sed 's/.*in_process_rate=//' | median)
lw2=$(grep 'workload=w2' "$out/limit.txt" | sed 's/.*in_process_rate=//' | median)
{
	printf 'workload  engine (median of %d)    limit (median)      ratio   target\n' "$COUNT"
	awk -v e="$ew1" -v l="$lw1" 'BEGIN{printf "W1        %12.0f events/s  %12.0f events/s  %5.2f   >= 0.80\n", e, l, e/l}'
	awk -v e="$ew2" -v l="$lw2" 'BEGIN{printf "W2        %12.0f ops/s     %12.0f ops/s     %5.2f   >= 0.50\n", e, l, e/l}'
	awk -v e="$ms3" -v l="$lw1" 'BEGIN{printf "Stacked3  %12.0f events/s  %12.0f (W1)      %5.2f   >= 0.25 and >= 3M events/s\n", e, l, e/l}'
	printf 'Stacked3  %s bytes allocated per event; retained heap grows %s B per simulated hour\n' "$bpe" "$grow"
} | tee "$out/ratios.txt"
