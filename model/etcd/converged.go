package etcd

import "hasim/model/fabric"

// Converged reports whether every member's view of leadership agrees with
// what it can reach, so that no election timer or CheckQuorum is bound to
// change it: no member campaigning or part-way through a leadership
// transfer or a graceful stop, or still looking for its peers after a
// start to fast-forward its election timer; every running follower and learner knows a
// leader that is running, leads, and is reachable from it; and every
// running leader reaches a quorum of voters (with CheckQuorum, it steps
// down otherwise). Members that are stopped, paused or have left are not
// asked: a fault holds them so. A member cut off from every leader keeps
// campaigning, so a cluster with one is never converged; each of its
// campaigns is recorded anyway.
//
// The check looks at the state now: a follower whose leader has just
// crashed still believes in it, but the leader is not running, so the
// follower's election timer is pending and the cluster is not converged.
func (e *Etcd) Converged() bool {
	reaches := e.reaches
	for _, m := range e.Members {
		if m.left || m.Proc.State() != fabric.Running {
			continue
		}
		if m.adjust.Pending() {
			// Still looking for its peers (adjustTicks): the look ends 5 s
			// of true time after its start, however much calendar a skip
			// would put between.
			return false
		}
		switch m.state {
		case Leader:
			if m.leadTransferee != None || m.stopping {
				return false
			}
			if !*m.cfg.CheckQuorum {
				continue
			}
			active := 0
			for _, v := range m.Voters() {
				if v == m || reaches(m, v) {
					active++
				}
			}
			if active < m.quorum() {
				return false
			}
		case Follower:
			if m.Lead == None {
				return false
			}
			l := m.Peer(m.Lead)
			if l.state != Leader || !reaches(m, l) {
				return false
			}
		default: // campaigning
			return false
		}
	}
	return true
}

// reaches reports whether member a can talk to b now: b runs, and a TCP
// connection between their hosts would be accepted.
func (e *Etcd) reaches(a, b *Member) bool {
	return b.Proc.State() == fabric.Running && e.w.Net.Reachable(a.Proc.Host, b.Proc)
}
