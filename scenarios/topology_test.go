package scenarios

import (
	"fmt"
	"testing"
	"time"

	"hasim/model"
)

// topologyDoc is a 3-master control plane, stacked or external (then with
// three etcd hosts), one host per zone, HAProxy in zone c, and probes
// through the load balancer and straight to master-1's apiserver.
func topologyDoc(external bool, fault string) string {
	etcd := ""
	hosts := ""
	topo := "stacked"
	if external {
		topo = "external"
		hosts = "    - {name: etcd-host-1, zone: zone-a}\n    - {name: etcd-host-2, zone: zone-b}\n    - {name: etcd-host-3, zone: zone-c}\n"
		etcd = "    members: [etcd-host-1, etcd-host-2, etcd-host-3]\n"
	}
	return fmt.Sprintf(`apiVersion: hasim.dev/v1alpha1
kind: Scenario
metadata: {name: compare}
spec:
  seed: 1
  horizon: 150s
  zones: [{name: zone-a}, {name: zone-b}, {name: zone-c}]
  hosts:
    - {name: master-1, zone: zone-a}
    - {name: master-2, zone: zone-b}
    - {name: master-3, zone: zone-c}
    - {name: lb, zone: zone-c}
    - {name: client, zone: zone-b}
%s  etcd:
    version: "3.5"
%s  controlPlane:
    topology: %s
    masters: [master-1, master-2, master-3]
    loadBalancer: {kind: haproxy, hosts: [lb]}
  probes:
    - {name: api-writes, host: client, kind: write, via: lb}
    - {name: master-1-writes, host: client, kind: write, via: "apiserver:master-1"}
  faults:
    - %s
`, hosts, etcd, topo, fault)
}

func runDoc(t *testing.T, doc string, seed uint64) model.Result {
	t.Helper()
	s, err := Load("compare.yaml", []byte(doc))
	if err != nil {
		t.Fatalf("%v\n%s", err, doc)
	}
	cfg := s.Config()
	cfg.Seed = seed
	r, err := model.Simulate(cfg, model.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Violations) > 0 {
		t.Fatal(r.Violations)
	}
	return r
}

func probe(r model.Result, name string) model.ProbeResult {
	for _, p := range r.Probes {
		if p.Name == name {
			return p
		}
	}
	return model.ProbeResult{}
}

func apiReady(r model.Result, host string) time.Duration {
	for _, a := range r.APIServers {
		if a.Host == host {
			return a.Ready.Duration()
		}
	}
	return 0
}

// TestStackedVersusExternal runs the same faults on a stacked and an
// external-etcd control plane (3 masters each) and checks that the results
// differ exactly where the mechanisms say:
//   - a master's crash: stacked loses an etcd member with it (an election
//     if it led), external etcd is untouched;
//   - an etcd host's crash: stacked loses that master's apiserver (its only
//     etcd endpoint is the local member), external keeps all three
//     apiservers serving through the surviving members;
//   - a master cut off from the other masters (but reachable by clients):
//     stacked, its apiserver's local member is in the minority and writes
//     through it fail; external, it still reaches the etcd hosts;
//   - a zone outage (one master, and an etcd host with external etcd):
//     both keep quorum and stay mostly available (external etcd less so:
//     each apiserver's client keeps the dead member in its rotation until
//     the gRPC keepalive (30 s + 10 s) catches it, so a third of the
//     /readyz probes time out and HAProxy drops live apiservers for a
//     while);
//   - the load balancer's crash: both lose the endpoint entirely, and in
//     both the controllers (on their local apiservers) keep their leases.
func TestStackedVersusExternal(t *testing.T) {
	const seeds = 4
	for seed := uint64(1); seed <= seeds; seed++ {
		// Master crash.
		fault := `{kind: host-crash, target: "host:master-1", at: 30s, duration: 60s}`
		st, ex := runDoc(t, topologyDoc(false, fault), seed), runDoc(t, topologyDoc(true, fault), seed)
		if ex.Faults[0].NewLeaderAfter >= 0 {
			t.Errorf("seed %d: external etcd held an election when a master crashed", seed)
		}
		if st.Faults[0].LeaderBefore == "etcd-1" && st.Faults[0].NewLeaderAfter < 0 {
			t.Errorf("seed %d: stacked: the crashed master's etcd leader was not replaced", seed)
		}

		// etcd host crash: master-2 in stacked, etcd-host-2 in external.
		st = runDoc(t, topologyDoc(false, `{kind: host-crash, target: "host:master-2", at: 30s, duration: 60s}`), seed)
		ex = runDoc(t, topologyDoc(true, `{kind: host-crash, target: "host:etcd-host-2", at: 30s, duration: 60s}`), seed)
		if r := apiReady(st, "master-2"); r > 95*time.Second {
			t.Errorf("seed %d: stacked: master-2's apiserver ready %v despite its host's crash", seed, r)
		}
		for _, h := range []string{"master-1", "master-2", "master-3"} {
			if r := apiReady(ex, h); r < 110*time.Second {
				t.Errorf("seed %d: external: %s's apiserver ready only %v while one etcd host was down", seed, h, r)
			}
		}

		// A master cut off from the other masters.
		fault = `{kind: partition, target: "host:master-1", peer: role:kube-apiserver, at: 30s, duration: 60s}`
		st, ex = runDoc(t, topologyDoc(false, fault), seed), runDoc(t, topologyDoc(true, fault), seed)
		if u := probe(st, "master-1-writes").Unavailable; u < 55*time.Second {
			t.Errorf("seed %d: stacked: writes through the cut-off master unavailable only %v of 60 s", seed, u)
		}
		if u := probe(ex, "master-1-writes").Unavailable; u > 2*time.Second {
			t.Errorf("seed %d: external: writes through the cut-off master unavailable %v", seed, u)
		}

		// Zone outage of zone a.
		fault = `{kind: zone-outage, target: "zone:zone-a", at: 30s, duration: 60s}`
		st, ex = runDoc(t, topologyDoc(false, fault), seed), runDoc(t, topologyDoc(true, fault), seed)
		for _, r := range []model.Result{st, ex} {
			if a := probe(r, "api-writes").Availability; a < 0.75 {
				t.Errorf("seed %d: API writes through the LB available %.1f%% during a one-zone outage", seed, a*100)
			}
		}

		// Load-balancer crash.
		fault = `{kind: host-crash, target: "host:lb", at: 30s, duration: 60s}`
		st, ex = runDoc(t, topologyDoc(false, fault), seed), runDoc(t, topologyDoc(true, fault), seed)
		for _, r := range []model.Result{st, ex} {
			if u := probe(r, "api-writes").Unavailable; u < 59*time.Second {
				t.Errorf("seed %d: API writes through a dead LB unavailable only %v of 60 s", seed, u)
			}
			for _, g := range r.Groups {
				if g.Acquisitions != 1 {
					t.Errorf("seed %d: %s changed leader when the LB died (controllers use their local apiserver)", seed, g.Name)
				}
			}
			if u := probe(r, "master-1-writes").Unavailable; u > time.Second {
				t.Errorf("seed %d: writes straight to master-1 unavailable %v with only the LB down", seed, u)
			}
		}
	}
}
