package model

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"hasim/sim"

	"hasim/model/etcd"
	"hasim/model/fabric"
)

// Faults act through methods of the thing they break, each returning what
// its heal passes back. These tests check each method alone on a small
// built cluster, then overlapping faults of one kind healed in either
// order through a whole run.

// builtCluster is threeMembers(1) built, not run: hosts h1, h2, h3, client.
func builtCluster(t *testing.T, faults ...FaultConfig) *Cluster {
	t.Helper()
	c, err := Build(threeMembers(1, faults...))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

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

// checkAt runs check at true time d of c's run.
func checkAt(c *Cluster, d time.Duration, check func()) {
	c.Sim.At(sim.At(d), "test/check", check)
}

func TestDiskSlowRestore(t *testing.T) {
	c := builtCluster(t)
	d := c.Hosts[0].Disk
	conf := d.Fsync.String()
	a, b := fabric.Fixed(100*time.Millisecond), fabric.Fixed(200*time.Millisecond)
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
		s := []*fabric.Slowdown{d.Slow(a), d.Slow(a)}
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
	c := builtCluster(t)
	n := c.Net
	h := c.Hosts
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
	heals := n.Conn(0, 1).Heals
	n.Heal(both)
	if n.Blocked(0, 1) || n.Blocked(1, 0) || n.Blocked(2, 0) {
		t.Fatal("every cut healed, yet a pair is still blocked")
	}
	if cn := n.Conn(0, 1); cn.Broken || cn.Heals != heals+1 || cn.RestoreAt <= c.Sim.Now() {
		t.Fatalf("after the last heal the connection must reconnect after a delay: %+v", *cn)
	}
	mustPanic(t, "healing a cut twice", func() { n.Heal(both) })
}

func TestNetworkDegradeRestore(t *testing.T) {
	c := builtCluster(t)
	n := c.Net
	h := c.Hosts
	baseLat, baseLoss := n.LinkParams(h[0], h[1])
	slow := fabric.Fixed(time.Second)
	loss := 0.5
	lat := n.Degrade(h[0:1], h[1:2], &slow, nil)
	lossy := n.Degrade(h[1:2], h[0:1], nil, &loss) // the same link, named the other way
	for _, pair := range [][2]*fabric.Host{{h[0], h[1]}, {h[1], h[0]}} {
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
	c := builtCluster(t)
	h := c.Hosts[0]
	p := h.Procs[0]
	c.Sim.Run(sim.Bounds{Until: sim.At(time.Second)})
	if !h.Up() || !p.Running() {
		t.Fatal("h1 and its first process should run")
	}
	if !h.Crash() || h.Up() || p.State() != fabric.Stopped {
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
	c := builtCluster(t)
	p := c.Etcd.Members[0].Proc
	c.Sim.Run(sim.Bounds{Until: sim.At(time.Second)})
	p.Hold()
	p.Hold()
	p.Kill()
	p.Host.Crash()
	p.Host.Repair()
	p.Host.Boot()
	if p.State() != fabric.Stopped {
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
	c := builtCluster(t)
	p := c.Etcd.Members[0].Proc
	c.Sim.Run(sim.Bounds{Until: sim.At(time.Second)})
	p.Freeze()
	p.Freeze()
	if p.State() != fabric.Paused {
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
	c := builtCluster(t)
	p := c.AddProcess("t-client", "client", c.Hosts[3], &funcHandler{})
	q := c.AddProcess("t-server", "client", c.Hosts[3], &funcHandler{})
	for _, x := range []*fabric.Process{p, q} {
		x.Enable()
		x.Start()
	}
	fail := p.FailAPI()
	block := p.BlockAPI()
	if p.APIMode() != fabric.APIHold {
		t.Fatalf("api-error then api-block: %d in force, want the block", p.APIMode())
	}
	p.Held = append(p.Held, fabric.Message{Type: etcd.MsgClientReply, From: p, To: q})
	p.ClearAPI(fail)
	if p.APIMode() != fabric.APIHold || len(p.Held) != 1 {
		t.Fatal("clearing the api-error ended the api-block still installed")
	}
	fail = p.FailAPI()
	p.ClearAPI(block)
	if p.APIMode() != fabric.APIFail || len(p.Held) != 0 {
		t.Fatalf("api-block cleared under an api-error: %d in force with %d held; want the error, none held", p.APIMode(), len(p.Held))
	}
	p.ClearAPI(fail)
	if p.APIMode() != fabric.APIOK {
		t.Fatal("every api fault cleared, yet one is in force")
	}
	mustPanic(t, "clearing an api fault twice", func() { p.ClearAPI(fail) })
}

func TestClockStepAndDrift(t *testing.T) {
	c := builtCluster(t)
	h := c.Hosts[0]
	now := c.Sim.Now()
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

// overlap is two faults of one kind on one target: the first from 1s to
// 5s, the second from 2s to secondEnd (before 5s: nested; after: crossing).
func overlap(kind FaultKind, target string, secondEnd time.Duration, set func(*FaultConfig)) []FaultConfig {
	tg, err := ParseTarget(target)
	if err != nil {
		panic(err)
	}
	fs := []FaultConfig{
		{Kind: kind, Target: tg, At: time.Second, Duration: 4 * time.Second},
		{Kind: kind, Target: tg, At: 2 * time.Second, Duration: secondEnd - 2*time.Second},
	}
	for i := range fs {
		set(&fs[i])
	}
	return fs
}

// orders are the two ways two overlapping faults heal.
var orders = []struct {
	name      string
	secondEnd time.Duration
}{{"nested", 4 * time.Second}, {"crossing", 7 * time.Second}}

func TestOverlappingSlowDisks(t *testing.T) {
	fsync := fabric.Between(2*time.Second, 3*time.Second)
	for _, o := range orders {
		t.Run(o.name, func(t *testing.T) {
			c := builtCluster(t, overlap(FaultSlowDisk, "host:h1", o.secondEnd, func(f *FaultConfig) { f.Fsync = fsync })...)
			d := c.Hosts[0].Disk
			conf := d.Fsync.String()
			firstHeal, lastHeal := min(5*time.Second, o.secondEnd), max(5*time.Second, o.secondEnd)
			check := func(when time.Duration, want string, left int) {
				checkAt(c, when, func() {
					if got := d.Latency().String(); got != want || len(d.Slowdowns) != left {
						t.Errorf("at %v: fsync %s with %d overrides, want %s with %d", when, got, len(d.Slowdowns), want, left)
					}
				})
			}
			check(1500*time.Millisecond, fsync.String(), 1)
			check(3*time.Second, fsync.String(), 2)
			check(firstHeal+500*time.Millisecond, fsync.String(), 1)
			check(lastHeal+500*time.Millisecond, conf, 0)
			// The override left after the first heal is the one of the
			// fault not yet healed.
			checkAt(c, firstHeal+500*time.Millisecond, func() {
				still := c.Faults[0]
				if o.secondEnd > 5*time.Second {
					still = c.Faults[1]
				}
				if len(d.Slowdowns) == 1 && d.Slowdowns[0] != still.slow[0] {
					t.Errorf("the first heal removed the override of the fault still active")
				}
			})
			c.Run()
		})
	}
}

func TestOverlappingPartitions(t *testing.T) {
	for _, o := range orders {
		t.Run(o.name, func(t *testing.T) {
			c := builtCluster(t, overlap(FaultPartition, "host:h1", o.secondEnd, func(*FaultConfig) {})...)
			firstHeal, lastHeal := min(5*time.Second, o.secondEnd), max(5*time.Second, o.secondEnd)
			check := func(when time.Duration, cut bool) {
				checkAt(c, when, func() {
					if c.Net.Blocked(0, 1) != cut || c.Net.Blocked(2, 0) != cut || c.Net.Conn(0, 1).Broken != cut {
						t.Errorf("at %v: h1 cut off is %v, want %v", when, c.Net.Blocked(0, 1), cut)
					}
				})
			}
			check(3*time.Second, true)
			check(firstHeal+500*time.Millisecond, true)
			check(lastHeal+500*time.Millisecond, false)
			c.Run()
		})
	}
}

func TestOverlappingClockDrifts(t *testing.T) {
	for _, o := range orders {
		t.Run(o.name, func(t *testing.T) {
			fs := overlap(FaultClockDrift, "host:h1", o.secondEnd, func(*FaultConfig) {})
			fs[0].Rate, fs[1].Rate = 1.25, 1.5
			c := builtCluster(t, fs...)
			h := c.Hosts[0]
			firstHeal, lastHeal := min(5*time.Second, o.secondEnd), max(5*time.Second, o.secondEnd)
			// Nested, the second heals first and the first's rate is back;
			// crossing, the first heals first and the second's stays.
			between := 1.25
			if o.secondEnd > 5*time.Second {
				between = 1.5
			}
			check := func(when time.Duration, want float64) {
				checkAt(c, when, func() {
					if h.Clock.Rate != want {
						t.Errorf("at %v: clock rate %g, want %g", when, h.Clock.Rate, want)
					}
				})
			}
			check(1500*time.Millisecond, 1.25)
			check(3*time.Second, 1.5)
			check(firstHeal+500*time.Millisecond, between)
			check(lastHeal+500*time.Millisecond, 1)
			c.Run()
			var back []string
			for _, r := range c.Timeline() {
				if r.Event == fabric.EvClockChanged && strings.HasPrefix(r.Reason, "clock rate back") {
					back = append(back, r.Reason)
				}
			}
			want := []string{fmt.Sprintf("clock rate back to %g", between), "clock rate back to 1"}
			if strings.Join(back, "; ") != strings.Join(want, "; ") {
				t.Errorf("heals recorded %q, want %q", back, want)
			}
		})
	}
}

func TestOverlappingHostCrashes(t *testing.T) {
	for _, o := range orders {
		t.Run(o.name, func(t *testing.T) {
			c := builtCluster(t, overlap(FaultHostCrash, "host:h1", o.secondEnd, func(*FaultConfig) {})...)
			h := c.Hosts[0]
			firstHeal, lastHeal := min(5*time.Second, o.secondEnd), max(5*time.Second, o.secondEnd)
			check := func(when time.Duration, up bool) {
				checkAt(c, when, func() {
					if h.Up() != up {
						t.Errorf("at %v: h1 up %v, want %v", when, h.Up(), up)
					}
				})
			}
			check(3*time.Second, false)
			check(firstHeal+500*time.Millisecond, false)
			check(lastHeal+500*time.Millisecond, true)
			c.Run()
			var ev []string
			for _, r := range c.Timeline() {
				if r.Host == "h1" && (r.Event == fabric.EvHostDown || r.Event == fabric.EvHostUp) {
					ev = append(ev, fmt.Sprintf("%s@%v", r.Event, r.T.Sub(0)))
				}
			}
			want := []string{fabric.EvHostDown + "@1s", fmt.Sprintf("%s@%v", fabric.EvHostUp, lastHeal)}
			if strings.Join(ev, " ") != strings.Join(want, " ") {
				t.Errorf("h1 went %v, want %v", ev, want)
			}
		})
	}
}

func TestOverlappingProcessKills(t *testing.T) {
	for _, o := range orders {
		t.Run(o.name, func(t *testing.T) {
			c := builtCluster(t, overlap(FaultProcessKill, "host:h1", o.secondEnd, func(*FaultConfig) {})...)
			p := c.Etcd.Members[0].Proc
			firstHeal, lastHeal := min(5*time.Second, o.secondEnd), max(5*time.Second, o.secondEnd)
			check := func(when time.Duration, running bool) {
				checkAt(c, when, func() {
					if p.Running() != running {
						t.Errorf("at %v: %s running %v, want %v", when, p.Name, p.Running(), running)
					}
				})
			}
			check(3*time.Second, false)
			check(firstHeal+500*time.Millisecond, false)
			check(lastHeal+500*time.Millisecond, true)
			c.Run()
		})
	}
}

func TestOverlappingProcessPauses(t *testing.T) {
	for _, o := range orders {
		t.Run(o.name, func(t *testing.T) {
			c := builtCluster(t, overlap(FaultProcessPause, "host:h1", o.secondEnd, func(*FaultConfig) {})...)
			p := c.Etcd.Members[0].Proc
			firstHeal, lastHeal := min(5*time.Second, o.secondEnd), max(5*time.Second, o.secondEnd)
			check := func(when time.Duration, want fabric.ProcState) {
				checkAt(c, when, func() {
					if p.State() != want {
						t.Errorf("at %v: %s %v, want %v", when, p.Name, p.State(), want)
					}
				})
			}
			check(3*time.Second, fabric.Paused)
			check(firstHeal+500*time.Millisecond, fabric.Paused)
			check(lastHeal+500*time.Millisecond, fabric.Running)
			c.Run()
		})
	}
}
