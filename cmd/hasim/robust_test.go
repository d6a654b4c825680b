package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"hasim/experiment"
	"hasim/model"
	"hasim/report"
	"hasim/scenarios"
)

// interruptLater is a context that is not cancelled until armed, and then
// reports itself cancelled from the n-th call of Err on: an interrupt
// that lands at a known point of a phase, without timing.
type interruptLater struct {
	context.Context
	mu    sync.Mutex
	armed bool
	left  int
}

func newInterruptLater() *interruptLater { return &interruptLater{Context: context.Background()} }

func (c *interruptLater) arm(n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.armed, c.left = true, n
}

func (c *interruptLater) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.armed {
		return nil
	}
	if c.left > 1 {
		c.left--
		return nil
	}
	c.left = 0
	return context.Canceled
}

// withHook sets configHook for the test.
func withHook(t *testing.T, hook func(scenario string, cfg *model.Config)) {
	t.Helper()
	configHook = hook
	t.Cleanup(func() { configHook = nil })
}

// TestInterrupt: an interrupt before the run reports that; one during the
// run prints the results so far and says it was interrupted; both exit
// 130. compare interrupted mid-way shows the runs that finished and says
// that not all did.
func TestInterrupt(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	code, out, errs := run(ctx, "", "run", "etcd-leader-kill", "-q")
	if code != 130 || !strings.Contains(errs, "interrupted before the run started") || out != "" {
		t.Fatalf("cancelled before: exit %d\nstdout: %s\nstderr: %s", code, out, errs)
	}

	// Cancelled at the first check inside the run: the check after
	// building is the hook's first Err call, the run's first check the
	// second.
	lc := newInterruptLater()
	withHook(t, func(string, *model.Config) { lc.arm(2) })
	code, out, errs = run(lc, "", "run", "etcd-leader-kill", "-q")
	if code != 130 || !strings.Contains(errs, "hasim run: interrupted at") || !strings.Contains(out, "Summary of etcd-leader-kill") || !strings.Contains(out, "stopped") {
		t.Fatalf("cancelled in the run: exit %d\nstdout: %s\nstderr: %s", code, out, errs)
	}

	lc = newInterruptLater()
	withHook(t, func(string, *model.Config) { lc.arm(3) })
	code, out, errs = run(lc, "", "compare", "etcd-leader-kill", "etcd-leader-pause", "--runs", "6", "--workers", "1")
	if code != 130 || !strings.Contains(errs, "interrupted; the figures above cover only the seeds that every scenario finished (") ||
		!strings.Contains(out, "Not every run finished: the figures pair only the seeds that every scenario finished") ||
		!strings.Contains(out, "Comparison interrupted: over the ") {
		t.Fatalf("compare cancelled: exit %d\nstdout: %s\nstderr: %s", code, out, errs)
	}
}

// TestPanicInRun: a panic during a run is a bug in hasim: exit 1 (not 2),
// the panic, the command that reproduces it and the stack.
func TestPanicInRun(t *testing.T) {
	withHook(t, func(string, *model.Config) { panic("test panic in a run") })
	code, out, errs := run(context.Background(), "", "run", "etcd-leader-kill", "--seed", "5", "--until", "20s")
	for _, want := range []string{"hasim run: panic: test panic in a run", "a bug in hasim",
		"Reproduce with: hasim run etcd-leader-kill --seed 5 --until 20s", "goroutine ", "runVerb"} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q", want)
		}
	}
	if code != 1 || out != "" {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out, errs)
	}
}

// TestLivelockReported: a livelocked run (here made so by a livelock
// guard of 1 event per instant) prints its results so far and the stall,
// calls it a bug and exits 1.
func TestLivelockReported(t *testing.T) {
	withHook(t, func(_ string, cfg *model.Config) { cfg.MaxEventsPerInstant = 1 })
	code, out, errs := run(context.Background(), "", "run", "etcd-leader-kill", "-q")
	if code != 1 || !strings.Contains(out, "livelocked") ||
		!strings.Contains(errs, "hasim run: the run livelocked: virtual time stood still at ") ||
		!strings.Contains(errs, "timers re-armed for that instant: ") || !strings.Contains(errs, "Reproduce with: hasim run etcd-leader-kill --seed 1") {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out, errs)
	}
	code, out, errs = run(context.Background(), "", "run", "etcd-leader-kill", "-o", "json")
	var d report.Document
	if err := json.Unmarshal([]byte(out), &d); err != nil || code != 1 || d.Outcome != "livelocked" || !strings.HasPrefix(d.Stall, "virtual time stood still") {
		t.Fatalf("json: exit %d, %v, outcome %q, stall %q\nstderr: %s", code, err, d.Outcome, d.Stall, errs)
	}
}

// TestCompareKeepsOtherRuns: runs of one scenario that fail (livelock)
// are reported with the command that reproduces each; the other
// scenario's figures are exactly those of a comparison where nothing
// failed; the exit code is 1.
func TestCompareKeepsOtherRuns(t *testing.T) {
	args := []string{"compare", "stacked-3-master-crash", "worked-timeline-c-paused-kcm", "--runs", "4", "--workers", "2", "--until", "50s"}
	code, clean, errs := run(context.Background(), "", append(args, "-o", "json")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	withHook(t, func(name string, cfg *model.Config) {
		if name == "worked-timeline-c-paused-kcm" {
			cfg.MaxEventsPerInstant = 1
		}
	})
	code, out, errs := run(context.Background(), "", append(args, "-o", "json")...)
	var a, b report.Comparison
	if err := json.Unmarshal([]byte(clean), &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(out), &b); err != nil {
		t.Fatal(err)
	}
	sa, _ := json.Marshal(a.Scenarios[0])
	sb, _ := json.Marshal(b.Scenarios[0])
	if code != 1 || !bytes.Equal(sa, sb) || b.Scenarios[1].Runs != 0 || b.Scenarios[1].FailedRuns != 4 || len(b.Failures) != 4 ||
		b.Failures[2].Seed != 3 || b.Failures[2].Kind != "livelock" {
		t.Fatalf("exit %d\nclean: %s\nwith failures: %s\nstderr: %s", code, sa, out, errs)
	}
	for _, want := range []string{"hasim compare: 4 runs failed", "worked-timeline-c-paused-kcm seed 2: the run livelocked: virtual time stood still",
		"Reproduce with: hasim run worked-timeline-c-paused-kcm --seed 2 --until 50s"} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs)
		}
	}
	code, out, _ = run(context.Background(), "", args...)
	for _, want := range []string{"the figures cover the runs that did: worked-timeline-c-paused-kcm 0 of 4 (4 failed).",
		"4 runs failed (bugs in hasim; left out of the figures):\n  worked-timeline-c-paused-kcm seed 1: livelock: virtual time"} {
		if code != 1 || !strings.Contains(out, want) {
			t.Errorf("exit %d, table lacks %q:\n%s", code, want, out)
		}
	}
}

// TestReportFailures: a panicked run in compare is told with its
// scenario, seed, message, reproduce line and the stack.
func TestReportFailures(t *testing.T) {
	fails := []experiment.JobFailure{
		{Job: 1, Seed: 7, Failure: &experiment.Failure{Kind: experiment.FailedPanic, Message: "boom", Stack: "goroutine 1 [running]:\nexample\n"}},
	}
	var b bytes.Buffer
	reportFailures(&b, fails, []string{"a", "b"}, []string{"a.yaml", "b.yaml"}, scenarios.Horizon{}, nil)
	want := "hasim compare: 1 runs failed: bugs in hasim; the figures cover the other runs. Please report them with these lines:\n" +
		"  b seed 7: panic: boom. Reproduce with: hasim run b.yaml --seed 7\nThe stack of the first panic:\ngoroutine 1 [running]:\nexample\n"
	if b.String() != want {
		t.Fatalf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}

// failingWriter fails every write after the first n bytes.
type failingWriter struct{ n int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		k := w.n
		w.n = 0
		return k, errors.New("disk on fire")
	}
	w.n -= len(p)
	return len(p), nil
}

// TestWriteErrors: a failed write of the output is reported and exits 1,
// for every verb and format, whether the first write or a later one
// fails.
func TestWriteErrors(t *testing.T) {
	cases := [][]string{
		{"run", "etcd-leader-kill"},
		{"run", "etcd-leader-kill", "-q"},
		{"run", "etcd-leader-kill", "-o", "json"},
		{"run", "etcd-leader-kill", "-o", "yaml"},
		{"run", "etcd-leader-kill", "-o", "csv"},
		{"compare", "etcd-leader-kill", "etcd-leader-pause", "--runs", "2"},
		{"compare", "etcd-leader-kill", "etcd-leader-pause", "--runs", "2", "-o", "json"},
		{"scenarios", "list"},
		{"scenarios", "show", "etcd-slow-disk"},
		{"validate", "../../scenarios/library/etcd-slow-disk.yaml"},
		{"explain", "lb-vip-pair"},
		{"version"},
		{"help"},
		{"run", "--help"},
	}
	for _, args := range cases {
		_, whole, _ := run(context.Background(), "", args...)
		for _, after := range []int{0, 10, 2000} {
			if after >= len(whole) {
				continue
			}
			var errw bytes.Buffer
			code := realMain(context.Background(), args, strings.NewReader(""), &failingWriter{n: after}, &errw)
			want := "hasim " + args[0] + ": writing output: disk on fire"
			if code != 1 || !strings.Contains(errw.String(), want) {
				t.Errorf("%v, failing after %d bytes: exit %d, stderr: %s", args, after, code, errw.String())
			}
		}
	}
}

// TestDevFull: output to a full device (/dev/full) fails with a message
// and exit 1 instead of exiting 0 with nothing written.
func TestDevFull(t *testing.T) {
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skip("no /dev/full:", err)
	}
	defer full.Close()
	for _, args := range [][]string{{"run", "etcd-leader-kill", "-q"}, {"compare", "etcd-leader-kill", "etcd-leader-pause", "--runs", "2"}} {
		var errw bytes.Buffer
		code := realMain(context.Background(), args, strings.NewReader(""), full, &errw)
		if code != 1 || !strings.Contains(errw.String(), "hasim "+args[0]+": writing output: write /dev/full: no space left on device") {
			t.Errorf("%v: exit %d, stderr: %s", args, code, errw.String())
		}
	}
}

// TestCompareUsageErrors: a configuration that --until makes invalid is
// a usage error found before any run, not a failed run.
func TestCompareUsageErrors(t *testing.T) {
	code, out, errs := run(context.Background(), "", "compare", "stacked-3-master-crash", "etcd-leader-kill", "--until", "40s")
	if code != 2 || out != "" || !strings.Contains(errs, "hasim compare: stacked-3-master-crash: fault 1: starts at 40s, at or after the horizon (40s)") {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out, errs)
	}
}

// TestPictureErrors: a picture path that cannot be created fails before
// anything is computed; one that fails while being drawn still lets the
// text output be written; text output that fails still lets the picture
// be drawn; every failure is reported, exit 1. A path without a picture
// extension is a usage error.
func TestPictureErrors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "a-file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	// Tests may run as root, which writes anywhere: a path under a regular
	// file cannot be created by anyone.
	bad := filepath.Join(file, "x.svg")
	badPNG := filepath.Join(file, "x.png")
	code, out, errs := run(context.Background(), "", "run", "etcd-leader-kill", "-q", "--svg", bad, "--png", badPNG)
	if code != 1 || out != "" || !strings.Contains(errs, "--svg: cannot write the picture: open "+bad) || !strings.Contains(errs, "--png: cannot write the picture: open "+badPNG) {
		t.Fatalf("unwritable picture paths: exit %d\nstdout: %s\nstderr: %s", code, out, errs)
	}
	code, out, errs = run(context.Background(), "", "compare", "etcd-leader-kill", "etcd-leader-pause", "--png", badPNG)
	if code != 1 || out != "" || !strings.Contains(errs, "hasim compare: --png: cannot write the picture") {
		t.Fatalf("compare, unwritable picture path: exit %d\nstdout: %s\nstderr: %s", code, out, errs)
	}
	code, _, errs = run(context.Background(), "", "run", "etcd-leader-kill", "--svg", filepath.Join(dir, "x.pdf"))
	if code != 2 || !strings.Contains(errs, "--svg: picture "+filepath.Join(dir, "x.pdf")+": want a .svg or .png file") {
		t.Fatalf("bad extension: exit %d: %s", code, errs)
	}

	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full:", err)
	}
	// A picture whose writes fail (a link to /dev/full), with a good one
	// and the text output.
	full := filepath.Join(dir, "full.svg")
	if err := os.Symlink("/dev/full", full); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(dir, "good.png")
	code, out, errs = run(context.Background(), "", "run", "etcd-leader-kill", "-q", "--svg", full, "--png", good)
	if code != 1 || !strings.Contains(out, "Summary of etcd-leader-kill") || !strings.Contains(errs, "--svg: drawing the picture to "+full+": ") {
		t.Fatalf("failing picture: exit %d\nstdout: %s\nstderr: %s", code, out, errs)
	}
	if st, err := os.Stat(good); err != nil || st.Size() == 0 {
		t.Fatalf("the good picture was not drawn: %v", err)
	}
	// Text output that fails, with a good picture.
	devFull, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer devFull.Close()
	os.Remove(good)
	var errw bytes.Buffer
	code = realMain(context.Background(), []string{"run", "etcd-leader-kill", "--png", good}, strings.NewReader(""), devFull, &errw)
	if st, err := os.Stat(good); code != 1 || err != nil || st.Size() == 0 || !strings.Contains(errw.String(), "writing output") {
		t.Fatalf("failing text output: exit %d, picture %v\nstderr: %s", code, err, errw.String())
	}
}

// TestHelp: help asked for goes to standard output and exits 0; a bad
// flag prints the error and the usage to standard error and exits 2.
func TestHelp(t *testing.T) {
	for _, verb := range []string{"run", "compare", "validate", "explain", "scenarios"} {
		for _, args := range [][]string{{verb, "--help"}, {verb, "-h"}, {"help", verb}} {
			code, out, errs := run(context.Background(), "", args...)
			if code != 0 || !strings.HasPrefix(out, "Usage: hasim "+verb+" ") || !strings.Contains(out, "Examples:") || errs != "" {
				t.Errorf("%v: exit %d\nstdout: %s\nstderr: %s", args, code, out, errs)
			}
		}
		code, out, errs := run(context.Background(), "", verb, "--no-such-flag")
		if code != 2 || out != "" || !strings.HasPrefix(errs, "hasim "+verb+": unknown flag: --no-such-flag\n\nUsage: hasim "+verb+" ") {
			t.Errorf("%s with a bad flag: exit %d\nstdout: %s\nstderr: %s", verb, code, out, errs)
		}
	}
	code, out, errs := run(context.Background(), "", "scenarios", "frob")
	if code != 2 || out != "" || !strings.HasPrefix(errs, "Usage: hasim scenarios") {
		t.Errorf("scenarios misused: exit %d\nstdout: %s\nstderr: %s", code, out, errs)
	}
}

// cancellingWriter cancels a context when it is first written to, as
// Ctrl-C pressed while the output is being written.
type cancellingWriter struct {
	bytes.Buffer
	cancel context.CancelFunc
}

func (w *cancellingWriter) Write(p []byte) (int, error) {
	w.cancel()
	return w.Buffer.Write(p)
}

// TestInterruptWhileWriting: an interrupt while the output of a finished
// run or comparison is written stops the writing; hasim says the output
// is incomplete and exits 130.
func TestInterruptWhileWriting(t *testing.T) {
	for _, args := range [][]string{{"run", "etcd-leader-kill"}, {"compare", "etcd-leader-kill", "etcd-leader-pause", "--runs", "2"}} {
		ctx, cancel := context.WithCancel(context.Background())
		w := &cancellingWriter{cancel: cancel}
		var errw bytes.Buffer
		code := realMain(ctx, args, strings.NewReader(""), w, &errw)
		_, whole, _ := run(context.Background(), "", args...)
		first, _, _ := strings.Cut(whole, "\n")
		if code != 130 || !strings.HasPrefix(w.String(), first) || len(w.String()) >= len(whole) ||
			!strings.Contains(errw.String(), "hasim "+args[0]+": interrupted while writing the output; it is incomplete") {
			t.Errorf("%v: exit %d\nstdout: %s\nstderr: %s", args, code, w.String(), errw.String())
		}
	}
}

// TestHTMLPage: run --html writes a self-contained page of the run (its
// script inline, nothing fetched, the run's data embedded); a path that
// cannot be created fails before the run, exit 1, and one without an
// .html extension is a usage error. --window opens the page zoomed to it
// and narrows the pictures; a window that is not FROM..TO with FROM < TO
// is a usage error that says what is allowed.
func TestHTMLPage(t *testing.T) {
	dir := t.TempDir()
	page := filepath.Join(dir, "run.html")
	svg := filepath.Join(dir, "run.svg")
	html := runForFile(t, page, "run", "worked-timeline-b-isolated-master", "-q", "--html", page, "--svg", svg, "--window", "30s..2m")
	for _, want := range []string{"<title>worked-timeline-b-isolated-master (seed 1)", `"window":[30,120]`, `"kind":"backend"`, "haproxy-lb marks master-2"} {
		if !strings.Contains(html, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	for _, bad := range []string{"<script src", "<link", "@import", "https://", "url(http"} {
		if strings.Contains(html, bad) {
			t.Errorf("the page refers to something outside it: %q", bad)
		}
	}
	if pic, err := os.ReadFile(svg); err != nil || !strings.Contains(string(pic), "seed 1, 30.000s to 120.000s") {
		t.Errorf("the picture does not show the window: %v", err)
	}

	file := filepath.Join(dir, "a-file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(file, "x.html")
	code, out, errs := run(context.Background(), "", "run", "etcd-leader-kill", "-q", "--html", bad)
	if code != 1 || out != "" || !strings.Contains(errs, "--html: cannot write the page: open "+bad) {
		t.Fatalf("unwritable page path: exit %d\nstdout: %s\nstderr: %s", code, out, errs)
	}
	code, _, errs = run(context.Background(), "", "run", "etcd-leader-kill", "--html", filepath.Join(dir, "x.txt"))
	if code != 2 || !strings.Contains(errs, "want an .html file") {
		t.Fatalf("bad extension: exit %d: %s", code, errs)
	}
	for _, w := range []string{"30s", "2m..30s", "x..2m", "30s..y"} {
		code, _, errs = run(context.Background(), "", "run", "etcd-leader-kill", "--svg", svg, "--window", w)
		if code != 2 || !strings.Contains(errs, "--window") {
			t.Errorf("--window %s: exit %d: %s", w, code, errs)
		}
	}
}

// TestHTMLPageOfAWhatIf: the page of a what-if marks where it first
// differs from the original run and the narration lines only it has; a
// plain run's page marks nothing.
func TestHTMLPageOfAWhatIf(t *testing.T) {
	dir := t.TempDir()
	page := filepath.Join(dir, "whatif.html")
	with := "kind=process-pause target=leader:kube-controller-manager process=kube-controller-manager duration=20s"
	html := runForFile(t, page, "run", "worked-timeline-c-paused-kcm", "-q", "--at", "50s", "--with", with, "--html", page)
	for _, want := range []string{`"diverge":50`, `"branched":true`, `"n":true`, "it first differs from the original run at 50.000s"} {
		if !strings.Contains(html, want) {
			t.Errorf("the what-if's page lacks %q", want)
		}
	}
	// Lines before the divergence are the original's too.
	if i, j := strings.Index(html, `"n":true`), strings.Index(html, `"t":47.2`); i < 0 || j < 0 || i < j {
		t.Errorf("a line before the divergence is marked as the what-if's own (first mark at %d, the takeover at %d)", i, j)
	}
	plain := filepath.Join(dir, "plain.html")
	if code, _, errs := run(context.Background(), "", "run", "worked-timeline-c-paused-kcm", "-q", "--html", plain); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if data, _ := os.ReadFile(plain); strings.Contains(string(data), `"branched"`) || strings.Contains(string(data), `"n":true`) {
		t.Error("a plain run's page marks a divergence")
	}
}

// runForFile runs hasim with args, which must succeed, and returns the
// file it wrote at path.
func runForFile(t *testing.T, path string, args ...string) string {
	t.Helper()
	code, _, errs := run(context.Background(), "", args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
