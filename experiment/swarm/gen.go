package swarm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"go.yaml.in/yaml/v3"

	"hasim/model"
	"hasim/scenarios"
)

// Generate draws case index of the swarm seeded with seed: a random valid
// scenario. The same (seed, index, ranges) give the same scenario on every
// machine (math/rand/v2's PCG is a fixed algorithm).
func Generate(seed uint64, index int, r *Ranges) *scenarios.Scenario {
	g := &gen{rng: rand.New(rand.NewPCG(seed, uint64(index))), r: r}
	return g.scenario(seed, index)
}

// Marshal writes a scenario as the YAML document hasim loads.
func Marshal(sc *scenarios.Scenario) []byte { return mustYAML(sc) }

func mustYAML(v any) []byte {
	out, err := yaml.Marshal(v)
	if err != nil {
		// Scenario types hold strings, numbers and durations only.
		panic(fmt.Sprintf("swarm: marshalling a scenario: %v", err))
	}
	return out
}

type gen struct {
	rng *rand.Rand
	r   *Ranges

	zones   []string
	hosts   []string
	etcd    []string // hosts running etcd members
	masters []string
	joining []string
	probes  []string
	pinned  []string // probes with a long-lived connection (connection:PROBE targets)
	groups  []string
	cp      bool
	lb      string // load balancer kind, "" if absent
}

func (g *gen) chance(p float64) bool { return g.rng.Float64() < p }

func (g *gen) intIn(s IntSpan) int {
	switch g.rng.IntN(8) {
	case 0:
		return s.Lo
	case 1:
		return s.Hi
	}
	return s.Lo + g.rng.IntN(s.Hi-s.Lo+1)
}

func (g *gen) floatIn(s FloatSpan) float64 {
	switch g.rng.IntN(8) {
	case 0:
		return s.Lo
	case 1:
		return s.Hi
	}
	return s.Lo + g.rng.Float64()*(s.Hi-s.Lo)
}

// rate is a clock rate: the ends, values near 1 (NTP-disciplined clocks
// drift by parts per million), or anything in between.
func (g *gen) rate() float64 {
	s := g.r.ClockRate
	switch g.rng.IntN(4) {
	case 0:
		return []float64{s.Lo, s.Hi, 1}[g.rng.IntN(3)]
	case 1:
		d := []float64{1e-6, 1e-4, 1e-3, 1e-2}[g.rng.IntN(4)]
		if g.chance(0.5) {
			d = -d
		}
		return math.Min(s.Hi, math.Max(s.Lo, 1+d))
	}
	return s.Lo + g.rng.Float64()*(s.Hi-s.Lo)
}

// dur draws from s: either end an eighth of the time each, otherwise
// log-uniformly (short and long values alike), to the microsecond.
func (g *gen) dur(s Span) time.Duration {
	switch g.rng.IntN(8) {
	case 0:
		return s.Lo
	case 1:
		return s.Hi
	}
	lo := max(s.Lo, time.Microsecond)
	if lo >= s.Hi {
		return s.Hi
	}
	d := time.Duration(math.Exp(math.Log(float64(lo)) + g.rng.Float64()*(math.Log(float64(s.Hi))-math.Log(float64(lo)))))
	return min(s.Hi, max(s.Lo, d.Truncate(time.Microsecond)))
}

func dp(d time.Duration) *scenarios.Duration { v := scenarios.Duration(d); return &v }
func fp(f float64) *float64                  { return &f }

func (g *gen) pick(list []string) string { return list[g.rng.IntN(len(list))] }

// dist draws a distribution of durations within s, of any family.
func (g *gen) dist(s Span) *scenarios.DistSpec {
	switch g.rng.IntN(4) {
	case 0:
		return &scenarios.DistSpec{Value: dp(g.dur(s))}
	case 1:
		a, b := g.dur(s), g.dur(s)
		return &scenarios.DistSpec{Min: dp(min(a, b)), Max: dp(max(a, b))}
	case 2:
		d := &scenarios.DistSpec{Median: dp(max(g.dur(s), time.Microsecond)), Sigma: fp(g.floatIn(g.r.Sigma))}
		if g.chance(0.5) {
			a, b := g.dur(s), g.dur(s)
			d.Min, d.Max = dp(min(a, b)), dp(max(a, b))
		}
		return d
	}
	n := 2 + g.rng.IntN(4)
	vals := make([]time.Duration, n)
	ps := make([]float64, n)
	for i := range vals {
		vals[i] = g.dur(s)
		ps[i] = g.rng.Float64()
	}
	slices.Sort(vals)
	slices.Sort(ps)
	ps[0], ps[n-1] = 0, 1
	d := &scenarios.DistSpec{}
	for i := range vals {
		d.Points = append(d.Points, scenarios.PointSpec{P: ps[i], Value: scenarios.Duration(vals[i])})
	}
	return d
}

func (g *gen) seed() uint64 {
	if n := len(g.r.Seeds); n > 0 && g.rng.IntN(n+1) < n {
		return g.r.Seeds[g.rng.IntN(n)]
	}
	return g.rng.Uint64()
}

func (g *gen) addHost(sp *scenarios.Spec, name string) {
	h := scenarios.HostSpec{Name: name, Zone: g.pick(g.zones)}
	if g.chance(0.15) {
		h.Clock = &scenarios.ClockSpec{}
		if g.chance(0.5) {
			h.Clock.Offset = scenarios.Duration(g.dur(Span{0, g.r.ClockOffset}))
		}
		if g.chance(0.7) {
			h.Clock.Rate = fp(g.rate())
		}
	}
	if g.chance(0.1) {
		h.Disk = &scenarios.DiskSpec{Fsync: g.dist(g.r.Fsync)}
	}
	sp.Hosts = append(sp.Hosts, h)
	g.hosts = append(g.hosts, name)
}

func (g *gen) scenario(seed uint64, index int) *scenarios.Scenario {
	r := g.r
	sc := &scenarios.Scenario{APIVersion: scenarios.APIVersion, Kind: scenarios.Kind,
		Metadata: scenarios.Metadata{Name: fmt.Sprintf("swarm-%d", index),
			Description: fmt.Sprintf("Case %d of the swarm seeded %d: a random valid scenario.", index, seed)}}
	sp := &sc.Spec
	s := g.seed()
	sp.Seed = &s
	sp.Horizon = scenarios.HorizonOf(g.dur(r.Horizon).Truncate(time.Millisecond))
	sp.MaxEvents, sp.MaxEventsPerInstant = r.MaxEvents, r.MaxEventsPerInstant
	for i := range g.intIn(r.Zones) {
		z := fmt.Sprintf("zone-%c", 'a'+i)
		g.zones = append(g.zones, z)
		sp.Zones = append(sp.Zones, scenarios.ZoneSpec{Name: z})
	}
	g.cp = g.chance(0.7)
	if g.cp {
		g.controlPlane(sp)
	} else {
		for i := range g.intIn(r.EtcdMembers) {
			g.addHost(sp, fmt.Sprintf("node-%d", i+1))
			g.etcd = append(g.etcd, fmt.Sprintf("node-%d", i+1))
		}
		sp.Etcd.Members = slices.Clone(g.etcd)
	}
	if g.chance(0.8) {
		g.addHost(sp, scenarios.DefaultClientHost)
	}
	g.etcdKnobs(&sp.Etcd)
	g.network(&sp.Network)
	for i := range g.intIn(r.Probes) {
		sp.Probes = append(sp.Probes, g.probe(sp, i))
	}
	for _, p := range sp.Probes {
		g.probes = append(g.probes, p.Name)
		if p.Via != "" && p.Connection == string(model.ConnLongLived) {
			g.pinned = append(g.pinned, p.Name)
		}
	}
	if len(sp.Probes) == 0 {
		g.probes = []string{scenarios.DefaultProbeName, "api-writes", "api-reads"}
	}
	horizon := sp.Horizon.D()
	for _, h := range g.joining {
		f := scenarios.FaultSpec{Kind: string(model.FaultJoinControlPlane), Target: "host:" + h, At: scenarios.Duration(g.at(horizon))}
		g.trigger(&f)
		sp.Faults = append(sp.Faults, f)
	}
	for range g.intIn(r.Faults) {
		sp.Faults = append(sp.Faults, g.fault(horizon))
	}
	g.rng.Shuffle(len(sp.Faults), func(i, j int) { sp.Faults[i], sp.Faults[j] = sp.Faults[j], sp.Faults[i] })
	if g.chance(0.3) {
		g.failures(sp)
	}
	return sc
}

// failures adds failure processes: a profile, classes of its own at busy
// rates, sometimes a longer horizon, so that runs fast-forward between
// failures and outages overlap.
func (g *gen) failures(sp *scenarios.Spec) {
	switch g.rng.IntN(3) {
	case 0:
		sp.FailureProfile = "cloud"
	case 1:
		sp.FailureProfile = "bare-metal"
	}
	life := func(lo, hi time.Duration) scenarios.Duration {
		return scenarios.Duration(g.dur(Span{lo, hi}).Truncate(time.Millisecond))
	}
	for i := range g.rng.IntN(4) {
		f := scenarios.FailureSpec{Name: fmt.Sprintf("swarm-failure-%d", i+1), MTBF: life(time.Minute, 30*time.Minute), MTTR: life(time.Second, 10*time.Minute)}
		switch g.rng.IntN(8) {
		case 0:
			f.Kind, f.Target = string(model.FaultHostCrash), g.pick([]string{model.ClassControlPlane, model.ClassHosts, "role:etcd"})
		case 1:
			f.Kind, f.Target = g.pick([]string{string(model.FaultProcessKill), string(model.FaultProcessCrash), string(model.FaultProcessPause), string(model.FaultProcessStop)}), "role:etcd"
			if f.Kind == string(model.FaultProcessCrash) {
				f.MTTR = 0 // the kubelet restarts it
			}
		case 2:
			f.Kind, f.Target = string(model.FaultZoneOutage), model.ClassZones
		case 3:
			if len(g.zones) < 2 {
				continue
			}
			f.Kind, f.Target = string(model.FaultPartition), model.ClassZonePairs
		case 4:
			f.Kind, f.Target, f.Fsync = string(model.FaultSlowDisk), "role:etcd", g.dist(Span{time.Millisecond, 2 * time.Second})
		case 5:
			rate := 1 + g.floatIn(FloatSpan{0.0001, 0.01})
			f.Kind, f.Target, f.ClockRate = string(model.FaultClockDrift), model.ClassControlPlane, &rate
		case 6:
			drain, settle := life(time.Second, time.Minute), life(time.Second, 2*time.Minute)
			f = scenarios.FailureSpec{Name: f.Name, Kind: string(model.FaultMaintenance), Target: model.ClassControlPlane,
				Every: life(time.Hour, 3*time.Hour), Drain: &drain, Duration: life(time.Second, 5*time.Minute), Settle: &settle}
		default:
			f.Kind, f.Target = string(model.FaultHostCrash), "zone:"+g.pick(g.zones)
		}
		sp.Failures = append(sp.Failures, f)
	}
	// Long enough for the run to fast-forward between failures; short
	// enough that a run that cannot (a scripted fault that never heals)
	// stays within the event bound, which a millisecond heartbeat or probe
	// would exceed over hours. A lease shorter than a second never
	// settles either: the record holds whole seconds (0), so every
	// candidate may take it at once, and leadership changes hands for as
	// long as the run lasts (client-go does the same).
	busy := sp.Etcd.HeartbeatInterval != 0 && sp.Etcd.HeartbeatInterval.D() < 50*time.Millisecond
	for _, p := range sp.Probes {
		busy = busy || (p.Period != 0 && p.Period.D() < 50*time.Millisecond)
	}
	busy = busy || shortLease(sp) != nil || failureRate(sp) > busyFailureRate
	if (sp.FailureProfile != "" || len(sp.Failures) > 0) && !busy && g.chance(0.5) {
		long := g.r.Horizon.Hi // 2 minutes; 20 seconds for -short
		sp.Horizon = scenarios.Horizon{Rest: life(5*long, 60*long)}
	}
}

// busyFailureRate is the failureRate above which a case is busy: its
// cluster hardly settles between faults (seed 83 case 2755: 23 hosts,
// slow disks on seven members every 68 s and 91 s each, a bound of 0.59
// a second; 20 M events in 1 h 52 m), so a long horizon would be
// simulated in full. As failureRate overstates most classes, the bound is
// generous: it shortens 5% of the long horizons the generator would draw.
const busyFailureRate = 1 / 5.0

// failureRate bounds how often the case's own failure processes start a
// fault, per second, as if every host were a member of each class.
func failureRate(sp *scenarios.Spec) float64 {
	rate := 0.0
	for _, f := range sp.Failures {
		every := f.MTBF.D()
		if f.Every != 0 {
			every = f.Every.D() // a maintenance window restarts each host in turn
		}
		if every > 0 {
			rate += float64(len(sp.Hosts)) / every.Seconds()
		}
	}
	return rate
}

// shortLease returns a leader election of the case with a lease shorter
// than a second, or nil.
func shortLease(sp *scenarios.Spec) *scenarios.LeaderElectionSpec {
	cp := sp.ControlPlane
	if cp == nil {
		return nil
	}
	les := []*scenarios.LeaderElectionSpec{cp.LeaderElection}
	for _, lb := range []*scenarios.LoadBalancerSpec{cp.LoadBalancer, cp.ControlPlaneEndpoint} {
		if lb != nil {
			les = append(les, lb.LeaderElection)
		}
	}
	for _, le := range les {
		if le != nil && le.LeaseDuration.D() < time.Second {
			return le
		}
	}
	return nil
}

func (g *gen) controlPlane(sp *scenarios.Spec) {
	r := g.r
	cp := &scenarios.ControlPlaneSpec{Topology: "stacked"}
	if g.chance(0.4) {
		cp.Topology = "external"
	}
	for i := range g.intIn(r.Masters) {
		name := fmt.Sprintf("master-%d", i+1)
		g.addHost(sp, name)
		cp.Masters = append(cp.Masters, name)
	}
	g.masters = cp.Masters
	if n := len(cp.Masters); n >= 2 && g.chance(0.25) {
		// Joining masters come last (required with stacked etcd).
		cp.Joining = slices.Clone(cp.Masters[n-1-g.rng.IntN(n-1):])
		g.joining = cp.Joining
	}
	if cp.Topology == "external" {
		for i := range g.intIn(r.EtcdMembers) {
			name := fmt.Sprintf("ext-etcd-%d", i+1)
			g.addHost(sp, name)
			g.etcd = append(g.etcd, name)
		}
		sp.Etcd.Members = slices.Clone(g.etcd)
	} else {
		g.etcd = cp.Masters
		if g.chance(0.3) {
			sp.Etcd.Members = slices.Clone(cp.Masters)
		}
	}
	if g.chance(0.4) {
		for i := range g.intIn(r.Workers) {
			name := fmt.Sprintf("worker-%d", i+1)
			g.addHost(sp, name)
			cp.Workers = append(cp.Workers, name)
		}
	}
	if len(cp.Workers) > 0 || g.chance(0.15) {
		for i := range g.intIn(r.Workloads) {
			w := scenarios.WorkloadSpec{Name: fmt.Sprintf("app-%d", i+1), Replicas: g.intIn(r.Replicas)}
			w.Kind = []string{"", string(model.ReplicaSetKind), string(model.BarePodKind)}[g.rng.IntN(3)]
			sp.Workloads = append(sp.Workloads, w)
		}
	}
	g.loadBalancer(sp, cp)
	if g.chance(0.7) {
		cp.KubernetesVersion = fmt.Sprintf("1.%d", g.intIn(r.K8sMinor))
	}
	endpoints := []string{"", "local", "all"}
	if g.lb != "" && g.lb != string(model.LBNone) {
		endpoints = append(endpoints, "lb")
	}
	cp.ControllersEndpoint = g.pick(endpoints)
	cp.CloudControllerManager = g.chance(0.3)
	g.groups = []string{model.GroupKCM, model.GroupScheduler}
	if cp.CloudControllerManager {
		g.groups = append(g.groups, model.GroupCCM)
	}
	if g.chance(0.3) {
		cp.LeaderElection = g.le()
	}
	if g.chance(0.3) {
		a := &scenarios.APIServerSpec{}
		for _, d := range []*scenarios.Duration{&a.RequestTimeout, &a.HealthTimeout, &a.WatchCacheStaleAfter, &a.EtcdKeepaliveTime, &a.EtcdKeepaliveTimeout,
			&a.ReadyTimeout, &a.DialTimeout, &a.InitTime} {
			if g.chance(0.4) {
				*d = scenarios.Duration(g.dur(r.APITimeout))
			}
		}
		if g.chance(0.3) {
			a.BootstrapReads = g.intIn(r.BootstrapReads)
		}
		if g.chance(0.4) {
			a.LivenessProbe = &scenarios.ProbeTimingSpec{InitialDelay: scenarios.Duration(g.dur(r.Liveness)), Period: scenarios.Duration(g.dur(r.Liveness)),
				Timeout: scenarios.Duration(g.dur(r.Liveness)), FailureThreshold: g.intIn(r.LivenessFails)}
		}
		cp.APIServer = a
	}
	if g.chance(0.2) {
		a, b := g.dur(r.RestartBackOff), g.dur(r.RestartBackOff)
		cp.Kubelet = &scenarios.KubeletSpec{RestartBackOff: scenarios.Duration(min(a, b)), MaxRestartBackOff: scenarios.Duration(max(a, b))}
	}
	if (len(cp.Workers) > 0 || len(sp.Workloads) > 0) && g.chance(0.3) {
		nl := &scenarios.NodeLifecycleSpec{}
		for _, d := range []*scenarios.Duration{&nl.LeaseDuration, &nl.MonitorPeriod, &nl.GracePeriod, &nl.Toleration, &nl.PodStartDelay} {
			if g.chance(0.4) {
				*d = scenarios.Duration(g.dur(r.NodeLifecycle))
			}
		}
		for _, f := range []**float64{&nl.EvictionRate, &nl.SecondaryEvictionRate, &nl.UnhealthyZoneThreshold} {
			if g.chance(0.3) {
				*f = fp(g.floatIn(r.EvictionRate))
			}
		}
		if g.chance(0.3) {
			nl.LargeClusterSize = g.intIn(r.LargeCluster)
		}
		cp.NodeLifecycle = nl
	}
	sp.ControlPlane = cp
}

// le draws client-go leader-election timings that client-go accepts:
// leaseDuration > renewDeadline > 1.2 × retryPeriod.
func (g *gen) le() *scenarios.LeaderElectionSpec {
	retry := g.dur(g.r.RetryPeriod).Truncate(time.Millisecond)
	renew := time.Duration(float64(retry)*1.2) + time.Millisecond + g.dur(Span{0, g.r.LeaseMax / 2}).Truncate(time.Millisecond)
	lease := renew + time.Millisecond + g.dur(Span{0, g.r.LeaseMax / 2}).Truncate(time.Millisecond)
	le := &scenarios.LeaderElectionSpec{LeaseDuration: scenarios.Duration(lease), RenewDeadline: scenarios.Duration(renew), RetryPeriod: scenarios.Duration(retry)}
	if g.chance(0.3) {
		le.StartDelay = scenarios.Duration(g.dur(g.r.TriggerDelay))
	}
	if g.chance(0.3) {
		le.ExitFlush = scenarios.Duration(g.dur(g.r.TriggerDelay))
	}
	return le
}

func (g *gen) loadBalancer(sp *scenarios.Spec, cp *scenarios.ControlPlaneSpec) {
	r := g.r
	kind := g.pick([]string{"", string(model.LBHAProxy), string(model.LBKeepalived), string(model.LBNginx), string(model.LBKubeVIP), string(model.LBNone), string(model.LBCloud)})
	g.lb = kind
	if kind == "" {
		return
	}
	lb := &scenarios.LoadBalancerSpec{Kind: kind}
	hostsFor := func(n int) []string {
		if g.chance(0.3) && len(cp.Masters) >= n {
			return slices.Clone(cp.Masters[:n]) // a master's IP promoted to the load balancer
		}
		var out []string
		for i := range n {
			name := fmt.Sprintf("lb-%d", i+1)
			g.addHost(sp, name)
			out = append(out, name)
		}
		return out
	}
	proxy := kind == string(model.LBHAProxy) || kind == string(model.LBKeepalived)
	switch kind {
	case string(model.LBHAProxy), string(model.LBNginx):
		lb.Hosts = hostsFor(1)
	case string(model.LBKeepalived):
		lb.Hosts = hostsFor(g.intIn(r.LBKeepalived))
	case string(model.LBKubeVIP):
		if g.chance(0.3) {
			lb.LeaderElection = g.le()
		}
	case string(model.LBCloud):
		lb.Provider = g.pick(append([]string{""}, model.CloudProviders()...))
		if g.chance(0.3) {
			lb.Check = g.pick([]string{"http", "tcp"})
		}
		if g.chance(0.3) {
			lb.Interval = scenarios.Duration(max(time.Second, g.dur(r.LBInterval)))
			lb.Timeout = scenarios.Duration(max(time.Second, min(g.dur(r.LBInterval), lb.Interval.D())))
		}
		if g.chance(0.3) {
			lb.HealthyThreshold, lb.UnhealthyThreshold = min(10, g.intIn(r.LBCount)), min(10, g.intIn(r.LBCount))
		}
		if g.chance(0.3) {
			lb.UnhealthyConnections = g.pick([]string{model.UnhealthyKeep, model.UnhealthyClose})
		}
	}
	if proxy {
		if g.chance(0.3) {
			lb.Check = g.pick([]string{"http", "tcp"})
		}
		for _, d := range []*scenarios.Duration{&lb.Inter, &lb.TimeoutCheck} {
			if g.chance(0.3) {
				*d = scenarios.Duration(g.dur(r.LBInterval))
			}
		}
		for _, d := range []*scenarios.Duration{&lb.TimeoutConnect, &lb.TimeoutServer} {
			if g.chance(0.3) {
				*d = scenarios.Duration(g.dur(r.LBTimeout))
			}
		}
		for _, n := range []*int{&lb.Fall, &lb.Rise} {
			if g.chance(0.3) {
				*n = g.intIn(r.LBCount)
			}
		}
		if g.chance(0.3) {
			lb.TimeoutClient = scenarios.Duration(g.dur(r.LBTimeout))
		}
		lb.ShutdownSessions = g.chance(0.3)
	}
	if n := len(cp.Masters); (proxy || kind == string(model.LBNginx)) && n >= 2 && g.chance(0.3) {
		// Backup servers: the last one to n-1 masters.
		lb.Backup = slices.Clone(cp.Masters[n-1-g.rng.IntN(n-1):])
		if proxy {
			lb.AllBackups, lb.ShutdownBackupSessions = g.chance(0.3), g.chance(0.5)
		}
	}
	if kind == string(model.LBNginx) {
		if g.chance(0.3) {
			lb.MaxFails = g.intIn(r.LBCount)
		}
		for _, d := range []*scenarios.Duration{&lb.FailTimeout, &lb.ProxyConnectTimeout, &lb.ProxyTimeout, &lb.NextUpstreamTimeout} {
			if g.chance(0.3) {
				*d = scenarios.Duration(g.dur(r.LBTimeout))
			}
		}
		if g.chance(0.3) {
			lb.NextUpstreamTries = g.intIn(r.LBCount)
		}
	}
	if kind == string(model.LBKeepalived) {
		if g.chance(0.3) {
			lb.AdvertInterval = scenarios.Duration(g.dur(r.LBInterval))
		}
		if g.chance(0.3) {
			for range lb.Hosts {
				lb.Priorities = append(lb.Priorities, g.intIn(r.Priority))
			}
		}
		if g.chance(0.3) {
			cs := &scenarios.CheckScriptSpec{}
			if g.chance(0.5) {
				cs.Interval = scenarios.Duration(g.dur(r.LBInterval))
			}
			if g.chance(0.5) {
				cs.Fall, cs.Rise = g.intIn(r.LBCount), g.intIn(r.LBCount)
			}
			if g.chance(0.5) {
				w := g.intIn(r.ScriptWeight)
				cs.Weight = &w
			}
			lb.CheckScript = cs
		}
	}
	if g.chance(0.5) {
		cp.ControlPlaneEndpoint = lb
	} else {
		cp.LoadBalancer = lb
	}
}

func (g *gen) etcdKnobs(e *scenarios.EtcdSpec) {
	r := g.r
	if g.chance(0.2) {
		e.Version = g.pick([]string{"3.4", "3.5", "3.6"})
	}
	if g.chance(0.2) {
		hb := g.dur(r.Heartbeat).Truncate(time.Millisecond)
		hb = max(hb, time.Millisecond)
		lo := 5 * hb
		if lo > r.ElectionMax {
			hb, lo = r.ElectionMax/5, r.ElectionMax
		}
		e.HeartbeatInterval = scenarios.Duration(hb)
		e.ElectionTimeout = scenarios.Duration(g.dur(Span{lo, r.ElectionMax}).Truncate(time.Millisecond))
		if e.ElectionTimeout.D() < lo {
			e.ElectionTimeout = scenarios.Duration(lo)
		}
	}
	if g.chance(0.2) {
		// The jitter's width in time is bounded (model.MaxElectionJitter):
		// at most that many heartbeats.
		hb := e.HeartbeatInterval.D()
		if hb == 0 {
			hb = model.DefaultHeartbeatInterval
		}
		span := r.JitterTicks
		span.Hi = max(span.Lo, min(span.Hi, int(model.MaxElectionJitter/hb)))
		e.ElectionJitterTicks = g.intIn(span)
	}
	if g.chance(0.2) {
		v := g.chance(0.5)
		e.PreVote = &v
	}
	if g.chance(0.2) {
		e.TickPhase = g.pick([]string{"random", "aligned"})
		if e.TickPhase == "aligned" && g.chance(0.5) {
			e.AlignedSpread = scenarios.Duration(g.dur(r.AlignedSpread))
		}
	}
	if g.chance(0.2) {
		e.RequestTimeout = scenarios.Duration(g.dur(r.RequestTimeout))
	}
	if g.chance(0.2) {
		lo, hi := r.SnapshotCount[0], r.SnapshotCount[1]
		e.SnapshotCount = []uint64{lo, hi, lo + g.rng.Uint64N(hi-lo+1)}[g.rng.IntN(3)]
	}
	if g.chance(0.2) {
		v := g.chance(0.5)
		e.StrictReconfigCheck = &v
	}
}

func (g *gen) network(n *scenarios.NetworkSpec) {
	r := g.r
	for _, d := range []**scenarios.DistSpec{&n.SameZone, &n.CrossZone, &n.Loopback} {
		if g.chance(0.1) {
			*d = g.dist(r.Latency)
		}
	}
	if g.chance(0.1) {
		n.Reconnect = g.dist(r.Reconnect)
	}
	if g.chance(0.1) {
		n.Loss = g.floatIn(r.Loss)
	}
}

func (g *gen) probe(sp *scenarios.Spec, i int) scenarios.ProbeSpec {
	p := scenarios.ProbeSpec{Name: fmt.Sprintf("probe-%d", i+1), Host: g.pick(g.hosts)}
	if slices.Contains(g.hosts, scenarios.DefaultClientHost) && g.chance(0.6) {
		p.Host = scenarios.DefaultClientHost
	}
	if g.cp && g.chance(0.8) {
		vias := []string{"lb", "all"}
		for _, m := range g.masters {
			vias = append(vias, "apiserver:"+m)
		}
		p.Via = g.pick(vias)
		p.Kind = g.pick([]string{"", "write", "read", "cached-read", "schedule"})
		if g.chance(0.3) {
			p.Connection = g.pick([]string{string(model.ConnPerRequest), string(model.ConnLongLived)})
		}
	} else {
		p.Kind = g.pick([]string{"", "write", "read", "serializable-read"})
		if g.chance(0.3) {
			for j := range len(g.etcd) {
				if g.chance(0.5) {
					p.Endpoints = append(p.Endpoints, model.EtcdMemberName(j))
				}
			}
		}
	}
	if g.chance(0.3) {
		p.Period = scenarios.Duration(g.dur(g.r.ProbePeriod))
	}
	if g.chance(0.3) {
		p.Timeout = scenarios.Duration(g.dur(g.r.ProbeTimeout))
	}
	return p
}

// at is a fault's start: zero, the last nanosecond before the horizon, or
// anything in between.
func (g *gen) at(horizon time.Duration) time.Duration {
	switch g.rng.IntN(10) {
	case 0:
		return 0
	case 1:
		return horizon - 1
	}
	return time.Duration(g.rng.Int64N(int64(horizon))).Truncate(time.Millisecond)
}

func (g *gen) target() string {
	switch g.rng.IntN(10) {
	case 0, 1, 2, 3, 4:
		return "host:" + g.pick(g.hosts)
	case 5, 6:
		return "zone:" + g.pick(g.zones)
	case 7, 8:
		return "role:" + g.pick(model.KnownRoles())
	}
	if len(g.pinned) > 0 && g.chance(0.3) {
		return "connection:" + g.pick(g.pinned)
	}
	return "leader:" + g.pick(model.LeaderGroups())
}

// faultKinds are the kinds the generator draws for scripted faults; joins
// are added for every joining master instead.
func faultKinds() []model.FaultKind {
	return slices.DeleteFunc(model.FaultKinds(), func(k model.FaultKind) bool { return k == model.FaultJoinControlPlane })
}

func (g *gen) fault(horizon time.Duration) scenarios.FaultSpec {
	r := g.r
	kind := g.pick(kindNames(faultKinds()))
	f := scenarios.FaultSpec{Kind: kind, Target: g.target(), At: scenarios.Duration(g.at(horizon))}
	if g.chance(0.1) {
		f.Name = fmt.Sprintf("fault %d", g.rng.IntN(100))
	}
	if k := model.FaultKind(kind); !k.IsOperation() && k != model.FaultProcessCrash {
		switch g.rng.IntN(10) {
		case 0, 1:
		case 2:
			f.Duration = 1
		default:
			f.Duration = scenarios.Duration(g.dur(Span{time.Millisecond, horizon}).Truncate(time.Millisecond))
		}
	}
	switch model.FaultKind(kind) {
	case model.FaultZoneOutage:
		f.Target = "zone:" + g.pick(g.zones)
	case model.FaultProcessKill, model.FaultProcessPause, model.FaultAPIError, model.FaultAPIBlock:
		if g.chance(0.7) {
			f.Process = g.pick(model.KnownRoles())
		}
	case model.FaultProcessCrash:
		f.Process = g.pick(model.StaticPodRoles())
	case model.FaultProcessStop:
		allowed := append([]string{model.RoleEtcd}, model.LeaderElectedRoles()...)
		f.Process = g.pick(allowed)
	case model.FaultPartition:
		if g.chance(0.4) {
			f.Peer = g.target()
		}
		f.OneWay = g.chance(0.3)
	case model.FaultLink:
		if g.chance(0.4) {
			f.Peer = g.target()
		}
		both := g.rng.IntN(3)
		if both != 1 {
			f.Latency = g.dist(r.Latency)
		}
		if both != 0 {
			f.Loss = fp(g.floatIn(r.Loss))
		}
	case model.FaultSlowDisk:
		f.Fsync = g.dist(r.Fsync)
	case model.FaultClockStep:
		step := time.Duration(g.rng.Int64N(int64(2*r.ClockStep)+1)) - r.ClockStep
		switch g.rng.IntN(6) {
		case 0:
			step = r.ClockStep
		case 1:
			step = -r.ClockStep
		case 2:
			step = []time.Duration{1, -1}[g.rng.IntN(2)]
		}
		if step == 0 {
			step = time.Second
		}
		o := scenarios.Offset(step)
		f.Step = &o
	case model.FaultClockDrift:
		f.Rate = fp(g.rate())
	case model.FaultRemoveEtcdMember:
		f.Target = "leader:etcd"
		if g.chance(0.7) {
			f.Target = "host:" + g.pick(g.etcd)
		}
	}
	g.trigger(&f)
	return f
}

// trigger makes a fault wait for a timeline event, some of the time.
func (g *gen) trigger(f *scenarios.FaultSpec) {
	if !g.chance(0.15) {
		return
	}
	t := &scenarios.TriggerSpec{Event: g.pick(model.EventNames())}
	if g.chance(0.6) {
		var names []string
		for i := range g.etcd {
			names = append(names, model.EtcdMemberName(i))
		}
		names = append(names, g.hosts...)
		names = append(names, g.groups...)
		names = append(names, g.probes...)
		names = append(names, model.KnownRoles()...)
		t.Match = g.pick(names)
	}
	if g.chance(0.5) {
		t.Delay = scenarios.Duration(g.dur(g.r.TriggerDelay))
	}
	f.On = t
}

func kindNames(kinds []model.FaultKind) []string {
	var out []string
	for _, k := range kinds {
		out = append(out, string(k))
	}
	return out
}
