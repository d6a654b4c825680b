package model

import (
	"testing"
	"time"

	"hasim/model/kube"
)

// splitRuns runs a leader-election fault over seeds and returns, per run,
// the total time two candidates believed they led and the total time two
// acted on it (running, not frozen).
func splitRuns(t *testing.T, seeds uint64, le kube.LeaderElectionConfig, rate float64, f FaultConfig) (believe, act []time.Duration) {
	t.Helper()
	for seed := uint64(1); seed <= seeds; seed++ {
		cfg := leBench(seed, le, f)
		cfg.Faults[0].At = 40*time.Second + time.Duration(seed*7919%5000)*time.Millisecond
		cfg.Faults[0].Target = Target{Kind: TargetLeader, Name: kube.GroupKCM}
		cfg.Faults[0].Process = kube.GroupKCM
		if rate != 0 {
			for i := range cfg.Hosts {
				cfg.Hosts[i].Clock.Rate = rate
			}
		}
		c := mustRun(t, cfg)
		g := c.Groups[0]
		var b, a time.Duration
		for _, iv := range g.Split.List {
			b += iv.To.Sub(iv.From)
		}
		for _, iv := range g.ActSplit.List {
			a += iv.To.Sub(iv.From)
		}
		believe, act = append(believe, b), append(act, a)
	}
	return
}

func countPositive(xs []time.Duration) int {
	n := 0
	for _, x := range xs {
		if x > 0 {
			n++
		}
	}
	return n
}

// TestNoSplitBrainWithDefaults: with client-go's default 15s/10s/2s, equal
// clock rates and no pauses, the old leader always stops before anyone can
// take over (the slack LD − RD − RP = 3 s covers the observation lag), so
// no two candidates ever believe they lead at once, whether the leader
// crashes, loses its API path or stops gracefully.
func TestNoSplitBrainWithDefaults(t *testing.T) {
	for _, f := range []FaultConfig{{Kind: FaultProcessKill}, {Kind: FaultAPIError}, {Kind: FaultProcessStop}} {
		b, _ := splitRuns(t, 60, kube.LeaderElectionConfig{}, 0, f)
		if n := countPositive(b); n > 0 {
			t.Errorf("%s: split brain in %d of %d runs", f.Kind, n, len(b))
		}
	}
}

// TestSplitBrainAfterLongPause: a leader frozen (SIGSTOP) for longer than
// the lease is replaced meanwhile; on resume its renew sleep has expired,
// so it starts a fresh round with a fresh RenewDeadline and keeps acting
// until that round fails: up to RenewDeadline of acting split brain
// (client-go's renew loop in leaderelection.go).
func TestSplitBrainAfterLongPause(t *testing.T) {
	b, a := splitRuns(t, 40, kube.LeaderElectionConfig{}, 0, FaultConfig{Kind: FaultProcessPause, Duration: 25 * time.Second})
	for i := range b {
		if a[i] <= 0 || b[i] <= a[i] {
			t.Fatalf("run %d: believing overlap %v, acting overlap %v: want both, believing longer", i+1, b[i], a[i])
		}
		if a[i] < 8*time.Second || a[i] > 10*time.Second+100*time.Millisecond {
			t.Fatalf("run %d: acting overlap %v after resume, want about RenewDeadline (8–10 s)", i+1, a[i])
		}
	}
}

// TestShortPauseIsHarmless: a leader frozen for less than the time anyone
// needs to take over resumes, renews and carries on: no split brain.
func TestShortPauseIsHarmless(t *testing.T) {
	b, _ := splitRuns(t, 40, kube.LeaderElectionConfig{}, 0, FaultConfig{Kind: FaultProcessPause, Duration: 8 * time.Second})
	if n := countPositive(b); n > 0 {
		t.Errorf("split brain in %d of %d runs after an 8 s pause", n, len(b))
	}
}

// TestSplitBrainWithFastClocks: client-go tolerates clock offsets but not
// rate differences. Candidates whose clocks run twice as fast count the
// 15 s lease in 7.5 s of true time, while the partitioned leader stops
// only 10–12 s after losing its API path: both lead at once.
func TestSplitBrainWithFastClocks(t *testing.T) {
	le := kube.LeaderElectionConfig{}
	var believe []time.Duration
	for seed := uint64(1); seed <= 40; seed++ {
		cfg := leBench(seed, le, FaultConfig{Kind: FaultAPIError, At: 40*time.Second + time.Duration(seed*7919%5000)*time.Millisecond,
			Target: Target{Kind: TargetLeader, Name: kube.GroupKCM}, Process: kube.GroupKCM})
		// c1..c3 are candidates; whichever leads, the others run fast: make
		// every candidate host fast and the leader's own clock irrelevant by
		// checking the leader's stop in true time (its renew deadline is on
		// its own clock, so it stops even sooner: 5–6 s).
		for i := range cfg.Hosts {
			if cfg.Hosts[i].Name != "api" {
				cfg.Hosts[i].Clock.Rate = 2
			}
		}
		c := mustRun(t, cfg)
		var b time.Duration
		for _, iv := range c.Groups[0].Split.List {
			b += iv.To.Sub(iv.From)
		}
		believe = append(believe, b)
	}
	// With all clocks fast, old stop ≈ (RD + U·RP)/2 = 5–6 s and takeover ≈
	// (LD + lag)/2 = 6.5–11.9 s: no overlap. That is the point: equal rates,
	// however fast, are safe.
	if n := countPositive(believe); n > 0 {
		t.Fatalf("equally fast clocks: split brain in %d runs", n)
	}
	// Now only the followers run fast: the leader's host keeps a true clock.
	believe = believe[:0]
	for seed := uint64(1); seed <= 40; seed++ {
		cfg := leBench(seed, le, FaultConfig{Kind: FaultAPIError, At: 40*time.Second + time.Duration(seed*7919%5000)*time.Millisecond,
			Target: Target{Kind: TargetLeader, Name: kube.GroupKCM}, Process: kube.GroupKCM})
		c, err := Build(cfg)
		if err != nil {
			t.Fatal(err)
		}
		// Speed up the followers' clocks once the leader is known.
		c.Sim.At(c.Sim.Now().Add(30*time.Second), "test/skew", func() {
			for _, k := range c.Groups[0].Candidates {
				if !k.Leading() {
					k.Proc.Host.SetRate(c.Sim.Now(), 2)
				}
			}
		})
		c.Run()
		var b time.Duration
		for _, iv := range c.Groups[0].Split.List {
			b += iv.To.Sub(iv.From)
		}
		believe = append(believe, b)
	}
	if n := countPositive(believe); n < 30 {
		t.Fatalf("followers' clocks 2× fast: split brain in only %d of 40 runs", n)
	}
}

// TestSplitBrainFromTruncation: with LeaseDuration 1.5 s the record says 1
// second (truncated), and followers see changes only once per wall-clock
// second; the documented invariant LD > RD no longer prevents overlap.
func TestSplitBrainFromTruncation(t *testing.T) {
	A := kube.LeaderElectionConfig{LeaseDuration: 1500 * time.Millisecond, RenewDeadline: time.Second, RetryPeriod: 200 * time.Millisecond}
	b, _ := splitRuns(t, 60, A, 0, FaultConfig{Kind: FaultAPIError})
	if n := countPositive(b); n < 40 {
		t.Fatalf("LD 1.5 s: split brain in only %d of 60 runs", n)
	}
}
