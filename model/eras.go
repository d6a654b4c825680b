package model

import (
	"fmt"
	"math/big"
	"time"

	"hasim/model/fabric"
	"hasim/sim"
)

// Horizons past MaxHorizon. Calendar time, like true time, is int64
// nanoseconds and ends at about 292 years. A run over a longer horizon (a
// thousand years of failures) rebases its calendar by one era
// (fabric.EraLen, 50 years) at a time: at the first steady moment past
// the era's end with no fault in force and no incident open, every
// calendar time the run holds moves back by the era (fabric.World.Rebase,
// and the hooks below), and the figures that sum up calendar years (the
// per-year downtime and incident counts) count the eras before. What a
// run lists in full (its faults, incidents, split-brain stretches and
// timeline) is stated in the first era's calendar: it stops listing at
// the first rebase, and counts the rest in its figures.

// MaxLongHorizon bounds a horizon with eras: a million years.
const MaxLongHorizon = 1_000_000

// horizonCap bounds the horizon as seen within an era: past it, the run
// rebases before it gets there (four eras, 200 years; the calendar stays
// within an era and a quarter of 292 years, maxLife, of its base).
const horizonCap = 4 * fabric.EraLen

// LongHorizon states a horizon of ns nanoseconds as Config's HorizonEras
// and Horizon: within MaxHorizon it is all Horizon; past it, whole eras
// and the rest. It fails past MaxLongHorizon years or if ns is not
// positive.
func LongHorizon(ns *big.Int) (int64, time.Duration, error) {
	if ns.Sign() <= 0 {
		return 0, 0, fmt.Errorf("horizon must be positive")
	}
	maxNs := new(big.Int).Mul(big.NewInt(MaxLongHorizon), big.NewInt(int64(Year)))
	if ns.Cmp(maxNs) > 0 {
		return 0, 0, fmt.Errorf("horizon out of range; allowed: up to %dy", MaxLongHorizon)
	}
	if ns.IsInt64() && time.Duration(ns.Int64()) <= MaxHorizon {
		return 0, time.Duration(ns.Int64()), nil
	}
	q, r := new(big.Int).QuoRem(ns, big.NewInt(int64(fabric.EraLen)), new(big.Int))
	return q.Int64(), time.Duration(r.Int64()), nil
}

// HorizonNs is the whole horizon of eras and d in nanoseconds.
func HorizonNs(eras int64, d time.Duration) *big.Int {
	ns := new(big.Int).Mul(big.NewInt(eras), big.NewInt(int64(fabric.EraLen)))
	return ns.Add(ns, big.NewInt(int64(d)))
}

// HorizonString writes a horizon of eras and d as LongString does:
// "1000y", "10y", "90s".
func HorizonString(eras int64, d time.Duration) string {
	return yearsString(eras*int64(fabric.EraLen/Year), d)
}

// yearsString writes years whole years plus d as LongString does.
func yearsString(years int64, d time.Duration) string {
	years += int64(d / Year)
	d %= Year
	switch {
	case years == 0:
		return LongString(d)
	case d == 0:
		return fmt.Sprintf("%dy", years)
	}
	return fmt.Sprintf("%dy%s", years, LongString(d))
}

// HorizonSeconds is the run's whole horizon in seconds.
func (cfg *Config) HorizonSeconds() float64 {
	return float64(cfg.HorizonEras)*fabric.EraLen.Seconds() + cfg.Horizon.Seconds()
}

// HorizonString writes the run's whole horizon.
func (cfg *Config) HorizonString() string { return HorizonString(cfg.HorizonEras, cfg.Horizon) }

// checkEras reports what a horizon with eras (or a test's EraSpan) needs:
// failure processes and the fast-forward (true time, which runs only
// through what is simulated, must stay within MaxHorizon), and scripted
// faults at fixed times within the first era (what is listed is stated in
// its calendar).
func (cfg *Config) checkEras(bad func(string, ...any)) {
	if cfg.HorizonEras < 0 {
		bad("horizon eras %d must not be negative", cfg.HorizonEras)
	}
	if cfg.EraSpan < 0 || cfg.EraSpan%Year != 0 {
		bad("era span %v must be a whole number of years", cfg.EraSpan)
	}
	if cfg.HorizonEras == 0 && cfg.EraSpan == 0 {
		return
	}
	long := HorizonString(cfg.HorizonEras, cfg.Horizon)
	if len(cfg.Failures) == 0 || cfg.NoFastForward {
		bad("a horizon of %s needs failure processes and the fast-forward: a run without them simulates every instant, and simulated time ends at about 292 years", long)
	}
	span := cfg.EraSpan
	if span == 0 {
		span = fabric.EraLen
	}
	for i, f := range cfg.Faults {
		if f.On != nil || f.At >= span {
			bad("faults[%d] %q: in a run over %s, a scripted fault must come at a fixed time within the first %s", i, f.Name, long, LongString(span))
		}
	}
}

// rebases reports whether the run rebases its calendar by eras.
func (c *Cluster) rebases() bool {
	return c.fastForward() && (c.cfg.HorizonEras > 0 || c.cfg.EraSpan > 0)
}

// initEras sets the World's era span and the horizon as seen from the
// first era.
func (c *Cluster) initEras() {
	c.SetEraSpan(c.cfg.EraSpan)
	if c.rebases() {
		c.horizonAt, c.horizonBeyond = c.eraHorizon()
	}
}

// horizon is the run's horizon as a calendar time of the current era, and
// whether it lies beyond the era (then the time stands in for it). A run
// that does not rebase reads its configuration each time (a test may
// extend it between runs).
func (c *Cluster) horizon() (sim.Time, bool) {
	if !c.rebases() {
		return sim.At(c.cfg.Horizon), false
	}
	return c.horizonAt, c.horizonBeyond
}

// eraHorizon is the horizon of a run that rebases, as a calendar time of
// the current era, and whether it lies beyond horizonCap (which stands in
// for it until a later era brings it within reach).
func (c *Cluster) eraHorizon() (sim.Time, bool) {
	span := c.EraSpan()
	left := HorizonNs(c.cfg.HorizonEras, c.cfg.Horizon)
	left.Sub(left, new(big.Int).Mul(big.NewInt(c.Era()), big.NewInt(int64(span))))
	if left.Cmp(big.NewInt(int64(horizonCap))) > 0 {
		return sim.At(horizonCap), true
	}
	return sim.Time(left.Int64()), false
}

// canRebase reports whether the calendar may be rebased now: the run
// rebases, its era is over, and no interval is open across the moment
// (healthy and settled, no fault in force, no incident open, nothing
// running). steadyNow has held.
func (c *Cluster) canRebase() bool {
	if !c.rebases() || !c.EraDue() || c.faultInForce() || c.opsRunning > 0 || !c.Settled() {
		return false
	}
	c.inc.settleUntil(c.Now()) // an incident over for a while is settled only when something next happens
	return !c.IncidentOpen()
}

// rebase moves the calendar back by one era, and what the cluster holds
// with it.
func (c *Cluster) rebase() {
	c.World.Rebase()
	c.horizonAt, c.horizonBeyond = c.eraHorizon()
}

// onRebase moves back what the cluster holds in calendar time, and stops
// its lists: what they hold is stated in the first era. (When measuring
// started stays a time of the first era: Result.MeasuredFrom.)
func (c *Cluster) onRebase(d time.Duration) {
	c.faultsKept = min(c.faultsKept, len(c.Faults))
	c.inc.rebase(d)
	for _, g := range c.Groups {
		g.Split.StopListing()
		g.ActSplit.StopListing()
	}
	c.etcdSplit.StopListing()
	c.etcdActSplit.StopListing()
	for _, p := range c.failures {
		p.windowAt = p.windowAt.Add(-d)
	}
}

// ReachedSeconds is the calendar time the run has reached, in seconds,
// eras counted (Result.EndSeconds at the end).
func (c *Cluster) ReachedSeconds() float64 {
	return float64(c.Era())*c.EraSpan().Seconds() + c.Now().Seconds()
}
