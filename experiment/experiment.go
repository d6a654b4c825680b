// Package experiment runs scenarios over many seeds, in parallel, and
// gathers per-run figures in a fixed order, so that the result does not
// depend on the number of workers or on goroutine scheduling. It is the
// home of comparisons today and of Monte Carlo sweeps tomorrow.
//
// Common random numbers: run i of every scenario uses seed base+i, and
// every random stream is keyed by the name of what draws from it (a host,
// a member, a link), so the same physical role sees the same draws in
// every topology that has it.
package experiment

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"slices"
	"sync"
	"time"

	"hasim/internal/sample"
	"hasim/model"
	"hasim/sim"
)

// Run is what one run of one scenario measured.
type Run struct {
	// Done is true for a run that reached its end (the horizon, a drained
	// queue or the event bound); only done runs are data. It is false for
	// a run an interrupt stopped or prevented, and for a failed one.
	Done bool
	Seed uint64
	// Failure is set for a run that failed: a panic, a livelock or a
	// configuration that would not build. Each is a bug in hasim.
	Failure *Failure
	// WriteAvailability and ReadAvailability come from the scenario's
	// first write and first read probe (NaN-free: 0 when it has none).
	WriteAvailability, ReadAvailability float64
	HasWrite, HasRead                   bool
	// WriteDowntime and ReadDowntime are the measured time during which
	// those probes' requests failed.
	WriteDowntime, ReadDowntime time.Duration
	// RatesDefined is the job's: the run's failures arrived at rates, so
	// its figures extrapolate to a year.
	RatesDefined bool
	// Incidents counts the faults (and operations) that were injected and
	// did something: not skipped, not left beyond the run's end. With
	// failure processes (the result's RatesDefined) it counts the model's
	// incidents instead: from a failure until the cluster is steady again,
	// overlapping faults together.
	Incidents int
	// Recovery is, per incident, the time from it until writes stop
	// failing, in seconds: the end of the write probe's last unavailable
	// stretch that began before the next incident (0 if writes never
	// failed). With failure processes: from the incident's start to the
	// end of its last write-failing stretch. NoRecovery counts the
	// incidents after which writes had not recovered when the next
	// incident or the end came.
	Recovery   sample.Sample
	NoRecovery int
	// EtcdFailover is, per incident after which etcd elected a leader of
	// a higher term (before the next incident), the time until it did, in
	// seconds; with failure processes, from the incident's start to the
	// first leader elected in it.
	EtcdFailover sample.Sample
	// SplitBrain is the total time two or more members or candidates of
	// any group believed they led; ActingSplitBrain counts only running
	// ones.
	SplitBrain, ActingSplitBrain time.Duration
	Hosts                        int
	Violations                   int
	Outcome                      sim.Outcome

	// What a run of failure processes gives the figures per year: the
	// measured span, each function's downtime (by calendar year), the
	// incidents' durations and the gaps between them, the downtime by
	// cause and each group's split brain.
	// MeasuredFrom is when measuring started (a calendar time of the
	// first era); Measured the calendar time measured, in seconds, and
	// Years the whole calendar years the run reached, eras counted.
	// YearsPerBatch is how many calendar years each entry of the figures
	// by year counts (Functions' Years, IncidentsPerYear; see
	// model.Result.YearsPerBatch).
	MeasuredFrom  sim.Time
	Measured      float64
	Years         int
	YearsPerBatch int
	Functions     []model.FunctionResult
	// IncidentsPerYear counts the incidents by the batch of calendar years
	// their start falls in; IncidentDurations and IncidentGaps (from one's
	// end to the next's start) are in seconds.
	IncidentsPerYear                []int
	IncidentDurations, IncidentGaps sample.Sample
	Causes                          []model.CauseTotal
	SplitBrains                     []model.SplitBrainTotal
}

// Failure says how a run failed.
type Failure struct {
	Kind    FailureKind
	Message string // the panic's value, the livelock's stall, the build error
	Stack   string // the stack of the goroutine that panicked (panics only)
}

// FailureKind is how a run failed.
type FailureKind string

// The ways a run fails.
const (
	FailedPanic    FailureKind = "panic"
	FailedLivelock FailureKind = "livelock"
	FailedBuild    FailureKind = "build"
)

func (f *Failure) Error() string {
	switch f.Kind {
	case FailedLivelock:
		return "the run livelocked: " + f.Message
	case FailedBuild:
		return "the cluster would not build: " + f.Message
	}
	return "panic: " + f.Message
}

// Measure extracts a Run from a result. A livelocked run is a failure,
// not data; an interrupted one (sim.Stopped) is not done.
func Measure(r model.Result) Run {
	run := Run{Done: r.Outcome != sim.Stopped && r.Outcome != sim.Livelocked, Seed: r.Seed, Hosts: r.Hosts, Violations: len(r.Violations), Outcome: r.Outcome}
	if r.Outcome == sim.Livelocked {
		run.Failure = &Failure{Kind: FailedLivelock, Message: r.Stall.String()}
	}
	write, read := -1, -1
	for i, p := range r.Probes {
		switch {
		case p.Kind == model.ProbeWrite && write < 0:
			write = i
			run.WriteAvailability, run.WriteDowntime, run.HasWrite = p.Availability, p.Unavailable, true
		case (p.Kind == model.ProbeRead || p.Kind == model.ProbeCachedRead) && read < 0:
			read = i
			run.ReadAvailability, run.ReadDowntime, run.HasRead = p.Availability, p.Unavailable, true
		}
	}
	incidents := Incidents(r)
	run.Incidents = len(incidents)
	for _, f := range incidents {
		if f.NewLeaderAfter >= 0 {
			run.EtcdFailover.Add(f.NewLeaderAfter.Seconds())
		}
	}
	addRecovery := func(d time.Duration) {
		if d < 0 {
			run.NoRecovery++
		} else {
			run.Recovery.Add(d.Seconds())
		}
	}
	if write >= 0 && !(r.RatesDefined && r.Steady) {
		for _, d := range recoveries(r, incidents, r.Probes[write].Name) {
			addRecovery(d)
		}
	}
	if r.RatesDefined && r.Steady {
		// Failures arrive at random and overlap: the incidents are the
		// model's (from a failure until the cluster is steady again,
		// overlapping faults together), each measured from its start.
		tail := &r.IncidentTail
		run.Incidents, run.EtcdFailover = len(r.Incidents)+tail.Len(), sample.Sample{}
		measure := func(in *model.Incident) {
			if in.EtcdFailover >= 0 {
				run.EtcdFailover.Add(in.EtcdFailover.Seconds())
			}
			if write >= 0 { // probes are the first functions
				rec := in.Down[write].Recovered
				if rec > 0 && in.Start.Add(rec) == r.End && (r.Eras == 0 || in == tail.Last) {
					rec = -1 // still failing at the end
				}
				addRecovery(rec)
			}
		}
		for i := range r.Incidents {
			measure(&r.Incidents[i])
		}
		// The folded incidents ended before the last one began.
		run.EtcdFailover.Merge(&tail.Failovers)
		if write >= 0 && write < len(tail.Recovered) {
			run.Recovery.Merge(&tail.Recovered[write])
		}
		if tail.Last != nil {
			measure(tail.Last)
		}
	}
	for _, g := range r.Groups {
		run.SplitBrain += g.SplitBrainFolded.Total
		run.ActingSplitBrain += g.ActingSplitBrainFolded.Total
		for _, iv := range g.SplitBrain {
			run.SplitBrain += iv.To.Sub(iv.From)
		}
		for _, iv := range g.ActingSplitBrain {
			run.ActingSplitBrain += iv.To.Sub(iv.From)
		}
	}
	if r.Steady {
		run.MeasuredFrom, run.Measured, run.Years = r.MeasuredFrom, r.MeasuredSeconds(), r.EndYears()
		run.YearsPerBatch = max(1, r.YearsPerBatch)
		run.Functions = r.Functions
		count := func(y, n int) {
			for len(run.IncidentsPerYear) <= y {
				run.IncidentsPerYear = append(run.IncidentsPerYear, 0)
			}
			run.IncidentsPerYear[y] += n
		}
		batch := func(t sim.Time) int { return int(t.Duration()/model.Year) / run.YearsPerBatch }
		var prevEnd sim.Time
		for i, in := range r.Incidents {
			count(batch(in.Start), 1)
			run.IncidentDurations.Add(in.Duration().Seconds())
			if i > 0 {
				run.IncidentGaps.Add(in.Start.Sub(prevEnd).Seconds())
			}
			prevEnd = in.End
		}
		tail := &r.IncidentTail
		for y, n := range tail.PerYear {
			count(y, n)
		}
		run.IncidentDurations.Merge(&tail.Durations)
		run.IncidentGaps.Merge(&tail.Gaps)
		if in := tail.Last; in != nil {
			count(tail.LastYear()/run.YearsPerBatch, 1)
			run.IncidentDurations.Add(in.Duration().Seconds())
			if tail.HasLastGap {
				run.IncidentGaps.Add(tail.LastGap.Seconds())
			}
		}
		run.Causes = model.MergeCauseTotals(model.CauseTotals(r.Incidents, len(r.Functions)), r.IncidentTail.Causes)
		if in := tail.Last; in != nil {
			run.Causes = model.MergeCauseTotals(run.Causes, model.CauseTotals([]model.Incident{*in}, len(r.Functions)))
		}
		run.SplitBrains = model.SplitBrainTotals(r.Groups)
	}
	return run
}

// Incidents are the run's faults and operations that were injected and
// did something, in the order of their injection times.
func Incidents(r model.Result) []model.FaultResult {
	var out []model.FaultResult
	for _, f := range r.Faults {
		if f.Skipped == "" && r.Reached(f.At) {
			out = append(out, f)
		}
	}
	slices.SortStableFunc(out, func(a, b model.FaultResult) int { return cmp.Compare(a.At, b.At) })
	return out
}

// recoveries is Run.Recovery for the probe named probe.
func recoveries(r model.Result, incidents []model.FaultResult, probe string) []time.Duration {
	var out []time.Duration
	for i, f := range incidents {
		end := r.End
		if i+1 < len(incidents) {
			end = incidents[i+1].At
		}
		// The probe's state at the fault, then its changes until end.
		down, recovered := false, time.Duration(0)
		for _, rec := range r.Timeline {
			if rec.Probe != probe || rec.T >= end {
				continue
			}
			switch rec.Event {
			case model.EvProbeDown:
				down = true
			case model.EvProbeUp:
				down = false
				if rec.T >= f.At {
					recovered = rec.T.Sub(f.At)
				}
			}
		}
		if down {
			recovered = -1
		}
		out = append(out, recovered)
	}
	return out
}

// Job is one scenario to run over seeds.
type Job struct {
	Name   string
	Config model.Config // Seed is replaced by each run's
	// RatesDefined says that the configuration's failures arrive at
	// rates (failure processes), so that a run's figures extrapolate to a
	// year. Scripted faults happen once, at fixed times: they define no
	// rate, and their figures are per incident.
	RatesDefined bool
}

// beforeBuild, when set (by tests only), is called with each run's
// configuration before it is built, inside the run's panic recovery: a
// test makes a run panic with it.
var beforeBuild func(job string, cfg *model.Config)

// runOne builds and runs one configuration and measures it. A panic, a
// livelock or a build error is recorded as the run's Failure instead of
// ending the program; a run that ctx's cancellation prevented or stopped
// is not done.
func runOne(ctx context.Context, job Job, seed uint64, rc *model.Recycler, progress func(reached, horizon float64)) (run Run) {
	cfg := job.Config
	cfg.Seed = seed
	defer func() {
		if p := recover(); p != nil {
			run = Run{Seed: seed, Failure: &Failure{Kind: FailedPanic, Message: fmt.Sprint(p), Stack: string(debug.Stack())}}
		}
	}()
	if ctx.Err() != nil {
		return Run{Seed: seed}
	}
	if beforeBuild != nil {
		beforeBuild(job.Name, &cfg)
	}
	r, err := model.Simulate(cfg, model.RunOptions{
		Stop:        func() bool { return ctx.Err() != nil },
		Progress:    progress,
		BeforeRun:   func(*model.Cluster) error { return ctx.Err() },
		FiguresOnly: true,
		Recycler:    rc,
	})
	var buildErr *model.BuildError
	switch {
	case errors.As(err, &buildErr):
		return Run{Seed: seed, Failure: &Failure{Kind: FailedBuild, Message: err.Error()}}
	case err != nil: // cancelled before the run started
		return Run{Seed: seed}
	}
	run = Measure(r)
	run.RatesDefined = job.RatesDefined
	return run
}

// RunAll runs every job for seeds base, base+1, ..., base+runs-1, on
// workers goroutines (GOMAXPROCS if 0), and returns the runs indexed
// [job][run]. A run that fails (see runOne) is recorded with its Failure
// and the others go on. If ctx is cancelled, RunAll stops early and
// returns what completed and ctx's error; runs not done have Done false.
// prog, if not nil, follows the runs as they go.
func RunAll(ctx context.Context, jobs []Job, base uint64, runs, workers int, prog *Progress) ([][]Run, error) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	prog.begin(len(jobs)*runs, workers)
	out := make([][]Run, len(jobs))
	for i := range out {
		out[i] = make([]Run, runs)
		for r := range out[i] {
			out[i][r].Seed = base + uint64(r)
		}
	}
	type task struct{ job, run int }
	tasks := make(chan task)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var rc model.Recycler // this worker's runs reuse their arrays
			for t := range tasks {
				out[t.job][t.run] = runOne(ctx, jobs[t.job], base+uint64(t.run), &rc, prog.of(w))
				prog.done(w)
			}
		}()
	}
feed:
	for r := range runs {
		for j := range jobs {
			if ctx.Err() != nil {
				break feed
			}
			select {
			case tasks <- task{j, r}:
			case <-ctx.Done():
				break feed
			}
		}
	}
	close(tasks)
	wg.Wait()
	return out, ctx.Err()
}

// Failures lists the failed runs of runs [job][run], in that order.
func Failures(runs [][]Run) []JobFailure {
	var out []JobFailure
	for j, rs := range runs {
		for _, r := range rs {
			if r.Failure != nil {
				out = append(out, JobFailure{Job: j, Seed: r.Seed, Failure: r.Failure})
			}
		}
	}
	return out
}

// JobFailure is a failed run of job number Job.
type JobFailure struct {
	Job  int
	Seed uint64
	*Failure
}

// Progress follows RunAll's runs as they go, for a progress line: how
// many are done, and how far those under way have come in their calendar.
// It is safe to read while RunAll writes it; no run depends on it.
type Progress struct {
	mu       sync.Mutex
	total    int
	finished int
	share    []float64 // each worker's run under way: the share of its horizon reached
}

// Runs reports how many runs are done and how many there are in all.
func (p *Progress) Runs() (done, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.finished, p.total
}

// Fraction is the share of the work done, counting each run under way by
// the share of its horizon it has reached: 0 before RunAll starts.
func (p *Progress) Fraction() float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.total == 0 {
		return 0
	}
	f := float64(p.finished)
	for _, s := range p.share {
		f += s
	}
	return min(1, f/float64(p.total))
}

func (p *Progress) begin(total, workers int) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.total, p.finished, p.share = total, 0, make([]float64, workers)
}

// of is what worker w's run tells of its progress (nil without p).
func (p *Progress) of(w int) func(reached, horizon float64) {
	if p == nil {
		return nil
	}
	return func(reached, horizon float64) {
		if horizon <= 0 {
			return
		}
		p.mu.Lock()
		p.share[w] = min(1, reached/horizon)
		p.mu.Unlock()
	}
}

func (p *Progress) done(w int) {
	if p == nil {
		return
	}
	p.mu.Lock()
	p.finished++
	p.share[w] = 0
	p.mu.Unlock()
}
