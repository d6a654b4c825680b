package sweep

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func writeDoc(t *testing.T, doc string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "sweep.yaml")
	if err := os.WriteFile(p, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const head = "apiVersion: hasim.dev/v1alpha1\nkind: Sweep\nmetadata: {name: s}\nspec:\n  scenario: worked-timeline-c-paused-kcm\n"

func plan(t *testing.T, spec string) *Plan {
	t.Helper()
	p, err := Load(context.Background(), writeDoc(t, head+spec), nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func points(p *Plan) []string {
	var out []string
	for i := range p.Points {
		out = append(out, p.PointString(i))
	}
	return out
}

// Axes expand into a grid, the first axis slowest; ranges, log-spaced
// counts and constraints give the points asked for.
func TestExpand(t *testing.T) {
	p := plan(t, `  axes:
    - {path: spec.controlPlane.leaderElection.leaseDuration, from: 10s, to: 20s, step: 5s}
    - {path: spec.controlPlane.leaderElection.renewDeadline, values: [8s, 12s]}
  constraints: ["renewDeadline < leaseDuration", "renewDeadline > 1.2 * 2s"]
  seeds: 3
  firstSeed: 7
`)
	want := []string{"leaseDuration=10s renewDeadline=8s", "leaseDuration=15s renewDeadline=8s", "leaseDuration=15s renewDeadline=12s",
		"leaseDuration=20s renewDeadline=8s", "leaseDuration=20s renewDeadline=12s"}
	if got := points(p); !slices.Equal(got, want) {
		t.Errorf("points %q\nwant %q", got, want)
	}
	if p.Dropped != 1 || p.Seeds != (Seeds{First: 7, N: 3}) || p.Runs() != 15 {
		t.Errorf("dropped %d, seeds %v, runs %d", p.Dropped, p.Seeds, p.Runs())
	}
	lg := plan(t, "  axes:\n    - {path: spec.etcd.electionTimeout, from: 500ms, to: 50s, count: 5, scale: log}\n    - {path: spec.controlPlane.loadBalancer.fall, from: 1, to: 3, step: 1}\n")
	want = []string{"electionTimeout=500ms fall=1", "electionTimeout=500ms fall=2", "electionTimeout=500ms fall=3"}
	if got := points(lg); len(got) != 15 || !slices.Equal(got[:3], want) || got[3] != "electionTimeout=1.58s fall=1" || got[14] != "electionTimeout=50s fall=3" {
		t.Errorf("log points %q", got)
	}
}

// A Latin hypercube puts one sample in each of its strata on every axis;
// the draws depend on the sample seed alone.
func TestLatinHypercube(t *testing.T) {
	spec := `  axes:
    - {path: spec.controlPlane.loadBalancer.inter, from: 1s, to: 11s}
    - {path: spec.network.loss, from: 0, to: 0.1}
  sample: {method: latin-hypercube, points: 10, seed: 3}
`
	p := plan(t, spec)
	if len(p.Points) != 10 {
		t.Fatalf("%d points", len(p.Points))
	}
	for axis, width := range []float64{1, 0.01} {
		var xs []float64
		for _, pt := range p.Points {
			x, _, err := parseNum(pt.Values[axis])
			if err != nil {
				t.Fatal(err)
			}
			xs = append(xs, x)
		}
		slices.Sort(xs)
		lo := []float64{1, 0}[axis]
		for i, x := range xs {
			if x < lo+float64(i)*width-1e-9 || x > lo+float64(i+1)*width+1e-9 {
				t.Errorf("axis %d: sample %d is %v, outside stratum [%v, %v]", axis, i, x, lo+float64(i)*width, lo+float64(i+1)*width)
			}
		}
	}
	if q := plan(t, spec); !slices.Equal(points(p), points(q)) || p.Hash != q.Hash {
		t.Error("the same sample seed gave other points")
	}
	if r := plan(t, strings.Replace(spec, "seed: 3", "seed: 4", 1)); slices.Equal(points(p), points(r)) || p.Hash == r.Hash {
		t.Error("another sample seed gave the same points")
	}
}

// A bad sweep is refused with where and what.
func TestBadSweeps(t *testing.T) {
	for _, c := range []struct{ spec, want string }{
		{"  axes: []\n", "spec.axes: a sweep needs at least one axis"},
		{"  axes:\n    - {path: spec.etcd.electionTimeout}\n", "an axis needs values, or from and to"},
		{"  axes:\n    - {path: spec.etcd.electionTimeout, from: 1s, to: 3}\n", "from is a duration and to is a number"},
		{"  axes:\n    - {path: spec.etcd.electionTimeout, from: 1s, to: 3s}\n", "give sample: {method: latin-hypercube, points: N}"},
		{"  axes:\n    - {path: spec.etcd.electionTimeout, values: [1s]}\n  constraints: [\"electionTimeout < heartbeat\"]\n", `"heartbeat" is neither an axis (electionTimeout) nor a duration or number`},
		{"  axes:\n    - {path: spec.etcd.electionTimeout, values: [1s]}\n  baseline: {electionTimeout: 2s}\n", "spec.baseline electionTimeout=2s is not a point"},
		{"  axes:\n    - {path: spec.etcd.electionTimeout, values: [abc]}\n", `axis electionTimeout=abc (point electionTimeout=abc): want a duration`},
		{"  axes:\n    - {path: spec.etcd.electionTimeout, values: [1s], stepp: 1}\n", `unknown field "stepp" (did you mean "step"?)`},
		{"  axes:\n    - {path: spec.etcd.electionTimeout, values: [1s]}\n  constraints: [\"electionTimeout > 5s\"]\n", "no point is left"},
	} {
		_, err := Load(context.Background(), writeDoc(t, head+c.spec), nil, Options{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.spec, err, c.want)
		}
	}
}

// runTo runs the plan (or shard) into a fresh file with workers and
// returns the file's bytes.
func runTo(t *testing.T, p *Plan, path string, sh Shard, workers int) []byte {
	t.Helper()
	res, err := p.Open(path, "test", sh, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Run(context.Background(), res, sh, RunOptions{Workers: workers}); err != nil {
		t.Fatal(err)
	}
	res.Close()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const small = `  axes:
    - {path: spec.controlPlane.leaderElection.leaseDuration, values: [15s, 40s]}
    - {path: spec.controlPlane.leaderElection.renewDeadline, values: [5s, 10s]}
  seeds: 10
`

// The results file is the same bytes for any number of workers; an
// interrupted sweep resumed (even after a line cut off by a crash) gives
// those bytes too; shards merged give them too. The sweep has 40 runs so
// that the interruption, which comes when the run-4 record is synced
// (every 20 ms), finds runs still to start: with few runs all of them
// could be done by the first sync.
func TestRunResumeShards(t *testing.T) {
	p := plan(t, small)
	dir := t.TempDir()
	one := runTo(t, p, filepath.Join(dir, "one.jsonl"), Shard{}, 1)
	if lines := bytes.Count(one, []byte("\n")); lines != 1+p.Runs() {
		t.Fatalf("%d lines for %d runs", lines, p.Runs())
	}
	if three := runTo(t, p, filepath.Join(dir, "three.jsonl"), Shard{}, 3); !bytes.Equal(one, three) {
		t.Fatal("3 workers wrote other bytes than 1")
	}

	// Interrupted after 5 runs, with a half line left by a crash.
	path := filepath.Join(dir, "resumed.jsonl")
	res, err := p.Open(path, "test", Shard{}, false)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	err = p.Run(ctx, res, Shard{}, RunOptions{Workers: 2, Written: func(r Record) {
		if r.Run == 4 {
			cancel()
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	res.Close()
	part, _ := os.ReadFile(path)
	if n := bytes.Count(part, []byte("\n")) - 1; n < 5 || n >= p.Runs() || !bytes.HasPrefix(one, part) {
		t.Fatalf("interrupted file holds %d runs, or is not a prefix of the whole", n)
	}
	os.WriteFile(path, append(part, `{"run":99,"poi`...), 0o644)
	if _, err := p.Open(path, "test", Shard{}, false); err == nil || !strings.Contains(err.Error(), "--resume") {
		t.Fatalf("an existing file was not refused without --resume: %v", err)
	}
	res, err = p.Open(path, "test", Shard{}, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Run(context.Background(), res, Shard{}, RunOptions{Workers: 2}); err != nil {
		t.Fatal(err)
	}
	res.Close()
	if got, _ := os.ReadFile(path); !bytes.Equal(got, one) {
		t.Fatalf("resumed file differs from the uninterrupted one:\n%s\nwant:\n%s", got, one)
	}

	// Shards partition the runs and merge into the same bytes.
	var files []string
	seen := map[int]int{}
	for i := range 3 {
		sh := Shard{i, 3}
		for _, k := range p.Tasks(sh) {
			seen[k]++
		}
		f := filepath.Join(dir, "shard-"+strconv.Itoa(i)+".jsonl")
		runTo(t, p, f, sh, 2)
		files = append(files, f)
	}
	for k := range p.Runs() {
		if seen[k] != 1 {
			t.Fatalf("run %d is in %d shards", k, seen[k])
		}
	}
	var merged bytes.Buffer
	if err := Merge(&merged, []string{files[2], files[0], files[1]}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(merged.Bytes(), one) {
		t.Fatalf("merged shards differ from the unsharded run:\n%s\nwant:\n%s", merged.Bytes(), one)
	}
	if err := Merge(&merged, files[:2]); err == nil || !strings.Contains(err.Error(), "missing shards: [2]") {
		t.Errorf("a missing shard: %v", err)
	}
	if err := Merge(&merged, []string{files[0], files[0], files[1]}); err == nil || !strings.Contains(err.Error(), "both hold shard 0/3") {
		t.Errorf("a shard twice: %v", err)
	}

	// Another definition or version is refused.
	other := plan(t, strings.Replace(small, "seeds: 10", "seeds: 11", 1))
	if _, err := other.Open(path, "test", Shard{}, true); err == nil || !strings.Contains(err.Error(), "another sweep definition") {
		t.Errorf("another definition: %v", err)
	}
	if _, err := p.Open(path, "test2", Shard{}, true); err == nil || !strings.Contains(err.Error(), "written by hasim test, this is hasim test2") {
		t.Errorf("another version: %v", err)
	}
	if _, err := p.Open(path, "test", Shard{1, 3}, true); err == nil || !strings.Contains(err.Error(), `holds shard "the whole sweep", this is "1/3"`) {
		t.Errorf("another shard: %v", err)
	}
	if err := Merge(&merged, []string{path, files[0]}); err == nil {
		t.Error("a whole sweep's file merged as a shard")
	}
}

// Shards are balanced by expected cost: a point with a longer horizon
// weighs more.
func TestShardBalance(t *testing.T) {
	p := plan(t, "  axes:\n    - {path: spec.horizon, values: [1m, 10m]}\n  seeds: 40\n")
	var loads []float64
	for i := range 4 {
		l := 0.0
		for _, k := range p.Tasks(Shard{i, 4}) {
			pt, _ := p.Task(k)
			l += p.Points[pt].Cost
		}
		loads = append(loads, l)
	}
	lo, hi := slices.Min(loads), slices.Max(loads)
	if hi-lo > p.Points[1].Cost {
		t.Errorf("shard loads %v differ by more than one run", loads)
	}
}

// TestFieldsJSON: a record's fields read back in order, with their
// values' kinds, and what is not a flat object of numbers, strings and
// nulls is refused.
func TestFieldsJSON(t *testing.T) {
	in := Fields{{"b", 1.5}, {"a", nil}, {"é \"q\"\n", "x\ty"}, {"n", -2e-7}, {"z", 0.0}}
	data, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out Fields
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in, out) {
		t.Fatalf("%s read back as %v", data, out)
	}
	// Read into fields already there (as ReadResults does), shorter,
	// with other names and the same ones.
	if err := json.Unmarshal([]byte(`{"b": 2, "c": "d"}`), &out); err != nil || !reflect.DeepEqual(out, Fields{{"b", 2.0}, {"c", "d"}}) {
		t.Fatalf("read again: %v, %v", out, err)
	}
	if err := json.Unmarshal([]byte(" { } "), &out); err != nil || len(out) != 0 {
		t.Fatalf("an empty object: %v, %v", out, err)
	}
	for _, bad := range []string{`{"a": true}`, `{"a": {"b": 1}}`, `{"a": [1]}`, `[1]`, `"x"`} {
		if err := json.Unmarshal([]byte(bad), &out); err == nil {
			t.Errorf("%s: read as %v, want an error", bad, out)
		}
	}
}
