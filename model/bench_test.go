package model

import (
	"runtime"
	"testing"
	"time"

	"hasim/model/etcd"
	"hasim/model/fabric"
	"hasim/model/kube"
)

// stacked3 is a kubeadm-style stacked control plane: three masters in
// three zones (etcd, kube-apiserver, kube-controller-manager and
// kube-scheduler on each), HAProxy in front, API write and read probes
// through it, default timers everywhere, no faults. Renewals are left out
// of the timeline so that a long run's memory is the model's own.
func stacked3(horizon time.Duration) Config {
	masters := []string{"master-1", "master-2", "master-3"}
	cfg := Config{
		Seed: 1, Horizon: horizon, Zones: []string{"zone-a", "zone-b", "zone-c"},
		Hosts: []fabric.HostConfig{{Name: "master-1", Zone: "zone-a"}, {Name: "master-2", Zone: "zone-b"}, {Name: "master-3", Zone: "zone-c"},
			{Name: "lb", Zone: "zone-a"}, {Name: "client", Zone: "zone-b"}},
		Network:      fabric.DefaultNetworkConfig(),
		EtcdMembers:  masters,
		Etcd:         etcd.EtcdConfig{Version: "3.5"},
		LoadBalancer: &kube.LoadBalancerConfig{Kind: kube.LBHAProxy, Hosts: []string{"lb"}},
		Probes: []kube.ProbeConfig{{Name: "api-writes", Host: "client", Kind: kube.ProbeWrite, Via: "lb"},
			{Name: "api-reads", Host: "client", Kind: kube.ProbeRead, Via: "lb"}},
		SkipRenewals: true,
	}
	for i, m := range masters {
		cfg.APIServers = append(cfg.APIServers, kube.APIServerConfig{Host: m, Etcd: []string{[]string{"etcd-1", "etcd-2", "etcd-3"}[i]}})
	}
	for _, g := range []string{kube.GroupKCM, kube.GroupScheduler} {
		cfg.Groups = append(cfg.Groups, kube.LeaseGroupConfig{Name: g, Hosts: masters, Endpoint: "local"})
	}
	return cfg
}

// limitW1 runs the engine workload W1 on a plain binary heap with lazy
// cancellation, the same algorithm as the limit program, so the ratio of
// the model's rate to it can be taken in one run. It returns events/s.
func limitW1() float64 {
	type item struct {
		at  int64
		seq uint64
		ref int32
	}
	less := func(a, b *item) bool { return a.at < b.at || (a.at == b.at && a.seq < b.seq) }
	const n, total = 10_000, 10_000_000
	h := make([]item, 0, n)
	var seq uint64
	push := func(it item) {
		h = append(h, it)
		i := len(h) - 1
		for i > 0 {
			p := (i - 1) / 2
			if !less(&it, &h[p]) {
				break
			}
			h[i] = h[p]
			i = p
		}
		h[i] = it
	}
	pop := func() item {
		top := h[0]
		last := h[len(h)-1]
		h = h[:len(h)-1]
		i, m := 0, len(h)
		for m > 0 {
			c := 2*i + 1
			if c >= m {
				break
			}
			if c+1 < m && less(&h[c+1], &h[c]) {
				c++
			}
			if !less(&h[c], &last) {
				break
			}
			h[i] = h[c]
			i = c
		}
		if m > 0 {
			h[i] = last
		}
		return top
	}
	for i := range n {
		seq++
		push(item{int64(100_000 + i), seq, int32(i)})
	}
	start := time.Now()
	for fired := 0; fired < total; fired++ {
		it := pop()
		seq++
		push(item{it.at + 100_000 + int64(it.ref), seq, it.ref})
	}
	return total / time.Since(start).Seconds()
}

// BenchmarkStacked3Hour simulates one hour of the stacked 3-master control
// plane. It reports model events per second, the ratio to a W1 limit heap
// run in the same benchmark (target ≥ 0.25), and bytes allocated per event.
func BenchmarkStacked3Hour(b *testing.B) {
	limit := limitW1()
	var events uint64
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	b.ResetTimer()
	for b.Loop() {
		c, err := Build(stacked3(time.Hour))
		if err != nil {
			b.Fatal(err)
		}
		c.Run()
		events += c.Sim.Events()
	}
	b.StopTimer()
	runtime.ReadMemStats(&ms1)
	rate := float64(events) / b.Elapsed().Seconds()
	b.ReportMetric(rate, "events/s")
	b.ReportMetric(rate/limit, "xW1limit")
	b.ReportMetric(float64(ms1.TotalAlloc-ms0.TotalAlloc)/float64(events), "B/event")
}

// BenchmarkStacked3Retained reports the heap a run retains after 1 and 4
// simulated hours, and the growth per hour between them, which must stay
// near zero: logs compact, envelopes are pooled, probes keep only requests
// in flight.
func BenchmarkStacked3Retained(b *testing.B) {
	var at1, at4 float64
	for b.Loop() {
		c, err := Build(stacked3(4 * time.Hour))
		if err != nil {
			b.Fatal(err)
		}
		c.cfg.Horizon = time.Hour
		c.Run()
		at1 = retained()
		c.cfg.Horizon = 4 * time.Hour
		c.Run()
		at4 = retained()
		runtime.KeepAlive(c)
	}
	b.ReportMetric(at1, "heap-B@1h")
	b.ReportMetric(at4, "heap-B@4h")
	b.ReportMetric((at4-at1)/3, "heap-B/h")
}

func retained() float64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return float64(ms.HeapAlloc)
}

// slowReads is issue 9's quadratic case: etcd probes sending a read and a
// write every millisecond with 30 s timeouts while one member is cut off
// and another's fsyncs take 1–2 s, so tens of thousands of requests are
// outstanding in the clients, the members' pending reads and the leader's
// ReadIndex queue.
func slowReads(horizon time.Duration) Config {
	nodes := []string{"node-1", "node-2", "node-3"}
	return Config{
		Seed: 1, Horizon: horizon, Zones: []string{"a"},
		Hosts:       []fabric.HostConfig{{Name: "node-1", Zone: "a"}, {Name: "node-2", Zone: "a"}, {Name: "node-3", Zone: "a"}, {Name: "client", Zone: "a"}},
		Network:     fabric.DefaultNetworkConfig(),
		EtcdMembers: nodes,
		Probes: []kube.ProbeConfig{{Name: "reads", Host: "client", Kind: kube.ProbeRead, Period: time.Millisecond, Timeout: 30 * time.Second},
			{Name: "writes", Host: "client", Kind: kube.ProbeWrite, Period: time.Millisecond, Timeout: 30 * time.Second}},
		Faults: []FaultConfig{
			{Kind: FaultPartition, Target: Target{Kind: TargetHost, Name: "node-1"}, At: 5 * time.Second, Duration: 50 * time.Second},
			{Kind: FaultSlowDisk, Target: Target{Kind: TargetHost, Name: "node-2"}, At: 5 * time.Second, Duration: 50 * time.Second,
				Fsync: fabric.Between(time.Second, 2*time.Second)},
		},
		SkipRenewals: true,
	}
}

// BenchmarkSlowReads runs the slow-reads case for 15 s and for 60 s of
// simulated time and reports the CPU time of each and their ratio: linear
// cost gives a ratio near the ratio of events (about 5.4), a quadratic one
// far more (about 22 before outstanding work was kept in order).
func BenchmarkSlowReads(b *testing.B) {
	var short, long time.Duration
	var shortEv, longEv uint64
	for b.Loop() {
		for _, h := range []time.Duration{15 * time.Second, 60 * time.Second} {
			c, err := Build(slowReads(h))
			if err != nil {
				b.Fatal(err)
			}
			start := time.Now()
			c.Run()
			d := time.Since(start)
			if h == 15*time.Second {
				short, shortEv = short+d, shortEv+c.Sim.Events()
			} else {
				long, longEv = long+d, longEv+c.Sim.Events()
			}
		}
	}
	b.ReportMetric(float64(short.Milliseconds())/float64(b.N), "ms-15s")
	b.ReportMetric(float64(long.Milliseconds())/float64(b.N), "ms-60s")
	b.ReportMetric(float64(long)/float64(short), "time-ratio")
	b.ReportMetric(float64(longEv)/float64(shortEv), "event-ratio")
}
