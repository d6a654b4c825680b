package kube

import (
	"fmt"
	"time"

	"hasim/sim"

	"hasim/model/etcd"
	"hasim/model/fabric"
)

// The worker plane: every node's kubelet renews its node Lease through the
// API; the kube-controller-manager leader's node lifecycle controller
// marks nodes whose Lease stopped renewing NotReady and taints them; the
// taint-eviction controller deletes their pods after the toleration; the
// ReplicaSet controller creates replacements; the kube-scheduler leader
// binds pending pods to Ready nodes; the kubelet starts what is bound to
// it. Sources: kubelet's node lease (pkg/kubelet/nodelease), the node
// lifecycle controller (pkg/controller/nodelifecycle), taint-based
// eviction (pkg/controller/tainteviction) and the ReplicaSet controller
// (pkg/controller/replicaset), Kubernetes upstream.
//
// Objects other than Leases (Nodes, Pods) are kept by the cluster as the
// API would return them after the write that changed them committed;
// every such write goes through an apiserver to etcd (to one key per node
// and per workload), so it fails exactly when the API would refuse it.

// WorkerPlaneConfig describes the nodes and the workloads on them.
type WorkerPlaneConfig struct {
	Nodes     []NodeConfig
	Workloads []WorkloadConfig
	Lifecycle NodeLifecycleConfig
}

// NodeConfig is one node: a host whose kubelet registers it.
type NodeConfig struct {
	Host string
	// Endpoint is where its kubelet sends API requests: "lb" (the
	// control-plane endpoint; workers, and control-plane nodes before
	// kubeadm's ControlPlaneKubeletLocalMode), "local" or "all".
	Endpoint string
	// Schedulable: pods may be bound here (workers; control-plane nodes
	// carry kubeadm's NoSchedule taint).
	Schedulable bool
}

// WorkloadKind is what owns a workload's pods.
type WorkloadKind string

const (
	// ReplicaSetKind: the ReplicaSet controller replaces a pod as soon as
	// it has a deletion timestamp (IsPodActive).
	ReplicaSetKind WorkloadKind = "ReplicaSet"
	// BarePodKind: pods without a controller: an evicted pod is gone.
	BarePodKind WorkloadKind = "Pod"
)

// WorkloadConfig is a set of identical pods, running from the start,
// spread over the schedulable nodes in order.
type WorkloadConfig struct {
	Name     string
	Kind     WorkloadKind
	Replicas int
}

// NodeLifecycleConfig holds the node-side timings.
type NodeLifecycleConfig struct {
	// LeaseDuration is nodeLeaseDurationSeconds (40s); the kubelet renews
	// every quarter of it with 4% sliding jitter, each try bounded by
	// min(nodeStatusUpdateFrequency, duration) = 10s.
	LeaseDuration time.Duration
	// MonitorPeriod is --node-monitor-period (5s).
	MonitorPeriod time.Duration
	// GracePeriod is --node-monitor-grace-period: 40s up to Kubernetes
	// 1.31, 50s from 1.32.
	GracePeriod time.Duration
	// Toleration is the default not-ready/unreachable tolerationSeconds
	// (300s) after which the taint-eviction controller deletes a pod.
	Toleration time.Duration
	// EvictionRate is --node-eviction-rate, nodes tainted per second per
	// zone (0.1); a zone in partial disruption uses
	// SecondaryEvictionRate (0.01), or 0 when it has no more than
	// LargeClusterSize nodes (50). UnhealthyZoneThreshold is 0.55.
	EvictionRate           float64
	SecondaryEvictionRate  float64
	UnhealthyZoneThreshold float64
	LargeClusterSize       int
	// PodStartDelay is the typical time from a kubelet learning of a pod to
	// its container running (image present); each start draws 0.5–1.5× of
	// it. Default 2s.
	PodStartDelay time.Duration
	// SchedulerInitialBackoff and SchedulerMaxBackoff: a pod whose binding
	// failed waits 1s, doubling to 10s, before the next try.
	SchedulerInitialBackoff time.Duration
	SchedulerMaxBackoff     time.Duration
}

// Worker-plane defaults (the kubelet's and kube-controller-manager's
// flags, upstream).
const (
	DefaultNodeLeaseDuration       = 40 * time.Second
	DefaultNodeMonitorPeriod       = 5 * time.Second
	DefaultNodeGracePeriod         = 50 * time.Second // Kubernetes ≥ 1.32
	NodeGracePeriodBefore132       = 40 * time.Second
	DefaultTolerationSeconds       = 300 * time.Second
	DefaultNodeEvictionRate        = 0.1
	DefaultSecondaryEvictionRate   = 0.01
	DefaultUnhealthyZoneThreshold  = 0.55
	DefaultLargeClusterSize        = 50
	DefaultPodStartDelay           = 2 * time.Second
	DefaultSchedulerInitialBackoff = time.Second
	DefaultSchedulerMaxBackoff     = 10 * time.Second
	nodeLeaseJitter                = 0.04
	nodeLeaseMaxTries              = 5
)

// WithDefaults fills in upstream's defaults.
func (c NodeLifecycleConfig) WithDefaults() NodeLifecycleConfig {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&c.LeaseDuration, DefaultNodeLeaseDuration)
	def(&c.MonitorPeriod, DefaultNodeMonitorPeriod)
	def(&c.GracePeriod, DefaultNodeGracePeriod)
	def(&c.Toleration, DefaultTolerationSeconds)
	def(&c.PodStartDelay, DefaultPodStartDelay)
	def(&c.SchedulerInitialBackoff, DefaultSchedulerInitialBackoff)
	def(&c.SchedulerMaxBackoff, DefaultSchedulerMaxBackoff)
	if c.EvictionRate == 0 {
		c.EvictionRate = DefaultNodeEvictionRate
	}
	if c.SecondaryEvictionRate == 0 {
		c.SecondaryEvictionRate = DefaultSecondaryEvictionRate
	}
	if c.UnhealthyZoneThreshold == 0 {
		c.UnhealthyZoneThreshold = DefaultUnhealthyZoneThreshold
	}
	if c.LargeClusterSize == 0 {
		c.LargeClusterSize = DefaultLargeClusterSize
	}
	return c
}

// renewInterval is how often a kubelet renews its node Lease.
func (c NodeLifecycleConfig) renewInterval() time.Duration { return c.LeaseDuration / 4 }

// renewTimeout bounds one renewal: min(nodeStatusUpdateFrequency 10s,
// lease duration).
func (c NodeLifecycleConfig) renewTimeout() time.Duration {
	return min(10*time.Second, c.LeaseDuration)
}

// Node is a registered node: its kubelet's lease loop and the Node
// object's state as last written through the API.
type Node struct {
	Name string
	Host *fabric.Host
	cfg  NodeConfig
	idx  int // position in the worker plane's node list

	w        *WorkerPlane
	kubelet  *Kubelet
	leaseKey uint32
	objKey   uint32

	// Kubelet side (volatile: reset when the kubelet starts).
	client  *fabric.RPCClient
	reqs    apiRequests
	renew   *fabric.Timer
	tag     uint64
	tries   int
	synced  bool // reached the API since it started: it knows its pods
	failing bool // the last renewal failed (for the timeline)
	// sentAt is when the renewal in flight was sent; triedFrom when the
	// last one to end (well or not) was.
	sentAt, triedFrom sim.Time

	// The Node object.
	NotReady   bool
	tainted    bool
	taintWall  int64 // the taint's timeAdded, on the tainting controller's wall clock
	notReadyAt sim.Time
	notReadyT  time.Duration // total measured NotReady time
	notReadyN  int
}

// Pod is one pod of a workload (or a probe's pod).
type Pod struct {
	Name     string
	workload *workload
	node     *Node // nil while pending
	deleted  bool  // has a deletion timestamp
	running  bool
	created  sim.Time
	start    *fabric.Timer // the kubelet starting its container
	probe    *Probe        // a scheduling probe's pod
	probeTag uint64
	binding  bool     // a bind is in flight
	retryAt  sim.Time // scheduler back-off
	backoff  time.Duration
}

// workload is a workload's pods and its availability accounting.
type workload struct {
	cfg     WorkloadConfig
	key     uint32
	pods    []*Pod
	seq     int // pods ever created, for names
	created int // replacements created by the ReplicaSet controller

	Ready         int
	since         sim.Time
	Degraded      time.Duration // fewer ready than desired
	Down          time.Duration // none ready
	degradedSince sim.Time
}

// workerPlane is the cluster's worker plane.
type WorkerPlane struct {
	world      *fabric.World
	zones      []*fabric.Zone
	schedulers []*Controller // kube-scheduler candidates, woken when a pod is created
	cfg        NodeLifecycleConfig
	Nodes      []*Node
	Workloads  []*workload
	pending    []*Pod // unbound pods, in creation order
	stream     sim.Stream
	podSeq     uint64
}

func (c *Plane) BuildWorkers(cfg WorkerPlaneConfig, hosts map[string]*fabric.Host) {
	w := &WorkerPlane{world: c.World, zones: c.Zones, cfg: cfg.Lifecycle.WithDefaults(), stream: c.Sim.Stream("workers")}
	c.OnSkip(w.skip)
	for _, g := range c.Groups {
		if g.Name == GroupScheduler {
			w.schedulers = append(w.schedulers, g.Candidates...)
		}
	}
	c.Workers = w
	for _, nc := range cfg.Nodes {
		h := hosts[nc.Host]
		k := c.KubeletOf(h)
		n := &Node{Name: h.Name, Host: h, cfg: nc, w: w, kubelet: k, idx: len(w.Nodes),
			leaseKey: c.Key("/registry/leases/kube-node-lease/" + h.Name),
			objKey:   c.Key("/registry/minions/" + h.Name)}
		servers, resolve := c.apiEndpoints(nc.Endpoint, h)
		n.client = fabric.NewRPCClient(k.Proc, k.Proc.Name+"/api", servers, 0, 0, n.apiDone)
		n.client.LongLived(k.Proc.Name+"/api", ClientGoH2())
		n.client.Resolve = resolve
		c.TrimAtSkip(&n.reqs)
		n.renew = k.Proc.NewTimer(k.Proc.Name+"/node-lease", n.onRenew)
		k.node = n
		w.Nodes = append(w.Nodes, n)
	}
	var sched []*Node
	for _, n := range w.Nodes {
		if n.cfg.Schedulable {
			sched = append(sched, n)
		}
	}
	i := 0
	for _, wc := range cfg.Workloads {
		wl := &workload{cfg: wc, key: c.Key("/registry/pods/default/" + wc.Name)}
		for range wc.Replicas {
			p := w.newPod(wl)
			if len(sched) > 0 {
				p.node = sched[i%len(sched)]
				p.running = true
				i++
			}
		}
		wl.Ready = wl.count()
		w.Workloads = append(w.Workloads, wl)
	}
	for _, p := range w.allPods() {
		if p.node == nil {
			w.pending = append(w.pending, p)
		}
	}
	// The controllers run in the kube-controller-manager and
	// kube-scheduler leaders.
	for _, g := range c.Groups {
		if g.Name != GroupKCM && g.Name != GroupScheduler {
			continue
		}
		for _, k := range g.Candidates {
			servers, resolve := c.apiEndpoints(g.cfg.Endpoint, k.Proc.Host)
			k.loops = newCtrlLoops(k, w, g.Name == GroupKCM, servers, resolve)
			k.Elector.onStart = k.loops.start
		}
	}
}

func (w *WorkerPlane) newPod(wl *workload) *Pod {
	wl.seq++
	p := &Pod{Name: fmt.Sprintf("%s-%d", wl.cfg.Name, wl.seq), workload: wl, created: w.world.Sim.Now()}
	wl.pods = append(wl.pods, p)
	return p
}

func (w *WorkerPlane) allPods() []*Pod {
	var ps []*Pod
	for _, wl := range w.Workloads {
		ps = append(ps, wl.pods...)
	}
	return ps
}

func (w *WorkerPlane) node(h *fabric.Host) *Node {
	for _, n := range w.Nodes {
		if n.Host == h {
			return n
		}
	}
	return nil
}

// count is the number of running pods without a deletion timestamp.
func (wl *workload) count() int {
	n := 0
	for _, p := range wl.pods {
		if p.running && !p.deleted {
			n++
		}
	}
	return n
}

// changed re-counts the ready pods and accounts the time since the last
// change.
func (w *WorkerPlane) changed(wl *workload) {
	now := w.world.Sim.Now()
	w.account(wl, now)
	wl.Ready = wl.count()
}

func (w *WorkerPlane) account(wl *workload, now sim.Time) {
	from := max(wl.since, w.world.MeasuredFrom())
	if w.world.Steady() && now > from {
		d := now.Sub(from)
		if wl.Ready < wl.cfg.Replicas {
			wl.Degraded += d
		}
		if wl.Ready == 0 && wl.cfg.Replicas > 0 {
			wl.Down += d
		}
	}
	wl.since = now
}

// settled reports whether the worker plane has reached the state it keeps
// until the next fault or repair. Every node is healthy (its host and
// kubelet up, Ready, untainted, synced, renewing its lease without
// failure) or written off, with no kubelet renewing its lease (its host or
// kubelet down, or its renewals failing), NotReady, and either tainted (if
// the node lifecycle controller keeps tainting) or untainted (if it does
// not: every zone fully disrupted, the master disruption mode, or a small
// zone partly disrupted). Every pod is where it stays: running on a
// healthy node; evicted (deleted) and not running; left on a written-off
// node the controller does not taint; or pending with no node the
// scheduler could pick. A ReplicaSet has created all its replacements
// (bare pods have none). What follows a worker's failure (the lease
// lapsing, NotReady, the taint, the evictions once the toleration has
// passed, the replacements) plays out over minutes while nothing else
// changes, so until it is over the worker plane is not taken for a fixed
// point, however quiet. Scheduling probes' pods come and go by design and
// are not looked at.
func (w *WorkerPlane) settled() bool {
	var states []zoneState // made at the first node not healthy
	var sizes []int
	var allFull bool
	healthy := make([]bool, len(w.Nodes))
	spared := make([]bool, len(w.Nodes)) // written off, never tainted
	schedulable := false
	for i, n := range w.Nodes {
		up := n.Host.Up() && n.kubelet.Proc.State() == fabric.Running
		healthy[i] = up && !n.NotReady && !n.tainted && !n.failing && n.synced
		schedulable = schedulable || healthy[i] && n.cfg.Schedulable
		if healthy[i] {
			continue
		}
		if !n.NotReady || up && !n.failing {
			return false // not NotReady yet, or a kubelet back that will renew
		}
		if states == nil {
			states, sizes, allFull = w.zoneStates()
		}
		zi := zoneIndex(w.zones, n.Host.Zone)
		taints := !allFull && w.taintRate(states[zi], sizes[zi]) > 0
		if n.tainted != taints {
			return false // a taint to add, or to remove
		}
		spared[i] = !taints
	}
	for _, p := range w.pending {
		if p.probe == nil && (schedulable || p.binding) {
			return false
		}
	}
	for _, wl := range w.Workloads {
		active := 0
		for _, p := range wl.pods {
			if !p.deleted {
				active++
			}
			switch {
			case p.binding:
				return false
			case p.node == nil: // pending: looked at above
			case p.deleted:
				// Evicted: on a written-off node it waits for a kubelet that
				// cannot confirm it; a node back from its outage dropped it
				// with the reboot (syncPods). Either way it stays as it is,
				// unless it still runs on a healthy node.
				if p.running && healthy[p.node.idx] {
					return false
				}
			case spared[p.node.idx]: // left where the controller evicts nothing
			case !p.running || !healthy[p.node.idx]:
				return false
			}
		}
		if wl.cfg.Kind == ReplicaSetKind && active != wl.cfg.Replicas {
			return false
		}
	}
	return true
}

// TriedSince reports whether every node whose kubelet runs has had a
// lease renewal sent at or after t come back, well or not: as a probe's
// request does, it shows what the kubelet finds now (a load balancer that
// died since its last renewal, say, which its node does not know yet).
func (w *WorkerPlane) TriedSince(t sim.Time) bool {
	for _, n := range w.Nodes {
		if n.Host.Up() && n.kubelet.Proc.State() == fabric.Running && n.triedFrom < t {
			return false
		}
	}
	return true
}

// skip accounts a skipped span: workloads short of ready pods and nodes
// marked NotReady stayed so through it.
func (w *WorkerPlane) skip(d time.Duration) {
	if !w.world.Steady() {
		return
	}
	for _, wl := range w.Workloads {
		if wl.Ready < wl.cfg.Replicas {
			wl.Degraded += d
		}
		if wl.Ready == 0 && wl.cfg.Replicas > 0 {
			wl.Down += d
		}
	}
	for _, n := range w.Nodes {
		if n.NotReady {
			n.notReadyT += d
		}
	}
}

func (w *WorkerPlane) Finish() {
	now := w.world.Sim.Now()
	for _, wl := range w.Workloads {
		w.account(wl, now)
	}
	for _, n := range w.Nodes {
		if n.NotReady {
			n.notReadyT += now.Sub(max(n.notReadyAt, w.world.MeasuredFrom()))
		}
	}
}

// --- the kubelet's side ---

// nodeStart runs when the kubelet starts: renew the lease at once.
func (n *Node) start() {
	n.client.Start()
	n.synced, n.tries, n.failing = false, 0, false
	n.renew.After(0)
}

// stop runs when the kubelet stops; if its host went down, so did the
// containers of its pods.
func (n *Node) stop() {
	n.synced = false
	if n.Host.Up() {
		return
	}
	for _, wl := range n.w.Workloads {
		stopped := 0
		for _, p := range wl.pods {
			if p.node == n {
				if p.start != nil {
					p.start.Stop()
				}
				if p.running {
					p.running = false
					stopped++
				}
			}
		}
		if stopped > 0 {
			n.w.changed(wl)
			n.w.world.Record(fabric.Record{Event: EvPodsStopped, Host: n.Name, Group: wl.cfg.Name,
				Reason: fmt.Sprintf("%d pod(s) of %s stopped with their host; %d of %d ready", stopped, wl.cfg.Name, wl.Ready, wl.cfg.Replicas)})
		}
	}
}

func (n *Node) wall() int64 {
	return int64(n.w.world.WallEpoch + n.Host.Clock.Wall(n.kubelet.Proc.Now()))
}

// onRenew is one try of the node lease update.
func (n *Node) onRenew() {
	n.tag++
	n.sentAt = n.w.world.Sim.Now()
	n.reqs.call(n.client, n.tag, VerbWrite,
		etcd.Op{Kind: etcd.OpPut, Key: n.leaseKey, Val: etcd.LeaseRecord{Holder: n.w.world.Identity(n.Name), DurationSec: int32(n.w.cfg.LeaseDuration / time.Second), Renew: n.wall()}},
		n.w.cfg.renewTimeout(), false)
}

func (n *Node) apiDone(tag uint64, _ *fabric.Message, err string) {
	if tag != n.tag {
		return
	}
	n.triedFrom = n.sentAt
	if err == "" {
		n.tries = 0
		if n.failing {
			n.failing = false
			n.w.world.Record(fabric.Record{Event: EvNodeLeaseOK, Host: n.Name, Proc: n.kubelet.Proc.Name, Reason: "node lease renewed again"})
		}
		if !n.synced {
			n.synced = true
			n.syncPods()
		}
		n.next()
		return
	}
	n.tries++
	if !n.failing && n.w.world.Steady() { // bootstrap failures are not news
		n.failing = true
		n.w.world.Record(fabric.Record{Event: EvNodeLeaseFailing, Host: n.Name, Proc: n.kubelet.Proc.Name,
			Reason: "node lease renewal fails: " + err})
	}
	if n.tries >= 2 {
		// From the second failed try of a round the kubelet closes every
		// connection its client dialled (k8s.io/component-helpers
		// apimachinery/lease/controller.go retryUpdateLease calls
		// onRepeatedHeartbeatFailure, which cmd/kubelet/app/server.go
		// wires to closeAllConns), so the next try dials afresh: through
		// the load balancer, possibly to another apiserver.
		n.client.CloseConns("connection closed by the kubelet after repeated heartbeat failures")
	}
	if n.tries < nodeLeaseMaxTries {
		n.renew.After(0) // retried at once
		return
	}
	n.tries = 0
	n.next()
}

// next arms the next renewal: the interval with sliding jitter.
func (n *Node) next() {
	u := n.w.stream.Sub("lease").Sub(n.Name).Float64(n.tag)
	n.renew.After(time.Duration(float64(n.w.cfg.renewInterval()) * (1 + nodeLeaseJitter*u)))
}

// syncPods starts the pods bound here that are not running; a pod deleted
// meanwhile is dropped (its containers are gone with the reboot).
func (n *Node) syncPods() {
	for _, wl := range n.w.Workloads {
		for _, p := range wl.pods {
			if p.node == n && !p.running && !p.deleted {
				n.startPod(p)
			}
		}
	}
}

// startPod starts a pod's container after the start delay.
func (n *Node) startPod(p *Pod) {
	k := n.kubelet
	if p.start == nil {
		p.start = k.Proc.NewTimer(k.Proc.Name+"/start-"+p.Name, func() { n.podStarted(p) })
	}
	if p.start.Pending() {
		return
	}
	n.w.podSeq++
	u := n.w.stream.Sub("podstart").Float64(n.w.podSeq)
	p.start.After(time.Duration(float64(n.w.cfg.PodStartDelay) * (0.5 + u)))
}

func (n *Node) podStarted(p *Pod) {
	if p.deleted || p.node != n || p.running {
		return
	}
	p.running = true
	wl := p.workload
	n.w.changed(wl)
	n.w.world.Record(fabric.Record{Event: EvPodStarted, Host: n.Name, Group: wl.cfg.Name,
		Reason: fmt.Sprintf("%s runs on %s; %d of %d ready", p.Name, n.Name, wl.Ready, wl.cfg.Replicas)})
}

// bound tells the node's kubelet, through its watch, of a pod bound to it.
func (n *Node) bound(p *Pod) {
	if n.kubelet.Proc.Running() && n.synced && p.workload != nil {
		n.startPod(p)
	}
}

// dropPending takes a pod out of the scheduling queue.
func (w *WorkerPlane) dropPending(p *Pod) {
	for i, q := range w.pending {
		if q == p {
			w.pending = append(w.pending[:i], w.pending[i+1:]...)
			return
		}
	}
}

// NodeResult is a node's Ready condition over the run.
type NodeResult struct {
	Name          string
	NotReady      time.Duration // measured time marked NotReady
	NotReadyCount int
	ReadyAtEnd    bool
}

// WorkloadResult is a workload's availability: its ready pods over time.
type WorkloadResult struct {
	Name     string
	Kind     WorkloadKind
	Replicas int
	// Degraded is the measured time with fewer ready pods than desired,
	// Down the time with none.
	Degraded, Down time.Duration
	// Replacements are pods the ReplicaSet controller created; Evicted
	// pods deleted by taint-based eviction.
	Replacements, Evicted int
	ReadyAtEnd            int
}

// Results are the nodes' and workloads' figures so far.
func (w *WorkerPlane) Results() ([]NodeResult, []WorkloadResult) {
	var nodes []NodeResult
	for _, n := range w.Nodes {
		nodes = append(nodes, NodeResult{Name: n.Name, NotReady: n.notReadyT, NotReadyCount: n.notReadyN, ReadyAtEnd: !n.NotReady})
	}
	var wls []WorkloadResult
	for _, wl := range w.Workloads {
		ev := 0
		for _, p := range wl.pods {
			if p.deleted {
				ev++
			}
		}
		wls = append(wls, WorkloadResult{Name: wl.cfg.Name, Kind: wl.cfg.Kind, Replicas: wl.cfg.Replicas,
			Degraded: wl.Degraded, Down: wl.Down, Replacements: wl.created, Evicted: ev, ReadyAtEnd: wl.Ready})
	}
	return nodes, wls
}
