package model

import "fmt"

// MsgType is the kind of a message on the fabric.
type MsgType uint8

// Raft messages carry the names etcd's raft gives them; client messages are
// the requests and replies of probes and, later, apiservers.
const (
	MsgNone MsgType = iota
	// MsgApp: leader → follower, entries after (Index, LogTerm), leader's commit.
	MsgApp
	// MsgAppResp: follower → leader; Index is the last matching index, or,
	// with Reject, the index that did not match with RejectHint its last index.
	MsgAppResp
	// MsgHeartbeat: leader → follower, with Commit and a read-index Context.
	MsgHeartbeat
	// MsgHeartbeatResp: follower → leader, echoing Context.
	MsgHeartbeatResp
	// MsgVote: candidate asks for a vote at Term for a log ending at (Index, LogTerm);
	// Context is campaignTransfer if the leader asked for the campaign.
	MsgVote
	MsgVoteResp
	// MsgPreVote: like MsgVote at Term = candidate's term + 1, changing no term.
	MsgPreVote
	MsgPreVoteResp
	// MsgProp: a follower forwards a client proposal (one entry) to its leader.
	MsgProp
	// MsgReadIndex: a follower asks its leader for a read index; Context names the read.
	MsgReadIndex
	// MsgReadIndexResp: the leader's answer: Index is the read index.
	MsgReadIndexResp
	// MsgSnap: the leader sends a snapshot at (Index, LogTerm) to a follower
	// that needs entries it has compacted.
	MsgSnap

	// MsgClientWrite: a client write (Context is the request id).
	MsgClientWrite
	// MsgClientRead: a client read; Linearizable selects ReadIndex.
	MsgClientRead
	// MsgClientReply: the answer to a client request, Err empty on success.
	MsgClientReply
	// MsgRefused: the transport's answer when nothing listens on the target
	// (the process is down but its host is up): a TCP reset.
	MsgRefused
	// MsgPing: a client's HTTP/2 keepalive ping (or a redial); the server
	// process answers MsgPong if it is running.
	MsgPing
	MsgPong
	// MsgAPIRequest: a request to a kube-apiserver (Verb, Op).
	MsgAPIRequest
	// MsgAPIReply: its answer; Err empty on success.
	MsgAPIReply
	// MsgVRRPAdvert: a VRRP advertisement (a datagram); Index is the
	// sender's priority.
	MsgVRRPAdvert
	// MsgClientMember: a request of etcd's Cluster API (member add, add as
	// learner, promote, remove: Op.Kind, Op.Member), answered like a write
	// once the change is applied. A follower also sends one to its leader
	// to forward a promote (etcd does so over the peer HTTP API).
	MsgClientMember
	// MsgGone: a member's answer to a raft message from a member it knows
	// was removed (rafthttp's HTTP 410 Gone); the removed member exits.
	MsgGone
	// MsgTimeoutNow: a leader transferring its leadership tells the
	// transferee, whose log is up to date, to campaign at once.
	MsgTimeoutNow
	numMsgTypes
)

// Verb is what an API request asks of a kube-apiserver.
type Verb uint8

const (
	// VerbGet reads an object from etcd (resourceVersion "": a quorum read).
	VerbGet Verb = iota + 1
	// VerbGetCached reads from the watch cache (resourceVersion "0").
	VerbGetCached
	// VerbWrite creates, updates or puts an object (Op).
	VerbWrite
	// VerbReadyz and VerbLivez ask for /readyz and /livez.
	VerbReadyz
	VerbLivez
	// VerbWatchGet is what an informer sees of an object: the watch
	// cache's copy (the apiserver's etcd member's applied state), served
	// while the cache is fresh.
	VerbWatchGet
)

func (t MsgType) String() string {
	switch t {
	case MsgNone:
		return "none"
	case MsgApp:
		return "MsgApp"
	case MsgAppResp:
		return "MsgAppResp"
	case MsgHeartbeat:
		return "MsgHeartbeat"
	case MsgHeartbeatResp:
		return "MsgHeartbeatResp"
	case MsgVote:
		return "MsgVote"
	case MsgVoteResp:
		return "MsgVoteResp"
	case MsgPreVote:
		return "MsgPreVote"
	case MsgPreVoteResp:
		return "MsgPreVoteResp"
	case MsgProp:
		return "MsgProp"
	case MsgReadIndex:
		return "MsgReadIndex"
	case MsgReadIndexResp:
		return "MsgReadIndexResp"
	case MsgSnap:
		return "MsgSnap"
	case MsgClientWrite:
		return "ClientWrite"
	case MsgClientRead:
		return "ClientRead"
	case MsgClientReply:
		return "ClientReply"
	case MsgRefused:
		return "Refused"
	case MsgPing:
		return "Ping"
	case MsgPong:
		return "Pong"
	case MsgAPIRequest:
		return "APIRequest"
	case MsgAPIReply:
		return "APIReply"
	case MsgVRRPAdvert:
		return "VRRPAdvert"
	case MsgClientMember:
		return "ClientMember"
	case MsgGone:
		return "Gone"
	case MsgTimeoutNow:
		return "MsgTimeoutNow"
	}
	return fmt.Sprintf("MsgType(%d)", int(t))
}

// isRaft reports whether members send it to each other over etcd's peer
// transport (rafthttp).
func (t MsgType) isRaft() bool { return (t >= MsgApp && t <= MsgSnap) || t == MsgTimeoutNow }

// isClientRequest reports whether the sender waits for a reply, so that a
// refused connection must be answered.
func (t MsgType) isClientRequest() bool {
	return t == MsgClientWrite || t == MsgClientRead || t == MsgPing || t == MsgAPIRequest || t == MsgClientMember
}

// Entry is one Raft log entry: its term and the client request it carries
// (0 for the empty entry a new leader appends).
type Entry struct {
	Term uint64
	Req  uint64
	Op   Op
}

// Message is one message on the fabric. It is a plain value: the network
// copies it (entries included) into a pooled envelope, so the sender may
// reuse its Message at once.
type Message struct {
	Type     MsgType
	From, To *Process

	Term       uint64
	LogTerm    uint64
	Index      uint64
	Commit     uint64
	Reject     bool
	RejectHint uint64
	Entries    []Entry
	Context    uint64 // read-index context, client request id, or a MsgVote's campaignTransfer

	Linearizable bool   // MsgClientRead
	Err          string // MsgClientReply: "" on success, else etcd's error text

	// Store operations: the write of a MsgClientWrite, the key of a
	// MsgClientRead, and what a MsgClientReply returns (the object, its
	// revision, whether it exists). A MsgSnap carries the store.
	Op    Op
	Verb  Verb // MsgAPIRequest
	Val   LeaseRecord
	Rev   uint64
	Found bool
	KV    []KVItem
	// conf is a MsgSnap's membership as of the snapshot (raft's ConfState
	// and etcd's member list travel with the snapshot).
	conf *membership
	// Datagram marks a message that needs no connection (VRRP adverts): a
	// one-way cut blocks only its direction and no reconnection delay
	// applies. Everything else rides on TCP.
	Datagram bool
}
