package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"

	"hasim/model"
	"hasim/report"
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
  hasim validate FILE...            check scenario files without running them
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
func realMain(ctx context.Context, args []string, in io.Reader, out, errw io.Writer) int {
	st := streams{in: in, out: out, err: errw}
	if len(args) == 0 {
		usage(errw)
		return exitUsage
	}
	verb, rest := args[0], args[1:]
	switch verb {
	case "run":
		return runVerb(ctx, rest, st)
	case "compare":
		return compareVerb(ctx, rest, st)
	case "validate":
		return validateVerb(ctx, rest, st)
	case "explain":
		return explainVerb(ctx, rest, st)
	case "scenarios":
		return scenariosVerb(rest, st)
	case "version", "--version":
		fmt.Fprintln(out, "hasim", Version)
		return exitOK
	case "help", "-h", "--help":
		if len(rest) > 0 {
			return realMain(ctx, []string{rest[0], "--help"}, in, out, errw)
		}
		usage(out)
		return exitOK
	}
	fmt.Fprintf(errw, "hasim: unknown command %q\n\n", verb)
	usage(errw)
	return exitUsage
}

// newFlags returns a verb's flag set: errors and help go to stderr, flags
// are listed in declaration order.
func newFlags(name, synopsis, examples string, st streams) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SetOutput(st.err)
	fs.SortFlags = false
	fs.Usage = func() {
		fmt.Fprintf(st.err, "Usage: hasim %s %s\n\nFlags:\n%s\nExamples:\n%s", name, synopsis, fs.FlagUsages(), examples)
	}
	return fs
}

// parse parses flags; it returns an exit code and false when the verb
// should stop (help shown or bad flags).
func parse(fs *pflag.FlagSet, args []string, st streams) (int, bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return exitOK, false
		}
		fmt.Fprintf(st.err, "hasim %s: %v\n", fs.Name(), err)
		return exitUsage, false
	}
	return 0, true
}

func runVerb(ctx context.Context, args []string, st streams) int {
	fs := newFlags("run", "[flags] [NAME|FILE|-]", `  hasim run
  hasim run etcd-slow-disk --verbose
  hasim run my-cluster.yaml --seed 42 --until 2m
  hasim run etcd-leader-kill -o json | jq '.summary.faults[0].newLeader'
`, st)
	output := fs.StringP("output", "o", "table", "output format: table (narrated timeline and summary), json or yaml (summary and timeline), csv (the timeline, one event per row)")
	seed := fs.Uint64("seed", 0, "root seed of every random draw (default: the scenario's spec.seed)")
	until := fs.Duration("until", 0, "simulate this long instead of the scenario's spec.horizon, e.g. 2m")
	quiet := fs.BoolP("quiet", "q", false, "table output: print only the summary, not the timeline")
	verbose := fs.BoolP("verbose", "v", false, "table output: narrate routine events too (term moves for votes, followers acknowledging a new leader)")
	svg := fs.String("svg", "", "also draw the run's timeline to this SVG file")
	png := fs.String("png", "", "also draw the run's timeline to this PNG file")
	if code, ok := parse(fs, args, st); !ok {
		return code
	}
	switch *output {
	case "table", "json", "yaml", "csv":
	default:
		fmt.Fprintf(st.err, "hasim run: --output %q: allowed table, json, yaml, csv\n", *output)
		return exitUsage
	}
	if fs.NArg() > 1 {
		fmt.Fprintln(st.err, "hasim run: want one scenario: a built-in NAME, a FILE, or - for standard input")
		return exitUsage
	}
	arg := scenarios.DefaultScenario
	if fs.NArg() == 1 {
		arg = fs.Arg(0)
	}
	sc, err := scenarios.ResolveContext(ctx, arg, st.in)
	if err != nil {
		fmt.Fprintln(st.err, err)
		return exitUsage
	}
	cfg := sc.Config()
	if fs.Changed("seed") {
		cfg.Seed = *seed
	}
	if fs.Changed("until") {
		if *until <= 0 {
			fmt.Fprintln(st.err, "hasim run: --until must be positive")
			return exitUsage
		}
		cfg.Horizon = *until
	}
	c, err := model.Build(cfg)
	if err != nil {
		fmt.Fprintf(st.err, "hasim run: %v\n", err)
		return exitUsage
	}
	reproduce := fmt.Sprintf("hasim run %s --seed %d", arg, cfg.Seed)
	if fs.Changed("until") {
		reproduce += " --until " + until.String()
	}
	out := c.RunInterruptible(func() bool { return ctx.Err() != nil })
	res := c.Result(out)
	interrupted := out == sim.Stopped
	for _, path := range []string{*svg, *png} {
		if path == "" {
			continue
		}
		if err := picture.Save(picture.Timeline(sc.Metadata.Name, res), path, picture.Lanes(res)); err != nil {
			fmt.Fprintf(st.err, "hasim run: %v\n", err)
			return exitFailure
		}
	}
	switch *output {
	case "json", "yaml", "csv":
		write := map[string]func(io.Writer, report.Document) error{"json": report.WriteJSON, "yaml": report.WriteYAML, "csv": report.WriteCSV}[*output]
		if err := write(st.out, report.NewDocument(sc.Metadata.Name, res)); err != nil {
			fmt.Fprintf(st.err, "hasim run: %v\n", err)
			return exitFailure
		}
	default:
		fmt.Fprintf(st.out, "# %s\n# %s\n\n", reproduce, firstLine(sc.Metadata.Description))
		if !*quiet {
			if err := report.WriteTimeline(st.out, res, *verbose); err != nil {
				return exitFailure
			}
			fmt.Fprintln(st.out)
		}
		if err := report.WriteSummary(st.out, sc.Metadata.Name, res); err != nil {
			fmt.Fprintf(st.err, "hasim run: %v\n", err)
			return exitFailure
		}
	}
	switch {
	case interrupted:
		fmt.Fprintf(st.err, "hasim run: interrupted at %v of simulated time; results so far are above\n", res.End)
		return exitInterrupted
	case len(res.Violations) > 0:
		fmt.Fprintf(st.err, "hasim run: %d safety invariants broke: a bug in hasim. Reproduce with: %s\n", len(res.Violations), reproduce)
		return exitFailure
	case out == sim.ReachedEvents:
		fmt.Fprintf(st.err, "hasim run: stopped at the event bound after %v of simulated time; raise spec.maxEvents to go further\n", res.End)
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
	fs := newFlags("validate", "FILE...", `  hasim validate my-cluster.yaml
  hasim validate scenarios/*.yaml
  cat my-cluster.yaml | hasim validate -
`, st)
	if code, ok := parse(fs, args, st); !ok {
		return code
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(st.err, "hasim validate: want at least one FILE (or - for standard input)")
		return exitUsage
	}
	code := exitOK
	for _, f := range fs.Args() {
		if _, err := scenarios.LoadFileContext(ctx, f, st.in); err != nil {
			fmt.Fprintln(st.err, err)
			code = exitUsage
			continue
		}
		fmt.Fprintf(st.out, "%s: ok\n", f)
	}
	return code
}

func scenariosVerb(args []string, st streams) int {
	fs := newFlags("scenarios", "list | show NAME", `  hasim scenarios list
  hasim scenarios show etcd-slow-disk > my-scenario.yaml
`, st)
	if code, ok := parse(fs, args, st); !ok {
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
	fs.Usage()
	return exitUsage
}

func explainVerb(ctx context.Context, args []string, st streams) int {
	fs := newFlags("explain", "NAME|FILE|-", `  hasim explain stacked-3-master-crash
  hasim explain my-cluster.yaml
`, st)
	if code, ok := parse(fs, args, st); !ok {
		return code
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(st.err, "hasim explain: want one scenario: a built-in NAME, a FILE, or -")
		return exitUsage
	}
	sc, err := scenarios.ResolveContext(ctx, fs.Arg(0), st.in)
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
