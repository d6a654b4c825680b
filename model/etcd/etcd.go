package etcd

import (
	"cmp"
	"fmt"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"time"

	"hasim/sim"

	"hasim/model/fabric"
)

// RaftState is a member's Raft role.
type RaftState uint8

const (
	// Follower: follows the leader it last heard from, if any.
	Follower RaftState = iota
	// PreCandidate: asking whether a quorum would vote for it, without
	// changing any term (PreVote).
	PreCandidate
	// Candidate: campaigning for votes at a new term.
	Candidate
	// Leader: replicating its log and heartbeating every tick.
	Leader
)

func (s RaftState) String() string {
	switch s {
	case Follower:
		return "follower"
	case PreCandidate:
		return "pre-candidate"
	case Candidate:
		return "candidate"
	case Leader:
		return "leader"
	}
	return fmt.Sprintf("RaftState(%d)", int(s))
}

// none is the absent member ID, as in etcd's raft.
const None = 0

// progress is the leader's view of one follower.
type progress struct {
	Match, next  uint64
	probe        bool // probing: one MsgApp at a time until one is acked
	probeSent    bool
	recentActive bool // heard from since the last CheckQuorum
	// snapshot is the index of a snapshot sent and not yet acknowledged
	// (raft's StateSnapshot with its PendingSnapshot): nothing more goes to
	// the follower until it acknowledges an index at least that high, or
	// snapshotAt + an election timeout passes (standing in for the
	// transport's report that the snapshot failed).
	snapshot   uint64
	snapshotAt sim.Time
}

// hardState is what a member persists besides its log.
type hardState struct {
	Term, Vote, commit uint64
}

// wait is a client request a member answers when the entry carrying it
// is applied.
type wait struct {
	client *fabric.Process
	expire time.Duration // on the member's monotonic clock, as etcd's request timeout runs
}

// pendingRead is a linearizable read waiting for its read index and then
// for the member to apply up to it.
type pendingRead struct {
	id       uint64 // client request id
	key      uint32
	client   *fabric.Process
	ctx      uint64
	index    uint64
	haveIdx  bool
	lastSent time.Duration // on the member's monotonic clock
	expire   time.Duration // on the member's monotonic clock
	done     bool          // answered: a hole in pendingReads.list
}

// pendingReads are a member's linearizable reads in arrival order, which
// is ctx order and (the request timeout being fixed) expiry order. Ending
// a read leaves a hole until the list is compacted; reads whose index is
// known wait in a heap ordered by that index. So finding a read, releasing
// the reads an apply makes readable and expiring the oldest cost
// logarithmic or constant time per read, not a scan of every read per
// event.
type pendingReads struct {
	list  []pendingRead
	head  int // list[:head] are all done
	live  int
	ready fabric.MinHeap[readyRead] // (index, ctx) of reads whose index is known
	due   []uint64                  // reused by apply
}

func (q *pendingReads) reset() {
	clear(q.list)
	q.list, q.head, q.live, q.ready = q.list[:0], 0, 0, q.ready[:0]
}

// add appends a read (its ctx larger than any before) and returns it.
func (q *pendingReads) add(r pendingRead) *pendingRead {
	q.list, q.head = fabric.CompactHoles(q.list, q.head, q.live, func(x *pendingRead) bool { return x.done })
	q.list = append(q.list, r)
	q.live++
	return &q.list[len(q.list)-1]
}

// find is the live read with this ctx, or nil.
func (q *pendingReads) find(ctx uint64) *pendingRead {
	live := q.list[q.head:]
	i, ok := 0, false
	if len(live) <= fabric.ShortList {
		for i = range live {
			if ok = live[i].ctx == ctx; ok {
				break
			}
		}
	} else {
		i, ok = slices.BinarySearchFunc(live, ctx, func(r pendingRead, c uint64) int { return cmp.Compare(r.ctx, c) })
	}
	if !ok || live[i].done {
		return nil
	}
	return &live[i]
}

// end marks r answered.
func (q *pendingReads) end(r *pendingRead) {
	r.done = true
	q.live--
	for q.head < len(q.list) && q.list[q.head].done {
		q.head++
	}
}

// readyRead is a read whose index is known, ordered by (index, ctx).
type readyRead struct{ index, ctx uint64 }

func (a readyRead) Less(b readyRead) bool {
	return a.index < b.index || (a.index == b.index && a.ctx < b.ctx)
}

// readReq is a ReadIndex the leader is confirming with a heartbeat round.
type readReq struct {
	ctx   uint64
	index uint64
	from  *Member // nil: the leader's own read
	acks  uint64  // bit per member index
}

// Member is one etcd member running Raft as etcd 3.4–3.6 runs it: a tick
// every heartbeat interval drives the election and heartbeat timers;
// CheckQuorum is on; PreVote is a parameter. EtcdConfig can also set what
// etcd fixes and etcd-io/raft leaves open: the tick length apart from the
// heartbeat (HeartbeatTicks, ElectionTicks) and CheckQuorum off. Term, vote and log are
// persisted with fsync and survive a crash; everything else is volatile.
//
// Outputs go through a Ready loop like etcd's raftNode: a leader sends its
// messages before persisting, every other role after its fsync completes,
// and while an fsync is in flight no new messages leave (the loop is
// blocked), though the Raft state machine keeps ticking and stepping.
type Member struct {
	Name string
	ID   uint64 // 1-based
	Proc *fabric.Process

	e   *Etcd
	cfg EtcdConfig

	// Persistent state: on disk as of the last completed fsync.
	Disk hardState
	Log  raftLog

	// conf is the membership as of kvIndex (the store's applied index):
	// it changes when the member applies a membership change and, like
	// the store, survives a crash.
	Conf Membership

	// Volatile Raft state.
	HS                hardState
	state             RaftState
	Lead              uint64
	electionElapsed   int
	advanced          int // ticks of electionElapsed fast-forwarded at start (adjustTicks)
	heartbeatElapsed  int
	randomizedTimeout int
	timeoutDraws      uint64
	votes             []int8 // by member index: 1 granted, -1 rejected
	Prs               []progress
	firstCommitInTerm bool
	readQueue         []readReq
	// readAt finds readQueue entries by ctx: the absolute position
	// (readBase + index) of the first entry with acks of each ctx, so
	// that a long queue (reads piling up behind a slow quorum) costs no
	// scan per heartbeat answer. readDup counts a ctx's further entries (a
	// ReadIndex sent again); they are looked for only when the first
	// leaves.
	readAt         map[uint64]uint64
	readDup        map[uint64]int
	readBase       uint64
	readBuf        []readReq // reused by readAck
	readCtx        uint64
	lastLeader     uint64 // the leader before the current election, for narration
	pendingConf    uint64 // leader: index of the last conf change proposed (raft's pendingConfIndex)
	leadTransferee uint64 // leader: the voter a pending leadership transfer goes to (raft's leadTransferee)

	// Ready loop.
	saving   bool
	outbox   []RaftMsg
	held     []RaftMsg              // non-leader messages waiting for the fsync
	raftPool fabric.Pool[RaftMsg]   // copies of the messages in flight
	reply1   ClientMsg              // the body of a client reply being sent
	replies  fabric.Pool[ClientMsg] // copies of the replies in flight
	savingTo uint64
	savingHS hardState

	// The store, as of applied index kvIndex; like etcd's backend it
	// survives a crash.
	kv      []KVItem
	KVIndex uint64

	// Client requests.
	waits    map[uint64]wait
	waitFIFO []uint64 // the waits' ids in arrival order, from waitHead
	waitHead int
	reads    pendingReads
	fwd      []fwdPromote // promotes forwarded to the leader

	// Membership (membership.go).
	Initial   bool     // in the initial cluster: started at time zero
	left      bool     // exited for good after its removal
	leaveWhy  string   // why leaveTimer will stop it
	startedAt sim.Time // when its process last started
	publishAt sim.Time // when to (re)publish its name, if not started yet

	// Graceful stop (SIGTERM): what its server's Stop waits for.
	stopping     bool          // asked to stop; exits once the wait is over
	sigtermFault int           // the fault that sent SIGTERM
	stopTo       uint64        // the transferee it waits to see leading; none: no transfer
	stopAsked    sim.Time      // when it was asked
	stopLeft     time.Duration // what is left of the wait (the request timeout), on its clock
	stopAborted  sim.Time      // when raft aborted the transfer, if it did
	stopPoll     *fabric.Timer // created at the first SIGTERM

	tick       *fabric.Timer
	saveDone   *fabric.Timer
	leaveTimer *fabric.Timer
	adjust     *fabric.Timer // adjustTicks' poll for connected peers
	adjustLeft int           // polls adjust has left
	stream     sim.Stream
}

// Watcher is what watches the etcd members for the cluster: the
// accounting of leadership and of when measurements start.
type Watcher interface {
	// ElectedLeader: m has just become leader of its term.
	ElectedLeader(m *Member)
	// FirstCommit: a leader committed the first entry of its term.
	FirstCommit()
}

// Etcd is the etcd cluster: its members and shared configuration.
type Etcd struct {
	Members []*Member
	cfg     EtcdConfig
	w       *fabric.World
	watch   Watcher
	byProc  []*Member // by process index
	invariants

	notes        fabric.InternTable // interned reasons of membership changes (Op.Note)
	confRecorded uint64             // highest conf-change index in the timeline
	commits      []commitSpan       // the voters behind each stretch of commits
}

// Config is the defaulted configuration the members run with.
func (e *Etcd) Config() EtcdConfig { return e.cfg }

// Leader returns the running member that believes it leads at the highest
// term, or nil.
func (e *Etcd) Leader() *Member {
	var best *Member
	for _, m := range e.Members {
		if m.state == Leader && m.Proc.State() == fabric.Running && (best == nil || m.HS.Term > best.HS.Term) {
			best = m
		}
	}
	return best
}

// MaxTerm is the highest current term of any member.
func (e *Etcd) MaxTerm() uint64 {
	var t uint64
	for _, m := range e.Members {
		t = max(t, m.HS.Term)
	}
	return t
}

// State is the member's Raft role.
func (m *Member) State() RaftState { return m.state }

// Term is the member's current term.
func (m *Member) Term() uint64 { return m.HS.Term }

// LeaderID is the member's idea of the leader (0 for none).
func (m *Member) LeaderID() uint64 { return m.Lead }

// Committed is the member's commit index.
func (m *Member) Committed() uint64 { return m.Log.Committed }

// LastIndex is the index of the member's last log entry.
func (m *Member) LastIndex() uint64 { return m.Log.LastIndex() }

func (m *Member) Peer(id uint64) *Member { return m.e.Members[id-1] }

func (m *Member) record(r fabric.Record) {
	r.Member = m.Name
	m.e.w.Record(r)
}

// Start implements Handler: boot from what is on disk.
func (m *Member) Start() {
	m.HS = m.Disk
	m.Log.truncateAfter(m.Log.Stable)
	m.Log.Committed = max(m.Disk.commit, m.Log.Offset)
	m.Log.Applied = m.Log.Committed
	m.saving = false
	m.outbox, m.held = m.outbox[:0], m.held[:0]
	m.resetReadQueue()
	m.reads.reset()
	clear(m.waits)
	m.waitFIFO, m.waitHead = m.waitFIFO[:0], 0
	m.fwd = m.fwd[:0]
	m.pendingConf, m.publishAt = 0, 0
	m.startedAt = m.Proc.Now()
	m.becomeFollower(m.HS.Term, None, "")
	m.lastLeader = None
	// The ticker starts with the process: its phase is the start time,
	// plus a per-incarnation offset.
	var phase time.Duration
	h := m.cfg.Tick
	st := m.stream.Sub("phase")
	switch m.cfg.TickPhase {
	case "random":
		phase = time.Duration(st.Float64(m.Proc.Incarnation()) * float64(h))
	case "aligned":
		phase = time.Duration(st.Float64(m.Proc.Incarnation()) * float64(m.cfg.AlignedSpread))
	}
	m.tick.StartTicker(h, phase+h)
	m.adjustTicks()
	m.e.w.Watch.LeadershipChanged()
	if m.Conf.removed&bit(m.ID) != 0 {
		// Its peers refuse the connections of a removed member (rafthttp
		// answers 410 Gone), so etcd exits as soon as it dials them.
		m.leaveSoon(0, errMemberRemovedText+": its peers refuse its connections (HTTP 410 Gone)")
	}
}

// Stop implements Handler: volatile state is gone.
func (m *Member) Stop() {
	m.state = Follower
	m.Lead = None
	m.leadTransferee = None
	m.stopping, m.stopTo = false, None
	m.e.w.Watch.LeadershipChanged()
}

// Deliver implements Handler.
func (m *Member) Deliver(msg *fabric.Message) {
	switch msg.Type {
	case MsgClientWrite:
		m.clientWrite(msg.From, msg.ReqID, msg.Body.(*ClientMsg))
	case MsgClientRead:
		m.clientRead(msg.From, msg.ReqID, msg.Body.(*ClientMsg))
	case MsgClientMember:
		m.clientMember(msg.From, msg.ReqID, msg.Body.(*ClientMsg).Op)
	case MsgClientReply, fabric.MsgRefused:
		m.relayReply(msg) // the leader's answer to a forwarded promote
	case MsgGone:
		m.gone(msg)
	case fabric.MsgPing:
		m.e.w.Net.Send(&fabric.Message{Type: fabric.MsgPong, From: m.Proc, To: msg.From, ReqID: msg.ReqID})
		return
	default:
		if b, ok := msg.Body.(*RaftMsg); ok {
			m.step(b)
		}
	}
	m.ready()
}

func (m *Member) onTick() {
	if m.state == Leader {
		m.tickHeartbeat()
	} else {
		m.tickElection()
	}
	m.sweepRequests()
	m.tickMembership()
	m.ready()
}

// tickElection counts towards an election; like raft, only a voter
// (promotable) campaigns, so a learner's or a removed member's timer runs
// on without effect.
func (m *Member) tickElection() {
	m.electionElapsed++
	if m.promotable() && m.electionElapsed >= m.randomizedTimeout {
		advanced := m.advanced
		m.resetElapsed()
		m.hup(advanced)
	}
}

// resetElapsed restarts the count towards an election timeout.
func (m *Member) resetElapsed() { m.electionElapsed, m.advanced = 0, 0 }

func (m *Member) tickHeartbeat() {
	m.heartbeatElapsed++
	m.electionElapsed++
	if m.electionElapsed >= m.cfg.electionTicks() {
		m.resetElapsed()
		if *m.cfg.CheckQuorum {
			m.checkQuorum()
			if m.state != Leader {
				return
			}
		}
		if m.leadTransferee != None {
			m.abortTransfer()
		}
	}
	if m.heartbeatElapsed >= m.cfg.HeartbeatTicks {
		m.heartbeatElapsed = 0
		m.bcastHeartbeat(m.lastReadCtx())
	}
}

// checkQuorum steps the leader down unless a quorum was active since the
// previous check, then clears the activity flags.
func (m *Member) checkQuorum() {
	active, followers, self := 0, bits.OnesCount64(m.Conf.voters), 0
	if m.Conf.voters&bit(m.ID) != 0 {
		followers--
		self = 1
	}
	for i := range m.Prs {
		if m.Conf.voters&(1<<i) != 0 && (uint64(i+1) == m.ID || m.Prs[i].recentActive) {
			active++
		}
	}
	for i := range m.Prs {
		if uint64(i+1) != m.ID {
			m.Prs[i].recentActive = false
		}
	}
	if active < m.quorum() {
		reason := fmt.Sprintf("quorum not active: heard from %d of %d followers in the last %d ticks (CheckQuorum)",
			active-self, followers, m.cfg.electionTicks())
		m.record(fabric.Record{Event: EvStepDown, Term: m.HS.Term, Reason: reason})
		m.becomeFollower(m.HS.Term, None, reason)
	}
}

func (m *Member) resetRandomizedTimeout() {
	m.timeoutDraws++
	st := m.stream.Sub("election").SubN(m.Proc.Incarnation())
	m.randomizedTimeout = m.cfg.electionTicks() + st.IntN(m.timeoutDraws, m.cfg.ElectionJitterTicks)
}

// reset is Raft's reset on every role change.
func (m *Member) reset(term uint64) {
	if m.HS.Term != term {
		m.HS.Term = term
		m.HS.Vote = None
	}
	m.Lead = None
	m.leadTransferee = None
	m.resetElapsed()
	m.heartbeatElapsed = 0
	m.resetRandomizedTimeout()
	clear(m.votes)
	last := m.Log.LastIndex()
	for i := range m.Prs {
		m.Prs[i] = progress{next: last + 1, probe: true}
	}
	m.Prs[m.ID-1].Match = min(last, m.Log.Stable)
	m.resetReadQueue()
	m.firstCommitInTerm = false
}

func (m *Member) becomeFollower(term, lead uint64, reason string) {
	was, wasTerm := m.state, m.HS.Term
	if m.Lead != None {
		m.lastLeader = m.Lead
	}
	m.reset(term)
	m.Lead = lead
	m.state = Follower
	if was != Follower || wasTerm != term {
		r := fabric.Record{Event: EvFollower, Term: term, Reason: reason}
		if lead != None {
			r.Leader = m.Peer(lead).Name
		}
		m.record(r)
	}
	if was == Leader {
		m.e.w.Watch.LeadershipChanged()
	}
}

func (m *Member) becomePreCandidate() {
	// Like etcd: a pre-candidate keeps its term, vote and randomized
	// timeout; it only forgets its leader.
	if m.Lead != None {
		m.lastLeader = m.Lead
	}
	clear(m.votes)
	m.Lead = None
	m.state = PreCandidate
}

func (m *Member) becomeCandidate() {
	if m.Lead != None {
		m.lastLeader = m.Lead
	}
	m.reset(m.HS.Term + 1)
	m.HS.Vote = m.ID
	m.state = Candidate
}

func (m *Member) becomeLeader(votes string) {
	m.reset(m.HS.Term)
	m.Lead = m.ID
	m.state = Leader
	m.e.checkLeader(m)
	m.e.watch.ElectedLeader(m)
	m.Prs[m.ID-1].probe = false
	m.record(fabric.Record{Event: EvLeader, Term: m.HS.Term, Reason: votes})
	m.e.w.Watch.LeadershipChanged()
	// Like raft, conservatively: no conf change until everything in the
	// log at election time is applied.
	m.pendingConf = m.Log.LastIndex()
	m.appendEntries(Entry{Term: m.HS.Term})
}

// hup starts an election (or pre-election) after the election timer
// fired, advanced of its ticks fast-forwarded when the member started.
func (m *Member) hup(advanced int) {
	if m.state == Leader || m.pendingConfToApply() {
		return
	}
	why := fmt.Sprintf("election timer fired: %d ticks (its randomized timeout) without a message from a leader", m.randomizedTimeout)
	prev := m.Lead
	if prev == None {
		prev = m.lastLeader
	}
	if prev == m.ID {
		why = fmt.Sprintf("election timer fired: %d ticks (its randomized timeout) since it stopped leading, without a message from a new leader", m.randomizedTimeout)
	} else if prev != None {
		why = fmt.Sprintf("election timer fired: %d ticks (its randomized timeout) without a message from leader %s", m.randomizedTimeout, m.Peer(prev).Name)
	}
	if advanced > 0 {
		why += fmt.Sprintf(" (%d of them fast-forwarded when it started: etcd's initial election tick advance)", advanced)
	}
	m.campaign(*m.cfg.PreVote, why, false)
}

// campaign starts a pre-election or an election. A transfer campaign
// (asked for by the leader with MsgTimeoutNow) marks its vote requests
// campaignTransfer.
func (m *Member) campaign(pre bool, why string, transfer bool) {
	var typ fabric.MsgType
	var term uint64
	if pre {
		m.becomePreCandidate()
		typ, term = MsgPreVote, m.HS.Term+1
		m.record(fabric.Record{Event: EvPreCandidate, Term: term, Reason: why})
	} else {
		m.becomeCandidate()
		typ, term = MsgVote, m.HS.Term
		m.record(fabric.Record{Event: EvCandidate, Term: term, Reason: why})
	}
	if won, _ := m.poll(m.ID, true); won {
		if pre {
			m.campaign(false, "won the pre-vote", false)
		} else {
			m.becomeLeader("single member")
		}
		return
	}
	for b := m.Conf.voters &^ bit(m.ID); b != 0; b &= b - 1 {
		msg := m.newMsg(typ, uint64(bits.TrailingZeros64(b))+1)
		msg.Term, msg.Index, msg.LogTerm = term, m.Log.LastIndex(), m.Log.lastTerm()
		if transfer {
			msg.Transfer = true
		}
	}
}

// poll records a vote and reports whether the election is won or lost.
func (m *Member) poll(id uint64, granted bool) (won, lost bool) {
	if m.votes[id-1] == 0 {
		if granted {
			m.votes[id-1] = 1
		} else {
			m.votes[id-1] = -1
		}
	}
	g, r := 0, 0
	for i, v := range m.votes {
		if m.Conf.voters&(1<<i) == 0 {
			continue // a learner's answer does not count
		}
		switch v {
		case 1:
			g++
		case -1:
			r++
		}
	}
	q := m.quorum()
	return g >= q, r >= q
}

func (m *Member) votersGranted() string {
	var names []string
	for i, v := range m.votes {
		if v == 1 && m.Conf.voters&(1<<i) != 0 {
			names = append(names, m.e.Members[i].Name)
		}
	}
	return fmt.Sprintf("won votes from %s (%d of %d)", strings.Join(names, ", "), len(names), bits.OnesCount64(m.Conf.voters))
}

// step is Raft's Step: term handling common to all roles, votes, then the
// role's own handler.
func (m *Member) step(msg *RaftMsg) {
	from := m.e.MemberOf(msg.From)
	if from == nil {
		return
	}
	if m.Conf.removed&bit(from.ID) != 0 {
		m.refuseRemoved(msg.From)
		return
	}
	switch {
	case msg.Term > m.HS.Term:
		if msg.Type == MsgVote || msg.Type == MsgPreVote {
			// CheckQuorum's vote lease: a member that heard from a live
			// leader within the (non-randomized) election timeout ignores
			// the request, so a flapping member cannot depose it. A
			// leadership transfer's vote request is exempt: the leader
			// itself asked for that campaign.
			force := msg.Type == MsgVote && msg.Transfer
			if !force && *m.cfg.CheckQuorum && m.Lead != None && m.electionElapsed < m.cfg.electionTicks() {
				reason := fmt.Sprintf("heard from leader %s %d ticks ago (lease not expired)", m.Peer(m.Lead).Name, m.electionElapsed)
				if m.Lead == m.ID {
					reason = fmt.Sprintf("it leads term %d and its quorum check is %d ticks old (lease not expired)", m.HS.Term, m.electionElapsed)
				}
				m.record(fabric.Record{Event: EvVoteIgnored, Term: msg.Term, Peer: from.Name, Reason: reason})
				return
			}
		}
		switch {
		case msg.Type == MsgPreVote:
			// Never change term in response to a pre-vote.
		case msg.Type == MsgPreVoteResp && !msg.Reject:
			// The term moves when the pre-vote is won.
		default:
			reason := fmt.Sprintf("saw higher term %d from %s (%s)", msg.Term, from.Name, raftMsgName(msg.Type))
			if m.state == Leader {
				why := reason
				if msg.Type == MsgVote && msg.Transfer && from.ID == m.leadTransferee {
					why = fmt.Sprintf("leadership transfer: %s campaigns for term %d at its request (MsgVote)", from.Name, msg.Term)
				}
				m.record(fabric.Record{Event: EvStepDown, Term: m.HS.Term, Reason: why})
			}
			if msg.Type == MsgApp || msg.Type == MsgHeartbeat || msg.Type == MsgSnap {
				m.becomeFollower(msg.Term, from.ID, reason)
			} else {
				m.becomeFollower(msg.Term, None, reason)
			}
		}
	case msg.Term < m.HS.Term:
		if (*m.cfg.CheckQuorum || *m.cfg.PreVote) && (msg.Type == MsgHeartbeat || msg.Type == MsgApp) {
			// Tell a stale leader about the newer term (CheckQuorum/PreVote).
			m.newMsg(MsgAppResp, from.ID)
		} else if msg.Type == MsgPreVote {
			r := m.newMsg(MsgPreVoteResp, from.ID)
			r.Reject = true
		}
		return
	}

	switch msg.Type {
	case MsgVote, MsgPreVote:
		canVote := m.HS.Vote == from.ID || (m.HS.Vote == None && m.Lead == None) ||
			(msg.Type == MsgPreVote && msg.Term > m.HS.Term)
		resp := MsgVoteResp
		if msg.Type == MsgPreVote {
			resp = MsgPreVoteResp
		}
		if canVote && m.Log.isUpToDate(msg.Index, msg.LogTerm) {
			r := m.newMsg(resp, from.ID)
			r.Term = msg.Term
			if msg.Type == MsgVote {
				m.resetElapsed()
				m.HS.Vote = from.ID
			}
		} else {
			r := m.newMsg(resp, from.ID)
			r.Reject = true
			reason := "already voted or following a leader in this term"
			if canVote {
				reason = "candidate's log is behind"
			}
			m.record(fabric.Record{Event: EvVoteRejected, Term: msg.Term, Peer: from.Name, Reason: reason})
		}
		return
	}

	switch m.state {
	case Leader:
		m.stepLeader(msg, from)
	case Candidate, PreCandidate:
		m.stepCandidate(msg, from)
	default:
		m.stepFollower(msg, from)
	}
}

func (m *Member) stepLeader(msg *RaftMsg, from *Member) {
	switch msg.Type {
	case MsgProp:
		m.propose(msg.Entries...)
		return
	case MsgReadIndex:
		m.leaderReadIndex(msg.Context, from)
		return
	}
	if !m.Conf.Has(from.ID) {
		return // raft keeps no progress for it
	}
	pr := &m.Prs[from.ID-1]
	switch msg.Type {
	case MsgAppResp:
		pr.recentActive = true
		if msg.Reject {
			if m.maybeDecrTo(pr, msg.Index, msg.RejectHint) {
				m.sendAppend(from.ID, true)
			}
			return
		}
		wasPaused := pr.probe && pr.probeSent
		updated := pr.Match < msg.Index
		if updated {
			pr.Match = msg.Index
			pr.probeSent = false
			pr.probe = false
		}
		if pr.snapshot != 0 && pr.Match >= pr.snapshot {
			pr.snapshot = 0 // the follower has it
		}
		pr.next = max(pr.next, msg.Index+1)
		if m.maybeCommit() {
			m.bcastAppend()
		} else if wasPaused {
			m.sendAppend(from.ID, true)
		}
		for m.sendAppend(from.ID, false) {
		}
		if updated && from.ID == m.leadTransferee && pr.Match == m.Log.LastIndex() {
			m.newMsg(MsgTimeoutNow, from.ID) // the transferee caught up
		}
	case MsgHeartbeatResp:
		pr.recentActive = true
		pr.probeSent = false
		if pr.Match < m.Log.LastIndex() {
			m.sendAppend(from.ID, true)
		}
		if msg.Context != 0 {
			m.readAck(from, msg.Context)
		}
	}
}

func (m *Member) stepCandidate(msg *RaftMsg, from *Member) {
	switch msg.Type {
	case MsgApp:
		m.becomeFollower(msg.Term, from.ID, fmt.Sprintf("heard from leader %s of term %d", from.Name, msg.Term))
		m.handleAppend(msg, from)
	case MsgHeartbeat:
		m.becomeFollower(msg.Term, from.ID, fmt.Sprintf("heard from leader %s of term %d", from.Name, msg.Term))
		m.handleHeartbeat(msg, from)
	case MsgSnap:
		m.becomeFollower(msg.Term, from.ID, fmt.Sprintf("heard from leader %s of term %d", from.Name, msg.Term))
		m.handleSnap(msg, from)
	case MsgPreVoteResp, MsgVoteResp:
		if (msg.Type == MsgPreVoteResp) != (m.state == PreCandidate) {
			return
		}
		won, lost := m.poll(from.ID, !msg.Reject)
		switch {
		case won && m.state == PreCandidate:
			m.campaign(false, "won the pre-vote: "+m.votersGranted(), false)
		case won:
			m.becomeLeader(m.votersGranted())
			m.bcastAppend()
		case lost:
			m.becomeFollower(m.HS.Term, None, "lost the election: a quorum rejected it")
		}
	}
}

func (m *Member) stepFollower(msg *RaftMsg, from *Member) {
	switch msg.Type {
	case MsgProp:
		if m.Lead != None {
			fwd := m.newMsg(MsgProp, m.Lead)
			fwd.Entries = append(fwd.Entries, msg.Entries...)
		}
	case MsgApp:
		m.resetElapsed()
		m.setLead(from.ID)
		m.handleAppend(msg, from)
	case MsgHeartbeat:
		m.resetElapsed()
		m.setLead(from.ID)
		m.handleHeartbeat(msg, from)
	case MsgSnap:
		m.resetElapsed()
		m.setLead(from.ID)
		m.handleSnap(msg, from)
	case MsgReadIndexResp:
		m.readIndexResolved(msg.Context, msg.Index)
	case MsgTimeoutNow:
		m.timeoutNow(from)
	}
}

// setLead records the leader a follower hears from; a follower that lost
// its leader (after a leader stepped down at the same term) learns the new
// one here.
func (m *Member) setLead(id uint64) {
	if m.Lead != id {
		m.Lead = id
		m.record(fabric.Record{Event: EvFollower, Term: m.HS.Term, Leader: m.Peer(id).Name,
			Reason: fmt.Sprintf("heard from leader %s", m.Peer(id).Name)})
	}
}

func (m *Member) handleAppend(msg *RaftMsg, from *Member) {
	if msg.Index < m.Log.Committed {
		r := m.newMsg(MsgAppResp, from.ID)
		r.Index = m.Log.Committed
		return
	}
	if last, ok := m.Log.maybeAppend(msg.Index, msg.LogTerm, msg.Commit, msg.Entries); ok {
		r := m.newMsg(MsgAppResp, from.ID)
		r.Index = last
		return
	}
	r := m.newMsg(MsgAppResp, from.ID)
	r.Index, r.Reject, r.RejectHint = msg.Index, true, min(msg.Index, m.Log.LastIndex())
}

func (m *Member) handleHeartbeat(msg *RaftMsg, from *Member) {
	m.Log.commitTo(msg.Commit)
	r := m.newMsg(MsgHeartbeatResp, from.ID)
	r.Context = msg.Context
}

func (m *Member) handleSnap(msg *RaftMsg, from *Member) {
	r := m.newMsg(MsgAppResp, from.ID)
	switch {
	case msg.Index <= m.Log.Committed:
		r.Index = m.Log.Committed
	case m.Log.matchTerm(msg.Index, msg.LogTerm):
		m.Log.commitTo(msg.Index)
		r.Index = m.Log.LastIndex()
	default:
		m.Log.restore(msg.Index, msg.LogTerm)
		copy(m.kv, msg.KV)
		m.KVIndex = msg.Index
		if msg.Conf != nil {
			m.Conf = *msg.Conf
		}
		r.Index = m.Log.LastIndex()
	}
}

// termAt is the term of entry i, which must be in the log or its snapshot.
func (m *Member) termAt(i uint64) uint64 {
	t, _ := m.Log.term(i)
	return t
}

// maybeDecrTo handles a rejected MsgApp; it reports whether to resend.
func (m *Member) maybeDecrTo(pr *progress, rejected, hint uint64) bool {
	if !pr.probe {
		if rejected <= pr.Match {
			return false // stale
		}
		pr.next = pr.Match + 1
		pr.probe = true
		pr.probeSent = false
		return true
	}
	if pr.next-1 != rejected {
		return false // stale
	}
	pr.next = max(min(rejected, hint+1), 1)
	pr.probeSent = false
	return true
}

// sendAppend sends follower id the entries it lacks (or a snapshot if they
// are compacted). With sendIfEmpty false it sends only when it has entries.
// It reports whether it sent anything.
func (m *Member) sendAppend(id uint64, sendIfEmpty bool) bool {
	if id == m.ID {
		return false
	}
	pr := &m.Prs[id-1]
	if pr.snapshot != 0 {
		if m.Proc.Now() < pr.snapshotAt.Add(m.cfg.ElectionTimeout) {
			return false
		}
		pr.snapshot, pr.probeSent = 0, false // the snapshot was lost: probe again
	}
	if pr.probe && pr.probeSent {
		return false
	}
	prev := pr.next - 1
	prevTerm, ok := m.Log.term(prev)
	if !ok {
		// Compacted: send a snapshot of the store as of what it applied.
		at := max(m.KVIndex, m.Log.Offset)
		msg := m.newMsg(MsgSnap, id)
		msg.Index, msg.LogTerm = at, m.termAt(at)
		msg.KV = append(msg.KV[:0], m.kv...)
		conf := m.Conf
		msg.Conf = &conf
		pr.next = at + 1
		pr.probe, pr.probeSent = true, true
		pr.snapshot, pr.snapshotAt = at, m.Proc.Now()
		return true
	}
	last := m.Log.LastIndex()
	if last <= prev && !sendIfEmpty {
		return false
	}
	msg := m.newMsg(MsgApp, id)
	msg.Index, msg.LogTerm, msg.Commit = prev, prevTerm, m.Log.Committed
	if last > prev {
		// etcd bounds a MsgApp at MaxSizePerMsg (1 MiB, etcdserver's
		// maxSizePerMsg); entries here have no size, so the bound is a
		// count: maxEntriesPerMsg entries of about 1 KiB.
		last = min(last, prev+maxEntriesPerMsg)
		msg.Entries = append(msg.Entries, m.Log.ents[prev-m.Log.Offset:last-m.Log.Offset]...)
		if pr.probe {
			pr.probeSent = true
		} else {
			pr.next = last + 1
		}
	}
	return true
}

// maxEntriesPerMsg bounds the entries one MsgApp carries (see sendAppend).
const maxEntriesPerMsg = 1024

// bcastAppend sends every voter and learner what it lacks.
func (m *Member) bcastAppend() {
	for b := m.Conf.voters | m.Conf.learners; b != 0; b &= b - 1 {
		m.sendAppend(uint64(bits.TrailingZeros64(b))+1, true)
	}
}

func (m *Member) bcastHeartbeat(ctx uint64) {
	for b := (m.Conf.voters | m.Conf.learners) &^ bit(m.ID); b != 0; b &= b - 1 {
		i := bits.TrailingZeros64(b)
		msg := m.newMsg(MsgHeartbeat, uint64(i)+1)
		msg.Commit = min(m.Prs[i].Match, m.Log.Committed)
		msg.Context = ctx
	}
}

// appendEntries appends entries at the leader's term. The leader sends them
// before its own fsync but counts its own copy only once that fsync is
// done (onSaved), so a commit always means a quorum of durable copies.
//
// NB: etcd 3.4/3.5's raft counts the leader's copy at append time, before
// the fsync. Clients cannot tell the difference: etcd applies, and answers,
// only in the Ready cycle after the leader's Save returns. Counting after
// the fsync keeps "no commit without a quorum of durable copies" a
// checkable invariant.
func (m *Member) appendEntries(es ...Entry) {
	for i := range es {
		es[i].Term = m.HS.Term
	}
	last := m.Log.Append(es...)
	m.Prs[m.ID-1].next = last + 1
}

// maybeCommit advances the commit index to the highest index a quorum of
// the voters has appended, if that entry is of the leader's term.
func (m *Member) maybeCommit() bool {
	var buf [16]uint64
	matches := buf[:0]
	for i, pr := range m.Prs {
		if m.Conf.voters&(1<<i) != 0 {
			matches = append(matches, pr.Match)
		}
	}
	if len(matches) == 0 {
		return false
	}
	// Sort descending (few members: insertion sort).
	for i := 1; i < len(matches); i++ {
		for j := i; j > 0 && matches[j] > matches[j-1]; j-- {
			matches[j], matches[j-1] = matches[j-1], matches[j]
		}
	}
	mci := matches[len(matches)/2]
	if mci <= m.Log.Committed {
		return false
	}
	if t, _ := m.Log.term(mci); t != m.HS.Term {
		return false
	}
	m.Log.Committed = mci
	m.e.CheckCommit(m, mci)
	if !m.firstCommitInTerm {
		m.firstCommitInTerm = true
		m.record(fabric.Record{Event: EvFirstCommit, Term: m.HS.Term, Index: mci})
		m.e.watch.FirstCommit()
		m.releaseQueuedReads()
	}
	return true
}

// newMsg appends an outgoing message to the outbox, reusing its slot's
// entry buffer, and returns it for the caller to fill in.
func (m *Member) newMsg(t fabric.MsgType, to uint64) *RaftMsg {
	n := len(m.outbox)
	if n < cap(m.outbox) {
		m.outbox = m.outbox[:n+1]
	} else {
		m.outbox = append(m.outbox, RaftMsg{})
	}
	msg := &m.outbox[n]
	ents, kv := trimBuffers(msg.Entries, msg.KV)
	*msg = RaftMsg{pool: &m.raftPool, Type: t, From: m.Proc, To: m.Peer(to).Proc, Term: m.HS.Term, Entries: ents, KV: kv}
	return msg
}

// ready is etcd's raftNode loop: when no fsync is in flight, it takes the
// pending messages, entries and hard state; a leader sends at once, then
// persists; others persist, then send. Committed entries are applied.
func (m *Member) ready() {
	if m.saving || m.Proc.State() != fabric.Running {
		return
	}
	m.apply()
	mustSync := m.Log.Stable < m.Log.LastIndex() || m.HS.Term != m.Disk.Term || m.HS.Vote != m.Disk.Vote
	if len(m.outbox) == 0 && !mustSync {
		return
	}
	lead := m.state == Leader
	if lead || !mustSync {
		m.outbox = m.flush(m.outbox)
	} else {
		m.held, m.outbox = m.outbox, m.held[:0]
	}
	if !mustSync {
		return
	}
	m.saving = true
	m.Log.truncLow = m.Log.LastIndex()
	m.savingTo = m.Log.LastIndex()
	m.savingHS = hardState{Term: m.HS.Term, Vote: m.HS.Vote, commit: m.Log.Committed}
	m.saveDone.At(m.Proc.Host.Disk.Sync(m.Proc.Now()))
}

func (m *Member) onSaved() {
	m.saving = false
	m.Disk = m.savingHS
	// Entries truncated while the write was in flight were replaced by
	// entries the write did not carry: only the prefix below the lowest
	// truncation is durable.
	m.Log.Stable = max(m.Log.Stable, min(m.savingTo, m.Log.truncLow, m.Log.LastIndex()))
	for i := range m.held {
		if m.held[i].Type == MsgVoteResp && !m.held[i].Reject {
			m.e.checkVote(m, m.held[i].Term, m.e.MemberOf(m.held[i].To))
		}
	}
	m.held = m.flush(m.held)
	if m.state == Leader {
		self := &m.Prs[m.ID-1]
		self.Match = max(self.Match, m.Log.Stable)
		if m.maybeCommit() {
			m.bcastAppend()
		}
	}
	m.maybeCompact()
	m.ready()
}

// flush sends msgs and returns the emptied buffer to reuse: trimmed, so
// that what piled up during a long fsync (thousands of heartbeats and
// appends) is not kept for the rest of the run.
func (m *Member) flush(msgs []RaftMsg) []RaftMsg {
	net := m.e.w.Net
	for i := range msgs {
		b := &msgs[i]
		net.Send(&fabric.Message{Type: b.Type, From: b.From, To: b.To, Body: b})
	}
	if cap(msgs) > maxKeptMsgs {
		return nil
	}
	for i := range msgs {
		msgs[i].Entries, msgs[i].KV = trimBuffers(msgs[i].Entries, msgs[i].KV)
	}
	return msgs[:0]
}

// Trim implements fabric.Trimmer: at a skip, a member lets go of the
// outgoing buffers a slow disk grew (when empty; hundreds of messages each)
// and of what its pools keep beyond a steady cluster's needs.
func (m *Member) Trim() {
	m.outbox, m.held = trimMsgs(m.outbox), trimMsgs(m.held)
	m.raftPool.Trim()
	m.replies.Trim()
}

// trimMsgs drops an empty outgoing buffer grown past msgsSteady.
func trimMsgs(msgs []RaftMsg) []RaftMsg {
	if len(msgs) == 0 && cap(msgs) > msgsSteady {
		return nil
	}
	return msgs
}

// msgsSteady is the largest outgoing buffer a member keeps past a skip: a
// leader's heartbeats and appends to its peers between two fsyncs.
const msgsSteady = 256

// maxKeptMsgs is the largest outgoing buffer a member keeps for reuse.
// What a member sends while an fsync is in flight waits in the buffer, so
// a slow disk fills it with hundreds of heartbeats and appends at every
// fsync: a smaller bound made a run over years allocate four times as
// much, each episode's buffers anew.
const maxKeptMsgs = 1024

// apply applies committed entries, answering the client requests this
// member is waiting on, and releases linearizable reads whose index is
// applied.
func (m *Member) apply() {
	for m.Log.Applied < m.Log.Committed {
		m.Log.Applied++
		i := m.Log.Applied
		if i <= m.Log.Offset {
			continue
		}
		e := m.Log.entry(i)
		res := ""
		if e.Op.Kind != OpNone && i > m.KVIndex {
			if e.Op.Kind >= OpMemberAdd {
				m.KVIndex = i
				res = m.applyMember(e.Op, i, e.Term)
			} else {
				res = applyOp(m.kv, e.Op, i)
			}
		}
		m.KVIndex = max(m.KVIndex, i)
		if e.Req == 0 {
			continue
		}
		if w, ok := m.waits[e.Req]; ok {
			delete(m.waits, e.Req)
			if res == "" {
				m.replyWith(w.client, e.Req, ClientMsg{Rev: i})
			} else {
				m.reply(w.client, e.Req, res)
			}
		}
	}
	// Release the reads whose index is now applied, in arrival order. A
	// heap entry is stale if its read ended or learned a later index.
	q := &m.reads
	if len(q.ready) == 0 || q.ready[0].index > m.Log.Applied {
		return
	}
	due := q.due[:0]
	for len(q.ready) > 0 && q.ready[0].index <= m.Log.Applied {
		x := q.ready.Pop()
		if r := q.find(x.ctx); r != nil && r.haveIdx && r.index == x.index {
			due = append(due, x.ctx)
		}
	}
	q.due = due
	if len(due) > 1 {
		slices.Sort(due)
	}
	for _, ctx := range due {
		if r := q.find(ctx); r != nil { // nil: a duplicate entry, answered already
			m.replyRead(r.client, r.id, r.key)
			q.end(r)
		}
	}
}

// replyRead answers a read with the key's current state.
func (m *Member) replyRead(client *fabric.Process, id uint64, key uint32) {
	it := m.kv[key]
	m.replyWith(client, id, ClientMsg{Val: it.Val, Rev: it.Rev, Found: it.Exists})
}

// replyWith answers a client's request id with a successful reply's body.
func (m *Member) replyWith(client *fabric.Process, id uint64, b ClientMsg) {
	b.pool = &m.replies
	m.reply1 = b
	m.e.w.Net.Send(&fabric.Message{Type: MsgClientReply, From: m.Proc, To: client, ReqID: id, Body: &m.reply1})
}

func (m *Member) maybeCompact() {
	if m.Log.Applied-m.Log.Offset > m.cfg.SnapshotCount {
		// Room for the entries up to the next compaction and an eighth
		// more, for entries not yet applied.
		room := m.cfg.SnapshotCount + m.cfg.SnapshotCount/8 + 1
		m.Log.compact(m.Log.Applied-m.cfg.SnapshotCatchUpEntries, int(room))
	}
}

// reply answers a client directly (not through the Ready loop: etcd's
// gRPC server answers from its own goroutines).
func (m *Member) reply(client *fabric.Process, id uint64, err string) {
	m.e.w.Net.Send(&fabric.Message{Type: MsgClientReply, From: m.Proc, To: client, ReqID: id, Err: err})
}

// Errors etcd returns to clients.
const (
	errProposalDropped = "raft proposal dropped"
	errTimeout         = "etcdserver: request timed out"
)

func (m *Member) clientWrite(client *fabric.Process, id uint64, req *ClientMsg) {
	if m.Conf.learners&bit(m.ID) != 0 {
		m.reply(client, id, ErrLearnerRPC)
		return
	}
	m.proposeClient(client, id, req.Op)
}

// proposeClient proposes a client's write or membership change and waits
// for it to be applied: the leader appends it, a follower forwards it to
// the leader it knows; without a leader raft drops it.
func (m *Member) proposeClient(client *fabric.Process, id uint64, op Op) {
	switch {
	case m.state == Leader:
		if !m.propose(Entry{Req: id, Op: op}) {
			m.reply(client, id, errProposalDropped)
			return
		}
	case m.state == Follower && m.Lead != None:
		fwd := m.newMsg(MsgProp, m.Lead)
		fwd.Entries = append(fwd.Entries, Entry{Req: id, Op: op})
	default:
		m.reply(client, id, errProposalDropped)
		return
	}
	if m.waits == nil {
		m.waits = make(map[uint64]wait)
	}
	m.waits[id] = wait{client: client, expire: m.Proc.Mono() + m.cfg.RequestTimeout}
	m.waitFIFO = append(m.waitFIFO, id)
}

// propose is raft's MsgProp at the leader. A leader that is no longer in
// its own configuration (it applied its removal), or that is transferring
// its leadership, drops proposals. A conf change proposed while another is
// not yet applied becomes an empty entry: it commits without effect and its
// client waits until its timeout.
func (m *Member) propose(es ...Entry) bool {
	if !m.Conf.Has(m.ID) || m.leadTransferee != None {
		return false
	}
	for k := range es {
		if !es[k].Op.Kind.isConfChange() {
			continue
		}
		if m.pendingConf > m.Log.Applied {
			es[k] = Entry{}
		} else {
			m.pendingConf = m.Log.LastIndex() + uint64(k) + 1
		}
	}
	m.appendEntries(es...)
	m.bcastAppend()
	return true
}

func (m *Member) clientRead(client *fabric.Process, id uint64, req *ClientMsg) {
	key := req.Op.Key
	if !req.Linearizable {
		// Serializable: served from local state, leader or not.
		m.replyRead(client, id, key)
		return
	}
	if m.Conf.learners&bit(m.ID) != 0 {
		m.reply(client, id, ErrLearnerRPC)
		return
	}
	m.readCtx++
	now := m.Proc.Mono()
	m.sendReadIndex(m.reads.add(pendingRead{id: id, key: key, client: client, ctx: m.readCtx<<8 | m.ID,
		lastSent: now, expire: now + m.cfg.RequestTimeout}))
}

func (m *Member) sendReadIndex(r *pendingRead) {
	r.lastSent = m.Proc.Mono()
	switch {
	case m.state == Leader:
		m.leaderReadIndex(r.ctx, m)
	case m.state == Follower && m.Lead != None:
		msg := m.newMsg(MsgReadIndex, m.Lead)
		msg.Context = r.ctx
	}
	// Otherwise raft drops it; the retry timer sends it again.
}

// leaderReadIndex starts confirming leadership for a read: the read index is
// the current commit, valid once a quorum answers a heartbeat carrying ctx.
func (m *Member) leaderReadIndex(ctx uint64, from *Member) {
	if !m.firstCommitInTerm {
		if m.cfg.Version == "3.4" {
			return // dropped; the requester retries
		}
		m.queueRead(readReq{ctx: ctx, from: from, index: 0})
		return
	}
	if bits.OnesCount64(m.Conf.voters) == 1 { // raft's IsSingleton
		m.readDone(readReq{ctx: ctx, from: from, index: m.Log.Committed})
		return
	}
	m.queueRead(readReq{ctx: ctx, from: from, index: m.Log.Committed, acks: 1 << (m.ID - 1)})
	m.bcastHeartbeat(ctx)
}

// releaseQueuedReads starts the reads queued before the first commit of
// the term.
func (m *Member) releaseQueuedReads() {
	var queued []readReq
	for _, r := range m.readQueue {
		if r.acks == 0 {
			queued = append(queued, r)
		}
	}
	if len(queued) == 0 {
		return
	}
	kept := m.readQueue
	m.resetReadQueue()
	for _, r := range kept {
		if r.acks != 0 {
			m.queueRead(r)
		}
	}
	for _, r := range queued {
		m.leaderReadIndex(r.ctx, r.from)
	}
}

func (m *Member) lastReadCtx() uint64 {
	for i := len(m.readQueue) - 1; i >= 0; i-- {
		if m.readQueue[i].acks != 0 {
			return m.readQueue[i].ctx
		}
	}
	return 0
}

// readAck counts a heartbeat answer for ctx; once a quorum answered, every
// read queued up to ctx is confirmed.
func (m *Member) readAck(from *Member, ctx uint64) {
	at, ok := m.readAt[ctx]
	if !ok {
		return
	}
	i := int(at - m.readBase)
	r := &m.readQueue[i]
	r.acks |= 1 << (from.ID - 1)
	if bits.OnesCount64(r.acks&m.Conf.voters) < m.quorum() {
		return
	}
	// Take the confirmed prefix out; its entries are handled after the
	// queue is consistent again, since readDone may queue more.
	done := append(m.readBuf[:0], m.readQueue[:i+1]...)
	if rest := len(m.readQueue) - (i + 1); rest <= i+1 {
		// Move what is left to the front, no more than was taken out:
		// the array is reused and the work amortized.
		copy(m.readQueue, m.readQueue[i+1:])
		clear(m.readQueue[rest:])
		m.readQueue = m.readQueue[:rest]
	} else {
		clear(m.readQueue[:i+1])
		m.readQueue = m.readQueue[i+1:]
	}
	m.readBase += uint64(i + 1)
	for _, d := range done {
		if d.acks != 0 {
			m.unindexRead(d.ctx)
		}
	}
	for _, d := range done {
		if d.acks != 0 {
			m.readDone(d)
		}
	}
	clear(done)
	m.readBuf = done[:0]
}

// queueRead appends r to the read queue.
func (m *Member) queueRead(r readReq) {
	if r.acks != 0 {
		if m.readAt == nil {
			m.readAt = map[uint64]uint64{}
		}
		if _, ok := m.readAt[r.ctx]; ok {
			if m.readDup == nil {
				m.readDup = map[uint64]int{}
			}
			m.readDup[r.ctx]++
		} else {
			m.readAt[r.ctx] = m.readBase + uint64(len(m.readQueue))
		}
	}
	m.readQueue = append(m.readQueue, r)
}

// unindexRead forgets the oldest queued entry of ctx, which left the
// queue, and finds its next one, if it has another.
func (m *Member) unindexRead(ctx uint64) {
	if m.readDup[ctx] == 0 {
		delete(m.readAt, ctx)
		return
	}
	if m.readDup[ctx]--; m.readDup[ctx] == 0 {
		delete(m.readDup, ctx)
	}
	for i, r := range m.readQueue {
		if r.ctx == ctx && r.acks != 0 {
			m.readAt[ctx] = m.readBase + uint64(i)
			return
		}
	}
	delete(m.readAt, ctx) // not reached: a counted entry is still queued
}

// resetReadQueue empties the read queue.
func (m *Member) resetReadQueue() {
	m.readQueue = m.readQueue[:0:0]
	m.readBase = 0
	clear(m.readAt)
	clear(m.readDup)
}

func (m *Member) readDone(r readReq) {
	if r.from == m {
		m.readIndexResolved(r.ctx, r.index)
		return
	}
	msg := m.newMsg(MsgReadIndexResp, r.from.ID)
	msg.Context, msg.Index = r.ctx, r.index
}

func (m *Member) readIndexResolved(ctx, index uint64) {
	if r := m.reads.find(ctx); r != nil {
		r.index, r.haveIdx = index, true
		m.reads.ready.Push(readyRead{index, ctx})
	}
	m.apply()
}

// sweepRequests expires requests past the server's request timeout and
// re-sends unanswered ReadIndex requests.
func (m *Member) sweepRequests() {
	now := m.Proc.Mono()
	for m.waitHead < len(m.waitFIFO) {
		id := m.waitFIFO[m.waitHead]
		w, ok := m.waits[id]
		if ok && w.expire > now {
			break
		}
		m.waitHead++
		if ok {
			delete(m.waits, id)
			m.reply(w.client, id, errTimeout)
		}
	}
	// The queue reuses its array: emptied, it starts over; half spent, its
	// live part moves to the front (slicing the head off instead would
	// make every append past the end allocate anew).
	switch {
	case m.waitHead == len(m.waitFIFO):
		m.waitFIFO, m.waitHead = m.waitFIFO[:0], 0
	case m.waitHead > 64 && 2*m.waitHead > len(m.waitFIFO):
		n := copy(m.waitFIFO, m.waitFIFO[m.waitHead:])
		m.waitFIFO, m.waitHead = m.waitFIFO[:n], 0
	}
	// Reads expire in arrival order: the expired ones are a prefix.
	q := &m.reads
	for q.head < len(q.list) && q.list[q.head].expire <= now {
		r := &q.list[q.head]
		m.reply(r.client, r.id, errTimeout)
		q.end(r)
	}
	for i := q.head; i < len(q.list); i++ {
		if r := &q.list[i]; !r.done && !r.haveIdx && now-r.lastSent >= m.cfg.ReadIndexRetry {
			m.sendReadIndex(r)
		}
	}
}

func (e *Etcd) MemberOf(p *fabric.Process) *Member {
	if p.Index < len(e.byProc) {
		return e.byProc[p.Index]
	}
	return nil
}

// --- Leadership transfer and graceful stop ------------------------------

// Leadership transfer, as etcd's raft runs it (MsgTransferLeader at the
// leader). While a transfer is pending the leader drops proposals. If the
// transferee's log is complete it tells it at once to campaign
// (MsgTimeoutNow); otherwise it first sends it what it lacks and tells it
// when its MsgAppResp shows it caught up. The transferee campaigns without
// a pre-vote and without waiting for its election timer, and marks its vote
// requests campaignTransfer: a voter grants them even within the CheckQuorum
// lease, since the leader it heard from is the one that asked. A transfer
// not done within an election timeout of the leader's is given up, and the
// leader takes proposals again.

// errTimeoutLeaderTransfer is etcd's error when the transferee did not
// take over within the request timeout.
const ErrTimeoutLeaderTransfer = "etcdserver: request timed out, leader transfer took too long"

// transferLeader starts a leadership transfer to voter to. Raft restarts
// the leader's election-timeout count, so the transfer has a full election
// timeout (and the next quorum check comes that much later).
func (m *Member) transferLeader(to uint64) {
	if m.state != Leader || to == m.ID || m.leadTransferee == to {
		return
	}
	m.resetElapsed()
	m.leadTransferee = to
	if m.Prs[to-1].Match == m.Log.LastIndex() {
		m.newMsg(MsgTimeoutNow, to)
	} else {
		m.sendAppend(to, true)
	}
}

// abortTransfer gives a pending transfer up.
func (m *Member) abortTransfer() {
	m.leadTransferee = None
	if m.stopping && m.stopAborted == 0 {
		m.stopAborted = m.Proc.Now()
	}
}

// timeoutNow is a follower told by its leader to take over. Like any
// campaign it needs a voter with no committed conf change left to apply.
func (m *Member) timeoutNow(from *Member) {
	if !m.promotable() || m.pendingConfToApply() {
		return
	}
	m.campaign(false, fmt.Sprintf("leader %s asked it to take over at once (MsgTimeoutNow): a leadership transfer, without pre-vote", from.Name), true)
}

// longestConnected is etcd's choice of transferee: among the other voters,
// the one its peer transport has been connected to longest (rafthttp's
// ActiveSince), the first in ID order on a tie; none if it is connected to
// none of them.
func (m *Member) longestConnected() uint64 {
	var best uint64
	var oldest sim.Time
	for b := m.Conf.voters &^ bit(m.ID); b != 0; b &= b - 1 {
		i := bits.TrailingZeros64(b)
		since := m.activeSince(i)
		if since == 0 {
			continue
		}
		if best == None || since < oldest {
			best, oldest = uint64(i+1), since
		}
	}
	return best
}

// Graceful stop. On SIGTERM etcd's interrupt handler closes the embedded
// server (embed.Etcd.Close), whose EtcdServer.Stop first moves leadership
// away (TransferLeadership) and then stops the server (HardStop); the
// process exits after that. Only a leader with other voters transfers: to
// the voter it has been connected to longest, waiting until that voter is
// the leader it follows (MoveLeader looks every heartbeat interval) for at
// most the request timeout. It stops either way, so a transfer that fails
// costs the cluster a normal election after the stop. A follower, a lone
// member, or a leader connected to no other voter stops at once.
//
// Not modelled: before that, Close shuts the member's client-facing gRPC
// and HTTP servers, so its own clients lose it at SIGTERM rather than when
// it exits.

// sigterm delivers SIGTERM: handled at once by a running process, on resume
// by a frozen one, not at all by a stopped one.
func (m *Member) Sigterm(fault int) {
	switch m.Proc.State() {
	case fabric.Running:
		m.gracefulStop(fault)
		m.ready()
	case fabric.Paused:
		m.sigtermFault = fault
		m.stopTimer().At(m.Proc.Now())
	}
}

func (m *Member) stopTimer() *fabric.Timer {
	if m.stopPoll == nil {
		m.stopPoll = m.Proc.NewTimer(m.Name+"/graceful-stop", m.onStopTimer)
	}
	return m.stopPoll
}

func (m *Member) onStopTimer() {
	if !m.stopping {
		m.gracefulStop(m.sigtermFault) // SIGTERM came while it was frozen
		m.ready()
		return
	}
	m.pollStop()
}

// gracefulStop is EtcdServer.Stop.
func (m *Member) gracefulStop(fault int) {
	if m.stopping {
		return
	}
	p := m.Proc
	m.stopping, m.sigtermFault, m.stopAsked, m.stopTo, m.stopAborted = true, fault, p.Now(), None, 0
	asked := fabric.Record{Event: fabric.EvProcStopped, Proc: p.Name, Host: p.Host.Name, Fault: fault, Reason: "asked to stop (SIGTERM)"}
	var why string
	switch {
	case m.state != Leader:
		why = "not the leader, it has no leadership to hand over"
	case bits.OnesCount64(m.Conf.voters) < 2:
		why = "the only voter, it has no leadership to hand over"
	default:
		if m.stopTo = m.longestConnected(); m.stopTo == None {
			why = "connected to no other voter, it cannot hand over its leadership (" + ErrUnhealthy + ")"
		}
	}
	if m.stopTo == None {
		m.e.w.Record(asked)
		m.exitStopped("stopped (SIGTERM): " + why)
		return
	}
	asked.Reason += fmt.Sprintf(": leadership transfer to %s (longest connected) before stopping", m.Peer(m.stopTo).Name)
	m.e.w.Record(asked)
	m.stopLeft = m.cfg.RequestTimeout
	m.transferLeader(m.stopTo)
	m.pollStop()
}

// pollStop is MoveLeader's wait: done once the transferee is the leader
// this member follows, given up when the request timeout is over.
func (m *Member) pollStop() {
	to := m.Peer(m.stopTo).Name
	switch {
	case m.Lead == m.stopTo:
		m.exitStopped(fmt.Sprintf("stopped (SIGTERM) after handing its leadership to %s (took %v)",
			to, m.Proc.Now().Sub(m.stopAsked).Round(time.Microsecond)))
	case m.stopLeft <= 0:
		why := fmt.Sprintf("stopped (SIGTERM) without handing over its leadership: %s was not the leader after the request timeout (%v): %s",
			to, m.cfg.RequestTimeout, ErrTimeoutLeaderTransfer)
		if m.stopAborted != 0 {
			why += fmt.Sprintf("; raft had given the transfer up after an election timeout, %v after it began",
				m.stopAborted.Sub(m.stopAsked).Round(time.Microsecond))
		}
		m.exitStopped(why)
	default:
		d := min(m.cfg.HeartbeatInterval, m.stopLeft)
		m.stopLeft -= d
		m.stopTimer().After(d)
	}
}

// exitStopped ends the graceful stop: the process exits. If its fault
// healed meanwhile, it starts again at once.
func (m *Member) exitStopped(why string) {
	p, c := m.Proc, m.e.w
	if m.state == Leader {
		m.record(fabric.Record{Event: EvStepDown, Term: m.HS.Term, Reason: "its etcd stops (SIGTERM) while leading"})
	}
	c.Record(fabric.Record{Event: fabric.EvProcExited, Proc: p.Name, Host: p.Host.Name, Fault: m.sigtermFault, Reason: why})
	p.Kill()
	if p.Enabled() && p.Host.Up() {
		c.Record(fabric.Record{Event: fabric.EvProcStarted, Proc: p.Name, Host: p.Host.Name, Fault: m.sigtermFault, Reason: "restarted"})
		p.Start()
	}
}

// RoleEtcd is the role of etcd members' processes.
const RoleEtcd = "etcd"

// EtcdMemberName is the name of the member on Config.EtcdMembers[i]:
// members are numbered from 1 in that order (etcd-1, etcd-2, ...), which is
// also their Raft ID. A scenario's probe endpoints and stacked apiservers
// name members this way.
func EtcdMemberName(i int) string { return "etcd-" + strconv.Itoa(i+1) }

// NewEtcd makes the etcd cluster of w: a member on each of hosts, in order,
// the first of them (cfg's initial count) in the initial configuration.
// Once every process and store key of the run exists, call Index.
func NewEtcd(w *fabric.World, cfg EtcdConfig, hosts []*fabric.Host, watch Watcher) *Etcd {
	e := &Etcd{cfg: cfg, w: w, watch: watch, invariants: invariants{leaderOfTerm: map[uint64]string{}, votedFor: map[voteKey]string{}}}
	for i, h := range hosts {
		m := &Member{Name: EtcdMemberName(i), ID: uint64(i + 1), e: e, cfg: cfg}
		m.Proc = w.AddProcess(m.Name, RoleEtcd, h, m)
		m.stream = w.Sim.Stream(m.Name)
		m.tick = m.Proc.NewTimer(m.Name+"/tick", m.onTick)
		m.saveDone = m.Proc.NewTimer(m.Name+"/fsync", m.onSaved)
		m.leaveTimer = m.Proc.NewTimer(m.Name+"/removed", m.leave)
		m.adjust = m.Proc.NewTimer(m.Name+"/adjust-ticks", m.pollPeers)
		e.Members = append(e.Members, m)
		w.TrimAtSkip(m)
	}
	n := len(e.Members)
	initial := cfg.InitialCount(n)
	for i, m := range e.Members {
		m.votes = make([]int8, n)
		m.Prs = make([]progress, n)
		// Every member, joining ones included, knows the initial
		// configuration: it is the log's starting point (etcd's bootstrap
		// entries).
		m.Conf = Membership{voters: firstN(initial), started: firstN(initial)}
		m.Initial = i < initial
	}
	return e
}

// Index finds members by process and sizes their stores for every key the
// run's components registered.
func (e *Etcd) Index() {
	e.byProc = make([]*Member, len(e.w.Procs))
	for _, m := range e.Members {
		e.byProc[m.Proc.Index] = m
	}
	for _, m := range e.Members {
		m.kv = make([]KVItem, len(e.w.Keys.List))
	}
}

// UnequalLogs gives the followers of leader logs of different lengths, as
// the Raft paper's election measurements did before crashing the leader
// (Ongaro and Ousterhout, "In Search of an Understandable Consensus
// Algorithm", 2014, §9.3: "the servers in each trial had different log
// lengths, so some candidates were not eligible to become leader"). The
// leader has sent one new entry per follower but one, with its last
// heartbeat: the followers, in an order drawn from st (keyed by draw),
// have received none, one, two, … of them (their election timers were
// reset by that heartbeat, not now) and persist them through their Ready
// loop. The leader's own copies are not on its disk yet (etcd's leader
// sends before it fsyncs), so a crash now loses them. Only running voters
// whose log ends where the leader's does take part. It returns, for the
// timeline, each follower with how many entries it holds.
func (e *Etcd) UnequalLogs(leader *Member, st sim.Stream, draw uint64) string {
	var fs []*Member
	last, lastTerm := leader.Log.LastIndex(), leader.Log.lastTerm()
	for _, f := range e.Members {
		if f == leader || f.Proc.State() != fabric.Running || !f.promotable() || f.HS.Term != leader.HS.Term ||
			f.Log.LastIndex() != last || f.Log.lastTerm() != lastTerm {
			continue
		}
		fs = append(fs, f)
	}
	st = st.SubN(draw)
	for i := len(fs) - 1; i > 0; i-- {
		j := st.IntN(uint64(i), i+1)
		fs[i], fs[j] = fs[j], fs[i]
	}
	var parts []string
	for r, f := range fs {
		for range r {
			f.Log.Append(Entry{Term: leader.HS.Term})
		}
		f.ready()
		parts = append(parts, fmt.Sprintf("%s +%d", f.Name, r))
	}
	if len(parts) == 0 {
		return "no follower's log ends where the leader's does"
	}
	return fmt.Sprintf("followers' logs past index %d: %s", last, strings.Join(parts, ", "))
}
