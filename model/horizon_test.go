package model

import (
	"strings"
	"testing"
	"time"

	"hasim/sim"
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

// TestNothingArmedPastTheEndOfTime: a fault's heal (or delayed start) that
// would fall after the end of simulated time (about 292 years) is not
// armed: now + d would wrap around to a time in the past.
func TestNothingArmedPastTheEndOfTime(t *testing.T) {
	c := build(t, stacked3(time.Minute))
	for _, tc := range []struct {
		d    time.Duration
		want bool
	}{{0, false}, {time.Second, true}, {MaxHorizon, true}, {time.Duration(sim.Never), false}} {
		if got := c.withinTime(tc.d); got != tc.want {
			t.Errorf("withinTime(%v) at %v: %v, want %v", tc.d, c.Sim.Now(), got, tc.want)
		}
	}
	// Later in a run, what is left of simulated time is shorter.
	c.Sim.Run(sim.Bounds{Until: sim.At(time.Minute), MaxEvents: DefaultMaxEvents, MaxSameInstant: DefaultMaxEventsPerInstant})
	left := sim.Never.Sub(c.Sim.Now())
	if c.Sim.Now() == 0 || c.withinTime(left) || !c.withinTime(left-1) {
		t.Errorf("at %v: withinTime(%v) %v, withinTime(%v) %v; want false, true", c.Sim.Now(), left, c.withinTime(left), left-1, c.withinTime(left-1))
	}
}
