package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"hasim/model"
)

// TestDurationFlagUnits: --until takes the scenario format's units, d and
// y included, and writes a value back in them.
func TestDurationFlagUnits(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		str  string
	}{{"2m", 2 * time.Minute, "2m"}, {"30d", 30 * model.Day, "30d"}, {"100y", 100 * model.Year, "100y"},
		{"1d12h", 36 * time.Hour, "1d12h"}, {"250y", model.MaxHorizon, "250y"}} {
		var v durationValue
		if err := v.Set(tc.in); err != nil || time.Duration(v) != tc.want || v.String() != tc.str {
			t.Errorf("Set(%q): %v, %v, String %q; want %v, %q", tc.in, time.Duration(v), err, v.String(), tc.want, tc.str)
		}
	}
	for _, bad := range []string{"2x", "-1d", "10", "300y"} {
		var v durationValue
		if err := v.Set(bad); err == nil {
			t.Errorf("Set(%q) accepted: %v", bad, time.Duration(v))
		}
	}
}

// TestUntilBeyondTheHorizonLimit: --until past model.MaxHorizon needs
// failure processes, and past a million years is refused, each with the
// reason.
func TestUntilBeyondTheHorizonLimit(t *testing.T) {
	for _, tc := range []struct{ until, want string }{
		{"251y", "hasim run: a horizon of 251y needs failure processes and the fast-forward"},
		{"300y", "hasim run: a horizon of 300y needs failure processes and the fast-forward"},
		{"2000000y", `"2000000y": horizon out of range; allowed: up to 1000000y`},
	} {
		code, _, errs := run(context.Background(), "", "run", "etcd-leader-kill", "--until", tc.until, "-q")
		if code == 0 || !strings.Contains(errs, tc.want) {
			t.Errorf("--until %s: exit %d, stderr %s; want %q", tc.until, code, errs, tc.want)
		}
	}
}
