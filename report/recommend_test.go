package report

import (
	"bytes"
	"math"
	"strings"
	"testing"
)

// The points that meet the targets, their Pareto front (objectives
// minimized) and the front's point nearest the ideal; undefined figures
// miss targets and count as the worst.
func TestRecommend(t *testing.T) {
	pt := func(i int, v string, fo, sb float64) SweepPoint {
		e := func(x float64) Estimate { return Estimate{Value: x, Lo: x, Hi: x, N: 10, Confidence: Level} }
		fm := SweepMetric{Metric: "failover.g", N: 10, Mean: e(fo), Median: e(fo), P90: e(fo), P99: e(fo)}
		if math.IsNaN(fo) {
			fm = SweepMetric{Metric: "failover.g"}
		}
		return SweepPoint{Point: i, Values: map[string]string{"lease": v}, values: []string{v},
			Metrics: []SweepMetric{fm, {Metric: "acting.g", N: 10, Mean: e(sb), Median: e(sb), P90: e(sb), P99: e(sb)}}}
	}
	s := SweepAggregate{Sweep: "s", Axes: []string{"lease"}, Points: []SweepPoint{
		pt(0, "10s", 11, 5), pt(1, "15s", 16, 10), pt(2, "12s", 13, 2), pt(3, "20s", 21, 1), pt(4, "40s", math.NaN(), 0), pt(5, "11s", 12, 3)}}
	tg, err := ParseTarget("failover.g.p99 <= 20s")
	if err != nil {
		t.Fatal(err)
	}
	r := Recommend(s, []Target{tg}, []Figure{ParseFigure("failover.g.p99"), ParseFigure("acting.g")})
	var front []int
	for _, c := range r.Candidates {
		if c.Pareto {
			front = append(front, c.Point)
		}
	}
	if len(front) != 3 || front[0] != 0 || front[1] != 2 || front[2] != 5 {
		t.Errorf("front %v, want [0 2 5] (1 is dominated; 3 and 4 miss the target)", front)
	}
	if r.Recommended != 2 && r.Recommended != 5 {
		t.Errorf("recommended %d, want a balanced point (2 or 5)", r.Recommended)
	}
	if m := r.Candidates[4].Misses; len(m) != 1 || !strings.Contains(m[0], "undefined") {
		t.Errorf("undefined failover: %v", m)
	}
	var b bytes.Buffer
	if err := WriteRecommendation(&b, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "Recommended: lease=") || !strings.Contains(b.String(), "no: failover.g.p99 is 21.000s") {
		t.Errorf("text:\n%s", b.String())
	}
	b.Reset()
	if err := WriteRecommendationJSON(&b, r); err != nil || !strings.Contains(b.String(), `"objectives": [
        null,`) {
		t.Errorf("json: %v\n%s", err, b.String())
	}
	none := Recommend(s, []Target{{Figure: ParseFigure("failover.g"), Op: "<", Value: 1, Src: "x"}}, []Figure{ParseFigure("failover.g")})
	if none.Recommended != -1 || !strings.Contains(none.Why, "no point meets every target") {
		t.Errorf("impossible target: %+v", none)
	}
	for _, bad := range []string{"failover.g", "failover.g <= soon", "<= 3s"} {
		if _, err := ParseTarget(bad); err == nil {
			t.Errorf("target %q accepted", bad)
		}
	}
	if tg, _ := ParseTarget("availability.w >= 99.9%"); math.Abs(tg.Value-0.999) > 1e-12 || tg.Figure.Stat != "mean" {
		t.Errorf("percentage target: %+v", tg)
	}
}
