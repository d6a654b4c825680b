package model

import (
	"testing"
	"time"

	"hasim/sim"

	"hasim/model/fabric"
	"hasim/model/kube"
)

// withWorkers adds three workers (one per zone) running a ReplicaSet of 6
// and 3 bare pods to the stacked 3-master cluster.
func withWorkers(seed uint64, horizon, grace time.Duration, masterEndpoint string) Config {
	cfg := stacked3(horizon)
	cfg.Seed = seed
	wp := &kube.WorkerPlaneConfig{Lifecycle: kube.NodeLifecycleConfig{GracePeriod: grace}}
	for _, m := range []string{"master-1", "master-2", "master-3"} {
		wp.Nodes = append(wp.Nodes, kube.NodeConfig{Host: m, Endpoint: masterEndpoint})
	}
	for i, z := range []string{"zone-a", "zone-b", "zone-c"} {
		w := []string{"worker-1", "worker-2", "worker-3"}[i]
		cfg.Hosts = append(cfg.Hosts, fabric.HostConfig{Name: w, Zone: z})
		wp.Nodes = append(wp.Nodes, kube.NodeConfig{Host: w, Endpoint: "lb", Schedulable: true})
	}
	wp.Workloads = []kube.WorkloadConfig{{Name: "web", Kind: kube.ReplicaSetKind, Replicas: 6}, {Name: "single", Kind: kube.BarePodKind, Replicas: 3}}
	cfg.Workers = wp
	return cfg
}

func runCluster(t *testing.T, cfg Config) (*Cluster, Result) {
	t.Helper()
	var c *Cluster
	r, err := Simulate(cfg, RunOptions{BeforeRun: func(b *Cluster) error { c = b; return nil }})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Violations) > 0 {
		t.Fatalf("seed %d: %v", cfg.Seed, r.Violations[0])
	}
	return c, r
}

func firstEvent(r Result, event, host string, after sim.Time) (sim.Time, bool) {
	for _, rec := range r.Timeline {
		if rec.Event == event && (host == "" || rec.Host == host) && rec.T >= after {
			return rec.T, true
		}
	}
	return 0, false
}

func countEvents(r Result, event string) int {
	n := 0
	for _, rec := range r.Timeline {
		if rec.Event == event {
			n++
		}
	}
	return n
}

// A dead worker is marked NotReady grace + (0..5 s) after its last lease
// renewal (which is up to ~10.4 s before the crash), tainted at once, and
// its pods are evicted 300 s after the taint; the ReplicaSet's are
// replaced on the surviving workers, the bare pod is not. The grace
// period is the one Kubernetes 1.32 changed.
func TestWorkerFailureEviction(t *testing.T) {
	for _, grace := range []time.Duration{kube.NodeGracePeriodBefore132, kube.DefaultNodeGracePeriod} {
		var sum time.Duration
		const seeds = 12
		for seed := uint64(1); seed <= seeds; seed++ {
			crash := 30*time.Second + time.Duration(seed)*731*time.Millisecond
			cfg := withWorkers(seed, crash+7*time.Minute, grace, "local")
			cfg.Faults = []FaultConfig{{Kind: FaultHostCrash, Target: Target{Kind: TargetHost, Name: "worker-3"}, At: crash}}
			_, r := runCluster(t, cfg)
			at := sim.At(crash)
			nr, ok := firstEvent(r, kube.EvNodeNotReady, "worker-3", at)
			if !ok {
				t.Fatalf("grace %v seed %d: worker-3 never NotReady", grace, seed)
			}
			d := nr.Sub(at)
			sum += d
			if d < grace-10500*time.Millisecond || d > grace+5200*time.Millisecond {
				t.Errorf("grace %v seed %d: NotReady %v after the crash, want grace-10.4s .. grace+5s", grace, seed, d)
			}
			taint, _ := firstEvent(r, kube.EvNodeTainted, "worker-3", at)
			evict, ok := firstEvent(r, kube.EvPodEvicted, "worker-3", at)
			if !ok || evict.Sub(taint) < kube.DefaultTolerationSeconds || evict.Sub(taint) > kube.DefaultTolerationSeconds+100*time.Millisecond {
				t.Errorf("grace %v seed %d: eviction %v after the taint, want 300 s", grace, seed, evict.Sub(taint))
			}
			for _, wl := range r.Workloads {
				switch wl.Kind {
				case kube.ReplicaSetKind:
					if wl.ReadyAtEnd != 6 || wl.Replacements != 2 || wl.Evicted != 2 {
						t.Errorf("grace %v seed %d: ReplicaSet %+v, want 2 evicted, 2 replaced, 6 ready", grace, seed, wl)
					}
				case kube.BarePodKind:
					if wl.ReadyAtEnd != 2 || wl.Replacements != 0 || wl.Evicted != 1 {
						t.Errorf("grace %v seed %d: bare pods %+v, want 1 evicted, none replaced, 2 ready", grace, seed, wl)
					}
				}
			}
			for _, n := range r.Nodes {
				if n.Name != "worker-3" && (n.NotReadyCount != 0 || !n.ReadyAtEnd) {
					t.Errorf("grace %v seed %d: healthy node %s was NotReady", grace, seed, n.Name)
				}
			}
		}
		mean := sum / seeds
		if mean < grace-6*time.Second || mean > grace {
			t.Errorf("grace %v: mean NotReady %v after the crash, want about grace - 5 s + 2.5 s", grace, mean)
		}
	}
}

// When the node dies together with the kube-controller-manager leader, the
// new leader gives every node a fresh grace period from its informer sync.
func TestFreshGraceAfterControllerFailover(t *testing.T) {
	for seed := uint64(1); seed <= 8; seed++ {
		cfg := withWorkers(seed, 4*time.Minute, kube.DefaultNodeGracePeriod, "local")
		// Find the KCM leader's host by a first run, then crash it with worker-1.
		c0, _ := runCluster(t, withWorkers(seed, 20*time.Second, kube.DefaultNodeGracePeriod, "local"))
		var leaderHost string
		for _, g := range c0.Groups {
			for _, k := range g.Candidates {
				if g.Name == kube.GroupKCM && k.Leading() {
					leaderHost = k.Proc.Host.Name
				}
			}
		}
		worker := map[string]string{"master-1": "worker-1", "master-2": "worker-2", "master-3": "worker-3"}[leaderHost]
		crash := 30 * time.Second
		cfg.Faults = []FaultConfig{{Kind: FaultZoneOutage, Target: Target{Kind: TargetZone, Name: map[string]string{"worker-1": "zone-a", "worker-2": "zone-b", "worker-3": "zone-c"}[worker]}, At: crash}}
		_, r := runCluster(t, cfg)
		var synced sim.Time
		for _, rec := range r.Timeline {
			if rec.Event == kube.EvCtrlSynced && rec.Group == kube.GroupKCM && rec.T > sim.At(crash) {
				synced = rec.T
				break
			}
		}
		nr, ok := firstEvent(r, kube.EvNodeNotReady, worker, sim.At(crash))
		if synced == 0 || !ok {
			t.Fatalf("seed %d: new KCM synced at %v, %s NotReady found %v", seed, synced, worker, ok)
		}
		if d := nr.Sub(synced); d < kube.DefaultNodeGracePeriod || d > kube.DefaultNodeGracePeriod+5200*time.Millisecond {
			t.Errorf("seed %d: NotReady %v after the new leader synced, want a fresh 50 s grace (+0..5 s)", seed, d)
		}
		if d := nr.Sub(sim.At(crash)); d < kube.DefaultNodeGracePeriod+10*time.Second {
			t.Errorf("seed %d: NotReady only %v after the crash: the takeover should come first", seed, d)
		}
	}
}

// Before kubeadm's ControlPlaneKubeletLocalMode every kubelet renews
// through the load balancer: losing it makes every node NotReady, every
// zone fully disrupted, and the controller stops tainting ("master
// disruption mode"), so nothing is evicted; the nodes come back when it
// does.
func TestLBLossIsMasterDisruption(t *testing.T) {
	for seed := uint64(1); seed <= 4; seed++ {
		cfg := withWorkers(seed, 5*time.Minute, kube.DefaultNodeGracePeriod, "lb")
		cfg.Faults = []FaultConfig{{Kind: FaultHostCrash, Target: Target{Kind: TargetHost, Name: "lb"}, At: 30 * time.Second, Duration: 3 * time.Minute}}
		_, r := runCluster(t, cfg)
		if n := countEvents(r, kube.EvNodeNotReady); n != 6 {
			t.Errorf("seed %d: %d NotReady marks, want all 6 nodes", seed, n)
		}
		if n := countEvents(r, kube.EvPodEvicted); n != 0 {
			t.Errorf("seed %d: %d evictions in master disruption mode", seed, n)
		}
		for _, n := range r.Nodes {
			if !n.ReadyAtEnd {
				t.Errorf("seed %d: %s still NotReady after the LB returned", seed, n.Name)
			}
		}
		for _, wl := range r.Workloads {
			if wl.Degraded != 0 {
				t.Errorf("seed %d: %s degraded %v though its pods kept running", seed, wl.Name, wl.Degraded)
			}
		}
	}
}

// Pods are scheduled only while an etcd quorum and a scheduler leader
// exist: with two of three masters down, the schedule probe fails.
func TestLeaderlessCannotSchedule(t *testing.T) {
	cfg := withWorkers(3, 150*time.Second, kube.DefaultNodeGracePeriod, "local")
	cfg.Probes = append(cfg.Probes, kube.ProbeConfig{Name: "scheduling", Host: "client", Kind: kube.ProbeSchedule, Via: "lb", Period: time.Second, Timeout: 10 * time.Second})
	cfg.Faults = []FaultConfig{
		{Kind: FaultHostCrash, Target: Target{Kind: TargetHost, Name: "master-1"}, At: 30 * time.Second, Duration: 60 * time.Second},
		{Kind: FaultHostCrash, Target: Target{Kind: TargetHost, Name: "master-2"}, At: 30 * time.Second, Duration: 60 * time.Second},
	}
	_, r := runCluster(t, cfg)
	p := r.Probes[len(r.Probes)-1]
	if p.Unavailable < 55*time.Second || p.Unavailable > 100*time.Second || p.OK < 40 {
		t.Errorf("scheduling probe %+v: want ~60-90 s of failures and success before and after", p)
	}
}

func TestWorkerPlaneDeterminism(t *testing.T) {
	run := func() string {
		cfg := withWorkers(9, 3*time.Minute, kube.DefaultNodeGracePeriod, "local")
		cfg.Faults = []FaultConfig{{Kind: FaultHostCrash, Target: Target{Kind: TargetHost, Name: "worker-2"}, At: 20 * time.Second}}
		c, _ := runCluster(t, cfg)
		return digestTimeline(c)
	}
	if a, b := run(), run(); a != b {
		t.Fatalf("two runs differ: %s vs %s", a, b)
	}
}
