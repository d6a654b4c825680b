package model

import (
	"strings"
	"testing"
	"time"

	"hasim/model/etcd"
	"hasim/model/kube"
	"hasim/sim"
)

// writesOnly is threeMembers with a write probe only: no ReadIndex, whose
// heartbeats would blur the count of the leader's own.
func writesOnly(seed uint64, e etcd.EtcdConfig, faults ...FaultConfig) Config {
	cfg := threeMembers(seed, faults...)
	cfg.Etcd = e
	cfg.Probes = []kube.ProbeConfig{{Name: "write", Host: "client", Kind: kube.ProbeWrite, Period: time.Second}}
	return cfg
}

// TestRaftTicks: Raft's own ticks set the heartbeat and election timers
// apart from the tick length. A 20 ms tick with heartbeats every 5 ticks
// and an election timeout of 50 ticks is etcd's 100 ms / 1 s; heartbeats
// every 20 ticks of 10 ms are half as many; the election timer counts
// ticks of the set length.
func TestRaftTicks(t *testing.T) {
	heartbeats := func(e etcd.EtcdConfig) (uint64, *Cluster) {
		c := mustRun(t, writesOnly(1, e))
		return c.Net.Sent(etcd.MsgHeartbeat), c
	}
	etcdWay, _ := heartbeats(etcd.EtcdConfig{Version: "3.5"})
	same, c := heartbeats(etcd.EtcdConfig{Version: "3.5", Tick: 20 * time.Millisecond, HeartbeatTicks: 5, ElectionTicks: 50})
	if got := c.Etcd.Config(); got.HeartbeatInterval != 100*time.Millisecond || got.ElectionTimeout != time.Second || !got.RaftTicks() {
		t.Fatalf("derived heartbeat %v, election timeout %v (raft ticks %v): want 100ms and 1s", got.HeartbeatInterval, got.ElectionTimeout, got.RaftTicks())
	}
	half, _ := heartbeats(etcd.EtcdConfig{Version: "3.5", Tick: 10 * time.Millisecond, HeartbeatTicks: 20, ElectionTicks: 100})
	t.Logf("heartbeats: etcd's way %d, 5 ticks of 20ms %d, 20 ticks of 10ms %d", etcdWay, same, half)
	if d := float64(same) / float64(etcdWay); d < 0.95 || d > 1.05 {
		t.Errorf("heartbeats every 5 ticks of 20ms: %d, want about etcd's %d", same, etcdWay)
	}
	if d := float64(half) / float64(etcdWay); d < 0.45 || d > 0.55 {
		t.Errorf("heartbeats every 20 ticks of 10ms: %d, want about half of etcd's %d", half, etcdWay)
	}
	// The bootstrap election fires after ElectionTicks to twice that,
	// counted in ticks of 10 ms.
	c2 := mustRun(t, writesOnly(1, etcd.EtcdConfig{Version: "3.5", Tick: 10 * time.Millisecond, HeartbeatTicks: 20, ElectionTicks: 100}))
	first := c2.Result(sim.ReachedTime).Timeline[0]
	if first.Event != etcd.EvPreCandidate || !strings.Contains(first.Reason, " ticks (its randomized timeout)") ||
		first.T < sim.At(time.Second) || first.T > sim.At(2*time.Second+10*time.Millisecond) {
		t.Fatalf("first record %v at %v: want a pre-vote campaign 100–199 ticks of 10ms after the start", first.Reason, first.T)
	}
}

// TestCheckQuorumOff: etcd always runs CheckQuorum, so an isolated leader
// steps down within two election timeouts; with it off, as etcd-io/raft
// allows, the isolated leader leads on until the heal shows it a higher
// term, and the two leaders overlap for the whole partition.
func TestCheckQuorumOff(t *testing.T) {
	part := FaultConfig{Kind: FaultPartition, At: 10 * time.Second, Duration: 8 * time.Second, Target: Target{TargetLeader, "etcd"}}
	off := false
	for _, cq := range []*bool{nil, &off} {
		c := mustRun(t, writesOnly(1, etcd.EtcdConfig{Version: "3.4", CheckQuorum: cq}, part))
		r := c.Result(sim.ReachedTime)
		old := r.Faults[0].LeaderBefore
		var quorumStepdown, healStepdown sim.Time
		for _, rec := range r.Timeline {
			if rec.Event != etcd.EvStepDown || rec.Member != old || rec.T < sim.At(10*time.Second) {
				continue
			}
			switch {
			case strings.Contains(rec.Reason, "quorum not active") && quorumStepdown == 0:
				quorumStepdown = rec.T
			case strings.Contains(rec.Reason, "saw higher term") && healStepdown == 0:
				healStepdown = rec.T
			}
		}
		if cq == nil {
			if quorumStepdown == 0 || quorumStepdown > sim.At(12*time.Second) {
				t.Errorf("CheckQuorum on: isolated leader %s stepped down at %v, want within 2s of the partition", old, quorumStepdown)
			}
			continue
		}
		if quorumStepdown != 0 || healStepdown < sim.At(18*time.Second) {
			t.Errorf("CheckQuorum off: isolated leader %s stepped down for quorum at %v and for a higher term at %v; want only the latter, after the heal at 18s",
				old, quorumStepdown, healStepdown)
		}
	}
}
