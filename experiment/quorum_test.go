package experiment

import (
	"fmt"
	"time"

	"hasim/model"
)

// quorumConfig is an etcd-only cluster of n members run for horizon, one per host in
// three zones, whose hosts crash at exponential times of mean mtbf and
// are repaired after exponential times of mean mttr, with failover made
// fast: a 10 ms heartbeat and a 100 ms election timeout. A client on a
// host of its own (in no failure class) sends a linearizable read every
// 10 ms to all the members, each read retried on the next member until
// its 100 ms timeout; its keepalive declares a dead member's connection
// dead after 10 ms + 30 ms.
func quorumConfig(n int, seed uint64, horizon, mtbf, mttr time.Duration) model.Config {
	cfg := model.Config{
		Seed:    seed,
		Horizon: horizon,
		Zones:   []string{"a", "b", "c", "users"},
		Network: model.DefaultNetworkConfig(),
		Etcd:    model.EtcdConfig{Version: "3.5", HeartbeatInterval: 10 * time.Millisecond, ElectionTimeout: 100 * time.Millisecond},
		Failures: []model.FailureConfig{{Name: "host-crash", Class: model.ClassControlPlane,
			TBF: model.Exponential(mtbf), TTR: model.Exponential(mttr), Fault: model.FaultConfig{Kind: model.FaultHostCrash}}},
		Probes: []model.ProbeConfig{{Name: "quorum-reads", Host: "client", Kind: model.ProbeRead,
			Period: 10 * time.Millisecond, Timeout: 100 * time.Millisecond,
			KeepaliveTime: 10 * time.Millisecond, KeepaliveTimeout: 30 * time.Millisecond}},
	}
	for i := range n {
		h := fmt.Sprintf("etcd-host-%d", i+1)
		cfg.Hosts = append(cfg.Hosts, model.HostConfig{Name: h, Zone: cfg.Zones[i%3]})
		cfg.EtcdMembers = append(cfg.EtcdMembers, h)
	}
	cfg.Hosts = append(cfg.Hosts, model.HostConfig{Name: "client", Zone: "users"})
	return cfg
}
