package fabric

import "fmt"

// MsgType is the type of a message on the fabric. Each protocol numbers its
// own types (the low six bits) in a range of its own: the fabric's transport
// messages 1–7, etcd's (raft and its client API) 8–31, Kubernetes' (the API
// and VRRP) 32–63. The bits above are the traits the fabric acts on, so that
// it needs to know nothing else of a protocol.
type MsgType uint16

// Traits of a message type.
const (
	// Request: the sender waits for a reply; a host with nothing listening
	// on the port answers with MsgRefused (a TCP reset).
	Request MsgType = 1 << (8 + iota)
	// Reply answers a Request: it carries the request's ReqID and, on
	// failure, Err.
	Reply
	// PeerStream: sent on a long-lived stream between two peers whose send
	// buffer is bounded (see peerSendBuffer): counted while in flight and
	// dropped when the buffer is full.
	PeerStream
	// Datagram: needs no connection (UDP): a one-way cut blocks only its
	// direction and no reconnection delay applies. Everything else rides
	// on TCP.
	Datagram
	// APICall: a request to a kube-apiserver, which an api fault on its
	// sender fails or holds.
	APICall
	// AppStream: a peer-stream message that etcd's rafthttp sends on its
	// own stream (msgappv2: a leader's appends), apart from the others.
	AppStream

	msgNumber = 1<<6 - 1 // the protocol's number for the type
)

// The fabric's own messages.
const (
	MsgNone MsgType = 0
	// MsgRefused: the transport's answer when nothing listens on the target
	// (the process is down but its host is up): a TCP reset, carrying the
	// refused request's ReqID (0 for a ping).
	MsgRefused MsgType = 1 | Reply
	// MsgPing: a client's keepalive ping (an HTTP/2 or gRPC ping, or a
	// redial); a running server process answers MsgPong with its ReqID.
	MsgPing MsgType = 2 | Request
	MsgPong MsgType = 3
)

// Is reports whether t has every trait in traits.
func (t MsgType) Is(traits MsgType) bool { return t&traits == traits }

// Number is the type's number within its protocol's range.
func (t MsgType) Number() int { return int(t & msgNumber) }

func (t MsgType) String() string {
	switch t {
	case MsgNone:
		return "none"
	case MsgRefused:
		return "Refused"
	case MsgPing:
		return "Ping"
	case MsgPong:
		return "Pong"
	}
	return fmt.Sprintf("MsgType(%d)", t.Number())
}

// Message is the envelope the fabric carries: who sends it to whom, the
// request it answers, and the protocol's body, which the fabric does not
// look into. It is a plain value: the network copies it (the body through
// Body.Copy) when it goes on the wire, so the sender may reuse its Message
// and body at once.
type Message struct {
	Type     MsgType
	From, To *Process
	// ReqID ties a Reply (and a refusal or a pong) to its request; the
	// client's request plumbing (rpcClient) sets it.
	ReqID uint64
	// Conn is the long-lived connection a request or ping travels on, as
	// its client numbers it (RPCClient.LongLived), so that a proxy keeps
	// forwarding it to the backend the connection was opened to; 0 for a
	// connection dialled for the one request.
	Conn uint64
	// Err is a Reply's failure, as the server states it; "" on success.
	Err  string
	Body Body
}

// Body is a protocol's part of a message.
type Body interface {
	// Copy returns a copy the network may keep while the message is in
	// flight.
	Copy() Body
	// Free gives a copy made by Copy back for reuse once its message has
	// been delivered or dropped.
	Free()
}

// Pool is a free list of message bodies of one type, so that steady
// traffic allocates nothing. A nil Pool allocates a new body each time and
// drops what it is given.
type Pool[T any] struct{ free []*T }

// Get returns a body to fill in (its old contents, if reused).
func (p *Pool[T]) Get() *T {
	if p == nil || len(p.free) == 0 {
		return new(T)
	}
	b := p.free[len(p.free)-1]
	p.free = p.free[:len(p.free)-1]
	return b
}

// Copy returns a copy of b from the pool: for bodies without buffers of
// their own.
func (p *Pool[T]) Copy(b *T) *T {
	c := p.Get()
	*c = *b
	return c
}

// poolKept is the most bodies a pool keeps for reuse: a burst of messages
// in flight (a member catching up after hours away) must not leave the
// pool holding them all for the rest of the run.
const poolKept = 256

// Put returns b for reuse.
func (p *Pool[T]) Put(b *T) {
	if p != nil && len(p.free) < poolKept {
		p.free = append(p.free, b)
	}
}

// poolSteady is the most bodies a pool keeps past a skip (Trim): a steady
// cluster has a few messages of a kind in flight at once.
const poolSteady = 64

// Trim lets go of the bodies p keeps beyond poolSteady and of the room its
// list grew to. World.Skip calls it, the cluster being steady: what a
// transient's burst left in the pool is not held through the years that
// follow, where it would keep the memory of a long run at the high-water
// mark of its worst transient and scatter long-lived bodies over the
// heap. The next burst allocates afresh, a few times a year.
func (p *Pool[T]) Trim() {
	if p != nil {
		p.free = trimFree(p.free, poolSteady, nil)
	}
}

// trimFree keeps the first keep items of a free list in an array of room
// keep, calling drop (if not nil) on the others; a list whose room is
// within keep is returned as it is.
func trimFree[T any](free []*T, keep int, drop func(*T)) []*T {
	if cap(free) <= keep {
		return free
	}
	n := min(len(free), keep)
	if drop != nil {
		for _, x := range free[n:] {
			drop(x)
		}
	}
	return append(make([]*T, 0, keep), free[:n]...)
}

// Kept is how many bodies p keeps for reuse.
func (p *Pool[T]) Kept() int { return len(p.free) }
