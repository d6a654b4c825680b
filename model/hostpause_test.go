package model

import (
	"testing"
	"time"

	"hasim/model/fabric"
	"hasim/model/kube"
	"hasim/sim"
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

// TestNothingStartsOnAStalledVM: etcd on master-2 is killed at 1m for
// 20 s; the VM stalls (host-pause) from 1m10s for a minute. The kill's
// heal at 1m20s does not start etcd on the stalled VM (nothing runs on a
// frozen VM): it starts when the stall ends.
func TestNothingStartsOnAStalledVM(t *testing.T) {
	c := downThenStalled(t, FaultProcessKill)
	e := procOf(t, c, "master-2", "etcd")
	var during, after fabric.ProcState
	c.CalendarAt(sim.At(90*time.Second), "look", func() { during = e.State() })
	c.CalendarAt(sim.At(131*time.Second), "look after", func() { after = e.State() })
	c.Run()
	if during == fabric.Running || after != fabric.Running {
		t.Errorf("etcd on master-2 is %v at 1m30s, inside the VM stall (1m10s to 2m10s), and %v at 2m11s; want not running, then running", during, after)
	}
}

// TestBootWaitsForTheStall: master-2 crashes at 1m for 20 s; a VM
// stall of master-2 from 1m10s for a minute. The boot at 1m20s starts
// none of its processes while the stall lasts; they start as it ends.
func TestBootWaitsForTheStall(t *testing.T) {
	c := downThenStalled(t, FaultHostCrash)
	var running []string
	stopped := 0
	c.CalendarAt(sim.At(90*time.Second), "look", func() {
		for _, p := range host(c, "master-2").Procs {
			if p.State() == fabric.Running {
				running = append(running, p.Name)
			}
		}
	})
	c.CalendarAt(sim.At(131*time.Second), "look after", func() {
		for _, p := range host(c, "master-2").Procs {
			if p.State() != fabric.Running {
				stopped++
			}
		}
	})
	c.Run()
	if len(running) > 0 || stopped > 0 {
		t.Errorf("running at 1m30s, inside the VM stall of master-2: %v; %d not running at 2m11s, after it; want none and none", running, stopped)
	}
}

// downThenStalled builds stacked3 for 4 minutes with a fault of the kind
// on master-2 from 1m for 20 s, and a VM stall of master-2 from 1m10s for
// a minute: the fault's heal comes during the stall.
func downThenStalled(t *testing.T, kind FaultKind) *Cluster {
	t.Helper()
	cfg := stacked3(4 * time.Minute)
	cfg.Faults = []FaultConfig{
		{Kind: kind, At: time.Minute, Duration: 20 * time.Second, Target: Target{TargetHost, "master-2"}},
		{Kind: FaultHostPause, At: 70 * time.Second, Duration: time.Minute, Target: Target{TargetHost, "master-2"}},
	}
	return build(t, cfg)
}
