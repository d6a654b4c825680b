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
	"context"
	"runtime"
	"sync"
	"time"

	"hasim/model"
	"hasim/sim"
)

// Run is what one run of one scenario measured.
type Run struct {
	Done bool // false for a run an interrupt prevented
	Seed uint64
	// WriteAvailability and ReadAvailability come from the scenario's
	// first write and first read probe (NaN-free: 0 when it has none).
	WriteAvailability, ReadAvailability float64
	HasWrite, HasRead                   bool
	// Recovery is, per fault, the time from the fault until writes stop
	// failing: the end of the write probe's last unavailable stretch that
	// began before the next fault (0 if writes never failed; negative if
	// they had not recovered when the next fault or the end came).
	Recovery []time.Duration
	// SplitBrain is the total time two or more members or candidates of
	// any group believed they led; ActingSplitBrain counts only running
	// ones.
	SplitBrain, ActingSplitBrain time.Duration
	Hosts                        int
	Violations                   int
	Outcome                      sim.Outcome
}

// Measure extracts a Run from a result.
func Measure(r model.Result) Run {
	run := Run{Done: r.Outcome != sim.Stopped, Seed: r.Seed, Hosts: r.Hosts, Violations: len(r.Violations), Outcome: r.Outcome}
	write, read := -1, -1
	for i, p := range r.Probes {
		switch {
		case p.Kind == model.ProbeWrite && write < 0:
			write = i
			run.WriteAvailability, run.HasWrite = p.Availability, true
		case (p.Kind == model.ProbeRead || p.Kind == model.ProbeCachedRead) && read < 0:
			read = i
			run.ReadAvailability, run.HasRead = p.Availability, true
		}
	}
	if write >= 0 {
		run.Recovery = recoveries(r, r.Probes[write].Name)
	}
	for _, g := range r.Groups {
		for _, iv := range g.SplitBrain {
			run.SplitBrain += iv.To.Sub(iv.From)
		}
		for _, iv := range g.ActingSplitBrain {
			run.ActingSplitBrain += iv.To.Sub(iv.From)
		}
	}
	return run
}

// recoveries is Run.Recovery for the probe named probe.
func recoveries(r model.Result, probe string) []time.Duration {
	var out []time.Duration
	for i, f := range r.Faults {
		end := r.End
		if i+1 < len(r.Faults) {
			end = r.Faults[i+1].At
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
}

// RunAll runs every job for seeds base, base+1, ..., base+runs-1, on
// workers goroutines (GOMAXPROCS if 0), and returns the runs indexed
// [job][run]. It stops early, returning what completed and ctx's error,
// if ctx is cancelled; runs not done are missing (Done false) then.
func RunAll(ctx context.Context, jobs []Job, base uint64, runs, workers int) ([][]Run, error) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	out := make([][]Run, len(jobs))
	for i := range out {
		out[i] = make([]Run, runs)
	}
	type task struct{ job, run int }
	tasks := make(chan task)
	var wg sync.WaitGroup
	var firstErr error
	var mu sync.Mutex
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := range tasks {
				cfg := jobs[t.job].Config
				cfg.Seed = base + uint64(t.run)
				c, err := model.Build(cfg)
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					continue
				}
				out[t.job][t.run] = Measure(c.Result(c.RunInterruptible(func() bool { return ctx.Err() != nil })))
			}
		}()
	}
feed:
	for r := range runs {
		for j := range jobs {
			select {
			case tasks <- task{j, r}:
			case <-ctx.Done():
				break feed
			}
		}
	}
	close(tasks)
	wg.Wait()
	if firstErr != nil {
		return out, firstErr
	}
	return out, ctx.Err()
}
