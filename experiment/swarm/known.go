package swarm

import (
	"crypto/sha256"
	"fmt"
	"slices"
	"strings"

	"hasim/model"
	"hasim/scenarios"
)

// KnownDefect is a defect the swarm finds that is being fixed: its
// failures are labelled, and the in-test swarm tolerates them, until the
// fix lands and the entry is deleted from knownDefects.
type KnownDefect struct {
	Name string // also the reproducer's file name: testdata/NAME.yaml
	Item string // where it is tracked
	// Matches reports whether a failure of a case is this defect.
	Matches func(sc *scenarios.Scenario, o Outcome) bool
}

// knownDefects are the defects still open. Delete an entry once its fix
// is merged: the in-test swarm then fails on it again, and
// TestKnownDefectReproducers requires its reproducer to pass.
var knownDefects = []KnownDefect{
	{
		Name: "clock-drift-in-flight",
		Item: "issue 9, item 1: clock-rate changes with work in flight",
		Matches: func(sc *scenarios.Scenario, o Outcome) bool {
			drift := slices.ContainsFunc(sc.Spec.Faults, func(f scenarios.FaultSpec) bool { return f.Kind == string(model.FaultClockDrift) })
			switch {
			case !drift:
				return false
			case o.Class == Panic:
				return strings.HasPrefix(o.Detail, "sim.Timer.Reset")
			}
			return o.Class == Livelock || o.Class == Hang
		},
	},
	{
		// keepalived with checkScript weight 253 (the largest allowed):
		// the effective priority exceeds 255, so the master-down skew
		// (256 − priority)/256 × advert is negative. keepalived keeps an
		// effective priority within 1–254.
		Name: "vrrp-priority-overflow",
		Item: "found by the swarm, not in issue 9: keepalived effective priority not clamped, negative master-down delay",
		Matches: func(_ *scenarios.Scenario, o Outcome) bool {
			return o.Class == Panic && strings.Contains(o.Detail, "/master-down: negative delay")
		},
	},
}

// knownDefect names the known defect a failure matches, or "".
func knownDefect(sc *scenarios.Scenario, o Outcome) string {
	for _, d := range knownDefects {
		if d.Matches(sc, o) {
			return fmt.Sprintf("%s (%s)", d.Name, d.Item)
		}
	}
	return ""
}

func shortHash(b []byte) string {
	h := sha256.Sum256(b)
	return fmt.Sprintf("%x", h[:4])
}
