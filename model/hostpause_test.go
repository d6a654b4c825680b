package model

import (
	"testing"
	"time"

	"hasim/model/fabric"
	"hasim/model/kube"
)

// TestHostPauseFreezesTheVM: a host-pause (a VM stall) freezes every
// process of the host at once and resumes them all at the heal. A 20 s
// stall of the master that runs the kube-controller-manager's leader
// outlasts the lease (15 s): another candidate takes the lease over, and
// the stalled leader, resumed, still believes it leads until its next
// renewal fails, so two believe they lead for a while (split brain). A
// process-pause of etcd alone, as before, cannot show that.
func TestHostPauseFreezesTheVM(t *testing.T) {
	cfg := stacked3(2 * time.Minute)
	cfg.SkipRenewals = false
	cfg.Faults = []FaultConfig{{Kind: FaultHostPause, At: time.Minute, Duration: 20 * time.Second, Target: Target{TargetLeader, kube.GroupKCM}}}
	c, r := runCluster(t, cfg)
	f := c.Faults[0]
	if len(f.hosts) != 1 {
		t.Fatalf("fault on %d hosts", len(f.hosts))
	}
	h := f.hosts[0]
	paused, resumed := map[string]time.Duration{}, map[string]time.Duration{}
	for _, rec := range r.Timeline {
		if rec.Fault != f.ID {
			continue
		}
		switch rec.Event {
		case fabric.EvProcPaused:
			paused[rec.Proc] = rec.T.Duration()
		case fabric.EvProcResumed:
			resumed[rec.Proc] = rec.T.Duration()
		}
	}
	for _, p := range h.Procs {
		if paused[p.Name] != time.Minute || resumed[p.Name] != 80*time.Second {
			t.Errorf("%s: paused at %v, resumed at %v; want 1m and 1m20s", p.Name, paused[p.Name], resumed[p.Name])
		}
	}
	if len(paused) != len(h.Procs) || len(h.Procs) < 5 {
		t.Errorf("%d processes paused of %d on %s", len(paused), len(h.Procs), h.Name)
	}
	for _, g := range r.Groups {
		if g.Name != kube.GroupKCM {
			continue
		}
		if g.Acquisitions < 2 || len(g.SplitBrain) == 0 {
			t.Errorf("kube-controller-manager: %d acquisitions, split brain %v; want a takeover during the stall and a split brain after it", g.Acquisitions, g.SplitBrain)
		}
		if want := fabric.HostProcessName(kube.GroupKCM, h.Name); g.Leader == want {
			t.Errorf("the stalled %s leads at the end", want)
		}
	}
}
