package etcd

import (
	"fmt"
	"time"

	"hasim/model/fabric"
)

// etcd's messages: raft's, between members over the peer transport
// (rafthttp), and those of its client API (gRPC), between clients and
// members.
const (
	// MsgApp: leader → follower, entries after (Index, LogTerm), leader's commit.
	MsgApp fabric.MsgType = 8 | fabric.PeerStream | fabric.AppStream
	// MsgAppResp: follower → leader; Index is the last matching index, or,
	// with Reject, the index that did not match with RejectHint its last index.
	MsgAppResp fabric.MsgType = 9 | fabric.PeerStream
	// MsgHeartbeat: leader → follower, with Commit and a read-index Context.
	MsgHeartbeat fabric.MsgType = 10 | fabric.PeerStream
	// MsgHeartbeatResp: follower → leader, echoing Context.
	MsgHeartbeatResp fabric.MsgType = 11 | fabric.PeerStream
	// MsgVote: candidate asks for a vote at Term for a log ending at (Index,
	// LogTerm); Transfer if the leader asked for the campaign.
	MsgVote     fabric.MsgType = 12 | fabric.PeerStream
	MsgVoteResp fabric.MsgType = 13 | fabric.PeerStream
	// MsgPreVote: like MsgVote at Term = candidate's term + 1, changing no term.
	MsgPreVote     fabric.MsgType = 14 | fabric.PeerStream
	MsgPreVoteResp fabric.MsgType = 15 | fabric.PeerStream
	// MsgProp: a follower forwards a client proposal (one entry) to its leader.
	MsgProp fabric.MsgType = 16 | fabric.PeerStream
	// MsgReadIndex: a follower asks its leader for a read index; Context names the read.
	MsgReadIndex fabric.MsgType = 17 | fabric.PeerStream
	// MsgReadIndexResp: the leader's answer: Index is the read index.
	MsgReadIndexResp fabric.MsgType = 18 | fabric.PeerStream
	// MsgSnap: the leader sends a snapshot at (Index, LogTerm) to a follower
	// that needs entries it has compacted.
	MsgSnap fabric.MsgType = 19 | fabric.PeerStream
	// MsgTimeoutNow: a leader transferring its leadership tells the
	// transferee, whose log is up to date, to campaign at once.
	MsgTimeoutNow fabric.MsgType = 20 | fabric.PeerStream
	// MsgGone: a member's answer to a raft message from a member it knows
	// was removed (rafthttp's HTTP 410 Gone); the removed member exits.
	MsgGone fabric.MsgType = 21

	// MsgClientWrite: a client write (ClientMsg.Op).
	MsgClientWrite fabric.MsgType = 24 | fabric.Request
	// MsgClientRead: a client read of ClientMsg.Op.Key; Linearizable selects
	// ReadIndex.
	MsgClientRead fabric.MsgType = 25 | fabric.Request
	// MsgClientMember: a request of etcd's Cluster API (member add, add as
	// learner, promote, remove: ClientMsg.Op), answered like a write once the
	// change is applied. A follower also sends one to its leader to forward
	// a promote (etcd does so over the peer HTTP API).
	MsgClientMember fabric.MsgType = 26 | fabric.Request
	// MsgClientReply: the answer to a client request, Err empty on success.
	MsgClientReply fabric.MsgType = 27 | fabric.Reply
)

// raftMsgName is the name etcd's raft gives a message type.
func raftMsgName(t fabric.MsgType) string {
	switch t {
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
	case MsgTimeoutNow:
		return "MsgTimeoutNow"
	}
	return fmt.Sprintf("MsgType(%d)", t.Number())
}

// Entry is one Raft log entry: its term and the client request it carries
// (0 for the empty entry a new leader appends).
type Entry struct {
	Term uint64
	Req  uint64
	Op   Op
}

// RaftMsg is a raft message, as etcd's raftpb.Message: the envelope's
// fields (Type, From, To) travel inside it too, as they do in etcd, and
// the member sends it with Member.send.
type RaftMsg struct {
	pool     *fabric.Pool[RaftMsg]
	Type     fabric.MsgType
	From, To *fabric.Process

	Term       uint64
	LogTerm    uint64
	Index      uint64
	Commit     uint64
	Reject     bool
	RejectHint uint64
	Entries    []Entry
	// Context names a read: the read-index context of MsgReadIndex, its
	// response, and the heartbeats that confirm it.
	Context uint64
	// Transfer marks a MsgVote of a campaign the leader asked for (raft's
	// campaignTransfer context): voters grant it even within CheckQuorum's
	// lease.
	Transfer bool
	// A MsgSnap carries the store and the membership as of the snapshot
	// (raft's ConfState and etcd's member list travel with it).
	KV   []KVItem
	Conf *Membership
}

// Copy implements Body; the copy has buffers of its own.
func (b *RaftMsg) Copy() fabric.Body {
	c := b.pool.Get()
	ents, kv := c.Entries[:0], c.KV[:0]
	*c = *b
	c.Entries = append(ents, b.Entries...)
	c.KV = append(kv, b.KV...)
	return c
}

// Free implements Body.
func (b *RaftMsg) Free() {
	b.From, b.To, b.Conf = nil, nil, nil
	b.Entries, b.KV = trimBuffers(b.Entries, b.KV)
	b.pool.Put(b)
}

// keptEntries is the most entries (and store items) a pooled message keeps
// room for: a burst of large appends or snapshots must not leave every
// buffer of the pool holding a large array for the rest of the run.
const keptEntries = 64

// trimBuffers empties a reused message's entry and store buffers, dropping
// those larger than keptEntries.
func trimBuffers(ents []Entry, kv []KVItem) ([]Entry, []KVItem) {
	if cap(ents) > keptEntries {
		ents = nil
	}
	if cap(kv) > keptEntries {
		kv = nil
	}
	return ents[:0], kv[:0]
}

// ClientMsg is a request of etcd's client API, or its reply.
type ClientMsg struct {
	pool *fabric.Pool[ClientMsg]
	// Op is the write of a MsgClientWrite, the key of a MsgClientRead and
	// the change of a MsgClientMember.
	Op           Op
	Linearizable bool // MsgClientRead
	// A reply: the object read, its revision (or a write's), and whether
	// the key exists.
	Val   LeaseRecord
	Rev   uint64
	Found bool
}

// Copy implements Body.
func (b *ClientMsg) Copy() fabric.Body { return b.pool.Copy(b) }

// Free implements Body.
func (b *ClientMsg) Free() { b.pool.Put(b) }

// clientBody is the ClientMsg of a client-API message (zero for a refusal
// or an error reply, which carry none).
func ClientBody(m *fabric.Message) ClientMsg {
	if m == nil {
		return ClientMsg{}
	}
	if b, ok := m.Body.(*ClientMsg); ok {
		return *b
	}
	return ClientMsg{}
}

// clientRequests holds the body of the etcd request a client is sending
// and the pool its copies come from.
type ClientRequests struct {
	req  ClientMsg
	pool fabric.Pool[ClientMsg]
}

// Trim implements fabric.Trimmer (see Pool.Trim); a client registers its
// requests with World.TrimAtSkip.
func (r *ClientRequests) Trim() { r.pool.Trim() }

// call sends a request of type t of etcd's client API through c (see
// rpcClient.call).
func (r *ClientRequests) Call(c *fabric.RPCClient, tag uint64, t fabric.MsgType, req ClientMsg, timeout time.Duration, retry bool) uint64 {
	req.pool = &r.pool
	r.req = req
	return c.Call(tag, fabric.Message{Type: t, Body: &r.req}, timeout, retry)
}
