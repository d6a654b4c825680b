package fabric

import (
	"testing"
	"time"

	"hasim/sim"
)

// TestRafthttpRestore: the times at which a healed etcd peer connection
// carries traffic again, worked by hand from TCP's back-off and rafthttp's
// read timeout and redials.
func TestRafthttpRestore(t *testing.T) {
	s := func(d float64) sim.Time { return sim.At(time.Duration(d * float64(time.Second))) }
	for _, tc := range []struct {
		name                string
		now, lastOK, lostAt float64
		want                float64
		resend              bool
	}{
		// Held back at 0.05 s: retransmitted at 0.25, 0.65, 1.45, 3.05,
		// 6.25 s; the read timeout (5 s) comes first and the redial
		// connects.
		{"read timeout before the next retransmission", 4, 0, 0.05, 5, false},
		// Held back at 1.2 s: 1.4, 1.8, 2.6, 4.2 s.
		{"next retransmission", 4, 0, 1.2, 4.2, true},
		{"nothing held back", 4, 0, 0, 4, true},
		// Redialing since 5 s, 2 s per dial: dials at 5, 7, 9 s, SYNs at
		// 0 and 1 s into each.
		{"the SYN of a redial", 10, 0, 0.05, 10, false},
		{"the next redial", 10.5, 0, 0.05, 11, false},
		{"the second SYN", 9.7, 0, 0.05, 10, false},
	} {
		got, resend := RafthttpRestore(s(tc.now), s(tc.lastOK), s(tc.lostAt), 2*time.Second)
		if got != s(tc.want) || resend != tc.resend {
			t.Errorf("%s: restored at %v (resend %v), want %v (%v)", tc.name, got, resend, s(tc.want), tc.resend)
		}
	}
}
