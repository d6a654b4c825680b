package model

import (
	"math"
	"testing"
	"time"

	"hasim/sim"

	"hasim/model/fabric"
	"hasim/model/kube"
)

// TestTrueAtReachesTheDeadline checks Clock.TrueAt on clocks of every rate
// the engine may meet, tiny and huge: the time it gives is never before
// now, the clock has reached the deadline by then, and one nanosecond
// earlier it had not (unless that is before now).
func TestTrueAtReachesTheDeadline(t *testing.T) {
	rates := []float64{1e-300, 1e-9, 1e-3, 0.1, 0.5, 0.999, 0.9999999, 1, 1.0000001, 1.001, 1.8, 10, 1e3, 1e9, 1e300}
	st := sim.New(7).Stream("trueat")
	n := uint64(0)
	for _, rate := range rates {
		for range 2000 {
			n++
			since := sim.Time(st.IntN(n, 1<<40))
			c := fabric.Clock{Rate: rate, Since: since, MonoAt: time.Duration(st.Sub("mono").IntN(n, 1<<40))}
			now := since + sim.Time(st.Sub("now").IntN(n, 1<<40))
			mono := c.Mono(now) + time.Duration(st.Sub("d").IntN(n, 1<<36)) - 1<<30
			got := c.TrueAt(now, mono)
			switch {
			case got < now:
				t.Fatalf("rate %g: TrueAt(%d, %d) = %d, before now", rate, now, mono, got)
			case got == sim.Never:
				continue
			case c.Mono(got) < mono:
				t.Fatalf("rate %g: TrueAt(%d, %d) = %d, where the clock reads only %d", rate, now, mono, got, c.Mono(got))
			case got > now && c.Mono(got-1) >= mono:
				t.Fatalf("rate %g: TrueAt(%d, %d) = %d, but the clock reached %d a nanosecond earlier", rate, now, mono, got, mono)
			}
		}
	}
}

// TestSaturate checks the float-to-duration conversion that keeps huge
// rates from wrapping around.
func TestSaturate(t *testing.T) {
	for _, c := range []struct {
		in   float64
		want time.Duration
	}{{1e300, math.MaxInt64}, {-1e300, math.MinInt64}, {math.Inf(1), math.MaxInt64}, {1.5, 1}, {-2.5, -2}} {
		if got := fabric.Saturate(c.in); got != c.want {
			t.Errorf("saturate(%g) = %d, want %d", c.in, got, c.want)
		}
	}
}

// TestClockRatesChangeWithWorkInFlight changes hosts' clock rates, tiny
// and huge ones among them, at random moments of a busy control plane
// (API and etcd probes with requests in flight, leader elections, load
// balancer checks, partitions that leave requests hanging and gRPC redials
// backing off) and checks that virtual time always advances: no timer is
// ever armed in the past (a panic) and no component re-arms for the same
// instant forever (a livelock), and the safety invariants hold.
func TestClockRatesChangeWithWorkInFlight(t *testing.T) {
	rates := []float64{1e-6, 1e-3, 0.1, 0.5, 0.999, 0.9999, 1, 1.0001, 1.001, 1.8, 2, 10, 1e3, 1e6}
	for seed := uint64(1); seed <= 12; seed++ {
		cfg := stacked3(40 * time.Second)
		cfg.Seed = seed
		cfg.CheckInvariants = true
		cfg.MaxEventsPerInstant = 20_000
		cfg.Probes = append(cfg.Probes,
			kube.ProbeConfig{Name: "etcd-reads", Host: "client", Kind: kube.ProbeRead, Period: 10 * time.Millisecond, Timeout: 5 * time.Second},
			kube.ProbeConfig{Name: "etcd-writes", Host: "master-1", Kind: kube.ProbeWrite, Period: 20 * time.Millisecond})
		cfg.Faults = []FaultConfig{
			{Kind: FaultPartition, Target: Target{Kind: TargetHost, Name: "client"}, At: 10 * time.Second, Duration: 6 * time.Second},
			{Kind: FaultPartition, Target: Target{Kind: TargetHost, Name: "master-2"}, At: 20 * time.Second, Duration: 5 * time.Second},
		}
		c, err := Build(cfg)
		if err != nil {
			t.Fatal(err)
		}
		st := c.Sim.Stream("test/rates")
		// Each change lasts a while and is then undone; an extreme rate
		// only briefly, since a clock a million times fast really does
		// fire its host's timers a million times as often.
		for k := range uint64(40) {
			h := c.Hosts[st.IntN(4*k, len(c.Hosts))]
			rate := rates[st.IntN(4*k+1, len(rates))]
			at := sim.Time(st.IntN(4*k+2, int(35*time.Second)))
			last := 3 * time.Second
			if rate > 10 {
				last = time.Millisecond
			}
			d := time.Duration(st.IntN(4*k+3, int(last)))
			c.Sim.At(at, "test/rate", func() { h.SetRate(c.Sim.Now(), rate) })
			c.Sim.At(at.Add(d), "test/rate", func() { h.SetRate(c.Sim.Now(), 1) })
		}
		var out sim.Outcome
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("seed %d: panic: %v", seed, r)
				}
			}()
			out = c.Run()
		}()
		if out != sim.ReachedTime {
			r := c.Result(out)
			t.Fatalf("seed %d: outcome %v at %v, want the horizon; %v", seed, out, r.End, r.Stall)
		}
		noViolations(t, c)
	}
}

// TestProbeDriftRegression is issue 9's reproducer: a client partitioned
// with requests in flight while its clock drifts. Rates above 1 used to
// panic in rpcClient.armExpire (a deadline kept in true time while its
// timer moved with the clock), and rates below 1 could spin in
// rpcClient.onRedial re-arming for the same instant.
func TestProbeDriftRegression(t *testing.T) {
	for _, rate := range []float64{1.0001, 1.001, 1.01, 1.3, 1.8, 0.999, 0.99, 0.5} {
		for seed := uint64(1); seed <= 6; seed++ {
			cfg := Config{
				Seed: seed, Horizon: 30 * time.Second, Zones: []string{"a"},
				Hosts:       []fabric.HostConfig{{Name: "node-1", Zone: "a"}, {Name: "node-2", Zone: "a"}, {Name: "node-3", Zone: "a"}, {Name: "client", Zone: "a"}},
				Network:     fabric.DefaultNetworkConfig(),
				EtcdMembers: []string{"node-1", "node-2", "node-3"},
				Probes:      []kube.ProbeConfig{{Name: "writes", Host: "client"}, {Name: "reads", Host: "client", Kind: kube.ProbeRead}},
				Faults: []FaultConfig{
					{Kind: FaultPartition, Target: Target{Kind: TargetHost, Name: "client"}, At: 10 * time.Second, Duration: 5 * time.Second},
					{Kind: FaultClockDrift, Target: Target{Kind: TargetHost, Name: "client"}, At: 10 * time.Second, Duration: 3 * time.Second, Rate: rate},
				},
				MaxEventsPerInstant: 10_000,
				CheckInvariants:     true,
			}
			c := build(t, cfg)
			if out := c.Run(); out != sim.ReachedTime {
				t.Fatalf("rate %g seed %d: outcome %v, want the horizon; %v", rate, seed, out, c.Result(out).Stall)
			}
			noViolations(t, c)
			// The client reconnects after the heal: writes succeed again.
			r := c.Result(sim.ReachedTime)
			if p := r.Probes[0]; p.Availability < 0.5 {
				t.Errorf("rate %g seed %d: write availability %.3f", rate, seed, p.Availability)
			}
		}
	}
}
