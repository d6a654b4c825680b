package model

import (
	"time"

	"hasim/model/etcd"
	"hasim/model/fabric"
	"hasim/model/kube"

	"hasim/sim"
)

// The fast-forward. A run with failure processes spans years, of which
// the cluster spends nearly all steady: every member and process up, one
// etcd leader, every leader-elected group led, every probe succeeding,
// nothing reconnecting or backing off, no fault in force. Nothing
// observable happens then until the next failure, so the run skips ahead:
// at a steady instant it advances the calendar (fabric's calendar time)
// to shortly before the next thing the calendar schedules (a failure, a
// repair, a maintenance step, a scripted fault, the end), and the
// components carry on from their state in true time, unaware of the jump.
// What they would have counted meanwhile is added by their skip hooks (a
// probe's requests, an apiserver's ready time).
//
// The skip lands a random warm-up before the next scheduled event (drawn
// per skip from its own stream, so the draw does not depend on how many
// events ran): the failure then meets the periodic timers (etcd ticks,
// lease renewals, health checks, probes) at a random phase, as a failure
// at a random moment of a long steady stretch would.
//
// Steadiness is checked every ffCheck of true time, and the moment the
// timeline has been quiet for ffQuiet, between engine runs, so a run that
// never skips fires exactly the events it would otherwise.

const (
	// ffCheck is how often, in true time, the run looks for a steady
	// moment.
	ffCheck = 5 * time.Second
	// ffQuiet is how long the timeline must have recorded no change
	// (renewals aside) before a steady moment is looked for. What is still
	// to happen after a change is in the components' state, and the
	// predicates ask for it (Converged: every component's view agrees
	// with what it would find now); ffQuiet only spaces the looks after a
	// burst of changes. TestSkippedSpansAreQuiet finds no change in any
	// span skipped after it, nor with no quiet at all (12 s until
	// December 2026, when the predicates missed what was still under way).
	ffQuiet = time.Second
	// ffQuietDegraded is the quiet after which a cluster counts as steady
	// even if it has not Converged: a safety net for a state the
	// predicates do not know to be a fixed point. A cluster that has
	// converged — degraded by a fault in force or not: every back-off at
	// its cap, every health check agreeing with what it acted on, no
	// restart pending — is steady after ffQuiet: an outage has then
	// settled into the state it keeps until its repair.
	ffQuietDegraded = 6 * time.Minute
	// The warm-up simulated between a skip and the event it skips to is
	// drawn uniformly from a width past a start of at least ffWarmMin
	// (skipAhead). The width is the least common multiple of the periods
	// of the run's fixed loops (the tickers: etcd's tick, the probes,
	// keepalived's advert and check script, the kubelet's liveness probe,
	// the apiserver's etcd health check; the node monitor) and of
	// ffWarmFloor, so that the event meets each of them at a uniformly
	// random phase: 10 s for a stacked cluster behind HAProxy at the
	// defaults, 30 s with keepalived's 3 s check. The floor covers the
	// loops that re-arm after a jittered or variable delay (the lease
	// retry's 2 s, HAProxy's inter after each check): over 10 s their
	// phase is spread all but evenly too. Past ffWarmMax the width stays
	// there (periods with a large common multiple).
	ffWarmMin   = time.Second
	ffWarmFloor = 10 * time.Second
	ffWarmMax   = time.Minute
)

// fastForward reports whether the run skips steady stretches.
func (c *Cluster) fastForward() bool { return len(c.cfg.Failures) > 0 && !c.cfg.NoFastForward }

// runSkipping runs to the horizon in steps of at most ffCheck, skipping
// ahead at each steady step, and asks b.Interrupt after each step.
func (c *Cluster) runSkipping(b sim.Bounds) sim.Outcome {
	limit := b.MaxEvents
	for {
		horizon, beyond := c.horizon()
		end := c.TrueTime(horizon)
		step := b
		step.Until = min(end, c.nextLook())
		if fired := c.Sim.Events(); limit > 0 {
			step.MaxEvents = limit - min(limit, fired)
			if step.MaxEvents == 0 {
				return sim.ReachedEvents
			}
		}
		out := c.Sim.Run(step)
		if out != sim.ReachedTime {
			return out
		}
		if c.Sim.Now() >= end {
			if beyond {
				// Four eras without a moment to rebase at (eras.go): the
				// calendar can go no further.
				c.eraStuck = true
			}
			return sim.ReachedTime
		}
		// A step fires fewer events than the engine asks Interrupt after
		// (sim.CheckEvery), so it is asked here too: an interrupt must stop
		// a run that skips years as surely as one that does not (and a run
		// that reached its horizon is done, whatever came meanwhile).
		if b.Interrupt != nil && b.Interrupt() {
			return sim.Stopped
		}
		if c.SkipWatch != nil {
			c.SkipWatch(true)
		}
		if c.steadyNow() {
			if c.canRebase() {
				c.rebase()
			}
			c.skipAhead()
		}
		if c.SkipWatch != nil {
			c.SkipWatch(false)
		}
	}
}

// nextLook is when the run next looks for a steady moment: ffCheck on, or
// as soon as the timeline has been quiet for ffQuiet, if that is sooner.
func (c *Cluster) nextLook() sim.Time {
	next := c.Sim.Now().Add(ffCheck)
	if q := c.lastChange.Add(ffQuiet); q > c.Sim.Now() && q < next {
		next = q
	}
	return next
}

// steadyNow reports whether the cluster is steady: measurements have
// started, the timeline has recorded no change for ffQuiet, no kubeadm
// operation is under way, etcd has one leader, every leader-elected group
// one leader acting, every probe has accounted a request sent since the
// last change (a skip counts the stretch as that request ended), and the
// cluster has converged: nothing is part-way to a change, whether a fault
// is in force or not (no apiserver starting, no restart pending, every
// load balancer's backends and keepalived's master agreeing with what
// their checks would find now, every etcd member following a leader it
// reaches, every client connection ready exactly when its server can
// answer, every elector polling or renewing without a failed attempt,
// every client's redial back-off at its cap). A cluster that has not
// converged counts as steady after ffQuietDegraded of quiet anyway. A
// fault that acts at random (a slow disk, a lossy or slow link) is never
// skipped through.
func (c *Cluster) steadyNow() bool { return c.steadyAfter(ffQuiet) }

// steadyAfter is steadyNow with a quiet of least instead of ffQuiet.
func (c *Cluster) steadyAfter(least time.Duration) bool {
	// The cheap checks first: this runs every ffCheck, and Converged looks
	// at every component.
	quiet := c.Sim.Now().Sub(c.lastChange)
	if !c.Steady() || quiet < least || c.opsRunning > 0 {
		return false
	}
	if c.leaders != 1 || c.etcdBelieving != 1 {
		return false
	}
	for _, g := range c.Groups {
		if !g.Led() {
			return false
		}
	}
	for _, p := range c.Probes {
		// A skip counts the stretch as each probe's last accounted request
		// ended: that request must have met the cluster as it is now.
		if !p.Started() || p.Proc.State() == fabric.Running && !p.AccountedSince(c.lastChange) {
			return false
		}
	}
	if c.Workers != nil && !c.Workers.TriedSince(c.lastChange) {
		return false // a kubelet's next renewal may find what changed
	}
	if c.Perturbed() {
		return false
	}
	return quiet >= ffQuietDegraded && c.WorkersSettled() || c.Converged()
}

// faultInForce reports whether a fault is injected and not yet healed.
func (c *Cluster) faultInForce() bool { return c.inForce > 0 }

// pruneFaults forgets, once the fault list holds FaultsListed and a few
// hundred more, the faults after the first FaultsListed that are over
// (healed, or skipped).
// What they did is in the figures already: the incidents, the timeline's
// records, the accounting.
func (c *Cluster) pruneFaults() {
	if c.faultsKept == 0 || len(c.Faults) < c.faultsKept+c.pruneSlack {
		return
	}
	kept := c.Faults[:c.faultsKept]
	for _, f := range c.Faults[c.faultsKept:] {
		over := f.Skipped != "" || (f.injected && !f.active())
		if over {
			c.faultsGone++
		} else {
			kept = append(kept, f)
		}
	}
	clear(c.Faults[len(kept):])
	c.Faults = kept
}

// skipAhead skips to a warm-up before the next calendar event (or the
// horizon), if that is further than the longest warm-up. With the horizon
// beyond the era (eras.go), it skips no further than just past the era's
// end, where the run rebases.
func (c *Cluster) skipAhead() {
	horizon, beyond := c.horizon()
	next, ok := c.NextCalendarTimer()
	if !ok || next > horizon {
		next = horizon
	}
	now := c.Now()
	// The warm-up starts past the longest a probe's request can still be
	// in flight (c.inc.settle: its timeout plus its period), so that no
	// request sent before the skip is answered after the event: its
	// record, which reaches back to when it was sent, would straddle the
	// skipped span.
	lo := max(ffWarmMin, c.inc.settle)
	width := c.warmWidth()
	if beyond && !c.EraDue() {
		next = min(next, sim.At(c.EraSpan()+lo+width))
	}
	if next.Sub(now) <= lo+width {
		return
	}
	_, n, _ := c.Skipped()
	warm := lo + time.Duration(c.Sim.Stream("fastforward/warmup").IntN(uint64(n), int(width)))
	c.Skip(next.Sub(now) - warm)
}

// warmWidth is the width of the warm-up's draw: the least common multiple
// of ffWarmFloor and the periods of the run's loops, at most ffWarmMax.
func (c *Cluster) warmWidth() time.Duration {
	w := ffWarmFloor
	for _, d := range c.Periods() {
		if w = lcmUpTo(w, d, ffWarmMax); w == ffWarmMax {
			break
		}
	}
	return w
}

// lcmUpTo is the least common multiple of two positive durations, or
// limit if it would be at least limit (odd periods such as 5m19.99s have
// a common multiple past any time.Duration).
func lcmUpTo(a, b, limit time.Duration) time.Duration {
	x, y := a, b
	for y != 0 {
		x, y = y, x%y
	}
	if a/x >= (limit+b-1)/b {
		return limit
	}
	return min(a/x*b, limit)
}

// The warm start. A run's cluster boots from nothing when it starts:
// etcd elects its first leader, the apiservers become ready, the electors
// acquire their leases, and every loop that waited on them (health
// checks, lease renewals, node leases) starts in step with them. A fault
// scripted at a fixed time would then meet those loops at the same phase
// in every run, and a study over seeds would report too narrow a spread
// (HAProxy's first failed check after a crash at 10 s fell in a window of
// 0.4 s in half of 200 seeds). A real cluster has been running for an
// arbitrary while when a fault comes. So a run starts its cluster a
// warm-up before calendar time 0 — warmSettle for the boot to settle,
// plus a draw over 10 s, a multiple of the periods of the loops at their
// defaults (etcd's tick, probes, health checks, lease retries, the node
// monitor) — and shows and measures only from 0, where
// it records the state the cluster is in: who leads etcd and each group,
// which apiservers are ready.
const warmSettle = 15 * time.Second

// AtStart is the reason of the records that state, at calendar time 0,
// what the warm-up left.
const AtStart = "already when the run starts"

// warmStart moves the calendar's origin past the run's warm-up.
func (c *Cluster) warmStart() {
	// Over a fixed width, not the run's own (warmWidth), so that two
	// configurations compared seed by seed start their calendars alike.
	c.SetOrigin(warmSettle + time.Duration(c.Sim.Stream("warmstart").IntN(0, int(ffWarmFloor))))
	c.CalendarAt(0, "the run starts", func() {
		if c.committed && !c.Steady() {
			c.beginMeasuring()
		}
		c.recordStart()
	})
}

// recordStart records the state the warm-up left.
func (c *Cluster) recordStart() {
	for _, m := range c.Etcd.Members {
		if m.Proc.State() != fabric.Running {
			continue
		}
		switch {
		case m.State() == etcd.Leader:
			c.Record(fabric.Record{Event: etcd.EvLeader, Member: m.Name, Host: m.Proc.Host.Name, Proc: m.Proc.Name,
				Term: m.Term(), Leader: m.Name, Reason: AtStart})
		case m.State() == etcd.Follower && m.LeaderID() != 0:
			c.Record(fabric.Record{Event: etcd.EvFollower, Member: m.Name, Host: m.Proc.Host.Name, Proc: m.Proc.Name,
				Term: m.Term(), Leader: m.Peer(m.LeaderID()).Name, Reason: AtStart})
		}
	}
	for _, a := range c.APIServers {
		if a.Ready() {
			c.Record(fabric.Record{Event: kube.EvAPIReady, Proc: a.Proc.Name, Host: a.Proc.Host.Name, Reason: AtStart})
		}
	}
	for _, g := range c.Groups {
		g.RecordHolders(AtStart)
	}
}
