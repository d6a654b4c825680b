package report

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/olekukonko/tablewriter/tw"

	"hasim/experiment"
	"hasim/internal/sample"
	"hasim/model"
)

// MinBatches is how many batches of whole years (one year each, unless
// the horizon is longer than model.MaxYearBatches years) every run must
// span for the figures' intervals to come from batch means over years;
// with fewer, they come from the runs (one sample each).
const MinBatches = 10

// AnnualFigures are a scenario's figures per year, given when its
// failures arrive at rates (failure processes). Each function's
// availability has a 95% interval from batch means (each whole calendar
// year of a run a sample, or each batch of YearsPerBatch years, every run
// spanning at least MinBatches of them), else from the runs.
type AnnualFigures struct {
	// ClusterYears is the measured time of all runs together, in years of
	// 365 days.
	ClusterYears float64 `json:"clusterYears"`
	// IntervalsFrom is "years" (batch means) or "runs"; Samples how many.
	// With batch means, each sample is YearsPerBatch years of a run.
	IntervalsFrom string             `json:"intervalsFrom"`
	Samples       int                `json:"samples"`
	YearsPerBatch int                `json:"yearsPerBatch"`
	Functions     []FunctionAnnual   `json:"functions"`
	Incidents     IncidentsAnnual    `json:"incidents"`
	Causes        CausesAnnual       `json:"downtimeByCause"`
	SplitBrain    []SplitBrainAnnual `json:"splitBrain"`
	// ClosedForm, if the caller computed it (experiment.ClosedFormOf),
	// stands beside the simulated figures.
	ClosedForm *ClosedFormFigures `json:"closedForm,omitempty"`
}

// FunctionAnnual is a function's availability over the runs.
type FunctionAnnual struct {
	Name string `json:"name"`
	// What measures it: a probe's kind (write, read, cached-read,
	// serializable-read, schedule) or "leader election".
	Measures        string   `json:"measures"`
	Availability    Estimate `json:"availability"`
	Nines           Estimate `json:"nines"`
	DowntimePerYear Estimate `json:"downtimePerYearSeconds"`
	// DowntimeSeconds is the downtime of all runs together.
	DowntimeSeconds float64 `json:"downtimeSeconds"`
}

// IncidentsAnnual are the incidents' rate and durations. An incident runs
// from a failure until the cluster is steady again (every leader group
// led, every probe succeeding, no fault active).
type IncidentsAnnual struct {
	Count   int      `json:"count"`
	PerYear Estimate `json:"perYear"`
	// Durations' quantiles with order-statistic intervals, and the
	// longest, in seconds.
	DurationP50 Estimate `json:"durationP50Seconds"`
	DurationP90 Estimate `json:"durationP90Seconds"`
	DurationP99 Estimate `json:"durationP99Seconds"`
	DurationMax float64  `json:"durationMaxSeconds"`
	// MTBF is the control plane's mean up time between incidents (the
	// gaps between consecutive incidents of a run), MTTR its mean
	// incident duration, in seconds.
	MTBF Estimate `json:"mtbfSeconds"`
	MTTR Estimate `json:"mttrSeconds"`
}

// CausesAnnual is the downtime of one function (API writes when there is
// a write probe) by failure class, the classes that cause most first.
type CausesAnnual struct {
	Function string        `json:"function"`
	Classes  []CauseAnnual `json:"classes"`
}

// CauseAnnual is a failure class's part of the downtime.
type CauseAnnual struct {
	Class string `json:"class"`
	// Incidents counts the incidents with a fault of the class.
	Incidents       int     `json:"incidents"`
	DowntimePerYear float64 `json:"downtimePerYearSeconds"`
	DowntimeSeconds float64 `json:"downtimeSeconds"`
	// Share is the class's fraction of the function's downtime.
	Share float64 `json:"share"`
}

// SplitBrainAnnual is a group's split brain per year: how often two or
// more candidates believed they led, for how long, the longest once; and
// how often and how long two or more also acted on it.
type SplitBrainAnnual struct {
	Group                string  `json:"group"`
	PerYear              float64 `json:"perYear"`
	SecondsPerYear       float64 `json:"secondsPerYear"`
	LongestSeconds       float64 `json:"longestSeconds"`
	ActingPerYear        float64 `json:"actingPerYear"`
	ActingSecondsPerYear float64 `json:"actingSecondsPerYear"`
	ActingLongestSeconds float64 `json:"actingLongestSeconds"`
	count, actingCount   int
}

// yearSeconds is a year of 365 days, as the failure rates' y unit.
var yearSeconds = model.Year.Seconds()

// batchesOf are a run's batches of whole calendar years, YearsPerBatch
// each, in the order of the run's figures by year: each one's measured
// length (the first starts at the first commit). Years past the last
// whole batch are left out, as a last year the run did not finish is:
// equal batches make equally good samples.
func batchesOf(r experiment.Run) (lengths []time.Duration, n int) {
	w := max(1, r.YearsPerBatch)
	from := r.MeasuredFrom.Duration() // early in the first year
	for k := range r.Years / w {
		begin := time.Duration(k*w) * model.Year
		span := time.Duration(w) * model.Year
		lengths = append(lengths, span-min(max(from-begin, 0), span))
	}
	return lengths, len(lengths)
}

// Annual computes the figures per year from a scenario's done runs; nil
// without a run that measured anything.
func Annual(runs []experiment.Run) *AnnualFigures {
	runs = slices.DeleteFunc(slices.Clone(runs), func(r experiment.Run) bool { return !r.Done || len(r.Functions) == 0 })
	if len(runs) == 0 {
		return nil
	}
	a := &AnnualFigures{IntervalsFrom: "years", YearsPerBatch: max(1, runs[0].YearsPerBatch)}
	var measured float64
	for _, r := range runs {
		measured += r.Measured
		if _, n := batchesOf(r); n < MinBatches || max(1, r.YearsPerBatch) != a.YearsPerBatch {
			a.IntervalsFrom = "runs"
		}
	}
	a.ClusterYears = measured / yearSeconds
	fns := runs[0].Functions

	// Availability by function, and the incidents' rate, from batches or
	// from runs.
	avail := make([][]float64, len(fns))
	down := make([]time.Duration, len(fns))
	var rate []float64
	var durations, gaps sample.Sample
	for _, r := range runs {
		for fn := range fns {
			down[fn] += r.Functions[fn].Down
		}
		if a.IntervalsFrom == "years" {
			lengths, n := batchesOf(r)
			for k := range n {
				for fn := range fns {
					var d time.Duration
					if ys := r.Functions[fn].Years; k < len(ys) {
						d = ys[k]
					}
					avail[fn] = append(avail[fn], 1-float64(d)/float64(lengths[k]))
				}
				count := 0
				if k < len(r.IncidentsPerYear) {
					count = r.IncidentsPerYear[k]
				}
				rate = append(rate, float64(count)/(lengths[k].Seconds()/yearSeconds))
			}
		} else {
			span := r.Measured
			for fn := range fns {
				avail[fn] = append(avail[fn], 1-r.Functions[fn].Down.Seconds()/span)
			}
			rate = append(rate, float64(r.IncidentDurations.Len())/(span/yearSeconds))
		}
		durations.Merge(&r.IncidentDurations)
		gaps.Merge(&r.IncidentGaps)
	}
	a.Incidents.Count = durations.Len()
	a.Samples = len(rate)
	for fn, f := range fns {
		measures := "leader election"
		if f.Kind == model.FunctionProbe {
			measures = string(f.Probe)
		}
		av := clamp01(MeanCI(avail[fn]))
		a.Functions = append(a.Functions, FunctionAnnual{Name: f.Name, Measures: measures, Availability: av,
			Nines: ninesOf(av), DowntimePerYear: downtimeOf(av), DowntimeSeconds: down[fn].Seconds()})
	}
	a.Incidents.PerYear = nonNegative(MeanCI(rate))
	a.Incidents.DurationP50 = SampleQuantileCI(&durations, 0.50)
	a.Incidents.DurationP90 = SampleQuantileCI(&durations, 0.90)
	a.Incidents.DurationP99 = SampleQuantileCI(&durations, 0.99)
	if durations.Len() > 0 {
		a.Incidents.DurationMax = durations.Max()
	}
	a.Incidents.MTBF = nonNegative(SampleMeanCI(&gaps))
	a.Incidents.MTTR = nonNegative(SampleMeanCI(&durations))
	a.Causes = causesOf(runs, fns, a.ClusterYears)
	a.SplitBrain = splitBrainOf(runs, a.ClusterYears)
	return a
}

// causeFunction is the function whose downtime the causes table splits:
// the first write probe's, else the first probe's, else etcd's.
func causeFunction(fns []model.FunctionResult) int {
	if i := slices.IndexFunc(fns, func(f model.FunctionResult) bool {
		return f.Kind == model.FunctionProbe && f.Probe == model.ProbeWrite
	}); i >= 0 {
		return i
	}
	return max(0, slices.IndexFunc(fns, func(f model.FunctionResult) bool { return f.Kind == model.FunctionProbe }))
}

func causesOf(runs []experiment.Run, fns []model.FunctionResult, years float64) CausesAnnual {
	fn := causeFunction(fns)
	out := CausesAnnual{Function: fns[fn].Name}
	var total time.Duration
	for _, r := range runs {
		for _, c := range r.Causes {
			i := slices.IndexFunc(out.Classes, func(x CauseAnnual) bool { return x.Class == c.Class })
			if i < 0 {
				i = len(out.Classes)
				out.Classes = append(out.Classes, CauseAnnual{Class: c.Class})
			}
			out.Classes[i].Incidents += c.Incidents
			out.Classes[i].DowntimeSeconds += c.Down[fn].Seconds()
			total += c.Down[fn]
		}
	}
	for i := range out.Classes {
		c := &out.Classes[i]
		if years > 0 {
			c.DowntimePerYear = c.DowntimeSeconds / years
		}
		if total > 0 {
			c.Share = c.DowntimeSeconds / total.Seconds()
		}
	}
	slices.SortStableFunc(out.Classes, func(a, b CauseAnnual) int {
		return cmp.Or(cmp.Compare(b.DowntimeSeconds, a.DowntimeSeconds), cmp.Compare(b.Incidents, a.Incidents), cmp.Compare(a.Class, b.Class))
	})
	return out
}

func splitBrainOf(runs []experiment.Run, years float64) []SplitBrainAnnual {
	var out []SplitBrainAnnual
	for _, r := range runs {
		for _, s := range r.SplitBrains {
			i := slices.IndexFunc(out, func(x SplitBrainAnnual) bool { return x.Group == s.Group })
			if i < 0 {
				i = len(out)
				out = append(out, SplitBrainAnnual{Group: s.Group})
			}
			o := &out[i]
			o.count += s.Count
			o.actingCount += s.ActingCount
			o.SecondsPerYear += s.Total.Seconds()
			o.ActingSecondsPerYear += s.ActingTotal.Seconds()
			o.LongestSeconds = max(o.LongestSeconds, s.Longest.Seconds())
			o.ActingLongestSeconds = max(o.ActingLongestSeconds, s.ActingMax.Seconds())
		}
	}
	for i := range out {
		o := &out[i]
		if years > 0 {
			o.PerYear, o.ActingPerYear = float64(o.count)/years, float64(o.actingCount)/years
			o.SecondsPerYear, o.ActingSecondsPerYear = o.SecondsPerYear/years, o.ActingSecondsPerYear/years
		}
	}
	return out
}

// ninesOf is -log10(1 - availability), with the interval's bounds.
func ninesOf(a Estimate) Estimate {
	nines := func(x float64) float64 {
		if x >= 1 {
			return math.Inf(1)
		}
		return -math.Log10(1 - x)
	}
	return Estimate{Value: nines(a.Value), Lo: nines(a.Lo), Hi: nines(a.Hi), N: a.N, Confidence: a.Confidence}
}

// downtimeOf is the downtime per year, in seconds, that an availability
// means, with the interval's bounds.
func downtimeOf(a Estimate) Estimate {
	down := func(x float64) float64 { return (1 - x) * yearSeconds }
	return Estimate{Value: down(a.Value), Lo: down(a.Hi), Hi: down(a.Lo), N: a.N, Confidence: a.Confidence}
}

// estimates are the figures' estimates, to sanitize.
func (a *AnnualFigures) estimates() []*Estimate {
	out := []*Estimate{&a.Incidents.PerYear, &a.Incidents.DurationP50, &a.Incidents.DurationP90, &a.Incidents.DurationP99,
		&a.Incidents.MTBF, &a.Incidents.MTTR}
	for i := range a.Functions {
		f := &a.Functions[i]
		out = append(out, &f.Availability, &f.Nines, &f.DowntimePerYear)
	}
	return out
}

// fmtDuration writes seconds as a duration: to the second above a minute,
// to the millisecond below.
func fmtDuration(x float64) string {
	if math.IsInf(x, 0) {
		return "∞"
	}
	d := time.Duration(x * float64(time.Second))
	if d >= time.Minute {
		return d.Round(time.Second).String()
	}
	return d.Round(time.Millisecond).String()
}

// fmtRate writes a rate or a count of years: whole above 1,000, else
// with three significant digits.
func fmtRate(x float64) string {
	if math.Abs(x) >= 1000 {
		return strconv.FormatFloat(x, 'f', 0, 64)
	}
	return strconv.FormatFloat(x, 'g', 3, 64)
}

// writeAnnual writes a scenario's figures per year as tables.
func writeAnnual(w io.Writer, a *AnnualFigures) error {
	samples := "runs"
	from := fmt.Sprintf("%s intervals across %d runs", fmtLevel(Level), a.Samples)
	if a.IntervalsFrom == "years" {
		samples, from = "years", fmt.Sprintf("%s intervals from batch means over %d whole years", fmtLevel(Level), a.Samples)
		if a.YearsPerBatch > 1 {
			from = fmt.Sprintf("%s intervals from batch means over %d batches of %d whole years", fmtLevel(Level), a.Samples, a.YearsPerBatch)
		}
	}
	if a.Samples < 2 {
		from = fmt.Sprintf("no intervals: they need at least %d whole years in each run, or several runs", MinBatches)
	}
	// With one run, the header says why the figures per run have no
	// interval.
	ci := func(e Estimate, format func(float64) string, samples, quantile string) string {
		if samples == "runs" && a.Samples < 2 {
			return format(e.Value)
		}
		return ci(e, format, samples, quantile)
	}
	fmt.Fprintf(w, "Per year, over %s cluster-years (%s):\n", fmtRate(a.ClusterYears), from)
	ft := newTable(w, tw.AlignLeft, tw.AlignLeft, tw.AlignRight, tw.AlignRight, tw.AlignRight)
	ft.Header("function", "measured by", "availability", "nines", "downtime / year")
	for _, f := range a.Functions {
		if err := ft.Append([]string{f.Name, f.Measures, ci(f.Availability, fmtPct, samples, ""), ci(f.Nines, fmtNines, samples, ""),
			ci(f.DowntimePerYear, fmtDuration, samples, "")}); err != nil {
			return err
		}
	}
	if err := ft.Render(); err != nil {
		return err
	}
	in := a.Incidents
	fmt.Fprintf(w, "Incidents (overlapping faults count once): %d, %s per year\nIncident duration: p50 %s, p90 %s, p99 %s, longest %s\n", in.Count, ci(in.PerYear, fmtRate, samples, ""),
		ci(in.DurationP50, fmtDuration, "incidents", "p50"), ci(in.DurationP90, fmtDuration, "incidents", "p90"),
		ci(in.DurationP99, fmtDuration, "incidents", "p99"), fmtDuration(in.DurationMax))
	fmt.Fprintf(w, "Control plane: MTBF %s (mean up time between incidents), MTTR %s (mean incident duration)\n",
		ci(in.MTBF, fmtDuration, "gaps", ""), ci(in.MTTR, fmtDuration, "incidents", ""))
	if len(a.Causes.Classes) > 0 {
		fmt.Fprintf(w, "\nDowntime by cause (%s):\n", a.Causes.Function)
		ct := newTable(w, tw.AlignLeft, tw.AlignRight, tw.AlignRight, tw.AlignRight)
		ct.Header("failure class", "incidents", "downtime / year", "share of downtime")
		for _, c := range a.Causes.Classes {
			if err := ct.Append([]string{c.Class, strconv.Itoa(c.Incidents), fmtDuration(c.DowntimePerYear), fmtPct(c.Share)}); err != nil {
				return err
			}
		}
		if err := ct.Render(); err != nil {
			return err
		}
	}
	if len(a.SplitBrain) > 0 {
		fmt.Fprintln(w, "\nSplit brain per year (two or more believed they led; acting: and were running):")
		st := newTable(w, tw.AlignLeft, tw.AlignRight, tw.AlignRight, tw.AlignRight, tw.AlignRight, tw.AlignRight, tw.AlignRight)
		st.Header("group", "count / year", "total / year", "longest", "acting count / year", "acting total / year", "acting longest")
		for _, s := range a.SplitBrain {
			if err := st.Append([]string{s.Group, fmtRate(s.PerYear), fmtDuration(s.SecondsPerYear), fmtDuration(s.LongestSeconds),
				fmtRate(s.ActingPerYear), fmtDuration(s.ActingSecondsPerYear), fmtDuration(s.ActingLongestSeconds)}); err != nil {
				return err
			}
		}
		if err := st.Render(); err != nil {
			return err
		}
	}
	fmt.Fprintln(w, "An incident runs from a failure until the cluster is steady again (every leader group led, every probe")
	fmt.Fprintln(w, "succeeding, no fault active); overlapping faults share one. Downtime by cause: while faults are")
	fmt.Fprintln(w, "active, in equal shares among their classes; after the last heal, to the classes active last.")
	if a.ClosedForm != nil {
		return writeClosedForm(w, a.ClosedForm)
	}
	return nil
}

// annualCSV is the comparison's CSV columns for the figures per year:
// each function's (availability, nines, downtime per year, each with its
// interval and confidence), the incidents', each class's downtime by
// cause and each group's split brain, named after their JSON fields with
// the function, class or group in brackets; a scenario without a figure
// leaves its cells empty.
func annualCSV(c Comparison, num func(float64) string) (header []string, rows [][]string) {
	if !c.Annual() {
		return nil, make([][]string, len(c.Scenarios))
	}
	type column struct {
		names []string
		get   func(a *AnnualFigures) []string // nil: empty cells
	}
	est := func(e *Estimate) []string {
		if e == nil || e.N == 0 {
			return []string{"", "", "", ""}
		}
		return []string{num(e.Value), num(e.Lo), num(e.Hi), num(e.Confidence)}
	}
	estNames := func(key string) []string { return []string{key, key + "Lo", key + "Hi", key + "Confidence"} }
	var cols []column
	var fns, classes, groups []string
	for _, s := range c.Scenarios {
		if a := s.Annual; a != nil {
			for _, f := range a.Functions {
				if !slices.Contains(fns, f.Name) {
					fns = append(fns, f.Name)
				}
			}
			for _, k := range a.Causes.Classes {
				if !slices.Contains(classes, k.Class) {
					classes = append(classes, k.Class)
				}
			}
			for _, g := range a.SplitBrain {
				if !slices.Contains(groups, g.Group) {
					groups = append(groups, g.Group)
				}
			}
		}
	}
	cols = append(cols, column{[]string{"clusterYears", "intervalsFrom"}, func(a *AnnualFigures) []string {
		return []string{num(a.ClusterYears), a.IntervalsFrom}
	}})
	for _, name := range fns {
		fn := func(a *AnnualFigures) *FunctionAnnual {
			if i := slices.IndexFunc(a.Functions, func(f FunctionAnnual) bool { return f.Name == name }); i >= 0 {
				return &a.Functions[i]
			}
			return nil
		}
		for _, fig := range []struct {
			key string
			get func(f *FunctionAnnual) *Estimate
		}{
			{"availability", func(f *FunctionAnnual) *Estimate { return &f.Availability }},
			{"nines", func(f *FunctionAnnual) *Estimate { return &f.Nines }},
			{"downtimePerYearSeconds", func(f *FunctionAnnual) *Estimate { return &f.DowntimePerYear }},
		} {
			cols = append(cols, column{estNames(fig.key + "[" + name + "]"), func(a *AnnualFigures) []string {
				if f := fn(a); f != nil {
					return est(fig.get(f))
				}
				return est(nil)
			}})
		}
	}
	cols = append(cols, column{[]string{"incidents"}, func(a *AnnualFigures) []string { return []string{strconv.Itoa(a.Incidents.Count)} }})
	for _, fig := range []struct {
		key string
		get func(a *AnnualFigures) *Estimate
	}{
		{"incidentsPerYear", func(a *AnnualFigures) *Estimate { return &a.Incidents.PerYear }},
		{"incidentDurationP50Seconds", func(a *AnnualFigures) *Estimate { return &a.Incidents.DurationP50 }},
		{"incidentDurationP90Seconds", func(a *AnnualFigures) *Estimate { return &a.Incidents.DurationP90 }},
		{"incidentDurationP99Seconds", func(a *AnnualFigures) *Estimate { return &a.Incidents.DurationP99 }},
		{"mtbfSeconds", func(a *AnnualFigures) *Estimate { return &a.Incidents.MTBF }},
		{"mttrSeconds", func(a *AnnualFigures) *Estimate { return &a.Incidents.MTTR }},
	} {
		cols = append(cols, column{estNames(fig.key), func(a *AnnualFigures) []string { return est(fig.get(a)) }})
	}
	cols = append(cols, column{[]string{"incidentDurationMaxSeconds", "downtimeByCauseFunction"}, func(a *AnnualFigures) []string {
		return []string{num(a.Incidents.DurationMax), a.Causes.Function}
	}})
	for _, class := range classes {
		cols = append(cols, column{[]string{"causeIncidents[" + class + "]", "causeDowntimePerYearSeconds[" + class + "]", "causeShare[" + class + "]"},
			func(a *AnnualFigures) []string {
				if i := slices.IndexFunc(a.Causes.Classes, func(k CauseAnnual) bool { return k.Class == class }); i >= 0 {
					k := a.Causes.Classes[i]
					return []string{strconv.Itoa(k.Incidents), num(k.DowntimePerYear), num(k.Share)}
				}
				return []string{"", "", ""}
			}})
	}
	for _, group := range groups {
		cols = append(cols, column{[]string{"splitBrainPerYear[" + group + "]", "splitBrainSecondsPerYear[" + group + "]", "splitBrainLongestSeconds[" + group + "]",
			"actingSplitBrainPerYear[" + group + "]", "actingSplitBrainSecondsPerYear[" + group + "]", "actingSplitBrainLongestSeconds[" + group + "]"},
			func(a *AnnualFigures) []string {
				if i := slices.IndexFunc(a.SplitBrain, func(g SplitBrainAnnual) bool { return g.Group == group }); i >= 0 {
					g := a.SplitBrain[i]
					return []string{num(g.PerYear), num(g.SecondsPerYear), num(g.LongestSeconds), num(g.ActingPerYear), num(g.ActingSecondsPerYear), num(g.ActingLongestSeconds)}
				}
				return []string{"", "", "", "", "", ""}
			}})
	}
	for _, col := range cols {
		header = append(header, col.names...)
	}
	rows = make([][]string, len(c.Scenarios))
	for i, s := range c.Scenarios {
		for _, col := range cols {
			if s.Annual == nil {
				rows[i] = append(rows[i], make([]string, len(col.names))...)
				continue
			}
			rows[i] = append(rows[i], col.get(s.Annual)...)
		}
	}
	return header, rows
}

// listedIncidents is how many incidents a run's summary lists: all of
// them up to this many, else the longest.
const listedIncidents = 12

// writeIncidents lists a run's incidents (the longest, when there are
// many), in time order: when, how long, the failure classes and each
// probe's downtime in it.
func writeIncidents(w io.Writer, r model.Result) error {
	list := slices.Clone(r.Incidents)
	title := fmt.Sprintf("Incidents (%d):", len(list))
	if len(list) > listedIncidents {
		slices.SortStableFunc(list, func(a, b model.Incident) int { return cmp.Compare(b.Duration(), a.Duration()) })
		list = list[:listedIncidents]
		slices.SortStableFunc(list, func(a, b model.Incident) int { return cmp.Compare(a.Start, b.Start) })
		title = fmt.Sprintf("The %d longest of %d incidents:", listedIncidents, len(r.Incidents))
		if n := r.IncidentTail.Len(); n > 0 {
			title = fmt.Sprintf("The %d longest of the first %d incidents (of %d; the later ones count in the figures):", listedIncidents, len(r.Incidents), len(r.Incidents)+n)
		}
	}
	if len(list) == 0 {
		return nil
	}
	fmt.Fprintln(w, title)
	header := []string{"from", "duration", "faults", "failure classes"}
	align := []tw.Align{tw.AlignRight, tw.AlignRight, tw.AlignRight, tw.AlignLeft}
	var probes []int
	for i, f := range r.Functions {
		if f.Kind == model.FunctionProbe {
			probes = append(probes, i)
			header = append(header, f.Name+" down")
			align = append(align, tw.AlignRight)
		}
	}
	t := newTable(w, align...)
	t.Header(header)
	for _, in := range list {
		classes := strings.Join(in.Causes, ", ")
		row := []string{in.Start.String(), fmtDuration(in.Duration().Seconds()), strconv.Itoa(len(in.Faults)), classes}
		for _, fn := range probes {
			row = append(row, fmtDuration(in.Down[fn].Total.Seconds()))
		}
		if err := t.Append(row); err != nil {
			return err
		}
	}
	if err := t.Render(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	return nil
}
