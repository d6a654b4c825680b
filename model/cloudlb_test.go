package model

import (
	"strings"
	"testing"
	"time"

	"hasim/model/fabric"
	"hasim/model/kube"
	"hasim/sim"
)

// TestCloudLBValidate: a cloud load balancer built from Go (not through
// the scenario loader) is checked as well: no hosts of its own, no host
// of the scenario's named like its own, a known provider, a timeout
// within the interval, thresholds of at least one, keep or close.
func TestCloudLBValidate(t *testing.T) {
	for _, c := range []struct {
		lb   kube.LoadBalancerConfig
		host bool // add a host named cloud-lb
		want string
	}{
		{kube.LoadBalancerConfig{Kind: kube.LBCloud, Hosts: []string{"lb"}}, false, "takes no hosts"},
		{kube.LoadBalancerConfig{Kind: kube.LBCloud}, true, `host "cloud-lb" is the cloud load balancer's`},
		{kube.LoadBalancerConfig{Kind: kube.LBCloud, Provider: "oracle"}, false, `provider "oracle"; allowed: aws, azure, gcp`},
		{kube.LoadBalancerConfig{Kind: kube.LBCloud, Inter: 5 * time.Second, TimeoutCheck: 6 * time.Second}, false, "at most its interval"},
		{kube.LoadBalancerConfig{Kind: kube.LBCloud, Rise: -1}, false, "thresholds must be at least 1"},
		{kube.LoadBalancerConfig{Kind: kube.LBCloud, UnhealthyConnections: "drain"}, false, `unhealthy connections "drain"; allowed: keep, close`},
	} {
		cfg := stacked3(time.Minute)
		if c.host {
			cfg.Hosts = append(cfg.Hosts, fabric.HostConfig{Name: kube.CloudLBHost})
		}
		lb := c.lb
		cfg.LoadBalancer = &lb
		if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: err = %v; want %q", c.lb, err, c.want)
		}
	}
	cfg := stacked3(time.Minute)
	cfg.LoadBalancer = &kube.LoadBalancerConfig{Kind: kube.LBCloud, Provider: kube.ProviderAzure}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("azure preset: %v", err)
	}
}

// TestCloudLBOutsideFaults: the cloud load balancer's host is in the
// world but no fault reaches it: a role:load-balancer target resolves to
// nothing, the load-balancers failure class has no member, and a
// partition of master-3 from every other host cuts it off from the load
// balancer too.
func TestCloudLBOutsideFaults(t *testing.T) {
	cfg := stacked3(time.Minute)
	cfg.LoadBalancer = &kube.LoadBalancerConfig{Kind: kube.LBCloud, Provider: kube.ProviderGCP}
	c := build(t, cfg)
	if hs, _ := c.resolve(Target{Kind: TargetRole, Name: kube.RoleLoadBalancer}); len(hs) != 0 {
		t.Errorf("role:load-balancer resolves to %d hosts; want none", len(hs))
	}
	if m := c.classMembers(ClassLoadBalancers); len(m) != 0 {
		t.Errorf("the load-balancers class has %d members; want none", len(m))
	}
	x := c.LB.Proxies[0]
	if x.Proc.Host.Name != kube.CloudLBHost || x.Proc.Host.Zone != nil || x.Name != "gcp-nlb" {
		t.Fatalf("the load balancer runs as %s on %s", x.Name, x.Proc.Host.Name)
	}
	f := &Fault{c: c, Cfg: FaultConfig{Kind: FaultPartition}}
	m3, _ := c.resolve(Target{Kind: TargetHost, Name: "master-3"})
	if len(m3) != 1 {
		t.Fatalf("master-3 resolves to %v", m3)
	}
	peers := f.peers(m3)
	found := false
	for _, h := range peers {
		found = found || h == x.Proc.Host
	}
	if !found {
		t.Errorf("a partition of master-3 from every other host leaves the load balancer out")
	}
	c.Sim.Run(sim.Bounds{Until: sim.At(20 * time.Second)})
	if x.Up() != 3 {
		t.Errorf("%d targets healthy at 20s; want 3", x.Up())
	}
}

// TestCloudLBRequestRate: a cloud load balancer's checks count in the
// configuration's request rate: one per target per interval.
func TestCloudLBRequestRate(t *testing.T) {
	cfg := stacked3(time.Minute)
	cfg.LoadBalancer = &kube.LoadBalancerConfig{Kind: kube.LBCloud, Provider: kube.ProviderGCP}
	_, parts := cfg.RequestRate()
	for _, p := range parts {
		if p.What == "load-balancer checks" {
			if p.Rate != 3.0/5 {
				t.Errorf("load-balancer checks at %g/s; want 3 targets every 5 s", p.Rate)
			}
			return
		}
	}
	t.Errorf("no load-balancer checks in %+v", parts)
}
