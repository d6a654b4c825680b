package model

import (
	"fmt"
	"slices"
	"time"

	"hasim/model/etcd"
	"hasim/model/fabric"
	"hasim/model/kube"
)

// nearestRank is the reference's percentile convention: the ⌈q·n⌉-th
// smallest value.
func nearestRank(xs []float64, q float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	k := int(q*float64(len(s))+0.999999) - 1
	return s[max(0, min(k, len(s)-1))]
}

type dist4 struct{ min, p50, p90, max float64 }

func summarize(xs []float64) dist4 {
	return dist4{nearestRank(xs, 0), nearestRank(xs, 0.5), nearestRank(xs, 0.9), nearestRank(xs, 1)}
}

func (d dist4) String() string {
	return fmt.Sprintf("%.0f / %.0f / %.0f / %.0f", d.min, d.p50, d.p90, d.max)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// etcdBench is the reference's etcd setup: 3 members on one machine (loopback
// latency, near-free fsync), heartbeat 100 ms, election timeout 1000 ms.
func etcdBench(seed uint64, version string, phase string, faults ...FaultConfig) Config {
	net := fabric.DefaultNetworkConfig()
	net.SameZone = fabric.Between(50*time.Microsecond, 150*time.Microsecond)
	fsync := fabric.Between(150*time.Microsecond, 300*time.Microsecond)
	return Config{
		Seed: seed, Horizon: 20 * time.Second, Zones: []string{"lab"},
		Hosts: []fabric.HostConfig{{Name: "m1", Zone: "lab", Fsync: fsync}, {Name: "m2", Zone: "lab", Fsync: fsync},
			{Name: "m3", Zone: "lab", Fsync: fsync}, {Name: "client", Zone: "lab", Fsync: fsync}},
		Network:     net,
		EtcdMembers: []string{"m1", "m2", "m3"},
		Etcd:        etcd.EtcdConfig{Version: version, TickPhase: phase},
		Probes:      []kube.ProbeConfig{{Name: "put", Host: "client", Kind: kube.ProbeWrite, Period: 20 * time.Millisecond}},
		Faults:      faults,
	}
}

// faultTime is the fault instant for a seed: well after the bootstrap
// election, at a random offset within a second so that it falls anywhere
// in the tick and heartbeat cycle.
func faultTime(seed uint64) time.Duration {
	return 6*time.Second + time.Duration((seed*7919)%1000)*time.Millisecond + time.Duration((seed*104729)%997)*time.Microsecond
}
