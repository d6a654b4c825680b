package swarm

import (
	"crypto/sha256"
	"fmt"
	"regexp"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"time"

	"hasim/model"
	"hasim/model/fabric"
	"hasim/scenarios"
	"hasim/sim"
)

// Class is how a case ended.
type Class string

// Classes of outcome. Everything but OK is a failure.
const (
	OK Class = "ok"
	// Invalid: the generator drew a case the loader rejects (a generator
	// bug, counted apart from the simulator's failures).
	Invalid Class = "invalid"
	// Panic: the run panicked; the stack is kept.
	Panic Class = "panic"
	// Violation: a safety invariant broke (model.Result.Violations).
	Violation Class = "violation"
	// Livelock: simulated time stood still for spec.maxEventsPerInstant
	// events (sim.Livelocked; model.Result.Stall names the timers).
	Livelock Class = "livelock"
	// Hang: the run was still going after its wall-time deadline.
	Hang Class = "hang"
	// EventBound: spec.maxEvents events fired before the horizon: work
	// that runs away without stopping time.
	EventBound Class = "event-bound"
	// Drained: no timer was left before the horizon, while a process was
	// still running (something should still tick).
	Drained Class = "drained"
	// Nondeterminism: a second run of the same case gave another result.
	Nondeterminism Class = "nondeterminism"
	// Interrupted: RunOptions.Stop ended the run; neither a pass nor a
	// failure.
	Interrupted Class = "interrupted"
)

// Classes lists the failure classes in report order.
func Classes() []Class {
	return []Class{Invalid, Panic, Violation, Livelock, Hang, EventBound, Drained, Nondeterminism}
}

// Outcome is what one run of a case showed.
type Outcome struct {
	Class  Class
	Detail string        // one line: the panic value, first violation, stall or load error
	Stack  string        // for a panic
	At     time.Duration // simulated time of the failure (or reached)
	Events uint64
	Wall   time.Duration // wall time of the run (never part of a result)
	Digest [32]byte      // of the whole model.Result, for determinism checks
}

// Failed reports whether the outcome is a failure.
func (o Outcome) Failed() bool { return o.Class != OK && o.Class != Interrupted }

// Signature identifies a defect: the class and what distinguishes it
// (the panic's message prefix and the function that panicked, the
// invariant, the timer that re-armed). The shrinker keeps it.
func (o Outcome) Signature() string {
	switch o.Class {
	case Panic:
		return fmt.Sprintf("panic: %s @ %s", messagePrefix(o.Detail), panicSite(o.Stack))
	case Violation:
		inv, _, _ := strings.Cut(o.Detail, ":")
		return "violation: " + inv
	case Livelock:
		return "livelock: " + o.stallTimer()
	}
	return string(o.Class)
}

// stallTimer is the first timer named in a livelock's detail, its
// instance numbers and host names generalised to a component.
func (o Outcome) stallTimer() string {
	_, timers, ok := strings.Cut(o.Detail, "timers re-armed for that instant: ")
	if !ok {
		return ""
	}
	first, _, _ := strings.Cut(timers, " ×")
	// "client/probe-1/redial" → "redial": the last part names the component's loop.
	if i := strings.LastIndexByte(first, '/'); i >= 0 {
		first = first[i+1:]
	}
	return digits.ReplaceAllString(first, "N")
}

var digits = regexp.MustCompile(`[0-9]+`)

// messagePrefix is a panic message up to its first variable part: the
// text before the first colon (Go's "pkg.Func: what" convention) or else
// before the first digit or quote, trimmed.
func messagePrefix(msg string) string {
	if i := strings.Index(msg, ": "); i > 0 && i < 60 {
		return msg[:i]
	}
	if i := strings.IndexAny(msg, "0123456789\"'\n"); i >= 0 {
		msg = msg[:i]
	}
	msg = strings.TrimRight(msg, " :([{=")
	if len(msg) > 80 {
		msg = msg[:80]
	}
	return msg
}

// panicSite is the innermost model function on a panic's stack besides
// the host timer's forwarding methods (the engine's own panics are checks
// of what the model asked), or else the
// innermost hasim function outside this package.
func panicSite(stack string) string {
	site := "?"
	for line := range strings.SplitSeq(stack, "\n") {
		if strings.HasPrefix(line, "\t") || !strings.HasPrefix(line, "hasim/") || strings.HasPrefix(line, "hasim/experiment/swarm.") {
			continue
		}
		fn := line
		if i := strings.LastIndexByte(fn, '('); i > 0 {
			fn = fn[:i]
		}
		if strings.HasPrefix(fn, "hasim/model.") && !strings.HasPrefix(fn, "hasim/model.(*Timer).") {
			return fn // the model's Timer only forwards to the engine's
		}
		if site == "?" {
			site = fn
		}
	}
	return site
}

// afterBuild, if set, sees each cluster before it runs: tests plant a
// defect with it.
var afterBuild func(*model.Cluster)

// RunOptions bound one run.
type RunOptions struct {
	// Deadline is the wall time a run may take before it is stopped and
	// classified as a hang; 0 means none. Wall time only classifies a
	// failure: it never reaches a result.
	Deadline time.Duration
	// Stop, if set, ends the run early (an interrupt); the outcome is then
	// not classified as a failure.
	Stop *atomic.Bool
}

// RunCase runs a loaded scenario with the full invariant scan after every
// event and classifies what happened.
func RunCase(sc *scenarios.Scenario, opt RunOptions) (out Outcome) {
	cfg := sc.Config()
	cfg.CheckInvariants = true
	start := time.Now()
	var c *model.Cluster
	defer func() {
		out.Wall = time.Since(start)
		if v := recover(); v != nil {
			out.Class = Panic
			out.Detail = strings.TrimSpace(fmt.Sprint(v))
			out.Stack = string(debug.Stack())
			if c != nil {
				out.At, out.Events = time.Duration(c.Sim.Now()), c.Sim.Events()
			}
		}
	}()
	hung := false
	stop := func() bool {
		if opt.Stop != nil && opt.Stop.Load() {
			return true
		}
		if opt.Deadline > 0 && time.Since(start) > opt.Deadline {
			hung = true
			return true
		}
		return false
	}
	res, err := model.Simulate(cfg, model.RunOptions{Stop: stop, BeforeRun: func(b *model.Cluster) error {
		c = b // for the panic's time and the drained check
		if afterBuild != nil {
			afterBuild(c)
		}
		return nil
	}})
	if err != nil {
		return Outcome{Class: Invalid, Detail: "build: " + oneLine(err.Error())}
	}
	o := res.Outcome
	out = Outcome{Class: OK, At: time.Duration(res.End), Events: res.Events, Digest: digest(res)}
	switch {
	case len(res.Violations) > 0:
		v := res.Violations[0]
		out.Class, out.Detail, out.At = Violation, fmt.Sprintf("%s: %s (at %v; %d violations)", v.Invariant, v.Detail, v.T, len(res.Violations)), time.Duration(v.T)
	case o == sim.Livelocked:
		out.Class, out.Detail, out.At = Livelock, res.Stall.String(), time.Duration(res.Stall.At)
	case o == sim.Stopped && hung:
		out.Class, out.Detail = Hang, fmt.Sprintf("still running after %v of wall time, at %v of simulated time after %d events", opt.Deadline, res.End, res.Events)
	case o == sim.Stopped:
		out.Class = Interrupted
	case o == sim.ReachedEvents:
		out.Class, out.Detail = EventBound, fmt.Sprintf("%d events by %v of simulated time, horizon %v", res.Events, res.End, cfg.Horizon)
	case o == sim.Drained && anyRunning(c):
		out.Class, out.Detail = Drained, fmt.Sprintf("no event left at %v of simulated time, horizon %v, with processes running", res.End, cfg.Horizon)
	}
	return out
}

// anyRunning reports whether some process (a probe's client, a kubelet,
// etcd) is running at the end: it should still have timers armed.
func anyRunning(c *model.Cluster) bool {
	for _, p := range c.Procs {
		if pa, ok := p.Handler().(fabric.Passive); ok && pa.Passive() {
			continue // nothing of its own to do by design
		}
		if p.Running() && p.Host.Up() {
			return true
		}
	}
	return false
}

// digest is a fingerprint of everything a result holds. A pointer field
// is printed as what it points to: its address differs from run to run.
func digest(r model.Result) [32]byte {
	last := r.IncidentTail.Last
	r.IncidentTail.Last = nil
	b := fmt.Appendf(nil, "%+v", r)
	if last != nil {
		b = fmt.Appendf(b, " last incident: %+v", *last)
	}
	return sha256.Sum256(b)
}

func oneLine(s string) string { return strings.ReplaceAll(s, "\n", "; ") }
