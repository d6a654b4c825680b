package kube

import (
	"fmt"
	"testing"
	"time"

	"hasim/sim"

	"hasim/model/etcd"
	"hasim/model/fabric"
)

// The elector alone: client-go's tryAcquireOrRenew decision against a
// lease record as read from a (fake) lease store, the candidate's clocks
// and its configuration. No cluster, no API calls.

const (
	tMe    int32 = 1
	tOther int32 = 2
	tThird int32 = 3
)

// tw is a wall-clock reading: s seconds after an arbitrary epoch.
func tw(s float64) int64 { return 1_700_000_000*int64(time.Second) + int64(s*float64(time.Second)) }

// ts is a monotonic clock reading.
func ts(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

func seenAt(r etcd.LeaseRecord, at time.Duration) leaseView { return leaseView{}.wrote(r, at) }

func TestDecideLease(t *testing.T) {
	cfg15 := LeaderElectionConfig{LeaseDuration: 15 * time.Second}
	other := etcd.LeaseRecord{Holder: tOther, DurationSec: 15, Acquire: tw(-60), Renew: tw(-1), Transitions: 3}
	mine := etcd.LeaseRecord{Holder: tMe, DurationSec: 15, Acquire: tw(-60), Renew: tw(-2), Transitions: 7}
	with := func(r etcd.LeaseRecord, f func(*etcd.LeaseRecord)) etcd.LeaseRecord { f(&r); return r }
	for _, tc := range []struct {
		name  string
		found bool
		read  etcd.LeaseRecord
		seen  leaseView
		mono  time.Duration
		wall  int64
		cfg   LeaderElectionConfig

		act       leaseAction
		write     etcd.LeaseRecord
		seenAt    time.Duration    // observedTime afterwards
		seenRec   etcd.LeaseRecord // observed record afterwards
		seenKnown bool
	}{
		{name: "no lock object: create it naming me", found: false, mono: ts(100), wall: tw(0), cfg: cfg15,
			act: leaseCreate, write: etcd.LeaseRecord{Holder: tMe, DurationSec: 15, Acquire: tw(0), Renew: tw(0)}},
		{name: "first read of another's lock: adopt it (observedTime now) and wait", found: true, read: other, mono: ts(100), wall: tw(0), cfg: cfg15,
			act: leaseWait, seenAt: ts(100), seenRec: other, seenKnown: true},
		{name: "another's lock unchanged, not run out on my clock: wait, observedTime kept", found: true, read: other,
			seen: seenAt(other, ts(90)), mono: ts(104.999), wall: tw(0), cfg: cfg15,
			act: leaseWait, seenAt: ts(90), seenRec: other, seenKnown: true},
		{name: "another's lock unchanged for its whole duration on my clock: take it over", found: true, read: other,
			seen: seenAt(other, ts(90)), mono: ts(106), wall: tw(5), cfg: cfg15,
			act: leaseAcquire, write: etcd.LeaseRecord{Holder: tMe, DurationSec: 15, Acquire: tw(5), Renew: tw(5), Transitions: 4},
			seenAt: ts(90), seenRec: other, seenKnown: true},
		{name: "observedTime + duration == now is run out (isLeaseValid is strict)", found: true, read: other,
			seen: seenAt(other, ts(90)), mono: ts(105), wall: tw(5), cfg: cfg15,
			act: leaseAcquire, write: etcd.LeaseRecord{Holder: tMe, DurationSec: 15, Acquire: tw(5), Renew: tw(5), Transitions: 4},
			seenAt: ts(90), seenRec: other, seenKnown: true},
		{name: "renewed into a new second: adopt, observedTime reset to now, wait", found: true,
			read: with(other, func(r *etcd.LeaseRecord) { r.Renew = tw(0) }), seen: seenAt(other, ts(90)), mono: ts(106), wall: tw(5), cfg: cfg15,
			act: leaseWait, seenAt: ts(106), seenRec: with(other, func(r *etcd.LeaseRecord) { r.Renew = tw(0) }), seenKnown: true},
		{name: "renewed within the same second: invisible, the lease runs out on my clock", found: true,
			read: with(other, func(r *etcd.LeaseRecord) { r.Renew = tw(-0.1) }), seen: seenAt(with(other, func(r *etcd.LeaseRecord) { r.Renew = tw(-0.9) }), ts(90)),
			mono: ts(106), wall: tw(5), cfg: cfg15,
			act: leaseAcquire, write: etcd.LeaseRecord{Holder: tMe, DurationSec: 15, Acquire: tw(5), Renew: tw(5), Transitions: 4},
			seenAt: ts(90), seenRec: with(other, func(r *etcd.LeaseRecord) { r.Renew = tw(-0.9) }), seenKnown: true},
		{name: "a new holder within the same second is a change: adopt and wait", found: true,
			read: with(other, func(r *etcd.LeaseRecord) { r.Holder = tThird }), seen: seenAt(other, ts(90)), mono: ts(106), wall: tw(5), cfg: cfg15,
			act: leaseWait, seenAt: ts(106), seenRec: with(other, func(r *etcd.LeaseRecord) { r.Holder = tThird }), seenKnown: true},
		{name: "the holder's clock an hour ahead changes nothing: expiry is on my clock", found: true,
			read: with(other, func(r *etcd.LeaseRecord) { r.Renew = tw(3600) }), seen: seenAt(with(other, func(r *etcd.LeaseRecord) { r.Renew = tw(3600) }), ts(90)),
			mono: ts(105.5), wall: tw(5), cfg: cfg15,
			act: leaseAcquire, write: etcd.LeaseRecord{Holder: tMe, DurationSec: 15, Acquire: tw(5), Renew: tw(5), Transitions: 4},
			seenAt: ts(90), seenRec: with(other, func(r *etcd.LeaseRecord) { r.Renew = tw(3600) }), seenKnown: true},
		{name: "the holder's clock an hour behind changes nothing: a fresh observation is valid", found: true,
			read: with(other, func(r *etcd.LeaseRecord) { r.Renew = tw(-3600) }), mono: ts(100), wall: tw(5), cfg: cfg15,
			act: leaseWait, seenAt: ts(100), seenRec: with(other, func(r *etcd.LeaseRecord) { r.Renew = tw(-3600) }), seenKnown: true},
		{name: "the record's duration counts, not mine (40 s written by the holder)", found: true,
			read: with(other, func(r *etcd.LeaseRecord) { r.DurationSec = 40 }), seen: seenAt(with(other, func(r *etcd.LeaseRecord) { r.DurationSec = 40 }), ts(90)),
			mono: ts(120), wall: tw(5), cfg: cfg15,
			act: leaseWait, seenAt: ts(90), seenRec: with(other, func(r *etcd.LeaseRecord) { r.DurationSec = 40 }), seenKnown: true},
		{name: "released lock (no holder): take it over at once, though its 1 s has not run out", found: true,
			read: etcd.LeaseRecord{Holder: 0, DurationSec: 1, Acquire: tw(0), Renew: tw(0), Transitions: 5}, mono: ts(100), wall: tw(0.2), cfg: cfg15,
			act: leaseAcquire, write: etcd.LeaseRecord{Holder: tMe, DurationSec: 15, Acquire: tw(0.2), Renew: tw(0.2), Transitions: 6},
			seenAt: ts(100), seenRec: etcd.LeaseRecord{Holder: 0, DurationSec: 1, Acquire: tw(0), Renew: tw(0), Transitions: 5}, seenKnown: true},
		{name: "my own lock: renew, keeping acquireTime and leaseTransitions", found: true, read: mine,
			seen: seenAt(mine, ts(98)), mono: ts(100), wall: tw(0), cfg: cfg15,
			act: leaseRenew, write: etcd.LeaseRecord{Holder: tMe, DurationSec: 15, Acquire: tw(-60), Renew: tw(0), Transitions: 7},
			seenAt: ts(98), seenRec: mine, seenKnown: true},
		{name: "my own lock run out on my clock: still a renewal, not a takeover", found: true, read: mine,
			seen: seenAt(mine, ts(10)), mono: ts(100), wall: tw(0), cfg: cfg15,
			act: leaseRenew, write: etcd.LeaseRecord{Holder: tMe, DurationSec: 15, Acquire: tw(-60), Renew: tw(0), Transitions: 7},
			seenAt: ts(10), seenRec: mine, seenKnown: true},
		{name: "leaseDurationSeconds written is my LeaseDuration truncated to whole seconds (15.9 s → 15)", found: false,
			mono: ts(100), wall: tw(0), cfg: LeaderElectionConfig{LeaseDuration: 15900 * time.Millisecond},
			act: leaseCreate, write: etcd.LeaseRecord{Holder: tMe, DurationSec: 15, Acquire: tw(0), Renew: tw(0)}},
		{name: "wall clock before the epoch: seconds floor (−0.2 s and −0.8 s are one second), no change seen", found: true,
			read: etcd.LeaseRecord{Holder: tOther, DurationSec: 15, Acquire: -int64(time.Second) / 5, Renew: -int64(time.Second) / 5},
			seen: seenAt(etcd.LeaseRecord{Holder: tOther, DurationSec: 15, Acquire: -int64(time.Second) / 5, Renew: -4 * int64(time.Second) / 5}, ts(90)),
			mono: ts(106), wall: 0, cfg: cfg15,
			act: leaseAcquire, write: etcd.LeaseRecord{Holder: tMe, DurationSec: 15, Acquire: 0, Renew: 0, Transitions: 1},
			seenAt: ts(90), seenRec: etcd.LeaseRecord{Holder: tOther, DurationSec: 15, Acquire: -int64(time.Second) / 5, Renew: -4 * int64(time.Second) / 5}, seenKnown: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := &Elector{cfg: tc.cfg}
			act, w, seen := decideLease(tc.found, tc.read, tc.seen, tc.mono, tc.wall, tMe, e.durationSec())
			if act != tc.act {
				t.Fatalf("action %v, want %v", act, tc.act)
			}
			if w != tc.write {
				t.Errorf("record to write %+v, want %+v", w, tc.write)
			}
			if seen.known != tc.seenKnown || seen.at != tc.seenAt || seen.rec != tc.seenRec || (seen.known && seen.raw != rawOf(seen.rec)) {
				t.Errorf("observed afterwards %+v, want record %+v observed at %v (known %v)", seen, tc.seenRec, tc.seenAt, tc.seenKnown)
			}
		})
	}
}

func TestFastRenew(t *testing.T) {
	mine := etcd.LeaseRecord{Holder: tMe, DurationSec: 15, Acquire: tw(-60), Renew: tw(-2), Transitions: 7}
	for _, tc := range []struct {
		name  string
		seen  leaseView
		mono  time.Duration
		ok    bool
		write etcd.LeaseRecord
	}{
		{"nothing observed since Run began: GET first", leaseView{}, ts(100), false, etcd.LeaseRecord{}},
		{"nothing observed, though the forgotten record was mine: GET first", leaseView{rec: mine, raw: rawOf(mine), at: ts(99)}, ts(100), false, etcd.LeaseRecord{}},
		{"mine and valid on my clock: write the renewal without reading", seenAt(mine, ts(90)), ts(104.9), true,
			etcd.LeaseRecord{Holder: tMe, DurationSec: 15, Acquire: tw(-60), Renew: tw(7), Transitions: 7}},
		{"mine but run out on my clock: GET first", seenAt(mine, ts(90)), ts(105), false, etcd.LeaseRecord{}},
		{"held by another: GET first", seenAt(etcd.LeaseRecord{Holder: tOther, DurationSec: 15}, ts(99)), ts(100), false, etcd.LeaseRecord{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, ok := fastRenew(tc.seen, tc.mono, tw(7), tMe)
			if ok != tc.ok || w != tc.write {
				t.Errorf("fastRenew = %+v, %v; want %+v, %v", w, ok, tc.write, tc.ok)
			}
		})
	}
}

func TestReleaseOf(t *testing.T) {
	for _, tc := range []struct {
		name  string
		found bool
		read  etcd.LeaseRecord
		ok    bool
		write etcd.LeaseRecord
	}{
		{"lock gone: nothing to release", false, etcd.LeaseRecord{}, false, etcd.LeaseRecord{}},
		{"held by another by now: leave it", true, etcd.LeaseRecord{Holder: tOther, DurationSec: 15, Transitions: 4}, false, etcd.LeaseRecord{}},
		{"still mine: clear the holder, duration 1 s, transitions kept", true,
			etcd.LeaseRecord{Holder: tMe, DurationSec: 15, Acquire: tw(-60), Renew: tw(-1), Transitions: 4}, true,
			etcd.LeaseRecord{Holder: 0, DurationSec: 1, Acquire: tw(3), Renew: tw(3), Transitions: 4}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, ok := releaseOf(tc.found, tc.read, tw(3), tMe)
			if ok != tc.ok || w != tc.write {
				t.Errorf("releaseOf = %+v, %v; want %+v, %v", w, ok, tc.write, tc.ok)
			}
		})
	}
}

// TestElectorTransitions drives every transition from every state: the
// listed ones lead where the state diagram says, every other one panics.
func TestElectorTransitions(t *testing.T) {
	transitions := []struct {
		name string
		fn   func(*Elector)
	}{
		{"started", (*Elector).started},
		{"campaignedAgain", (*Elector).campaignedAgain},
		{"crashed", func(e *Elector) { e.crashed() }},
		{"startedLeading", (*Elector).startedLeading},
		{"roundStarted", (*Elector).roundStarted},
		{"renewed", (*Elector).renewed},
		{"roundOverdue", (*Elector).roundOverdue},
		{"lost", (*Elector).lost},
		{"releaseAsked", (*Elector).releaseAsked},
		{"released", (*Elector).released},
		{"terminated", (*Elector).terminated},
		{"stoppedLeading", (*Elector).stoppedLeading},
	}
	allowed := map[string]map[electorState]electorState{
		"started":         {elOff: elAcquiring},
		"campaignedAgain": {elOff: elAcquiring, elOffReleasing: elBlocked},
		"startedLeading":  {elAcquiring: elLeading},
		"roundStarted":    {elLeading: elRenewing},
		"renewed":         {elRenewing: elLeading, elOverdue: elLeading},
		"roundOverdue":    {elRenewing: elOverdue},
		"lost":            {elRenewing: elExiting, elOverdue: elExiting},
		"releaseAsked": {elLeading: elReleasing, elRenewing: elReleasing, elOverdue: elReleasing, elReleasing: elReleasing,
			elExiting: ElExitingReleasing, ElExitingReleasing: ElExitingReleasing},
		"released":       {elReleasing: elExiting, elBlocked: elOffReleasing},
		"terminated":     {elAcquiring: elOff, elBlocked: elOffReleasing, elLeading: elExiting, elRenewing: elExiting, elOverdue: elExiting, elExiting: elExiting},
		"stoppedLeading": {elExiting: elOff, elOff: elOff, ElExitingReleasing: elOffReleasing, elOffReleasing: elOffReleasing},
		"crashed":        {},
	}
	for s := range nElectorStates {
		allowed["crashed"][s] = elOff
	}
	for _, tr := range transitions {
		for from := range nElectorStates {
			t.Run(fmt.Sprintf("%s from %s", tr.name, from), func(t *testing.T) {
				want, ok := allowed[tr.name][from]
				e := &Elector{p: &fabric.Process{Name: "kube-scheduler-m1"}, state: from}
				defer func() {
					r := recover()
					switch {
					case ok && r != nil:
						t.Errorf("panicked: %v; want %s", r, want)
					case !ok && r == nil:
						t.Errorf("led to %s; want a panic (cannot happen in %s)", e.state, from)
					case ok && e.state != want:
						t.Errorf("led to %s, want %s", e.state, want)
					}
				}()
				tr.fn(e)
			})
		}
	}
}

func TestElectorLeadingStates(t *testing.T) {
	want := map[electorState]bool{elLeading: true, elRenewing: true, elOverdue: true, elReleasing: true, elExiting: true, ElExitingReleasing: true}
	for s := range nElectorStates {
		e := &Elector{state: s}
		if e.Leading() != want[s] {
			t.Errorf("%s: Leading() = %v, want %v", s, e.Leading(), want[s])
		}
	}
}

// TestIntervalsFold: past IntervalsListed, closed intervals fold into
// totals that count them exactly, and the list stops growing.
func TestIntervalsFold(t *testing.T) {
	var v Intervals
	var want IntervalTotals
	for i := range IntervalsListed + 500 {
		from := sim.At(time.Duration(i) * time.Minute)
		d := time.Duration(1+i%7) * time.Second
		v.Track(false, true, from)
		v.Track(true, true, from.Add(d/2)) // no change
		v.Track(true, false, from.Add(d))
		want.Add(d)
	}
	v.Open(sim.At(time.Hour * 1000))
	v.Open(sim.At(time.Hour * 1001)) // already open
	if len(v.List) != IntervalsListed+1 || v.Folded.Count != 500 {
		t.Fatalf("%d listed, %d folded; want %d and 500", len(v.List), v.Folded.Count, IntervalsListed+1)
	}
	if got := v.Totals(); got != want {
		t.Errorf("totals %+v, want %+v", got, want)
	}
	v.Close(sim.At(time.Hour*1000 + 42*time.Second))
	want.Add(42 * time.Second)
	if got := v.Totals(); got != want || len(v.List) != IntervalsListed {
		t.Errorf("after closing: totals %+v (%d listed), want %+v", got, len(v.List), want)
	}
}
