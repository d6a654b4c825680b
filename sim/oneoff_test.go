package sim

import (
	"slices"
	"testing"
	"time"
)

// TestOneOffTimersAreReclaimed: a long run that schedules a one-off event
// after another (a failure process over years) keeps a timer table the
// size of what is pending, not of everything ever scheduled.
func TestOneOffTimersAreReclaimed(t *testing.T) {
	s := New(1)
	n := 0
	var next func()
	next = func() {
		n++
		if n < 100_000 {
			s.After(time.Second, "failure", next)
			if n%3 == 0 {
				s.After(time.Hour, "cancelled", func() { t.Fatal("a stopped timer fired") }).Stop()
			}
		}
	}
	s.After(time.Second, "failure", next)
	s.Run(Bounds{Until: Never})
	if n != 100_000 {
		t.Fatalf("%d events fired", n)
	}
	if len(s.timers) > 4 {
		t.Fatalf("the timer table holds %d slots after 100,000 one-off timers", len(s.timers))
	}
}

// TestReleasedTimerHandle: the handle of a released one-off timer can be
// armed again (it takes a slot anew) and stopping it never touches the
// timer that took over its old slot.
func TestReleasedTimerHandle(t *testing.T) {
	s := New(1)
	fired := map[string]int{}
	a := s.At(At(time.Second), "a", func() { fired["a"]++ })
	s.Run(Bounds{Until: At(2 * time.Second)})
	b := s.At(At(3*time.Second), "b", func() { fired["b"]++ }) // takes a's old slot
	if a.Stop() || a.Pending() {
		t.Fatal("a released timer reports it was pending")
	}
	if !b.Pending() || s.Pending() != 1 {
		t.Fatal("stopping a released handle disarmed the timer in its old slot")
	}
	a.Reset(At(4 * time.Second)) // armed again: a new slot
	s.Run(Bounds{Until: Never})
	if fired["a"] != 2 || fired["b"] != 1 {
		t.Fatalf("fired %v", fired)
	}
	// A callback that re-arms its own one-off timer and then stops it.
	var c *Timer
	c = s.After(time.Second, "c", func() { c.Reset(s.Now().Add(time.Second)); c.Stop() })
	s.Run(Bounds{Until: Never})
	if c.Pending() || s.Pending() != 0 {
		t.Fatal("re-armed then stopped one-off timer is still pending")
	}
}

// TestPendingDuringCallback: the firing timer is not pending during its
// own callback unless the callback re-arms it.
func TestPendingDuringCallback(t *testing.T) {
	s := New(1)
	other := s.NewTimer("other", func() {})
	other.Reset(At(time.Hour))
	var self *Timer
	var seen []int
	self = s.NewTimer("self", func() {
		seen = append(seen, s.Pending())
		if len(seen) == 1 {
			self.ResetAfter(time.Second)
			seen = append(seen, s.Pending())
		}
	})
	self.Reset(At(time.Second))
	s.Run(Bounds{Until: At(time.Minute)})
	if len(seen) != 3 || seen[0] != 1 || seen[1] != 2 || seen[2] != 1 {
		t.Fatalf("Pending during callbacks: %v, want [1 2 1]", seen)
	}
}

// TestPrecise: traces print times to the nanosecond.
func TestPrecise(t *testing.T) {
	for _, c := range []struct {
		t    Time
		want string
	}{{0, "0.000000000s"}, {At(12*time.Second + 400*time.Millisecond + 125), "12.400000125s"}, {-1500, "-0.000001500s"}, {Never, "never"}} {
		if got := c.t.Precise(); got != c.want {
			t.Errorf("Precise(%d) = %q, want %q", int64(c.t), got, c.want)
		}
	}
}

// TestZeroUntil: Until is an instant even when it is zero: the zero
// Bounds run the events of time zero and stop there; Never is no limit.
func TestZeroUntil(t *testing.T) {
	s := New(1)
	n := 0
	s.At(0, "zero", func() { n++ })
	s.At(1, "one", func() { n++ })
	if out := s.Run(Bounds{}); out != ReachedTime || n != 1 || s.Now() != 0 {
		t.Fatalf("zero bounds: %v with %d events at %v", out, n, s.Now())
	}
	if out := s.Run(Bounds{Until: Never}); out != Drained || n != 2 {
		t.Fatalf("no limit: %v with %d events", out, n)
	}
}

// TestDiscard: a discarded timer gives its slot back, whether armed,
// stopped or firing (discarded from its own callback); it never fires
// after, the timers around it fire as before, and a Reset attaches it
// again.
func TestDiscard(t *testing.T) {
	s := New(1)
	var got []string
	note := func(name string) func() { return func() { got = append(got, name+"@"+s.Now().String()) } }
	armed := s.NewTimer("armed", func() { t.Fatal("a discarded timer fired") })
	armed.Reset(At(2 * time.Second))
	stopped := s.NewTimer("stopped", note("stopped"))
	stopped.Reset(At(time.Second))
	stopped.Stop()
	before, after := s.NewTimer("before", note("before")), s.NewTimer("after", note("after"))
	before.Reset(At(time.Second))
	after.Reset(At(3 * time.Second))
	var self *Timer
	self = s.NewTimer("self", func() { got = append(got, "self"); self.Discard() })
	self.Reset(At(time.Second))
	armed.Discard()
	stopped.Discard()
	stopped.Discard() // twice: nothing more
	if s.Pending() != 3 || armed.Pending() {
		t.Fatalf("%d pending after discarding an armed timer", s.Pending())
	}
	s.Run(Bounds{Until: Never})
	if want := []string{"before@1.000s", "self", "after@3.000s"}; !slices.Equal(got, want) {
		t.Fatalf("fired %v, want %v", got, want)
	}
	if len(s.free) != 3 || s.Pending() != 0 {
		t.Fatalf("%d slots given back, %d pending; want 3 and 0", len(s.free), s.Pending())
	}
	stopped.Reset(At(4 * time.Second)) // attached again
	s.Run(Bounds{Until: Never})
	if got[len(got)-1] != "stopped@4.000s" {
		t.Fatalf("a discarded timer armed again did not fire: %v", got)
	}
}
