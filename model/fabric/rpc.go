package fabric

import (
	"math"
	"slices"
	"time"
)

// rpcClient is a client's side of request/response traffic to a set of
// servers. Requests rotate round-robin over the servers; a refused
// connection moves the request to the next server at once; a request that
// fails with an error moves on to the next server if the request allows
// retries (clientv3 retries reads, not writes) and its deadline has not
// passed.
//
// A gRPC client (etcd's clientv3; keepaliveTime > 0) also keeps a
// subchannel per server: a refused connection or an unanswered keepalive
// ping takes the server out of rotation until a redial succeeds, after
// gRPC's backoff; with no server ready a request waits for one
// (WaitForReady) until its deadline. An HTTP client (client-go;
// keepaliveTime 0) dials a new connection for the next request instead,
// so it never waits for a redial.
//
// The owner forwards every message it receives to deliver, and learns of
// each request's end through done, with the tag it gave.
type RPCClient struct {
	owner   *Process
	started uint64 // the owner's incarnation in which Start last ran
	servers []server
	rr      int
	// reqs are the requests in flight, in send order (so in id order),
	// from head on; an ended request stays as a hole (ended) until the
	// slice is compacted, so that ending one costs no copying. live counts
	// those not ended, parked those waiting for a ready server.
	reqs         []rpcReq
	head         int
	live, parked int
	deadlines    MinHeap[reqDeadline] // the live requests' deadlines (ended ones are skipped when met)
	expire       *Timer
	ping         *Timer
	redial       *Timer

	keepaliveTime, keepaliveTimeout time.Duration
	// resolve, if set, maps a server to the process that answers it now
	// (a virtual IP's current holder); otherwise server.proc answers.
	Resolve func(i int) *Process
	done    func(tag uint64, res *Message, err string)

	// h2, if set, makes an HTTP client keep one long-lived connection
	// (LongLived; h2conn.go) instead of dialling per request.
	h2      *H2Config
	conn    h2Conn
	h2timer *Timer
	dials   int
}

// server is the client's connection to one server, as gRPC's subchannel
// sees it: ready, or down until a redial succeeds. Times are readings of
// the owner's monotonic clock, as a Go program measures them: a change of
// the clock's rate cannot put them out of step with the timers armed for
// them.
type server struct {
	proc     *Process
	ready    bool
	redialAt time.Duration // down: next dial; dialling: when the dial times out
	backoff  time.Duration
	pingOut  bool
	pingSent time.Duration
	pingTo   *Process      // where the outstanding ping went
	lastRecv time.Duration // last time anything arrived from the server
}

// rpcReq is one request in flight.
type rpcReq struct {
	id, tag  uint64
	msg      Message       // the request, resent on retry
	deadline time.Duration // on the owner's monotonic clock
	server   int
	tried    int
	retry    bool   // move on to the next server on an error reply
	parked   bool   // waiting for a ready server (gRPC WaitForReady)
	ended    bool   // finished or cancelled: a hole in reqs
	conn     uint64 // long-lived: the connection it was sent on
	onStream bool   // long-lived: its stream is open on conn
}

// reqDeadline is a request's deadline; ties go in id (send) order.
type reqDeadline struct {
	at time.Duration
	id uint64
}

func (a reqDeadline) Less(b reqDeadline) bool { return a.at < b.at || (a.at == b.at && a.id < b.id) }

// gRPC's reconnect backoff: 1s, ×1.6 per failed attempt, at most 120s.
const (
	redialBase = time.Second
	redialMax  = 120 * time.Second
)

func NewRPCClient(owner *Process, name string, servers []*Process, keepaliveTime, keepaliveTimeout time.Duration,
	done func(tag uint64, res *Message, err string)) *RPCClient {
	c := &RPCClient{owner: owner, keepaliveTime: keepaliveTime, keepaliveTimeout: keepaliveTimeout, done: done}
	for _, s := range servers {
		c.servers = append(c.servers, server{proc: s})
	}
	c.expire = owner.NewTimer(name+"/deadline", c.onExpire)
	c.ping = owner.NewTimer(name+"/keepalive", c.onKeepalive)
	c.redial = owner.NewTimer(name+"/redial", c.onRedial)
	owner.w.rpcs = append(owner.w.rpcs, c)
	return c
}

// Settled reports whether the client has nothing to recover: every
// connection ready (no redial pending), no request waiting for one. A
// client whose process is not running counts as settled.
func (c *RPCClient) Settled() bool {
	if c.owner.state != Running {
		return true
	}
	for i := range c.servers {
		if !c.servers[i].ready {
			return false
		}
	}
	return c.parked == 0
}

// Converged reports whether the client's recovery has reached its fixed
// point: every connection that is down redials at the longest back-off
// and its server cannot answer (so its redials go on failing alike until
// a repair), and every connection that is ready has a server that can
// (else its keepalive or its next request's deadline would find it
// dead). A server can answer if it runs and a connection to it would be
// accepted. An HTTP client, which dials afresh for each request, has
// only the first part to meet. A client whose process is not running, or
// that its process has not started since it last started (a standby
// controller-manager's controllers client, started when it leads), has
// nothing under way and counts as converged.
func (c *RPCClient) Converged() bool {
	if c.owner.state != Running || c.started != c.owner.incarnation {
		return true
	}
	for i := range c.servers {
		s := &c.servers[i]
		if !s.ready && s.backoff < redialMax {
			return false
		}
		if c.keepaliveTime == 0 {
			continue // an HTTP client dials afresh for each request
		}
		if p := c.target(i); p == nil || s.ready != (p.state == Running && c.owner.w.Net.Reachable(c.owner.Host, p)) {
			return false
		}
	}
	return true
}

// start resets the connections (all ready: a client starts connected) and
// the keepalive ticker; the owner calls it from its Start.
func (c *RPCClient) Start() {
	c.started = c.owner.incarnation
	now := c.owner.Mono()
	for i := range c.servers {
		c.servers[i] = server{proc: c.servers[i].proc, ready: true, backoff: redialBase, lastRecv: now}
	}
	c.reqs, c.head, c.live, c.parked = c.reqs[:0], 0, 0, 0
	c.deadlines = c.deadlines[:0]
	c.redial.Stop()
	if c.h2 != nil {
		c.conn = h2Conn{}
		c.h2timer.Stop()
	}
	if c.keepaliveTime > 0 {
		// Checked twice per the shorter of the two settings: a ping goes out
		// once the connection has been silent for keepaliveTime.
		tick := min(c.keepaliveTime, c.keepaliveTimeout) / 2
		c.ping.StartTicker(tick, tick)
	}
}

func (c *RPCClient) target(i int) *Process {
	if c.Resolve != nil {
		return c.Resolve(i)
	}
	return c.servers[i].proc
}

// call sends a request (msg's Type and Body, which the client copies; From,
// To and ReqID are set here) and returns its id. done will be called exactly once for it,
// unless the owner stops first.
func (c *RPCClient) Call(tag uint64, msg Message, timeout time.Duration, retry bool) uint64 {
	c.compact()
	id := c.owner.w.NewRequestID()
	deadline := c.owner.Mono() + timeout
	if msg.Body != nil {
		msg.Body = msg.Body.Copy() // the request's own, kept for retries until it ends
	}
	c.reqs = append(c.reqs, rpcReq{id: id, tag: tag, msg: msg, deadline: deadline, server: -1, retry: retry})
	c.live++
	c.deadlines.Push(reqDeadline{deadline, id})
	c.dispatch(len(c.reqs) - 1)
	c.armExpire()
	return id
}

// compact drops the holes ended requests left once they are at least
// half of reqs, and reuses the array from its start once every request
// ended, so that steady traffic allocates nothing. Only call runs it,
// before it appends: nothing holds an index into reqs then.
func (c *RPCClient) compact() {
	c.reqs, c.head = CompactHoles(c.reqs, c.head, c.live, func(r *rpcReq) bool { return r.ended })
}

// grpc reports whether the client keeps subchannels (see rpcClient).
func (c *RPCClient) grpc() bool { return c.keepaliveTime > 0 }

// dispatch sends request k to the next ready server. When every server
// has been tried, a gRPC request waits for a server to become ready; an
// HTTP request fails.
func (c *RPCClient) dispatch(k int) {
	if c.h2 != nil {
		c.dispatchH2(k)
		return
	}
	r := &c.reqs[k]
	n := len(c.servers)
	for r.tried < n {
		s := c.rr % n
		c.rr++
		r.tried++
		if c.grpc() && !c.servers[s].ready {
			continue
		}
		r.server = s
		m := r.msg
		m.From, m.To, m.ReqID = c.owner, c.target(s), r.id
		if m.To == nil {
			return // nothing answers (a VIP without holder): the deadline ends it
		}
		if c.apiFault(k, &m) {
			return
		}
		c.owner.w.Net.Send(&m)
		return
	}
	if c.grpc() {
		r.parked = true // WaitForReady: until a redial succeeds or the deadline
		c.parked++
		return
	}
	c.finish(k, nil, "no server available: every connection was refused")
}

// apiFault applies an api fault on the owner to request k's message m and
// reports whether it took the request (failed or held it).
func (c *RPCClient) apiFault(k int, m *Message) bool {
	if !m.Type.Is(APICall) {
		return false
	}
	switch c.owner.APIMode() {
	case APIFail:
		c.finish(k, nil, "connection refused (api-error fault)")
		return true
	case APIHold:
		c.owner.hold(*m)
		return true
	}
	return false
}

// unpark re-sends the requests waiting for a ready server, in send order.
// A request may end (and its owner send others) while this runs, so the
// parked ones are collected first and looked up again by id.
func (c *RPCClient) unpark() {
	if c.parked == 0 {
		return
	}
	var ids []uint64
	for k := c.head; k < len(c.reqs); k++ {
		if r := &c.reqs[k]; r.parked && !r.ended {
			ids = append(ids, r.id)
		}
	}
	for _, id := range ids {
		if k := c.find(id); k >= 0 && c.reqs[k].parked {
			r := &c.reqs[k]
			r.parked, r.tried = false, 0
			c.parked--
			c.dispatch(k)
		}
	}
}

// finish ends request k and reports it.
func (c *RPCClient) finish(k int, res *Message, err string) {
	tag := c.end(k)
	c.done(tag, res, err)
}

// end marks request k ended without reporting it and returns its tag.
func (c *RPCClient) end(k int) uint64 {
	r := &c.reqs[k]
	if r.parked {
		c.parked--
	}
	if c.h2 != nil {
		c.streamDone(r, false)
	}
	r.ended, r.parked = true, false
	if r.msg.Body != nil {
		r.msg.Body.Free()
	}
	r.msg = Message{}
	c.live--
	for c.head < len(c.reqs) && c.reqs[c.head].ended {
		c.head++
	}
	return r.tag
}

// cancel forgets the request with this tag without reporting it.
func (c *RPCClient) Cancel(tag uint64) {
	for k := c.head; k < len(c.reqs); k++ {
		if r := &c.reqs[k]; r.tag == tag && !r.ended {
			c.end(k)
			return
		}
	}
}

// deliver handles a message for the client and reports whether it was
// one: a reply, a refusal or a pong.
func (c *RPCClient) Deliver(msg *Message) bool {
	now := c.owner.Mono()
	for i := range c.servers {
		if s := &c.servers[i]; s.proc == msg.From || s.pingTo == msg.From {
			s.lastRecv = now
		}
	}
	if c.h2 != nil && c.deliverH2(msg) {
		return true
	}
	switch {
	case msg.Type == MsgPong:
		became := false
		for i := range c.servers {
			if s := &c.servers[i]; s.pingOut && s.pingTo == msg.From {
				became = became || !s.ready
				s.pingOut, s.ready, s.backoff = false, true, redialBase
			}
		}
		if became {
			c.unpark()
		}
		return true
	case msg.Type == MsgRefused && msg.ReqID == 0: // a refused ping or redial
		for i := range c.servers {
			if s := &c.servers[i]; s.pingOut && s.pingTo == msg.From {
				c.markDown(s)
			}
		}
		return true
	case !msg.Type.Is(Reply):
		return false
	}
	k := c.find(msg.ReqID)
	if k < 0 {
		return true // late: the request already ended
	}
	r := &c.reqs[k]
	if c.h2 != nil {
		c.streamDone(r, false)
		if msg.Type == MsgRefused && r.conn == c.conn.id {
			// The connection was reset: every request on it gets its
			// own refusal; the next dials afresh.
			c.conn = h2Conn{}
			c.h2timer.Stop()
		}
	}
	switch {
	case msg.Type == MsgRefused:
		c.markDown(&c.servers[r.server])
		c.dispatch(k)
	case msg.Err == "":
		c.finish(k, msg, "")
	case r.retry && r.tried < len(c.servers) && now < r.deadline:
		c.dispatch(k)
	default:
		c.finish(k, msg, msg.Err)
	}
	return true
}

// find is the index of the live request with this id, or -1: a binary
// search, since reqs are in id order (a scan while they are few).
func (c *RPCClient) find(id uint64) int {
	lo, hi := c.head, len(c.reqs)
	if hi-lo <= ShortList {
		for k := lo; k < hi; k++ {
			if c.reqs[k].id == id {
				if c.reqs[k].ended {
					return -1
				}
				return k
			}
		}
		return -1
	}
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if c.reqs[m].id < id {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(c.reqs) && c.reqs[lo].id == id && !c.reqs[lo].ended {
		return lo
	}
	return -1
}

// onExpire ends every request past its deadline, in send order.
func (c *RPCClient) onExpire() {
	now := c.owner.Mono()
	var due []uint64
	for len(c.deadlines) > 0 && c.deadlines[0].at <= now {
		due = append(due, c.deadlines.Pop().id) // ended ones are skipped below
	}
	slices.Sort(due)
	for _, id := range due {
		if k := c.find(id); k >= 0 {
			if c.h2 != nil {
				c.streamDone(&c.reqs[k], true)
			}
			c.finish(k, nil, "context deadline exceeded")
		}
	}
	c.armExpire()
}

// armExpire arms the deadline timer for the earliest live deadline,
// dropping the heap's entries for requests that ended.
func (c *RPCClient) armExpire() {
	for len(c.deadlines) > 0 && c.find(c.deadlines[0].id) < 0 {
		c.deadlines.Pop()
	}
	if len(c.deadlines) == 0 {
		c.expire.Stop()
		return
	}
	if first := c.deadlines[0].at; !c.expire.Pending() || c.expire.mono != first {
		c.expire.AtMono(first)
	}
}

// onKeepalive is gRPC's keepalive: a connection silent for keepaliveTime
// gets a ping, and one whose ping goes unanswered for keepaliveTimeout is
// declared dead. Checks run every half of the shorter setting, so a dead
// server is noticed keepaliveTime + keepaliveTimeout (plus at most one
// check interval) after it last answered.
func (c *RPCClient) onKeepalive() {
	now := c.owner.Mono()
	for i := range c.servers {
		s := &c.servers[i]
		switch {
		case s.pingOut && s.ready && now-s.pingSent >= c.keepaliveTimeout:
			c.markDown(s)
		case s.ready && !s.pingOut && now-s.lastRecv >= c.keepaliveTime:
			c.sendPing(i)
		}
	}
}

// onRedial dials the servers whose backoff is over (a dial that gets no
// answer within the keepalive timeout counts as failed) and re-arms for
// the next. Each server it acts on gets a redialAt in the future, so the
// timer never re-arms for now.
func (c *RPCClient) onRedial() {
	now := c.owner.Mono()
	for i := range c.servers {
		s := &c.servers[i]
		if s.ready || now < s.redialAt {
			continue
		}
		if s.pingOut {
			c.markDown(s) // the dial timed out: back off further
			continue
		}
		c.sendPing(i)
		s.redialAt = now + c.keepaliveTimeout
	}
	c.armRedial()
}

// armRedial arms the redial timer for the earliest pending dial or dial
// timeout.
func (c *RPCClient) armRedial() {
	next := time.Duration(math.MaxInt64)
	for i := range c.servers {
		if s := &c.servers[i]; !s.ready {
			next = min(next, s.redialAt)
		}
	}
	if next == math.MaxInt64 {
		c.redial.Stop()
	} else {
		c.redial.AtMono(next)
	}
}

func (c *RPCClient) sendPing(i int) {
	s := &c.servers[i]
	s.pingOut, s.pingSent, s.pingTo = true, c.owner.Mono(), c.target(i)
	if s.pingTo != nil {
		c.owner.w.Net.Send(&Message{Type: MsgPing, From: c.owner, To: s.pingTo})
	}
}

// markDown takes a connection out of rotation until a redial after the
// current backoff.
func (c *RPCClient) markDown(s *server) {
	if !c.grpc() {
		return // HTTP: the next request dials afresh
	}
	s.ready, s.pingOut = false, false
	s.redialAt = c.owner.Mono() + s.backoff
	s.backoff = min(time.Duration(float64(s.backoff)*1.6), redialMax)
	c.armRedial()
}

// shortList is the length up to which the lists kept in order (requests,
// reads, attempts) are scanned rather than bisected: a scan of a few
// entries is cheaper, and most lists are that short.
const ShortList = 8
