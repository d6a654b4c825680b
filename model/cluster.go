package model

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"hasim/sim"

	"hasim/model/etcd"
	"hasim/model/fabric"
	"hasim/model/kube"
)

// Config is everything a run needs. Build checks it.
type Config struct {
	Seed    uint64
	Horizon time.Duration // simulated time to run (with HorizonEras: beyond them)
	// HorizonEras are whole calendar eras (fabric.EraLen, 50 years each)
	// the run's horizon has before Horizon: a horizon past MaxHorizon is
	// HorizonEras × EraLen + Horizon. Such a run needs failure processes
	// and the fast-forward; its calendar is rebased by one era at a time
	// (fastforward.go). LongHorizon makes the pair from a length.
	HorizonEras int64
	// EraSpan, for tests, rebases the calendar every EraSpan (a whole
	// number of years) in any run with failure processes, whatever its
	// horizon; 0 rebases only runs past MaxHorizon, every fabric.EraLen.
	EraSpan   time.Duration
	MaxEvents uint64 // event bound; 0 means DefaultMaxEvents
	// MaxEventsPerInstant ends the run as livelocked once this many events
	// fire without virtual time advancing; 0 means
	// DefaultMaxEventsPerInstant.
	MaxEventsPerInstant uint64
	Zones               []string
	Hosts               []fabric.HostConfig
	Network             fabric.NetworkConfig
	// EtcdMembers names the hosts that run an etcd member, one each; the
	// members are called etcd-1, etcd-2, ... in this order.
	EtcdMembers []string
	Etcd        etcd.EtcdConfig
	Probes      []kube.ProbeConfig
	Faults      []FaultConfig
	// Failures are failure processes: faults at random times (failures.go).
	Failures []FailureConfig
	// APIServers run on control-plane hosts, with a kubelet that restarts
	// them (and the controllers on those hosts) as static pods.
	APIServers []kube.APIServerConfig
	// Groups are the leader-elected components.
	Groups []kube.LeaseGroupConfig
	// LoadBalancer is the control-plane endpoint; nil means none.
	LoadBalancer *kube.LoadBalancerConfig
	// Workers is the worker plane (node leases, node lifecycle, pods);
	// nil leaves it out.
	Workers *kube.WorkerPlaneConfig
	// Service models the kubernetes Service, its endpoint reconciler in
	// the apiservers and kube-proxy on the nodes (in-cluster API access,
	// a probe's Via "service"); nil leaves it out.
	Service *kube.ServiceConfig
	// Kubelet is every kubelet's static-pod restart back-off.
	Kubelet kube.KubeletConfig
	// Joining are control-plane hosts that kubeadm joins during the run
	// (a join-control-plane operation): until then nothing runs on them
	// but clients (probes). Their etcd members, if any, must be among
	// those that are not initial members.
	Joining []string
	// SkipRenewals leaves lease renewals out of the timeline (sweeps that
	// need only the summary; benchmarks of long horizons).
	SkipRenewals bool
	// CheckInvariants scans the whole cluster's safety invariants after
	// every event (slow; for tests). The cheap checks at each state change
	// always run.
	CheckInvariants bool
	// ColdStart makes a run start at calendar time 0 with every process
	// starting then, as a cluster booted from nothing. By default
	// (Simulate) the cluster starts a warm-up before 0 instead, of a
	// length drawn per run, and the run shows and measures from 0: a
	// cluster that has been running for a while, whose loops meet a
	// scripted fault at random phases (see warmStart).
	ColdStart bool
	// NoFastForward simulates every steady stretch in full. By default a
	// run with failure processes skips the steady stretches between
	// failures (see fastforward.go); scripted runs never skip.
	NoFastForward bool
	// MaxRecords bounds the timeline a run keeps (the first records; the
	// rest are counted): 0 means DefaultMaxRecords for a run with failure
	// processes, no bound for a scripted one; negative, no bound.
	MaxRecords int
	// IncidentsListed is how many incidents the result lists in full
	// (Result.Incidents); later ones fold into Result.IncidentTail. 0 means
	// IncidentsListed; negative, no bound.
	IncidentsListed int
	// YearBatches bounds how many entries the figures by calendar year
	// keep (FunctionResult.Years, IncidentTail.PerYear): 0 means
	// MaxYearBatches. A horizon of more years than that counts them in
	// batches of YearsPerBatch years.
	YearBatches int
}

// FaultsListed is how many faults a run with failure processes lists in
// full (the first ones); later faults count in every figure but are
// forgotten once over, so that a run over years keeps its memory flat.
const FaultsListed = 1_000

// DefaultMaxRecords is the timeline a run with failure processes keeps:
// its first twenty thousand records (a few megabytes; the first few years
// of incidents in full); its figures count every record.
const DefaultMaxRecords = 20_000

// DefaultMaxEvents bounds runs whose config sets no event limit.
const DefaultMaxEvents = 2_000_000_000

// DefaultMaxEventsPerYear raises DefaultMaxEvents for a run with failure
// processes over a long horizon: so many events a year of its horizon
// (five times what an external 5+3 topology fires in a year at the cloud
// profile).
const DefaultMaxEventsPerYear = 100_000_000

// DefaultMaxEventsPerInstant is the livelock guard's default: far more
// events than any real instant holds (everything that starts at time zero
// of a 10,000-node cluster is a few tens of thousands), far fewer than a
// stuck run fires in a second.
const DefaultMaxEventsPerInstant = 1_000_000

// Cluster is one simulated cluster and the run around it: the components
// on their shared World, and what watches them (leadership accounting,
// fault attribution, event-triggered faults, invariants).
type Cluster struct {
	*kube.Plane
	Faults []*Fault

	cfg         Config
	current     *Fault // the most recently injected fault
	armedFaults bool   // some fault waits for an event
	failures    []*failureProc

	// Leadership accounting.
	leaders       int // running members in the leader state
	leadersSince  sim.Time
	leaderless    time.Duration
	multiLeader   time.Duration
	etcdBelieving int            // members in the leader state, running or frozen
	etcdElections int            // leaders elected (the bootstrap one included)
	etcdSplit     kube.Intervals // two or more believed they led
	etcdActSplit  kube.Intervals // two or more running leaders
	checkEachStep bool

	lastChange sim.Time // true time of the last record of a change (not a renewal)
	// SkipWatch, if set (from RunOptions.BeforeRun), is called before
	// (true) and after (false) each look for a steady moment and the skip
	// it may make: a benchmark times the fast-forward's own work with it.
	SkipWatch  func(begin bool)
	inForce    int       // faults injected and not yet healed (with a duration)
	opsRunning int       // kubeadm operations injected and not yet done
	faultsKept int       // with failure processes: faults listed in full (pruneFaults)
	pruneSlack int       // faults over beyond faultsKept before a prune
	faultsGone int       // faults over and no longer listed
	inc        incidents // incidents.go
	// figuresOnly: the result leaves out the lanes (RunOptions.FiguresOnly).
	figuresOnly bool
	// done: the run is over and the cluster is let go after its result,
	// which then takes the timeline instead of copying it (Simulate).
	done        bool
	committed   bool     // etcd has committed since the start
	measuredCal sim.Time // calendar time measurements started
	// The horizon as a calendar time of the current era, and whether it
	// lies beyond it (eras.go).
	horizonAt     sim.Time
	horizonBeyond bool
	eraStuck      bool // the run ended at horizonCap without a rebase
}

// DefaultPeerReconnect is how etcd's peer connections come back after a
// heal unless a scenario says: with pre-vote on, the draw from real etcd's
// measured rejoin (taken with pre-vote on); with pre-vote off, where no
// measurement of the reconnection alone exists, rafthttp's and TCP's
// mechanism.
func DefaultPeerReconnect(preVote bool) string {
	if preVote {
		return fabric.PeerReconnectMeasured
	}
	return fabric.PeerReconnectRafthttp
}

// Build assembles a cluster from cfg.
func Build(cfg Config) (*Cluster, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	cfg.Etcd = cfg.Etcd.WithDefaults()
	if cfg.Network.PeerReconnect == "" {
		cfg.Network.PeerReconnect = DefaultPeerReconnect(*cfg.Etcd.PreVote)
	}
	if cfg.Network.PeerDialTimeout == 0 {
		// etcd's peer dial timeout: 1 s plus the election timeout.
		cfg.Network.PeerDialTimeout = time.Second + cfg.Etcd.ElectionTimeout
	}
	worldHosts := cfg.Hosts
	if cfg.managedLB() {
		// The cloud load balancer's own host, outside every zone.
		worldHosts = append(slices.Clip(worldHosts), fabric.HostConfig{Name: kube.CloudLBHost})
	}
	c := &Cluster{
		Plane: kube.NewPlane(fabric.NewWorld(cfg.Seed, cfg.Zones, worldHosts, cfg.Network), cfg.Kubelet.WithDefaults(), cfg.SkipRenewals),
		cfg:   cfg,
	}
	c.World.Watch, c.Plane.Watch = c, c
	c.Key(kube.HealthKey) // key 0: the apiservers' health check reads it
	switch {
	case cfg.MaxRecords > 0:
		c.World.MaxRecords = cfg.MaxRecords
	case cfg.MaxRecords == 0 && len(cfg.Failures) > 0:
		c.World.MaxRecords = DefaultMaxRecords
	}
	if len(cfg.Failures) > 0 {
		c.faultsKept, c.pruneSlack = FaultsListed, 256
	}
	hosts := map[string]*fabric.Host{}
	for _, h := range c.Hosts {
		hosts[h.Name] = h
	}

	var etcdHosts []*fabric.Host
	for _, hn := range cfg.EtcdMembers {
		etcdHosts = append(etcdHosts, hosts[hn])
	}
	c.Etcd = etcd.NewEtcd(c.World, cfg.Etcd, etcdHosts, c)
	for _, ac := range cfg.APIServers {
		h := hosts[ac.Host]
		kl := c.KubeletOf(h) // before the apiserver: processes start in the order they were made
		if ac.WatchCacheStaleAfter == 0 {
			ac.WatchCacheStaleAfter = kube.WatchCacheStaleDefault(cfg.Etcd.ElectionTimeout)
		}
		a := kube.NewAPIServer(c.Plane, ac, h)
		kl.Manage(a.Proc, a.Liveness(), a.Readiness())
		c.APIServers = append(c.APIServers, a)
	}
	if cfg.LoadBalancer != nil {
		c.BuildLB(*cfg.LoadBalancer, hosts)
	}
	for _, gc := range cfg.Groups {
		c.Groups = append(c.Groups, kube.NewLeaseGroup(c.Plane, gc, hosts))
	}
	if cfg.Workers != nil {
		c.BuildWorkers(*cfg.Workers, hosts)
	}
	if cfg.Service != nil {
		sc := *cfg.Service
		sc.Joining = cfg.Joining
		c.BuildService(sc, hosts)
	}
	for _, pc := range cfg.Probes {
		c.Probes = append(c.Probes, kube.NewProbe(c.Plane, pc, hosts[pc.Host]))
	}
	// etcd runs as a static pod, as kubeadm lays it out on masters and on
	// external etcd hosts alike: the host's kubelet restarts a member
	// that exits. (A kubelet made here, on an etcd-only host, has nothing
	// else to do.)
	for _, m := range c.Etcd.Members {
		c.KubeletOf(m.Proc.Host).Manage(m.Proc, nil, nil)
	}
	for i, fc := range cfg.Faults {
		c.Faults = append(c.Faults, newFault(c, i+1, fc))
		c.armedFaults = c.armedFaults || fc.On != nil
	}
	c.initEras() // before the failures, which arm within the horizon
	c.startFailures(cfg.Failures)
	c.initIncidents()
	c.OnRebase(c.onRebase)
	c.Etcd.Index() // every process and store key exists now
	if cfg.CheckInvariants {
		c.Sim.SetTracer(invariantTracer{c})
	}
	// Everything starts at time zero, in configuration order, except the
	// etcd members that join later.
	for _, hn := range cfg.Joining {
		hosts[hn].SetJoining(true)
	}
	for _, p := range c.Procs {
		if m := c.Etcd.MemberOf(p); m != nil && !m.Initial {
			continue
		}
		if p.Host.Joining() && p.Role != fabric.RoleClient {
			continue
		}
		p.Enable()
		p.Start()
	}
	return c, nil
}

// hostSet checks that a list names defined hosts, each once, and returns
// them as a set; undefined and twice are the errors' formats.
func hostSet(list []string, hosts map[string]bool, bad func(string, ...any), undefined, twice string) map[string]bool {
	set := map[string]bool{}
	for _, h := range list {
		if !hosts[h] {
			bad(undefined, h)
		}
		if set[h] {
			bad(twice, h)
		}
		set[h] = true
	}
	return set
}

// Validate checks cfg as Build would, without building anything: every
// problem found, joined.
func (cfg Config) Validate() error { return cfg.validate() }

func (cfg *Config) validate() error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if cfg.Horizon <= 0 && cfg.HorizonEras <= 0 {
		bad("horizon must be positive")
	}
	cfg.checkEras(bad)
	zones := map[string]bool{}
	for _, z := range cfg.Zones {
		if zones[z] {
			bad("zone %q defined twice", z)
		}
		zones[z] = true
	}
	hosts := map[string]bool{}
	for _, h := range cfg.Hosts {
		if hosts[h.Name] {
			bad("host %q defined twice", h.Name)
		}
		hosts[h.Name] = true
		if h.Zone != "" && !zones[h.Zone] {
			bad("host %q is in zone %q, which is not defined", h.Name, h.Zone)
		}
		if h.Clock.Rate < 0 {
			bad("host %q: clock rate must be positive", h.Name)
		}
		if err := h.Fsync.Validate(); err != nil {
			bad("host %q: fsync: %v", h.Name, err)
		}
	}
	if len(cfg.EtcdMembers) == 0 {
		bad("the etcd cluster needs at least one member")
	}
	if k := cfg.Etcd.InitialMembers; k > len(cfg.EtcdMembers) {
		bad("etcd initialMembers %d exceeds the %d members", k, len(cfg.EtcdMembers))
	}
	hostSet(cfg.EtcdMembers, hosts, bad, "etcd member on host %q, which is not defined", "host %q runs two etcd members")
	if err := cfg.Etcd.WithDefaults().Validate(); err != nil {
		errs = append(errs, err)
	}
	for _, d := range []fabric.Dist{cfg.Network.SameZone, cfg.Network.CrossZone, cfg.Network.Loopback, cfg.Network.Reconnect} {
		if err := d.Validate(); err != nil {
			bad("network: %v", err)
		}
	}
	if cfg.Network.Loss < 0 || cfg.Network.Loss > 1 {
		bad("network loss %g must be within [0, 1]", cfg.Network.Loss)
	}
	if pr := cfg.Network.PeerReconnect; pr != "" && !slices.Contains(fabric.PeerReconnects(), pr) {
		bad("network peerReconnect %q: allowed %s", pr, strings.Join(fabric.PeerReconnects(), ", "))
	}
	for _, p := range cfg.Probes {
		if !hosts[p.Host] {
			bad("probe %q on host %q, which is not defined", p.Name, p.Host)
		}
	}
	cfg.validateService(hosts, bad)
	apiHosts := map[string]bool{}
	for _, a := range cfg.APIServers {
		if !hosts[a.Host] {
			bad("apiserver on host %q, which is not defined", a.Host)
		}
		if apiHosts[a.Host] {
			bad("host %q runs two apiservers", a.Host)
		}
		apiHosts[a.Host] = true
		if len(a.Etcd) == 0 {
			bad("apiserver on %q has no etcd endpoint", a.Host)
		}
	}
	for _, g := range cfg.Groups {
		if err := g.WithDefaults().LE.Validate(); err != nil {
			bad("%s: %v", g.Name, err)
		}
		for _, h := range g.Hosts {
			if !hosts[h] {
				bad("%s candidate on host %q, which is not defined", g.Name, h)
			} else if g.Endpoint != "all" && g.Endpoint != "lb" && !apiHosts[h] {
				bad("%s candidate on %q talks to the local apiserver, but %q runs none", g.Name, h, h)
			}
		}
		if g.Endpoint == "lb" && cfg.LoadBalancer == nil {
			bad("%s: endpoint lb needs a load balancer", g.Name)
		}
	}
	if lb := cfg.LoadBalancer; lb != nil {
		l := lb.WithDefaults()
		switch l.Kind {
		case kube.LBHAProxy, kube.LBKeepalived, kube.LBNginx:
			if len(l.Hosts) == 0 || (l.Kind == kube.LBKeepalived && len(l.Hosts) < 2) {
				bad("load balancer %s needs hosts (keepalived: at least two)", l.Kind)
			}
		case kube.LBKubeVIP, kube.LBNone:
		case kube.LBCloud:
			cfg.validateCloudLB(l, hosts, bad)
		default:
			bad("unknown load balancer kind %q", l.Kind)
		}
		for _, h := range l.Hosts {
			if !hosts[h] {
				bad("load balancer on host %q, which is not defined", h)
			}
		}
		if len(cfg.APIServers) == 0 {
			bad("a load balancer needs apiservers behind it")
		}
		for _, p := range l.BackupProblems(apiHosts, len(cfg.APIServers)) {
			bad("load balancer: %s", p)
		}
		if l.Kind == kube.LBKubeVIP {
			if err := l.LE.Validate(); err != nil {
				bad("kube-vip: %v", err)
			}
		}
	}
	joining := hostSet(cfg.Joining, hosts, bad, "joining host %q, which is not defined", "joining host %q listed twice")
	initial := cfg.Etcd.InitialCount(len(cfg.EtcdMembers))
	for i, h := range cfg.EtcdMembers {
		if joining[h] && i < initial {
			bad("%s on joining host %q is an initial member: a joining host's member must be added later (etcd initialMembers)", etcd.EtcdMemberName(i), h)
		}
	}
	for i, f := range cfg.Faults {
		if err := f.validate(cfg, hosts, zones); err != nil {
			bad("fault %d: %v", i+1, err)
		}
	}
	cfg.validateZoneless(bad)
	cfg.validateFailures(hosts, zones, bad)
	cfg.checkLimits(bad)
	return errors.Join(errs...)
}

// ElectedLeader implements etcd.Watcher: the fault the new leader is
// attributed to, and the election count.
func (c *Cluster) ElectedLeader(m *etcd.Member) {
	c.leaderElected(m)
	c.inc.leaderElected(m.HS.Term, c.Now())
	if c.Steady() {
		c.etcdElections++
	} else {
		c.etcdElections = 1 // the bootstrap leader counts once
	}
}

// LeaseAcquired implements kube.Watcher: the fault the new holder is
// attributed to.
func (c *Cluster) LeaseAcquired(g *kube.LeaseGroup, proc string) {
	if f := c.current; f != nil {
		f.groupAcquired(g, proc)
	}
}

// isChange reports whether a record of event ev is a change of state, which
// the fast-forward's quiet counts from. A lease renewal is not, nor is a
// vote request a member ignores because it has heard from its leader
// within the election timeout (CheckQuorum's lease): an isolated member
// asks again every election timeout for as long as it is cut off, and
// nothing changes until the cut heals.
func isChange(ev string) bool { return ev != kube.EvLeaseRenewed && ev != etcd.EvVoteIgnored }

// Recorded implements fabric.Watcher: a record may trigger a fault that
// waits for it, and a probe's change of state is followed by the
// incidents.
func (c *Cluster) Recorded(r fabric.Record) {
	if isChange(r.Event) {
		c.lastChange = c.Sim.Now()
	}
	if c.armedFaults {
		c.triggered(r)
	}
	if r.Event == kube.EvProbeDown || r.Event == kube.EvProbeUp {
		for i, p := range c.Probes {
			if p.Name == r.Probe {
				c.functionChanged(i, r.Event == kube.EvProbeDown, r.T)
			}
		}
	}
}

// LeaderlessChanged implements kube.Watcher: a group's leaderless
// stretches are followed by the incidents.
func (c *Cluster) LeaderlessChanged(g *kube.LeaseGroup, leaderless bool) {
	for i, h := range c.Groups {
		if h == g {
			c.functionChanged(len(c.Probes)+1+i, leaderless, c.Now())
		}
	}
}

// LeadershipChanged implements fabric.Watcher: it updates the leader-count
// accounting whenever a member's role or a process's state may have
// changed.
func (c *Cluster) LeadershipChanged() {
	if c.Etcd == nil {
		return
	}
	n, believing := 0, 0
	for _, m := range c.Etcd.Members {
		if m.State() == etcd.Leader && m.Proc.State() != fabric.Stopped {
			believing++
			if m.Proc.State() == fabric.Running {
				n++
			}
		}
	}
	c.accountLeaders()
	if c.Steady() {
		now := c.Now() // calendar, as every instant of the result
		c.etcdSplit.Track(c.etcdBelieving >= 2, believing >= 2, now)
		c.etcdActSplit.Track(c.leaders >= 2, n >= 2, now)
	}
	if (c.leaders == 0) != (n == 0) {
		c.functionChanged(len(c.Probes), n == 0, c.Now())
	}
	c.leaders, c.etcdBelieving = n, believing
	for _, g := range c.Groups {
		g.Changed()
	}
}

// FirstCommit implements etcd.Watcher: measurements start at the cluster's
// first commit, or at the calendar's origin if that comes later.
func (c *Cluster) FirstCommit() {
	if c.Service != nil {
		c.Service.Promote() // etcd's lessor extends every lease
	}
	c.committed = true
	if c.Steady() || c.Now() < 0 {
		return
	}
	c.beginMeasuring()
}

// beginMeasuring starts the measurements now.
func (c *Cluster) beginMeasuring() {
	c.StartMeasuring()
	c.measuredCal = c.Now()
	c.leadersSince = c.MeasuredFrom()
	c.leaderless, c.multiLeader = 0, 0
	c.startIncidents()
	// A split brain already under way when measurements start is measured
	// from now: its interval must be open for its end to close it.
	if c.etcdBelieving >= 2 {
		c.etcdSplit.Open(c.Now())
	}
	if c.leaders >= 2 {
		c.etcdActSplit.Open(c.Now())
	}
}

// SteadyAt is when measurements started: the first commit of the run.
func (c *Cluster) SteadyAt() (sim.Time, bool) { return c.MeasuredFrom(), c.Steady() }

func (c *Cluster) accountLeaders() {
	now := c.Sim.Now()
	d := now.Sub(c.leadersSince)
	switch {
	case c.leaders == 0:
		c.leaderless += d
	case c.leaders > 1:
		c.multiLeader += d
	}
	c.leadersSince = now
}

// Violations are the safety invariants broken so far.
func (c *Cluster) Violations() []etcd.Violation { return c.Etcd.Violations() }

// CheckInvariants scans the cluster for broken safety invariants (see
// Etcd.CheckInvariants).
func (c *Cluster) CheckInvariants() { c.Etcd.CheckInvariants() }

// invariantTracer runs the full invariant scan before every event, that
// is, after the previous one.
type invariantTracer struct{ c *Cluster }

func (t invariantTracer) Event(sim.Event) { t.c.Etcd.CheckInvariants() }

// Run runs the cluster to its horizon (or event bound) and returns the
// outcome.
func (c *Cluster) Run() sim.Outcome { return c.RunInterruptible(nil) }

// RunInterruptible runs like Run, asking stop (if not nil) every
// sim.CheckEvery events whether to end early; it then returns sim.Stopped
// with the accounting closed at the time reached.
func (c *Cluster) RunInterruptible(stop func() bool) sim.Outcome {
	var out sim.Outcome
	if c.fastForward() {
		out = c.runSkipping(c.bounds(stop))
	} else {
		out = c.Sim.Run(c.bounds(stop))
	}
	c.finish()
	return out
}

// bounds are the run's engine bounds.
func (c *Cluster) bounds(stop func() bool) sim.Bounds {
	horizon, _ := c.horizon()
	b := sim.Bounds{Until: c.TrueTime(horizon), MaxEvents: c.cfg.MaxEvents, MaxSameInstant: c.cfg.MaxEventsPerInstant, Interrupt: stop}
	if b.MaxEvents == 0 {
		b.MaxEvents = DefaultMaxEvents
		if c.fastForward() {
			years := c.cfg.HorizonSeconds() / Year.Seconds()
			b.MaxEvents = max(b.MaxEvents, uint64(years*DefaultMaxEventsPerYear))
		}
	}
	if b.MaxSameInstant == 0 {
		b.MaxSameInstant = DefaultMaxEventsPerInstant
	}
	return b
}

// finish closes the accounting at the end of a run.
func (c *Cluster) finish() {
	if c.cfg.CheckInvariants {
		c.CheckInvariants()
	}
	c.accountLeaders()
	for _, p := range c.Probes {
		p.Finish()
	}
	for _, g := range c.Groups {
		g.Finish()
	}
	for _, a := range c.APIServers {
		a.Account()
	}
	if c.Workers != nil {
		c.Workers.Finish()
	}
	c.etcdSplit.Close(c.Now())
	c.etcdActSplit.Close(c.Now())
	c.finishIncidents()
}

// Horizon is the configured simulated duration.
func (c *Cluster) Horizon() time.Duration { return c.cfg.Horizon }

// Leaderless is the time during which no running member was leader.
func (c *Cluster) Leaderless() time.Duration { return c.leaderless }

// MultiLeader is the time during which two or more running members
// believed they led (a deposed leader that has not yet stepped down).
func (c *Cluster) MultiLeader() time.Duration { return c.multiLeader }
