package etcd

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"hasim/internal/golden"
	"hasim/sim"

	"hasim/model/fabric"
)

// Interaction tests of etcd alone: scripts in testdata/*.txt drive a
// cluster of etcd members (no control plane) one command at a time and
// compare each command's output with the block that follows it, in the
// style of etcd-io/raft's datadriven testdata. A script is a sequence of
//
//	# comments and blank lines between commands
//	command arg key=value ...
//	----
//	expected output (ends at the first blank line)
//
// Commands (members are etcd-N, hosts hN, the client host "client"):
//
//	cluster members=3 [initial=N] [prevote=true|false] [heartbeat=100ms]
//	        [election=1s] [seed=1] [snapshot-count=N catchup=N] [strict=true|false]
//	        [tick-advance=true|false]
//	run 5s [all]        advance virtual time; print the Raft records of the
//	                    interval (elections, step-downs, membership, faults);
//	                    "all" adds followers and vote rejections
//	roles               each member: role, term, leader it follows, process state
//	log                 each member: last index, committed, applied, log offset
//	snapshots           how many snapshots leaders have sent (MsgSnap)
//	conf                each member's view of the voters and learners
//	crash etcd-1        host crash (Host.Crash); restart etcd-1 repairs and boots it
//	partition etcd-1 | etcd-2,etcd-3 [| ...]   cut every group from every other
//	                    (Network.Cut); "client" names the client host
//	isolate etcd-1      cut the member's host from every other host
//	heal                heal every cut
//	pause etcd-2 / resume etcd-2   SIGSTOP / SIGCONT (Process.Freeze / Thaw)
//	stop etcd-1         SIGTERM: etcd's graceful stop (leadership transfer
//	                    first if it leads); start etcd-1 starts it again
//	transfer etcd-3     the leader is asked to hand its leadership to etcd-3
//	                    (raft's MsgTransferLeader, as etcdctl move-leader)
//	put [via=etcd-1,...] [n=1] [timeout=3s]   n client writes, run until all
//	                    are answered; print each answer
//	member-add etcd-4 [learner] [via=...] / member-promote / member-remove
//	                    the Cluster API through the client, run until answered
//	start-member etcd-4 start a joining member's process (--initial-cluster-state=existing)
//	invariants          the full invariant scan: "ok" or the violations
//
// Run with -rewrite (or HASIM_UPDATE=1) to rewrite the expected blocks;
// then read every one: they assert what etcd's Raft does.

var rewriteScripts = flag.Bool("rewrite", false, "rewrite the expected output of testdata/*.txt")

func TestEtcdScripts(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".txt"), func(t *testing.T) { runScript(t, f) })
	}
	if len(files) < 12 {
		t.Errorf("%d scripts in testdata, want at least 12", len(files))
	}
}

// scriptCmd is one command of a script and its expected output.
type scriptCmd struct {
	line     int
	text     string
	expected string
}

// parseScript splits a script into commands; pre holds the comment and
// blank lines before each command, kept for a rewrite.
func parseScript(t *testing.T, path string) (cmds []scriptCmd, pre []string, tail string) {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	var gap []string
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if s := strings.TrimSpace(l); s == "" || strings.HasPrefix(s, "#") {
			gap = append(gap, l)
			continue
		}
		c := scriptCmd{line: i + 1, text: strings.TrimSpace(l)}
		if i+1 >= len(lines) || strings.TrimSpace(lines[i+1]) != "----" {
			t.Fatalf("%s:%d: command %q is not followed by a ---- line", path, i+1, c.text)
		}
		i += 2
		var out []string
		for ; i < len(lines) && lines[i] != ""; i++ {
			out = append(out, lines[i])
		}
		c.expected = strings.Join(out, "\n")
		cmds = append(cmds, c)
		pre = append(pre, strings.Join(gap, "\n"))
		gap = nil
	}
	return cmds, pre, strings.Join(gap, "\n")
}

func runScript(t *testing.T, path string) {
	cmds, pre, tail := parseScript(t, path)
	h := &etcdHarness{t: t}
	rewrite := *rewriteScripts || golden.Updating()
	var b strings.Builder
	for i, c := range cmds {
		got, err := h.do(c.text)
		if err != nil {
			t.Fatalf("%s:%d: %s: %v", path, c.line, c.text, err)
		}
		got = strings.TrimRight(got, "\n")
		if rewrite {
			if pre[i] != "" {
				b.WriteString(pre[i] + "\n")
			}
			b.WriteString(c.text + "\n----\n")
			if got != "" {
				b.WriteString(got + "\n")
			}
			b.WriteString("\n")
			continue
		}
		if got != c.expected {
			t.Errorf("%s:%d: %s\ngot:\n%s\nwant:\n%s", path, c.line, c.text, got, c.expected)
		}
	}
	if rewrite {
		out := strings.TrimRight(b.String(), "\n") + "\n"
		if strings.TrimSpace(tail) != "" {
			out += strings.TrimLeft(tail, "\n") + "\n"
		}
		if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// etcdHarness is the cluster a script drives.
type etcdHarness struct {
	t       *testing.T
	w       *fabric.World
	e       *Etcd
	cuts    []*fabric.Cut
	clients map[string]*EtcdClient
	seen    int // records already printed by run
}

func (h *etcdHarness) do(line string) (string, error) {
	f := strings.Fields(line)
	cmd, args := f[0], f[1:]
	if cmd != "cluster" && h.e == nil {
		return "", fmt.Errorf("no cluster yet: start with a cluster command")
	}
	switch cmd {
	case "cluster":
		return h.cluster(args)
	case "run":
		if len(args) == 0 {
			return "", fmt.Errorf("run needs a duration")
		}
		d, err := time.ParseDuration(args[0])
		if err != nil {
			return "", err
		}
		h.runFor(d, nil)
		return h.newRecords(len(args) > 1 && args[1] == "all"), nil
	case "roles":
		return h.roles(), nil
	case "log":
		return h.logs(), nil
	case "snapshots":
		return fmt.Sprintf("%d snapshots sent (MsgSnap)", h.w.Net.Sent(MsgSnap)), nil
	case "conf":
		return h.confs(), nil
	case "invariants":
		h.e.CheckInvariants()
		if v := h.e.Violations(); len(v) > 0 {
			var b strings.Builder
			for _, x := range v {
				b.WriteString(x.String() + "\n")
			}
			return b.String(), nil
		}
		return "ok", nil
	case "heal":
		for _, c := range h.cuts {
			h.w.Net.Heal(c)
		}
		h.cuts = nil
		return "", nil
	case "partition":
		return "", h.partition(args)
	case "put":
		return h.put(args)
	case "member-add", "member-promote", "member-remove":
		return h.member(cmd, args)
	}
	// Commands on one member.
	if len(args) != 1 {
		return "", fmt.Errorf("%s takes one member", cmd)
	}
	m := h.e.Member(args[0])
	if m == nil {
		return "", fmt.Errorf("no member %q", args[0])
	}
	p, host := m.Proc, m.Proc.Host
	switch cmd {
	case "crash":
		if host.Crash() {
			h.w.Record(fabric.Record{Event: fabric.EvHostDown, Host: host.Name})
		}
	case "restart":
		if host.Repair() {
			h.w.Record(fabric.Record{Event: fabric.EvHostUp, Host: host.Name})
			host.Boot()
		}
	case "isolate":
		var others []*fabric.Host
		for _, x := range h.w.Hosts {
			if x != host {
				others = append(others, x)
			}
		}
		h.cuts = append(h.cuts, h.w.Net.Cut([]*fabric.Host{host}, others, false))
	case "pause":
		p.Freeze()
		h.w.Record(fabric.Record{Event: fabric.EvProcPaused, Proc: p.Name, Host: host.Name, Reason: "frozen (SIGSTOP)"})
	case "resume":
		if p.Thaw() {
			h.w.Record(fabric.Record{Event: fabric.EvProcResumed, Proc: p.Name, Host: host.Name, Reason: "resumed (SIGCONT)"})
			p.Resume()
		}
	case "stop":
		p.Hold()
		m.Sigterm(0)
	case "start":
		if p.Release() {
			h.w.Record(fabric.Record{Event: fabric.EvProcStarted, Proc: p.Name, Host: host.Name, Reason: "restarted"})
			p.Start()
		}
	case "start-member":
		m.StartProcess("started by the script (--initial-cluster-state=existing)")
	case "transfer":
		l := h.e.Leader()
		if l == nil {
			return "no leader", nil
		}
		l.transferLeader(m.ID)
		l.ready()
	default:
		return "", fmt.Errorf("unknown command %q", cmd)
	}
	return "", nil
}

// kv parses key=value arguments; bare words map to "true".
func kv(args []string) map[string]string {
	out := map[string]string{}
	for _, a := range args {
		k, v, ok := strings.Cut(a, "=")
		if !ok {
			v = "true"
		}
		out[k] = v
	}
	return out
}

func (h *etcdHarness) cluster(args []string) (string, error) {
	a := kv(args)
	num := func(k string, def int) (int, error) {
		if v, ok := a[k]; ok {
			return strconv.Atoi(v)
		}
		return def, nil
	}
	dur := func(k string) (time.Duration, error) {
		if v, ok := a[k]; ok {
			return time.ParseDuration(v)
		}
		return 0, nil
	}
	n, err := num("members", 3)
	if err != nil {
		return "", err
	}
	initial, err := num("initial", n)
	if err != nil {
		return "", err
	}
	seed, err := num("seed", 1)
	if err != nil {
		return "", err
	}
	cfg := EtcdConfig{Version: "3.5", InitialMembers: initial}
	if cfg.HeartbeatInterval, err = dur("heartbeat"); err != nil {
		return "", err
	}
	if cfg.ElectionTimeout, err = dur("election"); err != nil {
		return "", err
	}
	if v, ok := a["prevote"]; ok {
		pv := v == "true"
		cfg.PreVote = &pv
	}
	if v, ok := a["strict"]; ok {
		s := v == "true"
		cfg.StrictReconfigCheck = &s
	}
	if v, ok := a["tick-advance"]; ok {
		adv := v == "true"
		cfg.InitialElectionTickAdvance = &adv
	}
	sc, err := num("snapshot-count", 0)
	if err != nil {
		return "", err
	}
	cu, err := num("catchup", 0)
	if err != nil {
		return "", err
	}
	cfg.SnapshotCount, cfg.SnapshotCatchUpEntries = uint64(sc), uint64(cu)
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return "", err
	}
	h.w, h.e = etcdAlone(uint64(seed), n, cfg)
	h.clients, h.cuts, h.seen = map[string]*EtcdClient{}, nil, 0
	e := h.e
	return fmt.Sprintf("%d members, %d in the initial cluster; heartbeat %v, election timeout %v, pre-vote %v",
		n, initial, e.cfg.HeartbeatInterval, e.cfg.ElectionTimeout, *e.cfg.PreVote), nil
}

// etcdAlone builds an etcd cluster of n members on hosts h1..hn, spread
// over zones a, b and c, with a host "client" in zone a for clients; no
// Kubernetes. Every member of the initial cluster starts, and the full
// invariant scan runs before every event.
func etcdAlone(seed uint64, n int, cfg EtcdConfig) (*fabric.World, *Etcd) {
	zones := []string{"a", "b", "c"}
	var hosts []fabric.HostConfig
	for i := range n {
		hosts = append(hosts, fabric.HostConfig{Name: fmt.Sprintf("h%d", i+1), Zone: zones[i%3]})
	}
	hosts = append(hosts, fabric.HostConfig{Name: "client", Zone: "a"})
	w := fabric.NewWorld(seed, zones, hosts, fabric.DefaultNetworkConfig())
	w.Watch = aloneWatcher{}
	e := NewEtcd(w, cfg, w.Hosts[:n], aloneWatcher{})
	w.Key("/registry/test") // key 0: what the clients write
	e.Index()
	w.Sim.SetTracer(scanTracer{e})
	for _, m := range e.Members {
		if m.Initial {
			m.Proc.Enable()
			m.Proc.Start()
		}
	}
	return w, e
}

// aloneWatcher watches an etcd cluster that runs alone: nothing to account.
type aloneWatcher struct{}

func (aloneWatcher) Recorded(fabric.Record) {}
func (aloneWatcher) LeadershipChanged()     {}
func (aloneWatcher) ElectedLeader(*Member)  {}
func (aloneWatcher) FirstCommit()           {}

// scanTracer runs the full invariant scan before every event.
type scanTracer struct{ e *Etcd }

func (t scanTracer) Event(sim.Event) { t.e.CheckInvariants() }

// hostNamed is w's host called name.
func hostNamed(w *fabric.World, name string) *fabric.Host {
	for _, h := range w.Hosts {
		if h.Name == name {
			return h
		}
	}
	return nil
}

// runFor advances virtual time by d or, if done is not nil, until done
// reports true, checked every millisecond of virtual time.
func (h *etcdHarness) runFor(d time.Duration, done func() bool) {
	until := h.w.Sim.Now().Add(d)
	step := d
	if done != nil {
		step = time.Millisecond
	}
	for h.w.Sim.Now() < until && (done == nil || !done()) {
		b := sim.Bounds{Until: min(h.w.Sim.Now().Add(step), until), MaxSameInstant: 1_000_000}
		if out := h.w.Sim.Run(b); out != sim.ReachedTime {
			h.t.Fatalf("run: %v", out)
		}
	}
}

// scriptEvents are the records run prints; all adds the chattier ones.
var scriptEvents = map[string]bool{
	EvLeader: true, EvStepDown: true, EvCandidate: true, EvPreCandidate: true,
	EvMemberAdded: true, EvMemberPromoted: true, EvMemberRemoved: true, EvMemberLeft: true,
	fabric.EvHostDown: true, fabric.EvHostUp: true, fabric.EvProcPaused: true, fabric.EvProcResumed: true,
	fabric.EvProcStopped: true, fabric.EvProcStarted: true, fabric.EvProcExited: true, EvViolation: true,
}

var scriptEventsAll = map[string]bool{EvFollower: true, EvVoteRejected: true, EvVoteIgnored: true}

func (h *etcdHarness) newRecords(all bool) string {
	tl := h.w.Timeline()
	var b strings.Builder
	for _, r := range tl[h.seen:] {
		if !scriptEvents[r.Event] && !(all && scriptEventsAll[r.Event]) {
			continue
		}
		fmt.Fprintf(&b, "%v %s", r.T, r.Event)
		for _, f := range [][2]string{{"", r.Member}, {"host=", r.Host}, {"proc=", r.Proc}, {"leader=", r.Leader}, {"peer=", r.Peer}} {
			if f[1] != "" {
				fmt.Fprintf(&b, " %s%s", f[0], f[1])
			}
		}
		if r.Term != 0 {
			fmt.Fprintf(&b, " term=%d", r.Term)
		}
		if r.Reason != "" {
			fmt.Fprintf(&b, ": %s", r.Reason)
		}
		b.WriteString("\n")
	}
	h.seen = len(tl)
	return b.String()
}

func (h *etcdHarness) roles() string {
	var b strings.Builder
	for _, m := range h.e.Members {
		lead := "none"
		if m.Lead != None {
			lead = m.Peer(m.Lead).Name
		}
		fmt.Fprintf(&b, "%s %s term=%d lead=%s process=%s\n", m.Name, m.state, m.HS.Term, lead, m.Proc.State())
	}
	return b.String()
}

func (h *etcdHarness) logs() string {
	var b strings.Builder
	for _, m := range h.e.Members {
		fmt.Fprintf(&b, "%s last=%d committed=%d applied=%d compacted-to=%d\n", m.Name, m.Log.LastIndex(), m.Log.Committed, m.KVIndex, m.Log.Offset)
	}
	return b.String()
}

func (h *etcdHarness) confs() string {
	var b strings.Builder
	for _, m := range h.e.Members {
		fmt.Fprintf(&b, "%s voters=%s learners=%s\n", m.Name, nameList(m.Voters()), nameList(m.Learners()))
	}
	return b.String()
}

// hostsOf resolves a comma-separated list of members (and "client").
func (h *etcdHarness) hostsOf(list string) ([]*fabric.Host, error) {
	var out []*fabric.Host
	for _, n := range strings.Split(list, ",") {
		if n == "client" {
			out = append(out, hostNamed(h.w, "client"))
			continue
		}
		m := h.e.Member(n)
		if m == nil {
			return nil, fmt.Errorf("no member %q", n)
		}
		out = append(out, m.Proc.Host)
	}
	return out, nil
}

func (h *etcdHarness) partition(args []string) error {
	var groups [][]*fabric.Host
	for _, g := range strings.Split(strings.Join(args, ""), "|") {
		hs, err := h.hostsOf(g)
		if err != nil {
			return err
		}
		groups = append(groups, hs)
	}
	if len(groups) < 2 {
		return fmt.Errorf("partition needs at least two groups separated by |")
	}
	for i := range groups {
		for j := i + 1; j < len(groups); j++ {
			h.cuts = append(h.cuts, h.w.Net.Cut(groups[i], groups[j], false))
		}
	}
	return nil
}

// client returns the client that talks to the members of via (every
// member by default), creating it on first use.
func (h *etcdHarness) client(via string) (*EtcdClient, error) {
	if via == "" {
		var all []string
		for _, m := range h.e.Members {
			all = append(all, m.Name)
		}
		via = strings.Join(all, ",")
	}
	if k, ok := h.clients[via]; ok {
		return k, nil
	}
	var eps []*Member
	for _, n := range strings.Split(via, ",") {
		m := h.e.Member(n)
		if m == nil {
			return nil, fmt.Errorf("no member %q", n)
		}
		eps = append(eps, m)
	}
	k := h.e.NewClient("client-"+strconv.Itoa(len(h.clients)+1), hostNamed(h.w, "client"), eps...)
	h.clients[via] = k
	return k, nil
}

// await runs until every one of n answers has come, and prints them with
// how long each took.
func (h *etcdHarness) await(n int, issue func(done func(i int) func(string))) string {
	start := h.w.Sim.Now()
	answers := make([]string, n)
	took := make([]time.Duration, n)
	left := n
	issue(func(i int) func(string) {
		return func(err string) {
			answers[i], took[i] = err, h.w.Sim.Now().Sub(start)
			left--
		}
	})
	h.runFor(time.Minute, func() bool { return left == 0 })
	var b strings.Builder
	for i, a := range answers {
		if a == "" {
			a = "ok"
		}
		fmt.Fprintf(&b, "%d: %s (%v)\n", i+1, a, took[i].Round(time.Millisecond))
	}
	if left > 0 {
		fmt.Fprintf(&b, "%d unanswered after a minute\n", left)
	}
	return b.String()
}

func (h *etcdHarness) put(args []string) (string, error) {
	a := kv(args)
	k, err := h.client(a["via"])
	if err != nil {
		return "", err
	}
	n, timeout := 1, 3*time.Second
	if v, ok := a["n"]; ok {
		if n, err = strconv.Atoi(v); err != nil {
			return "", err
		}
	}
	if v, ok := a["timeout"]; ok {
		if timeout, err = time.ParseDuration(v); err != nil {
			return "", err
		}
	}
	return h.await(n, func(done func(int) func(string)) {
		for i := range n {
			k.Do(fabric.Message{Type: MsgClientWrite, Body: &ClientMsg{Op: Op{Kind: OpPut, Key: 0}}}, timeout, done(i))
		}
	}), nil
}

func (h *etcdHarness) member(cmd string, args []string) (string, error) {
	if len(args) == 0 {
		return "", fmt.Errorf("%s needs a member", cmd)
	}
	target := h.e.Member(args[0])
	if target == nil {
		return "", fmt.Errorf("no member %q", args[0])
	}
	a := kv(args[1:])
	k, err := h.client(a["via"])
	if err != nil {
		return "", err
	}
	const timeout = 5 * time.Second
	why := "script: " + cmd + " " + target.Name
	return h.await(1, func(done func(int) func(string)) {
		switch cmd {
		case "member-add":
			k.MemberAdd(target, a["learner"] == "true", why, timeout, done(0))
		case "member-promote":
			k.MemberPromote(target, why, timeout, done(0))
		case "member-remove":
			k.MemberRemove(target, why, timeout, done(0))
		}
	}), nil
}

// nameList is the members' names, comma-separated.
func nameList(ms []*Member) string {
	var s []string
	for _, m := range ms {
		s = append(s, m.Name)
	}
	return strings.Join(s, ",")
}
