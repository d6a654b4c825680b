package model

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"hasim/sim"

	"hasim/model/fabric"
)

// Faults act through methods of the thing they break, each returning what
// its heal passes back (model/fabric's tests check each method alone).
// These tests check overlapping faults of one kind healed in either order
// through a whole run.

// builtCluster is threeMembers(1) built, not run: hosts h1, h2, h3, client.
func builtCluster(t *testing.T, faults ...FaultConfig) *Cluster {
	t.Helper()
	c, err := Build(threeMembers(1, faults...))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// checkAt runs check at true time d of c's run.
func checkAt(c *Cluster, d time.Duration, check func()) {
	c.Sim.At(sim.At(d), "test/check", check)
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
