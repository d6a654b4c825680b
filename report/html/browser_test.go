package html_test

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	cdp "github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"hasim/model"
	"hasim/report"
	htmlpage "hasim/report/html"
	"hasim/scenarios"
	"hasim/sim"
)

// chromium is the path of a Chromium (or Chrome) binary, or "".
func chromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// needChromium skips a test where no Chromium is installed.
func needChromium(t *testing.T) string {
	t.Helper()
	p := chromium()
	if p == "" && os.Getenv("CI") == "true" {
		t.Fatal("no Chromium in CI: .ci/run installs Debian's chromium package; the HTML page's browser tests cannot run")
	}
	if p == "" {
		t.Skip("no Chromium on this machine (Debian: apt-get install -y chromium): the HTML page's browser tests are skipped")
	}
	return p
}

// simulate runs a built-in scenario and writes its page into dir.
func simulate(t *testing.T, name, dir string) (model.Result, string) {
	t.Helper()
	sc, err := scenarios.Resolve(name, nil)
	if err != nil {
		t.Fatal(err)
	}
	r, err := model.Simulate(sc.Config(), model.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := htmlpage.Write(&b, name, sc.Metadata.Description, r, htmlpage.Options{}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name+".html")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return r, path
}

// browser starts a headless Chromium; the returned context drives one tab
// of it. Errors the page logs, exceptions it throws and any request it
// makes for something other than the file itself are collected.
type browser struct {
	ctx      context.Context
	mu       sync.Mutex
	problems []string
}

func newBrowser(t *testing.T, exe string) *browser {
	t.Helper()
	opts := append(slices.Clone(chromedp.DefaultExecAllocatorOptions[:]), chromedp.ExecPath(exe), chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.WindowSize(1600, 1000), chromedp.Flag("disable-dev-shm-usage", true))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, 2*time.Minute) // a hung browser, not a slow one
	t.Cleanup(func() { cancelT(); cancelC(); cancelA() })
	b := &browser{ctx: ctx}
	err := chromedp.Listen(ctx, func(ev any) {
		b.mu.Lock()
		defer b.mu.Unlock()
		switch e := ev.(type) {
		case *runtime.EventExceptionThrown:
			d := e.ExceptionDetails
			msg := d.Text
			if d.Exception != nil {
				msg += " " + d.Exception.Description
			}
			b.problems = append(b.problems, fmt.Sprintf("exception at %d:%d: %s", d.LineNumber+1, d.ColumnNumber+1, msg))
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeWarning {
				var args []string
				for _, a := range e.Args {
					args = append(args, string(a.Value)+a.Description)
				}
				b.problems = append(b.problems, fmt.Sprintf("console.%s: %s", e.Type, strings.Join(args, " ")))
			}
		case *cdplog.EventEntryAdded:
			if e.Entry.Level == cdplog.EntryLevelError {
				b.problems = append(b.problems, "log: "+e.Entry.Text)
			}
		case *network.EventRequestWillBeSent:
			if u := e.Request.URL; !strings.HasPrefix(u, "file://") && !strings.HasPrefix(u, "data:") {
				b.problems = append(b.problems, "request: "+u)
			}
		}
	})
	if err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, cdplog.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	return b
}

func (b *browser) check(t *testing.T) {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.problems) > 0 {
		t.Fatalf("the page reported problems:\n%s", strings.Join(b.problems, "\n"))
	}
}

// pageState is what the test reads back from the page.
type pageState struct {
	Cursor  float64  `json:"cursor"`
	Line    int      `json:"line"`
	Current string   `json:"current"` // the highlighted narration line's text
	CurIdx  string   `json:"curIdx"`  // its data-i
	Labels  []string `json:"labels"`
	Faults  []string `json:"faults"`
	Marks   int      `json:"marks"`
	Splits  int      `json:"splits"`
	State   string   `json:"state"`
}

const readState = `(() => {
  const cur = document.querySelector("#narration div.current");
  return {
    cursor: +document.getElementById("cursor-time").dataset.t,
    line: +document.getElementById("cursor-time").dataset.line,
    current: cur ? cur.textContent : "",
    curIdx: cur ? cur.dataset.i : "",
    labels: [...document.querySelectorAll("#lanes .lane-label")].map(e => e.textContent.trim()),
    faults: [...document.querySelectorAll("#lanes .fault-label")].map(e => e.textContent),
    marks: document.querySelectorAll("#lanes .mark").length,
    splits: document.querySelectorAll("#lanes .split").length,
    state: document.getElementById("state").textContent,
  };
})()`

// load opens a page and checks that its script ran to the end.
func (b *browser) load(t *testing.T, path string) {
	t.Helper()
	if err := chromedp.Do(b.ctx, chromedp.Navigate("file://"+path)); err != nil {
		t.Fatal(err)
	}
	ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`typeof window.hasim === "object" && document.querySelectorAll("#lanes .lane-label").length > 0`))
	if err != nil {
		t.Fatal(err)
	}
	b.check(t)
	if !ok {
		t.Fatal("the page's script did not finish: no lanes drawn")
	}
}

// state runs the actions, then reads the page's state.
func (b *browser) state(t *testing.T, actions ...chromedp.Action[chromedp.Void]) pageState {
	t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		t.Fatal(err)
	}
	s, err := chromedp.Run(b.ctx, chromedp.Evaluate[pageState](readState))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// window reads the page's zoom window after the actions.
func (b *browser) window(t *testing.T, actions ...chromedp.Action[chromedp.Void]) []float64 {
	t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		t.Fatal(err)
	}
	w, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]float64](`window.hasim.window()`))
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func secs(t model.Result, at interface{ Seconds() float64 }) float64 {
	return math.Round(at.Seconds()*1e6) / 1e6
}

// TestPageInBrowser opens the pages of three classroom scenarios in
// headless Chromium: each loads without errors or requests, shows a lane
// (with its label) for every lane of the run and a label for every fault,
// and stepping with the keys moves the cursor to the narration's event
// times and highlights the matching line. A screenshot of each is taken
// (kept where HASIM_SCREENSHOTS names a directory).
func TestPageInBrowser(t *testing.T) {
	exe := needChromium(t)
	dir := t.TempDir()
	shots := os.Getenv("HASIM_SCREENSHOTS")
	b := newBrowser(t, exe)
	for _, name := range []string{"worked-timeline-b-isolated-master", "worked-timeline-c-paused-kcm", "zone-outage-masters-2-1"} {
		t.Run(name, func(t *testing.T) {
			r, path := simulate(t, name, dir)
			lines := report.Narration(r, false)
			b.load(t, path)
			s := b.state(t)

			// Lanes and labels.
			if len(s.Labels) != len(r.Lanes) {
				t.Fatalf("%d lane labels for %d lanes: %q", len(s.Labels), len(r.Lanes), s.Labels)
			}
			for _, want := range []string{"host lb", "host client", "probe api-writes", "kube-controller-manager leader", "kube-controller-manager lease record", "etcd member etcd-1", "backend haproxy-lb → master-1"} {
				if !slices.ContainsFunc(s.Labels, func(l string) bool { return strings.HasSuffix(l, want) }) {
					t.Errorf("no lane labelled %q among %q", want, s.Labels)
				}
			}
			faults := 0
			for _, f := range r.Faults {
				if f.Skipped == "" {
					faults++
					if !slices.ContainsFunc(s.Faults, func(l string) bool { return strings.Contains(l, f.Name) }) {
						t.Errorf("fault %q has no label among %q", f.Name, s.Faults)
					}
				}
			}
			if len(s.Faults) != faults {
				t.Errorf("%d fault labels for %d faults", len(s.Faults), faults)
			}
			if s.Line != -1 || s.Cursor != 0 {
				t.Fatalf("the page opens at line %d, %vs; want before the first line, at 0", s.Line, s.Cursor)
			}

			// Stepping: → five times is the fifth line, ← once the fourth.
			right := chromedp.KeyEvent(kb.ArrowRight)
			s = b.state(t, right, right, right, right, right)
			expectLine(t, s, lines, 4)
			s = b.state(t, chromedp.KeyEvent(kb.ArrowLeft))
			expectLine(t, s, lines, 3)

			// f: the next fault's line (its start).
			s = b.state(t, chromedp.KeyEvent("f"))
			i := slices.IndexFunc(lines, func(l report.Line) bool { return l.Event == model.EvFaultInjected })
			expectLine(t, s, lines, i)
			if s.Cursor != secs(r, r.Faults[0].At) {
				t.Errorf("f moved the cursor to %vs, want the first fault's start %v", s.Cursor, r.Faults[0].At)
			}
			// l: the next change of leadership after it.
			s = b.state(t, chromedp.KeyEvent("l"))
			j := i + 1 + slices.IndexFunc(lines[i+1:], func(l report.Line) bool {
				return slices.Contains([]string{model.EvLeader, model.EvStepDown, model.EvLeaseAcquired, model.EvLeaseLost, model.EvLeaseReleased}, l.Event)
			})
			expectLine(t, s, lines, j)

			// s: the first split brain's start, if the run has one.
			var split []float64
			for _, g := range r.Groups {
				for _, iv := range append(slices.Clone(g.SplitBrain), g.ActingSplitBrain...) {
					split = append(split, secs(r, iv.From))
				}
			}
			if len(split) > 0 {
				slices.Sort(split)
				s = b.state(t, chromedp.KeyEvent(kb.Home), chromedp.KeyEvent("s"))
				if s.Cursor != split[0] {
					t.Errorf("s moved the cursor to %vs, want the first split brain's start %vs", s.Cursor, split[0])
				}
				if s.Splits == 0 {
					t.Error("the run has a split brain but no split band is drawn")
				}
				if !strings.Contains(s.State, "split brain") && !strings.Contains(s.State, "SPLIT BRAIN") {
					t.Errorf("at the split brain's start the state panel does not say so: %s", s.State)
				}
			}

			// Clicking a narration line moves the cursor to it.
			k := min(len(lines)-1, 7)
			s = b.state(t, chromedp.Click(chromedp.CSS(fmt.Sprintf(`#narration div[data-i="%d"]`, k))))
			expectLine(t, s, lines, k)

			// Zoom to a window and back.
			win := b.window(t, chromedp.SetValue(chromedp.CSS("#window"), "30..60"),
				chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
					_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById("window").dispatchEvent(new Event("change"))`))
					return err
				}))
			if len(win) != 2 || win[0] != 30 || win[1] != 60 {
				t.Errorf("window 30..60 gave %v", win)
			}
			win = b.window(t, chromedp.KeyEvent("0"))
			if win[0] != 0 || win[1] != secs(r, r.End) {
				t.Errorf("0 gave the window %v, want the whole run", win)
			}

			// Play: the cursor moves forward by itself until paused.
			from := secs(r, r.End) / 2
			if err := chromedp.Do(b.ctx, chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
				_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(`window.hasim.setCursor(%v); document.getElementById("speed").value = "10"; true`, from)))
				return err
			}), chromedp.KeyEvent(" ")); err != nil {
				t.Fatal(err)
			}
			moved, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](fmt.Sprintf(`new Promise(done => { const f = () => window.hasim.cursor() > %v ? done(true) : requestAnimationFrame(f); f(); })`, from), chromedp.EvalAwaitPromise))
			if err != nil || !moved {
				t.Fatalf("playing did not move the cursor: %v", err)
			}
			if err := chromedp.Do(b.ctx, chromedp.KeyEvent(" ")); err != nil {
				t.Fatal(err)
			}
			paused := b.state(t)
			if again := b.state(t); again.Cursor != paused.Cursor {
				t.Errorf("paused, the cursor still moves: %v then %v", paused.Cursor, again.Cursor)
			}

			// A screenshot at the first fault.
			if err := chromedp.Do(b.ctx, chromedp.KeyEvent(kb.Home), chromedp.KeyEvent("f"), chromedp.KeyEvent("l")); err != nil {
				t.Fatal(err)
			}
			shot, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
			if err != nil {
				t.Fatal(err)
			}
			if img, err := png.Decode(bytes.NewReader(shot)); err != nil || img.Bounds().Dx() < 800 {
				t.Fatalf("screenshot: %v", err)
			}
			if shots != "" {
				if err := os.WriteFile(filepath.Join(shots, name+".png"), shot, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			b.check(t)
		})
	}
}

// expectLine checks that the cursor is at line i's time and that line i
// is the highlighted one.
func expectLine(t *testing.T, s pageState, lines []report.Line, i int) {
	t.Helper()
	want := math.Round(lines[i].T.Seconds()*1e6) / 1e6
	if s.Line != i || s.CurIdx != fmt.Sprint(i) || s.Cursor != want || !strings.HasSuffix(s.Current, lines[i].Text) {
		t.Fatalf("at line %d (index %s, %q), cursor %vs; want line %d at %vs: %q", s.Line, s.CurIdx, s.Current, s.Cursor, i, want, lines[i].Text)
	}
}

// TestPageAt10000Events: a run with 10,000 narrated events (a probe
// failing and recovering every 2 s for hours, the lease renewed every
// 2 s) makes a page under 2 MB that loads without errors, lists every
// line, and steps back from the run's end.
func TestPageAt10000Events(t *testing.T) {
	const n = 10_000
	r := model.Result{Seed: 1, End: sim.At(2*n*time.Second + 10*time.Second), MeasuredFrom: sim.At(time.Second),
		Probes:   []model.ProbeResult{{Name: "api-writes"}},
		Groups:   []model.GroupResult{{Name: "kube-controller-manager"}},
		HostList: []model.HostResult{{Name: "master-1", Zone: "zone-a", Procs: []string{"kube-controller-manager-master-1"}, Roles: []string{"kube-controller-manager"}, InitialRate: 1}}}
	lease := func(ev string, at time.Duration) model.Record {
		return model.Record{T: sim.At(at), Event: ev, Group: "kube-controller-manager", Proc: "kube-controller-manager-master-1", Host: "master-1"}
	}
	r.Timeline = append(r.Timeline, lease(model.EvLeaseAcquired, 500*time.Millisecond))
	for i := range n {
		at := time.Second + time.Duration(i)*2*time.Second
		ev, why := model.EvProbeDown, "write requests fail: context deadline exceeded"
		if i%2 == 1 {
			ev, why = model.EvProbeUp, "write requests succeed again"
		}
		r.Timeline = append(r.Timeline, model.Record{T: sim.At(at), Event: ev, Probe: "api-writes", Reason: why}, lease(model.EvLeaseRenewed, at+time.Second))
	}
	r.Lanes = model.ComputeLanes(&r)
	lines := report.Narration(r, false)
	if len(lines) != n+1 {
		t.Fatalf("%d lines, want %d", len(lines), n+1)
	}
	var b bytes.Buffer
	if err := htmlpage.Write(&b, "many-events", "", r, htmlpage.Options{}); err != nil {
		t.Fatal(err)
	}
	if b.Len() > 2<<20 {
		t.Errorf("the page of %d events is %d bytes, want under 2 MB", n, b.Len())
	}
	exe := needChromium(t)
	path := filepath.Join(t.TempDir(), "many.html")
	if d := os.Getenv("HASIM_SCREENSHOTS"); d != "" {
		path = filepath.Join(d, "many.html")
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	br := newBrowser(t, exe)
	br.load(t, path)
	// End puts the cursor at the run's end, after the last event: ← is
	// that last event, ← again the one before.
	s := br.state(t, chromedp.KeyEvent(kb.End), chromedp.KeyEvent(kb.ArrowLeft))
	expectLine(t, s, lines, n)
	s = br.state(t, chromedp.KeyEvent(kb.ArrowLeft))
	expectLine(t, s, lines, n-1)
	count, err := chromedp.Run(br.ctx, chromedp.Evaluate[int](`document.querySelectorAll("#narration div[data-i]").length`))
	if err != nil || count != len(lines) {
		t.Fatalf("%d narration lines shown (%v), want %d", count, err, len(lines))
	}
	br.check(t)
}

// TestWhatIfPageInBrowser: the page of a what-if draws where it first
// differs from the original run, and marks the narration lines only it
// has; stepping to the first of them lands on the divergence.
func TestWhatIfPageInBrowser(t *testing.T) {
	const name = "worked-timeline-c-paused-kcm"
	sc, err := scenarios.Resolve(name, nil)
	if err != nil {
		t.Fatal(err)
	}
	original, err := model.Simulate(sc.Config(), model.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := sc.WhatIf("50s", "kind=process-pause target=leader:kube-controller-manager process=kube-controller-manager duration=20s"); err != nil {
		t.Fatal(err)
	}
	whatIf, err := model.Simulate(sc.Config(), model.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := htmlpage.Write(&b, name, sc.Metadata.Description, whatIf, htmlpage.Options{Original: &original}); err != nil {
		t.Fatal(err)
	}
	exe := needChromium(t)
	path := filepath.Join(t.TempDir(), "whatif.html")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	br := newBrowser(t, exe)
	br.load(t, path)
	type marks struct {
		Diverge float64  `json:"diverge"`
		New     []string `json:"new"`
		Note    bool     `json:"note"`
	}
	m, err := chromedp.Run(br.ctx, chromedp.Evaluate[marks](`(() => {
  const d = document.getElementById("diverge");
  return {
    diverge: d ? +d.getAttribute("x1") : -1,
    new: [...document.querySelectorAll("#narration div.new")].map(e => e.dataset.t),
    note: document.querySelector(".desc").textContent.includes("first differs from the original run at 50.000s"),
  };
})()`))
	if err != nil {
		t.Fatal(err)
	}
	if m.Diverge < 0 || !m.Note {
		t.Errorf("the divergence is not drawn (line at x %v) or not said (%v)", m.Diverge, m.Note)
	}
	if len(m.New) == 0 || m.New[0] != "50" {
		t.Errorf("lines marked as the what-if's own start at %v, want at 50 s", m.New)
	}
	br.check(t)
}
