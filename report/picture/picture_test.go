package picture

import (
	"bytes"
	"image/color"
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
	if n := Lanes(r); n != 5 {
		t.Fatalf("%d lanes, want 5 (host, group, probe and two for the faults' labels)", n)
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
		max   float64 // the largest upper bound: the axis leaves room above it
	}{
		{[][]experiment.Run{runs(false), runs(false)}, "write downtime per incident (seconds)", 7},
		{[][]experiment.Run{runs(true), runs(false)}, "write downtime per incident (seconds)", 7},
		{[][]experiment.Run{runs(true), runs(true)}, "write downtime per year (hours)", 8.8},
	} {
		p := Comparison(report.Compare([]string{"a", "b"}, c.runs, 1))
		if what, _, _ := strings.Cut(c.label, " ("); p.Y.Label.Text != c.label || !strings.HasPrefix(p.Title.Text, what+", with 95% confidence intervals") {
			t.Errorf("label %q, title %q; want %q", p.Y.Label.Text, p.Title.Text, c.label)
		}
		if p.Y.Max < c.max*1.05 || p.Y.Max > c.max*1.25 {
			t.Errorf("%s: the axis reaches %.2f, want a little above %.1f", c.label, p.Y.Max, c.max)
		}
		var b bytes.Buffer
		if err := WriteTo(p, &b, "svg", 12); err != nil {
			t.Fatal(err)
		}
	}
}

// TestComparisonShowsSplitBrainAndZero: scripted scenarios that measured
// split brain get bars for it beside the downtime, with a legend; when
// every figure is zero the axis still runs from 0 to 1 and the title says
// why the bars are missing; the error bars stay under the axis's top.
func TestComparisonShowsSplitBrainAndZero(t *testing.T) {
	runs := func(split, down time.Duration) []experiment.Run {
		var rs []experiment.Run
		for i := range 4 {
			rs = append(rs, experiment.Run{Done: true, Seed: uint64(i + 1), HasWrite: true, WriteAvailability: 1, Incidents: 1,
				WriteDowntime: down * time.Duration(i+1), SplitBrain: split * time.Duration(i+1)})
		}
		return rs
	}
	p := Comparison(report.Compare([]string{"a", "b"}, [][]experiment.Run{runs(10*time.Second, time.Second), runs(0, 2*time.Second)}, 1))
	var b bytes.Buffer
	if err := WriteTo(p, &b, "svg", 12); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(p.Title.Text, "downtime and split brain") || !strings.Contains(b.String(), "split brain per run") {
		t.Errorf("title %q; the picture should show the split brain measured", p.Title.Text)
	}
	c := report.Compare([]string{"a", "b"}, [][]experiment.Run{runs(10*time.Second, time.Second), runs(0, 2*time.Second)}, 1)
	for _, s := range c.Scenarios {
		for _, e := range []report.Estimate{s.WriteDowntimePerIncident, s.SplitBrain} {
			if !e.Short() && e.Hi >= p.Y.Max {
				t.Errorf("an interval reaches %v, the axis only %v", e.Hi, p.Y.Max)
			}
		}
	}
	p = Comparison(report.Compare([]string{"a", "b"}, [][]experiment.Run{runs(0, 0), runs(0, 0)}, 1))
	if p.Y.Min != 0 || p.Y.Max != 1 || !strings.Contains(p.Title.Text, "every scenario measured zero") {
		t.Errorf("all zero: axis %v..%v, title %q", p.Y.Min, p.Y.Max, p.Title.Text)
	}
	if err := WriteTo(p, &b, "svg", 12); err != nil {
		t.Fatal(err)
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

// TestTimelineTeaches: the picture of worked-timeline-b-isolated-master
// within 30s..120s shows what the scenario teaches: the partition as a
// labelled fault, /readyz failing, HAProxy marking the master DOWN, the
// liveness restart, the load balancer's and clients' hosts and the zones;
// every host's leaders are drawn in the host's one colour; nothing is
// drawn outside the window. In worked-timeline-c-paused-kcm the new
// leader's band during and after the split brain is labelled.
func TestTimelineTeaches(t *testing.T) {
	r := simulate(t, "worked-timeline-b-isolated-master")
	p := TimelineWindow("b", r, Window{From: sim.At(30 * time.Second), To: sim.At(120 * time.Second)})
	if p.X.Min != 30 || p.X.Max != 120 {
		t.Fatalf("x axis %v..%v, want the window 30..120", p.X.Min, p.X.Max)
	}
	var b bytes.Buffer
	if err := WriteTo(p, &b, "svg", Lanes(r)); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"1: isolate the master holding the leases (partition)", "/readyz failing", "DOWN", "kube-apiserver restarted",
		"host lb", "host client", "zone zone-a", "haproxy-lb → master-2", "kube-apiserver-master-2 /readyz", "seed 1, 30.000s to 120.000s"} {
		if !strings.Contains(b.String(), want) && !strings.Contains(b.String(), strings.ReplaceAll(want, "→", "&#8594;")) {
			t.Errorf("the picture lacks %q", want)
		}
	}
	colours := map[string]color.Color{}
	for h, hex := range report.HostColours(r) {
		colours[h] = parseHex(hex)
	}
	seen := map[string]color.Color{}
	for _, ln := range r.Lanes {
		row := clip(drawLane(r, ln, colours), 30, 120)
		if ln.Host != "" && ln.Kind != model.LaneZone && row.host != colours[ln.Host] {
			t.Errorf("lane %s: strip %v, want its host's colour %v", row.name, row.host, colours[ln.Host])
		}
		for _, s := range row.segs {
			if s.from < 30 || s.to > 120 {
				t.Errorf("lane %s: a segment %v..%v outside the window", row.name, s.from, s.to)
			}
			if ln.Kind != model.LaneGroup || s.outline {
				continue
			}
			if c, ok := seen[s.label]; ok && c != s.col {
				t.Errorf("%s is drawn %v in one lane and %v in %s", s.label, c, s.col, row.name)
			}
			seen[s.label] = s.col
		}
	}
	if seen["master-1"] != colours["master-1"] || seen["master-2"] != colours["master-2"] {
		t.Errorf("leaders' colours %v, want their hosts' %v", seen, colours)
	}

	r = simulate(t, "worked-timeline-c-paused-kcm")
	for _, ln := range r.Lanes {
		if ln.Kind != model.LaneGroup || ln.Name != "kube-controller-manager" {
			continue
		}
		row := drawLane(r, ln, colours)
		labelled := false
		for _, s := range row.segs {
			if s.label == "master-3" && s.nslots == 2 && s.from > 40 {
				labelled = true
			}
		}
		if !labelled {
			t.Errorf("the new leader's band beside the frozen one is not labelled: %+v", row.segs)
		}
	}
}

func simulate(t *testing.T, name string) model.Result {
	t.Helper()
	s, err := scenarios.Resolve(name, nil)
	if err != nil {
		t.Fatal(err)
	}
	r, err := model.Simulate(s.Config(), model.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return r
}
