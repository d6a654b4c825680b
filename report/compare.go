package report

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"

	"hasim/experiment"
	"hasim/internal/sample"
)

// Level is the confidence the figures' intervals are computed at.
const Level = 0.95

// Estimate is a figure with its confidence interval.
type Estimate struct {
	Value float64 `json:"value"`
	Lo    float64 `json:"lo"`
	Hi    float64 `json:"hi"`
	N     int     `json:"n"`
	// Confidence is the confidence of [Lo, Hi]: Level, or less when the
	// samples cannot give Level. An order-statistic interval of a high
	// percentile needs enough samples (a p99 needs 299 for 95%); with
	// fewer, Lo and Hi are the smallest and the largest sample, the widest
	// interval there is, and Confidence is what it achieves.
	Confidence float64 `json:"confidence"`
}

// MarshalJSON writes the estimate with an infinity (the nines of an
// availability of 100%) as the largest float and NaN as 0: JSON has
// neither.
func (e Estimate) MarshalJSON() ([]byte, error) {
	type plain Estimate
	for _, p := range []*float64{&e.Value, &e.Lo, &e.Hi} {
		switch {
		case math.IsInf(*p, 1):
			*p = math.MaxFloat64
		case math.IsInf(*p, -1):
			*p = -math.MaxFloat64
		case math.IsNaN(*p):
			*p = 0
		}
	}
	return json.Marshal(plain(e))
}

// Short reports whether the interval falls short of Level.
func (e Estimate) Short() bool { return e.N > 0 && e.Confidence < Level }

// MeanCI is the mean of xs with a 95% Student-t interval.
func MeanCI(xs []float64) Estimate {
	n := len(xs)
	if n == 0 {
		return Estimate{Value: math.NaN(), Lo: math.NaN(), Hi: math.NaN()}
	}
	m, sd := stat.MeanStdDev(xs, nil)
	return meanCI(n, m, sd)
}

// meanCI is Student's t interval of a mean m with standard deviation sd
// over n samples.
func meanCI(n int, m, sd float64) Estimate {
	if n < 2 {
		return Estimate{Value: m, Lo: m, Hi: m, N: n} // no interval
	}
	if sd == 0 {
		return Estimate{Value: m, Lo: m, Hi: m, N: n, Confidence: Level}
	}
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(n - 1)}.Quantile(1 - (1-Level)/2)
	h := t * sd / math.Sqrt(float64(n))
	return Estimate{Value: m, Lo: m - h, Hi: m + h, N: n, Confidence: Level}
}

// QuantileCI is the q-quantile of xs with a distribution-free interval
// from order statistics (OrderRanks): at Level when n samples can give
// it, else the widest interval, with the confidence it achieves.
func QuantileCI(xs []float64, q float64) Estimate {
	n := len(xs)
	if n == 0 {
		return Estimate{Value: math.NaN(), Lo: math.NaN(), Hi: math.NaN()}
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	l, u, conf := OrderRanks(n, q, Level)
	return Estimate{Value: stat.Quantile(q, stat.Empirical, s, nil), Lo: s[l-1], Hi: s[u-1], N: n, Confidence: conf}
}

// SampleQuantileCI is QuantileCI of a sample kept in bounded memory:
// the same figures while it holds every value, and the order statistics
// read from its histogram (within half a percent) once it has folded them.
func SampleQuantileCI(s *sample.Sample, q float64) Estimate {
	if s.Exact() {
		return QuantileCI(s.Values(), q)
	}
	n := s.Len()
	l, u, conf := OrderRanks(n, q, Level)
	// stat.Empirical's quantile: the smallest value whose empirical CDF
	// reaches q.
	k := max(1, int(math.Ceil(q*float64(n))))
	v := s.Ranks(k, l, u)
	return Estimate{Value: v[0], Lo: v[1], Hi: v[2], N: n, Confidence: conf}
}

// SampleMeanCI is MeanCI of a sample kept in bounded memory.
func SampleMeanCI(s *sample.Sample) Estimate {
	if s.Exact() {
		return MeanCI(s.Values())
	}
	return meanCI(s.Len(), s.Mean(), s.StdDev())
}

// OrderRanks returns the ranks l < u (1 is the smallest of n samples)
// whose order statistics [X(l), X(u)] bracket the q-quantile with
// probability at least level, and that probability. With K, the number
// of samples below the quantile, binomial(n, q), the probability is
// P(l <= K <= u-1). Each tail gets at most (1-level)/2 when it can; when
// one cannot (a high percentile over a few hundred samples), that side
// takes the extreme sample and the other side what is left. When even
// the widest interval, [X(1), X(n)], falls short of level, OrderRanks
// returns it with its probability, 1 - q^n - (1-q)^n. See Hahn and
// Meeker, "Statistical Intervals" (1991), section 5.2.
func OrderRanks(n int, q, level float64) (l, u int, confidence float64) {
	if n < 2 {
		return 1, n, 0
	}
	b := distuv.Binomial{N: float64(n), P: q}
	cdf := func(k int) float64 { // P(K <= k)
		switch {
		case k < 0:
			return 0
		case k >= n:
			return 1
		}
		return b.CDF(float64(k))
	}
	cover := func(l, u int) float64 { return cdf(u-1) - cdf(l-1) }
	if c := cover(1, n); c < level {
		return 1, n, c
	}
	tail := (1 - level) / 2
	switch {
	case cdf(0) > tail: // the lower tail cannot be held to tail
		u = n
		for u > 2 && cover(1, u-1) >= level {
			u--
		}
		return 1, u, cover(1, u)
	case cdf(n-1) < 1-tail: // nor can the upper
		l = 1
		for l < n-1 && cover(l+1, n) >= level {
			l++
		}
		return l, n, cover(l, n)
	}
	l, u = 1, n
	for l < n-1 && cdf(l) <= tail { // P(K < l+1) <= tail
		l++
	}
	for u > l+1 && cdf(u-2) >= 1-tail { // P(K >= u-1) <= tail
		u--
	}
	return l, u, cover(l, u)
}

// ScenarioComparison is one scenario's line in a comparison.
type ScenarioComparison struct {
	Scenario string `json:"scenario"`
	Hosts    int    `json:"hosts"`
	Runs     int    `json:"runs"`
	// RatesDefined: the scenario's failures arrive at rates, so its
	// figures extrapolate to a year and the four figures per year below
	// are given. Scripted faults happen once per run, at fixed times: they
	// define no rate, and the figures are per incident.
	RatesDefined bool `json:"ratesDefined"`
	// Incidents is the mean number of injected faults and operations per
	// run; the downtimes are each run's probe failing time divided by its
	// incidents.
	Incidents                Estimate `json:"incidentsPerRun"`
	WriteDowntimePerIncident Estimate `json:"writeDowntimePerIncidentSeconds"`
	ReadDowntimePerIncident  Estimate `json:"readDowntimePerIncidentSeconds"`
	// Per year, only when RatesDefined.
	WriteAvailability *Estimate `json:"writeAvailability,omitempty"`
	ReadAvailability  *Estimate `json:"readAvailability,omitempty"`
	DowntimePerYear   *Estimate `json:"downtimePerYearSeconds,omitempty"` // from write availability
	Nines             *Estimate `json:"nines,omitempty"`                  // -log10(1 - write availability)
	RecoveryP50       Estimate  `json:"writeRecoveryP50"`                 // seconds from an incident until writes stop failing
	RecoveryP99       Estimate  `json:"writeRecoveryP99"`
	NoRecovery        int       `json:"faultsWithoutRecovery"`
	// EtcdFailoverP50 is the median time from an incident to etcd's
	// first leader of a higher term, over the incidents that had one.
	EtcdFailoverP50    Estimate `json:"etcdFailoverP50"`
	SplitBrain         Estimate `json:"splitBrainSecondsPerRun"`
	ActingSplitBrain   Estimate `json:"actingSplitBrainSecondsPerRun"`
	InvariantBreakages int      `json:"invariantViolations"`
	// Annual are the figures per year by function, the incidents, the
	// downtime by cause and the split brain, only when RatesDefined.
	Annual *AnnualFigures `json:"annual,omitempty"`
	// FailedRuns counts the runs that panicked, livelocked or would not
	// build (bugs in hasim); they are left out of the figures, like runs
	// an interrupt prevented. Runs counts the runs the figures cover.
	FailedRuns int `json:"failedRuns,omitempty"`
	// FinishedRuns, for an interrupted comparison, counts the runs the
	// scenario finished, those of seeds another scenario did not finish
	// included (they are left out of the figures).
	FinishedRuns int `json:"finishedRuns,omitempty"`
}

// RunFailure is a run that failed, for the report.
type RunFailure struct {
	Scenario string `json:"scenario"`
	Seed     uint64 `json:"seed"`
	Kind     string `json:"kind"` // panic, livelock or build
	Message  string `json:"message"`
}

// Comparison is the result of hasim compare.
type Comparison struct {
	FormatVersion int                  `json:"formatVersion"`
	BaseSeed      uint64               `json:"baseSeed"`
	Runs          int                  `json:"runs"`
	Scenarios     []ScenarioComparison `json:"scenarios"`
	// Failures lists the failed runs, scenario by scenario, by seed.
	Failures []RunFailure `json:"failures,omitempty"`
	// Interrupted is set when an interrupt stopped the comparison before
	// every scenario finished every seed. Only the seeds that every
	// scenario finished (PairedSeeds, as ranges such as "1-34, 36") enter
	// the figures, so that every figure compares the same seeds;
	// scenarios[].finishedRuns says how many each finished in all.
	Interrupted bool   `json:"interrupted,omitempty"`
	PairedSeeds string `json:"pairedSeeds,omitempty"`
}

// Annual reports whether any scenario's figures extrapolate to a year.
func (c Comparison) Annual() bool {
	return slices.ContainsFunc(c.Scenarios, func(s ScenarioComparison) bool { return s.RatesDefined })
}

// Compare summarizes runs [scenario][run].
func Compare(names []string, runs [][]experiment.Run, base uint64) Comparison {
	c := Comparison{FormatVersion: FormatVersion, BaseSeed: base, Runs: len(runs[0])}
	// A seed enters the figures only if every scenario finished it (ran it
	// to the end, or failed): after an interrupt, scenarios have finished
	// different seeds, and comparing them over different seeds would break
	// the pairing.
	paired := make([]bool, c.Runs)
	var seeds []uint64
	for r := range paired {
		paired[r] = true
		for j := range runs {
			if x := runs[j][r]; !x.Done && x.Failure == nil {
				paired[r] = false
			}
		}
		if paired[r] {
			seeds = append(seeds, runs[0][r].Seed)
		}
	}
	c.Interrupted = len(seeds) < c.Runs
	if c.Interrupted {
		c.PairedSeeds = seedRanges(seeds)
	}
	for i, rs := range runs {
		sc := ScenarioComparison{Scenario: names[i]}
		var wa, ra, sb, asb, inc, wdi, rdi []float64
		var rec, efo sample.Sample
		var prs []experiment.Run
		rates := true
		for ri, r := range rs {
			if r.Failure != nil {
				sc.FailedRuns++
				c.Failures = append(c.Failures, RunFailure{Scenario: names[i], Seed: r.Seed, Kind: string(r.Failure.Kind), Message: r.Failure.Message})
			}
			if c.Interrupted && (r.Done || r.Failure != nil) {
				sc.FinishedRuns++
			}
			if !r.Done || !paired[ri] {
				continue
			}
			prs = append(prs, r)
			sc.Runs++
			sc.Hosts = r.Hosts
			sc.InvariantBreakages += r.Violations
			rates = rates && r.RatesDefined
			inc = append(inc, float64(r.Incidents))
			if r.HasWrite {
				wa = append(wa, r.WriteAvailability)
				if r.Incidents > 0 {
					wdi = append(wdi, r.WriteDowntime.Seconds()/float64(r.Incidents))
				}
			}
			if r.HasRead {
				ra = append(ra, r.ReadAvailability)
				if r.Incidents > 0 {
					rdi = append(rdi, r.ReadDowntime.Seconds()/float64(r.Incidents))
				}
			}
			sb = append(sb, r.SplitBrain.Seconds())
			asb = append(asb, r.ActingSplitBrain.Seconds())
			efo.Merge(&r.EtcdFailover)
			rec.Merge(&r.Recovery)
			sc.NoRecovery += r.NoRecovery
		}
		sc.RatesDefined = rates && sc.Runs > 0
		sc.Incidents = nonNegative(MeanCI(inc))
		sc.WriteDowntimePerIncident = nonNegative(MeanCI(wdi))
		sc.ReadDowntimePerIncident = nonNegative(MeanCI(rdi))
		if sc.RatesDefined {
			w, r := clamp01(MeanCI(wa)), clamp01(MeanCI(ra))
			sc.WriteAvailability, sc.ReadAvailability = &w, &r
			down := func(a float64) float64 { return (1 - a) * yearSeconds }
			sc.DowntimePerYear = &Estimate{Value: down(w.Value), Lo: down(w.Hi), Hi: down(w.Lo), N: w.N, Confidence: w.Confidence}
			nines := func(a float64) float64 {
				if a >= 1 {
					return math.Inf(1)
				}
				return -math.Log10(1 - a)
			}
			sc.Nines = &Estimate{Value: nines(w.Value), Lo: nines(w.Lo), Hi: nines(w.Hi), N: w.N, Confidence: w.Confidence}
			sc.Annual = Annual(prs)
		}
		sc.RecoveryP50 = SampleQuantileCI(&rec, 0.50)
		sc.RecoveryP99 = SampleQuantileCI(&rec, 0.99)
		sc.EtcdFailoverP50 = SampleQuantileCI(&efo, 0.50)
		sc.SplitBrain = nonNegative(MeanCI(sb))
		sc.ActingSplitBrain = nonNegative(MeanCI(asb))
		c.Scenarios = append(c.Scenarios, sc)
	}
	return c
}

// pairedCount is the number of seeds every scenario finished.
func pairedCount(c Comparison) int {
	n := 0
	for _, part := range strings.Split(c.PairedSeeds, ", ") {
		var a, b uint64
		if k, _ := fmt.Sscanf(part, "%d-%d", &a, &b); k == 2 {
			n += int(b - a + 1)
		} else if k == 1 {
			n++
		}
	}
	return n
}

// seedRanges writes ascending seeds as ranges: "1-34, 36".
func seedRanges(seeds []uint64) string {
	if len(seeds) == 0 {
		return "none"
	}
	var parts []string
	for i := 0; i < len(seeds); {
		j := i
		for j+1 < len(seeds) && seeds[j+1] == seeds[j]+1 {
			j++
		}
		if j == i {
			parts = append(parts, strconv.FormatUint(seeds[i], 10))
		} else {
			parts = append(parts, fmt.Sprintf("%d-%d", seeds[i], seeds[j]))
		}
		i = j + 1
	}
	return strings.Join(parts, ", ")
}

// nonNegative clamps an interval of a quantity that cannot be negative.
func nonNegative(e Estimate) Estimate {
	e.Lo = max(e.Lo, 0)
	return e
}

// clamp01 clamps an interval of a fraction.
func clamp01(e Estimate) Estimate {
	e.Lo, e.Hi = max(e.Lo, 0), min(e.Hi, 1)
	return e
}

// ci formats an estimate with its interval, or says why it has none.
func ci(e Estimate, format func(float64) string, samples string, quantile string) string {
	if math.IsNaN(e.Value) {
		return "-"
	}
	if e.Short() {
		if e.N < 2 {
			return fmt.Sprintf("%s (no interval from 1 %s)", format(e.Value), singular(samples))
		}
		return fmt.Sprintf("%s (no %s interval: %d %s give at most %s for %s)", format(e.Value), fmtLevel(Level), e.N, samples, fmtLevel(e.Confidence), quantile)
	}
	if e.Lo == e.Hi {
		return format(e.Value)
	}
	return fmt.Sprintf("%s [%s, %s]", format(e.Value), format(e.Lo), format(e.Hi))
}

// singular is the singular of the plural nouns samples are counted in.
func singular(plural string) string {
	if p, ok := strings.CutSuffix(plural, "ies"); ok {
		return p + "y"
	}
	return strings.TrimSuffix(plural, "s")
}

func fmtLevel(x float64) string {
	return strconv.FormatFloat(math.Floor(x*1000)/10, 'f', -1, 64) + "%"
}
func fmtPct(x float64) string { return strconv.FormatFloat(x*100, 'f', 3, 64) + "%" }
func fmtSec(x float64) string {
	if math.IsInf(x, 0) {
		return "∞"
	}
	return (time.Duration(x * float64(time.Second))).Round(time.Millisecond).String()
}
func fmtHours(x float64) string { return strconv.FormatFloat(x/3600, 'f', 1, 64) }
func fmtCount(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }
func fmtMean(x float64) string  { return strconv.FormatFloat(x, 'f', 2, 64) }

func fmtNines(x float64) string {
	if math.IsInf(x, 1) {
		return "∞"
	}
	return strconv.FormatFloat(x, 'f', 2, 64)
}

// figure is a column of the comparison: an estimate for each scenario.
type figure struct {
	header   string // in the table
	key      string // in JSON, YAML and CSV
	samples  string // what the estimate is from (plural), for a short interval
	quantile string // "p50", "p99": an order statistic
	format   func(float64) string
	get      func(s *ScenarioComparison) *Estimate // nil: not given for s
}

// figures are the comparison's estimates, in the order of the table's
// columns: per incident always; per year only when a scenario's failures
// arrive at rates.
func figures(c Comparison) []figure {
	fs := []figure{
		{"incidents / run", "incidentsPerRun", "runs", "", fmtMean, func(s *ScenarioComparison) *Estimate { return &s.Incidents }},
		{"write downtime / incident", "writeDowntimePerIncidentSeconds", "runs", "", fmtSec, func(s *ScenarioComparison) *Estimate { return &s.WriteDowntimePerIncident }},
		{"read downtime / incident", "readDowntimePerIncidentSeconds", "runs", "", fmtSec, func(s *ScenarioComparison) *Estimate { return &s.ReadDowntimePerIncident }},
	}
	if c.Annual() {
		fs = append(fs,
			figure{"write availability", "writeAvailability", "runs", "", fmtPct, func(s *ScenarioComparison) *Estimate { return s.WriteAvailability }},
			figure{"read availability", "readAvailability", "runs", "", fmtPct, func(s *ScenarioComparison) *Estimate { return s.ReadAvailability }},
			figure{"write downtime / year (h)", "downtimePerYearSeconds", "runs", "", fmtHours, func(s *ScenarioComparison) *Estimate { return s.DowntimePerYear }},
			figure{"nines", "nines", "runs", "", fmtNines, func(s *ScenarioComparison) *Estimate { return s.Nines }})
	}
	return append(fs,
		figure{"write recovery p50", "writeRecoveryP50", "recoveries", "p50", fmtSec, func(s *ScenarioComparison) *Estimate { return &s.RecoveryP50 }},
		figure{"write recovery p99", "writeRecoveryP99", "recoveries", "p99", fmtSec, func(s *ScenarioComparison) *Estimate { return &s.RecoveryP99 }},
		figure{"etcd failover p50", "etcdFailoverP50", "failovers", "p50", fmtSec, func(s *ScenarioComparison) *Estimate { return &s.EtcdFailoverP50 }},
		figure{"split brain / run", "splitBrainSecondsPerRun", "runs", "", fmtSec, func(s *ScenarioComparison) *Estimate { return &s.SplitBrain }},
		figure{"acting split brain / run", "actingSplitBrainSecondsPerRun", "runs", "", fmtSec, func(s *ScenarioComparison) *Estimate { return &s.ActingSplitBrain }})
}

// WriteComparison writes the comparison as a table.
func WriteComparison(w io.Writer, c Comparison) error {
	return checked(w, func(w io.Writer) error { return writeComparison(w, c) })
}

func writeComparison(w io.Writer, c Comparison) error {
	if c.Interrupted {
		fmt.Fprintf(w, "Comparison interrupted: over the %d seeds that every scenario finished (seeds %s) of %d asked for; %s confidence intervals in brackets\n\n",
			pairedCount(c), c.PairedSeeds, c.Runs, fmtLevel(Level))
	} else {
		fmt.Fprintf(w, "Comparison over %d runs per scenario (seeds %d–%d, the same for every scenario); %s confidence intervals in brackets\n\n",
			c.Runs, c.BaseSeed, c.BaseSeed+uint64(c.Runs)-1, fmtLevel(Level))
	}
	if note := unfinished(c); note != "" {
		fmt.Fprintf(w, "%s\n\n", note)
	}
	fs := figures(c)
	t := newTableAligned(w, len(fs)+2)
	header := []string{"scenario", "hosts"}
	for _, f := range fs {
		header = append(header, f.header)
	}
	t.Header(header)
	for i := range c.Scenarios {
		s := &c.Scenarios[i]
		row := []string{s.Scenario, fmt.Sprint(s.Hosts)}
		for _, f := range fs {
			cell := "-"
			if e := f.get(s); e != nil {
				cell = ci(*e, f.format, f.samples, f.quantile)
			}
			if f.key == "writeRecoveryP99" && s.NoRecovery > 0 {
				cell += fmt.Sprintf(" (%d never)", s.NoRecovery)
			}
			row = append(row, cell)
		}
		if err := t.Append(row); err != nil {
			return err
		}
	}
	if err := t.Render(); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nIncidents: the faults and operations a run injected that did something. Downtime per incident: a")
	fmt.Fprintln(w, "probe's failing time in a run divided by the run's incidents. Write recovery: from an incident until")
	fmt.Fprintln(w, "writes stop failing (0 if they never failed). etcd failover: from an incident to etcd's first leader")
	fmt.Fprintln(w, "of a higher term, over the incidents that had one.")
	if c.Annual() {
		fmt.Fprintln(w, "Availability, downtime per year and nines are given for scenarios whose failures arrive at rates;")
		fmt.Fprintln(w, "scripted faults (-) define no rate. For those scenarios an incident runs from a failure until the")
		fmt.Fprintln(w, "cluster is steady again, overlapping faults together, and recovery and failover count from its start.")
	} else {
		fmt.Fprintln(w, "Scripted faults happen once per run, at fixed times, and define no rate: a figure per year")
		fmt.Fprintln(w, "(availability, downtime per year, nines) would only spread them over the scenario's horizon.")
	}
	for i := range c.Scenarios {
		if a := c.Scenarios[i].Annual; a != nil {
			fmt.Fprintf(w, "\n%s. ", c.Scenarios[i].Scenario)
			if err := writeAnnual(w, a); err != nil {
				return err
			}
		}
	}
	writeFailures(w, c)
	return nil
}

// unfinished says which scenarios' figures cover fewer runs than asked
// for, and why, or is "" if every run finished.
func unfinished(c Comparison) string {
	if c.Interrupted {
		var parts []string
		for _, s := range c.Scenarios {
			parts = append(parts, fmt.Sprintf("%s %d", s.Scenario, s.FinishedRuns))
		}
		return "Not every run finished: the figures pair only the seeds that every scenario finished, so that each compares the same seeds. Runs finished in all: " +
			strings.Join(parts, ", ") + "."
	}
	var parts []string
	for _, s := range c.Scenarios {
		if s.Runs == c.Runs {
			continue
		}
		part := fmt.Sprintf("%s %d of %d", s.Scenario, s.Runs, c.Runs)
		if s.FailedRuns > 0 {
			part += fmt.Sprintf(" (%d failed)", s.FailedRuns)
		}
		parts = append(parts, part)
	}
	if len(parts) == 0 {
		return ""
	}
	return "Not every run finished; the figures cover the runs that did: " + strings.Join(parts, ", ") + "."
}

// maxListedFailures is how many failed runs the table lists one by one.
const maxListedFailures = 10

// writeFailures lists the failed runs under the table.
func writeFailures(w io.Writer, c Comparison) {
	if len(c.Failures) == 0 {
		return
	}
	fmt.Fprintf(w, "\n%d runs failed (bugs in hasim; left out of the figures):\n", len(c.Failures))
	for i, f := range c.Failures {
		if i == maxListedFailures {
			fmt.Fprintf(w, "  and %d more\n", len(c.Failures)-i)
			break
		}
		fmt.Fprintf(w, "  %s seed %d: %s: %s\n", f.Scenario, f.Seed, f.Kind, firstLineOf(f.Message))
	}
}

// firstLineOf is s up to its first line break.
func firstLineOf(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " ..."
	}
	return s
}

// WriteComparisonJSON writes the comparison as JSON.
func WriteComparisonJSON(w io.Writer, c Comparison) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(c)
}
