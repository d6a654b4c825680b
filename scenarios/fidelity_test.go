package scenarios

import (
	"cmp"
	"fmt"
	"math"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"hasim/internal/golden"
	"hasim/model"
	"hasim/sim"
)

// The fidelity comparison: the library's real-case-a-lease-holder-crash
// and real-case-c-frozen-kcm against a real control plane measured under
// the same faults (the README's Fidelity section describes it). Each case
// runs over fidelitySeeds seeds, the fault placed at a random moment
// within a lease-renewal period (the real harness's faults fell at
// arbitrary points of every component's cycle); every row of the
// measurement is compared by its p50 and p90, nearest rank, as the
// measurement gives them. The table goes to testdata/fidelity.golden,
// which the README quotes verbatim.

const fidelitySeeds = 200

// fidRow is one measured metric: its real min / p50 / p90 / max (ms) over
// n trials, and how hasim's figures are checked against them.
type fidRow struct {
	metric string
	real   [4]float64
	n      int
	// abs50 and abs90, when set, are absolute tolerances (ms) for a
	// metric near zero, where 10% and 20% of a few milliseconds are less
	// than what one request period or one renewal period resolves; why
	// is said in absWhy.
	abs50, abs90 float64
	absWhy       string
	unit         string // "" for ms
	// band, when set, says why the real p50 or p90, of few trials, can
	// stand apart from hasim's by more than its tolerance by chance
	// alone: the percentile then also holds when the real one lies
	// inside the 95% band of that percentile of n draws from hasim's
	// distribution (with 6 trials the nearest-rank p90 is the largest).
	band string
	// pending names the part of the model this row waits for (an issue
	// section): the row is compared and, while it does not hold,
	// skipped with hasim's and the real figures.
	pending string
	// fitted, when set, names the model parameter whose default is taken
	// from this row: the row then checks that calibration, not a
	// prediction, and the table says so.
	fitted string
	// differs says why hasim's figure is known to differ from the real
	// one, where the mechanism is modelled but the difference is not yet
	// understood or fixed: the row is reported, not failed.
	differs string
	// measure gives the row's value (ms) in one run, or NaN where the
	// row does not apply (a trial where the leader was elsewhere).
	measure func(o *fidRun) float64
}

// fidRun is what one run gives the rows.
type fidRun struct {
	r      model.Result
	t0     sim.Time // the fault's start
	end    sim.Time // its heal (the host back, the process resumed)
	host   string   // the host the fault hit
	old    string   // the controller-manager leader at t0
	checks []sim.Time
	// pinned is the host the long-lived writer's connection went to at
	// t0 (case A), as HAProxy's session table has it.
	pinned string

	checksAll []sim.Event
}

const (
	writes    = "api-writes"
	longLived = "long-lived-writes"
	reads     = "api-reads"
	period    = 100 * time.Millisecond
)

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// failed is the probe's failed requests around the fault: the first one
// sent, the last one sent and their number times the period (the real
// harness's "total time"), from a request timeout before t0 to the end.
func (o *fidRun) failed(probe string) (first, last sim.Time, total time.Duration, n int) {
	first = -1
	var down sim.Time = -1
	for _, rec := range o.r.Timeline {
		if rec.Probe != probe || rec.T < o.t0.Add(-3*time.Second) {
			continue
		}
		switch rec.Event {
		case model.EvProbeDown:
			if first < 0 {
				first = rec.T
			}
			down = rec.T
		case model.EvProbeUp:
			if down >= 0 {
				total += rec.T.Sub(down)
				last = rec.T.Add(-period)
				down = -1
			}
		}
	}
	if down >= 0 { // still failing at the end
		total += o.r.End.Sub(down)
		last = o.r.End
	}
	return first, last, total, int(total / period)
}

// after is the first record from t on that matches, or false.
func (o *fidRun) after(t sim.Time, ok func(model.Record) bool) (model.Record, bool) {
	for _, rec := range o.r.Timeline {
		if rec.T >= t && ok(rec) {
			return rec, true
		}
	}
	return model.Record{}, false
}

// since is the time from t to the first record from t on that matches,
// in ms, or NaN.
func (o *fidRun) since(t sim.Time, ok func(model.Record) bool) float64 {
	if rec, found := o.after(t, ok); found {
		return ms(rec.T.Sub(t))
	}
	return math.NaN()
}

func nan() float64 { return math.NaN() }

// firstFailedCheck is when HAProxy's first failed check of the crashed
// master ended. A check's timer fires to start a check and, when no answer
// came, to fail it; against a dead host every check from t0 on fails, so
// counted back from the DOWN mark (the fall-th failure) the firings
// alternate between a failure and the start of the next check.
func (o *fidRun) firstFailedCheck(fall int) float64 {
	down, ok := o.after(o.t0, func(rec model.Record) bool { return rec.Event == model.EvLBBackendDown && rec.Host == o.host })
	if !ok {
		return nan()
	}
	var f []sim.Time
	for _, t := range o.checks {
		if t > o.t0 && t <= down.T {
			f = append(f, t)
		}
	}
	k := len(f) - 1 - 2*(fall-1)
	if len(f) == 0 || f[len(f)-1] != down.T || k < 0 {
		return nan()
	}
	return ms(f[k].Sub(o.t0))
}

// allChecks keeps the firings of the proxies' check timers.
type allChecks struct{ at *[]sim.Event }

func (c allChecks) Event(e sim.Event) {
	if strings.Contains(e.Name, "/check-") {
		*c.at = append(*c.at, e)
	}
}

func isLease(ev, group string) func(model.Record) bool {
	return func(rec model.Record) bool { return rec.Event == ev && rec.Group == group }
}

// caseA: the master holding the controller-manager lease crashes; its host
// is back 60 s later.
var caseA = []fidRow{
	{metric: "first failed write (fresh connections)", real: [4]float64{-18, 50, 226, 538}, n: 12,
		abs50: 100, abs90: 200, absWhy: "one request period (100 ms) at p50, two at p90: the first failure is the first request sent to the dead master, a matter of which of the round-robin's requests falls first after the crash",
		measure: func(o *fidRun) float64 {
			first, _, _, _ := o.failed(writes)
			if first < 0 {
				return nan()
			}
			return ms(first.Sub(o.t0))
		}},
	{metric: "last failed write (fresh connections)", real: [4]float64{9723, 10454, 11439, 11457}, n: 12,
		measure: func(o *fidRun) float64 {
			_, last, _, n := o.failed(writes)
			if n == 0 {
				return nan()
			}
			return ms(last.Sub(o.t0))
		}},
	{metric: "total time of failed writes (fresh)", real: [4]float64{2900, 4300, 5100, 5900}, n: 12,
		measure: func(o *fidRun) float64 { _, _, total, _ := o.failed(writes); return ms(total) }},
	{metric: "total time of failed reads (fresh)", real: [4]float64{3100, 3600, 4200, 4500}, n: 12,
		measure: func(o *fidRun) float64 { _, _, total, _ := o.failed(reads); return ms(total) }},
	{metric: "HAProxy's first failed check of the dead backend", real: [4]float64{2117, 2631, 3657, 3839}, n: 12,
		band:    "the first check after the crash starts anywhere in HAProxy's 2 s interval and fails 2 s later, so the first failure is spread evenly over 2-4 s: the median of 12 such trials varies by about 0.3 s, 10% of it",
		measure: func(o *fidRun) float64 { return o.firstFailedCheck(3) }},
	{metric: "HAProxy marks it DOWN", real: [4]float64{10117, 10627, 11657, 11838}, n: 12,
		measure: func(o *fidRun) float64 {
			return o.since(o.t0, func(rec model.Record) bool { return rec.Event == model.EvLBBackendDown && rec.Host == o.host })
		}},
	{metric: "new controller-manager lease holder acquires", real: [4]float64{14148, 16334, 18089, 18522}, n: 12,
		measure: func(o *fidRun) float64 { return o.since(o.t0, isLease(model.EvLeaseAcquired, model.GroupKCM)) }},
	{metric: "old holder's last renewal (before T0)", real: [4]float64{-2003, -1022, -139, -80}, n: 12,
		abs50: 200, abs90: 400, absWhy: "10% and 20% of the 2 s renewal period: the renewal's phase at the crash is uniform over that period, and 10% of a p90 of −139 ms is less than the spread of 12 trials",
		measure: func(o *fidRun) float64 { return ms(lastRenewal(o.r, o.old, o.t0).Sub(o.t0)) }},
	{metric: "new scheduler lease holder acquires (when it was on the crashed master)", real: [4]float64{15375, 16312, 18497, 18497}, n: 8,
		measure: func(o *fidRun) float64 {
			if !strings.HasSuffix(leaderAt(o.r, model.GroupScheduler, o.t0), o.host) {
				return nan()
			}
			return o.since(o.t0, isLease(model.EvLeaseAcquired, model.GroupScheduler))
		}},
	{metric: "new etcd leader elected (when the leader was on the crashed master)", real: [4]float64{1082, 1354, 1535, 1535}, n: 6,
		band: "6 trials: the median of 6 elections, whose randomized timeouts spread them over 0.9-1.8 s, varies by about 15%",
		measure: func(o *fidRun) float64 {
			f := o.r.Faults[0]
			if "etcd-"+strings.TrimPrefix(o.host, "master-") != f.LeaderBefore || f.NewLeaderAfter < 0 {
				return nan()
			}
			return ms(f.NewLeaderAfter)
		}},
	{metric: "after end: the restarted apiserver's /readyz passes", real: [4]float64{3190, 3555, 4027, 4281}, n: 12,
		fitted: "initTime",
		measure: func(o *fidRun) float64 {
			api := "kube-apiserver-" + o.host
			return o.since(o.end, func(rec model.Record) bool { return rec.Event == model.EvAPIReady && rec.Proc == api })
		}},
	{metric: "after end: HAProxy marks it UP again", real: [4]float64{5645, 6178, 6740, 6878}, n: 12,
		measure: func(o *fidRun) float64 {
			return o.since(o.end, func(rec model.Record) bool { return rec.Event == model.EvLBBackendUp && rec.Host == o.host })
		}},
	{metric: "long-lived HTTP/2 writer: failed requests, when its connection went through the crashed master", real: [4]float64{10000, 10000, 10000, 10000}, n: 6,
		band: "6 trials: the writer's new connection, dialled when 100 streams are held, about 10 s after the crash and before HAProxy marks the dead master DOWN, goes where the round robin's turn falls; when that is the dead master, its first requests fail too, until the connect times out and is redispatched. The p90 of 6 trials is their largest",
		measure: func(o *fidRun) float64 {
			if o.pinned != o.host {
				return nan()
			}
			// Counted in requests, as the measurement counts them (each
			// 100 ms apart): the time they span is not the point.
			for _, p := range o.r.Probes {
				if p.Name == longLived {
					return float64(p.Failed) * ms(period)
				}
			}
			return nan()
		}},
}

// caseC: the controller-manager leader is frozen (SIGSTOP) for 30 s.
var caseC = []fidRow{
	{metric: "new controller-manager lease holder acquires (after T0)", real: [4]float64{14537, 16231, 17032, 17632}, n: 12,
		measure: func(o *fidRun) float64 { return o.since(o.t0, isLease(model.EvLeaseAcquired, model.GroupKCM)) }},
	{metric: "old holder's last renewal (before T0)", real: [4]float64{-1931, -1250, -446, -27}, n: 12,
		abs50: 200, abs90: 400, absWhy: "as in case A",
		band:    "the renewal's phase at the freeze is spread evenly over the 2 s period: the median of 12 trials varies by about 0.3 s",
		measure: func(o *fidRun) float64 { return ms(lastRenewal(o.r, o.old, o.t0).Sub(o.t0)) }},
	{metric: `after end: the resumed old leader logs "failed to renew lease"`, real: [4]float64{9999, 10001, 10003, 10004}, n: 12,
		measure: func(o *fidRun) float64 {
			return o.since(o.end, func(rec model.Record) bool { return rec.Event == model.EvLeaseLost && rec.Proc == o.old })
		}},
	{metric: `after end: it logs "leaderelection lost"`, real: [4]float64{10000, 10002, 10005, 10006}, n: 12,
		measure: func(o *fidRun) float64 {
			return o.since(o.end, func(rec model.Record) bool { return rec.Event == model.EvLeaseLost && rec.Proc == o.old })
		}},
	{metric: "after end: its process exits", real: [4]float64{10009, 10040, 10061, 10722}, n: 12,
		measure: func(o *fidRun) float64 {
			return o.since(o.end, func(rec model.Record) bool { return rec.Event == model.EvProcExited && rec.Proc == o.old })
		}},
	{metric: "API writes and reads failing during the case (requests)", real: [4]float64{0, 0, 0, 1}, n: 12,
		unit: "requests", abs50: 0, abs90: 0.5, absWhy: "none fail in the real runs but one stray read timeout in 12 trials; hasim must fail none at p90",
		measure: func(o *fidRun) float64 {
			_, _, _, nw := o.failed(writes)
			_, _, _, nr := o.failed(reads)
			return float64(nw + nr)
		}},
}

// runFidelity runs a library scenario over the seeds, each with its fault
// moved by a seeded offset within [0, 2 s), on every core; the runs come
// back in seed order.
func runFidelity(t *testing.T, name string) []*fidRun {
	t.Helper()
	s, err := Resolve(name, nil)
	if err != nil {
		t.Fatal(err)
	}
	base := s.Config()
	out := make([]*fidRun, fidelitySeeds)
	errs := make([]error, fidelitySeeds)
	var wg sync.WaitGroup
	next := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				out[i], errs[i] = runFidelityOne(base, uint64(i+1))
			}
		}()
	}
	for i := range fidelitySeeds {
		next <- i
	}
	close(next)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("seed %d: %v", i+1, err)
		}
	}
	return out
}

func runFidelityOne(cfg model.Config, seed uint64) (*fidRun, error) {
	cfg.Seed = seed
	cfg.Faults = slices.Clone(cfg.Faults)
	// A fixed, seeded offset (Weyl sequence): spread evenly over the 2 s
	// renewal period, the same in every run of the test.
	off := time.Duration(float64(2*time.Second) * math.Mod(float64(seed)*0.6180339887498949, 1))
	cfg.Faults[0].At += off
	o := &fidRun{}
	var origin time.Duration
	r, err := model.Simulate(cfg, model.RunOptions{BeforeRun: func(c *model.Cluster) error {
		// Every check timer of the proxy; filtered by host below. The
		// tracer sees true times: the calendar's are origin earlier.
		origin = c.Origin()
		c.Sim.SetTracer(allChecks{&o.checksAll})
		for _, p := range c.Probes {
			if p.Name == longLived {
				c.CalendarAt(sim.At(cfg.Faults[0].At).Add(-time.Nanosecond), "fidelity/pinned", func() {
					if h := p.ConnHost(c.LB); h != nil {
						o.pinned = h.Name
					}
				})
			}
		}
		return nil
	}})
	if err != nil {
		return nil, err
	}
	if len(r.Violations) > 0 {
		return nil, fmt.Errorf("%v", r.Violations)
	}
	f := r.Faults[0]
	o.r, o.t0, o.end = r, f.At, f.HealedAt
	o.host = strings.Fields(f.Target)[0]
	o.old = leaderAt(r, model.GroupKCM, f.At)
	suffix := "/check-" + o.host
	for _, e := range o.checksAll {
		if strings.HasSuffix(e.Name, suffix) {
			o.checks = append(o.checks, e.At.Add(-origin))
		}
	}
	o.checksAll = nil
	return o, nil
}

// nearestRank is the measurement's percentile: the ⌈q·n⌉-th smallest.
func nearestRank(sorted []float64, q float64) float64 {
	k := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[max(0, min(k, len(sorted)-1))]
}

// fidResult is a row's figures over the seeds.
type fidResult struct {
	row              fidRow
	n                int // runs where the row applies
	min, p50, p90, m float64
	ok50, ok90       bool
	// consistent50 and consistent90: the percentile is off by more than
	// its tolerance, but the real one is inside the 95% band of that
	// percentile of n draws from hasim's distribution (for a row with a
	// band).
	consistent50, consistent90 bool
}

func (x fidResult) holds() bool { return x.ok50 && x.ok90 }

func evaluate(row fidRow, runs []*fidRun) fidResult {
	var xs []float64
	for _, o := range runs {
		if v := row.measure(o); !math.IsNaN(v) {
			xs = append(xs, v)
		}
	}
	x := fidResult{row: row, n: len(xs)}
	if len(xs) == 0 {
		return x
	}
	slices.Sort(xs)
	x.min, x.p50, x.p90, x.m = xs[0], nearestRank(xs, 0.5), nearestRank(xs, 0.9), xs[len(xs)-1]
	within := func(got, want, rel, abs float64, absSet bool) bool {
		if absSet {
			return math.Abs(got-want) <= abs
		}
		return math.Abs(got-want) <= rel*math.Abs(want)
	}
	absSet := row.absWhy != ""
	x.ok50 = within(x.p50, row.real[1], 0.10, row.abs50, absSet)
	if !x.ok50 && row.band != "" && quantileConsistent(xs, row.real[1], row.n, 0.5) {
		x.ok50, x.consistent50 = true, true
	}
	x.ok90 = within(x.p90, row.real[2], 0.20, row.abs90, absSet)
	if !x.ok90 && row.band != "" && quantileConsistent(xs, row.real[2], row.n, 0.9) {
		x.ok90, x.consistent90 = true, true
	}
	return x
}

// quantileConsistent reports whether m, the nearest-rank q-quantile of n
// trials, lies inside the central 95% of the q-quantiles of n draws from
// the distribution whose sorted sample is xs: the chance of a q-quantile
// of n draws at or below m, and that of one at or above m, are both at
// least 2.5%.
func quantileConsistent(xs []float64, m float64, n int, q float64) bool {
	k := int(math.Ceil(q * float64(n))) // the quantile is the k-th smallest
	le, _ := slices.BinarySearch(xs, math.Nextafter(m, math.Inf(1)))
	lt, _ := slices.BinarySearch(xs, m)
	fLE, fGE := float64(le)/float64(len(xs)), float64(len(xs)-lt)/float64(len(xs))
	// At most m: k or more draws at most m; at least m: n-k+1 or more
	// draws at least m.
	return binomTail(n, fLE, k) >= 0.025 && binomTail(n, fGE, n-k+1) >= 0.025
}

// binomTail is P(X ≥ k) for X ~ Binomial(n, p).
func binomTail(n int, p float64, k int) float64 {
	switch {
	case k <= 0 || p >= 1:
		return 1
	case p <= 0:
		return 0
	}
	var s float64
	for i := k; i <= n; i++ {
		s += math.Exp(lchoose(n, i) + float64(i)*math.Log(p) + float64(n-i)*math.Log1p(-p))
	}
	return s
}

func lchoose(n, k int) float64 {
	a, _ := math.Lgamma(float64(n + 1))
	b, _ := math.Lgamma(float64(k + 1))
	c, _ := math.Lgamma(float64(n - k + 1))
	return a - b - c
}

// within is the table's verdict on a row.
func (x fidResult) within() string {
	switch {
	case x.n == 0 && x.row.pending != "":
		return "not modelled yet"
	case !x.holds() && x.row.pending != "":
		return "no: not modelled yet"
	case !x.holds() && x.row.differs != "":
		return "no: a known difference (below)"
	case !x.holds():
		return "no"
	case x.consistent50 && x.consistent90:
		return fmt.Sprintf("p50 and p90: within chance of %d trials (below)", x.row.n)
	case x.consistent50:
		return fmt.Sprintf("p50: within chance of %d trials (below); p90: yes", x.row.n)
	case x.consistent90:
		return fmt.Sprintf("p50: yes; p90: within chance of %d trials (below)", x.row.n)
	case x.row.absWhy != "" && x.row.unit != "":
		return "yes (none at p90)"
	case x.row.absWhy != "":
		return fmt.Sprintf("yes (±%.0f / ±%.0f ms)", x.row.abs50, x.row.abs90)
	case x.row.fitted != "":
		return fmt.Sprintf("yes (%s is set from this row, below)", x.row.fitted)
	}
	return "yes"
}

// fidMs prints a figure in ms, or in requests for a count row.
func fidMs(v float64) string {
	if math.Abs(v) < 0.5 {
		v = 0 // no "-0"
	}
	return fmt.Sprintf("%.0f", v)
}

// checkRows checks every row of a case in its own subtest and returns the
// figures, in row order.
func checkRows(t *testing.T, runs []*fidRun, rows []fidRow) []fidResult {
	var out []fidResult
	for _, row := range rows {
		x := evaluate(row, runs)
		out = append(out, x)
		t.Run(row.metric, func(t *testing.T) {
			tol := "p50 within 10%, p90 within 20%"
			unit := cmp.Or(row.unit, "ms")
			if row.absWhy != "" {
				tol = fmt.Sprintf("p50 within %v, p90 within %v %s (%s)", row.abs50, row.abs90, unit, row.absWhy)
			}
			if row.band != "" {
				tol += fmt.Sprintf("; or a real p50 (p90) within the 95%% band of the p50s (p90s) of %d draws from hasim's (%s)", row.n, row.band)
			}
			msg := fmt.Sprintf("hasim p50 %s, p90 %s (min %s, max %s; %d of %d runs); real p50 %s, p90 %s (n = %d); want %s",
				fidMs(x.p50), fidMs(x.p90), fidMs(x.min), fidMs(x.m), x.n, len(runs), fidMs(row.real[1]), fidMs(row.real[2]), row.n, tol)
			switch {
			case x.n == 0 && row.pending != "":
				t.Skipf("pending %s: hasim: not modelled; real p50 %s, p90 %s (n = %d)", row.pending, fidMs(row.real[1]), fidMs(row.real[2]), row.n)
			case x.n == 0:
				t.Errorf("the row never applied in %d runs", len(runs))
			case x.holds():
				t.Log(msg)
			case row.pending != "":
				t.Skipf("pending %s: %s", row.pending, msg)
			case row.differs != "":
				t.Skipf("a known difference, %s: %s", row.differs, msg)
			default:
				t.Error(msg)
			}
		})
	}
	return out
}

// TestGoldenFidelity runs both cases and compares every row; the table
// it makes is testdata/fidelity.golden (HASIM_UPDATE=1 rewrites it), and
// the README quotes it.
func TestGoldenFidelity(t *testing.T) {
	if testing.Short() {
		t.Skip("400 runs")
	}
	var b strings.Builder
	b.WriteString("| case | metric | real p50 / p90 (trials) | hasim p50 / p90 (runs) | within |\n|---|---|---|---|---|\n")
	for _, c := range []struct {
		name, label string
		rows        []fidRow
	}{
		{"real-case-a-lease-holder-crash", "A", caseA},
		{"real-case-c-frozen-kcm", "C", caseC},
	} {
		t.Run("case "+c.label, func(t *testing.T) {
			for _, x := range checkRows(t, runFidelity(t, c.name), c.rows) {
				got := "—"
				if x.n > 0 {
					got = fmt.Sprintf("%s / %s (%d)", fidMs(x.p50), fidMs(x.p90), x.n)
				}
				fmt.Fprintf(&b, "| %s | %s | %s / %s (%d) | %s | %s |\n", c.label, x.row.metric,
					fidMs(x.row.real[1]), fidMs(x.row.real[2]), x.row.n, got, x.within())
			}
		})
	}
	golden.Check(t, filepath.Join("testdata", "fidelity.golden"), b.String())
	golden.CheckTable(t, filepath.Join("..", "README.md"), b.String())
}

// TestQuantileConsistent: the band of the p50s (p90s) of n draws, on a
// distribution spread evenly over 0-999: a median of 12 at the middle is
// inside it, one at the 10th percentile outside, and with 3 trials even
// the 20th percentile is inside; the p90 of 6 trials, their largest, is
// inside from about the 54th percentile (0.54^6 = 2.5%) to nearly the
// top.
func TestQuantileConsistent(t *testing.T) {
	xs := make([]float64, 1000)
	for i := range xs {
		xs[i] = float64(i)
	}
	for _, c := range []struct {
		m    float64
		n    int
		q    float64
		want bool
	}{{500, 12, 0.5, true}, {300, 12, 0.5, true}, {100, 12, 0.5, false}, {950, 12, 0.5, false}, {200, 3, 0.5, true}, {-1, 3, 0.5, false},
		{600, 6, 0.9, true}, {990, 6, 0.9, true}, {500, 6, 0.9, false}, {999, 6, 0.9, false}} {
		if got := quantileConsistent(xs, c.m, c.n, c.q); got != c.want {
			t.Errorf("p%.0f %v of %d: consistent %v, want %v", 100*c.q, c.m, c.n, got, c.want)
		}
	}
}
