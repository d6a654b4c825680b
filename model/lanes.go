package model

import (
	"slices"
	"strings"

	"hasim/sim"

	"hasim/model/etcd"
	"hasim/model/fabric"
	"hasim/model/kube"
)

// LaneKind is what a lane follows.
type LaneKind string

const (
	LaneHost  LaneKind = "host"  // a host: up, down, or running a paused process
	LaneGroup LaneKind = "group" // a leader group: who led when
	LaneProbe LaneKind = "probe" // a probe: available or failing
)

// Lane states.
const (
	StateUp      = "up"      // a host running (or a probe's requests succeeding: StateAvailable)
	StateDown    = "down"    // a host crashed or powered off
	StatePaused  = "paused"  // a host with at least one frozen process
	StateAbsent  = "absent"  // a control-plane host kubeadm has not joined yet
	StateLeading = "leading" // a group's span: Who leads
	StateOK      = "available"
	StateFailing = "failing"
)

// Lane is one row of a run's state over time, computed once from the
// timeline so that every renderer (the narration, pictures, an interactive
// timeline) reads the same intervals instead of replaying events itself.
type Lane struct {
	Kind LaneKind
	Name string // the host, group or probe
	// Spans cover the lane in time order (a group's may overlap: two
	// leaders at once is a split brain).
	Spans []Span
	// Leaders are a group's leaders in the order their first span ended
	// (the order pictures give them colours in).
	Leaders []string
}

// Span is a stretch of one state of a lane, [From, To).
type Span struct {
	From, To sim.Time
	State    string
	Who      string // a group's leader (a member or process name)
}

// ComputeLanes computes a result's lanes from its timeline, probes,
// groups, members and faults: probes first, then groups, then hosts.
// Result fills Result.Lanes with it; a result put together by hand (a
// test) can call it too.
func ComputeLanes(r *Result) []Lane {
	var out []Lane
	for _, p := range r.Probes {
		out = append(out, probeLane(r, p.Name))
	}
	for _, g := range r.Groups {
		out = append(out, groupLane(r, g))
	}
	for _, h := range LaneHosts(*r) {
		out = append(out, hostLane(r, h))
	}
	return out
}

// LaneHosts are the hosts that get a lane, in order of first appearance:
// the members' hosts, the apiservers' hosts, then the hosts named by a
// host going down, a process pausing or a load-balancer backend going
// down.
func LaneHosts(r Result) []string {
	var names []string
	seen := map[string]bool{}
	add := func(h string) {
		if h != "" && !seen[h] {
			seen[h] = true
			names = append(names, h)
		}
	}
	for _, m := range r.Members {
		add(m.Host)
	}
	for _, a := range r.APIServers {
		add(a.Host)
	}
	for _, rec := range r.Timeline {
		if rec.Event == fabric.EvHostDown || rec.Event == fabric.EvProcPaused || rec.Event == kube.EvLBBackendDown {
			add(rec.Host)
		}
	}
	return names
}

// stateSpans follows a state that changes at records: next gives the
// state after a record and whether the record changes it. It starts at
// from, in state initial, and ends at the run's end.
func stateSpans(r *Result, from sim.Time, initial string, next func(fabric.Record) (string, bool)) []Span {
	var spans []Span
	state, since := initial, from
	for _, rec := range r.Timeline {
		s, ok := next(rec)
		if !ok {
			continue
		}
		if rec.T > since {
			spans = append(spans, Span{From: since, To: rec.T, State: state})
			since = rec.T
		}
		state = s
	}
	if r.End > since {
		spans = append(spans, Span{From: since, To: r.End, State: state})
	}
	return spans
}

// hostLane: up, down, or running a paused process; absent before a
// joining host's join.
func hostLane(r *Result, host string) Lane {
	paused := 0
	joins := slices.ContainsFunc(r.Faults, func(f FaultResult) bool {
		return f.Kind == FaultJoinControlPlane && strings.TrimPrefix(f.Target, "host:") == host
	})
	initial := StateUp
	if joins {
		initial = StateAbsent
	}
	spans := stateSpans(r, 0, initial, func(rec fabric.Record) (string, bool) {
		if joins {
			// Nothing runs on the host before its join.
			if rec.Event == EvFaultInjected && rec.Kind == string(FaultJoinControlPlane) && rec.Target == host &&
				!strings.HasPrefix(rec.Reason, "skipped") {
				joins = false
				return StateUp, true
			}
			return "", false
		}
		if rec.Host != host {
			return "", false
		}
		switch rec.Event {
		case fabric.EvHostDown:
			return StateDown, true
		case fabric.EvHostUp:
			return StateUp, true
		case fabric.EvProcPaused:
			paused++
			return StatePaused, true
		case fabric.EvProcResumed:
			paused--
			return StateUp, paused == 0
		}
		return "", false
	})
	return Lane{Kind: LaneHost, Name: host, Spans: spans}
}

// probeLane: available or failing, from the first commit.
func probeLane(r *Result, probe string) Lane {
	spans := stateSpans(r, r.MeasuredFrom, StateOK, func(rec fabric.Record) (string, bool) {
		if rec.Probe != probe {
			return "", false
		}
		switch rec.Event {
		case kube.EvProbeDown:
			return StateFailing, true
		case kube.EvProbeUp:
			return StateOK, true
		}
		return "", false
	})
	return Lane{Kind: LaneProbe, Name: probe, Spans: spans}
}

// groupLane: who leads a group over time. etcd's leaders are members in
// the leader state (a stale leader's span ends at its own stepdown); a
// leader-elected group's are the processes between acquiring and losing,
// releasing or dying with their lease.
func groupLane(r *Result, g GroupResult) Lane {
	ln := Lane{Kind: LaneGroup, Name: g.Name}
	since := map[string]sim.Time{} // leading since
	var order []string             // leading now, in start order
	start := func(who string, t sim.Time) {
		if _, ok := since[who]; !ok {
			since[who] = t
			order = append(order, who)
		}
	}
	stop := func(who string, t sim.Time) {
		if from, ok := since[who]; ok {
			ln.Spans = append(ln.Spans, Span{From: from, To: t, State: StateLeading, Who: who})
			if !slices.Contains(ln.Leaders, who) {
				ln.Leaders = append(ln.Leaders, who)
			}
			delete(since, who)
			order = slices.DeleteFunc(order, func(s string) bool { return s == who })
		}
	}
	var hostOf []struct{ proc, host string } // lease holders' hosts, in first-acquisition order
	for _, rec := range r.Timeline {
		t := rec.T
		if g.Name == GroupEtcd {
			switch rec.Event {
			case etcd.EvLeader:
				start(rec.Member, t)
			case etcd.EvFollower, etcd.EvStepDown:
				stop(rec.Member, t)
			case fabric.EvProcStopped, fabric.EvProcPaused:
				stop(rec.Proc, t)
			case fabric.EvHostDown:
				for _, m := range r.Members {
					if m.Host == rec.Host {
						stop(m.Name, t)
					}
				}
			}
			continue
		}
		switch {
		case rec.Group == g.Name && rec.Event == kube.EvLeaseAcquired:
			start(rec.Proc, t)
			if i := slices.IndexFunc(hostOf, func(x struct{ proc, host string }) bool { return x.proc == rec.Proc }); i >= 0 {
				hostOf[i].host = rec.Host
			} else {
				hostOf = append(hostOf, struct{ proc, host string }{rec.Proc, rec.Host})
			}
		case rec.Group == g.Name && (rec.Event == kube.EvLeaseLost || rec.Event == kube.EvLeaseReleased):
			stop(rec.Proc, t)
		case rec.Event == fabric.EvProcExited || rec.Event == fabric.EvProcStopped:
			stop(rec.Proc, t)
		case rec.Event == fabric.EvHostDown:
			for _, x := range hostOf {
				if x.host == rec.Host {
					stop(x.proc, t)
				}
			}
		}
	}
	for _, who := range slices.Clone(order) {
		stop(who, r.End)
	}
	slices.SortStableFunc(ln.Spans, func(a, b Span) int {
		switch {
		case a.From < b.From:
			return -1
		case a.From > b.From:
			return 1
		}
		return 0
	})
	return ln
}
