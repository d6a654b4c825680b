package kube

import (
	"testing"
	"time"

	"hasim/sim"

	"hasim/model/fabric"
)

// TestMasterLeasePromotion: etcd's lessor, at a new leader's first
// commit, extends every lease still held to the TTL plus one election
// timeout from then; a lease already past its expiry stays revoked. The
// live set is what a list of /registry/masterleases returns.
func TestMasterLeasePromotion(t *testing.T) {
	w := fabric.NewWorld(1, nil, nil, fabric.DefaultNetworkConfig())
	s := &Service{w: w, cfg: ServiceConfig{}.WithDefaults(), electionTimeout: time.Second,
		leases: []masterLease{{addr: 0, expiry: sim.At(12 * time.Second)}, {addr: 1, expiry: sim.At(4 * time.Second)}, {addr: 2, expiry: sim.At(20 * time.Second)}}}
	if got := s.live(); got != 0b111 {
		t.Fatalf("live at 0s = %b, want 111", got)
	}
	at := func(d time.Duration) {
		w.Sim.NewTimer("t", func() {}).Reset(sim.At(d))
		w.Sim.Run(sim.Bounds{Until: sim.At(d)})
	}
	at(5 * time.Second)
	if got := s.live(); got != 0b101 {
		t.Fatalf("live at 5s = %b, want 101 (the lease of address 1 expired at 4s)", got)
	}
	s.Promote()
	want := []sim.Time{sim.At(21 * time.Second), sim.At(4 * time.Second), sim.At(21 * time.Second)}
	for i, l := range s.leases {
		if l.expiry != want[i] {
			t.Errorf("lease %d expires at %v after the promotion at 5s, want %v", i, l.expiry, want[i])
		}
	}
	at(20500 * time.Millisecond)
	if got := s.live(); got != 0b101 {
		t.Errorf("live at 20.5s = %b, want 101: promoted past 20s", got)
	}
}

// TestEndpointsVal: the Endpoints' address set survives the store's record.
func TestEndpointsVal(t *testing.T) {
	for _, set := range []uint64{1, 0b101, 1 << lbAddress} {
		if got := endpointsOf(endpointsVal(set)); got != set {
			t.Errorf("%b came back as %b", set, got)
		}
	}
}
