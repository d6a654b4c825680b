package fabric

import "time"

// H2Config makes an HTTP client keep one long-lived HTTP/2 connection and
// multiplex its requests over it, as client-go does: its transport is
// golang.org/x/net/http2's, configured by k8s.io/apimachinery's
// pkg/util/net (SetTransportDefaults → readIdleTimeoutSeconds,
// pingTimeoutSeconds) and k8s.io/client-go/transport (one cached
// transport per configuration, so one connection per endpoint).
//
// The connection goes to one server (or proxy) for its whole life. A new
// one is dialled only when there is none, when it was closed (the server
// reset it, the health check failed), or when it has no stream left: the
// server's SETTINGS_MAX_CONCURRENT_STREAMS counts the requests in flight
// and, in current golang.org/x/net (http2/transport.go: a cancelled
// request's RST_STREAM goes out with a PING, and the stream is counted
// until the PING is answered), the streams reset at their deadline whose
// reset no PING answer has confirmed yet. A server that is gone answers no
// PING, so each timed-out request keeps its slot: after MaxStreams of
// them the next request dials afresh. A server that is alive but failing
// answers the PINGs, frees the slots, and keeps the connection.
type H2Config struct {
	// MaxStreams is the server's SETTINGS_MAX_CONCURRENT_STREAMS.
	MaxStreams int
	// ReadIdleTimeout: with no frame received for this long the transport
	// sends a PING (the HTTP/2 health check); PingTimeout: with no answer
	// within it the connection is closed and its requests fail.
	ReadIdleTimeout, PingTimeout time.Duration
}

// h2Conn is the client's long-lived connection.
type h2Conn struct {
	id       uint64 // 0: none; the next request dials one
	server   int    // index in RPCClient.servers
	to       *Process
	inc      uint64 // to's incarnation: a restarted process reset the connection
	streams  int    // requests in flight on it
	resets   int    // streams reset at their deadline, unconfirmed
	lastRecv time.Duration
	pingOut  bool
	pingID   uint64
	covered  int // resets the outstanding PING confirms
}

// LongLived makes c (an HTTP client: no gRPC keepalive) keep one HTTP/2
// connection as H2Config describes.
func (c *RPCClient) LongLived(name string, cfg H2Config) {
	c.h2 = &cfg
	c.h2timer = c.owner.NewTimer(name+"/http2-health", c.onH2Health)
}

// Conns is how many connections the client has dialled (long-lived only).
func (c *RPCClient) Conns() int { return c.dials }

// connUsable reports whether the current connection can take a request:
// open, a stream free, and still reaching what it was dialled to (a
// virtual IP that moved answers the old connection with a reset).
func (c *RPCClient) connUsable() bool {
	cn := &c.conn
	if cn.id == 0 || cn.streams+cn.resets >= c.h2.MaxStreams || (cn.to != nil && cn.to.incarnation != cn.inc) {
		return false
	}
	return c.Resolve == nil || c.target(cn.server) == cn.to
}

// Conn is the long-lived connection the client holds: its id (0 if
// none) and the process it is open to (a load balancer, or a server).
func (c *RPCClient) Conn() (uint64, *Process) {
	if c.h2 == nil || c.conn.id == 0 {
		return 0, nil
	}
	return c.conn.id, c.conn.to
}

// dispatchH2 sends request k on the connection, dialling one first if
// needed (round-robin over the servers, each dial counting as a try).
func (c *RPCClient) dispatchH2(k int) {
	r := &c.reqs[k]
	if !c.connUsable() {
		n := len(c.servers)
		if r.tried >= n {
			c.finish(k, nil, "no server available: every connection was refused")
			return
		}
		s := c.rr % n
		c.rr++
		c.dials++
		now := c.owner.Mono()
		c.conn = h2Conn{id: c.owner.w.NewRequestID(), server: s, to: c.target(s), lastRecv: now}
		if c.conn.to != nil {
			c.conn.inc = c.conn.to.incarnation
		}
		c.h2timer.AtMono(now + c.h2.ReadIdleTimeout)
	}
	r.tried++
	r.server, r.conn = c.conn.server, c.conn.id
	m := r.msg
	m.From, m.To, m.ReqID, m.Conn = c.owner, c.conn.to, r.id, c.conn.id
	if m.To == nil {
		return // nothing answers (a VIP without holder): the deadline ends it
	}
	if c.apiFault(k, &m) {
		return
	}
	r.onStream = true
	c.conn.streams++
	c.owner.w.Net.Send(&m)
}

// streamDone ends request r's stream; reset: at its deadline (RST_STREAM),
// so it keeps its slot until a PING answer confirms the reset.
func (c *RPCClient) streamDone(r *rpcReq, reset bool) {
	if !r.onStream {
		return
	}
	r.onStream = false
	if r.conn != c.conn.id {
		return // an older connection's
	}
	c.conn.streams--
	if reset {
		c.conn.resets++
		if !c.conn.pingOut {
			c.sendH2Ping()
		}
	}
}

func (c *RPCClient) sendH2Ping() {
	cn := &c.conn
	cn.pingOut, cn.pingID, cn.covered = true, c.owner.w.NewRequestID(), cn.resets
	if cn.to != nil {
		c.owner.w.Net.Send(&Message{Type: MsgPing, From: c.owner, To: cn.to, ReqID: cn.pingID, Conn: cn.id})
	}
}

// deliverH2 takes the connection's PING answers and notes every frame
// received on it; it reports whether msg was a PING answer.
func (c *RPCClient) deliverH2(msg *Message) bool {
	cn := &c.conn
	if cn.id == 0 {
		return msg.Type == MsgPong
	}
	if msg.Type == MsgPong {
		if !cn.pingOut || msg.ReqID != cn.pingID {
			return true // an older PING's
		}
		cn.lastRecv = c.owner.Mono()
		cn.pingOut = false
		cn.resets -= cn.covered
		if cn.resets > 0 {
			c.sendH2Ping()
		}
		return true
	}
	if k := c.find(msg.ReqID); k >= 0 && c.reqs[k].conn == cn.id {
		cn.lastRecv = c.owner.Mono()
	}
	return false
}

// onH2Health is the HTTP/2 health check: a PING after ReadIdleTimeout
// without a frame, the connection closed PingTimeout later if still
// nothing came.
func (c *RPCClient) onH2Health() {
	cn := &c.conn
	if cn.id == 0 {
		return
	}
	now := c.owner.Mono()
	idle := now - cn.lastRecv
	switch {
	case idle >= c.h2.ReadIdleTimeout+c.h2.PingTimeout:
		c.closeConn("http2: client connection lost")
	case idle >= c.h2.ReadIdleTimeout:
		if !cn.pingOut {
			c.sendH2Ping()
		}
		c.h2timer.AtMono(cn.lastRecv + c.h2.ReadIdleTimeout + c.h2.PingTimeout)
	default:
		c.h2timer.AtMono(cn.lastRecv + c.h2.ReadIdleTimeout)
	}
}

// CloseConns closes the long-lived connection, if there is one, as a
// client's transport does when its owner closes every connection it
// dialled (the kubelet's closeAllConns): its requests in flight fail with
// err, and the next request dials afresh.
func (c *RPCClient) CloseConns(err string) {
	if c.h2 != nil && c.conn.id != 0 {
		c.closeConn(err)
	}
}

// closeConn closes the connection: its requests in flight fail with err
// (the owner may send new ones meanwhile, so they are collected first).
func (c *RPCClient) closeConn(err string) {
	id := c.conn.id
	c.conn = h2Conn{}
	c.h2timer.Stop()
	var ids []uint64
	for k := c.head; k < len(c.reqs); k++ {
		if r := &c.reqs[k]; !r.ended && r.onStream && r.conn == id {
			ids = append(ids, r.id)
		}
	}
	for _, rid := range ids {
		if k := c.find(rid); k >= 0 {
			c.reqs[k].onStream = false
			c.finish(k, nil, err)
		}
	}
}
