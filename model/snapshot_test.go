package model

import (
	"testing"
	"time"

	"hasim/model/etcd"
	"hasim/model/fabric"
	"hasim/model/kube"
)

// TestOneSnapshotInFlight: a follower that fell behind the leader's
// compacted log gets a snapshot, and nothing more is sent to it until it
// acknowledges the snapshot (raft's StateSnapshot), even though its
// heartbeat answers keep arriving; a snapshot not acknowledged within an
// election timeout (here 200 ms) is sent again, as after the transport
// reported it failed. The follower's link has a one-way latency of 300 ms,
// so answers to the heartbeats sent before the snapshot (every 10 ms) keep
// arriving for 600 ms after it left: a leader that re-sent on each of them
// would send dozens.
func TestOneSnapshotInFlight(t *testing.T) {
	for seed := uint64(1); seed <= 5; seed++ {
		cut := FaultConfig{Kind: FaultPartition, Target: Target{TargetHost, "h3"}, At: 5 * time.Second, Duration: 10 * time.Second}
		lat := fabric.Fixed(300 * time.Millisecond)
		slow := FaultConfig{Kind: FaultLink, Target: Target{TargetHost, "h3"}, At: 14 * time.Second, Duration: 10 * time.Second, Latency: &lat}
		cfg := slotsConfig(seed, 3, 3, cut, slow)
		cfg.Horizon = 30 * time.Second
		cfg.Etcd.HeartbeatInterval, cfg.Etcd.ElectionTimeout = 10*time.Millisecond, 200*time.Millisecond
		cfg.Etcd.SnapshotCount, cfg.Etcd.SnapshotCatchUpEntries = 100, 50
		cfg.Probes = []kube.ProbeConfig{{Name: "writes", Host: "client", Kind: kube.ProbeWrite, Period: 10 * time.Millisecond, Endpoints: []string{"etcd-1", "etcd-2"}}}
		c := build(t, cfg)
		c.Run()
		noViolations(t, c)
		m3 := c.Etcd.Members[2]
		if m3.Log.Applied < 1000 {
			t.Fatalf("seed %d: etcd-3 applied only %d entries: it never caught up", seed, m3.Log.Applied)
		}
		t.Logf("seed %d: %d snapshots, %d heartbeats", seed, c.Net.Sent(etcd.MsgSnap), c.Net.Sent(etcd.MsgHeartbeat))
		if n := c.Net.Sent(etcd.MsgSnap); n < 1 || n > 4 {
			t.Errorf("seed %d: %d snapshots sent, want one per election timeout until the first is acknowledged (at most 4)", seed, n)
		}
	}
}
