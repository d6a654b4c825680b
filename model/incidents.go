package model

import (
	"math"
	"slices"
	"time"

	"hasim/internal/sample"
	"hasim/sim"

	"hasim/model/fabric"
	"hasim/model/kube"
)

// Incidents: what the run's failures cost, one incident at a time.
//
// The cluster is steady when no fault is active, every leader group that
// has led has an acting leader and every probe succeeds. An incident is a
// maximal stretch during which it is not: it begins when a fault is
// injected (or a function fails) and ends when the cluster is steady again,
// and every fault, leaderless stretch and failing stretch that overlaps it
// belongs to it, so overlapping faults share one incident. Two stretches
// closer than the settle window (the slowest probe's timeout plus its
// period) are one incident: a failure that shows that soon after the
// steady state returned is the transient's tail, not a new incident.
//
// The sources of unsteadiness are followed as they happen (fault inject
// and heal, leadership changes, probe records), so memory holds only the
// incidents not yet settled and each settled incident's summary. A probe
// records a change of state at the send time of the request that showed
// it, up to its timeout plus its period earlier than the record: an
// incident is settled only once no later record can reach back into it or
// its settle window.
//
// Downtime by cause: each function's downtime inside an incident is
// divided among the failure classes of the incident's faults (a failure
// process's name; a scripted fault's name, or its kind when unnamed) by
// what is active at each instant:
//   - while faults are active, equally among their classes (two faults of
//     one class count once);
//   - while none is, after the last heal, to the classes that were active
//     last (the transient after a heal belongs to what was healed; a clock
//     step, over at once, counts as the last active at its instant when
//     nothing else is active then);
//   - before the incident's first fault (a request sent just before it,
//     failed by it), to the first fault's class;
//   - in an incident without any fault, to CauseNone.
//
// The classes' shares of a function's downtime sum to it exactly (a
// remainder of nanoseconds goes to the first classes).

// CauseNone is the cause of downtime in an incident without a fault.
const CauseNone = "(no fault)"

// FunctionKind is what a function of the control plane is measured by.
type FunctionKind string

const (
	// FunctionProbe: a probe's requests (API writes, quorum reads, cached
	// reads, scheduling); down while they fail.
	FunctionProbe FunctionKind = "probe"
	// FunctionLeader: a group's leader election (etcd or a leader-elected
	// component); down while the group has no acting leader.
	FunctionLeader FunctionKind = "leader"
)

// FunctionResult is a function's downtime over the run.
type FunctionResult struct {
	Name  string // the probe's or the group's name
	Kind  FunctionKind
	Probe kube.ProbeKind // for FunctionProbe
	// Down is the measured time it was down: the probe's Unavailable, the
	// group's NoLeader.
	Down time.Duration
	// Years is Down by batch of calendar years of the run: entry k is
	// years [k·w, (k+1)·w) from the start, w the result's YearsPerBatch (1
	// unless the horizon is longer than MaxYearBatches years); the last
	// one ends with the run.
	Years []time.Duration
}

// Incident is one incident: its span, its faults, and each function's
// downtime within it with its causes.
type Incident struct {
	Start, End sim.Time
	Faults     []IncidentFault
	// Causes are the failure classes of the faults, in order of their
	// first injection; [CauseNone] without a fault.
	Causes []string
	// Down is each function's downtime in the incident, in the order of
	// Result.Functions.
	Down []IncidentDown
	// EtcdFailover is the time from the start to the first etcd leader
	// elected in the incident (of a higher term than the leader before
	// it); negative if none was.
	EtcdFailover time.Duration
}

// IncidentFault is a fault of an incident.
type IncidentFault struct {
	ID          int
	Name, Class string
}

// IncidentDown is a function's downtime in an incident, and its split by
// cause (aligned with Incident.Causes).
type IncidentDown struct {
	Total   time.Duration
	ByCause []time.Duration
	// Recovered is the time from the incident's start to the end of the
	// function's last down stretch in it: when it works again for good
	// (0 if it never failed).
	Recovered time.Duration
}

// Duration is the incident's length.
func (in Incident) Duration() time.Duration { return in.End.Sub(in.Start) }

// faultClass is the failure class of a fault: its failure process's name,
// or a scripted fault's name, or its kind when unnamed.
func faultClass(fc FaultConfig) string {
	switch {
	case fc.Failure != "":
		return fc.Failure
	case fc.Name != "":
		return fc.Name
	}
	return string(fc.Kind)
}

// pendingIncident is an incident not yet settled.
type pendingIncident struct {
	start, end sim.Time // end: the latest close of a source so far
	open       int      // sources (faults, leaderless groups, failing probes) still open
	faults     []faultSpan
	down       [][]kube.Interval // by function
	// term is the term of the etcd leader elected last before the
	// incident; elected when the first leader of a higher term was (0 if
	// none yet).
	term    uint64
	elected sim.Time
}

// faultSpan is a fault's active stretch within an incident.
type faultSpan struct {
	f        *Fault
	from, to sim.Time
	closed   bool
}

// fnState is a function's current state.
type fnState struct {
	down  bool
	since sim.Time
	inc   *pendingIncident
}

// incidents follows the sources of unsteadiness and settles incidents.
type incidents struct {
	measuring bool
	settle    time.Duration // the settle window, also the longest a probe's record reaches back
	fns       []fnState     // probes, then groups (etcd first), as Result.Functions
	pending   []*pendingIncident
	done      []Incident
	tail      IncidentTail       // the incidents past the first listed
	listed    int                // incidents listed in full; later ones fold into tail (negative: no bound)
	years     [][]time.Duration  // by function, by year
	settled   int                // incidents settled, listed or folded
	listedAll func(end sim.Time) // called when the last listed incident (ending at end) is settled
	lastEnd   sim.Time           // the end of the last one
	term      uint64             // the term of the etcd leader elected last
	yearBase  int                // calendar years in the eras before the current one (eras.go)
	batch     int                // calendar years a batch of the figures by year counts (YearsPerBatch)
}

// initIncidents sizes the tracker once the cluster is built.
func (c *Cluster) initIncidents() {
	var settle time.Duration
	for _, p := range c.Probes {
		settle = max(settle, p.Config().Timeout+p.Config().Period)
	}
	c.inc = newIncidents(len(c.Probes)+1+len(c.Groups), settle)
	c.inc.batch = YearsPerBatch(c.cfg.HorizonSeconds(), c.cfg.YearBatches)
	c.inc.tail.batch = c.inc.batch
	if c.cfg.IncidentsListed != 0 {
		c.inc.listed = c.cfg.IncidentsListed
	}
	if len(c.cfg.Failures) > 0 {
		// The timeline keeps the listed incidents with their events: once
		// the last listed one ends, it keeps no more.
		c.inc.listedAll = c.World.KeepRecordsUntil
	}
}

func newIncidents(functions int, settle time.Duration) incidents {
	return incidents{settle: settle, fns: make([]fnState, functions), years: make([][]time.Duration, functions), listed: IncidentsListed,
		batch: 1, tail: IncidentTail{batch: 1}}
}

// MaxYearBatches bounds how many entries a run's figures by calendar year
// keep (a function's downtime, the incidents that start), so that what a
// run holds stays the same however long its horizon: a horizon of more
// years than that counts its years in batches of YearsPerBatch. A batch
// is one sample of the batch means the annual figures' intervals come
// from; a thousand are far more than the intervals need.
const MaxYearBatches = 1000

// YearsPerBatch is how many calendar years each entry of the figures by
// year counts over a horizon of horizonSeconds, at most batches entries
// (MaxYearBatches if batches is 0 or less): 1 up to that many years, else
// the fewest whole years that keep the entries within the bound. It is
// fixed by the horizon, before the run, so that every entry but the last
// spans the same years.
func YearsPerBatch(horizonSeconds float64, batches int) int {
	if batches <= 0 {
		batches = MaxYearBatches
	}
	years := math.Ceil(horizonSeconds / Year.Seconds())
	return max(1, int(math.Ceil(years/float64(batches))))
}

// startIncidents starts following incidents when measurements start: the
// faults active then open their stretches now.
func (c *Cluster) startIncidents() {
	now := c.Now()
	c.inc.measuring = true
	for _, f := range c.Faults {
		if f.injected && f.active() {
			c.inc.faultBegins(f, now)
		}
	}
	if c.leaders == 0 {
		c.inc.function(len(c.Probes), true, now, now)
	}
}

// active reports whether an injected fault still acts: not healed, not an
// operation that is done, not a clock step or a process crash (over at
// once: what follows is the cluster's doing, or the kubelet's).
func (f *Fault) active() bool {
	switch {
	case f.Cfg.Kind.Instant():
		return false
	case f.Cfg.Kind.IsOperation():
		return f.doneAt == 0
	}
	return !f.healed
}

// faultBegins and faultEnds follow a fault's active stretch (fault.go
// calls them at injection and heal, kubeadm.go at an operation's end);
// functionChanged a function going down or up at calendar time t (a
// probe's record reaches back to its request's send time). The tracker
// works in calendar time (fastforward.go), so that an incident through
// which the run skipped lasts what it lasted.
func (c *Cluster) faultBegins(f *Fault) { c.inc.faultBegins(f, c.Now()) }
func (c *Cluster) faultEnds(f *Fault)   { c.inc.faultEnds(f, c.Now()) }
func (c *Cluster) functionChanged(fn int, down bool, t sim.Time) {
	c.inc.function(fn, down, t, c.Now())
}

func (t *incidents) faultBegins(f *Fault, now sim.Time) {
	if !t.measuring {
		return
	}
	t.settleUntil(now)
	inc := t.join(now, now)
	inc.faults = append(inc.faults, faultSpan{f: f, from: now})
	inc.open++
	f.inc = inc
	if !f.active() { // a clock step or a process crash: over at once
		t.faultEnds(f, now)
	}
}

func (t *incidents) faultEnds(f *Fault, now sim.Time) {
	inc := f.inc
	if inc == nil {
		return
	}
	for i := range inc.faults {
		if s := &inc.faults[i]; s.f == f && !s.closed {
			s.to, s.closed = now, true
		}
	}
	f.inc = nil
	inc.open--
	inc.end = max(inc.end, now)
	t.settleUntil(now)
}

func (t *incidents) function(fn int, down bool, at, now sim.Time) {
	if !t.measuring {
		return
	}
	s := &t.fns[fn]
	if s.down == down {
		return
	}
	t.settleUntil(now)
	if down {
		s.down, s.since = true, at
		s.inc = t.join(at, now)
		s.inc.open++
		return
	}
	inc := s.inc
	at = max(at, s.since)
	inc.down[fn] = append(inc.down[fn], kube.Interval{From: s.since, To: at})
	inc.open--
	inc.end = max(inc.end, at)
	s.down, s.inc = false, nil
}

// join finds the incident a source opened at t (and open at least until
// now) belongs to: every pending incident within the settle window of
// [t, now] is merged into one; if none, a new one begins at t.
func (t *incidents) join(at, now sim.Time) *pendingIncident {
	first := len(t.pending)
	for first > 0 {
		p := t.pending[first-1]
		end := p.end
		if p.open > 0 {
			end = now
		}
		if end.Add(t.settle) < at {
			break
		}
		first--
	}
	if first == len(t.pending) {
		inc := &pendingIncident{start: at, end: at, down: make([][]kube.Interval, len(t.fns)), term: t.term}
		t.pending = append(t.pending, inc)
		return inc
	}
	into := t.pending[first]
	for _, p := range t.pending[first+1:] {
		into.start, into.end = min(into.start, p.start), max(into.end, p.end)
		into.open += p.open
		into.term = min(into.term, p.term)
		if into.elected == 0 {
			into.elected = p.elected
		}
		into.faults = append(into.faults, p.faults...)
		for fn := range into.down {
			into.down[fn] = append(into.down[fn], p.down[fn]...)
		}
		t.relink(p, into)
	}
	t.pending = t.pending[:first+1]
	into.start = min(into.start, at)
	return into
}

// leaderElected notes an etcd leader of term elected now: the first of a
// higher term in the incident under way is its failover.
func (t *incidents) leaderElected(term uint64, now sim.Time) {
	if n := len(t.pending); t.measuring && n > 0 {
		if p := t.pending[n-1]; p.open > 0 && p.elected == 0 && term > p.term {
			p.elected = now
		}
	}
	t.term = max(t.term, term)
}

// relink points what referred to a merged incident at the one it joined.
func (t *incidents) relink(from, to *pendingIncident) {
	for i := range t.fns {
		if t.fns[i].inc == from {
			t.fns[i].inc = to
		}
	}
	for _, s := range to.faults {
		if s.f.inc == from {
			s.f.inc = to
		}
	}
}

// settleUntil settles the pending incidents no later source can reach:
// closed, and ended more than the settle window before the earliest time
// a record made from now on can carry.
func (t *incidents) settleUntil(now sim.Time) {
	n := 0
	for _, p := range t.pending {
		if p.open > 0 || p.end.Add(2*t.settle) >= now {
			break
		}
		t.settleOne(p)
		n++
	}
	if n > 0 {
		t.pending = slices.Delete(t.pending, 0, n)
	}
}

// finishIncidents closes every open source at the end of the run and
// settles everything.
func (c *Cluster) finishIncidents() { c.inc.finish(c.Now()) }

func (t *incidents) finish(now sim.Time) {
	if !t.measuring {
		return
	}
	for fn := range t.fns {
		if t.fns[fn].down {
			t.function(fn, false, now, now)
		}
	}
	for _, p := range t.pending {
		for i := range p.faults {
			if s := &p.faults[i]; !s.closed {
				s.to, s.closed = now, true
				s.f.inc = nil
				p.open--
				p.end = max(p.end, now)
			}
		}
	}
	for _, p := range t.pending {
		t.settleOne(p)
	}
	t.pending = nil
}

// settleOne turns a pending incident into an Incident and adds its
// downtime to the years.
func (t *incidents) settleOne(p *pendingIncident) {
	slices.SortStableFunc(p.faults, func(a, b faultSpan) int {
		if a.from != b.from {
			return compareTime(a.from, b.from)
		}
		return a.f.ID - b.f.ID
	})
	in := Incident{Start: p.start, End: p.end, EtcdFailover: -1}
	if p.elected != 0 {
		in.EtcdFailover = p.elected.Sub(p.start)
	}
	classOf := make([]int, len(p.faults))
	for i, s := range p.faults {
		in.Faults = append(in.Faults, IncidentFault{ID: s.f.ID, Name: s.f.Cfg.Name, Class: s.f.Class})
		k := slices.Index(in.Causes, s.f.Class)
		if k < 0 {
			k = len(in.Causes)
			in.Causes = append(in.Causes, s.f.Class)
		}
		classOf[i] = k
		in.End = max(in.End, s.to)
	}
	segs := attribution(p.faults, classOf)
	if len(in.Causes) == 0 {
		in.Causes = []string{CauseNone}
	}
	for fn, ivs := range p.down {
		d := IncidentDown{ByCause: make([]time.Duration, len(in.Causes))}
		for _, iv := range ivs {
			d.Total += iv.To.Sub(iv.From)
			d.Recovered = max(d.Recovered, iv.To.Sub(p.start))
			split(iv, segs, d.ByCause)
			t.addYears(fn, iv)
		}
		in.Down = append(in.Down, d)
	}
	gap, hasGap := in.Start.Sub(t.lastEnd), t.settled > 0
	year := t.yearOf(in.Start)
	t.settled++
	t.lastEnd = in.End
	if t.listed < 0 || len(t.done) < t.listed {
		t.done = append(t.done, in)
		if len(t.done) == t.listed && t.listedAll != nil {
			t.listedAll(in.End)
		}
		return
	}
	t.tail.add(in, gap, hasGap, year)
}

// IncidentsListed is how many incidents a run lists in full (the first
// ones); later ones are folded into an IncidentTail, which keeps what the
// figures need of each, so that a run over years keeps its memory flat.
const IncidentsListed = 500

// IncidentTail is what the figures need of the incidents past the first
// IncidentsListed, in memory that does not grow with their number: how
// many start in each calendar year, samples of their durations, of the
// gaps between them, of etcd's failovers and, by function, of the time
// until it recovered (internal/sample: exact up to a few thousand values,
// then a histogram), and their downtime by cause. The latest is held in
// full (Last) until the next one folds it: the end of the run may have
// cut it short, which its figures must know.
type IncidentTail struct {
	Folded int // incidents folded into the figures below
	// PerYear counts the folded incidents by the batch of calendar years
	// their start falls in, as FunctionResult.Years does their downtime.
	PerYear []int
	// Durations and Gaps (from the previous incident's end, listed or
	// not, to the start) are in seconds, as are Failovers (each folded
	// incident's EtcdFailover, if it had one) and Recovered (by function,
	// each one's IncidentDown.Recovered).
	Durations, Gaps, Failovers sample.Sample
	Recovered                  []sample.Sample
	Causes                     []CauseTotal
	// Last is the latest incident, LastGap the gap before it (HasLastGap
	// false if it was the first).
	Last       *Incident
	LastGap    time.Duration
	HasLastGap bool
	lastYear   int // the calendar year of Last's start
	batch      int // calendar years a PerYear entry counts
}

// LastYear is the calendar year of the run (eras counted) in which Last
// starts.
func (t *IncidentTail) LastYear() int { return t.lastYear }

// Len is how many incidents the tail holds, Last included.
func (t *IncidentTail) Len() int {
	if t.Last == nil {
		return t.Folded
	}
	return t.Folded + 1
}

// add holds in, which starts in calendar year year, as Last, folding the
// previous Last.
func (t *IncidentTail) add(in Incident, gap time.Duration, hasGap bool, year int) {
	if t.Last != nil {
		t.fold()
	}
	t.Last, t.LastGap, t.HasLastGap, t.lastYear = &in, gap, hasGap, year
}

func (t *IncidentTail) fold() {
	in := t.Last
	t.Folded++
	y := t.lastYear / t.batch
	for len(t.PerYear) <= y {
		t.PerYear = append(t.PerYear, 0)
	}
	t.PerYear[y]++
	t.Durations.Add(in.Duration().Seconds())
	if t.HasLastGap {
		t.Gaps.Add(t.LastGap.Seconds())
	}
	if in.EtcdFailover >= 0 {
		t.Failovers.Add(in.EtcdFailover.Seconds())
	}
	for len(t.Recovered) < len(in.Down) {
		t.Recovered = append(t.Recovered, sample.Sample{})
	}
	for fn, d := range in.Down {
		t.Recovered[fn].Add(d.Recovered.Seconds())
	}
	t.Causes = MergeCauseTotals(t.Causes, CauseTotals([]Incident{*in}, len(in.Down)))
	t.Last = nil
}

// MergeCauseTotals adds b's totals to a's, class by class (a's order, b's
// new classes after).
func MergeCauseTotals(a, b []CauseTotal) []CauseTotal {
	for _, c := range b {
		i := slices.IndexFunc(a, func(x CauseTotal) bool { return x.Class == c.Class })
		if i < 0 {
			a = append(a, CauseTotal{Class: c.Class, Down: make([]time.Duration, len(c.Down))})
			i = len(a) - 1
		}
		a[i].Incidents += c.Incidents
		for fn := range min(len(a[i].Down), len(c.Down)) {
			a[i].Down[fn] += c.Down[fn]
		}
	}
	return a
}

func compareTime(a, b sim.Time) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// segment is a stretch from From on (until the next segment's From) whose
// downtime goes in equal shares to the classes Classes (indices into the
// incident's Causes).
type segment struct {
	From    sim.Time
	Classes []int
}

// attribution is the incident's piecewise-constant split rule (see the
// comment at the top): the first segment reaches back without bound, the
// last forward. With no fault it is empty (everything to CauseNone).
func attribution(faults []faultSpan, classOf []int) []segment {
	if len(faults) == 0 {
		return nil
	}
	var points []sim.Time
	for _, s := range faults {
		points = append(points, s.from, s.to)
	}
	slices.Sort(points)
	points = slices.Compact(points)
	// Before the first point: the classes of the first faults.
	var first []int
	for i, s := range faults {
		if s.from == points[0] && !slices.Contains(first, classOf[i]) {
			first = append(first, classOf[i])
		}
	}
	segs := []segment{{From: points[0] - 1, Classes: first}}
	prev := first
	for _, at := range points {
		var act, instant []int
		for i, s := range faults {
			switch {
			case s.from <= at && s.to > at:
				if !slices.Contains(act, classOf[i]) {
					act = append(act, classOf[i])
				}
			case s.from == at && s.to == at:
				if !slices.Contains(instant, classOf[i]) {
					instant = append(instant, classOf[i])
				}
			}
		}
		switch {
		case len(act) > 0:
			prev = act
		case len(instant) > 0:
			prev = instant
		}
		segs = append(segs, segment{From: at, Classes: prev})
	}
	return segs
}

// split adds interval iv's downtime to byCause by the segments: each
// overlap in equal shares, the nanoseconds left over to the first
// classes. Without segments everything goes to the one cause there is.
func split(iv kube.Interval, segs []segment, byCause []time.Duration) {
	if len(segs) == 0 {
		byCause[0] += iv.To.Sub(iv.From)
		return
	}
	for i, s := range segs {
		from := max(iv.From, s.From)
		to := iv.To
		if i+1 < len(segs) {
			to = min(to, segs[i+1].From)
		}
		if i == 0 {
			from = iv.From
		}
		if to <= from {
			continue
		}
		d := to.Sub(from)
		k := time.Duration(len(s.Classes))
		for j, c := range s.Classes {
			share := d / k
			if time.Duration(j) < d%k {
				share++
			}
			byCause[c] += share
		}
	}
}

// addYears adds a downtime interval to its function's batches of calendar
// years.
func (t *incidents) addYears(fn int, iv kube.Interval) {
	for from := iv.From; from < iv.To; {
		k := int(from.Duration() / Year)
		y := (t.yearBase + k) / t.batch
		to := min(iv.To, sim.At(time.Duration(k+1)*Year))
		for len(t.years[fn]) <= y {
			t.years[fn] = append(t.years[fn], 0)
		}
		t.years[fn][y] += to.Sub(from)
		from = to
	}
}

// yearOf is the calendar year of the run (eras counted) that calendar
// time at of the current era falls in.
func (t *incidents) yearOf(at sim.Time) int { return t.yearBase + int(at.Duration()/Year) }

// maxGap bounds the gap between incidents the tracker can state: one
// longer (no incident for a century of a long run) reads as maxGap.
const maxGap = 2 * fabric.EraLen

// rebase moves the tracker's calendar times back by d (eras.go): no
// incident is pending then. It lists no more incidents, since what it
// lists is stated in the first era's calendar.
func (t *incidents) rebase(d time.Duration) {
	t.yearBase += int(d / Year)
	t.lastEnd = max(t.lastEnd.Add(-d), sim.At(-maxGap))
	for i := range t.fns {
		t.fns[i].since = t.fns[i].since.Add(-d)
	}
	t.listed = len(t.done)
	if t.tail.Last != nil {
		t.tail.fold() // what it holds in full is of the current era
	}
}

// Incidents are the incidents settled so far (all of them after the run).
func (c *Cluster) Incidents() []Incident { return c.inc.done }

// IncidentOpen reports whether an incident is under way or not yet
// settled.
func (c *Cluster) IncidentOpen() bool { return len(c.inc.pending) > 0 }

// UnsettledFrom is the earliest time a record may still turn out to be
// part of an incident: the start of the first incident not yet settled,
// or the settle window before now (a probe's record reaches back that
// far). A record before it is in a settled incident (Incidents) or in
// none.
func (c *Cluster) UnsettledFrom() sim.Time { return c.inc.unsettledFrom(c.Now()) }

func (t *incidents) unsettledFrom(now sim.Time) sim.Time {
	from := now - sim.At(t.settle)
	if len(t.pending) > 0 {
		from = min(from, t.pending[0].start)
	}
	return max(from, 0)
}

// functions are the run's functions with their downtime, in the order of
// the probes, then the groups (etcd first).
func (c *Cluster) functions(groups []GroupResult) []FunctionResult {
	var out []FunctionResult
	for _, p := range c.Probes {
		out = append(out, FunctionResult{Name: p.Name, Kind: FunctionProbe, Probe: p.Kind, Down: p.Unavailable()})
	}
	for _, g := range groups {
		out = append(out, FunctionResult{Name: g.Name, Kind: FunctionLeader, Down: g.NoLeader})
	}
	for i := range out {
		if i < len(c.inc.years) {
			out[i].Years = slices.Clone(c.inc.years[i])
		}
	}
	return out
}

// CauseTotal is a failure class's part in a run's incidents.
type CauseTotal struct {
	Class string
	// Incidents counts the incidents with a fault of the class (those
	// without a fault, for CauseNone).
	Incidents int
	// Down is the downtime attributed to the class, by function (the
	// order of Result.Functions).
	Down []time.Duration
}

// CauseTotals sums incidents' downtime by cause, the classes in the order
// they first appear. Each function's downtimes over the classes sum to its
// downtime over the incidents.
func CauseTotals(incidents []Incident, functions int) []CauseTotal {
	var out []CauseTotal
	for _, in := range incidents {
		for k, class := range in.Causes {
			i := slices.IndexFunc(out, func(c CauseTotal) bool { return c.Class == class })
			if i < 0 {
				i = len(out)
				out = append(out, CauseTotal{Class: class, Down: make([]time.Duration, functions)})
			}
			out[i].Incidents++
			for fn := range min(functions, len(in.Down)) {
				out[i].Down[fn] += in.Down[fn].ByCause[k]
			}
		}
	}
	return out
}

// SplitBrainTotal is a group's split brain over a run: how many times two
// or more candidates believed they led, for how long in all and at most;
// and the same while two or more acted on it.
type SplitBrainTotal struct {
	Group                                  string
	Count, ActingCount                     int
	Total, Longest, ActingTotal, ActingMax time.Duration
}

// SplitBrainTotals are the groups' split-brain totals.
func SplitBrainTotals(groups []GroupResult) []SplitBrainTotal {
	var out []SplitBrainTotal
	for _, g := range groups {
		f, af := g.SplitBrainFolded, g.ActingSplitBrainFolded
		s := SplitBrainTotal{Group: g.Name, Count: len(g.SplitBrain) + f.Count, ActingCount: len(g.ActingSplitBrain) + af.Count,
			Total: f.Total, Longest: f.Longest, ActingTotal: af.Total, ActingMax: af.Longest}
		for _, iv := range g.SplitBrain {
			d := iv.To.Sub(iv.From)
			s.Total += d
			s.Longest = max(s.Longest, d)
		}
		for _, iv := range g.ActingSplitBrain {
			d := iv.To.Sub(iv.From)
			s.ActingTotal += d
			s.ActingMax = max(s.ActingMax, d)
		}
		out = append(out, s)
	}
	return out
}
