package model

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"hasim/sim"

	"hasim/model/etcd"
	"hasim/model/fabric"
)

// The tests in this file cover process-stop of etcd: SIGTERM, on which a
// leader hands its leadership to the voter it has been connected to
// longest before it stops (EtcdServer.Stop, raft's MsgTransferLeader and
// MsgTimeoutNow), and any other member just stops.

// gsAt is the instant a test stops (or kills) a member: well after the
// bootstrap election, anywhere in the tick cycle.
func gsAt(seed uint64) time.Duration { return faultTime(seed) + 4*time.Second }

func stopLeader(seed uint64, kind FaultKind) FaultConfig {
	return FaultConfig{Kind: kind, At: gsAt(seed), Duration: 5 * time.Second, Target: Target{Kind: TargetLeader, Name: "etcd"}}
}

// gsRecords are the timeline records of event ev from t on, for proc or
// member who ("" for any).
func gsRecords(r Result, ev, who string, t sim.Time) []fabric.Record {
	var out []fabric.Record
	for _, rec := range r.Timeline {
		if rec.Event == ev && rec.T >= t && (who == "" || rec.Proc == who || rec.Member == who) {
			out = append(out, rec)
		}
	}
	return out
}

// gsHost is the host of member name in threeMembers (etcd-N on hN).
func gsHost(name string) Target {
	return Target{Kind: TargetHost, Name: "h" + strings.TrimPrefix(name, "etcd-")}
}

// scout runs seed with only a graceful stop of the leader and returns the
// leader it stopped and the member it handed over to. A fault changes
// nothing before it starts, so a run that adds faults shortly before the
// stop sees the same history up to them.
func scout(t *testing.T, seed uint64) (leader, transferee string) {
	t.Helper()
	_, r := runCluster(t, threeMembers(seed, stopLeader(seed, FaultProcessStop)))
	f := r.Faults[0]
	if f.LeaderBefore == "" || f.NewLeader == "" {
		t.Fatalf("seed %d: no leader before (%q) or after (%q) the stop", seed, f.LeaderBefore, f.NewLeader)
	}
	return f.LeaderBefore, f.NewLeader
}

// TestGracefulStopHandsOverLeadership: over 30 seeds, SIGTERM to the etcd
// leader gives a new leader within a few milliseconds, at the next term,
// elected by a campaign the leader asked for (no election timer fires),
// with at most a short blip for the write probe; the stopped member exits
// on the first poll that sees the new leader and restarts at the heal. A
// SIGKILL of the same leaders needs the followers' election timeout.
func TestGracefulStopHandsOverLeadership(t *testing.T) {
	const seeds = 30
	var stopLead, stopWrite, stopDown, killLead, killWrite, killDown []float64
	for seed := uint64(1); seed <= seeds; seed++ {
		fc := stopLeader(seed, FaultProcessStop)
		_, r := runCluster(t, threeMembers(seed, fc)) // full invariant scan
		f := r.Faults[0]
		old, now := f.LeaderBefore, f.At
		if f.NewLeaderAfter < 0 || f.NewLeaderAfter > 100*time.Millisecond {
			t.Errorf("seed %d: new leader %v after the stop, want within 100ms", seed, f.NewLeaderAfter)
		}
		if f.NewLeaderTerm != f.TermBefore+1 {
			t.Errorf("seed %d: new leader at term %d, want %d (one campaign)", seed, f.NewLeaderTerm, f.TermBefore+1)
		}
		if p := gsRecords(r, etcd.EvPreCandidate, "", now); len(p) > 0 {
			t.Errorf("seed %d: an election timer fired: %s %s", seed, p[0].Member, p[0].Reason)
		}
		cands := gsRecords(r, etcd.EvCandidate, "", now)
		if len(cands) != 1 || cands[0].Member != f.NewLeader || !strings.Contains(cands[0].Reason, "leader "+old+" asked it") ||
			!strings.Contains(cands[0].Reason, "(MsgTimeoutNow)") {
			t.Errorf("seed %d: campaigns after the stop %+v, want one by %s asked by %s (MsgTimeoutNow)", seed, cands, f.NewLeader, old)
		}
		asked := gsRecords(r, fabric.EvProcStopped, old, now)
		want := "asked to stop (SIGTERM): leadership transfer to " + f.NewLeader + " (longest connected) before stopping"
		if len(asked) != 1 || asked[0].T != now || asked[0].Reason != want {
			t.Errorf("seed %d: stop records %+v, want %q at %v", seed, asked, want, now)
		}
		exits := gsRecords(r, fabric.EvProcExited, old, now)
		if len(exits) != 1 || !strings.HasPrefix(exits[0].Reason, "stopped (SIGTERM) after handing its leadership to "+f.NewLeader) {
			t.Fatalf("seed %d: exits %+v, want one after handing over to %s", seed, exits, f.NewLeader)
		}
		// MoveLeader looks at once, then every heartbeat interval: the
		// new leader is known by the second look.
		if d := exits[0].T.Sub(now); d != etcd.DefaultHeartbeatInterval {
			t.Errorf("seed %d: exited %v after SIGTERM, want one heartbeat interval", seed, d)
		}
		starts := gsRecords(r, fabric.EvProcStarted, old, now)
		if len(starts) != 1 || starts[0].Reason != "restarted" || starts[0].T != now.Add(fc.Duration) {
			t.Errorf("seed %d: starts %+v, want a restart at the heal", seed, starts)
		}
		if r.Faults[0].Description != "stop etcd gracefully (SIGTERM; a leader first transfers its leadership) for 5s" {
			t.Errorf("description %q", r.Faults[0].Description)
		}
		stopLead = append(stopLead, ms(f.NewLeaderAfter))
		stopWrite = append(stopWrite, ms(f.FirstSuccess[0]))
		stopDown = append(stopDown, ms(r.Probes[0].Unavailable))

		_, k := runCluster(t, threeMembers(seed, stopLeader(seed, FaultProcessKill)))
		killLead = append(killLead, ms(k.Faults[0].NewLeaderAfter))
		killWrite = append(killWrite, ms(k.Faults[0].FirstSuccess[0]))
		killDown = append(killDown, ms(k.Probes[0].Unavailable))
	}
	sl, sw, sd := summarize(stopLead), summarize(stopWrite), summarize(stopDown)
	kl, kw, kd := summarize(killLead), summarize(killWrite), summarize(killDown)
	t.Logf("graceful stop: new leader %v ms, first write %v ms, writes unavailable %v ms (min / p50 / p90 / max)", sl, sw, sd)
	t.Logf("kill:          new leader %v ms, first write %v ms, writes unavailable %v ms", kl, kw, kd)
	// A blip: the probe, at its own phase, writes every 100 ms, so the
	// first write after the handover comes within a period or two (one
	// may have gone to the old leader as it stopped).
	if sw.max > 300 || sd.max > 200 {
		t.Errorf("graceful stop: first write up to %.0f ms, writes unavailable up to %.0f ms; want a blip: a first write within 300 ms, under 200 ms lost", sw.max, sd.max)
	}
	if kl.min < 800 || kl.p50 < 1000 {
		t.Errorf("kill: new leader %v ms; want an election timeout ((E-2)·h = 800 ms at least, 1 s typically)", kl)
	}
	if sl.max >= kl.min || sw.max >= kw.min || sd.max >= kd.min {
		t.Errorf("graceful stop not faster than kill in every run: leader %v vs %v, write %v vs %v", sl, kl, sw, kw)
	}
}

// TestGracefulStopPicksLongestConnected: the transferee is the voter the
// leader has been connected to longest. With every member up since the
// start, that is a tie, which the first voter in ID order wins; if that
// follower restarted, or its connection to the leader came back after a
// partition, shortly before, the other follower is chosen.
func TestGracefulStopPicksLongestConnected(t *testing.T) {
	for seed := uint64(1); seed <= 10; seed++ {
		leader, first := scout(t, seed)
		var followers []string
		for _, m := range []string{"etcd-1", "etcd-2", "etcd-3"} {
			if m != leader {
				followers = append(followers, m)
			}
		}
		if first != followers[0] {
			t.Fatalf("seed %d: with every member up since the start, %s was chosen, want %s (first in ID order)", seed, first, followers[0])
		}
		other := followers[1]
		fh, lh := gsHost(first), gsHost(leader)
		before := gsAt(seed) - 3*time.Second
		for _, tc := range []struct {
			name  string
			fault FaultConfig
		}{
			{"restarted", FaultConfig{Kind: FaultProcessKill, At: before, Duration: time.Second, Target: fh}},
			{"reconnected", FaultConfig{Kind: FaultPartition, At: before, Duration: time.Second, Target: fh, Peer: &lh}},
		} {
			name, cfg := tc.name, threeMembers(seed, tc.fault, stopLeader(seed, FaultProcessStop))
			_, r := runCluster(t, cfg)
			f := r.Faults[1]
			if f.LeaderBefore != leader {
				t.Fatalf("seed %d %s: leader %s at the stop, want %s", seed, name, f.LeaderBefore, leader)
			}
			asked := gsRecords(r, fabric.EvProcStopped, leader, f.At)
			if len(asked) == 0 || !strings.Contains(asked[0].Reason, "leadership transfer to "+other+" (longest connected)") {
				t.Errorf("seed %d %s: stop records %+v, want a transfer to %s", seed, name, asked, other)
			}
			if f.NewLeader != other || f.NewLeaderAfter > 100*time.Millisecond {
				t.Errorf("seed %d %s: new leader %s after %v, want %s within 100ms", seed, name, f.NewLeader, f.NewLeaderAfter, other)
			}
		}
	}
}

// TestGracefulStopTransfereeUnreachable: if the transferee cannot be
// reached although the leader's transport still counts it connected (a
// link that drops everything, as a silent partition does until rafthttp
// notices), MsgTimeoutNow is lost. The leader drops proposals until raft
// gives the transfer up after an election timeout, then leads again until
// its server gives up waiting, at the request timeout, and stops; then a
// normal election follows. A leader connected to no other voter at all
// stops at once (etcdserver: unhealthy cluster).
func TestGracefulStopTransfereeUnreachable(t *testing.T) {
	ecfg := threeMembers(0).Etcd.WithDefaults()
	one := 1.0
	for seed := uint64(1); seed <= 5; seed++ {
		leader, transferee := scout(t, seed)
		lh, th := gsHost(leader), gsHost(transferee)
		stop := stopLeader(seed, FaultProcessStop)
		stop.Duration = 15 * time.Second

		t.Run(fmt.Sprintf("seed %d lost", seed), func(t *testing.T) {
			cut := FaultConfig{Kind: FaultLink, At: stop.At - 100*time.Millisecond, Duration: 20 * time.Second, Target: lh, Peer: &th, Loss: &one}
			_, r := runCluster(t, threeMembers(seed, cut, stop))
			f := r.Faults[1]
			asked := gsRecords(r, fabric.EvProcStopped, leader, f.At)
			if len(asked) != 1 || !strings.Contains(asked[0].Reason, "leadership transfer to "+transferee) {
				t.Fatalf("seed %d: stop records %+v, want a transfer to %s", seed, asked, transferee)
			}
			for _, c := range gsRecords(r, etcd.EvCandidate, "", f.At) {
				if strings.Contains(c.Reason, "MsgTimeoutNow") {
					t.Errorf("seed %d: %s campaigned on a lost MsgTimeoutNow", seed, c.Member)
				}
			}
			exits := gsRecords(r, fabric.EvProcExited, leader, f.At)
			if len(exits) != 1 {
				t.Fatalf("seed %d: exits %+v", seed, exits)
			}
			exit := exits[0]
			if d := exit.T.Sub(f.At); d < ecfg.ElectionTimeout || d > ecfg.RequestTimeout {
				t.Errorf("seed %d: stopped %v after SIGTERM, want between the election timeout and the request timeout (%v)", seed, d, ecfg.RequestTimeout)
			}
			if !strings.Contains(exit.Reason, etcd.ErrTimeoutLeaderTransfer) || !strings.Contains(exit.Reason, "raft had given the transfer up") {
				t.Errorf("seed %d: exit reason %q", seed, exit.Reason)
			}
			// Proposals are dropped while the transfer is pending, taken
			// again once raft gave it up (after E ticks).
			if w := f.FirstSuccess[0]; w < 800*time.Millisecond || w > 1500*time.Millisecond {
				t.Errorf("seed %d: first write %v after SIGTERM, want after raft gave the transfer up (~1s)", seed, w)
			}
			if f.NewLeaderAfter < exit.T.Sub(f.At) {
				t.Fatalf("seed %d: new leader %s %v after SIGTERM, before the old one stopped", seed, f.NewLeader, f.NewLeaderAfter)
			}
			won := f.At.Add(f.NewLeaderAfter)
			pre := gsRecords(r, etcd.EvPreCandidate, f.NewLeader, exit.T)
			if len(pre) == 0 || pre[0].T > won || !strings.HasPrefix(pre[0].Reason, "election timer fired") {
				t.Errorf("seed %d: %s won at %v without an election timer after the stop: %+v", seed, f.NewLeader, won, pre)
			}
			if d := won.Sub(exit.T); d > 3*time.Second {
				t.Errorf("seed %d: new leader %v after the stop", seed, d)
			}
		})

		t.Run(fmt.Sprintf("seed %d isolated", seed), func(t *testing.T) {
			cut := FaultConfig{Kind: FaultPartition, At: stop.At - 100*time.Millisecond, Duration: 20 * time.Second, Target: lh}
			_, r := runCluster(t, threeMembers(seed, cut, stop))
			f := r.Faults[1]
			exits := gsRecords(r, fabric.EvProcExited, leader, f.At)
			if len(exits) != 1 || exits[0].T != f.At || !strings.Contains(exits[0].Reason, etcd.ErrUnhealthy) {
				t.Fatalf("seed %d: exits %+v, want one at SIGTERM (%v), unhealthy", seed, exits, f.At)
			}
			if f.NewLeaderAfter < 0 || f.NewLeader == leader {
				t.Errorf("seed %d: no new leader among the others (%s after %v)", seed, f.NewLeader, f.NewLeaderAfter)
			}
		})
	}
}

// TestGracefulStopOfFollower: SIGTERM to a follower (or to a lone member)
// stops it at once; no election follows, and it rejoins at the heal.
func TestGracefulStopOfFollower(t *testing.T) {
	for seed := uint64(1); seed <= 10; seed++ {
		leader, _ := scout(t, seed)
		follower := "etcd-1"
		if leader == follower {
			follower = "etcd-2"
		}
		at := gsAt(seed)
		fc := FaultConfig{Kind: FaultProcessStop, At: at, Duration: 5 * time.Second, Target: gsHost(follower)}
		_, r := runCluster(t, threeMembers(seed, fc))
		f := r.Faults[0]
		if f.LeaderBefore != leader || f.NewLeaderAfter >= 0 {
			t.Errorf("seed %d: leader %s before, new leader %s after %v; want %s throughout", seed, f.LeaderBefore, f.NewLeader, f.NewLeaderAfter, leader)
		}
		asked := gsRecords(r, fabric.EvProcStopped, follower, f.At)
		exits := gsRecords(r, fabric.EvProcExited, follower, f.At)
		if len(asked) != 1 || asked[0].Reason != "asked to stop (SIGTERM)" || len(exits) != 1 || exits[0].T != f.At ||
			!strings.Contains(exits[0].Reason, "not the leader") {
			t.Errorf("seed %d: stop %+v, exit %+v; want both at SIGTERM", seed, asked, exits)
		}
		for _, ev := range []string{etcd.EvPreCandidate, etcd.EvCandidate, etcd.EvLeader, etcd.EvStepDown} {
			if rs := gsRecords(r, ev, "", f.At); len(rs) > 0 {
				t.Errorf("seed %d: %s after a follower's stop: %+v", seed, ev, rs[0])
			}
		}
		back := gsRecords(r, etcd.EvFollower, follower, f.At.Add(fc.Duration))
		if starts := gsRecords(r, fabric.EvProcStarted, follower, f.At); len(starts) != 1 || starts[0].Reason != "restarted" ||
			len(back) == 0 || back[0].Leader != leader {
			t.Errorf("seed %d: restart %+v, then %+v; want it back following %s", seed, starts, back, leader)
		}
		if w := f.FirstSuccess[0]; w < 0 || w > 200*time.Millisecond {
			t.Errorf("seed %d: first write %v after a follower's stop", seed, w)
		}
	}

	t.Run("lone member", func(t *testing.T) {
		cfg := threeMembers(1, FaultConfig{Kind: FaultProcessStop, At: 10 * time.Second, Duration: 5 * time.Second, Target: Target{Kind: TargetLeader, Name: "etcd"}})
		cfg.EtcdMembers = []string{"h1"}
		_, r := runCluster(t, cfg)
		exits := gsRecords(r, fabric.EvProcExited, "etcd-1", r.Faults[0].At)
		if len(exits) != 1 || exits[0].T != r.Faults[0].At || !strings.Contains(exits[0].Reason, "the only voter") {
			t.Errorf("exits %+v, want one at SIGTERM: the only voter", exits)
		}
	})
}
