package report

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"hasim/experiment/sweep"
	"hasim/internal/sample"
)

// SweepAggregate is a sweep's figures per point: every selected metric
// over the point's runs, with 95% intervals.
type SweepAggregate struct {
	Sweep      string   `json:"sweep"`
	Definition string   `json:"definition"`
	Hasim      string   `json:"hasim"`
	Axes       []string `json:"axes"`
	// Runs is the sweep's run count, Finished how many the figures come
	// from (fewer for an interrupted sweep), Failed how many failed (a
	// bug in hasim; left out of the figures).
	Runs     int `json:"runs"`
	Finished int `json:"finished"`
	Failed   int `json:"failed"`
	// Seeds is the seeds per point; Baseline, the point that paired
	// differences are taken from (absent: none).
	Seeds    int          `json:"seeds"`
	Baseline *int         `json:"baseline,omitempty"`
	Points   []SweepPoint `json:"points"`
}

// SweepPoint is one point's figures.
type SweepPoint struct {
	Point   int               `json:"point"`
	Values  map[string]string `json:"values"`
	Runs    int               `json:"runs"` // finished runs, failed ones included
	Metrics []SweepMetric     `json:"metrics"`
	values  []string          // in axis order
}

// SweepMetric is one metric at one point. N counts the runs where it was
// defined (a failover needs a takeover). Diff is the mean of the paired
// differences from the baseline point, seed by seed, over the seeds where
// both define it.
type SweepMetric struct {
	Metric string    `json:"metric"`
	N      int       `json:"n"`
	Mean   Estimate  `json:"mean"`
	Median Estimate  `json:"median"`
	P90    Estimate  `json:"p90"`
	P99    Estimate  `json:"p99"`
	Diff   *Estimate `json:"diffFromBaseline,omitempty"`
}

// SweepAggregator gathers a results file's records into a SweepAggregate.
type SweepAggregator struct {
	h       sweep.Header
	names   []string          // metrics in first-seen order
	index   map[string]int    // metric → position in names
	points  map[int]*pointAcc // by point number
	order   []int             // point numbers in first-seen order
	failed  int
	records int
}

type pointAcc struct {
	values []string
	runs   int
	// samples hold each metric's defined values, in bounded memory
	// (internal/sample: exact up to a few thousand runs a point).
	samples map[string]*sample.Sample
	// With a baseline, the paired differences need each run's value by
	// seed: vals (NaN: undefined), aligned with seeds. Without one, they
	// are not kept, so memory does not grow with the runs.
	seeds []uint64
	vals  map[string][]float64
}

// NewSweepAggregator starts an aggregate for the sweep of header h.
func NewSweepAggregator(h sweep.Header) *SweepAggregator {
	return &SweepAggregator{h: h, index: map[string]int{}, points: map[int]*pointAcc{}}
}

// Add adds one run.
func (a *SweepAggregator) Add(rec sweep.Record) {
	a.records++
	p := a.points[rec.Point]
	if p == nil {
		p = &pointAcc{samples: map[string]*sample.Sample{}, vals: map[string][]float64{}}
		for _, v := range rec.Values {
			s, _ := v.Value.(string)
			p.values = append(p.values, s)
		}
		a.points[rec.Point] = p
		a.order = append(a.order, rec.Point)
	}
	p.runs++
	if rec.Failure != "" {
		a.failed++
		return
	}
	for _, m := range rec.Metrics {
		if _, ok := a.index[m.Name]; !ok {
			a.index[m.Name] = len(a.names)
			a.names = append(a.names, m.Name)
		}
	}
	paired := a.h.Baseline != nil
	n := len(p.seeds)
	if paired {
		p.seeds = append(p.seeds, rec.Seed)
	}
	for _, m := range rec.Metrics {
		if !selected(m.Name, a.h.Metrics) {
			continue // only what is aggregated is kept
		}
		x, ok := m.Value.(float64)
		if !ok {
			x = math.NaN()
		}
		s := p.samples[m.Name]
		if s == nil {
			s = &sample.Sample{}
			p.samples[m.Name] = s
		}
		s.Add(x) // NaN, undefined, is left out
		if paired {
			xs := p.vals[m.Name]
			for len(xs) < n {
				xs = append(xs, math.NaN())
			}
			p.vals[m.Name] = append(xs, x)
		}
	}
}

// selected reports whether metric name is one of the patterns (all when
// there are none).
func selected(name string, patterns []string) bool {
	if len(patterns) == 0 {
		return true
	}
	for _, p := range patterns {
		if ok, _ := filepath.Match(p, name); ok || p == name {
			return true
		}
	}
	return false
}

// Aggregate computes the figures.
func (a *SweepAggregator) Aggregate() SweepAggregate {
	out := SweepAggregate{Sweep: a.h.Sweep, Definition: a.h.Definition, Hasim: a.h.Hasim, Axes: a.h.Axes, Runs: a.h.Runs,
		Finished: a.records, Failed: a.failed, Seeds: a.h.Seeds, Baseline: a.h.Baseline}
	order := slices.Sorted(slices.Values(a.order))
	var base *pointAcc
	if a.h.Baseline != nil {
		base = a.points[*a.h.Baseline]
	}
	for _, pn := range order {
		p := a.points[pn]
		sp := SweepPoint{Point: pn, Values: map[string]string{}, Runs: p.runs, values: p.values}
		for i, ax := range a.h.Axes {
			if i < len(p.values) {
				sp.Values[ax] = p.values[i]
			}
		}
		for _, name := range a.names {
			if !selected(name, a.h.Metrics) || a.undefined(name) {
				continue
			}
			all := p.vals[name]
			xs := p.samples[name]
			if xs == nil {
				xs = &sample.Sample{}
			}
			m := SweepMetric{Metric: name, N: xs.Len(), Mean: nonNegative(SampleMeanCI(xs)), Median: SampleQuantileCI(xs, 0.5), P90: SampleQuantileCI(xs, 0.9), P99: SampleQuantileCI(xs, 0.99)}
			if base != nil && base != p {
				bx := map[uint64]float64{}
				for i, s := range base.seeds {
					if i < len(base.vals[name]) && !math.IsNaN(base.vals[name][i]) {
						bx[s] = base.vals[name][i]
					}
				}
				var ds []float64
				for i, s := range p.seeds {
					if i >= len(all) || math.IsNaN(all[i]) {
						continue
					}
					if b, ok := bx[s]; ok {
						ds = append(ds, all[i]-b)
					}
				}
				d := MeanCI(ds)
				m.Diff = &d
			}
			sp.Metrics = append(sp.Metrics, m)
		}
		out.Points = append(out.Points, sp)
	}
	return out
}

// undefined reports whether metric name is defined in no run (such as
// the failover of a group that no fault moved).
func (a *SweepAggregator) undefined(name string) bool {
	for _, p := range a.points {
		if s := p.samples[name]; s != nil && s.Len() > 0 {
			return false
		}
	}
	return true
}

// AggregateResults reads a results file (partial: an interrupted one is
// fine) and aggregates it.
func AggregateResults(path string, partial bool) (SweepAggregate, error) {
	var agg *SweepAggregator
	_, err := sweep.ReadResults(path, partial, func(r sweep.Record) error {
		agg.Add(r)
		return nil
	}, func(h sweep.Header) { agg = NewSweepAggregator(h) })
	if err != nil {
		return SweepAggregate{}, err
	}
	return agg.Aggregate(), nil
}

// fmtFigure formats a figure of metric name: availabilities as
// percentages, counts plainly, times in seconds.
func fmtFigure(name string, x float64) string {
	switch {
	case math.IsNaN(x) || math.IsInf(x, 0):
		return "-"
	case strings.HasPrefix(name, "availability."):
		return fmtPct(x)
	case strings.HasSuffix(name, ".count") || name == "incidents":
		return strconv.FormatFloat(x, 'f', 2, 64)
	}
	return strconv.FormatFloat(x, 'f', 3, 64) + "s"
}

// WriteSweep writes the aggregate as a table: a row per point and metric.
func WriteSweep(w io.Writer, s SweepAggregate) error {
	return checked(w, func(w io.Writer) error {
		fmt.Fprintf(w, "Sweep %s: %d points × %d seeds (the same seeds at every point); %s confidence intervals in brackets\n",
			s.Sweep, len(s.Points), s.Seeds, fmtLevel(Level))
		if s.Finished < s.Runs {
			fmt.Fprintf(w, "Only %d of %d runs finished: the figures cover those.\n", s.Finished, s.Runs)
		}
		if s.Failed > 0 {
			fmt.Fprintf(w, "%d runs failed (a bug in hasim) and are left out.\n", s.Failed)
		}
		fmt.Fprintln(w)
		header := append(slices.Clone(s.Axes), "metric", "n", "mean", "median", "p90", "p99")
		if s.Baseline != nil {
			header = append(header, "paired diff from baseline")
		}
		t := newTableAligned(w, len(header))
		t.Header(header)
		zero := zeroMetrics(s)
		for _, p := range s.Points {
			for _, m := range p.Metrics {
				if slices.Contains(zero, m.Metric) {
					continue
				}
				row := slices.Clone(p.values)
				f := func(x float64) string { return fmtFigure(m.Metric, x) }
				row = append(row, m.Metric, strconv.Itoa(m.N), interval(m.Mean, f), interval(m.Median, f), interval(m.P90, f), interval(m.P99, f))
				if s.Baseline != nil {
					switch {
					case p.Point == *s.Baseline:
						row = append(row, "(baseline)")
					case m.Diff != nil:
						row = append(row, interval(*m.Diff, func(x float64) string {
							if math.IsNaN(x) {
								return "-"
							}
							return strconv.FormatFloat(x, 'f', 3, 64)
						}))
					default:
						row = append(row, "-")
					}
				}
				if err := t.Append(row); err != nil {
					return err
				}
			}
		}
		if err := t.Render(); err != nil {
			return err
		}
		if len(zero) > 0 {
			fmt.Fprintf(w, "\nZero in every run at every point (left out above): %s.", strings.Join(zero, ", "))
		}
		fmt.Fprintln(w, "\nn: runs where the metric is defined (a failover needs a takeover). A percentile's interval marked")
		fmt.Fprintln(w, "with ~ falls short of 95% (too few runs: a p99 needs 299); it is then the smallest to the largest run.")
		return nil
	})
}

// zeroMetrics lists the metrics that are 0 in every run at every point
// (their minimum and maximum, the widest intervals, are 0).
func zeroMetrics(s SweepAggregate) []string {
	var out []string
	for _, name := range metricNames(s) {
		zero := true
		for _, p := range s.Points {
			for _, m := range p.Metrics {
				if m.Metric == name && (m.N == 0 || !isZero(m.Median) || !isZero(m.P99)) {
					zero = false
				}
			}
		}
		if zero && !strings.HasPrefix(name, "availability.") {
			out = append(out, name)
		}
	}
	return out
}

func isZero(e Estimate) bool { return e.Value == 0 && e.Lo == 0 && e.Hi == 0 }

// metricNames lists the metrics of the aggregate in order.
func metricNames(s SweepAggregate) []string {
	var out []string
	for _, p := range s.Points {
		for _, m := range p.Metrics {
			if !slices.Contains(out, m.Metric) {
				out = append(out, m.Metric)
			}
		}
	}
	return out
}

// interval is "value [lo, hi]", or the value alone without an interval.
func interval(e Estimate, f func(float64) string) string {
	switch {
	case e.N == 0:
		return "-"
	case e.N < 2 || e.Lo == e.Hi && e.Confidence == 0:
		return f(e.Value)
	case e.Short():
		return fmt.Sprintf("%s ~[%s, %s]", f(e.Value), f(e.Lo), f(e.Hi))
	}
	return fmt.Sprintf("%s [%s, %s]", f(e.Value), f(e.Lo), f(e.Hi))
}

// WriteSweepJSON writes the aggregate as JSON (non-finite numbers as
// null).
func WriteSweepJSON(w io.Writer, s SweepAggregate) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(sanitizeSweep(s))
}

// WriteSweepYAML writes the aggregate as YAML with the JSON form's fields.
func WriteSweepYAML(w io.Writer, s SweepAggregate) error { return writeYAML(w, sanitizeSweep(s)) }

// sanitizeSweep replaces NaN (no samples) by 0 with n 0, so that JSON
// can hold it.
func sanitizeSweep(s SweepAggregate) SweepAggregate {
	fix := func(e *Estimate) {
		for _, p := range []*float64{&e.Value, &e.Lo, &e.Hi} {
			if math.IsNaN(*p) || math.IsInf(*p, 0) {
				*p = 0
			}
		}
	}
	pts := slices.Clone(s.Points)
	for i := range pts {
		ms := slices.Clone(pts[i].Metrics)
		for j := range ms {
			for _, e := range []*Estimate{&ms[j].Mean, &ms[j].Median, &ms[j].P90, &ms[j].P99} {
				fix(e)
			}
			if ms[j].Diff != nil {
				d := *ms[j].Diff
				fix(&d)
				ms[j].Diff = &d
			}
		}
		pts[i].Metrics = ms
	}
	s.Points = pts
	return s
}

// WriteSweepCSV writes a row per point and metric: the axis values, then
// the figures, each with its interval (Lo, Hi) and Confidence.
func WriteSweepCSV(w io.Writer, s SweepAggregate) error {
	cw := csv.NewWriter(w)
	header := append([]string{"point"}, s.Axes...)
	header = append(header, "metric", "n")
	for _, f := range []string{"mean", "median", "p90", "p99", "diffFromBaseline"} {
		header = append(header, f, f+"Lo", f+"Hi", f+"Confidence")
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	num := func(x float64) string {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return ""
		}
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	for _, p := range s.Points {
		for _, m := range p.Metrics {
			row := append([]string{strconv.Itoa(p.Point)}, p.values...)
			row = append(row, m.Metric, strconv.Itoa(m.N))
			for _, e := range []*Estimate{&m.Mean, &m.Median, &m.P90, &m.P99, m.Diff} {
				if e == nil {
					row = append(row, "", "", "", "")
					continue
				}
				row = append(row, num(e.Value), num(e.Lo), num(e.Hi), num(e.Confidence))
			}
			if err := cw.Write(row); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}
