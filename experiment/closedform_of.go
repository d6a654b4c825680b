package experiment

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"hasim/experiment/closedform"
	"hasim/model"
)

// ClosedForm is the closed form (package closedform) of a configuration
// with failure processes: the steady-state availability of its etcd
// quorum, API endpoint and writes if failover took no time, to print
// beside the simulated figures.
type ClosedForm struct {
	// Topology is what the configuration maps to: the hosts that carry
	// an etcd voter, an apiserver or the endpoint, with their zones and
	// failure rates, the zones with theirs, and the balancer.
	Topology closedform.Topology
	Result   closedform.Result
	// LeftOut names the failure classes that do not take a host or a zone
	// down, which the closed form leaves out, as "name (kind)", in the
	// configuration's order.
	LeftOut []string
	// Assumption says what the figures assume, in words a report prints
	// beside them.
	Assumption string
}

// ClosedFormOf maps cfg to a closedform.Topology and solves it.
//
// The hosts are those that carry, at the start of the run, an initial
// etcd member (a voter), a kube-apiserver or the endpoint; hosts that join
// later, workers and probe clients are left out (the closed form takes the
// clients to be always up). The endpoint follows the load balancer's kind:
//
//   - haproxy: a single balancer on the first proxy host (clients reach
//     the endpoint through it);
//   - keepalived: a failover group of the proxy hosts (one host: a single
//     balancer);
//   - kube-vip: a failover group of every apiserver host (one: single);
//   - cloud: a managed balancer that does not fail (no host of the
//     cluster's): the endpoint works while any apiserver does;
//   - none, or no load balancer: the clients fail over among every
//     apiserver, unless the first API probe is pinned to one apiserver
//     ("apiserver:HOST"), or there is one apiserver: then clients use
//     that one directly;
//   - no apiserver at all: an etcd-only cluster, with a quorum alone.
//
// Rates come from the failure processes that take a host or a zone down,
// with the means of their distributions (the closed form depends on the
// distributions only through their means): host-crash on host classes
// (control-plane, load-balancers, hosts, role:NAME, host:NAME) gives the
// hosts' rates; zone-outage (and host-crash on zone classes) the zones'.
// Where several classes hit one host (host-crash and lb-host-crash on a
// master that runs the proxy), their failure rates add and the repair
// time is their rate-weighted mean. A class with pick one spreads its
// arrivals over its n members: each fails at 1/n of the class's rate.
// Every other class (process crashes, kills and pauses, partitions, link faults,
// slow disks, clock faults, API faults, maintenance) is left out and
// listed in LeftOut.
func ClosedFormOf(cfg model.Config) (ClosedForm, error) {
	c, err := model.Build(cfg)
	if err != nil {
		return ClosedForm{}, err
	}
	byName := map[string]*model.FailureConfig{}
	for i := range cfg.Failures {
		byName[cfg.Failures[i].Name] = &cfg.Failures[i]
	}
	hostRates, zoneRates := map[string]*combined{}, map[string]*combined{}
	left := map[string]bool{}
	for _, st := range c.FailureStats() {
		f := byName[st.Failure]
		kind := f.Fault.Kind
		onZones := f.Class == model.ClassZones || strings.HasPrefix(f.Class, model.TargetZone+":")
		into := hostRates
		switch {
		case kind == model.FaultZoneOutage, kind == model.FaultHostCrash && onZones:
			into = zoneRates
		case kind == model.FaultHostCrash:
		default:
			left[f.Name] = true
			continue
		}
		members := []string{st.Member}
		if f.One {
			members = strings.Split(strings.TrimPrefix(st.Member, "one of "), ", ")
		}
		// Rates per hour; with pick one the class's arrivals spread evenly
		// over its members.
		rate := float64(time.Hour) / float64(f.TBF.MeanOf()) / float64(len(members))
		for _, m := range members {
			if into[m] == nil {
				into[m] = &combined{}
			}
			into[m].add(rate, f.TTR.MeanOf())
		}
	}

	topo := closedform.Topology{}
	for _, z := range cfg.Zones {
		topo.Zones = append(topo.Zones, closedform.Zone{Name: z, Rates: zoneRates[z].rates()})
	}
	joining := map[string]bool{}
	for _, h := range cfg.Joining {
		joining[h] = true
	}
	voters := map[string]bool{}
	for _, h := range cfg.EtcdMembers[:cfg.Etcd.InitialCount(len(cfg.EtcdMembers))] {
		voters[h] = true
	}
	apis := map[string]bool{}
	var apiHosts []string
	for _, a := range cfg.APIServers {
		if !joining[a.Host] && !apis[a.Host] {
			apis[a.Host] = true
			apiHosts = append(apiHosts, a.Host)
		}
	}
	lbs := map[string]bool{}
	direct := "" // the apiserver clients use directly (NoBalancer)
	switch lb := cfg.LoadBalancer; {
	case len(apis) == 0:
		topo.Balancer = closedform.NoBalancer
	case lb != nil && (lb.Kind == "" || lb.Kind == model.LBHAProxy || lb.Kind == model.LBNginx) && len(lb.Hosts) > 0:
		topo.Balancer, lbs[lb.Hosts[0]] = closedform.SingleBalancer, true
	case lb != nil && lb.Kind == model.LBKeepalived && len(lb.Hosts) > 0:
		for _, h := range lb.Hosts {
			lbs[h] = true
		}
		topo.Balancer = failoverOrSingle(len(lbs))
	case lb != nil && lb.Kind == model.LBCloud:
		topo.Balancer = closedform.ManagedBalancer // no host of the cluster's: it does not fail
	case lb != nil && lb.Kind == model.LBKubeVIP:
		for h := range apis {
			lbs[h] = true
		}
		topo.Balancer = failoverOrSingle(len(lbs))
	default: // none, or no load balancer
		topo.Balancer = closedform.ClientFailover
		if len(apiHosts) == 1 {
			topo.Balancer, direct = closedform.NoBalancer, apiHosts[0]
		}
		if i := slices.IndexFunc(cfg.Probes, func(p model.ProbeConfig) bool { return p.Via != "" }); i >= 0 {
			if h, ok := strings.CutPrefix(cfg.Probes[i].Via, "apiserver:"); ok && apis[h] {
				topo.Balancer, direct = closedform.NoBalancer, h
			}
		}
	}
	for _, hc := range cfg.Hosts {
		h := closedform.Host{Name: hc.Name, Zone: hc.Zone, Etcd: voters[hc.Name], APIServer: apis[hc.Name], LB: lbs[hc.Name],
			Rates: hostRates[hc.Name].rates()}
		if !h.Etcd && !h.APIServer && !h.LB {
			continue
		}
		if hc.Name == direct {
			// Clients of NoBalancer use the first apiserver: put it first.
			topo.Hosts = slices.Insert(topo.Hosts, 0, h)
			continue
		}
		topo.Hosts = append(topo.Hosts, h)
	}
	res, err := closedform.Solve(topo)
	if err != nil {
		return ClosedForm{}, err
	}
	out := ClosedForm{Topology: topo, Result: res}
	for _, f := range cfg.Failures {
		if left[f.Name] {
			out.LeftOut = append(out.LeftOut, fmt.Sprintf("%s (%s)", f.Name, f.Fault.Kind))
		}
	}
	out.Assumption = "instant failover; independent exponential failures and repairs with the classes' means"
	if len(out.LeftOut) > 0 {
		out.Assumption += "; leaves out: " + strings.Join(out.LeftOut, ", ")
	}
	return out, nil
}

func failoverOrSingle(n int) closedform.Balancer {
	if n >= 2 {
		return closedform.FailoverBalancers
	}
	return closedform.SingleBalancer
}

// combined is the failure classes that hit one host or zone: rates (per
// hour) add, and the repair time is their rate-weighted mean.
type combined struct {
	rate, weighted float64 // Σ λ, Σ λ·MTTR (hours)
}

func (c *combined) add(rate float64, mttr time.Duration) {
	c.rate += rate
	c.weighted += rate * mttr.Hours()
}

// rates is the closed form's Rates; a host or zone no class hits never
// fails (zero).
func (c *combined) rates() closedform.Rates {
	if c == nil || c.rate == 0 {
		return closedform.Rates{}
	}
	return closedform.Rates{
		MTBF: time.Duration(float64(time.Hour) / c.rate),
		MTTR: time.Duration(c.weighted / c.rate * float64(time.Hour)),
	}
}
