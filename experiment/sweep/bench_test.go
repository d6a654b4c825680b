package sweep

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"hasim/internal/cputime"
	"hasim/scenarios"
)

// BenchmarkSweepWorkers runs the same sweep on 1 and on 2 workers, one
// after the other in each iteration, and reports the ratio of their wall
// times (the speedup) and of their CPU times. The sweep is testdata's
// tiny one at 60 simulated seconds a run (about a millisecond of CPU), so
// that the sweep's own machinery — the results file appended and synced
// in order, the workers' hand-offs — weighs as much as it ever does.
func BenchmarkSweepWorkers(b *testing.B) {
	o, err := scenarios.ParseOverride("spec.horizon=60s")
	if err != nil {
		b.Fatal(err)
	}
	p, err := Load(context.Background(), "testdata/tiny.yaml", nil, Options{Set: []scenarios.Override{o}, Seeds: 1000})
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	if d := os.Getenv("SWEEPDIR"); d != "" {
		dir = d
	}
	run := func(workers int) (wall, cpu time.Duration) {
		path := filepath.Join(dir, "r.jsonl")
		os.Remove(path)
		res, err := p.Open(path, "bench", Shard{}, false)
		if err != nil {
			b.Fatal(err)
		}
		t0, c0 := time.Now(), cputime.Now()
		if err := p.Run(context.Background(), res, Shard{}, RunOptions{Workers: workers}); err != nil {
			b.Fatal(err)
		}
		wall, cpu = time.Since(t0), cputime.Now()-c0
		res.Close()
		return wall, cpu
	}
	var w1, w2, c1, c2 time.Duration
	for b.Loop() {
		w, c := run(1)
		w1, c1 = w1+w, c1+c
		w, c = run(2)
		w2, c2 = w2+w, c2+c
	}
	b.ReportMetric(w1.Seconds()/w2.Seconds(), "speedup-2/1")
	b.ReportMetric(c2.Seconds()/c1.Seconds(), "cpu-2/1")
	b.ReportMetric(c2.Seconds()/w2.Seconds(), "cores-busy-2")
	b.ReportMetric(c1.Seconds()/w1.Seconds(), "cores-busy-1")
	b.ReportMetric(float64(p.Runs())*float64(b.N)/w2.Seconds(), "runs/s-2-workers")
}
