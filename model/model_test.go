package model

import (
	"fmt"
	"hash/fnv"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"hasim/internal/golden"
	"hasim/sim"

	"hasim/model/etcd"
	"hasim/model/fabric"
	"hasim/model/kube"
)

// threeMembers is a 3-member cluster in three zones with a write probe.
func threeMembers(seed uint64, faults ...FaultConfig) Config {
	return Config{
		Seed: seed, Horizon: 30 * time.Second,
		Zones: []string{"a", "b", "c"},
		Hosts: []fabric.HostConfig{{Name: "h1", Zone: "a"}, {Name: "h2", Zone: "b"}, {Name: "h3", Zone: "c"},
			{Name: "client", Zone: "a"}},
		Network:     fabric.DefaultNetworkConfig(),
		EtcdMembers: []string{"h1", "h2", "h3"},
		Etcd:        etcd.EtcdConfig{Version: "3.5"},
		Probes: []kube.ProbeConfig{
			{Name: "write", Host: "client", Kind: kube.ProbeWrite},
			{Name: "read", Host: "client", Kind: kube.ProbeRead},
			{Name: "stale-read", Host: "client", Kind: kube.ProbeSerializableRead},
		},
		Faults:          faults,
		CheckInvariants: true,
	}
}

func digestTimeline(c *Cluster) string {
	h := fnv.New64a()
	for _, r := range c.Timeline() {
		fmt.Fprintf(h, "%d|%s|%s|%s|%s|%d|%s|%s|%d|%s\n", r.T, r.Event, r.Member, r.Host, r.Proc, r.Term, r.Leader, r.Peer, r.Index, r.Reason)
	}
	return fmt.Sprintf("%016x", h.Sum64())
}

// TestModelDeterminism: the same config and seed give the same timeline and
// event count; another seed gives another; digests of a few seeds are
// pinned in testdata/model-digests.golden (go test -update rewrites it).
func TestModelDeterminism(t *testing.T) {
	kill := FaultConfig{Kind: FaultHostCrash, At: 10 * time.Second, Duration: 8 * time.Second, Target: Target{Kind: TargetLeader, Name: "etcd"}}
	run := func(seed uint64) (string, uint64) {
		c := mustRun(t, threeMembers(seed, kill))
		return digestTimeline(c), c.Sim.Events()
	}
	d1, n1 := run(7)
	d2, n2 := run(7)
	if d1 != d2 || n1 != n2 {
		t.Fatalf("same seed: %s/%d vs %s/%d", d1, n1, d2, n2)
	}
	if d3, _ := run(8); d3 == d1 {
		t.Fatalf("seeds 7 and 8 gave the same timeline %s", d1)
	}
	var b strings.Builder
	for _, seed := range []uint64{1, 2, 3, 1000} {
		d, n := run(seed)
		fmt.Fprintf(&b, "seed %d: %s %d events\n", seed, d, n)
	}
	golden.Check(t, filepath.Join("testdata", "model-digests.golden"), b.String())
}

// TestInvariantsUnderChaos: random faults of every kind over many seeds,
// with the full invariant scan after every event: at most one leader per
// term, no commit without a quorum of durable copies, one vote per member
// and term. The cluster must also recover: once every fault has healed, a
// leader commits again.
func TestInvariantsUnderChaos(t *testing.T) {
	seeds := uint64(60)
	if testing.Short() {
		seeds = 10
	}
	for seed := uint64(1); seed <= seeds; seed++ {
		st := sim.New(seed).Stream("chaos")
		var faults []FaultConfig
		kinds := slices.DeleteFunc(FaultKinds(), FaultKind.IsOperation)
		targets := []Target{{TargetHost, "h1"}, {TargetHost, "h2"}, {TargetHost, "h3"}, {TargetZone, "b"}, {TargetLeader, "etcd"}}
		for i := uint64(0); i < 8; i++ {
			kind := kinds[st.IntN(i*10, len(kinds))]
			tg := targets[st.IntN(i*10+1, len(targets))]
			if kind == FaultZoneOutage {
				tg = Target{TargetZone, []string{"a", "b", "c"}[st.IntN(i*10+2, 3)]}
			}
			f := FaultConfig{Kind: kind, Target: tg,
				At:       2*time.Second + time.Duration(st.IntN(i*10+3, 40_000))*time.Millisecond,
				Duration: time.Duration(200+st.IntN(i*10+4, 6000)) * time.Millisecond}
			switch kind {
			case FaultLink:
				lat := fabric.Between(5*time.Millisecond, 300*time.Millisecond)
				loss := 0.3
				f.Latency, f.Loss = &lat, &loss
			case FaultSlowDisk:
				f.Fsync = fabric.Between(50*time.Millisecond, 1500*time.Millisecond)
			case FaultPartition:
				f.OneWay = st.IntN(i*10+5, 2) == 0
			case FaultClockStep:
				f.Step = 3 * time.Second
			case FaultClockDrift:
				f.Rate = 1.05
			case FaultProcessCrash:
				f.Duration = 0 // the kubelet restarts the member
			}
			faults = append(faults, f)
		}
		cfg := threeMembers(seed, faults...)
		cfg.Horizon = 75 * time.Second
		c := mustRun(t, cfg)
		checkRecovered(t, c, seed)
	}
}

// checkRecovered: a leader committed after the last fault healed.
func checkRecovered(t *testing.T, c *Cluster, seed uint64) {
	t.Helper()
	lastHeal := sim.Time(0)
	for _, f := range c.Faults {
		lastHeal = max(lastHeal, f.HealedAt)
	}
	recovered := false
	for _, r := range c.Timeline() {
		if r.T > lastHeal && (r.Event == etcd.EvFirstCommit || r.Event == kube.EvProbeUp) {
			recovered = true
		}
	}
	if l := c.Etcd.Leader(); l != nil && l.Committed() > 0 {
		recovered = true
	}
	if !recovered {
		t.Errorf("seed %d: no leader after all faults healed at %v", seed, lastHeal)
	}
}

// TestCrashKeepsPersistentState: a host crash loses volatile state (role,
// leader) but term, vote and the fsynced log survive, and the member
// rejoins as a follower of the current leader.
func TestCrashKeepsPersistentState(t *testing.T) {
	crash := FaultConfig{Kind: FaultHostCrash, At: 10 * time.Second, Duration: 5 * time.Second, Target: Target{TargetHost, "h2"}}
	cfg := threeMembers(3, crash)
	cfg.Horizon = 10*time.Second + time.Millisecond
	c := mustRun(t, cfg)
	m := c.Etcd.Members[1]
	term, vote, last := m.Disk.Term, m.Disk.Vote, m.Log.Stable
	if m.Proc.State() != fabric.Stopped || m.State() != etcd.Follower || m.Lead != etcd.None {
		t.Fatalf("crashed member: process %v, role %v, lead %d", m.Proc.State(), m.State(), m.Lead)
	}
	if term == 0 || last == 0 {
		t.Fatalf("nothing persisted: term %d, stable %d", term, last)
	}
	c.cfg.Horizon = 30 * time.Second
	c.Run()
	if m.Proc.State() != fabric.Running || m.State() != etcd.Follower || m.Lead == etcd.None || m.HS.Term < term || m.Log.LastIndex() < last {
		t.Fatalf("after reboot: %v %v lead %d term %d (was %d) last %d (was %d)",
			m.Proc.State(), m.State(), m.Lead, m.HS.Term, term, m.Log.LastIndex(), last)
	}
	_ = vote
}

// TestPauseDefersTimersAndMessages: a paused process handles nothing; its
// timers fire late, once, on resume, and its ticker keeps its phase.
func TestPauseDefersTimersAndMessages(t *testing.T) {
	cfg := threeMembers(1)
	cfg.Horizon = 5 * time.Second
	c, err := Build(cfg)
	if err != nil {
		t.Fatal(err)
	}
	p := c.Procs[0]
	var fired []sim.Time
	tm := p.NewTimer("test/one-shot", func() { fired = append(fired, c.Sim.Now()) })
	var ticks []sim.Time
	tk := p.NewTimer("test/ticker", func() { ticks = append(ticks, c.Sim.Now()) })
	c.Sim.At(sim.At(time.Second), "arm", func() {
		tm.After(500 * time.Millisecond)
		tk.StartTicker(100*time.Millisecond, 100*time.Millisecond)
		p.Pause()
	})
	c.Sim.At(sim.At(2500*time.Millisecond), "resume", p.Resume)
	c.Run()
	if len(fired) != 1 || fired[0] != sim.At(2500*time.Millisecond) {
		t.Fatalf("one-shot fired at %v, want once at 2.5s (on resume)", fired)
	}
	if len(ticks) < 2 || ticks[0] != sim.At(2500*time.Millisecond) || ticks[1] != sim.At(2600*time.Millisecond) {
		t.Fatalf("ticks %v, want one at 2.5s on resume, then on the 100ms grid", ticks[:min(3, len(ticks))])
	}
}

// TestNetworkFabric checks latency, FIFO order, loss, one-way cuts and the
// reconnection delay after a heal.
func TestNetworkFabric(t *testing.T) {
	cfg := threeMembers(1)
	cfg.Horizon = time.Hour
	cfg.Network.SameZone = fabric.Between(time.Millisecond, 5*time.Millisecond)
	cfg.Network.Reconnect = fabric.Between(300*time.Millisecond, 900*time.Millisecond)
	c, err := Build(cfg)
	if err != nil {
		t.Fatal(err)
	}
	// Two test processes in zone a, one in zone b.
	type got struct {
		at  sim.Time
		ctx uint64
	}
	var recv []got
	sink := &funcHandler{deliver: func(m *fabric.Message) { recv = append(recv, got{c.Sim.Now(), m.ReqID}) }}
	a1 := c.AddProcess("t-a1", "client", c.Hosts[0], &funcHandler{})
	a2 := c.AddProcess("t-a2", "client", c.Hosts[3], sink)
	b := c.AddProcess("t-b", "client", c.Hosts[1], sink)
	for _, p := range []*fabric.Process{a1, a2, b} {
		p.Enable()
		p.Start()
	}
	send := func(to *fabric.Process, ctx uint64) {
		c.Net.Send(&fabric.Message{Type: etcd.MsgClientReply, From: a1, To: to, ReqID: ctx})
	}

	// Same zone: latency within [1ms, 5ms], FIFO.
	for i := uint64(1); i <= 200; i++ {
		send(a2, i)
	}
	c.Sim.Run(sim.Bounds{Until: sim.At(time.Second)})
	if len(recv) != 200 {
		t.Fatalf("received %d of 200", len(recv))
	}
	for i, r := range recv {
		if r.ctx != uint64(i+1) {
			t.Fatalf("message %d arrived as %d: link not FIFO", r.ctx, i+1)
		}
		if d := r.at.Sub(0); i == 0 && (d < time.Millisecond || d > 5*time.Millisecond) {
			t.Fatalf("same-zone latency %v outside [1ms, 5ms]", d)
		}
	}

	// One-way cut a→b: messages to b are lost, and even b→a (a reply on
	// the same TCP connection) cannot pass; a datagram b→a can.
	recv = recv[:0]
	cutAB := c.Net.Cut(c.Hosts[0:1], c.Hosts[1:2], true)
	send(b, 1)
	c.Net.Send(&fabric.Message{Type: kube.MsgVRRPAdvert, From: b, To: a2, ReqID: 2})
	c.Net.Send(&fabric.Message{Type: etcd.MsgClientReply, From: b, To: a1, ReqID: 3})
	c.Sim.Run(sim.Bounds{Until: sim.At(2 * time.Second)})
	if len(recv) != 1 || recv[0].ctx != 2 {
		t.Fatalf("under a one-way cut received %v, want only the datagram (2)", recv)
	}

	// Heal: the connection is back only after the reconnection delay.
	c.Net.Heal(cutAB)
	healed := c.Sim.Now()
	restore := c.Net.Conn(0, 1).RestoreAt
	if d := restore.Sub(healed); d < 300*time.Millisecond || d > 900*time.Millisecond {
		t.Fatalf("reconnection delay %v outside [300ms, 900ms]", d)
	}
	recv = recv[:0]
	send(b, 10) // too early: lost
	c.Sim.At(restore, "after", func() { send(b, 11) })
	c.Sim.Run(sim.Bounds{Until: restore.Add(time.Second)})
	if len(recv) != 1 || recv[0].ctx != 11 {
		t.Fatalf("around the reconnection received %v, want only 11", recv)
	}

	// Loss: 30% of 5000 messages dropped, within 5 sigma.
	loss := 0.3
	c.Net.Degrade(c.Hosts[0:1], c.Hosts[1:2], nil, &loss)
	recv = recv[:0]
	for i := uint64(0); i < 5000; i++ {
		send(b, i)
	}
	c.Sim.Run(sim.Bounds{Until: c.Sim.Now().Add(time.Second)})
	if lost := 5000 - len(recv); lost < 1500-162 || lost > 1500+162 {
		t.Fatalf("lost %d of 5000 at 30%% loss", lost)
	}
}

// funcHandler is a test process behaviour.
type funcHandler struct{ deliver func(*fabric.Message) }

func (h *funcHandler) Start() {}
func (h *funcHandler) Stop()  {}
func (h *funcHandler) Deliver(m *fabric.Message) {
	if h.deliver != nil {
		h.deliver(m)
	}
}

// TestReadsAndWritesOnMinority: a member cut off from the others cannot
// commit writes or answer linearizable reads (ReadIndex needs a quorum),
// but answers serializable reads from its local state.
func TestReadsAndWritesOnMinority(t *testing.T) {
	iso := FaultConfig{Kind: FaultPartition, At: 5 * time.Second, Duration: 20 * time.Second, Target: Target{TargetHost, "h1"},
		Peer: &Target{TargetRole, "etcd"}}
	cfg := threeMembers(2, iso)
	cfg.Probes = []kube.ProbeConfig{
		{Name: "write", Host: "client", Kind: kube.ProbeWrite, Endpoints: []string{"etcd-1"}, Timeout: time.Second},
		{Name: "read", Host: "client", Kind: kube.ProbeRead, Endpoints: []string{"etcd-1"}, Timeout: time.Second},
		{Name: "stale-read", Host: "client", Kind: kube.ProbeSerializableRead, Endpoints: []string{"etcd-1"}, Timeout: time.Second},
	}
	c := mustRun(t, cfg)
	w, r, s := c.Probes[0], c.Probes[1], c.Probes[2]
	// A request samples the service at its send time: one sent up to a
	// timeout before the heal (plus the reconnection) can still succeed.
	// So at least 20s - 1s of the 20 s partition is unavailable.
	for _, p := range []*kube.Probe{w, r} {
		if d := p.Unavailable(); d < 19*time.Second || d > 24*time.Second {
			t.Errorf("%s through the isolated member unavailable for %v, want 19–24 s", p.Name, d)
		}
	}
	if a := s.Availability(); a < 0.999 {
		t.Errorf("serializable reads available %.2f%%, want 100%%", a*100)
	}
}

// TestSlowDiskCausesChurn: fsyncs slower than the election timeout on the
// leader block its Ready loop, so heartbeats stop leaving and followers
// elect another leader (the etcd FAQ's "leader lost from disk latency").
func TestSlowDiskCausesChurn(t *testing.T) {
	slow := FaultConfig{Kind: FaultSlowDisk, At: 5 * time.Second, Duration: 15 * time.Second,
		Target: Target{TargetLeader, "etcd"}, Fsync: fabric.Between(2*time.Second, 3*time.Second)}
	c := mustRun(t, threeMembers(4, slow))
	f := c.Faults[0]
	if f.NewLeaderAt == 0 {
		t.Fatalf("no new leader under a 2–3 s fsync on the leader")
	}
	if d := f.NewLeaderAt.Sub(f.InjectedAt); d > 5*time.Second {
		t.Fatalf("new leader only %v after the disk slowed", d)
	}
}

// TestZoneOutageAndLink: a zone outage takes down every host in it; a link
// fault raises latency between the chosen hosts only.
func TestZoneOutageAndLink(t *testing.T) {
	lat := fabric.Fixed(80 * time.Millisecond)
	cfg := threeMembers(5,
		FaultConfig{Kind: FaultZoneOutage, At: 5 * time.Second, Duration: 5 * time.Second, Target: Target{TargetZone, "b"}},
		FaultConfig{Kind: FaultLink, At: 15 * time.Second, Duration: 5 * time.Second, Target: Target{TargetHost, "h1"}, Latency: &lat})
	c, err := Build(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c.Sim.At(sim.At(6*time.Second), "check-zone", func() {
		if c.Hosts[1].Up() || !c.Hosts[0].Up() || !c.Hosts[2].Up() {
			t.Errorf("zone b outage: hosts up %v %v %v", c.Hosts[0].Up(), c.Hosts[1].Up(), c.Hosts[2].Up())
		}
	})
	c.Sim.At(sim.At(16*time.Second), "check-link", func() {
		if d, _ := c.Net.LinkParams(c.Hosts[0], c.Hosts[1]); d.String() != lat.String() {
			t.Errorf("h1-h2 latency %v during the link fault", d)
		}
		if d, _ := c.Net.LinkParams(c.Hosts[1], c.Hosts[2]); d.String() == lat.String() {
			t.Errorf("h2-h3 latency changed by a fault on h1")
		}
	})
	c.Run()
	if !c.Hosts[1].Up() {
		t.Fatal("zone b did not come back")
	}
}

// TestTriggeredFaultSkippedKeepsReason: a triggered fault that fires
// but finds no target (it waits for the leader's kill, then targets the
// leader, which no longer exists) is reported with the timeline's reason
// and the time it was tried, not as an event that never happened.
func TestTriggeredFaultSkippedKeepsReason(t *testing.T) {
	cfg := threeMembers(1,
		FaultConfig{Kind: FaultProcessKill, At: 10 * time.Second, Target: Target{TargetLeader, "etcd"}, Duration: 5 * time.Second},
		FaultConfig{Kind: FaultProcessKill, At: 5 * time.Second, Target: Target{TargetLeader, "etcd"}, Duration: 5 * time.Second,
			On: &Trigger{Event: fabric.EvProcStopped}})
	c := mustRun(t, cfg)
	r := c.Result(sim.ReachedTime)
	want := "no host matches leader:etcd now"
	if got := r.Faults[1].Skipped; got != want {
		t.Fatalf("skipped = %q, want %q", got, want)
	}
	if r.Faults[1].At != sim.At(10*time.Second) {
		t.Fatalf("tried at %v, want 10s (the kill it waited for)", r.Faults[1].At)
	}
	found := false
	for _, rec := range r.Timeline {
		found = found || (rec.Event == EvFaultInjected && rec.Fault == r.Faults[1].ID && rec.Reason == "skipped: "+want)
	}
	if !found {
		t.Fatalf("the timeline does not give the reason %q", want)
	}
}

// TestFaultOnEvent: a fault armed at 10 s waits for the next member to
// become leader and kills it 2 s later; one that waits for an event that
// never comes is reported as skipped.
func TestFaultOnEvent(t *testing.T) {
	cfg := threeMembers(1,
		FaultConfig{Kind: FaultProcessKill, At: 10 * time.Second, Target: Target{TargetLeader, "etcd"}},
		FaultConfig{Kind: FaultProcessKill, At: 10 * time.Second, Target: Target{TargetLeader, "etcd"}, Duration: 5 * time.Second,
			On: &Trigger{Event: etcd.EvLeader, Delay: 2 * time.Second}},
		FaultConfig{Kind: FaultHostCrash, At: 10 * time.Second, Target: Target{TargetHost, "h1"},
			On: &Trigger{Event: kube.EvLeaseAcquired}})
	c := mustRun(t, cfg)
	r := c.Result(sim.ReachedTime)
	var elected sim.Time
	for _, rec := range r.Timeline {
		if rec.Event == etcd.EvLeader && rec.T > sim.At(10*time.Second) && elected == 0 {
			elected = rec.T
		}
	}
	if elected == 0 || r.Faults[1].At != elected.Add(2*time.Second) {
		t.Fatalf("triggered fault at %v, want 2 s after the new leader at %v", r.Faults[1].At, elected)
	}
	if r.Faults[2].Skipped == "" {
		t.Fatalf("a fault waiting for a lease in an etcd-only cluster was not reported as skipped")
	}
}
