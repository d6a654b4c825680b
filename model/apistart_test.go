package model

import (
	"testing"
	"time"
)

// TestAPIServerStartNotConverged: an apiserver part-way through its start
// (init, dial, post-start hooks) keeps the cluster from counting as
// converged, so the fast-forward cannot skip over its start; once it has
// started the cluster converges again.
func TestAPIServerStartNotConverged(t *testing.T) {
	restart := FaultConfig{Kind: FaultProcessKill, Process: "kube-apiserver", Target: Target{Kind: TargetHost, Name: "master-1"},
		At: 20 * time.Second, Duration: time.Second}
	for _, tc := range []struct {
		horizon time.Duration
		started bool
	}{{21*time.Second + 500*time.Millisecond, false}, {23 * time.Second, false}, {60 * time.Second, true}} {
		cfg := stacked3(tc.horizon)
		// No load balancer and no probes: nothing else is part-way to a
		// threshold while the apiserver starts.
		cfg.LoadBalancer, cfg.Probes, cfg.Faults = nil, nil, []FaultConfig{restart}
		c := mustRun(t, cfg)
		a := c.APIServers[0]
		if a.Started() != tc.started {
			t.Fatalf("at %v: started %v, want %v", tc.horizon, a.Started(), tc.started)
		}
		if !tc.started && c.Converged() {
			t.Errorf("at %v: converged while %s is still starting", tc.horizon, a.Name)
		}
		if tc.started && !c.Converged() {
			t.Errorf("at %v: not converged long after %s started", tc.horizon, a.Name)
		}
	}
}
