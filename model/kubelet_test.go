package model

import (
	"testing"
	"time"

	"hasim/model/fabric"
	"hasim/model/kube"
	"hasim/sim"
)

// TestKubeletBackoffResetIsTenMinutes: the kubelet forgets a container's
// restart back-off once it ran for 10 minutes, whatever the maximum
// back-off: kubelet.go sets the crash-loop back-off's HasExpiredFunc to
// "more than 600 s since the last restart" since the maximum became
// configurable (KEP-4603, maxContainerRestartPeriod); before that the
// maximum was fixed at 300 s and flowcontrol's default, twice the maximum,
// was the same 10 minutes. With a 60 s maximum, a scheduler that exits
// after running 3 minutes is still in back-off: it restarts 10 s after
// its exit, not at once.
func TestKubeletBackoffResetIsTenMinutes(t *testing.T) {
	cfg := stacked3(6 * time.Minute)
	cfg.Kubelet = kube.KubeletConfig{MaxRestartBackoff: time.Minute}
	c := build(t, cfg)
	p := procOf(t, c, "master-3", kube.GroupScheduler)
	state := map[string]fabric.ProcState{}
	at := func(d time.Duration, name string, fn func()) { c.CalendarAt(sim.At(d), name, fn) }
	at(time.Minute, "first exit", func() { p.Exit("test: first exit") })     // restarted at once; back-off now 10s
	at(4*time.Minute, "second exit", func() { p.Exit("test: second exit") }) // ran 3 minutes: still in back-off
	at(4*time.Minute+5*time.Second, "look 5s after", func() { state["5s"] = p.State() })
	at(4*time.Minute+11*time.Second, "look 11s after", func() { state["11s"] = p.State() })
	c.Run()
	if state["5s"] != fabric.Stopped {
		t.Errorf("5 s after the second exit the scheduler is %v; want stopped (back-off 10 s: it ran 3 minutes, under the kubelet's 10-minute reset)", state["5s"])
	}
	if state["11s"] != fabric.Running {
		t.Errorf("11 s after the second exit the scheduler is %v; want running", state["11s"])
	}
}

// TestProcessCrashRestartedByKubelet: a process-crash ends the process at
// once and its kubelet restarts it, as it restarts any static pod that
// exits: the first time as soon as it sees the exit (its next relist,
// within a second; it had run 10 minutes), the second time,
// after 3 minutes of running, only after the 10 s back-off. The fault is
// over as it is injected (no heal). etcd is a static pod too, on masters
// and on etcd-only hosts (threeMembers: no apiserver, a kubelet for etcd
// alone).
func TestProcessCrashRestartedByKubelet(t *testing.T) {
	crash := func(at time.Duration, process string, target Target) FaultConfig {
		return FaultConfig{Kind: FaultProcessCrash, At: at, Target: target, Process: process}
	}
	cases := []struct {
		name, proc string
		cfg        Config
	}{
		{"kube-apiserver", "kube-apiserver-master-2", stacked3(15 * time.Minute)},
		{"etcd on a master", "etcd-2", stacked3(15 * time.Minute)},
		{"etcd alone", "etcd-2", threeMembers(1)},
	}
	cases[0].cfg.Faults = []FaultConfig{crash(11*time.Minute, kube.RoleAPIServer, Target{TargetHost, "master-2"}), crash(14*time.Minute, kube.RoleAPIServer, Target{TargetHost, "master-2"})}
	cases[1].cfg.Faults = []FaultConfig{crash(11*time.Minute, "", Target{TargetHost, "master-2"}), crash(14*time.Minute, "", Target{TargetHost, "master-2"})}
	cases[2].cfg.Horizon = 15 * time.Minute
	cases[2].cfg.Faults = []FaultConfig{crash(11*time.Minute, "", Target{TargetHost, "h2"}), crash(14*time.Minute, "", Target{TargetHost, "h2"})}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := mustRun(t, tc.cfg)
			var exits, restarts []time.Duration
			for _, r := range c.Timeline() {
				if r.Proc != tc.proc {
					continue
				}
				switch r.Event {
				case fabric.EvProcExited:
					exits = append(exits, r.T.Duration())
				case kube.EvProcRestarted:
					restarts = append(restarts, r.T.Duration())
				}
			}
			// The first restart comes at the kubelet's next relist, within
			// a second; the second when its back-off expires.
			if len(exits) != 2 || exits[0] != 11*time.Minute || exits[1] != 14*time.Minute || len(restarts) != 2 ||
				restarts[0] <= exits[0] || restarts[0] > exits[0]+kube.RelistPeriod || restarts[1] != exits[1]+10*time.Second {
				t.Errorf("exits %v, restarts %v; want exits at 11m and 14m, restarts within a second of the first and 10 s after the second", exits, restarts)
			}
			for _, f := range c.Faults {
				if !f.injected || f.active() || f.healed {
					t.Errorf("fault %d: injected %v, active %v, healed %v; want injected, over at once, never healed", f.ID, f.injected, f.active(), f.healed)
				}
			}
		})
	}
}

// TestKubeletSeesEveryStart: a static pod started by a fault's heal (a
// process-kill held for 12 minutes) has run only from that start: when it
// exits a minute later, the kubelet's back-off (10 s after an earlier
// exit) still applies, as it would to a container the kubelet had just
// started, instead of being forgiven for the 14 minutes since the
// kubelet's own last restart.
func TestKubeletSeesEveryStart(t *testing.T) {
	cfg := stacked3(17 * time.Minute)
	cfg.Faults = []FaultConfig{{Kind: FaultProcessKill, At: 2 * time.Minute, Duration: 12 * time.Minute, Target: Target{TargetHost, "master-3"}, Process: kube.GroupScheduler}}
	c := build(t, cfg)
	p := procOf(t, c, "master-3", kube.GroupScheduler)
	state := map[string]fabric.ProcState{}
	at := func(d time.Duration, name string, fn func()) { c.CalendarAt(sim.At(d), name, fn) }
	at(time.Minute, "first exit", func() { p.Exit("test: first exit") }) // restarted at once; back-off now 10s
	at(15*time.Minute, "second exit", func() { p.Exit("test: second exit") })
	at(15*time.Minute+5*time.Second, "look 5s after", func() { state["5s"] = p.State() })
	at(15*time.Minute+11*time.Second, "look 11s after", func() { state["11s"] = p.State() })
	c.Run()
	if state["5s"] != fabric.Stopped || state["11s"] != fabric.Running {
		t.Errorf("5 s after the second exit the scheduler is %v, 11 s after %v; want stopped, then running (back-off 10 s: it ran a minute since the heal restarted it)", state["5s"], state["11s"])
	}
}

// procOf is the process of the role on host hostName.
func procOf(t *testing.T, c *Cluster, hostName, role string) *fabric.Process {
	t.Helper()
	for _, q := range host(c, hostName).Procs {
		if q.Role == role {
			return q
		}
	}
	t.Fatalf("no %s on %s", role, hostName)
	return nil
}

// TestKubeletRestartsWhatExitedWhileDown: etcd crashes (process-crash) while its
// host's kubelet is down (process-kill of the kubelet, 2 minutes). The
// kubelet, once back, syncs its static pods and starts the etcd container
// that exited.
func TestKubeletRestartsWhatExitedWhileDown(t *testing.T) {
	at5m := etcd2At5m(t,
		FaultConfig{Kind: FaultProcessKill, At: time.Minute, Duration: 2 * time.Minute, Target: Target{TargetHost, "master-2"}, Process: kube.RoleKubelet},
		FaultConfig{Kind: FaultProcessCrash, At: 90 * time.Second, Target: Target{TargetHost, "master-2"}})
	if at5m != fabric.Running {
		t.Errorf("etcd on master-2 is %v at 5m, 2 minutes after its kubelet came back; want running (the kubelet starts a static pod's exited container when it starts)", at5m)
	}
}

// TestKubeletRestartsAfterItsOwnRestart: etcd crashes twice within
// 10 minutes, so its second restart waits the 10 s back-off; the kubelet is
// killed 5 s into that wait and restarted 5 s later, and restarts etcd then.
func TestKubeletRestartsAfterItsOwnRestart(t *testing.T) {
	at5m := etcd2At5m(t,
		FaultConfig{Kind: FaultProcessCrash, At: 1 * time.Minute, Target: Target{TargetHost, "master-2"}},
		FaultConfig{Kind: FaultProcessCrash, At: 2 * time.Minute, Target: Target{TargetHost, "master-2"}},
		FaultConfig{Kind: FaultProcessKill, At: 2*time.Minute + 5*time.Second, Duration: 5 * time.Second, Target: Target{TargetHost, "master-2"}, Process: kube.RoleKubelet})
	if at5m != fabric.Running {
		t.Errorf("etcd on master-2 is %v at 5m; want running", at5m)
	}
}

// etcd2At5m runs stacked3 for 6 minutes with the faults and returns the
// state of master-2's etcd member at 5 minutes.
func etcd2At5m(t *testing.T, faults ...FaultConfig) fabric.ProcState {
	t.Helper()
	cfg := stacked3(6 * time.Minute)
	cfg.Faults = faults
	c := build(t, cfg)
	e := procOf(t, c, "master-2", "etcd")
	var at5m fabric.ProcState
	c.CalendarAt(sim.At(5*time.Minute), "look", func() { at5m = e.State() })
	c.Run()
	return at5m
}
