package experiment

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"hasim/experiment/closedform"
	"hasim/model"
	"hasim/scenarios"
)

func scenarioConfig(t *testing.T, spec string) model.Config {
	t.Helper()
	s, err := scenarios.Load("test.yaml", []byte("apiVersion: hasim.dev/v1alpha1\nkind: Scenario\nmetadata: {name: test}\nspec:\n"+spec))
	if err != nil {
		t.Fatal(err)
	}
	return s.Config()
}

func libraryConfig(t *testing.T, name string) model.Config {
	t.Helper()
	s, err := scenarios.Resolve(name, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s.Config()
}

// lognormalMean is the mean of a lognormal of median m and σ.
func lognormalMean(m time.Duration, sigma float64) time.Duration {
	return time.Duration(float64(m) * math.Exp(sigma*sigma/2))
}

// sameTopology compares topologies, rates within a microsecond (a rate
// goes through a float and back).
func sameTopology(t *testing.T, what string, got, want closedform.Topology) {
	t.Helper()
	near := func(a, b time.Duration) bool { return (a - b).Abs() <= time.Microsecond }
	nearRates := func(a, b closedform.Rates) bool { return near(a.MTBF, b.MTBF) && near(a.MTTR, b.MTTR) }
	str := func(tp closedform.Topology) string {
		var b strings.Builder
		fmt.Fprintf(&b, "balancer %v\n", tp.Balancer)
		for _, z := range tp.Zones {
			fmt.Fprintf(&b, "  zone %s %v/%v\n", z.Name, z.MTBF, z.MTTR)
		}
		for _, h := range tp.Hosts {
			fmt.Fprintf(&b, "  host %s zone %q etcd %v api %v lb %v %v/%v\n", h.Name, h.Zone, h.Etcd, h.APIServer, h.LB, h.MTBF, h.MTTR)
		}
		return b.String()
	}
	ok := got.Balancer == want.Balancer && len(got.Zones) == len(want.Zones) && len(got.Hosts) == len(want.Hosts)
	for i := 0; ok && i < len(got.Zones); i++ {
		ok = got.Zones[i].Name == want.Zones[i].Name && nearRates(got.Zones[i].Rates, want.Zones[i].Rates)
	}
	for i := 0; ok && i < len(got.Hosts); i++ {
		g, w := got.Hosts[i], want.Hosts[i]
		ok = g.Name == w.Name && g.Zone == w.Zone && g.Etcd == w.Etcd && g.APIServer == w.APIServer && g.LB == w.LB && nearRates(g.Rates, w.Rates)
	}
	if !ok {
		t.Errorf("%s: topology\n%s want\n%s", what, str(got), str(want))
	}
}

func checkClosedForm(t *testing.T, what string, cfg model.Config, want closedform.Topology, leftOut []string) ClosedForm {
	t.Helper()
	cf, err := ClosedFormOf(cfg)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	sameTopology(t, what, cf.Topology, want)
	res, err := closedform.Solve(want)
	if err != nil {
		t.Fatalf("%s: the wanted topology: %v", what, err)
	}
	if d := math.Abs(cf.Result.Writes.Unavailability-res.Writes.Unavailability) / res.Writes.Unavailability; d > 1e-6 {
		t.Errorf("%s: writes unavailability %g, want %g", what, cf.Result.Writes.Unavailability, res.Writes.Unavailability)
	}
	if strings.Join(cf.LeftOut, "; ") != strings.Join(leftOut, "; ") {
		t.Errorf("%s: left out\n  %s\nwant\n  %s", what, strings.Join(cf.LeftOut, "; "), strings.Join(leftOut, "; "))
	}
	wantText := "instant failover; independent exponential failures and repairs with the classes' means"
	if len(leftOut) > 0 {
		wantText += "; leaves out: " + strings.Join(leftOut, ", ")
	}
	if cf.Assumption != wantText {
		t.Errorf("%s: assumption %q, want %q", what, cf.Assumption, wantText)
	}
	return cf
}

var cloudLeftOut = []string{"etcd-crash (process-crash)", "kube-apiserver-crash (process-crash)", "kube-controller-manager-crash (process-crash)",
	"kube-scheduler-crash (process-crash)", "vm-pause (host-pause)", "zone-partition (partition)", "slow-disk (slow-disk)",
	"clock-drift (clock-drift)", "maintenance (maintenance)"}

// bareMetalLeftOut: the same classes, with etcd's process pauses where the
// cloud has VM stalls.
var bareMetalLeftOut = []string{"etcd-crash (process-crash)", "kube-apiserver-crash (process-crash)", "kube-controller-manager-crash (process-crash)",
	"kube-scheduler-crash (process-crash)", "etcd-pause (process-pause)", "zone-partition (partition)", "slow-disk (slow-disk)",
	"clock-drift (clock-drift)", "maintenance (maintenance)"}

// Stacked 3 behind one HAProxy host under the cloud profile, host crashes
// overridden to once an hour (the library's stacked-3-cloud-failures):
// masters fail at the override's rates, the proxy host at lb-host-crash's,
// each zone at zone-outage's; the client is not in the topology; every
// class that does not take a host or a zone down is listed as left out.
func TestClosedFormStacked3HAProxy(t *testing.T) {
	cfg := libraryConfig(t, "stacked-3-cloud-failures")
	master := closedform.Rates{MTBF: time.Hour, MTTR: 2 * time.Minute}
	lb := closedform.Rates{MTBF: model.Year, MTTR: lognormalMean(10*time.Minute, 1)}
	zone := closedform.Rates{MTBF: 2 * model.Year, MTTR: lognormalMean(2*time.Hour, 1)}
	want := closedform.Topology{
		Zones: []closedform.Zone{{Name: "zone-a", Rates: zone}, {Name: "zone-b", Rates: zone}, {Name: "zone-c", Rates: zone}},
		Hosts: []closedform.Host{
			{Name: "master-1", Zone: "zone-a", Etcd: true, APIServer: true, Rates: master},
			{Name: "master-2", Zone: "zone-b", Etcd: true, APIServer: true, Rates: master},
			{Name: "master-3", Zone: "zone-c", Etcd: true, APIServer: true, Rates: master},
			{Name: "lb", Zone: "zone-a", LB: true, Rates: lb},
		},
		Balancer: closedform.SingleBalancer,
	}
	cf := checkClosedForm(t, "stacked 3 + haproxy", cfg, want, cloudLeftOut)
	if !cf.Result.API || cf.Result.Writes.Unavailability <= cf.Result.Quorum.Unavailability {
		t.Errorf("stacked 3 + haproxy: writes %g not above quorum %g", cf.Result.Writes.Unavailability, cf.Result.Quorum.Unavailability)
	}
}

// External 3+3 behind a keepalived pair, with the bare-metal profile: the
// Weibull host crashes enter with their mean, the proxy pair is a failover
// group, and etcd hosts and masters are distinct hosts.
func TestClosedFormExternalKeepalived(t *testing.T) {
	cfg := scenarioConfig(t, `  horizon: 1h
  zones: [{name: a}, {name: b}, {name: c}]
  hosts:
    - {name: master-1, zone: a}
    - {name: master-2, zone: b}
    - {name: master-3, zone: c}
    - {name: etcd-host-1, zone: a}
    - {name: etcd-host-2, zone: b}
    - {name: etcd-host-3, zone: c}
    - {name: lb-1, zone: a}
    - {name: lb-2, zone: b}
  etcd: {members: [etcd-host-1, etcd-host-2, etcd-host-3]}
  controlPlane:
    topology: external
    masters: [master-1, master-2, master-3]
    loadBalancer: {kind: keepalived, hosts: [lb-1, lb-2]}
  failureProfile: bare-metal
`)
	machine := closedform.Rates{MTBF: time.Duration(float64(110*model.Day) * math.Gamma(1+1/0.75)), MTTR: lognormalMean(time.Hour, 1.5)}
	zone := closedform.Rates{MTBF: 10 * model.Year, MTTR: lognormalMean(4*time.Hour, 1)}
	want := closedform.Topology{
		Zones: []closedform.Zone{{Name: "a", Rates: zone}, {Name: "b", Rates: zone}, {Name: "c", Rates: zone}},
		Hosts: []closedform.Host{
			{Name: "master-1", Zone: "a", APIServer: true, Rates: machine},
			{Name: "master-2", Zone: "b", APIServer: true, Rates: machine},
			{Name: "master-3", Zone: "c", APIServer: true, Rates: machine},
			{Name: "etcd-host-1", Zone: "a", Etcd: true, Rates: machine},
			{Name: "etcd-host-2", Zone: "b", Etcd: true, Rates: machine},
			{Name: "etcd-host-3", Zone: "c", Etcd: true, Rates: machine},
			{Name: "lb-1", Zone: "a", LB: true, Rates: machine},
			{Name: "lb-2", Zone: "b", LB: true, Rates: machine},
		},
		Balancer: closedform.FailoverBalancers,
	}
	checkClosedForm(t, "external 3+3 + keepalived", cfg, want, bareMetalLeftOut)
}

// A single master, no load balancer (the default probes go to every
// apiserver, here one): clients use it directly. Two host-crash classes on
// it combine: rates add (1/2h + 1/1h = 1.5/h: MTBF 40m) and the repair
// time is their rate-weighted mean ((0.5 × 10m + 1 × 4m) / 1.5 = 6m). A
// zone-outage on one zone only, and no process class: nothing left out.
func TestClosedFormSingleMaster(t *testing.T) {
	cfg := scenarioConfig(t, `  horizon: 1h
  zones: [{name: zone-a}, {name: zone-b}]
  hosts:
    - {name: master-1, zone: zone-a}
  controlPlane: {topology: stacked, masters: [master-1]}
  failures:
    - {name: host-crash, kind: host-crash, target: control-plane, mtbf: 2h, mttr: 10m}
    - {name: reboot, kind: host-crash, target: "role:etcd", mtbf: 1h, mttr: 4m}
    - {name: power, kind: zone-outage, target: "zone:zone-a", mtbf: 30d, mttr: 3h}
`)
	want := closedform.Topology{
		Zones: []closedform.Zone{{Name: "zone-a", Rates: closedform.Rates{MTBF: 30 * model.Day, MTTR: 3 * time.Hour}}, {Name: "zone-b"}},
		Hosts: []closedform.Host{
			{Name: "master-1", Zone: "zone-a", Etcd: true, APIServer: true, Rates: closedform.Rates{MTBF: 40 * time.Minute, MTTR: 6 * time.Minute}},
		},
		Balancer: closedform.NoBalancer,
	}
	checkClosedForm(t, "single master", cfg, want, nil)
}

// The other endpoints: kube-vip is a failover group on every apiserver
// host; without a load balancer, clients fail over among the apiservers,
// unless the API probes are pinned to one, which then comes first; pick
// one spreads a class's rate over its members.
func TestClosedFormEndpoints(t *testing.T) {
	spec := func(lb, probes string) string {
		return `  horizon: 1h
  zones: [{name: a}, {name: b}, {name: c}]
  hosts:
    - {name: master-1, zone: a}
    - {name: master-2, zone: b}
    - {name: master-3, zone: c}
    - {name: client, zone: a}
  controlPlane:
    topology: stacked
    masters: [master-1, master-2, master-3]
` + lb + probes + `  failures:
    - {name: host-crash, kind: host-crash, target: control-plane, pick: one, mtbf: 1h, mttr: 3m}
    - {name: etcd-crash, kind: process-kill, target: "role:etcd", mtbf: 1h, mttr: 10s}
`
	}
	r := closedform.Rates{MTBF: 3 * time.Hour, MTTR: 3 * time.Minute}
	masters := func(lb bool, order ...int) []closedform.Host {
		var hs []closedform.Host
		for _, i := range order {
			hs = append(hs, closedform.Host{Name: fmt.Sprintf("master-%d", i), Zone: string(rune('a' + i - 1)), Etcd: true, APIServer: true, LB: lb, Rates: r})
		}
		return hs
	}
	zs := []closedform.Zone{{Name: "a"}, {Name: "b"}, {Name: "c"}}
	left := []string{"etcd-crash (process-kill)"}
	checkClosedForm(t, "kube-vip", scenarioConfig(t, spec("    loadBalancer: {kind: kube-vip}\n", "")),
		closedform.Topology{Zones: zs, Hosts: masters(true, 1, 2, 3), Balancer: closedform.FailoverBalancers}, left)
	checkClosedForm(t, "cloud load balancer", scenarioConfig(t, spec("    loadBalancer: {kind: cloud, provider: azure}\n", "")),
		closedform.Topology{Zones: zs, Hosts: masters(false, 1, 2, 3), Balancer: closedform.ManagedBalancer}, left)
	checkClosedForm(t, "no load balancer", scenarioConfig(t, spec("", "")),
		closedform.Topology{Zones: zs, Hosts: masters(false, 1, 2, 3), Balancer: closedform.ClientFailover}, left)
	checkClosedForm(t, "pinned to master-2", scenarioConfig(t, spec("", "  probes:\n    - {name: w, host: client, kind: write, via: \"apiserver:master-2\"}\n")),
		closedform.Topology{Zones: zs, Hosts: masters(false, 2, 1, 3), Balancer: closedform.NoBalancer}, left)
}

// An etcd-only cluster has a quorum alone.
func TestClosedFormEtcdOnly(t *testing.T) {
	cfg := quorumConfig(3, 1, time.Hour, time.Hour, 10*time.Minute, true)
	cf, err := ClosedFormOf(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if cf.Result.API || cf.Topology.Balancer != closedform.NoBalancer || len(cf.Topology.Hosts) != 3 {
		t.Fatalf("etcd only: %+v", cf.Topology)
	}
	// 3 members, each down 1/7 of the time: a quorum needs 2.
	u := 1.0 / 7
	want := 3*u*u*(1-u) + u*u*u
	if d := math.Abs(cf.Result.Quorum.Unavailability-want) / want; d > 1e-9 {
		t.Errorf("etcd only: quorum unavailability %g, want %g", cf.Result.Quorum.Unavailability, want)
	}
}

// Every library scenario maps to a closed form: every topology, load
// balancer kind and joining or worker host the library has.
func TestClosedFormOfLibrary(t *testing.T) {
	for _, e := range scenarios.Library() {
		cfg := libraryConfig(t, e.Name)
		cf, err := ClosedFormOf(cfg)
		if err != nil {
			t.Errorf("%s: %v", e.Name, err)
			continue
		}
		if cf.Result.API != (len(cfg.APIServers) > 0) {
			t.Errorf("%s: API %v with %d apiservers", e.Name, cf.Result.API, len(cfg.APIServers))
		}
	}
}
