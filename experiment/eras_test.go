package experiment

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"hasim/internal/sample"
	"hasim/model"
	"hasim/scenarios"
	"hasim/sim"
)

// TestErasChangeNoFigure: rebasing the calendar (a run past 250 years
// moves it back 50 years at a time) changes no figure. The same four years
// of years-stacked-3 are run with the calendar rebased every year and not
// at all; every figure per year (downtime by function and calendar year,
// incidents per year, their durations and gaps, downtime by cause, split
// brain, recoveries, failovers) must be the same. What is listed in full
// stops at the first rebase, so those lists are not compared; the figures
// count everything.
func TestErasChangeNoFigure(t *testing.T) {
	cfg4y := fourYears(t)
	run := func(span int) (model.Result, Run) {
		cfg := cfg4y
		cfg.EraSpan = model.Year * time.Duration(span)
		cfg.SkipRenewals = true
		r, err := model.Simulate(cfg, model.RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if r.Outcome != sim.ReachedTime || r.Cut != "" {
			t.Fatalf("era span %dy: outcome %v, cut %q", span, r.Outcome, r.Cut)
		}
		return r, Measure(r)
	}
	plain, p := run(0)
	eras, e := run(1)
	if plain.Eras != 0 || eras.Eras != 3 {
		t.Fatalf("rebased %d and %d times, want 0 and 3", plain.Eras, eras.Eras)
	}
	if eras.EndSeconds() != plain.EndSeconds() || eras.EndYears() != 4 || eras.EndString() != "4y" {
		t.Errorf("end %v s (%d years, %s), want %v s (4 years, 4y)", eras.EndSeconds(), eras.EndYears(), eras.EndString(), plain.EndSeconds())
	}
	if eras.SkippedSeconds() != plain.SkippedSeconds() || eras.Skips != plain.Skips || eras.Events != plain.Events {
		t.Errorf("skipped %v s in %d, %d events; without eras %v s in %d, %d events",
			eras.SkippedSeconds(), eras.Skips, eras.Events, plain.SkippedSeconds(), plain.Skips, plain.Events)
	}
	if len(eras.Incidents) >= len(plain.Incidents) {
		t.Errorf("%d incidents listed with eras, %d without: listing should stop at the first rebase", len(eras.Incidents), len(plain.Incidents))
	}
	for i := range plain.Probes {
		a, b := plain.Probes[i], eras.Probes[i]
		if a.OK != b.OK || a.Failed != b.Failed || a.Availability != b.Availability || a.Unavailable != b.Unavailable {
			t.Errorf("probe %s: %+v with eras, %+v without", a.Name, b, a)
		}
	}
	for i := range plain.APIServers {
		if plain.APIServers[i] != eras.APIServers[i] {
			t.Errorf("apiserver %+v with eras, %+v without", eras.APIServers[i], plain.APIServers[i])
		}
	}
	same := func(what string, x, y any) {
		t.Helper()
		if !reflect.DeepEqual(x, y) {
			t.Errorf("%s: %v with eras, %v without", what, y, x)
		}
	}
	same("measured seconds", p.Measured, e.Measured)
	same("years", p.Years, e.Years)
	same("functions (downtime by year)", p.Functions, e.Functions)
	same("incidents per year", p.IncidentsPerYear, e.IncidentsPerYear)
	same("incidents", p.Incidents, e.Incidents)
	same("causes", p.Causes, e.Causes)
	same("split brain", p.SplitBrains, e.SplitBrains)
	same("split brain time", p.SplitBrain, e.SplitBrain)
	values := func(s *sample.Sample) []float64 {
		if !s.Exact() {
			t.Fatalf("a sample of %d values is not exact", s.Len())
		}
		return slices.Sorted(slices.Values(s.Values()))
	}
	same("incident durations", values(&p.IncidentDurations), values(&e.IncidentDurations))
	same("gaps between incidents", values(&p.IncidentGaps), values(&e.IncidentGaps))
	same("write recoveries", values(&p.Recovery), values(&e.Recovery))
	same("etcd failovers", values(&p.EtcdFailover), values(&e.EtcdFailover))
	if p.Incidents < 100 || len(p.IncidentsPerYear) != 4 {
		t.Errorf("%d incidents over %d years: too few to compare", p.Incidents, len(p.IncidentsPerYear))
	}
}

// TestYearBatchesSumYears: a horizon of more years than the figures by
// year keep entries for (model.MaxYearBatches, here lowered to 2 over 4
// years) counts its years in batches: each batch holds the sum of its
// years, of downtime by function and of incidents started (listed and
// folded), and nothing else changes.
func TestYearBatchesSumYears(t *testing.T) {
	cfg4y := fourYears(t)
	run := func(batches int) (model.Result, Run) {
		cfg := cfg4y
		cfg.YearBatches = batches
		cfg.IncidentsListed = 50 // most incidents fold into the tail
		cfg.SkipRenewals = true
		r, err := model.Simulate(cfg, model.RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return r, Measure(r)
	}
	plain, p := run(0)
	batched, b := run(2)
	if plain.YearsPerBatch != 1 || batched.YearsPerBatch != 2 || p.YearsPerBatch != 1 || b.YearsPerBatch != 2 {
		t.Fatalf("years per batch %d and %d (runs %d and %d), want 1 and 2", plain.YearsPerBatch, batched.YearsPerBatch, p.YearsPerBatch, b.YearsPerBatch)
	}
	if batched.Events != plain.Events || b.Incidents != p.Incidents || b.Years != p.Years || b.Measured != p.Measured {
		t.Errorf("batched: %d events, %d incidents, %d years; plain: %d, %d, %d", batched.Events, b.Incidents, b.Years, plain.Events, p.Incidents, p.Years)
	}
	if p.Incidents < 100 || len(p.IncidentsPerYear) != 4 || len(plain.IncidentTail.PerYear) != 4 {
		t.Fatalf("%d incidents over %d years (%d in the tail's): too few to compare", p.Incidents, len(p.IncidentsPerYear), len(plain.IncidentTail.PerYear))
	}
	pairs("incidents", p.IncidentsPerYear, b.IncidentsPerYear, t)
	pairs("incidents in the tail", plain.IncidentTail.PerYear, batched.IncidentTail.PerYear, t)
	for fn := range p.Functions {
		pairs(p.Functions[fn].Name, p.Functions[fn].Years, b.Functions[fn].Years, t)
		if b.Functions[fn].Down != p.Functions[fn].Down {
			t.Errorf("%s: down %v batched, %v not", p.Functions[fn].Name, b.Functions[fn].Down, p.Functions[fn].Down)
		}
	}
	if !reflect.DeepEqual(p.Causes, b.Causes) || !reflect.DeepEqual(p.SplitBrains, b.SplitBrains) {
		t.Errorf("causes or split brain differ")
	}
}

// pairs checks that batches holds the sums of years by two (an entry past
// either's end counts zero).
func pairs[T int | time.Duration](what string, years, batches []T, t *testing.T) {
	t.Helper()
	at := func(s []T, i int) T {
		if i < len(s) {
			return s[i]
		}
		return 0
	}
	for k := range max(len(batches), (len(years)+1)/2) {
		if at(batches, k) != at(years, 2*k)+at(years, 2*k+1) {
			t.Errorf("%s: %v by year, %v by batch of two", what, years, batches)
			return
		}
	}
}

// fourYears is years-stacked-3 over four years, for a test that runs it
// twice (skipped with -short).
func fourYears(t *testing.T) model.Config {
	t.Helper()
	if testing.Short() {
		t.Skip("runs 8 cluster-years")
	}
	sc, err := scenarios.ResolveWith(context.Background(), "years-stacked-3", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg := sc.Config()
	cfg.Horizon = 4 * model.Year
	return cfg
}
