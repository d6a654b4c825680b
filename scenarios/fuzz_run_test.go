package scenarios

import (
	"runtime/debug"
	"slices"
	"testing"
	"time"

	"hasim/model"
	"hasim/sim"
)

// Bounds of a FuzzRun run: short enough for thousands of executions a
// second, long enough for the library scenarios' first faults.
const (
	fuzzRunHorizon        = 30 * time.Second
	fuzzRunEvents         = 200_000
	fuzzRunEventsAtAnInst = 10_000
)

// FuzzRun: whatever the loader accepts also runs: built, run for a short
// horizon with the full invariant scan after every event, it neither
// panics, nor breaks a safety invariant, nor livelocks. The corpus starts
// from the library.
func FuzzRun(f *testing.F) {
	seedCorpus(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Load("fuzz.yaml", data)
		if err != nil {
			return
		}
		cfg := fuzzRunConfig(s.Config())
		var c *model.Cluster
		defer func() {
			if v := recover(); v != nil {
				at := "building"
				if c != nil {
					at = c.Sim.Now().String()
				}
				t.Fatalf("panic at %s: %v\n%s\nscenario:\n%s", at, v, debug.Stack(), data)
			}
		}()
		r, err := model.Simulate(cfg, model.RunOptions{BeforeRun: func(b *model.Cluster) error { c = b; return nil }})
		if err != nil {
			t.Fatalf("Load accepted the scenario but Build rejects it: %v\nscenario:\n%s", err, data)
		}
		if len(r.Violations) > 0 {
			t.Fatalf("invariant violated: %v\nscenario:\n%s", r.Violations[0], data)
		}
		if r.Outcome == sim.Livelocked {
			t.Fatalf("livelocked: %v\nscenario:\n%s", r.Stall, data)
		}
	})
}

// fuzzRunConfig bounds a configuration for FuzzRun: horizon, events and
// events at one instant capped, the faults after the horizon dropped, the
// full invariant scan on.
func fuzzRunConfig(cfg model.Config) model.Config {
	cfg.CheckInvariants = true
	cfg.Horizon = min(cfg.Horizon, fuzzRunHorizon)
	if cfg.MaxEvents == 0 || cfg.MaxEvents > fuzzRunEvents {
		cfg.MaxEvents = fuzzRunEvents
	}
	if cfg.MaxEventsPerInstant == 0 || cfg.MaxEventsPerInstant > fuzzRunEventsAtAnInst {
		cfg.MaxEventsPerInstant = fuzzRunEventsAtAnInst
	}
	cfg.Faults = slices.DeleteFunc(slices.Clone(cfg.Faults), func(f model.FaultConfig) bool { return f.At >= cfg.Horizon })
	return cfg
}
