package kube

import (
	"slices"
	"time"

	"hasim/sim"

	"hasim/model/etcd"
	"hasim/model/fabric"
)

// APIServerConfig describes one kube-apiserver. Defaults are upstream's
// (kube-apiserver's flags and its etcd health checks in
// staging/src/k8s.io/apiserver/pkg/storage/storagebackend/factory).
type APIServerConfig struct {
	Host string
	// Etcd names the members it connects to: the local member only in a
	// stacked (kubeadm) topology, every member with external etcd.
	Etcd []string
	// RequestTimeout bounds a request (--request-timeout). Default 60s.
	RequestTimeout time.Duration
	// HealthTimeout bounds the etcd check of /livez and /readyz
	// (--etcd-healthcheck-timeout): a quorum read run by the request that
	// asks, at most once per HealthTimeout/2; a request in between gets the
	// last result at once. Default 2s.
	HealthTimeout time.Duration
	// ReadyTimeout bounds /readyz's second etcd check, etcd-readiness
	// (--etcd-readycheck-timeout), limited alike. /readyz runs its checks
	// one after the other, so with etcd unable to answer it takes
	// HealthTimeout + ReadyTimeout to fail. Default 2s.
	ReadyTimeout time.Duration
	// InitTime is the typical time from the process's start to its
	// storage dialling etcd (flags, certificates, every API group's
	// storage, the OpenAPI spec: CPU work upstream does not bound); each
	// start draws from 0.75 to 1.25 of it. Until then, and until the dial
	// succeeds, connections are refused. Default 2s.
	InitTime time.Duration
	// DialTimeout bounds the storage's blocking etcd dial at start; the
	// process exits when it passes. Default 20s (hard-coded upstream).
	DialTimeout time.Duration
	// BootstrapReads is how many quorum reads one attempt of the
	// rbac/bootstrap-roles post-start hook makes, one after another.
	// Default 130.
	BootstrapReads int
	// LoopbackCost is the apiserver's own work for each of those reads
	// (they go through its full handler chain); the hook's reads are
	// LoopbackCost plus an etcd round trip apart. Default 1ms.
	LoopbackCost time.Duration
	// WatchCacheStaleAfter is how long after its last successful etcd
	// round trip the watch cache stops serving: etcd cuts require-leader
	// watches about 3 election timeouts after losing its leader, and the
	// reflector then fails to re-list. Default 3 × the election timeout +
	// 2s (5s with etcd's defaults); Build sets it.
	WatchCacheStaleAfter time.Duration
	// EtcdKeepaliveTime and EtcdKeepaliveTimeout are the etcd client's
	// keepalive. Defaults 30s and 10s, as kube-apiserver sets them.
	EtcdKeepaliveTime    time.Duration
	EtcdKeepaliveTimeout time.Duration
	// Liveness is the kubelet's liveness probe of /livez (kubeadm's
	// manifest: after 10s, every 10s, 15s timeout, restart after 8
	// failures in a row).
	Liveness LivenessProbe
	// Readiness is the kubelet's readiness probe of /readyz (kubeadm's
	// manifest: every 1s, 15s timeout).
	Readiness ReadinessProbe
}

// ReadinessProbe is the kubelet's readiness probe of a static pod. The
// pod's Ready condition routes nothing for an apiserver (the kubernetes
// Service's endpoints come from the endpoint reconciler), but the probe's
// requests do count: each /readyz runs the etcd checks, whose rate
// limiter (one probe of etcd per half timeout) then answers the other
// callers of /readyz and /livez, a load balancer's health check among
// them, with the last stored result at once.
type ReadinessProbe struct {
	Period, Timeout time.Duration
}

// WithDefaults fills in kubeadm's kube-apiserver readiness probe.
func (r ReadinessProbe) WithDefaults() ReadinessProbe {
	if r.Period == 0 {
		r.Period = DefaultReadinessPeriod
	}
	if r.Timeout == 0 {
		r.Timeout = DefaultReadinessTimeout
	}
	return r
}

// LivenessProbe is a static pod's liveness probe.
type LivenessProbe struct {
	InitialDelay, Period, Timeout time.Duration
	FailureThreshold              int
}

// WithDefaults fills in kubeadm's kube-apiserver probe.
func (l LivenessProbe) WithDefaults() LivenessProbe {
	if l.InitialDelay == 0 {
		l.InitialDelay = DefaultLivenessInitialDelay
	}
	if l.Period == 0 {
		l.Period = DefaultLivenessPeriod
	}
	if l.Timeout == 0 {
		l.Timeout = DefaultLivenessTimeout
	}
	if l.FailureThreshold == 0 {
		l.FailureThreshold = DefaultLivenessFailures
	}
	return l
}

// WatchCacheStaleDefault is the default WatchCacheStaleAfter for an etcd
// election timeout: the require-leader cut (3 election timeouts) plus the
// reflector's failed re-list.
func WatchCacheStaleDefault(electionTimeout time.Duration) time.Duration {
	return 3*electionTimeout + 2*time.Second
}

// APIServer defaults.
const (
	DefaultAPIRequestTimeout    = 60 * time.Second
	DefaultEtcdHealthTimeout    = 2 * time.Second
	DefaultAPIEtcdKeepalive     = 30 * time.Second
	DefaultAPIEtcdKeepaliveWait = 10 * time.Second
)

func (c APIServerConfig) withDefaults() APIServerConfig {
	if c.RequestTimeout == 0 {
		c.RequestTimeout = DefaultAPIRequestTimeout
	}
	if c.HealthTimeout == 0 {
		c.HealthTimeout = DefaultEtcdHealthTimeout
	}
	if c.ReadyTimeout == 0 {
		c.ReadyTimeout = DefaultEtcdReadyTimeout
	}
	if c.InitTime == 0 {
		c.InitTime = DefaultAPIInitTime
	}
	if c.DialTimeout == 0 {
		c.DialTimeout = DefaultAPIDialTimeout
	}
	if c.LoopbackCost == 0 {
		c.LoopbackCost = DefaultLoopbackCost
	}
	if c.BootstrapReads == 0 {
		c.BootstrapReads = DefaultBootstrapReads
	}
	if c.WatchCacheStaleAfter == 0 {
		c.WatchCacheStaleAfter = WatchCacheStaleDefault(etcd.DefaultElectionTimeout)
	}
	c.Liveness = c.Liveness.WithDefaults()
	c.Readiness = c.Readiness.WithDefaults()
	if c.EtcdKeepaliveTime == 0 {
		c.EtcdKeepaliveTime = DefaultAPIEtcdKeepalive
	}
	if c.EtcdKeepaliveTimeout == 0 {
		c.EtcdKeepaliveTimeout = DefaultAPIEtcdKeepaliveWait
	}
	return c
}

// apiPending is an API request waiting for etcd.
type apiPending struct {
	tag    uint64
	client *fabric.Process
	ctx    uint64
}

// APIServer is a kube-apiserver: it starts (apistart.go), turns API
// requests into etcd requests through its etcd client, and answers
// /readyz and /livez with upstream's etcd checks.
type APIServer struct {
	Name string
	Proc *fabric.Process

	w       *fabric.World
	cfg     APIServerConfig
	etcd    *fabric.RPCClient
	health  *fabric.Timer
	pending []apiPending
	nextTag uint64
	// The bodies of the etcd request and of the API reply being sent, and
	// the pools their copies come from.
	etcdReqs etcd.ClientRequests
	reply1   APIMsg
	replies  fabric.Pool[APIMsg]

	// The health monitor: a quorum read every HealthTimeout/2 standing for
	// the watch caches' etcd watches (require-leader), which decides
	// whether the caches serve and whether /readyz would pass now.
	healthTag   uint64 // tag of the monitor's read in flight, 0 if none
	etcdOK      bool   // the monitor's last read passed
	healthy     bool   // ready: /readyz would pass now
	everHealthy bool
	lastEtcdOK  sim.Time

	// Start-up (apistart.go).
	etcdProcs  []*fabric.Process
	phase      apiPhase
	startTimer *fabric.Timer // init's end, then the dial's retries
	dialFrom   time.Duration // monotonic reading when the dial began
	dialWait   time.Duration // the dial's next back-off
	cacheTag   uint64        // the watch caches' LIST in flight, 0 if none
	cacheRetry *fabric.Timer
	synced     bool // the watch caches listed: informers sync
	hooks      []postStartHook
	hooksLeft  int
	checks     [2]etcdCheck // etcd, etcd-readiness
	healthReqs []healthReq

	// Readiness accounting, from the cluster's first commit.
	readySince sim.Time
	ready      fabric.Sum // over eras, past a time.Duration

	svc *Reconciler // the kubernetes Service's endpoint reconciler, if modelled (service.go)
}

// ReadyTime is the measured time during which /readyz passed.
func (a *APIServer) ReadyTime() fabric.Sum { return a.ready }

// skip accounts a skipped span: a ready apiserver stayed ready through it.
func (a *APIServer) skip(d time.Duration) {
	if a.healthy && a.w.Steady() {
		a.ready.Add(d)
	}
}

// account adds the time since the last change to the readiness total.
func (a *APIServer) Account() {
	now := a.Proc.Now()
	if a.healthy && a.w.Steady() {
		a.ready.Add(now.Sub(max(a.readySince, a.w.MeasuredFrom())))
	}
	a.readySince = now
}

func NewAPIServer(c *Plane, cfg APIServerConfig, h *fabric.Host) *APIServer {
	cfg = cfg.withDefaults()
	a := &APIServer{Name: fabric.HostProcessName(RoleAPIServer, h.Name), w: c.World, cfg: cfg}
	a.Proc = c.AddProcess(a.Name, RoleAPIServer, h, a)
	var members []*fabric.Process
	for _, m := range c.Etcd.Members {
		if slices.Contains(cfg.Etcd, m.Name) {
			members = append(members, m.Proc)
		}
	}
	a.etcdProcs = members
	a.etcd = fabric.NewRPCClient(a.Proc, a.Name+"/etcd", members, cfg.EtcdKeepaliveTime, cfg.EtcdKeepaliveTimeout, a.etcdDone)
	a.health = a.Proc.NewTimer(a.Name+"/healthcheck", a.checkHealth)
	a.startTimer = a.Proc.NewTimer(a.Name+"/start", a.onStartTimer)
	a.cacheRetry = a.Proc.NewTimer(a.Name+"/cache-list", a.listCache)
	a.checks = [2]etcdCheck{{name: "etcd", timeout: cfg.HealthTimeout}, {name: "etcd-readiness", timeout: cfg.ReadyTimeout}}
	a.hooks = []postStartHook{{name: "rbac/bootstrap-roles", reads: cfg.BootstrapReads},
		{name: "scheduling/bootstrap-system-priority-classes", reads: systemPriorityClasses}}
	for i := range a.hooks {
		a.hooks[i].timer = a.Proc.NewTimer(a.Name+"/poststarthook-"+a.hooks[i].name, func() { a.onHookTimer(i) })
	}
	c.OnSkip(a.skip)
	c.TrimAtSkip(&a.etcdReqs, &a.replies)
	return a
}

// Config is the apiserver's defaulted configuration.
func (a *APIServer) Config() APIServerConfig { return a.cfg }

// Liveness is the kubelet's liveness probe of this apiserver.
func (a *APIServer) Liveness() *LivenessProbe { return &a.cfg.Liveness }

// Readiness is the kubelet's readiness probe of this apiserver.
func (a *APIServer) Readiness() *ReadinessProbe { return &a.cfg.Readiness }

// Ready reports whether /readyz passes now.
func (a *APIServer) Ready() bool { return a.Proc.Running() && a.healthy }

// Start implements Handler: the apiserver starts (see apistart.go) and is
// not ready until it serves, its post-start hooks finished, its informers
// synced and its etcd health check passes.
func (a *APIServer) Start() {
	a.pending = a.pending[:0]
	a.healthTag, a.etcdOK, a.healthy, a.everHealthy = 0, false, false, false
	a.initStart()
	if a.svc != nil {
		a.svc.start()
	}
}

// Stop implements Handler.
func (a *APIServer) Stop() {
	a.Account()
	if a.healthy {
		a.w.Record(fabric.Record{Event: EvAPIUnready, Proc: a.Name, Host: a.Proc.Host.Name, Reason: "process stopped"})
	}
	a.healthy, a.etcdOK, a.phase = false, false, apiStopped
	a.healthReqs = a.healthReqs[:0]
	if a.svc != nil {
		a.svc.stop()
	}
}

// HealthKey is the key apiservers read for their etcd health check; the
// cluster interns it first, as key 0.
const HealthKey = "/registry/health"

// checkHealth runs the etcd health check (a quorum read of HealthKey) if
// none is in flight: at most one per HealthTimeout/2.
func (a *APIServer) checkHealth() {
	if a.healthTag != 0 {
		return
	}
	a.nextTag++
	a.healthTag = a.nextTag
	a.etcdReqs.Call(a.etcd, a.healthTag, etcd.MsgClientRead, etcd.ClientMsg{Linearizable: true, Op: etcd.Op{Key: 0}}, a.cfg.HealthTimeout, true)
}

// Deliver implements Handler.
func (a *APIServer) Deliver(msg *fabric.Message) {
	switch msg.Type {
	case fabric.MsgPing, MsgAPIRequest:
		if a.phase != apiServing {
			// Not listening yet: the kernel resets the connection.
			a.w.Net.Send(&fabric.Message{Type: fabric.MsgRefused, From: a.Proc, To: msg.From, ReqID: msg.ReqID})
			return
		}
		if msg.Type == fabric.MsgPing {
			a.w.Net.Send(&fabric.Message{Type: fabric.MsgPong, From: a.Proc, To: msg.From, ReqID: msg.ReqID})
			return
		}
		a.handle(msg.From, msg.ReqID, msg.Body.(*APIMsg))
		return
	}
	a.etcd.Deliver(msg)
	if a.svc != nil {
		a.svc.client.Deliver(msg)
	}
}

// errCacheNotReady is the watch cache's answer while it re-lists.
const errCacheNotReady = "429: storage is (re)initializing"

// reply answers API request id: with err, or with what body holds.
func (a *APIServer) reply(to *fabric.Process, id uint64, err string, body *APIMsg) {
	r := fabric.Message{Type: MsgAPIReply, From: a.Proc, To: to, ReqID: id, Err: err}
	if body != nil {
		a.reply1 = *body
		a.reply1.pool = &a.replies
		r.Body = &a.reply1
	}
	a.w.Net.Send(&r)
}

func (a *APIServer) handle(client *fabric.Process, id uint64, req *APIMsg) {
	switch req.Verb {
	case VerbReadyz, VerbLivez:
		a.healthRequest(client, id, req.Verb)
		return
	case VerbGetCached, VerbWatchGet:
		if a.Proc.Now().Sub(a.lastEtcdOK) > a.cfg.WatchCacheStaleAfter || !a.synced || !a.everHealthy {
			a.reply(client, id, errCacheNotReady, nil)
			return
		}
		if req.Verb == VerbGetCached {
			a.reply(client, id, "", &APIMsg{Found: true})
			return
		}
	}
	a.nextTag++
	a.pending = append(a.pending, apiPending{tag: a.nextTag, client: client, ctx: id})
	switch req.Verb {
	case VerbGet:
		a.etcdReqs.Call(a.etcd, a.nextTag, etcd.MsgClientRead, etcd.ClientMsg{Linearizable: true, Op: etcd.Op{Key: req.Op.Key}}, a.cfg.RequestTimeout, true)
	case VerbWatchGet:
		// The watch cache holds what the member has applied: a local read.
		a.etcdReqs.Call(a.etcd, a.nextTag, etcd.MsgClientRead, etcd.ClientMsg{Op: etcd.Op{Key: req.Op.Key}}, a.cfg.RequestTimeout, true)
	default:
		a.etcdReqs.Call(a.etcd, a.nextTag, etcd.MsgClientWrite, etcd.ClientMsg{Op: req.Op}, a.cfg.RequestTimeout, false)
	}
}

// etcdDone answers the API request (or health check) an etcd request was for.
func (a *APIServer) etcdDone(tag uint64, res *fabric.Message, err string) {
	if err == "" || err == etcd.ErrConflict || err == etcd.ErrExists || err == etcd.ErrNotFound {
		a.lastEtcdOK = a.Proc.Now() // etcd answered
	}
	switch {
	case tag == a.healthTag:
		a.healthTag = 0
		a.setEtcdOK(err == "", err)
		return
	case tag == a.cacheTag:
		a.cacheListed(err)
		return
	}
	for i := range a.hooks {
		if h := &a.hooks[i]; h.tag == tag {
			a.hookReadDone(h, err)
			return
		}
	}
	for k := range a.healthReqs {
		if a.healthReqs[k].probe == tag {
			a.probeDone(k, err)
			return
		}
	}
	for i, p := range a.pending {
		if p.tag != tag {
			continue
		}
		a.pending = append(a.pending[:i], a.pending[i+1:]...)
		var r APIMsg
		if res != nil {
			b := etcd.ClientBody(res)
			r.Val, r.Rev, r.Found = b.Val, b.Rev, b.Found
		}
		a.reply(p.client, p.ctx, err, &r)
		return
	}
}

// setEtcdOK records the health monitor's result.
func (a *APIServer) setEtcdOK(ok bool, err string) {
	a.etcdOK = ok
	if ok {
		a.updateReady("etcd health check passes")
		return
	}
	a.updateReady("etcd health check fails: " + err)
}
