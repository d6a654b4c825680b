package model

import (
	"slices"
	"testing"
	"time"

	"hasim/model/kube"
	"hasim/sim"
)

func secAt(s float64) sim.Time { return sim.At(time.Duration(s * float64(time.Second))) }

// TestAttributionRule: the split rule on made-up stretches. Zone [10, 50)
// and crash [30, 70), downtime over [0, 100): before the first fault to
// it (10s), zone alone (20s), both halves (10s each), crash alone (20s),
// after the last heal to crash (30s).
func TestAttributionRule(t *testing.T) {
	zone, crash := &Fault{ID: 1, Class: "zone"}, &Fault{ID: 2, Class: "crash"}
	faults := []faultSpan{{f: zone, from: secAt(10), to: secAt(50)}, {f: crash, from: secAt(30), to: secAt(70)}}
	segs := attribution(faults, []int{0, 1})
	by := make([]time.Duration, 2)
	split(kube.Interval{From: secAt(0), To: secAt(100)}, segs, by)
	if want := []time.Duration{40 * time.Second, 60 * time.Second}; !slices.Equal(by, want) {
		t.Errorf("zone then crash: %v, want %v", by, want)
	}

	// Two stretches of downtime, one inside the overlap only.
	by = make([]time.Duration, 2)
	split(kube.Interval{From: secAt(35), To: secAt(45)}, segs, by)
	split(kube.Interval{From: secAt(60), To: secAt(61)}, segs, by)
	if want := []time.Duration{5 * time.Second, 6 * time.Second}; !slices.Equal(by, want) {
		t.Errorf("stretches: %v, want %v", by, want)
	}

	// An odd number of nanoseconds shared by three classes sums exactly.
	three := []faultSpan{{f: &Fault{ID: 1, Class: "a"}, from: 0, to: 100}, {f: &Fault{ID: 2, Class: "b"}, from: 0, to: 100},
		{f: &Fault{ID: 3, Class: "c"}, from: 0, to: 100}}
	by = make([]time.Duration, 3)
	split(kube.Interval{From: 0, To: 100}, attribution(three, []int{0, 1, 2}), by)
	if want := []time.Duration{34, 33, 33}; !slices.Equal(by, want) {
		t.Errorf("three ways: %v, want %v", by, want)
	}

	// Two faults of one class count once; a clock step (over at once) is
	// the last active when nothing else is, and takes the tail.
	same := []faultSpan{{f: &Fault{ID: 1, Class: "a"}, from: secAt(0), to: secAt(10)}, {f: &Fault{ID: 2, Class: "a"}, from: secAt(5), to: secAt(10)},
		{f: &Fault{ID: 3, Class: "b"}, from: secAt(5), to: secAt(20)}, {f: &Fault{ID: 4, Class: "step"}, from: secAt(30), to: secAt(30)}}
	by = make([]time.Duration, 3)
	split(kube.Interval{From: secAt(0), To: secAt(40)}, attribution(same, []int{0, 0, 1, 2}), by)
	// a: 5 + 2.5; b: 2.5 + 10 + 10 (after its heal, until the step); step: 10.
	if want := []time.Duration{7500 * time.Millisecond, 22500 * time.Millisecond, 10 * time.Second}; !slices.Equal(by, want) {
		t.Errorf("one class twice, then a step: %v, want %v", by, want)
	}

	// No fault: everything to the one cause there is.
	by = make([]time.Duration, 1)
	split(kube.Interval{From: secAt(1), To: secAt(3)}, attribution(nil, nil), by)
	if by[0] != 2*time.Second {
		t.Errorf("no fault: %v", by)
	}
}

// TestIncidentBoundaries drives the tracker directly, with a settle window
// of 3s: overlapping faults are one incident; a probe record that reaches
// back into an incident, or within the settle window of its end, joins
// it; a failure later than that is a new incident; an incident is settled
// only once no record can reach it any more.
func TestIncidentBoundaries(t *testing.T) {
	const probe, etcdFn = 0, 1
	tr := newIncidents(2, 3*time.Second)
	tr.measuring = true
	a := &Fault{ID: 1, Class: "a", injected: true}
	b := &Fault{ID: 2, Class: "b", injected: true}
	c := &Fault{ID: 3, Class: "c", injected: true}

	tr.leaderElected(1, secAt(1)) // the bootstrap leader
	tr.faultBegins(a, secAt(10))
	tr.function(etcdFn, true, secAt(10.5), secAt(10.5))
	tr.leaderElected(2, secAt(14))
	tr.faultBegins(b, secAt(12))                     // overlaps a
	tr.function(probe, true, secAt(9.9), secAt(13))  // a request sent before a, failed by it
	tr.function(etcdFn, false, secAt(14), secAt(14)) // etcd leads again
	a.healed = true
	tr.faultEnds(a, secAt(20))
	b.healed = true
	tr.faultEnds(b, secAt(25))
	tr.function(probe, false, secAt(26), secAt(27)) // writes succeed again from 26
	tr.function(probe, true, secAt(28), secAt(31))  // fails again 2s after: the same incident
	tr.function(probe, false, secAt(29), secAt(32))
	if len(tr.done) != 0 || len(tr.pending) != 1 {
		t.Fatalf("settled too early: %d done, %d pending", len(tr.done), len(tr.pending))
	}
	if got := tr.unsettledFrom(secAt(32)); got != secAt(9.9) {
		t.Errorf("unsettled from %v, want the pending incident's start 9.900s", got)
	}
	tr.faultBegins(c, secAt(40)) // 11s after: a new incident; the first settles (29 + 2×3 < 40)
	if len(tr.done) != 1 || len(tr.pending) != 1 {
		t.Fatalf("after c: %d done, %d pending", len(tr.done), len(tr.pending))
	}
	if got := tr.unsettledFrom(secAt(40)); got != secAt(37) {
		t.Errorf("unsettled from %v, want the settle window before now, 37.000s", got)
	}
	c.healed = true
	tr.faultEnds(c, secAt(41))
	tr.finish(secAt(100))

	if len(tr.done) != 2 {
		t.Fatalf("%d incidents, want 2", len(tr.done))
	}
	first, second := tr.done[0], tr.done[1]
	if first.Start != secAt(9.9) || first.End != secAt(29) {
		t.Errorf("first incident %v–%v, want 9.900s–29.000s", first.Start, first.End)
	}
	if !slices.Equal(first.Causes, []string{"a", "b"}) || len(first.Faults) != 2 {
		t.Errorf("first incident's causes %v, faults %v", first.Causes, first.Faults)
	}
	// Probe down [9.9, 26) and [28, 29): 0.1s before a to a; a alone
	// [10, 12) 2s; shared [12, 20) 4s each; b [20, 26) and the tail 7s.
	if want := []time.Duration{6100 * time.Millisecond, 11 * time.Second}; first.Down[probe].Total != 17100*time.Millisecond ||
		!slices.Equal(first.Down[probe].ByCause, want) {
		t.Errorf("probe downtime %v by %v, want 17.1s by %v", first.Down[probe].Total, first.Down[probe].ByCause, want)
	}
	// etcd down [10.5, 14): a [10.5, 12), shared [12, 14).
	if want := []time.Duration{2500 * time.Millisecond, 1 * time.Second}; !slices.Equal(first.Down[etcdFn].ByCause, want) {
		t.Errorf("etcd downtime by cause %v, want %v", first.Down[etcdFn].ByCause, want)
	}
	if first.EtcdFailover != 4100*time.Millisecond || second.EtcdFailover != -1 {
		t.Errorf("etcd failover %v and %v, want 4.1s (from 9.9s to 14s) and none", first.EtcdFailover, second.EtcdFailover)
	}
	if first.Down[probe].Recovered != 19100*time.Millisecond || first.Down[etcdFn].Recovered != 4100*time.Millisecond {
		t.Errorf("recovered after %v and %v, want 19.1s and 4.1s", first.Down[probe].Recovered, first.Down[etcdFn].Recovered)
	}
	if second.Start != secAt(40) || second.End != secAt(41) || !slices.Equal(second.Causes, []string{"c"}) || second.Down[probe].Total != 0 {
		t.Errorf("second incident %v–%v %v, probe down %v", second.Start, second.End, second.Causes, second.Down[probe].Total)
	}
}

// TestIncidentsMergeBackwards: a failing probe whose record reaches back
// before a new incident, to within the settle window of the previous
// one's end, joins the two (the steady state had not returned for long).
func TestIncidentsMergeBackwards(t *testing.T) {
	tr := newIncidents(1, 3*time.Second)
	tr.measuring = true
	a := &Fault{ID: 1, Class: "a", injected: true}
	b := &Fault{ID: 2, Class: "b", injected: true}
	tr.faultBegins(a, secAt(10))
	a.healed = true
	tr.faultEnds(a, secAt(11))
	tr.faultBegins(b, secAt(15)) // 4s after a's end: a new incident, a still unsettled
	if len(tr.pending) != 2 {
		t.Fatalf("%d pending, want 2", len(tr.pending))
	}
	tr.function(0, true, secAt(13), secAt(16)) // failing since 13, within 3s of a's end
	if len(tr.pending) != 1 {
		t.Fatalf("%d pending after the bridging record, want 1", len(tr.pending))
	}
	tr.function(0, false, secAt(18), secAt(18))
	tr.finish(secAt(30))
	if len(tr.done) != 1 || tr.done[0].Start != secAt(10) || !slices.Equal(tr.done[0].Causes, []string{"a", "b"}) {
		t.Fatalf("incidents %+v", tr.done)
	}
	// [13, 15): after a's heal, before b: a's; [15, 18): b's.
	if want := []time.Duration{2 * time.Second, 3 * time.Second}; !slices.Equal(tr.done[0].Down[0].ByCause, want) {
		t.Errorf("by cause %v, want %v", tr.done[0].Down[0].ByCause, want)
	}
}

// TestYearsSplitDowntime: downtime across a year's end counts in both.
func TestYearsSplitDowntime(t *testing.T) {
	tr := newIncidents(1, 0)
	tr.addYears(0, kube.Interval{From: sim.At(Year - time.Hour), To: sim.At(Year + 2*time.Hour)})
	tr.addYears(0, kube.Interval{From: sim.At(2*Year + time.Minute), To: sim.At(2*Year + 2*time.Minute)})
	if want := []time.Duration{time.Hour, 2 * time.Hour, time.Minute}; !slices.Equal(tr.years[0], want) {
		t.Errorf("years %v, want %v", tr.years[0], want)
	}
}

// TestScriptedOverlapAttributed: two masters of three crash, the second
// while the first is down: writes fail once quorum is lost. One incident
// holds both; writes' downtime is split as the rule says, checked against
// the write probe's lane: before the second crash to the first, while
// both are down in halves, after the first's repair to the second.
func TestScriptedOverlapAttributed(t *testing.T) {
	cfg := stacked3(2 * time.Minute)
	first, second, firstHeal, secondHeal := 10*time.Second, 30*time.Second, 50*time.Second, 70*time.Second
	cfg.Faults = []FaultConfig{
		{Name: "first", Kind: FaultHostCrash, At: first, Duration: firstHeal - first, Target: Target{Kind: TargetHost, Name: "master-1"}},
		{Name: "second", Kind: FaultHostCrash, At: second, Duration: secondHeal - second, Target: Target{Kind: TargetHost, Name: "master-2"}},
		{Kind: FaultProcessKill, At: 100 * time.Second, Duration: time.Second, Target: Target{Kind: TargetHost, Name: "master-3"}},
	}
	r, err := Simulate(cfg, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Incidents) != 2 {
		t.Fatalf("%d incidents, want 2: %+v", len(r.Incidents), r.Incidents)
	}
	in := r.Incidents[0]
	if !slices.Equal(in.Causes, []string{"first", "second"}) || in.End < sim.At(secondHeal) || in.Start > sim.At(first) {
		t.Fatalf("incident %v–%v causes %v", in.Start, in.End, in.Causes)
	}
	if got := r.Incidents[1].Causes; !slices.Equal(got, []string{string(FaultProcessKill)}) {
		t.Errorf("an unnamed scripted fault's class is its kind: %v", got)
	}
	var lane Lane
	for _, l := range r.Lanes {
		if l.Kind == LaneProbe && l.Name == "api-writes" {
			lane = l
		}
	}
	want := make([]time.Duration, 2)
	var total time.Duration
	for _, s := range lane.Spans {
		if s.State != StateFailing || s.From >= sim.At(100*time.Second) {
			continue
		}
		total += s.To.Sub(s.From)
		part := func(from, to time.Duration) time.Duration {
			return max(0, min(s.To, sim.At(to)).Sub(max(s.From, sim.At(from))))
		}
		const forever = 1 << 62
		want[0] += part(-forever, second)
		both := part(second, firstHeal)
		want[0] += both / 2
		want[1] += both - both/2
		want[1] += part(firstHeal, forever)
	}
	if total < 20*time.Second {
		t.Fatalf("writes failed only %v with quorum lost for 20s", total)
	}
	got := in.Down[0]
	if got.Total != total {
		t.Errorf("writes down %v in the incident, %v on the lane", got.Total, total)
	}
	for i := range want {
		if d := got.ByCause[i] - want[i]; d < -time.Duration(len(lane.Spans)) || d > time.Duration(len(lane.Spans)) {
			t.Errorf("%s: %v, want %v", in.Causes[i], got.ByCause[i], want[i])
		}
	}
	var last sim.Time
	for _, s := range lane.Spans {
		if s.State == StateFailing && s.From < sim.At(100*time.Second) {
			last = max(last, s.To)
		}
	}
	if got.Recovered != last.Sub(in.Start) {
		t.Errorf("writes recovered %v after the start, the lane says %v", got.Recovered, last.Sub(in.Start))
	}
	// Quorum is lost, so etcd elects a leader, at the latest after it
	// returns: the failover is the first election after the start.
	var firstElected sim.Time
	for _, rec := range r.Timeline {
		if rec.Event == EvLeader && rec.T >= in.Start && firstElected == 0 {
			firstElected = rec.T
		}
	}
	if in.EtcdFailover < 0 || in.Start.Add(in.EtcdFailover) != firstElected {
		t.Errorf("etcd failover %v after the start; the first leader elected after it at %v", in.EtcdFailover, firstElected)
	}
	if got.ByCause[0]+got.ByCause[1] != got.Total {
		t.Errorf("causes %v do not sum to %v", got.ByCause, got.Total)
	}
	// Every function's downtime is inside the incidents.
	for fn, f := range r.Functions {
		var sum time.Duration
		for _, in := range r.Incidents {
			sum += in.Down[fn].Total
		}
		if sum != f.Down {
			t.Errorf("%s: %v in incidents, %v in all", f.Name, sum, f.Down)
		}
	}
}
