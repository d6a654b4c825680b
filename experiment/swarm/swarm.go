// Package swarm is hasim's simulation test, in the spirit of
// TigerBeetle's VOPR and FoundationDB's simulation testing: it generates
// random valid scenarios from a seed (random topologies, load balancers,
// overlapping faults of every kind, edge-of-range parameters, extreme
// seeds), runs each with the full invariant scan after every event, and
// classifies how each ended: ok, panic, invariant violation, livelock,
// hang, runaway work, early drain, nondeterminism. Failing cases are shrunk
// to minimal YAML reproducers that `hasim run` loads.
//
// Cases are drawn from (seed, index) alone and merged by index, so what a
// swarm reports does not depend on the number of workers.
package swarm

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"hasim/internal/firsterr"
	"hasim/scenarios"
)

// Config is one swarm.
type Config struct {
	Seed    uint64 // the swarm seed: the same seed draws the same cases
	First   int    // the first case's index
	N       int    // cases First..First+N-1
	Workers int    // parallel runs; 0: GOMAXPROCS
	Ranges  Ranges
	// Deadline is each run's wall-time bound (a hang); 0: 60s.
	Deadline time.Duration
	// RecheckEvery re-runs every k-th case and compares the results
	// (nondeterminism); 0: never.
	RecheckEvery int
	// ShrinkPerSignature is how many failing cases of each distinct
	// signature are shrunk (0: none).
	ShrinkPerSignature int
	// ShrinkRuns bounds the runs of each shrink (0: ShrinkOptions' default).
	ShrinkRuns int
	// Progress, if set, receives a progress line at most once a second.
	Progress io.Writer
}

// Case is one generated case and how it ended.
type Case struct {
	Index    int
	YAML     []byte
	Scenario *scenarios.Scenario // nil if it failed to load
	Outcome  Outcome
	// Alloc is the bytes allocated while the case ran; exact only with
	// one worker (the counter is process-wide).
	Alloc uint64
	// Known names the known defect the failure matches, if any.
	Known string
}

// Reproducer is a shrunk failing case.
type Reproducer struct {
	From      int // the case it was shrunk from
	Signature string
	Known     string
	Scenario  *scenarios.Scenario
	Outcome   Outcome
	Runs      int // candidate runs the shrink took
}

// Summary is what a swarm found, in case order.
type Summary struct {
	Config      Config
	Cases       []Case // the cases done, by index
	Interrupted bool
	Failures    []Case
	Reproducers []Reproducer
	PeakHeap    uint64 // the largest live heap sampled during the swarm
	MaxRSS      uint64 // the process's peak resident set, if the platform says
	Elapsed     time.Duration
}

// Swarm runs the cases. It stops early, with the cases done so far, when
// ctx is cancelled (running cases are interrupted and left out).
func Swarm(ctx context.Context, cfg Config) Summary {
	if cfg.Workers <= 0 {
		cfg.Workers = runtime.GOMAXPROCS(0)
	}
	if cfg.Deadline <= 0 {
		cfg.Deadline = 60 * time.Second
	}
	start := time.Now()
	var stop atomic.Bool
	stopWatch := context.AfterFunc(ctx, func() { stop.Store(true) })
	defer stopWatch()
	sampler := startHeapSampler()

	cases := make([]Case, cfg.N)
	done := make([]bool, cfg.N)
	var next, finished, failed atomic.Int64
	var wg sync.WaitGroup
	for range cfg.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				i := int(next.Add(1) - 1)
				if i >= cfg.N {
					return
				}
				c, ok := runIndex(cfg, cfg.First+i, &stop)
				if !ok {
					return
				}
				cases[i], done[i] = c, true
				finished.Add(1)
				if c.Outcome.Failed() {
					failed.Add(1)
				}
			}
		}()
	}
	progressDone := make(chan struct{})
	if cfg.Progress != nil {
		go func() {
			t := time.NewTicker(time.Second)
			defer t.Stop()
			for {
				select {
				case <-progressDone:
					return
				case <-t.C:
					n, el := finished.Load(), time.Since(start).Seconds()
					fmt.Fprintf(cfg.Progress, "swarm: %d/%d cases, %d failures, %.0f cases/s\n", n, cfg.N, failed.Load(), float64(n)/el)
				}
			}
		}()
	}
	wg.Wait()
	close(progressDone)

	s := Summary{Config: cfg, Interrupted: stop.Load()}
	for i := range cases {
		if done[i] {
			s.Cases = append(s.Cases, cases[i])
			if cases[i].Outcome.Failed() {
				s.Failures = append(s.Failures, cases[i])
			}
		}
	}
	if !s.Interrupted && cfg.ShrinkPerSignature > 0 {
		s.Reproducers = shrinkAll(cfg, s.Failures, &stop)
	}
	s.PeakHeap = sampler()
	s.MaxRSS = maxRSS()
	s.Elapsed = time.Since(start)
	return s
}

// runIndex generates, loads, runs and (every RecheckEvery-th case) re-runs
// case i. It returns false if the swarm was interrupted during the run.
func runIndex(cfg Config, i int, stop *atomic.Bool) (Case, bool) {
	sc := Generate(cfg.Seed, i, &cfg.Ranges)
	c := Case{Index: i, YAML: Marshal(sc)}
	loaded, err := scenarios.Load(fmt.Sprintf("case-%d.yaml", i), c.YAML)
	if err != nil {
		c.Outcome = Outcome{Class: Invalid, Detail: oneLine(err.Error())}
		return c, true
	}
	c.Scenario = loaded
	opt := RunOptions{Deadline: cfg.Deadline, Stop: stop}
	before := allocated()
	c.Outcome = runGuarded(loaded, opt)
	c.Alloc = allocated() - before
	if c.Outcome.Class == Interrupted {
		return c, false
	}
	if cfg.RecheckEvery > 0 && i%cfg.RecheckEvery == 0 && c.Outcome.Class != Hang {
		again := runGuarded(loaded, opt)
		if again.Class == Interrupted {
			return c, false
		}
		if !sameOutcome(c.Outcome, again) {
			c.Outcome = Outcome{Class: Nondeterminism, At: c.Outcome.At, Wall: c.Outcome.Wall,
				Detail: fmt.Sprintf("first run: %s; second run: %s", describe(c.Outcome), describe(again))}
		}
	}
	if c.Outcome.Failed() {
		c.Known = knownDefect(loaded, c.Outcome)
	}
	return c, true
}

func describe(o Outcome) string {
	return fmt.Sprintf("%s at %v after %d events, result %x (%s)", o.Class, o.At, o.Events, o.Digest[:6], o.Detail)
}

func sameOutcome(a, b Outcome) bool {
	return a.Class == b.Class && a.Detail == b.Detail && a.At == b.At && a.Events == b.Events && a.Digest == b.Digest
}

// runGuarded is RunCase that also survives a run stuck inside one event,
// where the engine never asks its stop callback: past twice the deadline
// the run is abandoned (its goroutine keeps running) and reported as a hang.
func runGuarded(sc *scenarios.Scenario, opt RunOptions) Outcome {
	ch := make(chan Outcome, 1)
	go func() { ch <- RunCase(sc, opt) }()
	if opt.Deadline <= 0 {
		return <-ch
	}
	t := time.NewTimer(2*opt.Deadline + 5*time.Second)
	defer t.Stop()
	select {
	case o := <-ch:
		return o
	case <-t.C:
		return Outcome{Class: Hang, Wall: 2*opt.Deadline + 5*time.Second,
			Detail: fmt.Sprintf("stuck inside one event for %v of wall time (the engine never got to check its stop callback)", 2*opt.Deadline+5*time.Second)}
	}
}

// shrinkAll shrinks up to ShrinkPerSignature failures of each signature,
// in parallel; the reproducers come in the order of the cases.
func shrinkAll(cfg Config, failures []Case, stop *atomic.Bool) []Reproducer {
	per := map[string]int{}
	var todo []Case
	for _, c := range failures {
		if c.Scenario == nil || c.Outcome.Class == Nondeterminism {
			continue // nothing to run, or nothing a shrink keeps
		}
		sig := c.Outcome.Signature()
		if per[sig] < cfg.ShrinkPerSignature {
			per[sig]++
			todo = append(todo, c)
		}
	}
	out := make([]Reproducer, len(todo))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(cfg.Workers, len(todo)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(todo) || stop.Load() {
					return
				}
				c := todo[i]
				small, o, runs := Shrink(c.Scenario, c.Outcome, ShrinkOptions{Run: RunOptions{Deadline: cfg.Deadline, Stop: stop}, MaxRuns: cfg.ShrinkRuns})
				out[i] = Reproducer{From: c.Index, Signature: c.Outcome.Signature(), Known: c.Known, Scenario: small, Outcome: o, Runs: runs}
			}
		}()
	}
	wg.Wait()
	return slices.DeleteFunc(out, func(r Reproducer) bool { return r.Scenario == nil })
}

// ReproducerYAML is a reproducer as a file: a comment header saying the
// failure and how to reproduce it, then the scenario.
func ReproducerYAML(r Reproducer, swarmSeed uint64) []byte {
	sc := r.Scenario
	sc.Metadata.Description = fmt.Sprintf("Minimal reproducer of a swarm failure (%s), shrunk from case %d of swarm seed %d.", r.Signature, r.From, swarmSeed)
	var b strings.Builder
	fmt.Fprintf(&b, "# hasim swarm reproducer: %s\n", r.Signature)
	if r.Known != "" {
		fmt.Fprintf(&b, "# known defect: %s\n", r.Known)
	}
	for line := range strings.SplitSeq(r.Outcome.Detail, "\n") {
		fmt.Fprintf(&b, "#   %s\n", line)
	}
	fmt.Fprintf(&b, "# failure at %v of simulated time; shrunk from case %d of swarm seed %d in %d runs.\n", r.Outcome.At, r.From, swarmSeed, r.Runs)
	fmt.Fprintf(&b, "# Reproduce: hasim run FILE --seed %d\n", sc.Config().Seed)
	fmt.Fprintf(&b, "#   or, with the full invariant scan after every event as the swarm ran it:\n")
	fmt.Fprintf(&b, "#   go run ./experiment/swarm/cmd/swarm -replay FILE\n")
	b.Write(Marshal(sc))
	return []byte(b.String())
}

// CaseYAML is a failing case as generated, with a header.
func CaseYAML(c Case, swarmSeed uint64) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "# hasim swarm case %d of swarm seed %d: %s\n", c.Index, swarmSeed, c.Outcome.Signature())
	fmt.Fprintf(&b, "#   %s\n", oneLine(c.Outcome.Detail))
	if c.Scenario != nil {
		fmt.Fprintf(&b, "# Reproduce: hasim run FILE --seed %d   (or go run ./experiment/swarm/cmd/swarm -replay FILE)\n", c.Scenario.Config().Seed)
	}
	b.Write(c.YAML)
	return []byte(b.String())
}

// WriteFiles writes every failing case to dir/cases/ and every reproducer
// to dir/CLASS-HASH.yaml (the hash of its content, so one defect found
// twice is one file). It returns the reproducer paths, in order.
func (s Summary) WriteFiles(dir string) ([]string, error) {
	if len(s.Failures) == 0 {
		return nil, nil
	}
	if err := os.MkdirAll(filepath.Join(dir, "cases"), 0o755); err != nil {
		return nil, err
	}
	for _, c := range s.Failures {
		name := filepath.Join(dir, "cases", fmt.Sprintf("%d-%s.yaml", c.Index, c.Outcome.Class))
		if err := os.WriteFile(name, CaseYAML(c, s.Config.Seed), 0o644); err != nil {
			return nil, err
		}
	}
	var paths []string
	for _, r := range s.Reproducers {
		body := Marshal(r.Scenario)
		name := filepath.Join(dir, fmt.Sprintf("%s-%s.yaml", r.Outcome.Class, shortHash(body)))
		if err := os.WriteFile(name, ReproducerYAML(r, s.Config.Seed), 0o644); err != nil {
			return nil, err
		}
		if !slices.Contains(paths, name) {
			paths = append(paths, name)
		}
	}
	return paths, nil
}

// WriteReport prints the summary: counts, failures by class and by
// signature, wall time and memory.
func (s Summary) WriteReport(w io.Writer) error {
	p := &printer{firsterr.Writer{W: w}}
	n := len(s.Cases)
	p.printf("swarm seed %d: %d of %d cases run", s.Config.Seed, n, s.Config.N)
	if s.Interrupted {
		p.printf(" (interrupted)")
	}
	p.printf(" on %d workers in %v\n", s.Config.Workers, s.Elapsed.Round(time.Millisecond))
	byClass := map[Class]int{}
	bySig := map[string][]int{}
	for _, c := range s.Failures {
		byClass[c.Outcome.Class]++
		bySig[c.Outcome.Signature()] = append(bySig[c.Outcome.Signature()], c.Index)
	}
	p.printf("failures: %d", len(s.Failures))
	for _, cl := range Classes() {
		if byClass[cl] > 0 {
			p.printf(", %s %d", cl, byClass[cl])
		}
	}
	p.printf("\n")
	sigs := make([]string, 0, len(bySig))
	for sig := range bySig {
		sigs = append(sigs, sig)
	}
	sort.Slice(sigs, func(i, j int) bool { return bySig[sigs[i]][0] < bySig[sigs[j]][0] })
	for _, sig := range sigs {
		idx := bySig[sig]
		known := ""
		for _, c := range s.Failures {
			if c.Index == idx[0] && c.Known != "" {
				known = " [known: " + c.Known + "]"
			}
		}
		p.printf("  %5d × %s%s (first: case %d)\n", len(idx), sig, known, idx[0])
	}
	walls := make([]time.Duration, 0, n)
	var events uint64
	for _, c := range s.Cases {
		walls = append(walls, c.Outcome.Wall)
		events += c.Outcome.Events
	}
	slices.Sort(walls)
	p.printf("wall time per case: p50 %v, p90 %v, p99 %v, max %v; %d events in all\n",
		quantile(walls, 0.5), quantile(walls, 0.9), quantile(walls, 0.99), quantile(walls, 1), events)
	slowest := slices.Clone(s.Cases)
	slices.SortStableFunc(slowest, func(a, b Case) int { return cmp.Compare(b.Outcome.Wall, a.Outcome.Wall) })
	p.printf("slowest cases:")
	for _, c := range slowest[:min(5, len(slowest))] {
		p.printf(" %d (%v, %d events)", c.Index, c.Outcome.Wall.Round(time.Millisecond), c.Outcome.Events)
	}
	p.printf("\n")
	p.printf("memory: peak live heap %s (sampled every 50ms)", mib(s.PeakHeap))
	if s.MaxRSS > 0 {
		p.printf(", peak RSS %s", mib(s.MaxRSS))
	}
	p.printf("\n")
	if s.Config.Workers == 1 {
		allocs := make([]uint64, 0, n)
		for _, c := range s.Cases {
			allocs = append(allocs, c.Alloc)
		}
		slices.Sort(allocs)
		p.printf("allocated per case: p50 %s, p90 %s, p99 %s, max %s\n",
			mib(quantile(allocs, 0.5)), mib(quantile(allocs, 0.9)), mib(quantile(allocs, 0.99)), mib(quantile(allocs, 1)))
	} else {
		p.printf("allocated per case: run with one worker to measure (the counter is process-wide)\n")
	}
	return p.Err
}

// printer prints through a firsterr.Writer: after a failed write it
// prints nothing more, and the report returns that first error.
type printer struct{ firsterr.Writer }

func (p *printer) printf(format string, a ...any) { fmt.Fprintf(&p.Writer, format, a...) }

// quantile is the q-quantile of sorted (nearest rank), zero if empty.
func quantile[T cmp.Ordered](sorted []T, q float64) T {
	var zero T
	if len(sorted) == 0 {
		return zero
	}
	i := int(q*float64(len(sorted))+0.999999) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func mib(b uint64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

// allocated is the bytes the process has allocated on the heap so far.
func allocated() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// startHeapSampler samples the live heap every 50ms until the returned
// function is called, which returns the largest sample.
func startHeapSampler() func() uint64 {
	var peak atomic.Uint64
	done := make(chan struct{})
	finished := make(chan struct{})
	sample := func() {
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		metrics.Read(s)
		if v := s[0].Value.Uint64(); v > peak.Load() {
			peak.Store(v)
		}
	}
	go func() {
		defer close(finished)
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			sample()
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		<-finished
		return peak.Load()
	}
}
