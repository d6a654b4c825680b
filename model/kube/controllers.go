package kube

import (
	"fmt"
	"time"

	"hasim/sim"

	"hasim/model/etcd"
	"hasim/model/fabric"
)

// ctrlLoops are the controllers a kube-controller-manager or
// kube-scheduler runs while it leads (from OnStartedLeading until the
// process exits): they start with an informer sync, then act through
// their own API client on the same endpoints as the elector.
//
// Informers are modelled as reads from the apiserver's watch cache
// (VerbWatchGet): served while the cache is fresh, with the object as the
// apiserver's etcd member has applied it.
type CtrlLoops struct {
	k    *Controller
	w    *WorkerPlane
	api  *fabric.RPCClient
	reqs apiRequests
	kcm  bool // kube-controller-manager; else kube-scheduler

	active  bool
	synced  bool
	tick    *fabric.Timer // KCM: node monitor period; scheduler: back-off retries
	retry   *fabric.Timer // the informer sync's retry; KCM: the tainting pass
	evict   *fabric.Timer // KCM: the next taint-based eviction
	nextTag uint64
	calls   []ctrlCall

	// Node lifecycle controller (KCM), per node.
	probeTs   []time.Duration // own monotonic clock at the last observed renewal
	lastRenew []int64         // the lease's renewTime as last observed
	busy      []bool          // a write for the node is in flight
	syncLeft  int
	passLeft  int             // lease reads of the monitor pass still out
	lastTaint []time.Duration // per zone: the tainting rate limiter's last taint, on the controller's monotonic clock
	creating  []int           // per workload: creates in flight
}

type callKind uint8

const (
	callSync callKind = iota + 1
	callLease
	callNotReady
	callReady
	callTaint
	callUntaint
	callEvict
	callCreate
	callBind
)

// ctrlCall is an API call in flight and what it is for.
type ctrlCall struct {
	tag  uint64
	kind callKind
	node *Node
	pod  *Pod
	wl   *workload
}

// Worker-plane timeline events.
const (
	EvNodeLeaseFailing = "node.lease_failing" // a kubelet's node lease renewals started failing
	EvNodeLeaseOK      = "node.lease_ok"      // they succeed again
	EvNodeNotReady     = "node.not_ready"     // the node lifecycle controller marked a node NotReady (Unknown)
	EvNodeReady        = "node.ready"         // ... Ready again
	EvNodeTainted      = "node.tainted"       // the unreachable:NoExecute taint was added
	EvNodeUntainted    = "node.untainted"     // ... removed
	EvPodEvicted       = "pod.evicted"        // the taint-eviction controller deleted a pod
	EvPodCreated       = "pod.created"        // the ReplicaSet controller (or a probe) created a pod
	EvPodScheduled     = "pod.scheduled"      // the scheduler bound a pod to a node
	EvPodStarted       = "pod.started"        // a kubelet started a pod's container
	EvPodsStopped      = "pods.stopped"       // pods stopped with their host
	EvCtrlSynced       = "controller.synced"  // a new leader's informers synced: it acts from now
)

// syncRetry is the pause before a failed informer sync is retried (the
// reflector's first back-off, 0.8–1 s).
const syncRetry = time.Second

// Controller client bounds: a watch-cache read that has not answered in
// 10 s is retried by the next pass; writes have no client-side timeout in
// client-go, so the apiserver's 60 s request timeout answers first.
const (
	informerReadTimeout    = 10 * time.Second
	controllerWriteTimeout = 70 * time.Second
)

func newCtrlLoops(k *Controller, w *WorkerPlane, kcm bool, servers []*fabric.Process, resolve func(int) *fabric.Process) *CtrlLoops {
	l := &CtrlLoops{k: k, w: w, kcm: kcm}
	w.world.TrimAtSkip(&l.reqs)
	p := k.Proc
	l.api = fabric.NewRPCClient(p, p.Name+"/controllers", servers, 0, 0, l.apiDone)
	l.api.LongLived(p.Name+"/controllers", ClientGoH2())
	l.api.Resolve = resolve
	l.tick = p.NewTimer(p.Name+"/controllers-tick", l.onTick)
	l.retry = p.NewTimer(p.Name+"/controllers-retry", l.onRetry)
	l.evict = p.NewTimer(p.Name+"/taint-eviction", l.evictPass)
	n := len(w.Nodes)
	l.probeTs, l.lastRenew, l.busy = make([]time.Duration, n), make([]int64, n), make([]bool, n)
	l.lastTaint = make([]time.Duration, len(w.zones))
	l.creating = make([]int, len(w.Workloads))
	return l
}

func (l *CtrlLoops) world() *fabric.World { return l.w.world }

// start is OnStartedLeading: sync the informers, then act.
func (l *CtrlLoops) start() {
	l.api.Start()
	l.active, l.synced = true, false
	l.calls = l.calls[:0]
	clear(l.busy)
	clear(l.creating)
	l.sync()
}

// stop: the process is gone.
func (l *CtrlLoops) stop() { l.active, l.synced = false, false }

func (l *CtrlLoops) sync() {
	if l.kcm {
		l.syncLeft = len(l.w.Nodes)
		for _, n := range l.w.Nodes {
			l.call(ctrlCall{kind: callSync, node: n}, VerbWatchGet, etcd.Op{Key: n.leaseKey})
		}
		if l.syncLeft == 0 {
			l.synced = true
			l.afterSync()
		}
		return
	}
	l.syncLeft = 1
	l.call(ctrlCall{kind: callSync}, VerbWatchGet, etcd.Op{Key: 0})
}

func (l *CtrlLoops) onRetry() {
	if !l.active {
		return
	}
	if !l.synced {
		l.sync()
		return
	}
	l.taintPass()
}

func (l *CtrlLoops) call(cc ctrlCall, verb Verb, op etcd.Op) {
	l.nextTag++
	cc.tag = l.nextTag
	l.calls = append(l.calls, cc)
	timeout := informerReadTimeout
	if verb == VerbWrite {
		timeout = controllerWriteTimeout
	}
	l.reqs.call(l.api, cc.tag, verb, op, timeout, false)
}

func (l *CtrlLoops) wall() int64 {
	return int64(l.world().WallEpoch + l.k.Proc.Host.Clock.Wall(l.k.Proc.Now()))
}
func (l *CtrlLoops) mono() time.Duration {
	return l.k.Proc.Host.Clock.Mono(l.k.Proc.Now())
}

func (l *CtrlLoops) apiDone(tag uint64, res *fabric.Message, err string) {
	var cc ctrlCall
	found := false
	for i := range l.calls {
		if l.calls[i].tag == tag {
			cc, found = l.calls[i], true
			l.calls = append(l.calls[:i], l.calls[i+1:]...)
			break
		}
	}
	if !found || !l.active {
		return
	}
	ok := err == ""
	if cc.node != nil && cc.kind != callSync && cc.kind != callLease {
		l.busy[cc.node.index()] = false
	}
	switch cc.kind {
	case callSync:
		if !ok {
			l.syncLeft = -1 // retry the whole sync
			if !l.retry.Pending() {
				l.retry.After(syncRetry)
			}
			return
		}
		if l.kcm {
			i := cc.node.index()
			l.lastRenew[i] = apiBody(res).Val.Renew
		}
		l.syncLeft--
		if l.syncLeft == 0 && !l.synced {
			l.synced = true
			l.afterSync()
		}
	case callLease:
		if ok {
			l.observe(cc.node, apiBody(res).Val.Renew)
		}
		if l.passLeft--; l.passLeft == 0 {
			l.tick.After(l.w.cfg.MonitorPeriod)
		}
	case callNotReady:
		if ok && !cc.node.NotReady {
			n := cc.node
			n.NotReady, n.notReadyAt = true, l.k.Proc.Now()
			n.notReadyN++
			l.world().Record(fabric.Record{Event: EvNodeNotReady, Host: n.Name, Proc: l.k.Proc.Name,
				Reason: fmt.Sprintf("Kubelet stopped posting node status: no lease renewal seen for %v (grace period %v)",
					(l.mono() - l.probeTs[n.index()]).Round(time.Millisecond), l.w.cfg.GracePeriod)})
			l.taintPass()
		}
	case callReady:
		if ok && cc.node.NotReady {
			n := cc.node
			n.NotReady = false
			if l.world().Steady() {
				n.notReadyT += l.k.Proc.Now().Sub(max(n.notReadyAt, l.world().MeasuredFrom()))
			}
			wasTainted := n.tainted
			n.tainted = false
			l.world().Record(fabric.Record{Event: EvNodeReady, Host: n.Name, Proc: l.k.Proc.Name, Reason: "its lease is renewed again"})
			if wasTainted {
				l.world().Record(fabric.Record{Event: EvNodeUntainted, Host: n.Name, Proc: l.k.Proc.Name, Reason: "node Ready again"})
			}
		}
	case callTaint:
		if ok && !cc.node.tainted && cc.node.NotReady {
			n := cc.node
			n.tainted, n.taintWall = true, l.wall()
			l.world().Record(fabric.Record{Event: EvNodeTainted, Host: n.Name, Proc: l.k.Proc.Name,
				Reason: fmt.Sprintf("node.kubernetes.io/unreachable:NoExecute; pods without their own toleration are evicted after %v", l.w.cfg.Toleration)})
			l.armEvictLater()
		}
	case callUntaint:
		if ok && cc.node.tainted {
			cc.node.tainted = false
			l.world().Record(fabric.Record{Event: EvNodeUntainted, Host: cc.node.Name, Proc: l.k.Proc.Name,
				Reason: "every zone is fully disrupted: the controller stops evicting (master disruption mode)"})
		}
	case callEvict:
		p := cc.pod
		if ok && !p.deleted {
			p.deleted = true
			wl := p.workload
			l.w.changed(wl)
			what := "a bare pod: nothing recreates it"
			if wl.cfg.Kind == ReplicaSetKind {
				what = "its ReplicaSet no longer counts it"
			}
			l.world().Record(fabric.Record{Event: EvPodEvicted, Host: p.node.Name, Group: wl.cfg.Name, Proc: l.k.Proc.Name,
				Reason: fmt.Sprintf("%s deleted by taint-based eviction (%s); %d of %d ready", p.Name, what, wl.Ready, wl.cfg.Replicas)})
			l.reconcile(wl)
		}
	case callCreate:
		wi := l.workloadIndex(cc.wl)
		l.creating[wi]--
		if ok {
			wl := cc.wl
			p := l.w.newPod(wl)
			wl.created++
			l.world().Record(fabric.Record{Event: EvPodCreated, Group: wl.cfg.Name, Proc: l.k.Proc.Name,
				Reason: fmt.Sprintf("%s created by the ReplicaSet controller to replace a deleted pod", p.Name)})
			l.w.podCreated(p)
		}
	case callBind:
		p := cc.pod
		p.binding = false
		if ok && p.node == nil && !p.deleted {
			l.w.bound(p, cc.node, l.k.Proc.Name)
		} else if !ok {
			p.backoff = min(max(2*p.backoff, l.w.cfg.SchedulerInitialBackoff), l.w.cfg.SchedulerMaxBackoff)
			p.retryAt = l.k.Proc.Now().Add(l.k.Proc.Host.Clock.TrueDuration(p.backoff))
		}
		l.schedulePass()
	}
}

func (l *CtrlLoops) workloadIndex(wl *workload) int {
	for i, x := range l.w.Workloads {
		if x == wl {
			return i
		}
	}
	return -1
}

// afterSync: the new leader acts. The node lifecycle controller gives
// every node a fresh grace period (it has never seen them); the
// ReplicaSet controller reconciles; the scheduler takes the queue.
func (l *CtrlLoops) afterSync() {
	l.world().Record(fabric.Record{Event: EvCtrlSynced, Proc: l.k.Proc.Name, Group: l.k.Group.Name, Host: l.k.Proc.Host.Name,
		Reason: "informers synced: its controllers act from now"})
	if !l.kcm {
		l.schedulePass()
		return
	}
	now := l.mono()
	for i := range l.probeTs {
		l.probeTs[i] = now
	}
	l.world().NotePeriod(l.w.cfg.MonitorPeriod)
	l.tick.After(l.w.cfg.MonitorPeriod)
	for _, wl := range l.w.Workloads {
		l.reconcile(wl)
	}
	l.taintPass()
	l.evictPass() // taints an earlier leader added count from their timeAdded
}

func (l *CtrlLoops) onTick() {
	if !l.active || !l.synced {
		return
	}
	if !l.kcm {
		l.schedulePass()
		return
	}
	// monitorNodeHealth: read every node's lease from the informer, then
	// judge it. The next pass starts a period after this one ends
	// (wait.Until is sliding).
	l.passLeft = len(l.w.Nodes)
	if l.passLeft == 0 {
		l.tick.After(l.w.cfg.MonitorPeriod)
	}
	for _, n := range l.w.Nodes {
		l.call(ctrlCall{kind: callLease, node: n}, VerbWatchGet, etcd.Op{Key: n.leaseKey})
	}
	for _, wl := range l.w.Workloads {
		l.reconcile(wl) // creates that failed are retried at the next pass
	}
}

// observe is tryUpdateNodeHealth: the probe timestamp becomes the
// controller's own clock reading when the pass sees a renewTime later than
// the one it saved (so it trails the renewal by up to a period), then the
// node's Ready condition is judged against it.
func (l *CtrlLoops) observe(n *Node, renew int64) {
	i := n.index()
	if renew > l.lastRenew[i] {
		l.lastRenew[i] = renew
		l.probeTs[i] = l.mono()
	}
	if l.busy[i] {
		return
	}
	stale := l.mono() > l.probeTs[i]+l.w.cfg.GracePeriod
	switch {
	case stale && !n.NotReady:
		l.busy[i] = true
		l.call(ctrlCall{kind: callNotReady, node: n}, VerbWrite, etcd.Op{Kind: etcd.OpPut, Key: n.objKey})
	case !stale && n.NotReady:
		l.busy[i] = true
		l.call(ctrlCall{kind: callReady, node: n}, VerbWrite, etcd.Op{Kind: etcd.OpPut, Key: n.objKey})
	}
}

type zoneState uint8

const (
	zoneNormal zoneState = iota
	zonePartial
	zoneFull
)

// zoneStates classifies every zone with nodes as the node lifecycle
// controller does.
func (w *WorkerPlane) zoneStates() (states []zoneState, sizes []int, allFull bool) {
	zs := w.zones
	states, sizes = make([]zoneState, len(zs)), make([]int, len(zs))
	notReady := make([]int, len(zs))
	for _, n := range w.Nodes {
		zi := zoneIndex(zs, n.Host.Zone)
		sizes[zi]++
		if n.NotReady {
			notReady[zi]++
		}
	}
	allFull = true
	any := false
	for zi := range zs {
		if sizes[zi] == 0 {
			continue
		}
		any = true
		ready := sizes[zi] - notReady[zi]
		switch {
		case ready == 0 && notReady[zi] > 0:
			states[zi] = zoneFull
		case notReady[zi] > 2 && float64(notReady[zi])/float64(sizes[zi]) >= w.cfg.UnhealthyZoneThreshold:
			states[zi] = zonePartial
		}
		if states[zi] != zoneFull {
			allFull = false
		}
	}
	return states, sizes, allFull && any
}

// taintRate is how many NotReady nodes a second the controller taints in
// a zone of the state and size: none in a small zone partly disrupted.
func (w *WorkerPlane) taintRate(state zoneState, size int) float64 {
	if state != zonePartial {
		return w.cfg.EvictionRate
	}
	if size > w.cfg.LargeClusterSize {
		return w.cfg.SecondaryEvictionRate
	}
	return 0
}

// taintPass adds the NoExecute taint to NotReady nodes, rate-limited per
// zone; with every zone fully disrupted it removes the taints instead.
func (l *CtrlLoops) taintPass() {
	if !l.kcm || !l.synced {
		return
	}
	states, sizes, allFull := l.w.zoneStates()
	now := l.k.Proc.Mono()
	var wait time.Duration
	for _, n := range l.w.Nodes {
		i := n.index()
		if l.busy[i] {
			continue
		}
		if allFull {
			if n.tainted {
				l.busy[i] = true
				l.call(ctrlCall{kind: callUntaint, node: n}, VerbWrite, etcd.Op{Kind: etcd.OpPut, Key: n.objKey})
			}
			continue
		}
		if !n.NotReady || n.tainted {
			continue
		}
		zi := zoneIndex(l.w.zones, n.Host.Zone)
		rate := l.w.taintRate(states[zi], sizes[zi])
		if rate <= 0 {
			continue
		}
		gap := time.Duration(float64(time.Second) / rate)
		if last := l.lastTaint[zi]; last != 0 && now < last+gap {
			if w := last + gap; wait == 0 || w < wait {
				wait = w
			}
			continue
		}
		l.lastTaint[zi] = now
		l.busy[i] = true
		l.call(ctrlCall{kind: callTaint, node: n}, VerbWrite, etcd.Op{Kind: etcd.OpPut, Key: n.objKey})
	}
	if wait != 0 {
		l.retry.AtMono(wait)
	}
}

func (l *CtrlLoops) hasPods(n *Node) bool {
	for _, wl := range l.w.Workloads {
		for _, p := range wl.pods {
			if p.node == n && !p.deleted {
				return true
			}
		}
	}
	return false
}

func (l *CtrlLoops) evictPass() {
	if !l.active || !l.synced {
		return
	}
	now := l.wall()
	for _, n := range l.w.Nodes {
		if !n.tainted || now < n.taintWall+int64(l.w.cfg.Toleration) {
			continue
		}
		for _, wl := range l.w.Workloads {
			for _, p := range wl.pods {
				if p.node == n && !p.deleted && !l.inFlight(callEvict, p) {
					l.call(ctrlCall{kind: callEvict, pod: p}, VerbWrite, etcd.Op{Kind: etcd.OpPut, Key: wl.key})
				}
			}
		}
	}
	l.armEvictLater()
}

// armEvictLater arms the taint-eviction timer for the earliest tainted
// node whose pods are not yet due: the taint's timeAdded plus the
// toleration, on this controller's wall clock.
func (l *CtrlLoops) armEvictLater() {
	now := l.wall()
	var due int64
	have := false
	for _, n := range l.w.Nodes {
		d := n.taintWall + int64(l.w.cfg.Toleration)
		if n.tainted && d > now && l.hasPods(n) && (!have || d < due) {
			due, have = d, true
		}
	}
	if have {
		l.evict.After(time.Duration(due-now) + time.Millisecond)
	}
}

func (l *CtrlLoops) inFlight(kind callKind, p *Pod) bool {
	for _, cc := range l.calls {
		if cc.kind == kind && cc.pod == p {
			return true
		}
	}
	return false
}

// reconcile is the ReplicaSet controller: create pods until the active
// ones (no deletion timestamp) and the creates in flight make the
// desired count.
func (l *CtrlLoops) reconcile(wl *workload) {
	if !l.kcm || !l.synced || wl.cfg.Kind != ReplicaSetKind {
		return
	}
	active := 0
	for _, p := range wl.pods {
		if !p.deleted {
			active++
		}
	}
	wi := l.workloadIndex(wl)
	for ; active+l.creating[wi] < wl.cfg.Replicas; l.creating[wi]++ {
		l.call(ctrlCall{kind: callCreate, wl: wl}, VerbWrite, etcd.Op{Kind: etcd.OpPut, Key: wl.key})
	}
}

// schedulePass binds every pending pod whose back-off has passed to the
// Ready schedulable node with the fewest pods.
func (l *CtrlLoops) schedulePass() {
	if l.kcm || !l.active || !l.synced {
		return
	}
	now := l.k.Proc.Now()
	var next sim.Time
	for _, p := range l.w.pending {
		if p.binding || p.node != nil || p.deleted {
			continue
		}
		if p.retryAt > now {
			if next == 0 || p.retryAt < next {
				next = p.retryAt
			}
			continue
		}
		n := l.w.pickNode()
		if n == nil {
			p.backoff = min(max(2*p.backoff, l.w.cfg.SchedulerInitialBackoff), l.w.cfg.SchedulerMaxBackoff)
			p.retryAt = now.Add(l.k.Proc.Host.Clock.TrueDuration(p.backoff))
			if next == 0 || p.retryAt < next {
				next = p.retryAt
			}
			continue
		}
		p.binding = true
		key := uint32(0)
		if p.workload != nil {
			key = p.workload.key
		} else {
			key = p.probe.key
		}
		l.call(ctrlCall{kind: callBind, pod: p, node: n}, VerbWrite, etcd.Op{Kind: etcd.OpPut, Key: key})
	}
	if next != 0 {
		l.tick.At(next)
	}
}

// pickNode is the scheduler's choice: a Ready, untainted, schedulable
// node with the fewest bound pods; ties go to the first.
func (w *WorkerPlane) pickNode() *Node {
	var best *Node
	bestN := 0
	for _, n := range w.Nodes {
		if !n.cfg.Schedulable || n.NotReady || n.tainted {
			continue
		}
		k := 0
		for _, wl := range w.Workloads {
			for _, p := range wl.pods {
				if p.node == n && !p.deleted {
					k++
				}
			}
		}
		if best == nil || k < bestN {
			best, bestN = n, k
		}
	}
	return best
}

// podCreated queues a new pod and wakes the acting schedulers.
func (w *WorkerPlane) podCreated(p *Pod) {
	w.pending = append(w.pending, p)
	for _, k := range w.schedulers {
		if k.loops != nil {
			k.loops.schedulePass()
		}
	}
}

// bound records a committed binding.
func (w *WorkerPlane) bound(p *Pod, n *Node, by string) {
	p.node = n
	w.dropPending(p)
	if p.probe != nil {
		p.probe.podBound(p)
		return
	}
	w.world.Record(fabric.Record{Event: EvPodScheduled, Host: n.Name, Group: p.workload.cfg.Name, Proc: by,
		Reason: fmt.Sprintf("%s bound to %s, %v after it was created", p.Name, n.Name, w.world.Sim.Now().Sub(p.created))})
	n.bound(p)
}

func (n *Node) index() int { return n.idx }

// zoneIndex is z's index in zs, or -1.
func zoneIndex(zs []*fabric.Zone, z *fabric.Zone) int {
	for i, x := range zs {
		if x == z {
			return i
		}
	}
	return -1
}
