package scenarios

import (
	"strings"
	"testing"
	"time"

	"hasim/model"
	"hasim/sim"
)

// runLibrary runs a built-in scenario with a seed and returns its result.
func runLibrary(t *testing.T, name string, seed uint64, edit func(*model.Config)) model.Result {
	t.Helper()
	s, err := Resolve(name, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg := s.Config()
	cfg.Seed = seed
	if edit != nil {
		edit(&cfg)
	}
	r, err := model.Simulate(cfg, model.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Violations) > 0 {
		t.Fatalf("seed %d: %v", seed, r.Violations)
	}
	return r
}

// find returns the first record after from matching the predicate.
func find(r model.Result, from sim.Time, ok func(model.Record) bool) (model.Record, bool) {
	for _, rec := range r.Timeline {
		if rec.T >= from && ok(rec) {
			return rec, true
		}
	}
	return model.Record{}, false
}

// lastRenewal is the last renewal (or acquisition) of proc before t.
func lastRenewal(r model.Result, proc string, t sim.Time) sim.Time {
	var last sim.Time
	for _, rec := range r.Timeline {
		if rec.T < t && rec.Proc == proc && (rec.Event == model.EvLeaseRenewed || rec.Event == model.EvLeaseAcquired) {
			last = rec.T
		}
	}
	return last
}

// leaderAt is the process leading a group just before t.
func leaderAt(r model.Result, group string, t sim.Time) string {
	leader := ""
	for _, rec := range r.Timeline {
		if rec.T >= t {
			break
		}
		if rec.Group == group && rec.Event == model.EvLeaseAcquired {
			leader = rec.Proc
		}
		if rec.Group == group && (rec.Event == model.EvLeaseLost || rec.Event == model.EvLeaseReleased) && rec.Proc == leader {
			leader = ""
		}
	}
	return leader
}

func between(t *testing.T, seed uint64, what string, d, lo, hi time.Duration) {
	t.Helper()
	if d < lo || d > hi {
		t.Errorf("seed %d: %s after %v, want %v–%v", seed, what, d, lo, hi)
	}
}

const timelineSeeds = 12

// TestWorkedTimelineA: worked timeline A, master hard-crash (stacked, 3
// masters, HAProxy). Asserted per seed:
//   - etcd, if its leader was on the master: a new leader 0.8–3 s after
//     the crash (the reference's "writes resume ~1.5–2.5 s" is a rough
//     estimate; its own measurements give 0.96–2.43 s);
//   - HAProxy marks the dead master DOWN ~10–12 s after the crash (each
//     check waits the 2 s connect timeout, then 2 s; three failures);
//   - each controller group that led there gets a new leader 15–24 s after
//     its last renewal.
func TestWorkedTimelineA(t *testing.T) {
	for seed := uint64(1); seed <= timelineSeeds; seed++ {
		r := runLibrary(t, "stacked-3-master-crash", seed, nil)
		f := r.Faults[0]
		host := strings.Fields(f.Target)[0]
		if f.LeaderBefore == "etcd-1" && host == "master-1" || f.NewLeaderAfter >= 0 {
			between(t, seed, "new etcd leader", f.NewLeaderAfter, 800*time.Millisecond, 3*time.Second)
		}
		down, ok := find(r, f.At, func(rec model.Record) bool { return rec.Event == model.EvLBBackendDown && rec.Host == host })
		if !ok {
			t.Fatalf("seed %d: HAProxy never marked %s down", seed, host)
		}
		between(t, seed, "HAProxy DOWN", down.T.Sub(f.At), 8*time.Second, 12500*time.Millisecond)
		for _, g := range []string{model.GroupKCM, model.GroupScheduler} {
			old := leaderAt(r, g, f.At)
			if !strings.HasSuffix(old, host) {
				continue
			}
			acq, ok := find(r, f.At, func(rec model.Record) bool { return rec.Event == model.EvLeaseAcquired && rec.Group == g })
			if !ok {
				t.Fatalf("seed %d: no new %s leader", seed, g)
			}
			between(t, seed, g+" takeover after the last renewal", acq.T.Sub(lastRenewal(r, old, f.At)), 15*time.Second, 24*time.Second)
		}
	}
}

// TestWorkedTimelineB: worked timeline B, a master cut off from the other
// masters but reachable by the load balancer. Asserted per seed:
//   - if its etcd member led: it steps down 1–2 s after the cut, and the
//     others elect a leader within ~2 s (≤ 3 s);
//   - its apiserver fails /readyz within 2–4 s (a 2 s health check) and
//     the HTTP-checking HAProxy removes it after fall × (inter + check)
//     more: 4–14 s after the cut;
//   - its controller-manager and scheduler leaders give up about 12 s
//     after their last renewal (10–12.5 s) and exit; the new leaders take
//     over 15–24 s after that renewal;
//   - the kubelet kills and restarts the apiserver after ~80 s of failed
//     liveness probes (70–95 s after the cut).
//
// With a TCP check instead, HAProxy keeps the isolated apiserver until
// the kubelet kills it.
func TestWorkedTimelineB(t *testing.T) {
	for seed := uint64(1); seed <= timelineSeeds; seed++ {
		r := runLibrary(t, "worked-timeline-b-isolated-master", seed, nil)
		f := r.Faults[0]
		host := strings.Fields(f.Target)[0]
		etcdOnHost := "etcd-" + strings.TrimPrefix(host, "master-")
		if f.LeaderBefore == etcdOnHost {
			sd, ok := find(r, f.At, func(rec model.Record) bool { return rec.Event == model.EvStepDown && rec.Member == etcdOnHost })
			if !ok {
				t.Fatalf("seed %d: isolated etcd leader never stepped down", seed)
			}
			between(t, seed, "isolated etcd leader stepdown", sd.T.Sub(f.At), time.Second, 2*time.Second)
			between(t, seed, "majority etcd leader", f.NewLeaderAfter, 800*time.Millisecond, 3*time.Second)
		}
		api := "kube-apiserver-" + host
		un, ok := find(r, f.At, func(rec model.Record) bool { return rec.Event == model.EvAPIUnready && rec.Proc == api })
		if !ok {
			t.Fatalf("seed %d: %s stayed ready", seed, api)
		}
		between(t, seed, "apiserver unready", un.T.Sub(f.At), 1500*time.Millisecond, 4*time.Second)
		down, ok := find(r, f.At, func(rec model.Record) bool { return rec.Event == model.EvLBBackendDown && rec.Host == host })
		if !ok {
			t.Fatalf("seed %d: HAProxy kept %s", seed, host)
		}
		between(t, seed, "HAProxy DOWN", down.T.Sub(f.At), 4*time.Second, 14*time.Second)
		for _, g := range []string{model.GroupKCM, model.GroupScheduler} {
			old := leaderAt(r, g, f.At)
			if !strings.HasSuffix(old, host) {
				continue
			}
			renewed := lastRenewal(r, old, f.At)
			lost, ok := find(r, f.At, func(rec model.Record) bool { return rec.Event == model.EvLeaseLost && rec.Proc == old })
			if !ok {
				t.Fatalf("seed %d: %s never gave up", seed, old)
			}
			between(t, seed, old+" gives up after its last renewal", lost.T.Sub(renewed), 10*time.Second, 12500*time.Millisecond)
			acq, ok := find(r, f.At, func(rec model.Record) bool { return rec.Event == model.EvLeaseAcquired && rec.Group == g })
			if !ok {
				t.Fatalf("seed %d: no new %s leader", seed, g)
			}
			between(t, seed, g+" takeover after the last renewal", acq.T.Sub(renewed), 15*time.Second, 24*time.Second)
		}
		kill, ok := find(r, f.At, func(rec model.Record) bool {
			return rec.Event == model.EvProcExited && rec.Proc == api && strings.Contains(rec.Reason, "liveness")
		})
		if !ok {
			t.Fatalf("seed %d: the kubelet never restarted %s", seed, api)
		}
		between(t, seed, "liveness restart", kill.T.Sub(f.At), 70*time.Second, 95*time.Second)

		// The same with a TCP check: kept until the kubelet kills it.
		rt := runLibrary(t, "worked-timeline-b-isolated-master", seed, func(c *model.Config) { c.LoadBalancer.Check = "tcp" })
		if d, ok := find(rt, f.At, func(rec model.Record) bool { return rec.Event == model.EvLBBackendDown && rec.Host == host }); ok && d.T < kill.T {
			t.Errorf("seed %d: a TCP-checking HAProxy removed the isolated apiserver at %v, before the kubelet killed it", seed, d.T)
		}
	}
}

// TestWorkedTimelineC: worked timeline C, the controller-manager leader
// frozen for 30 s. Another candidate takes over 15–24 s after the last
// renewal; on resume the old leader starts a fresh renew round and acts
// for up to RenewDeadline (10 s) alongside the new one: the acting split
// brain starts at the resume and lasts 8–10 s.
func TestWorkedTimelineC(t *testing.T) {
	for seed := uint64(1); seed <= timelineSeeds; seed++ {
		r := runLibrary(t, "worked-timeline-c-paused-kcm", seed, nil)
		f := r.Faults[0]
		old := leaderAt(r, model.GroupKCM, f.At)
		acq, ok := find(r, f.At, func(rec model.Record) bool { return rec.Event == model.EvLeaseAcquired && rec.Group == model.GroupKCM })
		if !ok {
			t.Fatalf("seed %d: no takeover", seed)
		}
		between(t, seed, "takeover after the last renewal", acq.T.Sub(lastRenewal(r, old, f.At)), 15*time.Second, 24*time.Second)
		var g model.GroupResult
		for _, x := range r.Groups {
			if x.Name == model.GroupKCM {
				g = x
			}
		}
		if len(g.ActingSplitBrain) != 1 {
			t.Fatalf("seed %d: acting split brain %v, want one interval", seed, g.ActingSplitBrain)
		}
		iv := g.ActingSplitBrain[0]
		if iv.From != f.HealedAt {
			t.Errorf("seed %d: acting split brain from %v, want from the resume at %v", seed, iv.From, f.HealedAt)
		}
		between(t, seed, "acting split brain length", iv.To.Sub(iv.From), 8*time.Second, 10*time.Second+50*time.Millisecond)
		if len(g.SplitBrain) != 1 || g.SplitBrain[0].From != acq.T {
			t.Errorf("seed %d: believed split brain %v, want from the takeover at %v", seed, g.SplitBrain, acq.T)
		}
	}
}

// TestWorkedTimelineD: worked timeline D, wall-clock steps of two masters
// (no rate change): no leader changes anywhere, no split brain, no
// unavailability.
func TestWorkedTimelineD(t *testing.T) {
	for seed := uint64(1); seed <= timelineSeeds; seed++ {
		r := runLibrary(t, "worked-timeline-d-clock-steps", seed, nil)
		first := r.Faults[0].At
		if rec, ok := find(r, first, func(rec model.Record) bool {
			return rec.Event == model.EvLeaseAcquired || rec.Event == model.EvCandidate || rec.Event == model.EvPreCandidate || rec.Event == model.EvLeaseLost
		}); ok {
			t.Errorf("seed %d: %s %s at %v after a clock step", seed, rec.Event, rec.Proc+rec.Member, rec.T)
		}
		for _, g := range r.Groups {
			if len(g.SplitBrain) > 0 {
				t.Errorf("seed %d: %s split brain %v", seed, g.Name, g.SplitBrain)
			}
		}
		for _, p := range r.Probes {
			if p.Unavailable > 0 {
				t.Errorf("seed %d: %s unavailable %v", seed, p.Name, p.Unavailable)
			}
		}
	}
}

// TestClockDriftSplitBrain: fast follower clocks turn a leader's lost API
// path into an acting split brain; with equal rates the same fault leaves
// a gap instead.
func TestClockDriftSplitBrain(t *testing.T) {
	for seed := uint64(1); seed <= timelineSeeds; seed++ {
		r := runLibrary(t, "clock-drift-split-brain", seed, func(c *model.Config) {
			// Aim the API fault at whoever leads the controller-manager.
			c.Faults[2].Target = model.Target{Kind: model.TargetLeader, Name: model.GroupKCM}
		})
		same := runLibrary(t, "clock-drift-split-brain", seed, func(c *model.Config) {
			c.Faults[2].Target = model.Target{Kind: model.TargetLeader, Name: model.GroupKCM}
			c.Faults = c.Faults[2:]
		})
		kcm := func(r model.Result) model.GroupResult {
			for _, g := range r.Groups {
				if g.Name == model.GroupKCM {
					return g
				}
			}
			return model.GroupResult{}
		}
		if len(kcm(same).ActingSplitBrain) != 0 {
			t.Errorf("seed %d: equal clock rates, acting split brain %v", seed, kcm(same).ActingSplitBrain)
		}
		// Only a leader on a true-clock master (master-1) is overtaken by
		// the fast ones.
		if strings.HasPrefix(r.Faults[2].Target, "master-1") && len(kcm(r).ActingSplitBrain) == 0 {
			t.Errorf("seed %d: fast follower clocks, no split brain", seed)
		}
	}
}

// TestLeaderNamedIsActing: wherever a single lease-group leader is named
// (the summary's leader at end, a leader:NAME fault target), it is the one
// acting as leader by the group's rule, never the frozen one that still
// believes it leads. Stopped at 50s, the paused case's frozen leader
// (resumes at 60s) must not be the leader at end; at 65s, in the acting
// split brain, the leader is the one the lease record names; a fault aimed
// at leader:kube-controller-manager just after the takeover hits the new
// leader's host, and one at 35s (the frozen leader believing, no one
// acting) hits nothing and says why.
func TestLeaderNamedIsActing(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		full := runLibrary(t, "worked-timeline-c-paused-kcm", seed, nil)
		acq, ok := find(full, full.Faults[0].At, func(rec model.Record) bool {
			return rec.Event == model.EvLeaseAcquired && rec.Group == model.GroupKCM
		})
		after := acq.T.Sub(0) + 500*time.Millisecond
		if !ok || after >= 50*time.Second {
			t.Fatalf("seed %d: takeover %v, want one before 49.5s", seed, acq)
		}
		frozen := leaderAt(full, model.GroupKCM, full.Faults[0].At)
		for _, until := range []time.Duration{50 * time.Second, 65 * time.Second} {
			r := runLibrary(t, "worked-timeline-c-paused-kcm", seed, func(c *model.Config) {
				c.Horizon = until
				c.Faults = append(c.Faults,
					model.FaultConfig{Name: "after takeover", Kind: model.FaultClockStep, Step: time.Second, At: after,
						Target: model.Target{Kind: model.TargetLeader, Name: model.GroupKCM}},
					model.FaultConfig{Name: "while frozen", Kind: model.FaultClockStep, Step: time.Second, At: 35 * time.Second,
						Target: model.Target{Kind: model.TargetLeader, Name: model.GroupKCM}})
			})
			for _, g := range r.Groups {
				if g.Name == model.GroupKCM && g.Leader != acq.Proc {
					t.Errorf("seed %d, until %v: leader at end %q, want the acting %q (not the frozen %q)", seed, until, g.Leader, acq.Proc, frozen)
				}
			}
			if f := r.Faults[1]; !strings.HasPrefix(f.Target, acq.Host+" ") {
				t.Errorf("seed %d: leader:kube-controller-manager after the takeover resolved to %q, want %s", seed, f.Target, acq.Host)
			}
			if f := r.Faults[2]; f.Skipped == "" || !strings.Contains(f.Skipped, frozen+" believes it leads but is frozen") {
				t.Errorf("seed %d: leader:kube-controller-manager at 35s: skipped %q, want it to say %s is frozen", seed, f.Skipped, frozen)
			}
		}
	}
}

// TestLeaseNarration: lease events carry their reasons in the candidate's
// own terms, and split brain is put on the timeline when it begins and
// ends. In the paused case the takeover says how long the record had not
// changed on the new leader's clock; the split brain begins at the
// takeover, naming the frozen leader as the stale one; the acting split
// brain begins at its resume (a fresh renew deadline) and ends when it
// loses to another holder. In the isolated-master case the old leader
// loses because the API did not answer.
func TestLeaseNarration(t *testing.T) {
	for seed := uint64(1); seed <= timelineSeeds; seed++ {
		r := runLibrary(t, "worked-timeline-c-paused-kcm", seed, nil)
		f := r.Faults[0]
		old := leaderAt(r, model.GroupKCM, f.At)
		acq, _ := find(r, f.At, func(rec model.Record) bool { return rec.Event == model.EvLeaseAcquired && rec.Group == model.GroupKCM })
		if !strings.Contains(acq.Reason, "the record held by "+old+" had not changed for 1") || !strings.Contains(acq.Reason, "on its clock (observed at ") {
			t.Errorf("seed %d: takeover reason %q", seed, acq.Reason)
		}
		sb, ok := find(r, f.At, func(rec model.Record) bool { return rec.Event == model.EvSplitBrain })
		if !ok || sb.T != acq.T || sb.Proc != old || sb.Peer != acq.Proc || !strings.Contains(sb.Reason, "it is frozen") {
			t.Errorf("seed %d: split brain record %+v, want at the takeover %v, stale %s, frozen", seed, sb, acq.T, old)
		}
		act, ok := find(r, f.At, func(rec model.Record) bool { return rec.Event == model.EvActingSplitBrain })
		if !ok || act.T != f.HealedAt || act.Proc != old || !strings.Contains(act.Reason, "fresh 10s deadline") {
			t.Errorf("seed %d: acting split brain record %+v, want at the resume %v with a fresh deadline", seed, act, f.HealedAt)
		}
		lost, _ := find(r, f.At, func(rec model.Record) bool { return rec.Event == model.EvLeaseLost && rec.Proc == old })
		if !strings.HasPrefix(lost.Reason, "renew round reached its 10s deadline: another holder (the record names "+acq.Proc) {
			t.Errorf("seed %d: lost reason %q", seed, lost.Reason)
		}
		for _, ev := range []string{model.EvActingSplitBrainEnded, model.EvSplitBrainEnded} {
			end, ok := find(r, f.At, func(rec model.Record) bool { return rec.Event == ev })
			if !ok || end.T != lost.T || end.Proc != old || !strings.Contains(end.Reason, acq.Proc+" alone") {
				t.Errorf("seed %d: %s %+v, want at the loss %v", seed, ev, end, lost.T)
			}
		}

		b := runLibrary(t, "worked-timeline-b-isolated-master", seed, nil)
		host := strings.Fields(b.Faults[0].Target)[0]
		lostB, ok := find(b, b.Faults[0].At, func(rec model.Record) bool {
			return rec.Event == model.EvLeaseLost && strings.HasSuffix(rec.Proc, host)
		})
		if ok && !strings.HasPrefix(lostB.Reason, "renew round reached its 10s deadline: the API did not answer") {
			t.Errorf("seed %d: isolated leader's loss: %q", seed, lostB.Reason)
		}
	}
}
