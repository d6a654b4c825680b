package scenarios

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

func loadSet(t *testing.T, name string, sets ...string) (*Scenario, error) {
	t.Helper()
	var ovs []Override
	for _, s := range sets {
		o, err := ParseOverride(s)
		if err != nil {
			return nil, err
		}
		ovs = append(ovs, o)
	}
	return LoadWith("library/"+name+".yaml", []byte(libraryDoc(t, name)), ovs)
}

// --set overrides any field by its path, list elements by index or name;
// the value is decoded and validated as the file is.
func TestOverrideGood(t *testing.T) {
	for _, c := range []struct {
		name, scenario string
		sets           []string
		check          func(s *Scenario) bool
	}{
		{"scalar", "stacked-3-master-crash", []string{"spec.etcd.electionTimeout=500ms"},
			func(s *Scenario) bool { return s.Spec.Etcd.ElectionTimeout.D() == 500*time.Millisecond }},
		{"replace a scalar in the file", "stacked-3-master-crash", []string{"spec.horizon=3m"},
			func(s *Scenario) bool { return s.Spec.Horizon.D() == 3*time.Minute }},
		{"creates absent parents", "stacked-3-master-crash", []string{"spec.controlPlane.leaderElection.leaseDuration=20s", "spec.controlPlane.leaderElection.renewDeadline=12s"},
			func(s *Scenario) bool {
				le := s.Spec.ControlPlane.LeaderElection
				return le.LeaseDuration.D() == 20*time.Second && le.RenewDeadline.D() == 12*time.Second
			}},
		{"list element by name", "stacked-3-master-crash", []string{"spec.hosts[master-2].disk.fsync={min: 10ms, max: 20ms}"},
			func(s *Scenario) bool {
				return s.Spec.Hosts[1].Disk != nil && s.Spec.Hosts[1].Disk.Fsync.Max.D() == 20*time.Millisecond && s.Spec.Hosts[0].Disk == nil
			}},
		{"list element by index", "stacked-3-master-crash", []string{"spec.faults[0].duration=10s"},
			func(s *Scenario) bool { return s.Spec.Faults[0].Duration.D() == 10*time.Second }},
		{"fault by name with spaces", "stacked-3-master-crash", []string{"spec.faults[crash the master holding the leases].at=50s"},
			func(s *Scenario) bool { return s.Spec.Faults[0].At.D() == 50*time.Second }},
		{"flow mapping element", "stacked-3-master-crash", []string{"spec.controlPlane.loadBalancer.fall=5"},
			func(s *Scenario) bool { return s.Spec.ControlPlane.LoadBalancer.Fall == 5 }},
		{"a list value", "stacked-3-master-crash", []string{"spec.controlPlane.loadBalancer.hosts=[client]"},
			func(s *Scenario) bool { return s.Spec.ControlPlane.LoadBalancer.Hosts[0] == "client" }},
		{"scalar list element by value", "stacked-3-master-crash", []string{"spec.controlPlane.masters[master-3]=master-3"},
			func(s *Scenario) bool { return s.Spec.ControlPlane.Masters[2] == "master-3" }},
		{"later wins", "stacked-3-master-crash", []string{"spec.seed=3", "spec.seed=4"},
			func(s *Scenario) bool { return *s.Spec.Seed == 4 }},
		{"empty unsets", "stacked-3-master-crash", []string{"spec.seed="},
			func(s *Scenario) bool { return s.Spec.Seed == nil }},
		{"a failureProfile's class by name", "years-stacked-3", []string{"spec.failures[host-crash].mtbf=180d"},
			func(s *Scenario) bool {
				for _, f := range s.Spec.failureModels() {
					if f.Name == "host-crash" {
						return len(s.Spec.Failures) == 1 && f.TBF.Mean == 180*Day && f.TTR.Median == 10*time.Minute
					}
				}
				return false
			}},
		{"a probe added by default, by name", "years-stacked-3", []string{"spec.probes[api-reads].period=50ms"},
			func(s *Scenario) bool {
				cfg := s.Config()
				return len(cfg.Probes) == 2 && cfg.Probes[0].Name == "api-writes" && cfg.Probes[0].Period == 0 && cfg.Probes[0].Via == "lb" &&
					cfg.Probes[1].Period == 50*time.Millisecond && cfg.Probes[1].Host == DefaultClientHost
			}},
		{"bool", "etcd-reference-kill", []string{"spec.etcd.preVote=true"},
			func(s *Scenario) bool { return s.Spec.Etcd.PreVote != nil && *s.Spec.Etcd.PreVote }},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := loadSet(t, c.scenario, c.sets...)
			if err != nil {
				t.Fatal(err)
			}
			if !c.check(s) {
				t.Errorf("%v not applied: %+v", c.sets, s.Spec)
			}
		})
	}
}

// Bad overrides are refused with the flag named, what is wrong and what is
// allowed.
func TestOverrideBad(t *testing.T) {
	for _, c := range []struct {
		name string
		set  []string
		want []string
	}{
		{"bad duration", []string{"spec.etcd.electionTimeout=abc"},
			[]string{`--set spec.etcd.electionTimeout=abc: want a duration such as 100ms, 1.5s, 30d or 1y, got "abc"`}},
		{"no equals", []string{"spec.etcd.electionTimeout"}, []string{`--set "spec.etcd.electionTimeout": want PATH=VALUE`}},
		{"unknown field suggests", []string{"spec.etcd.electionTimout=1s"},
			[]string{`--set spec.etcd.electionTimout=1s: spec.etcd: unknown field "electionTimout" (did you mean "electionTimeout"?)`}},
		{"no such element", []string{"spec.hosts[master-9].disk.fsync={value: 1ms}"},
			[]string{`spec.hosts has no element named "master-9" (elements: master-1, master-2, master-3, lb, client)`}},
		{"index out of range", []string{"spec.faults[3].at=1s"}, []string{`spec.faults has 1 elements: no [3]`}},
		{"field of a scalar", []string{"spec.horizon.x=1"}, []string{`spec.horizon is a scalar, not a mapping`}},
		{"element of a mapping", []string{"spec.etcd[0]=1"}, []string{`spec.etcd is a mapping, not a list`}},
		{"bad yaml", []string{"spec.hosts[0].disk={fsync: [}"}, []string{`value is not YAML`}},
		{"wrong shape", []string{"spec.etcd=5"}, []string{`--set spec.etcd=5: want a mapping with fields members, version`}},
		{"nested in value", []string{"spec.hosts[lb].disk={fsync: {min: 1ms, max: x}}"},
			[]string{`--set spec.hosts[lb].disk={fsync: {min: 1ms, max: x}}: spec.hosts[3].disk.fsync.max: want a duration`}},
		{"check across fields names the flag", []string{"spec.controlPlane.leaderElection.renewDeadline=30s"},
			[]string{`--set spec.controlPlane.leaderElection.renewDeadline=30s: leaseDuration (15s) must be greater than renewDeadline (30s)`}},
		{"model check names the flags", []string{"spec.controlPlane.loadBalancer.hosts=[nowhere]"}, []string{`nowhere`, `--set spec.controlPlane.loadBalancer.hosts=[nowhere]`}},
		{"bad path", []string{"spec..etcd=1"}, []string{`--set spec..etcd=1: bad path`}},
		{"list element in absent list", []string{"spec.workloads[0].replicas=1"}, []string{`spec.workloads is not in the scenario`}},
		{"failure class without a profile", []string{"spec.failures[host-crash].mtbf=1y"},
			[]string{`spec.failures is not in the scenario: a list element can only be set in a list that is there (or a class of the scenario's failureProfile, by name)`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := loadSet(t, "stacked-3-master-crash", c.set...)
			if err == nil {
				t.Fatalf("%v accepted", c.set)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error\n%v\nwants %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "library/stacked-3-master-crash.yaml:1:") {
				t.Errorf("error points into the file at line 1 (where a parsed value's position would be): %v", err)
			}
		})
	}
}

// Overrides do not change the anchors they pass through, and explain says
// which values came from --set.
func TestOverrideAliasAndExplain(t *testing.T) {
	doc := `apiVersion: hasim.dev/v1alpha1
kind: Scenario
metadata: {name: a}
spec:
  horizon: 10s
  zones: [{name: z}]
  hosts:
    - {name: h1, zone: z, disk: &d {fsync: {value: 1ms}}}
    - {name: h2, zone: z, disk: *d}
  etcd: {members: [h1, h2]}
`
	s, err := LoadWith("a.yaml", []byte(doc), []Override{{Path: "spec.hosts[h2].disk.fsync.value", Value: "7ms"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Spec.Hosts[0].Disk.Fsync.Value.D(); got != time.Millisecond {
		t.Errorf("h1's fsync changed through the anchor: %v", got)
	}
	if got := s.Spec.Hosts[1].Disk.Fsync.Value.D(); got != 7*time.Millisecond {
		t.Errorf("h2's fsync %v, want 7ms", got)
	}
	ex, err := Explain(s)
	if err != nil {
		t.Fatal(err)
	}
	out := ex.String()
	// The columns are as wide as the longest entry, which may change.
	squeeze := regexp.MustCompile(`  +`)
	flat := squeeze.ReplaceAllString(out, "  ")
	for _, want := range []string{"spec.hosts[1].disk.fsync (h2)  7ms  --set spec.hosts[h2].disk.fsync.value=7ms",
		"spec.hosts[0].disk.fsync (h1)  1ms  scenario file"} {
		if !strings.Contains(flat, want) {
			t.Errorf("explain lacks %q:\n%s", want, out)
		}
	}
}

// TestOverrideExplainDefaults: explain prints a failureProfile's classes
// and the default probes by the paths --set reaches them by, and says
// which values came from --set.
func TestOverrideExplainDefaults(t *testing.T) {
	s, err := loadSet(t, "years-stacked-3", "spec.failures[host-crash].mtbf=180d", "spec.probes[api-writes].period=50ms")
	if err != nil {
		t.Fatal(err)
	}
	ex, err := Explain(s)
	if err != nil {
		t.Fatal(err)
	}
	from := map[string]string{}
	for _, p := range ex.Params {
		from[p.Path] = p.From
	}
	for path, want := range map[string]string{
		"spec.failures[host-crash]":      "failureProfile cloud, overridden by --set spec.failures[host-crash].mtbf=180d",
		"spec.failures[zone-outage]":     "default: failureProfile cloud (docs/failures.md gives each figure's source)",
		"spec.probes[api-writes].period": "--set spec.probes[api-writes].period=50ms",
		"spec.probes[api-writes].kind":   "default: added because the scenario defines no probe",
		"spec.probes[api-reads].period":  "default: added because the scenario defines no probe",
	} {
		if from[path] != want {
			t.Errorf("%s: from %q, want %q", path, from[path], want)
		}
	}
}
