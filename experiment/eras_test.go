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
	if testing.Short() {
		t.Skip("runs 8 cluster-years")
	}
	sc, err := scenarios.ResolveWith(context.Background(), "years-stacked-3", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	run := func(span int) (model.Result, Run) {
		cfg := sc.Config()
		cfg.Horizon = 4 * model.Year
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
