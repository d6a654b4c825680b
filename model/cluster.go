package model

import (
	"errors"
	"fmt"
	"math/bits"
	"time"

	"hasim/sim"
)

// HostConfig describes one host.
type HostConfig struct {
	Name string
	Zone string
	// Clock of the host; the zero value is a perfect clock (offset 0, rate 1).
	Clock Clock
	// Fsync is the disk's fsync latency. Zero means DefaultFsync.
	Fsync Dist
}

// DefaultFsync is a healthy SSD's fsync latency: uniform 0.5–2 ms (etcd's
// guidance is a WAL fsync p99 under 10 ms).
func DefaultFsync() Dist { return Between(500*time.Microsecond, 2*time.Millisecond) }

// Config is everything a run needs. Build checks it.
type Config struct {
	Seed      uint64
	Horizon   time.Duration // simulated time to run
	MaxEvents uint64        // event bound; 0 means DefaultMaxEvents
	// MaxEventsPerInstant ends the run as livelocked once this many events
	// fire without virtual time advancing; 0 means
	// DefaultMaxEventsPerInstant.
	MaxEventsPerInstant uint64
	Zones               []string
	Hosts               []HostConfig
	Network             NetworkConfig
	// EtcdMembers names the hosts that run an etcd member, one each; the
	// members are called etcd-1, etcd-2, ... in this order.
	EtcdMembers []string
	Etcd        EtcdConfig
	Probes      []ProbeConfig
	Faults      []FaultConfig
	// Failures are failure processes: faults at random times (failures.go).
	Failures []FailureConfig
	// APIServers run on control-plane hosts, with a kubelet that restarts
	// them (and the controllers on those hosts) as static pods.
	APIServers []APIServerConfig
	// Groups are the leader-elected components.
	Groups []LeaseGroupConfig
	// LoadBalancer is the control-plane endpoint; nil means none.
	LoadBalancer *LoadBalancerConfig
	// Workers is the worker plane (node leases, node lifecycle, pods);
	// nil leaves it out.
	Workers *WorkerPlaneConfig
	// Kubelet is every kubelet's static-pod restart back-off.
	Kubelet KubeletConfig
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
}

// DefaultMaxEvents bounds runs whose config sets no event limit.
const DefaultMaxEvents = 2_000_000_000

// DefaultMaxEventsPerInstant is the livelock guard's default: far more
// events than any real instant holds (everything that starts at time zero
// of a 10,000-node cluster is a few tens of thousands), far fewer than a
// stuck run fires in a second.
const DefaultMaxEventsPerInstant = 1_000_000

// Violation is a broken safety invariant: always a bug in the model.
type Violation struct {
	T         sim.Time
	Invariant string
	Detail    string
}

func (v Violation) String() string { return fmt.Sprintf("%v %s: %s", v.T, v.Invariant, v.Detail) }

// Cluster is one simulated cluster and the run around it: the components
// on their shared World, and what watches them (leadership accounting,
// fault attribution, event-triggered faults, invariants).
type Cluster struct {
	*World
	Zones      []*Zone
	Etcd       *Etcd
	Probes     []*Probe
	Faults     []*Fault
	APIServers []*APIServer
	Groups     []*LeaseGroup
	LB         *LoadBalancer
	workers    *workerPlane

	cfg         Config
	current     *Fault // the most recently injected fault
	armedFaults bool   // some fault waits for an event
	failures    []*failureProc

	// Leadership accounting.
	leaders       int // running members in the leader state
	leadersSince  sim.Time
	leaderless    time.Duration
	multiLeader   time.Duration
	etcdBelieving int        // members in the leader state, running or frozen
	etcdElections int        // leaders elected (the bootstrap one included)
	etcdSplit     []Interval // two or more believed they led
	etcdActSplit  []Interval // two or more running leaders
	leaderOfTerm  map[uint64]string
	votedFor      map[voteKey]string
	violations    []Violation
	checkEachStep bool
	kubeletCfg    KubeletConfig
	kubelets      []*Kubelet // by host index, while building
}

type voteKey struct {
	member string
	term   uint64
}

// Build assembles a cluster from cfg.
func Build(cfg Config) (*Cluster, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	cfg.Etcd = cfg.Etcd.WithDefaults()
	c := &Cluster{
		World:        &World{Sim: sim.New(cfg.Seed)},
		cfg:          cfg,
		kubeletCfg:   cfg.Kubelet.WithDefaults(),
		leaderOfTerm: map[uint64]string{},
		votedFor:     map[voteKey]string{},
	}
	c.watch = c
	c.Key(HealthKey) // key 0: the apiservers' health check reads it
	// Wall clocks read time of day: the run starts at a random point within
	// a second, so that faults at whole seconds do not line up with the
	// seconds of timestamps.
	c.wallEpoch = time.Duration(c.Sim.Stream("wallclock").IntN(0, int(time.Second)))
	zones := map[string]*Zone{}
	for _, name := range cfg.Zones {
		z := &Zone{Name: name}
		zones[name] = z
		c.Zones = append(c.Zones, z)
	}
	hosts := map[string]*Host{}
	for i, hc := range cfg.Hosts {
		clock := hc.Clock
		if clock.Rate == 0 {
			clock.Rate = 1
		}
		fsync := hc.Fsync
		if fsync.Kind == "" && fsync.Value == 0 {
			fsync = DefaultFsync()
		}
		h := &Host{Name: hc.Name, Zone: zones[hc.Zone], Clock: clock, w: c.World, index: i, up: true}
		h.Disk = &Disk{Fsync: fsync, stream: c.Sim.Stream("disk/" + hc.Name)}
		h.Zone.Hosts = append(h.Zone.Hosts, h)
		hosts[hc.Name] = h
		c.Hosts = append(c.Hosts, h)
	}
	c.net = newNetwork(c.World, cfg.Network)

	c.Etcd = &Etcd{cfg: cfg.Etcd, w: c.World, watch: c}
	for i, hn := range cfg.EtcdMembers {
		m := &Member{Name: EtcdMemberName(i), ID: uint64(i + 1), e: c.Etcd, cfg: cfg.Etcd}
		m.Proc = c.addProcess(m.Name, RoleEtcd, hosts[hn], m)
		m.stream = c.Sim.Stream(m.Name)
		m.tick = m.Proc.NewTimer(m.Name+"/tick", m.onTick)
		m.saveDone = m.Proc.NewTimer(m.Name+"/fsync", m.onSaved)
		m.leaveTimer = m.Proc.NewTimer(m.Name+"/removed", m.leave)
		c.Etcd.Members = append(c.Etcd.Members, m)
	}
	n := len(c.Etcd.Members)
	initial := cfg.Etcd.initialCount(n)
	for i, m := range c.Etcd.Members {
		m.votes = make([]int8, n)
		m.prs = make([]progress, n)
		// Every member, joining ones included, knows the initial
		// configuration: it is the log's starting point (etcd's bootstrap
		// entries).
		m.conf = membership{voters: firstN(initial), started: firstN(initial)}
		m.initial = i < initial
	}
	for _, ac := range cfg.APIServers {
		h := hosts[ac.Host]
		kl := c.kubeletOf(h) // before the apiserver: processes start in the order they were made
		if ac.WatchCacheStaleAfter == 0 {
			ac.WatchCacheStaleAfter = WatchCacheStaleDefault(cfg.Etcd.ElectionTimeout)
		}
		a := newAPIServer(c, ac, h)
		kl.manage(a.Proc, &a.cfg.Liveness)
		c.APIServers = append(c.APIServers, a)
	}
	if cfg.LoadBalancer != nil {
		c.buildLB(*cfg.LoadBalancer, hosts)
	}
	for _, gc := range cfg.Groups {
		c.Groups = append(c.Groups, newLeaseGroup(c, gc, hosts))
	}
	if cfg.Workers != nil {
		c.buildWorkers(*cfg.Workers, hosts)
	}
	for _, pc := range cfg.Probes {
		c.Probes = append(c.Probes, newProbe(c, pc, hosts[pc.Host]))
	}
	c.Etcd.byProc = make([]*Member, len(c.Procs))
	for _, m := range c.Etcd.Members {
		c.Etcd.byProc[m.Proc.index] = m
	}
	for i, fc := range cfg.Faults {
		c.Faults = append(c.Faults, newFault(c, i+1, fc))
		c.armedFaults = c.armedFaults || fc.On != nil
	}
	c.startFailures(cfg.Failures)
	// Every component has registered its keys: size the members' stores.
	for _, m := range c.Etcd.Members {
		m.kv = make([]KVItem, len(c.keys.list))
	}
	if cfg.CheckInvariants {
		c.Sim.SetTracer(invariantTracer{c})
	}
	// Everything starts at time zero, in configuration order, except the
	// etcd members that join later.
	for _, hn := range cfg.Joining {
		hosts[hn].joining = true
	}
	for _, p := range c.Procs {
		if m := c.Etcd.memberOf(p); m != nil && !m.initial {
			continue
		}
		if p.Host.joining && p.Role != RoleClient {
			continue
		}
		p.enabled = true
		p.start()
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

func (c *Cluster) addProcess(name, role string, h *Host, hd Handler) *Process {
	p := &Process{Name: name, Role: role, Host: h, w: c.World, index: len(c.Procs), h: hd}
	h.Procs = append(h.Procs, p)
	c.Procs = append(c.Procs, p)
	return p
}

// Validate checks cfg as Build would, without building anything: every
// problem found, joined.
func (cfg Config) Validate() error { return cfg.validate() }

func (cfg *Config) validate() error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if cfg.Horizon <= 0 {
		bad("horizon must be positive")
	}
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
		if !zones[h.Zone] {
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
	for _, d := range []Dist{cfg.Network.SameZone, cfg.Network.CrossZone, cfg.Network.Loopback, cfg.Network.Reconnect} {
		if err := d.Validate(); err != nil {
			bad("network: %v", err)
		}
	}
	if cfg.Network.Loss < 0 || cfg.Network.Loss > 1 {
		bad("network loss %g must be within [0, 1]", cfg.Network.Loss)
	}
	for _, p := range cfg.Probes {
		if !hosts[p.Host] {
			bad("probe %q on host %q, which is not defined", p.Name, p.Host)
		}
	}
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
		if err := g.withDefaults().LE.Validate(); err != nil {
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
		l := lb.withDefaults()
		switch l.Kind {
		case LBHAProxy, LBKeepalived:
			if len(l.Hosts) == 0 || (l.Kind == LBKeepalived && len(l.Hosts) < 2) {
				bad("load balancer %s needs hosts (keepalived: at least two)", l.Kind)
			}
		case LBKubeVIP, LBNone:
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
		if l.Kind == LBKubeVIP {
			if err := l.LE.Validate(); err != nil {
				bad("kube-vip: %v", err)
			}
		}
	}
	joining := hostSet(cfg.Joining, hosts, bad, "joining host %q, which is not defined", "joining host %q listed twice")
	initial := cfg.Etcd.initialCount(len(cfg.EtcdMembers))
	for i, h := range cfg.EtcdMembers {
		if joining[h] && i < initial {
			bad("%s on joining host %q is an initial member: a joining host's member must be added later (etcd initialMembers)", EtcdMemberName(i), h)
		}
	}
	for i, f := range cfg.Faults {
		if err := f.validate(cfg, hosts, zones); err != nil {
			bad("fault %d: %v", i+1, err)
		}
	}
	cfg.validateFailures(hosts, zones, bad)
	cfg.checkLimits(bad)
	return errors.Join(errs...)
}

// electedLeader implements etcdWatcher: the invariant check, the fault
// the new leader is attributed to, and the election count.
func (c *Cluster) electedLeader(m *Member) {
	c.checkLeader(m)
	c.leaderElected(m)
	if c.steady {
		c.etcdElections++
	} else {
		c.etcdElections = 1 // the bootstrap leader counts once
	}
}

// leaseAcquired implements watcher: the fault the new holder is
// attributed to.
func (c *Cluster) leaseAcquired(g *LeaseGroup, proc string) {
	if f := c.current; f != nil {
		f.groupAcquired(g, proc)
	}
}

// kubeletOf is host h's kubelet, made on first need while building.
func (c *Cluster) kubeletOf(h *Host) *Kubelet {
	if c.kubelets == nil {
		c.kubelets = make([]*Kubelet, len(c.Hosts))
	}
	if c.kubelets[h.index] == nil {
		c.kubelets[h.index] = newKubelet(c, h)
	}
	return c.kubelets[h.index]
}

// recorded implements watcher: a record may trigger a fault that waits
// for it.
func (c *Cluster) recorded(r Record) {
	if c.armedFaults {
		c.triggered(r)
	}
}

// leadershipChanged updates the leader-count accounting; call it whenever a
// member's role or its process's state may have changed.
func (c *Cluster) leadershipChanged() {
	if c.Etcd == nil {
		return
	}
	n, believing := 0, 0
	for _, m := range c.Etcd.Members {
		if m.state == Leader && m.Proc.state != Stopped {
			believing++
			if m.Proc.state == Running {
				n++
			}
		}
	}
	c.accountLeaders()
	if c.steady {
		now := c.Sim.Now()
		c.etcdSplit = track(c.etcdSplit, c.etcdBelieving >= 2, believing >= 2, now)
		c.etcdActSplit = track(c.etcdActSplit, c.leaders >= 2, n >= 2, now)
	}
	c.leaders, c.etcdBelieving = n, believing
	for _, g := range c.Groups {
		g.changed()
	}
}

// firstCommit implements etcdWatcher: measurements start at the cluster's first commit.
func (c *Cluster) firstCommit() {
	if c.steady {
		return
	}
	c.steady, c.steadyAt = true, c.Sim.Now()
	c.leadersSince = c.steadyAt
	c.leaderless, c.multiLeader = 0, 0
	// A split brain already under way when measurements start is measured
	// from now: its interval must be open for its end to close it.
	if c.etcdBelieving >= 2 {
		c.etcdSplit = append(c.etcdSplit, Interval{From: c.steadyAt})
	}
	if c.leaders >= 2 {
		c.etcdActSplit = append(c.etcdActSplit, Interval{From: c.steadyAt})
	}
}

// SteadyAt is when measurements started: the first commit of the run.
func (c *Cluster) SteadyAt() (sim.Time, bool) { return c.steadyAt, c.steady }

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

func (c *Cluster) violate(inv, format string, a ...any) {
	v := Violation{T: c.Sim.Now(), Invariant: inv, Detail: fmt.Sprintf(format, a...)}
	c.violations = append(c.violations, v)
	c.Record(Record{Event: EvViolation, Reason: inv + ": " + v.Detail})
}

// Violations are the safety invariants broken so far.
func (c *Cluster) Violations() []Violation { return c.violations }

// committed implements etcdWatcher by checking that a leader commits index
// i only if a quorum of the voters of its configuration holds it durably.
func (c *Cluster) committed(leader *Member, i uint64) {
	t, _ := leader.log.term(i)
	voters := leader.conf.voters
	if n := c.Etcd.durableCopies(i, t, voters); n < quorumOf(voters) {
		c.violate("commit-without-quorum", "%s committed index %d (term %d) held durably by %d of %d voters",
			leader.Name, i, t, n, bits.OnesCount64(voters))
	}
	c.Etcd.noteCommit(i, voters)
	if prev, ok := c.leaderOfTerm[leader.hs.term]; ok && prev != leader.Name {
		c.violate("two-leaders-in-term", "%s commits in term %d, led by %s", leader.Name, leader.hs.term, prev)
	}
}

// durableCopies counts the voters whose fsynced log holds entry i of
// term t.
func (e *Etcd) durableCopies(i, t, voters uint64) int {
	n := 0
	for b := voters; b != 0; b &= b - 1 {
		m := e.Members[bits.TrailingZeros64(b)]
		switch {
		case i <= m.log.offset:
			n++ // in the snapshot: applied, so committed with this term
		case i <= m.log.stable:
			if mt, _ := m.log.term(i); mt == t {
				n++
			}
		}
	}
	return n
}

// voted implements etcdWatcher by checking that a member grants at most
// one vote per term.
func (c *Cluster) voted(m *Member, term uint64, cand *Member) {
	k := voteKey{m.Name, term}
	if prev, ok := c.votedFor[k]; ok && prev != cand.Name {
		c.violate("double-vote", "%s voted for %s and %s in term %d", m.Name, prev, cand.Name, term)
		return
	}
	c.votedFor[k] = cand.Name
}

// checkLeader: at most one leader per term, ever.
func (c *Cluster) checkLeader(m *Member) {
	if prev, ok := c.leaderOfTerm[m.hs.term]; ok && prev != m.Name {
		c.violate("two-leaders-in-term", "%s and %s both led term %d", prev, m.Name, m.hs.term)
		return
	}
	c.leaderOfTerm[m.hs.term] = m.Name
}

// CheckInvariants scans the whole cluster: every leader is the only one of
// its term; every member's commit index is held durably by a quorum of the
// voters that committed it (the committing leader's configuration then);
// no persisted vote contradicts a vote granted earlier in the same term.
func (c *Cluster) CheckInvariants() {
	for _, m := range c.Etcd.Members {
		if m.state == Leader {
			if prev, ok := c.leaderOfTerm[m.hs.term]; ok && prev != m.Name {
				c.violate("two-leaders-in-term", "%s leads term %d, led by %s", m.Name, m.hs.term, prev)
			}
		}
		if ci := m.log.committed; ci > m.log.offset {
			t, _ := m.log.term(ci)
			voters := c.Etcd.commitVoters(ci, m.conf.voters)
			if n := c.Etcd.durableCopies(ci, t, voters); n < quorumOf(voters) {
				c.violate("commit-without-quorum", "%s has index %d (term %d) committed, durable on %d members", m.Name, ci, t, n)
			}
		}
		if m.disk.vote != none {
			k := voteKey{m.Name, m.disk.term}
			if prev, ok := c.votedFor[k]; ok && prev != c.Etcd.Members[m.disk.vote-1].Name {
				c.violate("double-vote", "%s persisted a vote for %s in term %d after voting for %s",
					m.Name, c.Etcd.Members[m.disk.vote-1].Name, m.disk.term, prev)
			}
		}
	}
}

// invariantTracer runs the full invariant scan before every event, that
// is, after the previous one.
type invariantTracer struct{ c *Cluster }

func (t invariantTracer) Event(sim.Event) { t.c.CheckInvariants() }

// Run runs the cluster to its horizon (or event bound) and returns the
// outcome.
func (c *Cluster) Run() sim.Outcome { return c.RunInterruptible(nil) }

// RunInterruptible runs like Run, asking stop (if not nil) every
// sim.CheckEvery events whether to end early; it then returns sim.Stopped
// with the accounting closed at the time reached.
func (c *Cluster) RunInterruptible(stop func() bool) sim.Outcome {
	out := c.Sim.Run(c.bounds(stop))
	c.finish()
	return out
}

// bounds are the run's engine bounds.
func (c *Cluster) bounds(stop func() bool) sim.Bounds {
	b := sim.Bounds{Until: sim.At(c.cfg.Horizon), MaxEvents: c.cfg.MaxEvents, MaxSameInstant: c.cfg.MaxEventsPerInstant, Interrupt: stop}
	if b.MaxEvents == 0 {
		b.MaxEvents = DefaultMaxEvents
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
		p.finish()
	}
	for _, g := range c.Groups {
		g.finish()
	}
	for _, a := range c.APIServers {
		a.account()
	}
	if c.workers != nil {
		c.workers.finish()
	}
	for _, iv := range [][]Interval{c.etcdSplit, c.etcdActSplit} {
		if n := len(iv); n > 0 && iv[n-1].To == 0 {
			iv[n-1].To = c.Sim.Now()
		}
	}
}

// Horizon is the configured simulated duration.
func (c *Cluster) Horizon() time.Duration { return c.cfg.Horizon }

// Leaderless is the time during which no running member was leader.
func (c *Cluster) Leaderless() time.Duration { return c.leaderless }

// MultiLeader is the time during which two or more running members
// believed they led (a deposed leader that has not yet stepped down).
func (c *Cluster) MultiLeader() time.Duration { return c.multiLeader }
