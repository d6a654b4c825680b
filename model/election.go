package model

import (
	"errors"
	"fmt"
	"time"
)

// LeaderElectionConfig is client-go's leaderelection configuration
// (tools/leaderelection, v0.37): shared/reference/k8s-ha-semantics.md §1.
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
	// the request's); the reference measurements used a fake clientset
	// that does not. Default false.
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

func rawOf(r LeaseRecord) rawRecord {
	return rawRecord{r.Holder, r.DurationSec, floorSec(r.Acquire), floorSec(r.Renew), r.Transitions}
}

func floorSec(ns int64) int64 {
	s := ns / int64(time.Second)
	if ns < 0 && ns%int64(time.Second) != 0 {
		s--
	}
	return s
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

// Elector is one candidate of a leader-election group, behaving as
// client-go's LeaderElector: it acquires by polling, renews in rounds, and
// stops leading when a round fails. It is part of a process (a
// controller manager, a scheduler, kube-vip) and talks to the API through
// an rpcClient.
type Elector struct {
	g   *LeaseGroup
	p   *Process
	c   *Cluster
	cfg LeaderElectionConfig
	api *rpcClient
	key uint32

	me      int32 // identity of this incarnation
	leading bool  // between OnStartedLeading and OnStoppedLeading
	stopped bool  // Run returned; the process exits

	// Observed state.
	obs     LeaseRecord
	obsRaw  rawRecord
	obsTime time.Duration // monotonic reading when the record last changed
	haveObs bool
	lockRev uint64 // resourceVersion of the cached lock object
	newRec  LeaseRecord

	// The attempt in flight.
	step attemptStep
	tag  uint64 // tag of the latest call

	// Loops.
	loop         *Timer
	deadline     *Timer
	inRound      bool
	roundStart   time.Duration // on the host's monotonic clock
	roundExpired bool
	polls        uint64
	releasing    bool
	flush        *Timer
	lostReason   string
	onStop       func(reason string, graceful bool)
	onStart      func()
	identity     string // fixed identity (kube-vip: the host name); "" for host_incarnation
}

func newElector(g *LeaseGroup, p *Process, servers []*Process, cfg LeaderElectionConfig, onStop func(string, bool)) *Elector {
	e := &Elector{g: g, p: p, c: p.c, cfg: cfg, key: g.key, onStop: onStop}
	e.api = newRPCClient(p, p.Name+"/api", servers, 0, 0, e.apiDone) // client-go: HTTP
	e.loop = p.NewTimer(p.Name+"/leaderelection", e.onLoop)
	e.deadline = p.NewTimer(p.Name+"/renew-deadline", e.onDeadline)
	e.flush = p.NewTimer(p.Name+"/exit-flush", e.onFlushed)
	return e
}

// Leading reports whether the candidate believes it leads.
func (e *Elector) Leading() bool { return e.leading }

func (e *Elector) mono() time.Duration { return e.p.Host.Clock.Mono(e.p.Now()) }
func (e *Elector) wall() int64 {
	return int64(e.c.wallEpoch + e.p.Host.Clock.Wall(e.p.Now()))
}

// valid is isLeaseValid: the observed record's duration, counted from the
// candidate's own observation, has not run out.
func (e *Elector) valid() bool {
	return e.obsTime+time.Duration(e.obs.DurationSec)*time.Second > e.mono()
}

// start begins Run: a fresh identity, nothing observed, acquire at once.
func (e *Elector) start() {
	e.api.start()
	if e.identity != "" {
		e.me = e.c.Identity(e.identity)
	} else {
		e.me = e.c.Identity(fmt.Sprintf("%s_%d", e.p.Host.Name, e.p.Incarnation()))
	}
	e.leading, e.stopped, e.haveObs, e.lockRev = false, false, false, 0
	e.step, e.inRound, e.releasing = stepIdle, false, false
	// Processes do not start in lockstep: the delay varies ±50%.
	u := e.g.stream.Sub("start").Sub(e.p.Host.Name).Float64(e.p.Incarnation())
	e.loop.After(time.Duration(float64(e.cfg.StartDelay) * (0.5 + u)))
}

// restartAfter begins a new Run in the same process after d (kube-vip
// after losing its lease).
func (e *Elector) restartAfter(d time.Duration) {
	e.stopped, e.haveObs, e.step, e.inRound = false, false, stepIdle, false
	e.loop.After(d)
}

// crash forgets everything: the process is gone.
func (e *Elector) crash() {
	if e.leading {
		e.leading = false
		e.g.changed()
	}
	e.stopped = true
	e.step = stepIdle
}

func (e *Elector) call(step attemptStep, verb Verb, op Op) {
	e.step = step
	e.tag++
	timeout := e.cfg.RequestTimeout
	if timeout < 0 {
		timeout = 365 * 24 * time.Hour
	}
	e.api.call(e.tag, Message{Type: MsgAPIRequest, Verb: verb, Op: op}, timeout, false)
}

// attempt begins tryAcquireOrRenew.
func (e *Elector) attempt() {
	if e.haveObs && e.obs.Holder == e.me && e.valid() {
		e.newRec = e.obs
		e.newRec.Renew = e.wall()
		e.call(stepFast, VerbWrite, Op{Kind: OpUpdate, Key: e.key, Rev: e.lockRev, Val: e.newRec})
		return
	}
	e.call(stepGet, VerbGet, Op{Key: e.key})
}

// apiDone continues tryAcquireOrRenew (or a release) with an API answer.
func (e *Elector) apiDone(tag uint64, res *Message, err string) {
	if tag != e.tag || e.stopped {
		return // a call abandoned at a round deadline
	}
	step := e.step
	e.step = stepIdle
	switch step {
	case stepFast:
		if err == "" {
			e.adopt(e.newRec, res.Rev)
			e.attemptDone(true)
			return
		}
		e.call(stepGet, VerbGet, Op{Key: e.key}) // fall back to the slow path
	case stepGet:
		switch {
		case err != "":
			e.attemptDone(false)
		case !res.Found:
			now := e.wall()
			e.newRec = LeaseRecord{Holder: e.me, DurationSec: e.durationSec(), Acquire: now, Renew: now}
			e.call(stepCreate, VerbWrite, Op{Kind: OpCreate, Key: e.key, Val: e.newRec})
		default:
			e.lockRev = res.Rev
			if !e.haveObs || rawOf(res.Val) != e.obsRaw {
				e.obs, e.obsRaw, e.obsTime, e.haveObs = res.Val, rawOf(res.Val), e.mono(), true
			}
			if e.obs.Holder != 0 && e.valid() && e.obs.Holder != e.me {
				e.attemptDone(false) // held by someone else
				return
			}
			now := e.wall()
			e.newRec = LeaseRecord{Holder: e.me, DurationSec: e.durationSec(), Renew: now}
			if e.obs.Holder == e.me {
				e.newRec.Acquire, e.newRec.Transitions = e.obs.Acquire, e.obs.Transitions
			} else {
				e.newRec.Acquire, e.newRec.Transitions = now, e.obs.Transitions+1
			}
			e.call(stepUpdate, VerbWrite, Op{Kind: OpUpdate, Key: e.key, Rev: e.lockRev, Val: e.newRec})
		}
	case stepCreate, stepUpdate:
		if err != "" {
			e.attemptDone(false)
			return
		}
		e.adopt(e.newRec, res.Rev)
		e.attemptDone(true)
	case stepReleaseGet:
		if err != "" || !res.Found || res.Val.Holder != e.me {
			e.finishRelease(false)
			return
		}
		now := e.wall()
		rec := LeaseRecord{Holder: 0, DurationSec: 1, Acquire: now, Renew: now, Transitions: res.Val.Transitions}
		e.call(stepRelease, VerbWrite, Op{Kind: OpUpdate, Key: e.key, Rev: res.Rev, Val: rec})
	case stepRelease:
		e.finishRelease(err == "")
	}
}

// durationSec is LeaseDuration as the record stores it: whole seconds,
// truncated.
func (e *Elector) durationSec() int32 { return int32(e.cfg.LeaseDuration / time.Second) }

func (e *Elector) adopt(r LeaseRecord, rev uint64) {
	e.obs, e.obsRaw, e.obsTime, e.haveObs, e.lockRev = r, rawOf(r), e.mono(), true, rev
}

// attemptDone continues the acquire loop or the renew round.
func (e *Elector) attemptDone(ok bool) {
	if !e.leading {
		if ok {
			e.startLeading()
			return
		}
		// JitterUntil, sliding: sleep RP·(1 + U·1.2) after the attempt.
		e.polls++
		u := e.g.stream.SubN(uint64(e.me)).Float64(e.polls)
		e.loop.After(time.Duration(float64(e.cfg.RetryPeriod) * (1 + u*JitterFactor)))
		return
	}
	if ok {
		// Round succeeded: the next one starts RP after this one returned.
		e.inRound = false
		e.deadline.Stop()
		e.c.recordLease(e.g, EvLeaseRenewed, e, "")
		e.loop.After(e.cfg.RetryPeriod)
		return
	}
	if e.roundExpired {
		e.lose("renew round reached its deadline (" + e.cfg.RenewDeadline.String() + ") without a successful renewal")
		return
	}
	// Next attempt on the round's RP ticker.
	next, now := e.roundStart, e.mono()
	if next <= now {
		next += ((now-next)/e.cfg.RetryPeriod + 1) * e.cfg.RetryPeriod
	}
	e.loop.AtMono(next)
}

func (e *Elector) startLeading() {
	e.leading = true
	e.c.recordLease(e.g, EvLeaseAcquired, e, "")
	e.g.changed()
	if e.onStart != nil {
		e.onStart()
	}
	e.startRound()
}

// startRound begins a renew round: an attempt now, then every RP, until
// RenewDeadline has passed since the round began.
func (e *Elector) startRound() {
	e.inRound, e.roundExpired = true, false
	e.roundStart = e.mono()
	e.deadline.After(e.cfg.RenewDeadline)
	e.attempt()
}

func (e *Elector) onLoop() {
	switch {
	case e.stopped || e.releasing:
	case !e.leading:
		e.attempt()
	case !e.inRound:
		e.startRound()
	case e.step == stepIdle:
		e.attempt()
	}
}

// onDeadline ends the round: the call in flight is cancelled with the
// round's context (unless KeepCallsPastDeadline) and the leader stops.
func (e *Elector) onDeadline() {
	if e.releasing {
		e.finishRelease(false)
		return
	}
	if !e.leading || !e.inRound {
		return
	}
	e.roundExpired = true
	if e.step != stepIdle {
		if e.cfg.KeepCallsPastDeadline {
			return // the call decides, when it returns
		}
		e.api.cancel(e.tag)
		e.step = stepIdle
	}
	e.lose("renew round reached its deadline (" + e.cfg.RenewDeadline.String() + ") without a successful renewal")
}

// lose is OnStoppedLeading after a failed round.
func (e *Elector) lose(reason string) {
	e.loop.Stop()
	e.deadline.Stop()
	e.stopped = true
	e.c.recordLease(e.g, EvLeaseLost, e, reason)
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
	if e.leading {
		e.leading = false
		e.g.changed()
	}
	e.onStop(reason, graceful)
}

// shutdown is a graceful stop (SIGTERM): with ReleaseOnCancel a leader
// first clears the holder (GET, then PUT if it still holds the lock, as
// client-go ≥ 1.34), bounded by RenewDeadline; then Run returns.
func (e *Elector) shutdown() {
	e.loop.Stop()
	e.deadline.Stop()
	if e.step != stepIdle {
		e.api.cancel(e.tag)
		e.step = stepIdle
	}
	if !e.leading || !e.cfg.ReleaseOnCancel {
		e.stopped = true
		e.stopLeading("stopped (SIGTERM)", true)
		return
	}
	e.releasing = true
	e.deadline.After(e.cfg.RenewDeadline)
	e.call(stepReleaseGet, VerbGet, Op{Key: e.key})
}

func (e *Elector) finishRelease(ok bool) {
	if e.stopped {
		return
	}
	e.deadline.Stop()
	e.stopped = true
	if ok {
		e.c.recordLease(e.g, EvLeaseReleased, e, "released on shutdown (ReleaseOnCancel)")
	}
	e.stopLeading("stopped (SIGTERM)", true)
}
