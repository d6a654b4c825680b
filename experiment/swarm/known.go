package swarm

import (
	"crypto/sha256"
	"fmt"

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
var knownDefects = []KnownDefect{}

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
