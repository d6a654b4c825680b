package etcd

// etcd's timeline events. They are part of hasim's output format (the README
// documents each); never rename one.
const (
	EvPreCandidate = "member.precandidate" // started a pre-vote for Term
	EvCandidate    = "member.candidate"    // campaigning at Term
	EvLeader       = "member.leader"       // won the election at Term
	EvFollower     = "member.follower"     // follows Leader (if known) at Term
	EvStepDown     = "leader.stepdown"     // a leader gave up, with Reason
	EvVoteIgnored  = "vote.ignored"        // a vote request ignored under the CheckQuorum lease
	EvVoteRejected = "vote.rejected"       // a vote request answered no
	EvFirstCommit  = "term.first_commit"   // the leader's first commit at Term
	EvViolation    = "invariant.violated"  // a safety invariant broke (a bug)
	// Membership changes, recorded once, when the first member applies
	// the entry (Index): Member is the member changed, Peer the member
	// that proposed it, Reason what changed and why.
	EvMemberAdded    = "member.added"    // a member was added, as a learner or a voter
	EvMemberPromoted = "member.promoted" // a learner became a voting member
	EvMemberRemoved  = "member.removed"  // a member was removed from the cluster
	EvMemberLeft     = "member.left"     // a removed member's etcd exited (Proc, Host, Reason)
)
