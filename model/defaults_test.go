package model

import (
	"testing"
	"time"

	"hasim/model/kube"
)

// TestBuiltClusterReportsItsDefaults: what the built cluster says it runs
// with is the defaults filled once: a lease group left unset gets
// client-go's timings and the local endpoint, the kubelets and the node
// lifecycle controller theirs, and no worker plane means no lifecycle.
func TestBuiltClusterReportsItsDefaults(t *testing.T) {
	c := build(t, stacked3(time.Second))
	g := c.Groups[0].Config()
	if g.LE != (kube.LeaderElectionConfig{}).WithDefaults() || g.Endpoint != "local" || g.LE.LeaseDuration != kube.DefaultLeaseDuration {
		t.Errorf("group %s: %+v", g.Name, g)
	}
	if c.KubeletConfig() != (kube.KubeletConfig{}).WithDefaults() {
		t.Errorf("kubelet %+v", c.KubeletConfig())
	}
	if c.NodeLifecycle() != (kube.NodeLifecycleConfig{}) {
		t.Errorf("no worker plane, but lifecycle %+v", c.NodeLifecycle())
	}
	cfg := withWorkers(1, time.Second, 0, "lb")
	w := build(t, cfg)
	if got, want := w.NodeLifecycle(), cfg.Workers.Lifecycle.WithDefaults(); got != want || got.GracePeriod == 0 {
		t.Errorf("lifecycle %+v, want %+v", got, want)
	}
}
