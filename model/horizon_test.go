package model

import (
	"strings"
	"testing"
	"time"
)

// TestHorizonLimits: a horizon may reach MaxHorizon (250 years), not
// beyond: simulated time is int64 nanoseconds, which end at about 292
// years, and the error says so. Clocks that a rate above 1 would carry
// beyond MaxClockReach over a long horizon are refused too.
func TestHorizonLimits(t *testing.T) {
	if err := stacked3(MaxHorizon).Validate(); err != nil {
		t.Fatalf("250 years: %v", err)
	}
	err := stacked3(MaxHorizon + Day).Validate()
	if err == nil || !strings.Contains(err.Error(), "horizon 250y1d out of range; allowed: up to 250y (simulated time is int64 nanoseconds, which end at about 292 years") {
		t.Errorf("250 years and a day: %v", err)
	}
	fast := stacked3(MaxHorizon)
	fast.Hosts[0].Clock.Rate = 1.2
	if err := fast.Validate(); err == nil || !strings.Contains(err.Error(), "clock readings would span 300 years (a clock at rate 1.2 over the 250y horizon)") {
		t.Errorf("a clock at rate 1.2 over 250 years: %v", err)
	}
	off := stacked3(MaxHorizon)
	off.Hosts[1].Clock.Offset = -40 * Year // 250y above zero, 40y below
	if err := off.Validate(); err == nil || !strings.Contains(err.Error(), "span 290 years") {
		t.Errorf("offset -40y over 250 years: %v", err)
	}
	if err := stacked3(10 * Year).Validate(); err != nil {
		t.Errorf("10 years: %v", err)
	}
}

// TestNothingArmedPastTheHorizon: a fault's heal (or delayed start) that
// falls after the horizon is not armed, so that a long run never arms a
// timer beyond the end of simulated time.
func TestNothingArmedPastTheHorizon(t *testing.T) {
	c := build(t, stacked3(time.Minute))
	for _, tc := range []struct {
		d    time.Duration
		want bool
	}{{0, false}, {time.Second, true}, {time.Minute, true}, {time.Minute + 1, false}, {MaxHorizon, false}} {
		if got := c.withinHorizon(tc.d); got != tc.want {
			t.Errorf("withinHorizon(%v) at %v of a 1m horizon: %v, want %v", tc.d, c.Sim.Now(), got, tc.want)
		}
	}
	cfg := stacked3(time.Minute)
	cfg.Faults = []FaultConfig{{Kind: FaultHostCrash, Target: Target{Kind: TargetHost, Name: cfg.Hosts[0].Name}, At: 10 * time.Second, Duration: 200 * Year}}
	r, err := Simulate(cfg, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if f := r.Faults[0]; f.Healed || f.At != 10*1e9 {
		t.Errorf("fault %+v: want injected at 10s, not healed", f)
	}
}
