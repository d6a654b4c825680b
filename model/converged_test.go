package model

import (
	"testing"
	"time"

	"hasim/model/fabric"
	"hasim/sim"
)

// TestConvergedSeesUnnoticedFailures: the moment a failure happens,
// before anything has timed out or been recorded as noticed, the
// components' views disagree with what they would find, so the cluster
// is not converged; once the outage has been noticed everywhere it is
// converged again (degraded), and after the repair once everything is
// back. A master host's crash shows in HAProxy (a backend up whose
// apiserver cannot answer), a paused etcd leader in etcd (followers of a
// leader that does not run), a stopped keepalived master in the backup
// (it outranks nobody yet is not master).
func TestConvergedSeesUnnoticedFailures(t *testing.T) {
	cfg := stacked3(10 * time.Minute)
	cfg.Hosts = append(cfg.Hosts, fabric.HostConfig{Name: "lb-2", Zone: "zone-b"})
	cfg.LoadBalancer = &LoadBalancerConfig{Kind: LBKeepalived, Hosts: []string{"lb", "lb-2"}}
	c, err := Build(cfg)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Duration(0)
	run := func(d time.Duration) {
		at += d
		c.Sim.Run(sim.Bounds{Until: sim.At(at)})
	}
	run(time.Minute)
	if !c.Converged() {
		t.Fatal("not converged after a minute of a healthy cluster")
	}
	leader := c.Etcd.Leader()
	var other *fabric.Host
	for _, m := range c.Etcd.Members {
		if m != leader {
			other = m.Proc.Host
			break
		}
	}

	other.Crash()
	if c.Converged() || !c.Etcd.Converged() {
		t.Errorf("a follower's host just crashed: converged %v (want false: HAProxy still sends to it), etcd converged %v (want true: the leader still reaches a quorum)",
			c.Converged(), c.Etcd.Converged())
	}
	run(time.Minute)
	if !c.Converged() {
		t.Error("a minute after a follower's host crashed: not converged, though the outage has been noticed")
	}
	other.Repair()
	run(2 * time.Minute)
	if !c.Converged() {
		t.Error("two minutes after the repair: not converged")
	}

	leader = c.Etcd.Leader()
	leader.Proc.Freeze()
	if c.Etcd.Converged() {
		t.Error("the etcd leader just froze: etcd converged, though its followers' election timers are bound to fire")
	}
	if leader.Proc.Thaw() {
		leader.Proc.Resume()
	}
	run(time.Minute)
	if !c.Converged() {
		t.Error("a minute after the leader thawed: not converged")
	}

	holder := c.LB.Holder()
	if holder == nil {
		t.Fatal("nobody holds the virtual IP")
	}
	holder.Crash()
	if c.Converged() {
		t.Error("the keepalived master's host just crashed: converged, though the backup is bound to take over")
	}
	run(time.Minute)
	if !c.Converged() {
		t.Error("a minute after the keepalived master's host crashed: not converged")
	}
}
