package model

import (
	"testing"
	"time"

	"hasim/model/fabric"
	"hasim/model/kube"
)

// TestRaftSendBuffer: a follower frozen for 10 s while the leader sends a
// heartbeat every millisecond. etcd's peer transport buffers 4096
// messages per peer and drops the rest; so does the model: no link ever
// holds more, the excess is dropped, and after the follower resumes it
// catches up (a heartbeat or append gets through) with every invariant
// intact.
func TestRaftSendBuffer(t *testing.T) {
	pause := FaultConfig{Kind: FaultProcessPause, Target: Target{TargetHost, "h3"}, At: 5 * time.Second, Duration: 10 * time.Second}
	cfg := slotsConfig(3, 3, 3, pause)
	cfg.Horizon = 25 * time.Second
	cfg.Etcd.HeartbeatInterval, cfg.Etcd.ElectionTimeout = time.Millisecond, 20*time.Millisecond
	cfg.Probes = []kube.ProbeConfig{{Name: "writes", Host: "client", Kind: kube.ProbeWrite, Period: 10 * time.Millisecond, Endpoints: []string{"etcd-1", "etcd-2"}}}
	c := build(t, cfg)
	most := 0
	var watch func()
	watch = func() {
		most = max(most, c.Net.PeerQueuedMost())
		c.Sim.After(100*time.Millisecond, "test/watch", watch)
	}
	c.Sim.After(0, "test/watch", watch)
	c.Run()
	noViolations(t, c)
	if most > fabric.PeerSendBuffer || most < fabric.PeerSendBuffer/2 {
		t.Fatalf("at most %d raft messages queued on a link, want the buffer (%d) nearly filled and never exceeded", most, fabric.PeerSendBuffer)
	}
	if c.Net.PeerDropped() == 0 {
		t.Fatal("no raft message was dropped")
	}
	m3, lead := c.Etcd.Members[2], c.Etcd.Leader()
	if lead == nil || m3.Log.Applied+100 < lead.Log.Applied {
		t.Fatalf("etcd-3 did not catch up: applied %d, leader %v", m3.Log.Applied, lead)
	}
	t.Logf("most queued %d, dropped %d", most, c.Net.PeerDropped())
}
