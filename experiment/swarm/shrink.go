package swarm

import (
	"slices"
	"strings"
	"time"

	"hasim/scenarios"
)

// ShrinkOptions bound a shrink.
type ShrinkOptions struct {
	Run RunOptions
	// MaxRuns bounds the candidate runs (0: 400).
	MaxRuns int
}

// Shrink makes a failing case smaller while it keeps failing the same way
// (the same Outcome.Signature): greedily, it drops faults, probes,
// workloads, workers, the load balancer, the control plane and hosts,
// resets tuned parameters to their defaults and cuts the horizon to just
// after the failure, re-running each candidate and keeping it if the
// failure stays. It returns the smallest case found and its outcome.
func Shrink(sc *scenarios.Scenario, failed Outcome, opt ShrinkOptions) (*scenarios.Scenario, Outcome, int) {
	if opt.MaxRuns == 0 {
		opt.MaxRuns = 400
	}
	if failed.Class == Hang {
		opt.MaxRuns = min(opt.MaxRuns, 8) // each run takes the whole deadline
	}
	want := failed.Signature()
	best, bestOut := clone(sc), failed
	runs := 0
	try := func(cand *scenarios.Scenario) bool {
		if runs >= opt.MaxRuns {
			return false
		}
		loaded, err := scenarios.Load("candidate.yaml", Marshal(cand))
		if err != nil {
			return false // not a valid scenario: not a candidate
		}
		runs++
		o := RunCase(loaded, opt.Run)
		if o.Signature() != want {
			return false
		}
		best, bestOut = loaded, o
		return true
	}
	for progress := true; progress && runs < opt.MaxRuns; {
		progress = false
		for _, step := range shrinkSteps {
			for i := 0; ; i++ {
				cand, ok := step(best, bestOut, i)
				if !ok {
					break
				}
				if cand != nil && try(cand) {
					progress = true
					i-- // the same position now holds the next item
				}
				if runs >= opt.MaxRuns {
					break
				}
			}
		}
	}
	return best, bestOut, runs
}

// A shrink step returns its i-th candidate (nil: none at i, try i+1), or
// false when it has no more.
type shrinkStep func(sc *scenarios.Scenario, o Outcome, i int) (*scenarios.Scenario, bool)

var shrinkSteps = []shrinkStep{
	shortenHorizon,
	dropFault,
	dropHost,
	dropControlPlane,
	dropLoadBalancer,
	dropList(func(sp *scenarios.Spec) int { return len(sp.Probes) }, func(sp *scenarios.Spec, i int) { sp.Probes = slices.Delete(sp.Probes, i, i+1) }),
	dropList(func(sp *scenarios.Spec) int { return len(sp.Workloads) }, func(sp *scenarios.Spec, i int) { sp.Workloads = slices.Delete(sp.Workloads, i, i+1) }),
	dropZone,
	simplify,
	plainHost,
}

// plainHost gives one host a perfect clock and the default disk.
func plainHost(sc *scenarios.Scenario, _ Outcome, i int) (*scenarios.Scenario, bool) {
	if i >= len(sc.Spec.Hosts) {
		return nil, false
	}
	if h := sc.Spec.Hosts[i]; h.Clock == nil && h.Disk == nil {
		return nil, true
	}
	c := clone(sc)
	c.Spec.Hosts[i].Clock, c.Spec.Hosts[i].Disk = nil, nil
	return c, true
}

func clone(sc *scenarios.Scenario) *scenarios.Scenario {
	var out scenarios.Scenario
	if err := scenarios.Decode("clone.yaml", Marshal(sc), &out); err != nil {
		panic("swarm: a marshalled scenario does not decode: " + err.Error())
	}
	return &out
}

// shortenHorizon cuts the horizon to just after the failure, then to
// half, dropping the faults that would start after it.
func shortenHorizon(sc *scenarios.Scenario, o Outcome, i int) (*scenarios.Scenario, bool) {
	h := sc.Spec.Horizon.D()
	var to time.Duration
	switch i {
	case 0:
		to = (o.At + time.Second).Truncate(time.Millisecond)
	case 1:
		to = (o.At + 10*time.Millisecond).Truncate(time.Millisecond)
	default:
		return nil, false
	}
	if to <= 0 || to >= h {
		return nil, true
	}
	c := clone(sc)
	c.Spec.Horizon = scenarios.HorizonOf(to)
	c.Spec.Faults = slices.DeleteFunc(c.Spec.Faults, func(f scenarios.FaultSpec) bool { return f.At.D() >= to })
	return c, true
}

func dropFault(sc *scenarios.Scenario, _ Outcome, i int) (*scenarios.Scenario, bool) {
	if i >= len(sc.Spec.Faults) {
		return nil, false
	}
	c := clone(sc)
	f := c.Spec.Faults[i]
	c.Spec.Faults = slices.Delete(c.Spec.Faults, i, i+1)
	if h, ok := strings.CutPrefix(f.Target, "host:"); ok && c.Spec.ControlPlane != nil && slices.Contains(c.Spec.ControlPlane.Joining, h) {
		// A join dropped: the master no longer joins, it is gone.
		removeHost(c, h)
	}
	return c, true
}

func dropList(n func(*scenarios.Spec) int, del func(*scenarios.Spec, int)) shrinkStep {
	return func(sc *scenarios.Scenario, _ Outcome, i int) (*scenarios.Scenario, bool) {
		if i >= n(&sc.Spec) {
			return nil, false
		}
		c := clone(sc)
		del(&c.Spec, i)
		return c, true
	}
}

// dropHost removes a host and everything on it or aimed at it.
func dropHost(sc *scenarios.Scenario, _ Outcome, i int) (*scenarios.Scenario, bool) {
	if i >= len(sc.Spec.Hosts) {
		return nil, false
	}
	c := clone(sc)
	removeHost(c, sc.Spec.Hosts[i].Name)
	return c, true
}

func removeHost(c *scenarios.Scenario, name string) {
	sp := &c.Spec
	not := func(s string) bool { return s == name }
	sp.Hosts = slices.DeleteFunc(sp.Hosts, func(h scenarios.HostSpec) bool { return h.Name == name })
	sp.Etcd.Members = slices.DeleteFunc(sp.Etcd.Members, not)
	if cp := sp.ControlPlane; cp != nil {
		cp.Masters = slices.DeleteFunc(cp.Masters, not)
		cp.Workers = slices.DeleteFunc(cp.Workers, not)
		cp.Joining = slices.DeleteFunc(cp.Joining, not)
		for _, lb := range []*scenarios.LoadBalancerSpec{cp.LoadBalancer, cp.ControlPlaneEndpoint} {
			if lb != nil {
				if i := slices.Index(lb.Hosts, name); i >= 0 {
					lb.Hosts = slices.Delete(lb.Hosts, i, i+1)
					if len(lb.Priorities) > i {
						lb.Priorities = slices.Delete(lb.Priorities, i, i+1)
					}
				}
			}
		}
	}
	sp.Probes = slices.DeleteFunc(sp.Probes, func(p scenarios.ProbeSpec) bool { return p.Host == name || p.Via == "apiserver:"+name })
	sp.Faults = slices.DeleteFunc(sp.Faults, func(f scenarios.FaultSpec) bool {
		return f.Target == "host:"+name || f.Peer == "host:"+name
	})
	if len(sp.Etcd.Members) == 0 {
		sp.Etcd.Members = nil // omitted, not an empty list
	}
	for i := range sp.Faults {
		if on := sp.Faults[i].On; on != nil && on.Match == name {
			on.Match = ""
		}
	}
}

// dropControlPlane keeps etcd alone.
func dropControlPlane(sc *scenarios.Scenario, _ Outcome, i int) (*scenarios.Scenario, bool) {
	if i > 0 || sc.Spec.ControlPlane == nil {
		return nil, false
	}
	c := clone(sc)
	sp := &c.Spec
	cp := sp.ControlPlane
	if len(sp.Etcd.Members) == 0 {
		sp.Etcd.Members = slices.DeleteFunc(slices.Clone(cp.Masters), func(h string) bool { return slices.Contains(cp.Joining, h) })
	}
	for _, h := range cp.Joining {
		removeHost(c, h)
	}
	sp.ControlPlane, sp.Workloads = nil, nil
	sp.Probes = slices.DeleteFunc(sp.Probes, func(p scenarios.ProbeSpec) bool { return p.Via != "" })
	return c, true
}

func dropLoadBalancer(sc *scenarios.Scenario, _ Outcome, i int) (*scenarios.Scenario, bool) {
	cp := sc.Spec.ControlPlane
	if i > 0 || cp == nil || (cp.LoadBalancer == nil && cp.ControlPlaneEndpoint == nil) {
		return nil, false
	}
	c := clone(sc)
	c.Spec.ControlPlane.LoadBalancer, c.Spec.ControlPlane.ControlPlaneEndpoint = nil, nil
	if c.Spec.ControlPlane.ControllersEndpoint == "lb" {
		c.Spec.ControlPlane.ControllersEndpoint = ""
	}
	return c, true
}

// dropZone removes a zone no host is in.
func dropZone(sc *scenarios.Scenario, _ Outcome, i int) (*scenarios.Scenario, bool) {
	if i >= len(sc.Spec.Zones) {
		return nil, false
	}
	z := sc.Spec.Zones[i].Name
	if slices.ContainsFunc(sc.Spec.Hosts, func(h scenarios.HostSpec) bool { return h.Zone == z }) {
		return nil, true
	}
	c := clone(sc)
	c.Spec.Zones = slices.Delete(c.Spec.Zones, i, i+1)
	c.Spec.Faults = slices.DeleteFunc(c.Spec.Faults, func(f scenarios.FaultSpec) bool { return f.Target == "zone:"+z || f.Peer == "zone:"+z })
	return c, true
}

// simplify resets one tuned parameter group at a time to its defaults.
func simplify(sc *scenarios.Scenario, _ Outcome, i int) (*scenarios.Scenario, bool) {
	edits := []func(sp *scenarios.Spec) bool{
		func(sp *scenarios.Spec) bool {
			changed := sp.Network != (scenarios.NetworkSpec{})
			sp.Network = scenarios.NetworkSpec{}
			return changed
		},
		func(sp *scenarios.Spec) bool {
			e := scenarios.EtcdSpec{Members: sp.Etcd.Members}
			changed := !equalEtcd(sp.Etcd, e)
			sp.Etcd = e
			return changed
		},
		func(sp *scenarios.Spec) bool {
			changed := false
			for i := range sp.Hosts {
				changed = changed || sp.Hosts[i].Clock != nil || sp.Hosts[i].Disk != nil
				sp.Hosts[i].Clock, sp.Hosts[i].Disk = nil, nil
			}
			return changed
		},
		func(sp *scenarios.Spec) bool {
			changed := false
			for i := range sp.Faults {
				f := &sp.Faults[i]
				changed = changed || f.On != nil || f.Name != ""
				f.On, f.Name = nil, ""
			}
			return changed
		},
		func(sp *scenarios.Spec) bool {
			changed := false
			for i := range sp.Faults {
				f := &sp.Faults[i]
				changed = changed || f.Peer != "" || f.OneWay
				f.Peer, f.OneWay = "", false
			}
			return changed
		},
		func(sp *scenarios.Spec) bool {
			changed := false
			for i := range sp.Probes {
				p := &sp.Probes[i]
				changed = changed || p.Period != 0 || p.Timeout != 0 || p.Endpoints != nil
				p.Period, p.Timeout, p.Endpoints = 0, 0, nil
			}
			return changed
		},
		func(sp *scenarios.Spec) bool {
			cp := sp.ControlPlane
			if cp == nil {
				return false
			}
			changed := cp.LeaderElection != nil || cp.APIServer != nil || cp.Kubelet != nil || cp.NodeLifecycle != nil ||
				cp.KubernetesVersion != "" || cp.ControllersEndpoint != "" || cp.CloudControllerManager
			cp.LeaderElection, cp.APIServer, cp.Kubelet, cp.NodeLifecycle = nil, nil, nil, nil
			cp.KubernetesVersion, cp.ControllersEndpoint, cp.CloudControllerManager = "", "", false
			return changed
		},
		func(sp *scenarios.Spec) bool {
			cp := sp.ControlPlane
			if cp == nil {
				return false
			}
			changed := false
			for _, lb := range []*scenarios.LoadBalancerSpec{cp.LoadBalancer, cp.ControlPlaneEndpoint} {
				if lb != nil {
					plain := scenarios.LoadBalancerSpec{Kind: lb.Kind, Hosts: lb.Hosts}
					changed = changed || !equalLB(*lb, plain)
					*lb = plain
				}
			}
			return changed
		},
		func(sp *scenarios.Spec) bool {
			changed := len(sp.Workloads) > 0 && sp.Workloads[0].Replicas > 1
			for i := range sp.Workloads {
				sp.Workloads[i].Replicas = 1
			}
			return changed
		},
	}
	if i >= len(edits) {
		return nil, false
	}
	c := clone(sc)
	if !edits[i](&c.Spec) {
		return nil, true
	}
	return c, true
}

func equalEtcd(a, b scenarios.EtcdSpec) bool { return string(mustYAML(a)) == string(mustYAML(b)) }

func equalLB(a, b scenarios.LoadBalancerSpec) bool { return string(mustYAML(a)) == string(mustYAML(b)) }
