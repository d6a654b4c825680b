package picture

import (
	"bytes"
	"strings"
	"testing"

	"hasim/report"
)

func est(v float64) report.Estimate {
	return report.Estimate{Value: v, Lo: v - 1, Hi: v + 1, N: 10, Confidence: report.Level}
}

func sweepAgg(axes []string, vals [][]string, means []float64) report.SweepAggregate {
	s := report.SweepAggregate{Sweep: "s", Axes: axes, Seeds: 10}
	for i, v := range vals {
		p := report.SweepPoint{Point: i, Values: map[string]string{}}
		for j, a := range axes {
			p.Values[a] = v[j]
		}
		m := report.SweepMetric{Metric: "failover.g", N: 10, Mean: est(means[i])}
		if means[i] < 0 {
			m = report.SweepMetric{Metric: "failover.g"}
		}
		p.Metrics = []report.SweepMetric{m}
		s.Points = append(s.Points, p)
	}
	return s
}

// Curves draw a line per setting of the other axes, with bands; a heat
// map labels its cells; what cannot be drawn is refused with why.
func TestSweepPictures(t *testing.T) {
	s := sweepAgg([]string{"lease", "renew"}, [][]string{{"10s", "5s"}, {"20s", "5s"}, {"10s", "8s"}, {"20s", "8s"}}, []float64{11, 21, 12, -1})
	p, err := SweepCurves(s, "failover.g", "lease")
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteTo(p, &b, "svg", SweepLanes); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"renew=5s", "renew=8s", "lease (seconds)", "95% confidence bands"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("curves lack %q", want)
		}
	}
	h, err := SweepHeatMap(s, "failover.g", "lease", "renew")
	if err != nil {
		t.Fatal(err)
	}
	b.Reset()
	if err := WriteTo(h, &b, "svg", SweepLanes); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{">11.00<", ">21.00<", ">12.00<", ">-<"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("heat map lacks the label %q", want)
		}
	}
	if _, err := SweepCurves(s, "nope", "lease"); err == nil || !strings.Contains(err.Error(), `no metric "nope"`) {
		t.Errorf("unknown metric: %v", err)
	}
	if _, err := SweepCurves(s, "failover.g", "x"); err == nil || !strings.Contains(err.Error(), `no axis "x" (axes: lease, renew)`) {
		t.Errorf("unknown axis: %v", err)
	}
	three := sweepAgg([]string{"a", "b", "c"}, [][]string{{"1", "1", "1"}, {"1", "1", "2"}}, []float64{1, 2})
	if _, err := SweepHeatMap(three, "failover.g", "a", "b"); err == nil || !strings.Contains(err.Error(), "axis c takes several values") {
		t.Errorf("heat map of three axes: %v", err)
	}
}
