package model

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"hasim/model/fabric"
	"hasim/sim"
)

const year = 365 * 24 * time.Hour

// TestLifeDraws: every family draws by its quantile: the sample mean of
// many keyed draws is near the distribution's mean, the Weibull draws
// follow the closed-form quantile, and empirical draws take only the listed
// values, each about equally often.
func TestLifeDraws(t *testing.T) {
	st := sim.RootStream(3).Sub("life")
	for _, l := range []Life{
		Exponential(time.Hour),
		{Kind: LifeWeibull, Shape: 0.7, Scale: 30 * 24 * time.Hour},
		{Kind: LifeLogNormal, Median: 10 * time.Minute, Sigma: 0.8},
		{Kind: LifeFixed, Value: time.Minute},
		{Kind: LifeUniform, Min: time.Second, Max: 3 * time.Second},
		{Kind: LifeEmpirical, Values: []time.Duration{time.Second, 2 * time.Second, 6 * time.Second}},
	} {
		if err := l.Validate(); err != nil {
			t.Fatalf("%v: %v", l, err)
		}
		const n = 40000
		var sum float64
		for i := range uint64(n) {
			d := l.Draw(st, i)
			if d <= 0 {
				t.Fatalf("%v: draw %d is %v", l, i, d)
			}
			sum += float64(d)
		}
		mean, want := sum/n, float64(l.MeanOf())
		if math.Abs(mean-want) > 0.05*want {
			t.Errorf("%v: sample mean %v, want %v within 5%%", l, time.Duration(mean), time.Duration(want))
		}
	}
	w := Life{Kind: LifeWeibull, Shape: 2, Scale: time.Hour}
	for i := range uint64(5) {
		u := st.Float64(i)
		want := float64(time.Hour) * math.Sqrt(-math.Log(1-u))
		if got := float64(w.Draw(st, i)); math.Abs(got-want) > 1 {
			t.Errorf("weibull draw %d: %v, want %v", i, got, want)
		}
	}
	e := Life{Kind: LifeEmpirical, Values: []time.Duration{time.Second, 5 * time.Second}}
	seen := map[time.Duration]int{}
	for i := range uint64(1000) {
		seen[e.Draw(st, i)]++
	}
	if len(seen) != 2 || seen[time.Second] < 400 || seen[5*time.Second] < 400 {
		t.Errorf("empirical draws: %v", seen)
	}
}

func TestLifeValidate(t *testing.T) {
	for _, l := range []Life{
		{Kind: "gamma", Mean: time.Hour},
		{Kind: LifeExponential},
		{Kind: LifeWeibull, Shape: 0, Scale: time.Hour},
		{Kind: LifeLogNormal, Median: time.Hour, Sigma: -1},
		{Kind: LifeUniform, Min: time.Hour, Max: time.Hour},
		{Kind: LifeEmpirical},
		{Kind: LifeEmpirical, Values: []time.Duration{0}},
	} {
		if l.Validate() == nil {
			t.Errorf("%+v validated", l)
		}
	}
}

// failureCluster is threeMembers with failures and a longer horizon.
func failureCluster(horizon time.Duration, failures ...FailureConfig) Config {
	cfg := threeMembers(1)
	cfg.Horizon, cfg.Failures, cfg.CheckInvariants = horizon, failures, false
	return cfg
}

func hostCrashes(class string, tbf, ttr Life) FailureConfig {
	return FailureConfig{Name: "host-crash", Class: class, TBF: tbf, TTR: ttr, Fault: FaultConfig{Kind: FaultHostCrash}}
}

// arrivals are the start times of the injected faults whose name starts
// with prefix.
func arrivals(c *Cluster, prefix string) []sim.Time {
	var out []sim.Time
	for _, f := range c.Faults {
		if strings.HasPrefix(f.Cfg.Name, prefix) {
			out = append(out, sim.At(f.Cfg.At))
		}
	}
	return out
}

// TestFailureArrivalsAlternate: each member's process alternates up and
// down: every fault of a host starts after the previous one healed, all
// within the horizon, and the run heals what it injects.
func TestFailureArrivalsAlternate(t *testing.T) {
	cfg := failureCluster(10*time.Minute, hostCrashes("role:etcd", Exponential(40*time.Second), Exponential(5*time.Second)))
	c := mustRun(t, cfg)
	st := c.FailureStats()
	if len(st) != 3 {
		t.Fatalf("stats %+v, want one process per etcd host", st)
	}
	for _, s := range st {
		var last *Fault
		n := 0
		for _, f := range c.Faults {
			if f.Cfg.Name != "host-crash "+s.Member {
				continue
			}
			n++
			if f.Cfg.Target != (Target{Kind: TargetHost, Name: s.Member}) || f.Cfg.Duration <= 0 || f.Cfg.At >= cfg.Horizon {
				t.Errorf("fault %+v", f.Cfg)
			}
			if last != nil && f.Cfg.At <= last.Cfg.At+last.Cfg.Duration {
				t.Errorf("%s: fault at %v starts before the previous (at %v for %v) healed", s.Member, f.Cfg.At, last.Cfg.At, last.Cfg.Duration)
			}
			last = f
		}
		if n != s.Arrivals || n < 5 {
			t.Errorf("%s: %d faults, stats say %d; want about 13", s.Member, n, s.Arrivals)
		}
	}
	if v := c.Violations(); len(v) > 0 {
		t.Fatalf("violations: %v", v)
	}
}

// TestFailureCommonRandomNumbers: a member's arrivals depend on the
// failure's name and the member's name only: adding hosts, reordering
// them, and adding another failure leave h2's schedule as it was.
func TestFailureCommonRandomNumbers(t *testing.T) {
	tbf, ttr := Exponential(30*time.Second), Exponential(3*time.Second)
	a := failureCluster(5*time.Minute, hostCrashes(ClassControlPlane, tbf, ttr))
	b := failureCluster(5*time.Minute,
		FailureConfig{Name: "etcd-pause", Class: "role:etcd", TBF: tbf, TTR: ttr, Fault: FaultConfig{Kind: FaultProcessPause}},
		hostCrashes(ClassHosts, tbf, ttr))
	b.Hosts = append([]HostConfig{{Name: "extra", Zone: "c"}}, b.Hosts...)
	b.Zones = []string{"c", "b", "a"}
	slices.Reverse(b.EtcdMembers)
	b.Probes = append(b.Probes, ProbeConfig{Name: "w2", Host: "extra", Kind: ProbeWrite})
	ca, cb := mustRun(t, a), mustRun(t, b)
	for _, h := range []string{"h1", "h2", "h3"} {
		x, y := arrivals(ca, "host-crash "+h), arrivals(cb, "host-crash "+h)
		if len(x) == 0 || !slices.Equal(x, y) {
			t.Errorf("%s: arrivals %v and %v", h, x, y)
		}
	}
	if len(arrivals(cb, "etcd-pause")) == 0 {
		t.Error("no etcd pauses")
	}
	if c := sim.New(1); c.Stream("failures/host-crash").Sub("h2") == c.Stream("failures/host-crash").Sub("h3") {
		t.Error("members share a stream")
	}
}

// TestFailuresDrawnLazily: a ten-year horizon with a failure every hour
// makes no fault at build and keeps one pending arrival per process.
func TestFailuresDrawnLazily(t *testing.T) {
	cfg := failureCluster(10*year, hostCrashes(ClassHosts, Exponential(time.Hour), Exponential(time.Minute)))
	before, err := Build(failureCluster(10 * year))
	if err != nil {
		t.Fatal(err)
	}
	c, err := Build(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Faults) != 0 {
		t.Fatalf("%d faults made at build", len(c.Faults))
	}
	if d := c.Sim.Pending() - before.Sim.Pending(); d != 3 {
		t.Fatalf("%d more pending timers with the failures, want 3 (one per host but the probe client)", d)
	}
}

// TestFailuresStack: overlapping failures of different processes on the
// same host and process (a host crash inside a longer one, a pause inside a
// pause, slow disks, drifts) stack: the run ends with every host up and
// every process running, and no invariant broken.
func TestFailuresStack(t *testing.T) {
	fixed := func(d time.Duration) Life { return Life{Kind: LifeFixed, Value: d} }
	cfg := failureCluster(3*time.Minute,
		FailureConfig{Name: "long-crash", Class: "host:h1", TBF: fixed(20 * time.Second), TTR: fixed(30 * time.Second), Fault: FaultConfig{Kind: FaultHostCrash}},
		FailureConfig{Name: "short-crash", Class: "host:h1", TBF: fixed(25 * time.Second), TTR: fixed(10 * time.Second), Fault: FaultConfig{Kind: FaultHostCrash}},
		FailureConfig{Name: "zone", Class: "zone:a", TBF: fixed(30 * time.Second), TTR: fixed(30 * time.Second), Fault: FaultConfig{Kind: FaultZoneOutage}},
		FailureConfig{Name: "pause", Class: "role:etcd", TBF: fixed(7 * time.Second), TTR: fixed(5 * time.Second), Fault: FaultConfig{Kind: FaultProcessPause}},
		FailureConfig{Name: "pause2", Class: "role:etcd", One: true, TBF: fixed(3 * time.Second), TTR: fixed(8 * time.Second), Fault: FaultConfig{Kind: FaultProcessPause}},
		FailureConfig{Name: "kill", Class: "role:etcd", One: true, TBF: fixed(4 * time.Second), TTR: fixed(9 * time.Second), Fault: FaultConfig{Kind: FaultProcessKill}},
		FailureConfig{Name: "disk", Class: ClassHosts, One: true, TBF: fixed(2 * time.Second), TTR: fixed(5 * time.Second), Fault: FaultConfig{Kind: FaultSlowDisk, Fsync: fabric.Fixed(50 * time.Millisecond)}},
		FailureConfig{Name: "drift", Class: ClassHosts, One: true, TBF: fixed(2 * time.Second), TTR: fixed(5 * time.Second), Fault: FaultConfig{Kind: FaultClockDrift, Rate: 1.001}},
		FailureConfig{Name: "cut", Class: ClassZonePairs, One: true, TBF: fixed(3 * time.Second), TTR: fixed(6 * time.Second), Fault: FaultConfig{Kind: FaultPartition}},
		FailureConfig{Name: "slow-link", Class: ClassZonePairs, One: true, TBF: fixed(3 * time.Second), TTR: fixed(7 * time.Second), Fault: FaultConfig{Kind: FaultLink, Latency: ptrTo(fabric.Fixed(20 * time.Millisecond))}},
		FailureConfig{Name: "stop", Class: "role:etcd", One: true, TBF: fixed(5 * time.Second), TTR: fixed(11 * time.Second), Fault: FaultConfig{Kind: FaultProcessStop}},
	)
	cfg.Horizon = 2 * time.Minute
	cfg.CheckInvariants = true
	c := mustRun(t, cfg)
	if v := c.Violations(); len(v) > 0 {
		t.Fatalf("violations: %v", v)
	}
	// Every fault that started at least 40s before the end has healed.
	for _, f := range c.Faults {
		if f.Cfg.At+f.Cfg.Duration < cfg.Horizon && !f.Healed() {
			t.Errorf("%s (at %v for %v) did not heal", f.Cfg.Name, f.Cfg.At, f.Cfg.Duration)
		}
	}
	for _, s := range c.FailureStats() {
		if s.Arrivals == 0 {
			t.Errorf("%s %s: no arrival", s.Failure, s.Member)
		}
	}
	// Run on until everything healed, then half a minute more: every host
	// is up with its clock at rate 1 and a fast disk, every member runs,
	// and every probe request of that half minute succeeds (no partition
	// left installed).
	run := func(until time.Duration) {
		c.Sim.Run(sim.Bounds{Until: sim.At(until), MaxEvents: DefaultMaxEvents, MaxSameInstant: DefaultMaxEventsPerInstant})
	}
	run(cfg.Horizon + time.Minute)
	for _, h := range c.Hosts {
		if !h.Up() || h.Clock.Rate != 1 {
			t.Errorf("%s: up %v, clock rate %g", h.Name, h.Up(), h.Clock.Rate)
		}
		if now := c.Sim.Now(); h.Disk.Sync(now).Sub(now) > 2*time.Millisecond {
			t.Errorf("%s: disk still slow", h.Name)
		}
	}
	for _, m := range c.Etcd.Members {
		if m.Proc.State() != fabric.Running {
			t.Errorf("%s: %v", m.Name, m.Proc.State())
		}
	}
	var failed []int
	for _, p := range c.Probes {
		_, f := p.Counts()
		failed = append(failed, f)
	}
	run(cfg.Horizon + 90*time.Second)
	for i, p := range c.Probes {
		if _, f := p.Counts(); f != failed[i] {
			t.Errorf("%s: %d requests failed after every fault healed", p.Name, f-failed[i])
		}
	}
}

// TestMaintenanceRollsOneHostAtATime: each window drains and restarts the
// hosts one after another, never two down at once, on schedule.
func TestMaintenanceRollsOneHostAtATime(t *testing.T) {
	cfg := failureCluster(10*time.Minute, FailureConfig{Name: "maintenance", Class: "role:etcd", Fault: FaultConfig{Kind: FaultMaintenance},
		Maintenance: MaintenanceConfig{Every: 4 * time.Minute, Start: 30 * time.Second, Drain: 5 * time.Second, Duration: 20 * time.Second, Settle: 10 * time.Second}})
	c := mustRun(t, cfg)
	var restarts []*Fault
	for _, f := range c.Faults {
		if f.Cfg.Kind == FaultHostCrash {
			restarts = append(restarts, f)
		}
	}
	// Windows at 30s, 4m30s, 8m30s; three hosts each.
	if len(restarts) != 9 || c.FailureStats()[0].Arrivals != 9 {
		t.Fatalf("%d restarts, want 9", len(restarts))
	}
	for i, f := range restarts {
		w, k := i/3, i%3
		want := 30*time.Second + time.Duration(w)*4*time.Minute + time.Duration(k)*35*time.Second + 5*time.Second
		if f.Cfg.At != want || f.Cfg.Target.Name != cfg.EtcdMembers[k] {
			t.Errorf("restart %d: %s at %v, want %s at %v", i, f.Cfg.Target.Name, f.Cfg.At, cfg.EtcdMembers[k], want)
		}
	}
	stops := 0
	for _, f := range c.Faults {
		if f.Cfg.Kind == FaultProcessStop {
			stops++
		}
	}
	if stops != 9 {
		t.Errorf("%d drains, want 9 (etcd on each host, each window)", stops)
	}
	if v := c.Violations(); len(v) > 0 {
		t.Fatalf("violations: %v", v)
	}
}

func TestFailureValidation(t *testing.T) {
	ok := hostCrashes(ClassHosts, Exponential(year), Exponential(time.Hour))
	for _, tc := range []struct {
		f    FailureConfig
		want string
	}{
		{FailureConfig{Name: "x", Class: ClassHosts, TBF: ok.TBF, TTR: ok.TTR, Fault: FaultConfig{Kind: FaultJoinControlPlane}}, "unknown kind"},
		{FailureConfig{Name: "x", Class: "racks", TBF: ok.TBF, TTR: ok.TTR, Fault: FaultConfig{Kind: FaultHostCrash}}, "allowed control-plane"},
		{FailureConfig{Name: "x", Class: "host:nope", TBF: ok.TBF, TTR: ok.TTR, Fault: FaultConfig{Kind: FaultHostCrash}}, "not defined"},
		{FailureConfig{Name: "x", Class: ClassHosts, TTR: ok.TTR, Fault: FaultConfig{Kind: FaultHostCrash}}, "time between failures"},
		{FailureConfig{Name: "x", Class: ClassHosts, TBF: ok.TBF, Fault: FaultConfig{Kind: FaultHostCrash}}, "time to repair"},
		{FailureConfig{Name: "x", Class: ClassHosts, TBF: ok.TBF, TTR: ok.TTR, Fault: FaultConfig{Kind: FaultZoneOutage}}, "zones class"},
		{FailureConfig{Name: "x", Class: ClassZonePairs, TBF: ok.TBF, TTR: ok.TTR, Fault: FaultConfig{Kind: FaultHostCrash}}, "zone-pairs"},
		{FailureConfig{Name: "x", Class: ClassHosts, TBF: ok.TBF, TTR: ok.TTR, Fault: FaultConfig{Kind: FaultClockDrift}}, "positive rate"},
		{FailureConfig{Name: "x", Class: ClassHosts, Fault: FaultConfig{Kind: FaultMaintenance}}, "positive every"},
	} {
		cfg := failureCluster(time.Minute, tc.f)
		err := cfg.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: got %v, want %q", tc.f, err, tc.want)
		}
	}
	if err := failureCluster(time.Minute, ok).Validate(); err != nil {
		t.Fatal(err)
	}
	if err := failureCluster(time.Minute, ok, ok).Validate(); err == nil || !strings.Contains(err.Error(), "used twice") {
		t.Errorf("two failures of one name: %v", err)
	}
}

// TestFailuresWithScriptedFaults: scripted faults keep their numbers and
// times beside failure processes, whose faults are numbered after them in
// the order they start.
func TestFailuresWithScriptedFaults(t *testing.T) {
	cfg := failureCluster(2*time.Minute, hostCrashes("role:etcd", Exponential(20*time.Second), Exponential(3*time.Second)))
	cfg.Faults = []FaultConfig{
		{Name: "scripted late", Kind: FaultProcessPause, At: 90 * time.Second, Duration: 2 * time.Second, Target: Target{Kind: TargetLeader, Name: "etcd"}},
		{Name: "scripted early", Kind: FaultHostCrash, At: 10 * time.Second, Duration: 5 * time.Second, Target: Target{Kind: TargetHost, Name: "h3"}},
	}
	cfg.CheckInvariants = true
	c := mustRun(t, cfg)
	r := c.Result(sim.ReachedTime)
	if len(r.Faults) < 5 || r.Faults[0].Name != "scripted late" || r.Faults[1].Name != "scripted early" ||
		r.Faults[0].At != sim.At(90*time.Second) || r.Faults[1].At != sim.At(10*time.Second) {
		t.Fatalf("faults %+v", r.Faults[:min(len(r.Faults), 3)])
	}
	var prev sim.Time
	for i, f := range r.Faults[2:] {
		if f.ID != i+3 || !strings.HasPrefix(f.Name, "host-crash h") || f.At < prev {
			t.Errorf("fault %d: %+v", i+3, f)
		}
		prev = f.At
	}
	if v := c.Violations(); len(v) > 0 {
		t.Fatalf("violations: %v", v)
	}
}

// TestMaintenanceWaitsForHealth: while another host of the class is down,
// or its etcd member killed or frozen, maintenance does not drain the next
// one; it looks again every minute.
func TestMaintenanceWaitsForHealth(t *testing.T) {
	for _, down := range []FaultConfig{{Kind: FaultHostCrash}, {Kind: FaultProcessKill, Process: RoleEtcd}, {Kind: FaultProcessPause, Process: RoleEtcd}} {
		t.Run(string(down.Kind), func(t *testing.T) { maintenanceWaits(t, down) })
	}
}

// maintenanceWaits: h2's host, or its etcd member, is down or frozen from
// 20 s to 80 s and from 100 s; the drain of h1 waits.
func maintenanceWaits(t *testing.T, down FaultConfig) {
	cfg := failureCluster(5*time.Minute,
		FailureConfig{Name: "down", Class: "host:h2", TBF: Life{Kind: LifeFixed, Value: 20 * time.Second}, TTR: Life{Kind: LifeFixed, Value: 60 * time.Second}, Fault: down},
		FailureConfig{Name: "maintenance", Class: "role:etcd", Fault: FaultConfig{Kind: FaultMaintenance},
			Maintenance: MaintenanceConfig{Every: time.Hour, Start: 30 * time.Second, Drain: 5 * time.Second, Duration: 20 * time.Second, Settle: 10 * time.Second}})
	c := mustRun(t, cfg)
	var first *Fault
	for _, f := range c.Faults {
		if f.Cfg.Name == "maintenance h1: restart" {
			first = f
		}
	}
	// h2 is down from 20s to 80s (and again from 100s): the drain of h1
	// waits at 30s and starts at 90s.
	if first == nil || first.Cfg.At != 95*time.Second {
		t.Fatalf("restart of h1: %+v", first)
	}
	if st := c.FailureStats(); st[1].Waits < 1 {
		t.Errorf("stats %+v: want a wait", st)
	}
	var prev time.Duration
	for _, f := range c.Faults {
		if f.Cfg.At < prev {
			t.Errorf("fault list out of time order: %s at %v after %v", f.Cfg.Name, f.Cfg.At, prev)
		}
		prev = f.Cfg.At
	}
}

func TestLongString(t *testing.T) {
	for d, want := range map[time.Duration]string{Year: "1y", 90 * Day: "90d", Year + 30*Day + 12*time.Hour: "1y30d12h", 90 * time.Minute: "1h30m",
		10 * time.Second: "10s", 500 * time.Millisecond: "500ms", 0: "0s", 2 * time.Hour: "2h", Day + time.Second: "1d1s"} {
		if got := LongString(d); got != want {
			t.Errorf("LongString(%v) = %q, want %q", d, got, want)
		}
	}
}

func ptrTo[T any](v T) *T { return &v }
