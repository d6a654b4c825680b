package fabric

import "hasim/sim"

// Timeline event names. They are part of hasim's output format (the
// README documents each); never rename one.
const (
	EvFaultInjected = "fault.injected" // a fault began
	EvFaultHealed   = "fault.healed"   // a fault ended
	EvHostDown      = "host.down"      // a host crashed or lost power
	EvHostUp        = "host.up"        // a host came back
	EvProcStopped   = "process.stopped"
	EvProcStarted   = "process.started"
	EvProcPaused    = "process.paused"
	EvProcResumed   = "process.resumed"
	EvPreCandidate  = "member.precandidate" // started a pre-vote for Term
	EvCandidate     = "member.candidate"    // campaigning at Term
	EvLeader        = "member.leader"       // won the election at Term
	EvFollower      = "member.follower"     // follows Leader (if known) at Term
	EvStepDown      = "leader.stepdown"     // a leader gave up, with Reason
	EvVoteIgnored   = "vote.ignored"        // a vote request ignored under the CheckQuorum lease
	EvVoteRejected  = "vote.rejected"       // a vote request answered no
	EvFirstCommit   = "term.first_commit"   // the leader's first commit at Term
	EvProbeDown     = "probe.unavailable"   // a probe's requests started failing
	EvProbeUp       = "probe.available"     // a probe's requests succeed again
	EvViolation     = "invariant.violated"  // a safety invariant broke (a bug)
	EvAPIReady      = "apiserver.ready"     // /readyz passes (etcd health check ok)
	EvAPIUnready    = "apiserver.unready"   // /readyz fails, with Reason
	EvLeaseAcquired = "lease.acquired"      // a candidate became leader of its group (OnStartedLeading)
	EvLeaseRenewed  = "lease.renewed"       // the leader renewed its lease
	EvLeaseLost     = "lease.lost"          // the leader's renew round failed (OnStoppedLeading)
	EvLeaseReleased = "lease.released"      // the leader released its lease on shutdown
	EvProcExited    = "process.exited"      // a process exited by itself (Reason)
	EvProcRestarted = "process.restarted"   // the kubelet restarted a static pod
	EvClockChanged  = "clock.changed"       // a host clock was stepped or its rate changed
	EvLBBackendDown = "lb.backend_down"     // a proxy marked an apiserver down
	EvLBBackendUp   = "lb.backend_up"       // a proxy marked an apiserver up
	EvVIPMoved      = "vip.moved"           // the virtual IP now answers on Host
	// Membership changes, recorded once, when the first member applies
	// the entry (Index): Member is the member changed, Peer the member
	// that proposed it, Reason what changed and why.
	EvMemberAdded    = "member.added"    // a member was added, as a learner or a voter
	EvMemberPromoted = "member.promoted" // a learner became a voting member
	EvMemberRemoved  = "member.removed"  // a member was removed from the cluster
	EvMemberLeft     = "member.left"     // a removed member's etcd exited (Proc, Host, Reason)
	// Operations (join-control-plane, remove-etcd-member) end with one of
	// these: Fault, Kind, Host (the target), Member (if any) and Reason.
	EvOpDone   = "operation.done"
	EvOpFailed = "operation.failed"
	// EvOpRetrying: an operation's etcd call was refused and is retried
	// (told at the first refusal of a step and when the error changes).
	EvOpRetrying = "operation.retrying"
)

// Record is one timeline event. Only the fields that apply are set.
type Record struct {
	T      sim.Time
	Event  string
	Member string // etcd member
	Host   string
	Proc   string // process
	Probe  string
	Group  string // leader-election group (kube-controller-manager, ...)
	Fault  int    // 1-based fault number
	Kind   string // fault kind
	Target string // fault target as resolved
	Term   uint64
	Leader string // the leader a follower follows
	Peer   string // the other member of a vote
	Index  uint64
	Reason string
	seq    uint64 // emission order, ties broken by it
}

// Seq is the record's emission order.
func (r Record) Seq() uint64 { return r.seq }
