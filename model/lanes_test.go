package model

import (
	"slices"
	"testing"
	"time"
)

// TestLanes: a stacked control plane whose etcd leader's host crashes for
// 20 s. Host and probe lanes cover the run without gaps or overlaps; the
// crashed host's lane is down exactly while the fault holds it; etcd's
// lane shows the old leader until the crash and a new one after; every
// leader has its place in Leaders.
func TestLanes(t *testing.T) {
	cfg := stacked3(60 * time.Second)
	cfg.SkipRenewals = false
	cfg.Faults = []FaultConfig{{Kind: FaultHostCrash, Target: Target{Kind: TargetLeader, Name: "etcd"}, At: 20 * time.Second, Duration: 20 * time.Second}}
	c := build(t, cfg)
	r := c.Result(c.Run())
	count := map[LaneKind]int{}
	for _, ln := range r.Lanes {
		count[ln.Kind]++
	}
	lbs := 0
	for _, h := range r.HostList {
		lbs += len(slices.DeleteFunc(slices.Clone(h.Roles), func(role string) bool { return role != "load-balancer" }))
	}
	want := map[LaneKind]int{LaneZone: 3, LaneHost: len(r.HostList), LaneMember: len(r.Members), LaneAPIServer: len(r.APIServers),
		LaneBackend: lbs * len(r.APIServers), LaneGroup: len(r.Groups), LaneLease: len(r.Groups) - 1, LaneProbe: len(r.Probes)}
	for k, n := range want {
		if count[k] != n {
			t.Errorf("%d %s lanes, want %d (all: %v)", count[k], k, n, count)
		}
	}
	if lbs == 0 || len(r.HostList) != 5 {
		t.Fatalf("hosts %+v: want 3 masters, a load balancer and the clients' host", r.HostList)
	}
	crashed := ""
	for _, ln := range r.Lanes {
		if ln.Kind == LaneHost && slices.ContainsFunc(ln.Spans, func(sp Span) bool { return sp.State == StateDown }) {
			crashed = ln.Name
		}
	}
	downLanes := 0
	for _, ln := range r.Lanes {
		if ln.Host == crashed && (ln.Kind == LaneMember || ln.Kind == LaneAPIServer) {
			// The crashed host's member and apiserver do not run while it is down.
			i := slices.IndexFunc(ln.Spans, func(sp Span) bool { return sp.State == StateStopped })
			if i < 0 || ln.Spans[i].From.Duration() != 20*time.Second || ln.Spans[i].To.Duration() != 40*time.Second {
				t.Errorf("%s %s on the crashed host: spans %+v, want stopped 20s–40s", ln.Kind, ln.Name, ln.Spans)
			}
		}
		if ln.Kind == LaneMember && ln.Host != crashed {
			// Some other member leads a higher term after the crash.
			if slices.ContainsFunc(ln.Spans, func(sp Span) bool { return sp.State == "leader" && sp.Term > 1 && sp.From.Duration() > 20*time.Second }) {
				downLanes-- // counted back below: one new leader expected
			}
		}
		if ln.Kind == LaneLease {
			for i, sp := range ln.Spans {
				if sp.State != StateHeld || sp.Who == "" || i > 0 && sp.From != ln.Spans[i-1].To {
					t.Fatalf("lease %s: span %d %+v", ln.Name, i, sp)
				}
			}
			if len(ln.Spans) < 10 {
				t.Fatalf("lease %s: %d records written in a minute, want a renewal every 2 s or so", ln.Name, len(ln.Spans))
			}
		}
		if ln.Kind == LaneBackend && ln.Host == crashed &&
			!slices.ContainsFunc(ln.Spans, func(sp Span) bool { return sp.State == StateDown && sp.From.Duration() > 20*time.Second }) {
			t.Errorf("backend %s: %+v, want it marked down after the crash", ln.Name, ln.Spans)
		}
	}
	if downLanes != -1 {
		t.Fatalf("%d members other than the crashed one lead a higher term after the crash, want 1", -downLanes)
	}
	downLanes = 0
	for _, ln := range r.Lanes {
		switch ln.Kind {
		case LaneHost, LaneProbe, LaneZone, LaneMember, LaneAPIServer, LaneBackend:
			from := ln.Spans[0].From
			for i, sp := range ln.Spans {
				if sp.From != from || sp.To <= sp.From {
					t.Fatalf("%s %s: span %d %+v does not follow on from %v", ln.Kind, ln.Name, i, sp, from)
				}
				from = sp.To
			}
			if from != r.End {
				t.Fatalf("%s %s ends at %v, the run at %v", ln.Kind, ln.Name, from, r.End)
			}
		case LaneGroup:
			for _, sp := range ln.Spans {
				if sp.State != StateLeading || !slices.Contains(ln.Leaders, sp.Who) {
					t.Fatalf("group %s: span %+v", ln.Name, sp)
				}
			}
		}
		var down []Span
		for _, sp := range ln.Spans {
			if ln.Kind == LaneHost && sp.State == StateDown || ln.Kind == LaneZone && sp.State == StatePartial {
				down = append(down, sp)
			}
		}
		if len(down) > 0 {
			downLanes++
			if len(down) != 1 || down[0].From.Duration() != 20*time.Second || down[0].To.Duration() != 40*time.Second {
				t.Fatalf("crashed host %s down %+v, want 20s–40s", ln.Name, down)
			}
		}
		if ln.Kind == LaneGroup && ln.Name == "etcd" {
			if len(ln.Leaders) < 2 {
				t.Fatalf("etcd leaders %v: want the old and a new one", ln.Leaders)
			}
			first := ln.Spans[0]
			if first.To.Duration() != 20*time.Second {
				t.Fatalf("the first etcd leader's span %+v should end at the crash", first)
			}
		}
	}
	if downLanes != 2 {
		t.Fatalf("%d host and zone lanes go down, want the crashed leader's and its zone's (partly down: the zone has other hosts)", downLanes)
	}
}

// TestRateOf reads the rates the clock-drift fault writes in its records.
func TestRateOf(t *testing.T) {
	for reason, want := range map[string]float64{"clock rate now 1.05": 1.05, "clock rate back to 1": 1} {
		if got, ok := RateOf(reason); !ok || got != want {
			t.Errorf("RateOf(%q) = %v, %v; want %v", reason, got, ok, want)
		}
	}
	if _, ok := RateOf("wall clock stepped by 30s"); ok {
		t.Error("a step has no rate")
	}
}

// TestLanesStopWhereTheTimelineDoes: a run whose timeline kept only its
// first records has lanes that end at the last kept record, not at the
// run's end: what followed is unknown to them.
func TestLanesStopWhereTheTimelineDoes(t *testing.T) {
	cfg := stacked3(60 * time.Second)
	cfg.MaxRecords = 8
	c := build(t, cfg)
	r := c.Result(c.Run())
	if r.RecordsDropped == 0 {
		t.Fatal("the run kept every record: raise its horizon")
	}
	last := r.Timeline[len(r.Timeline)-1].T
	if LanesEnd(r) != last || last >= r.End {
		t.Fatalf("lanes end at %v; the last record kept is at %v, the run ends at %v", LanesEnd(r), last, r.End)
	}
	for _, ln := range r.Lanes {
		for _, sp := range ln.Spans {
			if sp.To > last {
				t.Errorf("%s %s: span %+v runs past the last record kept (%v)", ln.Kind, ln.Name, sp, last)
			}
		}
	}
}
