package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/plot"

	"hasim/experiment/sweep"
	"hasim/report"
	"hasim/report/picture"
)

const sweepExamples = `  hasim sweep lease-renew-paused-leader
  hasim sweep my-study.yaml --workers 8 -o csv --aggregate study.csv
  hasim sweep worked-timeline-c-paused-kcm --axis spec.controlPlane.leaderElection.leaseDuration=15s,20s,30s --seeds 50
  hasim sweep my-study.yaml --resume                 # after an interrupt: runs only what is missing
  hasim sweep my-study.yaml --shard 2/8              # one shard of eight (or JOB_COMPLETION_INDEX with --shards 8)
  hasim sweep merge study.shard-*-of-8.jsonl --results study.runs.jsonl
  hasim sweep job my-study.yaml --shards 8 --image registry.example/hasim:0.1.0 --volume sweep-results
`

func sweepVerb(ctx context.Context, args []string, st streams) int {
	if len(args) > 0 {
		switch args[0] {
		case "merge":
			return sweepMergeVerb(args[1:], st)
		case "job":
			return sweepJobVerb(ctx, args[1:], st)
		}
	}
	fs := newFlags("sweep", "[flags] SWEEP|NAME|FILE\n       hasim sweep merge [flags] SHARD-FILE...\n       hasim sweep job [flags] SWEEP --shards N --image IMAGE --volume CLAIM", sweepExamples, st)
	axes := fs.StringArray("axis", nil, "add an axis: PATH=v1,v2,... or PATH=FROM..TO/STEP (repeatable); a scenario (not a kind: Sweep document) is swept along these")
	constraints := fs.StringArray("constraint", nil, "keep only the points where this holds, such as 'renewDeadline < leaseDuration' (axis names, durations, numbers; repeatable)")
	sets := setFlag(fs)
	seeds := fs.Int("seeds", 0, "runs per point (default: the sweep's spec.seeds, else 20); every point gets the same seeds")
	firstSeed := fs.Uint64("first-seed", 0, "seed of the first run of every point (default: the sweep's spec.firstSeed, else 1)")
	workers := fs.Int("workers", runtime.GOMAXPROCS(0), "runs in parallel; the output is the same for any number")
	results := fs.String("results", "", "the results file, one JSON line per run (default NAME.runs.jsonl, or NAME.shard-I-of-N.jsonl for a shard)")
	resume := fs.Bool("resume", false, "continue the results file of an interrupted sweep: run only what is missing")
	output := fs.StringP("output", "o", "table", "the per-point figures: table, json, yaml or csv")
	aggregate := fs.String("aggregate", "", "also write the per-point figures to this file (written whole or not at all), in the --output format")
	shardFlag := fs.String("shard", "", "run shard I of N (I from 0): a deterministic share of the runs, balanced by expected cost")
	shards := fs.Int("shards", 0, "the number of shards, with the shard index from JOB_COMPLETION_INDEX (a Kubernetes Indexed Job); HASIM_SHARDS also sets it")
	metrics := fs.StringArray("metric", nil, "aggregate this metric (a name or a pattern such as 'failover.*'; repeatable); default: the sweep's spec.metrics, else failover, no-leader, split-brain and availability figures")
	quiet := fs.BoolP("quiet", "q", false, "no progress on standard error")
	every := durationFlag(fs, "progress-every", "when standard error is not a terminal, a progress line this often (default 10s)")
	svg := fs.String("svg", "", "also draw the figures to this SVG file: curves of --plot against --x, or a heat map with --y")
	png := fs.String("png", "", "also draw the figures to this PNG file (see --svg)")
	plotMetric := fs.String("plot", "", "the metric the picture shows (default: the first aggregated one)")
	xAxis := fs.String("x", "", "the picture's x axis (default: the first axis); curves have a line per setting of the other axes")
	yAxis := fs.String("y", "", "draw a heat map of --plot over --x and this axis instead of curves")
	list := fs.Bool("list", false, "list the points and the number of runs, and run nothing")
	builtins := fs.Bool("builtins", false, "list the built-in sweeps")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if *builtins {
		for _, e := range sweep.Library() {
			fmt.Fprintf(st.out, "%-36s %s\n", e.Name, firstLine(e.Description))
		}
		return exitOK
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(st.err, "hasim sweep: want one sweep (a built-in name or a kind: Sweep file), or a scenario (NAME|FILE|-) with --axis")
		return exitUsage
	}
	if *workers < 1 {
		fmt.Fprintln(st.err, "hasim sweep: --workers must be at least 1")
		return exitUsage
	}
	if !slices.Contains([]string{"table", "json", "yaml", "csv"}, *output) {
		fmt.Fprintf(st.err, "hasim sweep: --output %q: allowed table, json, yaml, csv\n", *output)
		return exitUsage
	}
	var opts sweep.Options
	for _, a := range *axes {
		ax, err := sweep.ParseAxis(a)
		if err != nil {
			fmt.Fprintf(st.err, "hasim sweep: %v\n", err)
			return exitUsage
		}
		opts.Axes = append(opts.Axes, ax)
	}
	ovs, err := overrides(*sets)
	if err != nil {
		fmt.Fprintf(st.err, "hasim sweep: %v\n", err)
		return exitUsage
	}
	opts.Set, opts.Seeds, opts.Constraints, opts.Metrics = ovs, *seeds, *constraints, *metrics
	if fs.Changed("seeds") && *seeds < 1 {
		fmt.Fprintln(st.err, "hasim sweep: --seeds must be at least 1")
		return exitUsage
	}
	if fs.Changed("first-seed") {
		opts.FirstSeed = firstSeed
	}
	sh, err := shardOf(*shardFlag, *shards, fs.Changed("shards"))
	if err != nil {
		fmt.Fprintf(st.err, "hasim sweep: %v\n", err)
		return exitUsage
	}
	pics, err := pictureFlags("svg", *svg, "png", *png)
	if err != nil {
		fmt.Fprintf(st.err, "hasim sweep: %v\n", err)
		return exitUsage
	}
	plan, err := sweep.Load(ctx, fs.Arg(0), st.in, opts)
	if err != nil {
		fmt.Fprintln(st.err, err)
		return exitUsage
	}
	for _, a := range []string{*xAxis, *yAxis} {
		if a != "" && !slices.Contains(plan.Axes, a) {
			fmt.Fprintf(st.err, "hasim sweep: no axis %q to draw (axes: %s)\n", a, strings.Join(plan.Axes, ", "))
			return exitUsage
		}
	}
	if *list {
		fmt.Fprintf(st.out, "%s: %d points × %d seeds = %d runs (%d points removed by constraints)\n", plan.Name, len(plan.Points), plan.Seeds.N, plan.Runs(), plan.Dropped)
		for i := range plan.Points {
			fmt.Fprintf(st.out, "  %3d  %s\n", i, plan.PointString(i))
		}
		return exitOK
	}
	path := *results
	if path == "" {
		path = plan.Name + ".runs.jsonl"
		if sh.N > 1 {
			path = fmt.Sprintf("%s.shard-%d-of-%d.jsonl", plan.Name, sh.I, sh.N)
		}
	}
	res, err := plan.Open(path, Version, sh, *resume)
	if err != nil {
		fmt.Fprintf(st.err, "hasim sweep: %v\n", err)
		return exitUsage
	}
	total := plan.TaskCount(sh)
	var prog *progress
	if !*quiet {
		prog = newProgress(st.err, plan, total, res.Done, *every)
	}
	runErr := plan.Run(ctx, res, sh, sweep.RunOptions{Workers: *workers, Written: func(r sweep.Record) {
		if prog != nil {
			prog.written(r)
		}
	}})
	if prog != nil {
		prog.finish()
	}
	if err := res.Close(); err != nil && runErr == nil {
		runErr = err
	}
	if runErr != nil {
		fmt.Fprintf(st.err, "hasim sweep: writing %s: %v\n", path, runErr)
		return exitFailure
	}
	interrupted := res.Done < total
	code := exitOK
	if len(res.Failed) > 0 {
		fmt.Fprintf(st.err, "hasim sweep: %d runs failed: bugs in hasim; the figures cover the other runs. Please report them with these lines:\n", len(res.Failed))
		for i, r := range res.Failed {
			if i == maxReportedFailures {
				fmt.Fprintf(st.err, "  and %d more\n", len(res.Failed)-i)
				break
			}
			fmt.Fprintf(st.err, "  point %d seed %d: %s. Reproduce with: %s\n", r.Point, r.Seed, firstLineOf(r.Failure), plan.Reproduce(r))
		}
		code = exitFailure
	}
	if sh.N > 1 && !interrupted {
		fmt.Fprintf(st.err, "hasim sweep: shard %s: %d runs in %s; merge the shards with hasim sweep merge\n", sh, res.Done, path)
		return code
	}
	if sh.N <= 1 {
		agg, err := report.AggregateResults(path, interrupted)
		if err != nil {
			fmt.Fprintf(st.err, "hasim sweep: %v\n", err)
			return exitFailure
		}
		if !interrupted {
			st.out.stopOn(ctx)
		}
		if c := writeAggregate(st, agg, *output, *aggregate); c != exitOK {
			code = c
		}
		if c := drawSweep(ctx, st, pics, agg, *plotMetric, *xAxis, *yAxis, interrupted); c != exitOK {
			code = c
		}
	}
	if interrupted {
		fmt.Fprintf(st.err, "hasim sweep: interrupted: %d of %d runs finished (in %s); continue with --resume\n", res.Done, total, path)
		return exitInterrupted
	}
	return code
}

// drawSweep draws the sweep's pictures: curves of metric against x, or a
// heat map over x and y.
func drawSweep(ctx context.Context, st streams, pics pictures, agg report.SweepAggregate, metric, x, y string, interrupted bool) int {
	if len(pics) == 0 {
		return exitOK
	}
	if metric == "" {
		if len(agg.Points) == 0 || len(agg.Points[0].Metrics) == 0 {
			fmt.Fprintln(st.err, "hasim sweep: nothing to draw: no metric has figures")
			return exitFailure
		}
		metric = agg.Points[0].Metrics[0].Metric
	}
	if x == "" {
		x = agg.Axes[0]
	}
	var p *plot.Plot
	var err error
	if y != "" {
		p, err = picture.SweepHeatMap(agg, metric, x, y)
	} else {
		p, err = picture.SweepCurves(agg, metric, x)
	}
	if err != nil {
		fmt.Fprintf(st.err, "hasim sweep: cannot draw: %v\n", err)
		return exitUsage
	}
	if err := pics.create(); err != nil {
		fmt.Fprintf(st.err, "hasim sweep: %v\n", err)
		return exitFailure
	}
	_, errs := pics.draw(ctx, interrupted, func() (*plot.Plot, int) { return p, picture.SweepLanes })
	for _, err := range errs {
		fmt.Fprintf(st.err, "hasim sweep: %v\n", err)
	}
	if len(errs) > 0 {
		return exitFailure
	}
	return exitOK
}

// writeAggregate writes the figures to standard output and, if file is
// set, to file by way of a temporary file renamed into place.
func writeAggregate(st streams, agg report.SweepAggregate, format, file string) int {
	write := map[string]func(io.Writer, report.SweepAggregate) error{
		"table": report.WriteSweep, "json": report.WriteSweepJSON, "yaml": report.WriteSweepYAML, "csv": report.WriteSweepCSV}[format]
	if err := write(st.out, agg); err != nil && st.out.Err == nil {
		fmt.Fprintf(st.err, "hasim sweep: %v\n", err)
		return exitFailure
	}
	if file == "" {
		return exitOK
	}
	if err := writeAtomic(file, func(w io.Writer) error { return write(w, agg) }); err != nil {
		fmt.Fprintf(st.err, "hasim sweep: %v\n", err)
		return exitFailure
	}
	return exitOK
}

// writeAtomic writes path through a temporary file in its directory,
// synced and renamed over it: readers see the old file or the whole new
// one.
func writeAtomic(path string, write func(io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // after the rename, nothing is there
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return os.Rename(f.Name(), path)
}

// shardOf is the shard to run: --shard I/N; else JOB_COMPLETION_INDEX
// with --shards (or HASIM_SHARDS); else the whole sweep.
func shardOf(flag string, shards int, shardsSet bool) (sweep.Shard, error) {
	if flag != "" {
		if shardsSet {
			return sweep.Shard{}, errors.New("give --shard I/N or --shards N (with JOB_COMPLETION_INDEX), not both")
		}
		return sweep.ParseShard(flag)
	}
	if !shardsSet {
		if env := os.Getenv("HASIM_SHARDS"); env != "" {
			n, err := strconv.Atoi(env)
			if err != nil || n < 1 {
				return sweep.Shard{}, fmt.Errorf("HASIM_SHARDS=%q: want a positive number of shards", env)
			}
			shards = n
		}
	}
	if shards == 0 {
		return sweep.Shard{}, nil
	}
	if shards < 1 {
		return sweep.Shard{}, errors.New("--shards must be at least 1")
	}
	idx := os.Getenv("JOB_COMPLETION_INDEX")
	if idx == "" {
		return sweep.Shard{}, fmt.Errorf("%d shards but no shard index: set JOB_COMPLETION_INDEX (a Kubernetes Indexed Job does) or give --shard I/%d", shards, shards)
	}
	i, err := strconv.Atoi(idx)
	if err != nil || i < 0 || i >= shards {
		return sweep.Shard{}, fmt.Errorf("JOB_COMPLETION_INDEX=%q: want 0 to %d for %d shards", idx, shards-1, shards)
	}
	return sweep.Shard{I: i, N: shards}, nil
}

// progress reports a sweep's progress on standard error: a line updated
// in place on a terminal, a plain line every so often otherwise.
type progress struct {
	w           io.Writer
	tty         bool
	every       time.Duration
	start, last time.Time
	now         func() time.Time
	total, done int
	resumed     int
	perPoint    []int
	seeds       int
	pointsDone  int
	name        string
}

func newProgress(w io.Writer, plan *sweep.Plan, total, done int, every time.Duration) *progress {
	tty := isTerminal(w)
	p := &progress{w: w, tty: tty, every: progressEvery(every, tty), now: time.Now, total: total, done: done, resumed: done,
		perPoint: make([]int, len(plan.Points)), seeds: plan.Seeds.N, name: plan.Name}
	p.start = p.now()
	p.last = p.start
	if done > 0 {
		fmt.Fprintf(w, "hasim sweep %s: resuming after %d of %d runs\n", p.name, done, total)
	}
	return p
}

// written counts a run and reports if it is time to.
func (p *progress) written(r sweep.Record) {
	p.done++
	if r.Point < len(p.perPoint) {
		p.perPoint[r.Point]++
		if p.perPoint[r.Point] == p.seeds {
			p.pointsDone++
		}
	}
	if now := p.now(); now.Sub(p.last) >= p.every {
		p.last = now
		p.line(now)
	}
}

func (p *progress) line(now time.Time) {
	el := now.Sub(p.start).Seconds()
	ran := p.done - p.resumed
	rate, eta := 0.0, "?"
	if el > 0 && ran > 0 {
		rate = float64(ran) / el
		eta = (time.Duration(float64(p.total-p.done)/rate) * time.Second).Round(time.Second).String()
	}
	msg := fmt.Sprintf("hasim sweep %s: %d/%d runs (%.0f%%), %.1f runs/s, ETA %s; %d/%d points complete",
		p.name, p.done, p.total, 100*float64(p.done)/float64(max(p.total, 1)), rate, eta, p.pointsDone, len(p.perPoint))
	if p.tty {
		fmt.Fprintf(p.w, "\r\x1b[K%s", msg)
	} else {
		fmt.Fprintln(p.w, msg)
	}
}

// finish writes the last line.
func (p *progress) finish() {
	p.line(p.now())
	if p.tty {
		fmt.Fprintln(p.w)
	}
}

func sweepMergeVerb(args []string, st streams) int {
	fs := newFlags("sweep merge", "[flags] SHARD-FILE...", `  hasim sweep merge study.shard-*-of-8.jsonl --results study.runs.jsonl
  hasim sweep merge results/*.jsonl -o csv --aggregate study.csv
`, st)
	results := fs.String("results", "", "the merged results file (required); byte for byte what an unsharded sweep writes")
	output := fs.StringP("output", "o", "table", "the per-point figures: table, json, yaml or csv")
	aggregate := fs.String("aggregate", "", "also write the per-point figures to this file, in the --output format")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if fs.NArg() == 0 || *results == "" {
		fmt.Fprintln(st.err, "hasim sweep merge: want the shards' results files and --results FILE for the merged one")
		return exitUsage
	}
	if !slices.Contains([]string{"table", "json", "yaml", "csv"}, *output) {
		fmt.Fprintf(st.err, "hasim sweep merge: --output %q: allowed table, json, yaml, csv\n", *output)
		return exitUsage
	}
	if slices.Contains(fs.Args(), *results) {
		fmt.Fprintf(st.err, "hasim sweep merge: --results %s is one of the shards\n", *results)
		return exitUsage
	}
	err := writeAtomic(*results, func(w io.Writer) error { return sweep.Merge(w, fs.Args()) })
	if err != nil {
		fmt.Fprintf(st.err, "hasim sweep merge: %v\n", err)
		return exitFailure
	}
	agg, err := report.AggregateResults(*results, false)
	if err != nil {
		fmt.Fprintf(st.err, "hasim sweep merge: %v\n", err)
		return exitFailure
	}
	return writeAggregate(st, agg, *output, *aggregate)
}

// firstLineOf is s up to its first newline.
func firstLineOf(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

func sweepJobVerb(ctx context.Context, args []string, st streams) int {
	fs := newFlags("sweep job", "[flags] SWEEP --shards N --image IMAGE --volume CLAIM", `  hasim sweep job lease-renew-paused-leader --shards 8 --image registry.example/hasim:0.1.0 --volume sweep-results | kubectl apply -f -
  hasim sweep job my-study.yaml --shards 20 --parallelism 10 --cpu 2 --image registry.example/hasim:0.1.0 --volume sweep-results
`, st)
	var o sweep.JobOptions
	fs.IntVar(&o.Shards, "shards", 0, "the number of shards, each a pod of the Indexed Job (required)")
	fs.StringVar(&o.Image, "image", "", "the container image with hasim, built from the Dockerfile (required)")
	fs.StringVar(&o.Volume, "volume", "", "the PersistentVolumeClaim the pods write their results to (required; ReadWriteMany when pods share it across nodes)")
	fs.IntVar(&o.Parallelism, "parallelism", 0, "pods running at once (default: every shard)")
	fs.StringVar(&o.CPU, "cpu", "1", "CPU request per pod; a whole number is also each pod's --workers")
	fs.StringVar(&o.Memory, "memory", "512Mi", "memory request and limit per pod")
	fs.IntVar(&o.BackoffLimitPerIndex, "backoff-limit-per-index", 2, "retries of a failed shard (each resumes its results file)")
	fs.StringVar(&o.Name, "name", "", "the Job's and ConfigMap's name (default hasim-sweep-NAME)")
	fs.StringVar(&o.Namespace, "namespace", "", "the namespace (default: kubectl's)")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	switch {
	case fs.NArg() != 1:
		fmt.Fprintln(st.err, "hasim sweep job: want one sweep: a built-in name or a kind: Sweep file")
		return exitUsage
	case o.Shards < 1 || o.Image == "" || o.Volume == "":
		fmt.Fprintln(st.err, "hasim sweep job: --shards (at least 1), --image and --volume are required")
		return exitUsage
	case o.Parallelism < 0 || o.BackoffLimitPerIndex < 0:
		fmt.Fprintln(st.err, "hasim sweep job: --parallelism and --backoff-limit-per-index must not be negative")
		return exitUsage
	}
	doc, plan, err := sweep.Standalone(ctx, fs.Arg(0))
	if err != nil {
		fmt.Fprintln(st.err, err)
		return exitUsage
	}
	if o.Shards > plan.Runs() {
		fmt.Fprintf(st.err, "hasim sweep job: %d shards for %d runs: some would have nothing to do\n", o.Shards, plan.Runs())
		return exitUsage
	}
	if err := sweep.WriteJob(st.out, doc, plan, o); err != nil && st.out.Err == nil {
		fmt.Fprintf(st.err, "hasim sweep job: %v\n", err)
		return exitFailure
	}
	return exitOK
}
