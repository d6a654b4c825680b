package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hasim/experiment/sweep"
)

// A sweep document with an inline base scenario and a baseline: the
// table gives the paired differences; JSON, YAML and CSV carry the same
// figures; --aggregate writes the file whole; --quiet prints no progress,
// and without it plain progress lines go to standard error.
func TestSweepVerb(t *testing.T) {
	dir := t.TempDir()
	doc := filepath.Join(dir, "study.yaml")
	base, err := os.ReadFile("../../scenarios/library/worked-timeline-c-paused-kcm.yaml")
	if err != nil {
		t.Fatal(err)
	}
	inline := "    " + strings.ReplaceAll(strings.TrimSpace(string(base)), "\n", "\n    ")
	os.WriteFile(doc, []byte(`apiVersion: hasim.dev/v1alpha1
kind: Sweep
metadata: {name: study}
spec:
  inline:
`+inline+`
  axes:
    - {path: spec.controlPlane.leaderElection.leaseDuration, name: lease, values: [15s, 20s]}
  seeds: 6
  metrics: ["failover.kube-controller-manager", "actingSplitBrain.*"]
  baseline: {lease: 15s}
`), 0o644)
	res := filepath.Join(dir, "study.runs.jsonl")
	agg := filepath.Join(dir, "study.csv")
	code, out, errs := run(context.Background(), "", "sweep", doc, "--results", res, "-q", "-o", "csv", "--aggregate", agg)
	if code != 0 || errs != "" {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	if b, _ := os.ReadFile(agg); string(b) != out {
		t.Errorf("--aggregate file differs from standard output")
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1+2*4 || strings.Join(rows[0][:8], ",") != "point,lease,metric,n,mean,meanLo,meanHi,meanConfidence" ||
		rows[5][2] != "failover.kube-controller-manager" || rows[5][1] != "20s" || rows[5][20] == "" || rows[1][20] != "" {
		t.Fatalf("csv:\n%s", out)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
	os.Remove(res)
	code, out, errs = run(context.Background(), "", "sweep", doc, "--results", res, "--progress-every", "1ns")
	if code != 0 || !strings.Contains(out, "paired diff from baseline") || !strings.Contains(out, "(baseline)") ||
		!strings.Contains(errs, "hasim sweep study: 12/12 runs (100%)") || !strings.Contains(errs, "2/2 points complete") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	code, out, errs = run(context.Background(), "", "sweep", doc, "--results", res)
	if code != 2 || !strings.Contains(errs, "the results file exists: continue it with --resume") {
		t.Fatalf("existing results: exit %d\n%s", code, errs)
	}
	code, out, _ = run(context.Background(), "", "sweep", doc, "--results", res, "--resume", "-q", "-o", "json")
	var j struct {
		Finished int `json:"finished"`
		Points   []struct {
			Metrics []struct {
				Metric string
				N      int
				Diff   *struct{ Value float64 } `json:"diffFromBaseline"`
			}
		}
	}
	if code != 0 || json.Unmarshal([]byte(out), &j) != nil || j.Finished != 12 || len(j.Points) != 2 || j.Points[1].Metrics[0].Diff == nil {
		t.Fatalf("resume of a finished sweep: exit %d\n%s", code, out)
	}
	svg := filepath.Join(dir, "curves.svg")
	if code, out, _ = run(context.Background(), "", "sweep", doc, "--results", res, "--resume", "-q", "-o", "yaml", "--svg", svg); code != 0 || !strings.Contains(out, "diffFromBaseline:") {
		t.Fatalf("yaml: exit %d\n%s", code, out)
	}
	if b, err := os.ReadFile(svg); err != nil || !strings.Contains(string(b), "mean failover.kube-controller-manager by lease") {
		t.Fatalf("no curves in %s: %v", svg, err)
	}
	if code, _, errs = run(context.Background(), "", "sweep", doc, "--results", res, "--resume", "-q", "--svg", svg, "--y", "lease"); code != 2 || !strings.Contains(errs, "a heat map needs two different axes") {
		t.Fatalf("heat map of one axis: exit %d: %s", code, errs)
	}
	code, out, errs = run(context.Background(), "", "recommend", res, "--target", "failover.kube-controller-manager.p99 <= 20s")
	if code != 0 || !strings.Contains(out, "Recommended: lease=15s, because it meets every target") || !strings.Contains(out, "no: failover.kube-controller-manager.p99 is 2") {
		t.Fatalf("recommend: exit %d\n%s\n%s", code, out, errs)
	}
	if code, _, errs = run(context.Background(), "", "recommend", res, "--objective", "downtime.nope"); code != 2 || !strings.Contains(errs, `no metric "downtime.nope"`) {
		t.Fatalf("recommend with an unknown metric: exit %d: %s", code, errs)
	}
}

// The command line's mistakes are named.
func TestSweepUsage(t *testing.T) {
	t.Setenv("JOB_COMPLETION_INDEX", "")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"sweep", "etcd-leader-kill"}, "is a scenario: sweep it with --axis"},
		{[]string{"sweep", "etcd-leader-kill", "--axis", "spec.etcd.electionTimeout"}, "want PATH=v1,v2,... or PATH=FROM..TO/STEP"},
		{[]string{"sweep", "etcd-leader-kill", "--axis", "spec.etcd.electionTimeout=1s..2s"}, "a range needs a step"},
		{[]string{"sweep", "etcd-leader-kill", "--axis", "spec.etcd.electionTimeout=1s,abc"}, "axis electionTimeout=abc (point electionTimeout=abc): want a duration"},
		{[]string{"sweep", "etcd-leader-kill", "--axis", "spec.etcd.electionTimeout=1s", "--shard", "3/3"}, "want I/N with 0 <= I < N"},
		{[]string{"sweep", "etcd-leader-kill", "--axis", "spec.etcd.electionTimeout=1s", "--shards", "3"}, "set JOB_COMPLETION_INDEX"},
		{[]string{"sweep", "etcd-leader-kill", "--axis", "spec.etcd.electionTimeout=1s", "-o", "xml"}, `--output "xml"`},
		{[]string{"sweep", "merge", "a.jsonl"}, "--results FILE"},
	} {
		code, _, errs := run(context.Background(), "", c.args...)
		if code != 2 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", c.args, code, errs, c.want)
		}
	}
	code, out, _ := run(context.Background(), "", "sweep", "etcd-leader-kill", "--axis", "spec.etcd.electionTimeout=1s..3s/500ms", "--seeds", "7", "--list")
	if code != 0 || !strings.Contains(out, "5 points × 7 seeds = 35 runs") || !strings.Contains(out, "4  electionTimeout=3s") {
		t.Fatalf("--list: exit %d\n%s", code, out)
	}
}

// Without a terminal the progress is a plain line each period, with the
// rate and the time left.
func TestProgressLines(t *testing.T) {
	p, err := sweep.Load(context.Background(), "etcd-leader-kill", nil, sweep.Options{Axes: []sweep.AxisSpec{{Path: "spec.etcd.electionTimeout", Values: []string{"1s", "2s"}}}, Seeds: 2})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	now := time.Unix(0, 0)
	pr := newProgress(&b, p, 4, 0, 10*time.Second)
	pr.now = func() time.Time { return now }
	pr.start, pr.last = now, now
	for i, step := range []time.Duration{time.Second, 10 * time.Second, time.Second} {
		now = now.Add(step)
		pr.written(sweep.Record{Run: i, Point: i % 2})
	}
	if got := b.String(); got != "hasim sweep etcd-leader-kill-sweep: 2/4 runs (50%), 0.2 runs/s, ETA 11s; 0/2 points complete\n" {
		t.Errorf("progress:\n%q", got)
	}
}
