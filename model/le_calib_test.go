package model

import (
	"math"
	"testing"
	"time"

	"hasim/sim"

	"hasim/model/etcd"
	"hasim/model/fabric"
	"hasim/model/kube"
)

// leBench is the reference's client-go setup: three candidates answered
// in microseconds by one store (here: one apiserver over a one-member etcd
// with near-free fsync, on a fast local network).
func leBench(seed uint64, le kube.LeaderElectionConfig, faults ...FaultConfig) Config {
	net := fabric.DefaultNetworkConfig()
	net.SameZone = fabric.Between(20*time.Microsecond, 60*time.Microsecond)
	net.Loopback = fabric.Fixed(10 * time.Microsecond)
	fast := fabric.Between(20*time.Microsecond, 50*time.Microsecond)
	return Config{
		Seed: seed, Horizon: 90 * time.Second, Zones: []string{"lab"},
		Hosts: []fabric.HostConfig{{Name: "api", Zone: "lab", Fsync: fast}, {Name: "c1", Zone: "lab", Fsync: fast},
			{Name: "c2", Zone: "lab", Fsync: fast}, {Name: "c3", Zone: "lab", Fsync: fast}},
		Network:     net,
		EtcdMembers: []string{"api"},
		Etcd:        etcd.EtcdConfig{Version: "3.5"},
		APIServers:  []kube.APIServerConfig{{Host: "api", Etcd: []string{"etcd-1"}}},
		Groups:      []kube.LeaseGroupConfig{{Name: kube.GroupKCM, Hosts: []string{"c1", "c2", "c3"}, Endpoint: "all", LE: le, NoRestart: true}},
		Faults:      faults,
	}
}

type leRun struct{ newStart, oldStop, fromChange float64 }

func runLE(t *testing.T, seed uint64, le kube.LeaderElectionConfig, f FaultConfig) leRun {
	t.Helper()
	f.Target = Target{Kind: TargetLeader, Name: kube.GroupKCM}
	f.Process = kube.GroupKCM
	c := mustRun(t, leBench(seed, le, f))
	ft := c.Faults[0]
	old := ""
	r := leRun{newStart: -1, oldStop: -1}
	// The last change of the record as the followers compare it: the
	// leader's first write in each second of its wall clock.
	var lastChange sim.Time
	prevSec := int64(-1)
	for _, rec := range c.Timeline() {
		if rec.T < ft.InjectedAt {
			if rec.Event == kube.EvLeaseAcquired {
				old = rec.Proc
			}
			if (rec.Event == kube.EvLeaseRenewed || rec.Event == kube.EvLeaseAcquired) && rec.Proc == old {
				if sec := (int64(c.WallEpoch) + int64(rec.T)) / int64(time.Second); sec != prevSec {
					lastChange, prevSec = rec.T, sec
				}
			}
			continue
		}
		switch {
		case rec.Event == kube.EvLeaseAcquired && rec.Proc != old && r.newStart < 0:
			r.newStart = ms(rec.T.Sub(ft.InjectedAt))
			r.fromChange = ms(rec.T.Sub(lastChange))
		case (rec.Event == kube.EvLeaseLost || rec.Event == fabric.EvProcExited) && rec.Proc == old && r.oldStop < 0:
			r.oldStop = ms(rec.T.Sub(ft.InjectedAt))
		}
	}
	return r
}

// leCase is one client-go case: a fault on the leader and the measured
// quantiles (ms) of what it changes.
type leCase struct {
	name  string
	le    kube.LeaderElectionConfig
	fault FaultConfig
}

// leSeeds is how many seeds each client-go case runs.
const leSeeds = 800

// leRuns runs a case over leSeeds seeds, each with the fault at a different
// point of the renew cycle and of the wall-clock second.
func leRuns(t *testing.T, tc leCase) (newStart, oldStop, overlap, fromChange []float64) {
	t.Helper()
	for seed := uint64(1); seed <= leSeeds; seed++ {
		f := tc.fault
		f.At = 40*time.Second + time.Duration(seed*7919%5000)*time.Millisecond + time.Duration(seed*104729%997)*time.Microsecond
		r := runLE(t, seed, tc.le, f)
		newStart = append(newStart, r.newStart)
		oldStop = append(oldStop, r.oldStop)
		overlap = append(overlap, r.oldStop-r.newStart)
		fromChange = append(fromChange, r.fromChange)
	}
	return
}

// medianBand is the central 95% range of the median of n draws from xs
// (bootstrap, deterministic): where a sample median of a real measurement
// with n trials can fall if the model is right.
func medianBand(xs []float64, n int) (lo, hi float64) {
	st := sim.New(99).Stream("bootstrap")
	var meds []float64
	sample := make([]float64, n)
	for b := uint64(0); b < 2000; b++ {
		for i := range sample {
			sample[i] = xs[st.IntN(b*uint64(n)+uint64(i), len(xs))]
		}
		meds = append(meds, nearestRank(sample, 0.5))
	}
	return nearestRank(meds, 0.025), nearestRank(meds, 0.975)
}

// TestClientGoMatchesReal reproduces the team's client-go measurements
// (client-go v0.37.2, three candidates, a conflict-enforcing store) for
// config A (1.5s/1s/0.2s) and D (15s/10s/2s): crash, release, partition
// (API calls fail at once) and pause (API calls block until 2·LD, past
// their deadline, as the fake clientset's did). Asserted: p50 within 10%
// and p90 within 20% of the measured values; the partition overlap
// positive in most trials for A and in none for D.
//
// Some medians are checked by their sampling band instead: the measured
// median must lie in the 95% band of medians of n draws from the
// simulated distribution, i.e. be consistent with the mechanism given the
// measurement's sample size (n = 30, or 10 for D). They are:
//   - A's new start after the fault (crash 658, partition 679, pause 602
//     ms; the three measure one mechanism and already differ by 13%).
//     Measured from the last change of the record, which is the
//     mechanism's own reference point, the simulated takeover is within
//     10% / 20% (asserted: real 1212 / 1374 ms). From the fault it adds
//     the time since that change, which depends on where the harness put
//     the fault within a wall-clock second; hasim puts it uniformly, and
//     its median (≈745 ms) is the reference's own mechanism model's (744).
//   - the release medians (A 113 ms, D 1.29 s with n = 10; the
//     reference's model predicts 95 ms and 0.97 s, as hasim does) and A's
//     partition overlap (353 ms).
func TestClientGoMatchesReal(t *testing.T) {
	A := kube.LeaderElectionConfig{LeaseDuration: 1500 * time.Millisecond, RenewDeadline: time.Second, RetryPeriod: 200 * time.Millisecond}
	D := kube.LeaderElectionConfig{LeaseDuration: 15 * time.Second, RenewDeadline: 10 * time.Second, RetryPeriod: 2 * time.Second}
	release := func(le kube.LeaderElectionConfig) kube.LeaderElectionConfig { le.ReleaseOnCancel = true; return le }
	blocking := func(le kube.LeaderElectionConfig) kube.LeaderElectionConfig {
		le.RequestTimeout, le.KeepCallsPastDeadline = -1, true
		return le
	}
	type check struct {
		metric   string
		xs       func(ns, os, ov, fc []float64) []float64
		p50, p90 float64
		n        int  // trials behind the measurement
		band     bool // check the median by its sampling band instead of 10%
	}
	ns := func(a, _, _, _ []float64) []float64 { return a }
	st := func(_, b, _, _ []float64) []float64 { return b }
	ov := func(_, _, c, _ []float64) []float64 { return c }
	fc := func(_, _, _, d []float64) []float64 { return d }
	cases := []struct {
		tc     leCase
		checks []check
		posMin float64 // fraction of positive overlaps, or -1
		posMax float64
	}{
		{leCase{"A/crash", A, FaultConfig{Kind: FaultProcessKill}}, []check{
			{"new start", ns, 658, 1089, 30, true}, {"new start from the last change", fc, 1212, 1374, 30, false}}, -1, 0},
		{leCase{"A/release", release(A), FaultConfig{Kind: FaultProcessStop}}, []check{{"new start", ns, 113, 203, 30, true}}, -1, 0},
		{leCase{"A/partition", A, FaultConfig{Kind: FaultAPIError}}, []check{
			{"old stop", st, 1111, 1177, 30, false}, {"new start", ns, 679, 1125, 30, true}, {"overlap", ov, 353, 680, 30, true}}, 0.6, 1},
		{leCase{"A/pause", blocking(A), FaultConfig{Kind: FaultAPIBlock, Duration: 3 * time.Second}}, []check{
			{"old stop", st, 3001, 3001, 30, false}, {"new start", ns, 602, 1156, 30, true}, {"overlap", ov, 2265, 2575, 30, false}}, -1, 0},
		{leCase{"D/crash", D, FaultConfig{Kind: FaultProcessKill}}, []check{{"new start", ns, 16020, 17390, 10, false}}, -1, 0},
		{leCase{"D/release", release(D), FaultConfig{Kind: FaultProcessStop}}, []check{{"new start", ns, 1290, 2100, 10, true}}, -1, 0},
		{leCase{"D/partition", D, FaultConfig{Kind: FaultAPIError}}, []check{
			{"old stop", st, 10810, 11680, 10, false}, {"new start", ns, 15460, 17940, 10, false}, {"overlap", ov, -5360, -4290, 10, false}}, 0, 0},
		{leCase{"D/pause", blocking(D), FaultConfig{Kind: FaultAPIBlock, Duration: 30 * time.Second}}, []check{
			{"old stop", st, 30000, 30000, 10, false}, {"new start", ns, 15490, 18730, 10, false}, {"overlap", ov, 14360, 15090, 10, false}}, -1, 0},
	}
	for _, c := range cases {
		t.Run(c.tc.name, func(t *testing.T) {
			a, b, d, e := leRuns(t, c.tc)
			for _, ck := range c.checks {
				xs := ck.xs(a, b, d, e)
				for _, x := range xs {
					if x == -1 || (ck.metric == "old stop" && x < 0) {
						t.Fatalf("%s: a run without the event", ck.metric)
					}
				}
				q := summarize(xs)
				t.Logf("%s: %v ms (real p50 %.0f, p90 %.0f)", ck.metric, q, ck.p50, ck.p90)
				if ck.band {
					lo, hi := medianBand(xs, ck.n)
					if ck.p50 < lo || ck.p50 > hi {
						t.Errorf("%s: measured median %.0f outside the simulated 95%% band [%.0f, %.0f] for n = %d", ck.metric, ck.p50, lo, hi, ck.n)
					}
				} else {
					withinSigned(t, ck.metric+" p50", q.p50, ck.p50, 0.10)
				}
				withinSigned(t, ck.metric+" p90", q.p90, ck.p90, 0.20)
			}
			if c.posMin >= 0 {
				pos := 0
				for _, x := range d {
					if x > 0 {
						pos++
					}
				}
				if f := float64(pos) / float64(len(d)); f < c.posMin || f > c.posMax {
					t.Errorf("overlap positive in %.0f%% of trials, want %.0f%%–%.0f%%", f*100, c.posMin*100, c.posMax*100)
				}
			}
		})
	}
}

// withinSigned is within for values that may be negative.
func withinSigned(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol*math.Abs(want) {
		t.Errorf("%s = %.0f ms, real %.0f ms: off by %.1f%% (allowed %.0f%%)", what, got, want, 100*(got-want)/math.Abs(want), tol*100)
	}
}
