package model

import (
	"fmt"
	"testing"
	"time"
)

func TestExploreKill(t *testing.T) {
	for _, phase := range []string{"random", "aligned"} {
		var lead, write []float64
		second := 0
		for seed := uint64(1); seed <= 400; seed++ {
			at := faultTime(seed)
			cfg := etcdBench(seed, "3.4", phase, FaultConfig{Kind: FaultProcessKill, At: at, Target: Target{Kind: TargetLeader, Name: "etcd"}})
			c, err := Build(cfg)
			if err != nil {
				t.Fatal(err)
			}
			c.Run()
			f := c.Faults[0]
			if f.NewLeaderAt == 0 {
				t.Fatalf("seed %d: no new leader", seed)
			}
			lead = append(lead, ms(f.NewLeaderAt.Sub(f.InjectedAt)))
			write = append(write, ms(f.FirstOK[0].Sub(f.InjectedAt)))
			if f.NewLeaderTerm >= f.TermAtInject+2 {
				second++
			}
			if v := c.Violations(); len(v) > 0 {
				t.Fatal(v)
			}
		}
		fmt.Printf("%s: leader %v | write %v | second round %.1f%%\n", phase, summarize(lead), summarize(write), float64(second)/4)
	}
}

type partitionResult struct {
	stepdown, newLeader, window float64
	deposed                     bool
	campaigns                   int
}

func runPartition(t *testing.T, seed uint64, version, phase string) partitionResult {
	at := faultTime(seed)
	peer := Target{Kind: TargetRole, Name: "etcd"}
	cfg := etcdBench(seed, version, phase, FaultConfig{Kind: FaultPartition, At: at, Duration: 4 * time.Second,
		Target: Target{Kind: TargetLeader, Name: "etcd"}, Peer: &peer})
	c, err := Build(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c.Run()
	if v := c.Violations(); len(v) > 0 {
		t.Fatal(v)
	}
	f := c.Faults[0]
	var r partitionResult
	r.newLeader = ms(f.NewLeaderAt.Sub(f.InjectedAt))
	old := f.LeaderAtInject
	majTerm := f.NewLeaderTerm
	for _, rec := range c.Timeline() {
		if rec.T < f.InjectedAt {
			continue
		}
		switch {
		case rec.Event == EvStepDown && rec.Member == old && r.stepdown == 0:
			r.stepdown = ms(rec.T.Sub(f.InjectedAt))
		case rec.Event == EvCandidate && rec.Member == old && rec.T < f.HealedAt:
			r.campaigns++
		case rec.Event == EvLeader && rec.T >= f.HealedAt && rec.Term > majTerm:
			r.deposed = true
		}
	}
	r.window = r.stepdown - r.newLeader
	return r
}

func TestExplorePartition(t *testing.T) {
	for _, v := range []string{"3.4", "3.5"} {
		for _, phase := range []string{"aligned", "random"} {
			var sd, nl, win []float64
			deposed, pos := 0, 0
			camp := map[int]int{}
			const n = 300
			for seed := uint64(1); seed <= n; seed++ {
				r := runPartition(t, seed, v, phase)
				sd = append(sd, r.stepdown)
				nl = append(nl, r.newLeader)
				win = append(win, r.window)
				if r.deposed {
					deposed++
				}
				if r.window > 0 {
					pos++
				}
				camp[r.campaigns]++
			}
			fmt.Printf("%s %s: stepdown %v | new leader %v | window %v (>0 %d%%) | deposed after heal %d%% | campaigns %v\n",
				v, phase, summarize(sd), summarize(nl), summarize(win), pos*100/n, deposed*100/n, camp)
		}
	}
}

func TestExplorePause(t *testing.T) {
	for _, phase := range []string{"aligned", "random"} {
		var lead, resume []float64
		for seed := uint64(1); seed <= 300; seed++ {
			at := faultTime(seed)
			cfg := etcdBench(seed, "3.4", phase, FaultConfig{Kind: FaultProcessPause, At: at, Duration: 3 * time.Second,
				Target: Target{Kind: TargetLeader, Name: "etcd"}})
			c, _ := Build(cfg)
			c.Run()
			f := c.Faults[0]
			lead = append(lead, ms(f.NewLeaderAt.Sub(f.InjectedAt)))
			sd := -1.0
			for _, rec := range c.Timeline() {
				if rec.T >= f.HealedAt && rec.Member == f.LeaderAtInject && rec.Event == EvFollower {
					sd = ms(rec.T.Sub(f.HealedAt))
					break
				}
			}
			resume = append(resume, sd)
		}
		fmt.Printf("pause %s: new leader %v | old leader follower after resume %v\n", phase, summarize(lead), summarize(resume))
	}
}
