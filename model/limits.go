package model

import (
	"fmt"
	"time"

	"hasim/model/fabric"
	"hasim/model/kube"
)

// Limits on a configuration. Each is what a real cluster could have, with a
// wide margin; beyond them a run would crash (arithmetic overflow, a clock
// so slow that no timer comes due) or do unbounded work (a period of a
// nanosecond, a hundred million pods) instead of saying something about a
// cluster. The scenario loader checks the same limits at the field that
// breaks them; Config.Validate checks them again as a backstop.
const (
	// MaxHorizon is 250 years of simulated time (of 365 days). Simulated
	// time (sim.Time) and clock readings are int64 nanoseconds, which end
	// at 2^63 ns, about 292.47 years: a horizon must leave room for the
	// timers a run arms beyond it (a timeout, a retry, a day at most; a
	// fault's heal that would fall past the end of simulated time is not
	// armed) and for the hosts' clocks (see MaxClockReach). The work of a long run is bounded by its
	// event count (MaxEvents), not by the horizon.
	MaxHorizon = 250 * Year
	// MaxClockReach bounds how far apart any two clock readings of a run
	// can be, and how far any is from zero: a clock running at rate r over
	// the horizon, plus its offset and steps. Readings are int64
	// nanoseconds too (about 292.47 years); 280 years leaves room for the
	// deadlines computed from them.
	MaxClockReach = 280 * Year
	// MaxMaxEvents bounds a run's event limit: 10¹² events, a day or more
	// of computing.
	MaxMaxEvents = 1_000_000_000_000
	// MinMaxEventsPerInstant and MaxMaxEventsPerInstant bound the livelock
	// guard. A small bound is allowed (it ends a run early, which tests of
	// the guard want), but below a few tens of thousands the start of a
	// large cluster (every process starting at time zero) trips it.
	MinMaxEventsPerInstant = 1
	MaxMaxEventsPerInstant = 1_000_000_000

	// MaxZones: cloud regions have at most a handful of zones; clusters
	// spread over a few.
	MaxZones = 100
	// MaxNodes is Kubernetes' documented largest cluster (5,000 nodes,
	// kubernetes.io/docs/setup/best-practices/cluster-large) three times
	// over: masters and workers together.
	MaxNodes = 15_000
	// MaxHosts is every machine of a scenario: nodes, external etcd hosts,
	// load balancers and clients.
	MaxHosts = 20_000
	// MaxEtcdMembers: etcd recommends clusters of 3, 5 or 7 members
	// (etcd.io/docs/v3.5/faq, "What is maximum cluster size?": more members
	// make every write slower and add little fault tolerance). Fifteen
	// leaves room to study larger ones. (The model keeps a Raft
	// configuration as a 64-bit set of members, so 64 is its hard ceiling.)
	MaxEtcdMembers = 15
	// MaxMasters: control planes have 1, 3 or 5 masters; a stacked one
	// runs an etcd member on each, so the same bound.
	MaxMasters = MaxEtcdMembers
	// MaxPods is Kubernetes' documented 150,000 pods per cluster twice
	// over, as the sum of every workload's replicas.
	MaxPods = 300_000
	// MaxWorkloads bounds the number of workloads (ReplicaSets and bare
	// pod groups).
	MaxWorkloads = 10_000
	// MaxProbes bounds the number of availability probes.
	MaxProbes = 1_000
	// MaxFaults bounds the number of scripted faults and operations.
	MaxFaults = 10_000
	// MaxLBHosts bounds a load balancer's own hosts (a keepalived group of
	// VRRP routers; real ones have two or three).
	MaxLBHosts = 16

	// MaxThreshold bounds counts of consecutive checks (HAProxy fall and
	// rise, keepalived's, a liveness probe's failureThreshold).
	MaxThreshold = 1_000
	// MaxBootstrapReads bounds an apiserver's rbac/bootstrap-roles reads
	// (about 130 upstream).
	MaxBootstrapReads = 100_000
	// MaxEvictionRate bounds the node eviction rates, nodes per second
	// (upstream's default is 0.1).
	MaxEvictionRate = 1_000.0

	// MinClockRate and MaxClockRate bound a clock's rate: NTP disciplines
	// clocks to within 500 ppm (0.9995 to 1.0005) and a broken oscillator
	// may be off by a few percent; 0.1 to 10 is far beyond either.
	MinClockRate = 0.1
	MaxClockRate = 10.0
	// MaxClockOffset bounds a clock's offset and each clock step, and
	// their sum on a host: a century (a machine whose battery-backed
	// clock reset to 1970 is off by about 56 years).
	MaxClockOffset = 100 * 365 * 24 * time.Hour

	// MaxRequestRate bounds the periodic work a scenario asks for, in
	// requests per simulated second: probe requests, node-lease renewals,
	// node-monitor checks, etcd heartbeats and load-balancer health checks
	// together. A 5,000-node cluster at upstream defaults needs about
	// 1,500.
	MaxRequestRate = 100_000.0
)

// ClockReach bounds, in nanoseconds, how far apart two clock readings of
// the run can be (the lowest reading possible to the highest, zero included: monotonic
// readings start at zero), and says what makes it up. A clock's reading
// grows at most at the fastest rate any host's clock or any clock-drift
// fault or failure can set, over the whole horizon; offsets and scripted
// steps move it. Steps of clock-step failure processes are not counted:
// their number is random.
func (cfg *Config) ClockReach() (float64, string) {
	rate := 1.0
	for _, h := range cfg.Hosts {
		rate = max(rate, h.Clock.Rate)
	}
	for _, f := range cfg.Faults {
		if f.Kind == FaultClockDrift {
			rate = max(rate, f.Rate)
		}
	}
	for _, f := range cfg.Failures {
		if f.Fault.Kind == FaultClockDrift {
			rate = max(rate, f.Fault.Rate)
		}
	}
	var fwd, back float64 // scripted steps, each way
	for _, f := range cfg.Faults {
		if f.Kind == FaultClockStep {
			if f.Step > 0 {
				fwd += float64(f.Step)
			} else {
				back -= float64(f.Step)
			}
		}
	}
	// True time, which the clocks run on, grows only by what is simulated:
	// within the horizon, and within MaxHorizon over eras.
	grow := rate * float64(cfg.Horizon)
	if cfg.HorizonEras > 0 {
		grow = rate * float64(MaxHorizon)
	}
	hi, lo := 0.0, 0.0
	for _, h := range cfg.Hosts {
		hi = max(hi, grow+float64(h.Clock.Offset)+fwd)
		lo = min(lo, float64(h.Clock.Offset)-back)
	}
	why := fmt.Sprintf("a clock at rate %g over the %s horizon", rate, cfg.HorizonString())
	if cfg.HorizonEras > 0 {
		why = fmt.Sprintf("a clock at rate %g over %s of simulated time, the most a run over eras may simulate", rate, LongString(MaxHorizon))
	}
	if lo < 0 || hi > grow {
		why += ", with offsets and steps"
	}
	return hi - lo, why
}

// checkDuration reports d outside [lo, hi], naming it.
func checkDuration(bad func(string, ...any), name string, d, lo, hi time.Duration) {
	if d < lo || d > hi {
		bad("%s %v out of range; allowed: %v to %v", name, d, lo, hi)
	}
}

// checkInt reports n outside [lo, hi], naming it.
func checkInt(bad func(string, ...any), name string, n, lo, hi int) {
	if n < lo || n > hi {
		bad("%s %d out of range; allowed: %d to %d", name, n, lo, hi)
	}
}

// checkRate reports a clock rate outside [MinClockRate, MaxClockRate].
func checkRate(bad func(string, ...any), name string, r float64) {
	if !(r >= MinClockRate && r <= MaxClockRate) {
		bad("%s %g out of range; allowed: %g to %g", name, r, MinClockRate, MaxClockRate)
	}
}

// RequestRate is the periodic work of cfg, in requests per simulated
// second (see MaxRequestRate), with each part named.
func (cfg *Config) RequestRate() (total float64, parts []RatePart) {
	add := func(what string, n int, period time.Duration) {
		if n > 0 && period > 0 {
			r := float64(n) / period.Seconds()
			total += r
			parts = append(parts, RatePart{What: what, Rate: r})
		}
	}
	for _, p := range cfg.Probes {
		period := p.Period
		if period == 0 {
			period = kube.DefaultProbePeriod
		}
		add("probe "+p.Name, 1, period)
	}
	if w := cfg.Workers; w != nil {
		l := w.Lifecycle.WithDefaults()
		add("node-lease renewals", len(w.Nodes), l.LeaseDuration/4)
		add("node-monitor checks", len(w.Nodes), l.MonitorPeriod)
	}
	e := cfg.Etcd.WithDefaults()
	if n := len(cfg.EtcdMembers); n > 1 {
		add("etcd heartbeats", n-1, e.HeartbeatInterval)
	}
	if e.RaftTicks() && e.HeartbeatTicks > 1 {
		// Raft ticks shorter than the heartbeat: every member's ticker.
		add("etcd ticks", len(cfg.EtcdMembers), e.Tick)
	}
	if lb := cfg.LoadBalancer; lb != nil && (lb.Kind == kube.LBHAProxy || lb.Kind == kube.LBKeepalived) {
		l := lb.WithDefaults()
		add("load-balancer checks", len(l.Hosts)*len(cfg.APIServers), l.Inter)
	}
	if lb := cfg.LoadBalancer; lb != nil && lb.Kind == kube.LBCloud {
		add("load-balancer checks", len(cfg.APIServers), lb.WithDefaults().Inter)
	}
	return total, parts
}

// RatePart is one contribution to a configuration's RequestRate.
type RatePart struct {
	What string
	Rate float64 // per simulated second
}

// checkLimits reports every limit above that cfg breaks.
func (cfg *Config) checkLimits(bad func(string, ...any)) {
	if cfg.HorizonEras > 0 && HorizonNs(cfg.HorizonEras, cfg.Horizon).Cmp(HorizonNs(MaxLongHorizon/int64(fabric.EraLen/Year), 0)) > 0 {
		bad("horizon %s out of range; allowed: up to %dy", cfg.HorizonString(), MaxLongHorizon)
	} else if cfg.Horizon > MaxHorizon {
		bad("horizon %s out of range; allowed: up to %s (simulated time is int64 nanoseconds, which end at about 292 years; the rest is room for timers armed past the horizon)",
			LongString(cfg.Horizon), LongString(MaxHorizon))
	} else if reach, why := cfg.ClockReach(); reach > float64(MaxClockReach) {
		bad("clock readings would span %.4g years (%s): beyond the %s a run's clocks may span (readings are int64 nanoseconds, which end at about 292 years); shorten the horizon, or lower the clock rates, offsets or steps",
			reach/float64(Year), why, LongString(MaxClockReach))
	}
	if cfg.MaxEvents > MaxMaxEvents {
		bad("maxEvents %d out of range; allowed: up to %d", cfg.MaxEvents, uint64(MaxMaxEvents))
	}
	if n := cfg.MaxEventsPerInstant; n != 0 && (n < MinMaxEventsPerInstant || n > MaxMaxEventsPerInstant) {
		bad("maxEventsPerInstant %d out of range; allowed: %d to %d", n, MinMaxEventsPerInstant, MaxMaxEventsPerInstant)
	}
	checkInt(bad, "zones: count", len(cfg.Zones), 0, MaxZones)
	checkInt(bad, "hosts: count", len(cfg.Hosts), 0, MaxHosts)
	checkInt(bad, "etcd members: count", len(cfg.EtcdMembers), 0, MaxEtcdMembers)
	checkInt(bad, "apiservers: count", len(cfg.APIServers), 0, MaxMasters)
	checkInt(bad, "probes: count", len(cfg.Probes), 0, MaxProbes)
	checkInt(bad, "faults: count", len(cfg.Faults), 0, MaxFaults)
	for _, h := range cfg.Hosts {
		if h.Clock.Rate != 0 {
			checkRate(bad, "host "+h.Name+": clock rate", h.Clock.Rate)
		}
		checkDuration(bad, "host "+h.Name+": clock offset", h.Clock.Offset, -MaxClockOffset, MaxClockOffset)
	}
	for _, p := range cfg.Probes {
		if p.Period != 0 {
			checkDuration(bad, "probe "+p.Name+": period", p.Period, fabric.MinPeriod, fabric.MaxPeriod)
		}
		if p.Timeout != 0 {
			checkDuration(bad, "probe "+p.Name+": timeout", p.Timeout, fabric.MinTimeout, fabric.MaxTimeout)
		}
		for _, d := range []struct {
			name string
			v    time.Duration
		}{{"keepaliveTime", p.KeepaliveTime}, {"keepaliveTimeout", p.KeepaliveTimeout}} {
			if d.v != 0 {
				checkDuration(bad, "probe "+p.Name+": "+d.name, d.v, fabric.MinTimeout, fabric.MaxTimeout)
			}
		}
	}
	for _, a := range cfg.APIServers {
		for _, d := range []struct {
			name   string
			v      time.Duration
			lo, hi time.Duration
		}{{"requestTimeout", a.RequestTimeout, fabric.MinTimeout, fabric.MaxTimeout}, {"healthTimeout", a.HealthTimeout, fabric.MinTimeout, fabric.MaxTimeout},
			{"readyTimeout", a.ReadyTimeout, fabric.MinTimeout, fabric.MaxTimeout}, {"dialTimeout", a.DialTimeout, fabric.MinTimeout, fabric.MaxTimeout},
			{"initTime", a.InitTime, 0, fabric.MaxDelay}, {"loopbackCost", a.LoopbackCost, 0, fabric.MaxDelay},
			{"watchCacheStaleAfter", a.WatchCacheStaleAfter, fabric.MinTimeout, fabric.MaxTimeout},
			{"etcdKeepaliveTime", a.EtcdKeepaliveTime, fabric.MinTimeout, fabric.MaxTimeout}, {"etcdKeepaliveTimeout", a.EtcdKeepaliveTimeout, fabric.MinTimeout, fabric.MaxTimeout},
			{"liveness initialDelay", a.Liveness.InitialDelay, 0, fabric.MaxDelay}, {"liveness period", a.Liveness.Period, fabric.MinPeriod, fabric.MaxPeriod},
			{"liveness timeout", a.Liveness.Timeout, fabric.MinTimeout, fabric.MaxTimeout},
			{"readiness period", a.Readiness.Period, fabric.MinPeriod, fabric.MaxPeriod}, {"readiness timeout", a.Readiness.Timeout, fabric.MinTimeout, fabric.MaxTimeout}} {
			if d.v != 0 {
				checkDuration(bad, "apiserver on "+a.Host+": "+d.name, d.v, d.lo, d.hi)
			}
		}
		checkInt(bad, "apiserver on "+a.Host+": liveness failureThreshold", a.Liveness.FailureThreshold, 0, MaxThreshold)
		checkInt(bad, "apiserver on "+a.Host+": bootstrapReads", a.BootstrapReads, 0, MaxBootstrapReads)
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"kubelet restartBackOff", cfg.Kubelet.RestartBackoff}, {"kubelet maxRestartBackOff", cfg.Kubelet.MaxRestartBackoff}} {
		if d.v != 0 {
			checkDuration(bad, d.name, d.v, fabric.MinTimeout, fabric.MaxTimeout)
		}
	}
	if lb := cfg.LoadBalancer; lb != nil {
		checkInt(bad, "load balancer hosts: count", len(lb.Hosts), 0, MaxLBHosts)
		for _, d := range []struct {
			name   string
			v      time.Duration
			lo, hi time.Duration
		}{{"inter", lb.Inter, fabric.MinPeriod, fabric.MaxPeriod}, {"advertInterval", lb.AdvertInterval, fabric.MinPeriod, fabric.MaxPeriod},
			{"checkScript interval", lb.Script.Interval, fabric.MinPeriod, fabric.MaxPeriod}, {"timeoutCheck", lb.TimeoutCheck, fabric.MinTimeout, fabric.MaxTimeout},
			{"timeoutConnect", lb.ConnectTimeout, fabric.MinTimeout, fabric.MaxTimeout}, {"timeoutServer", lb.ServerTimeout, fabric.MinTimeout, fabric.MaxTimeout},
			{"timeoutClient", lb.ClientTimeout, fabric.MinTimeout, fabric.MaxTimeout},
			{"failTimeout", lb.FailTimeout, fabric.MinTimeout, fabric.MaxTimeout}, {"proxyTimeout", lb.ProxyTimeout, fabric.MinTimeout, fabric.MaxTimeout},
			{"nextUpstreamTimeout", lb.NextUpstreamTimeout, fabric.MinTimeout, fabric.MaxTimeout}} {
			if d.v != 0 {
				checkDuration(bad, "load balancer "+d.name, d.v, d.lo, d.hi)
			}
		}
		for _, n := range []struct {
			name string
			v    int
		}{{"fall", lb.Fall}, {"rise", lb.Rise}, {"checkScript fall", lb.Script.Fall}, {"checkScript rise", lb.Script.Rise},
			{"maxFails", lb.MaxFails}, {"nextUpstreamTries", lb.NextUpstreamTries}} {
			checkInt(bad, "load balancer "+n.name, n.v, 0, MaxThreshold)
		}
	}
	if w := cfg.Workers; w != nil {
		checkInt(bad, "worker plane nodes: count", len(w.Nodes), 0, MaxNodes)
		checkInt(bad, "workloads: count", len(w.Workloads), 0, MaxWorkloads)
		pods := 0
		for _, wl := range w.Workloads {
			checkInt(bad, "workload "+wl.Name+": replicas", wl.Replicas, 1, MaxPods)
			pods += min(max(wl.Replicas, 0), MaxPods+1)
		}
		if pods > MaxPods {
			bad("workloads: %d pods in all; allowed: up to %d", pods, MaxPods)
		}
		l := w.Lifecycle
		for _, d := range []struct {
			name   string
			v      time.Duration
			lo, hi time.Duration
		}{{"node leaseDuration", l.LeaseDuration, time.Second, fabric.MaxDelay}, {"node monitorPeriod", l.MonitorPeriod, fabric.MinPeriod, fabric.MaxPeriod},
			{"node gracePeriod", l.GracePeriod, 0, fabric.MaxDelay}, {"toleration", l.Toleration, 0, fabric.MaxDelay}, {"podStartDelay", l.PodStartDelay, 0, fabric.MaxDelay}} {
			if d.v != 0 {
				checkDuration(bad, d.name, d.v, d.lo, d.hi)
			}
		}
		for _, r := range []struct {
			name string
			v    float64
		}{{"evictionRate", l.EvictionRate}, {"secondaryEvictionRate", l.SecondaryEvictionRate}} {
			if !(r.v >= 0 && r.v <= MaxEvictionRate) {
				bad("%s %g out of range; allowed: 0 to %g", r.name, r.v, MaxEvictionRate)
			}
		}
		checkInt(bad, "largeClusterSize", l.LargeClusterSize, 0, MaxNodes)
	}
	var steps time.Duration
	for i, f := range cfg.Faults {
		name := fmt.Sprintf("fault %d: ", i+1)
		checkDuration(bad, name+"duration", f.Duration, 0, MaxHorizon)
		if f.On != nil {
			checkDuration(bad, name+"trigger delay", f.On.Delay, 0, MaxHorizon)
		}
		switch f.Kind {
		case FaultClockDrift:
			checkRate(bad, name+"clock-drift rate", f.Rate)
		case FaultClockStep:
			checkDuration(bad, name+"clock step", f.Step, -MaxClockOffset, MaxClockOffset)
			steps += min(max(f.Step, -MaxClockOffset), MaxClockOffset).Abs()
		}
	}
	if steps > MaxClockOffset {
		bad("clock steps add up to %v; allowed: up to %v", steps, MaxClockOffset)
	}
	if total, _ := cfg.RequestRate(); total > MaxRequestRate {
		bad("%.0f periodic requests per simulated second; allowed: up to %.0f", total, MaxRequestRate)
	}
}
