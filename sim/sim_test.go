package sim_test

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"hasim/internal/golden"
	"hasim/sim"
)

// oracleTimer is the reference model of one timer: pending or not, and the
// (at, seq) key of its last arming.
type oracleTimer struct {
	pending bool
	at      sim.Time
	seq     uint64
}

// TestQueueAgainstOracle drives random Reset/Stop/Step sequences, including
// re-arms and stops from inside callbacks, and checks every fire against a
// sorted-slice oracle: the engine must fire exactly the pending timer with
// the smallest (time, arming sequence), and Pending/Stop must agree.
func TestQueueAgainstOracle(t *testing.T) {
	for seed := range uint64(200) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 7))
			s := sim.New(seed)
			const n = 40
			var seq uint64
			oracle := make([]oracleTimer, n)
			timers := make([]*sim.Timer, n)
			var fired []int
			arm := func(i int, at sim.Time) {
				seq++
				oracle[i] = oracleTimer{pending: true, at: at, seq: seq}
				timers[i].Reset(at)
			}
			stop := func(i int) {
				want := oracle[i].pending
				oracle[i].pending = false
				if got := timers[i].Stop(); got != want {
					t.Fatalf("Stop(%d) = %v, oracle says %v", i, got, want)
				}
			}
			for i := range n {
				timers[i] = s.NewTimer("t", func() {
					fired = append(fired, i)
					oracle[i].pending = false
					// Callbacks act on the queue too.
					switch r.IntN(6) {
					case 0:
						arm(i, s.Now().Add(time.Duration(r.IntN(50))))
					case 1:
						arm(r.IntN(n), s.Now().Add(time.Duration(r.IntN(50))))
					case 2:
						stop(r.IntN(n))
					case 3:
						stop(i)
					}
				})
			}
			for step := 0; step < 3000; step++ {
				switch op := r.IntN(10); {
				case op < 4:
					arm(r.IntN(n), s.Now().Add(time.Duration(r.IntN(100))))
				case op < 5:
					stop(r.IntN(n))
				default:
					// The oracle's next event: smallest (at, seq) among pending.
					next := -1
					for i, o := range oracle {
						if o.pending && (next < 0 || o.at < oracle[next].at ||
							(o.at == oracle[next].at && o.seq < oracle[next].seq)) {
							next = i
						}
					}
					fired = fired[:0]
					stepped := s.Step()
					if next < 0 {
						if stepped {
							t.Fatalf("step %d: fired %v with nothing pending", step, fired)
						}
						continue
					}
					if !stepped || len(fired) != 1 || fired[0] != next {
						t.Fatalf("step %d: fired %v, oracle says %d", step, fired, next)
					}
				}
				for i, o := range oracle {
					if timers[i].Pending() != o.pending {
						t.Fatalf("step %d: timer %d pending=%v, oracle %v", step, i, timers[i].Pending(), o.pending)
					}
				}
				count := 0
				for _, o := range oracle {
					if o.pending {
						count++
					}
				}
				if s.Pending() != count {
					t.Fatalf("step %d: %d queued, oracle %d", step, s.Pending(), count)
				}
			}
		})
	}
}

// TestSameInstantOrder: timers due at one instant fire in arming order, and
// re-arming moves a timer behind the others armed for that instant.
func TestSameInstantOrder(t *testing.T) {
	s := sim.New(1)
	var got []string
	mk := func(name string) *sim.Timer {
		return s.NewTimer(name, func() { got = append(got, name) })
	}
	a, b, c := mk("a"), mk("b"), mk("c")
	a.Reset(10)
	b.Reset(10)
	c.Reset(10)
	a.Reset(10) // re-armed last: fires last
	s.Run(sim.Bounds{Until: sim.Never})
	if want := []string{"b", "c", "a"}; !slices.Equal(got, want) {
		t.Fatalf("order %v, want %v", got, want)
	}
}

// TestBounds: a run stops at its time or event bound and says which.
func TestBounds(t *testing.T) {
	s := sim.New(1)
	var tk *sim.Timer
	tk = s.NewTimer("tick", func() { tk.ResetAfter(time.Second) })
	tk.Reset(0)
	if o := s.Run(sim.Bounds{Until: sim.At(10 * time.Second)}); o != sim.ReachedTime {
		t.Fatalf("outcome %v, want time limit", o)
	}
	if s.Now() != sim.At(10*time.Second) || s.Events() != 11 {
		t.Fatalf("now %v after %d events, want 10s after 11", s.Now(), s.Events())
	}
	if o := s.Run(sim.Bounds{Until: sim.Never, MaxEvents: 5}); o != sim.ReachedEvents || s.Events() != 16 {
		t.Fatalf("outcome %v after %d events, want event limit after 16", o, s.Events())
	}
	tk.Stop()
	if o := s.Run(sim.Bounds{Until: sim.Never}); o != sim.Drained {
		t.Fatalf("outcome %v, want drained", o)
	}
	s.After(time.Second, "stopper", s.Stop)
	s.After(2*time.Second, "later", func() {})
	if o := s.Run(sim.Bounds{Until: sim.Never}); o != sim.Stopped || s.Pending() != 1 {
		t.Fatalf("outcome %v with %d pending, want stopped with 1", o, s.Pending())
	}
}

// TestPanicsOnPast: arming in the past is a programmer error.
func TestPanicsOnPast(t *testing.T) {
	s := sim.New(1)
	s.After(time.Second, "x", func() {})
	s.Run(sim.Bounds{Until: sim.Never})
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "before now") {
			t.Fatalf("recovered %v, want a panic about the past", r)
		}
	}()
	s.NewTimer("late", func() {}).Reset(0)
}

// TestZeroAllocs: firing, re-arming and stopping timers allocate nothing
// once the queue has grown.
func TestZeroAllocs(t *testing.T) {
	s := sim.New(1)
	timers := make([]*sim.Timer, 100)
	for i := range timers {
		d := time.Duration(1000 + i)
		var tk *sim.Timer
		tk = s.NewTimer("t", func() { tk.ResetAfter(d) })
		timers[i] = tk
		tk.ResetAfter(d)
	}
	s.Run(sim.Bounds{Until: sim.Never, MaxEvents: 1000})
	i := 0
	allocs := testing.AllocsPerRun(1000, func() {
		s.Step()
		timers[i%100].Stop()
		timers[i%100].ResetAfter(500)
		timers[(i+7)%100].ResetAfter(2000)
		i++
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per step, want 0", allocs)
	}
}

// digestRun runs a small randomized workload whose schedule depends on the
// seed's streams and returns the digest of its trace.
func digestRun(seed uint64) string {
	s := sim.New(seed)
	d := sim.NewDigest()
	s.SetTracer(d)
	for i := range 20 {
		st := s.Stream(fmt.Sprintf("proc-%d", i))
		var n uint64
		var tk *sim.Timer
		tk = s.NewTimer(fmt.Sprintf("proc-%d", i), func() {
			n++
			tk.ResetAfter(time.Duration(1+st.IntN(n, 1000)) * time.Millisecond)
		})
		tk.ResetAfter(time.Duration(st.IntN(0, 1000)) * time.Millisecond)
	}
	s.Run(sim.Bounds{Until: sim.At(time.Minute)})
	return d.String()
}

// TestDeterminism: the same seed gives the same trace digest, different
// seeds give different ones, and a few digests are pinned in
// testdata/digests.golden (refresh with -update).
func TestDeterminism(t *testing.T) {
	if a, b := digestRun(1), digestRun(1); a != b {
		t.Fatalf("same seed, different digests: %s vs %s", a, b)
	}
	seen := map[string]uint64{}
	for seed := range uint64(20) {
		d := digestRun(seed)
		if other, dup := seen[d]; dup {
			t.Fatalf("seeds %d and %d share digest %s", other, seed, d)
		}
		seen[d] = seed
	}
	var b strings.Builder
	for _, seed := range []uint64{0, 1, 42, 1 << 40} {
		fmt.Fprintf(&b, "seed %d: %s\n", seed, digestRun(seed))
	}
	golden.Check(t, filepath.Join("testdata", "digests.golden"), b.String())
}
