package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"testing"
	"time"

	"hasim/experiment"
	"hasim/model"
	"hasim/sim"
)

func msAt(ms int) sim.Time { return sim.At(time.Duration(ms) * time.Millisecond) }

func down(ms int) model.Record {
	return model.Record{T: msAt(ms), Event: model.EvProbeDown, Probe: "w", Reason: "write requests fail: raft proposal dropped"}
}

func up(ms int) model.Record {
	return model.Record{T: msAt(ms), Event: model.EvProbeUp, Probe: "w", Reason: "write requests succeed again"}
}

// TestCoalesceFlaps: three or more flips of one probe, each within a
// second of the previous, become one line; a final recovery keeps its own
// line; other events inside the run are kept; two flips are not coalesced.
func TestCoalesceFlaps(t *testing.T) {
	leader := model.Record{T: msAt(150), Event: model.EvLeader, Member: "etcd-2", Term: 2, Reason: "won"}
	tl := []model.Record{down(0), leader, up(100), down(200), up(300), down(2000), up(2500)}
	got := coalesceFlaps(tl)
	var events []string
	for _, r := range got {
		events = append(events, r.Event)
	}
	want := []string{evIntermittent, model.EvLeader, model.EvProbeUp, model.EvProbeDown, model.EvProbeUp}
	if strings.Join(events, " ") != strings.Join(want, " ") {
		t.Fatalf("events %v, want %v", events, want)
	}
	if !strings.Contains(got[0].Reason, "until 0.300s (2 failing stretches; first: write requests fail: raft proposal dropped)") {
		t.Fatalf("intermittent line %q", got[0].Reason)
	}
}

// TestNarratorFilters: the default narration leaves out term moves made to
// consider a vote and the followers' acknowledgement of a new leader;
// verbose narration keeps them.
func TestNarratorFilters(t *testing.T) {
	recs := []model.Record{
		{T: msAt(1000), Event: model.EvCandidate, Member: "etcd-2", Term: 2, Reason: "election timer fired: 12 ticks (its randomized timeout) without a message from leader etcd-1"},
		{T: msAt(1001), Event: model.EvFollower, Member: "etcd-3", Term: 2, Reason: "saw higher term 2 from etcd-2 (MsgVote)"},
		{T: msAt(1003), Event: model.EvLeader, Member: "etcd-2", Term: 2, Reason: "won votes from etcd-2, etcd-3 (2 of 3)"},
		{T: msAt(1004), Event: model.EvFollower, Member: "etcd-3", Term: 2, Leader: "etcd-2", Reason: "heard from leader etcd-2"},
	}
	var quiet, verbose bytes.Buffer
	r := model.Result{Timeline: recs}
	if err := WriteTimeline(&quiet, r, false); err != nil {
		t.Fatal(err)
	}
	if err := WriteTimeline(&verbose, r, true); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(quiet.String(), "\n"); n != 2 {
		t.Fatalf("default narration has %d lines, want 2:\n%s", n, quiet.String())
	}
	if n := strings.Count(verbose.String(), "\n"); n != 4 {
		t.Fatalf("verbose narration has %d lines, want 4:\n%s", n, verbose.String())
	}
	if !strings.Contains(quiet.String(), "etcd-2 is leader (term 2): won votes from etcd-2, etcd-3 (2 of 3); its election timer fired first: 12 ticks") {
		t.Fatalf("leader sentence:\n%s", quiet.String())
	}
}

// TestDocumentNulls: what was not measured is null, not zero.
func TestDocumentNulls(t *testing.T) {
	r := model.Result{Seed: 3, Horizon: time.Minute, Outcome: sim.ReachedTime,
		Probes: []model.ProbeResult{{Name: "w", Kind: model.ProbeWrite}},
		Faults: []model.FaultResult{{ID: 1, Name: "f", Kind: model.FaultProcessKill, NewLeaderAfter: -1, FirstSuccess: []time.Duration{-1}}}}
	var b bytes.Buffer
	if err := WriteJSON(&b, NewDocument("s", r)); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	sum := m["summary"].(map[string]any)
	f := sum["faults"].([]any)[0].(map[string]any)
	if sum["measuredFrom"] != nil || f["newLeader"] != nil || f["healedAt"] != nil || f["firstSuccess"].([]any)[0].(map[string]any)["after"] != nil {
		t.Fatalf("want nulls for unmeasured values:\n%s", b.String())
	}
	if m["timeline"] == nil || m["violations"] == nil {
		t.Fatalf("empty lists must be [] not null:\n%s", b.String())
	}
}

// brokenWriter fails every write.
type brokenWriter struct{}

func (brokenWriter) Write([]byte) (int, error) { return 0, errors.New("broken pipe dream") }

// TestWritersReturnWriteErrors: every writer reports the first write
// that failed, also those made of many small writes whose errors the
// table library does not pass on.
func TestWritersReturnWriteErrors(t *testing.T) {
	r := model.Result{Seed: 1, Steady: true, End: msAt(10000), Timeline: []model.Record{down(100), up(200)},
		Probes: []model.ProbeResult{{Name: "w", Kind: model.ProbeWrite, Availability: 0.5}}}
	c := Compare([]string{"a"}, [][]experiment.Run{{{Done: true, Seed: 1, HasWrite: true, WriteAvailability: 0.9}}}, 1)
	writers := map[string]func(w io.Writer) error{
		"summary":         func(w io.Writer) error { return WriteSummary(w, "x", r) },
		"timeline":        func(w io.Writer) error { return WriteTimeline(w, r, false) },
		"json":            func(w io.Writer) error { return WriteJSON(w, NewDocument("x", r)) },
		"yaml":            func(w io.Writer) error { return WriteYAML(w, NewDocument("x", r)) },
		"csv":             func(w io.Writer) error { return WriteCSV(w, NewDocument("x", r)) },
		"comparison":      func(w io.Writer) error { return WriteComparison(w, c) },
		"comparison json": func(w io.Writer) error { return WriteComparisonJSON(w, c) },
		"comparison yaml": func(w io.Writer) error { return WriteComparisonYAML(w, c) },
		"comparison csv":  func(w io.Writer) error { return WriteComparisonCSV(w, c) },
	}
	for name, write := range writers {
		if err := write(brokenWriter{}); err == nil || !strings.Contains(err.Error(), "broken pipe dream") {
			t.Errorf("%s: error %v", name, err)
		}
	}
}

// TestCompareLeavesOutFailedAndUnfinishedRuns: failed and interrupted
// runs are not data; the table says how many runs each scenario's figures
// cover and lists the failures.
func TestCompareLeavesOutFailedAndUnfinishedRuns(t *testing.T) {
	runs := [][]experiment.Run{
		{{Done: true, Seed: 1, HasWrite: true, WriteAvailability: 1}, {Done: true, Seed: 2, HasWrite: true, WriteAvailability: 1}},
		{{Done: true, Seed: 1, HasWrite: true, WriteAvailability: 1}, {Seed: 2, HasWrite: true, WriteAvailability: 0,
			Failure: &experiment.Failure{Kind: experiment.FailedPanic, Message: "boom\nmore"}}},
		{{Done: true, Seed: 1, HasWrite: true, WriteAvailability: 1}, {Seed: 2, HasWrite: true, WriteAvailability: 0}},
	}
	c := Compare([]string{"a", "b", "c"}, runs[:2], 1)
	for i, want := range []struct{ runs, failed int }{{2, 0}, {1, 1}} {
		s := c.Scenarios[i]
		if s.Runs != want.runs || s.FailedRuns != want.failed || s.Incidents.N != want.runs {
			t.Errorf("%s: %+v", s.Scenario, s)
		}
	}
	var b bytes.Buffer
	if err := WriteComparison(&b, c); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Comparison over 2 runs per scenario", "Not every run finished; the figures cover the runs that did: b 1 of 2 (1 failed).\n",
		"\n1 runs failed (bugs in hasim; left out of the figures):\n  b seed 2: panic: boom ...\n"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, b.String())
		}
	}

	// An interrupt left c's seed 2 unfinished: seed 2 leaves every
	// scenario's figures, so that they all pair the same seeds.
	c = Compare([]string{"a", "b", "c"}, runs, 1)
	for i, want := range []struct{ runs, failed, finished int }{{1, 0, 2}, {1, 1, 2}, {1, 0, 1}} {
		s := c.Scenarios[i]
		if s.Runs != want.runs || s.FailedRuns != want.failed || s.FinishedRuns != want.finished || s.Incidents.N != want.runs {
			t.Errorf("%s: %+v", s.Scenario, s)
		}
	}
	b.Reset()
	if err := WriteComparison(&b, c); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Comparison interrupted: over the 1 seeds that every scenario finished (seeds 1) of 2 asked for",
		"Runs finished in all: a 2, b 2, c 1.\n", "b seed 2: panic: boom"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, b.String())
		}
	}
}

// Interrupted runs leave holes anywhere: the figures pair the seeds that
// every scenario finished, and the JSON says which.
func TestComparePairsFinishedSeeds(t *testing.T) {
	done := func(seed uint64, ok bool) experiment.Run {
		return experiment.Run{Done: ok, Seed: seed, HasWrite: true, WriteAvailability: 1}
	}
	runs := [][]experiment.Run{
		{done(1, true), done(2, true), done(3, true), done(4, true), done(5, false)},
		{done(1, true), done(2, false), done(3, true), done(4, true), done(5, true)},
	}
	c := Compare([]string{"a", "b"}, runs, 1)
	if !c.Interrupted || c.PairedSeeds != "1, 3-4" || c.Scenarios[0].Runs != 3 || c.Scenarios[1].Runs != 3 || c.Scenarios[0].FinishedRuns != 4 {
		t.Fatalf("%+v", c)
	}
	var b bytes.Buffer
	if err := WriteComparisonJSON(&b, c); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `"interrupted": true,
  "pairedSeeds": "1, 3-4"`) || !strings.Contains(b.String(), `"finishedRuns": 4`) {
		t.Errorf("json:\n%s", b.String())
	}
}

// TestNodesAtEnd: a few nodes are each named; in a large cluster only the
// ones that were NotReady are, up to a dozen, and the rest are counted.
func TestNodesAtEnd(t *testing.T) {
	few := []model.NodeResult{{Name: "w1", ReadyAtEnd: true}, {Name: "w2", NotReady: 3 * time.Second, NotReadyCount: 1}}
	if got, want := nodesAtEnd(few), "w1 Ready (NotReady 0.000s), w2 NotReady (NotReady 3.000s)"; got != want {
		t.Errorf("few nodes: %q, want %q", got, want)
	}
	var many []model.NodeResult
	for i := range 1000 {
		n := model.NodeResult{Name: fmt.Sprintf("w%d", i), ReadyAtEnd: true}
		if i%50 == 7 {
			n.NotReady, n.NotReadyCount = time.Second, 1
		}
		many = append(many, n)
	}
	got := nodesAtEnd(many)
	if !strings.HasPrefix(got, "w7 Ready (NotReady 1.000s), w57 Ready") || !strings.HasSuffix(got, ", 8 more that were NotReady at some time, 980 Ready throughout") {
		t.Errorf("many nodes: %q", got)
	}
}

// TestInfiniteNinesInJSON: an interval reaching 100% availability has
// infinite nines; a run's document and a comparison still write as JSON
// and YAML (JSON has no infinity), with the bound as the largest float.
func TestInfiniteNinesInJSON(t *testing.T) {
	inf := Estimate{Value: 4, Lo: 3.5, Hi: math.Inf(1), N: 10, Confidence: Level}
	d := NewDocument("x", model.Result{Seed: 1, Steady: true, End: msAt(1000)})
	d.Annual = &AnnualFigures{Functions: []FunctionAnnual{{Name: "api-writes", Nines: inf}}}
	c := Compare([]string{"a"}, [][]experiment.Run{{{Done: true, Seed: 1, HasWrite: true, WriteAvailability: 1}}}, 1)
	c.Scenarios[0].Nines = &inf
	for name, write := range map[string]func(w io.Writer) error{
		"json":            func(w io.Writer) error { return WriteJSON(w, d) },
		"yaml":            func(w io.Writer) error { return WriteYAML(w, d) },
		"comparison json": func(w io.Writer) error { return WriteComparisonJSON(w, c) },
		"comparison yaml": func(w io.Writer) error { return WriteComparisonYAML(w, c) },
	} {
		var b bytes.Buffer
		if err := write(&b); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if !strings.Contains(b.String(), "1.7976931348623157e+308") {
			t.Errorf("%s: infinity not written as the largest float:\n%s", name, b.String())
		}
	}
}
