package scenarios

import (
	"strings"
	"testing"
	"time"

	"hasim/model"
)

// TestTakeoverNarrationInCalendarTime: a lease takeover's reason says when
// the new holder observed the old record ("observed at T"), and over years
// T is a calendar time like the record's own, a lease duration or so
// before it, not the true time the run has simulated (a few hours a year).
func TestTakeoverNarrationInCalendarTime(t *testing.T) {
	ov, err := ParseOverride("spec.horizon=1y")
	if err != nil {
		t.Fatal(err)
	}
	s, err := ResolveWith(t.Context(), "years-stacked-3", nil, []Override{ov})
	if err != nil {
		t.Fatal(err)
	}
	r, err := model.Simulate(s.Config(), model.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Skips == 0 {
		t.Fatal("the run skipped nothing")
	}
	n := 0
	for _, rec := range r.Timeline {
		_, after, ok := strings.Cut(rec.Reason, "(observed at ")
		if rec.Event != model.EvLeaseAcquired || !ok {
			continue
		}
		at, _, _ := strings.Cut(after, ")")
		at, _, _ = strings.Cut(at, ":")
		d, err := time.ParseDuration(at)
		if err != nil {
			t.Fatalf("%q: %v", rec.Reason, err)
		}
		n++
		if gap := time.Duration(rec.T) - d; gap < 0 || gap > time.Minute {
			t.Errorf("at %v: observed at %v, %v before; want the calendar time of the observation, within a minute before: %s", time.Duration(rec.T), d, gap, rec.Reason)
		}
	}
	if n == 0 {
		t.Error("no takeover after an observation in a simulated year")
	}
	t.Logf("%d takeovers narrated", n)
}
