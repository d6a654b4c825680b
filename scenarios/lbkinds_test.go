package scenarios

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"hasim/model"
)

// topo is one of the seed documents' topologies.
type topo struct {
	name     string
	masters  []string
	workers  []string
	etcd     []string // empty: stacked
	zonesFor func(host string) string
}

func topologies() []topo {
	abc := func(h string) string {
		switch {
		case strings.HasSuffix(h, "1"):
			return "zone-a"
		case strings.HasSuffix(h, "2"):
			return "zone-b"
		}
		return "zone-c"
	}
	return []topo{
		{"single-node", []string{"master-1"}, nil, nil, abc},
		{"single-master-with-workers", []string{"master-1"}, []string{"worker-1", "worker-2"}, nil, abc},
		{"stacked-3", []string{"master-1", "master-2", "master-3"}, nil, nil, abc},
		{"stacked-5", []string{"master-1", "master-2", "master-3", "master-4", "master-5"}, nil, nil, abc},
		{"external-3+3", []string{"master-1", "master-2", "master-3"}, nil, []string{"etcd-host-1", "etcd-host-2", "etcd-host-3"}, abc},
		{"external-2+3", []string{"master-1", "master-2"}, nil, []string{"etcd-host-1", "etcd-host-2", "etcd-host-3"}, abc},
	}
}

// doc renders a topology with a load balancer kind and a fault.
func (tp topo) doc(lb, fault string) string {
	var hosts []string
	for _, h := range append(append(append([]string{}, tp.masters...), tp.workers...), tp.etcd...) {
		hosts = append(hosts, fmt.Sprintf("    - {name: %s, zone: %s}", h, tp.zonesFor(h)))
	}
	hosts = append(hosts, "    - {name: lb-1, zone: zone-a}", "    - {name: lb-2, zone: zone-b}", "    - {name: client, zone: zone-c}")
	topology, etcd := "stacked", ""
	if len(tp.etcd) > 0 {
		topology, etcd = "external", "    members: ["+strings.Join(tp.etcd, ", ")+"]\n"
	}
	workers := ""
	if len(tp.workers) > 0 {
		workers = "    workers: [" + strings.Join(tp.workers, ", ") + "]\n"
	}
	return fmt.Sprintf(`apiVersion: hasim.dev/v1alpha1
kind: Scenario
metadata: {name: t}
spec:
  horizon: 90s
  zones: [{name: zone-a}, {name: zone-b}, {name: zone-c}]
  hosts:
%s
  etcd:
%s  controlPlane:
    topology: %s
    masters: [%s]
%s    loadBalancer: %s
  faults:
    - %s
`, strings.Join(hosts, "\n"), etcd, topology, strings.Join(tp.masters, ", "), workers, lb, fault)
}

func lbKinds() map[string]string {
	return map[string]string{
		"haproxy":    "{kind: haproxy, hosts: [lb-1]}",
		"keepalived": "{kind: keepalived, hosts: [lb-1, lb-2]}",
		"kube-vip":   "{kind: kube-vip}",
		"nginx":      "{kind: nginx, hosts: [lb-1]}",
		"none":       "{kind: none}",
	}
}

// TestEveryTopologyWithEveryLB: each topology of the seed documents runs
// with each load-balancer kind, keeps the invariants, serves the API
// through its endpoint before the fault, and elects every leader.
func TestEveryTopologyWithEveryLB(t *testing.T) {
	for _, tp := range topologies() {
		for _, kind := range []string{"haproxy", "keepalived", "nginx", "kube-vip", "none"} {
			t.Run(tp.name+"/"+kind, func(t *testing.T) {
				r := runDoc(t, tp.doc(lbKinds()[kind], `{kind: process-kill, target: "host:master-1", process: kube-scheduler, at: 60s}`), 1)
				for _, p := range r.Probes {
					if p.OK == 0 || p.Availability < 0.9 {
						t.Errorf("%s: availability %.1f%% (%d ok)", p.Name, p.Availability*100, p.OK)
					}
				}
				for _, g := range r.Groups {
					if g.Acquisitions == 0 {
						t.Errorf("%s never had a leader", g.Name)
					}
				}
				// The cost counts the hosts that run the cluster: not the
				// probes' client host, nor a declared load-balancer host
				// the kind leaves unused.
				lbHosts := map[string]int{"haproxy": 1, "keepalived": 2, "nginx": 1}[kind]
				if want := len(tp.masters) + len(tp.workers) + len(tp.etcd) + lbHosts; r.Hosts != want {
					t.Errorf("%d hosts, want %d", r.Hosts, want)
				}
			})
		}
	}
}

// TestKeepalivedMovesTheVIP: when the VRRP master's host dies, the backup
// takes the VIP after the master-down interval (3 × 1 s + skew ≈ 3.6 s)
// counted from the last advert it heard, which came up to one advert
// interval (1 s) before the crash: 2.6 to 3.6 s after it, a little more
// with the advert's delivery. API traffic resumes through its proxy; the
// single-HAProxy topology stays down instead.
func TestKeepalivedMovesTheVIP(t *testing.T) {
	tp := topologies()[2]
	for seed := uint64(1); seed <= 4; seed++ {
		r := runDoc(t, tp.doc(lbKinds()["keepalived"], `{kind: host-crash, target: "host:lb-1", at: 30s, duration: 30s}`), seed)
		moved, ok := find(r, r.Faults[0].At, func(rec model.Record) bool { return rec.Event == model.EvVIPMoved && rec.Host == "lb-2" })
		if !ok {
			t.Fatalf("seed %d: the VIP never moved to lb-2", seed)
		}
		between(t, seed, "VIP takeover", moved.T.Sub(r.Faults[0].At), 2500*time.Millisecond, 4500*time.Millisecond)
		for _, p := range r.Probes {
			if p.Unavailable > 10*time.Second {
				t.Errorf("seed %d: %s unavailable %v with a VIP pair", seed, p.Name, p.Unavailable)
			}
		}
		single := runDoc(t, tp.doc(lbKinds()["haproxy"], `{kind: host-crash, target: "host:lb-1", at: 30s, duration: 30s}`), seed)
		for _, p := range single.Probes {
			if p.Unavailable < 29*time.Second {
				t.Errorf("seed %d: single HAProxy down 30 s, %s unavailable only %v", seed, p.Name, p.Unavailable)
			}
		}
	}
}

// TestKubeVIPFollowsTheLease: kube-vip's VIP answers on the leader of its
// lease; when that master crashes the VIP moves once another kube-vip has
// taken the lease: 15–24 s after the last renewal with the 15s/10s/2s
// defaults, 5–8 s with the 5s/3s/1s of older releases.
func TestKubeVIPFollowsTheLease(t *testing.T) {
	tp := topologies()[2]
	for _, tc := range []struct {
		lb     string
		lo, hi time.Duration
	}{
		{"{kind: kube-vip}", 13 * time.Second, 24 * time.Second},
		{"{kind: kube-vip, leaderElection: {leaseDuration: 5s, renewDeadline: 3s, retryPeriod: 1s}}", 3 * time.Second, 8 * time.Second},
	} {
		for seed := uint64(1); seed <= 4; seed++ {
			r := runDoc(t, tp.doc(tc.lb, `{kind: host-crash, target: "leader:kube-vip", at: 30s, duration: 60s}`), seed)
			f := r.Faults[0]
			host := strings.Fields(f.Target)[0]
			moved, ok := find(r, f.At, func(rec model.Record) bool {
				return rec.Event == model.EvVIPMoved && rec.Host != "" && rec.Host != host
			})
			if !ok {
				t.Fatalf("seed %d: the VIP never left %s", seed, host)
			}
			between(t, seed, "VIP move ("+tc.lb+")", moved.T.Sub(f.At), tc.lo, tc.hi)
		}
	}
}

// TestLeaderElectionValidation: client-go's NewLeaderElector rules reach
// the user as positioned errors.
func TestLeaderElectionValidation(t *testing.T) {
	tp := topologies()[2]
	for _, tc := range []struct{ le, want string }{
		{"{leaseDuration: 10s, renewDeadline: 10s, retryPeriod: 2s}", "spec.controlPlane.leaderElection.renewDeadline: leaseDuration (10s) must be greater than renewDeadline (10s) (client-go requires leaseDuration > renewDeadline > 1.2 × retryPeriod)"},
		{"{leaseDuration: 15s, renewDeadline: 2s, retryPeriod: 2s}", "spec.controlPlane.leaderElection.renewDeadline: renewDeadline (2s) must be greater than 1.2 × retryPeriod (2.4s) (client-go requires leaseDuration > renewDeadline > 1.2 × retryPeriod)"},
	} {
		doc := strings.Replace(tp.doc(lbKinds()["haproxy"], `{kind: host-crash, target: "host:master-1", at: 30s}`),
			"    loadBalancer:", "    leaderElection: "+tc.le+"\n    loadBalancer:", 1)
		_, err := Load("le.yaml", []byte(doc))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("err = %v\nwant it to contain %s", err, tc.want)
		}
	}
}

// TestCloudControllerManager: the optional cloud-controller-manager is a
// third leader group with its own lease.
func TestCloudControllerManager(t *testing.T) {
	tp := topologies()[2]
	doc := strings.Replace(tp.doc(lbKinds()["haproxy"], `{kind: host-crash, target: "leader:cloud-controller-manager", at: 30s}`),
		"    loadBalancer:", "    cloudControllerManager: true\n    loadBalancer:", 1)
	r := runDoc(t, doc, 1)
	for _, g := range r.Groups {
		if g.Name == model.GroupCCM {
			if g.Acquisitions != 2 {
				t.Fatalf("cloud-controller-manager acquisitions %d, want 2 (start, failover)", g.Acquisitions)
			}
			return
		}
	}
	t.Fatal("no cloud-controller-manager group")
}
