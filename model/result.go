package model

import (
	"fmt"
	"slices"
	"time"

	"hasim/sim"

	"hasim/model/etcd"
	"hasim/model/fabric"
	"hasim/model/kube"
)

// Result is what a finished run leaves behind: what report formats. It
// holds no reference into the cluster.
type Result struct {
	Seed    uint64
	Horizon time.Duration // with HorizonEras, as in Config
	// HorizonEras are the horizon's whole eras past MaxHorizon (Config).
	HorizonEras int64
	Outcome     sim.Outcome
	Events      uint64
	End         sim.Time // virtual time reached, in the calendar of era Eras
	// Skipped is the steady time the run fast-forwarded through, in Skips
	// stretches (fastforward.go); instants are calendar times, counting it.
	// Over eras it is what was skipped less Eras eras.
	Skipped time.Duration
	Skips   int
	// Eras counts the calendar's rebases (eras.go): End and Skipped are
	// stated beyond Eras eras of EraSpan each; everything listed (faults,
	// incidents, split-brain stretches, the timeline) in the first era's
	// calendar. Zero for a run within MaxHorizon.
	Eras    int64
	EraSpan time.Duration
	// Cut, if set, says why the run ended before its horizon although its
	// outcome is sim.ReachedTime: over eras, no moment to rebase at came.
	Cut string
	// RecordsDropped are the records the timeline did not keep (Config.
	// MaxRecords); the figures count them.
	RecordsDropped int
	// FaultsUnlisted are the faults over and no longer listed in Faults
	// (a run with failure processes lists its first FaultsListed in full);
	// the figures count them.
	FaultsUnlisted int
	// Stall says where time stood still when Outcome is sim.Livelocked.
	Stall sim.Stall

	// Measurements start at the first commit (the bootstrap election is
	// in the timeline, not in the figures). Steady is false if the cluster
	// never committed.
	MeasuredFrom sim.Time
	Steady       bool
	Leaderless   time.Duration // no running member in the leader state
	DualLeader   time.Duration // two or more running members in the leader state

	Members    []MemberResult
	Groups     []GroupResult
	APIServers []APIServerResult
	Hosts      int // hosts running a cluster process (the topology's cost); a host running only clients (probes) is not one
	// HostList is every host (control plane, load balancers, clients) in
	// the configuration's order, with its zone and processes: what the
	// lanes and pictures draw.
	HostList []HostResult
	Probes   []ProbeResult
	Faults   []FaultResult
	// Nodes and Workloads are the worker plane, if simulated.
	Nodes     []NodeResult
	Workloads []WorkloadResult
	Timeline  []fabric.Record
	// RatesDefined: the configuration has failure processes, so the run's
	// figures extrapolate to a year (scripted faults define no rate).
	RatesDefined bool
	// Functions are what the control plane provides (each probe's requests,
	// each group's leader election) with their downtime, and Incidents the
	// stretches in which the cluster was not steady, with each function's
	// downtime in them by cause (incidents.go).
	Functions []FunctionResult
	// YearsPerBatch is how many calendar years each entry of the figures
	// by year counts (FunctionResult.Years, IncidentTail.PerYear): 1 unless
	// the horizon is longer than MaxYearBatches years (Config.YearBatches).
	YearsPerBatch int
	Incidents     []Incident
	// IncidentTail folds the incidents past the first IncidentsListed
	// (a run over years has thousands): what the figures need of each.
	IncidentTail IncidentTail
	// Lanes are the run's states over time (hosts, leader groups, probes),
	// computed once from the timeline for every renderer.
	Lanes      []Lane
	Violations []etcd.Violation
}

// NodeResult and WorkloadResult are the worker plane's (kube.WorkerPlane.Results).
type (
	NodeResult     = kube.NodeResult
	WorkloadResult = kube.WorkloadResult
)

// MemberResult is a member's state at the end of the run.
type MemberResult struct {
	Name, Host string
	Process    fabric.ProcState
	Role       etcd.RaftState
	Term       uint64
	Leader     string // whom it follows ("" if none)
	// Membership is its place in the configuration that the most advanced
	// member has applied: voter, learner, removed or not added.
	Membership string
}

// GroupResult is a leader-election group's leadership over the run.
type GroupResult struct {
	Name string
	// NoLeader is the measured time with no acting leader (none, or only
	// frozen ones), from the group's first leader.
	NoLeader time.Duration
	// SplitBrain are the intervals in which two or more candidates
	// believed they led; ActingSplitBrain those in which two or more were
	// also running (not frozen).
	SplitBrain       []kube.Interval
	ActingSplitBrain []kube.Interval
	// SplitBrainFolded and ActingSplitBrainFolded sum up the intervals
	// past the first kube.IntervalsListed, which are not listed.
	SplitBrainFolded, ActingSplitBrainFolded kube.IntervalTotals
	Acquisitions                             int
	// LeaseRequests and LeaseWrites are the API requests the group's
	// electors made (all, and the writes alone): leader election's load on
	// the apiservers. Zero for etcd.
	LeaseRequests, LeaseWrites float64
	// Leader is the candidate acting as leader at the end by the group's
	// own rule ("" if none): never a frozen one, and in an acting split
	// brain the one the lease record names.
	Leader string
}

// HostResult is a host, its zone ("" for none: a client's host outside
// every zone), its processes and their roles, in start order, and its
// clock's rate at the start.
type HostResult struct {
	Name, Zone  string
	Procs       []string
	Roles       []string
	InitialRate float64
}

// APIServerResult is an apiserver's readiness over the run.
type APIServerResult struct {
	Name, Host string
	Ready      fabric.Sum // measured time during which /readyz passed
}

// ProbeResult is what a probe measured.
type ProbeResult struct {
	Name         string
	Kind         kube.ProbeKind
	Period       time.Duration
	Timeout      time.Duration
	Availability float64       // fraction of the measured time, unmeasured time left out
	Unavailable  time.Duration // measured time with failing requests
	OK, Failed   int
	// Unmeasured is the time the probe could not measure because its own
	// host or process was down or frozen, and UnmeasuredRequests the
	// requests that cost (lost in flight, or never sent): neither success
	// nor failure, and not in Availability.
	Unmeasured         time.Duration
	UnmeasuredRequests int
}

// FaultResult is a fault and what followed it until the next fault.
type FaultResult struct {
	ID          int
	Name        string
	Kind        FaultKind
	Description string // what it does, in words
	// Class is the failure class its downtime is attributed to: the
	// failure process's name, or a scripted fault's name or kind.
	Class    string
	Target   string // the hosts it hit, as resolved
	At       sim.Time
	Healed   bool
	HealedAt sim.Time
	Skipped  string // why it did nothing, if it did nothing
	// Operation marks an operator's action (join-control-plane,
	// remove-etcd-member): it ended at DoneAt (0: still running at the
	// end), with Error if it failed.
	Operation bool
	DoneAt    sim.Time
	Error     string

	LeaderBefore string // etcd leader when it began
	TermBefore   uint64
	// NewLeaderAfter is the time from the fault to the first leader of a
	// higher term, before the next fault; negative if none.
	NewLeaderAfter time.Duration
	NewLeader      string
	NewLeaderTerm  uint64
	// FirstSuccess, by probe, is the time from the fault to the first
	// successful request sent after it; negative if none.
	FirstSuccess []time.Duration
	// GroupFailover, by group, is the time from the fault to the group's
	// first lease acquisition after it; negative if none.
	GroupFailover []time.Duration
	GroupLeader   []string
}

// Result snapshots the run. Call it after Run.
func (c *Cluster) Result(outcome sim.Outcome) Result {
	r := Result{
		Seed: c.cfg.Seed, Horizon: c.cfg.Horizon, HorizonEras: c.cfg.HorizonEras, Outcome: outcome, Events: c.Sim.Events(), End: c.Sim.Now(), Stall: c.stallOf(outcome),
		MeasuredFrom: c.measuredFrom(), Steady: c.Steady(), Leaderless: c.leaderless, DualLeader: c.multiLeader,
		Timeline: c.resultTimeline(), Violations: append([]etcd.Violation(nil), c.Etcd.Violations()...),
	}
	conf := c.Etcd.LatestConf()
	for _, m := range c.Etcd.Members {
		mr := MemberResult{Name: m.Name, Host: m.Proc.Host.Name, Process: m.Proc.State(), Role: m.State(), Term: m.HS.Term,
			Membership: conf.Status(m.ID)}
		if m.Lead != etcd.None && m.Proc.State() != fabric.Stopped {
			mr.Leader = m.Peer(m.Lead).Name
		}
		if m.Proc.State() == fabric.Stopped {
			mr.Role = etcd.Follower
		}
		r.Members = append(r.Members, mr)
	}
	r.Hosts = len(slices.DeleteFunc(slices.Clone(c.Hosts), func(h *fabric.Host) bool {
		return c.managed(h) || !slices.ContainsFunc(h.Procs, func(p *fabric.Process) bool { return p.Role != fabric.RoleClient })
	}))
	for _, h := range c.Hosts {
		hr := HostResult{Name: h.Name, InitialRate: 1}
		if h.Zone != nil {
			hr.Zone = h.Zone.Name
		}
		if i := slices.IndexFunc(c.cfg.Hosts, func(hc fabric.HostConfig) bool { return hc.Name == h.Name }); i >= 0 && c.cfg.Hosts[i].Clock.Rate > 0 {
			hr.InitialRate = c.cfg.Hosts[i].Clock.Rate
		}
		for _, p := range h.Procs {
			hr.Procs, hr.Roles = append(hr.Procs, p.Name), append(hr.Roles, p.Role)
		}
		r.HostList = append(r.HostList, hr)
	}
	r.Groups = append(r.Groups, GroupResult{Name: GroupEtcd, NoLeader: c.leaderless,
		SplitBrain: slices.Clone(c.etcdSplit.List), SplitBrainFolded: c.etcdSplit.Folded,
		ActingSplitBrain: slices.Clone(c.etcdActSplit.List), ActingSplitBrainFolded: c.etcdActSplit.Folded, Acquisitions: c.etcdElections})
	if l := c.Etcd.Leader(); l != nil {
		r.Groups[0].Leader = l.Name
	}
	for _, g := range c.Groups {
		gr := GroupResult{Name: g.Name, NoLeader: g.NoLeader,
			SplitBrain: slices.Clone(g.Split.List), SplitBrainFolded: g.Split.Folded,
			ActingSplitBrain: slices.Clone(g.ActSplit.List), ActingSplitBrainFolded: g.ActSplit.Folded, Acquisitions: g.Acquisitions,
			LeaseRequests: g.Requests, LeaseWrites: g.Writes}
		if k := g.ActingLeader(); k != nil {
			gr.Leader = k.Name
		}
		r.Groups = append(r.Groups, gr)
	}
	for _, a := range c.APIServers {
		r.APIServers = append(r.APIServers, APIServerResult{Name: a.Name, Host: a.Proc.Host.Name, Ready: a.ReadyTime()})
	}
	if w := c.Workers; w != nil {
		r.Nodes, r.Workloads = w.Results()
	}
	for _, p := range c.Probes {
		ok, failed := p.Counts()
		un, unN := p.Unmeasured()
		r.Probes = append(r.Probes, ProbeResult{Name: p.Name, Kind: p.Kind, Period: p.Config().Period, Timeout: p.Config().Timeout,
			Availability: p.Availability(), Unavailable: p.Unavailable(), OK: ok, Failed: failed, Unmeasured: un, UnmeasuredRequests: unN})
	}
	for _, f := range c.Faults {
		fr := FaultResult{ID: f.ID, Name: f.Cfg.Name, Kind: f.Cfg.Kind, Description: f.describe(), Class: f.Class, Target: f.Resolved,
			At: f.InjectedAt, Healed: f.healed, HealedAt: f.HealedAt, Skipped: f.Skipped,
			Operation: f.Cfg.Kind.IsOperation(), DoneAt: f.doneAt, Error: f.opErr,
			LeaderBefore: f.LeaderAtInject, TermBefore: f.TermAtInject, NewLeaderAfter: -1,
			NewLeader: f.NewLeader, NewLeaderTerm: f.NewLeaderTerm}
		if fr.Target == "" {
			fr.Target = f.Cfg.Target.String()
		}
		if !f.injected && f.Skipped == "" {
			// Never attempted: a triggered fault's event never came. One
			// that was attempted keeps the time and the reason its
			// timeline record gave (its target did not resolve, an
			// operation's precheck refused).
			fr.At = sim.At(f.Cfg.At)
			if f.Cfg.On != nil {
				fr.Skipped = fmt.Sprintf("%s never happened after %v", f.Cfg.On.Event, f.Cfg.At)
			}
		}
		fr.NewLeaderAfter = since(f.NewLeaderAt, f.InjectedAt)
		fr.GroupFailover = append(fr.GroupFailover, fr.NewLeaderAfter)
		fr.GroupLeader = append(fr.GroupLeader, f.NewLeader)
		for _, a := range f.GroupAcquired {
			fr.GroupFailover = append(fr.GroupFailover, since(a.At, f.InjectedAt))
			fr.GroupLeader = append(fr.GroupLeader, a.Proc)
		}
		for _, ok := range f.FirstOK {
			fr.FirstSuccess = append(fr.FirstSuccess, since(ok, f.InjectedAt))
		}
		r.Faults = append(r.Faults, fr)
	}
	c.skipFigures(&r)
	r.RatesDefined = len(c.cfg.Failures) > 0
	r.Functions = c.functions(r.Groups)
	r.YearsPerBatch = c.inc.batch
	r.Incidents = slices.Clone(c.Incidents())
	r.IncidentTail = c.inc.tail
	if !c.figuresOnly {
		r.Lanes = ComputeLanes(&r)
	}
	return r
}

// resultTimeline is the timeline for the result: taken from the world if
// the run is done (Simulate lets the cluster go), a copy otherwise.
func (c *Cluster) resultTimeline() []fabric.Record {
	if c.done {
		return c.TakeTimeline()
	}
	return c.Timeline()
}

// skipFigures fills in what the run skipped and left unlisted. Every
// instant of the result is in calendar time already (stamped with
// fabric.World.Now when it happened); only the end is restated.
func (c *Cluster) skipFigures(r *Result) {
	skipped, n, _ := c.Skipped()
	r.Skipped, r.Skips, r.RecordsDropped, r.FaultsUnlisted = skipped, n, c.Dropped(), c.faultsGone
	r.End = c.Calendar(r.End)
	r.Eras, r.EraSpan = c.Era(), c.EraSpan()
	if c.eraStuck {
		r.Cut = fmt.Sprintf("the run ended at %s, before its horizon of %s: a calendar past 250 years is rebased every 50 years at a steady, healthy moment with no fault in force and no incident open, and none came for %s (a fault that never heals keeps one in force: give it a duration, or keep the horizon within 250y)",
			r.EndString(), c.cfg.HorizonString(), LongString(horizonCap-c.EraSpan()))
	}
}

// Reached reports whether calendar time t of something the result lists
// is within the run: at or before its end, or anything listed at all over
// eras (it is stated in the first era's calendar, the end in the last's).
func (r *Result) Reached(t sim.Time) bool { return r.Eras > 0 || t <= r.End }

// EndSeconds is the calendar time the run reached, in seconds, eras
// counted.
func (r *Result) EndSeconds() float64 {
	return float64(r.Eras)*r.EraSpan.Seconds() + r.End.Seconds()
}

// MeasuredSeconds is the calendar time measured, in seconds: from
// MeasuredFrom to the end, eras counted.
func (r *Result) MeasuredSeconds() float64 { return r.EndSeconds() - r.MeasuredFrom.Seconds() }

// SkippedSeconds is the calendar time fast-forwarded, in seconds, eras
// counted.
func (r *Result) SkippedSeconds() float64 {
	return float64(r.Eras)*r.EraSpan.Seconds() + r.Skipped.Seconds()
}

// EndYears is the whole calendar years the run reached, eras counted.
func (r *Result) EndYears() int {
	return int(int64(r.Eras)*int64(r.EraSpan/Year) + int64(r.End.Duration()/Year))
}

// EndString writes the calendar time the run reached as LongString does,
// eras counted ("1000y").
func (r *Result) EndString() string {
	if r.EraSpan%Year != 0 { // not a span a run rebases by
		return fmt.Sprintf("%.6gy", r.EndSeconds()/Year.Seconds())
	}
	return yearsString(r.Eras*int64(r.EraSpan/Year), r.End.Duration())
}

// since is the time from `from` to t, or -1 if t is unset (0).
func since(t, from sim.Time) time.Duration {
	if t == 0 {
		return -1
	}
	return t.Sub(from)
}

// stallOf is the engine's stall report for a livelocked run.
func (c *Cluster) stallOf(outcome sim.Outcome) sim.Stall {
	if outcome != sim.Livelocked {
		return sim.Stall{}
	}
	return c.Sim.Stall()
}

// measuredFrom is when measurements started, in calendar time (zero if
// they never did).
func (c *Cluster) measuredFrom() sim.Time {
	if !c.Steady() {
		return 0
	}
	return c.measuredCal
}
