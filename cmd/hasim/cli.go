package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"time"

	"github.com/spf13/pflag"
	"gonum.org/v1/plot"

	"hasim/internal/firsterr"
	"hasim/model"
	"hasim/report"
	htmlpage "hasim/report/html"
	"hasim/report/picture"
	"hasim/scenarios"
	"hasim/sim"
)

// Version is the program's version.
const Version = "0.1.0"

// Exit codes.
const (
	exitOK          = 0
	exitFailure     = 1
	exitUsage       = 2
	exitInterrupted = 130
)

const usageText = `hasim simulates Kubernetes control-plane high availability on a virtual clock.

Usage:
  hasim run [flags] [NAME|FILE|-]   run a scenario (default: %s)
  hasim compare NAME|FILE ...       run scenarios over many seeds and compare them
  hasim diff A B                    two runs (or a run and its what-if) side by side, aligned on time
  hasim sweep SWEEP|NAME|FILE       run a parameter study: axes over scenario fields, seeds per point
  hasim sweep merge SHARD-FILE...   merge the results of a sharded sweep
  hasim sweep job SWEEP --shards N  print a Kubernetes Indexed Job that runs the sweep's shards
  hasim recommend RESULTS-FILE      the settings of a sweep that meet targets, their Pareto front, a recommendation
  hasim validate NAME|FILE...       check scenarios without running them
  hasim explain NAME|FILE           show the resolved topology and every parameter, with its source
  hasim scenarios list              list the built-in scenarios
  hasim scenarios show NAME         print a built-in scenario with what it teaches
  hasim version                     print the version

Examples:
  hasim run                                     # the default scenario
  hasim run etcd-isolated-leader-prevote-off    # a built-in scenario
  hasim run my-cluster.yaml --seed 7 -o json    # a file, another seed, JSON
  cat my-cluster.yaml | hasim run -             # standard input

Run "hasim VERB --help" for a verb's flags.
Exit codes: 0 ok, 1 failure, 2 usage or validation error, 130 interrupted.
`

func usage(w io.Writer) { fmt.Fprintf(w, usageText, scenarios.DefaultScenario) }

// realMain runs the command line args and returns the exit code.
func realMain(ctx context.Context, args []string, in io.Reader, out, errw io.Writer) (code int) {
	o := &output{Writer: firsterr.Writer{W: out}}
	st := streams{in: in, out: o, err: errw}
	if len(args) == 0 {
		usage(errw)
		return exitUsage
	}
	verb, rest := args[0], args[1:]
	defer func() {
		if p := recover(); p != nil {
			reportPanic(errw, verb, p, debug.Stack(), "")
			code = exitFailure
		}
	}()
	switch verb {
	case "run":
		code = runVerb(ctx, rest, st)
	case "compare":
		code = compareVerb(ctx, rest, st)
	case "diff":
		code = diffVerb(ctx, rest, st)
	case "sweep":
		code = sweepVerb(ctx, rest, st)
	case "recommend":
		code = recommendVerb(ctx, rest, st)
	case "validate":
		code = validateVerb(ctx, rest, st)
	case "explain":
		code = explainVerb(ctx, rest, st)
	case "scenarios":
		code = scenariosVerb(rest, st)
	case "version", "--version":
		code = versionVerb(rest, st)
	case "help", "-h", "--help":
		if len(rest) > 0 && !isHelpFlag(rest[0]) {
			return realMain(ctx, []string{rest[0], "--help"}, in, out, errw)
		}
		usage(o)
	default:
		fmt.Fprintf(errw, "hasim: unknown command %q\n\n", verb)
		usage(errw)
		return exitUsage
	}
	if err := o.Err; err != nil {
		if errors.Is(err, errInterrupted) {
			if code != exitInterrupted {
				fmt.Fprintf(errw, "hasim %s: interrupted while writing the output; it is incomplete\n", verb)
			}
			return exitInterrupted
		}
		fmt.Fprintf(errw, "hasim %s: writing output: %v\n", verb, err)
		if code != exitInterrupted {
			code = exitFailure
		}
	}
	if code == exitUsage && ctx.Err() != nil {
		// The error is the interrupt's doing: reading a scenario stopped.
		fmt.Fprintf(errw, "hasim %s: interrupted\n", verb)
		return exitInterrupted
	}
	return code
}

// reportPanic tells that hasim panicked: a bug in hasim, with the command
// that reproduces it (if known) and the stack.
func reportPanic(w io.Writer, verb string, p any, stack []byte, reproduce string) {
	fmt.Fprintf(w, "hasim %s: panic: %v\nThis is a bug in hasim; please report it with this message", verb, p)
	if reproduce != "" {
		fmt.Fprintf(w, ". Reproduce with: %s", reproduce)
	}
	fmt.Fprintf(w, "\n\n%s", stack)
}

// errInterrupted is the error of a write stopped by an interrupt.
var errInterrupted = errors.New("interrupted")

// output is a verb's standard output. It remembers the first write that
// failed and drops every later write, so that a verb checks one error at
// its end instead of each write; once stopOn's context is cancelled,
// writes fail with errInterrupted.
type output struct {
	firsterr.Writer
	ctx context.Context
}

func (o *output) Write(p []byte) (int, error) {
	if o.Err == nil && o.ctx != nil && o.ctx.Err() != nil {
		o.Err = errInterrupted
	}
	return o.Writer.Write(p)
}

// stopOn makes writes fail once ctx is cancelled: an interrupt while the
// output is being written stops the writing.
func (o *output) stopOn(ctx context.Context) { o.ctx = ctx }

// verbFlags is a verb's flag set with its usage text.
type verbFlags struct {
	*pflag.FlagSet
	synopsis, examples string
	st                 streams
}

// newFlags returns a verb's flag set, its flags listed in declaration
// order. Help asked for (--help, -h) goes to standard output; parse
// prints errors, and then the usage, to standard error.
func newFlags(name, synopsis, examples string, st streams) *verbFlags {
	fs := &verbFlags{FlagSet: pflag.NewFlagSet(name, pflag.ContinueOnError), synopsis: synopsis, examples: examples, st: st}
	fs.SetOutput(st.err)
	fs.SortFlags = false
	fs.Usage = func() { fs.usageTo(st.out) } // pflag calls it for --help and -h only
	return fs
}

// usageTo writes the verb's usage.
func (fs *verbFlags) usageTo(w io.Writer) {
	fmt.Fprintf(w, "Usage: hasim %s %s\n\nFlags:\n%s\nExamples:\n%s", fs.Name(), fs.synopsis, fs.FlagUsages(), fs.examples)
}

// parse parses flags; it returns an exit code and false when the verb
// should stop (help shown or bad flags).
func parse(fs *verbFlags, args []string) (int, bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return exitOK, false
		}
		fmt.Fprintf(fs.st.err, "hasim %s: %v\n\n", fs.Name(), err)
		fs.usageTo(fs.st.err)
		return exitUsage, false
	}
	return 0, true
}

// configHook, when set (by tests only), may change the configuration of
// run (just before it is built, inside its panic recovery, so a test can
// make the run panic) and of each of compare's scenarios (before the runs
// start; a test can make them livelock).
var configHook func(scenario string, cfg *model.Config)

// errNotStarted: run was interrupted after building, before the first
// event.
var errNotStarted = errors.New("interrupted before the run started")

func runVerb(ctx context.Context, args []string, st streams) (code int) {
	fs := newFlags("run", "[flags] [NAME|FILE|-]", `  hasim run
  hasim run etcd-slow-disk --verbose
  hasim run my-cluster.yaml --seed 42 --until 2m
  hasim run worked-timeline-c-paused-kcm --set spec.controlPlane.leaderElection.leaseDuration=30s --set spec.controlPlane.leaderElection.renewDeadline=20s
  hasim run etcd-leader-kill -o json | jq '.summary.faults[0].newLeader'
  hasim run worked-timeline-c-paused-kcm --at 50s --with 'kind=process-pause target=leader:kube-controller-manager process=kube-controller-manager duration=20s'
  hasim run worked-timeline-c-paused-kcm --html paused.html
  hasim run worked-timeline-b-isolated-master --svg b.svg --window 30s..120s
`, st)
	output := fs.StringP("output", "o", "table", "output format: table (narrated timeline and summary), json or yaml (summary and timeline), csv (the timeline, one event per row)")
	seed := fs.Uint64("seed", 0, "root seed of every random draw (default: the scenario's spec.seed)")
	until := horizonFlag(fs, "until", "simulate this long instead of the scenario's spec.horizon, e.g. 2m, 30d, 100y or, with failure processes, 1000y")
	quiet := fs.BoolP("quiet", "q", false, "table output: print only the summary, not the timeline")
	verbose := fs.BoolP("verbose", "v", false, "table output: narrate routine events too (term moves for votes, followers acknowledging a new leader)")
	svg := fs.String("svg", "", "also draw the run's timeline to this SVG file")
	png := fs.String("png", "", "also draw the run's timeline to this PNG file")
	window := &windowValue{}
	fs.Var(window, "window", "draw the pictures (--svg, --png) of this stretch of simulated time only, e.g. 30s..120s; the page (--html) opens zoomed to it")
	htmlPath := fs.String("html", "", "also write the run as an interactive page to this HTML file: lanes, a time cursor to step event by event, the narration and the state at the cursor (self-contained: open it in any browser, no network needed); with --with, the page also runs the original and marks where the what-if first differs")
	noFF := fs.Bool("no-fast-forward", false, "simulate the steady stretches between failures in full instead of skipping them (scenarios with spec.failures)")
	noProgress := fs.Bool("no-progress", false, "no progress line on standard error (one shows once the run takes more than a second on a terminal, every --progress-every otherwise)")
	every := durationFlag(fs, "progress-every", "when standard error is not a terminal, a progress line this often (default 10s)")
	at := fs.String("at", "", "what-if: when the fault of --with starts, in the scenario format's units (45s, 2m)")
	with := fs.String("with", "", "what-if: add a fault to the scenario, its fields as key=value pairs, e.g. 'kind=process-pause target=leader:kube-controller-manager process=kube-controller-manager duration=20s' (the fields of spec.faults)")
	maxRecords := fs.Int("max-records", 0, "keep at most this many timeline records (the figures count them all); default 20000 for scenarios with spec.failures, no bound otherwise; -1: no bound")
	incidents := fs.Int("incidents", 0, "scenarios with spec.failures: list the first N incidents in full and keep the timeline up to the end of the last of them (later ones count in the figures); default 500, -1: no bound")
	sets := setFlag(fs)
	if code, ok := parse(fs, args); !ok {
		return code
	}
	ovs, err := overrides(*sets)
	if err != nil {
		fmt.Fprintf(st.err, "hasim run: %v\n", err)
		return exitUsage
	}
	switch *output {
	case "table", "json", "yaml", "csv":
	default:
		fmt.Fprintf(st.err, "hasim run: --output %q: allowed table, json, yaml, csv\n", *output)
		return exitUsage
	}
	pics, err := pictureFlags("svg", *svg, "png", *png)
	if err != nil {
		fmt.Fprintf(st.err, "hasim run: %v\n", err)
		return exitUsage
	}
	var page *pageFile
	if *htmlPath != "" {
		if err := checkPagePath(*htmlPath); err != nil {
			fmt.Fprintf(st.err, "hasim run: %v\n", err)
			return exitUsage
		}
		page = &pageFile{path: *htmlPath}
	}
	if fs.NArg() > 1 {
		fmt.Fprintln(st.err, "hasim run: want one scenario: a built-in NAME, a FILE, or - for standard input")
		return exitUsage
	}
	arg := scenarios.DefaultScenario
	if fs.NArg() == 1 {
		arg = fs.Arg(0)
	}
	sc, err := scenarios.ResolveWith(ctx, arg, st.in, ovs)
	if err != nil {
		fmt.Fprintln(st.err, err)
		return exitUsage
	}
	// The page of a what-if shows where it departs from the original.
	var originalFaults []model.FaultConfig
	if *with != "" && page != nil {
		originalFaults = sc.Config().Faults
	}
	if *with != "" {
		if err := sc.WhatIf(*at, *with); err != nil {
			fmt.Fprintln(st.err, err)
			return exitUsage
		}
	} else if *at != "" {
		fmt.Fprintln(st.err, "hasim run: --at is the start of the fault of --with; give --with too")
		return exitUsage
	}
	cfg := sc.Config()
	if fs.Changed("seed") {
		cfg.Seed = *seed
	}
	if fs.Changed("until") {
		if !until.Set() {
			fmt.Fprintln(st.err, "hasim run: --until must be positive")
			return exitUsage
		}
		cfg.Horizon, cfg.HorizonEras = until.Rest.D(), until.Eras
	}
	cfg.NoFastForward = *noFF
	if fs.Changed("max-records") {
		if *maxRecords == 0 || *maxRecords < -1 {
			fmt.Fprintln(st.err, "hasim run: --max-records must be positive, or -1 for no bound")
			return exitUsage
		}
		cfg.MaxRecords = *maxRecords
	}
	if fs.Changed("incidents") {
		if *incidents == 0 || *incidents < -1 {
			fmt.Fprintln(st.err, "hasim run: --incidents must be positive, or -1 for no bound")
			return exitUsage
		}
		cfg.IncidentsListed = *incidents
	}
	reproduce := fmt.Sprintf("hasim run %s --seed %d", arg, cfg.Seed)
	if fs.Changed("until") {
		reproduce += " --until " + until.String()
	}
	if *noFF {
		reproduce += " --no-fast-forward"
	}
	if *at != "" {
		reproduce += " --at " + *at
	}
	if *with != "" {
		reproduce += " --with '" + *with + "'"
	}
	reproduce += setArgs(*sets)
	// A panic from here on is a bug in a run: say how to reproduce it.
	defer func() {
		if p := recover(); p != nil {
			pics.discard()
			page.discard()
			reportPanic(st.err, "run", p, debug.Stack(), reproduce)
			code = exitFailure
		}
	}()
	if configHook != nil {
		configHook(sc.Metadata.Name, &cfg)
	}
	// The run tells how far it has come; the meter reads it on its own
	// goroutine.
	var reached, horizon atomic.Uint64
	var progress func(r, h float64)
	var m *meter
	if !*noProgress {
		progress = func(r, h float64) { reached.Store(math.Float64bits(r)); horizon.Store(math.Float64bits(h)) }
		m = startMeter(st.err, *every, func(elapsed time.Duration) string {
			r, h := math.Float64frombits(reached.Load()), math.Float64frombits(horizon.Load())
			f := 0.0
			if h > 0 {
				f = min(1, r/h)
			}
			return fmt.Sprintf("hasim run %s: %s of %s simulated (%.0f%%), %s elapsed, about %s left",
				sc.Metadata.Name, calendarString(r, h), calendarString(h, h), 100*f, elapsed.Round(time.Second), eta(elapsed, f))
		})
		defer m.finish() // if the run panics
	}
	res, err := model.Simulate(cfg, model.RunOptions{
		Stop:     func() bool { return ctx.Err() != nil },
		Progress: progress,
		// The lanes are what the pictures and the page draw: without them
		// the result is built in less memory (the lanes of 20,000 records
		// of a run over years take more than the records).
		FiguresOnly: len(pics) == 0 && page == nil,
		BeforeRun: func(*model.Cluster) error {
			if ctx.Err() != nil {
				return errNotStarted
			}
			// Open the pictures' files before running: a path that cannot
			// be written must not throw the run away.
			if err := pics.create(); err != nil {
				return err
			}
			if err := page.create(); err != nil {
				pics.discard()
				return err
			}
			return nil
		},
	})
	m.finish()
	var buildErr *model.BuildError
	switch {
	case errors.As(err, &buildErr):
		fmt.Fprintf(st.err, "hasim run: %v\n", err)
		return exitUsage
	case errors.Is(err, errNotStarted):
		fmt.Fprintln(st.err, "hasim run: interrupted before the run started")
		return exitInterrupted
	case err != nil:
		fmt.Fprintf(st.err, "hasim run: %v\n", err)
		return exitFailure
	}
	interrupted := res.Outcome == sim.Stopped
	if !interrupted {
		st.out.stopOn(ctx) // an interrupt while writing stops the writing
	}
	failed := false
	// Pictures and text are written independently: one failing does not
	// stop the other.
	skipped, errs := pics.draw(ctx, interrupted, func() (*plot.Plot, int) {
		return picture.TimelineWindow(sc.Metadata.Name, res, picture.Window{From: sim.At(window.from), To: sim.At(window.to)}), picture.Lanes(res)
	})
	for _, err := range errs {
		fmt.Fprintf(st.err, "hasim run: %v\n", err)
		failed = true
	}
	if !interrupted && ctx.Err() != nil {
		page.discard()
		skipped = true
	} else if err := page.write(func(w io.Writer) error {
		o := htmlpage.Options{Verbose: *verbose, From: window.from, To: window.to}
		if *with != "" {
			orig := cfg
			orig.Faults = originalFaults
			base, err := model.Simulate(orig, model.RunOptions{Stop: func() bool { return ctx.Err() != nil }})
			if err != nil {
				return fmt.Errorf("the original run, for the page of the what-if: %w", err)
			}
			o.Original = &base
		}
		return htmlpage.Write(w, sc.Metadata.Name, firstLine(sc.Metadata.Description), res, o)
	}); err != nil {
		fmt.Fprintf(st.err, "hasim run: %v\n", err)
		failed = true
	}
	var werr error
	switch *output {
	case "json", "yaml", "csv":
		write := map[string]func(io.Writer, report.Document) error{"json": report.WriteJSON, "yaml": report.WriteYAML, "csv": report.WriteCSV}[*output]
		doc := report.NewDocument(sc.Metadata.Name, res)
		if doc.Annual != nil {
			doc.Annual.ClosedForm = closedFormOf(cfg)
		}
		werr = write(st.out, doc)
	default:
		fmt.Fprintf(st.out, "# %s\n# %s\n\n", reproduce, firstLine(sc.Metadata.Description))
		if !*quiet {
			werr = report.WriteTimeline(st.out, res, *verbose)
			fmt.Fprintln(st.out)
		}
		if werr == nil {
			werr = report.WriteSummaryWith(st.out, sc.Metadata.Name, res, closedFormOf(cfg))
		}
	}
	if werr != nil && st.out.Err == nil {
		// Not a write error (realMain reports those) but the report's own.
		fmt.Fprintf(st.err, "hasim run: %v\n", werr)
		failed = true
	}
	switch {
	case interrupted:
		fmt.Fprintf(st.err, "hasim run: interrupted at %s of simulated time; results so far are above\n", res.EndString())
		return exitInterrupted
	case skipped || errors.Is(st.out.Err, errInterrupted):
		fmt.Fprintln(st.err, "hasim run: interrupted while writing the output; it is incomplete")
		return exitInterrupted
	case res.Outcome == sim.Livelocked:
		fmt.Fprintf(st.err, "hasim run: the run livelocked: %v; results so far are above. This is a bug in hasim (unless spec.maxEventsPerInstant is set below what one instant of this scenario needs; default %d). Reproduce with: %s\n",
			res.Stall, model.DefaultMaxEventsPerInstant, reproduce)
		return exitFailure
	case len(res.Violations) > 0:
		fmt.Fprintf(st.err, "hasim run: %d safety invariants broke: a bug in hasim. Reproduce with: %s\n", len(res.Violations), reproduce)
		return exitFailure
	case res.Outcome == sim.ReachedEvents:
		fmt.Fprintf(st.err, "hasim run: stopped at the event bound after %s of simulated time; raise spec.maxEvents to go further\n", res.EndString())
	case res.Cut != "":
		fmt.Fprintf(st.err, "hasim run: %s\n", res.Cut)
		return exitFailure
	}
	if failed {
		return exitFailure
	}
	return exitOK
}

// firstLine is the first sentence of a description, on one line.
func firstLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if i := strings.Index(s, ". "); i >= 0 {
		return s[:i+1]
	}
	return s
}

func validateVerb(ctx context.Context, args []string, st streams) int {
	fs := newFlags("validate", "NAME|FILE...", `  hasim validate my-cluster.yaml
  hasim validate scenarios/*.yaml
  hasim validate etcd-leader-kill stacked-3-master-crash
  cat my-cluster.yaml | hasim validate -
`, st)
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(st.err, "hasim validate: want at least one scenario: a built-in NAME, a FILE, or - for standard input")
		return exitUsage
	}
	code := exitOK
	for _, f := range fs.Args() {
		if _, err := scenarios.ResolveContext(ctx, f, st.in); err != nil {
			fmt.Fprintln(st.err, err)
			code = exitUsage
			continue
		}
		fmt.Fprintf(st.out, "%s: ok\n", f)
		if ctx.Err() != nil {
			fmt.Fprintln(st.err, "hasim validate: interrupted")
			return exitInterrupted
		}
	}
	return code
}

// isHelpFlag reports whether arg asks for help.
func isHelpFlag(arg string) bool { return arg == "--help" || arg == "-h" || arg == "help" }

func versionVerb(args []string, st streams) int {
	fs := newFlags("version", "", `  hasim version
`, st)
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if fs.NArg() != 0 {
		fmt.Fprintf(st.err, "hasim version: takes no arguments (got %q)\n", fs.Arg(0))
		return exitUsage
	}
	fmt.Fprintln(st.out, "hasim", Version)
	return exitOK
}

func scenariosVerb(args []string, st streams) int {
	fs := newFlags("scenarios", "list | show NAME", `  hasim scenarios list
  hasim scenarios show etcd-slow-disk > my-scenario.yaml
`, st)
	if code, ok := parse(fs, args); !ok {
		return code
	}
	switch {
	case fs.NArg() == 1 && fs.Arg(0) == "list":
		lib := scenarios.Library()
		width := 0
		for _, e := range lib {
			width = max(width, len(e.Name))
		}
		for _, e := range lib {
			mark := " "
			if e.Name == scenarios.DefaultScenario {
				mark = "*"
			}
			fmt.Fprintf(st.out, "%s %-*s  %s\n", mark, width, e.Name, firstLine(e.Description))
		}
		fmt.Fprintln(st.out, "\n* the default of `hasim run`")
		return exitOK
	case fs.NArg() == 2 && fs.Arg(0) == "show":
		for _, e := range scenarios.Library() {
			if e.Name == fs.Arg(1) {
				st.out.Write(e.Source)
				return exitOK
			}
		}
		fmt.Fprintf(st.err, "hasim scenarios show: no built-in scenario %q (see hasim scenarios list)\n", fs.Arg(1))
		return exitUsage
	}
	fs.usageTo(st.err)
	return exitUsage
}

func explainVerb(ctx context.Context, args []string, st streams) int {
	fs := newFlags("explain", "[flags] NAME|FILE|-", `  hasim explain stacked-3-master-crash
  hasim explain my-cluster.yaml
  hasim explain stacked-3-master-crash --set spec.controlPlane.leaderElection.leaseDuration=20s
`, st)
	sets := setFlag(fs)
	if code, ok := parse(fs, args); !ok {
		return code
	}
	ovs, err := overrides(*sets)
	if err != nil {
		fmt.Fprintf(st.err, "hasim explain: %v\n", err)
		return exitUsage
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(st.err, "hasim explain: want one scenario: a built-in NAME, a FILE, or -")
		return exitUsage
	}
	sc, err := scenarios.ResolveWith(ctx, fs.Arg(0), st.in, ovs)
	if err != nil {
		fmt.Fprintln(st.err, err)
		return exitUsage
	}
	ex, err := scenarios.Explain(sc)
	if err != nil {
		fmt.Fprintf(st.err, "hasim explain: %v\n", err)
		return exitUsage
	}
	fmt.Fprintf(st.out, "%s: %s\n\n%s", sc.Metadata.Name, firstLine(sc.Metadata.Description), ex)
	return exitOK
}
