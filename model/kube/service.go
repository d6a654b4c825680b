package kube

import (
	"math/bits"
	"slices"
	"strings"
	"time"

	"hasim/sim"

	"hasim/model/etcd"
	"hasim/model/fabric"
)

// The `kubernetes` Service (default/kubernetes, the first address of the
// service CIDR: 10.96.0.1 with kubeadm's default 10.96.0.0/12) and how
// pods reach the API through it.
//
// Its endpoints: every kube-apiserver runs the lease endpoint reconciler
// (--endpoint-reconciler-type=lease, the default since Kubernetes 1.11;
// cmd/kube-apiserver/app/options). Once its own /readyz passes, every
// ReconcileInterval (DefaultEndpointReconcilerInterval, 10s,
// pkg/controlplane/instance.go; wait.NonSlidingUntil in
// pkg/controlplane/controller/kubernetesservice) it
//
//  1. refreshes its key /registry/masterleases/<advertise address> with
//     an etcd lease of LeaseTTL (DefaultEndpointReconcilerTTL, 15s): an
//     etcd write, so it fails without a quorum;
//  2. reads the Endpoints object default/kubernetes and lists the master
//     leases (quorum reads);
//  3. rewrites the Endpoints (and its EndpointSlice) to exactly the
//     listed addresses if they differ, but never to an empty list
//     (pkg/controlplane/reconcilers/lease.go).
//
// etcd deletes a key when its lease expires: LeaseTTL after the refresh,
// as the leader's lessor counts it; a new leader, at the first commit of
// its term, extends every lease to LeaseTTL plus one election timeout
// from then (lessor.Promote in etcd's applyEntryNormal), since it cannot
// know when the last refresh came. A master that stops refreshing
// (crashed, or cut off from the quorum) thus leaves the Endpoints at the
// first round of another apiserver after its key expired: 15-25s after
// its last refresh.
//
// With --advertise-address set to the load balancer's address on every
// master (AdvertiseLB), they all refresh the same key: the Service has
// one endpoint, the load balancer, for as long as any apiserver can
// write, and in-cluster clients fail over exactly as the load balancer
// does.
//
// kube-proxy (kubeproxy.go) on every node forwards connections to the
// Service's address to one of the endpoints it last learned.

// ServiceConfig describes the `kubernetes` Service and kube-proxy.
type ServiceConfig struct {
	// AdvertiseLB: every apiserver runs with --advertise-address set to
	// the load balancer's address, so the Service's one endpoint is the
	// load balancer. Default: each apiserver advertises its own host's
	// address (kubeadm's default).
	AdvertiseLB bool
	// ReconcileInterval is how often each apiserver runs the reconciler
	// (10s); LeaseTTL the etcd lease on a master's key (15s).
	ReconcileInterval time.Duration
	LeaseTTL          time.Duration
	// ProxyEndpoint is where kube-proxy sends its API requests: "lb" (the
	// control-plane endpoint, as kubeadm writes kube-proxy's kubeconfig;
	// default) or "all".
	ProxyEndpoint string
	// ProxySync is how soon kube-proxy programs a change it was told of:
	// its iptables minSyncPeriod (1s, pkg/proxy/apis/config/v1alpha1
	// defaults). The model asks for the Endpoints this often.
	ProxySync time.Duration
	// Nodes are the hosts that run kube-proxy: every node of the worker
	// plane (kube-proxy is a DaemonSet that tolerates every taint).
	Nodes []string
	// Joining are masters that join during the run: their addresses are
	// not among the endpoints at the start.
	Joining []string
}

// Service defaults (upstream's).
const (
	DefaultReconcileInterval = 10 * time.Second
	DefaultMasterLeaseTTL    = 15 * time.Second
	DefaultProxySync         = time.Second
	// proxyRequestTimeout bounds one of kube-proxy's reads of the
	// Endpoints (an informer's list; client-go sets none itself).
	proxyRequestTimeout = 10 * time.Second
	// readyzPoll is how often an apiserver that started checks its own
	// /readyz before it runs the reconciler (PollImmediateUntil, 100ms).
	readyzPoll = 100 * time.Millisecond
	// lbAddress is the bit of an address set that stands for the load
	// balancer's address; bit i < lbAddress is apiserver i's host.
	lbAddress = 63
	// MaxServiceMasters is how many apiservers an address set holds.
	MaxServiceMasters = lbAddress
)

// The Service's timeline events.
const (
	// EvServiceEndpoints: an apiserver rewrote the kubernetes Endpoints;
	// Proc is the apiserver, Reason the addresses now listed.
	EvServiceEndpoints = "service.endpoints"
	// EvProxyRules: a node's kube-proxy programmed the Service's
	// forwarding anew; Host is the node, Reason the endpoints.
	EvProxyRules = "service.proxy_rules"
)

// WithDefaults fills in upstream's defaults.
func (c ServiceConfig) WithDefaults() ServiceConfig {
	if c.ReconcileInterval == 0 {
		c.ReconcileInterval = DefaultReconcileInterval
	}
	if c.LeaseTTL == 0 {
		c.LeaseTTL = DefaultMasterLeaseTTL
	}
	if c.ProxyEndpoint == "" {
		c.ProxyEndpoint = "lb"
	}
	if c.ProxySync == 0 {
		c.ProxySync = DefaultProxySync
	}
	return c
}

// Service is the `kubernetes` Service: the master leases as etcd holds
// them, the Endpoints object, the apiservers' reconcilers and the nodes'
// kube-proxies.
type Service struct {
	w    *fabric.World
	cfg  ServiceConfig
	apis []*APIServer
	lb   *LoadBalancer
	// electionTimeout is etcd's: the lessor's promotion extends leases
	// by it.
	electionTimeout time.Duration

	epKey uint32 // /registry/services/endpoints/default/kubernetes
	// leases are the master-lease keys (one per apiserver, or one for the
	// load balancer's address), each with the time etcd's lessor revokes
	// it.
	leases  []masterLease
	current uint64 // the addresses as last written (or at the start)

	Reconcilers []*Reconciler
	Proxies     []*KubeProxy
}

// masterLease is one /registry/masterleases/<address> key.
type masterLease struct {
	addr   int // its address bit
	key    uint32
	expiry sim.Time
}

// Config is the Service's defaulted configuration.
func (s *Service) Config() ServiceConfig { return s.cfg }

// Endpoints are the addresses the Endpoints object lists now, by name
// (hosts of apiservers, or "load balancer").
func (s *Service) Endpoints() []string { return s.names(s.current) }

// BuildService adds the Service: a reconciler in every apiserver and a
// kube-proxy on every node of cfg.Nodes. Build it after the apiservers
// and the load balancer.
func (c *Plane) BuildService(cfg ServiceConfig, hosts map[string]*fabric.Host) {
	cfg = cfg.WithDefaults()
	s := &Service{w: c.World, cfg: cfg, apis: c.APIServers, lb: c.LB, electionTimeout: c.Etcd.Config().ElectionTimeout,
		epKey: c.Key("/registry/services/endpoints/default/kubernetes")}
	c.Service = s
	// The cluster has been running: every key was refreshed just before
	// the start, and the Endpoints list every address.
	if cfg.AdvertiseLB {
		s.leases = []masterLease{{addr: lbAddress, key: c.Key("/registry/masterleases/load-balancer"), expiry: sim.Time(cfg.LeaseTTL)}}
		s.current = 1 << lbAddress
	} else {
		for i, a := range c.APIServers {
			l := masterLease{addr: i, key: c.Key("/registry/masterleases/" + a.Proc.Host.Name)}
			if !slices.Contains(cfg.Joining, a.Proc.Host.Name) {
				l.expiry = sim.Time(cfg.LeaseTTL)
				s.current |= 1 << i
			}
			s.leases = append(s.leases, l)
		}
	}
	for i, a := range c.APIServers {
		lease := 0
		if !cfg.AdvertiseLB {
			lease = i
		}
		s.Reconcilers = append(s.Reconcilers, newReconciler(c, s, a, lease))
	}
	for _, hn := range cfg.Nodes {
		s.Proxies = append(s.Proxies, newKubeProxy(c, s, hosts[hn]))
	}
}

// Promote is etcd's lessor promotion: a leader's first commit of its
// term extends every lease still held to LeaseTTL plus one election
// timeout from now. A lease already past its expiry counts as revoked by
// the previous leader.
func (s *Service) Promote() {
	now := s.w.Sim.Now()
	for i := range s.leases {
		if l := &s.leases[i]; l.expiry > now {
			l.expiry = now.Add(s.electionTimeout + s.cfg.LeaseTTL)
		}
	}
}

// live is the set of addresses whose keys are unexpired now: what a
// list of /registry/masterleases returns.
func (s *Service) live() uint64 {
	now := s.w.Sim.Now()
	var set uint64
	for _, l := range s.leases {
		if l.expiry > now {
			set |= 1 << l.addr
		}
	}
	return set
}

// names lists an address set for people.
func (s *Service) names(set uint64) []string {
	var out []string
	for set != 0 {
		b := bits.TrailingZeros64(set)
		set &^= 1 << b
		if b == lbAddress {
			out = append(out, "the load balancer")
		} else {
			out = append(out, s.apis[b].Proc.Host.Name)
		}
	}
	return out
}

// endpointsVal is the Endpoints object's value in the store: the model
// keeps every object as a LeaseRecord, and this one's address set in
// Acquire.
func endpointsVal(set uint64) etcd.LeaseRecord { return etcd.LeaseRecord{Acquire: int64(set)} }

func endpointsOf(v etcd.LeaseRecord) uint64 { return uint64(v.Acquire) }

// target is the process that answers a connection to address bit b now
// (nil when nothing does: a VIP without holder).
func (s *Service) target(b int) *fabric.Process {
	if b == lbAddress {
		if s.lb == nil {
			return nil
		}
		return s.lb.endpoint()
	}
	return s.apis[b].Proc
}

// converged reports whether nothing about the Service will change until
// a fault does: no key held only by a master that no longer refreshes it
// (it will expire), the Endpoints agree with the live keys, and every
// running kube-proxy forwards to them.
func (s *Service) converged() bool {
	now := s.w.Sim.Now()
	for _, l := range s.leases {
		if l.expiry <= now {
			continue
		}
		held := false
		for _, r := range s.Reconcilers {
			held = held || r.lease == l.addr && r.refreshing && r.a.Proc.Running()
		}
		if !held {
			return false
		}
	}
	if live := s.live(); live != 0 && live != s.current {
		return false
	}
	for _, k := range s.Proxies {
		if k.Proc.Running() && k.programmed() != s.current {
			return false
		}
	}
	return true
}

// Reconciler is one apiserver's lease endpoint reconciler: it runs in the
// apiserver's process, with its own etcd requests.
type Reconciler struct {
	s     *Service
	a     *APIServer
	lease int // its address bit (lbAddress with AdvertiseLB)
	slot  int // its key in s.leases

	client *fabric.RPCClient
	reqs   etcd.ClientRequests
	poll   *fabric.Timer // /readyz before the first round
	tick   *fabric.Timer
	tag    uint64
	step   reconcileStep
	due    bool   // a tick came while a round was under way
	wrote  uint64 // the addresses of the Endpoints write in flight
	// refreshing: its last refresh succeeded (the key stays while it
	// runs).
	refreshing bool
}

type reconcileStep uint8

const (
	recIdle reconcileStep = iota
	recRefresh
	recRead
	recWrite
)

func newReconciler(c *Plane, s *Service, a *APIServer, slot int) *Reconciler {
	r := &Reconciler{s: s, a: a, slot: slot, lease: s.leases[slot].addr, refreshing: true}
	s.w.TrimAtSkip(&r.reqs)
	var members []*fabric.Process
	for _, m := range c.Etcd.Members {
		if slices.Contains(a.cfg.Etcd, m.Name) {
			members = append(members, m.Proc)
		}
	}
	r.client = fabric.NewRPCClient(a.Proc, a.Name+"/endpoint-reconciler", members, a.cfg.EtcdKeepaliveTime, a.cfg.EtcdKeepaliveTimeout, r.done)
	r.poll = a.Proc.NewTimer(a.Name+"/endpoint-reconciler/readyz", r.onPoll)
	r.tick = a.Proc.NewTimer(a.Name+"/endpoint-reconciler", r.onTick)
	a.svc = r
	return r
}

// start runs when the apiserver starts: wait for /readyz, then reconcile.
func (r *Reconciler) start() {
	r.client.Start()
	r.step, r.due = recIdle, false
	r.poll.StartTicker(readyzPoll, 0)
}

// stop runs when the apiserver stops: it refreshes nothing any more.
func (r *Reconciler) stop() { r.refreshing = false }

func (r *Reconciler) onPoll() {
	if !r.a.healthy {
		return
	}
	r.poll.Stop()
	r.tick.StartTicker(r.s.cfg.ReconcileInterval, 0)
}

// onTick starts a round; one that overran its interval is followed by
// the next at once (wait.NonSlidingUntil).
func (r *Reconciler) onTick() {
	if r.step != recIdle {
		r.due = true
		return
	}
	r.refresh()
}

func (r *Reconciler) call(step reconcileStep, typ fabric.MsgType, m etcd.ClientMsg, retry bool) {
	r.step = step
	r.tag++
	r.reqs.Call(r.client, r.tag, typ, m, r.a.cfg.RequestTimeout, retry)
}

// refresh is UpdateLease: a write of the key with a new etcd lease.
func (r *Reconciler) refresh() {
	l := r.s.leases[r.slot]
	r.call(recRefresh, etcd.MsgClientWrite, etcd.ClientMsg{Op: etcd.Op{Kind: etcd.OpPut, Key: l.key,
		Val: etcd.LeaseRecord{Holder: r.s.w.Identity(r.a.Name), DurationSec: int32(r.s.cfg.LeaseTTL / time.Second)}}}, false)
}

func (r *Reconciler) done(tag uint64, res *fabric.Message, err string) {
	if tag != r.tag {
		return
	}
	step := r.step
	r.step = recIdle
	switch {
	case step == recRefresh:
		r.refreshing = err == ""
		if err != "" {
			break
		}
		l := &r.s.leases[r.slot]
		l.expiry = max(l.expiry, r.a.Proc.Now().Add(r.s.cfg.LeaseTTL))
		// Get the Endpoints and list the master leases: quorum reads.
		r.call(recRead, etcd.MsgClientRead, etcd.ClientMsg{Linearizable: true, Op: etcd.Op{Key: r.s.epKey}}, true)
		return
	case step == recRead && (err == "" || err == etcd.ErrNotFound):
		var have uint64
		if res != nil {
			if b := etcd.ClientBody(res); b.Found {
				have = endpointsOf(b.Val)
			}
		}
		live := r.s.live()
		if live == 0 || live == have {
			// Nothing listed: refuse to erase every endpoint.
			break
		}
		r.wrote = live
		r.call(recWrite, etcd.MsgClientWrite, etcd.ClientMsg{Op: etcd.Op{Kind: etcd.OpPut, Key: r.s.epKey, Val: endpointsVal(live)}}, false)
		return
	case step == recWrite && err == "":
		set := r.wrote
		if set != r.s.current {
			r.s.current = set
			r.s.w.Record(fabric.Record{Event: EvServiceEndpoints, Proc: r.a.Name, Host: r.a.Proc.Host.Name,
				Reason: strings.Join(r.s.names(set), ", ")})
		}
	}
	if r.due {
		r.due = false
		r.refresh()
	}
}
