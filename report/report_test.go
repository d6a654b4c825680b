package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

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
