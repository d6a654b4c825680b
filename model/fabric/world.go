package fabric

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"hasim/sim"
)

// World is what every component of a run shares: the engine, the hosts
// and processes, the network, the record stream, request ids and interned
// names. Components hold the World, not the Cluster; what they have to
// tell the cluster goes through the Watcher (records, and the changes of
// leadership it accounts).
type World struct {
	Sim   *sim.Sim
	Zones []*Zone
	Hosts []*Host
	Procs []*Process

	Net       *Network
	timeline  []Record
	recSeq    uint64
	Keys      InternTable // interned store keys, by id
	ids       InternTable // interned lease holder identities; ids[0] is "" (no holder)
	nextReq   uint64
	WallEpoch time.Duration // time of day at the run's start, for wall clocks
	Watch     Watcher

	// Measurements start once the cluster is first healthy (its first
	// commit): the bootstrap is in the timeline but not in the figures.
	steady   bool
	steadyAt sim.Time

	// The calendar (calendar.go): what was skipped, and the timers armed
	// by the calendar.
	skipped time.Duration
	origin  time.Duration // the true time of calendar 0 (SetOrigin)
	nskips  int
	skips   []Span // the latest skips, at most KeepSpans (all if negative)
	// KeepSpans is how many of the latest skipped spans the World keeps to
	// restate recent true times in calendar time (Calendar); 0 means
	// DefaultKeepSpans.
	KeepSpans int
	calTimers []*CalendarTimer
	skipHooks []func(time.Duration)
	trimmers  []Trimmer // trimmed at each skip (TrimAtSkip)
	// The calendar's era (Rebase): how many times it was rebased, by
	// EraSpan each, and what components do when it is.
	era         int64
	eraSpan     time.Duration // 0 means EraLen (SetEraSpan)
	rebaseHooks []func(time.Duration)
	rpcs        []*RPCClient    // every request client, for Settled
	periods     []time.Duration // the distinct periods of the run's loops (NotePeriod)

	// MaxRecords, if positive, bounds the timeline: later records are
	// counted (Dropped) and seen by the watcher, not kept. A run over
	// years keeps its memory flat this way.
	MaxRecords int
	dropped    int
	closed     bool // KeepRecordsUntil: no more records kept
}

// NewWorld makes the world of a run: its engine, seeded with seed, the
// zones, the hosts (each in a zone of zones, or in none: outside every
// zone) and the network between them.
// The caller sets the Watcher before anything runs.
func NewWorld(seed uint64, zones []string, hosts []HostConfig, net NetworkConfig) *World {
	w := &World{Sim: sim.New(seed)}
	// Wall clocks read time of day: the run starts at a random point within
	// a second, so that faults at whole seconds do not line up with the
	// seconds of timestamps.
	w.WallEpoch = time.Duration(w.Sim.Stream("wallclock").IntN(0, int(time.Second)))
	byName := map[string]*Zone{}
	for _, name := range zones {
		z := &Zone{Name: name}
		byName[name] = z
		w.Zones = append(w.Zones, z)
	}
	for i, hc := range hosts {
		clock := hc.Clock
		if clock.Rate == 0 {
			clock.Rate = 1
		}
		fsync := hc.Fsync
		if fsync.Kind == "" && fsync.Value == 0 {
			fsync = DefaultFsync()
		}
		h := &Host{Name: hc.Name, Zone: byName[hc.Zone], Clock: clock, w: w, index: i, up: true}
		h.Disk = &Disk{Fsync: fsync, stream: w.Sim.Stream("disk/" + hc.Name)}
		if h.Zone != nil { // a host in no zone is outside every zone (a client)
			h.Zone.Hosts = append(h.Zone.Hosts, h)
		}
		w.Hosts = append(w.Hosts, h)
	}
	w.Net = newNetwork(w, net)
	w.TrimAtSkip(w.Net)
	return w
}

// AddProcess adds a process of role, handled by hd, on host h. Processes
// start, at time zero, in the order they were added.
func (w *World) AddProcess(name, role string, h *Host, hd Handler) *Process {
	p := &Process{Name: name, Role: role, Host: h, w: w, Index: len(w.Procs), h: hd}
	h.Procs = append(h.Procs, p)
	w.Procs = append(w.Procs, p)
	return p
}

// Watcher is what watches the components of a World: the Cluster.
type Watcher interface {
	// Recorded sees every record, after it is on the timeline.
	Recorded(r Record)
	// LeadershipChanged is called whenever a member's role or a process's
	// state may have changed.
	LeadershipChanged()
}

// StartMeasuring starts the measurements now: the cluster is healthy for
// the first time (its first commit).
func (w *World) StartMeasuring() { w.steady, w.steadyAt = true, w.Sim.Now() }

// Steady reports whether measurements have started.
func (w *World) Steady() bool { return w.steady }

// MeasuredFrom is when measurements started (zero before they do).
func (w *World) MeasuredFrom() sim.Time { return w.steadyAt }

// Record appends r to the timeline at the current time and tells the
// Watcher. Records are stated in calendar time: r.T, if set, is a true
// time (a probe's record reaches back to its request's send time), which
// Record restates.
func (c *World) Record(r Record) {
	if r.T == 0 {
		r.T = c.Now()
	} else {
		r.T = c.Calendar(r.T)
	}
	c.recSeq++
	r.seq = c.recSeq
	if r.T < 0 {
		// Before the calendar's origin: the start the run does not show.
	} else if c.closed || c.MaxRecords > 0 && len(c.timeline) >= c.MaxRecords {
		c.dropped++
	} else {
		c.timeline = append(c.timeline, r)
	}
	c.Watch.Recorded(r)
}

// KeepRecordsUntil stops the timeline at calendar time t: records after t
// already kept are dropped, and no later record is kept (the watcher still
// sees them all). A run over years keeps the records of the incidents it
// lists in full and stops after the last of them.
func (c *World) KeepRecordsUntil(t sim.Time) {
	kept := c.timeline[:0]
	for _, r := range c.timeline {
		if r.T <= t {
			kept = append(kept, r)
		} else {
			c.dropped++
		}
	}
	clear(c.timeline[len(kept):])
	c.timeline = kept
	c.closed = true
}

// Dropped is how many records were not kept on the timeline because it
// held MaxRecords already (the watcher saw them all).
func (c *World) Dropped() int { return c.dropped }

// Timeline is the run's events in time order (same-instant events in the
// order they were recorded).
func (c *World) Timeline() []Record {
	tl := slices.Clone(c.timeline)
	sortRecords(tl)
	return tl
}

// TakeTimeline is Timeline without the copy, for a world that is done:
// it hands its records over and keeps none (later records count as not
// kept). The timeline can be the largest thing a run holds, and a copy of
// it made while the world is still reachable doubles it at the end.
func (c *World) TakeTimeline() []Record {
	tl := c.timeline
	sortRecords(tl)
	c.timeline, c.closed = nil, true
	return tl
}

// sortRecords sorts records by time, then by the order they were recorded
// (seq is unique, so the order is total).
func sortRecords(tl []Record) {
	slices.SortFunc(tl, func(a, b Record) int { return cmp.Or(cmp.Compare(a.T, b.T), cmp.Compare(a.seq, b.seq)) })
}

// Key interns a store key and returns its id. Call it while building.
func (c *World) Key(name string) uint32 { return uint32(c.Keys.Intern(name)) }

// Identity interns a lease holder identity and returns its id (never 0).
func (c *World) Identity(name string) int32 {
	if len(c.ids.List) == 0 {
		c.ids.Intern("") // id 0: no holder
	}
	return int32(c.ids.Intern(name))
}

// internTable interns strings: each new one gets the next index.
type InternTable struct {
	List  []string
	index map[string]int
}

// intern returns name's index, giving it the next one if it is new.
func (n *InternTable) Intern(name string) int {
	if i, ok := n.index[name]; ok {
		return i
	}
	if n.index == nil {
		n.index = map[string]int{}
	}
	n.index[name] = len(n.List)
	n.List = append(n.List, name)
	return len(n.List) - 1
}

// Incarnation identities: a process that takes a fresh identity each time
// it starts (client-go's elector: the host name and a unique suffix) would
// intern a new name per restart, and a run over centuries restarts
// processes tens of thousands of times. Its identity is a number instead:
// incarnationID set, the process's index above incarnationBits, and its
// incarnation in them (wrapping, far beyond any lease still held); the
// name is made when asked for.
const (
	incarnationID   = 1 << 30
	incarnationBits = 16
	maxIncarnated   = 1 << (30 - incarnationBits)
)

// IncarnationIdentity is the lease identity of p's current incarnation,
// named "HOST_N" (N its incarnation).
func (c *World) IncarnationIdentity(p *Process) int32 {
	if p.Index >= maxIncarnated {
		return c.Identity(fmt.Sprintf("%s_%d", p.Host.Name, p.incarnation))
	}
	return int32(incarnationID | p.Index<<incarnationBits | int(p.incarnation%(1<<incarnationBits)))
}

// IdentityName is the identity of an id ("" for none).
func (c *World) IdentityName(id int32) string {
	if id&incarnationID != 0 {
		p := c.Procs[int(id&^incarnationID)>>incarnationBits]
		low := uint64(id) % (1 << incarnationBits)
		// The latest incarnation with these low bits.
		inc := p.incarnation - (p.incarnation-low)%(1<<incarnationBits)
		return fmt.Sprintf("%s_%d", p.Host.Name, inc)
	}
	if id <= 0 || int(id) >= len(c.ids.List) {
		return ""
	}
	return c.ids.List[id]
}

// newRequestID returns a cluster-unique client request id.
func (c *World) NewRequestID() uint64 {
	c.nextReq++
	return c.nextReq
}
