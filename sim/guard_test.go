package sim

import (
	"strings"
	"testing"
	"time"
)

// TestLivelockGuard: a timer that re-arms itself for the same instant
// ends the run as Livelocked, naming it, instead of hanging; other timers
// due then are named too, by count, with the one that tripped the guard.
func TestLivelockGuard(t *testing.T) {
	s := New(1)
	var spin, other *Timer
	spin = s.NewTimer("client/redial", func() { spin.Reset(s.Now()) })
	other = s.NewTimer("client/other", func() { other.Reset(s.Now()) })
	tick := s.NewTimer("tick", func() {})
	tick.Reset(At(time.Second))
	spin.Reset(At(2 * time.Second))
	other.Reset(At(2 * time.Second))
	out := s.Run(Bounds{Until: At(time.Minute), MaxSameInstant: 100_000})
	if out != Livelocked {
		t.Fatalf("outcome %v, want livelocked", out)
	}
	st := s.Stall()
	if st.At != At(2*time.Second) || st.Events < 100_000 || st.Events > 100_000+CheckEvery+stallSample {
		t.Fatalf("stall %+v", st)
	}
	if len(st.Timers) != 2 || st.Timers[0].Count+st.Timers[1].Count != stallSample+1 {
		t.Fatalf("stall timers %+v", st.Timers)
	}
	if msg := st.String(); !strings.Contains(msg, "client/redial ×129") || !strings.Contains(msg, "stood still at 2.000s") {
		t.Fatalf("stall message %q", msg)
	}
}

// TestLivelockGuardSmallBound: a bound below CheckEvery is checked at its
// own grain; events spread over time never trip it.
func TestLivelockGuardSmallBound(t *testing.T) {
	s := New(1)
	var spin *Timer
	spin = s.NewTimer("spin", func() { spin.Reset(s.Now()) })
	spin.Reset(0)
	if out := s.Run(Bounds{Until: Never, MaxSameInstant: 10}); out != Livelocked || s.Stall().Events > 10+10+stallSample {
		t.Fatalf("outcome %v, stall %+v", out, s.Stall())
	}
	s = New(1)
	var step *Timer
	step = s.NewTimer("step", func() { step.ResetAfter(time.Nanosecond) })
	step.Reset(0)
	if out := s.Run(Bounds{Until: Never, MaxEvents: 1_000_000, MaxSameInstant: 2}); out != ReachedEvents {
		t.Fatalf("time advancing by 1ns each event tripped the guard: %v", out)
	}
}

// TestInterrupt: Bounds.Interrupt is asked every CheckEvery events and
// ends the run as Stopped; a run that can go on afterwards continues where
// it stopped.
func TestInterrupt(t *testing.T) {
	s := New(1)
	var tk *Timer
	n := 0
	tk = s.NewTimer("tick", func() { n++; tk.ResetAfter(time.Millisecond) })
	tk.Reset(0)
	asked := 0
	out := s.Run(Bounds{Until: Never, Interrupt: func() bool { asked++; return asked == 3 }})
	if out != Stopped || asked != 3 || s.Events() != 3*CheckEvery || n != 3*CheckEvery {
		t.Fatalf("outcome %v after %d questions and %d events", out, asked, s.Events())
	}
	if out := s.Run(Bounds{Until: Never, MaxEvents: 10}); out != ReachedEvents || s.Events() != 3*CheckEvery+10 {
		t.Fatalf("resumed run: %v, %d events", out, s.Events())
	}
}
