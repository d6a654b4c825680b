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

// TestThousandYearRun: a scenario over 1,000 years runs, says how often
// its calendar was rebased, and one that can never rebase (a master down
// for good) ends early with the reason and exit status 1.
func TestThousandYearRun(t *testing.T) {
	src := `apiVersion: hasim.dev/v1alpha1
kind: Scenario
metadata: {name: millennium}
spec:
  horizon: 1000y
  zones: [{name: a}]
  hosts: [{name: h1, zone: a}, {name: h2, zone: a}, {name: h3, zone: a}, {name: c}]
  etcd: {members: [h1, h2, h3]}
  probes: [{name: w, host: c}]
  failures: [{name: etcd-crash, kind: process-kill, target: host:h2, process: etcd, tbf: {dist: fixed, value: 100y}, ttr: {dist: fixed, value: 1m}}]
`
	code, out, errs := run(context.Background(), src, "run", "-", "-q")
	if code != 0 || !strings.Contains(out, "1000y simulated") || !strings.Contains(out, "the calendar was rebased") {
		t.Fatalf("exit %d, stderr %s, output:\n%s", code, errs, out)
	}
	stuck := strings.Replace(src, "  failures:", "  faults: [{name: h1 down, kind: host-crash, at: 1m, target: host:h1}]\n  failures:", 1)
	code, out, errs = run(context.Background(), stuck, "run", "-", "-q")
	if code != 1 || !strings.Contains(errs, "hasim run: the run ended at 200y, before its horizon of 1000y") || !strings.Contains(out, "200y simulated") {
		t.Errorf("a master down for good: exit %d, stderr %s, output:\n%s", code, errs, out)
	}
}
