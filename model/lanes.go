package model

import (
	"slices"
	"strconv"
	"strings"

	"hasim/sim"

	"hasim/model/etcd"
	"hasim/model/fabric"
	"hasim/model/kube"
)

// LaneKind is what a lane follows.
type LaneKind string

const (
	LaneZone      LaneKind = "zone"      // a zone: up, partly down, or down (every host down)
	LaneHost      LaneKind = "host"      // a host: up, down, or running a paused process
	LaneMember    LaneKind = "member"    // an etcd member: its Raft role and term
	LaneAPIServer LaneKind = "apiserver" // an apiserver: /readyz passing or failing, or not running
	LaneBackend   LaneKind = "backend"   // a load balancer's view of one apiserver: up or DOWN
	LaneGroup     LaneKind = "group"     // a leader group: who led when
	LaneLease     LaneKind = "lease"     // a group's lease record: who it names, written when
	LaneClock     LaneKind = "clock"     // a host clock's rate, for hosts whose clock is not perfect
	LaneProbe     LaneKind = "probe"     // a probe: available or failing
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
	StatePartial = "partly down" // a zone with some of its hosts down
	StateReady   = "ready"       // an apiserver whose /readyz passes (a backend: StateUp)
	StateUnready = "unready"     // an apiserver running, /readyz failing
	StateStopped = "stopped"     // a process not running (exited, stopped, its host down)
	StateHeld    = "held"        // a lease record naming Who, written at the span's From
	StateFree    = "released"    // a lease record released by its holder
	StateRate    = "rate"        // a clock running at Span.Rate
)

// Lane is one row of a run's state over time, computed once from the
// timeline so that every renderer (the narration, pictures, an interactive
// timeline) reads the same intervals instead of replaying events itself.
type Lane struct {
	Kind LaneKind
	Name string // the zone, host, member, process, "balancer → host", group or probe
	// Host is the host the lane belongs to (a member's, a process's, a
	// backend's apiserver host), "" for zones, groups, leases and probes;
	// Zone is that host's zone, or the zone itself.
	Host, Zone string
	// Marks are instants worth a label: a host lane's process exits and
	// kubelet restarts.
	Marks []Mark
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
	Who      string  // a group's leader or a lease record's holder (a member or process name)
	Term     uint64  // a member's term
	Rate     float64 // a clock's rate
}

// Mark is an instant on a lane, with what happened then.
type Mark struct {
	T     sim.Time
	Label string
}

// ComputeLanes computes a result's lanes from its timeline, hosts,
// probes, groups, members and faults, in the order a picture shows them
// from the top: each zone followed by its hosts (hosts outside every zone
// last), the etcd members, the apiservers, the load balancers' backends,
// the leader groups, their lease records, clocks that are not perfect, and
// the probes. Result fills Result.Lanes with it; a result put together by
// hand (a test) can call it too.
func ComputeLanes(r *Result) []Lane {
	var out []Lane
	zoneOf := map[string]string{}
	for _, h := range r.HostList {
		zoneOf[h.Name] = h.Zone
	}
	hosts := LaneHosts(*r)
	var zones []string
	for _, h := range hosts {
		if z := zoneOf[h]; z != "" && !slices.Contains(zones, z) {
			zones = append(zones, z)
		}
	}
	for _, z := range append(zones, "") {
		var members []Lane
		for _, h := range hosts {
			if zoneOf[h] == z {
				ln := hostLane(r, h)
				ln.Zone = z
				members = append(members, ln)
			}
		}
		if z != "" {
			out = append(out, zoneLane(r, z, members))
		}
		out = append(out, members...)
	}
	for _, m := range r.Members {
		out = append(out, memberLane(r, m, zoneOf[m.Host]))
	}
	for _, a := range r.APIServers {
		out = append(out, apiserverLane(r, a, zoneOf[a.Host]))
	}
	for _, h := range r.HostList {
		for i, p := range h.Procs {
			if h.Roles[i] != kube.RoleLoadBalancer || strings.HasPrefix(p, "keepalived") {
				continue
			}
			for _, a := range r.APIServers {
				out = append(out, backendLane(r, p, a.Host, zoneOf[a.Host]))
			}
		}
	}
	for _, g := range r.Groups {
		out = append(out, groupLane(r, g))
	}
	for _, g := range r.Groups {
		if g.Name != GroupEtcd {
			out = append(out, leaseLane(r, g.Name))
		}
	}
	for _, h := range r.HostList {
		if ln, ok := clockLane(r, h); ok {
			ln.Zone = h.Zone
			out = append(out, ln)
		}
	}
	for _, p := range r.Probes {
		out = append(out, probeLane(r, p.Name))
	}
	return out
}

// LanesEnd is where a result's lanes end: the run's end, or, when the
// timeline did not keep every record (Config.MaxRecords, or a run over
// eras), the last record it kept: what followed is not known to the lanes.
func LanesEnd(r Result) sim.Time {
	if r.RecordsDropped > 0 && len(r.Timeline) > 0 {
		return r.Timeline[len(r.Timeline)-1].T
	}
	if r.Eras > 0 {
		return 0 // the end is in a later era than anything listed
	}
	return r.End
}

// LaneHosts are the hosts that get a lane: every host of the result's
// HostList, in the configuration's order; for a result without one (put
// together by hand), in order of first appearance: the members' hosts,
// the apiservers' hosts, then the hosts named by a host going down, a
// process pausing or a load-balancer backend going down.
func LaneHosts(r Result) []string {
	var names []string
	seen := map[string]bool{}
	add := func(h string) {
		if h != "" && !seen[h] {
			seen[h] = true
			names = append(names, h)
		}
	}
	for _, h := range r.HostList {
		add(h.Name)
	}
	if len(names) > 0 {
		return names
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

// zoneLane: up while every host of the zone is, down while none is, partly
// down between.
func zoneLane(r *Result, zone string, hosts []Lane) Lane {
	ln := Lane{Kind: LaneZone, Name: zone, Zone: zone}
	// The instants at which any host's state changes, in order.
	var cuts []sim.Time
	for _, h := range hosts {
		for _, sp := range h.Spans {
			cuts = append(cuts, sp.From, sp.To)
		}
	}
	slices.Sort(cuts)
	cuts = slices.Compact(cuts)
	// The cuts go forward in time: each host's span at a cut is found by
	// moving its index forward.
	at := make([]int, len(hosts))
	stateAt := func(k int, t sim.Time) string {
		sp := hosts[k].Spans
		for at[k] < len(sp) && sp[at[k]].To <= t {
			at[k]++
		}
		if at[k] < len(sp) && sp[at[k]].From <= t {
			return sp[at[k]].State
		}
		return StateUp
	}
	for i := 0; i+1 < len(cuts); i++ {
		down, live := 0, 0
		for k := range hosts {
			switch stateAt(k, cuts[i]) {
			case StateDown:
				down++
			case StateAbsent:
			default:
				live++
			}
		}
		st := StateUp
		switch {
		case down > 0 && live == 0:
			st = StateDown
		case down > 0:
			st = StatePartial
		}
		if n := len(ln.Spans); n > 0 && ln.Spans[n-1].State == st {
			ln.Spans[n-1].To = cuts[i+1]
			continue
		}
		ln.Spans = append(ln.Spans, Span{From: cuts[i], To: cuts[i+1], State: st})
	}
	return ln
}

// memberLane: an etcd member's Raft role (leader, candidate,
// precandidate, follower) and term; stopped while its process or host is
// down, paused while frozen.
func memberLane(r *Result, m MemberResult, zone string) Lane {
	ln := Lane{Kind: LaneMember, Name: m.Name, Host: m.Host, Zone: zone}
	role, term, since := "follower", uint64(0), sim.Time(0)
	var paused, stopped bool
	state := func() string {
		switch {
		case stopped:
			return StateStopped
		case paused:
			return StatePaused
		}
		return role
	}
	set := func(t sim.Time, f func()) {
		before, beforeTerm := state(), term
		f()
		if state() == before && term == beforeTerm {
			return
		}
		if t > since {
			ln.Spans = append(ln.Spans, Span{From: since, To: t, State: before, Term: beforeTerm})
			since = t
		}
	}
	for _, rec := range r.Timeline {
		mine := rec.Member == m.Name || rec.Proc == m.Name
		switch {
		case mine && rec.Event == etcd.EvPreCandidate:
			set(rec.T, func() { role = "precandidate" })
		case mine && rec.Event == etcd.EvCandidate:
			set(rec.T, func() { role, term = "candidate", rec.Term })
		case mine && rec.Event == etcd.EvLeader:
			set(rec.T, func() { role, term = "leader", rec.Term })
		case mine && (rec.Event == etcd.EvFollower || rec.Event == etcd.EvStepDown):
			set(rec.T, func() { role, term = "follower", max(term, rec.Term) })
		case mine && (rec.Event == fabric.EvProcStopped || rec.Event == fabric.EvProcExited || rec.Event == etcd.EvMemberLeft):
			set(rec.T, func() { stopped, paused, role = true, false, "follower" })
		case mine && rec.Event == fabric.EvProcStarted:
			set(rec.T, func() { stopped = false })
		case mine && rec.Event == fabric.EvProcPaused:
			set(rec.T, func() { paused = true })
		case mine && rec.Event == fabric.EvProcResumed:
			set(rec.T, func() { paused = false })
		case rec.Host == m.Host && rec.Event == fabric.EvHostDown:
			set(rec.T, func() { stopped, paused, role = true, false, "follower" })
		case rec.Host == m.Host && rec.Event == fabric.EvHostUp:
			set(rec.T, func() { stopped = false })
		}
	}
	if end := LanesEnd(*r); end > since {
		ln.Spans = append(ln.Spans, Span{From: since, To: end, State: state(), Term: term})
	}
	return ln
}

// apiserverLane: ready while /readyz passes, unready while it runs and
// fails (from its start until its first pass too), stopped while it is
// not running, paused while frozen.
func apiserverLane(r *Result, a APIServerResult, zone string) Lane {
	ready, stopped, paused := false, false, false
	spans := stateSpans(r, 0, StateUnready, func(rec fabric.Record) (string, bool) {
		mine := rec.Proc == a.Name
		switch {
		case mine && rec.Event == kube.EvAPIReady:
			ready = true
		case mine && rec.Event == kube.EvAPIUnready:
			ready = false
		case mine && (rec.Event == fabric.EvProcExited || rec.Event == fabric.EvProcStopped):
			stopped, ready, paused = true, false, false
		case mine && (rec.Event == fabric.EvProcStarted || rec.Event == kube.EvProcRestarted):
			stopped = false
		case mine && rec.Event == fabric.EvProcPaused:
			paused = true
		case mine && rec.Event == fabric.EvProcResumed:
			paused = false
		case rec.Host == a.Host && rec.Event == fabric.EvHostDown:
			stopped, ready, paused = true, false, false
		case rec.Host == a.Host && rec.Event == fabric.EvHostUp:
			stopped = false
		default:
			return "", false
		}
		switch {
		case stopped:
			return StateStopped, true
		case paused:
			return StatePaused, true
		case ready:
			return StateReady, true
		}
		return StateUnready, true
	})
	return Lane{Kind: LaneAPIServer, Name: a.Name, Host: a.Host, Zone: zone, Spans: mergeSpans(spans)}
}

// backendLane: whether load balancer lb sends requests to host's
// apiserver: up, or down after its health checks failed.
func backendLane(r *Result, lb, host, zone string) Lane {
	spans := stateSpans(r, 0, StateUp, func(rec fabric.Record) (string, bool) {
		if rec.Proc != lb || rec.Host != host {
			return "", false
		}
		switch rec.Event {
		case kube.EvLBBackendDown:
			return StateDown, true
		case kube.EvLBBackendUp:
			return StateUp, true
		}
		return "", false
	})
	return Lane{Kind: LaneBackend, Name: lb + " → " + host, Host: host, Zone: zone, Spans: mergeSpans(spans)}
}

// leaseLane: the group's lease record as written: by whom (Who, Held)
// and when (each span starts at a write: an acquisition or a renewal), or
// released. A run that keeps renewals out of its timeline shows only the
// acquisitions and releases.
func leaseLane(r *Result, group string) Lane {
	ln := Lane{Kind: LaneLease, Name: group}
	var cur *Span
	for _, rec := range r.Timeline {
		if rec.Group != group {
			continue
		}
		var next Span
		switch rec.Event {
		case kube.EvLeaseAcquired, kube.EvLeaseRenewed:
			next = Span{From: rec.T, State: StateHeld, Who: rec.Proc}
		case kube.EvLeaseReleased:
			next = Span{From: rec.T, State: StateFree}
		default:
			continue
		}
		if cur != nil {
			cur.To = rec.T
			ln.Spans = append(ln.Spans, *cur)
		}
		cur = &next
	}
	if cur != nil {
		cur.To = max(cur.From, LanesEnd(*r))
		ln.Spans = append(ln.Spans, *cur)
	}
	return ln
}

// clockLane: the rate of a host's clock, for a host whose clock does not
// run at rate 1 at some time in the run.
func clockLane(r *Result, h HostResult) (Lane, bool) {
	rate, since := h.InitialRate, sim.Time(0)
	ln := Lane{Kind: LaneClock, Name: h.Name, Host: h.Name}
	imperfect := rate != 1
	for _, rec := range r.Timeline {
		if rec.Host != h.Name || rec.Event != fabric.EvClockChanged {
			continue
		}
		next, ok := RateOf(rec.Reason)
		if !ok || next == rate {
			continue
		}
		if rec.T > since {
			ln.Spans = append(ln.Spans, Span{From: since, To: rec.T, State: StateRate, Rate: rate})
			since = rec.T
		}
		rate, imperfect = next, true
	}
	if end := LanesEnd(*r); end > since {
		ln.Spans = append(ln.Spans, Span{From: since, To: end, State: StateRate, Rate: rate})
	}
	return ln, imperfect
}

// RateOf reads the new rate from a clock.changed record's reason ("clock
// rate now 1.05", "clock rate back to 1"); a step of the wall clock has
// none.
func RateOf(reason string) (float64, bool) {
	for _, prefix := range []string{"clock rate now ", "clock rate back to "} {
		if v, ok := strings.CutPrefix(reason, prefix); ok {
			f, err := strconv.ParseFloat(v, 64)
			return f, err == nil
		}
	}
	return 0, false
}

// mergeSpans joins neighbouring spans of one state.
func mergeSpans(spans []Span) []Span {
	var out []Span
	for _, sp := range spans {
		if n := len(out); n > 0 && out[n-1].State == sp.State && out[n-1].To == sp.From {
			out[n-1].To = sp.To
			continue
		}
		out = append(out, sp)
	}
	return out
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
	if end := LanesEnd(*r); end > since {
		spans = append(spans, Span{From: since, To: end, State: state})
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
	ln := Lane{Kind: LaneHost, Name: host, Host: host, Spans: spans}
	for _, rec := range r.Timeline {
		if rec.Host != host {
			continue
		}
		switch rec.Event {
		case fabric.EvProcExited:
			ln.Marks = append(ln.Marks, Mark{T: rec.T, Label: rec.Proc + " exits: " + rec.Reason})
		case kube.EvProcRestarted:
			ln.Marks = append(ln.Marks, Mark{T: rec.T, Label: rec.Proc + " restarted by the kubelet"})
		}
	}
	return ln
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
		stop(who, LanesEnd(*r))
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
