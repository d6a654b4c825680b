package kube

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"hasim/sim"

	"hasim/model/etcd"
	"hasim/model/fabric"
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
	// ProbeCachedRead: an API read served from the apiserver's watch cache
	// (resourceVersion "0"); only with Via.
	ProbeCachedRead ProbeKind = "cached-read"
	// ProbeSchedule: an API client creates a pod and waits for the
	// scheduler leader to bind it; it succeeds if the pod is bound within
	// the timeout. Needs the worker plane and a Ready schedulable node.
	ProbeSchedule ProbeKind = "schedule"
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
	// Via makes it a Kubernetes API client instead of an etcd client: "lb"
	// (the control-plane endpoint), "all" (every apiserver, failing over
	// itself) or "apiserver:HOST". Writes then are API writes (an etcd
	// write behind the apiserver), reads quorum GETs, cached-reads watch
	// cache reads. An API client dials afresh when a connection fails, so
	// the keepalive settings do not apply to it.
	Via string
	// KeepaliveTime is how often the client pings each connection, and
	// KeepaliveTimeout how long it waits for the answer before it declares
	// the connection dead and stops sending requests there. Defaults 2s and
	// 6s, etcdctl's; kube-apiserver's etcd client uses 30s and 10s.
	KeepaliveTime    time.Duration
	KeepaliveTimeout time.Duration
	// Connection (API clients): ConnPerRequest (default) dials a fresh
	// connection for every request; ConnLongLived keeps one HTTP/2
	// connection as client-go does (see fabric.H2Config): through a TCP
	// load balancer it stays on one apiserver for its whole life.
	Connection Connection
}

// Connection is how an API client uses its connections.
type Connection string

const (
	ConnPerRequest Connection = "per-request"
	ConnLongLived  Connection = "long-lived"
)

// Valid reports whether c is a known connection mode ("" is the default).
func (c Connection) Valid() bool { return c == "" || c == ConnPerRequest || c == ConnLongLived }

// client-go's HTTP/2 settings: k8s.io/apimachinery/pkg/util/net's
// readIdleTimeoutSeconds (30) and pingTimeoutSeconds (15), and the
// SETTINGS_MAX_CONCURRENT_STREAMS kube-apiserver announces unless
// --http2-max-streams-per-connection is set: 100
// (k8s.io/apiserver/pkg/server/secure_serving.go).
const (
	DefaultH2ReadIdleTimeout = 30 * time.Second
	DefaultH2PingTimeout     = 15 * time.Second
	DefaultH2MaxStreams      = 100
)

// ClientGoH2 is client-go's long-lived connection to kube-apiserver.
func ClientGoH2() fabric.H2Config {
	return fabric.H2Config{MaxStreams: DefaultH2MaxStreams, ReadIdleTimeout: DefaultH2ReadIdleTimeout, PingTimeout: DefaultH2PingTimeout}
}

// Probe defaults.
const (
	DefaultProbePeriod           = 100 * time.Millisecond
	DefaultProbeTimeout          = 3 * time.Second
	DefaultProbeKeepaliveTime    = etcd.DefaultClientKeepaliveTime
	DefaultProbeKeepaliveTimeout = etcd.DefaultClientKeepaliveTimeout
)

// attempt is one probe request, kept until it is accounted in send order.
type attempt struct {
	tag  uint64
	sent sim.Time
	done bool
	ok   bool
	err  string
	pod  *Pod // a schedule probe's pod, once created
}

// Probe is a client process that sends requests round-robin over its
// endpoints (see rpcClient for the connection behaviour): a linearizable
// read that fails is retried on the next endpoint until its timeout, a
// write is not (clientv3 retries only reads). Results are accounted in
// send order: the time from one request to the next counts as available if
// the first succeeded, except the time during which the probe itself was
// stopped (its host down, its process killed) or frozen: then it could not
// attempt anything, and that time is unmeasured, neither available nor
// unavailable.
type Probe struct {
	Name string
	Proc *fabric.Process
	Kind ProbeKind

	watch    Watcher
	w        *fabric.World
	workers  *WorkerPlane // for a schedule probe's pods
	cfg      ProbeConfig
	client   *fabric.RPCClient
	apiReqs  apiRequests
	etcdReqs etcd.ClientRequests
	ticker   *fabric.Timer
	inflight []attempt // attempts not yet accounted, in send order
	buf      []attempt // the array inflight lies in, from its start
	nextTag  uint64
	key      uint32 // the object an API probe writes and reads

	// Accounting, in send order.
	started    bool
	lastSent   sim.Time
	lastOK     bool
	up         fabric.Sum // over eras, past a time.Duration
	down       time.Duration
	okN, failN int

	// The probe's own outages (stopped or frozen): out is the one under
	// way, since outSince; gaps are the ended ones not yet accounted, in
	// time order. unmeasured is the measured span they covered, lostN the
	// requests they cost: attempts dropped in flight when the probe
	// stopped, and the periods it could not send in.
	out        bool
	outSince   sim.Time
	gaps       []gap
	unmeasured time.Duration
	lostN      int
}

// gap is an ended outage of the probe itself: [from, to).
type gap struct{ from, to sim.Time }

func NewProbe(c *Plane, pc ProbeConfig, h *fabric.Host) *Probe {
	if pc.Period == 0 {
		pc.Period = DefaultProbePeriod
	}
	if pc.Timeout == 0 {
		pc.Timeout = DefaultProbeTimeout
	}
	if pc.Kind == "" {
		pc.Kind = ProbeWrite
	}
	if pc.Via != "" && pc.Connection == "" {
		pc.Connection = ConnPerRequest
	}
	if pc.Via != "" {
		// client-go: HTTP, no subchannels to keep alive.
		pc.KeepaliveTime, pc.KeepaliveTimeout = 0, 0
	} else {
		if pc.KeepaliveTime == 0 {
			pc.KeepaliveTime = DefaultProbeKeepaliveTime
		}
		if pc.KeepaliveTimeout == 0 {
			pc.KeepaliveTimeout = DefaultProbeKeepaliveTimeout
		}
	}
	p := &Probe{Name: pc.Name, Kind: pc.Kind, w: c.World, watch: c.Watch, workers: c.Workers, cfg: pc}
	p.Proc = c.AddProcess(pc.Name, fabric.RoleClient, h, p)
	var servers []*fabric.Process
	var resolve func(int) *fabric.Process
	switch {
	case pc.Via == "":
		for _, m := range c.Etcd.Members {
			if len(pc.Endpoints) == 0 || slices.Contains(pc.Endpoints, m.Name) {
				servers = append(servers, m.Proc)
			}
		}
	case strings.HasPrefix(pc.Via, "apiserver:"):
		for _, a := range c.APIServers {
			if a.Proc.Host.Name == strings.TrimPrefix(pc.Via, "apiserver:") {
				servers = append(servers, a.Proc)
			}
		}
	default:
		servers, resolve = c.apiEndpoints(pc.Via, h)
	}
	p.key = c.Key("/registry/configmaps/default/" + pc.Name)
	p.client = fabric.NewRPCClient(p.Proc, pc.Name, servers, pc.KeepaliveTime, pc.KeepaliveTimeout, p.done)
	p.client.Resolve = resolve
	if pc.Connection == ConnLongLived {
		p.client.LongLived(pc.Name, ClientGoH2())
	}
	p.ticker = p.Proc.NewTimer(pc.Name+"/send", p.send)
	c.OnSkip(p.skip)
	c.TrimAtSkip(&p.apiReqs, &p.etcdReqs)
	return p
}

// Started reports whether the probe has accounted a request.
func (p *Probe) Started() bool { return p.started }

// AccountedSince reports whether the last request the probe accounted was
// sent at t or later, so that its result is what the cluster gave since
// t. Requests are accounted in send order: one sent before t and still in
// flight (to time out, say) holds the later ones back.
func (p *Probe) AccountedSince(t sim.Time) bool { return p.started && p.lastSent >= t }

// LastOK reports whether the last request the probe accounted succeeded:
// what a skip counts its requests as.
func (p *Probe) LastOK() bool { return p.lastOK }

// skip accounts a skipped span: the probe's requests, one per period, all
// ended as the last one accounted did (the span is skipped only if that
// one was sent after the cluster's last change: AccountedSince).
func (p *Probe) skip(d time.Duration) {
	if !p.w.Steady() || !p.started {
		return
	}
	if p.lastOK {
		p.up.Add(d)
		p.okN += int(d / p.cfg.Period)
	} else {
		p.down += d
		p.failN += int(d / p.cfg.Period)
	}
}

// ConnHost is the host that the probe's long-lived connection reaches:
// through a load balancer, the backend its session was sent to. Nil
// when the probe holds no connection, or its session has no backend.
func (p *Probe) ConnHost(lb *LoadBalancer) *fabric.Host { return connHost(p.client, lb) }

// connHost is the host a client's long-lived connection reaches: through
// lb, the backend its session went to; otherwise the server.
func connHost(c *fabric.RPCClient, lb *LoadBalancer) *fabric.Host {
	id, to := c.Conn()
	if to == nil {
		return nil
	}
	if lb != nil {
		for _, x := range lb.Proxies {
			if x.Proc == to {
				return x.sessionHost(id)
			}
		}
	}
	return to.Host
}

// Config is the probe's defaulted configuration.
func (p *Probe) Config() ProbeConfig { return p.cfg }

// Start implements Handler.
func (p *Probe) Start() {
	p.backAgain()
	p.client.Start()
	// Its first request goes out at a random moment of its first period
	// (drawn per incarnation): probes are independent clients, whose
	// loops do not share a phase. Sent in step, several probes would
	// reach a load balancer in the order the engine breaks ties, the same
	// in every run, and a round robin's turn would not be random.
	phase := time.Duration(p.w.Sim.Stream("probe/"+p.Name+"/phase").Float64(p.Proc.Incarnation()) * float64(p.cfg.Period))
	p.ticker.StartTicker(p.cfg.Period, phase)
}

// Stop implements Handler: the process was killed (or its host went
// down). Requests in flight are lost: their answers can no longer reach
// it. Until it starts again, nothing is measured.
func (p *Probe) Stop() {
	for i := range p.inflight {
		if p.measured(p.inflight[i].sent) {
			p.lostN++
		}
	}
	clear(p.inflight)
	p.inflight = p.buf[:0]
	p.outage()
}

// Frozen implements fabric.FreezeWatcher: nothing is measured until the
// process thaws.
func (p *Probe) Frozen() { p.outage() }

// Thawed implements fabric.FreezeWatcher.
func (p *Probe) Thawed() { p.backAgain() }

// outage starts an outage of the probe itself, unless one is under way.
func (p *Probe) outage() {
	if !p.out {
		p.out, p.outSince = true, p.w.Sim.Now()
	}
}

// backAgain ends the probe's outage under way, if any: it goes to gaps
// until the next accounted request covers it.
func (p *Probe) backAgain() {
	if p.out {
		p.out = false
		p.gaps = append(p.gaps, gap{p.outSince, p.w.Sim.Now()})
	}
}

// measured reports whether a request sent at t is in the measurement.
func (p *Probe) measured(t sim.Time) bool { return p.w.Steady() && t >= p.w.MeasuredFrom() }

// Deliver implements Handler.
func (p *Probe) Deliver(msg *fabric.Message) { p.client.Deliver(msg) }

func (p *Probe) send() {
	if p.Kind == ProbeSchedule {
		p.expirePods()
	}
	p.nextTag++
	if n := len(p.inflight); n == cap(p.inflight) && n < cap(p.buf) {
		// Settled attempts left room at the array's start: move down
		// rather than grow (done drops a settled prefix by reslicing).
		copy(p.buf[:n], p.inflight)
		clear(p.buf[n:cap(p.buf)])
		p.inflight = p.buf[:n]
	}
	p.inflight = append(p.inflight, attempt{tag: p.nextTag, sent: p.Proc.Now()})
	if cap(p.inflight) > cap(p.buf) {
		p.buf = p.inflight[:0]
	}
	switch {
	case p.cfg.Via != "":
		switch p.Kind {
		case ProbeWrite, ProbeSchedule:
			p.apiReqs.call(p.client, p.nextTag, VerbWrite, etcd.Op{Kind: etcd.OpPut, Key: p.key}, p.cfg.Timeout, false)
		case ProbeRead:
			p.apiReqs.call(p.client, p.nextTag, VerbGet, etcd.Op{Key: p.key}, p.cfg.Timeout, false)
		default:
			p.apiReqs.call(p.client, p.nextTag, VerbGetCached, etcd.Op{Key: p.key}, p.cfg.Timeout, false)
		}
	case p.Kind == ProbeWrite:
		p.etcdReqs.Call(p.client, p.nextTag, etcd.MsgClientWrite, etcd.ClientMsg{}, p.cfg.Timeout, false)
	case p.Kind == ProbeRead:
		p.etcdReqs.Call(p.client, p.nextTag, etcd.MsgClientRead, etcd.ClientMsg{Linearizable: true}, p.cfg.Timeout, true)
	default:
		p.etcdReqs.Call(p.client, p.nextTag, etcd.MsgClientRead, etcd.ClientMsg{}, p.cfg.Timeout, true)
	}
}

// done settles an attempt and accounts what is settled in send order.
func (p *Probe) done(tag uint64, _ *fabric.Message, err string) {
	if i, ok := p.attempt(tag); ok {
		a := &p.inflight[i]
		if p.Kind == ProbeSchedule && err == "" && a.pod == nil {
			// Created: now the scheduler must bind it.
			a.pod = &Pod{Name: fmt.Sprintf("%s-%d", p.Name, tag), probe: p, probeTag: tag, created: p.Proc.Now()}
			p.workers.podCreated(a.pod)
			return
		}
		a.done, a.ok, a.err = true, err == "", err
		if a.ok {
			p.watch.ProbeSucceeded(p, a.sent)
		}
	}
	k := 0
	for k < len(p.inflight) && p.inflight[k].done {
		p.account(&p.inflight[k])
		k++
	}
	if k > 0 {
		// Drop the settled prefix, moving the rest down only when it is
		// no longer than what was dropped: amortized constant work per
		// attempt. Otherwise the slice moves up its array, and send moves
		// it back down when it reaches the end, so the array is reused.
		rest := len(p.inflight) - k
		if rest <= k {
			copy(p.inflight, p.inflight[k:])
			clear(p.inflight[rest:])
			p.inflight = p.inflight[:rest]
		} else {
			clear(p.inflight[:k])
			p.inflight = p.inflight[k:]
		}
	}
}

// attempt finds the attempt with this tag: inflight is in send order, so
// in tag order.
func (p *Probe) attempt(tag uint64) (int, bool) {
	if len(p.inflight) <= fabric.ShortList {
		for i := range p.inflight {
			if p.inflight[i].tag == tag {
				return i, true
			}
		}
		return 0, false
	}
	return slices.BinarySearchFunc(p.inflight, tag, func(a attempt, t uint64) int { return cmp.Compare(a.tag, t) })
}

// podBound settles the attempt whose pod the scheduler bound.
func (p *Probe) podBound(pod *Pod) {
	if i, ok := p.attempt(pod.probeTag); ok {
		if a := &p.inflight[i]; a.pod == pod && !a.done {
			if p.Proc.Now() > a.sent.Add(p.cfg.Timeout) {
				return // expirePods settles it
			}
			p.done(a.tag, nil, "")
		}
	}
}

// expirePods fails the attempts whose pods were not bound in time; the
// probe deletes such a pod. Attempts are in send order, so the late ones
// are a prefix.
func (p *Probe) expirePods() {
	now := p.Proc.Now()
	var late []uint64
	for i := range p.inflight {
		a := &p.inflight[i]
		if now <= a.sent.Add(p.cfg.Timeout) {
			break
		}
		if a.pod == nil || a.done {
			continue
		}
		a.pod.deleted = true
		p.workers.dropPending(a.pod)
		late = append(late, a.tag)
	}
	for _, tag := range late { // done compacts inflight
		p.done(tag, nil, fmt.Sprintf("pod not scheduled within %v", p.cfg.Timeout))
	}
}

func (p *Probe) account(a *attempt) {
	if !p.measured(a.sent) {
		p.dropGaps(a.sent)
		return // bootstrap: not measured
	}
	if a.ok {
		p.okN++
	} else {
		p.failN++
	}
	if p.started {
		p.span(p.lastSent, a.sent)
	}
	p.dropGaps(a.sent)
	if !p.started || a.ok != p.lastOK {
		switch {
		case a.ok && p.started:
			p.w.Record(fabric.Record{T: a.sent, Event: EvProbeUp, Probe: p.Name, Reason: string(p.Kind) + " requests succeed again"})
		case !a.ok:
			p.w.Record(fabric.Record{T: a.sent, Event: EvProbeDown, Probe: p.Name,
				Reason: fmt.Sprintf("%s requests fail: %s", p.Kind, a.err)})
		}
	}
	p.started, p.lastSent, p.lastOK = true, a.sent, a.ok
}

// span accounts [from, to) by the state of the request sent at from,
// except what the probe's own outages (ended ones in gaps, and the one
// under way) cover: that is unmeasured.
func (p *Probe) span(from, to sim.Time) {
	var off time.Duration
	cover := func(g gap) {
		a, b := max(g.from, from), min(g.to, to)
		if a < b {
			off += b.Sub(a)
			p.lostN += int(b.Sub(a) / p.cfg.Period)
		}
	}
	for _, g := range p.gaps {
		cover(g)
	}
	if p.out {
		cover(gap{p.outSince, to})
	}
	p.unmeasured += off
	if d := to.Sub(from) - off; p.lastOK {
		p.up.Add(d)
	} else {
		p.down += d
	}
}

// dropGaps forgets the ended outages before t: accounted.
func (p *Probe) dropGaps(t sim.Time) {
	k := 0
	for k < len(p.gaps) && p.gaps[k].to <= t {
		k++
	}
	if k > 0 {
		p.gaps = append(p.gaps[:0], p.gaps[k:]...)
	}
}

// finish closes the accounting at the end of the run.
func (p *Probe) Finish() {
	now := p.w.Sim.Now()
	switch {
	case p.started:
		p.span(p.lastSent, now)
		p.dropGaps(now)
		p.lastSent = now
	case p.out && p.w.Steady():
		// Out since before its first measured request settled.
		p.span(max(p.outSince, p.w.MeasuredFrom()), now)
	}
	if p.out {
		p.outSince = now // what is left of it is after the run
	}
}

// Availability is the fraction of the probed time during which requests
// succeeded. Unmeasured time (the probe itself down or frozen) is not in
// it: a client that cannot send measures nothing.
func (p *Probe) Availability() float64 {
	total := p.up
	total.Add(p.down)
	if total == (fabric.Sum{}) {
		return 0
	}
	return p.up.Frac(total)
}

// Unavailable is the probed time during which requests failed.
func (p *Probe) Unavailable() time.Duration { return p.down }

// Counts are the successful and failed requests accounted.
func (p *Probe) Counts() (ok, failed int) { return p.okN, p.failN }

// Unmeasured is the measured span during which the probe itself was down
// (its host or process stopped) or frozen, so that it could attempt
// nothing, and the requests that cost: those lost in flight when it
// stopped and those it could not send, one per period. Neither counts as
// success or failure.
func (p *Probe) Unmeasured() (time.Duration, int) { return p.unmeasured, p.lostN }
