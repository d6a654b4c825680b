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
	if len(r.Lanes) != len(r.Probes)+len(r.Groups)+len(LaneHosts(r)) {
		t.Fatalf("%d lanes for %d probes, %d groups, %d hosts", len(r.Lanes), len(r.Probes), len(r.Groups), len(LaneHosts(r)))
	}
	downLanes := 0
	for _, ln := range r.Lanes {
		switch ln.Kind {
		case LaneHost, LaneProbe:
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
			if ln.Kind == LaneHost && sp.State == StateDown {
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
	if downLanes != 1 {
		t.Fatalf("%d host lanes go down, want the crashed leader's", downLanes)
	}
}
