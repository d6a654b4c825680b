package model

import (
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"hasim/sim"

	"hasim/model/kube"
)

// TestSimulateIsBuildRunResult: Simulate gives exactly the result of
// building, running and reading the result by hand, with a fault and a
// probe so that the timeline, faults and probes are all compared.
func TestSimulateIsBuildRunResult(t *testing.T) {
	cfg := threeMembers(7, FaultConfig{Kind: FaultProcessKill, At: 10 * time.Second, Duration: 5 * time.Second, Target: Target{TargetLeader, "etcd"}})
	cfg.Probes = []kube.ProbeConfig{{Name: "writes", Host: "client"}}
	c := build(t, cfg)
	c.warmStart()
	want := c.Result(c.Run())
	got, err := Simulate(cfg, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// With a cold start, Simulate is Build, Run, Result exactly.
	cold := cfg
	cold.ColdStart = true
	c = build(t, cold)
	wantCold := c.Result(c.Run())
	if gotCold, err := Simulate(cold, RunOptions{}); err != nil || !reflect.DeepEqual(gotCold, wantCold) {
		t.Fatalf("a cold start: Simulate differs from Build, Run, Result (%v)", err)
	}
	if len(got.Timeline) == 0 || len(got.Faults) != 1 {
		t.Fatalf("timeline of %d records, %d faults: the run did not happen", len(got.Timeline), len(got.Faults))
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Simulate differs from Build, Run, Result:\n%s\n%s", fmt.Sprintf("%+v", got)[:400], fmt.Sprintf("%+v", want)[:400])
	}
}

// TestSimulateFiguresOnly: a run for its figures alone gives the same
// result without the lanes.
func TestSimulateFiguresOnly(t *testing.T) {
	cfg := threeMembers(7, FaultConfig{Kind: FaultProcessKill, At: 10 * time.Second, Duration: 5 * time.Second, Target: Target{TargetLeader, "etcd"}})
	cfg.Probes = []kube.ProbeConfig{{Name: "writes", Host: "client"}}
	full, err := Simulate(cfg, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	lean, err := Simulate(cfg, RunOptions{FiguresOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(full.Lanes) == 0 || lean.Lanes != nil {
		t.Fatalf("lanes: %d in full, %d for the figures only", len(full.Lanes), len(lean.Lanes))
	}
	full.Lanes = nil
	if !reflect.DeepEqual(full, lean) {
		t.Fatal("a run for its figures alone differs in more than its lanes")
	}
}

// TestSimulateRecycler: runs that reuse the etcd log arrays of earlier
// runs (a study's worker) give the results they give alone, whatever ran
// before them, and the arrays are reused.
func TestSimulateRecycler(t *testing.T) {
	var rc Recycler
	for _, seed := range []uint64{7, 8, 7} {
		cfg := threeMembers(seed, FaultConfig{Kind: FaultProcessKill, At: 10 * time.Second, Duration: 5 * time.Second, Target: Target{TargetLeader, "etcd"}})
		cfg.Probes = []kube.ProbeConfig{{Name: "writes", Host: "client"}}
		alone, err := Simulate(cfg, RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var c *Cluster
		reused, err := Simulate(cfg, RunOptions{Recycler: &rc, BeforeRun: func(b *Cluster) error { c = b; return nil }})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(alone, reused) {
			t.Fatalf("seed %d: a run reusing arrays differs from the run alone", seed)
		}
		if m := c.Etcd.Members[0]; m.Log.Committed == 0 {
			t.Fatal("the run appended nothing")
		}
	}
	if n := rc.Kept(); n != 3 {
		t.Errorf("the recycler keeps %d arrays after three runs of three members, want 3 (each run reused the last one's)", n)
	}
}

// TestSimulateBuildError: a configuration that does not build gives a
// *BuildError carrying Build's error, and BeforeRun is not called.
func TestSimulateBuildError(t *testing.T) {
	cfg := threeMembers(1)
	cfg.EtcdMembers = append(cfg.EtcdMembers, "nowhere")
	_, want := Build(cfg)
	if want == nil {
		t.Fatal("Build accepts a member on an undefined host")
	}
	called := false
	_, err := Simulate(cfg, RunOptions{BeforeRun: func(*Cluster) error { called = true; return nil }})
	var be *BuildError
	if !errors.As(err, &be) || err.Error() != want.Error() || errors.Unwrap(err) == nil {
		t.Fatalf("error %v (%T), want a *BuildError saying %q", err, err, want)
	}
	if called {
		t.Fatal("BeforeRun called for a configuration that does not build")
	}
}

// TestSimulateBeforeRun: BeforeRun sees the built cluster before its first
// event, a timer it plants fires during the run, and an error from it is
// returned as is, without running.
func TestSimulateBeforeRun(t *testing.T) {
	cfg := threeMembers(1)
	cfg.Horizon = 5 * time.Second
	var c *Cluster
	var firedAt sim.Time
	r, err := Simulate(cfg, RunOptions{BeforeRun: func(b *Cluster) error {
		c = b
		if b.Sim.Events() != 0 {
			t.Errorf("BeforeRun after %d events", b.Sim.Events())
		}
		b.Sim.At(sim.At(time.Second), "test/plant", func() { firedAt = b.Sim.Now() })
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	if c == nil || firedAt != sim.At(time.Second) || r.Outcome != sim.ReachedTime || r.Events != c.Sim.Events() {
		t.Fatalf("cluster %v, planted timer fired at %v, outcome %v, events %d", c != nil, firedAt, r.Outcome, r.Events)
	}
	stop := errors.New("not now")
	c = nil
	_, err = Simulate(cfg, RunOptions{BeforeRun: func(b *Cluster) error { c = b; return stop }})
	if err != stop {
		t.Fatalf("error %v, want BeforeRun's own", err)
	}
	if c.Sim.Events() != 0 {
		t.Fatalf("ran %d events after BeforeRun refused", c.Sim.Events())
	}
}

// TestSimulateStop: Stop ends the run early, with the accounting closed at
// the time reached.
func TestSimulateStop(t *testing.T) {
	cfg := threeMembers(1)
	cfg.Horizon = time.Hour
	asked := 0
	r, err := Simulate(cfg, RunOptions{Stop: func() bool { asked++; return asked == 2 }})
	if err != nil {
		t.Fatal(err)
	}
	if r.Outcome != sim.Stopped || asked != 2 || r.Events != 2*sim.CheckEvery || r.End >= sim.At(cfg.Horizon) {
		t.Fatalf("outcome %v after %d questions, %d events, end %v", r.Outcome, asked, r.Events, r.End)
	}
}

// TestSimulateRecoversNothing: a panic in the run reaches the caller.
func TestSimulateRecoversNothing(t *testing.T) {
	defer func() {
		if v := recover(); v != "test/boom" {
			t.Fatalf("recovered %v, want the run's panic", v)
		}
	}()
	cfg := threeMembers(1)
	_, _ = Simulate(cfg, RunOptions{BeforeRun: func(b *Cluster) error {
		b.Sim.At(sim.At(time.Second), "test/boom", func() { panic("test/boom") })
		return nil
	}})
	t.Fatal("Simulate returned after a panic in the run")
}
