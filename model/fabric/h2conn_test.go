package fabric

import (
	"testing"
	"time"

	"hasim/sim"
)

// A request and its reply for these tests.
const (
	testRequest MsgType = 60 | Request
	testReply   MsgType = 61 | Reply
)

// h2Server answers PINGs unless mute, and fails every request unless mute
// (then it answers nothing: a server that is gone).
type h2Server struct {
	p    *Process
	mute bool
}

func (s *h2Server) Start() {}
func (s *h2Server) Stop()  {}
func (s *h2Server) Deliver(m *Message) {
	switch {
	case s.mute:
	case m.Type == MsgPing:
		s.p.w.Net.Send(&Message{Type: MsgPong, From: s.p, To: m.From, ReqID: m.ReqID})
	case m.Type.Is(Request):
		s.p.w.Net.Send(&Message{Type: testReply, From: s.p, To: m.From, ReqID: m.ReqID, Err: "500: failing"})
	}
}

// h2Client sends a request every period with a timeout.
type h2Client struct {
	c            *RPCClient
	tick         *Timer
	n            int
	period       time.Duration
	timeout      time.Duration
	okN, failedN int
	errs         []string
}

func (c *h2Client) Start()             { c.c.Start(); c.tick.StartTicker(c.period, c.period) }
func (c *h2Client) Stop()              {}
func (c *h2Client) Deliver(m *Message) { c.c.Deliver(m) }

// h2World: a client with a long-lived connection (3 streams) to servers on
// h1 and h2; mute1 silences the first. It runs until the horizon.
func h2World(t *testing.T, mute1 bool, period, timeout, horizon time.Duration) (*h2Client, *RPCClient) {
	t.Helper()
	w := NewWorld(1, []string{"a", "b"}, []HostConfig{{Name: "h1", Zone: "a"}, {Name: "h2", Zone: "b"}, {Name: "client", Zone: "a"}}, DefaultNetworkConfig())
	w.Watch = nopWatcher{}
	var servers []*Process
	for i, h := range w.Hosts[:2] {
		s := &h2Server{mute: mute1 && i == 0}
		s.p = w.AddProcess("server-"+h.Name, "test", h, s)
		servers = append(servers, s.p)
	}
	procs := servers
	cl := &h2Client{period: period, timeout: timeout}
	p := w.AddProcess("client", "test", w.Hosts[2], cl)
	cl.c = NewRPCClient(p, "client", servers, 0, 0, func(_ uint64, _ *Message, err string) {
		if err == "" {
			cl.okN++
		} else {
			cl.failedN++
			cl.errs = append(cl.errs, err)
		}
	})
	cl.c.LongLived("client", H2Config{MaxStreams: 3, ReadIdleTimeout: 30 * time.Second, PingTimeout: 15 * time.Second})
	cl.tick = p.NewTimer("client/send", func() {
		cl.n++
		cl.c.Call(uint64(cl.n), Message{Type: testRequest}, cl.timeout, false)
	})
	for _, q := range append(procs, p) {
		q.Enable()
		q.Start()
	}
	w.Sim.Run(sim.Bounds{Until: sim.At(horizon)})
	return cl, cl.c
}

// TestH2StreamsHeldByAGoneServer: requests timed out against a server that
// answers nothing keep their streams (no PING confirms their reset); with
// all 3 taken the next request dials a new connection, to the next server.
func TestH2StreamsHeldByAGoneServer(t *testing.T) {
	cl, c := h2World(t, true, time.Second, 500*time.Millisecond, 3500*time.Millisecond)
	if c.Conns() != 1 || cl.failedN != 3 {
		t.Fatalf("after 3 requests to a mute server: %d connections, %d failed; want 1 and 3", c.Conns(), cl.failedN)
	}
	cl, c = h2World(t, true, time.Second, 500*time.Millisecond, 4500*time.Millisecond)
	if c.Conns() != 2 || c.conn.to.Name != "server-h2" {
		t.Fatalf("the 4th request: %d connections, to %v; want a second one, to server-h2", c.Conns(), c.conn.to.Name)
	}
}

// TestH2StreamsFreedByALiveServer: a server that fails every request but
// answers PINGs confirms the resets, so the client keeps its connection
// however many requests fail.
func TestH2StreamsFreedByALiveServer(t *testing.T) {
	cl, c := h2World(t, false, time.Second, 500*time.Millisecond, 20*time.Second)
	if c.Conns() != 1 || cl.okN != 0 || cl.failedN < 19 {
		t.Fatalf("%d connections, %d ok, %d failed; want 1 connection, every request failed", c.Conns(), cl.okN, cl.failedN)
	}
}

// TestH2HealthCheck: a connection silent for ReadIdleTimeout gets a PING;
// unanswered for PingTimeout it is closed, failing what is in flight, and
// the next request dials afresh.
func TestH2HealthCheck(t *testing.T) {
	// One request a minute, each waiting 50 s: the first goes to the mute
	// server and is failed by the close at 30+15 s after the dial (1 min),
	// before its own deadline; the second dials a new connection.
	// (server-h2 fails the second with its error.)
	cl, c := h2World(t, true, time.Minute, 50*time.Second, 150*time.Second)
	if c.Conns() != 2 || c.conn.to.Name != "server-h2" || len(cl.errs) != 2 || cl.errs[0] != "http2: client connection lost" {
		t.Fatalf("%d connections (now to %s), errors %q; want the first closed by the health check and a second to server-h2", c.Conns(), c.conn.to.Name, cl.errs)
	}
}
