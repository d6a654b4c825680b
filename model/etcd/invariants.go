package etcd

import (
	"fmt"
	"maps"
	"math"
	"math/bits"

	"hasim/sim"

	"hasim/model/fabric"
)

// etcd's safety invariants, checked as the members act (and, with
// Config.CheckInvariants, by a full scan before every event): one leader
// per term, no commit without a quorum of durable copies, one vote per
// member and term.

// Violation is a broken safety invariant: always a bug in the model.
type Violation struct {
	T         sim.Time
	Invariant string
	Detail    string
}

func (v Violation) String() string { return fmt.Sprintf("%v %s: %s", v.T, v.Invariant, v.Detail) }

// invariants is what the checks remember: each term's leader and each
// member's vote per term, and what was broken.
type invariants struct {
	leaderOfTerm map[uint64]string
	votedFor     map[voteKey]string
	violations   []Violation
}

type voteKey struct {
	member string
	term   uint64
}

func (e *Etcd) violate(inv, format string, a ...any) {
	v := Violation{T: e.w.Sim.Now(), Invariant: inv, Detail: fmt.Sprintf(format, a...)}
	e.violations = append(e.violations, v)
	e.w.Record(fabric.Record{Event: EvViolation, Reason: inv + ": " + v.Detail})
}

// Violations are the safety invariants broken so far.
func (e *Etcd) Violations() []Violation { return e.violations }

// checkCommit checks that a leader commits index i only if a quorum of the
// voters of its configuration holds it durably.
func (e *Etcd) CheckCommit(leader *Member, i uint64) {
	t, _ := leader.Log.term(i)
	voters := leader.Conf.voters
	if n := e.durableCopies(i, t, voters); n < quorumOf(voters) {
		e.violate("commit-without-quorum", "%s committed index %d (term %d) held durably by %d of %d voters",
			leader.Name, i, t, n, bits.OnesCount64(voters))
	}
	e.noteCommit(i, voters)
	if prev, ok := e.leaderOfTerm[leader.HS.Term]; ok && prev != leader.Name {
		e.violate("two-leaders-in-term", "%s commits in term %d, led by %s", leader.Name, leader.HS.Term, prev)
	}
}

// durableCopies counts the voters whose fsynced log holds entry i of
// term t.
func (e *Etcd) durableCopies(i, t, voters uint64) int {
	n := 0
	for b := voters; b != 0; b &= b - 1 {
		m := e.Members[bits.TrailingZeros64(b)]
		switch {
		case i <= m.Log.Offset:
			n++ // in the snapshot: applied, so committed with this term
		case i <= m.Log.Stable:
			if mt, _ := m.Log.term(i); mt == t {
				n++
			}
		}
	}
	return n
}

// checkVote checks that a member grants at most one vote per term: m's
// vote for cand in term is durable and about to leave.
func (e *Etcd) checkVote(m *Member, term uint64, cand *Member) {
	k := voteKey{m.Name, term}
	if prev, ok := e.votedFor[k]; ok && prev != cand.Name {
		e.violate("double-vote", "%s voted for %s and %s in term %d", m.Name, prev, cand.Name, term)
		return
	}
	e.votedFor[k] = cand.Name
}

// checkLeader: at most one leader per term, ever.
func (e *Etcd) checkLeader(m *Member) {
	if prev, ok := e.leaderOfTerm[m.HS.Term]; ok && prev != m.Name {
		e.violate("two-leaders-in-term", "%s and %s both led term %d", prev, m.Name, m.HS.Term)
		return
	}
	e.leaderOfTerm[m.HS.Term] = m.Name
	e.forgetOldTerms()
}

// forgetOldTerms drops what the checks remember of the terms below every
// member's current term: no member can lead, commit or vote in them any
// more, so a run over years keeps these maps small.
func (e *Etcd) forgetOldTerms() {
	low := uint64(math.MaxUint64)
	for _, m := range e.Members {
		low = min(low, m.HS.Term)
	}
	maps.DeleteFunc(e.leaderOfTerm, func(term uint64, _ string) bool { return term < low })
	maps.DeleteFunc(e.votedFor, func(k voteKey, _ string) bool { return k.term < low })
}

// CheckInvariants scans every member: every leader is the only one of
// its term; every member's commit index is held durably by a quorum of the
// voters that committed it (the committing leader's configuration then);
// no persisted vote contradicts a vote granted earlier in the same term.
func (e *Etcd) CheckInvariants() {
	for _, m := range e.Members {
		if m.state == Leader {
			if prev, ok := e.leaderOfTerm[m.HS.Term]; ok && prev != m.Name {
				e.violate("two-leaders-in-term", "%s leads term %d, led by %s", m.Name, m.HS.Term, prev)
			}
		}
		if ci := m.Log.Committed; ci > m.Log.Offset {
			t, _ := m.Log.term(ci)
			voters := e.commitVoters(ci, m.Conf.voters)
			if n := e.durableCopies(ci, t, voters); n < quorumOf(voters) {
				e.violate("commit-without-quorum", "%s has index %d (term %d) committed, durable on %d members", m.Name, ci, t, n)
			}
		}
		if m.Disk.Vote != None {
			k := voteKey{m.Name, m.Disk.Term}
			if prev, ok := e.votedFor[k]; ok && prev != e.Members[m.Disk.Vote-1].Name {
				e.violate("double-vote", "%s persisted a vote for %s in term %d after voting for %s",
					m.Name, e.Members[m.Disk.Vote-1].Name, m.Disk.Term, prev)
			}
		}
	}
}
