package model

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"gonum.org/v1/gonum/stat/distuv"

	"hasim/model/fabric"
	"hasim/model/kube"
	"hasim/sim"
)

// Failure processes: faults that arrive at random times over the horizon,
// each an instance of the scripted-fault machinery (Fault) with its own
// repair time.
//
// A process alternates between up and failed: it draws a time between
// failures (TBF), injects a fault whose duration is a drawn time to repair
// (TTR), and draws the next TBF from the repair on (an alternating renewal
// process, as in the textbook availability model A = MTBF/(MTBF+MTTR)). So
// one process never overlaps itself. Faults of different processes may
// overlap on the same target; every fault kind a process can inject stacks
// (Host.Crash/Repair and Process.Hold/Release and Freeze/Thaw count; slow
// disks, clock drifts, api faults, cuts and link faults are overrides
// removed one by one), so the target recovers when its last fault heals.
//
// With Pick one, a single process serves the whole class and each arrival
// hits one member drawn at random; arrivals are then spaced by TBF alone
// (the class as a whole is never "down"), so two arrivals may hit the same
// member while the first is unrepaired: they stack as above.
//
// Draws are keyed by the failure's name and the member's name (host, zone
// or zone pair), never by position: "failures/host-crash/master-1" draws
// the same times in any topology that has a host master-1. Arrivals are
// drawn one at a time, when the previous one fires: a long horizon holds
// one pending timer per process, not its whole schedule.

// FaultMaintenance is the failure kind of planned maintenance: a rolling,
// one-host-at-a-time graceful restart of every host of the class on a
// schedule. It is not a scripted fault kind.
const FaultMaintenance FaultKind = "maintenance"

// Failure target classes besides host:NAME, zone:NAME and role:NAME.
const (
	// ClassControlPlane is every host that runs etcd or kube-apiserver.
	ClassControlPlane = "control-plane"
	// ClassLoadBalancers is every host that runs the load-balancer proxy
	// (HAProxy, keepalived's HAProxy).
	ClassLoadBalancers = "load-balancers"
	// ClassHosts is every host that runs anything besides clients (probe
	// clients are the users, outside the cluster).
	ClassHosts = "hosts"
	// ClassZones is every zone.
	ClassZones = "zones"
	// ClassZonePairs is every unordered pair of zones: the links between
	// them (partition and link faults).
	ClassZonePairs = "zone-pairs"
)

// FailureClasses lists the class spellings, for messages.
func FailureClasses() []string {
	return []string{ClassControlPlane, ClassLoadBalancers, ClassHosts, ClassZones, ClassZonePairs, "role:NAME", "host:NAME", "zone:NAME"}
}

// FailureKinds are the kinds a failure process can inject: the scripted
// fault kinds that are not operations, and maintenance.
func FailureKinds() []FaultKind {
	var out []FaultKind
	for _, k := range FaultKinds() {
		if !k.IsOperation() {
			out = append(out, k)
		}
	}
	return append(out, FaultMaintenance)
}

// LifeKind names a distribution of times between failures or to repair.
type LifeKind string

// The life distributions. Each draws by inverse transform: the quantile
// (gonum stat/distuv where it has the family) of a keyed uniform of the
// process's stream, so a draw is a pure function of the seed, the stream
// and the draw's number.
const (
	LifeExponential LifeKind = "exponential" // Mean
	LifeWeibull     LifeKind = "weibull"     // Shape, Scale
	LifeLogNormal   LifeKind = "lognormal"   // Median, Sigma
	LifeFixed       LifeKind = "fixed"       // Value
	LifeUniform     LifeKind = "uniform"     // Min, Max
	LifeEmpirical   LifeKind = "empirical"   // Values, each equally likely
)

// LifeKinds lists the families in documentation order.
func LifeKinds() []LifeKind {
	return []LifeKind{LifeExponential, LifeWeibull, LifeLogNormal, LifeFixed, LifeUniform, LifeEmpirical}
}

// Life is a distribution of durations long enough for years: times between
// failures and times to repair.
type Life struct {
	Kind   LifeKind
	Mean   time.Duration // exponential
	Shape  float64       // weibull k
	Scale  time.Duration // weibull λ
	Median time.Duration // lognormal: e^µ
	Sigma  float64       // lognormal σ
	Value  time.Duration // fixed
	Min    time.Duration // uniform
	Max    time.Duration // uniform
	Values []time.Duration
}

// Exponential is the exponential distribution with the given mean.
func Exponential(mean time.Duration) Life { return Life{Kind: LifeExponential, Mean: mean} }

// maxLife bounds a draw: beyond any horizon (time.Duration reaches 292
// years), and far from overflow when added to a time.
const maxLife = time.Duration(math.MaxInt64 / 4)

// Validate checks the parameters of the family.
func (l Life) Validate() error {
	pos := func(name string, d time.Duration) error {
		if d <= 0 {
			return fmt.Errorf("%s %s needs a positive %s", l.Kind, "distribution", name)
		}
		return nil
	}
	switch l.Kind {
	case LifeExponential:
		return pos("mean", l.Mean)
	case LifeWeibull:
		if !(l.Shape >= 0.05 && l.Shape <= 20) {
			return fmt.Errorf("weibull shape %g out of range; allowed: 0.05 to 20 (field data fit 0.5 to 3)", l.Shape)
		}
		return pos("scale", l.Scale)
	case LifeLogNormal:
		if !(l.Sigma >= 0 && l.Sigma <= MaxSigma) {
			return fmt.Errorf("lognormal sigma %g out of range; allowed: 0 to %g", l.Sigma, MaxSigma)
		}
		return pos("median", l.Median)
	case LifeFixed:
		return pos("value", l.Value)
	case LifeUniform:
		if l.Min < 0 || l.Max <= l.Min {
			return fmt.Errorf("uniform distribution needs 0 <= min < max, got min %v, max %v", l.Min, l.Max)
		}
		return nil
	case LifeEmpirical:
		if len(l.Values) == 0 {
			return fmt.Errorf("empirical distribution needs at least one value")
		}
		if len(l.Values) > MaxEmpiricalPoints {
			return fmt.Errorf("empirical distribution: %d values; allowed: at most %d", len(l.Values), MaxEmpiricalPoints)
		}
		for _, v := range l.Values {
			if v <= 0 {
				return fmt.Errorf("empirical distribution: value %v must be positive", v)
			}
		}
		return nil
	}
	var names []string
	for _, k := range LifeKinds() {
		names = append(names, string(k))
	}
	return fmt.Errorf("unknown distribution %q; allowed: %s", l.Kind, strings.Join(names, ", "))
}

// quantile is the family's inverse CDF at p in [0, 1), in nanoseconds.
func (l Life) quantile(p float64) float64 {
	switch l.Kind {
	case LifeExponential:
		return distuv.Exponential{Rate: 1 / float64(l.Mean)}.Quantile(p)
	case LifeWeibull:
		return distuv.Weibull{K: l.Shape, Lambda: float64(l.Scale)}.Quantile(p)
	case LifeLogNormal:
		return distuv.LogNormal{Mu: math.Log(float64(l.Median)), Sigma: l.Sigma}.Quantile(p)
	case LifeFixed:
		return float64(l.Value)
	case LifeUniform:
		return distuv.Uniform{Min: float64(l.Min), Max: float64(l.Max)}.Quantile(p)
	case LifeEmpirical:
		i := min(int(p*float64(len(l.Values))), len(l.Values)-1)
		return float64(l.Values[i])
	}
	panic("model.Life: unknown kind " + string(l.Kind))
}

// Draw is the n-th draw of st from the distribution: at least 1ns (a
// repair of zero would read as "never healed") and at most maxLife.
func (l Life) Draw(st sim.Stream, n uint64) time.Duration {
	q := l.drawNs(st, n)
	if !(q < float64(maxLife)) {
		return maxLife
	}
	return time.Duration(q)
}

// drawNs is the n-th draw of st, in nanoseconds, at least 1 and not
// bounded above (a time between failures may pass maxLife, or even the
// 292 years of a time.Duration, in a run over eras).
func (l Life) drawNs(st sim.Stream, n uint64) float64 {
	q := l.quantile(st.Float64(n))
	if math.IsNaN(q) {
		return float64(maxLife)
	}
	return max(math.Floor(q), 1)
}

// MeanOf is the distribution's mean (for documentation and closed forms).
func (l Life) MeanOf() time.Duration {
	var m float64
	switch l.Kind {
	case LifeExponential:
		m = float64(l.Mean)
	case LifeWeibull:
		m = float64(l.Scale) * math.Gamma(1+1/l.Shape)
	case LifeLogNormal:
		m = float64(l.Median) * math.Exp(l.Sigma*l.Sigma/2)
	case LifeFixed:
		m = float64(l.Value)
	case LifeUniform:
		m = float64(l.Min+l.Max) / 2
	case LifeEmpirical:
		for _, v := range l.Values {
			m += float64(v)
		}
		m /= float64(len(l.Values))
	}
	return time.Duration(min(m, float64(maxLife)))
}

// String describes the distribution.
func (l Life) String() string {
	switch l.Kind {
	case LifeExponential:
		return "exponential mean " + LongString(l.Mean)
	case LifeWeibull:
		return fmt.Sprintf("weibull shape %g scale %s", l.Shape, LongString(l.Scale))
	case LifeLogNormal:
		return fmt.Sprintf("lognormal median %s sigma %g", LongString(l.Median), l.Sigma)
	case LifeFixed:
		return LongString(l.Value)
	case LifeUniform:
		return fmt.Sprintf("uniform %s–%s", LongString(l.Min), LongString(l.Max))
	case LifeEmpirical:
		return fmt.Sprintf("empirical (%d values)", len(l.Values))
	}
	return string(l.Kind)
}

// Day and Year are the units d and y of long durations (a year is 365
// days: leap days are not counted).
const (
	Day  = 24 * time.Hour
	Year = 365 * Day
)

// LongString writes d with years and days, and without zero units:
// "1y", "90d", "1y30d12h", "1h30m", "10s", "500ms".
func LongString(d time.Duration) string {
	if d < 0 {
		return "-" + LongString(-d)
	}
	var b strings.Builder
	if y := d / Year; y > 0 {
		fmt.Fprintf(&b, "%dy", y)
		d -= y * Year
	}
	if n := d / Day; n > 0 {
		fmt.Fprintf(&b, "%dd", n)
		d -= n * Day
	}
	if d > 0 || b.Len() == 0 {
		s := d.String()
		if strings.HasSuffix(s, "m0s") {
			s = strings.TrimSuffix(s, "0s")
		}
		if strings.HasSuffix(s, "h0m") {
			s = strings.TrimSuffix(s, "0m")
		}
		b.WriteString(s)
	}
	return b.String()
}

// MaintenanceConfig is the schedule of a maintenance failure.
type MaintenanceConfig struct {
	Every time.Duration // from one window's start to the next
	// Start is the first window's start; negative: drawn uniformly within
	// the first Every from the failure's stream.
	Start time.Duration
	// Drain: etcd and the leader-elected processes are stopped gracefully
	// (SIGTERM: an etcd leader hands over its leadership, a lease holder
	// releases its lease) this long before the host goes down.
	Drain time.Duration
	// Duration: how long the host is down (the restart itself).
	Duration time.Duration
	// Settle: the wait after a host is back before the next one drains.
	Settle time.Duration
}

// FailureConfig is one failure process (or maintenance schedule).
type FailureConfig struct {
	// Name is the failure class: it names the process's faults ("host-crash
	// master-1") and keys its random streams, with the member's name.
	Name string
	// Class: control-plane, load-balancers, hosts, zones, zone-pairs,
	// role:NAME, host:NAME or zone:NAME.
	Class string
	// One: a single process for the class, each arrival hitting one member
	// at random; otherwise each member gets its own process.
	One bool
	TBF Life // time between failures (from the repair on)
	TTR Life // time to repair: the fault's duration (unused for an instant kind: clock-step, process-crash)
	// Fault holds the kind and the kind's parameters (Process, Fsync, Rate,
	// Latency, Loss, OneWay, Step); its Name, Target, Peer, At and Duration
	// are set per arrival.
	Fault       FaultConfig
	Maintenance MaintenanceConfig // for Fault.Kind == FaultMaintenance
}

// failureMember is one member of a failure's class: what a process
// targets.
type failureMember struct {
	name   string // host or zone name, or "zone-a/zone-b"
	target Target
	peer   *Target
}

// classMembers resolves a class against the built cluster, in the
// cluster's host or zone order.
func (c *Cluster) classMembers(class string) []failureMember {
	var out []failureMember
	hostsWith := func(pred func(*Host) bool) {
		for _, h := range c.Hosts {
			if pred(h) && !c.managed(h) {
				out = append(out, failureMember{name: h.Name, target: Target{Kind: TargetHost, Name: h.Name}})
			}
		}
	}
	runs := func(h *Host, roles ...string) bool {
		return slices.ContainsFunc(h.Procs, func(p *fabric.Process) bool { return slices.Contains(roles, p.Role) })
	}
	switch class {
	case ClassControlPlane:
		hostsWith(func(h *Host) bool { return runs(h, RoleEtcd, kube.RoleAPIServer) })
	case ClassLoadBalancers:
		hostsWith(func(h *Host) bool { return runs(h, kube.RoleLoadBalancer) })
	case ClassHosts:
		hostsWith(func(h *Host) bool {
			return slices.ContainsFunc(h.Procs, func(p *fabric.Process) bool { return p.Role != fabric.RoleClient })
		})
	case ClassZones:
		for _, z := range c.Zones {
			out = append(out, failureMember{name: z.Name, target: Target{Kind: TargetZone, Name: z.Name}})
		}
	case ClassZonePairs:
		for i, a := range c.Zones {
			for _, b := range c.Zones[i+1:] {
				peer := Target{Kind: TargetZone, Name: b.Name}
				out = append(out, failureMember{name: a.Name + "/" + b.Name, target: Target{Kind: TargetZone, Name: a.Name}, peer: &peer})
			}
		}
	default:
		t, err := ParseTarget(class)
		if err != nil {
			return nil
		}
		switch t.Kind {
		case TargetHost:
			hostsWith(func(h *Host) bool { return h.Name == t.Name })
		case TargetRole:
			hostsWith(func(h *Host) bool { return runs(h, t.Name) })
		case TargetZone:
			out = append(out, failureMember{name: t.Name, target: t})
		}
	}
	return out
}

// validClass reports whether class is a class spelling, and why not.
func validClass(class string, hosts, zones map[string]bool) error {
	switch class {
	case ClassControlPlane, ClassLoadBalancers, ClassHosts, ClassZones, ClassZonePairs:
		return nil
	}
	t, err := ParseTarget(class)
	if err != nil || t.Kind == TargetLeader || t.Kind == TargetConnection {
		return fmt.Errorf("target %q: allowed %s", class, strings.Join(FailureClasses(), ", "))
	}
	switch {
	case t.Kind == TargetHost && !hosts[t.Name]:
		return fmt.Errorf("target host %q is not defined", t.Name)
	case t.Kind == TargetZone && !zones[t.Name]:
		return fmt.Errorf("target zone %q is not defined", t.Name)
	case t.Kind == TargetRole && !slices.Contains(KnownRoles(), t.Name):
		return fmt.Errorf("target role %q: allowed %s", t.Name, strings.Join(KnownRoles(), ", "))
	}
	return nil
}

// validateFailures checks every failure, and that names are unique (a
// name keys the random streams: two failures of one name would fail
// together).
func (cfg *Config) validateFailures(hosts, zones map[string]bool, bad func(string, ...any)) {
	seen := map[string]bool{}
	for i := range cfg.Failures {
		f := &cfg.Failures[i]
		if err := f.validate(cfg, hosts, zones); err != nil {
			bad("failure %d (%s): %v", i+1, f.Name, err)
		}
		if seen[f.Name] {
			bad("failure %d: name %q used twice", i+1, f.Name)
		}
		seen[f.Name] = true
	}
}

func (f *FailureConfig) validate(cfg *Config, hosts, zones map[string]bool) error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if f.Name == "" {
		bad("needs a name")
	}
	kind := f.Fault.Kind
	if !slices.Contains(FailureKinds(), kind) {
		var names []string
		for _, k := range FailureKinds() {
			names = append(names, string(k))
		}
		bad("unknown kind %q; allowed: %s", kind, strings.Join(names, ", "))
		return errors.Join(errs...)
	}
	if err := validClass(f.Class, hosts, zones); err != nil {
		bad("%v", err)
	}
	if kind == FaultMaintenance {
		m := f.Maintenance
		if m.Every <= 0 {
			bad("maintenance needs a positive every")
		}
		if m.Drain < 0 || m.Duration <= 0 || m.Settle < 0 {
			bad("maintenance needs a positive duration and non-negative drain and settle")
		}
		return errors.Join(errs...)
	}
	if err := f.TBF.Validate(); err != nil {
		bad("time between failures: %v", err)
	}
	if !kind.Instant() {
		if err := f.TTR.Validate(); err != nil {
			bad("time to repair: %v", err)
		}
	}
	switch kind {
	case FaultZoneOutage:
		if f.Class != ClassZones && !strings.HasPrefix(f.Class, TargetZone+":") {
			bad("zone-outage needs the zones class or zone:NAME")
		}
	case FaultPartition, FaultLink:
	default:
		if f.Class == ClassZonePairs {
			bad("the zone-pairs class is for partition and link failures")
		}
	}
	// The fault parameters, checked as a scripted fault would be, with a
	// stand-in target and timing.
	fc := f.Fault
	fc.At, fc.Duration, fc.On = 0, 0, nil
	fc.Target, fc.Peer = Target{Kind: TargetRole, Name: RoleEtcd}, nil
	if kind != FaultZoneOutage {
		if err := fc.validate(cfg, hosts, zones); err != nil {
			bad("%v", err)
		}
	}
	return errors.Join(errs...)
}

// failureProc is one running failure process: one member (or a whole
// class with One), or one maintenance schedule.
type failureProc struct {
	c       *Cluster
	cfg     *FailureConfig
	members []failureMember // one unless cfg.One or maintenance
	stream  sim.Stream
	timer   *fabric.CalendarTimer
	label   string // the member's name, or the members' with One and for maintenance
	n       uint64 // arrivals so far
	// arrivals counts the faults injected (maintenance: host restarts).
	arrivals int
	// Maintenance: the window's start, the member being restarted, whether
	// its drain is done, and how often a step waited for another host.
	windowAt   sim.Time
	step       int
	restarting bool
	waits      int
	// carry is what is left of a wait longer than a timer is armed for
	// (maxLife): the timer fires at maxLife, and the rest waits again.
	carry float64
}

// FailureStats counts a failure process's arrivals within the run.
type FailureStats struct {
	Failure  string // the failure's name
	Member   string // the member's name; with One "one of A, B, C"; for maintenance "in turn: A, B, C"
	Arrivals int    // faults injected (maintenance: host restarts)
	// Waits (maintenance) counts the steps postponed because another host
	// of the class was down.
	Waits int
}

// startFailures makes one process per member of each failure's class (one
// per failure with One, or for maintenance) and arms its first arrival.
func (c *Cluster) startFailures(list []FailureConfig) {
	for i := range list {
		f := &list[i]
		members := c.classMembers(f.Class)
		if len(members) == 0 {
			continue
		}
		root := c.Sim.Stream("failures/" + f.Name)
		names := make([]string, len(members))
		for i, m := range members {
			names[i] = m.name
		}
		switch {
		case f.Fault.Kind == FaultMaintenance:
			c.armFailure(&failureProc{c: c, cfg: f, members: members, stream: root}, "in turn: "+strings.Join(names, ", "))
		case f.One:
			c.armFailure(&failureProc{c: c, cfg: f, members: members, stream: root.Sub("one")}, "one of "+strings.Join(names, ", "))
		default:
			for _, m := range members {
				c.armFailure(&failureProc{c: c, cfg: f, members: []failureMember{m}, stream: root.Sub(m.name)}, m.name)
			}
		}
	}
}

func (c *Cluster) armFailure(p *failureProc, member string) {
	p.label = member
	p.timer = c.NewCalendarTimer("failure/"+p.cfg.Name+"/"+member, p.fire)
	c.failures = append(c.failures, p)
	var first time.Duration
	if p.cfg.Fault.Kind == FaultMaintenance {
		first = p.cfg.Maintenance.Start
		if first < 0 {
			first = time.Duration(p.stream.Sub("start").IntN(0, int(p.cfg.Maintenance.Every)))
		}
		p.schedule(sim.Time(0), float64(first))
		return
	}
	p.schedule(sim.Time(0), p.cfg.TBF.drawNs(p.stream.Sub("tbf"), 0))
}

// schedule arms the next arrival d nanoseconds after from, if within the
// horizon. A wait past maxLife is armed for maxLife and carried on from
// there (fire), so that a long time between failures is not cut short.
func (p *failureProc) schedule(from sim.Time, d float64) {
	p.carry = 0
	if h, beyond := p.c.horizon(); !beyond && d >= float64(h.Sub(from)) {
		return
	}
	if d > float64(maxLife) {
		p.carry, d = d-float64(maxLife), float64(maxLife)
	}
	p.timer.Reset(from.Add(time.Duration(d)))
}

// fire is an arrival: inject its fault(s) and draw the next.
func (p *failureProc) fire() {
	c, cfg := p.c, p.cfg
	now := c.Now() // the calendar's
	if p.carry > 0 {
		p.schedule(now, p.carry) // a long wait goes on
		return
	}
	k := p.n
	p.n++
	if cfg.Fault.Kind == FaultMaintenance {
		p.maintain(now)
		return
	}
	m := p.members[0]
	if cfg.One {
		m = p.members[p.stream.Sub("pick").IntN(k, len(p.members))]
	}
	fc := cfg.Fault
	fc.Name = cfg.Name + " " + m.name
	fc.Failure = cfg.Name
	fc.At = now.Duration()
	fc.Target, fc.Peer = m.target, m.peer
	if fc.Process == "" && fc.Kind.actsOnProcess() && strings.HasPrefix(cfg.Class, TargetRole+":") {
		fc.Process = strings.TrimPrefix(cfg.Class, TargetRole+":")
	}
	var ttr time.Duration
	if !fc.Kind.Instant() {
		ttr = cfg.TTR.Draw(p.stream.Sub("ttr"), k)
	}
	fc.Duration = ttr
	c.addFault(fc)
	p.arrivals++
	next := cfg.TBF.drawNs(p.stream.Sub("tbf"), k+1)
	if !cfg.One {
		next += float64(ttr) // the next TBF runs from the repair
	}
	p.schedule(now, next)
}

// maintain takes one step of a maintenance window: each member in turn
// is drained (graceful stops of etcd and of the leader-elected processes
// on it), then restarted (down for Duration), then waited for (Settle).
// Like kubeadm upgrade's health checks, a host is not drained while
// another member of the class is down, its etcd member or apiserver not
// running, or etcd without a leader (othersHealthy): the step waits a
// settle period (at least a minute) and looks again. Each fault is made when it starts,
// so the run's fault list stays in time order.
func (p *failureProc) maintain(now sim.Time) {
	c, m := p.c, p.cfg.Maintenance
	if p.step == 0 && !p.restarting {
		p.windowAt = now
	}
	if p.step == len(p.members) {
		// The window is over: the next starts on schedule, or now if this
		// one overran it.
		p.step = 0
		next := p.windowAt.Add(m.Every)
		p.schedule(now, float64(max(next.Sub(now), 0)))
		return
	}
	mb := p.members[p.step]
	hosts, _ := c.resolve(mb.target)
	if p.restarting {
		p.restarting = false
		if len(hosts) > 0 {
			c.addFault(FaultConfig{Name: p.cfg.Name + " " + mb.name + ": restart", Kind: FaultHostCrash,
				At: now.Duration(), Duration: m.Duration, Target: mb.target, Failure: p.cfg.Name})
			p.arrivals++
		}
		p.step++
		p.schedule(now, float64(m.Duration+m.Settle))
		return
	}
	if !p.othersHealthy(mb) {
		p.waits++
		p.schedule(now, float64(max(m.Settle, time.Minute)))
		return
	}
	if len(hosts) > 0 {
		h := hosts[0]
		for _, role := range append([]string{RoleEtcd}, LeaderElectedRoles()...) {
			if slices.ContainsFunc(h.Procs, func(q *fabric.Process) bool { return q.Role == role }) {
				c.addFault(FaultConfig{Name: p.cfg.Name + " " + mb.name + ": drain " + role, Kind: FaultProcessStop,
					At: now.Duration(), Duration: m.Drain + m.Duration, Target: mb.target, Process: role, Failure: p.cfg.Name})
			}
		}
	}
	p.restarting = true
	p.schedule(now, float64(m.Drain))
}

// othersHealthy is the health check before a host is drained, as
// kubeadm's upgrade checks the cluster and its etcd first: etcd has a
// leader, and every other member of the class is up with its etcd member
// and apiserver running (not stopped, crashed or frozen).
func (p *failureProc) othersHealthy(mb failureMember) bool {
	c := p.c
	if c.leaders != 1 {
		return false
	}
	for _, other := range p.members {
		if other.name == mb.name {
			continue
		}
		hs, _ := c.resolve(other.target)
		if len(hs) == 0 {
			continue
		}
		if !hs[0].Up() || slices.ContainsFunc(hs[0].Procs, func(q *fabric.Process) bool {
			// Enabled or held by a fault: part of the cluster (not a joining
			// master's, not a removed member's).
			return (q.Role == RoleEtcd || q.Role == kube.RoleAPIServer) && (q.Enabled() || q.Held()) && q.State() != fabric.Running
		}) {
			return false
		}
	}
	return true
}

// addFault adds a fault made by a failure process; it starts at fc.At.
func (c *Cluster) addFault(fc FaultConfig) {
	if h, beyond := c.horizon(); !beyond && sim.At(fc.At) >= h {
		return
	}
	c.Faults = append(c.Faults, newFault(c, len(c.Faults)+c.faultsGone+1, fc))
}

// FailureStats are the failure processes' arrival counts, in the order of
// the failures and their members.
func (c *Cluster) FailureStats() []FailureStats {
	out := make([]FailureStats, len(c.failures))
	for i, p := range c.failures {
		out[i] = FailureStats{Failure: p.cfg.Name, Member: p.label, Arrivals: p.arrivals, Waits: p.waits}
	}
	return out
}

// actsOnProcess reports whether the kind acts on one process of its
// target hosts (named by FaultConfig.Process).
func (k FaultKind) actsOnProcess() bool {
	switch k {
	case FaultProcessKill, FaultProcessCrash, FaultProcessPause, FaultProcessStop, FaultAPIError, FaultAPIBlock:
		return true
	}
	return false
}

// Instant reports whether a fault of the kind is over as it is injected,
// with no duration and no heal: a clock step, a process crash (its
// kubelet restarts the process).
func (k FaultKind) Instant() bool { return k == FaultClockStep || k == FaultProcessCrash }
