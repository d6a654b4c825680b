package model

import (
	"math"
	"slices"
	"sync"
	"testing"
	"time"

	"gonum.org/v1/gonum/stat"

	"hasim/model/fabric"
	"hasim/model/kube"
	"hasim/sim"
)

// ffCluster is stacked3 with master crashes as failure processes: each
// master fails about every mtbf and is repaired in about a minute.
func ffCluster(seed uint64, horizon, mtbf time.Duration, noFF bool) Config {
	cfg := stacked3(horizon)
	cfg.Seed, cfg.NoFastForward = seed, noFF
	cfg.Failures = []FailureConfig{hostCrashes("control-plane", Exponential(mtbf), Exponential(time.Minute))}
	return cfg
}

// TestSkippedSpansAreQuiet: the spans fast-forward would skip are quiet
// when simulated in full. The runs below do not skip; at every check
// where the cluster is steady they note the span a skip would have jumped
// (to the longest warm-up before the next calendar event), and after the
// run no record of a change (renewals aside: no failed probe, no new
// leader, no lease moving, no process or backend changing) falls in any
// of them, and every probe's requests through each go as its last
// accounted one at the span's start did, as a skip would count them. One run has master crashes only; another a mix of what the
// failure profiles draw, far more often: every process kind killed and
// restarted by its kubelet, etcd paused, zones partitioned, monthly
// maintenance every hour; two more add zone outages, load-balancer host
// crashes and clock drift, behind one HAProxy and behind a keepalived
// pair. Each is checked with the run's quiet (ffQuiet), with none at all
// (the predicates alone), and with the 12 s the run waited before its
// predicates were exact.
func TestSkippedSpansAreQuiet(t *testing.T) {
	for _, quiet := range []time.Duration{ffQuiet, 0, 12 * time.Second} {
		t.Run(quiet.String(), func(t *testing.T) {
			t.Run("host crashes", func(t *testing.T) { quietSpans(t, ffCluster(7, 6*time.Hour, 40*time.Minute, true), quiet) })
			t.Run("mixed", func(t *testing.T) { quietSpans(t, mixedFailures(3, false), quiet) })
			if quiet == 12*time.Second {
				return // the wider mixes add nothing to the old quiet
			}
			t.Run("wide", func(t *testing.T) { quietSpans(t, mixedFailures(11, true), quiet) })
			t.Run("wide keepalived", func(t *testing.T) {
				cfg := mixedFailures(13, true)
				cfg.Hosts = append(cfg.Hosts, fabric.HostConfig{Name: "lb-2", Zone: "zone-b"})
				cfg.LoadBalancer = &LoadBalancerConfig{Kind: LBKeepalived, Hosts: []string{"lb", "lb-2"}}
				quietSpans(t, cfg, quiet)
			})
		})
	}
}

// mixedFailures is ffCluster over 6 hours with every kind of process
// crash, etcd pauses, zone partitions and maintenance every hour; wide
// adds zone outages, load-balancer host crashes and clock drift.
func mixedFailures(seed uint64, wide bool) Config {
	cfg := ffCluster(seed, 6*time.Hour, 3*time.Hour, true)
	restart := Life{Kind: LifeLogNormal, Median: 10 * time.Second, Sigma: 0.5}
	for _, role := range []string{RoleEtcd, RoleAPIServer, GroupKCM, GroupScheduler} {
		cfg.Failures = append(cfg.Failures, FailureConfig{Name: role + "-crash", Class: "role:" + role, TBF: Exponential(90 * time.Minute), TTR: restart,
			Fault: FaultConfig{Kind: FaultProcessKill, Process: role}})
	}
	cfg.Failures = append(cfg.Failures,
		FailureConfig{Name: "etcd-pause", Class: "role:etcd", TBF: Exponential(2 * time.Hour), TTR: Life{Kind: LifeLogNormal, Median: 2 * time.Second, Sigma: 1},
			Fault: FaultConfig{Kind: FaultProcessPause, Process: RoleEtcd}},
		FailureConfig{Name: "zone-partition", Class: ClassZonePairs, TBF: Exponential(4 * time.Hour), TTR: Life{Kind: LifeLogNormal, Median: time.Minute, Sigma: 1},
			Fault: FaultConfig{Kind: FaultPartition}})
	if wide {
		cfg.Failures = append(cfg.Failures,
			FailureConfig{Name: "zone-outage", Class: ClassZones, TBF: Exponential(6 * time.Hour), TTR: Life{Kind: LifeLogNormal, Median: 5 * time.Minute, Sigma: 1},
				Fault: FaultConfig{Kind: FaultZoneOutage}},
			FailureConfig{Name: "lb-crash", Class: ClassLoadBalancers, TBF: Exponential(3 * time.Hour), TTR: Life{Kind: LifeLogNormal, Median: 2 * time.Minute, Sigma: 1},
				Fault: FaultConfig{Kind: FaultHostCrash}},
			FailureConfig{Name: "clock-drift", Class: ClassControlPlane, TBF: Exponential(3 * time.Hour), TTR: Life{Kind: LifeLogNormal, Median: 10 * time.Minute, Sigma: 1},
				Fault: FaultConfig{Kind: FaultClockDrift, Rate: 1.0005}})
	}
	cfg.Failures = append(cfg.Failures,
		FailureConfig{Name: "maintenance", Class: ClassControlPlane, Fault: FaultConfig{Kind: FaultMaintenance},
			Maintenance: MaintenanceConfig{Every: time.Hour, Start: -1, Drain: 30 * time.Second, Duration: 5 * time.Minute, Settle: 2 * time.Minute}})
	return cfg
}

// quietSpans runs cfg in full, looking for steady moments as the
// fast-forward does but with quiet instead of ffQuiet (with none, every
// ffCheck), and fails if a change falls in a span a skip would have
// jumped.
func quietSpans(t *testing.T, cfg Config, quiet time.Duration) {
	c, err := Build(cfg)
	if err != nil {
		t.Fatal(err)
	}
	// ok: each probe's last accounted result when the span began, which a
	// skip would count through the span.
	type span struct {
		from, to sim.Time
		ok       []bool
	}
	var spans []span
	var skippable time.Duration
	end := sim.At(cfg.Horizon)
	for c.Sim.Now() < end {
		from := c.Sim.Now()
		look := c.Sim.Now().Add(ffCheck)
		if q := c.lastChange.Add(quiet); q > c.Sim.Now() && q < look {
			look = q
		}
		if out := c.Sim.Run(sim.Bounds{Until: min(end, look), MaxSameInstant: DefaultMaxEventsPerInstant}); out != sim.ReachedTime {
			t.Fatalf("run: %v", out)
		}
		if !c.steadyAfter(quiet) {
			continue
		}
		next, ok := c.NextCalendarTimer()
		if !ok || next > end {
			next = end
		}
		if to := next.Add(-(max(ffWarmMin, c.inc.settle) + c.warmWidth())); to > c.Sim.Now() {
			var ok []bool
			for _, p := range c.Probes {
				ok = append(ok, p.LastOK())
			}
			spans = append(spans, span{c.Sim.Now(), to, ok})
			skippable += c.Sim.Now().Sub(from) // the step it was steady after
		}
	}
	c.finish()
	if len(spans) < 100 || skippable < cfg.Horizon/2 {
		t.Fatalf("%d steady checks covering %v of %v: the check hardly ever finds the cluster steady", len(spans), skippable, cfg.Horizon)
	}
	// Each probe's state through each span (set by the last of its
	// records stamped before the span began: a record is stamped with the
	// sending of the first request of the new state) is what the skip
	// would have counted.
	timeline := c.Timeline()
	up := make(map[string]bool)
	for _, p := range c.Probes {
		up[p.Name] = true
	}
	k, wrong := 0, 0
	for _, s := range spans {
		for ; k < len(timeline) && timeline[k].T <= s.from; k++ {
			if r := timeline[k]; r.Event == kube.EvProbeUp || r.Event == kube.EvProbeDown {
				up[r.Probe] = r.Event == kube.EvProbeUp
			}
		}
		for i, p := range c.Probes {
			if up[p.Name] != s.ok[i] && wrong < 10 {
				wrong++
				t.Errorf("%s: a skip from %v would count its requests as ok=%v, but they gave ok=%v", p.Name, s.from, s.ok[i], up[p.Name])
			}
		}
	}
	changes := 0
	for _, r := range timeline {
		if !isChange(r.Event) {
			continue
		}
		changes++
		i, _ := slices.BinarySearchFunc(spans, r.T, func(s span, t sim.Time) int {
			if s.to < t {
				return -1
			}
			if s.from > t {
				return 1
			}
			return 0
		})
		if i < len(spans) && spans[i].from < r.T && r.T <= spans[i].to {
			t.Errorf("%v %s (%s %s): inside a span a skip would have jumped (%v to %v)", r.T, r.Event, r.Proc, r.Reason, spans[i].from, spans[i].to)
		}
	}
	if len(c.Faults) < 20 || changes < 100 {
		t.Fatalf("%d faults, %d changes: not enough happened to check anything", len(c.Faults), changes)
	}
	t.Logf("%d steady checks, %v of %v skippable; %d faults, %d changes, none in a skippable span", len(spans), skippable, cfg.Horizon, len(c.Faults), changes)
}

// TestFastForwardCountsLikeAFullRun: over a quiet stretch, a run that
// skips counts the same requests and availability as one that does not.
func TestFastForwardCountsLikeAFullRun(t *testing.T) {
	run := func(noFF bool) Result {
		res, err := Simulate(ffCluster(3, 12*time.Hour, 100*365*24*time.Hour, noFF), RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	full, fast := run(true), run(false)
	if fast.Skips == 0 || fast.Skipped < 11*time.Hour {
		t.Fatalf("skipped %v in %d stretches, want nearly all of 12h", fast.Skipped, fast.Skips)
	}
	if fast.End != full.End {
		t.Errorf("ended at %v, want %v", fast.End, full.End)
	}
	for i := range full.Probes {
		f, s := full.Probes[i], fast.Probes[i]
		if d := f.OK - s.OK; d < -fast.Skips || d > fast.Skips || s.Failed != f.Failed || s.Availability != f.Availability {
			t.Errorf("%s: fast-forward %d ok, %d failed, availability %v; full run %d, %d, %v", f.Name, s.OK, s.Failed, s.Availability, f.OK, f.Failed, f.Availability)
		}
	}
	for i := range full.APIServers {
		if d := full.APIServers[i].Ready.Rest - fast.APIServers[i].Ready.Rest; d < -time.Second || d > time.Second {
			t.Errorf("%s ready %v, full run %v", full.APIServers[i].Name, fast.APIServers[i].Ready, full.APIServers[i].Ready)
		}
	}
	t.Logf("full run %d events, fast-forward %d (%d skips, %v skipped)", full.Events, fast.Events, fast.Skips, fast.Skipped)
}

// TestFastForwardKeepsIncidentOutcomes: with and without fast-forward,
// the outcomes of master crashes (time to the first successful write,
// etcd failover, kube-controller-manager takeover) have the same
// distributions: a two-sample Kolmogorov–Smirnov test at α = 0.01 over
// every crash of four runs each way (about 2,000 crashes each way).
func TestFastForwardKeepsIncidentOutcomes(t *testing.T) {
	type outcomes struct {
		write, etcd, kcm, down []float64
		skipped                time.Duration
	}
	const seeds = 4
	collect := func(noFF bool) outcomes {
		// The seeds run in parallel; their results are merged in seed
		// order.
		results := make([]Result, seeds)
		errs := make([]error, seeds)
		var wg sync.WaitGroup
		for i := range seeds {
			wg.Go(func() {
				results[i], errs[i] = Simulate(ffCluster(uint64(i+1), 31*time.Hour, 10*time.Minute, noFF), RunOptions{})
			})
		}
		wg.Wait()
		var o outcomes
		for i, res := range results {
			if errs[i] != nil {
				t.Fatal(errs[i])
			}
			o.down = append(o.down, res.Probes[0].Unavailable.Seconds()/res.Horizon.Hours())
			o.skipped += res.Skipped
			for _, f := range res.Faults {
				if f.HealedAt == 0 {
					continue
				}
				if d := f.FirstSuccess[0]; d >= 0 {
					o.write = append(o.write, d.Seconds())
				}
				if d := f.NewLeaderAfter; d >= 0 {
					o.etcd = append(o.etcd, d.Seconds())
				}
				if d := f.GroupFailover[1]; d >= 0 {
					o.kcm = append(o.kcm, d.Seconds())
				}
			}
		}
		return o
	}
	full, fast := collect(true), collect(false)
	t.Logf("fast-forward skipped %v of %v", fast.skipped, seeds*31*time.Hour)
	if fast.skipped < seeds*31*time.Hour/4 {
		t.Errorf("fast-forward skipped only %v: the comparison hardly tests it", fast.skipped)
	}
	for _, m := range []struct {
		name      string
		full, ffd []float64
	}{{"first successful write", full.write, fast.write}, {"etcd failover", full.etcd, fast.etcd}, {"controller-manager takeover", full.kcm, fast.kcm}} {
		n, k := float64(len(m.full)), float64(len(m.ffd))
		if n < 400 || k < 400 {
			t.Fatalf("%s: %v and %v samples, too few", m.name, n, k)
		}
		slices.Sort(m.full)
		slices.Sort(m.ffd)
		d := stat.KolmogorovSmirnov(m.full, nil, m.ffd, nil)
		crit := 1.628 * math.Sqrt((n+k)/(n*k)) // α = 0.01
		t.Logf("%s: %v crashes simulated in full, %v fast-forwarded; KS D = %.3f (critical %.3f); medians %.3fs and %.3fs",
			m.name, n, k, d, crit, stat.Quantile(0.5, stat.Empirical, m.full, nil), stat.Quantile(0.5, stat.Empirical, m.ffd, nil))
		if d > crit {
			t.Errorf("%s: distributions differ (KS D = %.3f > %.3f at α = 0.01)", m.name, d, crit)
		}
	}
	// Write downtime per hour: each way's mean lies in the other's 95%
	// interval (Student's t over the runs).
	ci := func(x []float64) (mean, half float64) {
		mean, sd := stat.MeanStdDev(x, nil)
		return mean, 3.182 * sd / math.Sqrt(float64(len(x))) // t(0.975, 3)
	}
	fm, fh := ci(full.down)
	km, kh := ci(fast.down)
	t.Logf("write downtime per hour: full %.2fs ± %.2f, fast-forward %.2fs ± %.2f", fm, fh, km, kh)
	if math.Abs(fm-km) > min(fh, kh) {
		t.Errorf("write downtime per hour: full %.2fs ± %.2f, fast-forward %.2fs ± %.2f: not within each other's 95%% intervals", fm, fh, km, kh)
	}
}

// TestForgottenFaultsStillCount: a run that forgets faults once over
// (pruneFaults) gives the figures of one that keeps them all, and its
// fault list keeps its first faults and unique, increasing ids.
func TestForgottenFaultsStillCount(t *testing.T) {
	cfg := ffCluster(5, 6*time.Hour, 20*time.Minute, false)
	run := func(keep int) Result {
		res, err := Simulate(cfg, RunOptions{BeforeRun: func(c *Cluster) error { c.faultsKept, c.pruneSlack = keep, 4; return nil }})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	all, few := run(0), run(5)
	if few.FaultsUnlisted == 0 || len(few.Faults)+few.FaultsUnlisted != len(all.Faults) {
		t.Fatalf("%d faults listed and %d forgotten, want %d in all", len(few.Faults), few.FaultsUnlisted, len(all.Faults))
	}
	for i, f := range few.Faults {
		if i < 5 && f.ID != all.Faults[i].ID || i > 0 && f.ID <= few.Faults[i-1].ID {
			t.Fatalf("fault %d has id %d: want the first five kept and ids increasing", i, f.ID)
		}
	}
	if few.Probes[0] != all.Probes[0] || len(few.Incidents) != len(all.Incidents) || few.Events != all.Events {
		t.Errorf("forgetting faults changed the run: %+v vs %+v, %d vs %d incidents", few.Probes[0], all.Probes[0], len(few.Incidents), len(all.Incidents))
	}
}

// TestInstantFaultsForgotten: faults that are over as they are injected
// (process crashes, which the kubelet ends; clock steps) are forgotten like
// healed ones, so that a run over years does not keep every one.
func TestInstantFaultsForgotten(t *testing.T) {
	cfg := stacked3(2 * 24 * time.Hour)
	cfg.Failures = []FailureConfig{
		{Name: "etcd-crash", Class: "role:etcd", TBF: Exponential(3 * time.Hour), Fault: FaultConfig{Kind: FaultProcessCrash}},
		{Name: "clock-step", Class: ClassControlPlane, TBF: Exponential(6 * time.Hour), Fault: FaultConfig{Kind: FaultClockStep, Step: time.Second}},
	}
	r, err := Simulate(cfg, RunOptions{BeforeRun: func(c *Cluster) error { c.faultsKept, c.pruneSlack = 5, 4; return nil }})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(r.Faults) + r.FaultsUnlisted; n < 40 || len(r.Faults) > 5+4 {
		t.Errorf("%d faults listed, %d forgotten: want at most 9 listed of at least 40", len(r.Faults), r.FaultsUnlisted)
	}
}

// TestPerturbedIsNotSkipped: a fault that acts at random (here a slow
// disk, each fsync drawn from a lognormal) is never skipped through, even
// when the cluster has been quiet for a while in it, while an outage that
// has converged (a master down for hours) is.
func TestPerturbedIsNotSkipped(t *testing.T) {
	cfg := stacked3(24 * time.Hour)
	cfg.Seed = 11
	slow := fabric.Dist{Kind: fabric.LogNormal, Median: 20 * time.Millisecond, Sigma: 0.5}
	cfg.Failures = []FailureConfig{
		{Name: "slow-disk", Class: ClassControlPlane, TBF: Exponential(4 * time.Hour), TTR: Exponential(30 * time.Minute), Fault: FaultConfig{Kind: FaultSlowDisk, Fsync: slow}},
		hostCrashes(ClassControlPlane, Exponential(8*time.Hour), Exponential(2*time.Hour)),
	}
	c, err := Build(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c.KeepSpans = -1 // keep them all
	c.Run()
	// A fault is skipped through if it is in force where a skip begins
	// (its instants are calendar times).
	_, n, spans := c.Skipped()
	if n != len(spans) {
		t.Fatalf("%d spans kept of %d", len(spans), n)
	}
	var slowIn, crashIn time.Duration
	for _, s := range spans {
		from := s.To.Add(-s.D)
		for _, f := range c.Faults {
			if !f.injected || from < f.InjectedAt || f.healed && from >= f.HealedAt {
				continue
			}
			switch f.Cfg.Kind {
			case FaultSlowDisk:
				slowIn += s.D
				t.Errorf("skipped %v from %v, inside %s (from %v)", s.D, from, f.Cfg.Name, f.InjectedAt)
			case FaultHostCrash:
				crashIn += s.D
			}
		}
	}
	if crashIn < time.Hour {
		t.Errorf("skipped %v of the host crashes: a converged outage should be skipped through", crashIn)
	}
	t.Logf("%d spans; %v of host crashes skipped, %v of slow disks", len(spans), crashIn, slowIn)
}

// TestTimelineKeepsListedIncidents: a run with failure processes keeps
// the timeline up to the end of the last incident it lists in full, and
// counts the later records without keeping them.
func TestTimelineKeepsListedIncidents(t *testing.T) {
	cfg := ffCluster(9, 6*time.Hour, 30*time.Minute, false)
	cfg.IncidentsListed = 3
	res, err := Simulate(cfg, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Incidents) != 3 || res.IncidentTail.Len() < 3 {
		t.Fatalf("%d incidents listed, %d folded: want 3 and more", len(res.Incidents), res.IncidentTail.Len())
	}
	end := res.Incidents[2].End
	last := res.Timeline[len(res.Timeline)-1].T
	if last > end || last < res.Incidents[2].Start || res.RecordsDropped == 0 {
		t.Errorf("timeline kept up to %v (%d dropped); the third incident ran from %v to %v", last, res.RecordsDropped, res.Incidents[2].Start, end)
	}
}

// TestLeaseLoadSkipped: the lease requests a group's electors make (the
// load leader election puts on the apiservers) come out the same with the
// fast-forward as with every steady span simulated: a skipped span adds
// what the loops would have made in it. Steady, a leader writes once a
// retryPeriod (2s) and each waiting candidate reads once every 3.2s on
// average.
func TestLeaseLoadSkipped(t *testing.T) {
	rate := func(noFF bool) (req, wr float64, skipped time.Duration) {
		c, err := Build(ffCluster(5, 2*time.Hour, 40*time.Minute, noFF))
		if err != nil {
			t.Fatal(err)
		}
		r := c.Result(c.Run())
		g := r.Groups[1]
		return g.LeaseRequests / r.End.Seconds(), g.LeaseWrites / r.End.Seconds(), r.Skipped
	}
	fullReq, fullWr, _ := rate(true)
	ffReq, ffWr, skipped := rate(false)
	if skipped < time.Hour {
		t.Fatalf("skipped %v of 2h: the test needs skips", skipped)
	}
	t.Logf("requests/s %.4f full, %.4f fast-forward; writes/s %.4f, %.4f", fullReq, ffReq, fullWr, ffWr)
	if math.Abs(ffReq/fullReq-1) > 0.02 || math.Abs(ffWr/fullWr-1) > 0.02 {
		t.Errorf("lease load differs by more than 2%%: requests/s %.4f full, %.4f fast-forward; writes/s %.4f, %.4f", fullReq, ffReq, fullWr, ffWr)
	}
	if want := 0.5 + 2/3.2; math.Abs(fullReq/want-1) > 0.1 || math.Abs(fullWr/0.5-1) > 0.1 {
		t.Errorf("requests/s %.4f (steady: about %.3f), writes/s %.4f (about 0.5)", fullReq, want, fullWr)
	}
}

// TestWarmWidth: the warm-up is drawn over the least common multiple of
// the run's loop periods and 10 s: 10 s for a stacked cluster behind
// HAProxy at the defaults, 30 s with a keepalived pair (its 3 s check
// script), a minute at most.
func TestWarmWidth(t *testing.T) {
	width := func(cfg Config) time.Duration {
		c, err := Build(cfg)
		if err != nil {
			t.Fatal(err)
		}
		c.Sim.Run(sim.Bounds{Until: sim.At(5 * time.Second)})
		return c.warmWidth()
	}
	haproxy := stacked3(time.Minute)
	keepalived := stacked3(time.Minute)
	keepalived.Hosts = append(keepalived.Hosts, fabric.HostConfig{Name: "lb-2", Zone: "zone-b"})
	keepalived.LoadBalancer = &LoadBalancerConfig{Kind: LBKeepalived, Hosts: []string{"lb", "lb-2"}}
	odd := stacked3(time.Minute)
	odd.Probes[0].Period = 7 * time.Second
	for _, c := range []struct {
		name string
		cfg  Config
		want time.Duration
	}{{"haproxy", haproxy, 10 * time.Second}, {"keepalived", keepalived, 30 * time.Second}, {"a 7 s probe", odd, time.Minute}} {
		if got := width(c.cfg); got != c.want {
			t.Errorf("%s: warm-up width %v, want %v", c.name, got, c.want)
		}
	}
	if got := lcmUpTo(1500*time.Millisecond, 2*time.Second, time.Minute); got != 6*time.Second {
		t.Errorf("lcm(1.5s, 2s) = %v", got)
	}
	if got := lcmUpTo(30*time.Second, 20*time.Second, time.Minute); got != time.Minute {
		t.Errorf("lcm(30s, 20s) up to 1m = %v", got)
	}
	// A swarm case: a node monitor every 5m19.992763s, whose common
	// multiple with 10 s overflowed a time.Duration and drew over a
	// negative width.
	monitor := 5*time.Minute + 19992763*time.Microsecond
	if got := lcmUpTo(lcmUpTo(10*time.Second, monitor, time.Minute), 7*time.Millisecond, time.Minute); got != time.Minute {
		t.Errorf("lcm with a 5m19.992763s period = %v, want the 1m cap", got)
	}
}

// TestStopEndsFastForwardRun: a run that skips years asks Stop and tells
// Progress between its steps, not only every sim.CheckEvery events (a
// step fires fewer): an interrupt halfway through ten years stops it
// there, and Progress saw the calendar advance to that point against the
// whole horizon.
func TestStopEndsFastForwardRun(t *testing.T) {
	cfg := ffCluster(1, 10*Year, 30*24*time.Hour, false)
	cfg.SkipRenewals = true
	var reached, horizon []float64
	half := 5 * Year.Seconds()
	r, err := Simulate(cfg, RunOptions{
		Progress: func(r, h float64) { reached, horizon = append(reached, r), append(horizon, h) },
		Stop:     func() bool { return len(reached) > 0 && reached[len(reached)-1] >= half },
	})
	if err != nil {
		t.Fatal(err)
	}
	if r.Outcome != sim.Stopped || r.EndSeconds() < half || r.EndSeconds() > half+Year.Seconds() {
		t.Fatalf("outcome %v at %.3g years; want stopped just past 5", r.Outcome, r.EndSeconds()/Year.Seconds())
	}
	if len(reached) < 100 || !slices.IsSorted(reached) || reached[len(reached)-1] != r.EndSeconds() {
		t.Errorf("progress told %d times, sorted %v, last %v (end %v)", len(reached), slices.IsSorted(reached), reached[len(reached)-1], r.EndSeconds())
	}
	for _, h := range horizon {
		if h != 10*Year.Seconds() {
			t.Fatalf("progress told a horizon of %v s, want 10 years", h)
		}
	}
}

// TestSkippedSpanCountsAsRunTime: the kubelet resets a static pod's
// restart back-off when the pod exits after running for 10 minutes; a
// skipped span is time the pod ran, so a pod that ran 5 minutes, then through a 6-minute skip, and exits is
// restarted at once, as in a run that simulates those 6 minutes. A skip
// shorter than 10 minutes must count alongside the time simulated.
func TestSkippedSpanCountsAsRunTime(t *testing.T) {
	restart := func(skip bool) time.Duration {
		c, err := Build(ffCluster(1, 2*time.Hour, 100*365*24*time.Hour, false))
		if err != nil {
			t.Fatal(err)
		}
		at := c.Sim.Now()
		run := func(d time.Duration) {
			at = at.Add(d)
			c.Sim.Run(sim.Bounds{Until: at})
		}
		run(time.Minute)
		var p *fabric.Process
		for _, q := range c.Procs {
			if q.Role == kube.GroupKCM && q.Host.Name == "master-1" {
				p = q
			}
		}
		p.Exit("test: first exit") // restarted at once; the next exit waits 10 s unless the pod ran 10 minutes
		run(5 * time.Minute)
		if skip {
			c.Skip(6 * time.Minute)
		} else {
			run(6 * time.Minute)
		}
		if p.State() != fabric.Running {
			t.Fatalf("%s not running before its second exit", p.Name)
		}
		p.Exit("test: second exit")
		from := c.Sim.Now()
		for p.State() != fabric.Running && c.Sim.Now().Sub(from) < time.Minute {
			run(10 * time.Millisecond)
		}
		return c.Sim.Now().Sub(from)
	}
	full, skipped := restart(false), restart(true)
	if skipped != full {
		t.Errorf("restarted %v after its second exit with 6 minutes skipped, %v with them simulated", skipped, full)
	}
}

// TestSkippedSpansAreQuietWithWorkers: with a worker plane, worker hosts
// down for about an hour and a toleration of 10 minutes
// (--default-unreachable-toleration-seconds=600), no span a skip would
// jump holds a change: the node lifecycle controller's taint-based
// eviction, 10 minutes after the node went NotReady, and the replacement
// pods must not fall in one; nor the untainting when an outage of the load
// balancer puts every zone in full disruption. (Before the worker plane had a predicate of
// its own, such a cluster was skipped through after ffQuietDegraded of
// quiet, 6 minutes, which the 5-minute default toleration fits in and 10
// minutes does not.)
func TestSkippedSpansAreQuietWithWorkers(t *testing.T) {
	cfg := withWorkers(5, 24*time.Hour, 0, "lb")
	cfg.NoFastForward = true
	cfg.MaxRecords = 1 << 30
	cfg.Workers.Lifecycle.Toleration = 10 * time.Minute
	for _, w := range []string{"worker-1", "worker-2", "worker-3"} {
		cfg.Failures = append(cfg.Failures, FailureConfig{Name: "crash-" + w, Class: "host:" + w, TBF: Exponential(90 * time.Minute),
			TTR: Life{Kind: LifeLogNormal, Median: time.Hour, Sigma: 0.3}, Fault: FaultConfig{Kind: FaultHostCrash}})
	}
	// The load balancer every kubelet reaches the API through, down about
	// an hour every six: every node NotReady, every zone fully disrupted,
	// no taint (master disruption mode).
	cfg.Failures = append(cfg.Failures, FailureConfig{Name: "crash-lb", Class: "host:lb", TBF: Exponential(6 * time.Hour),
		TTR: Life{Kind: LifeLogNormal, Median: time.Hour, Sigma: 0.3}, Fault: FaultConfig{Kind: FaultHostCrash}})
	quietSpans(t, cfg, ffQuiet)
}

// TestMasterDisruptionIsSettled: the load balancer's host is down
// for two hours; every kubelet reaches the API through it, so every node
// is NotReady and, every zone being fully disrupted, untainted (master
// disruption mode): nothing is evicted and nothing changes until the LB
// is back. That is a fixed point the worker plane counts as settled, so
// that the run skips through the outage.
func TestMasterDisruptionIsSettled(t *testing.T) {
	cfg := withWorkers(1, 3*time.Hour, kube.DefaultNodeGracePeriod, "lb")
	cfg.Faults = []FaultConfig{{Kind: FaultHostCrash, Target: Target{Kind: TargetHost, Name: "lb"}, At: 10 * time.Minute, Duration: 2 * time.Hour}}
	c := build(t, cfg)
	var settled, steady bool
	var notReady int
	c.CalendarAt(sim.At(time.Hour), "look", func() {
		settled, steady = c.WorkersSettled(), c.steadyAfter(ffQuietDegraded)
		for _, n := range c.Workers.Nodes {
			if n.NotReady {
				notReady++
			}
		}
	})
	c.Run()
	if notReady != len(c.Workers.Nodes) {
		t.Fatalf("%d of %d nodes NotReady 50 minutes into the LB outage", notReady, len(c.Workers.Nodes))
	}
	if !settled || !steady {
		t.Errorf("50 minutes into the LB outage (every node NotReady, untainted, nothing to evict): workers settled %v, steady %v; want both", settled, steady)
	}
}
