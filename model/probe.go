package model

import (
	"fmt"
	"time"

	"hasim/sim"
)

// ProbeKind is what a probe asks.
type ProbeKind string

const (
	// ProbeWrite: a put; it needs the leader and a quorum.
	ProbeWrite ProbeKind = "write"
	// ProbeRead: a linearizable range (ReadIndex); it needs a quorum.
	ProbeRead ProbeKind = "read"
	// ProbeSerializableRead: answered from the local member's state.
	ProbeSerializableRead ProbeKind = "serializable-read"
)

// ProbeConfig describes a client that measures availability the way a user
// would: one request every Period, each with its own Timeout, overlapping.
type ProbeConfig struct {
	Name string
	Host string // the client's host
	Kind ProbeKind
	// Period between requests. Default 100ms.
	Period time.Duration
	// Timeout of one request. Default 3s.
	Timeout time.Duration
	// Endpoints are the members the client knows, by name (etcd-1, ...).
	// Default: all.
	Endpoints []string
	// KeepaliveTime is how often the client pings each connection, and
	// KeepaliveTimeout how long it waits for the answer before it declares
	// the connection dead and stops sending requests there. Defaults 2s and
	// 6s, etcdctl's; kube-apiserver's etcd client uses 30s and 10s.
	KeepaliveTime    time.Duration
	KeepaliveTimeout time.Duration
}

// Probe defaults.
const (
	DefaultProbePeriod           = 100 * time.Millisecond
	DefaultProbeTimeout          = 3 * time.Second
	DefaultProbeKeepaliveTime    = 2 * time.Second
	DefaultProbeKeepaliveTimeout = 6 * time.Second
	// gRPC's reconnect backoff: 1s, ×1.6 per failed attempt, at most 120s.
	redialBase = time.Second
	redialMax  = 120 * time.Second
)

// endpoint is the client's connection to one member, as gRPC's subchannel
// sees it: ready, or down until a redial succeeds.
type endpoint struct {
	proc     *Process
	ready    bool
	redialAt sim.Time      // down: next dial attempt
	backoff  time.Duration // down: delay before the attempt after next
	pingOut  bool
	pingSent sim.Time
	dialing  bool // the outstanding ping is a redial
}

// attempt is one probe request in flight.
type attempt struct {
	id       uint64
	sent     sim.Time
	deadline sim.Time
	ep       int // endpoint index
	tried    int // endpoints tried
	done     bool
	ok       bool
	err      string
}

// Probe is a client process that sends requests round-robin over its
// endpoints, like clientv3's balancer: it skips an endpoint that refused a
// connection for a while and tries the next at once; a linearizable read
// that fails is retried on the next endpoint until its timeout, a write is
// not (clientv3 retries only reads). Results are accounted in send order:
// the time from one request to the next counts as available if the first
// succeeded.
type Probe struct {
	Name string
	Proc *Process
	Kind ProbeKind

	c         *Cluster
	cfg       ProbeConfig
	endpoints []endpoint
	rr        int
	inflight  []attempt
	ticker    *Timer
	expire    *Timer
	keepalive *Timer

	// Accounting, in send order.
	started      bool
	lastSent     sim.Time
	lastOK       bool
	up, down     time.Duration
	okN, failN   int
	firstFailErr string
}

func newProbe(c *Cluster, pc ProbeConfig, h *Host) *Probe {
	if pc.Period == 0 {
		pc.Period = DefaultProbePeriod
	}
	if pc.Timeout == 0 {
		pc.Timeout = DefaultProbeTimeout
	}
	if pc.Kind == "" {
		pc.Kind = ProbeWrite
	}
	if pc.KeepaliveTime == 0 {
		pc.KeepaliveTime = DefaultProbeKeepaliveTime
	}
	if pc.KeepaliveTimeout == 0 {
		pc.KeepaliveTimeout = DefaultProbeKeepaliveTimeout
	}
	p := &Probe{Name: pc.Name, Kind: pc.Kind, c: c, cfg: pc}
	p.Proc = c.addProcess(pc.Name, "client", h, p)
	for _, m := range c.Etcd.Members {
		if len(pc.Endpoints) == 0 || containsString(pc.Endpoints, m.Name) {
			p.endpoints = append(p.endpoints, endpoint{proc: m.Proc})
		}
	}
	p.ticker = p.Proc.NewTimer(pc.Name+"/send", p.send)
	p.expire = p.Proc.NewTimer(pc.Name+"/timeout", p.onExpire)
	p.keepalive = p.Proc.NewTimer(pc.Name+"/keepalive", p.onKeepalive)
	return p
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Config is the probe's defaulted configuration.
func (p *Probe) Config() ProbeConfig { return p.cfg }

// Start implements Handler: connections start ready (the cluster is
// assumed reachable at the start).
func (p *Probe) Start() {
	for i := range p.endpoints {
		p.endpoints[i] = endpoint{proc: p.endpoints[i].proc, ready: true, backoff: redialBase}
	}
	p.ticker.StartTicker(p.cfg.Period, p.Proc.Now())
	p.keepalive.StartTicker(p.cfg.KeepaliveTime, p.Proc.Now().Add(p.cfg.KeepaliveTime))
}

// onKeepalive pings ready connections, declares dead those whose ping went
// unanswered for KeepaliveTimeout, and redials those whose backoff is over.
// (Timeouts are checked at keepalive ticks, so detection takes between
// KeepaliveTimeout and KeepaliveTimeout + KeepaliveTime.)
func (p *Probe) onKeepalive() {
	now := p.Proc.Now()
	for i := range p.endpoints {
		e := &p.endpoints[i]
		switch {
		case e.pingOut && now.Sub(e.pingSent) >= p.cfg.KeepaliveTimeout:
			p.markDown(e)
		case !e.ready && !e.pingOut && now >= e.redialAt:
			p.ping(e, true)
		case e.ready && !e.pingOut:
			p.ping(e, false)
		}
	}
}

func (p *Probe) ping(e *endpoint, dial bool) {
	e.pingOut, e.pingSent, e.dialing = true, p.Proc.Now(), dial
	p.c.net.Send(&Message{Type: MsgPing, From: p.Proc, To: e.proc})
}

// markDown takes a connection out of rotation until a redial after the
// current backoff.
func (p *Probe) markDown(e *endpoint) {
	e.ready, e.pingOut = false, false
	e.redialAt = p.Proc.Now().Add(e.backoff)
	e.backoff = min(time.Duration(float64(e.backoff)*1.6), redialMax)
}

func (p *Probe) endpointOf(proc *Process) *endpoint {
	for i := range p.endpoints {
		if p.endpoints[i].proc == proc {
			return &p.endpoints[i]
		}
	}
	return nil
}

// Stop implements Handler.
func (p *Probe) Stop() { p.inflight = p.inflight[:0] }

func (p *Probe) send() {
	now := p.Proc.Now()
	a := attempt{id: p.c.newRequestID(), sent: now, deadline: now.Add(p.cfg.Timeout), ep: -1}
	p.inflight = append(p.inflight, a)
	p.dispatch(&p.inflight[len(p.inflight)-1])
	p.drain()
	if len(p.inflight) > 0 && !p.expire.Pending() {
		p.expire.At(p.inflight[0].deadline)
	}
}

// dispatch sends attempt a to the next usable endpoint, or fails it when
// every endpoint has been tried.
func (p *Probe) dispatch(a *attempt) {
	n := len(p.endpoints)
	for range n {
		if a.tried >= n {
			break
		}
		ep := p.rr % n
		p.rr++
		a.tried++
		if !p.endpoints[ep].ready {
			continue
		}
		a.ep = ep
		msg := Message{From: p.Proc, To: p.endpoints[ep].proc, Context: a.id}
		switch p.Kind {
		case ProbeWrite:
			msg.Type = MsgClientWrite
		case ProbeRead:
			msg.Type, msg.Linearizable = MsgClientRead, true
		default:
			msg.Type = MsgClientRead
		}
		p.c.net.Send(&msg)
		return
	}
	p.complete(a, false, "no endpoint available: every connection is down")
}

// Deliver implements Handler: replies, refusals and pongs.
func (p *Probe) Deliver(msg *Message) {
	e := p.endpointOf(msg.From)
	if e == nil {
		return
	}
	switch {
	case msg.Type == MsgPong:
		e.pingOut, e.ready, e.backoff = false, true, redialBase
		return
	case msg.Type == MsgRefused && msg.Context == 0:
		p.markDown(e) // a refused ping or dial
		return
	}
	a := p.find(msg.Context)
	if a == nil || a.done {
		return
	}
	switch {
	case msg.Type == MsgRefused:
		p.markDown(e)
		p.dispatch(a)
	case msg.Err == "":
		p.complete(a, true, "")
	case p.Kind != ProbeWrite && a.tried < len(p.endpoints):
		p.dispatch(a) // reads are retried on another endpoint
	default:
		p.complete(a, false, msg.Err)
	}
	p.drain()
}

func (p *Probe) find(id uint64) *attempt {
	for i := range p.inflight {
		if p.inflight[i].id == id {
			return &p.inflight[i]
		}
	}
	return nil
}

func (p *Probe) onExpire() {
	now := p.Proc.Now()
	for i := range p.inflight {
		if a := &p.inflight[i]; !a.done && a.deadline <= now {
			p.complete(a, false, "context deadline exceeded")
		}
	}
	p.drain()
	p.armExpire()
}

// armExpire arms the timeout timer for the oldest unfinished attempt.
func (p *Probe) armExpire() {
	for i := range p.inflight {
		if !p.inflight[i].done {
			p.expire.At(p.inflight[i].deadline)
			return
		}
	}
}

// complete settles attempt a; the caller then drains.
func (p *Probe) complete(a *attempt, ok bool, err string) {
	a.done, a.ok, a.err = true, ok, err
	if ok {
		p.c.probeSucceeded(p, a.sent)
	}
}

// drain accounts finished attempts in send order.
func (p *Probe) drain() {
	k := 0
	for k < len(p.inflight) && p.inflight[k].done {
		p.account(&p.inflight[k])
		k++
	}
	if k > 0 {
		p.inflight = append(p.inflight[:0], p.inflight[k:]...)
	}
}

func (p *Probe) account(a *attempt) {
	if !p.c.steady || a.sent < p.c.steadyAt {
		return // bootstrap: not measured
	}
	if a.ok {
		p.okN++
	} else {
		p.failN++
	}
	if p.started {
		d := a.sent.Sub(p.lastSent)
		if p.lastOK {
			p.up += d
		} else {
			p.down += d
		}
	}
	if !p.started || a.ok != p.lastOK {
		switch {
		case a.ok && p.started:
			p.c.Record(Record{T: a.sent, Event: EvProbeUp, Probe: p.Name, Reason: string(p.Kind) + " requests succeed again"})
		case !a.ok:
			p.c.Record(Record{T: a.sent, Event: EvProbeDown, Probe: p.Name,
				Reason: fmt.Sprintf("%s requests fail: %s", p.Kind, a.err)})
		}
	}
	p.started, p.lastSent, p.lastOK = true, a.sent, a.ok
}

// finish closes the accounting at the end of the run.
func (p *Probe) finish() {
	if p.started {
		d := p.c.Sim.Now().Sub(p.lastSent)
		if p.lastOK {
			p.up += d
		} else {
			p.down += d
		}
		p.lastSent = p.c.Sim.Now()
	}
}

// Availability is the fraction of the probed time during which requests
// succeeded.
func (p *Probe) Availability() float64 {
	if p.up+p.down == 0 {
		return 0
	}
	return float64(p.up) / float64(p.up+p.down)
}

// Unavailable is the probed time during which requests failed.
func (p *Probe) Unavailable() time.Duration { return p.down }

// Counts are the successful and failed requests accounted.
func (p *Probe) Counts() (ok, failed int) { return p.okN, p.failN }
