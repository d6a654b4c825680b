package kube

import (
	"errors"
	"fmt"
	"time"

	"hasim/model/etcd"
	"hasim/model/fabric"
	"hasim/sim"
)

// LeaderElectionConfig is client-go's leaderelection configuration
// (k8s.io/client-go/tools/leaderelection, v0.37: leaderelection.go and
// resourcelock).
type LeaderElectionConfig struct {
	// LeaseDuration, RenewDeadline and RetryPeriod; defaults 15s, 10s, 2s
	// (kube-controller-manager and kube-scheduler).
	LeaseDuration time.Duration
	RenewDeadline time.Duration
	RetryPeriod   time.Duration
	// ReleaseOnCancel: on a graceful stop the leader clears the holder
	// (kube-scheduler: true; kube-controller-manager: false).
	ReleaseOnCancel bool
	// RequestTimeout bounds each API call; default max(1s, RenewDeadline/2),
	// as resourcelock.NewFromKubeconfig sets it. A negative value means no
	// timeout (a client that never gives up on a call).
	RequestTimeout time.Duration
	// KeepCallsPastDeadline makes an API call in flight outlive its renew
	// round's deadline. Real client-go cancels it (the round's context is
	// the request's); a fake clientset, as in client-go's own tests, does
	// not. Default false.
	KeepCallsPastDeadline bool
	// StartDelay is the typical time from the process starting to its
	// first leader-election attempt (container start and the component's
	// own initialization); each start draws uniformly from 0.5 to 1.5 of
	// it. Default 2s.
	StartDelay time.Duration
	// ExitFlush is how long a leader that lost its lease keeps acting
	// before the process is gone (klog.FlushAndExit waits up to 10s).
	// Default 0.
	ExitFlush time.Duration
}

// Leader-election defaults.
const (
	DefaultLeaseDuration = 15 * time.Second
	DefaultRenewDeadline = 10 * time.Second
	DefaultRetryPeriod   = 2 * time.Second
	// JitterFactor is client-go's: acquire polls sleep RP·(1 + U·1.2).
	JitterFactor = 1.2
	// DefaultStartDelay is the time from process start to the first
	// leader-election attempt.
	DefaultStartDelay = 2 * time.Second
)

// WithDefaults fills unset fields.
func (c LeaderElectionConfig) WithDefaults() LeaderElectionConfig {
	if c.LeaseDuration == 0 {
		c.LeaseDuration = DefaultLeaseDuration
	}
	if c.RenewDeadline == 0 {
		c.RenewDeadline = DefaultRenewDeadline
	}
	if c.RetryPeriod == 0 {
		c.RetryPeriod = DefaultRetryPeriod
	}
	if c.RequestTimeout == 0 {
		c.RequestTimeout = max(time.Second, c.RenewDeadline/2)
	}
	if c.StartDelay == 0 {
		c.StartDelay = DefaultStartDelay
	}
	return c
}

// Validate applies NewLeaderElector's checks.
func (c LeaderElectionConfig) Validate() error {
	if c.LeaseDuration <= 0 || c.RenewDeadline <= 0 || c.RetryPeriod <= 0 {
		return errors.New("leaseDuration, renewDeadline and retryPeriod must all be positive")
	}
	if c.LeaseDuration <= c.RenewDeadline {
		return fmt.Errorf("leaseDuration (%v) must be greater than renewDeadline (%v)", c.LeaseDuration, c.RenewDeadline)
	}
	if float64(c.RenewDeadline) <= JitterFactor*float64(c.RetryPeriod) {
		return fmt.Errorf("renewDeadline (%v) must be greater than 1.2 × retryPeriod (%v)", c.RenewDeadline, time.Duration(JitterFactor*float64(c.RetryPeriod)))
	}
	return c.checkLimits()
}

// rawRecord is what LeaderElector compares to decide whether the record
// changed: its JSON, in which acquireTime and renewTime (metav1.Time) have
// one-second resolution. A renewal within the same wall-clock second as the
// previous one is invisible to the other candidates.
type rawRecord struct {
	holder      int32
	durationSec int32
	acquireSec  int64
	renewSec    int64
	transitions int32
}

func rawOf(r etcd.LeaseRecord) rawRecord {
	return rawRecord{r.Holder, r.DurationSec, floorSec(r.Acquire), floorSec(r.Renew), r.Transitions}
}

func floorSec(ns int64) int64 {
	s := ns / int64(time.Second)
	if ns < 0 && ns%int64(time.Second) != 0 {
		s--
	}
	return s
}

// leaseView is what a candidate knows of the lock between attempts:
// client-go's observedRecord, its one-second form (observedRawRecord) and
// observedTime, the candidate's own monotonic clock reading when it last
// saw that form change.
type leaseView struct {
	rec   etcd.LeaseRecord
	raw   rawRecord
	at    time.Duration // observedTime, on the candidate's monotonic clock
	known bool          // a record has been observed since Run began
}

// validAt is isLeaseValid: the observed record's leaseDurationSeconds,
// counted from the candidate's own observation, has not run out at mono.
// The holder's wall-clock times in the record play no part.
func (v leaseView) validAt(mono time.Duration) bool {
	return v.at+time.Duration(v.rec.DurationSec)*time.Second > mono
}

// observe takes a record read from the API: one whose one-second form
// differs from the one last seen (or the first one) is adopted with
// observedTime mono; an unchanged one leaves observedTime where it was.
func (v leaseView) observe(r etcd.LeaseRecord, mono time.Duration) leaseView {
	if !v.known || rawOf(r) != v.raw {
		return leaseView{rec: r, raw: rawOf(r), at: mono, known: true}
	}
	return v
}

// wrote takes a record the candidate itself wrote successfully: it is
// adopted with observedTime mono whatever its form (setObservedRecord).
func (v leaseView) wrote(r etcd.LeaseRecord, mono time.Duration) leaseView {
	return leaseView{rec: r, raw: rawOf(r), at: mono, known: true}
}

// leaseAction is what tryAcquireOrRenew does with the lock it has read.
type leaseAction uint8

const (
	// leaseCreate: there is no lock object; create one naming us.
	leaseCreate leaseAction = iota
	// leaseWait: another holds the lock and its lease has not run out on
	// our clock; nothing is written and the attempt fails (for a leader,
	// the renewal failed: its round retries until RenewDeadline).
	leaseWait
	// leaseAcquire: the lock is free (no holder) or its holder's lease has
	// run out on our clock; take it over with a compare-and-swap on the
	// version read: acquireTime now, leaseTransitions + 1.
	leaseAcquire
	// leaseRenew: the lock is ours; write renewTime now, keeping
	// acquireTime and leaseTransitions.
	leaseRenew
)

func (a leaseAction) String() string {
	switch a {
	case leaseCreate:
		return "create"
	case leaseWait:
		return "wait"
	case leaseAcquire:
		return "acquire"
	case leaseRenew:
		return "renew"
	}
	return fmt.Sprintf("leaseAction(%d)", uint8(a))
}

// decideLease is the decision of tryAcquireOrRenew (client-go
// tools/leaderelection) after its GET of the lock: found and read are what
// the GET returned, seen is what the candidate knew before, mono and wall
// its monotonic and wall clocks now, me its identity and durationSec the
// leaseDurationSeconds it writes. It returns the action, the record to
// write (none for leaseWait) and what the candidate knows afterwards.
func decideLease(found bool, read etcd.LeaseRecord, seen leaseView, mono time.Duration, wall int64, me, durationSec int32) (leaseAction, etcd.LeaseRecord, leaseView) {
	if !found {
		return leaseCreate, etcd.LeaseRecord{Holder: me, DurationSec: durationSec, Acquire: wall, Renew: wall}, seen
	}
	seen = seen.observe(read, mono)
	if seen.rec.Holder != 0 && seen.validAt(mono) && seen.rec.Holder != me {
		return leaseWait, etcd.LeaseRecord{}, seen
	}
	w := etcd.LeaseRecord{Holder: me, DurationSec: durationSec, Renew: wall}
	if seen.rec.Holder == me {
		w.Acquire, w.Transitions = seen.rec.Acquire, seen.rec.Transitions
		return leaseRenew, w, seen
	}
	w.Acquire, w.Transitions = wall, seen.rec.Transitions+1
	return leaseAcquire, w, seen
}

// fastRenew is the optimistic renewal of client-go ≥ 1.30: a candidate
// that holds the lock as far as it knows, with the lease still valid on its
// clock, writes the renewal without reading first (a compare-and-swap on
// the version it knows). ok false means GET first.
func fastRenew(seen leaseView, mono time.Duration, wall int64, me int32) (w etcd.LeaseRecord, ok bool) {
	if !seen.known || seen.rec.Holder != me || !seen.validAt(mono) {
		return etcd.LeaseRecord{}, false
	}
	w = seen.rec
	w.Renew = wall
	return w, true
}

// releaseOf is ReleaseOnCancel's release (client-go ≥ 1.34): after a GET,
// a lock still held by me is written back with no holder and a one-second
// duration; ok false means there is nothing to release.
func releaseOf(found bool, read etcd.LeaseRecord, wall int64, me int32) (w etcd.LeaseRecord, ok bool) {
	if !found || read.Holder != me {
		return etcd.LeaseRecord{}, false
	}
	return etcd.LeaseRecord{Holder: 0, DurationSec: 1, Acquire: wall, Renew: wall, Transitions: read.Transitions}, true
}

// attemptStep is where tryAcquireOrRenew is.
type attemptStep uint8

const (
	stepIdle    attemptStep = iota
	stepFast                // optimistic renew PUT (client-go ≥ 1.30)
	stepGet                 // GET of the lock
	stepCreate              // CREATE when not found
	stepUpdate              // PUT after the GET
	stepRelease             // release PUT (holder cleared)
	stepReleaseGet
)

// electorState is where a candidate is in client-go's Run. It changes only
// through the transition methods below, each named for what happened; a
// transition from a state in which it cannot happen is a bug and panics.
//
//	Off ──started──▶ Acquiring ──startedLeading──▶ Leading ◀──renewed── Renewing, Overdue
//	                     ▲                            │
//	                     │                      roundStarted
//	              campaignedAgain                     ▼
//	                     │                        Renewing ──roundOverdue──▶ Overdue
//	                    Off ◀──stoppedLeading── Exiting ◀──lost── Renewing, Overdue
//	Leading, Renewing, Overdue ──releaseAsked──▶ Releasing ──released──▶ Exiting
//	Exiting ──releaseAsked──▶ ExitingReleasing ──stoppedLeading──▶ OffReleasing ──campaignedAgain──▶ Blocked
//	Acquiring, Leading, Renewing, Overdue, Exiting ──terminated──▶ Off or Exiting
//	any ──crashed──▶ Off
type electorState uint8

const (
	// elOff: Run is not running: not started yet, returned, or the
	// process crashed.
	elOff electorState = iota
	// elAcquiring: polling the lock, an attempt every RetryPeriod·(1 +
	// U·1.2) until one succeeds.
	elAcquiring
	// elLeading: leading, between renew rounds (the next starts
	// RetryPeriod after the last one succeeded).
	elLeading
	// elRenewing: leading, in a renew round: an attempt every RetryPeriod
	// until one succeeds or RenewDeadline has passed.
	elRenewing
	// elOverdue: leading, the round's deadline has passed while a call
	// was in flight and kept (KeepCallsPastDeadline): its answer decides.
	elOverdue
	// elReleasing: a leader with ReleaseOnCancel asked to stop (SIGTERM)
	// is clearing the holder, bounded by RenewDeadline.
	elReleasing
	// elExiting: Run is returning (after a lost lease, during ExitFlush,
	// or after a release); the candidate still acts as leader until
	// OnStoppedLeading has run.
	elExiting
	// elExitingReleasing: SIGTERM reached a candidate in elExiting with
	// ReleaseOnCancel. Its release GET goes out and RenewDeadline is
	// armed, but the elector, already stopped, ignores the answer and the
	// deadline; ExitFlush ends it.
	ElExitingReleasing
	// elOffReleasing: Run has returned from elExitingReleasing; the
	// release is still marked as under way.
	elOffReleasing
	// elBlocked: a new Run after elOffReleasing. The release still marked
	// as under way keeps it from attempting; the release deadline or a
	// SIGTERM ends Run, a crash resets it. kube-vip no longer gets here:
	// a process asked to stop exits instead of campaigning again
	// (terminating).
	elBlocked
	nElectorStates
)

func (s electorState) String() string {
	switch s {
	case elOff:
		return "Off"
	case elAcquiring:
		return "Acquiring"
	case elLeading:
		return "Leading"
	case elRenewing:
		return "Renewing"
	case elOverdue:
		return "Overdue"
	case elReleasing:
		return "Releasing"
	case elExiting:
		return "Exiting"
	case ElExitingReleasing:
		return "ExitingReleasing"
	case elOffReleasing:
		return "OffReleasing"
	case elBlocked:
		return "Blocked"
	}
	return fmt.Sprintf("electorState(%d)", uint8(s))
}

// stateSet is a set of elector states, one bit each.
type stateSet uint16

func setOf(ss ...electorState) stateSet {
	var m stateSet
	for _, s := range ss {
		m |= 1 << s
	}
	return m
}

func (m stateSet) has(s electorState) bool { return m&(1<<s) != 0 }

const (
	// leadingStates: the candidate believes it leads (between
	// OnStartedLeading and OnStoppedLeading).
	leadingStates = stateSet(1<<elLeading | 1<<elRenewing | 1<<elOverdue | 1<<elReleasing | 1<<elExiting | 1<<ElExitingReleasing)
	// stoppedStates: Run has returned or is returning; API answers are
	// ignored.
	stoppedStates = stateSet(1<<elOff | 1<<elExiting | 1<<ElExitingReleasing | 1<<elOffReleasing)
	// inRoundStates: a renew round is under way.
	inRoundStates = stateSet(1<<elRenewing | 1<<elOverdue)
)

func (s electorState) leading() bool { return leadingStates.has(s) }
func (s electorState) stopped() bool { return stoppedStates.has(s) }

// Elector is one candidate of a leader-election group, behaving as
// client-go's LeaderElector: it acquires by polling, renews in rounds, and
// stops leading when a round fails. It is part of a process (a
// controller manager, a scheduler, kube-vip) and talks to the API through
// an rpcClient.
type Elector struct {
	g    *LeaseGroup
	p    *fabric.Process
	w    *fabric.World
	cfg  LeaderElectionConfig
	api  *fabric.RPCClient
	reqs apiRequests
	key  uint32

	me    int32 // identity of this incarnation
	state electorState

	seen    leaseView        // the lock as last observed
	lockRev uint64           // resourceVersion of the cached lock object
	newRec  etcd.LeaseRecord // the record being written

	// The attempt in flight.
	step attemptStep
	tag  uint64 // tag of the latest call

	// Loops.
	loop       *fabric.Timer
	deadline   *fabric.Timer
	roundStart time.Duration // on the host's monotonic clock
	polls      uint64
	flush      *fabric.Timer
	lostReason string
	onStop     func(reason string, graceful bool)
	onStart    func()
	identity   string // fixed identity (kube-vip: the host name); "" for host_incarnation

	// What the narration says about its decisions, in its own terms.
	observedAt sim.Time // true time at which seen.at was taken
	lastOK     sim.Time // true time of its last successful acquire or renewal
	acquireWhy string   // why its last acquisition took the lease
	roundFail  string   // why the current renew round's last attempt failed
	firstRead  bool     // observedAt was its first read of the record since Run began
}

func newElector(g *LeaseGroup, p *fabric.Process, servers []*fabric.Process, cfg LeaderElectionConfig, onStop func(string, bool)) *Elector {
	e := &Elector{g: g, p: p, w: g.w, cfg: cfg, key: g.key, onStop: onStop}
	g.w.TrimAtSkip(&e.reqs)
	e.api = fabric.NewRPCClient(p, p.Name+"/api", servers, 0, 0, e.apiDone) // client-go: HTTP/2, one connection
	e.api.LongLived(p.Name+"/api", ClientGoH2())
	e.loop = p.NewTimer(p.Name+"/leaderelection", e.onLoop)
	e.deadline = p.NewTimer(p.Name+"/renew-deadline", e.onDeadline)
	e.flush = p.NewTimer(p.Name+"/exit-flush", e.onFlushed)
	return e
}

// Leading reports whether the candidate believes it leads.
func (e *Elector) Leading() bool { return e.state.leading() }

// State is where the candidate is in Run.
func (e *Elector) State() electorState { return e.state }

// move is a transition: what happened, the states it can happen in, and
// the state it leads to.
func (e *Elector) move(what string, from stateSet, to electorState) {
	if !from.has(e.state) {
		panic(fmt.Sprintf("model.Elector %s: %s in state %s", e.p.Name, what, e.state))
	}
	e.state = to
}

// started: Run begins (the process started).
func (e *Elector) started() { e.move("started", setOf(elOff), elAcquiring) }

// campaignedAgain: a new Run in the same process (kube-vip after losing
// its lease).
func (e *Elector) campaignedAgain() {
	if e.state == elOffReleasing {
		e.move("campaignedAgain", setOf(elOffReleasing), elBlocked)
		return
	}
	e.move("campaignedAgain", setOf(elOff), elAcquiring)
}

// crashed: the process is gone, from any state. It reports whether the
// candidate believed it led.
func (e *Elector) crashed() (wasLeading bool) {
	wasLeading = e.state.leading()
	e.state = elOff
	return wasLeading
}

// startedLeading: an acquire attempt succeeded (OnStartedLeading).
func (e *Elector) startedLeading() { e.move("startedLeading", setOf(elAcquiring), elLeading) }

// roundStarted: a renew round begins.
func (e *Elector) roundStarted() { e.move("roundStarted", setOf(elLeading), elRenewing) }

// renewed: an attempt of the round succeeded (after its deadline too,
// when the call was kept).
func (e *Elector) renewed() { e.move("renewed", inRoundStates, elLeading) }

// roundOverdue: the round's deadline passed with a call in flight that is
// kept.
func (e *Elector) roundOverdue() { e.move("roundOverdue", setOf(elRenewing), elOverdue) }

// lost: the round failed; Run is returning.
func (e *Elector) lost() { e.move("lost", inRoundStates, elExiting) }

// releaseAsked: SIGTERM reached a leader with ReleaseOnCancel.
func (e *Elector) releaseAsked() {
	if e.state == elExiting || e.state == ElExitingReleasing {
		e.move("releaseAsked", setOf(elExiting, ElExitingReleasing), ElExitingReleasing)
		return
	}
	e.move("releaseAsked", setOf(elLeading, elRenewing, elOverdue, elReleasing), elReleasing)
}

// released: the release finished (cleared, not needed, failed or out of
// time); Run is returning. From elBlocked, Run returns at once.
func (e *Elector) released() {
	if e.state == elBlocked {
		e.move("released", setOf(elBlocked), elOffReleasing)
		return
	}
	e.move("released", setOf(elReleasing), elExiting)
}

// terminated: SIGTERM with nothing to release; Run is returning.
func (e *Elector) terminated() {
	switch e.state {
	case elAcquiring:
		e.move("terminated", setOf(elAcquiring), elOff)
	case elBlocked:
		e.move("terminated", setOf(elBlocked), elOffReleasing)
	default:
		e.move("terminated", setOf(elLeading, elRenewing, elOverdue, elExiting), elExiting)
	}
}

// stoppedLeading: OnStoppedLeading has run (or Run returned without
// leading).
func (e *Elector) stoppedLeading() {
	switch e.state {
	case ElExitingReleasing, elOffReleasing:
		e.move("stoppedLeading", setOf(ElExitingReleasing, elOffReleasing), elOffReleasing)
	default:
		e.move("stoppedLeading", setOf(elExiting, elOff), elOff)
	}
}

func (e *Elector) mono() time.Duration { return e.p.Host.Clock.Mono(e.p.Now()) }
func (e *Elector) wall() int64 {
	return int64(e.w.WallEpoch + e.p.Host.Clock.Wall(e.p.Now()))
}

// start begins Run: a fresh identity, nothing observed, acquire at once.
func (e *Elector) start() {
	e.api.Start()
	if e.identity != "" {
		e.me = e.w.Identity(e.identity)
	} else {
		e.me = e.w.IncarnationIdentity(e.p)
	}
	e.started()
	e.seen.known, e.lockRev, e.step = false, 0, stepIdle
	// Processes do not start in lockstep: the delay varies ±50%.
	u := e.g.stream.Sub("start").Sub(e.p.Host.Name).Float64(e.p.Incarnation())
	e.loop.After(time.Duration(float64(e.cfg.StartDelay) * (0.5 + u)))
}

// terminating reports whether Run returned after the process was asked
// to stop (SIGTERM during ExitFlush): it must not campaign again.
func (e *Elector) terminating() bool { return e.state == elOffReleasing }

// restartAfter begins a new Run in the same process after d (kube-vip
// after losing its lease).
func (e *Elector) restartAfter(d time.Duration) {
	e.campaignedAgain()
	e.seen.known, e.step = false, stepIdle
	e.loop.After(d)
}

// crash forgets everything: the process is gone.
func (e *Elector) crash() {
	if e.crashed() {
		e.g.Changed()
	}
	e.step = stepIdle
}

func (e *Elector) call(step attemptStep, verb Verb, op etcd.Op) {
	e.step = step
	e.tag++
	timeout := e.cfg.RequestTimeout
	if timeout < 0 {
		timeout = 365 * 24 * time.Hour
	}
	e.g.Requests++
	if verb == VerbWrite {
		e.g.Writes++
	}
	e.reqs.call(e.api, e.tag, verb, op, timeout, false)
}

// attempt begins tryAcquireOrRenew.
func (e *Elector) attempt() {
	if w, ok := fastRenew(e.seen, e.mono(), e.wall(), e.me); ok {
		e.newRec = w
		e.call(stepFast, VerbWrite, etcd.Op{Kind: etcd.OpUpdate, Key: e.key, Rev: e.lockRev, Val: e.newRec})
		return
	}
	e.call(stepGet, VerbGet, etcd.Op{Key: e.key})
}

// apiDone continues tryAcquireOrRenew (or a release) with an API answer.
func (e *Elector) apiDone(tag uint64, res *fabric.Message, err string) {
	r := apiBody(res)
	if tag != e.tag || e.state.stopped() {
		return // a call abandoned at a round deadline
	}
	step := e.step
	e.step = stepIdle
	switch step {
	case stepFast:
		if err == "" {
			e.adopt(e.newRec, r.Rev)
			e.attemptDone(true)
			return
		}
		e.call(stepGet, VerbGet, etcd.Op{Key: e.key}) // fall back to the slow path
	case stepGet:
		if err != "" {
			e.roundFail = "the API did not answer (" + err + ")"
			e.attemptDone(false)
			return
		}
		if r.Found {
			e.lockRev = r.Rev
		}
		before := e.seen
		act, w, seen := decideLease(r.Found, r.Val, e.seen, e.mono(), e.wall(), e.me, e.durationSec())
		e.seen = seen
		if seen.known && (!before.known || seen.at != before.at || seen.raw != before.raw) {
			e.observedAt, e.firstRead = e.p.Now(), !before.known
		}
		e.acquireWhy = e.whyTake(act, before)
		switch act {
		case leaseWait:
			e.roundFail = "another holder (the record names " + e.g.holderName(seen.rec.Holder) + ", whose lease has not run out on its clock)"
			e.attemptDone(false) // held by someone else
		case leaseCreate:
			e.newRec = w
			e.call(stepCreate, VerbWrite, etcd.Op{Kind: etcd.OpCreate, Key: e.key, Val: e.newRec})
		default:
			e.newRec = w
			e.call(stepUpdate, VerbWrite, etcd.Op{Kind: etcd.OpUpdate, Key: e.key, Rev: e.lockRev, Val: e.newRec})
		}
	case stepCreate, stepUpdate:
		if err != "" {
			e.roundFail = "its write of the record failed (" + err + ")"
			e.attemptDone(false)
			return
		}
		e.adopt(e.newRec, r.Rev)
		e.attemptDone(true)
	case stepReleaseGet:
		if err != "" {
			e.finishRelease(false)
			return
		}
		rec, ok := releaseOf(r.Found, r.Val, e.wall(), e.me)
		if !ok {
			e.finishRelease(false)
			return
		}
		e.call(stepRelease, VerbWrite, etcd.Op{Kind: etcd.OpUpdate, Key: e.key, Rev: r.Rev, Val: rec})
	case stepRelease:
		e.finishRelease(err == "")
	}
}

// durationSec is LeaseDuration as the record stores it: whole seconds,
// truncated.
func (e *Elector) durationSec() int32 { return int32(e.cfg.LeaseDuration / time.Second) }

func (e *Elector) adopt(r etcd.LeaseRecord, rev uint64) {
	e.seen, e.lockRev = e.seen.wrote(r, e.mono()), rev
	e.observedAt, e.lastOK, e.firstRead = e.p.Now(), e.p.Now(), false
}

// whyTake says, in the candidate's own terms, why an attempt that read
// the record (what it knew before: before) may take the lease.
func (e *Elector) whyTake(act leaseAction, before leaseView) string {
	switch act {
	case leaseCreate:
		return "there was no record, so it created one"
	case leaseAcquire:
		if e.seen.rec.Holder == 0 {
			return "the record was released (no holder)"
		}
		first := ""
		if e.firstRead {
			first = ": its first read since it started"
		}
		return fmt.Sprintf("the record held by %s had not changed for %s on its clock (observed at %v%s), longer than the %ds lease",
			e.g.holderName(e.seen.rec.Holder), (e.mono() - e.seen.at).Round(time.Millisecond), e.g.w.Calendar(e.observedAt), first, e.seen.rec.DurationSec)
	}
	return ""
}

// deadlineReason is why a renew round ended without a renewal.
func (e *Elector) deadlineReason() string {
	why := e.roundFail
	if why == "" {
		why = "the API did not answer before it"
	}
	return fmt.Sprintf("renew round reached its %v deadline: %s", e.cfg.RenewDeadline, why)
}

// Belief says why the candidate, which believes it leads, has not noticed
// that another holds the lease: what it is doing and when it will find out.
func (e *Elector) Belief() string {
	cal := e.g.w.Calendar // what the timeline says: calendar times
	last := "its last renewal at " + cal(e.lastOK).String()
	switch {
	case e.p.State() == fabric.Paused:
		return "it is frozen (" + last + "): it has run nothing since, so it has not read the record"
	case e.state == elLeading:
		return fmt.Sprintf("%s succeeded; its next renew round starts within %v and fails only at its %v deadline, so it acts until then",
			last, e.cfg.RetryPeriod, e.cfg.RenewDeadline)
	case e.state == elRenewing || e.state == elOverdue:
		why := ""
		if e.roundFail != "" {
			why = ", failing so far: " + e.roundFail
		}
		until := ""
		if at, ok := e.deadline.Due(); ok && at >= e.p.Now() {
			until = " at " + cal(at).String()
		}
		return fmt.Sprintf("%s; its renew round retries until its %v deadline%s%s", last, e.cfg.RenewDeadline, until, why)
	case e.state == elExiting || e.state == ElExitingReleasing:
		return "it lost the lease and keeps acting while it flushes its logs before exiting"
	case e.state == elReleasing:
		return "it is releasing the lease on shutdown"
	}
	return last
}

// Resumed says what a leader that has just resumed will do: the renew
// round it starts on resume has a fresh deadline.
func (e *Elector) Resumed() string {
	if e.state == elLeading {
		return fmt.Sprintf("its renew round starts on resume with a fresh %v deadline: it acts as leader until about %v unless it can renew",
			e.cfg.RenewDeadline, e.g.w.Now().Add(e.cfg.RenewDeadline))
	}
	return e.Belief()
}

// attemptDone continues the acquire loop or the renew round.
func (e *Elector) attemptDone(ok bool) {
	switch e.state {
	case elAcquiring:
		if ok {
			e.startLeading()
			return
		}
		// JitterUntil, sliding: sleep RP·(1 + U·1.2) after the attempt.
		e.polls++
		u := e.g.stream.Sub("poll").Sub(e.p.Name).SubN(e.p.Incarnation()).Float64(e.polls)
		e.loop.After(time.Duration(float64(e.cfg.RetryPeriod) * (1 + u*JitterFactor)))
	case elRenewing, elOverdue:
		if ok {
			// Round succeeded: the next one starts RP after this one returned.
			e.renewed()
			e.deadline.Stop()
			e.g.recordLease(EvLeaseRenewed, e, "")
			e.loop.After(e.cfg.RetryPeriod)
			return
		}
		if e.state == elOverdue {
			e.Lose(e.deadlineReason())
			return
		}
		// Next attempt on the round's RP ticker.
		next, now := e.roundStart, e.mono()
		if next <= now {
			next += ((now-next)/e.cfg.RetryPeriod + 1) * e.cfg.RetryPeriod
		}
		e.loop.AtMono(next)
	default:
		panic(fmt.Sprintf("model.Elector %s: an attempt finished in state %s", e.p.Name, e.state))
	}
}

func (e *Elector) startLeading() {
	e.startedLeading()
	e.g.recordLease(EvLeaseAcquired, e, e.acquireWhy)
	e.g.Changed()
	if e.onStart != nil {
		e.onStart()
	}
	e.StartRound()
}

// startRound begins a renew round: an attempt now, then every RP, until
// RenewDeadline has passed since the round began.
func (e *Elector) StartRound() {
	e.roundStarted()
	e.roundStart, e.roundFail = e.mono(), ""
	e.deadline.After(e.cfg.RenewDeadline)
	e.attempt()
}

func (e *Elector) onLoop() {
	switch e.state {
	case elAcquiring:
		e.attempt()
	case elLeading:
		e.StartRound()
	case elRenewing, elOverdue:
		if e.step == stepIdle {
			e.attempt()
		}
	}
}

// onDeadline ends the round: the call in flight is cancelled with the
// round's context (unless KeepCallsPastDeadline) and the leader stops. On
// a graceful stop it ends the release.
func (e *Elector) onDeadline() {
	switch e.state {
	case elReleasing, elBlocked:
		e.finishRelease(false)
	case elRenewing:
		if e.step != stepIdle {
			if e.cfg.KeepCallsPastDeadline {
				e.roundOverdue()
				return // the call decides, when it returns
			}
			e.api.Cancel(e.tag)
			e.step = stepIdle
		}
		e.Lose(e.deadlineReason())
	}
}

// lose is OnStoppedLeading after a failed round.
func (e *Elector) Lose(reason string) {
	e.loop.Stop()
	e.deadline.Stop()
	e.lost()
	e.g.recordLease(EvLeaseLost, e, reason)
	if e.cfg.ExitFlush > 0 {
		// Still acting while klog flushes; then the process exits.
		e.lostReason = reason
		e.flush.After(e.cfg.ExitFlush)
		return
	}
	e.stopLeading(reason, false)
}

func (e *Elector) onFlushed() { e.stopLeading(e.lostReason, false) }

func (e *Elector) stopLeading(reason string, graceful bool) {
	was := e.state.leading()
	e.stoppedLeading()
	if was {
		e.g.Changed()
	}
	e.onStop(reason, graceful)
}

// shutdown is a graceful stop (SIGTERM): with ReleaseOnCancel a leader
// first clears the holder (GET, then PUT if it still holds the lock, as
// client-go ≥ 1.34), bounded by RenewDeadline; then Run returns.
func (e *Elector) Shutdown() {
	e.loop.Stop()
	e.deadline.Stop()
	if e.step != stepIdle {
		e.api.Cancel(e.tag)
		e.step = stepIdle
	}
	if !e.state.leading() || !e.cfg.ReleaseOnCancel {
		e.terminated()
		e.stopLeading("stopped (SIGTERM)", true)
		return
	}
	e.releaseAsked()
	e.deadline.After(e.cfg.RenewDeadline)
	e.call(stepReleaseGet, VerbGet, etcd.Op{Key: e.key})
}

func (e *Elector) finishRelease(ok bool) {
	if e.state.stopped() {
		return
	}
	e.deadline.Stop()
	e.released()
	if ok {
		e.g.recordLease(EvLeaseReleased, e, "released on shutdown (ReleaseOnCancel)")
	}
	e.stopLeading("stopped (SIGTERM)", true)
}

// checkLimits reports leader-election timings beyond the limits: a retry
// period of at least MinPeriod, a lease of at most MaxDelay.
func (c LeaderElectionConfig) checkLimits() error {
	for _, d := range []struct {
		name   string
		v      time.Duration
		lo, hi time.Duration
	}{{"leaseDuration", c.LeaseDuration, fabric.MinPeriod, fabric.MaxDelay}, {"renewDeadline", c.RenewDeadline, fabric.MinPeriod, fabric.MaxDelay},
		{"retryPeriod", c.RetryPeriod, fabric.MinPeriod, fabric.MaxPeriod}, {"startDelay", c.StartDelay, 0, fabric.MaxDelay}, {"exitFlush", c.ExitFlush, 0, fabric.MaxDelay}} {
		if d.v < d.lo || d.v > d.hi {
			return fmt.Errorf("%s %v out of range; allowed: %v to %v", d.name, d.v, d.lo, d.hi)
		}
	}
	return nil
}
