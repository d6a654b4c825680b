package kube

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"hasim/sim"

	"hasim/model/etcd"
	"hasim/model/fabric"
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
	*fabric.World
	Etcd       *etcd.Etcd
	Probes     []*Probe
	APIServers []*APIServer
	Groups     []*LeaseGroup
	LB         *LoadBalancer
	Workers    *WorkerPlane
	Service    *Service // the kubernetes Service and kube-proxy; nil if not modelled

	kubeletCfg   KubeletConfig
	kubelets     []*Kubelet // by host index, while building
	skipRenewals bool       // keep lease renewals out of the timeline
	Watch        Watcher
}

// NewPlane makes the Kubernetes part of a cluster on w: kubelets configured
// by kubelet, lease renewals kept out of the timeline if skipRenewals. The
// caller adds etcd, sets the watcher and builds the components.
func NewPlane(w *fabric.World, kubelet KubeletConfig, skipRenewals bool) *Plane {
	return &Plane{World: w, kubeletCfg: kubelet, skipRenewals: skipRenewals}
}

// KubeletConfig is the kubelets' configuration with its defaults filled in.
func (c *Plane) KubeletConfig() KubeletConfig { return c.kubeletCfg }

// NodeLifecycle is the node lifecycle controller's configuration with its
// defaults filled in; zero without a worker plane.
func (c *Plane) NodeLifecycle() NodeLifecycleConfig {
	if c.Workers == nil {
		return NodeLifecycleConfig{}
	}
	return c.Workers.cfg
}

// Watcher is what watches a Plane's components for the cluster.
type Watcher interface {
	// LeaseAcquired: proc has just acquired group g's lease.
	LeaseAcquired(g *LeaseGroup, proc string)
	// ProbeSucceeded: a request of probe p sent at sent succeeded.
	ProbeSucceeded(p *Probe, sent sim.Time)
	// LeaderlessChanged: group g has just lost its last acting leader
	// (leaderless true) or got one again, as its NoLeader accounting
	// counts it (only once some candidate has led while measuring).
	LeaderlessChanged(g *LeaseGroup, leaderless bool)
}

// kubeletOf is host h's kubelet, made on first need while building.
func (c *Plane) KubeletOf(h *fabric.Host) *Kubelet {
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
	// one that exits (as in a test harness that runs the binaries bare).
	NoRestart bool
}

// Interval is a stretch of true time.
type Interval struct{ From, To sim.Time }

// LeaseGroup tracks one group's candidates and what the leadership looked
// like: who believed they led, who acted on it, and when two did at once.
type LeaseGroup struct {
	Name       string
	Candidates []*Controller

	w            *fabric.World
	watch        Watcher
	skipRenewals bool // keep renewals out of the timeline
	cfg          LeaseGroupConfig
	key          uint32
	stream       sim.Stream

	leading, acting int
	since           sim.Time
	started         bool // some candidate has led
	NoLeader        time.Duration
	Split, ActSplit Intervals
	current         string // identity of the leader last acquired
	Acquisitions    int
	// Requests and Writes count the API requests its electors made (reads
	// and writes of the Lease, and writes alone): the load leader election
	// puts on the apiservers. A skipped steady span adds what the loops
	// would have made in it (skip).
	Requests, Writes float64
	believers        []*Controller // who believed they led at the last change
	actors           []*Controller // who acted as leader at the last change
}

// holderName names a lease holder identity: the candidate process that has
// it now, or the identity itself (an earlier incarnation).
func (g *LeaseGroup) holderName(id int32) string {
	for _, k := range g.Candidates {
		if k.Elector.me == id && k.Proc.State() != fabric.Stopped {
			return k.Name
		}
	}
	name := g.w.IdentityName(id)
	for _, k := range g.Candidates {
		if k.Elector.identity == "" && strings.HasPrefix(name, k.Proc.Host.Name+"_") {
			return name + " (an earlier run of " + k.Name + ")"
		}
	}
	return name
}

// Led reports whether exactly one candidate leads the group and acts on
// it.
func (g *LeaseGroup) Led() bool { return g.leading == 1 && g.acting == 1 }

// changed recounts leaders and closes or opens intervals.
func (g *LeaseGroup) Changed() {
	leading, acting := 0, 0
	for _, k := range g.Candidates {
		if k.Elector.Leading() && k.Proc.State() != fabric.Stopped {
			leading++
			if k.Proc.State() == fabric.Running {
				acting++
			}
		}
	}
	now := g.w.Sim.Now()
	was := g.Leaderless()
	if was {
		g.NoLeader += now.Sub(g.since)
	}
	g.since = now
	g.started = g.started || (leading > 0 && g.w.Steady())
	// Split-brain intervals are stated in calendar time (a degraded
	// cluster may be skipped through with a frozen leader still believing).
	cal := g.w.Now()
	g.Split.Track(g.leading >= 2, leading >= 2, cal)
	g.ActSplit.Track(g.acting >= 2, acting >= 2, cal)
	g.narrateSplit(g.leading, leading, g.acting, acting)
	g.leading, g.acting = leading, acting
	if is := g.Leaderless(); is != was {
		g.watch.LeaderlessChanged(g, is)
	}
}

// ActingLeader is the candidate acting as the group's leader now, by the
// group's own rule: it believes it leads and it runs (a frozen one acts on
// nothing). While two act at once (a stale leader resumed before noticing
// its loss), it is the one that acquired the lease last: the record names
// it, and the other's next renewal will fail. Nil when none acts.
func (g *LeaseGroup) ActingLeader() *Controller {
	var acting *Controller
	for _, k := range g.Candidates {
		if !k.Elector.Leading() || k.Proc.State() != fabric.Running {
			continue
		}
		if acting == nil || g.w.IdentityName(k.Elector.me) == g.current {
			acting = k
		}
	}
	return acting
}

// Believers are the candidates that believe they lead now (running or
// frozen), in candidate order.
func (g *LeaseGroup) Believers() []*Controller {
	var out []*Controller
	for _, k := range g.Candidates {
		if k.Leading() {
			out = append(out, k)
		}
	}
	return out
}

// narrateSplit puts the beginning and end of a split brain (two or more
// candidates believing they lead) and of an acting split brain (two or
// more of them running) on the timeline: who believes what, and why the
// stale one has not noticed.
func (g *LeaseGroup) narrateSplit(wasLeading, leading, wasActing, acting int) {
	believers := g.Believers()
	var actors []*Controller
	for _, k := range believers {
		if k.Proc.State() == fabric.Running {
			actors = append(actors, k)
		}
	}
	holder := g.holder(believers)
	rec := func(event string, subject *Controller, others []*Controller, reason string) {
		var names []string
		for _, k := range others {
			if k != subject {
				names = append(names, k.Name)
			}
		}
		r := fabric.Record{Event: event, Group: g.Name, Reason: reason, Peer: strings.Join(names, ", ")}
		if subject != nil {
			r.Proc, r.Host = subject.Name, subject.Proc.Host.Name
		}
		g.w.Record(r)
	}
	if leading >= 2 && wasLeading < 2 {
		stale := staleOf(believers, holder)
		rec(EvSplitBrain, stale, believers, fmt.Sprintf("%s holds the lease by the record, while %s still believes it leads: %s",
			nameOf(holder), stale.Name, stale.Elector.Belief()))
	}
	if acting >= 2 && wasActing < 2 {
		newcomer := newIn(actors, g.actors)
		if newcomer == nil || newcomer == holder {
			newcomer = staleOf(actors, holder)
		}
		rec(EvActingSplitBrain, newcomer, actors, fmt.Sprintf("%s acts as leader beside %s, the record's holder: %s",
			newcomer.Name, nameOf(holder), newcomer.Elector.Resumed()))
	}
	if wasActing >= 2 && acting < 2 {
		gone := newIn(g.actors, actors)
		rec(EvActingSplitBrainEnded, gone, actors, fmt.Sprintf("after %v: %s", g.w.Now().Sub(g.ActSplit.Last().From).Round(time.Millisecond), alone(actors, "acts")))
	}
	if wasLeading >= 2 && leading < 2 {
		gone := newIn(g.believers, believers)
		rec(EvSplitBrainEnded, gone, believers, fmt.Sprintf("after %v: %s", g.w.Now().Sub(g.Split.Last().From).Round(time.Millisecond), alone(believers, "believes it leads")))
	}
	g.believers, g.actors = believers, actors
}

// holder is the believer the lease record names (the last to acquire),
// or the first believer.
func (g *LeaseGroup) holder(believers []*Controller) *Controller {
	for _, k := range believers {
		if g.w.IdentityName(k.Elector.me) == g.current {
			return k
		}
	}
	if len(believers) > 0 {
		return believers[0]
	}
	return nil
}

// staleOf is the first of ks that is not the holder.
func staleOf(ks []*Controller, holder *Controller) *Controller {
	for _, k := range ks {
		if k != holder {
			return k
		}
	}
	return ks[0]
}

// newIn is the first of a that is not in b (nil if none).
func newIn(a, b []*Controller) *Controller {
	for _, k := range a {
		if !slices.Contains(b, k) {
			return k
		}
	}
	return nil
}

func nameOf(k *Controller) string {
	if k == nil {
		return "no one"
	}
	return k.Name
}

// alone says who is left.
func alone(ks []*Controller, what string) string {
	switch len(ks) {
	case 0:
		return "no one " + what + " now"
	case 1:
		return ks[0].Name + " alone " + what + " now"
	}
	var names []string
	for _, k := range ks {
		names = append(names, k.Name)
	}
	return strings.Join(names, " and ") + " still " + what
}

// Leaderless reports whether the group has no acting leader now, as its
// NoLeader accounting counts it: only once some candidate has led.
func (g *LeaseGroup) Leaderless() bool { return g.started && g.acting == 0 }

// IntervalsListed is how many stretches an Intervals lists in full; later
// ones fold into its totals, so that a run over centuries keeps its memory
// flat.
const IntervalsListed = 1000

// Intervals are the stretches in which a condition held (two leaders at
// once, say): the first IntervalsListed in full, and the later ones, once
// closed, folded into Folded.
type Intervals struct {
	List   []Interval // open while the last one's To is 0
	Folded IntervalTotals
	last   Interval // the latest, open or closed, listed or folded
	listed int      // how many it lists at most; 0 means IntervalsListed
}

// StopListing lists no more stretches: later ones fold into the totals.
// A run over many eras stops at its first rebase, because what it lists is
// stated in the first era's calendar. Call it with none open.
func (v *Intervals) StopListing() {
	if v.listed == 0 || v.listed > len(v.List) {
		v.listed = min(len(v.List), IntervalsListed)
	}
	if v.listed == 0 {
		v.listed = -1 // none at all
	}
}

// Last is the latest interval (open while its To is 0; zero if none).
func (v *Intervals) Last() Interval { return v.last }

// IntervalTotals sum up stretches: how many, how long together, and the
// longest.
type IntervalTotals struct {
	Count          int
	Total, Longest time.Duration
}

// Add adds a stretch of d.
func (t *IntervalTotals) Add(d time.Duration) {
	t.Count++
	t.Total += d
	t.Longest = max(t.Longest, d)
}

// Track opens an interval when the condition becomes true (was false, is
// true) and closes it when it becomes false.
func (v *Intervals) Track(was, is bool, now sim.Time) {
	switch {
	case is && !was:
		v.List = append(v.List, Interval{From: now})
		v.last = Interval{From: now}
	case was && !is:
		v.Close(now)
	}
}

// Open opens an interval now, unless one is open.
func (v *Intervals) Open(now sim.Time) {
	if n := len(v.List); n == 0 || v.List[n-1].To != 0 {
		v.List = append(v.List, Interval{From: now})
		v.last = Interval{From: now}
	}
}

// Close closes the open interval, if any, at now; past IntervalsListed it
// folds into the totals.
func (v *Intervals) Close(now sim.Time) {
	n := len(v.List)
	if n == 0 || v.List[n-1].To != 0 {
		return
	}
	v.List[n-1].To = now
	v.last = v.List[n-1]
	limit := IntervalsListed
	switch {
	case v.listed < 0:
		limit = 0
	case v.listed > 0:
		limit = v.listed
	}
	if n > limit {
		v.Folded.Add(now.Sub(v.List[n-1].From))
		v.List = v.List[:n-1]
	}
}

// Totals sums every closed stretch, listed or folded.
func (v *Intervals) Totals() IntervalTotals {
	t := v.Folded
	for _, iv := range v.List {
		if iv.To != 0 {
			t.Add(iv.To.Sub(iv.From))
		}
	}
	return t
}

// finish closes the accounting at the end of a run.
func (g *LeaseGroup) Finish() {
	now := g.w.Sim.Now()
	if g.started && g.acting == 0 {
		g.NoLeader += now.Sub(g.since)
	}
	g.since = now
	g.Split.Close(g.w.Now())
	g.ActSplit.Close(g.w.Now())
}

// Controller is a leader-elected control-plane process: a
// kube-controller-manager, kube-scheduler or cloud-controller-manager. It
// runs its Elector; when Run returns (lease lost, or a graceful stop) the
// process exits and the kubelet restarts it as a static pod.
type Controller struct {
	Name    string
	Proc    *fabric.Process
	Group   *LeaseGroup
	Elector *Elector
	loops   *CtrlLoops // the worker-plane controllers it runs while leading
}

// Start implements Handler.
func (k *Controller) Start() { k.Elector.start() }

// Stop implements Handler: killed, it believes nothing any more.
func (k *Controller) Stop() {
	k.Elector.crash()
	if k.loops != nil {
		k.loops.stop()
	}
}

// Deliver implements Handler. Request ids are unique in the cluster, so
// each client takes only the replies to its own requests.
func (k *Controller) Deliver(msg *fabric.Message) {
	k.Elector.api.Deliver(msg)
	if k.loops != nil {
		k.loops.api.Deliver(msg)
	}
}

// Leading reports whether it believes it leads.
func (k *Controller) Leading() bool { return k.Elector.Leading() && k.Proc.State() != fabric.Stopped }

// stopped is OnStoppedLeading (or Run returning): the process exits, with
// code 1 after losing the lease and 0 after a graceful stop.
func (k *Controller) stopped(reason string, graceful bool) {
	code := 1
	if graceful {
		code = 0
	}
	k.Proc.Exit(fmt.Sprintf("exit %d: %s", code, reason))
}

// RecordHolders puts on the timeline, as acquisitions with reason, the
// candidates that believe they lead now: the state a run's calendar
// starts from (it counts no acquisition).
func (g *LeaseGroup) RecordHolders(reason string) {
	for _, k := range g.Believers() {
		g.w.Record(fabric.Record{Event: EvLeaseAcquired, Group: g.Name, Proc: k.Proc.Name, Host: k.Proc.Host.Name, Reason: reason})
	}
}

// recordLease puts a lease event of candidate e on the timeline.
func (g *LeaseGroup) recordLease(event string, e *Elector, reason string) {
	if event == EvLeaseRenewed && g.skipRenewals {
		return
	}
	if event == EvLeaseAcquired {
		g.Acquisitions++
		g.current = g.w.IdentityName(e.me)
		g.watch.LeaseAcquired(g, e.p.Name)
	}
	g.w.Record(fabric.Record{Event: event, Group: g.Name, Proc: e.p.Name, Host: e.p.Host.Name, Reason: reason})
}

func NewLeaseGroup(c *Plane, gc LeaseGroupConfig, hosts map[string]*fabric.Host) *LeaseGroup {
	gc = gc.WithDefaults()
	lease := gc.Name
	if gc.Name == RoleKubeVIP {
		lease = "plndr-cp-lock"
	}
	g := &LeaseGroup{Name: gc.Name, w: c.World, watch: c.Watch, skipRenewals: c.skipRenewals, cfg: gc, key: c.Key("/registry/leases/kube-system/" + lease),
		stream: c.Sim.Stream("lease/" + gc.Name)}
	for _, hn := range gc.Hosts {
		h := hosts[hn]
		k := &Controller{Name: fabric.HostProcessName(gc.Name, hn), Group: g}
		k.Proc = c.AddProcess(k.Name, gc.Name, h, k)
		servers, resolve := c.apiEndpoints(gc.Endpoint, h)
		k.Elector = newElector(g, k.Proc, servers, gc.LE, k.stopped)
		k.Elector.api.Resolve = resolve
		if !gc.NoRestart {
			c.KubeletOf(h).Manage(k.Proc, nil, nil)
		}
		g.Candidates = append(g.Candidates, k)
	}
	c.OnSkip(g.skip)
	return g
}

// skip adds the requests of a skipped steady span: a leader renews once
// every retryPeriod (one write: it holds the lease and knows its record),
// a waiting candidate reads the Lease once every retryPeriod × (1 + U ×
// JitterFactor), retryPeriod × 1.6 on average; each loop's period also
// holds its request's answer, a few milliseconds, which this leaves out.
func (g *LeaseGroup) skip(d time.Duration) {
	rp := float64(g.cfg.LE.RetryPeriod)
	for _, k := range g.Candidates {
		if k.Proc.State() != fabric.Running {
			continue
		}
		switch {
		case k.Elector.Leading():
			g.Requests += float64(d) / rp
			g.Writes += float64(d) / rp
		case k.Elector.State() == elAcquiring:
			g.Requests += float64(d) / (rp * (1 + JitterFactor/2))
		}
	}
}

// apiEndpoints are the servers a client on host h reaches for an endpoint
// kind: "local" (the apiserver on h), "all" (every apiserver, client-side
// failover), "lb" (the control-plane endpoint; resolved at each send,
// since a VIP moves) or "service" (the kubernetes Service through h's
// kube-proxy: an endpoint drawn at each new connection).
func (c *Plane) apiEndpoints(kind string, h *fabric.Host) ([]*fabric.Process, func(int) *fabric.Process) {
	var servers []*fabric.Process
	switch {
	case kind == "service" && c.Service != nil && c.Service.ProxyOn(h) != nil:
		k := c.Service.ProxyOn(h)
		return []*fabric.Process{nil}, func(int) *fabric.Process { return k.Dial() }
	case kind == "lb" && c.LB != nil && c.LB.Kind != LBNone:
		lb := c.LB
		servers = []*fabric.Process{nil}
		return servers, func(int) *fabric.Process { return lb.endpoint() }
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
func (c *Plane) BuildLB(cfg LoadBalancerConfig, hosts map[string]*fabric.Host) {
	cfg = cfg.WithDefaults()
	lb := &LoadBalancer{Kind: cfg.Kind, w: c.World, apiservers: c.APIServers, cfg: cfg}
	c.LB = lb
	switch cfg.Kind {
	case LBHAProxy, LBKeepalived, LBNginx:
		for i, hn := range cfg.Hosts {
			x := newProxy(c, cfg, hosts[hn])
			lb.Proxies = append(lb.Proxies, x)
			if cfg.Kind == LBKeepalived {
				lb.VRRPs = append(lb.VRRPs, newVRRP(c, lb, hosts[hn], cfg.Priorities[i], x))
			}
		}
	case LBCloud:
		lb.Proxies = append(lb.Proxies, newProxy(c, cfg, hosts[CloudLBHost]))
	case LBKubeVIP:
		le := cfg.LE
		le.ReleaseOnCancel = true
		var hs []string
		for _, a := range c.APIServers {
			hs = append(hs, a.Proc.Host.Name)
		}
		g := NewLeaseGroup(c, LeaseGroupConfig{Name: RoleKubeVIP, Hosts: hs, Endpoint: "local", LE: le}, hosts)
		for _, k := range g.Candidates {
			k.Elector.identity = k.Proc.Host.Name
			k.Elector.onStart = func() { lb.claim(k.Proc.Host, k.Name+" leads plndr-cp-lock") }
			k.Elector.onStop = func(reason string, graceful bool) {
				lb.withdraw(k.Proc.Host, k.Name+" lost plndr-cp-lock")
				if graceful || k.Elector.terminating() {
					// Released, or asked to stop (SIGTERM) while it was
					// flushing after a lost lease: the process exits.
					k.stopped(reason, true)
					return
				}
				// kube-vip campaigns again in the same process.
				k.Elector.restartAfter(le.RetryPeriod)
			}
		}
		lb.KubeVIP = g
		c.Groups = append(c.Groups, g)
	}
}

// withDefaults fills a lease group's unset fields: client-go's
// leader-election defaults and the local apiserver as endpoint.
func (gc LeaseGroupConfig) WithDefaults() LeaseGroupConfig {
	gc.LE = gc.LE.WithDefaults()
	if gc.Endpoint == "" {
		gc.Endpoint = "local"
	}
	return gc
}

// Config is the group's configuration with its defaults filled in.
func (g *LeaseGroup) Config() LeaseGroupConfig { return g.cfg }
