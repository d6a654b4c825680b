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
)

// Figure names one figure of a sweep's metric: METRIC.STAT, STAT one of
// mean, median, p90, p99 (mean if left out).
type Figure struct {
	Metric, Stat string
}

func (f Figure) String() string { return f.Metric + "." + f.Stat }

// ParseFigure reads "failover.kube-controller-manager.p99".
func ParseFigure(s string) Figure {
	for _, st := range []string{"mean", "median", "p90", "p99"} {
		if m, ok := strings.CutSuffix(s, "."+st); ok {
			return Figure{m, st}
		}
	}
	return Figure{s, "mean"}
}

// of returns the figure at a point, and whether it is defined there.
func (f Figure) of(p SweepPoint) (float64, bool) {
	for _, m := range p.Metrics {
		if m.Metric != f.Metric {
			continue
		}
		if m.N == 0 {
			return math.NaN(), false
		}
		e := map[string]Estimate{"mean": m.Mean, "median": m.Median, "p90": m.P90, "p99": m.P99}[f.Stat]
		return e.Value, !math.IsNaN(e.Value)
	}
	return math.NaN(), false
}

// Target is a requirement on a figure: "failover.kube-controller-manager.p99 <= 20s".
type Target struct {
	Figure Figure
	Op     string
	Value  float64
	Src    string
}

// ParseTarget reads FIGURE OP VALUE; VALUE is a duration (in seconds),
// a number, or a percentage.
func ParseTarget(s string) (Target, error) {
	for _, op := range []string{"<=", ">=", "<", ">"} {
		l, r, ok := strings.Cut(s, op)
		if !ok {
			continue
		}
		t := Target{Figure: ParseFigure(strings.TrimSpace(l)), Op: op, Src: strings.TrimSpace(s)}
		v := strings.TrimSpace(r)
		switch {
		case strings.HasSuffix(v, "%"):
			f, err := strconv.ParseFloat(strings.TrimSuffix(v, "%"), 64)
			if err != nil {
				return t, fmt.Errorf("target %q: %q is not a percentage", s, v)
			}
			t.Value = f / 100
		default:
			if d, err := time.ParseDuration(v); err == nil {
				t.Value = d.Seconds()
			} else if f, err := strconv.ParseFloat(v, 64); err == nil {
				t.Value = f
			} else {
				return t, fmt.Errorf("target %q: %q is not a duration, number or percentage", s, v)
			}
		}
		if t.Figure.Metric == "" {
			return t, fmt.Errorf("target %q: no metric", s)
		}
		return t, nil
	}
	return Target{}, fmt.Errorf("target %q: want METRIC[.mean|.median|.p90|.p99] OP VALUE with OP one of <= < >= >, such as 'failover.kube-controller-manager.p99 <= 20s'", s)
}

func (t Target) holds(v float64) bool {
	switch t.Op {
	case "<=":
		return v <= t.Value
	case "<":
		return v < t.Value
	case ">=":
		return v >= t.Value
	}
	return v > t.Value
}

// Candidate is a point with its objectives' figures.
type Candidate struct {
	Point  int               `json:"point"`
	Values map[string]string `json:"values"`
	// Objectives are the figures minimized, in the order asked.
	Objectives []float64 `json:"objectives"`
	// Misses lists the targets the point does not meet, and why.
	Misses []string `json:"misses,omitempty"`
	Pareto bool     `json:"pareto"`
	values []string
}

// Recommendation is what hasim recommend finds.
type Recommendation struct {
	Sweep      string      `json:"sweep"`
	Axes       []string    `json:"axes"`
	Targets    []string    `json:"targets"`
	Objectives []string    `json:"objectives"`
	Candidates []Candidate `json:"candidates"`
	// Recommended is the point recommended (-1: none meets the targets)
	// and Why says why, in words.
	Recommended int    `json:"recommended"`
	Why         string `json:"why"`
}

// Recommend finds the points that meet every target, the Pareto front
// among them (no other point is at least as good in every objective and
// better in one; objectives are minimized), and recommends the front's
// point closest to the ideal: the smallest sum of its objectives, each
// scaled to the range the meeting points span.
func Recommend(s SweepAggregate, targets []Target, objectives []Figure) Recommendation {
	r := Recommendation{Sweep: s.Sweep, Axes: s.Axes, Recommended: -1}
	for _, t := range targets {
		r.Targets = append(r.Targets, t.Src)
	}
	for _, o := range objectives {
		r.Objectives = append(r.Objectives, o.String())
	}
	for _, p := range s.Points {
		c := Candidate{Point: p.Point, Values: p.Values, values: p.values}
		for _, t := range targets {
			v, ok := t.Figure.of(p)
			switch {
			case !ok:
				c.Misses = append(c.Misses, fmt.Sprintf("%s undefined (no run defines it)", t.Figure))
			case !t.holds(v):
				c.Misses = append(c.Misses, fmt.Sprintf("%s is %s", t.Figure, fmtFigure(t.Figure.Metric, v)))
			}
		}
		for _, o := range objectives {
			v, ok := o.of(p)
			if !ok {
				v = math.Inf(1) // undefined: worst
			}
			c.Objectives = append(c.Objectives, v)
		}
		r.Candidates = append(r.Candidates, c)
	}
	dominates := func(a, b Candidate) bool {
		better := false
		for i := range a.Objectives {
			if a.Objectives[i] > b.Objectives[i] {
				return false
			}
			if a.Objectives[i] < b.Objectives[i] {
				better = true
			}
		}
		return better
	}
	var meet []int
	for i, c := range r.Candidates {
		if len(c.Misses) == 0 {
			meet = append(meet, i)
		}
	}
	for _, i := range meet {
		r.Candidates[i].Pareto = !slices.ContainsFunc(meet, func(j int) bool { return dominates(r.Candidates[j], r.Candidates[i]) })
	}
	if len(meet) == 0 {
		r.Why = "no point meets every target: relax a target, or sweep further"
		return r
	}
	lo := make([]float64, len(objectives))
	hi := make([]float64, len(objectives))
	for k := range objectives {
		lo[k], hi[k] = math.Inf(1), math.Inf(-1)
		for _, i := range meet {
			if v := r.Candidates[i].Objectives[k]; !math.IsInf(v, 0) {
				lo[k], hi[k] = min(lo[k], v), max(hi[k], v)
			}
		}
	}
	best, bestScore := -1, math.Inf(1)
	for _, i := range meet {
		c := r.Candidates[i]
		if !c.Pareto {
			continue
		}
		score := 0.0
		for k, v := range c.Objectives {
			switch {
			case math.IsInf(v, 1):
				score += 2
			case hi[k] > lo[k]:
				score += (v - lo[k]) / (hi[k] - lo[k])
			}
		}
		if score < bestScore {
			best, bestScore = i, score
		}
	}
	r.Recommended = r.Candidates[best].Point
	c := r.Candidates[best]
	var parts []string
	for k, o := range objectives {
		parts = append(parts, fmt.Sprintf("%s %s (from %s to %s over the %d points that meet the targets)",
			o, fmtFigure(o.Metric, c.Objectives[k]), fmtFigure(o.Metric, lo[k]), fmtFigure(o.Metric, hi[k]), len(meet)))
	}
	front := 0
	for _, i := range meet {
		if r.Candidates[i].Pareto {
			front++
		}
	}
	r.Why = fmt.Sprintf("it meets every target and is on the Pareto front (%d of %d points); of the front it is closest to the best of every objective at once: %s",
		front, len(meet), strings.Join(parts, "; "))
	return r
}

// WriteRecommendation writes the recommendation as text.
func WriteRecommendation(w io.Writer, r Recommendation) error {
	return checked(w, func(w io.Writer) error {
		fmt.Fprintf(w, "Sweep %s. Targets: %s. Objectives, minimized: %s.\n\n", r.Sweep, orNone(r.Targets), strings.Join(r.Objectives, ", "))
		header := append(slices.Clone(r.Axes), r.Objectives...)
		header = append(header, "meets the targets", "Pareto front")
		t := newTableAligned(w, len(header))
		t.Header(header)
		for _, c := range r.Candidates {
			row := slices.Clone(c.values)
			for k, v := range c.Objectives {
				row = append(row, fmtFigure(ParseFigure(r.Objectives[k]).Metric, v))
			}
			meets := "yes"
			if len(c.Misses) > 0 {
				meets = "no: " + strings.Join(c.Misses, "; ")
			}
			front := ""
			if c.Pareto {
				front = "yes"
				if c.Point == r.Recommended {
					front = "yes, recommended"
				}
			}
			row = append(row, meets, front)
			if err := t.Append(row); err != nil {
				return err
			}
		}
		if err := t.Render(); err != nil {
			return err
		}
		if r.Recommended < 0 {
			fmt.Fprintf(w, "\nNo recommendation: %s.\n", r.Why)
			return nil
		}
		for _, c := range r.Candidates {
			if c.Point == r.Recommended {
				var set []string
				for i, a := range r.Axes {
					set = append(set, a+"="+c.values[i])
				}
				fmt.Fprintf(w, "\nRecommended: %s, because %s.\n", strings.Join(set, " "), r.Why)
			}
		}
		fmt.Fprintln(w, "Undefined figures (-) count as the worst: a failover that never happened is no fast failover.")
		fmt.Fprintln(w, "Lease load (leaseWrites.G, leaseRequests.G) is what the group's electors asked of the apiservers per second of the run.")
		return nil
	})
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// WriteRecommendationJSON writes it as JSON (an undefined objective as
// null).
func WriteRecommendationJSON(w io.Writer, r Recommendation) error {
	type cand struct {
		Candidate
		Objectives []*float64 `json:"objectives"`
	}
	out := struct {
		Recommendation
		Candidates []cand `json:"candidates"`
	}{Recommendation: r}
	for _, c := range r.Candidates {
		x := cand{Candidate: c}
		for _, v := range c.Objectives {
			if math.IsInf(v, 0) || math.IsNaN(v) {
				x.Objectives = append(x.Objectives, nil)
			} else {
				v := v
				x.Objectives = append(x.Objectives, &v)
			}
		}
		out.Candidates = append(out.Candidates, x)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
