package etcd

import (
	"testing"
	"time"

	"hasim/sim"
)

// TestInvariantCheckerCatches: the invariant checks are not vacuous. Each
// case corrupts a healthy etcd cluster's state the way a bug would and expects
// the checker to report it.
func TestInvariantCheckerCatches(t *testing.T) {
	cases := []struct {
		name    string
		corrupt func(e *Etcd)
		want    string
	}{
		{"two leaders in a term", func(e *Etcd) {
			l := e.Leader()
			for _, m := range e.Members {
				if m != l {
					m.HS.Term, m.state = l.HS.Term, Leader
					e.checkLeader(m)
					return
				}
			}
		}, "two-leaders-in-term"},
		{"commit without quorum", func(e *Etcd) {
			l := e.Leader()
			l.Log.Append(Entry{Term: l.HS.Term})
			l.Log.Stable = l.Log.LastIndex()
			l.Log.Committed = l.Log.LastIndex()
			e.CheckInvariants()
		}, "commit-without-quorum"},
		{"double vote", func(e *Etcd) {
			m := e.Members[0]
			e.checkVote(m, 99, e.Members[1])
			e.checkVote(m, 99, e.Members[2])
		}, "double-vote"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w, e := etcdAlone(1, 3, EtcdConfig{Version: "3.5"}.WithDefaults())
			w.Sim.Run(sim.Bounds{Until: sim.At(5 * time.Second)})
			if len(e.Violations()) != 0 {
				t.Fatalf("healthy cluster reports %v", e.Violations())
			}
			tc.corrupt(e)
			v := e.Violations()
			if len(v) == 0 || v[0].Invariant != tc.want {
				t.Fatalf("violations %v, want %s", v, tc.want)
			}
		})
	}
}
