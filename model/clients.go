package model

import (
	"slices"
	"strings"

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
