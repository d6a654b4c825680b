package model

import (
	"fmt"
	"time"

	"hasim/sim"
)

// Roles of Kubernetes' processes.
const (
	RoleAPIServer = "kube-apiserver"
	RoleKubelet   = "kubelet"
	// RoleLoadBalancer is the proxy; RoleVRRP keepalived; RoleKubeVIP kube-vip.
	RoleLoadBalancer = "load-balancer"
	RoleVRRP         = "keepalived"
	RoleKubeVIP      = "kube-vip"
)

// Plane is Kubernetes' part of a cluster, on a World and an etcd cluster:
// the apiservers, the leader-elected groups, the load balancer, the
// kubelets, the worker plane and the probes that measure the API.
type Plane struct {
	*World
	Etcd       *Etcd
	Probes     []*Probe
	APIServers []*APIServer
	Groups     []*LeaseGroup
	LB         *LoadBalancer
	workers    *workerPlane

	kubeletCfg   KubeletConfig
	kubelets     []*Kubelet // by host index, while building
	skipRenewals bool       // keep lease renewals out of the timeline
	watch        kubeWatcher
}

// kubeWatcher is what watches a Plane's components for the cluster.
type kubeWatcher interface {
	// LeaseAcquired: proc has just acquired group g's lease.
	LeaseAcquired(g *LeaseGroup, proc string)
	// ProbeSucceeded: a request of probe p sent at sent succeeded.
	ProbeSucceeded(p *Probe, sent sim.Time)
}

// kubeletOf is host h's kubelet, made on first need while building.
func (c *Plane) kubeletOf(h *Host) *Kubelet {
	if c.kubelets == nil {
		c.kubelets = make([]*Kubelet, len(c.Hosts))
	}
	if c.kubelets[h.Index()] == nil {
		c.kubelets[h.Index()] = newKubelet(c, h)
	}
	return c.kubelets[h.Index()]
}

// Leader-election groups of the control plane.
const (
	GroupKCM       = "kube-controller-manager"
	GroupScheduler = "kube-scheduler"
	GroupCCM       = "cloud-controller-manager"
)

// LeaseGroupConfig is a leader-election group: the candidates competing
// for one Lease.
type LeaseGroupConfig struct {
	// Name is the component ("kube-controller-manager", ...); the Lease is
	// kube-system/<Name>.
	Name string
	// Hosts run one candidate each.
	Hosts []string
	// Endpoint is where candidates send API requests: "local" (the
	// apiserver on their own host, as kubeadm configures the controllers)
	// or "all" (every apiserver, failing over client-side).
	Endpoint string
	LE       LeaderElectionConfig
	// NoRestart: the candidates are not static pods, so nothing restarts
	// one that exits (as in the reference measurements' harness).
	NoRestart bool
}

// Interval is a stretch of true time.
type Interval struct{ From, To sim.Time }

// LeaseGroup tracks one group's candidates and what the leadership looked
// like: who believed they led, who acted on it, and when two did at once.
type LeaseGroup struct {
	Name       string
	Candidates []*Controller

	w            *World
	watch        kubeWatcher
	skipRenewals bool // keep renewals out of the timeline
	cfg          LeaseGroupConfig
	key          uint32
	stream       sim.Stream

	leading, acting int
	since           sim.Time
	started         bool // some candidate has led
	noLeader        time.Duration
	split, actSplit []Interval // open while the last one's To is 0
	current         string     // identity of the leader last acquired
	acquisitions    int
}

// changed recounts leaders and closes or opens intervals.
func (g *LeaseGroup) changed() {
	leading, acting := 0, 0
	for _, k := range g.Candidates {
		if k.el.Leading() && k.Proc.State() != Stopped {
			leading++
			if k.Proc.State() == Running {
				acting++
			}
		}
	}
	now := g.w.Sim.Now()
	if g.started && g.acting == 0 {
		g.noLeader += now.Sub(g.since)
	}
	g.since = now
	g.started = g.started || (leading > 0 && g.w.steady)
	g.split = track(g.split, g.leading >= 2, leading >= 2, now)
	g.actSplit = track(g.actSplit, g.acting >= 2, acting >= 2, now)
	g.leading, g.acting = leading, acting
}

// track opens an interval when cond becomes true and closes it when it
// becomes false.
func track(iv []Interval, was, is bool, now sim.Time) []Interval {
	switch {
	case is && !was:
		iv = append(iv, Interval{From: now})
	case was && !is:
		iv[len(iv)-1].To = now
	}
	return iv
}

// finish closes the accounting at the end of a run.
func (g *LeaseGroup) finish() {
	now := g.w.Sim.Now()
	if g.started && g.acting == 0 {
		g.noLeader += now.Sub(g.since)
	}
	g.since = now
	for _, iv := range [][]Interval{g.split, g.actSplit} {
		if n := len(iv); n > 0 && iv[n-1].To == 0 {
			iv[n-1].To = now
		}
	}
}

// Controller is a leader-elected control-plane process: a
// kube-controller-manager, kube-scheduler or cloud-controller-manager. It
// runs its Elector; when Run returns (lease lost, or a graceful stop) the
// process exits and the kubelet restarts it as a static pod.
type Controller struct {
	Name  string
	Proc  *Process
	Group *LeaseGroup
	el    *Elector
	loops *ctrlLoops // the worker-plane controllers it runs while leading
}

// Start implements Handler.
func (k *Controller) Start() { k.el.start() }

// Stop implements Handler: killed, it believes nothing any more.
func (k *Controller) Stop() {
	k.el.crash()
	if k.loops != nil {
		k.loops.stop()
	}
}

// Deliver implements Handler. Request ids are unique in the cluster, so
// each client takes only the replies to its own requests.
func (k *Controller) Deliver(msg *Message) {
	k.el.api.deliver(msg)
	if k.loops != nil {
		k.loops.api.deliver(msg)
	}
}

// Leading reports whether it believes it leads.
func (k *Controller) Leading() bool { return k.el.Leading() && k.Proc.State() != Stopped }

// stopped is OnStoppedLeading (or Run returning): the process exits, with
// code 1 after losing the lease and 0 after a graceful stop.
func (k *Controller) stopped(reason string, graceful bool) {
	code := 1
	if graceful {
		code = 0
	}
	k.Proc.exit(fmt.Sprintf("exit %d: %s", code, reason))
}

// recordLease puts a lease event of candidate e on the timeline.
func (g *LeaseGroup) recordLease(event string, e *Elector, reason string) {
	if event == EvLeaseRenewed && g.skipRenewals {
		return
	}
	if event == EvLeaseAcquired {
		g.acquisitions++
		g.current = g.w.IdentityName(e.me)
		g.watch.LeaseAcquired(g, e.p.Name)
	}
	g.w.Record(Record{Event: event, Group: g.Name, Proc: e.p.Name, Host: e.p.Host.Name, Reason: reason})
}

func newLeaseGroup(c *Plane, gc LeaseGroupConfig, hosts map[string]*Host) *LeaseGroup {
	gc = gc.withDefaults()
	lease := gc.Name
	if gc.Name == RoleKubeVIP {
		lease = "plndr-cp-lock"
	}
	g := &LeaseGroup{Name: gc.Name, w: c.World, watch: c.watch, skipRenewals: c.skipRenewals, cfg: gc, key: c.Key("/registry/leases/kube-system/" + lease),
		stream: c.Sim.Stream("lease/" + gc.Name)}
	for _, hn := range gc.Hosts {
		h := hosts[hn]
		k := &Controller{Name: HostProcessName(gc.Name, hn), Group: g}
		k.Proc = c.AddProcess(k.Name, gc.Name, h, k)
		servers, resolve := c.apiEndpoints(gc.Endpoint, h)
		k.el = newElector(g, k.Proc, servers, gc.LE, k.stopped)
		k.el.api.resolve = resolve
		if !gc.NoRestart {
			c.kubeletOf(h).manage(k.Proc, nil)
		}
		g.Candidates = append(g.Candidates, k)
	}
	return g
}

// apiEndpoints are the servers a client on host h reaches for an endpoint
// kind: "local" (the apiserver on h), "all" (every apiserver, client-side
// failover) or "lb" (the control-plane endpoint; resolved at each send,
// since a VIP moves).
func (c *Plane) apiEndpoints(kind string, h *Host) ([]*Process, func(int) *Process) {
	var servers []*Process
	switch {
	case kind == "lb" && c.LB != nil && c.LB.Kind != LBNone:
		lb := c.LB
		servers = []*Process{nil}
		return servers, func(int) *Process { return lb.endpoint() }
	case kind == "local":
		for _, a := range c.APIServers {
			if a.Proc.Host == h {
				servers = append(servers, a.Proc)
			}
		}
	default: // "all", or "lb" without a load balancer
		for _, a := range c.APIServers {
			servers = append(servers, a.Proc)
		}
	}
	return servers, nil
}

// buildLB assembles the load balancer after the apiservers.
func (c *Plane) buildLB(cfg LoadBalancerConfig, hosts map[string]*Host) {
	cfg = cfg.withDefaults()
	lb := &LoadBalancer{Kind: cfg.Kind, w: c.World, apiservers: c.APIServers, cfg: cfg}
	c.LB = lb
	switch cfg.Kind {
	case LBHAProxy, LBKeepalived:
		for i, hn := range cfg.Hosts {
			x := newProxy(c, cfg, hosts[hn])
			lb.Proxies = append(lb.Proxies, x)
			if cfg.Kind == LBKeepalived {
				lb.VRRPs = append(lb.VRRPs, newVRRP(c, lb, hosts[hn], cfg.Priorities[i], x))
			}
		}
	case LBKubeVIP:
		le := cfg.LE
		le.ReleaseOnCancel = true
		var hs []string
		for _, a := range c.APIServers {
			hs = append(hs, a.Proc.Host.Name)
		}
		g := newLeaseGroup(c, LeaseGroupConfig{Name: RoleKubeVIP, Hosts: hs, Endpoint: "local", LE: le}, hosts)
		for _, k := range g.Candidates {
			k.el.identity = k.Proc.Host.Name
			k.el.onStart = func() { lb.claim(k.Proc.Host, k.Name+" leads plndr-cp-lock") }
			k.el.onStop = func(reason string, graceful bool) {
				lb.withdraw(k.Proc.Host, k.Name+" lost plndr-cp-lock")
				if graceful || k.el.terminating() {
					// Released, or asked to stop (SIGTERM) while it was
					// flushing after a lost lease: the process exits.
					k.stopped(reason, true)
					return
				}
				// kube-vip campaigns again in the same process.
				k.el.restartAfter(le.RetryPeriod)
			}
		}
		lb.KubeVIP = g
		c.Groups = append(c.Groups, g)
	}
}

// withDefaults fills a lease group's unset fields: client-go's
// leader-election defaults and the local apiserver as endpoint.
func (gc LeaseGroupConfig) withDefaults() LeaseGroupConfig {
	gc.LE = gc.LE.WithDefaults()
	if gc.Endpoint == "" {
		gc.Endpoint = "local"
	}
	return gc
}

// Config is the group's configuration with its defaults filled in.
func (g *LeaseGroup) Config() LeaseGroupConfig { return g.cfg }
