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
	var p *fabric.Process
	for _, q := range host(c, "master-3").Procs {
		if q.Role == kube.GroupScheduler {
			p = q
		}
	}
	if p == nil {
		t.Fatal("no scheduler on master-3")
	}
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
