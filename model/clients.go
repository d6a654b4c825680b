package model

import (
	"slices"
	"strings"

	"hasim/model/fabric"
	"hasim/model/kube"
)

// validateZoneless checks that a host outside every zone (Zone "") runs
// nothing of the cluster: only clients (probes), the users, may be there.
func (cfg *Config) validateZoneless(bad func(string, ...any)) {
	for _, h := range cfg.Hosts {
		if h.Zone != "" {
			continue
		}
		var runs []string
		if slices.Contains(cfg.EtcdMembers, h.Name) {
			runs = append(runs, "an etcd member")
		}
		if slices.ContainsFunc(cfg.APIServers, func(a kube.APIServerConfig) bool { return a.Host == h.Name }) {
			runs = append(runs, "an apiserver")
		}
		if slices.ContainsFunc(cfg.Groups, func(g kube.LeaseGroupConfig) bool { return slices.Contains(g.Hosts, h.Name) }) {
			runs = append(runs, "a leader-elected controller")
		}
		if lb := cfg.LoadBalancer; lb != nil && slices.Contains(lb.Hosts, h.Name) {
			runs = append(runs, "the load balancer")
		}
		if w := cfg.Workers; w != nil && slices.ContainsFunc(w.Nodes, func(n kube.NodeConfig) bool { return n.Host == h.Name }) {
			runs = append(runs, "a node")
		}
		if len(runs) > 0 {
			bad("host %q is in no zone but runs %s: only clients (probes) may run outside the zones", h.Name, strings.Join(runs, " and "))
		}
	}
}

// validateService checks the kubernetes Service and the probes that reach
// the API through it: kube-proxy runs on defined hosts, and a probe via
// "service" runs on one of them.
func (cfg *Config) validateService(hosts map[string]bool, bad func(string, ...any)) {
	s := cfg.Service
	for _, p := range cfg.Probes {
		if p.Via != "service" {
			continue
		}
		if s == nil {
			bad("probe %q reaches the API through the kubernetes Service, which is not modelled", p.Name)
		} else if !slices.Contains(s.Nodes, p.Host) {
			bad("probe %q reaches the kubernetes Service from %q, which runs no kube-proxy (nodes: %s)", p.Name, p.Host, strings.Join(s.Nodes, ", "))
		}
	}
	if s == nil {
		return
	}
	if len(cfg.APIServers) == 0 {
		bad("the kubernetes Service needs apiservers")
	}
	if len(cfg.APIServers) > kube.MaxServiceMasters {
		bad("the kubernetes Service is modelled for at most %d apiservers, not %d", kube.MaxServiceMasters, len(cfg.APIServers))
	}
	if s.AdvertiseLB && (cfg.LoadBalancer == nil || cfg.LoadBalancer.Kind == kube.LBNone) {
		bad("the kubernetes Service: advertising the load balancer's address needs a load balancer")
	}
	if e := s.ProxyEndpoint; e != "" && e != "lb" && e != "all" {
		bad("the kubernetes Service: kube-proxy endpoint %q; allowed: lb, all", e)
	}
	if s.ReconcileInterval < 0 || s.LeaseTTL < 0 || s.ProxySync < 0 {
		bad("the kubernetes Service: reconcile interval, lease TTL and kube-proxy sync must not be negative")
	}
	for _, h := range s.Nodes {
		if !hosts[h] {
			bad("kube-proxy on host %q, which is not defined", h)
		}
	}
}

// managedLB reports whether the load balancer is a cloud provider's: a
// managed service on a host of its own (kube.CloudLBHost) that no fault
// reaches.
func (cfg *Config) managedLB() bool {
	return cfg.LoadBalancer != nil && cfg.LoadBalancer.Kind == kube.LBCloud
}

// managed reports whether h is the cloud load balancer's host: faults and
// failure processes pass it by (the managed service does not fail).
func (c *Cluster) managed(h *fabric.Host) bool {
	return c.cfg.managedLB() && h.Name == kube.CloudLBHost && h.Zone == nil
}

// validateCloudLB checks a cloud load balancer: no hosts of its own (the
// provider runs it), a known provider, thresholds and timings the
// providers allow.
func (cfg *Config) validateCloudLB(l kube.LoadBalancerConfig, hosts map[string]bool, bad func(string, ...any)) {
	if len(l.Hosts) > 0 {
		bad("load balancer cloud is run by the provider: it takes no hosts")
	}
	if hosts[kube.CloudLBHost] {
		bad("host %q is the cloud load balancer's: name the scenario's host otherwise", kube.CloudLBHost)
	}
	if !slices.Contains(kube.Providers(), l.Provider) {
		bad("load balancer cloud: provider %q; allowed: %s", l.Provider, strings.Join(kube.Providers(), ", "))
	}
	if l.Check != "tcp" && l.Check != "http" {
		bad("load balancer cloud: check %q; allowed: tcp, http", l.Check)
	}
	if l.Inter <= 0 || l.TimeoutCheck <= 0 || l.TimeoutCheck > l.Inter {
		bad("load balancer cloud: the check's timeout (%v) must be positive and at most its interval (%v)", l.TimeoutCheck, l.Inter)
	}
	if l.Rise < 1 || l.Fall < 1 {
		bad("load balancer cloud: thresholds must be at least 1")
	}
	if l.UnhealthyConnections != kube.UnhealthyKeep && l.UnhealthyConnections != kube.UnhealthyClose {
		bad("load balancer cloud: unhealthy connections %q; allowed: keep, close", l.UnhealthyConnections)
	}
	if l.UnhealthyDraining < 0 || l.IdleTimeout <= 0 {
		bad("load balancer cloud: draining must not be negative and the idle timeout must be positive")
	}
}
