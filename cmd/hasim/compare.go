package main

import (
	"context"
	"fmt"
	"runtime"

	"hasim/experiment"
	"hasim/report"
	"hasim/report/picture"
	"hasim/scenarios"
)

func compareVerb(ctx context.Context, args []string, st streams) int {
	fs := newFlags("compare", "[flags] NAME|FILE NAME|FILE [...]", `  hasim compare stacked-3-master-crash my-external.yaml --runs 50
  hasim compare a.yaml b.yaml c.yaml --runs 200 --workers 2 -o json
`, st)
	runs := fs.Int("runs", 20, "runs per scenario; run i of every scenario uses seed --seed+i (common random numbers)")
	seed := fs.Uint64("seed", 1, "seed of the first run")
	workers := fs.Int("workers", runtime.GOMAXPROCS(0), "runs in parallel; the output is the same for any number")
	output := fs.StringP("output", "o", "table", "output format: table or json")
	until := fs.Duration("until", 0, "simulate this long instead of each scenario's spec.horizon")
	svg := fs.String("svg", "", "also draw a bar chart of write downtime per year to this SVG file")
	png := fs.String("png", "", "also draw a bar chart of write downtime per year to this PNG file")
	if code, ok := parse(fs, args, st); !ok {
		return code
	}
	if fs.NArg() < 2 {
		fmt.Fprintln(st.err, "hasim compare: want at least two scenarios to compare")
		return exitUsage
	}
	if *runs < 1 || *workers < 1 {
		fmt.Fprintln(st.err, "hasim compare: --runs and --workers must be at least 1")
		return exitUsage
	}
	if *output != "table" && *output != "json" {
		fmt.Fprintf(st.err, "hasim compare: --output %q: allowed table, json\n", *output)
		return exitUsage
	}
	var jobs []experiment.Job
	var names []string
	var faults []string
	for _, arg := range fs.Args() {
		sc, err := scenarios.ResolveContext(ctx, arg, st.in)
		if err != nil {
			fmt.Fprintln(st.err, err)
			return exitUsage
		}
		cfg := sc.Config()
		if *until > 0 {
			cfg.Horizon = *until
		}
		cfg.SkipRenewals = true
		jobs = append(jobs, experiment.Job{Name: sc.Metadata.Name, Config: cfg})
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
	results, err := experiment.RunAll(ctx, jobs, *seed, *runs, *workers)
	interrupted := ctx.Err() != nil
	if err != nil && !interrupted {
		fmt.Fprintf(st.err, "hasim compare: %v\n", err)
		return exitUsage
	}
	c := report.Compare(names, results, *seed)
	for _, path := range []string{*svg, *png} {
		if path == "" {
			continue
		}
		if err := picture.Save(picture.Comparison(c), path, 12); err != nil {
			fmt.Fprintf(st.err, "hasim compare: %v\n", err)
			return exitFailure
		}
	}
	if *output == "json" {
		err = report.WriteComparisonJSON(st.out, c)
	} else {
		err = report.WriteComparison(st.out, c)
	}
	if err != nil {
		fmt.Fprintf(st.err, "hasim compare: %v\n", err)
		return exitFailure
	}
	if interrupted {
		fmt.Fprintln(st.err, "hasim compare: interrupted; the figures above cover the runs that finished")
		return exitInterrupted
	}
	for _, s := range c.Scenarios {
		if s.InvariantBreakages > 0 {
			fmt.Fprintf(st.err, "hasim compare: %s broke safety invariants (a bug in hasim)\n", s.Scenario)
			return exitFailure
		}
	}
	return exitOK
}
