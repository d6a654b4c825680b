package picture

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"hasim/experiment"
	"hasim/model"
	"hasim/report"
	"hasim/scenarios"
	"hasim/sim"
)

// TestTimelineSVG: the picture of a run has a lane per host, group and
// probe, renders the same bytes twice, and marks split brain.
func TestTimelineSVG(t *testing.T) {
	iv := []model.Interval{{From: sim.At(40 * time.Second), To: sim.At(50 * time.Second)}}
	r := model.Result{Seed: 1, End: sim.At(90 * time.Second), MeasuredFrom: sim.At(time.Second),
		Members: []model.MemberResult{{Name: "etcd-1", Host: "master-1"}},
		Groups:  []model.GroupResult{{Name: "kube-controller-manager", SplitBrain: iv, ActingSplitBrain: iv}},
		Probes:  []model.ProbeResult{{Name: "api-writes"}},
		Faults:  []model.FaultResult{{At: sim.At(30 * time.Second), Healed: true, HealedAt: sim.At(60 * time.Second)}},
		Timeline: []model.Record{
			{T: sim.At(2 * time.Second), Event: model.EvLeaseAcquired, Group: "kube-controller-manager", Proc: "kube-controller-manager-master-1", Host: "master-1"},
			{T: sim.At(30 * time.Second), Event: model.EvHostDown, Host: "master-1"},
			{T: sim.At(30 * time.Second), Event: model.EvProbeDown, Probe: "api-writes"},
			{T: sim.At(35 * time.Second), Event: model.EvProbeUp, Probe: "api-writes"},
		}}
	r.Lanes = model.ComputeLanes(&r)
	if n := Lanes(r); n != 3 {
		t.Fatalf("%d lanes, want 3 (host, group, probe)", n)
	}
	render := func() string {
		var b bytes.Buffer
		if err := WriteTo(Timeline("t", r), &b, "svg", Lanes(r)); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	a, b := render(), render()
	if a != b {
		t.Fatal("two renderings differ")
	}
	for _, want := range []string{"host master-1", "kube-controller-manager leader", "probe api-writes", "split brain", "both acting"} {
		if !strings.Contains(a, want) {
			t.Errorf("SVG lacks %q", want)
		}
	}
}

// TestComparisonPlotsWhatWasMeasured: scripted scenarios are drawn as
// write downtime per incident; only when every scenario's failures arrive
// at rates is it downtime per year.
func TestComparisonPlotsWhatWasMeasured(t *testing.T) {
	runs := func(rates bool) []experiment.Run {
		var rs []experiment.Run
		for i := range 4 {
			rs = append(rs, experiment.Run{Done: true, Seed: uint64(i + 1), HasWrite: true, RatesDefined: rates, WriteAvailability: 0.999,
				WriteDowntime: time.Duration(10+i) * time.Second, Incidents: 2})
		}
		return rs
	}
	for _, c := range []struct {
		runs  [][]experiment.Run
		label string
		max   float64 // the bars' top: the largest upper bound
	}{
		{[][]experiment.Run{runs(false), runs(false)}, "write downtime per incident (seconds)", 7},
		{[][]experiment.Run{runs(true), runs(false)}, "write downtime per incident (seconds)", 7},
		{[][]experiment.Run{runs(true), runs(true)}, "write downtime per year (hours)", 8.8},
	} {
		p := Comparison(report.Compare([]string{"a", "b"}, c.runs, 1))
		if what, _, _ := strings.Cut(c.label, " ("); p.Y.Label.Text != c.label || !strings.HasPrefix(p.Title.Text, what+", with 95% confidence intervals") {
			t.Errorf("label %q, title %q; want %q", p.Y.Label.Text, p.Title.Text, c.label)
		}
		if p.Y.Max < c.max-0.5 || p.Y.Max > c.max+0.5 {
			t.Errorf("%s: the axis reaches %.2f, want about %.1f", c.label, p.Y.Max, c.max)
		}
		var b bytes.Buffer
		if err := WriteTo(p, &b, "svg", 12); err != nil {
			t.Fatal(err)
		}
	}
}

// TestComparisonByCause: scenarios whose failures arrive at rates, with
// their figures per year, are drawn as write downtime per year stacked by
// failure class, with the closed form's when it is known.
func TestComparisonByCause(t *testing.T) {
	s, err := scenarios.Resolve("stacked-3-cloud-failures", nil)
	if err != nil {
		t.Fatal(err)
	}
	var runs []experiment.Run
	for seed := range uint64(2) {
		cfg := s.Config()
		cfg.Seed = seed + 1
		r, err := model.Simulate(cfg, model.RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
		run := experiment.Measure(r)
		run.Done, run.Seed, run.RatesDefined = true, cfg.Seed, true
		runs = append(runs, run)
	}
	c := report.Compare([]string{"a", "b"}, [][]experiment.Run{runs, runs}, 1)
	c.Scenarios[0].Annual.ClosedForm = &report.ClosedFormFigures{Functions: []report.ClosedFormMeasure{{Name: "writes", DowntimePerYear: 3600}}}
	p := Comparison(c)
	if !strings.HasPrefix(p.Title.Text, "write downtime per year by failure class") || p.Y.Label.Text != "write downtime per year (minutes)" {
		t.Fatalf("title %q, label %q", p.Title.Text, p.Y.Label.Text)
	}
	top := c.Scenarios[0].Annual.Functions[0].DowntimePerYear.Value / 60
	if p.Y.Max < max(top, 60) {
		t.Errorf("the axis reaches %.2f: below the total (%.2f minutes) or the closed form's cross (60)", p.Y.Max, top)
	}
	var b bytes.Buffer
	if err := WriteTo(p, &b, "svg", 12); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"host-crash", "maintenance"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("the legend lacks %q", want)
		}
	}
}
