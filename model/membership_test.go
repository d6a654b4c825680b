package model

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"hasim/sim"

	"hasim/model/etcd"
	"hasim/model/fabric"
	"hasim/model/kube"
)

// slotsConfig is a cluster of n etcd member slots on hosts h1..hn (zones
// a, b, c in turn), the first `initial` of them in the cluster at time
// zero, with a client host in zone a and the full invariant scan.
func slotsConfig(seed uint64, n, initial int, faults ...FaultConfig) Config {
	cfg := Config{
		Seed: seed, Horizon: 60 * time.Second,
		Zones:   []string{"a", "b", "c"},
		Network: fabric.DefaultNetworkConfig(),
		Etcd:    etcd.EtcdConfig{Version: "3.5", InitialMembers: initial},
		Faults:  faults, CheckInvariants: true,
	}
	for i := range n {
		h := fmt.Sprintf("h%d", i+1)
		cfg.Hosts = append(cfg.Hosts, fabric.HostConfig{Name: h, Zone: cfg.Zones[i%3]})
		cfg.EtcdMembers = append(cfg.EtcdMembers, h)
	}
	cfg.Hosts = append(cfg.Hosts, fabric.HostConfig{Name: "client", Zone: "a"})
	return cfg
}

func build(t *testing.T, cfg Config) *Cluster {
	t.Helper()
	c, err := Build(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func host(c *Cluster, name string) *fabric.Host {
	for _, h := range c.Hosts {
		if h.Name == name {
			return h
		}
	}
	return nil
}

func noViolations(t *testing.T, c *Cluster) {
	t.Helper()
	if v := c.Violations(); len(v) > 0 {
		t.Fatalf("seed %d: invariants violated: %v", c.cfg.Seed, v)
	}
}

// at runs fn at simulated time d.
func at(c *Cluster, d time.Duration, fn func()) { c.Sim.At(sim.At(d), "test", fn) }

// join is kubeadm's etcd join: add m as a learner (retrying every 500 ms
// on error), start it, then promote it, retrying every 500 ms until the
// promote is accepted (kubeadm's EtcdAPICallRetryInterval). It reports
// the time the process started, the promote attempts and the time it
// became a voter.
type join struct {
	started, voter sim.Time
	promotes       int
	errs           []string
}

func kubeadmJoin(c *Cluster, k *etcd.EtcdClient, m *etcd.Member, done func(*join)) *join {
	j := &join{}
	const retry, timeout = 500 * time.Millisecond, 2 * time.Second
	var add, promote func()
	add = func() {
		k.MemberAdd(m, true, "kubeadm join "+m.Proc.Host.Name, timeout, func(err string) {
			// An add that timed out at the client may still have been
			// applied: kubeadm then finds the member in the member list.
			if err != "" && err != etcd.ErrMemberExists {
				j.errs = append(j.errs, "add: "+err)
				c.Sim.After(retry, "retry add", add)
				return
			}
			j.started = c.Sim.Now()
			m.StartProcess("started by kubeadm join (--initial-cluster-state=existing)")
			c.Sim.After(retry, "promote", promote)
		})
	}
	promote = func() {
		j.promotes++
		k.MemberPromote(m, "kubeadm join: the learner caught up", timeout, func(err string) {
			if err != "" {
				j.errs = append(j.errs, "promote: "+err)
				c.Sim.After(retry, "retry promote", promote)
				return
			}
			j.voter = c.Sim.Now()
			if done != nil {
				done(j)
			}
		})
	}
	add()
	return j
}

// put writes through k and records the outcome.
func put(k *etcd.EtcdClient, out *[]string) {
	k.Do(fabric.Message{Type: etcd.MsgClientWrite, Body: &etcd.ClientMsg{Op: etcd.Op{Kind: etcd.OpPut, Key: 0}}}, 3*time.Second, func(err string) { *out = append(*out, err) })
}

// inSync samples every millisecond from `from` until the leader's match
// index for m reaches 90% of its own, and reports when.
func inSync(c *Cluster, m *etcd.Member, from time.Duration, when *sim.Time) {
	var check func()
	check = func() {
		if l := c.Etcd.Leader(); l != nil && l.Conf.Has(m.ID) && l.Prs[m.ID-1].Match > 0 &&
			float64(l.Prs[m.ID-1].Match) >= float64(l.Prs[l.ID-1].Match)*etcd.ReadyPercent {
			*when = c.Sim.Now()
			return
		}
		c.Sim.After(time.Millisecond, "in-sync", check)
	}
	at(c, from, check)
}

func events(c *Cluster, ev string) []fabric.Record {
	var out []fabric.Record
	for _, r := range c.Timeline() {
		if r.Event == ev {
			out = append(out, r)
		}
	}
	return out
}

func names(ms []*etcd.Member) string {
	var s []string
	for _, m := range ms {
		s = append(s, m.Name)
	}
	return strings.Join(s, ",")
}

// TestGrowOneToThree: kubeadm grows a one-member cluster to three: each
// new member is added as a learner, started, and promoted once in sync.
// Writes through etcd-1 keep committing throughout. At the end every
// member has the three voters (quorum 2): losing one member leaves the
// cluster writable, losing two does not.
func TestGrowOneToThree(t *testing.T) {
	cfg := slotsConfig(3, 3, 1)
	cfg.Probes = []kube.ProbeConfig{{Name: "writes", Host: "client", Kind: kube.ProbeWrite, Endpoints: []string{"etcd-1"}}}
	cfg.Horizon = 70 * time.Second
	c := build(t, cfg)
	e := c.Etcd
	m1, m2, m3 := e.Members[0], e.Members[1], e.Members[2]
	if m2.Proc.State() != fabric.Stopped || m3.Proc.State() != fabric.Stopped {
		t.Fatal("joining members started at time zero")
	}
	k1 := c.Etcd.NewClient("kubeadm-1", host(c, "client"), m1)
	// The second join talks to etcd-2, a follower: its promote is forwarded
	// to the leader.
	k2 := c.Etcd.NewClient("kubeadm-2", host(c, "client"), m2)
	var j2, j3 *join
	var sync2, sync3 sim.Time
	at(c, 5*time.Second, func() {
		j2 = kubeadmJoin(c, k1, m2, func(*join) {
			c.Sim.After(2*time.Second, "join etcd-3", func() { j3 = kubeadmJoin(c, k2, m3, nil) })
		})
	})
	inSync(c, m2, 5*time.Second, &sync2)
	inSync(c, m3, 8*time.Second, &sync3)
	// Losing one member of three, then a second.
	var afterOne, afterTwo []string
	kAll := c.Etcd.NewClient("client-all", host(c, "client"), m1, m2, m3)
	var leaderAfterOne string
	at(c, 40*time.Second, func() {
		p := e.Leader().Proc
		p.Retire()
	})
	at(c, 45*time.Second, func() {
		if l := e.Leader(); l != nil {
			leaderAfterOne = l.Name
		}
		for range 5 {
			put(kAll, &afterOne)
		}
	})
	at(c, 50*time.Second, func() {
		for _, m := range e.Members {
			if m.Proc.State() == fabric.Running {
				m.Proc.Retire()
				break
			}
		}
	})
	at(c, 60*time.Second, func() {
		for range 5 {
			put(kAll, &afterTwo)
		}
	})
	c.Run()
	noViolations(t, c)

	for _, j := range []*join{j2, j3} {
		if j == nil || j.voter == 0 {
			t.Fatalf("a join did not complete: %+v", j)
		}
	}
	t.Logf("etcd-2: started %v, in sync %v later, voter %v later (%d promote attempts; %v)",
		j2.started, sync2.Sub(j2.started), j2.voter.Sub(j2.started), j2.promotes, j2.errs)
	t.Logf("etcd-3: started %v, in sync %v later, voter %v later (%d promote attempts; %v)",
		j3.started, sync3.Sub(j3.started), j3.voter.Sub(j3.started), j3.promotes, j3.errs)
	if sync2 == 0 || sync3 == 0 {
		t.Fatalf("learners never in sync: %v %v", sync2, sync3)
	}
	// The timeline tells the four changes, once each, in order.
	var got []string
	for _, r := range c.Timeline() {
		switch r.Event {
		case etcd.EvMemberAdded, etcd.EvMemberPromoted, etcd.EvMemberRemoved:
			got = append(got, r.Event+" "+r.Member)
			if r.Peer == "" || r.Index == 0 || !strings.Contains(r.Reason, "kubeadm join") {
				t.Errorf("record lacks proposer, index or why: %+v", r)
			}
		}
	}
	want := "member.added etcd-2|member.promoted etcd-2|member.added etcd-3|member.promoted etcd-3"
	if strings.Join(got, "|") != want {
		t.Fatalf("membership records %q, want %q", strings.Join(got, "|"), want)
	}
	// Writes through etcd-1 never failed before the kills.
	for _, r := range events(c, kube.EvProbeDown) {
		if r.T < sim.At(40*time.Second) {
			t.Errorf("writes failed during the growth: %+v", r)
		}
	}
	// Every member ended with the same three voters.
	for _, m := range e.Members {
		if got := names(m.Voters()); got != "etcd-1,etcd-2,etcd-3" || m.Quorum() != 2 || len(m.Learners()) != 0 {
			t.Errorf("%s: voters %s, learners %s, quorum %d", m.Name, got, names(m.Learners()), m.Quorum())
		}
	}
	// One member down: a new leader, writes succeed; two down: none do.
	ok := 0
	for _, err := range afterOne {
		if err == "" {
			ok++
		}
	}
	if leaderAfterOne == "" || ok != len(afterOne) || len(afterOne) != 5 {
		t.Errorf("one of three down: leader %q, writes %q", leaderAfterOne, afterOne)
	}
	for _, err := range afterTwo {
		if err == "" {
			t.Errorf("two of three down: a write succeeded (%q)", afterTwo)
		}
	}
	if len(afterTwo) != 5 {
		t.Errorf("two of three down: %d of 5 writes answered", len(afterTwo))
	}
	if l := e.Leader(); l != nil {
		t.Errorf("two of three down: %s still leads", l.Name)
	}
}

// TestJoinBySnapshot: when the leader has compacted its log, a joining
// member catches up from a snapshot, and learns the membership from it.
func TestJoinBySnapshot(t *testing.T) {
	cfg := slotsConfig(5, 2, 1)
	cfg.Etcd.SnapshotCount, cfg.Etcd.SnapshotCatchUpEntries = 100, 50
	cfg.Probes = []kube.ProbeConfig{{Name: "writes", Host: "client", Kind: kube.ProbeWrite, Period: 20 * time.Millisecond, Endpoints: []string{"etcd-1"}}}
	cfg.Horizon = 30 * time.Second
	c := build(t, cfg)
	m1, m2 := c.Etcd.Members[0], c.Etcd.Members[1]
	k := c.Etcd.NewClient("kubeadm", host(c, "client"), m1)
	var j *join
	at(c, 10*time.Second, func() { j = kubeadmJoin(c, k, m2, nil) })
	// The first state etcd-2 gets is a snapshot: its store and its log
	// start at the same index, and it knows it is a learner.
	var first struct {
		kv, offset uint64
		learner    bool
	}
	var watch func()
	watch = func() {
		if m2.KVIndex > 0 {
			first.kv, first.offset, first.learner = m2.KVIndex, m2.Log.Offset, m2.IsLearner()
			return
		}
		c.Sim.After(100*time.Microsecond, "watch", watch)
	}
	at(c, 10*time.Second, watch)
	var synced sim.Time
	inSync(c, m2, 10*time.Second, &synced)
	c.Run()
	noViolations(t, c)
	if j == nil || j.voter == 0 || synced == 0 {
		t.Fatalf("join did not complete: %+v, in sync at %v", j, synced)
	}
	if first.kv == 0 || first.offset != first.kv || !first.learner {
		t.Fatalf("etcd-2 first got index %d with log offset %d, learner %v: want a snapshot naming it a learner", first.kv, first.offset, first.learner)
	}
	if got := names(m2.Voters()); got != "etcd-1,etcd-2" {
		t.Fatalf("etcd-2's voters %s", got)
	}
	t.Logf("etcd-2 restored a snapshot at index %d; in sync %v and voter %v after its start", first.kv, synced.Sub(j.started), j.voter.Sub(j.started))
}

// TestReplaceDeadMember: master-2's host dies; member remove etcd-2 passes
// the strict check (a member the others are not connected to is down and
// safe to remove), etcd-4 joins in its place. When etcd-2's host comes
// back, its peers refuse it (410 Gone) and it exits without disturbing
// anyone. Afterwards losing any one member keeps a leader.
func TestReplaceDeadMember(t *testing.T) {
	run := func(kill int) (*Cluster, *join, []string, []string) {
		crash := FaultConfig{Kind: FaultHostCrash, At: 10 * time.Second, Duration: 50 * time.Second, Target: Target{TargetHost, "h2"}}
		cfg := slotsConfig(7, 4, 3, crash)
		cfg.Horizon = 85 * time.Second
		c := build(t, cfg)
		e := c.Etcd
		k := c.Etcd.NewClient("kubeadm", host(c, "client"), e.Members[0], e.Members[2])
		var removeErr []string
		var j *join
		at(c, 15*time.Second, func() {
			k.MemberRemove(e.Members[1], "replace the failed master h2", 2*time.Second, func(err string) {
				removeErr = append(removeErr, err)
				if err == "" {
					j = kubeadmJoin(c, k, e.Members[3], nil)
				}
			})
		})
		var writes []string
		kAll := c.Etcd.NewClient("client-all", host(c, "client"), e.Members[0], e.Members[2], e.Members[3])
		if kill > 0 {
			at(c, 70*time.Second, func() {
				p := e.Members[kill-1].Proc
				p.Retire()
			})
			at(c, 78*time.Second, func() {
				for range 5 {
					put(kAll, &writes)
				}
			})
		}
		c.Run()
		noViolations(t, c)
		return c, j, removeErr, writes
	}
	c, j, removeErr, _ := run(0)
	e := c.Etcd
	if len(removeErr) != 1 || removeErr[0] != "" {
		t.Fatalf("member remove etcd-2: %q", removeErr)
	}
	if j == nil || j.voter == 0 {
		t.Fatalf("etcd-4 did not join: %+v", j)
	}
	for _, i := range []int{0, 2, 3} {
		if got := names(e.Members[i].Voters()); got != "etcd-1,etcd-3,etcd-4" {
			t.Errorf("%s: voters %s", e.Members[i].Name, got)
		}
	}
	// etcd-2 came back at 60 s and left: its peers refused it.
	m2 := e.Members[1]
	left := events(c, etcd.EvMemberLeft)
	if len(left) != 1 || left[0].Member != "etcd-2" || !strings.Contains(left[0].Reason, "410 Gone") || !m2.Left() || m2.Proc.State() != fabric.Stopped {
		t.Fatalf("etcd-2 after its host came back: left %v, process %v", left, m2.Proc.State())
	}
	if left[0].T.Sub(sim.At(60*time.Second)) > 3*time.Second {
		t.Errorf("etcd-2 left only at %v", left[0].T)
	}
	for _, r := range c.Timeline() {
		if r.T > sim.At(60*time.Second) && (r.Event == etcd.EvLeader || r.Event == etcd.EvCandidate) {
			t.Errorf("etcd-2's return disturbed the cluster: %+v", r)
		}
	}
	t.Logf("etcd-4 voter %v after its start; etcd-2 left at %v: %s", j.voter.Sub(j.started), left[0].T, left[0].Reason)
	for kill := 1; kill <= 4; kill++ {
		if kill == 2 {
			continue
		}
		c, _, _, writes := run(kill)
		ok := 0
		for _, err := range writes {
			if err == "" {
				ok++
			}
		}
		if l := c.Etcd.Leader(); l == nil || ok != 5 {
			t.Errorf("etcd-%d killed: leader %v, writes %q", kill, l, writes)
		}
	}
}

// TestStrictReconfigCheck: etcd's --strict-reconfig-check refusals, each
// with etcd's error, and what passes.
func TestStrictReconfigCheck(t *testing.T) {
	t.Run("one member of three down", func(t *testing.T) {
		crash := FaultConfig{Kind: FaultHostCrash, At: 10 * time.Second, Duration: 20 * time.Second, Target: Target{TargetHost, "h3"}}
		cfg := slotsConfig(11, 5, 3, crash)
		cfg.Horizon = 70 * time.Second
		c := build(t, cfg)
		e := c.Etcd
		m1, m2, m4, m5 := e.Members[0], e.Members[1], e.Members[3], e.Members[4]
		k := c.Etcd.NewClient("kubeadm", host(c, "client"), m1)
		got := map[string]string{}
		ask := func(what string, req fabric.Message) {
			k.Do(req, 3*time.Second, func(err string) { got[what] = err })
		}
		at(c, 12*time.Second, func() {
			ask("add voter, one down", e.MemberRequest(etcd.OpMemberAdd, m4, ""))
			ask("add learner, one down", e.MemberRequest(etcd.OpMemberAddLearner, m4, ""))
			ask("remove a live voter, one down", e.MemberRequest(etcd.OpMemberRemove, m2, ""))
		})
		// h3 is back at 30 s; connected for healthInterval from ~30.1 s.
		at(c, 32*time.Second, func() { ask("add learner, back for 2s", e.MemberRequest(etcd.OpMemberAddLearner, m4, "")) })
		at(c, 40*time.Second, func() { ask("add learner", e.MemberRequest(etcd.OpMemberAddLearner, m4, "second try")) })
		// One at a time: the leader accepts no conf change while another
		// is not applied.
		at(c, 42*time.Second, func() { ask("second learner", e.MemberRequest(etcd.OpMemberAddLearner, m5, "")) })
		at(c, 43*time.Second, func() { ask("promote before start", e.MemberRequest(etcd.OpMemberPromote, m4, "")) })
		at(c, 44*time.Second, func() { ask("promote a voter", e.MemberRequest(etcd.OpMemberPromote, m2, "")) })
		at(c, 45*time.Second, func() { ask("remove a non-member", e.MemberRequest(etcd.OpMemberRemove, m5, "")) })
		at(c, 46*time.Second, func() {
			m4.StartProcess("started")
		})
		at(c, 47*time.Second, func() {
			// A client of the learner alone (dialled once it runs).
			learnerClient := c.Etcd.NewClient("to-learner", host(c, "client"), m4)
			learnerClient.Do(fabric.Message{Type: etcd.MsgClientWrite, Body: &etcd.ClientMsg{Op: etcd.Op{Kind: etcd.OpPut}}}, time.Second, func(err string) { got["write to the learner"] = err })
			learnerClient.Do(e.MemberRequest(etcd.OpMemberRemove, m5, ""), time.Second, func(err string) { got["member request to the learner"] = err })
		})
		var j *join
		at(c, 49*time.Second, func() {
			j = &join{}
			var promote func()
			promote = func() {
				j.promotes++
				k.MemberPromote(m4, "in sync", 2*time.Second, func(err string) {
					if err != "" {
						j.errs = append(j.errs, err)
						c.Sim.After(500*time.Millisecond, "retry", promote)
						return
					}
					j.voter = c.Sim.Now()
				})
			}
			promote()
		})
		c.Run()
		noViolations(t, c)
		want := map[string]string{
			"add voter, one down":           etcd.ErrUnhealthy,
			"add learner, one down":         etcd.ErrUnhealthy, // etcd checks the connections for learners too
			"remove a live voter, one down": etcd.ErrUnhealthy,
			"add learner, back for 2s":      etcd.ErrUnhealthy,
			"add learner":                   "",
			"second learner":                etcd.ErrTooManyLearners,
			"promote before start":          etcd.ErrLearnerNotReady,
			"promote a voter":               etcd.ErrMemberNotLearner,
			"remove a non-member":           etcd.ErrMemberNotFound,
			"write to the learner":          etcd.ErrLearnerRPC,
			"member request to the learner": etcd.ErrLearnerRPC,
		}
		for what, w := range want {
			if g, ok := got[what]; !ok || g != w {
				t.Errorf("%s: got %q (answered %v), want %q", what, g, ok, w)
			}
		}
		if j == nil || j.voter == 0 {
			t.Fatalf("promote never accepted: %+v", j)
		}
		t.Logf("promote accepted at %v after %d tries (%v)", j.voter, j.promotes, j.errs)
		if got := names(m1.Voters()); got != "etcd-1,etcd-2,etcd-3,etcd-4" || m1.Quorum() != 3 {
			t.Errorf("voters %s quorum %d", got, m1.Quorum())
		}
	})

	t.Run("voter added before the previous one started", func(t *testing.T) {
		cfg := slotsConfig(13, 3, 1)
		cfg.Probes = []kube.ProbeConfig{{Name: "writes", Host: "client", Kind: kube.ProbeWrite, Endpoints: []string{"etcd-1"}, Timeout: time.Second}}
		cfg.Horizon = 30 * time.Second
		c := build(t, cfg)
		e := c.Etcd
		k := c.Etcd.NewClient("kubeadm", host(c, "client"), e.Members[0])
		got := map[string]string{}
		at(c, 5*time.Second, func() {
			k.MemberAdd(e.Members[1], false, "add etcd-2 as a voter", 3*time.Second, func(err string) { got["add etcd-2"] = err })
		})
		at(c, 7*time.Second, func() {
			k.MemberAdd(e.Members[2], false, "", 3*time.Second, func(err string) { got["add etcd-3"] = err })
		})
		at(c, 12*time.Second, func() { e.Members[1].StartProcess("started") })
		at(c, 20*time.Second, func() {
			k.MemberAdd(e.Members[2], false, "add etcd-3 as a voter", 3*time.Second, func(err string) { got["add etcd-3 later"] = err })
		})
		at(c, 21*time.Second, func() { e.Members[2].StartProcess("started") })
		c.Run()
		noViolations(t, c)
		want := map[string]string{"add etcd-2": "", "add etcd-3": etcd.ErrNotEnoughStarted, "add etcd-3 later": ""}
		for what, w := range want {
			if got[what] != w {
				t.Errorf("%s: got %q, want %q", what, got[what], w)
			}
		}
		// With etcd-2 a voter but not running, the quorum is 2 of 2: writes
		// stop until it starts (why kubeadm adds learners).
		var down, up sim.Time
		for _, r := range c.Timeline() {
			if r.Probe == "writes" && r.Event == kube.EvProbeDown && down == 0 {
				down = r.T
			}
			if r.Probe == "writes" && r.Event == kube.EvProbeUp && down != 0 && up == 0 {
				up = r.T
			}
		}
		if down < sim.At(5*time.Second) || down > sim.At(6*time.Second) || up < sim.At(12*time.Second) || up > sim.At(14*time.Second) {
			t.Errorf("writes failed from %v to %v, want from the add (5 s) to etcd-2's start (12 s)", down, up)
		}
		if got := names(e.Members[0].Voters()); got != "etcd-1,etcd-2,etcd-3" {
			t.Errorf("voters %s", got)
		}
	})
}

// TestRemoveLeader: removing the leader. etcd never sets raft's
// StepDownOnRemoval: the removed leader keeps leading (dropping proposals)
// until its etcd stops, which its peers hasten by refusing its messages
// once they applied the removal. The other two elect a leader and the
// cluster stays writable with a quorum of 2 of 2.
func TestRemoveLeader(t *testing.T) {
	cfg := slotsConfig(17, 3, 3)
	cfg.Horizon = 30 * time.Second
	c := build(t, cfg)
	e := c.Etcd
	k := c.Etcd.NewClient("admin", host(c, "client"), e.Members...)
	var old *etcd.Member
	var removeErr []string
	var removedAt sim.Time
	at(c, 10*time.Second, func() {
		old = e.Leader()
		k.MemberRemove(old, "decommission its master", 3*time.Second, func(err string) { removeErr = append(removeErr, err); removedAt = c.Sim.Now() })
	})
	var writes []string
	at(c, 15*time.Second, func() {
		for range 5 {
			put(k, &writes)
		}
	})
	c.Run()
	noViolations(t, c)
	if len(removeErr) != 1 || removeErr[0] != "" {
		t.Fatalf("remove the leader: %q", removeErr)
	}
	if !old.Left() || old.Proc.State() != fabric.Stopped || old.State() == etcd.Leader {
		t.Fatalf("removed leader: left %v, process %v, role %v", old.Left(), old.Proc.State(), old.State())
	}
	var stepdown, left, elected fabric.Record
	for _, r := range c.Timeline() {
		switch {
		case r.T < sim.At(10*time.Second):
		case r.Event == etcd.EvStepDown && r.Member == old.Name && stepdown.T == 0:
			stepdown = r
		case r.Event == etcd.EvMemberLeft && r.Member == old.Name:
			left = r
		case r.Event == etcd.EvLeader && elected.T == 0:
			elected = r
		}
	}
	if stepdown.T == 0 || left.T == 0 || elected.T == 0 || elected.Member == old.Name || elected.T < left.T {
		t.Fatalf("stepdown %+v, left %+v, new leader %+v", stepdown, left, elected)
	}
	l := e.Leader()
	if l == nil || l == old || l.Quorum() != 2 || len(l.Voters()) != 2 {
		t.Fatalf("leader at the end %v", l)
	}
	ok := 0
	for _, err := range writes {
		if err == "" {
			ok++
		}
	}
	if ok != 5 {
		t.Errorf("writes after the new election: %q", writes)
	}
	t.Logf("removal answered at %v; %s left at %v (%s); %s leads from %v", removedAt, old.Name, left.T, left.Reason, elected.Member, elected.T)
}

// TestOnePendingConfChange: the leader accepts one conf change at a time.
// Two adds arrive together: the second is proposed while the first is
// not applied, so raft turns it into an empty entry; it never takes effect
// and its client times out (etcd's "request timed out").
func TestOnePendingConfChange(t *testing.T) {
	cfg := slotsConfig(19, 3, 1)
	cfg.Horizon = 20 * time.Second
	c := build(t, cfg)
	e := c.Etcd
	// On etcd-1's host, so both requests arrive in the same instant.
	k := c.Etcd.NewClient("admin", host(c, "h1"), e.Members[0])
	got := map[string]string{}
	var answered sim.Time
	at(c, 5*time.Second, func() {
		k.MemberAdd(e.Members[1], true, "", 10*time.Second, func(err string) { got["etcd-2"] = err })
		k.MemberAdd(e.Members[2], true, "", 10*time.Second, func(err string) { got["etcd-3"] = err; answered = c.Sim.Now() })
	})
	c.Run()
	noViolations(t, c)
	if got["etcd-2"] != "" || got["etcd-3"] != etcd.ErrRequestTimeout {
		t.Fatalf("answers %q, want etcd-2 added and etcd-3 timed out", got)
	}
	if d := answered.Sub(sim.At(5 * time.Second)); d < 7*time.Second || d > 7200*time.Millisecond {
		t.Errorf("second add answered after %v, want the 7 s request timeout", d)
	}
	m1 := e.Members[0]
	if names(m1.Learners()) != "etcd-2" || len(events(c, etcd.EvMemberAdded)) != 1 {
		t.Fatalf("learners %s, records %v", names(m1.Learners()), events(c, etcd.EvMemberAdded))
	}
}

// TestMembershipChaos: conf changes (a join, a removal, another join)
// under random crashes, partitions, pauses and slow disks, with the full
// invariant scan after every event, over many seeds; strict reconfig
// checks on for half the seeds and off for the other half, so changes
// also go through mid-fault. The cluster recovers once the faults heal,
// and a seed always gives the same run.
func TestMembershipChaos(t *testing.T) {
	seeds := uint64(40)
	if testing.Short() {
		seeds = 8
	}
	completed := 0
	run := func(seed uint64) (*Cluster, int) {
		st := sim.New(seed).Stream("chaos")
		targets := []Target{{TargetHost, "h1"}, {TargetHost, "h2"}, {TargetHost, "h3"}, {TargetHost, "h4"}, {TargetHost, "h5"},
			{TargetZone, "b"}, {TargetLeader, "etcd"}}
		kinds := []FaultKind{FaultHostCrash, FaultProcessKill, FaultProcessPause, FaultPartition, FaultSlowDisk, FaultLink, FaultZoneOutage}
		var faults []FaultConfig
		for i := uint64(0); i < 8; i++ {
			f := FaultConfig{Kind: kinds[st.IntN(i*10, len(kinds))], Target: targets[st.IntN(i*10+1, len(targets))],
				At:       2*time.Second + time.Duration(st.IntN(i*10+3, 50_000))*time.Millisecond,
				Duration: time.Duration(200+st.IntN(i*10+4, 6000)) * time.Millisecond}
			switch f.Kind {
			case FaultZoneOutage:
				f.Target = Target{TargetZone, []string{"a", "b", "c"}[st.IntN(i*10+2, 3)]}
			case FaultLink:
				lat, loss := fabric.Between(5*time.Millisecond, 300*time.Millisecond), 0.3
				f.Latency, f.Loss = &lat, &loss
			case FaultSlowDisk:
				f.Fsync = fabric.Between(50*time.Millisecond, 1500*time.Millisecond)
			case FaultPartition:
				f.OneWay = st.IntN(i*10+5, 2) == 0
			}
			faults = append(faults, f)
		}
		cfg := slotsConfig(seed, 5, 3, faults...)
		cfg.Horizon = 90 * time.Second
		// The orchestrating client in a zone of its own, out of the faults'
		// reach (a zone outage of a would kill kubeadm with its calls).
		cfg.Zones = append(cfg.Zones, "d")
		cfg.Hosts[len(cfg.Hosts)-1].Zone = "d"
		strict := seed%2 == 0
		cfg.Etcd.StrictReconfigCheck = &strict
		cfg.Probes = []kube.ProbeConfig{{Name: "writes", Host: "client", Kind: kube.ProbeWrite}}
		c := build(t, cfg)
		e := c.Etcd
		k := c.Etcd.NewClient("kubeadm", host(c, "client"), e.Members...)
		done := 0
		victim := e.Members[st.IntN(100, 3)]
		var remove func()
		remove = func() {
			k.MemberRemove(victim, "chaos", 2*time.Second, func(err string) {
				if err != "" && err != etcd.ErrMemberNotFound {
					c.Sim.After(500*time.Millisecond, "retry remove", remove)
					return
				}
				done++
				kubeadmJoin(c, k, e.Members[4], func(*join) { done++ })
			})
		}
		at(c, 3*time.Second+time.Duration(st.IntN(101, 5000))*time.Millisecond, func() {
			kubeadmJoin(c, k, e.Members[3], func(*join) { done++; remove() })
		})
		c.Run()
		noViolations(t, c)
		return c, done
	}
	for seed := uint64(1); seed <= seeds; seed++ {
		c, done := run(seed)
		if done == 3 {
			completed++
		} else if testing.Verbose() {
			for _, r := range c.Timeline() {
				switch r.Event {
				case etcd.EvMemberAdded, etcd.EvMemberPromoted, etcd.EvMemberRemoved, etcd.EvMemberLeft:
					t.Logf("seed %d (%d changes done): %v %s %s: %s", seed, done, r.T, r.Event, r.Member, r.Reason)
				}
			}
		} else if testing.Verbose() {
			for _, r := range c.Timeline() {
				switch r.Event {
				case etcd.EvMemberAdded, etcd.EvMemberPromoted, etcd.EvMemberRemoved, etcd.EvMemberLeft, EvFaultInjected, EvFaultHealed:
					t.Logf("seed %d (done %d): %v %s %s %s %s", seed, done, r.T, r.Event, r.Member, r.Target, r.Reason)
				}
			}
		}
		checkRecovered(t, c, seed)
		if seed <= 3 {
			c2, _ := run(seed)
			if d1, d2 := digestTimeline(c), digestTimeline(c2); d1 != d2 || c.Sim.Events() != c2.Sim.Events() {
				t.Errorf("seed %d: two runs differ: %s/%d vs %s/%d", seed, d1, c.Sim.Events(), d2, c2.Sim.Events())
			}
		}
	}
	t.Logf("%d of %d seeds completed all three changes", completed, seeds)
	if completed < int(seeds)*3/4 {
		t.Errorf("only %d of %d seeds completed the changes: the test exercises too little", completed, seeds)
	}
}

// TestInvariantCheckerCatchesWithChangedConfig: after a membership change
// the invariant checks use the new configuration: a commit held by one of
// two voters is caught, both by the leader's own check and by the scan.
func TestInvariantCheckerCatchesWithChangedConfig(t *testing.T) {
	setup := func() (*Cluster, *etcd.Member) {
		cfg := slotsConfig(23, 2, 1)
		cfg.Horizon = 10 * time.Second
		c := build(t, cfg)
		k := c.Etcd.NewClient("kubeadm", host(c, "client"), c.Etcd.Members[0])
		at(c, 2*time.Second, func() { kubeadmJoin(c, k, c.Etcd.Members[1], nil) })
		c.Run()
		noViolations(t, c)
		l := c.Etcd.Leader()
		if l == nil || l.Quorum() != 2 {
			t.Fatalf("no two-voter cluster: leader %v", l)
		}
		// An entry only the leader holds, durably.
		l.Log.Append(etcd.Entry{Term: l.HS.Term})
		l.Log.Stable = l.Log.LastIndex()
		return c, l
	}
	c, l := setup()
	c.Etcd.CheckCommit(l, l.Log.LastIndex())
	if v := c.Violations(); len(v) == 0 || v[0].Invariant != "commit-without-quorum" {
		t.Errorf("leader's check: violations %v", v)
	}
	c, l = setup()
	l.Log.Committed = l.Log.LastIndex()
	c.CheckInvariants()
	if v := c.Violations(); len(v) == 0 || v[0].Invariant != "commit-without-quorum" {
		t.Errorf("scan: violations %v", v)
	}
}

// TestMembershipAPI: a kubeadm-style join and a removal through the
// exported API only, and what the timeline records of them (report's
// narrator tells each as "<Member> is <Reason>").
func TestMembershipAPI(t *testing.T) {
	c, err := Build(Config{
		Seed: 1, Horizon: 20 * time.Second, Zones: []string{"a", "b"},
		Hosts:       []fabric.HostConfig{{Name: "master-1", Zone: "a"}, {Name: "master-2", Zone: "b"}, {Name: "admin", Zone: "a"}},
		Network:     fabric.DefaultNetworkConfig(),
		EtcdMembers: []string{"master-1", "master-2"},
		Etcd:        etcd.EtcdConfig{InitialMembers: 1},
	})
	if err != nil {
		t.Fatal(err)
	}
	e := c.Etcd
	m1, m2 := e.Member("etcd-1"), e.Member("etcd-2")
	k := c.Etcd.NewClient("kubeadm", c.Hosts[2], m1)
	var answers []string
	note := func(what string) func(string) {
		return func(err string) { answers = append(answers, what+": "+err) }
	}
	c.Sim.At(sim.At(3*time.Second), "join", func() {
		k.MemberAdd(m2, true, "kubeadm join master-2", 2*time.Second, func(err string) {
			note("add")(err)
			m2.StartProcess("started by kubeadm join")
		})
	})
	c.Sim.At(sim.At(5*time.Second), "promote", func() { k.MemberPromote(m2, "kubeadm join: in sync", 2*time.Second, note("promote")) })
	c.Sim.At(sim.At(10*time.Second), "remove", func() { k.MemberRemove(m2, "kubeadm reset master-2", 2*time.Second, note("remove")) })
	c.Run()
	if strings.Join(answers, "|") != "add: |promote: |remove: " {
		t.Fatalf("answers %q", answers)
	}
	var got []string
	for _, r := range c.Timeline() {
		switch r.Event {
		case etcd.EvMemberAdded, etcd.EvMemberPromoted, etcd.EvMemberRemoved, etcd.EvMemberLeft:
			got = append(got, fmt.Sprintf("%s %s (%s, %d): %s", r.Event, r.Member, r.Peer, r.Index, r.Reason))
		}
	}
	want := []string{
		"member.added etcd-2 (etcd-1, 2): added as a learner (proposed by etcd-1, applied at index 2): kubeadm join master-2",
		"member.promoted etcd-2 (etcd-1, 4): promoted to a voting member (proposed by etcd-1, applied at index 4): kubeadm join: in sync; voters now etcd-1, etcd-2 (quorum 2)",
		"member.removed etcd-2 (etcd-1, 5): removed from the cluster (proposed by etcd-1, applied at index 5): kubeadm reset master-2; voters now etcd-1 (quorum 1)",
		"member.left etcd-2 (, 0): the member has been permanently removed from the cluster: etcd-1 refuses its messages (HTTP 410 Gone)",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("records:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !m2.Left() || len(m1.Voters()) != 1 || m1.Quorum() != 1 {
		t.Errorf("after the removal: etcd-2 left %v, etcd-1's voters %d", m2.Left(), len(m1.Voters()))
	}
}
