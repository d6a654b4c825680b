package swarm

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"hasim/model"
	"hasim/scenarios"
	"hasim/sim"
)

// inTestCases is the size of the swarm `go test` runs: measured at 13 s
// on the project's 2-core machine.
const inTestCases = 600

// TestSwarm runs the in-test swarm: every case must load and end ok,
// except failures of a known defect still being fixed (knownDefects).
func TestSwarm(t *testing.T) {
	s := Swarm(context.Background(), Config{Seed: 9, N: inTestCases, Ranges: DefaultRanges(), RecheckEvery: 10, Deadline: time.Minute})
	if len(s.Cases) != inTestCases || s.Interrupted {
		t.Fatalf("%d of %d cases done (interrupted %v)", len(s.Cases), inTestCases, s.Interrupted)
	}
	known := 0
	for _, c := range s.Failures {
		if c.Known != "" {
			known++
			t.Logf("case %d: known defect %s: %s", c.Index, c.Known, c.Outcome.Detail)
			continue
		}
		t.Errorf("case %d: %s: %s\n%s%s", c.Index, c.Outcome.Signature(), c.Outcome.Detail, c.Outcome.Stack, CaseYAML(c, s.Config.Seed))
	}
	var report bytes.Buffer
	if err := s.WriteReport(&report); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d known-defect failures\n%s", known, report.String())
}

// TestGeneratedCasesLoad: every generated case loads (a case the loader
// rejects is a generator bug), and the swarm draws every fault kind,
// every load balancer kind, both topologies, triggers, joins and the
// extreme seeds.
func TestGeneratedCasesLoad(t *testing.T) {
	for _, r := range []Ranges{DefaultRanges(), TestRanges()} {
		seen := map[string]bool{}
		for i := range 1500 {
			sc := Generate(5, i, &r)
			data := Marshal(sc)
			if _, err := scenarios.Load("case.yaml", data); err != nil {
				t.Fatalf("case %d does not load: %v\n%s", i, err, data)
			}
			sp := &sc.Spec
			for _, f := range sp.Faults {
				seen["fault "+f.Kind] = true
				if f.On != nil {
					seen["trigger"] = true
				}
			}
			if cp := sp.ControlPlane; cp != nil {
				seen["topology "+cp.Topology] = true
				lb := cp.LoadBalancer
				if lb == nil {
					lb = cp.ControlPlaneEndpoint
				}
				if lb != nil {
					seen["lb "+lb.Kind] = true
				} else {
					seen["lb absent"] = true
				}
				if len(cp.Workers) > 0 {
					seen["workers"] = true
				}
				if len(sp.Workloads) > 0 {
					seen["workloads"] = true
				}
			} else {
				seen["etcd alone"] = true
			}
			seen["zones "+string(rune('0'+len(sp.Zones)))] = true
			for _, s := range r.Seeds {
				if *sp.Seed == s {
					seen["extreme seed"] = true
				}
			}
			if sp.Horizon.D() == r.Horizon.Lo || sp.Horizon.D() == r.Horizon.Hi {
				seen["horizon at an edge"] = true
			}
			if sp.Horizon.D() > r.Horizon.Hi {
				seen["long horizon"] = true
				if le := shortLease(sp); le != nil {
					// Seed 80 case 2046: 20 M events in 1 h 35 m of flapping.
					t.Errorf("case %d: a %v horizon with a %v lease, which never settles", i, sp.Horizon.D(), le.LeaseDuration.D())
				}
				if r := failureRate(sp); r > busyFailureRate {
					t.Errorf("case %d: a %v horizon with a fault every %.1f s", i, sp.Horizon.D(), 1/r)
				}
			}
		}
		want := []string{"trigger", "topology stacked", "topology external", "lb absent", "workers", "workloads", "etcd alone",
			"zones 1", "zones 3", "extreme seed", "horizon at an edge", "long horizon"}
		for _, k := range model.FaultKinds() {
			want = append(want, "fault "+string(k))
		}
		for _, k := range []model.LBKind{model.LBHAProxy, model.LBKeepalived, model.LBKubeVIP, model.LBNone, model.LBCloud} {
			want = append(want, "lb "+string(k))
		}
		for _, w := range want {
			if !seen[w] {
				t.Errorf("1500 cases never drew %s", w)
			}
		}
	}
}

// TestGenerateIsDeterministic: a swarm seed and index give the same case;
// another seed gives other cases.
func TestGenerateIsDeterministic(t *testing.T) {
	r := DefaultRanges()
	for i := range 50 {
		a, b := Marshal(Generate(3, i, &r)), Marshal(Generate(3, i, &r))
		if !bytes.Equal(a, b) {
			t.Fatalf("case %d differs between two draws:\n%s\n%s", i, a, b)
		}
	}
	if bytes.Equal(Marshal(Generate(3, 0, &r)), Marshal(Generate(4, 0, &r))) {
		t.Fatal("seeds 3 and 4 draw the same first case")
	}
}

// TestSwarmDoesNotDependOnWorkers: the cases and outcomes merge in index
// order, whatever the number of workers.
func TestSwarmDoesNotDependOnWorkers(t *testing.T) {
	cfg := Config{Seed: 11, N: 40, Ranges: TestRanges()}
	var got [][]string
	for _, w := range []int{1, 3} {
		cfg.Workers = w
		s := Swarm(context.Background(), cfg)
		var lines []string
		for _, c := range s.Cases {
			lines = append(lines, c.Outcome.Signature()+" "+string(c.Outcome.Digest[:]))
		}
		got = append(got, lines)
	}
	if !slices.Equal(got[0], got[1]) {
		t.Fatal("1 and 3 workers gave different outcomes")
	}
}

// TestInterrupt: a cancelled swarm stops, says so, and keeps only the
// cases it finished.
func TestInterrupt(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s := Swarm(ctx, Config{Seed: 1, N: 1000, Ranges: TestRanges()})
	if !s.Interrupted || len(s.Cases) == 1000 {
		t.Fatalf("interrupted %v with %d cases done", s.Interrupted, len(s.Cases))
	}
	for _, c := range s.Cases {
		if c.Outcome.Class == Interrupted {
			t.Fatalf("case %d was interrupted but is counted", c.Index)
		}
	}
}

// A scenario with a fault that cannot fail the run and a panic forced by
// an invalid configuration: the classifier's inputs.
const driftCase = `apiVersion: hasim.dev/v1alpha1
kind: Scenario
metadata: {name: probe-drift}
spec:
  horizon: 30s
  maxEventsPerInstant: 100000
  zones: [{name: a}, {name: b}]
  hosts:
    - {name: node-1, zone: a}
    - {name: node-2, zone: a}
    - {name: node-3, zone: a}
    - {name: client, zone: a}
    - {name: spare, zone: b}
  etcd: {members: [node-1, node-2, node-3]}
  probes:
    - {name: writes, host: client}
    - {name: reads, host: node-1, kind: read}
  faults:
    - {kind: partition, target: "host:client", at: 10s, duration: 5s}
    - {kind: clock-drift, target: "host:client", at: 10s, duration: 3s, rate: 1.001}
    - {kind: process-pause, target: "host:node-3", at: 20s, duration: 2s}
    - {kind: clock-step, target: "host:spare", at: 1s, step: 10s}
`

// TestShrink: the clock-drift case shrinks to fewer faults, hosts
// and probes and a horizon just after the failure, failing the same way.
// It uses the known drift defect; once that is fixed the case passes and
// the test has nothing to shrink, so it is skipped with a note.
func TestShrink(t *testing.T) {
	sc, err := scenarios.Load("drift.yaml", []byte(driftCase))
	if err != nil {
		t.Fatal(err)
	}
	// A planted defect: a panic at 12 s if the client's clock is drifting
	// then. Only the drift fault and the client host are needed for it.
	afterBuild = func(c *model.Cluster) {
		for _, h := range c.Hosts {
			if h.Name == "client" {
				c.CalendarAt(sim.At(12*time.Second), "test/planted", func() {
					if h.Clock.Rate != 1 {
						panic("planted: the client's clock drifts at 12s")
					}
				})
			}
		}
	}
	defer func() { afterBuild = nil }()
	o := RunCase(sc, RunOptions{Deadline: time.Minute})
	if !o.Failed() {
		t.Fatalf("the planted defect did not fire: %s", o.Class)
	}
	small, so, runs := Shrink(sc, o, ShrinkOptions{Run: RunOptions{Deadline: time.Minute}})
	if so.Signature() != o.Signature() {
		t.Fatalf("shrunk case fails as %q, not %q", so.Signature(), o.Signature())
	}
	sp := &small.Spec
	t.Logf("%d runs:\n%s", runs, Marshal(small))
	if len(sp.Faults) >= 4 || len(sp.Hosts) >= 5 || len(sp.Probes) >= 2 || len(sp.Zones) != 1 {
		t.Errorf("not shrunk: %d faults, %d hosts, %d probes, %d zones", len(sp.Faults), len(sp.Hosts), len(sp.Probes), len(sp.Zones))
	}
	if sp.Horizon.D() > so.At+time.Second+time.Millisecond {
		t.Errorf("horizon %v, failure at %v", sp.Horizon.D(), so.At)
	}
	if _, err := scenarios.Load("small.yaml", ReproducerYAML(Reproducer{Signature: so.Signature(), Scenario: small, Outcome: so, Runs: runs}, 1)); err != nil {
		t.Fatalf("the reproducer file does not load: %v", err)
	}
}

// TestClassify: every way a run can end maps to its class.
func TestClassify(t *testing.T) {
	load := func(src string) *scenarios.Scenario {
		t.Helper()
		sc, err := scenarios.Load("c.yaml", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		return sc
	}
	base := strings.Replace(driftCase, "    - {kind: clock-drift, target: \"host:client\", at: 10s, duration: 3s, rate: 1.001}\n", "", 1)
	if o := RunCase(load(base), RunOptions{}); o.Class != OK || o.At != 30*time.Second {
		t.Fatalf("plain case: %s at %v: %s", o.Class, o.At, o.Detail)
	}
	// A bound on events far below what 30 s need: runaway work.
	if o := RunCase(load(strings.Replace(base, "horizon: 30s", "horizon: 30s\n  maxEvents: 1000", 1)), RunOptions{}); o.Class != EventBound {
		t.Fatalf("event bound: %s", o.Class)
	}
	// Every host down for good before the horizon: draining is fine.
	down := strings.Replace(base, "  faults:\n", "  faults:\n    - {kind: zone-outage, target: \"zone:a\", at: 2s}\n    - {kind: zone-outage, target: \"zone:b\", at: 2s}\n", 1)
	if o := RunCase(load(down), RunOptions{}); o.Class != OK {
		t.Fatalf("all hosts down: %s: %s", o.Class, o.Detail)
	}
	// A deadline already past: a hang (the engine asks every
	// maxEventsPerInstant events when that is below sim.CheckEvery).
	checked := strings.Replace(base, "maxEventsPerInstant: 100000", "maxEventsPerInstant: 1000", 1)
	if o := RunCase(load(checked), RunOptions{Deadline: time.Nanosecond}); o.Class != Hang {
		t.Fatalf("deadline: %s", o.Class)
	}
	// An interrupt is not a failure.
	var stop atomic.Bool
	stop.Store(true)
	if o := RunCase(load(checked), RunOptions{Stop: &stop}); o.Class != Interrupted || o.Failed() {
		t.Fatalf("interrupt: %s", o.Class)
	}
	// A livelock: the guard set to fewer events than an instant holds
	// (here, when the run's first two events fall at the same instant).
	if o := RunCase(load(strings.Replace(base, "maxEventsPerInstant: 100000", "maxEventsPerInstant: 3", 1)), RunOptions{}); o.Class != Livelock || o.Signature() == "livelock: " {
		t.Fatalf("livelock: %s %q", o.Class, o.Signature())
	}
}

// TestSignature: signatures keep what identifies a defect and drop what
// varies between its cases.
func TestSignature(t *testing.T) {
	stack := "goroutine 7 [running]:\nruntime/debug.Stack()\n\t/x\nhasim/experiment/swarm.RunCase.func1()\n\t/y\npanic({0x1, 0x2})\n\t/z\n" +
		"hasim/sim.(*Timer).Reset(0x1, 0x2)\n\t/a\nhasim/model.(*Timer).At(...)\n\t/b\nhasim/model.(*rpcClient).armExpire(0x3)\n\t/c\n"
	a := Outcome{Class: Panic, Detail: "sim.Timer.Reset: probe-1/deadline armed for 10.035s, before now (10.057s)", Stack: stack}
	b := Outcome{Class: Panic, Detail: "sim.Timer.Reset: kube-apiserver-master-1/etcd/deadline armed for 1.5s, before now (1.9s)", Stack: stack}
	if a.Signature() != b.Signature() || a.Signature() != "panic: sim.Timer.Reset @ hasim/model.(*rpcClient).armExpire" {
		t.Fatalf("%q, %q", a.Signature(), b.Signature())
	}
	l := Outcome{Class: Livelock, Detail: "virtual time stood still at 10s for 100000 events; timers re-armed for that instant: client/probe-2/redial ×250, x ×6"}
	if l.Signature() != "livelock: redial" {
		t.Fatalf("%q", l.Signature())
	}
	v := Outcome{Class: Violation, Detail: "two-leaders-in-term: etcd-2 leads term 3, led by etcd-1 (at 3s; 1 violations)"}
	if v.Signature() != "violation: two-leaders-in-term" {
		t.Fatalf("%q", v.Signature())
	}
}

// TestKnownDefectReproducers: every reproducer in testdata/ loads; one of
// a known defect (named NAME.yaml or NAME-VARIANT.yaml) still fails as
// that defect (when it passes, delete the defect from knownDefects), and
// every other one passes.
func TestKnownDefectReproducers(t *testing.T) {
	files, err := filepath.Glob("testdata/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defectOf := func(f string) string {
		base := strings.TrimSuffix(filepath.Base(f), ".yaml")
		for _, d := range knownDefects {
			if base == d.Name || strings.HasPrefix(base, d.Name+"-") {
				return d.Name
			}
		}
		return ""
	}
	for _, d := range knownDefects {
		if !slices.ContainsFunc(files, func(f string) bool { return defectOf(f) == d.Name }) {
			t.Errorf("known defect %s has no reproducer testdata/%s.yaml", d.Name, d.Name)
		}
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sc, err := scenarios.Load(f, data)
		if err != nil {
			t.Fatalf("%v", err)
		}
		o := RunCase(sc, RunOptions{Deadline: time.Minute})
		name := defectOf(f)
		switch {
		case name != "" && !o.Failed():
			t.Errorf("%s: known defect %s no longer reproduces: delete it from knownDefects", f, name)
		case name != "" && !strings.HasPrefix(knownDefect(sc, o), name):
			t.Errorf("%s: fails as %s, not as known defect %s", f, o.Signature(), name)
		case name == "" && o.Failed():
			t.Errorf("%s: %s: %s\n%s", f, o.Signature(), o.Detail, o.Stack)
		}
	}
}

// TestDigestFollowsPointers: two results alike but for where their last
// incident lives in memory have the same digest (the swarm took such a
// pair for nondeterminism, seed 80 case 3280); a different last incident
// changes it.
func TestDigestFollowsPointers(t *testing.T) {
	a, b := model.Result{}, model.Result{}
	a.IncidentTail.Last = &model.Incident{EtcdFailover: time.Second}
	b.IncidentTail.Last = &model.Incident{EtcdFailover: time.Second}
	if digest(a) != digest(b) {
		t.Fatal("same results, different digests")
	}
	b.IncidentTail.Last.EtcdFailover = 2 * time.Second
	if digest(a) == digest(b) {
		t.Fatal("different last incidents, same digest")
	}
}
