package report

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"hasim/experiment"
	"hasim/model"
	"hasim/scenarios"
	"hasim/sim"
)

// yearsRun is a run over the given whole years (and a half more), with
// one function down d[k] in year k and incidents starting in the years
// listed.
func yearsRun(down []time.Duration, incidentYears ...int) experiment.Run {
	r := experiment.Run{Done: true, Years: len(down), Measured: (time.Duration(len(down))*model.Year + model.Year/2).Seconds(),
		Functions: []model.FunctionResult{{Name: "api-writes", Kind: model.FunctionProbe, Probe: model.ProbeWrite, Years: down}}}
	for _, d := range down {
		r.Functions[0].Down += d
	}
	for _, y := range incidentYears {
		for len(r.IncidentsPerYear) <= y {
			r.IncidentsPerYear = append(r.IncidentsPerYear, 0)
		}
		r.IncidentsPerYear[y]++
		r.IncidentDurations.Add(time.Minute.Seconds())
	}
	return r
}

// TestAnnualBatchMeans: with at least MinBatches whole years in every
// run, each year is a sample (the half year at the end is left out): the
// interval is the Student-t interval of the yearly availabilities, here
// computed by hand; with fewer years, the runs are the samples.
func TestAnnualBatchMeans(t *testing.T) {
	var down []time.Duration
	for k := range 12 {
		down = append(down, time.Duration(k%4+1)*time.Hour) // 1h, 2h, 3h, 4h, 1h, ...
	}
	a := Annual([]experiment.Run{yearsRun(down, 0, 0, 3, 11)})
	if a.IntervalsFrom != "years" || a.Samples != 12 {
		t.Fatalf("intervals from %s over %d samples, want years over 12", a.IntervalsFrom, a.Samples)
	}
	// Yearly unavailability: 1h..4h of 8760h, mean 2.5h, sample sd
	// sqrt(15/11)h; t(0.975, 11) = 2.200985.
	y := model.Year.Hours()
	mean, sd := 2.5/y, math.Sqrt(15.0/11)/y
	half := 2.200985 * sd / math.Sqrt(12)
	got := a.Functions[0].Availability
	if math.Abs(got.Value-(1-mean)) > 1e-12 || math.Abs(got.Lo-(1-mean-half)) > 1e-8 || math.Abs(got.Hi-(1-mean+half)) > 1e-8 || got.N != 12 {
		t.Errorf("availability %+v, want %v ± %v", got, 1-mean, half)
	}
	if d := a.Functions[0].DowntimePerYear; math.Abs(d.Value-2.5*3600) > 1e-6 || math.Abs(d.Hi-(2.5/y+half)*model.Year.Seconds()) > 1e-3 {
		t.Errorf("downtime per year %+v, want 9000s", d)
	}
	// Incidents per year: 2, 0, 0, 1, 0 ... 1 over 12 years: mean 1/3.
	if r := a.Incidents.PerYear; math.Abs(r.Value-4.0/12) > 1e-12 || r.N != 12 {
		t.Errorf("incidents per year %+v, want 1/3 over 12 years", r)
	}
	// Two such runs pool their years.
	if b := Annual([]experiment.Run{yearsRun(down), yearsRun(down)}); b.Samples != 24 || b.IntervalsFrom != "years" {
		t.Errorf("two runs: %s over %d samples, want years over 24", b.IntervalsFrom, b.Samples)
	}
	// Nine whole years are too few: one sample per run.
	short := Annual([]experiment.Run{yearsRun(down[:9]), yearsRun(down[:9]), yearsRun(down)})
	if short.IntervalsFrom != "runs" || short.Samples != 3 || short.Functions[0].Availability.N != 3 {
		t.Errorf("short runs: %s over %d samples", short.IntervalsFrom, short.Samples)
	}
}

// TestAnnualYearBatches: a run whose figures by year count batches of
// three years (a horizon past model.MaxYearBatches years) gives one sample
// per whole batch, over the batch's length, and leaves out the years past
// the last whole batch; the header says so. Runs that count their years
// in batches of different sizes are not pooled as batches.
func TestAnnualYearBatches(t *testing.T) {
	const w, batches = 3, 12
	var down []time.Duration
	var incidents []int
	for k := range batches {
		down = append(down, time.Duration(k%4+1)*time.Hour)
		for range k % 3 {
			incidents = append(incidents, k)
		}
	}
	r := yearsRun(down, incidents...)
	// The same downtime by batch of three years over 3×12 + 2 years: the
	// two years past the last whole batch (a partial batch 12, down 5h)
	// are left out of the samples.
	r.YearsPerBatch, r.Years = w, w*batches+2
	r.Functions[0].Years = append(slices.Clone(down), 5*time.Hour)
	r.Measured = float64(r.Years) * model.Year.Seconds()
	a := Annual([]experiment.Run{r})
	if a.IntervalsFrom != "years" || a.Samples != batches || a.YearsPerBatch != w {
		t.Fatalf("intervals from %s over %d samples of %d years, want years over %d of %d", a.IntervalsFrom, a.Samples, a.YearsPerBatch, batches, w)
	}
	// Unavailability by batch: 1h..4h of 3 × 8760h, mean 2.5h/(3y).
	y := w * model.Year.Hours()
	mean, sd := 2.5/y, math.Sqrt(15.0/11)/y
	half := 2.200985 * sd / math.Sqrt(batches)
	got := a.Functions[0].Availability
	if math.Abs(got.Value-(1-mean)) > 1e-12 || math.Abs(got.Lo-(1-mean-half)) > 1e-8 || got.N != batches {
		t.Errorf("availability %+v, want %v ± %v", got, 1-mean, half)
	}
	// Incidents: batch k holds k%3 of them, over three years each.
	if r := a.Incidents.PerYear; math.Abs(r.Value-1.0/3) > 1e-12 || r.N != batches {
		t.Errorf("incidents per year %+v, want 1/3 over %d batches", r, batches)
	}
	var text bytes.Buffer
	if err := writeAnnual(&text, a); err != nil {
		t.Fatal(err)
	}
	if want := "batch means over 12 batches of 3 whole years"; !strings.Contains(text.String(), want) {
		t.Errorf("the header does not say %q:\n%s", want, text.String())
	}
	// Runs that count years differently are not pooled by batch.
	if b := Annual([]experiment.Run{r, yearsRun(down)}); b.IntervalsFrom != "runs" || b.Samples != 2 {
		t.Errorf("runs of 3-year and 1-year batches: %s over %d samples, want runs over 2", b.IntervalsFrom, b.Samples)
	}
}

// TestAnnualStackedCloudFailures runs the library's stacked 3-master
// cloud scenario (an hour, rates made eventful) end to end: every
// function's downtime lies inside the incidents, its causes sum to it in
// every incident and in the downtime-by-cause table, the host crash and
// the maintenance window that overlap share one incident, and the run's
// text summary prints the figures per year.
func TestAnnualStackedCloudFailures(t *testing.T) {
	s, err := scenarios.Resolve("stacked-3-cloud-failures", nil)
	if err != nil {
		t.Fatal(err)
	}
	r, err := model.Simulate(s.Config(), model.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !r.RatesDefined || len(r.Incidents) < 3 {
		t.Fatalf("rates defined %v, %d incidents", r.RatesDefined, len(r.Incidents))
	}
	overlap := false
	for fn, f := range r.Functions {
		var sum time.Duration
		for _, in := range r.Incidents {
			d := in.Down[fn]
			sum += d.Total
			var causes time.Duration
			for _, c := range d.ByCause {
				causes += c
			}
			if causes != d.Total {
				t.Errorf("%s in the incident at %v: causes %v sum to %v, not %v", f.Name, in.Start, d.ByCause, causes, d.Total)
			}
			overlap = overlap || slices.Equal(in.Causes, []string{"host-crash", "maintenance"})
		}
		if sum != f.Down || f.Down == 0 && f.Kind == model.FunctionProbe {
			t.Errorf("%s: %v down in the incidents, %v in all", f.Name, sum, f.Down)
		}
	}
	if !overlap {
		t.Errorf("no incident with a host crash and maintenance together: %+v", r.Incidents)
	}
	for i, in := range r.Incidents[1:] {
		if prev := r.Incidents[i]; in.Start <= prev.End {
			t.Errorf("incidents overlap: %v–%v and %v–%v", prev.Start, prev.End, in.Start, in.End)
		}
	}

	a := Annual([]experiment.Run{experiment.Measure(r)})
	if a.Causes.Function != "api-writes" {
		t.Fatalf("causes of %q", a.Causes.Function)
	}
	var sum, share float64
	var classes []string
	for _, c := range a.Causes.Classes {
		sum += c.DowntimeSeconds
		share += c.Share
		classes = append(classes, c.Class)
	}
	slices.Sort(classes)
	if want := a.Functions[0].DowntimeSeconds; math.Abs(sum-want) > 1e-9*want || math.Abs(share-1) > 1e-12 {
		t.Errorf("causes sum to %vs (shares %v), writes were down %vs", sum, share, want)
	}
	if !slices.Equal(classes, []string{"host-crash", "maintenance"}) {
		t.Errorf("classes %v", classes)
	}

	// In a comparison beside a scripted scenario: the figures per year in
	// every format for the one, none for the other.
	run := experiment.Measure(r)
	run.RatesDefined = true
	// The comparison's per-incident figures count the incidents, not the
	// faults (16 here, overlapping), each from its start.
	if run.Incidents != len(r.Incidents) || run.Recovery.Len()+run.NoRecovery != len(r.Incidents) || len(r.Faults) <= len(r.Incidents) {
		t.Errorf("%d incidents and %d recoveries measured; %d incidents, %d faults", run.Incidents, run.Recovery.Len()+run.NoRecovery, len(r.Incidents), len(r.Faults))
	}
	failovers := 0
	recovered := run.Recovery.Values()
	for i, in := range r.Incidents {
		if i < len(recovered) && run.NoRecovery == 0 && recovered[i] != in.Down[0].Recovered.Seconds() {
			t.Errorf("incident %d: recovery %vs, writes recovered after %v", i, recovered[i], in.Down[0].Recovered)
		}
		if in.EtcdFailover >= 0 {
			failovers++
		}
	}
	if run.EtcdFailover.Len() != failovers || failovers == 0 {
		t.Errorf("%d etcd failovers measured, %d incidents had one", run.EtcdFailover.Len(), failovers)
	}
	scripted := experiment.Run{Done: true, Seed: 1, HasWrite: true, WriteAvailability: 1, Incidents: 1, Functions: run.Functions}
	c := Compare([]string{"rates", "scripted"}, [][]experiment.Run{{run, run}, {scripted, scripted}}, 1)
	if c.Scenarios[0].Annual == nil || c.Scenarios[1].Annual != nil || c.Scenarios[0].Annual.Samples != 2 {
		t.Fatalf("annual figures: %+v, %+v", c.Scenarios[0].Annual, c.Scenarios[1].Annual)
	}
	var js, csvOut, table bytes.Buffer
	if err := WriteComparisonJSON(&js, c); err != nil {
		t.Fatal(err)
	}
	if err := WriteComparisonCSV(&csvOut, c); err != nil {
		t.Fatal(err)
	}
	if err := WriteComparison(&table, c); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(js.String(), `"downtimeByCause"`); n != 1 {
		t.Errorf("JSON has %d downtimeByCause, want 1:\n%s", n, js.String())
	}
	lines := strings.Split(strings.TrimSpace(csvOut.String()), "\n")
	header := strings.Split(lines[0], ",")
	col := slices.Index(header, "causeShare[host-crash]")
	if len(lines) != 3 || col < 0 {
		t.Fatalf("CSV:\n%s", csvOut.String())
	}
	if rates, scr := strings.Split(lines[1], ","), strings.Split(lines[2], ","); len(rates) != len(header) || len(scr) != len(header) ||
		rates[col] == "" || scr[col] != "" {
		t.Errorf("CSV rows: %d and %d cells for %d columns; share %q and %q", len(rates), len(scr), len(header), rates[col], scr[col])
	}
	if !strings.Contains(table.String(), "rates. Per year, over") || strings.Contains(table.String(), "scripted. Per year") {
		t.Errorf("table:\n%s", table.String())
	}

	var out bytes.Buffer
	if err := WriteSummary(&out, "stacked-3-cloud-failures", r); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Per year, over", "Downtime by cause (api-writes)", "| host-crash", "Split brain per year", "MTBF",
		fmt.Sprintf("Incidents (%d):", len(r.Incidents)), "host-crash, maintenance |"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, out.String())
		}
	}
}

// TestRunListsLongestIncidents: a run with more incidents than the
// summary lists shows the longest, in time order.
func TestRunListsLongestIncidents(t *testing.T) {
	r := model.Result{Functions: []model.FunctionResult{{Name: "api-writes", Kind: model.FunctionProbe}}}
	for i := range listedIncidents + 3 {
		from := sim.At(time.Duration(i) * time.Hour)
		d := time.Duration((i*7)%(listedIncidents+3)+1) * time.Second // 1s..15s, each once
		r.Incidents = append(r.Incidents, model.Incident{Start: from, End: from.Add(d), Causes: []string{"c"},
			Down: []model.IncidentDown{{Total: d, ByCause: []time.Duration{d}}}})
	}
	var out bytes.Buffer
	if err := writeIncidents(&out, r); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	if !strings.HasPrefix(text, fmt.Sprintf("The %d longest of %d incidents:", listedIncidents, listedIncidents+3)) {
		t.Errorf("title:\n%s", text)
	}
	for _, short := range []string{"| 1s ", "| 2s ", "| 3s "} {
		if strings.Contains(text, short) {
			t.Errorf("lists a short incident (%s):\n%s", short, text)
		}
	}
	if strings.Count(text, "| c ") != listedIncidents || strings.Index(text, "3600") > strings.Index(text, "7200") {
		t.Errorf("not the %d longest in time order:\n%s", listedIncidents, text)
	}
}
