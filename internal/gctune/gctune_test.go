package gctune

import (
	"runtime/debug"
	"testing"
)

func TestApply(t *testing.T) {
	t.Setenv("GOGC", "")
	before := debug.SetGCPercent(100)
	defer debug.SetGCPercent(before)
	restore := Apply()
	if got := debug.SetGCPercent(Percent); got != Percent {
		t.Errorf("GOGC unset: target %d, want %d", got, Percent)
	}
	restore()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("after restore: target %d, want 100", got)
	}

	t.Setenv("GOGC", "200")
	debug.SetGCPercent(200)
	Apply()()
	if got := debug.SetGCPercent(200); got != 200 {
		t.Errorf("GOGC=200 in the environment: target %d, want it left at 200", got)
	}
}
