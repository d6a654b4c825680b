package etcd

import (
	"fmt"
	"math/bits"
	"strconv"
	"strings"
	"time"

	"hasim/sim"

	"hasim/model/fabric"
)

// Membership changes, as etcd 3.4–3.6 makes them: etcd's Cluster API
// (member add, add as learner, promote, remove) turns a request into a raft
// configuration change; the leader accepts one at a time; every member
// switches to the new configuration when it applies the entry (raft's
// apply-time semantics), and a member that applies its own removal exits.
//
// hasim has no bootstrap entries: the initial configuration (the first
// EtcdConfig.InitialMembers members, as voters) is what every member knows
// at index 0, joining members included. A joining member learns the rest
// from the leader's log or from a snapshot, which carries the membership.

// membership is a member's view of the cluster as of its applied index:
// raft's ConfState and etcd's member list in one. Bit id-1 stands for
// member id (at most 64 members).
type Membership struct {
	voters   uint64 // raft's voters
	learners uint64 // raft's learners
	removed  uint64 // etcd's removed IDs: their messages are refused
	started  uint64 // members that published their name (etcd's IsStarted)
}

func bit(id uint64) uint64 { return 1 << (id - 1) }

// firstN is the set of members 1..n.
func firstN(n int) uint64 {
	if n >= 64 {
		return ^uint64(0)
	}
	return 1<<n - 1
}

func (ms *Membership) Has(id uint64) bool { return (ms.voters|ms.learners)&bit(id) != 0 }

// LatestConf is the configuration the most advanced member has applied:
// the cluster's membership as far as anyone knows.
func (e *Etcd) LatestConf() Membership {
	conf, applied := e.Members[0].Conf, e.Members[0].KVIndex
	for _, m := range e.Members[1:] {
		if m.KVIndex > applied {
			conf, applied = m.Conf, m.KVIndex
		}
	}
	return conf
}

// status names member id's place in the configuration.
func (ms *Membership) Status(id uint64) string {
	switch b := bit(id); {
	case ms.voters&b != 0:
		return "voter"
	case ms.learners&b != 0:
		return "learner"
	case ms.removed&b != 0:
		return "removed"
	}
	return "not added"
}

// quorumOf is the majority of a set of voters.
func quorumOf(voters uint64) int { return bits.OnesCount64(voters)/2 + 1 }

// Membership-change constants of etcd.
const (
	// healthInterval: the strict reconfiguration checks count a peer as
	// connected once its connection has been up this long (etcd's
	// HealthInterval).
	healthInterval = 5 * time.Second
	// removalStopDelay: a member that applied its own removal stops this
	// long after (etcd's stopWithDelay, hard-coded as 10 × 100 ms).
	removalStopDelay = time.Second
	// readyPercent: a learner may be promoted once its match index is at
	// least this fraction of the leader's (etcd's isLearnerReady).
	ReadyPercent = 0.9
	// maxLearners: etcd allows one learner at a time.
	maxLearners = 1
)

// Errors etcd's Cluster API returns, as clients see them.
const (
	ErrUnhealthy         = "etcdserver: unhealthy cluster"
	ErrNotEnoughStarted  = "etcdserver: re-configuration failed due to not enough started members"
	ErrTooManyLearners   = "etcdserver: too many learner members in cluster"
	ErrLearnerNotReady   = "etcdserver: can only promote a learner member which is in sync with leader"
	ErrMemberNotLearner  = "etcdserver: can only promote a learner member"
	ErrMemberNotFound    = "etcdserver: member not found"
	ErrMemberExists      = "etcdserver: member ID already exist"
	ErrLearnerRPC        = "etcdserver: rpc not supported for learner"
	ErrRequestTimeout    = errTimeout
	ErrProposalDropped   = errProposalDropped
	errNotLeader         = "etcdserver: not leader"
	errNoLeader          = "etcdserver: no leader"
	errMemberRemovedText = "the member has been permanently removed from the cluster"
)

// fwdPromote is a promote a follower forwards to its leader, which alone
// knows whether the learner is in sync (etcd forwards it over the peer
// HTTP API and retries until its request timeout).
type fwdPromote struct {
	id     uint64 // the client's request id
	client *fabric.Process
	op     Op
	to     *fabric.Process // the leader it was sent to; nil: not in flight
	sent   bool            // sent at least once
	expire sim.Time
}

// commitSpan records which voters committed a stretch of indexes: the
// commits up to index `to` (from the previous span's) were decided by a
// quorum of voters. The invariant scan checks a commit index against the
// configuration that committed it.
type commitSpan struct {
	to     uint64
	voters uint64
}

// --- Queries -----------------------------------------------------------

// Member returns the member called name, or nil.
func (e *Etcd) Member(name string) *Member {
	for _, m := range e.Members {
		if m.Name == name {
			return m
		}
	}
	return nil
}

// IsVoter reports whether the member is a voter in its own configuration.
func (m *Member) IsVoter() bool { return m.Conf.voters&bit(m.ID) != 0 }

// IsLearner reports whether the member is a learner in its own
// configuration.
func (m *Member) IsLearner() bool { return m.Conf.learners&bit(m.ID) != 0 }

// Voters are the voting members of the member's configuration (as of what
// it applied), in ID order.
func (m *Member) Voters() []*Member { return m.e.set(m.Conf.voters) }

// Learners are the learners of the member's configuration.
func (m *Member) Learners() []*Member { return m.e.set(m.Conf.learners) }

// Quorum is the majority of the voters of the member's configuration.
func (m *Member) Quorum() int { return quorumOf(m.Conf.voters) }

// Left reports whether the member exited for good after its removal.
func (m *Member) Left() bool { return m.left }

func (e *Etcd) set(b uint64) []*Member {
	var out []*Member
	for ; b != 0; b &= b - 1 {
		out = append(out, e.Members[bits.TrailingZeros64(b)])
	}
	return out
}

func (e *Etcd) names(b uint64) string {
	var names []string
	for _, m := range e.set(b) {
		names = append(names, m.Name)
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

func (m *Member) quorum() int { return quorumOf(m.Conf.voters) }

// promotable is raft's: only a voter campaigns.
func (m *Member) promotable() bool { return m.Conf.voters&bit(m.ID) != 0 }

// --- Starting a joining member and asking for changes ------------------

// StartProcess starts the member's etcd, as the operator (kubeadm join)
// does once the member was added: from then on its process is meant to
// run, so it also restarts when its host boots. why goes into the
// timeline.
func (m *Member) StartProcess(why string) {
	p := m.Proc
	p.Enable()
	if p.State() != fabric.Stopped || !p.Host.Up() {
		return
	}
	m.e.w.Record(fabric.Record{Event: fabric.EvProcStarted, Proc: p.Name, Host: p.Host.Name, Reason: why})
	p.Start()
}

// MemberRequest is the request of etcd's Cluster API for a membership
// change of target: kind is OpMemberAdd, OpMemberAddLearner,
// OpMemberPromote or OpMemberRemove; why is told in the timeline when the
// change is applied. Send it as any client request (an rpcClient call,
// without retries); the answer is a MsgClientReply, Err empty on success.
func (e *Etcd) MemberRequest(kind OpKind, target *Member, why string) fabric.Message {
	return fabric.Message{Type: MsgClientMember, Body: &ClientMsg{Op: Op{Kind: kind, Member: uint8(target.ID), Note: e.note(why, 0)}}}
}

// note interns the narration of a membership change (why it was asked for,
// and the ID of the member that proposed it, 0 until one does) and returns
// its id (0 for none).
func (e *Etcd) note(why string, by uint64) uint16 {
	if why == "" && by == 0 {
		return 0
	}
	if len(e.notes.List) == 0 {
		e.notes.Intern("")
	}
	return uint16(e.notes.Intern(strconv.FormatUint(by, 10) + " " + why))
}

// noteOf is what note n says: why, and who proposed the change.
func (e *Etcd) noteOf(n uint16) (why string, by uint64) {
	if n == 0 || int(n) >= len(e.notes.List) {
		return "", 0
	}
	id, why, _ := strings.Cut(e.notes.List[n], " ")
	by, _ = strconv.ParseUint(id, 10, 64)
	return why, by
}

// --- The server side of a request ---------------------------------------

// clientMember handles a Cluster API request as etcd's server does: the
// strict checks run on the member that received it (on its own view of
// the membership and of its connections); a promote needs the leader,
// which alone tracks the learner's progress, so a follower forwards it.
// What passes is proposed like a write and answered when applied.
func (m *Member) clientMember(client *fabric.Process, id uint64, op Op) {
	if op.Member < 1 || int(op.Member) > len(m.e.Members) || !op.Kind.isConfChange() {
		m.reply(client, id, ErrMemberNotFound)
		return
	}
	peer := m.e.MemberOf(client) != nil // a follower forwarding a promote
	if !peer && m.IsLearner() {
		m.reply(client, id, ErrLearnerRPC)
		return
	}
	var err string
	switch op.Kind {
	case OpMemberAdd, OpMemberAddLearner:
		err = m.mayAddMember(op)
	case OpMemberRemove:
		err = m.mayRemoveMember(op)
	case OpMemberPromote:
		switch {
		case m.state == Leader:
			err = m.mayPromoteMember(op)
		case peer:
			err = errNotLeader
		default:
			m.forwardPromote(client, id, op)
			return
		}
	}
	if err != "" {
		m.reply(client, id, err)
		return
	}
	why, _ := m.e.noteOf(op.Note)
	op.Note = m.e.note(why, m.ID) // the proposer, for the timeline
	m.proposeClient(client, id, op)
}

func (m *Member) strict() bool { return *m.cfg.StrictReconfigCheck }

// activeSince is rafthttp's ActiveSince for peer i (member index): when
// the connection to it came up, or 0 if it is down now. The transport
// keeps a connection to every peer: it is up while the peer's process
// runs (or is frozen: its kernel still holds the connection), its host is
// up and the network between them passes, so it came up at the latest of
// this member's start, the peer's start and the reconnection after the
// last healed cut between their hosts.
func (m *Member) activeSince(i int) sim.Time {
	p := m.e.Members[i]
	net := m.e.w.Net
	if !net.Handshake(m.Proc, p.Proc) {
		return 0
	}
	since := max(m.startedAt, p.startedAt, 1)
	if fi, ti := m.Proc.Host.Index(), p.Proc.Host.Index(); fi != ti {
		since = max(since, net.Conn(fi, ti).RestoreAt)
	}
	return since
}

// connectedSince is rafthttp's isConnectedSince: the connection to peer i
// has been up since before t.
func (m *Member) connectedSince(i int, t sim.Time) bool {
	s := m.activeSince(i)
	return s != 0 && s < t
}

// votersConnected counts the voters and those this member has been
// connected to for healthInterval (itself included).
func (m *Member) votersConnected() (n, connected int) {
	since := m.Proc.Now().Add(-healthInterval)
	for b := m.Conf.voters; b != 0; b &= b - 1 {
		i := bits.TrailingZeros64(b)
		n++
		if uint64(i+1) == m.ID || m.connectedSince(i, since) {
			connected++
		}
	}
	return n, connected
}

// startedVoters counts the voters other than except and the started ones.
func (ms *Membership) startedVoters(except uint64) (n, started int) {
	v := ms.voters
	if except != None {
		v &^= bit(except)
	}
	return bits.OnesCount64(v), bits.OnesCount64(v & ms.started)
}

// mayAddMember is etcd's strict check of a member add. A voter may only be
// added if the started voters stay a quorum of the larger cluster
// (IsReadyToAddVotingMember; adding a second member to a one-member
// cluster is always allowed). Then, for learners too, the connections: in
// 3.4 (and 3.5.0–3.5.29, 3.6.0–3.6.10) this member must have been
// connected to every voter for healthInterval; from 3.5.30 and 3.6.11 to
// a quorum of the cluster with the new member counted as down.
func (m *Member) mayAddMember(op Op) string {
	if !m.strict() {
		return ""
	}
	if op.Kind == OpMemberAdd {
		n, started := m.Conf.startedVoters(None)
		n++ // the new member, not started
		if !(started == 1 && n == 2) && started < n/2+1 {
			return ErrNotEnoughStarted
		}
	}
	n, connected := m.votersConnected()
	ok := connected == n
	if m.cfg.Version != "3.4" {
		ok = n == 1 || connected >= (n+1)/2+1
	}
	if !ok {
		return ErrUnhealthy
	}
	return ""
}

// mayRemoveMember is etcd's strict check of a member removal: removing a
// learner is always allowed; removing a voter must leave a quorum of
// started voters (IsReadyToRemoveVotingMember); a voter this member is not
// connected to is down and safe to remove; otherwise the voters it has
// been connected to for healthInterval, less the one removed, must still
// be a quorum.
func (m *Member) mayRemoveMember(op Op) string {
	if !m.strict() {
		return ""
	}
	id := uint64(op.Member)
	if m.Conf.learners&bit(id) != 0 {
		return ""
	}
	n, started := m.Conf.startedVoters(id)
	if started < n/2+1 {
		return ErrNotEnoughStarted
	}
	if id != m.ID && m.activeSince(int(id-1)) == 0 {
		return ""
	}
	n, active := m.votersConnected()
	if active-1 < 1+(n-1)/2 {
		return ErrUnhealthy
	}
	return ""
}

// mayPromoteMember is the leader's check of a promote: the learner's match
// index must be at least 90% of the leader's (isLearnerReady; a member the
// leader does not track is not found), and, strictly, the started voters
// with the promoted one must be a quorum (IsReadyToPromoteMember). That
// the member is a learner at all is checked when the change is applied.
func (m *Member) mayPromoteMember(op Op) string {
	id := uint64(op.Member)
	if !m.Conf.Has(id) {
		return ErrMemberNotFound
	}
	if float64(m.Prs[id-1].Match) < float64(m.Prs[m.ID-1].Match)*ReadyPercent {
		return ErrLearnerNotReady
	}
	if !m.strict() {
		return ""
	}
	n, started := m.Conf.startedVoters(None)
	if started+1 < (n+1)/2+1 {
		return ErrNotEnoughStarted
	}
	return ""
}

// forwardPromote sends a promote to the leader on the client's behalf.
func (m *Member) forwardPromote(client *fabric.Process, id uint64, op Op) {
	m.fwd = append(m.fwd, fwdPromote{id: id, client: client, op: op, expire: m.Proc.Now().Add(m.cfg.RequestTimeout)})
	m.sendForward(&m.fwd[len(m.fwd)-1])
}

func (m *Member) sendForward(f *fwdPromote) {
	if m.Lead == None || m.Lead == m.ID {
		return // waits for a leader
	}
	f.to, f.sent = m.Peer(m.Lead).Proc, true
	m.e.w.Net.Send(&fabric.Message{Type: MsgClientMember, From: m.Proc, To: f.to, ReqID: f.id, Body: &ClientMsg{Op: f.op}})
}

// relayReply passes the leader's answer to a forwarded promote on to the
// client. An answer that may change on another try (not the leader any
// more, a refused connection, a dropped proposal) sends it again, as etcd
// retries until its request timeout.
func (m *Member) relayReply(msg *fabric.Message) {
	for i := range m.fwd {
		f := &m.fwd[i]
		if f.id != msg.ReqID || f.to != msg.From {
			continue
		}
		switch {
		case msg.Type == fabric.MsgRefused:
			f.to = nil
			return
		case msg.Err == "", msg.Err == ErrLearnerNotReady, msg.Err == ErrMemberNotFound, msg.Err == ErrMemberNotLearner:
		default:
			f.to = nil
			return
		}
		if msg.Err == "" {
			m.replyWith(f.client, f.id, ClientMsg{Rev: ClientBody(msg).Rev})
		} else {
			m.reply(f.client, f.id, msg.Err)
		}
		m.fwd = append(m.fwd[:i], m.fwd[i+1:]...)
		return
	}
}

// tickMembership runs each tick: forwarded promotes are re-sent or
// expire, and a joined member publishes its name.
func (m *Member) tickMembership() {
	now := m.Proc.Now()
	for i := 0; i < len(m.fwd); {
		f := &m.fwd[i]
		if f.expire <= now {
			err := errTimeout
			if !f.sent {
				err = errNoLeader
			}
			m.reply(f.client, f.id, err)
			m.fwd = append(m.fwd[:i], m.fwd[i+1:]...)
			continue
		}
		if f.to == nil {
			m.sendForward(f)
		}
		i++
	}
	m.maybePublish(now)
}

// maybePublish: a member that joined publishes its name through raft once
// it knows a leader, retrying every request timeout, until it applies it
// (etcd's publish after start). Until then it does not count as started.
// Members of the initial cluster start out started (their names come from
// --initial-cluster); etcd republishes on every restart, which changes
// nothing and is not modelled.
func (m *Member) maybePublish(now sim.Time) {
	b := bit(m.ID)
	if m.Conf.started&b != 0 || m.Conf.removed&b != 0 || now < m.publishAt {
		return
	}
	e := Entry{Op: Op{Kind: OpMemberPublish, Member: uint8(m.ID), Key: uint32(m.ID)}}
	switch {
	case m.state == Leader:
		if !m.propose(e) {
			return
		}
	case m.Lead != None:
		fwd := m.newMsg(MsgProp, m.Lead)
		fwd.Entries = append(fwd.Entries, e)
	default:
		return // raft holds proposals until there is a leader
	}
	m.publishAt = now.Add(m.cfg.RequestTimeout)
}

// pendingConfToApply is raft's refusal to campaign while a committed conf
// change is not applied yet.
func (m *Member) pendingConfToApply() bool {
	for i := max(m.Log.Applied, m.Log.Offset) + 1; i <= m.Log.Committed; i++ {
		if m.Log.entry(i).Op.Kind.isConfChange() {
			return true
		}
	}
	return false
}

// --- Applying a change ----------------------------------------------------

// validate is etcd's ValidateConfigurationChange, run when the entry is
// applied; it returns the client's error. An invalid change is applied
// with no member (raft ignores it).
func (ms *Membership) validate(op Op) string {
	id := uint64(op.Member)
	b := bit(id)
	if ms.removed&b != 0 {
		return ErrMemberNotFound // membership: ID removed
	}
	switch op.Kind {
	case OpMemberAdd, OpMemberAddLearner:
		if ms.Has(id) {
			return ErrMemberExists
		}
		if op.Kind == OpMemberAddLearner && bits.OnesCount64(ms.learners)+1 > maxLearners {
			return ErrTooManyLearners
		}
	case OpMemberPromote:
		if !ms.Has(id) {
			return ErrMemberNotFound
		}
		if ms.learners&b == 0 {
			return ErrMemberNotLearner
		}
	case OpMemberRemove:
		if !ms.Has(id) {
			return ErrMemberNotFound
		}
	}
	return ""
}

// applyMember applies a membership entry at index and returns the
// client's error ("" on success).
func (m *Member) applyMember(op Op, index, term uint64) string {
	if op.Member < 1 || int(op.Member) > len(m.e.Members) {
		return ErrMemberNotFound
	}
	id := uint64(op.Member)
	b := bit(id)
	ms := &m.Conf
	if op.Kind == OpMemberPublish {
		if ms.Has(id) {
			ms.started |= b
		}
		return ""
	}
	if err := ms.validate(op); err != "" {
		return err
	}
	switch op.Kind {
	case OpMemberAdd:
		ms.voters |= b
	case OpMemberAddLearner:
		ms.learners |= b
	case OpMemberPromote:
		ms.learners &^= b
		ms.voters |= b
	case OpMemberRemove:
		ms.voters &^= b
		ms.learners &^= b
		ms.started &^= b
		ms.removed |= b
	}
	m.e.recordChange(op, index, term, *ms)
	if op.Kind == OpMemberRemove && id == m.ID {
		m.leaveSoon(removalStopDelay, fmt.Sprintf("%s: it applied its own removal (index %d), and etcd stops %v later",
			errMemberRemovedText, index, removalStopDelay))
	}
	if m.state != Leader {
		return ""
	}
	// The leader switches its progress tracking to the new configuration
	// (raft's switchToConfig).
	if (op.Kind == OpMemberAdd || op.Kind == OpMemberAddLearner) && id != m.ID {
		// Probed from the last index, and counted active so that a quorum
		// check right away does not depose the leader.
		m.Prs[id-1] = progress{next: max(m.Log.LastIndex(), 1), probe: true, recentActive: true}
	}
	if !m.Conf.Has(m.ID) || m.Conf.voters == 0 {
		// Removed, it stays leader: etcd does not set raft's
		// StepDownOnRemoval; it drops proposals until etcd stops it.
		return ""
	}
	if m.maybeCommit() {
		m.bcastAppend()
	} else {
		for b := (m.Conf.voters | m.Conf.learners) &^ bit(m.ID); b != 0; b &= b - 1 {
			m.sendAppend(uint64(bits.TrailingZeros64(b))+1, false)
		}
	}
	return ""
}

// recordChange tells a membership change once: when the first member
// applies it.
func (e *Etcd) recordChange(op Op, index, term uint64, after Membership) {
	if index <= e.confRecorded {
		return
	}
	e.confRecorded = index
	ev, what := EvMemberAdded, "added as a learner"
	switch op.Kind {
	case OpMemberAdd:
		what = "added as a voting member"
	case OpMemberPromote:
		ev, what = EvMemberPromoted, "promoted to a voting member"
	case OpMemberRemove:
		ev, what = EvMemberRemoved, "removed from the cluster"
	}
	why, proposer := e.noteOf(op.Note)
	by := "?"
	if proposer >= 1 && int(proposer) <= len(e.Members) {
		by = e.Members[proposer-1].Name
	}
	reason := fmt.Sprintf("%s (proposed by %s, applied at index %d)", what, by, index)
	if why != "" {
		reason += ": " + why
	}
	if op.Kind != OpMemberAddLearner {
		reason += fmt.Sprintf("; voters now %s (quorum %d)", e.names(after.voters), quorumOf(after.voters))
	}
	r := fabric.Record{Event: ev, Member: e.Members[op.Member-1].Name, Term: term, Index: index, Reason: reason}
	if by != "?" {
		r.Peer = by
	}
	e.w.Record(r)
}

// --- Leaving ------------------------------------------------------------

// leaveSoon makes the member's etcd exit after d (at once for 0), unless
// an earlier exit is already due.
func (m *Member) leaveSoon(d time.Duration, why string) {
	if d > 0 && m.leaveTimer.Pending() {
		return
	}
	m.leaveWhy = why
	if d == 0 {
		m.leaveTimer.At(m.Proc.Now())
	} else {
		m.leaveTimer.After(d)
	}
}

// leave is etcd exiting after its removal: its process stops and is not
// restarted (a restart would exit again).
func (m *Member) leave() {
	p := m.Proc
	if m.state == Leader {
		m.record(fabric.Record{Event: EvStepDown, Term: m.HS.Term, Reason: "its etcd exits: " + errMemberRemovedText})
	}
	m.left = true
	m.record(fabric.Record{Event: EvMemberLeft, Proc: p.Name, Host: p.Host.Name, Reason: m.leaveWhy})
	p.Retire()
}

// gone: a peer refused this member's message because it was removed.
func (m *Member) gone(msg *fabric.Message) {
	if from := m.e.MemberOf(msg.From); from != nil {
		m.leaveSoon(0, fmt.Sprintf("%s: %s refuses its messages (HTTP 410 Gone)", errMemberRemovedText, from.Name))
	}
}

// refuseRemoved answers a raft message from a removed member as rafthttp
// does: 410 Gone, outside the Ready loop.
func (m *Member) refuseRemoved(to *fabric.Process) {
	m.e.w.Net.Send(&fabric.Message{Type: MsgGone, From: m.Proc, To: to})
}

// --- Invariant bookkeeping ----------------------------------------------

// noteCommit records that a quorum of voters committed up to index i.
func (e *Etcd) noteCommit(i, voters uint64) {
	if n := len(e.commits); n > 0 && e.commits[n-1].voters == voters {
		e.commits[n-1].to = max(e.commits[n-1].to, i)
		return
	}
	e.commits = append(e.commits, commitSpan{to: i, voters: voters})
}

// commitVoters are the voters whose quorum committed index i, or, for an
// index no leader committed, def.
func (e *Etcd) commitVoters(i, def uint64) uint64 {
	for _, s := range e.commits {
		if s.to >= i {
			return s.voters
		}
	}
	return def
}
