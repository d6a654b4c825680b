package sim

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Sim is one simulation run: a virtual clock, a timer queue and the root
// seed of the run's random streams. The zero value is not usable; call New.
// A Sim is not safe for concurrent use.
type Sim struct {
	now    Time
	q      queue
	timers []*Timer // by id; nil for an id free for reuse
	free   []int32  // ids of released one-off timers
	seq    uint64   // scheduling sequence: incremented on every arm
	events uint64   // events fired so far
	seed   uint64
	trace  Tracer
	stop   bool
	stall  Stall  // what the last Livelocked run found
	last   *Timer // the timer fired last
}

// New returns a simulation at time zero whose random streams derive from
// seed.
func New(seed uint64) *Sim {
	return &Sim{seed: seed}
}

// Now is the current virtual time.
func (s *Sim) Now() Time { return s.now }

// Seed is the run's root seed.
func (s *Sim) Seed() uint64 { return s.seed }

// Events is the number of events fired so far.
func (s *Sim) Events() uint64 { return s.events }

// Pending is the number of armed timers. During a callback, the firing
// timer counts only if the callback re-armed it.
func (s *Sim) Pending() int {
	n := len(s.q.h)
	// An entry whose timer is not armed can only be the firing timer's,
	// which stays at the root while its callback runs (see fire).
	if n > 0 && !s.timers[s.q.h[0].id].armed {
		n--
	}
	return n
}

// SetTracer installs t to see every event from now on; nil removes it.
func (s *Sim) SetTracer(t Tracer) { s.trace = t }

// Stop makes the current Run return Stopped after the running event.
func (s *Sim) Stop() { s.stop = true }

// Timer is a cancellable, re-armable event owned by one component. It is
// created once (NewTimer) with its callback and name; Reset arms or moves
// it, Stop disarms it. Neither allocates.
//
// The zero Timer is not usable.
type Timer struct {
	sim    *Sim
	fn     func()
	name   string
	at     Time
	id     int32 // index into Sim.timers and the queue's position table; -1 once released
	armed  bool  // pending: Reset since the last fire or Stop
	oneOff bool  // made by At or After: released when it is done
}

// NewTimer returns an idle timer that calls fn when it fires. name labels
// the timer in traces ("etcd-2/tick"); it should be a constant string.
func (s *Sim) NewTimer(name string, fn func()) *Timer {
	if fn == nil {
		panic("sim.NewTimer: nil callback")
	}
	t := &Timer{sim: s, fn: fn, name: name}
	s.attach(t)
	return t
}

// attach gives t an id: a released one's, or a new one.
func (s *Sim) attach(t *Timer) {
	if n := len(s.free); n > 0 {
		t.id = s.free[n-1]
		s.free = s.free[:n-1]
		s.timers[t.id] = t
		return
	}
	t.id = s.q.add()
	s.timers = append(s.timers, t)
}

// release frees a one-off timer's id once it is neither armed nor firing,
// so that a run of years with a one-off timer per fault does not grow the
// timer table without end. Resetting a released timer attaches it again.
func (s *Sim) release(t *Timer) {
	s.timers[t.id] = nil
	s.free = append(s.free, t.id)
	t.id = -1
}

// At schedules fn once at time at and returns its timer. It allocates a new
// Timer, so it is meant for one-off events (scripted faults, setup); hot
// paths keep their own Timers and Reset them. Once the timer has fired (or
// is stopped) without being armed again, the engine reuses its slot.
func (s *Sim) At(at Time, name string, fn func()) *Timer {
	t := s.NewTimer(name, fn)
	t.oneOff = true
	t.Reset(at)
	return t
}

// After schedules fn once, d from now; see At.
func (s *Sim) After(d time.Duration, name string, fn func()) *Timer {
	return s.At(s.now.Add(d), name, fn)
}

// Name is the timer's trace label.
func (t *Timer) Name() string { return t.name }

// Pending reports whether the timer is armed.
func (t *Timer) Pending() bool { return t.armed }

// When is the time the timer is armed for; meaningful only while Pending.
func (t *Timer) When() Time { return t.at }

// Reset arms the timer to fire at at, replacing any earlier arming. at must
// not be in the past. Among timers due at the same instant, the one armed
// last fires last.
func (t *Timer) Reset(at Time) {
	s := t.sim
	if at < s.now {
		panic(fmt.Sprintf("sim.Timer.Reset: %s armed for %v, before now (%v)", t.name, at, s.now))
	}
	if t.id < 0 {
		s.attach(t)
	}
	s.seq++
	t.at = at
	t.armed = true
	if i := s.q.pos[t.id]; i >= 0 {
		s.q.fix(int(i), at, s.seq)
		return
	}
	s.q.push(entry{at: at, seq: s.seq, id: t.id})
}

// ResetAfter arms the timer to fire d from now.
func (t *Timer) ResetAfter(d time.Duration) {
	if d < 0 {
		panic(fmt.Sprintf("sim.Timer.ResetAfter: %s: negative delay %v", t.name, d))
	}
	t.Reset(t.sim.now.Add(d))
}

// Stop disarms the timer. It reports whether the timer was pending.
func (t *Timer) Stop() bool {
	if !t.armed {
		return false
	}
	t.armed = false
	if i := t.sim.q.pos[t.id]; i >= 0 {
		t.sim.q.remove(int(i))
		if t.oneOff {
			t.sim.release(t)
		}
	}
	return true
}

// Discard disarms the timer and gives its slot back to the engine, for a
// timer whose owner lets it go (a pooled object dropped rather than kept
// for reuse), so that the timer table does not keep the largest number
// of timers a run ever had. It may be called from the timer's own
// callback. Resetting a discarded timer attaches it again.
func (t *Timer) Discard() {
	if t.id < 0 {
		return
	}
	t.armed = false
	if i := t.sim.q.pos[t.id]; i >= 0 {
		t.sim.q.remove(int(i))
	}
	t.sim.release(t)
}

// Bounds limit a run. Until is always a limit (Never for none: the zero
// value stops after the events of time zero); for the other fields, zero
// means no limit of that kind.
type Bounds struct {
	Until     Time   // stop before the first event later than this instant
	MaxEvents uint64 // stop once this many events have fired in the run
	// MaxSameInstant ends the run with Livelocked once more than this many
	// events have fired without virtual time advancing: a component that
	// re-arms a timer for "now" forever would otherwise hang the run. The
	// count is checked every CheckEvery events (or every MaxSameInstant, if
	// smaller), so the run may fire up to that many more before it ends.
	MaxSameInstant uint64
	// Interrupt, if set, is asked every CheckEvery events whether to end
	// the run; true ends it with Stopped. It is how a caller stops a long
	// run from outside (an interrupt signal), so it must be cheap.
	Interrupt func() bool
}

// CheckEvery is how many events fire between two checks of the bounds
// that are not about time or counts: Bounds.Interrupt and
// Bounds.MaxSameInstant. At a few million events per second it is a few
// milliseconds of wall time.
const CheckEvery = 1 << 14

// Outcome says why a run returned.
type Outcome int

const (
	// Drained: no timer was left armed.
	Drained Outcome = iota
	// ReachedTime: the next event lies beyond Bounds.Until; the clock was
	// advanced to Until.
	ReachedTime
	// ReachedEvents: Bounds.MaxEvents events fired.
	ReachedEvents
	// Stopped: a callback called Sim.Stop, or Bounds.Interrupt said so.
	Stopped
	// Livelocked: more than Bounds.MaxSameInstant events fired at one
	// instant; Sim.Stall says where and which timers.
	Livelocked
)

func (o Outcome) String() string {
	switch o {
	case Drained:
		return "drained"
	case ReachedTime:
		return "reached time limit"
	case ReachedEvents:
		return "reached event limit"
	case Stopped:
		return "stopped"
	case Livelocked:
		return "livelocked"
	}
	return fmt.Sprintf("Outcome(%d)", int(o))
}

// Stall describes a livelock: virtual time stood still at At while Events
// events fired; Timers are the timers that fired in a sample of them, the
// most frequent first. The components that own them are re-arming for the
// same instant.
type Stall struct {
	At     Time
	Events uint64
	Timers []TimerCount
}

// TimerCount is how often one timer (by name) fired in a sample.
type TimerCount struct {
	Name  string
	Count int
}

func (st Stall) String() string {
	var b []byte
	for i, t := range st.Timers {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = fmt.Appendf(b, "%s ×%d", t.Name, t.Count)
	}
	return fmt.Sprintf("virtual time stood still at %v for %d events; timers re-armed for that instant: %s", st.At, st.Events, b)
}

// Stall is the livelock the last run that returned Livelocked found.
func (s *Sim) Stall() Stall { return s.stall }

// stallSample is how many more events a livelocked run fires, counting
// them per timer, to name the timers that keep re-arming.
const stallSample = 256

// Run fires events in (time, sequence) order until a bound is reached, the
// queue drains, a callback calls Stop, Bounds.Interrupt says so or time
// stands still for more than Bounds.MaxSameInstant events.
func (s *Sim) Run(b Bounds) Outcome {
	until := b.Until
	limit := s.events + b.MaxEvents
	if b.MaxEvents == 0 || limit < s.events {
		limit = ^uint64(0)
	}
	every := uint64(CheckEvery)
	if b.MaxSameInstant > 0 && b.MaxSameInstant < every {
		every = b.MaxSameInstant
	}
	s.stop = false
	stillAt, stillFrom := s.now, s.events // time last seen to move, and the event count then
	for {
		// Fire until the next check; the inner loop is the hot path and
		// tests only what it must.
		check := s.events + every
		if check > limit || check < s.events {
			check = limit
		}
		for {
			if len(s.q.h) == 0 {
				return Drained
			}
			if s.q.h[0].at > until {
				s.now = until
				return ReachedTime
			}
			if s.events >= check {
				break
			}
			s.fire()
			if s.stop {
				s.stop = false
				return Stopped
			}
		}
		if s.events >= limit {
			return ReachedEvents
		}
		if b.Interrupt != nil && b.Interrupt() {
			return Stopped
		}
		if s.now != stillAt {
			stillAt, stillFrom = s.now, s.events
		} else if b.MaxSameInstant > 0 && s.events-stillFrom >= b.MaxSameInstant {
			s.stall = s.sampleStall(stillAt, s.events-stillFrom)
			return Livelocked
		}
	}
}

// sampleStall fires up to stallSample more events at instant at and
// counts them per timer name, with the one that fired last, when the
// guard tripped.
func (s *Sim) sampleStall(at Time, events uint64) Stall {
	st := Stall{At: at}
	if s.last != nil {
		st.Timers = append(st.Timers, TimerCount{s.last.name, 1})
	}
	for range stallSample {
		if len(s.q.h) == 0 || s.q.h[0].at != at {
			break
		}
		name := s.timers[s.q.h[0].id].name
		if i := slices.IndexFunc(st.Timers, func(t TimerCount) bool { return t.Name == name }); i >= 0 {
			st.Timers[i].Count++
		} else {
			st.Timers = append(st.Timers, TimerCount{name, 1})
		}
		s.fire()
		events++
	}
	st.Events = events
	slices.SortFunc(st.Timers, func(a, b TimerCount) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return strings.Compare(a.Name, b.Name)
	})
	return st
}

// Step fires the next event, if any, and reports whether it did.
func (s *Sim) Step() bool {
	if len(s.q.h) == 0 {
		return false
	}
	s.fire()
	return true
}

// fire runs the earliest timer. The entry stays at the root while its
// callback runs: nothing armed meanwhile can sort before it, since every new
// key is at or after now with a larger sequence. If the callback re-arms the
// timer, the root entry is updated in place (one sift instead of a pop and a
// push); otherwise it is removed afterwards.
func (s *Sim) fire() {
	e := &s.q.h[0]
	t := s.timers[e.id]
	s.last = t
	s.now = e.at
	s.events++
	t.armed = false
	if s.trace != nil {
		s.trace.Event(Event{At: e.at, Seq: e.seq, Name: t.name})
	}
	t.fn()
	if !t.armed && t.id >= 0 { // (a callback that re-armed and then stopped a one-off released it already)
		if i := s.q.pos[t.id]; i >= 0 {
			s.q.remove(int(i))
		}
		if t.oneOff {
			s.release(t)
		}
	}
}

// Event is what a Tracer sees of each fired timer.
type Event struct {
	At   Time
	Seq  uint64 // scheduling sequence of the arming that fired
	Name string // the timer's label
}

// Tracer receives every event a Sim fires, in firing order.
type Tracer interface {
	Event(Event)
}
