package kube

import "hasim/model/fabric"

// Converged reports whether the Kubernetes components have settled into
// what the faults in force leave, so that nothing they do changes until a
// repair: the fabric's connections and request clients at their fixed
// point (fabric.World.Converged), no static pod waiting for its restart or
// part-way to a liveness restart, no apiserver part-way through its start,
// and every load-balancer health check agreeing with the state it has
// already acted on (no backend and no keepalived check script part-way to
// its fall or rise threshold). A
// degraded cluster in that state may be skipped through: a counter
// part-way to a threshold would otherwise stand still over the skipped
// span and cross it too late.
func (c *Plane) Converged() bool {
	if !c.World.Converged() {
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
		if a.Proc.State() == fabric.Running && !a.Started() {
			return false // part-way through its start
		}
	}
	if c.LB == nil {
		return true
	}
	for _, x := range c.LB.Proxies {
		if x.Proc.State() != fabric.Running {
			continue
		}
		for _, b := range x.backends {
			if b.up && b.failRun > 0 || !b.up && b.okRun > 0 {
				return false
			}
		}
	}
	for _, v := range c.LB.VRRPs {
		if v.Proc.State() != fabric.Running {
			continue
		}
		if !v.failed && v.fails > 0 || v.failed && v.oks > 0 {
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
