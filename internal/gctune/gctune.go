// Package gctune sets how hasim's processes pace the garbage collector.
//
// A simulation's heap is mostly long-lived state (about 10 MB for a
// stacked 3-master cluster over years) plus what a transient holds for a
// while: messages in flight, buffered appends, records. With Go's default
// GOGC of 100 the heap may grow to twice what was live at the last
// collection, and a collection that falls inside a transient sets a high
// goal whose pages the runtime keeps for a while after. A long run meets
// more such collections than a short one, so the process's peak resident
// set grew with the horizon (hasim run years-stacked-3: 41 to 50 MB over
// 10 years in three identical runs, 44 MB over 100) although what it
// holds did not. At 50 the goal is half again the live heap, the peak
// stays within a few percent from 10 to 1,000 years, and the collector's
// share of the CPU stays near 1% (the run's live heap is small and
// allocates little).
package gctune

import (
	"os"
	"runtime/debug"
)

// Percent is the GOGC hasim runs with unless the environment sets one.
const Percent = 50

// Apply sets the collector's target to Percent, unless GOGC is set in the
// environment, and returns what puts the previous target back.
func Apply() (restore func()) {
	if os.Getenv("GOGC") != "" {
		return func() {}
	}
	old := debug.SetGCPercent(Percent)
	return func() { debug.SetGCPercent(old) }
}
