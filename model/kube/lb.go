package kube

import (
	"cmp"
	"fmt"
	"hasim/sim"
	"slices"
	"time"

	"hasim/model/fabric"
)

// LBKind is how clients reach the apiservers.
type LBKind string

const (
	// LBHAProxy: an HAProxy-like proxy on each load-balancer host with
	// active health checks; with one host it is a single point of failure.
	LBHAProxy LBKind = "haproxy"
	// LBKeepalived: HAProxy on two or more hosts and a VRRP virtual IP that
	// moves to a backup when the master's adverts stop.
	LBKeepalived LBKind = "keepalived"
	// LBKubeVIP: a virtual IP held by the leader of a lease among the
	// control-plane hosts, pointing at that host's apiserver.
	LBKubeVIP LBKind = "kube-vip"
	// LBNginx: nginx's stream (TCP) proxy, open-source build, on one host:
	// no active health checks; a server is skipped for FailTimeout after
	// MaxFails failed connection attempts, and a failed connect moves on
	// to the next server (ngx_stream_upstream_module,
	// ngx_stream_proxy_module).
	LBNginx LBKind = "nginx"
	// LBCloud: a cloud provider's managed network load balancer in TCP
	// pass-through (layer 4) mode: AWS Network Load Balancer, Azure
	// (Standard) Load Balancer or Google Cloud's external passthrough
	// Network Load Balancer, by LoadBalancerConfig.Provider. Health checks
	// come from the provider's fleet; a connection goes to one target for
	// its life. The load balancer itself does not fail: it is a managed,
	// zone-redundant service, so it runs on a host of its own outside
	// every zone (CloudLBHost) that no fault or failure process reaches;
	// a zone outage takes down only its targets.
	LBCloud LBKind = "cloud"
	// LBNone: clients hold the list of apiservers and fail over themselves.
	LBNone LBKind = "none"
)

// CloudLBHost is the host of a cloud load balancer's process: outside
// every zone, not listed among the scenario's hosts, never failed.
const CloudLBHost = "cloud-lb"

// Cloud providers (LoadBalancerConfig.Provider).
const (
	ProviderAWS   = "aws"
	ProviderAzure = "azure"
	ProviderGCP   = "gcp"
)

// Providers lists the cloud load balancers' providers.
func Providers() []string { return []string{ProviderAWS, ProviderAzure, ProviderGCP} }

// What a cloud load balancer does with the established connections to a
// target that turns unhealthy (LoadBalancerConfig.UnhealthyConnections).
const (
	// UnhealthyKeep: they go on to the target (Azure Load Balancer; Google
	// Cloud's connectionPersistenceOnUnhealthyBackends DEFAULT_FOR_PROTOCOL
	// for TCP with per-connection tracking).
	UnhealthyKeep = "keep"
	// UnhealthyClose: after UnhealthyDraining, a packet the client sends
	// on one is answered with a TCP reset (AWS NLB's
	// target_health_state.unhealthy.connection_termination.enabled, on by
	// default), unless the load balancer fails open.
	UnhealthyClose = "close"
)

// CloudDialTimeout is how long a client's connect through a pass-through
// load balancer to a target that does not answer waits: client-go's
// dialer timeout (k8s.io/client-go/transport/cache.go, 30 s). No proxy
// answers in its place.
const CloudDialTimeout = 30 * time.Second

// CloudPreset is a provider's defaults for a TCP listener in front of
// port 6443, with the check given (tcp, or http: GET /readyz), each from
// the provider's documentation:
//
//   - aws, AWS Network Load Balancer (Elastic Load Balancing, "Health
//     checks for Network Load Balancer target groups" and the
//     CreateTargetGroup and TargetGroupAttribute API references): TCP
//     check by default; HealthCheckIntervalSeconds 30; timeout 10 s for a
//     TCP check, 6 s for HTTP; HealthyThresholdCount 5,
//     UnhealthyThresholdCount 2; an unhealthy target's connections are
//     reset (target_health_state.unhealthy.connection_termination.enabled
//     true, draining_interval_seconds 0); with every target unhealthy the
//     load balancer fails open to all of them; TCP idle timeout 350 s.
//   - azure, Azure Standard Load Balancer ("Azure Load Balancer health
//     probes", the Probe resource of the Network REST API): interval 5 s
//     (the portal's; the API's default is 15 s); probeThreshold 1, the
//     consecutive failures or successes that take a backend out of
//     rotation or back (numberOfProbes is no longer honoured); a probe
//     not answered within the interval fails; established TCP flows
//     continue to a backend probed down, and with every probe down
//     (noHealthyBackendsBehavior AllProbedDown) no new flow is sent; idle
//     timeout 4 minutes.
//   - gcp, Google Cloud external passthrough Network Load Balancer
//     ("Health checks overview", BackendService connectionTrackingPolicy):
//     checkIntervalSec 5, timeoutSec 5, healthyThreshold 2,
//     unhealthyThreshold 2; connections persist on unhealthy backends
//     (DEFAULT_FOR_PROTOCOL, TCP, per-connection tracking); with every
//     backend unhealthy new connections go to all of them; connection
//     tracking idle timeout 600 s.
func CloudPreset(provider, check string) LoadBalancerConfig {
	c := LoadBalancerConfig{Kind: LBCloud, Provider: provider, Check: check}
	if c.Check == "" {
		c.Check = "tcp"
	}
	yes, no := true, false
	switch provider {
	case ProviderAzure:
		c.Inter, c.TimeoutCheck, c.Rise, c.Fall = 5*time.Second, 5*time.Second, 1, 1
		c.UnhealthyConnections, c.FailOpen, c.IdleTimeout = UnhealthyKeep, &no, 4*time.Minute
	case ProviderGCP:
		c.Inter, c.TimeoutCheck, c.Rise, c.Fall = 5*time.Second, 5*time.Second, 2, 2
		c.UnhealthyConnections, c.FailOpen, c.IdleTimeout = UnhealthyKeep, &yes, 600*time.Second
	default: // aws; an unknown provider (refused by validation) too
		if provider == "" {
			c.Provider = ProviderAWS
		}
		c.Inter, c.TimeoutCheck, c.Rise, c.Fall = 30*time.Second, 10*time.Second, 5, 2
		if c.Check == "http" {
			c.TimeoutCheck = 6 * time.Second
		}
		c.UnhealthyConnections, c.FailOpen, c.IdleTimeout = UnhealthyClose, &yes, 350*time.Second
	}
	return c
}

// Valid reports whether k is a known kind.
func (k LBKind) Valid() bool {
	switch k {
	case LBHAProxy, LBKeepalived, LBKubeVIP, LBNginx, LBCloud, LBNone:
		return true
	}
	return false
}

// LoadBalancerConfig describes the control-plane endpoint. Defaults follow
// HAProxy's and keepalived's documentation and the kubeadm HA guide
// (kubernetes/kubeadm docs/ha-considerations.md).
type LoadBalancerConfig struct {
	Kind LBKind
	// Hosts run the proxy (haproxy, keepalived). For keepalived the first
	// has the highest priority.
	Hosts []string
	// Check is the health check: "http" (GET /readyz; default) or "tcp".
	Check string
	// Inter, Fall and Rise: HAProxy's check interval and thresholds.
	// Defaults 2s, 3 and 2.
	Inter      time.Duration
	Fall, Rise int
	// TimeoutCheck is HAProxy's "timeout check": the read timeout of a
	// check whose connection was accepted. 0 means Inter. The connect
	// timeout of a check is min(5s, Inter).
	TimeoutCheck time.Duration
	// ServerTimeout is "timeout server": a forwarded request without an
	// answer fails after it. Default 20s.
	ServerTimeout time.Duration
	// ConnectTimeout is "timeout connect": a connection to a backend (or
	// a check's, capped at Inter) that is not accepted fails after it.
	// Default 5s; nginx's proxy_connect_timeout, default 60s.
	ConnectTimeout time.Duration
	// ClientTimeout is "timeout client": a long-lived client connection
	// (TCP mode) on which the client sent nothing for this long is
	// closed, as one whose backend sent nothing for ServerTimeout is.
	// Default 20s (the kubeadm guide's haproxy.cfg).
	ClientTimeout time.Duration
	// ShutdownSessions is "option ... on-marked-down shutdown-sessions"
	// on the servers: when a backend is marked DOWN its established
	// long-lived connections are closed, so their clients dial afresh and
	// reach a backend that is up. Off by default, as in HAProxy and the
	// kubeadm guide: established connections stay on a DOWN backend.
	ShutdownSessions bool
	// Backup are masters (host names) whose apiservers are backup servers
	// ("server ... backup"; the kubeadm guide's backend has none). HAProxy
	// sends new connections to a backup only while no other server is UP,
	// and then to the first UP backup in the masters' order, or to every
	// UP backup in turn with AllBackups ("option allbackups"). nginx
	// ("server ... backup;" in an upstream) tries its backups in turn
	// when no primary server is available or left to try. Health checks
	// run on backups as on the others.
	Backup     []string
	AllBackups bool
	// ShutdownBackupSessions is "on-marked-up shutdown-backup-sessions"
	// on the servers: when a server that is not a backup is marked UP, the
	// established long-lived connections to every backup server are
	// closed, so their clients dial afresh and reach the primaries. Off by
	// default, as in HAProxy.
	ShutdownBackupSessions bool
	// AdvertInterval (keepalived): VRRP advert interval. Default 1s.
	AdvertInterval time.Duration
	// Priorities (keepalived): each host's VRRP priority, in Hosts order.
	// Default 101, 100, 99, ... (the kubeadm guide: 101 on the master,
	// 100 on the backup).
	Priorities []int
	// Script (keepalived) is the vrrp_script checking the local proxy.
	Script VRRPScript
	// nginx: MaxFails failed connection attempts within FailTimeout make
	// a server unavailable for FailTimeout (max_fails=1, fail_timeout=10s
	// by default); ProxyTimeout closes a connection on which neither side
	// sent anything for that long (proxy_timeout, 10m); a failed connect
	// goes on to the next server (proxy_next_upstream on) at most
	// NextUpstreamTries times in all and within NextUpstreamTimeout of the
	// first attempt (0: no limit, nginx's defaults).
	MaxFails            int
	FailTimeout         time.Duration
	ProxyTimeout        time.Duration
	NextUpstreamTries   int
	NextUpstreamTimeout time.Duration
	// Cloud load balancer (LBCloud): Provider picks the preset
	// (CloudPreset: aws, the default, azure or gcp) that fills every field
	// left unset. Inter, TimeoutCheck, Rise and Fall are the health
	// check's interval (from one check's start to the next's), timeout,
	// healthy and unhealthy thresholds (consecutive checks).
	// UnhealthyConnections (keep or close) is what becomes of the
	// established connections to a target marked unhealthy, closed only
	// after UnhealthyDraining; FailOpen sends new connections to every
	// target while none is healthy (else none is made); IdleTimeout ends
	// a connection that carried nothing either way for that long.
	Provider             string
	UnhealthyConnections string
	UnhealthyDraining    time.Duration
	FailOpen             *bool
	IdleTimeout          time.Duration
	// LE (kube-vip): the lease timing. Default 15s/10s/2s (kube-vip ≥ 1.1;
	// older releases and the kubeadm guide used 5s/3s/1s).
	LE LeaderElectionConfig
}

// Load-balancer defaults.
const (
	DefaultLBInter          = 2 * time.Second
	DefaultLBFall           = 3
	DefaultLBRise           = 2
	DefaultLBServerTimeout  = 20 * time.Second
	DefaultLBConnectTimeout = 5 * time.Second
	DefaultLBClientTimeout  = 20 * time.Second

	// nginx's defaults (ngx_stream_upstream_module's server parameters,
	// ngx_stream_proxy_module's directives).
	DefaultNginxMaxFails       = 1
	DefaultNginxFailTimeout    = 10 * time.Second
	DefaultNginxConnectTimeout = 60 * time.Second
	DefaultNginxProxyTimeout   = 10 * time.Minute
	DefaultAdvertInterval      = time.Second
)

// VRRPScript is keepalived's vrrp_script on the local proxy: run every
// Interval; after Fall failures in a row the priority changes by Weight,
// after Rise successes it is restored. Defaults are the kubeadm HA guide's
// (3s, 10, 2, -2); keepalived's own are 1s, 1, 1 and 0.
type VRRPScript struct {
	Interval   time.Duration
	Fall, Rise int
	Weight     *int
}

// The kubeadm HA guide's check_apiserver script.
const (
	DefaultScriptInterval = 3 * time.Second
	DefaultScriptFall     = 10
	DefaultScriptRise     = 2
	DefaultScriptWeight   = -2
)

// WithDefaults fills in the kubeadm guide's script.
func (s VRRPScript) WithDefaults() VRRPScript {
	if s.Interval == 0 {
		s.Interval = DefaultScriptInterval
	}
	if s.Fall == 0 {
		s.Fall = DefaultScriptFall
	}
	if s.Rise == 0 {
		s.Rise = DefaultScriptRise
	}
	if s.Weight == nil {
		w := DefaultScriptWeight
		s.Weight = &w
	}
	return s
}

func (c LoadBalancerConfig) WithDefaults() LoadBalancerConfig {
	if c.Kind == "" {
		c.Kind = LBHAProxy
	}
	if c.Kind == LBCloud {
		p := CloudPreset(c.Provider, c.Check)
		c.Provider, c.Check = p.Provider, p.Check
		if c.Inter == 0 {
			c.Inter = p.Inter
		}
		if c.TimeoutCheck == 0 {
			c.TimeoutCheck = min(p.TimeoutCheck, c.Inter)
		}
		if c.Rise == 0 {
			c.Rise = p.Rise
		}
		if c.Fall == 0 {
			c.Fall = p.Fall
		}
		if c.UnhealthyConnections == "" {
			c.UnhealthyConnections = p.UnhealthyConnections
		}
		if c.FailOpen == nil {
			c.FailOpen = p.FailOpen
		}
		if c.IdleTimeout == 0 {
			c.IdleTimeout = p.IdleTimeout
		}
		// No proxy: the connection's only idle cut is the flow's, and a
		// connect that is not answered waits for the client's dialer.
		c.ServerTimeout, c.ClientTimeout, c.ConnectTimeout = c.IdleTimeout, c.IdleTimeout, CloudDialTimeout
	}
	if c.Check == "" {
		c.Check = "http"
	}
	if c.Inter == 0 {
		c.Inter = DefaultLBInter
	}
	if c.Fall == 0 {
		c.Fall = DefaultLBFall
	}
	if c.Rise == 0 {
		c.Rise = DefaultLBRise
	}
	if c.Kind == LBNginx {
		if c.MaxFails == 0 {
			c.MaxFails = DefaultNginxMaxFails
		}
		if c.FailTimeout == 0 {
			c.FailTimeout = DefaultNginxFailTimeout
		}
		if c.ProxyTimeout == 0 {
			c.ProxyTimeout = DefaultNginxProxyTimeout
		}
		if c.ConnectTimeout == 0 {
			c.ConnectTimeout = DefaultNginxConnectTimeout
		}
		// proxy_timeout is the only idle timeout, both ways.
		c.ServerTimeout, c.ClientTimeout = c.ProxyTimeout, c.ProxyTimeout
	}
	if c.ServerTimeout == 0 {
		c.ServerTimeout = DefaultLBServerTimeout
	}
	if c.ConnectTimeout == 0 {
		c.ConnectTimeout = DefaultLBConnectTimeout
	}
	if c.ClientTimeout == 0 {
		c.ClientTimeout = DefaultLBClientTimeout
	}
	if len(c.Priorities) == 0 {
		for i := range c.Hosts {
			c.Priorities = append(c.Priorities, 101-i)
		}
	}
	c.Script = c.Script.WithDefaults()
	if c.AdvertInterval == 0 {
		c.AdvertInterval = DefaultAdvertInterval
	}
	c.LE = c.LE.WithDefaults()
	return c
}

// BackupProblems reports what is wrong with c's backup servers, given the
// hosts that run an apiserver and how many do: a kind without backups, a
// backup that is no apiserver's host or is listed twice, every server a
// backup.
func (c LoadBalancerConfig) BackupProblems(apiHosts map[string]bool, apiservers int) []string {
	if len(c.Backup) == 0 {
		return nil
	}
	var bad []string
	if k := c.Kind; k != LBHAProxy && k != LBKeepalived && k != LBNginx {
		bad = append(bad, fmt.Sprintf("backup servers need a proxy (haproxy, keepalived or nginx), not %s", k))
	}
	n := 0 // apiservers that are backups
	for i, h := range c.Backup {
		switch {
		case !apiHosts[h]:
			bad = append(bad, fmt.Sprintf("backup server %q runs no apiserver", h))
		case slices.Index(c.Backup, h) < i:
			bad = append(bad, fmt.Sprintf("backup server %q is listed twice", h))
		default:
			n++
		}
	}
	if n >= apiservers {
		bad = append(bad, "every server is a backup: at least one must not be")
	}
	return bad
}

// backend is the proxy's view of one apiserver.
type backend struct {
	api      *APIServer
	up       bool
	okRun    int // consecutive successful checks
	failRun  int // consecutive failed checks
	checking bool
	checkTag uint64
	timer    *fabric.Timer // next check, or the running check's timeout
	downs    uint64        // times marked DOWN: a session opened before the last is shut with shutdown-sessions
	backup   bool          // a backup server: new connections only while no other server is UP
	opened   uint64        // connections sent to it, redispatches included (HAProxy's stot)
	// A cloud load balancer's: when the next check starts (checks start
	// every interval, whatever the last one took) and when the target
	// was last marked unhealthy (its connections' draining began).
	nextCheck, downAt time.Duration
	// nginx's peer state (ngx_stream_upstream_round_robin.c): failed
	// connects counted since checked, when the last failed (accessed)
	// and when the failure window began (checked), on the proxy's clock.
	fails             int
	accessed, checked time.Duration
}

// session is a client's long-lived connection through the proxy (TCP
// mode): HAProxy opened its own connection to one backend when the client
// connected and forwards everything on it there, whether or not the
// backend is up, until one side closes or stays silent past its timeout.
// Closes are applied when the connection next carries something from the
// client: it then opens afresh, as the client's transport would after
// HAProxy's close.
type session struct {
	backend                int
	epoch                  uint64        // the backend's downs when opened
	ups                    uint64        // the proxy's primaryUps when opened: a backup's session opened before the last is shut with shutdown-backup-sessions
	inc                    uint64        // the backend process's incarnation: a restarted one reset the connection
	connected              bool          // the backend accepted and answered
	connectBy              time.Duration // the connect to backend is unanswered: it times out then
	lastClient, lastServer time.Duration
}

// forward is a request the proxy forwarded and waits to answer.
type forward struct {
	id       uint64 // id towards the backend
	client   *fabric.Process
	ctx      uint64         // the client's request id
	msg      fabric.Message // the request, with a copy of its body, until answered
	backend  int
	retried  bool
	deadline time.Duration // "timeout server", on the proxy host's monotonic clock
	// connectBy: the backend did not accept the connection (host down or
	// unreachable); at this time the connect times out and HAProxy
	// redispatches once. Zero once connected.
	connectBy time.Duration
	done      bool   // answered: a hole in Proxy.fwd
	key       uint64 // the id it was first sent with: Proxy.fwd's order
	conn      uint64 // the client's long-lived connection, or 0
	// nginx: the servers tried (bit i: backend i), how many tries, and
	// when the first began.
	tried uint64
	tries int
	since time.Duration
}

// Proxy is an HAProxy-like TCP/HTTP proxy in front of the apiservers.
type Proxy struct {
	Name string
	Proc *fabric.Process

	w        *fabric.World
	cfg      LoadBalancerConfig
	backends []*backend
	rr       int
	// A cloud load balancer's flow hash: each new connection goes to a
	// healthy target drawn at random (flows is the draw's key).
	hash  sim.Stream
	flows uint64
	// fwd are the requests forwarded and not yet answered, in arrival
	// order; an answered one is a hole until the next sweep compacts the
	// list. Each keeps the id it was first sent with as its key, so fwd
	// is sorted by key and an answer finds its request by binary search,
	// with no scan of thousands of clients' requests; the few redispatched
	// under a new id are found through retriedAt.
	readyz    APIMsg // the body of the /readyz check being sent
	readyzs   fabric.Pool[APIMsg]
	fwd       []forward
	retriedAt map[uint64]int
	sweep     *fabric.Timer
	// sessions are the long-lived connections by the client's number;
	// order lists them as opened, for forgetting the closed ones.
	sessions map[uint64]*session
	order    []uint64
	sweeps   int
	// hasBackup: some backend is a backup server. primaryUps counts the
	// times a server that is not a backup was marked UP with
	// ShutdownBackupSessions: the backup servers' sessions opened before
	// the last are closed.
	hasBackup  bool
	primaryUps uint64
}

func newProxy(c *Plane, cfg LoadBalancerConfig, h *fabric.Host) *Proxy {
	x := &Proxy{Name: "haproxy-" + h.Name, w: c.World, cfg: cfg}
	c.TrimAtSkip(&x.readyzs)
	switch cfg.Kind {
	case LBNginx:
		x.Name = "nginx-" + h.Name
	case LBCloud:
		x.Name = CloudLBName(cfg.Provider)
	}
	x.Proc = c.AddProcess(x.Name, RoleLoadBalancer, h, x)
	for _, a := range c.APIServers {
		b := &backend{api: a, backup: slices.Contains(cfg.Backup, a.Proc.Host.Name)}
		x.hasBackup = x.hasBackup || b.backup
		b.timer = x.Proc.NewTimer(x.Name+"/check-"+a.Proc.Host.Name, func() { x.onCheckTimer(b) })
		x.backends = append(x.backends, b)
	}
	x.sweep = x.Proc.NewTimer(x.Name+"/timeout-server", x.onSweep)
	if n := len(x.backends); n > 1 {
		x.rr = c.Sim.Stream(x.Name+"/roundrobin").IntN(0, n)
	}
	x.hash = c.Sim.Stream(x.Name + "/flowhash")
	return x
}

// CloudLBName is the name of a provider's load balancer process.
func CloudLBName(provider string) string {
	switch provider {
	case ProviderAzure:
		return "azure-lb"
	case ProviderGCP:
		return "gcp-nlb"
	}
	return "aws-nlb"
}

// cloud reports whether x is a cloud provider's pass-through load
// balancer.
func (x *Proxy) cloud() bool { return x.cfg.Kind == LBCloud }

// failingOpen reports whether a cloud load balancer sends connections to
// every target because none is healthy.
func (x *Proxy) failingOpen() bool {
	return x.cloud() && *x.cfg.FailOpen && x.Up() == 0
}

// Start implements Handler: backends start up, as after a reload with
// servers assumed healthy; checks begin at once, spread over one interval.
func (x *Proxy) Start() {
	x.dropForwards()
	st := x.w.Sim.Stream(x.Name + "/spread")
	for i, b := range x.backends {
		b.up, b.okRun, b.failRun, b.checking = true, 0, 0, false
		b.fails, b.accessed, b.checked = 0, 0, 0
		if x.cfg.Kind == LBNginx {
			continue // no active checks in open-source nginx
		}
		b.timer.After(time.Duration(st.Float64(x.Proc.Incarnation()<<8|uint64(i)) * float64(x.cfg.Inter)))
	}
	x.sweep.StartTicker(time.Second, time.Second)
}

// Stop implements Handler.
func (x *Proxy) Stop() { x.dropForwards() }

// Sessions is how many long-lived connections the proxy holds open.
func (x *Proxy) Sessions() int { return len(x.sessions) }

// dropForwards forgets every forwarded request.
func (x *Proxy) dropForwards() {
	for i := range x.fwd {
		if b := x.fwd[i].msg.Body; b != nil {
			b.Free()
		}
	}
	clear(x.fwd)
	x.fwd = x.fwd[:0]
	clear(x.retriedAt)
	clear(x.sessions)
	x.order = x.order[:0]
}

// track files the request at slot i, redispatched, under its new id
// instead of old.
func (x *Proxy) track(i int, old uint64) {
	delete(x.retriedAt, old)
	if x.retriedAt == nil {
		x.retriedAt = map[uint64]int{}
	}
	x.retriedAt[x.fwd[i].id] = i
}

// find is the slot of the waiting request sent to a backend with id, or
// -1.
func (x *Proxy) find(id uint64) int {
	i, ok := 0, false
	if len(x.fwd) <= fabric.ShortList {
		for i = range x.fwd {
			if ok = x.fwd[i].key == id; ok {
				break
			}
		}
	} else {
		i, ok = slices.BinarySearchFunc(x.fwd, id, func(f forward, id uint64) int { return cmp.Compare(f.key, id) })
	}
	if ok && !x.fwd[i].done && x.fwd[i].id == id {
		return i
	}
	if i, ok := x.retriedAt[id]; ok {
		return i
	}
	return -1
}

// connectFailed ends forward i, whose connect to a backend failed: its
// session is closed and an API request is answered with err.
func (x *Proxy) connectFailed(i int, f *forward, err string) {
	x.closeSession(f.conn)
	if f.msg.Type == MsgAPIRequest {
		x.w.Net.Send(&fabric.Message{Type: MsgAPIReply, From: x.Proc, To: f.client, ReqID: f.ctx, Err: err})
	}
	x.answered(i)
}

// answered marks the request at slot i answered.
func (x *Proxy) answered(i int) {
	f := &x.fwd[i]
	if f.id != f.key {
		delete(x.retriedAt, f.id)
	}
	if f.msg.Body != nil {
		f.msg.Body.Free()
	}
	*f = forward{done: true, key: f.key}
}

// Up reports how many backends the proxy considers up.
func (x *Proxy) Up() int {
	n := 0
	for _, b := range x.backends {
		if b.up {
			n++
		}
	}
	return n
}

// onCheckTimer starts a check, or fails the running one at its timeout.
func (x *Proxy) onCheckTimer(b *backend) {
	if b.checking {
		x.checkResult(b, false, "check timed out")
		return
	}
	b.checking = true
	b.checkTag = x.w.NewRequestID()
	b.nextCheck = x.Proc.Mono() + x.cfg.Inter
	to := b.api.Proc
	msg := fabric.Message{From: x.Proc, To: to, ReqID: b.checkTag}
	if x.cfg.Check == "tcp" {
		msg.Type = fabric.MsgPing
	} else {
		x.readyz = APIMsg{pool: &x.readyzs, Verb: VerbReadyz}
		msg.Type, msg.Body = MsgAPIRequest, &x.readyz
	}
	// The check's timeout: the read timeout once the connection is
	// accepted (the host is up and reachable and something listens), else
	// the connect timeout.
	timeout := min(x.cfg.ConnectTimeout, x.cfg.Inter)
	if x.cloud() {
		timeout = x.cfg.TimeoutCheck // the whole check, connect included
	} else if x.w.Net.Handshake(x.Proc, to) && x.cfg.TimeoutCheck > 0 {
		timeout = x.cfg.TimeoutCheck
	} else if x.w.Net.Handshake(x.Proc, to) {
		timeout = x.cfg.Inter
	}
	b.timer.After(timeout)
	x.w.Net.Send(&msg)
}

// checkResult ends a check; the next starts Inter after it finished
// (HAProxy), or Inter after it started (a cloud load balancer's checks).
func (x *Proxy) checkResult(b *backend, ok bool, why string) {
	b.checking = false
	if x.cloud() {
		b.timer.After(max(0, b.nextCheck-x.Proc.Mono()))
	} else {
		b.timer.After(x.cfg.Inter)
	}
	rise, fall := "rise", "fall"
	if x.cloud() {
		rise, fall = "healthy threshold", "unhealthy threshold"
	}
	if ok {
		b.okRun, b.failRun = b.okRun+1, 0
		if !b.up && b.okRun >= x.cfg.Rise {
			b.up = true
			why := fmt.Sprintf("%d checks passed (%s %d)", b.okRun, rise, x.cfg.Rise)
			if x.cfg.ShutdownBackupSessions && !b.backup && x.hasBackup {
				x.primaryUps++
				why += "; the backup servers' sessions are shut down (on-marked-up shutdown-backup-sessions)"
			}
			x.w.Record(fabric.Record{Event: EvLBBackendUp, Proc: x.Name, Host: b.api.Proc.Host.Name, Reason: why})
		}
		return
	}
	b.failRun, b.okRun = b.failRun+1, 0
	if b.up && b.failRun >= x.cfg.Fall {
		b.up = false
		b.downs++
		b.downAt = x.Proc.Mono()
		x.w.Record(fabric.Record{Event: EvLBBackendDown, Proc: x.Name, Host: b.api.Proc.Host.Name,
			Reason: fmt.Sprintf("%d checks failed (%s %d): %s", b.failRun, fall, x.cfg.Fall, why)})
	}
}

// cloudCut reports whether a cloud load balancer has cut session s: its
// target is unhealthy, the load balancer resets its connections
// (UnhealthyClose) and does not fail open, and the draining interval
// since the target was marked unhealthy has passed. A target healthy
// again before that keeps its connections.
func (x *Proxy) cloudCut(s *session, now time.Duration) bool {
	if !x.cloud() || x.cfg.UnhealthyConnections != UnhealthyClose || s.backend < 0 {
		return false
	}
	b := x.backends[s.backend]
	return !b.up && b.downs != s.epoch && now-b.downAt >= x.cfg.UnhealthyDraining && !x.failingOpen()
}

// Deliver implements Handler: client requests, backend answers, checks.
func (x *Proxy) Deliver(msg *fabric.Message) {
	switch msg.Type {
	case fabric.MsgPing:
		if msg.Conn != 0 {
			x.forwardNew(msg) // an HTTP/2 PING: bytes on the connection
			return
		}
		x.w.Net.Send(&fabric.Message{Type: fabric.MsgPong, From: x.Proc, To: msg.From})
		return
	case MsgAPIRequest:
		x.forwardNew(msg)
		return
	}
	for _, b := range x.backends {
		if b.checking && msg.ReqID == b.checkTag && msg.From == b.api.Proc {
			switch {
			case msg.Type == fabric.MsgRefused:
				x.checkResult(b, false, "connection refused")
			case msg.Type == fabric.MsgPong || (msg.Type == MsgAPIReply && msg.Err == ""):
				x.checkResult(b, true, "")
			default:
				x.checkResult(b, false, "/readyz: "+msg.Err)
			}
			return
		}
	}
	i := x.find(msg.ReqID)
	if i < 0 {
		return
	}
	f := &x.fwd[i]
	if s := x.sessions[f.conn]; f.conn != 0 && s != nil && s.backend == f.backend {
		if msg.Type == fabric.MsgRefused && s.connected {
			// The backend reset the established connection: HAProxy
			// closes the client's.
			x.closeSession(f.conn)
			r := fabric.Message{Type: fabric.MsgRefused, From: x.Proc, To: f.client, ReqID: f.ctx, Conn: f.conn}
			x.w.Net.Send(&r)
			x.answered(i)
			return
		}
		if msg.Type != fabric.MsgRefused {
			s.connected, s.lastServer = true, x.Proc.Mono()
		}
	}
	if msg.Type == fabric.MsgRefused && x.cloud() {
		// Pass-through: the target's reset reaches the client, which
		// sees its connect refused; nothing is retried for it.
		x.closeSession(f.conn)
		x.w.Net.Send(&fabric.Message{Type: MsgAPIReply, From: x.Proc, To: f.client, ReqID: f.ctx, Conn: f.conn, Err: "connection refused"})
		x.answered(i)
		return
	}
	if msg.Type == fabric.MsgRefused && x.cfg.Kind == LBNginx {
		// A refused connect: a failure of that server, then the next.
		old := f.id
		x.nginxFailed(f.backend)
		if x.nextUpstream(f) {
			x.track(i, old)
			return
		}
	} else if msg.Type == fabric.MsgRefused && !f.retried {
		// retries 1 + option redispatch: once more, on another server.
		f.retried = true
		old := f.id
		if x.dispatch(f, f.backend) {
			x.track(i, old)
			return
		}
	}
	r := *msg
	r.Type, r.From, r.To, r.ReqID, r.Conn = MsgAPIReply, x.Proc, f.client, f.ctx, f.conn
	if msg.Type == fabric.MsgPong {
		r.Type = fabric.MsgPong
	}
	if msg.Type == fabric.MsgRefused {
		r.Err = "503: backend connection refused"
		x.closeSession(f.conn)
	}
	x.w.Net.Send(&r)
	x.answered(i)
}

// forwardNew forwards a client's request to the next backend that is up.
func (x *Proxy) forwardNew(msg *fabric.Message) {
	f := forward{client: msg.From, ctx: msg.ReqID, msg: *msg, deadline: x.Proc.Mono() + x.cfg.ServerTimeout, backend: -1, conn: msg.Conn}
	if msg.Body != nil {
		f.msg.Body = msg.Body.Copy() // the delivered body is freed once Deliver returns
	}
	if f.conn != 0 && x.onSession(&f) {
		f.key = f.id
		x.fwd = append(x.fwd, f)
		return
	}
	f.since = x.Proc.Mono()
	if !x.dispatch(&f, -1) {
		x.closeSession(f.conn)
		if f.msg.Body != nil {
			f.msg.Body.Free()
		}
		if msg.Type == MsgAPIRequest && !x.cloud() {
			x.w.Net.Send(&fabric.Message{Type: MsgAPIReply, From: x.Proc, To: msg.From, ReqID: msg.ReqID, Err: "503: no server available"})
		}
		// A cloud load balancer with no target to send it to drops the
		// SYN: the client's connect times out on its own.
		return
	}
	f.key = f.id
	x.fwd = append(x.fwd, f)
}

// onSession forwards f on its long-lived connection's session and
// reports whether it did; if the connection is new, or its session was
// closed (an idle timeout, or shutdown-sessions after its backend was
// marked DOWN), it opens one and leaves f to dispatch, which picks the
// backend.
func (x *Proxy) onSession(f *forward) bool {
	now := x.Proc.Mono()
	s := x.sessions[f.conn]
	if s != nil && (now-s.lastServer >= x.cfg.ServerTimeout || now-s.lastClient >= x.cfg.ClientTimeout ||
		(s.backend >= 0 && x.backends[s.backend].api.Proc.Incarnation() != s.inc) ||
		(x.cfg.ShutdownSessions && s.backend >= 0 && x.backends[s.backend].downs != s.epoch) ||
		(s.backend >= 0 && x.backends[s.backend].backup && s.ups != x.primaryUps) || x.cloudCut(s, now)) {
		x.closeSession(f.conn)
		s = nil
	}
	if s == nil {
		if x.sessions == nil {
			x.sessions = map[uint64]*session{}
		}
		x.sessions[f.conn] = &session{backend: -1, lastClient: now, lastServer: now}
		x.order = append(x.order, f.conn)
		return false
	}
	s.lastClient = now
	if s.backend < 0 {
		return false
	}
	return x.follow(f, s, now)
}

// follow sends f on its session's connection to s.backend, or, while
// that connection is still being made, keeps it to go with it.
func (x *Proxy) follow(f *forward, s *session, now time.Duration) bool {
	f.backend, f.id = s.backend, x.w.NewRequestID()
	if s.connectBy > now {
		f.connectBy = s.connectBy
		return true
	}
	f.connectBy = 0
	m := f.msg
	m.From, m.To, m.ReqID = x.Proc, x.backends[s.backend].api.Proc, f.id
	x.w.Net.Send(&m) // established: whatever the backend's state, it goes there
	return true
}

// sessionHost is the host of the backend that connection conn's session
// was sent to, nil if none.
func (x *Proxy) sessionHost(conn uint64) *fabric.Host {
	if s := x.sessions[conn]; s != nil && s.backend >= 0 {
		return x.backends[s.backend].api.Proc.Host
	}
	return nil
}

// closeSession forgets the session of connection conn (order keeps its
// number until the next sweep drops it).
func (x *Proxy) closeSession(conn uint64) {
	if conn != 0 {
		delete(x.sessions, conn)
	}
}

// pick chooses the backend for f, other than skip, or -1: the next up
// server in turn, a backup only while no other server is up (the first up
// backup, or each in turn with AllBackups: HAProxy's recount_servers and
// fwrr_get_next_server); nginx the next available server not yet tried
// for f, its backups once no primary is left (ngx_stream_upstream_get_
// round_robin_peer).
func (x *Proxy) pick(f *forward, skip int, now time.Duration) int {
	n := len(x.backends)
	if x.cfg.Kind == LBNginx {
		for _, backup := range [2]bool{false, true} {
			if backup && !x.hasBackup {
				break
			}
			for range n {
				i := x.rr % n
				x.rr++
				b := x.backends[i]
				if b.backup != backup || f.tried&(1<<i) != 0 || !x.nginxAvailable(b, now) {
					continue
				}
				if now-b.checked > x.cfg.FailTimeout {
					b.checked = now // a new window: a success now clears the failures
				}
				f.tried |= 1 << i
				f.tries++
				return i
			}
		}
		return -1
	}
	backup := x.hasBackup && !x.primaryUp()
	if backup && !x.cfg.AllBackups {
		for i, b := range x.backends {
			if b.backup && b.up {
				if i == skip {
					return -1
				}
				return i
			}
		}
		return -1
	}
	open := x.failingOpen()
	if x.cloud() {
		// A flow hash over the connection's addresses and ports (AWS NLB,
		// Azure Load Balancer, Google Cloud's passthrough NLB): every new
		// connection, from a new source port, lands on a healthy target
		// independently of the others, not in turn. (In turn, clients
		// sending in step would each meet the same target every time.)
		var ok [64]int
		m := 0
		for i, b := range x.backends {
			if i != skip && (b.up || open) && m < len(ok) {
				ok[m] = i
				m++
			}
		}
		if m == 0 {
			return -1
		}
		x.flows++
		return ok[x.hash.IntN(x.flows, m)]
	}
	for range n {
		i := x.rr % n
		x.rr++
		if b := x.backends[i]; b.backup == backup && i != skip && (b.up || open) {
			return i
		}
	}
	return -1
}

// primaryUp reports whether a server that is not a backup is up.
func (x *Proxy) primaryUp() bool {
	for _, b := range x.backends {
		if b.up && !b.backup {
			return true
		}
	}
	return false
}

// Opened is how many connections the proxy sent to the apiserver on
// host, redispatches included (HAProxy's per-server total of sessions).
func (x *Proxy) Opened(host string) uint64 {
	for _, b := range x.backends {
		if b.api.Proc.Host.Name == host {
			return b.opened
		}
	}
	return 0
}

// dispatch sends f to the backend pick chooses, other than skip.
func (x *Proxy) dispatch(f *forward, skip int) bool {
	nginx := x.cfg.Kind == LBNginx
	i := x.pick(f, skip, x.Proc.Mono())
	if i < 0 {
		return false
	}
	x.backends[i].opened++
	f.backend = i
	f.id = x.w.NewRequestID()
	f.connectBy = 0
	to := x.backends[i].api.Proc
	if s := x.sessions[f.conn]; f.conn != 0 && s != nil {
		s.backend, s.epoch, s.inc, s.connected, s.connectBy = i, x.backends[i].downs, to.Incarnation(), false, 0
		s.ups = x.primaryUps
	}
	if !x.w.Net.Handshake(x.Proc, to) && !(to.Host.Up() && to.State() == fabric.Stopped) {
		// SYN unanswered (the host is down or cut off; only a host
		// that is up resets a connection to a stopped process): the
		// sweep times the connect out.
		f.connectBy = x.Proc.Mono() + x.cfg.ConnectTimeout
		if s := x.sessions[f.conn]; f.conn != 0 && s != nil {
			s.connectBy = f.connectBy
		}
		return true
	}
	if nginx && to.State() != fabric.Stopped {
		x.nginxConnected(i)
	}
	m := f.msg
	m.From, m.To, m.ReqID = x.Proc, to, f.id
	x.w.Net.Send(&m)
	return true
}

// onSweep answers requests past "timeout server" with a gateway timeout.
func (x *Proxy) onSweep() {
	now := x.Proc.Mono()
	for i := range x.fwd {
		f := &x.fwd[i]
		if s := x.sessions[f.conn]; !f.done && f.connectBy != 0 && f.connectBy <= now && f.conn != 0 && s != nil && s.backend != f.backend && s.backend >= 0 {
			// Its session's connect was redispatched already: it goes
			// along.
			old := f.id
			x.follow(f, s, now)
			x.track(i, old)
			continue
		}
		switch {
		case f.done:
		case f.connectBy != 0 && f.connectBy <= now && x.cfg.Kind == LBNginx:
			old := f.id
			x.nginxFailed(f.backend)
			if x.nextUpstream(f) {
				x.track(i, old)
				continue
			}
			x.connectFailed(i, f, "502: upstream timed out while connecting")
		case f.connectBy != 0 && f.connectBy <= now && x.cloud():
			// The client's own dial timed out; no proxy retries it.
			x.connectFailed(i, f, "dial tcp: i/o timeout")
		case f.connectBy != 0 && f.connectBy <= now:
			if !f.retried {
				f.retried = true
				old := f.id
				if x.dispatch(f, f.backend) {
					x.track(i, old)
					continue
				}
			}
			x.connectFailed(i, f, "503: backend connect timeout")
		case f.deadline <= now:
			if f.msg.Type == MsgAPIRequest && !x.cloud() { // no proxy answers for a pass-through flow
				x.w.Net.Send(&fabric.Message{Type: MsgAPIReply, From: x.Proc, To: f.client, ReqID: f.ctx, Err: "504: timeout server"})
			}
			x.answered(i)
		}
	}
	// Forget the sessions closed, or idle past both timeouts (closed by
	// now, though no traffic came to notice it), once per timeout client.
	if x.sweeps++; len(x.order) > 0 && time.Duration(x.sweeps)*time.Second >= x.cfg.ClientTimeout {
		x.sweeps = 0
		open := x.order[:0]
		for _, c := range x.order {
			if s := x.sessions[c]; s != nil && now-s.lastClient < x.cfg.ClientTimeout && now-s.lastServer < x.cfg.ServerTimeout {
				open = append(open, c)
			} else {
				x.closeSession(c)
			}
		}
		clear(x.order[len(open):])
		x.order = open
	}
	// Compact: the requests still waiting, in arrival order.
	kept := x.fwd[:0]
	for _, f := range x.fwd {
		if !f.done {
			if f.id != f.key {
				x.retriedAt[f.id] = len(kept)
			}
			kept = append(kept, f)
		}
	}
	clear(x.fwd[len(kept):])
	x.fwd = kept
}

// nginxAvailable is ngx_stream_upstream_get_peer's test: a server with
// MaxFails failures is skipped until FailTimeout has passed since its
// window began; the only server of an upstream is always tried.
func (x *Proxy) nginxAvailable(b *backend, now time.Duration) bool {
	return len(x.backends) == 1 || b.fails < x.cfg.MaxFails || now-b.checked > x.cfg.FailTimeout
}

// nginxFailed counts a failed connection attempt to backend i.
func (x *Proxy) nginxFailed(i int) {
	if i < 0 {
		return
	}
	b := x.backends[i]
	now := x.Proc.Mono()
	b.fails++
	b.accessed, b.checked = now, now
	if b.up && b.fails >= x.cfg.MaxFails {
		b.up = false
		b.downs++
		x.w.Record(fabric.Record{Event: EvLBBackendDown, Proc: x.Name, Host: b.api.Proc.Host.Name,
			Reason: fmt.Sprintf("%d failed connection attempts (max_fails %d): not tried for %v (fail_timeout)", b.fails, x.cfg.MaxFails, x.cfg.FailTimeout)})
	}
}

// nginxConnected is a connection accepted by backend i: a success in a
// window opened after the last failure clears the failures
// (ngx_stream_upstream_free_round_robin_peer).
func (x *Proxy) nginxConnected(i int) {
	b := x.backends[i]
	if b.accessed < b.checked {
		b.fails = 0
	}
	if !b.up && b.fails == 0 {
		b.up = true
		x.w.Record(fabric.Record{Event: EvLBBackendUp, Proc: x.Name, Host: b.api.Proc.Host.Name,
			Reason: "a connection succeeded after fail_timeout"})
	}
}

// nextUpstream is proxy_next_upstream after a failed connect: the next
// server not yet tried, within the tries and the time allowed. It
// reports whether f went on; f's id changes (the caller re-files it).
func (x *Proxy) nextUpstream(f *forward) bool {
	if (x.cfg.NextUpstreamTries > 0 && f.tries >= x.cfg.NextUpstreamTries) ||
		(x.cfg.NextUpstreamTimeout > 0 && x.Proc.Mono()-f.since >= x.cfg.NextUpstreamTimeout) {
		return false
	}
	return x.dispatch(f, f.backend)
}
