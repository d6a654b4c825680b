package kube

import (
	"fmt"
	"strings"
	"time"

	"hasim/model/etcd"
	"hasim/model/fabric"
)

// The start of a kube-apiserver, as upstream runs it (k8s.io/kubernetes
// cmd/kube-apiserver/app/server.go and staging/src/k8s.io/apiserver
// pkg/server):
//
//  1. init: the process starts and builds the server: flags, certificates,
//     the storage of every API group, admission and the OpenAPI spec. It
//     does not listen yet; a connection is refused. This is CPU work whose
//     length depends on the machine, not on a setting: InitTime.
//  2. dial: building the storage dials etcd and blocks until a connection
//     is up (the etcd client's grpc.WithBlock, with gRPC's reconnect
//     back-off), for at most 20s (storagebackend/factory/etcd3.go
//     dialTimeout); a dial that never succeeds ends the process ("Error
//     creating leases: ... context deadline exceeded") and its kubelet
//     restarts it. The watch caches start with the storage: each
//     reflector LISTs its resource from etcd (storage/cacher).
//  3. serving: the secure port listens and the post-start hooks run
//     (pkg/server/hooks.go RunPostStartHooks). The slow ones reconcile
//     bootstrap objects through the loopback client, after
//     wait.Poll(1s, 30s): their first attempt comes one second after
//     serving began, and a hook that has not succeeded after 30s fails,
//     which ends the process (klog.Fatalf in runPostStartHook):
//     rbac/bootstrap-roles reads every bootstrap cluster role, binding,
//     role and role binding in turn (pkg/registry/rbac/rest
//     EnsureRBACPolicy; about 130 objects), and
//     scheduling/bootstrap-system-priority-classes the two system
//     priority classes (pkg/registry/scheduling/rest AddSystemPriorityClasses).
//     Each read is a GET without resourceVersion: a quorum read from etcd.
//  4. ready: /readyz passes once the etcd checks pass, the informers are
//     synced (informer-sync: their lists come from the watch caches) and
//     every post-start hook finished.
//
// With a small cluster the time to ready is init, plus the hooks' one
// second wait, plus the sequential reads of rbac/bootstrap-roles; the
// watch caches' LISTs run beside them and cost little unless etcd holds
// many objects.

// apiPhase is where a kube-apiserver is in its start.
type apiPhase uint8

const (
	apiStopped  apiPhase = iota
	apiInit              // building the server; not listening
	apiDialling          // the storage dials etcd; not listening
	apiServing           // listening; post-start hooks may still run
)

// Start-up constants, hard-coded upstream.
const (
	// DefaultAPIInitTime is the typical time from the process's start to
	// its storage dialling etcd; each start draws from 0.75 to 1.25 of it.
	// It is CPU work (building every API group and the OpenAPI spec) that
	// upstream does not bound, so no upstream figure gives it. It is set
	// from a measurement: kube-apiserver v1.37 restarting on a 2-core
	// machine beside two other stacked masters passed /readyz 3.2 to
	// 4.3 s after its start (median 3.6 s); less the hooks' one-second
	// poll and their reads (about 1.2 s), that is a median init of 2.4 s.
	DefaultAPIInitTime = 2400 * time.Millisecond
	// DefaultAPIDialTimeout is the storage's etcd dial timeout
	// (storagebackend/factory/etcd3.go dialTimeout).
	DefaultAPIDialTimeout = 20 * time.Second
	// DefaultBootstrapReads is what rbac/bootstrap-roles reads in one
	// attempt: its two LISTs, then each bootstrap cluster role, cluster
	// role binding, role and role binding of plugin/pkg/auth/authorizer/
	// rbac/bootstrappolicy (about 70 + 45 + 7 + 7 in recent releases).
	DefaultBootstrapReads = 130
	// PostStartHookPoll and PostStartHookTimeout are the hooks'
	// wait.Poll(1*time.Second, 30*time.Second).
	PostStartHookPoll    = time.Second
	PostStartHookTimeout = 30 * time.Second
	// DefaultLoopbackCost is the apiserver's own work for one request of
	// its loopback client (the handler chain, conversion and encoding at
	// both ends), between one hook read and the next.
	DefaultLoopbackCost = time.Millisecond
	// DefaultEtcdReadyTimeout is --etcd-readycheck-timeout.
	DefaultEtcdReadyTimeout = 2 * time.Second
	// systemPriorityClasses is what scheduling/bootstrap-system-priority-
	// classes reads: system-node-critical and system-cluster-critical.
	systemPriorityClasses = 2
)

// postStartHook is a post-start hook that reconciles objects through the
// loopback client under wait.Poll.
type postStartHook struct {
	name    string
	reads   int           // sequential quorum reads of one attempt
	done    bool          // finished: its /readyz check passes
	started time.Duration // monotonic reading when it started
	left    int           // reads left in the attempt under way
	tag     uint64        // the read in flight, 0 if none
	timer   *fabric.Timer // the next attempt
}

// etcdCheck is one of the etcd checks of /livez and /readyz
// (storagebackend/factory/etcd3.go newETCD3Check): a quorum GET of
// /registry/health with a timeout, run by the request that asks for it,
// at most once per timeout/2 (rate.NewLimiter(rate.Every(timeout/2), 1));
// a request the limiter turns away gets the result of the last probe
// sent, at once.
type etcdCheck struct {
	name     string
	timeout  time.Duration
	used     bool          // a probe was ever allowed
	lastSent time.Duration // monotonic reading of the last probe allowed
	result   string        // the last stored result ("" passes)
	resultAt time.Duration // when the probe that stored it was sent
}

// allow is the limiter: one probe per timeout/2, burst 1.
func (c *etcdCheck) allow(now time.Duration) bool {
	if c.used && now-c.lastSent < c.timeout/2 {
		return false
	}
	c.used, c.lastSent = true, now
	return true
}

// store keeps err unless a later probe already stored its own.
func (c *etcdCheck) store(err string, sentAt time.Duration) {
	if sentAt >= c.resultAt {
		c.result, c.resultAt = err, sentAt
	}
}

// healthReq is a /readyz or /livez request being answered: it runs its
// checks in order (ping, log, etcd, etcd-readiness for /readyz,
// informer-sync, the post-start hooks, shutdown); only the etcd checks
// take time.
type healthReq struct {
	client *fabric.Process
	id     uint64
	verb   Verb
	next   int    // the next etcd check to run
	probe  uint64 // the probe it waits for, 0 if none
	sentAt time.Duration
	failed []string
}

// initStart begins the process's start: init, then the dial.
func (a *APIServer) initStart() {
	a.phase = apiInit
	a.synced, a.cacheTag = false, 0
	a.hooksLeft = len(a.hooks)
	for i := range a.hooks {
		h := &a.hooks[i]
		h.done, h.left, h.tag = false, 0, 0
	}
	a.healthReqs = a.healthReqs[:0]
	for i := range a.checks {
		a.checks[i] = etcdCheck{name: a.checks[i].name, timeout: a.checks[i].timeout, result: "etcd client connection not yet established"}
	}
	if !a.w.Steady() {
		// The run's bootstrap: the control plane is taken as installed and
		// started; the apiserver serves at once and is ready when etcd
		// first answers its health check. Measurements begin only then.
		a.synced, a.hooksLeft = true, 0
		for i := range a.hooks {
			a.hooks[i].done = true
		}
		a.serve()
		return
	}
	u := a.w.Sim.Stream("apiserver-init").Sub(a.Proc.Host.Name).Float64(a.Proc.Incarnation())
	a.startTimer.After(time.Duration(float64(a.cfg.InitTime) * (0.75 + u/2)))
}

// onStartTimer ends init, or retries the dial.
func (a *APIServer) onStartTimer() {
	now := a.Proc.Mono()
	if a.phase == apiInit {
		a.phase, a.dialFrom, a.dialWait = apiDialling, now, dialBackoffBase
	}
	if a.etcdReachable() {
		a.serve()
		return
	}
	if now-a.dialFrom >= a.cfg.DialTimeout {
		a.Proc.Exit(fmt.Sprintf("error creating storage: no etcd endpoint answered the dial within %v (context deadline exceeded)", a.cfg.DialTimeout))
		return
	}
	// gRPC's reconnect back-off, cut at the dial's deadline.
	a.startTimer.After(min(a.dialWait, a.dialFrom+a.cfg.DialTimeout-now))
	a.dialWait = min(time.Duration(float64(a.dialWait)*1.6), dialBackoffMax)
}

// gRPC's connection back-off (google.golang.org/grpc/backoff DefaultConfig).
const (
	dialBackoffBase = time.Second
	dialBackoffMax  = 120 * time.Second
)

// etcdReachable reports whether a TCP connection to one of the apiserver's
// etcd members would be accepted now.
func (a *APIServer) etcdReachable() bool {
	for _, m := range a.etcdProcs {
		if a.w.Net.Handshake(a.Proc, m) {
			return true
		}
	}
	return false
}

// serve opens the port: the etcd client is up, the watch caches list, the
// post-start hooks start and the health monitor runs.
func (a *APIServer) serve() {
	a.phase = apiServing
	a.etcd.Start()
	a.health.StartTicker(a.cfg.HealthTimeout/2, 0)
	if !a.synced {
		a.listCache()
	}
	now := a.Proc.Mono()
	for i := range a.hooks {
		if h := &a.hooks[i]; !h.done {
			h.started = now
			h.timer.After(PostStartHookPoll)
		}
	}
}

// listCache is the watch caches' initial LIST; a failed one is retried
// after a second (the reflector's back-off starts at 800ms).
func (a *APIServer) listCache() {
	a.nextTag++
	a.cacheTag = a.nextTag
	a.etcdReqs.Call(a.etcd, a.cacheTag, etcd.MsgClientRead, etcd.ClientMsg{Linearizable: true, Op: etcd.Op{Key: 0}}, a.cfg.RequestTimeout, true)
}

func (a *APIServer) cacheListed(err string) {
	a.cacheTag = 0
	if err != "" {
		a.cacheRetry.After(time.Second)
		return
	}
	a.synced = true
	a.updateReady("informers synced (the watch caches listed)")
}

// onHookTimer starts an attempt of hook i (its reads, one after another),
// or its next read once the last one's answer was handled.
func (a *APIServer) onHookTimer(i int) {
	h := &a.hooks[i]
	if h.left == 0 {
		h.left = h.reads
	}
	a.hookRead(h)
}

func (a *APIServer) hookRead(h *postStartHook) {
	a.nextTag++
	h.tag = a.nextTag
	a.etcdReqs.Call(a.etcd, h.tag, etcd.MsgClientRead, etcd.ClientMsg{Linearizable: true, Op: etcd.Op{Key: 0}}, a.cfg.RequestTimeout, true)
}

// hookReadDone continues hook h's attempt; a failed read ends the
// attempt, and the next one comes at the poll's next tick, unless the
// poll's timeout has passed: the hook fails and the process exits.
func (a *APIServer) hookReadDone(h *postStartHook, err string) {
	h.tag = 0
	if err == "" {
		h.left--
		if h.left > 0 {
			h.timer.After(a.cfg.LoopbackCost)
			return
		}
		h.done = true
		a.hooksLeft--
		a.updateReady("post-start hook " + h.name + " finished")
		return
	}
	h.left = 0
	now := a.Proc.Mono()
	since := now - h.started
	next := (since/PostStartHookPoll + 1) * PostStartHookPoll
	if next >= PostStartHookTimeout {
		a.Proc.Exit(fmt.Sprintf("post-start hook %q failed: timed out waiting for the condition (last read: %s)", h.name, err))
		return
	}
	h.timer.After(next - since)
}

// Serving reports whether the apiserver listens (its start reached the
// post-start hooks).
func (a *APIServer) Serving() bool { return a.Proc.Running() && a.phase == apiServing }

// Started reports whether the apiserver's start is over: it serves, its
// informers are synced and every post-start hook finished.
func (a *APIServer) Started() bool { return a.Serving() && a.synced && a.hooksLeft == 0 }

// updateReady sets readiness from the start's progress and the etcd health
// monitor; why is what changed, reported if readiness changes with it.
func (a *APIServer) updateReady(why string) {
	ok := a.Started() && a.etcdOK
	if ok == a.healthy {
		return
	}
	a.Account()
	a.healthy = ok
	if ok {
		a.everHealthy = true
		a.w.Record(fabric.Record{Event: EvAPIReady, Proc: a.Name, Host: a.Proc.Host.Name, Reason: why})
	} else {
		a.w.Record(fabric.Record{Event: EvAPIUnready, Proc: a.Name, Host: a.Proc.Host.Name, Reason: why})
	}
}

// healthRequest starts answering /readyz or /livez.
func (a *APIServer) healthRequest(client *fabric.Process, id uint64, verb Verb) {
	a.healthReqs = append(a.healthReqs, healthReq{client: client, id: id, verb: verb})
	a.runChecks(len(a.healthReqs) - 1)
}

// runChecks runs request k's remaining etcd checks until one needs a
// probe, then answers it.
func (a *APIServer) runChecks(k int) {
	r := &a.healthReqs[k]
	n := 1 // /livez: etcd only
	if r.verb == VerbReadyz {
		n = 2 // and etcd-readiness
	}
	now := a.Proc.Mono()
	for r.next < n {
		c := &a.checks[r.next]
		if !c.allow(now) {
			if c.result != "" {
				r.failed = append(r.failed, c.name+": "+c.result)
			}
			r.next++
			continue
		}
		a.nextTag++
		r.probe, r.sentAt = a.nextTag, now
		a.etcdReqs.Call(a.etcd, r.probe, etcd.MsgClientRead, etcd.ClientMsg{Linearizable: true, Op: etcd.Op{Key: 0}}, c.timeout, true)
		return
	}
	if !a.synced && r.verb == VerbReadyz {
		r.failed = append(r.failed, "informer-sync: not synced")
	}
	for i := range a.hooks {
		if !a.hooks[i].done {
			r.failed = append(r.failed, "poststarthook/"+a.hooks[i].name+": not finished")
		}
	}
	err := ""
	if len(r.failed) > 0 {
		err = "500: " + strings.Join(r.failed, "; ")
	}
	client, id := r.client, r.id
	a.healthReqs = append(a.healthReqs[:k], a.healthReqs[k+1:]...)
	a.reply(client, id, err, nil)
}

// probeDone stores the result of the probe of request k's current check
// and runs its next checks.
func (a *APIServer) probeDone(k int, err string) {
	r := &a.healthReqs[k]
	c := &a.checks[r.next]
	if err != "" {
		err = "error getting data from etcd: " + err
		r.failed = append(r.failed, c.name+": "+err)
	}
	c.store(err, r.sentAt)
	r.probe = 0
	r.next++
	a.runChecks(k)
}
