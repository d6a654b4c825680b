package report

import (
	"math"
	"testing"

	"hasim/experiment/sweep"
)

// TestSweepAggregatorBounded: a sweep without a baseline keeps no value
// per run (its samples fold past a few thousand runs a point, their
// figures still right to the histogram's width); with a baseline, each
// run's value by seed is kept for the paired differences, which come out
// exactly.
func TestSweepAggregatorBounded(t *testing.T) {
	const seeds = 20_000
	feed := func(h sweep.Header) *SweepAggregator {
		a := NewSweepAggregator(h)
		for pt := range 2 {
			for s := range seeds {
				x := float64(s%1000) + float64(pt) // uniform on 0..999, shifted by the point
				a.Add(sweep.Record{Point: pt, Seed: uint64(s + 1), Values: sweep.Fields{{Name: "x", Value: "v"}},
					Metrics: sweep.Fields{{Name: "m", Value: x}, {Name: "never", Value: nil}}})
			}
		}
		return a
	}
	a := feed(sweep.Header{Axes: []string{"x"}})
	for pn, p := range a.points {
		if len(p.vals) != 0 || len(p.seeds) != 0 || p.samples["m"].Exact() {
			t.Errorf("point %d keeps %d values by seed and an exact sample (%v) without a baseline", pn, len(p.seeds), p.samples["m"].Exact())
		}
	}
	agg := a.Aggregate()
	if len(agg.Points) != 2 || len(agg.Points[0].Metrics) != 1 {
		t.Fatalf("%d points, %+v: want 2, each with m only (never is never defined)", len(agg.Points), agg.Points)
	}
	m := agg.Points[0].Metrics[0]
	if m.N != seeds || math.Abs(m.Mean.Value-499.5) > 1e-9 || math.Abs(m.Median.Value-499) > 0.005*499 || math.Abs(m.P90.Value-899) > 0.005*899 {
		t.Errorf("n %d, mean %v, median %v, p90 %v; want %d, 499.5, 499 and 899 within 0.5%%", m.N, m.Mean.Value, m.Median.Value, m.P90.Value, seeds)
	}
	base := 0
	b := feed(sweep.Header{Axes: []string{"x"}, Baseline: &base}).Aggregate()
	d := b.Points[1].Metrics[0].Diff
	if d == nil || d.Value != 1 || d.Lo != 1 || d.Hi != 1 {
		t.Errorf("paired difference %+v, want exactly 1", d)
	}
}
