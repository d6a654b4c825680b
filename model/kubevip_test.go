package model

import (
	"strings"
	"testing"
	"time"

	"hasim/sim"
)

// TestKubeVIPStopDuringFlush: a kube-vip leader that lost its lease is
// flushing (ExitFlush) when SIGTERM arrives. When the flush ends the
// process exits; it does not campaign again (it used to, with its release
// still marked as under way, and then sat without a single attempt until
// the release deadline).
func TestKubeVIPStopDuringFlush(t *testing.T) {
	cfg := stacked3(60 * time.Second)
	le := LeaderElectionConfig{ExitFlush: 2 * time.Second}.WithDefaults()
	cfg.LoadBalancer = &LoadBalancerConfig{Kind: LBKubeVIP, LE: le}
	c := build(t, cfg)
	c.Sim.Run(sim.Bounds{Until: sim.At(20 * time.Second)})
	var vip *Controller
	for _, g := range c.Groups {
		for _, k := range g.Candidates {
			if g.Name == RoleKubeVIP && k.Leading() {
				vip = k
			}
		}
	}
	if vip == nil {
		t.Fatal("no kube-vip leader at 20s")
	}
	vip.el.startRound() // a renew round, which then fails
	vip.el.lose("test: renewal failed")
	vip.el.shutdown() // SIGTERM during the flush
	if vip.el.State() != elExitingReleasing {
		t.Fatalf("state after SIGTERM in the flush: %v", vip.el.State())
	}
	c.Sim.Run(sim.Bounds{Until: sim.At(20*time.Second + le.ExitFlush + time.Millisecond)})
	var exited bool
	for _, r := range c.Timeline() {
		if r.Proc == vip.Name && r.Event == EvProcExited && r.T > sim.At(20*time.Second) {
			exited = true
			if !strings.Contains(r.Reason, "exit 0") {
				t.Errorf("exit record %q", r.Reason)
			}
		}
	}
	if !exited {
		t.Fatalf("kube-vip did not exit when its flush ended; elector state %v", vip.el.State())
	}
}
