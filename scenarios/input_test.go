package scenarios

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"testing"

	"hasim/model"
)

// zeros reads as an endless stream of zero bytes, like /dev/zero.
type zeros struct{ n int64 }

func (z *zeros) Read(p []byte) (int, error) {
	clear(p)
	z.n += int64(len(p))
	return len(p), nil
}

// TestInputSizeBound: reading stops after 16 MiB, on standard input and
// on a file that never ends, and the error says so.
func TestInputSizeBound(t *testing.T) {
	z := &zeros{}
	_, err := LoadFile("-", z)
	want := "-: larger than 16 MiB: a scenario file is at most 16 MiB (16777216 bytes)"
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %s", err, want)
	}
	if z.n > MaxFileSize+64<<10 {
		t.Errorf("read %d bytes, want about %d", z.n, MaxFileSize)
	}
	if _, statErr := os.Stat("/dev/zero"); statErr == nil {
		_, err := Resolve("/dev/zero", nil)
		if want := "/dev/zero: larger than 16 MiB: a scenario file is at most 16 MiB (16777216 bytes)"; err == nil || err.Error() != want {
			t.Fatalf("/dev/zero: err = %v, want %s", err, want)
		}
	}
	// Exactly the limit is read in full, and then judged as YAML.
	_, err = LoadFile("-", strings.NewReader(strings.Repeat("#", MaxFileSize)))
	if want := "-: empty document"; err == nil || err.Error() != want {
		t.Fatalf("16 MiB of comment: err = %v, want %s", err, want)
	}
}

// readStarted closes started on its first Read, then blocks like a
// terminal nobody types into.
type readStarted struct {
	started chan struct{}
	r       io.Reader
}

func (s *readStarted) Read(p []byte) (int, error) {
	select {
	case <-s.started:
	default:
		close(s.started)
	}
	return s.r.Read(p)
}

// TestStdinCancel: waiting on standard input that never delivers ends
// when the context is cancelled, with the context's error.
func TestStdinCancel(t *testing.T) {
	for _, load := range []struct {
		name string
		fn   func(context.Context, io.Reader) error
	}{
		{"LoadFileContext", func(ctx context.Context, in io.Reader) error { _, err := LoadFileContext(ctx, "-", in); return err }},
		{"ResolveContext", func(ctx context.Context, in io.Reader) error { _, err := ResolveContext(ctx, "-", in); return err }},
	} {
		t.Run(load.name, func(t *testing.T) {
			pr, pw := io.Pipe()
			defer pw.Close() // unblocks the abandoned reader when the test ends
			in := &readStarted{started: make(chan struct{}), r: pr}
			ctx, cancel := context.WithCancel(context.Background())
			go func() {
				<-in.started
				cancel()
			}()
			err := load.fn(ctx, in)
			if !errors.Is(err, context.Canceled) || err.Error() != "-: reading stopped: context canceled" {
				t.Fatalf("err = %v, want the context's error", err)
			}
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ResolveContext(ctx, "-", strings.NewReader(base)); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled before reading: err = %v", err)
	}
}

// TestLoadAliasBomb: aliases that expand a large subtree many times stop
// at the decoder's node budget, with one positioned error.
func TestLoadAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("apiVersion: hasim.dev/v1alpha1\nkind: Scenario\nmetadata: {name: bomb}\nspec:\n  horizon: 60s\n  zones: [{name: a}]\n  hosts:\n")
	b.WriteString("    - {name: h0, zone: a, disk: {fsync: {points: &p [" + points(1000) + "]}}}\n")
	for i := 1; i < 400; i++ {
		fmt.Fprintf(&b, "    - {name: h%d, zone: a, disk: {fsync: {points: *p}}}\n", i)
	}
	b.WriteString("  etcd: {members: [h0]}\n")
	_, err := Load("bomb.yaml", []byte(b.String()))
	want := "bomb.yaml:8:21963: spec.hosts[199].disk.fsync.points[556]: document too large or too deeply aliased"
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %s", err, want)
	}
}

// TestLoadDeepNesting: nesting beyond the parser's depth limit, in flow
// or block style, is one error at its line and column.
func TestLoadDeepNesting(t *testing.T) {
	for _, tc := range []struct{ name, doc, want string }{
		{"flow", "metadata: " + strings.Repeat("[", 20000), "deep.yaml:1:10011: nested more than 10000 levels deep (a scenario needs fewer than 10)"},
		{"block", "metadata:\n" + strings.Repeat("- ", 20000) + "x\n", "deep.yaml:2:20001: nested more than 10000 levels deep (a scenario needs fewer than 10)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load("deep.yaml", []byte(tc.doc))
			if err == nil || err.Error() != tc.want {
				t.Fatalf("err = %v, want %s", err, tc.want)
			}
		})
	}
}

// largeScenario is a stacked 3-master control plane with n workers (one
// host each), a workload of 10 pods per worker and the default probes.
func largeScenario(n int) []byte {
	var b strings.Builder
	b.WriteString("apiVersion: hasim.dev/v1alpha1\nkind: Scenario\nmetadata: {name: large}\nspec:\n  horizon: 60s\n  zones: [{name: zone-a}, {name: zone-b}, {name: zone-c}]\n  hosts:\n")
	for i := 1; i <= 3; i++ {
		fmt.Fprintf(&b, "    - {name: master-%d, zone: zone-%c}\n", i, 'a'+i-1)
	}
	b.WriteString("    - {name: lb, zone: zone-a}\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "    - {name: worker-%d, zone: zone-%c}\n", i, 'a'+i%3)
	}
	b.WriteString("  etcd: {members: [master-1, master-2, master-3]}\n  controlPlane:\n    topology: stacked\n    masters: [master-1, master-2, master-3]\n")
	b.WriteString("    loadBalancer: {kind: haproxy, hosts: [lb]}\n    workers:\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "      - worker-%d\n", i)
	}
	fmt.Fprintf(&b, "  workloads: [{name: web, replicas: %d}]\n", 10*n)
	return []byte(b.String())
}

// allocated is the number of bytes fn allocates.
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestLoadLargeScenarioMemory: a 10,000-worker scenario loads (and so
// validates) allocating well under 200 MB in all.
func TestLoadLargeScenarioMemory(t *testing.T) {
	doc := largeScenario(10_000)
	var err error
	n := allocated(func() { _, err = Load("large.yaml", doc) })
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d KiB document, %.1f MB allocated", len(doc)>>10, float64(n)/1e6)
	if n > 200e6 {
		t.Errorf("loading a 10,000-worker scenario allocated %.0f MB, want under 200 MB", float64(n)/1e6)
	}
}

// BenchmarkLoadLarge reports what loading a 10,000-worker scenario
// allocates (B/op) and its size.
func BenchmarkLoadLarge(b *testing.B) {
	doc := largeScenario(10_000)
	b.ReportAllocs()
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		if _, err := Load("large.yaml", doc); err != nil {
			b.Fatal(err)
		}
	}
}

// points is an empirical distribution's n valid quantiles.
func points(n int) string {
	var parts []string
	for i := range n {
		parts = append(parts, fmt.Sprintf("{p: %g, value: %dms}", float64(i)/float64(n-1), i))
	}
	return strings.Join(parts, ", ")
}

// TestLoadValueBound: a document with more values than any scenario needs
// is refused before the YAML parser builds its tree, at the first value
// beyond the bound.
func TestLoadValueBound(t *testing.T) {
	doc := []byte("metadata: [" + strings.Repeat("a, ", maxValues) + "]\n")
	n := allocated(func() {
		_, err := Load("many.yaml", doc)
		if want := "many.yaml:1:1800009: more than 600000 values: a scenario is far smaller (20,000 hosts take about 100,000)"; err == nil || err.Error() != want {
			t.Fatalf("err = %v, want %s", err, want)
		}
	})
	if n > 1e6 {
		t.Errorf("refusing allocated %d bytes", n)
	}
}

// TestLoadErrorBound: a mistake repeated in 1,000 hosts is reported 100
// times, and how many more there are.
func TestLoadErrorBound(t *testing.T) {
	doc := "apiVersion: hasim.dev/v1alpha1\nkind: Scenario\nmetadata: {name: t}\nspec:\n  hosts: [" + strings.Repeat("x, ", 1000) + "]\n"
	_, err := Load("f.yaml", []byte(doc))
	lines := strings.Split(fmt.Sprint(err), "\n")
	if len(lines) != 101 || lines[0] != "f.yaml:5:11: spec.hosts[0]: want a mapping with fields name, zone, clock, disk, got a scalar" || lines[100] != "f.yaml: 900 more errors not shown" {
		t.Fatalf("%d lines: %s ... %s", len(lines), lines[0], lines[len(lines)-1])
	}
}

// TestBuildLargeScenarioMemory: building the cluster of a 10,000-worker
// scenario (what run and explain do after loading) allocates well under
// 200 MB: the network makes links only between hosts that talk, instead of
// a table of hosts × hosts (6.3 GB here before).
func TestBuildLargeScenarioMemory(t *testing.T) {
	sc, err := Load("large.yaml", largeScenario(10_000))
	if err != nil {
		t.Fatal(err)
	}
	var c *model.Cluster
	n := allocated(func() { c, err = model.Build(sc.Config()) })
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d hosts built, %.1f MB allocated", len(c.Hosts), float64(n)/1e6)
	if n > 200e6 {
		t.Errorf("building a 10,000-worker cluster allocated %.0f MB, want under 200 MB", float64(n)/1e6)
	}
}
