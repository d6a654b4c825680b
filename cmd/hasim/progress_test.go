//go:build unix

package main

import (
	"strings"
	"testing"
	"time"

	"hasim/model"
)

// TestMeter: to a writer that is not a terminal, the meter writes a plain
// line each interval once the work has taken one, none after finish, and
// none at all for work shorter than the interval; finish twice is fine.
func TestMeter(t *testing.T) {
	var out lockedBuffer
	m := startMeter(&out, 20*time.Millisecond, func(elapsed time.Duration) string { return "line" })
	deadline := time.Now().Add(patience)
	for strings.Count(out.String(), "line\n") < 2 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	m.finish()
	m.finish()
	got := out.String()
	if strings.Count(got, "line\n") < 2 || strings.Contains(got, "\r") {
		t.Fatalf("wrote %q", got)
	}
	time.Sleep(50 * time.Millisecond)
	if out.String() != got {
		t.Errorf("wrote after finish: %q", out.String())
	}

	var quick lockedBuffer
	startMeter(&quick, time.Hour, func(time.Duration) string { return "line" }).finish()
	if quick.String() != "" {
		t.Errorf("quick work wrote %q", quick.String())
	}
	var none *meter
	none.finish()
}

// TestProgressFigures: the remaining time at the pace so far, and
// calendar times in years over a horizon of years.
func TestProgressFigures(t *testing.T) {
	for _, c := range []struct {
		elapsed time.Duration
		f       float64
		want    string
	}{{time.Minute, 0.25, "3m0s"}, {time.Minute, 0, "?"}, {0, 0.5, "?"}, {10 * time.Second, 1, "0s"}} {
		if got := eta(c.elapsed, c.f); got != c.want {
			t.Errorf("eta(%v, %v) = %s, want %s", c.elapsed, c.f, got, c.want)
		}
	}
	y := model.Year.Seconds()
	if got := calendarString(123.45*y, 1000*y); got != "123.5y" {
		t.Errorf("123.45 years of 1000: %s", got)
	}
	if got := calendarString(90.4, 3600); got != "1m30s" {
		t.Errorf("90.4 s of an hour: %s", got)
	}
}
