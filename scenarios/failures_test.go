package scenarios

import (
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"hasim/model"
)

// faultStarts are the start times of the faults whose name starts with
// prefix, by name.
func faultStarts(r model.Result, prefix string) map[string][]float64 {
	out := map[string][]float64{}
	for _, f := range r.Faults {
		if strings.HasPrefix(f.Name, prefix) {
			out[f.Name] = append(out[f.Name], f.At.Seconds())
		}
	}
	return out
}

// TestFailuresCommonRandomNumbers: the library's stacked 3-master cloud
// scenario and the same cluster with external etcd (three more hosts, the
// etcd members moved to them) see each master crash at the same times,
// and each zone fail at the same times: a process's draws are keyed by the
// failure class and the host or zone name, not by the topology.
func TestFailuresCommonRandomNumbers(t *testing.T) {
	stacked, err := Resolve("stacked-3-cloud-failures", nil)
	if err != nil {
		t.Fatal(err)
	}
	// Zone outages every 20 minutes on average, a minute long, to see some
	// within the hour.
	stacked.Spec.Failures = append(stacked.Spec.Failures, FailureSpec{Name: "zone-outage", MTBF: Duration(20 * time.Minute), MTTR: Duration(time.Minute)})
	external := *stacked
	external.Spec = stacked.Spec
	sp := &external.Spec
	sp.Hosts = slices.Clone(sp.Hosts)
	for i, z := range []string{"zone-a", "zone-b", "zone-c"} {
		name := "etcd-host-" + string(rune('1'+i))
		sp.Hosts = append(sp.Hosts, HostSpec{Name: name, Zone: z})
		sp.Etcd.Members = append(sp.Etcd.Members, name)
	}
	cp := *sp.ControlPlane
	cp.Topology = "external"
	sp.ControlPlane = &cp
	results := map[string]model.Result{}
	for name, s := range map[string]*Scenario{"stacked": stacked, "external": &external} {
		if err := s.Spec.Check(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		r, err := model.Simulate(s.Config(), model.RunOptions{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		results[name] = r
	}
	for _, prefix := range []string{"host-crash master-", "zone-outage zone-"} {
		a, b := faultStarts(results["stacked"], prefix), faultStarts(results["external"], prefix)
		if len(a) < 2 {
			t.Errorf("%s: arrivals on %d targets, want several: %v", prefix, len(a), a)
		}
		for name, at := range a {
			if !slices.Equal(at, b[name]) {
				t.Errorf("%s: stacked at %v, external at %v", name, at, b[name])
			}
		}
		if len(a) != len(b) {
			t.Errorf("%s: %d targets in stacked, %d in external", prefix, len(a), len(b))
		}
	}
	// The external topology's etcd hosts are control-plane hosts too, with
	// crashes of their own.
	if len(faultStarts(results["external"], "host-crash etcd-host-")) == 0 {
		t.Error("no host crash of an external etcd host")
	}
}

// TestFailureProfilesFitEveryScenario: each profile loads and builds with
// every library scenario's topology (one zone or three, with or without a
// control plane or a load balancer).
func TestFailureProfilesFitEveryScenario(t *testing.T) {
	for _, e := range Library() {
		for _, p := range FailureProfiles() {
			s, err := Load(e.Name+".yaml", e.Source)
			if err != nil {
				t.Fatal(err)
			}
			s.Spec.FailureProfile = p
			if err := s.Spec.Check(); err != nil {
				t.Errorf("%s with %s: %v", e.Name, p, err)
				continue
			}
			if _, err := model.Build(s.Config()); err != nil {
				t.Errorf("%s with %s: %v", e.Name, p, err)
			}
		}
	}
}

// TestFailureOverrides: a user entry named like a profile class changes
// only what it sets; off drops the class; other entries add classes.
func TestFailureOverrides(t *testing.T) {
	sp := Spec{FailureProfile: ProfileCloud, Failures: []FailureSpec{
		{Name: "host-crash", MTBF: Duration(2 * Year)},
		{Name: "slow-disk", Off: true},
		{Name: "api-errors", Kind: "api-error", Target: "role:kube-apiserver", Rate: ptr(FailureRate(Year / 4)), MTTR: Duration(time.Minute)},
	}}
	got := map[string]model.FailureConfig{}
	var names []string
	for _, f := range sp.failureModels() {
		got[f.Name] = f
		names = append(names, f.Name)
	}
	base := map[string]model.FailureConfig{}
	for _, f := range (&Spec{FailureProfile: ProfileCloud}).failureModels() {
		base[f.Name] = f
	}
	h := got["host-crash"]
	if !reflect.DeepEqual(h.TBF, model.Exponential(2*Year)) || h.TTR.Kind != base["host-crash"].TTR.Kind || h.TTR.Median != base["host-crash"].TTR.Median || h.Class != model.ClassControlPlane {
		t.Errorf("host-crash %+v", h)
	}
	if _, ok := got["slow-disk"]; ok {
		t.Error("slow-disk not dropped")
	}
	a := got["api-errors"]
	if names[len(names)-1] != "api-errors" || !reflect.DeepEqual(a.TBF, model.Exponential(Year/4)) || a.Fault.Kind != model.FaultAPIError || a.Class != "role:kube-apiserver" {
		t.Errorf("added %+v (order %v)", a, names)
	}
	if len(got) != len(base)+1-1 {
		t.Errorf("%d classes, want %d", len(got), len(base))
	}
}

// TestFailureRate: rates read as that many per unit.
func TestFailureRate(t *testing.T) {
	for in, want := range map[string]time.Duration{"2/y": Year / 2, "1/30d": 30 * Day, "0.5/d": 2 * Day, "12/1y": Year / 12, "1/h": time.Hour} {
		var r FailureRate
		if err := r.UnmarshalScalar(in); err != nil || time.Duration(r) != want {
			t.Errorf("%q: %v, %v; want %v", in, time.Duration(r), err, want)
		}
	}
	for _, in := range []string{"2", "2/", "/y", "0/y", "-1/y", "x/y", "2/often"} {
		var r FailureRate
		if r.UnmarshalScalar(in) == nil {
			t.Errorf("%q accepted", in)
		}
	}
}

func ptr[T any](v T) *T { return &v }

// TestFailuresDocExample: the example of docs/failures.md loads, on a
// stacked 3-master cluster.
func TestFailuresDocExample(t *testing.T) {
	doc, err := os.ReadFile("../docs/failures.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, _ := strings.Cut(string(doc), "```yaml\nspec:\n")
	example, _, ok := strings.Cut(rest, "```")
	if !ok || !strings.Contains(example, "failures:") {
		t.Fatalf("no example in docs/failures.md")
	}
	src := `apiVersion: hasim.dev/v1alpha1
kind: Scenario
metadata: {name: doc-example}
spec:
  zones: [{name: zone-a}, {name: zone-b}, {name: zone-c}]
  hosts: [{name: m1, zone: zone-a}, {name: m2, zone: zone-b}, {name: m3, zone: zone-c}, {name: lb, zone: zone-a}]
  controlPlane: {topology: stacked, masters: [m1, m2, m3], loadBalancer: {kind: haproxy, hosts: [lb]}}
` + example
	s, err := Load("failures.md", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(s.Config().Failures); n != 13 {
		t.Errorf("%d failure classes, want 13: the cloud profile's 12 less slow-disk, plus 2", n)
	}
}

// TestExplainFailures: explain lists every failure class with its
// distributions, members and where it comes from.
func TestExplainFailures(t *testing.T) {
	out := explainDoc(t, libraryDoc(t, "stacked-3-cloud-failures"))
	for _, want := range []string{
		"spec.failures[host-crash]", "between failures exponential mean 1h, to repair exponential mean 2m [master-1; master-2; master-3] failureProfile cloud, overridden in the scenario file",
		"spec.failures[zone-outage]", "zone-outage on zones, between failures exponential mean 2y, to repair lognormal median 2h sigma 1 [zone-a; zone-b; zone-c] default: failureProfile cloud",
		"spec.failures[lb-host-crash]", "[lb] default: failureProfile cloud",
		"every 30d (drain 30s, restart 5m, settle 2m) [in turn: master-1, master-2, master-3]",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
}
