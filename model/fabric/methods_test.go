package fabric

import (
	"testing"
	"time"

	"hasim/sim"
)

// Faults act through methods of the thing they break, each returning what
// its heal passes back. These tests check each method alone on a small
// world: hosts h1, h2, h3 in zones a, b, c and a client host in zone a,
// each host with one process that does nothing.

// testWorld builds that world and starts its processes.
func testWorld(t *testing.T) *World {
	t.Helper()
	zones := []string{"a", "b", "c"}
	hosts := []HostConfig{{Name: "h1", Zone: "a"}, {Name: "h2", Zone: "b"}, {Name: "h3", Zone: "c"}, {Name: "client", Zone: "a"}}
	w := NewWorld(1, zones, hosts, DefaultNetworkConfig())
	w.Watch = nopWatcher{}
	for _, h := range w.Hosts {
		p := w.AddProcess("p-"+h.Name, "test", h, nopHandler{})
		p.Enable()
		p.Start()
	}
	return w
}

type nopWatcher struct{}

func (nopWatcher) Recorded(Record)    {}
func (nopWatcher) LeadershipChanged() {}

type nopHandler struct{}

func (nopHandler) Start()           {}
func (nopHandler) Stop()            {}
func (nopHandler) Deliver(*Message) {}

// mustPanic fails unless fn panics.
func mustPanic(t *testing.T, what string, fn func()) {
	t.Helper()
	defer func() {
		if recover() == nil {
			t.Errorf("%s did not panic", what)
		}
	}()
	fn()
}

func TestDiskSlowRestore(t *testing.T) {
	w := testWorld(t)
	d := w.Hosts[0].Disk
	conf := d.Fsync.String()
	a, b := Fixed(100*time.Millisecond), Fixed(200*time.Millisecond)
	sa := d.Slow(a)
	sb := d.Slow(b)
	if got := d.Latency().String(); got != b.String() {
		t.Fatalf("two overrides: fsync %s, want the last (%s)", got, b)
	}
	d.Restore(sb)
	if got := d.Latency().String(); got != a.String() {
		t.Fatalf("after restoring the last: fsync %s, want %s", got, a)
	}
	sb = d.Slow(b)
	d.Restore(sa) // not the one in force: nothing changes
	if got := d.Latency().String(); got != b.String() {
		t.Fatalf("after restoring the first: fsync %s, want %s", got, b)
	}
	d.Restore(sb)
	if got := d.Latency().String(); got != conf {
		t.Fatalf("all restored: fsync %s, want the configured %s", got, conf)
	}
	mustPanic(t, "restoring an override twice", func() { d.Restore(sb) })

	// Two identical overrides are two overrides: restoring one leaves the
	// other, whichever is restored first.
	for _, firstOut := range []int{0, 1} {
		s := []*Slowdown{d.Slow(a), d.Slow(a)}
		d.Restore(s[firstOut])
		if len(d.Slowdowns) != 1 || d.Slowdowns[0] != s[1-firstOut] {
			t.Fatalf("restored override %d of two identical ones: the other is not the one left", firstOut)
		}
		if got := d.Latency().String(); got != a.String() {
			t.Fatalf("one identical override left: fsync %s, want %s", got, a)
		}
		d.Restore(s[1-firstOut])
		if got := d.Latency().String(); got != conf {
			t.Fatalf("both restored: fsync %s, want %s", got, conf)
		}
	}
}

func TestNetworkCutHeal(t *testing.T) {
	w := testWorld(t)
	n := w.Net
	h := w.Hosts
	n.Conn(0, 1) // a connection, so cuts break it and heals restore it
	one := n.Cut(h[0:1], h[1:2], true)
	if !n.Blocked(0, 1) || n.Blocked(1, 0) {
		t.Fatal("one-way cut h1→h2: want h1→h2 blocked and h2→h1 not")
	}
	if !n.Conn(0, 1).Broken {
		t.Fatal("a cut in one direction must break the connection")
	}
	both := n.Cut(h[0:1], h[1:3], false)
	if !n.Blocked(2, 0) || !n.Blocked(1, 0) {
		t.Fatal("two-way cut h1|h2,h3: want h2→h1 and h3→h1 blocked")
	}
	n.Heal(one)
	if !n.Blocked(0, 1) || !n.Conn(0, 1).Broken {
		t.Fatal("healing one of two overlapping cuts reopened what the other still cuts")
	}
	heals := n.Conn(0, 1).heals
	n.Heal(both)
	if n.Blocked(0, 1) || n.Blocked(1, 0) || n.Blocked(2, 0) {
		t.Fatal("every cut healed, yet a pair is still blocked")
	}
	if cn := n.Conn(0, 1); cn.Broken || cn.heals != heals+1 || cn.RestoreAt <= w.Sim.Now() {
		t.Fatalf("after the last heal the connection must reconnect after a delay: %+v", *cn)
	}
	mustPanic(t, "healing a cut twice", func() { n.Heal(both) })
}

func TestNetworkDegradeRestore(t *testing.T) {
	w := testWorld(t)
	n := w.Net
	h := w.Hosts
	baseLat, baseLoss := n.LinkParams(h[0], h[1])
	slow := Fixed(time.Second)
	loss := 0.5
	lat := n.Degrade(h[0:1], h[1:2], &slow, nil)
	lossy := n.Degrade(h[1:2], h[0:1], nil, &loss) // the same link, named the other way
	for _, pair := range [][2]*Host{{h[0], h[1]}, {h[1], h[0]}} {
		if l, p := n.LinkParams(pair[0], pair[1]); l.String() != slow.String() || p != loss {
			t.Fatalf("%s→%s under both link faults: latency %s, loss %g", pair[0].Name, pair[1].Name, l, p)
		}
	}
	if l, p := n.LinkParams(h[0], h[2]); l.String() != baseLat.String() || p != baseLoss {
		t.Fatalf("h1→h3 is not degraded, yet has latency %s, loss %g", l, p)
	}
	n.Restore(lat)
	if l, p := n.LinkParams(h[0], h[1]); l.String() != baseLat.String() || p != loss {
		t.Fatalf("latency fault restored: latency %s, loss %g; want %s, %g", l, p, baseLat, loss)
	}
	n.Restore(lossy)
	if l, p := n.LinkParams(h[0], h[1]); l.String() != baseLat.String() || p != baseLoss {
		t.Fatalf("all restored: latency %s, loss %g", l, p)
	}
	mustPanic(t, "restoring a link fault twice", func() { n.Restore(lossy) })
}

func TestHostCrashRepairBoot(t *testing.T) {
	w := testWorld(t)
	h := w.Hosts[0]
	p := h.Procs[0]
	w.Sim.Run(sim.Bounds{Until: sim.At(time.Second)})
	if !h.Up() || !p.Running() {
		t.Fatal("h1 and its first process should run")
	}
	if !h.Crash() || h.Up() || p.State() != Stopped {
		t.Fatal("first Crash: want the host down now and its processes stopped")
	}
	if h.Crash() {
		t.Fatal("second Crash reported taking the host down again")
	}
	if h.Repair() {
		t.Fatal("one of two holds repaired, yet Repair reports the host free")
	}
	h.Boot()
	if h.Up() {
		t.Fatal("Boot while a fault still holds the host down brought it up")
	}
	if !h.Repair() {
		t.Fatal("last hold repaired, yet Repair reports the host held")
	}
	h.Boot()
	if !h.Up() || !p.Running() {
		t.Fatal("Boot after the last repair: want the host up and its process running")
	}
	mustPanic(t, "repairing a host no fault holds", func() { h.Repair() })
}

func TestProcessHoldRelease(t *testing.T) {
	w := testWorld(t)
	p := w.Hosts[0].Procs[0]
	w.Sim.Run(sim.Bounds{Until: sim.At(time.Second)})
	p.Hold()
	p.Hold()
	p.Kill()
	p.Host.Crash()
	p.Host.Repair()
	p.Host.Boot()
	if p.State() != Stopped {
		t.Fatal("a held process was started by its host's boot")
	}
	if p.Release() {
		t.Fatal("one of two holds released, yet Release says start it")
	}
	if !p.Release() {
		t.Fatal("last hold released on an up host: Release should say start it")
	}
	p.Start()
	if !p.Running() {
		t.Fatal("released process did not start")
	}
	mustPanic(t, "releasing a process no fault holds", func() { p.Release() })
}

func TestProcessFreezeThaw(t *testing.T) {
	w := testWorld(t)
	p := w.Hosts[0].Procs[0]
	w.Sim.Run(sim.Bounds{Until: sim.At(time.Second)})
	p.Freeze()
	p.Freeze()
	if p.State() != Paused {
		t.Fatal("Freeze did not pause the process")
	}
	if p.Thaw() {
		t.Fatal("one of two freezes thawed, yet Thaw says resume it")
	}
	if !p.Thaw() {
		t.Fatal("last freeze thawed: Thaw should say resume it")
	}
	p.Resume()
	if !p.Running() {
		t.Fatal("thawed process did not resume")
	}
	mustPanic(t, "thawing a process no fault froze", func() { p.Thaw() })
}

func TestProcessAPIFaults(t *testing.T) {
	w := testWorld(t)
	p := w.AddProcess("t-client", RoleClient, w.Hosts[3], nopHandler{})
	q := w.AddProcess("t-server", RoleClient, w.Hosts[3], nopHandler{})
	for _, x := range []*Process{p, q} {
		x.Enable()
		x.Start()
	}
	fail := p.FailAPI()
	block := p.BlockAPI()
	if p.APIMode() != APIHold {
		t.Fatalf("api-error then api-block: %d in force, want the block", p.APIMode())
	}
	p.held = append(p.held, Message{Type: MsgPong, From: p, To: q})
	p.ClearAPI(fail)
	if p.APIMode() != APIHold || len(p.held) != 1 {
		t.Fatal("clearing the api-error ended the api-block still installed")
	}
	fail = p.FailAPI()
	p.ClearAPI(block)
	if p.APIMode() != APIFail || len(p.held) != 0 {
		t.Fatalf("api-block cleared under an api-error: %d in force with %d held; want the error, none held", p.APIMode(), len(p.held))
	}
	p.ClearAPI(fail)
	if p.APIMode() != APIOK {
		t.Fatal("every api fault cleared, yet one is in force")
	}
	mustPanic(t, "clearing an api fault twice", func() { p.ClearAPI(fail) })
}

func TestClockStepAndDrift(t *testing.T) {
	w := testWorld(t)
	h := w.Hosts[0]
	now := w.Sim.Now()
	mono := h.Clock.Mono(now)
	h.Clock.Step(time.Minute)
	if h.Clock.Wall(now) != mono+time.Minute || h.Clock.Mono(now) != mono {
		t.Fatal("Clock.Step must move the wall reading only")
	}
	a := h.DriftClock(2)
	b := h.DriftClock(3)
	if h.Clock.Rate != 3 {
		t.Fatalf("rate %g under two drifts, want the last (3)", h.Clock.Rate)
	}
	if r := h.RestoreClock(a); r != 3 || h.Clock.Rate != 3 {
		t.Fatalf("restoring the first drift: rate %g (returned %g), want 3 while the second is installed", h.Clock.Rate, r)
	}
	if r := h.RestoreClock(b); r != 1 || h.Clock.Rate != 1 {
		t.Fatalf("restoring both: rate %g (returned %g), want the original 1", h.Clock.Rate, r)
	}
	mustPanic(t, "restoring a drift twice", func() { h.RestoreClock(b) })
}

// TestCalendar: the calendar counts the skipped spans at or before a true
// time, and a skip brings calendar timers nearer in true time.
func TestCalendar(t *testing.T) {
	w := testWorld(t)
	fired := sim.Time(-1)
	timer := w.NewCalendarTimer("test/calendar", func() { fired = w.Sim.Now() })
	timer.Reset(sim.At(time.Hour))
	w.Sim.Run(sim.Bounds{Until: sim.At(10 * time.Second)})
	w.Skip(100 * time.Second)
	w.Sim.Run(sim.Bounds{Until: sim.At(20 * time.Second)})
	w.Skip(50 * time.Second)
	for _, c := range []struct{ at, want time.Duration }{
		{5 * time.Second, 5 * time.Second}, {10 * time.Second, 110 * time.Second}, {15 * time.Second, 115 * time.Second},
		{20 * time.Second, 170 * time.Second}, {25 * time.Second, 175 * time.Second},
	} {
		if got := w.Calendar(sim.At(c.at)); got != sim.At(c.want) {
			t.Errorf("Calendar(%v) = %v, want %v", c.at, got, c.want)
		}
	}
	if w.Now() != sim.At(170*time.Second) {
		t.Errorf("now %v on the calendar, want 170s", w.Now())
	}
	w.Sim.Run(sim.Bounds{Until: sim.At(2 * time.Hour)})
	if want := sim.At(time.Hour - 150*time.Second); fired != want || timer.When() != sim.At(time.Hour) {
		t.Errorf("the calendar timer for 1h fired at true %v, want %v", fired, want)
	}
}

// TestCalendarKeepsLatestSpans: a World keeps only its latest skipped
// spans, restates times since the oldest of them exactly, and refuses
// (panics on) an older one, whose offset it has forgotten; records are
// stamped in calendar time.
func TestCalendarKeepsLatestSpans(t *testing.T) {
	w := testWorld(t)
	w.KeepSpans = 3
	for i := range 10 {
		at := sim.At(time.Duration(i+1) * 10 * time.Second)
		w.Sim.At(at, "test/step", func() {})
		w.Sim.Run(sim.Bounds{Until: at})
		w.Skip(time.Hour)
	}
	skipped, n, spans := w.Skipped()
	if skipped != 10*time.Hour || n != 10 || len(spans) != 3 {
		t.Fatalf("skipped %v in %d spans, %d kept; want 10h, 10, 3", skipped, n, len(spans))
	}
	// The kept skips are at true 80 s, 90 s and 100 s.
	for _, c := range []struct{ at, want time.Duration }{
		{80 * time.Second, 80*time.Second + 8*time.Hour}, {85 * time.Second, 85*time.Second + 8*time.Hour},
		{95 * time.Second, 95*time.Second + 9*time.Hour}, {100 * time.Second, 100*time.Second + 10*time.Hour},
	} {
		if got := w.Calendar(sim.At(c.at)); got != sim.At(c.want) {
			t.Errorf("Calendar(%v) = %v, want %v", c.at, got, c.want)
		}
	}
	mustPanic(t, "a time before the oldest kept skip", func() { w.Calendar(sim.At(75 * time.Second)) })
	w.Record(Record{Event: "test.now"})
	w.Record(Record{Event: "test.sent", T: sim.At(95 * time.Second)})
	tl := w.Timeline()
	if len(tl) != 2 || tl[0].T != sim.At(95*time.Second+9*time.Hour) || tl[1].T != w.Now() {
		t.Errorf("records at %v and %v, want %v and %v", tl[0].T, tl[1].T, sim.At(95*time.Second+9*time.Hour), w.Now())
	}
}

// TestEnvelopesKeptAfterABurst: a burst of messages in flight at once
// (a member catching up) leaves the network at most envelopesKept spare
// envelopes, and the engine's timer slots of the others are given back;
// every message is still delivered, and the envelopes serve again.
func TestEnvelopesKeptAfterABurst(t *testing.T) {
	const burst = 1000
	w, got, send := burstWorld(t, burst)
	send()
	if *got != burst {
		t.Fatalf("%d of %d messages delivered", *got, burst)
	}
	if len(w.Net.free) != envelopesKept {
		t.Fatalf("%d spare envelopes after a burst of %d, want %d", len(w.Net.free), burst, envelopesKept)
	}
	if w.Sim.Pending() != 0 {
		t.Fatalf("%d timers still armed", w.Sim.Pending())
	}
	send()
	if *got != 2*burst || len(w.Net.free) != envelopesKept {
		t.Fatalf("second burst: %d delivered, %d spare envelopes", *got-burst, len(w.Net.free))
	}
}

// burstWorld is a test world with a process that counts what it is
// delivered, and a burst of n messages to it, run until delivered.
func burstWorld(t *testing.T, n int) (w *World, got *int, burst func()) {
	w = testWorld(t)
	got = new(int)
	to := w.AddProcess("counter", "test", w.Hosts[1], countHandler{got})
	to.Enable()
	to.Start()
	from := w.Procs[0]
	return w, got, func() {
		for range n {
			w.Net.Send(&Message{Type: MsgPing, From: from, To: to})
		}
		w.Sim.Run(sim.Bounds{Until: w.Sim.Now().Add(time.Minute)})
	}
}

type countHandler struct{ n *int }

func (countHandler) Start()             {}
func (countHandler) Stop()              {}
func (h countHandler) Deliver(*Message) { *h.n++ }

// TestSkipTrims: a skip lets go of what a burst left kept for reuse, the
// network's envelopes (their timers given back) and a registered pool's
// bodies, down to what a steady cluster needs; traffic after it still
// flows.
func TestSkipTrims(t *testing.T) {
	w, got, burst := burstWorld(t, 1000)
	var pool Pool[Message]
	w.TrimAtSkip(&pool)
	burst()
	bodies := make([]*Message, 200)
	for i := range bodies {
		bodies[i] = pool.Get()
	}
	for _, b := range bodies {
		pool.Put(b)
	}
	if len(w.Net.free) != envelopesKept || pool.Kept() != len(bodies) {
		t.Fatalf("before the skip: %d envelopes and %d bodies kept, want %d and %d", len(w.Net.free), pool.Kept(), envelopesKept, len(bodies))
	}
	w.Skip(time.Hour)
	if len(w.Net.free) != envelopesSteady || cap(w.Net.free) != envelopesSteady {
		t.Errorf("after the skip: %d envelopes kept in room for %d, want %d", len(w.Net.free), cap(w.Net.free), envelopesSteady)
	}
	if pool.Kept() != poolSteady || cap(pool.free) != poolSteady {
		t.Errorf("after the skip: %d bodies kept in room for %d, want %d", pool.Kept(), cap(pool.free), poolSteady)
	}
	burst()
	if *got != 2000 || w.Sim.Pending() != 0 {
		t.Fatalf("after the skip: %d of 2000 messages delivered, %d timers armed", *got, w.Sim.Pending())
	}
}

// TestResumeSurvivesItsDeliveries: a process resumed with messages waiting
// for it may be killed or frozen again by one of them. Killed, it drops
// the rest (the swarm found a panic here: an operation's client retired
// by the reply it was resumed to); frozen again, the rest wait, ahead of
// what comes later, and are delivered in order on the next resume.
func TestResumeSurvivesItsDeliveries(t *testing.T) {
	for _, then := range []string{"kill", "pause"} {
		t.Run(then, func(t *testing.T) {
			w := testWorld(t)
			var got []int
			to := w.AddProcess("reactor", "test", w.Hosts[1], nil)
			to.h = reactHandler{deliver: func(m *Message) {
				got = append(got, int(m.ReqID))
				if len(got) == 2 {
					if then == "kill" {
						to.Kill()
					} else {
						to.Pause()
					}
				}
			}}
			to.Enable()
			to.Start()
			from := w.Procs[0]
			to.Pause()
			for i := range 5 {
				w.Net.Send(&Message{Type: MsgPing, From: from, To: to, ReqID: uint64(i + 1)})
			}
			w.Sim.Run(sim.Bounds{Until: w.Sim.Now().Add(time.Second)})
			to.Resume()
			if then == "kill" {
				if len(got) != 2 || to.State() != Stopped || len(to.inbox) != 0 {
					t.Fatalf("delivered %v, state %v, %d waiting; want 1 2, stopped, none", got, to.State(), len(to.inbox))
				}
				return
			}
			w.Net.Send(&Message{Type: MsgPing, From: from, To: to, ReqID: 6})
			w.Sim.Run(sim.Bounds{Until: w.Sim.Now().Add(time.Second)})
			to.Resume()
			if want := []int{1, 2, 3, 4, 5, 6}; len(got) != len(want) || got[2] != 3 || got[5] != 6 || len(to.inbox) != 0 {
				t.Fatalf("delivered %v, %d waiting; want %v", got, len(to.inbox), want)
			}
		})
	}
}

type reactHandler struct{ deliver func(*Message) }

func (reactHandler) Start()               {}
func (reactHandler) Stop()                {}
func (h reactHandler) Deliver(m *Message) { h.deliver(m) }
