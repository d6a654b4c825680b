package kube

import "hasim/model/fabric"

// Converged reports whether the control plane has settled into what the
// faults in force leave (none, for a healthy cluster), so that nothing in
// it changes until a fault or a repair: each component's view agrees with
// what it would find now and nothing is part-way to a threshold. The
// fabric's connections and request clients are at their fixed point
// (fabric.World.Converged); etcd's members follow leaders they reach
// (etcd.Etcd.Converged); no static pod waits for its restart or is
// part-way to a liveness restart; every apiserver has finished its start
// and its etcd health verdict agrees with its members; every elector polls
// or renews without a failed attempt; every load balancer's backends are
// up exactly when a check started now would pass, no forwarded request
// waits on an apiserver that cannot answer, and keepalived's master is the
// instance that outranks the others it hears. A cluster in that state may
// be skipped through: a crash not yet noticed, or a counter part-way to a
// threshold, would otherwise be noticed only after the skipped span.
func (c *Plane) Converged() bool {
	if !c.World.Converged() || !c.WorkersSettled() {
		return false
	}
	for _, k := range c.kubelets {
		if k != nil && !k.converged() {
			return false
		}
	}
	if c.Service != nil && !c.Service.converged() {
		return false
	}
	for _, a := range c.APIServers {
		if a.Proc.State() == fabric.Running && !a.converged() {
			return false
		}
	}
	for _, g := range c.Groups {
		for _, k := range g.Candidates {
			if k.Elector != nil && k.Proc.State() == fabric.Running && !k.Elector.converged() {
				return false
			}
		}
	}
	if c.Etcd != nil && !c.Etcd.Converged() {
		return false
	}
	if c.LB == nil {
		return true
	}
	for _, x := range c.LB.Proxies {
		if x.Proc.State() == fabric.Running && !x.converged() {
			return false
		}
	}
	for _, v := range c.LB.VRRPs {
		if v.Proc.State() == fabric.Running && !v.converged() {
			return false
		}
	}
	return true
}

// converged: every backend's state agrees with what its checks find now
// and no check is part-way to a threshold, and no forwarded request waits
// on a backend that cannot answer it (its host down or cut off, its
// apiserver stopped or frozen), which would fail at its timeout.
func (x *Proxy) converged() bool {
	for _, b := range x.backends {
		if b.up && b.failRun > 0 || !b.up && b.okRun > 0 {
			return false
		}
		if x.cfg.Kind != LBNginx && b.up != x.checkPasses(b) {
			return false // the next check starts a count to the threshold
		}
	}
	for i := range x.fwd {
		if f := &x.fwd[i]; !f.done && f.backend >= 0 && !x.answers(x.backends[f.backend]) {
			return false
		}
	}
	return true
}

// answers reports whether backend b's apiserver can answer the proxy now:
// it runs and is reachable.
func (x *Proxy) answers(b *backend) bool {
	return b.api.Proc.State() == fabric.Running && x.w.Net.Reachable(x.Proc.Host, b.api.Proc)
}

// checkPasses reports whether a health check of b started now would pass:
// the apiserver answers, and for an HTTP check it is ready (/readyz).
func (x *Proxy) checkPasses(b *backend) bool {
	return x.answers(b) && (x.cfg.Check == "tcp" || b.api.Ready())
}

// converged: the check script's state agrees with what it would find now
// and is not part-way to a threshold, and the instance is MASTER exactly
// when no instance that outranks it reaches it with its adverts.
func (v *VRRP) converged() bool {
	if !v.failed && v.fails > 0 || v.failed && v.oks > 0 {
		return false
	}
	if ok := v.proxy.Proc.State() == fabric.Running && v.proxy.Up() > 0; ok == v.failed {
		return false
	}
	return v.master == v.shouldLead()
}

// shouldLead reports whether the instance ends up MASTER if nothing
// changes: it is not in FAULT, and no running instance that is not in
// FAULT sends it adverts (no cut in between) with a higher priority, or
// with an equal one as MASTER already (keepalived leaves an equal
// master be).
func (v *VRRP) shouldLead() bool {
	if v.faulted() {
		return false
	}
	net := v.lb.w.Net
	for _, o := range v.lb.VRRPs {
		if o == v || o.Proc.State() != fabric.Running || o.faulted() || !o.Proc.Host.Up() ||
			net.Blocked(o.Proc.Host.Index(), v.Proc.Host.Index()) {
			continue
		}
		if o.prio() > v.prio() || o.prio() == v.prio() && o.master {
			return false
		}
	}
	return true
}

// converged: no static pod waits for its restart, and none is part-way to
// a liveness restart.
func (k *Kubelet) converged() bool {
	if k.Proc.State() != fabric.Running {
		return true
	}
	for _, sp := range k.pods {
		if sp.restart.Pending() || sp.failures > 0 && sp.proc.State() != fabric.Stopped {
			return false
		}
	}
	return true
}

// converged: the apiserver has finished its start, and its etcd health
// monitor's last verdict agrees with what its next read would find: etcd
// answers if one of its members runs and is reachable (with etcd
// converged, a running member leads or follows a leader it reaches).
func (a *APIServer) converged() bool {
	if !a.Started() {
		return false // part-way through its start
	}
	answers := false
	for _, p := range a.etcdProcs {
		if p.State() == fabric.Running && a.w.Net.Reachable(a.Proc.Host, p) {
			answers = true
			break
		}
	}
	return a.etcdOK == answers
}

// converged: the elector is polling for the lease, or leads with its
// current renew round failing nothing so far; not part-way through losing,
// releasing or handing over the lease (a round that has failed ends in a
// renewal or at its deadline).
func (e *Elector) converged() bool {
	switch e.state {
	case elAcquiring, elLeading:
		return true
	case elRenewing:
		return e.roundFail == ""
	}
	return false
}

// WorkersSettled reports whether the worker plane, if any, is settled:
// healthy, with nothing of a worker's failure still to play out
// (WorkerPlane.settled). Until it is, the cluster is neither converged
// nor steady after any quiet.
func (c *Plane) WorkersSettled() bool { return c.Workers == nil || c.Workers.settled() }
