package model

import (
	"strings"
	"testing"
	"time"

	"hasim/sim"

	"hasim/model/fabric"
	"hasim/model/kube"
)

// TestKubeVIPStopDuringFlush: a kube-vip leader that lost its lease is
// flushing (ExitFlush) when SIGTERM arrives. When the flush ends the
// process exits; it does not campaign again (it used to, with its release
// still marked as under way, and then sat without a single attempt until
// the release deadline).
func TestKubeVIPStopDuringFlush(t *testing.T) {
	cfg := stacked3(60 * time.Second)
	le := kube.LeaderElectionConfig{ExitFlush: 2 * time.Second}.WithDefaults()
	cfg.LoadBalancer = &kube.LoadBalancerConfig{Kind: kube.LBKubeVIP, LE: le}
	c := build(t, cfg)
	c.Sim.Run(sim.Bounds{Until: sim.At(20 * time.Second)})
	var vip *kube.Controller
	for _, g := range c.Groups {
		for _, k := range g.Candidates {
			if g.Name == kube.RoleKubeVIP && k.Leading() {
				vip = k
			}
		}
	}
	if vip == nil {
		t.Fatal("no kube-vip leader at 20s")
	}
	vip.Elector.StartRound() // a renew round, which then fails
	vip.Elector.Lose("test: renewal failed")
	vip.Elector.Shutdown() // SIGTERM during the flush
	if vip.Elector.State() != kube.ElExitingReleasing {
		t.Fatalf("state after SIGTERM in the flush: %v", vip.Elector.State())
	}
	c.Sim.Run(sim.Bounds{Until: sim.At(20*time.Second + le.ExitFlush + time.Millisecond)})
	var exited bool
	for _, r := range c.Timeline() {
		if r.Proc == vip.Name && r.Event == fabric.EvProcExited && r.T > sim.At(20*time.Second) {
			exited = true
			if !strings.Contains(r.Reason, "exit 0") {
				t.Errorf("exit record %q", r.Reason)
			}
		}
	}
	if !exited {
		t.Fatalf("kube-vip did not exit when its flush ended; elector state %v", vip.Elector.State())
	}
}
