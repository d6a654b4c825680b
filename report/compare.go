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
)

// Estimate is a figure with its 95% confidence interval.
type Estimate struct {
	Value float64 `json:"value"`
	Lo    float64 `json:"lo"`
	Hi    float64 `json:"hi"`
	N     int     `json:"n"`
}

// MeanCI is the mean of xs with a 95% Student-t interval.
func MeanCI(xs []float64) Estimate {
	n := len(xs)
	if n == 0 {
		return Estimate{Value: math.NaN(), Lo: math.NaN(), Hi: math.NaN()}
	}
	m, sd := stat.MeanStdDev(xs, nil)
	if n < 2 || sd == 0 {
		return Estimate{Value: m, Lo: m, Hi: m, N: n}
	}
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(n - 1)}.Quantile(0.975)
	h := t * sd / math.Sqrt(float64(n))
	return Estimate{Value: m, Lo: m - h, Hi: m + h, N: n}
}

// QuantileCI is the q-quantile of xs with a distribution-free 95% interval
// from order statistics: the ranks whose binomial(n, q) probabilities
// bracket 2.5% and 97.5%.
func QuantileCI(xs []float64, q float64) Estimate {
	n := len(xs)
	if n == 0 {
		return Estimate{Value: math.NaN(), Lo: math.NaN(), Hi: math.NaN()}
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	v := stat.Quantile(q, stat.Empirical, s, nil)
	b := distuv.Binomial{N: float64(n), P: q}
	lo, hi := 0, n-1
	for k := 0; k < n; k++ {
		if b.CDF(float64(k)) >= 0.025 {
			lo = max(0, k-1)
			break
		}
	}
	for k := n - 1; k >= 0; k-- {
		if b.CDF(float64(k)) <= 0.975 {
			hi = min(n-1, k+1)
			break
		}
	}
	return Estimate{Value: v, Lo: s[lo], Hi: s[hi], N: n}
}

// ScenarioComparison is one scenario's line in a comparison.
type ScenarioComparison struct {
	Scenario           string   `json:"scenario"`
	Hosts              int      `json:"hosts"`
	Runs               int      `json:"runs"`
	WriteAvailability  Estimate `json:"writeAvailability"`
	ReadAvailability   Estimate `json:"readAvailability"`
	DowntimePerYear    Estimate `json:"downtimePerYearSeconds"` // from write availability
	Nines              Estimate `json:"nines"`                  // -log10(1 - write availability)
	RecoveryP50        Estimate `json:"writeRecoveryP50"`       // seconds from a fault until writes stop failing
	RecoveryP99        Estimate `json:"writeRecoveryP99"`
	NoRecovery         int      `json:"faultsWithoutRecovery"`
	SplitBrain         Estimate `json:"splitBrainSecondsPerRun"`
	ActingSplitBrain   Estimate `json:"actingSplitBrainSecondsPerRun"`
	InvariantBreakages int      `json:"invariantViolations"`
	// FailedRuns counts the runs that panicked, livelocked or would not
	// build (bugs in hasim); they are left out of the figures, like runs
	// an interrupt prevented. Runs counts the runs the figures cover.
	FailedRuns int `json:"failedRuns,omitempty"`
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
}

const year = 365.25 * 24 * 3600

// Compare summarizes runs [scenario][run].
func Compare(names []string, runs [][]experiment.Run, base uint64) Comparison {
	c := Comparison{FormatVersion: FormatVersion, BaseSeed: base, Runs: len(runs[0])}
	for i, rs := range runs {
		sc := ScenarioComparison{Scenario: names[i], Runs: len(rs)}
		var wa, ra, sb, asb, rec []float64
		sc.Runs = 0
		for _, r := range rs {
			if r.Failure != nil {
				sc.FailedRuns++
				c.Failures = append(c.Failures, RunFailure{Scenario: names[i], Seed: r.Seed, Kind: string(r.Failure.Kind), Message: r.Failure.Message})
			}
			if !r.Done {
				continue
			}
			sc.Runs++
			sc.Hosts = r.Hosts
			sc.InvariantBreakages += r.Violations
			if r.HasWrite {
				wa = append(wa, r.WriteAvailability)
			}
			if r.HasRead {
				ra = append(ra, r.ReadAvailability)
			}
			sb = append(sb, r.SplitBrain.Seconds())
			asb = append(asb, r.ActingSplitBrain.Seconds())
			for _, d := range r.Recovery {
				if d < 0 {
					sc.NoRecovery++
				} else {
					rec = append(rec, d.Seconds())
				}
			}
		}
		sc.WriteAvailability = clamp01(MeanCI(wa))
		sc.ReadAvailability = clamp01(MeanCI(ra))
		down := func(a float64) float64 { return (1 - a) * year }
		w := sc.WriteAvailability
		sc.DowntimePerYear = Estimate{Value: down(w.Value), Lo: down(w.Hi), Hi: down(w.Lo), N: w.N}
		nines := func(a float64) float64 {
			if a >= 1 {
				return math.Inf(1)
			}
			return -math.Log10(1 - a)
		}
		sc.Nines = Estimate{Value: nines(w.Value), Lo: nines(w.Lo), Hi: nines(w.Hi), N: w.N}
		sc.RecoveryP50 = QuantileCI(rec, 0.50)
		sc.RecoveryP99 = QuantileCI(rec, 0.99)
		sc.SplitBrain = nonNegative(MeanCI(sb))
		sc.ActingSplitBrain = nonNegative(MeanCI(asb))
		c.Scenarios = append(c.Scenarios, sc)
	}
	return c
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

// ci formats an estimate with its interval.
func ci(e Estimate, format func(float64) string) string {
	if math.IsNaN(e.Value) {
		return "-"
	}
	if e.Lo == e.Hi {
		return format(e.Value)
	}
	return fmt.Sprintf("%s [%s, %s]", format(e.Value), format(e.Lo), format(e.Hi))
}

func fmtPct(x float64) string { return strconv.FormatFloat(x*100, 'f', 3, 64) + "%" }
func fmtSec(x float64) string {
	if math.IsInf(x, 0) {
		return "∞"
	}
	return (time.Duration(x * float64(time.Second))).Round(time.Millisecond).String()
}
func fmtHours(x float64) string { return strconv.FormatFloat(x/3600, 'f', 1, 64) }

func fmtNines(x float64) string {
	if math.IsInf(x, 1) {
		return "∞"
	}
	return strconv.FormatFloat(x, 'f', 2, 64)
}

// WriteComparison writes the comparison as a table.
func WriteComparison(w io.Writer, c Comparison) error {
	return checked(w, func(w io.Writer) error { return writeComparison(w, c) })
}

func writeComparison(w io.Writer, c Comparison) error {
	fmt.Fprintf(w, "Comparison over %d runs per scenario (seeds %d–%d, the same for every scenario); 95%% confidence intervals in brackets\n\n",
		c.Runs, c.BaseSeed, c.BaseSeed+uint64(c.Runs)-1)
	if note := unfinished(c); note != "" {
		fmt.Fprintf(w, "%s\n\n", note)
	}
	t := newTableAligned(w, 10)
	t.Header("scenario", "hosts", "write availability", "read availability", "write downtime / year (h)", "nines",
		"write recovery p50", "write recovery p99", "split brain / run", "acting split brain / run")
	for _, s := range c.Scenarios {
		p99 := ci(s.RecoveryP99, fmtSec)
		if s.NoRecovery > 0 {
			p99 += fmt.Sprintf(" (%d never)", s.NoRecovery)
		}
		if err := t.Append([]string{s.Scenario, fmt.Sprint(s.Hosts), ci(s.WriteAvailability, fmtPct), ci(s.ReadAvailability, fmtPct),
			ci(s.DowntimePerYear, fmtHours), ci(s.Nines, fmtNines), ci(s.RecoveryP50, fmtSec), p99,
			ci(s.SplitBrain, fmtSec), ci(s.ActingSplitBrain, fmtSec)}); err != nil {
			return err
		}
	}
	if err := t.Render(); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nWrite recovery: from a fault until writes stop failing (0 if they never failed). Downtime per year")
	fmt.Fprintln(w, "extrapolates the simulated span's write unavailability, faults included, to a year.")
	writeFailures(w, c)
	return nil
}

// unfinished says which scenarios' figures cover fewer runs than asked
// for, and why, or is "" if every run finished.
func unfinished(c Comparison) string {
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
	return enc.Encode(sanitize(c))
}

// sanitize replaces infinities (JSON has none) by the largest float.
func sanitize(c Comparison) Comparison {
	fix := func(e *Estimate) {
		for _, p := range []*float64{&e.Value, &e.Lo, &e.Hi} {
			if math.IsInf(*p, 1) {
				*p = math.MaxFloat64
			}
			if math.IsNaN(*p) {
				*p = 0
			}
		}
	}
	for i := range c.Scenarios {
		s := &c.Scenarios[i]
		for _, e := range []*Estimate{&s.WriteAvailability, &s.ReadAvailability, &s.DowntimePerYear, &s.Nines,
			&s.RecoveryP50, &s.RecoveryP99, &s.SplitBrain, &s.ActingSplitBrain} {
			fix(e)
		}
	}
	return c
}
