package scenarios

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"testing"
	"time"

	"hasim/internal/cputime"
	"hasim/internal/gctune"
	"hasim/model"
)

// yearsScenario is a stacked 3-master control plane behind HAProxy in
// three zones, the probe client apart, under the cloud failure profile.
func yearsScenario(b *testing.B, horizon string) model.Config {
	b.Helper()
	src := fmt.Sprintf(`apiVersion: hasim.dev/v1alpha1
kind: Scenario
metadata: {name: years-stacked-3}
spec:
  seed: 1
  horizon: %s
  zones: [{name: zone-a}, {name: zone-b}, {name: zone-c}]
  hosts:
    - {name: master-1, zone: zone-a}
    - {name: master-2, zone: zone-b}
    - {name: master-3, zone: zone-c}
    - {name: lb, zone: zone-a}
    - {name: client, zone: zone-b}
  controlPlane:
    topology: stacked
    masters: [master-1, master-2, master-3]
    loadBalancer: {kind: haproxy, hosts: [lb]}
  failureProfile: cloud
`, horizon)
	sc, err := Load("years.yaml", []byte(src))
	if err != nil {
		b.Fatal(err)
	}
	cfg := sc.Config()
	cfg.SkipRenewals = true
	return cfg
}

// BenchmarkYearsStacked3 measures simulated cluster-years per CPU-second
// of a stacked 3-master cluster under the cloud failure profile, with the
// fast-forward through steady stretches: how much of the calendar it
// simulated in full (the transients), the share of CPU the fast-forward's
// own checks and skips took (the rest went to the transients), how many
// events a year costs, and how many stretches it skipped.
//
// It also reports how many of the events fired while a fault that acts at
// random was in force (a slow disk: each fsync draws its own latency; a
// lossy or slow link): the fast-forward never skips those stretches,
// since no state of theirs is a fixed point, so they are simulated in
// full whatever else gets faster. Their events a year over the events the
// run fires per CPU-second bound the throughput from above
// (bound-cluster-years/CPU-s): what the run would reach if everything
// else cost nothing. The attribution is by the fast-forward's looks, at
// most ffCheck (5 s) apart: the events between two looks count as under
// such a fault when it is in force at either.
func BenchmarkYearsStacked3(b *testing.B) {
	defer gctune.Apply()() // as hasim runs
	const years = 10
	cfg := yearsScenario(b, fmt.Sprintf("%dy", years))
	var res model.Result
	// The fast-forward's own work (looking for steady moments, skipping)
	// is timed apart from the rest: the transients it simulates.
	var skipping, since time.Duration
	var random, lastEvents uint64
	var cl *model.Cluster
	lastRandom := false
	watch := func(begin bool) {
		if !begin {
			skipping += cputime.Now() - since
			return
		}
		since = cputime.Now()
		now, ev := cl.Perturbed(), cl.Sim.Events()
		if now || lastRandom {
			random += ev - lastEvents
		}
		lastRandom, lastEvents = now, ev
	}
	cpu0 := cputime.Now()
	for b.Loop() {
		var err error
		random, lastEvents, lastRandom = 0, 0, false
		res, err = model.Simulate(cfg, model.RunOptions{BeforeRun: func(c *model.Cluster) error {
			cl, c.SkipWatch = c, watch
			return nil
		}})
		if err != nil {
			b.Fatal(err)
		}
	}
	cpu := cputime.Now() - cpu0
	n := float64(b.N)
	b.ReportMetric(years*n/cpu.Seconds(), "cluster-years/CPU-s")
	b.ReportMetric(100*skipping.Seconds()/cpu.Seconds(), "%CPU-skipping")
	b.ReportMetric(float64(res.Events)/years, "events/year")
	b.ReportMetric(100*float64(random)/float64(res.Events), "%events-random-faults")
	if random > 0 {
		perCPU := float64(res.Events) * n / cpu.Seconds()
		b.ReportMetric(perCPU/(float64(random)/years), "bound-cluster-years/CPU-s")
	}
	b.ReportMetric(100*(1-res.Skipped.Seconds()/res.Horizon.Seconds()), "%simulated")
	b.ReportMetric(float64(res.Skips)/years, "skips/year")
	b.ReportMetric(float64(len(res.Faults)+res.FaultsUnlisted)/years, "faults/year")
}

// BenchmarkFastForwardSpeedup runs the same cluster for three days with
// and without the fast-forward, in one run, and reports the ratio of
// their CPU times.
func BenchmarkFastForwardSpeedup(b *testing.B) {
	defer gctune.Apply()() // as hasim runs
	cfg := yearsScenario(b, "3d")
	run := func(noFF bool) time.Duration {
		c := cfg
		c.NoFastForward = noFF
		t0 := cputime.Now()
		if _, err := model.Simulate(c, model.RunOptions{}); err != nil {
			b.Fatal(err)
		}
		return cputime.Now() - t0
	}
	var full, fast time.Duration
	for b.Loop() {
		full += run(true)
		fast += run(false)
	}
	b.ReportMetric(full.Seconds()/float64(b.N), "full-CPU-s")
	b.ReportMetric(fast.Seconds()/float64(b.N), "fast-forward-CPU-s")
	b.ReportMetric(full.Seconds()/fast.Seconds(), "speedup")
}

// BenchmarkYearsMemory reports the live heap after a run of 10, 100 and
// 250 simulated years: everything a run keeps is bounded (the timeline's
// first records, the first faults, incidents and split-brain intervals
// listed, the rest folded into totals and bounded samples, the latest
// skipped spans), so the heap should not grow with the horizon. The 250
// years' heap over the 10 years' is reported as growth-250y/10y.
func BenchmarkYearsMemory(b *testing.B) {
	defer gctune.Apply()() // as hasim runs
	var base float64
	for _, years := range []int{10, 100, 250} {
		b.Run(fmt.Sprintf("%dy", years), func(b *testing.B) {
			cfg := yearsScenario(b, fmt.Sprintf("%dy", years))
			var live uint64
			for b.Loop() {
				c, err := model.Build(cfg)
				if err != nil {
					b.Fatal(err)
				}
				c.Run()
				runtime.GC()
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				live = ms.HeapAlloc
				runtime.KeepAlive(c)
			}
			b.ReportMetric(float64(live)/(1<<20), "live-MiB")
			if years == 10 {
				base = float64(live)
			} else if base > 0 {
				b.ReportMetric(float64(live)/base, fmt.Sprintf("growth-%dy/10y", years))
			}
		})
	}
}

// BenchmarkYearsRSS runs years-stacked-3 over 1,000 years in one process
// and reports its resident set (Linux's /proc/self/statm) and live heap
// (the runtime's count after its latest collection) as the run passes 10,
// 100 and 1,000 simulated years: the largest of the samples taken over
// the year before each mark, at every look the fast-forward takes for a
// steady moment (every 5 s of simulated time in a transient, and at each
// skip: a few thousand a year). Each figure is so a maximum over the same
// span of simulated time and a like number of collection cycles (one to
// three a simulated year), where the peak RSS of whole runs of 10 and
// 1,000 years compares a maximum over 26 cycles with one over 1,300.
// rss-1000y/10y is the flatness the target asks for. Beside them,
// mapped-*-MB is all the memory the Go runtime has mapped
// (/memory/classes/total): the resident set is that less what the
// runtime has handed back to the system for now, plus the binary's pages,
// and how much it hands back moves with its scavenger's pace, not with
// what the run holds. What the run holds is measured apart: at the first
// look past each mark, a forced collection that hands every free page
// back (debug.FreeOSMemory) leaves held-*-MB live and the resident set at
// its floor, rss-floor-*-MB. The run takes about 20 CPU-minutes.
func BenchmarkYearsRSS(b *testing.B) {
	defer gctune.Apply()() // as hasim runs
	if _, err := readRSS(); err != nil {
		b.Skipf("the resident set is read from /proc/self/statm: %v", err)
	}
	marks := []float64{10, 100, 1000}
	// A year past the last mark, so that a look comes after it.
	cfg := yearsScenario(b, "1001y")
	live := []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/memory/classes/total:bytes"}}
	rss := make([]uint64, len(marks))
	heap := make([]uint64, len(marks))
	mapped := make([]uint64, len(marks))
	floor := make([]uint64, len(marks))
	held := make([]uint64, len(marks))
	for b.Loop() {
		clear(rss)
		clear(heap)
		clear(mapped)
		next := 0
		_, err := model.Simulate(cfg, model.RunOptions{FiguresOnly: true, BeforeRun: func(c *model.Cluster) error {
			year := float64(model.Year)
			c.SkipWatch = func(begin bool) {
				if !begin {
					return
				}
				y := (float64(c.Era())*float64(c.EraSpan()) + float64(c.Now())) / year
				if next < len(marks) && y >= marks[next] {
					// Past the mark's window: what the run holds, all
					// garbage collected and every free page handed back.
					debug.FreeOSMemory()
					r, err := readRSS()
					if err != nil {
						b.Fatal(err)
					}
					metrics.Read(live)
					floor[next], held[next] = r, live[0].Value.Uint64()
					next++
				}
				for i, m := range marks {
					if y < m-1 || y >= m {
						continue
					}
					r, err := readRSS()
					if err != nil {
						b.Fatal(err)
					}
					metrics.Read(live)
					rss[i], heap[i] = max(rss[i], r), max(heap[i], live[0].Value.Uint64())
					mapped[i] = max(mapped[i], live[1].Value.Uint64())
				}
			}
			return nil
		}})
		if err != nil {
			b.Fatal(err)
		}
	}
	for i, m := range marks {
		b.ReportMetric(float64(rss[i])/1e6, fmt.Sprintf("rss-%gy-MB", m))
		b.ReportMetric(float64(heap[i])/1e6, fmt.Sprintf("live-%gy-MB", m))
		b.ReportMetric(float64(mapped[i])/1e6, fmt.Sprintf("mapped-%gy-MB", m))
	}
	for i, m := range marks {
		b.ReportMetric(float64(floor[i])/1e6, fmt.Sprintf("rss-floor-%gy-MB", m))
		b.ReportMetric(float64(held[i])/1e6, fmt.Sprintf("held-%gy-MB", m))
	}
	b.ReportMetric(float64(rss[2])/float64(rss[0]), "rss-1000y/10y")
	b.ReportMetric(float64(heap[2])/float64(heap[0]), "live-1000y/10y")
	b.ReportMetric(float64(floor[2])/float64(floor[0]), "rss-floor-1000y/10y")
	b.ReportMetric(float64(held[2])/float64(held[0]), "held-1000y/10y")
}

// readRSS is the process's resident set in bytes, from /proc/self/statm
// (its second field, in pages).
func readRSS() (uint64, error) {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0, err
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0, fmt.Errorf("/proc/self/statm: %q", b)
	}
	pages, err := strconv.ParseUint(f[1], 10, 64)
	return pages * uint64(os.Getpagesize()), err
}
