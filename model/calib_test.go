package model

import (
	"fmt"
	"math"
	"testing"
	"time"

	"hasim/model/etcd"
)

// The tests in this file reproduce the team's real etcd measurements
// (etcd 3.4.23, 3 members, heartbeat 100 ms, election timeout 1000 ms) over
// at least 200 seeds per case. Nothing in the model is fitted to these
// numbers: they must emerge from the mechanisms (tick-based timers,
// randomized timeouts, the CheckQuorum vote lease and stepdown, PreVote,
// reconnection after a heal).

const calibSeeds = 300

// within asserts |got-want| <= tol·want.
func within(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol*want {
		t.Errorf("%s = %.0f ms, real %.0f ms: off by %.1f%% (allowed %.0f%%)", what, got, want, 100*(got-want)/want, tol*100)
	}
}

// killRuns kills the etcd leader (SIGKILL) once per seed and returns the
// times from the kill to the new leader and to the first committed write
// (a put every 20 ms, as the reference harness), and how many failovers
// needed more than one election round.
func killRuns(t *testing.T, phase string, kind FaultKind, dur time.Duration) (lead, write []float64, secondRound int) {
	t.Helper()
	for seed := uint64(1); seed <= calibSeeds; seed++ {
		cfg := etcdBench(seed, "3.4", phase, FaultConfig{Kind: kind, At: faultTime(seed), Duration: dur,
			Target: Target{Kind: TargetLeader, Name: "etcd"}})
		cfg.CheckInvariants = seed%10 == 0
		c := mustRun(t, cfg)
		f := c.Faults[0]
		if f.NewLeaderAt == 0 || f.FirstOK[0] == 0 {
			t.Fatalf("seed %d: no failover (leader at %v, write at %v)", seed, f.NewLeaderAt, f.FirstOK[0])
		}
		lead = append(lead, ms(f.NewLeaderAt.Sub(f.InjectedAt)))
		write = append(write, ms(f.FirstOK[0].Sub(f.InjectedAt)))
		if f.NewLeaderTerm >= f.TermAtInject+2 {
			secondRound++
		}
	}
	return lead, write, secondRound
}

func mustRun(t *testing.T, cfg Config) *Cluster {
	t.Helper()
	c, err := Build(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c.Run()
	if v := c.Violations(); len(v) > 0 {
		t.Fatalf("seed %d: invariants violated: %v", cfg.Seed, v)
	}
	return c
}

// TestEtcdLeaderKillMatchesReal: the measured leader SIGKILL (random tick phases,
// because the killed member is restarted every trial).
//   - new leader: p50 within 10% and p90 within 20% of 1235 / 1954 ms;
//   - first committed write: likewise of 1245 / 1960 ms;
//   - never faster than the mechanism allows: a follower campaigns no
//     earlier than its E-th tick after the last heartbeat, (E-2)·h = 800 ms
//     after the kill at the very least;
//   - 5–15% of failovers need a second round (term +2), because the other
//     survivor's CheckQuorum lease had a tick to go.
func TestEtcdLeaderKillMatchesReal(t *testing.T) {
	lead, write, second := killRuns(t, "random", FaultProcessKill, 0)
	l, w := summarize(lead), summarize(write)
	t.Logf("kill: new leader %v ms, first write %v ms, second round %d/%d", l, w, second, len(lead))
	within(t, "new leader p50", l.p50, 1235, 0.10)
	within(t, "new leader p90", l.p90, 1954, 0.20)
	within(t, "first write p50", w.p50, 1245, 0.10)
	within(t, "first write p90", w.p90, 1960, 0.20)
	if l.min < 800 {
		t.Errorf("fastest failover %.0f ms: faster than (E-2)·h = 800 ms", l.min)
	}
	if rate := float64(second) / float64(len(lead)); rate < 0.05 || rate > 0.15 {
		t.Errorf("second-round failovers %.1f%%, want 5–15%%", rate*100)
	}
}

// TestEtcdLeaderStopMatchesReal: the measured leader SIGSTOP for 3 s.
// For the survivors a frozen leader is a dead one; the distributions match
// the measured ones (random phases: 1263 / 2484 ms new leader p50/p90 has
// a heavy tail from 5 of 30 second rounds; aligned: 1290 / 1657 ms).
func TestEtcdLeaderStopMatchesReal(t *testing.T) {
	lead, write, _ := killRuns(t, "aligned", FaultProcessPause, 3*time.Second)
	l, w := summarize(lead), summarize(write)
	t.Logf("stop (aligned): new leader %v ms, first write %v ms", l, w)
	within(t, "new leader p50 (aligned)", l.p50, 1290, 0.10)
	within(t, "first write p50 (aligned)", w.p50, 1305, 0.10)
	if l.min < 800 {
		t.Errorf("fastest failover %.0f ms: faster than the mechanism allows", l.min)
	}
}

// partitionRun isolates the etcd leader from the other members for 4 s
// (client traffic still reaches it, as in the reference) and measures the
// isolated leader's stepdown, the majority's new leader, and whether the
// majority's leader is deposed after the heal.
type partitionRun struct {
	stepdown, newLeader float64 // ms after the partition
	deposed             bool    // a higher-term leader after the heal
	campaigns           int     // the isolated node's campaigns before the heal
}

func runPartition(t *testing.T, seed uint64, version, phase string) partitionRun {
	t.Helper()
	peer := Target{Kind: TargetRole, Name: "etcd"}
	cfg := etcdBench(seed, version, phase, FaultConfig{Kind: FaultPartition, At: faultTime(seed), Duration: 4 * time.Second,
		Target: Target{Kind: TargetLeader, Name: "etcd"}, Peer: &peer})
	cfg.CheckInvariants = seed%10 == 0
	c := mustRun(t, cfg)
	f := c.Faults[0]
	r := partitionRun{newLeader: ms(f.NewLeaderAt.Sub(f.InjectedAt)), stepdown: -1}
	for _, rec := range c.Timeline() {
		switch {
		case rec.T < f.InjectedAt:
		case rec.Event == etcd.EvStepDown && rec.Member == f.LeaderAtInject && r.stepdown < 0:
			r.stepdown = ms(rec.T.Sub(f.InjectedAt))
		case rec.Event == etcd.EvCandidate && rec.Member == f.LeaderAtInject && rec.T < f.HealedAt:
			r.campaigns++
		case rec.Event == etcd.EvLeader && rec.T >= f.HealedAt && rec.Term > f.NewLeaderTerm:
			r.deposed = true
		}
	}
	return r
}

// TestEtcdIsolatedLeader: the measured isolated leader, pre-vote off and on.
//   - the isolated leader steps down between one and two election timeouts
//     after the partition (CheckQuorum every E of its own ticks: the second
//     check after the cut is the first whose window saw no follower);
//   - the majority elects a new leader as after a crash (p50 within 10% of
//     1265 ms aligned);
//   - after the heal, without pre-vote, the isolated node's inflated term
//     deposes the majority's leader in most trials (measured 22 of 30 and
//     19 of 30), and with pre-vote in none (measured 0 of 30).
func TestEtcdIsolatedLeader(t *testing.T) {
	for _, tc := range []struct {
		version, phase string
		wantDeposedMin float64 // fraction
		wantDeposedMax float64
	}{
		{"3.4", "aligned", 0.5, 1},
		{"3.4", "random", 0.5, 1},
		{"3.5", "aligned", 0, 0},
	} {
		t.Run(tc.version+"/"+tc.phase, func(t *testing.T) {
			var sd, nl []float64
			deposed, multi := 0, 0
			for seed := uint64(1); seed <= calibSeeds; seed++ {
				r := runPartition(t, seed, tc.version, tc.phase)
				if r.stepdown < 1000 || r.stepdown > 2000 {
					t.Fatalf("seed %d: isolated leader stepped down %.0f ms after the partition, want 1000–2000", seed, r.stepdown)
				}
				sd = append(sd, r.stepdown)
				nl = append(nl, r.newLeader)
				if r.deposed {
					deposed++
				}
				if r.campaigns > 1 {
					multi++
				}
			}
			frac := float64(deposed) / calibSeeds
			t.Logf("stepdown %v ms, majority leader %v ms, deposed after heal %.0f%%, ≥2 campaigns before heal %.0f%%",
				summarize(sd), summarize(nl), frac*100, 100*float64(multi)/calibSeeds)
			if tc.phase == "aligned" {
				within(t, "majority new leader p50", summarize(nl).p50, map[string]float64{"3.4": 1265, "3.5": 1271}[tc.version], 0.10)
			}
			if frac < tc.wantDeposedMin || frac > tc.wantDeposedMax {
				t.Errorf("majority leader deposed after the heal in %.0f%% of trials, want %.0f%%–%.0f%%",
					frac*100, tc.wantDeposedMin*100, tc.wantDeposedMax*100)
			}
		})
	}
}

// TestEtcdResumedLeaderStepsDown: the measured leader SIGSTOP. A leader
// frozen for 3 s reads the new leader's buffered higher-term messages first
// on resume and steps down at once; it never acts as leader after resuming.
func TestEtcdResumedLeaderStepsDown(t *testing.T) {
	for seed := uint64(1); seed <= calibSeeds; seed++ {
		cfg := etcdBench(seed, "3.4", "random", FaultConfig{Kind: FaultProcessPause, At: faultTime(seed), Duration: 3 * time.Second,
			Target: Target{Kind: TargetLeader, Name: "etcd"}})
		c := mustRun(t, cfg)
		f := c.Faults[0]
		var follower, led bool
		for _, r := range c.Timeline() {
			if r.T < f.HealedAt || r.Member != f.LeaderAtInject {
				continue
			}
			if r.Event == etcd.EvFollower && !follower {
				follower = true
				if d := r.T.Sub(f.HealedAt); d > 5*time.Millisecond {
					t.Fatalf("seed %d: resumed leader became follower %v after resuming, want at once", seed, d)
				}
			}
			if r.Event == etcd.EvFirstCommit && !follower {
				led = true
			}
		}
		if !follower || led {
			t.Fatalf("seed %d: resumed leader follower=%v, committed as leader after resume=%v", seed, follower, led)
		}
	}
}

// ExampleSummarize documents the percentile convention used above.
func Example_nearestRank() {
	fmt.Println(nearestRank([]float64{5, 1, 4, 2, 3}, 0.5), nearestRank([]float64{5, 1, 4, 2, 3}, 0.9))
	// Output: 3 5
}
