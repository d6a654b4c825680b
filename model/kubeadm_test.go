package model

import (
	"strings"
	"testing"
	"time"

	"hasim/sim"

	"hasim/model/etcd"
	"hasim/model/fabric"
	"hasim/model/kube"
)

// growing is the stacked 3-master cluster of which only master-1 runs at
// first (kubeadm init); master-2 and master-3 join at the given times.
func growing(seed uint64, horizon time.Duration, joins ...time.Duration) Config {
	cfg := stacked3(horizon)
	cfg.Seed = seed
	cfg.SkipRenewals = false
	cfg.CheckInvariants = true
	cfg.Etcd.InitialMembers = 1
	cfg.Joining = []string{"master-2", "master-3"}
	for i, at := range joins {
		cfg.Faults = append(cfg.Faults, FaultConfig{Kind: FaultJoinControlPlane, At: at,
			Target: Target{Kind: TargetHost, Name: cfg.Joining[i]}})
	}
	return cfg
}

func opEnd(t *testing.T, r Result, id int) fabric.Record {
	t.Helper()
	for _, rec := range r.Timeline {
		if rec.Fault == id && (rec.Event == EvOpDone || rec.Event == EvOpFailed) {
			return rec
		}
	}
	t.Fatalf("operation %d never ended", id)
	return fabric.Record{}
}

func memberships(r Result) string {
	var s []string
	for _, m := range r.Members {
		s = append(s, m.Name+"="+m.Membership)
	}
	return strings.Join(s, " ")
}

// kubeadm grows the control plane one master at a time: nothing runs on a
// joining host before its join; the member is added as a learner, started,
// promoted, and the new master's controllers become candidates. Writes
// keep working throughout.
func TestJoinGrowsOneToThree(t *testing.T) {
	for seed := uint64(1); seed <= 8; seed++ {
		c, r := runCluster(t, growing(seed, 100*time.Second, 30*time.Second, 60*time.Second))
		for _, h := range []string{"master-2", "master-3"} {
			for _, rec := range r.Timeline {
				if rec.Host == h && rec.Event == fabric.EvProcStarted && rec.T < sim.At(30*time.Second) {
					t.Fatalf("seed %d: %s started on %s before its join: %+v", seed, rec.Proc, h, rec)
				}
			}
		}
		for id := 1; id <= 2; id++ {
			end := opEnd(t, r, id)
			if end.Event != EvOpDone {
				t.Fatalf("seed %d: join %d failed: %s", seed, id, end.Reason)
			}
			took := end.T.Sub(r.Faults[id-1].At)
			if took > 3*time.Second {
				t.Errorf("seed %d: join %d took %v; want the learner in sync and promoted within seconds", seed, id, took)
			}
			if r.Faults[id-1].DoneAt != end.T || r.Faults[id-1].Error != "" {
				t.Errorf("seed %d: fault result %+v does not match %v", seed, r.Faults[id-1], end)
			}
		}
		if got := memberships(r); got != "etcd-1=voter etcd-2=voter etcd-3=voter" {
			t.Errorf("seed %d: membership at end %s", seed, got)
		}
		if n := countEvents(r, etcd.EvMemberAdded); n != 2 {
			t.Errorf("seed %d: %d member.added, want 2", seed, n)
		}
		if n := countEvents(r, etcd.EvMemberPromoted); n != 2 {
			t.Errorf("seed %d: %d member.promoted, want 2", seed, n)
		}
		// (Until haproxy marks the absent masters down, a few seconds in,
		// requests it sends there are refused.)
		if down, ok := firstEvent(r, kube.EvProbeDown, "", sim.At(10*time.Second)); ok {
			t.Errorf("seed %d: a probe failed at %v while the control plane grew", seed, down)
		}
		for _, m := range c.Etcd.Members {
			if !m.Proc.Running() || m.Quorum() != 2 {
				t.Errorf("seed %d: %s running=%v quorum %d", seed, m.Name, m.Proc.Running(), m.Quorum())
			}
		}
		for _, g := range c.Groups {
			if len(g.Candidates) != 3 || !g.Candidates[2].Proc.Running() {
				t.Errorf("seed %d: %s candidates not all running", seed, g.Name)
			}
		}
	}
}

// Before Kubernetes 1.29 kubeadm added the member as a voter at once: the
// quorum grows before the new member runs.
func TestJoinAsVoter(t *testing.T) {
	cfg := growing(3, 60*time.Second, 30*time.Second)
	cfg.Faults[0].AddAsVoter = true
	_, r := runCluster(t, cfg)
	if end := opEnd(t, r, 1); end.Event != EvOpDone || !strings.Contains(end.Reason, "voting member at once") {
		t.Fatalf("join: %v %s", end.Event, end.Reason)
	}
	if n := countEvents(r, etcd.EvMemberPromoted); n != 0 {
		t.Errorf("%d promotions for a member added as a voter", n)
	}
	added, _ := firstEvent(r, etcd.EvMemberAdded, "", 0)
	rec := r.Timeline[0]
	for _, x := range r.Timeline {
		if x.Event == etcd.EvMemberAdded {
			rec = x
		}
	}
	if !strings.Contains(rec.Reason, "voting member") || !strings.Contains(rec.Reason, "quorum 2") {
		t.Errorf("member.added at %v: %s", added, rec.Reason)
	}
}

// Replacing a dead master: with strict reconfiguration checks etcd
// refuses to add even a learner while a voter is unreachable, so
// kubeadm join retries until the dead member is removed; then the join
// completes and the cluster tolerates another loss.
func TestReplaceDeadMaster(t *testing.T) {
	for seed := uint64(1); seed <= 6; seed++ {
		cfg := stacked3(150 * time.Second)
		cfg.Seed, cfg.CheckInvariants, cfg.SkipRenewals = seed, true, false
		cfg.Hosts = append(cfg.Hosts, fabric.HostConfig{Name: "master-4", Zone: "zone-b"})
		cfg.EtcdMembers = append(cfg.EtcdMembers, "master-4")
		cfg.Etcd.InitialMembers = 3
		cfg.Joining = []string{"master-4"}
		cfg.APIServers = append(cfg.APIServers, kube.APIServerConfig{Host: "master-4", Etcd: []string{"etcd-4"}})
		for i := range cfg.Groups {
			cfg.Groups[i].Hosts = []string{"master-1", "master-2", "master-3", "master-4"}
		}
		cfg.Faults = []FaultConfig{
			{Kind: FaultHostCrash, At: 20 * time.Second, Target: Target{Kind: TargetHost, Name: "master-2"}},
			{Kind: FaultJoinControlPlane, At: 30 * time.Second, Target: Target{Kind: TargetHost, Name: "master-4"}},
			{Kind: FaultRemoveEtcdMember, At: 45 * time.Second, Target: Target{Kind: TargetHost, Name: "master-2"}},
			{Kind: FaultHostCrash, At: 90 * time.Second, Target: Target{Kind: TargetHost, Name: "master-1"}},
		}
		c, r := runCluster(t, cfg)
		removed := opEnd(t, r, 3)
		if removed.Event != EvOpDone || removed.T > sim.At(46*time.Second) {
			t.Fatalf("seed %d: removal %v at %v: %s", seed, removed.Event, removed.T, removed.Reason)
		}
		joined := opEnd(t, r, 2)
		if joined.Event != EvOpDone || joined.T < removed.T || joined.T > removed.T.Add(3*time.Second) {
			t.Fatalf("seed %d: join %v at %v (removal done %v): %s", seed, joined.Event, joined.T, removed.T, joined.Reason)
		}
		added, _ := firstEvent(r, etcd.EvMemberAdded, "", 0)
		if added < removed.T {
			t.Errorf("seed %d: etcd-4 added at %v, before etcd-2 was removed", seed, added)
		}
		if !strings.Contains(joined.Reason, "etcd member add needed") || !strings.Contains(joined.Reason, etcd.ErrUnhealthy) {
			t.Errorf("seed %d: the add should have been retried while etcd-2 was dead: %s", seed, joined.Reason)
		}
		if got := memberships(r); got != "etcd-1=voter etcd-2=removed etcd-3=voter etcd-4=voter" {
			t.Errorf("seed %d: membership %s", seed, got)
		}
		// master-1 dies at 90 s: etcd-3 and etcd-4 keep a quorum of 3.
		l := c.Etcd.Leader()
		if l == nil || (l.Name != "etcd-3" && l.Name != "etcd-4") {
			t.Errorf("seed %d: leader at end %v", seed, l)
		}
		checkRecovered(t, c, seed)
	}
}

// Operations that cannot run are skipped with the reason; one whose
// host dies fails; an etcd poll gives up after kubeadm's 2 minutes.
func TestOperationFailures(t *testing.T) {
	t.Run("join on a down host", func(t *testing.T) {
		cfg := growing(1, 40*time.Second, 20*time.Second)
		cfg.Faults = append(cfg.Faults, FaultConfig{Kind: FaultHostCrash, At: 10 * time.Second, Target: Target{Kind: TargetHost, Name: "master-2"}})
		_, r := runCluster(t, cfg)
		if s := r.Faults[0].Skipped; !strings.Contains(s, "master-2 is down") {
			t.Errorf("skipped = %q", s)
		}
	})
	t.Run("kubeadm host dies mid-join", func(t *testing.T) {
		cfg := growing(1, 60*time.Second, 20*time.Second)
		cfg.Faults = append(cfg.Faults, FaultConfig{Kind: FaultSlowDisk, At: 19 * time.Second, Duration: 10 * time.Second,
			Target: Target{Kind: TargetHost, Name: "master-1"}, Fsync: fabric.Dist{Kind: fabric.Constant, Value: 3 * time.Second}},
			FaultConfig{Kind: FaultHostCrash, At: 20*time.Second + 100*time.Millisecond, Target: Target{Kind: TargetHost, Name: "master-2"}})
		_, r := runCluster(t, cfg)
		end := opEnd(t, r, 1)
		if end.Event != EvOpFailed || !strings.Contains(end.Reason, "went down with its host master-2") {
			t.Errorf("%s: %s", end.Event, end.Reason)
		}
	})
	t.Run("promote gives up without quorum", func(t *testing.T) {
		// master-1 is isolated once the learner started: no leader to
		// promote it, for longer than kubeadm polls.
		cfg := growing(2, 200*time.Second, 20*time.Second)
		cfg.Faults = append(cfg.Faults, FaultConfig{Kind: FaultPartition, At: 20 * time.Second, Duration: 150 * time.Second,
			Target: Target{Kind: TargetHost, Name: "master-1"}, On: &Trigger{Event: fabric.EvProcStarted, Match: "etcd-2"}})
		_, r := runCluster(t, cfg)
		end := opEnd(t, r, 1)
		if end.Event != EvOpFailed || !strings.Contains(end.Reason, "etcd member promote gave up after 2m0s") {
			t.Errorf("%s at %v: %s", end.Event, end.T, end.Reason)
		}
		if got := memberships(r); got != "etcd-1=voter etcd-2=learner etcd-3=not added" {
			t.Errorf("membership %s", got)
		}
	})
	t.Run("remove an already removed member", func(t *testing.T) {
		cfg := stacked3(30 * time.Second)
		for _, at := range []time.Duration{10 * time.Second, 20 * time.Second} {
			cfg.Faults = append(cfg.Faults, FaultConfig{Kind: FaultRemoveEtcdMember, At: at, Target: Target{Kind: TargetHost, Name: "master-3"}})
		}
		_, r := runCluster(t, cfg)
		if end := opEnd(t, r, 1); end.Event != EvOpDone {
			t.Errorf("first removal: %s", end.Reason)
		}
		if end := opEnd(t, r, 2); end.Event != EvOpDone {
			t.Errorf("second removal: %s", end.Reason)
		}
		if left, ok := firstEvent(r, etcd.EvMemberLeft, "master-3", 0); !ok || left > sim.At(12*time.Second) {
			t.Errorf("etcd-3 left at %v (%v)", left, ok)
		}
	})
}

func TestOperationValidation(t *testing.T) {
	for _, tc := range []struct {
		f    FaultConfig
		want string
	}{
		{FaultConfig{Kind: FaultJoinControlPlane, Target: Target{Kind: TargetHost, Name: "master-1"}}, `host "master-1" is not a joining control-plane host`},
		{FaultConfig{Kind: FaultJoinControlPlane, Target: Target{Kind: TargetZone, Name: "zone-a"}}, "needs a host target"},
		{FaultConfig{Kind: FaultJoinControlPlane, Duration: time.Second, Target: Target{Kind: TargetHost, Name: "master-2"}}, "without a duration"},
		{FaultConfig{Kind: FaultRemoveEtcdMember, Target: Target{Kind: TargetHost, Name: "lb"}}, `host "lb" runs no etcd member`},
		{FaultConfig{Kind: FaultRemoveEtcdMember, Target: Target{Kind: TargetRole, Name: "etcd"}}, "needs host:NAME or leader:etcd"},
	} {
		cfg := growing(1, time.Minute)
		cfg.Faults = []FaultConfig{tc.f}
		if _, err := Build(cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: error %v, want %q", tc.f, err, tc.want)
		}
	}
	cfg := growing(1, time.Minute)
	cfg.Etcd.InitialMembers = 2
	if _, err := Build(cfg); err == nil || !strings.Contains(err.Error(), `etcd-2 on joining host "master-2" is an initial member`) {
		t.Errorf("initial member on a joining host: %v", err)
	}
}
