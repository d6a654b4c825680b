package model

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"hasim/sim"

	"hasim/model/etcd"
	"hasim/model/fabric"
	"hasim/model/kube"
)

// Operations are what an operator does to the cluster, scripted like
// faults (at a time or on an event, in the fault list and table) but run
// until they succeed or give up instead of lasting a duration.
const (
	// FaultJoinControlPlane is kubeadm join --control-plane on the target
	// host, one of Config.Joining: the kubelet starts with the host's
	// control-plane static pods; with stacked etcd, kubeadm then adds the
	// host's member (as a learner from Kubernetes 1.29, EtcdLearnerMode),
	// starts it and promotes it once it is in sync.
	FaultJoinControlPlane FaultKind = "join-control-plane"
	// FaultRemoveEtcdMember is etcdctl member remove (or kubeadm reset's
	// removal of the local member) of the target host's etcd member, run
	// from another etcd host. A running removed member exits on its own.
	FaultRemoveEtcdMember FaultKind = "remove-etcd-member"
)

// IsOperation reports whether k is an operation (an operator's action that
// runs until done) rather than a fault.
func (k FaultKind) IsOperation() bool {
	return k == FaultJoinControlPlane || k == FaultRemoveEtcdMember
}

// kubeadm's etcd client (cmd/kubeadm/app/util/etcd/etcd.go and
// app/constants): every Cluster API call has its own 2 s deadline
// (etcdTimeout) and is polled every 500 ms (EtcdAPICallRetryInterval,
// measured from the previous attempt's start) for at most 2 min
// (the EtcdAPICall timeout).
const (
	KubeadmEtcdCallTimeout = 2 * time.Second
	KubeadmEtcdRetry       = 500 * time.Millisecond
	KubeadmEtcdPollTimeout = 2 * time.Minute
)

// opStep is where an operation is.
type opStep uint8

const (
	stepAdd opStep = iota
	stepPromote
	stepRemove
)

func (s opStep) String() string {
	switch s {
	case stepAdd:
		return "etcd member add"
	case stepPromote:
		return "etcd member promote"
	}
	return "etcd member remove"
}

// operation is a running join or removal: the operator's etcd client and
// the poll that drives it.
type operation struct {
	f      *Fault
	c      *Cluster
	target *fabric.Host // the host joined, or whose member is removed
	member *etcd.Member // the member added or removed; nil: nothing to do in etcd
	client *etcd.EtcdClient
	retry  *fabric.Timer

	step      opStep
	began     sim.Time      // the operation's start
	deadline  time.Duration // the current poll's end, on the client host's monotonic clock
	attemptAt time.Duration // the current attempt's start, on that clock
	attempts  int           // attempts of the current poll
	tries     []string      // the steps (add, promote) that needed retries, for the summary
	lastErr   string
}

// memberOn is the etcd member on host h, if any.
func (c *Cluster) memberOn(h *fabric.Host) *etcd.Member {
	for _, m := range c.Etcd.Members {
		if m.Proc.Host == h {
			return m
		}
	}
	return nil
}

// precheck says why an operation on hosts cannot start now ("" if it can).
func (f *Fault) precheck(hosts []*fabric.Host) string {
	h := hosts[0]
	switch f.Cfg.Kind {
	case FaultJoinControlPlane:
		if !h.Joining() {
			return fmt.Sprintf("%s has already joined the control plane", h.Name)
		}
		if !h.Up() {
			return fmt.Sprintf("%s is down: kubeadm cannot run there", h.Name)
		}
	case FaultRemoveEtcdMember:
		m := f.c.memberOn(h)
		if m == nil {
			return fmt.Sprintf("%s runs no etcd member", h.Name)
		}
		if f.c.operatorHost(m) == nil {
			return fmt.Sprintf("no other etcd host is up to run etcdctl member remove %s from", m.Name)
		}
	}
	return ""
}

// inCluster reports whether m is a member that has started and is still
// in the cluster's latest configuration.
func (c *Cluster) inCluster(m *etcd.Member, conf *etcd.Membership) bool {
	return m.Proc.Enabled() && !m.Left() && conf.Has(m.ID)
}

// operatorHost is where etcdctl runs to remove m: the first host, in
// configuration order, that is up and runs another member still in the
// cluster.
func (c *Cluster) operatorHost(m *etcd.Member) *fabric.Host {
	conf := c.Etcd.LatestConf()
	for _, o := range c.Etcd.Members {
		if o != m && c.inCluster(o, &conf) && o.Proc.Host.Up() {
			return o.Proc.Host
		}
	}
	return nil
}

// startOperation runs the operation f on its resolved host.
func (f *Fault) startOperation(h *fabric.Host) {
	c := f.c
	o := &operation{f: f, c: c, target: h, member: c.memberOn(h), began: c.Now()}
	switch f.Cfg.Kind {
	case FaultJoinControlPlane:
		o.kubeletStart()
		if o.member == nil || o.member.Proc.Enabled() {
			// External etcd: kubeadm has no etcd member to add.
			o.done(fmt.Sprintf("%s joined the control plane: its kubelet started the static pods", h.Name))
			return
		}
		o.step = stepAdd
		o.connect(h)
	case FaultRemoveEtcdMember:
		o.step = stepRemove
		o.connect(c.operatorHost(o.member))
	}
	o.poll()
}

// kubeletStart is kubeadm join's kubelet-start phase: the kubelet starts,
// and with it the static pods written by control-plane-prepare. The
// stacked etcd member waits for kubeadm's etcd phase.
func (o *operation) kubeletStart() {
	h := o.target
	h.SetJoining(false)
	for _, p := range h.Procs {
		if p.Role == fabric.RoleClient || (o.member != nil && p == o.member.Proc) {
			continue
		}
		p.Enable()
		how := "started by kubeadm join: a static pod of the kubelet"
		if p.Role == kube.RoleKubelet {
			how = "started by kubeadm join (kubelet-start)"
		}
		o.c.Record(fabric.Record{Event: fabric.EvProcStarted, Proc: p.Name, Host: h.Name, Fault: o.f.ID, Reason: how})
		p.Start()
	}
}

// connect creates the operator's etcd client on host from, with the
// members it can connect to now as endpoints (clientv3 blocks at dial
// until a connection is up and balances over the ready ones): the members
// still in the cluster, except the one removed.
func (o *operation) connect(from *fabric.Host) {
	c := o.c
	conf := c.Etcd.LatestConf()
	var ready, all []*etcd.Member
	for _, m := range c.Etcd.Members {
		if !c.inCluster(m, &conf) || (o.step == stepRemove && m == o.member) {
			continue
		}
		all = append(all, m)
		if c.Net.Reachable(from, m.Proc) {
			ready = append(ready, m)
		}
	}
	if len(ready) == 0 {
		ready = all
	}
	name := fmt.Sprintf("kubeadm-join-%s", o.target.Name)
	if o.step == stepRemove {
		name = fmt.Sprintf("etcdctl-remove-%s", o.member.Name)
	}
	if i := slices.IndexFunc(c.Procs, func(p *fabric.Process) bool { return p.Name == name }); i >= 0 {
		name = fmt.Sprintf("%s-%d", name, o.f.ID)
	}
	o.client = c.Etcd.NewClient(name, from, ready...)
	o.client.OnStop = func() { o.fail(fmt.Sprintf("%s went down with its host %s", name, from.Name)) }
	o.retry = o.client.Proc.NewTimer(name+"/poll", o.attempt)
}

// poll starts a poll of the current step: its first attempt now.
func (o *operation) poll() {
	o.attempts, o.lastErr = 0, ""
	o.deadline = o.client.Proc.Mono() + KubeadmEtcdPollTimeout
	o.attempt()
}

func (o *operation) attempt() {
	o.attemptAt = o.client.Proc.Mono()
	o.attempts++
	m, k := o.member, o.client
	switch o.step {
	case stepAdd:
		why := fmt.Sprintf("kubeadm join --control-plane on %s", o.target.Name)
		k.MemberAdd(m, !o.f.Cfg.AddAsVoter, why, KubeadmEtcdCallTimeout, o.answered)
	case stepPromote:
		k.MemberPromote(m, fmt.Sprintf("kubeadm join on %s, once the learner caught up", o.target.Name), KubeadmEtcdCallTimeout, o.answered)
	case stepRemove:
		k.MemberRemove(m, fmt.Sprintf("etcdctl member remove %s, from %s", m.Name, k.Proc.Host.Name), KubeadmEtcdCallTimeout, o.answered)
	}
}

// answered takes an attempt's answer. The errors that mean the step was
// already done (kubeadm checks the member list first) count as success.
func (o *operation) answered(err string) {
	ok := err == "" ||
		(o.step == stepAdd && err == etcd.ErrMemberExists) ||
		(o.step == stepPromote && err == etcd.ErrMemberNotLearner) ||
		(o.step == stepRemove && err == etcd.ErrMemberNotFound)
	if !ok {
		if err != o.lastErr {
			// Told once per poll and error: the first refusal, or a new one.
			r := o.record(EvOpRetrying)
			r.Reason = fmt.Sprintf("%s refused: %s; retrying every %v for up to %v", o.step, err, KubeadmEtcdRetry, KubeadmEtcdPollTimeout)
			o.c.Record(r)
		}
		o.lastErr = err
		next := max(o.attemptAt+KubeadmEtcdRetry, o.client.Proc.Mono())
		if next >= o.deadline {
			o.fail(fmt.Sprintf("%s gave up after %v (%d attempts); last error: %s", o.step, KubeadmEtcdPollTimeout, o.attempts, err))
			return
		}
		o.retry.AtMono(next)
		return
	}
	if o.attempts > 1 {
		o.tries = append(o.tries, fmt.Sprintf("%s needed %d attempts (until then: %s)", o.step, o.attempts, o.lastErr))
	}
	m := o.member
	switch o.step {
	case stepAdd:
		m.StartProcess(fmt.Sprintf("started by kubeadm join on %s: the etcd static pod, --initial-cluster-state=existing", o.target.Name))
		if o.f.Cfg.AddAsVoter {
			o.done(fmt.Sprintf("%s joined the control plane; %s was added as a voting member at once (kubeadm before 1.29)", o.target.Name, m.Name))
			return
		}
		o.step = stepPromote
		o.poll()
	case stepPromote:
		o.done(fmt.Sprintf("%s joined the control plane; %s votes", o.target.Name, m.Name))
	case stepRemove:
		o.done(fmt.Sprintf("%s is out of the cluster", m.Name))
	}
}

// done ends the operation successfully: what happened, how long it took
// and which steps had to be retried.
func (o *operation) done(what string) {
	f := o.f
	f.doneAt = o.c.Now()
	o.c.opsRunning--
	reason := fmt.Sprintf("%s, %v after it began", what, f.doneAt.Sub(o.began).Round(time.Millisecond))
	if len(o.tries) > 0 {
		reason += "; " + strings.Join(o.tries, " and ")
	}
	o.end(EvOpDone, reason)
}

// fail ends the operation unsuccessfully.
func (o *operation) fail(why string) {
	f := o.f
	f.doneAt, f.opErr = o.c.Now(), why
	o.c.opsRunning--
	o.end(EvOpFailed, why)
}

func (o *operation) end(event, reason string) {
	o.c.faultEnds(o.f)
	if o.client != nil {
		o.client.OnStop = nil
		o.client.Proc.Retire()
	}
	r := o.record(event)
	r.Reason = reason
	o.c.Record(r)
}

// record is a record of event about the operation, Reason to fill in.
func (o *operation) record(event string) fabric.Record {
	r := fabric.Record{Event: event, Fault: o.f.ID, Host: o.target.Name, Kind: string(o.f.Cfg.Kind)}
	if o.member != nil {
		r.Member = o.member.Name
	}
	return r
}
