package etcd

import (
	"math/bits"
	"time"
)

// etcd fast-forwards a starting member's election timer
// (EtcdServer.adjustTicks in server/etcdserver/server.go, alike in 3.4,
// 3.5 and 3.6): right after start, a member alone in its cluster advances
// it by E−1 ticks, so it elects itself within one to E ticks instead of E
// to 2E−1; with --initial-election-tick-advance (on by default), a member
// of a larger cluster looks every 50 ms, for up to rafthttp's
// ConnReadTimeout of 5 s, whether more than one peer has connected, and
// advances by E−2 ticks once so. A member that hears from a leader resets
// the count, so the advance matters when there is none: a single master's
// etcd coming back, or a cluster restarting together.
const (
	adjustPoll  = 50 * time.Millisecond
	adjustPolls = int(5 * time.Second / adjustPoll)
)

// adjustTicks runs at each start of the member's process.
func (m *Member) adjustTicks() {
	if m.cfg.raftTicks {
		return // Raft as a library: no etcd server around it
	}
	if bits.OnesCount64(m.clusterMembers()) == 1 {
		m.advanceTicks(m.cfg.electionTicks() - 1)
		return
	}
	if !*m.cfg.InitialElectionTickAdvance {
		return
	}
	m.adjustLeft = adjustPolls
	m.adjust.After(adjustPoll)
}

// pollPeers is one of adjustTicks' looks at the peer connections.
func (m *Member) pollPeers() {
	m.adjustLeft--
	if m.activePeers() > 1 {
		m.advanceTicks(m.cfg.electionTicks() - 2)
		m.ready()
		return
	}
	if m.adjustLeft > 0 {
		m.adjust.After(adjustPoll)
	}
}

// clusterMembers is the set of members the starting member's server
// knows: its applied configuration, or for a member joining for the
// first time, the cluster's (etcd fetches it from the peers), itself
// included.
func (m *Member) clusterMembers() uint64 {
	conf := m.Conf
	if !conf.Has(m.ID) {
		conf = m.e.LatestConf()
	}
	return (conf.voters | conf.learners | bit(m.ID)) &^ conf.removed
}

// activePeers is rafthttp's Transport.ActivePeers: the peers with a
// stream connection up, which is to say running and reachable both ways.
func (m *Member) activePeers() int {
	n := 0
	for b := m.clusterMembers() &^ bit(m.ID); b != 0; b &= b - 1 {
		if m.e.reaches(m, m.Peer(uint64(bits.TrailingZeros64(b))+1)) {
			n++
		}
	}
	return n
}

// advanceTicks is etcd's raftNode.advanceTicks: n of Raft's ticks at once.
// A member whose peers connected late may reach its timeout part-way and
// campaign; the ticks after count towards its next timeout.
func (m *Member) advanceTicks(n int) {
	for range n {
		if m.state == Leader {
			m.tickHeartbeat()
		} else {
			m.advanced++ // before the tick, which may fire and reset it
			m.tickElection()
		}
	}
}
