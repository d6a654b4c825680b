package fabric

import (
	"fmt"
	"slices"
	"sort"
	"time"

	"hasim/sim"
)

// Calendar time is true time plus the spans a run skipped. A run over
// years does not simulate the long steady stretches between failures: at
// a steady instant it skips ahead (Skip), and everything the components
// do (their timers, clocks and messages) carries on from where it was, in
// true time, which no longer counts the skipped spans. What is scheduled
// by the calendar — failures and their repairs, scripted faults, the end
// of the run — is armed on calendar timers, which a skip brings nearer in
// true time. Records and results are stated in calendar time (Calendar
// maps a true time to it).

// Calendar eras. Calendar time is int64 nanoseconds like true time, and
// ends at about 292 years; a run over a longer horizon (a thousand years)
// rebases its calendar: at a steady moment past EraLen, with no fault in
// force and no incident open, the calendar's now moves back by one era
// (Rebase), and every calendar time the run still holds (the calendar
// timers, the kept spans, whatever components registered with OnRebase)
// moves back with it. Calendar times are then stated within the current
// era; Era counts the eras before it. True time is not touched: it is
// what the components run on, and it grows by only what is simulated (a
// few hours a year).

// EraLen is the calendar's era: 50 years of 365 days. A run's calendar
// stays within about two eras of its base (a failure arrival or a repair
// is armed at most a quarter of 292 years ahead), far from the end of
// int64 nanoseconds.
const EraLen = 50 * 365 * 24 * time.Hour

// Span is one skipped stretch: at true time At, the calendar jumped D,
// to calendar time To.
type Span struct {
	At sim.Time
	D  time.Duration
	To sim.Time
}

// DefaultKeepSpans is how many of the latest skipped spans a World keeps.
// Everything a run states is stamped in calendar time when it happens
// (World.Now), so only true times a little in the past need restating: a
// probe's record reaches back to when its request was sent, a timeout at
// most, and skips are at least seconds apart. Keeping only the latest
// spans keeps a run's memory flat over any horizon.
const DefaultKeepSpans = 64

// CalendarTimer is a timer armed for a calendar time.
type CalendarTimer struct {
	w  *World
	t  *sim.Timer
	at sim.Time // calendar time it is armed for
}

// NewCalendarTimer makes a calendar timer that runs fn.
func (w *World) NewCalendarTimer(name string, fn func()) *CalendarTimer {
	t := &CalendarTimer{w: w, t: w.Sim.NewTimer(name, fn)}
	w.calTimers = append(w.calTimers, t)
	return t
}

// CalendarAt runs fn once, at calendar time at.
func (w *World) CalendarAt(at sim.Time, name string, fn func()) *CalendarTimer {
	t := &CalendarTimer{w: w, at: at}
	t.t = w.Sim.At(at.Add(-w.skipped), name, func() {
		w.forget(t)
		fn()
	})
	w.calTimers = append(w.calTimers, t)
	return t
}

// forget drops a one-off calendar timer that fired.
func (w *World) forget(t *CalendarTimer) {
	for i, x := range w.calTimers {
		if x == t {
			w.calTimers = append(w.calTimers[:i], w.calTimers[i+1:]...)
			return
		}
	}
}

// Reset arms t for calendar time at (not before the calendar's now).
func (t *CalendarTimer) Reset(at sim.Time) {
	t.at = at
	t.t.Reset(at.Add(-t.w.skipped))
}

// When is the calendar time t is armed for.
func (t *CalendarTimer) When() sim.Time { return t.at }

// Now is the calendar's now.
func (w *World) Now() sim.Time { return w.Sim.Now().Add(w.skipped) }

// Calendar is the calendar time of true time t of this run. t must be
// now, or after the oldest skip kept (KeepSpans): earlier skips are
// forgotten, and a time before them cannot be restated (a bug, which
// panics).
func (w *World) Calendar(t sim.Time) sim.Time {
	n := len(w.skips)
	if n == 0 || t >= w.skips[n-1].At {
		return t.Add(w.skipped) // the common case: now, or since the last skip
	}
	// The first kept span after t, and the calendar offset before it.
	i := sort.Search(n, func(i int) bool { return w.skips[i].At > t })
	if i == 0 && w.nskips > n {
		panic(fmt.Sprintf("fabric: calendar time of %v asked, before the oldest skip kept (%v)", t, w.skips[0].At))
	}
	s := w.skips[i]
	return t.Add(s.To.Sub(s.At) - s.D)
}

// Skipped is the calendar time skipped so far, how many spans, and the
// latest spans (KeepSpans of them). The origin is not a skip. Over several
// eras (Rebase) the time is what was skipped less Era eras: the whole is
// Era × EraSpan() plus it.
func (w *World) Skipped() (time.Duration, int, []Span) {
	return w.skipped + w.origin, w.nskips, w.skips
}

// SetOrigin puts the calendar's zero d of true time after the run's
// start: the cluster starts d before calendar time 0, and what it records
// before 0 is not kept (the watcher still sees it). Call it before the
// run, before any skip.
func (w *World) SetOrigin(d time.Duration) {
	w.skipped += w.origin - d
	w.origin = d
	for _, t := range w.calTimers {
		if t.t.Pending() {
			t.t.Reset(t.at.Add(-w.skipped))
		}
	}
}

// Origin is the true time of calendar time 0.
func (w *World) Origin() time.Duration { return w.origin }

// TrueTime is the true time at which calendar time t comes if nothing
// more is skipped.
func (w *World) TrueTime(t sim.Time) sim.Time { return t.Add(-w.skipped) }

// NextCalendarTimer is the calendar time of the earliest armed calendar
// timer.
func (w *World) NextCalendarTimer() (sim.Time, bool) {
	var next sim.Time
	found := false
	for _, t := range w.calTimers {
		if t.t.Pending() && (!found || t.at < next) {
			next, found = t.at, true
		}
	}
	return next, found
}

// OnSkip registers what a component does when a span is skipped: account
// it as its steady process would have (a probe counts the requests that
// would have succeeded). Hooks run in the order they were registered.
func (w *World) OnSkip(fn func(d time.Duration)) { w.skipHooks = append(w.skipHooks, fn) }

// Trimmer is what keeps memory for reuse beyond what a steady cluster
// needs: message pools, outgoing buffers.
type Trimmer interface{ Trim() }

// TrimAtSkip registers what a component keeps for reuse (a Pool, a
// buffer) to be trimmed at each skip: the cluster is then steady, and
// what its last transient grew is let go. Without it, a run over years
// holds, in every pool and buffer, as much as its worst transient ever
// needed, a high-water mark that keeps rising with the horizon. Trimming
// changes no result: a body or buffer let go is allocated afresh when
// next needed.
func (w *World) TrimAtSkip(t ...Trimmer) { w.trimmers = append(w.trimmers, t...) }

// Trimmers lists what TrimAtSkip registered, in order (a copy).
func (w *World) Trimmers() []Trimmer { return slices.Clone(w.trimmers) }

// Settled reports whether nothing in the fabric is recovering: every host
// up and every enabled process running, no cut or link fault installed, no
// connection broken or re-establishing, every request client settled.
func (w *World) Settled() bool {
	for _, h := range w.Hosts {
		if !h.up {
			return false
		}
	}
	for _, p := range w.Procs {
		if p.enabled && p.state != Running {
			return false
		}
	}
	if !w.Net.settled() {
		return false
	}
	for _, c := range w.rpcs {
		if !c.Settled() {
			return false
		}
	}
	return true
}

// Converged reports whether the fabric has settled into what the faults in
// force leave: nothing re-establishing that a fault no longer cuts, and
// every request client at the fixed point of its recovery (Converged). It
// is Settled's test for a degraded cluster: hosts may be down, processes
// stopped or paused and links cut, but only by faults, whose repairs the
// calendar schedules.
func (w *World) Converged() bool {
	now := w.Sim.Now()
	for i := range w.Net.connTab {
		if c := &w.Net.connTab[i]; c.made && !c.Broken && c.RestoreAt > now {
			return false
		}
	}
	for _, c := range w.rpcs {
		if !c.Converged() {
			return false
		}
	}
	return true
}

// Perturbed reports whether a fault that acts at random is in force: a
// slow disk (each fsync drawn from its distribution) or a link fault
// (latency or loss drawn per message). Quiet for a while does not mean
// quiet until its repair: the next slow fsync or lost message may come at
// any moment, so a perturbed cluster is simulated in full.
func (w *World) Perturbed() bool {
	if len(w.Net.faults) > 0 {
		return true
	}
	for _, h := range w.Hosts {
		if h.Disk != nil && len(h.Disk.Slowdowns) > 0 {
			return true
		}
	}
	return false
}

// NotePeriod records that a loop of the run repeats every d: a ticker
// (StartTicker notes its own) or a loop that re-arms itself for a fixed
// delay. A skip lands at a random phase of all of them (Periods).
func (w *World) NotePeriod(d time.Duration) {
	if d > 0 && !slices.Contains(w.periods, d) {
		w.periods = append(w.periods, d)
	}
}

// Periods are the distinct periods noted, in the order first noted.
func (w *World) Periods() []time.Duration { return w.periods }

// Skip skips d of calendar time now: calendar timers come d nearer, and
// the components account the span.
func (w *World) Skip(d time.Duration) {
	if d <= 0 {
		return
	}
	w.skipped += d
	w.nskips++
	keep := w.KeepSpans
	if keep == 0 {
		keep = DefaultKeepSpans
	}
	if keep > 0 && len(w.skips) >= keep {
		n := copy(w.skips, w.skips[len(w.skips)-keep+1:])
		w.skips = w.skips[:n]
	}
	now := w.Sim.Now()
	w.skips = append(w.skips, Span{At: now, D: d, To: now.Add(w.skipped)})
	for _, t := range w.calTimers {
		if t.t.Pending() {
			t.t.Reset(t.at.Add(-w.skipped))
		}
	}
	for _, fn := range w.skipHooks {
		fn(d)
	}
	for _, t := range w.trimmers {
		t.Trim()
	}
}

// Era is how many eras the calendar was rebased by (Rebase).
func (w *World) Era() int64 { return w.era }

// EraSpan is the span of an era: EraLen, unless SetEraSpan set another.
func (w *World) EraSpan() time.Duration {
	if w.eraSpan > 0 {
		return w.eraSpan
	}
	return EraLen
}

// SetEraSpan sets the span of an era (0: EraLen). A test sets a short one
// to rebase often. Call it before the run.
func (w *World) SetEraSpan(d time.Duration) { w.eraSpan = d }

// EraDue reports whether the calendar's now has passed its era's span,
// so that the run should rebase at its next steady moment.
func (w *World) EraDue() bool { return w.Now() >= sim.At(w.EraSpan()) }

// OnRebase registers what a component does when the calendar is rebased
// by d: move back by d every calendar time it holds and will compare with
// later ones. Hooks run in the order they were registered.
func (w *World) OnRebase(fn func(d time.Duration)) { w.rebaseHooks = append(w.rebaseHooks, fn) }

// Rebase moves the calendar back by one era: its now, its timers and its
// kept spans are stated within the next era, and the hooks move what
// components hold. The run calls it at a steady moment, with no fault in
// force and no incident open, so that no interval is open across it.
// From then on the timeline keeps no records: what it lists is stated in
// the first era's calendar.
func (w *World) Rebase() {
	d := w.EraSpan()
	w.era++
	w.skipped -= d
	for i := range w.skips {
		w.skips[i].To = w.skips[i].To.Add(-d)
	}
	for _, t := range w.calTimers {
		t.at = t.at.Add(-d) // true time, and so the engine's timer, unchanged
	}
	w.closed = true
	for _, fn := range w.rebaseHooks {
		fn(d)
	}
}
