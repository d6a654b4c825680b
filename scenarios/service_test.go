package scenarios

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"hasim/model"
	"hasim/sim"
)

// TestInClusterEndpoints: over several seeds, a master that stops
// refreshing its master lease (crashed, or cut off from the quorum)
// leaves the kubernetes Service's endpoints after its key expired (15 s
// after its last refresh, or 16 s after a new etcd leader's first commit)
// at the next 10 s round of another apiserver: 5-28 s after the fault,
// never before it, and every node's kube-proxy follows within its 1 s
// sync, or after its read in flight to the dead master through the load
// balancer times out (10 s) — except a kube-proxy whose long-lived
// connection went to the isolated master: that master answers its PINGs
// and fails its reads (its watch cache is stale), so the connection stays
// and the kube-proxy keeps the old endpoints until the connection breaks
// (the kubelet restarts the isolated apiserver, whose /livez fails). With the
// load balancer's address advertised, the endpoints never change.
func TestInClusterEndpoints(t *testing.T) {
	stuck := 0
	for _, name := range []string{"in-cluster-master-crash", "in-cluster-isolated-master"} {
		for seed := uint64(1); seed <= 4; seed++ {
			s, err := Resolve(name, nil)
			if err != nil {
				t.Fatal(err)
			}
			cfg := s.Config()
			cfg.Seed = seed
			// Where each kube-proxy's connection goes just after the fault.
			pinned := map[string]string{}
			r, err := model.Simulate(cfg, model.RunOptions{BeforeRun: func(c *model.Cluster) error {
				c.CalendarAt(sim.At(cfg.Faults[0].At).Add(time.Nanosecond), "test/pinned", func() {
					for _, k := range c.Service.Proxies {
						if h := k.ConnHost(c.LB); h != nil {
							pinned[k.Proc.Host.Name] = h.Name
						}
					}
				})
				return nil
			}})
			if err != nil {
				t.Fatal(err)
			}
			f := r.Faults[0]
			host := strings.Fields(f.Target)[0]
			rec, ok := find(r, 0, func(rec model.Record) bool { return rec.Event == model.EvServiceEndpoints })
			if !ok {
				t.Fatalf("%s seed %d: %s never left the endpoints", name, seed, host)
			}
			if strings.Contains(rec.Reason, host) || rec.Host == host {
				t.Errorf("%s seed %d: %s rewrote the endpoints to %s", name, seed, rec.Proc, rec.Reason)
			}
			between(t, seed, name+": endpoints without "+host, rec.T.Sub(f.At), 5*time.Second, 28*time.Second)
			followed := map[string]bool{}
			for _, p := range r.Timeline {
				if p.Event == model.EvProxyRules && p.T > rec.T && p.T <= rec.T.Add(11*time.Second+100*time.Millisecond) && p.Reason == rec.Reason {
					followed[p.Host] = true
				}
			}
			want := 4 // every node up: 4 or 5
			if name == "in-cluster-isolated-master" {
				for node, to := range pinned {
					if to != host || node == host {
						continue
					}
					want--
					stuck++
					if followed[node] {
						t.Errorf("%s seed %d: %s's kube-proxy, on the isolated %s, followed the endpoints", name, seed, node, host)
					}
					// Stale until the connection breaks: the kubelet restarts
					// the isolated apiserver once its /livez has failed 8
					// times 10 s apart, about 80 s into the cut.
					if p, ok := find(r, rec.T, func(p model.Record) bool { return p.Event == model.EvProxyRules && p.Host == node }); ok && p.T < f.At.Add(60*time.Second) {
						t.Errorf("%s seed %d: %s's kube-proxy, on the isolated %s, changed its rules at %v, %v after the cut", name, seed, node, host, p.T, p.T.Sub(f.At))
					}
				}
			}
			if len(followed) < want {
				t.Errorf("%s seed %d: %d kube-proxies followed within 11 s, want %d (every node up, less those on the isolated master)", name, seed, len(followed), want)
			}
		}
		r := runLibrary(t, name+"-lb-address", 1, nil)
		if _, ok := find(r, 0, func(rec model.Record) bool { return rec.Event == model.EvServiceEndpoints }); ok {
			t.Errorf("%s-lb-address: the one endpoint (the load balancer) changed", name)
		}
	}
	if stuck == 0 {
		t.Error("no kube-proxy's connection went to the isolated master in any seed: the stale case was not seen")
	}
	t.Logf("%d kube-proxies on the isolated master kept the old endpoints", stuck)
}

// TestKubeProxyRules: the forwarding is the node's: it stays when the
// kube-proxy process dies, goes with a reboot (nothing forwards then), and
// comes back at kube-proxy's first read after the boot. New connections
// spread over the endpoints at random.
func TestKubeProxyRules(t *testing.T) {
	s, err := Resolve("in-cluster-master-crash", nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg := s.Config()
	cfg.Faults = nil
	c, err := model.Build(cfg)
	if err != nil {
		t.Fatal(err)
	}
	run := func(d time.Duration) { c.Sim.Run(sim.Bounds{Until: sim.At(d)}) }
	h := c.Hosts[4]
	if h.Name != "worker-2" {
		t.Fatalf("host 4 is %s", h.Name)
	}
	k := c.Service.ProxyOn(h)
	run(10 * time.Second)
	if got := strings.Join(k.Rules(), ","); got != "master-1,master-2,master-3" {
		t.Fatalf("rules at 10s: %s", got)
	}
	seen := map[string]int{}
	for range 300 {
		seen[k.Dial().Host.Name]++
	}
	for _, m := range []string{"master-1", "master-2", "master-3"} {
		if seen[m] < 70 {
			t.Errorf("300 connections: %v, want each master about 100", seen)
		}
	}
	k.Proc.Kill()
	if len(k.Rules()) != 3 {
		t.Errorf("kube-proxy killed: rules %v, want them kept in the kernel", k.Rules())
	}
	h.Crash()
	if len(k.Rules()) != 0 || k.Dial() != nil {
		t.Errorf("host down: rules %v, want none", k.Rules())
	}
	run(20 * time.Second)
	h.Repair()
	h.Boot()
	if len(k.Rules()) != 0 {
		t.Errorf("just booted: rules %v, want none before kube-proxy reads the endpoints", k.Rules())
	}
	run(22 * time.Second)
	if len(k.Rules()) != 3 {
		t.Errorf("2 s after the boot: rules %v, want the endpoints again", k.Rules())
	}
}

// TestServiceJoiningMasters: a master that kubeadm joins later is not an
// endpoint before it runs; its apiserver adds itself at its first round
// after its /readyz passes, and in-cluster access never fails meanwhile.
func TestServiceJoiningMasters(t *testing.T) {
	r := runVersionDoc(t, `apiVersion: hasim.dev/v1alpha1
kind: Scenario
metadata:
  name: svc-join
spec:
  horizon: 60s
  zones: [{name: a}]
  hosts:
    - {name: m1, zone: a}
    - {name: m2, zone: a}
    - {name: m3, zone: a}
    - {name: w1, zone: a}
  controlPlane:
    topology: stacked
    masters: [m1, m2, m3]
    joining: [m2, m3]
    workers: [w1]
    controlPlaneEndpoint: {kind: kube-vip}
    kubernetesService: {}
  probes:
    - {name: in-cluster, host: w1, kind: write, via: service}
  faults:
    - {kind: join-control-plane, target: "host:m2", at: 10s}
    - {kind: join-control-plane, target: "host:m3", at: 20s}
`)
	var got []string
	for _, rec := range r.Timeline {
		if rec.Event == model.EvServiceEndpoints {
			got = append(got, fmt.Sprintf("%s after %s", rec.Reason, time.Duration(rec.T).Truncate(10*time.Second)))
		}
	}
	if want := "m1, m2 after 10s; m1, m2, m3 after 20s"; strings.Join(got, "; ") != want {
		t.Errorf("endpoints %q, want %q", strings.Join(got, "; "), want)
	}
	if p := r.Probes[0]; p.Failed > 0 {
		t.Errorf("in-cluster access failed %d times", p.Failed)
	}
}
