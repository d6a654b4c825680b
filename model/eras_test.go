package model

import (
	"math/big"
	"testing"
	"time"

	"hasim/model/fabric"
	"hasim/sim"
)

// TestThousandYears: a horizon of 1,000 years runs to its end. The
// calendar is rebased every 50 years (at least 16 times: the horizon must
// come within 200 years of the era's base; at most 19), the
// figures count every year, and a failure process whose times between
// failures are fixed at 100 years fires ten times, at 100-year steps
// that the rebases do not move. The cluster is steady between failures,
// so the run costs a few warm-ups an era.
func TestThousandYears(t *testing.T) {
	cfg := stacked3(0)
	eras, rest, err := LongHorizon(new(big.Int).Mul(big.NewInt(1000), big.NewInt(int64(Year))))
	if err != nil || eras != 20 || rest != 0 {
		t.Fatalf("1000y as %d eras + %v, %v", eras, rest, err)
	}
	cfg.Horizon, cfg.HorizonEras = rest, eras
	cfg.SkipRenewals = true
	century := Life{Kind: LifeFixed, Value: 100 * Year}
	cfg.Failures = []FailureConfig{{Name: "etcd-crash", Class: "host:master-1", TBF: century, TTR: Life{Kind: LifeFixed, Value: time.Minute},
		Fault: FaultConfig{Kind: FaultProcessKill, Process: RoleEtcd}}}
	var c *Cluster
	r, err := Simulate(cfg, RunOptions{BeforeRun: func(cl *Cluster) error { c = cl; return nil }})
	if err != nil {
		t.Fatal(err)
	}
	if r.Outcome != sim.ReachedTime || r.Cut != "" || r.EndString() != "1000y" || r.EndYears() != 1000 || r.Eras < 16 || r.Eras > 19 {
		t.Fatalf("outcome %v, cut %q, end %s (%d years), %d eras; want the time limit at 1000y after 16 to 19 rebases",
			r.Outcome, r.Cut, r.EndString(), r.EndYears(), r.Eras)
	}
	if a := c.FailureStats(); len(a) != 1 || a[0].Arrivals != 9 {
		t.Errorf("arrivals %+v; want 9 (the crash every 100 years from the repair: at 100y, 200y1m, ..., 900y8m)", a)
	}
	// None is listed: the first, at 100 years, comes after the first
	// rebase. The tail holds the last in full, in year 900, and counts the
	// others by year.
	tail := &r.IncidentTail
	if len(r.Incidents) != 0 || tail.Len() != 9 || len(tail.PerYear) != 801 || tail.LastYear() != 900 {
		t.Errorf("%d incidents listed, %d in the tail, per-year counts over %d years, the last in year %d",
			len(r.Incidents), tail.Len(), len(tail.PerYear), tail.LastYear())
	} else {
		for y, n := range r.IncidentTail.PerYear {
			want := 0
			if y%100 == 0 && y > 0 {
				want = 1
			}
			if n != want {
				t.Errorf("year %d: %d incidents, want %d", y, n, want)
			}
		}
	}
	if got := r.MeasuredSeconds() / Year.Seconds(); got < 999.99 || got > 1000 {
		t.Errorf("measured %.4f years", got)
	}
	w := r.Probes[0]
	if w.Availability < 0.999999 || w.Availability >= 1 {
		t.Errorf("write availability %v over 1000 years of nine etcd restarts", w.Availability)
	}
}

// TestLongTimeBetweenFailures: a time between failures longer than a
// timer is armed for at once (maxLife, 73 years) is carried on, not cut:
// with a fixed 100 years over a 150-year horizon, the failure comes at
// 100 years, not at 73.
func TestLongTimeBetweenFailures(t *testing.T) {
	cfg := stacked3(150 * Year)
	cfg.SkipRenewals = true
	cfg.Failures = []FailureConfig{{Name: "etcd-crash", Class: "host:master-1", TBF: Life{Kind: LifeFixed, Value: 100 * Year}, TTR: Exponential(time.Minute),
		Fault: FaultConfig{Kind: FaultProcessKill, Process: RoleEtcd}}}
	r, err := Simulate(cfg, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Faults) != 1 || r.Faults[0].At != sim.At(100*Year) {
		t.Fatalf("faults %+v; want one at 100y", r.Faults)
	}
}

// TestSumPastADuration: a probe's time up over a thousand years passes a
// time.Duration; fabric.Sum holds it, and while under an era it is the
// Duration itself.
func TestSumPastADuration(t *testing.T) {
	var s fabric.Sum
	s.Add(time.Hour)
	if s.Duration() != time.Hour || s.Frac(fabric.Sum{Rest: 2 * time.Hour}) != 0.5 {
		t.Fatalf("an hour: %+v", s)
	}
	for range 1000 {
		s.Add(Year)
	}
	if s.Eras != 20 || s.Rest != time.Hour || s.Duration() != 1<<63-1 {
		t.Errorf("1000 years and an hour: %+v", s)
	}
	if got := s.Seconds() / Year.Seconds(); got < 1000 || got > 1000.001 {
		t.Errorf("%v years", got)
	}
}

// TestEraWithoutARebase: a run past 250 years that never has a moment to
// rebase (a fault in force for ever) ends where its era's calendar must
// stop, 200 years in, and says why.
func TestEraWithoutARebase(t *testing.T) {
	cfg := stacked3(0)
	cfg.HorizonEras = 20 // 1000 years
	cfg.SkipRenewals = true
	cfg.Faults = []FaultConfig{{Name: "master-1 down for good", Kind: FaultHostCrash, At: time.Minute, Target: Target{TargetHost, "master-1"}}}
	cfg.Failures = []FailureConfig{{Name: "etcd-crash", Class: "host:master-2", TBF: Life{Kind: LifeFixed, Value: 100 * Year}, TTR: Life{Kind: LifeFixed, Value: time.Minute},
		Fault: FaultConfig{Kind: FaultProcessKill, Process: RoleEtcd}}}
	r, err := Simulate(cfg, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Eras != 0 || r.EndString() != "200y" || r.Cut == "" || r.Outcome != sim.ReachedTime {
		t.Fatalf("%d eras, end %s, outcome %v, cut %q; want none, 200y and a reason", r.Eras, r.EndString(), r.Outcome, r.Cut)
	}
	t.Log(r.Cut)
}

// TestYearBatchesBounded: over 20,000 years the figures by year keep at
// most MaxYearBatches entries, counting batches of 20 years, and a failure
// every 200 years lands in every tenth batch.
func TestYearBatchesBounded(t *testing.T) {
	cfg := stacked3(0)
	eras, rest, err := LongHorizon(new(big.Int).Mul(big.NewInt(20_000), big.NewInt(int64(Year))))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Horizon, cfg.HorizonEras = rest, eras
	cfg.SkipRenewals = true
	cfg.Failures = []FailureConfig{{Name: "etcd-crash", Class: "host:master-1", TBF: Life{Kind: LifeFixed, Value: 200 * Year},
		TTR: Life{Kind: LifeFixed, Value: time.Minute}, Fault: FaultConfig{Kind: FaultProcessKill, Process: RoleEtcd}}}
	r, err := Simulate(cfg, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r.EndYears() != 20_000 || r.YearsPerBatch != 20 {
		t.Fatalf("reached %d years in batches of %d, want 20000 in batches of 20", r.EndYears(), r.YearsPerBatch)
	}
	for _, f := range r.Functions {
		if len(f.Years) > MaxYearBatches {
			t.Errorf("%s: %d entries by year", f.Name, len(f.Years))
		}
	}
	tail := &r.IncidentTail
	if tail.Len() != 99 || len(tail.PerYear) > MaxYearBatches {
		t.Fatalf("%d incidents, %d entries by year", tail.Len(), len(tail.PerYear))
	}
	for k, n := range tail.PerYear {
		if want := min(1, k/10) * (1 - min(1, k%10)); n != want {
			t.Errorf("batch %d (years %d to %d): %d incidents, want %d", k, 20*k, 20*k+19, n, want)
		}
	}
	if got := tail.LastYear() / r.YearsPerBatch; got != 990 {
		t.Errorf("the last incident in batch %d, want 990", got)
	}
}

// TestYearsPerBatch: one year a batch up to the bound, then the fewest
// whole years that keep the batches within it.
func TestYearsPerBatch(t *testing.T) {
	y := Year.Seconds()
	for _, c := range []struct {
		years   float64
		batches int
		want    int
	}{
		{0.5, 0, 1}, {10, 0, 1}, {1000, 0, 1}, {1000.5, 0, 2}, {1001, 0, 2}, {2000, 0, 2}, {2001, 0, 3},
		{1e6, 0, 1000}, {4, 2, 2}, {5, 2, 3}, {4, -1, 1},
	} {
		if got := YearsPerBatch(c.years*y, c.batches); got != c.want {
			t.Errorf("%v years within %d batches: %d years a batch, want %d", c.years, c.batches, got, c.want)
		}
	}
}
