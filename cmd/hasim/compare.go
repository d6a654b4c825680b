package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"time"

	"gonum.org/v1/plot"

	"hasim/experiment"
	"hasim/model"
	"hasim/report"
	"hasim/report/picture"
	"hasim/scenarios"
)

func compareVerb(ctx context.Context, args []string, st streams) (code int) {
	fs := newFlags("compare", "[flags] NAME|FILE NAME|FILE [...]", `  hasim compare stacked-3-master-crash my-external.yaml --runs 50
  hasim compare a.yaml b.yaml c.yaml --runs 200 --workers 2 -o json
  hasim compare external-etcd-3-masters stacked-3-master-crash --set spec.etcd.electionTimeout=2s
`, st)
	runs := fs.Int("runs", 20, "runs per scenario; run i of every scenario uses seed --seed+i (common random numbers)")
	seed := fs.Uint64("seed", 1, "seed of the first run")
	workers := fs.Int("workers", runtime.GOMAXPROCS(0), "runs in parallel; the output is the same for any number")
	output := fs.StringP("output", "o", "table", "output format: table, json, yaml or csv")
	until := horizonFlag(fs, "until", "simulate this long instead of each scenario's spec.horizon, e.g. 2m, 30d, 100y or, with failure processes, 1000y")
	svg := fs.String("svg", "", "also draw a bar chart of write downtime per incident (per year when failures arrive at rates) to this SVG file")
	png := fs.String("png", "", "also draw a bar chart of write downtime per incident (per year when failures arrive at rates) to this PNG file")
	noFF := fs.Bool("no-fast-forward", false, "simulate the steady stretches between failures in full instead of skipping them (scenarios with spec.failures)")
	noProgress := fs.Bool("no-progress", false, "no progress line on standard error (one shows once the runs take more than a second on a terminal, every --progress-every otherwise)")
	every := durationFlag(fs, "progress-every", "when standard error is not a terminal, a progress line this often (default 10s)")
	sets := setFlag(fs)
	if code, ok := parse(fs, args); !ok {
		return code
	}
	ovs, err := overrides(*sets)
	if err != nil {
		fmt.Fprintf(st.err, "hasim compare: %v\n", err)
		return exitUsage
	}
	if fs.NArg() < 2 {
		fmt.Fprintln(st.err, "hasim compare: want at least two scenarios to compare")
		return exitUsage
	}
	if *runs < 1 || *workers < 1 {
		fmt.Fprintln(st.err, "hasim compare: --runs and --workers must be at least 1")
		return exitUsage
	}
	if !slices.Contains([]string{"table", "json", "yaml", "csv"}, *output) {
		fmt.Fprintf(st.err, "hasim compare: --output %q: allowed table, json, yaml, csv\n", *output)
		return exitUsage
	}
	pics, err := pictureFlags("svg", *svg, "png", *png)
	if err != nil {
		fmt.Fprintf(st.err, "hasim compare: %v\n", err)
		return exitUsage
	}
	var jobs []experiment.Job
	var names []string
	var faults []string
	for _, arg := range fs.Args() {
		sc, err := scenarios.ResolveWith(ctx, arg, st.in, ovs)
		if err != nil {
			fmt.Fprintln(st.err, err)
			return exitUsage
		}
		cfg := sc.Config()
		if until.Set() {
			cfg.Horizon, cfg.HorizonEras = until.Rest.D(), until.Eras
		}
		cfg.SkipRenewals = true
		cfg.NoFastForward = *noFF
		// Failure processes define rates, so figures per year mean
		// something; scripted faults alone do not: their figures are per
		// incident.
		jobs = append(jobs, experiment.Job{Name: sc.Metadata.Name, Config: cfg, RatesDefined: len(cfg.Failures) > 0})
		names = append(names, sc.Metadata.Name)
		var fdesc string
		for _, f := range cfg.Faults {
			fdesc += fmt.Sprintf("%s@%v;", f.Kind, f.At)
		}
		faults = append(faults, fdesc)
	}
	for i := 1; i < len(faults); i++ {
		if faults[i] != faults[0] {
			fmt.Fprintf(st.err, "hasim compare: note: %s and %s script different faults; the comparison mixes topology and faults\n", names[0], names[i])
		}
	}
	for i, j := range jobs {
		if err := j.Config.Validate(); err != nil {
			fmt.Fprintf(st.err, "hasim compare: %s: %v\n", fs.Arg(i), err)
			return exitUsage
		}
	}
	if configHook != nil {
		for i := range jobs {
			configHook(jobs[i].Name, &jobs[i].Config)
		}
	}
	if ctx.Err() != nil {
		fmt.Fprintln(st.err, "hasim compare: interrupted before the runs started")
		return exitInterrupted
	}
	// Open the pictures' files before running: a path that cannot be
	// written must not throw the runs away.
	if err := pics.create(); err != nil {
		fmt.Fprintf(st.err, "hasim compare: %v\n", err)
		return exitFailure
	}
	defer pics.discard() // if something below panics
	var prog *experiment.Progress
	var m *meter
	if !*noProgress {
		prog = new(experiment.Progress)
		m = startMeter(st.err, *every, func(elapsed time.Duration) string {
			done, total := prog.Runs()
			f := prog.Fraction()
			return fmt.Sprintf("hasim compare: %d/%d runs done (%.0f%% counting those under way), %s elapsed, about %s left",
				done, total, 100*f, elapsed.Round(time.Second), eta(elapsed, f))
		})
		defer m.finish() // if something below panics
	}
	results, _ := experiment.RunAll(ctx, jobs, *seed, *runs, *workers, prog)
	m.finish()
	interrupted := ctx.Err() != nil
	if !interrupted {
		st.out.stopOn(ctx) // an interrupt while writing stops the writing
	}
	c := report.Compare(names, results, *seed)
	for i := range c.Scenarios {
		if a := c.Scenarios[i].Annual; a != nil {
			a.ClosedForm = closedFormOf(jobs[i].Config)
		}
	}
	failed := false
	// Pictures and text are written independently: one failing does not
	// stop the other.
	skipped, errs := pics.draw(ctx, interrupted, func() (*plot.Plot, int) { return picture.Comparison(c), 12 })
	for _, err := range errs {
		fmt.Fprintf(st.err, "hasim compare: %v\n", err)
		failed = true
	}
	switch *output {
	case "json":
		err = report.WriteComparisonJSON(st.out, c)
	case "yaml":
		err = report.WriteComparisonYAML(st.out, c)
	case "csv":
		err = report.WriteComparisonCSV(st.out, c)
	default:
		err = report.WriteComparison(st.out, c)
	}
	if err != nil && st.out.Err == nil {
		// Not a write error (realMain reports those) but the report's own.
		fmt.Fprintf(st.err, "hasim compare: %v\n", err)
		failed = true
	}
	if fails := experiment.Failures(results); len(fails) > 0 {
		reportFailures(st.err, fails, names, fs.Args(), *until, *sets)
		failed = true
	}
	switch {
	case interrupted:
		fmt.Fprintf(st.err, "hasim compare: interrupted; the figures above cover only the seeds that every scenario finished (%s)\n", c.PairedSeeds)
		return exitInterrupted
	case skipped || errors.Is(st.out.Err, errInterrupted):
		fmt.Fprintln(st.err, "hasim compare: interrupted while writing the output; it is incomplete")
		return exitInterrupted
	}
	for _, s := range c.Scenarios {
		if s.InvariantBreakages > 0 {
			fmt.Fprintf(st.err, "hasim compare: %s broke safety invariants (a bug in hasim)\n", s.Scenario)
			failed = true
		}
	}
	if failed {
		return exitFailure
	}
	return exitOK
}

// maxReportedFailures is how many failed runs compare describes one by
// one on standard error.
const maxReportedFailures = 10

// reportFailures tells which runs failed, each with the command that
// reproduces it, and the stack of the first that panicked.
func reportFailures(w io.Writer, fails []experiment.JobFailure, names, args []string, until scenarios.Horizon, sets []string) {
	fmt.Fprintf(w, "hasim compare: %d runs failed: bugs in hasim; the figures cover the other runs. Please report them with these lines:\n", len(fails))
	var stack string
	for i, f := range fails {
		if f.Kind == experiment.FailedPanic && stack == "" {
			stack = f.Stack
		}
		if i >= maxReportedFailures {
			continue
		}
		reproduce := fmt.Sprintf("hasim run %s --seed %d", args[f.Job], f.Seed)
		if until.Set() {
			reproduce += " --until " + until.String()
		}
		reproduce += setArgs(sets)
		fmt.Fprintf(w, "  %s seed %d: %v. Reproduce with: %s\n", names[f.Job], f.Seed, f.Failure, reproduce)
	}
	if len(fails) > maxReportedFailures {
		fmt.Fprintf(w, "  and %d more\n", len(fails)-maxReportedFailures)
	}
	if stack != "" {
		fmt.Fprintf(w, "The stack of the first panic:\n%s", stack)
	}
}

// closedFormOf is the scenario's closed form beside its figures per year,
// for a configuration with failure processes; nil otherwise, or if its
// topology has no closed form (experiment.ClosedFormOf says why; the
// simulated figures stand alone then).
func closedFormOf(cfg model.Config) *report.ClosedFormFigures {
	if len(cfg.Failures) == 0 {
		return nil
	}
	cf, err := experiment.ClosedFormOf(cfg)
	if err != nil {
		return nil
	}
	return report.ClosedFormOf(cf)
}
