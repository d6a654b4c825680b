package experiment

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"hasim/model"
	"hasim/scenarios"
	"hasim/sim"
)

func etcd3(horizon time.Duration) model.Config {
	return model.Config{
		Horizon: horizon, Zones: []string{"a"},
		Hosts:       []model.HostConfig{{Name: "h1", Zone: "a"}, {Name: "h2", Zone: "a"}, {Name: "h3", Zone: "a"}, {Name: "c", Zone: "a"}},
		Network:     model.DefaultNetworkConfig(),
		EtcdMembers: []string{"h1", "h2", "h3"},
		Probes:      []model.ProbeConfig{{Name: "w", Host: "c", Kind: model.ProbeWrite}},
		Faults: []model.FaultConfig{{Kind: model.FaultProcessKill, At: 10 * time.Second,
			Target: model.Target{Kind: model.TargetLeader, Name: "etcd"}}},
	}
}

// TestRunAllIsOrderIndependent: the runs come back in [job][run] order
// with the same figures whatever the number of workers, and run i uses
// seed base+i. Following the runs' progress changes nothing, and it ends
// with every run done.
func TestRunAllIsOrderIndependent(t *testing.T) {
	jobs := []Job{{Name: "a", Config: etcd3(20 * time.Second)}, {Name: "b", Config: etcd3(25 * time.Second)}}
	one, err := RunAll(context.Background(), jobs, 7, 6, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	var prog Progress
	if done, total := prog.Runs(); done != 0 || total != 0 || prog.Fraction() != 0 {
		t.Fatalf("progress before RunAll: %d/%d, %v", done, total, prog.Fraction())
	}
	three, err := RunAll(context.Background(), jobs, 7, 6, 3, &prog)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(one, three) {
		t.Fatal("1 and 3 workers gave different runs")
	}
	if done, total := prog.Runs(); done != 12 || total != 12 || prog.Fraction() != 1 {
		t.Errorf("progress after RunAll: %d/%d, %v; want 12/12, 1", done, total, prog.Fraction())
	}
	for j := range one {
		for i, r := range one[j] {
			if !r.Done || r.Seed != 7+uint64(i) || r.Recovery.Len() != 1 || r.Recovery.Min() <= 0 {
				t.Fatalf("job %d run %d: %+v", j, i, r)
			}
		}
	}
}

// TestRunAllInterrupted: a cancelled context ends the batch early; what
// did not run is marked not done.
func TestRunAllInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	runs, err := RunAll(ctx, []Job{{Name: "a", Config: etcd3(20 * time.Second)}}, 1, 5, 2, nil)
	if err == nil {
		t.Fatal("no error from a cancelled batch")
	}
	for _, r := range runs[0] {
		if r.Done {
			t.Fatal("a run claims to be done after the context was cancelled before it")
		}
	}
}

// withBeforeBuild sets the test hook for the test.
func withBeforeBuild(t *testing.T, hook func(job string, cfg *model.Config)) {
	t.Helper()
	beforeBuild = hook
	t.Cleanup(func() { beforeBuild = nil })
}

// TestRunAllKeepsOtherRuns: a run that panics is recorded as a failure
// with its message and stack; every other run, of its job and of the
// others, comes back as if nothing had happened.
func TestRunAllKeepsOtherRuns(t *testing.T) {
	jobs := []Job{{Name: "a", Config: etcd3(20 * time.Second)}, {Name: "b", Config: etcd3(25 * time.Second)}}
	clean, err := RunAll(context.Background(), jobs, 1, 4, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	withBeforeBuild(t, func(job string, cfg *model.Config) {
		if job == "b" && cfg.Seed == 3 {
			panic("test panic in b, seed 3")
		}
	})
	runs, err := RunAll(context.Background(), jobs, 1, 4, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	for j := range runs {
		for i, r := range runs[j] {
			if j == 1 && i == 2 {
				if r.Done || r.Failure == nil || r.Failure.Kind != FailedPanic || r.Failure.Message != "test panic in b, seed 3" ||
					!strings.Contains(r.Failure.Stack, "experiment.runOne") || r.Seed != 3 {
					t.Fatalf("the panicked run: %+v", r)
				}
				continue
			}
			if !reflect.DeepEqual(r, clean[j][i]) {
				t.Fatalf("job %d run %d differs from a batch without the panic", j, i)
			}
		}
	}
	fails := Failures(runs)
	if len(fails) != 1 || fails[0].Job != 1 || fails[0].Seed != 3 || fails[0].Error() != "panic: test panic in b, seed 3" {
		t.Fatalf("failures %+v", fails)
	}
}

// TestRunAllBuildErrorKeepsOtherJobs: a job whose configuration does not
// build fails each of its runs; the other job's runs are kept.
func TestRunAllBuildErrorKeepsOtherJobs(t *testing.T) {
	bad := etcd3(20 * time.Second)
	bad.Hosts = append(bad.Hosts, model.HostConfig{Name: "x", Zone: "nowhere"})
	runs, err := RunAll(context.Background(), []Job{{Name: "bad", Config: bad}, {Name: "good", Config: etcd3(20 * time.Second)}}, 1, 3, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if f := runs[0][i].Failure; f == nil || f.Kind != FailedBuild || runs[0][i].Done {
			t.Fatalf("bad job run %d: %+v", i, runs[0][i])
		}
		if !runs[1][i].Done || runs[1][i].Failure != nil {
			t.Fatalf("good job run %d: %+v", i, runs[1][i])
		}
	}
}

// TestLivelockIsAFailureNotData: a livelocked run is a failure naming the
// stall and does not count as a finished run.
func TestLivelockIsAFailureNotData(t *testing.T) {
	cfg := etcd3(20 * time.Second)
	cfg.MaxEventsPerInstant = 1
	runs, err := RunAll(context.Background(), []Job{{Name: "a", Config: cfg}}, 1, 2, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range runs[0] {
		if r.Done || r.Failure == nil || r.Failure.Kind != FailedLivelock || !strings.HasPrefix(r.Failure.Message, "virtual time stood still at ") {
			t.Fatalf("%+v", r)
		}
	}
}

// TestInterruptedRunIsNotData: a run the interrupt stopped part-way is
// neither done nor failed.
func TestInterruptedRunIsNotData(t *testing.T) {
	res, err := model.Simulate(etcd3(time.Hour), model.RunOptions{Stop: func() bool { return true }})
	if err != nil {
		t.Fatal(err)
	}
	r := Measure(res)
	if r.Done || r.Failure != nil || !r.HasWrite || r.Outcome != sim.Stopped {
		t.Fatalf("%+v", r)
	}
}

// TestIncidents: only faults that were injected and did something are
// incidents, in time order; each has its recovery, measured until the
// next incident; the probes' failing times are the run's downtimes.
func TestIncidents(t *testing.T) {
	at := func(s float64) sim.Time { return sim.At(time.Duration(s * float64(time.Second))) }
	r := model.Result{Outcome: sim.ReachedTime, End: at(100),
		Probes: []model.ProbeResult{{Name: "w", Kind: model.ProbeWrite, Availability: 0.95, Unavailable: 5 * time.Second},
			{Name: "r", Kind: model.ProbeRead, Availability: 0.98, Unavailable: 2 * time.Second}},
		Faults: []model.FaultResult{
			{ID: 1, At: at(50), NewLeaderAfter: -1},
			{ID: 2, At: at(10), NewLeaderAfter: 1200 * time.Millisecond},
			{ID: 3, At: at(20), Skipped: "no leader to kill", NewLeaderAfter: -1},
			{ID: 4, At: at(200), NewLeaderAfter: -1}, // beyond the end (--until shorter than the script)
		},
		Timeline: []model.Record{
			{T: at(11), Event: model.EvProbeDown, Probe: "w"}, {T: at(13), Event: model.EvProbeUp, Probe: "w"},
			{T: at(50.5), Event: model.EvProbeDown, Probe: "w"}, {T: at(53.5), Event: model.EvProbeUp, Probe: "w"},
		}}
	run := Measure(r)
	if got := Incidents(r); len(got) != 2 || got[0].ID != 2 || got[1].ID != 1 {
		t.Fatalf("incidents %+v", got)
	}
	if run.Incidents != 2 || !slices.Equal(run.Recovery.Values(), []float64{3, 3.5}) ||
		run.WriteDowntime != 5*time.Second || run.ReadDowntime != 2*time.Second ||
		!slices.Equal(run.EtcdFailover.Values(), []float64{1.2}) {
		t.Fatalf("%+v", run)
	}
}

// TestRatesDefinedComesFromTheJob: the job says whether its failures
// arrive at rates; every run of it carries that.
func TestRatesDefinedComesFromTheJob(t *testing.T) {
	runs, err := RunAll(context.Background(), []Job{{Name: "scripted", Config: etcd3(15 * time.Second)},
		{Name: "rates", Config: etcd3(15 * time.Second), RatesDefined: true}}, 1, 2, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if runs[0][i].RatesDefined || !runs[1][i].RatesDefined || !runs[1][i].Done || runs[1][i].Incidents != 1 {
			t.Fatalf("run %d: %+v / %+v", i, runs[0][i], runs[1][i])
		}
	}
}

// TestIncidentTailMeasuresAlike: a run that lists only its first
// incidents and folds the rest into Result.IncidentTail measures what a
// run that lists them all does.
func TestIncidentTailMeasuresAlike(t *testing.T) {
	s, err := scenarios.Resolve("stacked-3-cloud-failures", nil)
	if err != nil {
		t.Fatal(err)
	}
	measure := func(listed int) (model.Result, Run) {
		cfg := s.Config()
		cfg.IncidentsListed = listed
		r, err := model.Simulate(cfg, model.RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
		run := Measure(r)
		run.Done, run.Seed, run.RatesDefined = true, cfg.Seed, true
		return r, run
	}
	all, full := measure(-1)
	few, folded := measure(2)
	if len(few.Incidents) != 2 || few.IncidentTail.Len() != len(all.Incidents)-2 || len(all.Incidents) < 4 {
		t.Fatalf("%d listed and %d folded, of %d", len(few.Incidents), few.IncidentTail.Len(), len(all.Incidents))
	}
	if !reflect.DeepEqual(full, folded) {
		t.Errorf("measures differ:\nall listed %+v\nfolded     %+v", full, folded)
	}
}
