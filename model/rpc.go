package model

import (
	"time"

	"hasim/sim"
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
type rpcClient struct {
	owner   *Process
	servers []server
	rr      int
	reqs    []rpcReq // in flight, in send order
	expire  *Timer
	ping    *Timer
	redial  *Timer

	keepaliveTime, keepaliveTimeout time.Duration
	// resolve, if set, maps a server to the process that answers it now
	// (a virtual IP's current holder); otherwise server.proc answers.
	resolve func(i int) *Process
	done    func(tag uint64, res *Message, err string)
}

// server is the client's connection to one server, as gRPC's subchannel
// sees it: ready, or down until a redial succeeds.
type server struct {
	proc     *Process
	ready    bool
	redialAt sim.Time
	backoff  time.Duration
	pingOut  bool
	pingSent sim.Time
	pingTo   *Process // where the outstanding ping went
	lastRecv sim.Time // last time anything arrived from the server
}

// rpcReq is one request in flight.
type rpcReq struct {
	id, tag  uint64
	msg      Message // the request, resent on retry
	deadline sim.Time
	server   int
	tried    int
	retry    bool // move on to the next server on an error reply
	parked   bool // waiting for a ready server (gRPC WaitForReady)
}

// gRPC's reconnect backoff: 1s, ×1.6 per failed attempt, at most 120s.
const (
	redialBase = time.Second
	redialMax  = 120 * time.Second
)

func newRPCClient(owner *Process, name string, servers []*Process, keepaliveTime, keepaliveTimeout time.Duration,
	done func(tag uint64, res *Message, err string)) *rpcClient {
	c := &rpcClient{owner: owner, keepaliveTime: keepaliveTime, keepaliveTimeout: keepaliveTimeout, done: done}
	for _, s := range servers {
		c.servers = append(c.servers, server{proc: s})
	}
	c.expire = owner.NewTimer(name+"/deadline", c.onExpire)
	c.ping = owner.NewTimer(name+"/keepalive", c.onKeepalive)
	c.redial = owner.NewTimer(name+"/redial", c.onRedial)
	return c
}

// start resets the connections (all ready: a client starts connected) and
// the keepalive ticker; the owner calls it from its Start.
func (c *rpcClient) start() {
	now := c.owner.Now()
	for i := range c.servers {
		c.servers[i] = server{proc: c.servers[i].proc, ready: true, backoff: redialBase, lastRecv: now}
	}
	c.reqs = c.reqs[:0]
	c.redial.Stop()
	if c.keepaliveTime > 0 {
		// Checked twice per the shorter of the two settings: a ping goes out
		// once the connection has been silent for keepaliveTime.
		tick := min(c.keepaliveTime, c.keepaliveTimeout) / 2
		c.ping.StartTicker(tick, now.Add(c.owner.Host.Clock.TrueDuration(tick)))
	}
}

func (c *rpcClient) target(i int) *Process {
	if c.resolve != nil {
		return c.resolve(i)
	}
	return c.servers[i].proc
}

// call sends a request (msg's Type, Op and flags; From, To and Context are
// set here) and returns its id. done will be called exactly once for it,
// unless the owner stops first.
func (c *rpcClient) call(tag uint64, msg Message, timeout time.Duration, retry bool) uint64 {
	now := c.owner.Now()
	id := c.owner.c.newRequestID()
	c.reqs = append(c.reqs, rpcReq{id: id, tag: tag, msg: msg, deadline: now.Add(c.owner.Host.Clock.TrueDuration(timeout)), server: -1, retry: retry})
	c.dispatch(len(c.reqs) - 1)
	c.armExpire()
	return id
}

// grpc reports whether the client keeps subchannels (see rpcClient).
func (c *rpcClient) grpc() bool { return c.keepaliveTime > 0 }

// dispatch sends request k to the next ready server. When every server
// has been tried, a gRPC request waits for a server to become ready; an
// HTTP request fails.
func (c *rpcClient) dispatch(k int) {
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
		m.From, m.To, m.Context = c.owner, c.target(s), r.id
		if m.To == nil {
			return // nothing answers (a VIP without holder): the deadline ends it
		}
		if m.Type == MsgAPIRequest {
			switch c.owner.apiFault {
			case apiFail:
				c.finish(k, nil, "connection refused (api-error fault)")
				return
			case apiHold:
				c.owner.held = append(c.owner.held, m)
				return
			}
		}
		c.owner.c.net.Send(&m)
		return
	}
	if c.grpc() {
		r.parked = true // WaitForReady: until a redial succeeds or the deadline
		return
	}
	c.finish(k, nil, "no server available: every connection was refused")
}

// unpark re-sends the requests waiting for a ready server.
func (c *rpcClient) unpark() {
	for k := 0; k < len(c.reqs); k++ {
		if r := &c.reqs[k]; r.parked {
			r.parked, r.tried = false, 0
			before := len(c.reqs)
			c.dispatch(k)
			if len(c.reqs) < before {
				k-- // it ended at once
			}
		}
	}
}

// finish ends request k and reports it.
func (c *rpcClient) finish(k int, res *Message, err string) {
	tag := c.reqs[k].tag
	c.reqs = append(c.reqs[:k], c.reqs[k+1:]...)
	c.done(tag, res, err)
}

// cancel forgets the request with this tag without reporting it.
func (c *rpcClient) cancel(tag uint64) {
	for k := range c.reqs {
		if c.reqs[k].tag == tag {
			c.reqs = append(c.reqs[:k], c.reqs[k+1:]...)
			return
		}
	}
}

// deliver handles a message for the client and reports whether it was
// one: a reply, a refusal or a pong.
func (c *rpcClient) deliver(msg *Message) bool {
	for i := range c.servers {
		if s := &c.servers[i]; s.proc == msg.From || s.pingTo == msg.From {
			s.lastRecv = c.owner.Now()
		}
	}
	switch msg.Type {
	case MsgPong:
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
	case MsgRefused:
		if msg.Context == 0 { // a refused ping or redial
			for i := range c.servers {
				if s := &c.servers[i]; s.pingOut && s.pingTo == msg.From {
					c.markDown(s)
				}
			}
			return true
		}
	case MsgClientReply, MsgAPIReply:
	default:
		return false
	}
	k := c.find(msg.Context)
	if k < 0 {
		return true // late: the request already ended
	}
	r := &c.reqs[k]
	switch {
	case msg.Type == MsgRefused:
		c.markDown(&c.servers[r.server])
		c.dispatch(k)
	case msg.Err == "":
		c.finish(k, msg, "")
	case r.retry && r.tried < len(c.servers) && c.owner.Now() < r.deadline:
		c.dispatch(k)
	default:
		c.finish(k, msg, msg.Err)
	}
	return true
}

func (c *rpcClient) find(id uint64) int {
	for k := range c.reqs {
		if c.reqs[k].id == id {
			return k
		}
	}
	return -1
}

// onExpire ends every request past its deadline.
func (c *rpcClient) onExpire() {
	now := c.owner.Now()
	for k := 0; k < len(c.reqs); {
		if c.reqs[k].deadline <= now {
			c.finish(k, nil, "context deadline exceeded")
			continue
		}
		k++
	}
	c.armExpire()
}

func (c *rpcClient) armExpire() {
	first := sim.Never
	for k := range c.reqs {
		first = min(first, c.reqs[k].deadline)
	}
	if first == sim.Never {
		c.expire.Stop()
	} else if !c.expire.Pending() || c.expire.st.When() != first {
		c.expire.At(first)
	}
}

// onKeepalive is gRPC's keepalive: a connection silent for keepaliveTime
// gets a ping, and one whose ping goes unanswered for keepaliveTimeout is
// declared dead. Checks run every half of the shorter setting, so a dead
// server is noticed keepaliveTime + keepaliveTimeout (plus at most one
// check interval) after it last answered.
func (c *rpcClient) onKeepalive() {
	now := c.owner.Now()
	clk := &c.owner.Host.Clock
	for i := range c.servers {
		s := &c.servers[i]
		switch {
		case s.pingOut && s.ready && now.Sub(s.pingSent) >= clk.TrueDuration(c.keepaliveTimeout):
			c.markDown(s)
		case s.ready && !s.pingOut && now.Sub(s.lastRecv) >= clk.TrueDuration(c.keepaliveTime):
			c.sendPing(i)
		}
	}
}

// onRedial dials the servers whose backoff is over (a dial that gets no
// answer within the keepalive timeout counts as failed) and re-arms for
// the next.
func (c *rpcClient) onRedial() {
	now := c.owner.Now()
	for i := range c.servers {
		s := &c.servers[i]
		if s.ready {
			continue
		}
		if s.pingOut && now.Sub(s.pingSent) >= c.owner.Host.Clock.TrueDuration(c.keepaliveTimeout) {
			c.markDown(s) // the dial timed out: back off further
			continue
		}
		if !s.pingOut && now >= s.redialAt {
			c.sendPing(i)
			s.redialAt = now.Add(c.owner.Host.Clock.TrueDuration(c.keepaliveTimeout))
		}
	}
	c.armRedial()
}

// armRedial arms the redial timer for the earliest pending dial or dial
// timeout.
func (c *rpcClient) armRedial() {
	next := sim.Never
	for i := range c.servers {
		if s := &c.servers[i]; !s.ready {
			next = min(next, s.redialAt)
		}
	}
	if next == sim.Never {
		c.redial.Stop()
	} else {
		c.redial.At(max(next, c.owner.Now()))
	}
}

func (c *rpcClient) sendPing(i int) {
	s := &c.servers[i]
	s.pingOut, s.pingSent, s.pingTo = true, c.owner.Now(), c.target(i)
	if s.pingTo != nil {
		c.owner.c.net.Send(&Message{Type: MsgPing, From: c.owner, To: s.pingTo})
	}
}

// markDown takes a connection out of rotation until a redial after the
// current backoff.
func (c *rpcClient) markDown(s *server) {
	if !c.grpc() {
		return // HTTP: the next request dials afresh
	}
	s.ready, s.pingOut = false, false
	s.redialAt = c.owner.Now().Add(s.backoff)
	s.backoff = min(time.Duration(float64(s.backoff)*1.6), redialMax)
	c.armRedial()
}
