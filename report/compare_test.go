package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"hasim/experiment"
	"hasim/internal/sample"
)

// TestOrderRanksCoverage: the confidence OrderRanks returns is the exact
// binomial probability that [X(l), X(u)] brackets the quantile; it is at
// least 95% whenever the widest interval reaches 95%, and then each tail
// is at most 2.5% unless one cannot be; below, the ranks are the widest.
func TestOrderRanksCoverage(t *testing.T) {
	binom := func(n, k int, q float64) float64 { // P(K = k)
		lg := func(x int) float64 { v, _ := math.Lgamma(float64(x) + 1); return v }
		return math.Exp(lg(n) - lg(k) - lg(n-k) + float64(k)*math.Log(q) + float64(n-k)*math.Log1p(-q))
	}
	for _, q := range []float64{0.5, 0.9, 0.99} {
		for _, n := range []int{2, 3, 5, 6, 8, 20, 59, 100, 298, 299, 300, 1000} {
			l, u, conf := OrderRanks(n, q, 0.95)
			var exact, below, above float64
			for k := 0; k <= n; k++ {
				switch p := binom(n, k, q); {
				case k < l:
					below += p
				case k >= u:
					above += p
				default:
					exact += p
				}
			}
			if math.Abs(exact-conf) > 1e-9 || l < 1 || u > n || l >= u {
				t.Fatalf("q %v n %d: ranks [%d, %d], confidence %v, exact %v", q, n, l, u, conf, exact)
			}
			widest := 1 - math.Pow(q, float64(n)) - math.Pow(1-q, float64(n))
			switch {
			case widest < 0.95:
				if l != 1 || u != n {
					t.Errorf("q %v n %d: short, want the widest ranks, got [%d, %d]", q, n, l, u)
				}
			case conf < 0.95:
				t.Errorf("q %v n %d: confidence %v below 95%% though the widest gives %v", q, n, conf, widest)
			case math.Pow(1-q, float64(n)) <= 0.025 && math.Pow(q, float64(n)) <= 0.025 && (below > 0.025+1e-12 || above > 0.025+1e-12):
				t.Errorf("q %v n %d: tails %v and %v, want each at most 2.5%%", q, n, below, above)
			}
		}
	}
	// The thresholds: a p99 needs 299 samples, a p50 six.
	for _, c := range []struct {
		n     int
		q     float64
		short bool
	}{{298, 0.99, true}, {299, 0.99, false}, {5, 0.5, true}, {6, 0.5, false}} {
		if _, _, conf := OrderRanks(c.n, c.q, 0.95); (conf < 0.95) != c.short {
			t.Errorf("n %d q %v: confidence %v", c.n, c.q, conf)
		}
	}
}

// TestQuantileCICoversTheQuantile: over many samples from a known
// distribution, the intervals bracket the true quantile about as often as
// their confidence says: at least 95% when they claim it, and the claimed
// shortfall when they cannot.
func TestQuantileCICoversTheQuantile(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, c := range []struct {
		n int
		q float64
	}{{20, 0.5}, {60, 0.9}, {5, 0.5}, {5, 0.99}, {400, 0.99}} {
		truth := -math.Log(1 - c.q) // exponential(1)
		const trials = 3000
		hits := 0
		var conf float64
		for range trials {
			xs := make([]float64, c.n)
			for i := range xs {
				xs[i] = rng.ExpFloat64()
			}
			e := QuantileCI(xs, c.q)
			conf = e.Confidence
			if e.Lo <= truth && truth <= e.Hi {
				hits++
			}
		}
		got := float64(hits) / trials
		// Three binomial standard errors.
		if se := math.Sqrt(conf * (1 - conf) / trials); got < conf-3*se-1e-9 {
			t.Errorf("n %d q %v: covered %.3f, claimed %.3f", c.n, c.q, got, conf)
		}
	}
}

// recoveryRuns are n done runs with one incident each, recovering after
// 1, 2, ... seconds.
// secondsOf is a sample of ds in seconds.
func secondsOf(ds ...time.Duration) sample.Sample {
	var s sample.Sample
	for _, d := range ds {
		s.Add(d.Seconds())
	}
	return s
}

func recoveryRuns(n int, rates bool) []experiment.Run {
	var rs []experiment.Run
	for i := range n {
		rs = append(rs, experiment.Run{Done: true, Seed: uint64(i + 1), Hosts: 4, HasWrite: true, HasRead: true, RatesDefined: rates,
			WriteAvailability: 0.99, ReadAvailability: 0.995, WriteDowntime: time.Duration(i+1) * time.Second,
			ReadDowntime: time.Second, Incidents: 1, Recovery: secondsOf(time.Duration(i+1) * time.Second),
			EtcdFailover: secondsOf(time.Duration(1000+100*(i%3)) * time.Millisecond)})
	}
	return rs
}

// TestShortIntervalsSaySo: a p99 over 5 recoveries has no 95% interval;
// the table, CSV, JSON and YAML say so (and how much it reaches), where a
// p99 over 400 recoveries has one.
func TestShortIntervalsSaySo(t *testing.T) {
	c := Compare([]string{"few"}, [][]experiment.Run{recoveryRuns(5, false)}, 1)
	cm := Compare([]string{"many"}, [][]experiment.Run{recoveryRuns(400, false)}, 1)
	c.Scenarios = append(c.Scenarios, cm.Scenarios...)
	few, many := c.Scenarios[0].RecoveryP99, c.Scenarios[1].RecoveryP99
	if !few.Short() || math.Abs(few.Confidence-(1-math.Pow(0.99, 5)-math.Pow(0.01, 5))) > 1e-12 || few.Lo != 1 || few.Hi != 5 {
		t.Fatalf("p99 of 5: %+v", few)
	}
	if many.Short() || many.Confidence < 0.95 || many.Lo >= many.Value || many.Hi <= many.Lo {
		t.Fatalf("p99 of 400: %+v", many)
	}
	var table bytes.Buffer
	if err := WriteComparison(&table, c); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(table.String(), "5s (no 95% interval: 5 recoveries give at most 4.9% for p99)") {
		t.Errorf("the table does not say that the p99 of 5 has no 95%% interval:\n%s", table.String())
	}
	// The p50s of 5 fall short too (at most 93.75%), and nothing else.
	if !strings.Contains(table.String(), "3s (no 95% interval: 5 recoveries give at most 93.7% for p50)") ||
		!strings.Contains(table.String(), "1.1s (no 95% interval: 5 failovers give at most 93.7% for p50)") ||
		strings.Count(table.String(), "no 95% interval") != 3 {
		t.Errorf("only the p50s and the p99 of 5 are short:\n%s", table.String())
	}

	// One run gives a mean no interval at all.
	var one bytes.Buffer
	if err := WriteComparison(&one, Compare([]string{"one"}, [][]experiment.Run{recoveryRuns(1, false)}, 1)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(one.String(), "1s (no interval from 1 run)") || !strings.Contains(one.String(), "1s (no interval from 1 recovery)") {
		t.Errorf("one run:\n%s", one.String())
	}

	var js bytes.Buffer
	if err := WriteComparisonJSON(&js, c); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Scenarios []struct {
			P99 Estimate `json:"writeRecoveryP99"`
		} `json:"scenarios"`
	}
	if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Scenarios[0].P99.Confidence != few.Confidence || doc.Scenarios[1].P99.Confidence != many.Confidence {
		t.Errorf("JSON confidences %+v", doc.Scenarios)
	}

	var ym bytes.Buffer
	if err := WriteComparisonYAML(&ym, c); err != nil {
		t.Fatal(err)
	}
	var ydoc map[string]any
	if err := yaml.Unmarshal(ym.Bytes(), &ydoc); err != nil {
		t.Fatal(err)
	}
	p99 := ydoc["scenarios"].([]any)[0].(map[string]any)["writeRecoveryP99"].(map[string]any)
	if p99["confidence"].(float64) != few.Confidence {
		t.Errorf("YAML p99: %v", p99)
	}

	var cs bytes.Buffer
	if err := WriteComparisonCSV(&cs, c); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&cs).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := slices.Index(rows[0], "writeRecoveryP99Confidence")
	if col < 0 || len(rows) != 3 {
		t.Fatalf("CSV: %v", rows)
	}
	if got, err := strconv.ParseFloat(rows[1][col], 64); err != nil || got != few.Confidence {
		t.Errorf("CSV p99 of 5: confidence %q, want %v", rows[1][col], few.Confidence)
	}
	if got, err := strconv.ParseFloat(rows[2][col], 64); err != nil || got < 0.95 {
		t.Errorf("CSV p99 of 400: confidence %q", rows[2][col])
	}
}

// TestScriptedScenariosHaveNoFiguresPerYear: without rates, a comparison
// gives per-incident figures and no availability, downtime per year or
// nines in any format; a scenario whose failures arrive at rates gets
// them, and a scripted one beside it shows none.
func TestScriptedScenariosHaveNoFiguresPerYear(t *testing.T) {
	scripted := Compare([]string{"a", "b"}, [][]experiment.Run{recoveryRuns(6, false), recoveryRuns(6, false)}, 1)
	s := scripted.Scenarios[0]
	if s.RatesDefined || s.WriteAvailability != nil || s.DowntimePerYear != nil || s.Nines != nil {
		t.Fatalf("scripted: %+v", s)
	}
	if s.WriteDowntimePerIncident.Value != 3.5 || s.Incidents.Value != 1 || s.ReadDowntimePerIncident.Value != 1 {
		t.Fatalf("per incident: %+v", s)
	}
	outputs := func(c Comparison) string {
		var b bytes.Buffer
		for _, w := range []func(*bytes.Buffer, Comparison) error{
			func(b *bytes.Buffer, c Comparison) error { return WriteComparison(b, c) },
			func(b *bytes.Buffer, c Comparison) error { return WriteComparisonJSON(b, c) },
			func(b *bytes.Buffer, c Comparison) error { return WriteComparisonYAML(b, c) },
			func(b *bytes.Buffer, c Comparison) error { return WriteComparisonCSV(b, c) },
		} {
			if err := w(&b, c); err != nil {
				t.Fatal(err)
			}
		}
		return b.String()
	}
	out := outputs(scripted)
	for _, banned := range []string{"write availability", "write downtime / year", "| nines", "writeAvailability", "readAvailability",
		"downtimePerYearSeconds", `"nines"`, "nines:", ",nines"} {
		if strings.Contains(out, banned) {
			t.Errorf("scripted output has %q:\n%s", banned, out)
		}
	}
	for _, want := range []string{"write downtime / incident", "3.5s [", "writeDowntimePerIncidentSeconds"} {
		if !strings.Contains(out, want) {
			t.Errorf("scripted output lacks %q:\n%s", want, out)
		}
	}

	mixed := Compare([]string{"rates", "scripted"}, [][]experiment.Run{recoveryRuns(6, true), recoveryRuns(6, false)}, 1)
	r := mixed.Scenarios[0]
	if !r.RatesDefined || r.WriteAvailability == nil || r.DowntimePerYear == nil || r.Nines == nil || math.Abs(r.DowntimePerYear.Value-0.01*yearSeconds) > 1e-6 {
		t.Fatalf("rates: %+v", r)
	}
	var table bytes.Buffer
	if err := WriteComparison(&table, mixed); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(table.String(), "\n")
	var rates, scr string
	for _, l := range lines {
		switch {
		case strings.HasPrefix(l, "| rates "):
			rates = l
		case strings.HasPrefix(l, "| scripted "):
			scr = l
		}
	}
	if !strings.Contains(table.String(), "write downtime / year (h)") || !strings.Contains(rates, "87.6") || !strings.Contains(rates, "2.00") {
		t.Errorf("the scenario with rates lacks its figures per year:\n%s", table.String())
	}
	dashes := 0
	for _, cell := range strings.Split(scr, "|") {
		if strings.TrimSpace(cell) == "-" {
			dashes++
		}
	}
	if dashes != 4 {
		t.Errorf("the scripted scenario should show - for its four figures per year:\n%s", table.String())
	}
}
