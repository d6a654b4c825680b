package sim_test

import (
	"testing"
	"time"

	"hasim/sim"
)

// The two engine workloads of shared/bench/README.md, written against the
// public API with the same counts. One workload time unit is one
// microsecond of simulated time.
const (
	w1Procs     = 10_000
	w1Base      = 100_000
	w1Events    = 10_000_000
	w1LastAt    = 104_972_500
	w2Followers = 10_000
	w2Election  = 1_000_000
	w2Heartbeat = 100_000
	w2Partition = 100
	w2Horizon   = 50_050_500
)

func us(n int64) time.Duration { return time.Duration(n) * time.Microsecond }

// runW1 runs the timer storm: process i waits w1Base+i and increments a
// shared counter, until events waits have completed. It returns the count
// and the time of the last event.
func runW1(procs int, events uint64) (uint64, sim.Time) {
	s := sim.New(1)
	var fired uint64
	for i := range procs {
		period := us(w1Base + int64(i))
		var t *sim.Timer
		t = s.NewTimer("w1", func() {
			fired++
			t.ResetAfter(period)
		})
		t.ResetAfter(period)
	}
	s.Run(sim.Bounds{Until: sim.Never, MaxEvents: events})
	return fired, s.Now()
}

// w2Counts are the operations of the reset-heavy workload.
type w2Counts struct{ arms, cancels, fires uint64 }

func (c w2Counts) ops() uint64 { return c.arms + c.cancels + c.fires }

// runW2 runs the reset-heavy workload: a leader heartbeats every
// w2Heartbeat and re-arms the election timer of every follower i with
// i%w2Partition != 0; the others time out and re-arm themselves. A re-arm
// of a pending timer (Reset) counts as one cancel and one arm.
func runW2(followers int, horizon int64) (w2Counts, sim.Time) {
	s := sim.New(1)
	var c w2Counts
	timers := make([]*sim.Timer, followers)
	for i := range followers {
		timeout := us(w2Election + int64(i))
		var t *sim.Timer
		t = s.NewTimer("w2/election", func() {
			c.fires++
			c.arms++
			t.ResetAfter(timeout)
		})
		timers[i] = t
		c.arms++
		t.ResetAfter(timeout)
	}
	var hb *sim.Timer
	hb = s.NewTimer("w2/heartbeat", func() {
		c.fires++
		for i, t := range timers {
			if i%w2Partition == 0 {
				continue
			}
			c.cancels++
			c.arms++
			t.ResetAfter(us(w2Election + int64(i)))
		}
		c.arms++
		hb.ResetAfter(us(w2Heartbeat))
	})
	c.arms++
	hb.ResetAfter(us(w2Heartbeat))
	s.Run(sim.Bounds{Until: sim.At(us(horizon))})
	return c, s.Now()
}

// BenchmarkW1TimerStorm reports events/s on W1; compare with the limit
// program (shared/bench/limit, -tags qbin2, -w w1 -mode lazy) in the same
// run.
func BenchmarkW1TimerStorm(b *testing.B) {
	b.ReportAllocs()
	var total uint64
	for b.Loop() {
		n, last := runW1(w1Procs, w1Events)
		if n != w1Events || last != sim.At(us(w1LastAt)) {
			b.Fatalf("W1: %d events, last at %v; want %d at %v", n, last, w1Events, sim.At(us(w1LastAt)))
		}
		total += n
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkW2ResetHeavy reports operations/s on W2; compare with the limit
// program (-tags qbin4, -w w2 -mode idx) in the same run.
func BenchmarkW2ResetHeavy(b *testing.B) {
	b.ReportAllocs()
	var total uint64
	for b.Loop() {
		c, _ := runW2(w2Followers, w2Horizon)
		if c.arms != 4_965_412 || c.cancels != 4_950_000 || c.fires != 5_411 {
			b.Fatalf("W2 counts: %+v", c)
		}
		total += c.ops()
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "ops/s")
}

// BenchmarkSteadyStateAllocs fires events in a warmed-up W1 queue and
// reports allocations per event, which must be zero.
func BenchmarkSteadyStateAllocs(b *testing.B) {
	s := sim.New(1)
	for i := range 1000 {
		period := us(w1Base + int64(i))
		var t *sim.Timer
		t = s.NewTimer("w1", func() { t.ResetAfter(period) })
		t.ResetAfter(period)
	}
	s.Run(sim.Bounds{Until: sim.Never, MaxEvents: 10_000})
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		s.Step()
	}
}

// TestWorkloadCounts checks the benchmark workloads against the counts the
// bench README gives, so a benchmark never measures the wrong thing.
func TestWorkloadCounts(t *testing.T) {
	if testing.Short() {
		t.Skip("full-size workloads")
	}
	if n, last := runW1(w1Procs, w1Events); n != w1Events || last != sim.At(us(w1LastAt)) {
		t.Errorf("W1: %d events, last at %v; want %d at %v", n, last, w1Events, sim.At(us(w1LastAt)))
	}
	c, _ := runW2(w2Followers, w2Horizon)
	if c.arms != 4_965_412 || c.cancels != 4_950_000 || c.fires != 5_411 || c.ops() != 9_920_823 {
		t.Errorf("W2 counts %+v, want arms 4965412, cancels 4950000, fires 5411", c)
	}
}
