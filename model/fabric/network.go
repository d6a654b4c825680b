package fabric

import (
	"slices"
	"time"

	"hasim/sim"
)

// NetworkConfig sets the message fabric's defaults.
type NetworkConfig struct {
	// SameZone is the one-way latency between two hosts of one zone.
	// Default: uniform 200µs–500µs.
	SameZone Dist
	// CrossZone is the one-way latency between hosts in different zones,
	// and between a host outside every zone (a client) and any other.
	// Default: uniform 1ms–2ms.
	CrossZone Dist
	// Loopback is the latency between processes on one host. Default 50µs.
	Loopback Dist
	// Loss is the probability that a message between hosts is dropped.
	// Default 0.
	Loss float64
	// Reconnect is the delay after a cut heals before the connections across
	// it carry traffic again (TCP retransmission backoff, then the
	// transport's redial). Default: the empirical distribution of real
	// etcd's rafthttp rejoin after a silent drop healed, 45–1102 ms with
	// median 641 ms (the README's Fidelity section).
	Reconnect Dist
	// PeerReconnect is how an etcd peer connection (a host pair that has
	// carried raft messages) comes back after a cut heals: "measured"
	// draws Reconnect like every other connection; "rafthttp"
	// follows etcd's peer transport and TCP instead (see
	// RafthttpRestore): the connection carries traffic again at the first
	// TCP retransmission of the data the cut held back, or, once the
	// stream reader's 5 s read timeout has closed it, at the first SYN of
	// the reader's redials. Empty is "measured" here; the model's Build
	// defaults it by pre-vote (model.DefaultPeerReconnect).
	PeerReconnect string
	// PeerDialTimeout bounds each of rafthttp's redials (etcd: 1 s plus the
	// election timeout). 0 means 2s, etcd's with its default election
	// timeout.
	PeerDialTimeout time.Duration
}

// Peer reconnection models (NetworkConfig.PeerReconnect).
const (
	PeerReconnectMeasured = "measured"
	PeerReconnectRafthttp = "rafthttp"
)

// PeerReconnects lists the PeerReconnect models.
func PeerReconnects() []string { return []string{PeerReconnectMeasured, PeerReconnectRafthttp} }

// rafthttp's and TCP's constants behind PeerReconnect "rafthttp".
const (
	// ConnReadTimeout is rafthttp's read timeout on its stream
	// connections (rafthttp.ConnReadTimeout, 5 s): a stream reader that
	// reads nothing for that long closes the connection and dials again.
	ConnReadTimeout = 5 * time.Second
	// TCPMinRTO and TCPMaxRTO bound Linux's retransmission timeout
	// (TCP_RTO_MIN 200 ms, TCP_RTO_MAX 120 s): unacknowledged data is
	// sent again after 200 ms, then after twice as long each time.
	TCPMinRTO = 200 * time.Millisecond
	TCPMaxRTO = 120 * time.Second
	// TCPSynRTO is Linux's first SYN retransmission timeout
	// (TCP_TIMEOUT_INIT, 1 s), doubled for each further SYN.
	TCPSynRTO = time.Second
	// DefaultPeerDialTimeout is etcd's peer dial timeout with its default
	// election timeout: 1 s + 1 s.
	DefaultPeerDialTimeout = 2 * time.Second
)

// RafthttpRestore is when an etcd peer connection that a cut broke
// carries traffic again after the cut heals at now, the mechanism of
// etcd's rafthttp over TCP. lastOK is when the pair last exchanged a
// message before the cut (rafthttp's streams carry one at least every
// heartbeat); lostAt is when the first message was held back by the cut
// (zero if none was sent).
//
//   - Until lastOK + ConnReadTimeout the stream's TCP connection stays
//     open: data sent into the cut is retransmitted after 200 ms, 400 ms,
//     800 ms, … (doubling up to 120 s), and the first retransmission after
//     the heal gets through. If nothing was sent, the stream works at once.
//   - At lastOK + ConnReadTimeout the stream reader gives up the
//     connection (rafthttp's streamReader: read error, then a redial at
//     most every 100 ms); if the cut has healed by then, that redial
//     connects.
//   - A redial into the cut waits for its SYNs (sent after 0, 1, 3, 7 s …)
//     until dialTimeout, then the next one starts: after the heal, the
//     connection comes back with the first SYN sent.
//
// resend reports whether the old connection survived: then what it held
// arrives with the retransmission; otherwise it was lost with the
// connection.
func RafthttpRestore(now, lastOK, lostAt sim.Time, dialTimeout time.Duration) (at sim.Time, resend bool) {
	deadline := lastOK.Add(ConnReadTimeout)
	if deadline > now {
		if lostAt == 0 {
			return now, true
		}
		t, rto := lostAt.Add(TCPMinRTO), TCPMinRTO
		for t < now && t < deadline {
			rto = min(2*rto, TCPMaxRTO)
			t = t.Add(rto)
		}
		if t < deadline {
			return t, true
		}
		return deadline, false
	}
	// Redialing since the deadline: attempt k starts at deadline + k ×
	// dialTimeout; its SYNs leave at the offsets 0, 1 s, 3 s, 7 s, …
	// below dialTimeout.
	if dialTimeout <= 0 {
		dialTimeout = DefaultPeerDialTimeout
	}
	k := now.Sub(deadline) / dialTimeout
	start := deadline.Add(k * dialTimeout)
	for off, rto := time.Duration(0), TCPSynRTO; off < dialTimeout; off, rto = off+rto, 2*rto {
		if t := start.Add(off); t >= now {
			return t, false
		}
	}
	return start.Add(dialTimeout), false
}

// DefaultReconnect is real etcd's measured reconnection delay after a heal.
func DefaultReconnect() Dist {
	return Dist{Kind: Empirical, Points: []Quantile{
		{0, 45 * time.Millisecond}, {0.5, 641 * time.Millisecond},
		{0.9, 1082 * time.Millisecond}, {1, 1102 * time.Millisecond},
	}}
}

// DefaultNetworkConfig returns the defaults documented on NetworkConfig.
func DefaultNetworkConfig() NetworkConfig {
	return NetworkConfig{
		SameZone:  Between(200*time.Microsecond, 500*time.Microsecond),
		CrossZone: Between(time.Millisecond, 2*time.Millisecond),
		Loopback:  Fixed(50 * time.Microsecond),
		Reconnect: DefaultReconnect(),
	}
}

// envelope is a message in flight, with the timer that delivers it. The
// network keeps a free list, so steady-state traffic allocates nothing.
type Envelope struct {
	msg   Message
	timer *sim.Timer
	net   *Network
	peer  bool // counted in its link's peerQueued
}

// link is the directed path between two hosts.
type link struct {
	made   bool       // in use: the stream is set
	stream sim.Stream // "net/<from>/<to>"
	seq    uint64     // messages sent on the link: the key of its draws
	lastAt sim.Time   // delivery time of the last message: links are FIFO
	// peerQueued counts peer-stream messages on the link not yet handed to a
	// running member (see peerSendBuffer).
	peerQueued int
	// For PeerReconnect "rafthttp": whether the link has carried raft
	// messages, when a cut last broke it, and its two rafthttp streams
	// (by streamOf).
	peer    bool
	cutAt   sim.Time
	streams [2]peerStream
}

// peerStream is one of rafthttp's two streams in one direction (the
// "message" stream and the "msgappv2" stream that carries a leader's
// appends), as PeerReconnect "rafthttp" follows it: when it last carried
// a message (its reader's last read), when the first message sent into a
// cut was held back (zero: none yet), and from when it carries traffic
// again after the last heal.
type peerStream struct {
	lastOK, lostAt, restoreAt sim.Time
	// resend: after the last heal the stream's TCP connection survived,
	// so what it held (held, during the cut) and what is sent before
	// restoreAt arrive with the retransmission at restoreAt.
	resend bool
	held   []Message
}

// streamOf is the rafthttp stream a message type rides on.
func streamOf(t MsgType) int {
	if t.Is(AppStream) {
		return 1
	}
	return 0
}

// LinkHeartbeat is how often rafthttp's stream writers send their link
// heartbeat, whatever else they carry: ConnReadTimeout / 3.
const LinkHeartbeat = ConnReadTimeout / 3

// conn is the connection state between two hosts (unordered pair a < b).
type conn struct {
	made      bool // in use: the pair has tried to talk
	a, b      int32
	Broken    bool     // a cut separates the pair
	RestoreAt sim.Time // usable again from this time after the last heal
	heals     uint64
}

// Cut blocks messages from hosts in a to hosts in b (and back unless
// oneWay). Network.Cut installs one; Network.Heal removes it.
type Cut struct {
	a, b   []bool // by host index
	oneWay bool
}

func (c *Cut) blocks(from, to int) bool {
	return (c.a[from] && c.b[to]) || (!c.oneWay && c.b[from] && c.a[to])
}

// LinkFault changes latency or loss on the links between two host sets
// while installed. Network.Degrade installs one; Network.Restore removes
// it.
type LinkFault struct {
	from, to []bool // by host index; both directions
	latency  *Dist
	loss     *float64
}

// Network is the message fabric between processes: per-link latency and
// loss, FIFO links, cuts between host sets, and reconnection delays after
// heals.
//
// Links and connections exist only between hosts that exchange messages:
// each is made on first use (its random stream is keyed by the pair's
// names, so when it is made does not change its draws). A pair that never
// tried to talk has no connection to lose to a cut or to re-establish
// after a heal.
type Network struct {
	w   *World
	cfg NetworkConfig
	// Links (directed) and connections (unordered pairs, a < b) live in
	// linkTab and connTab. With few hosts the tables are hosts × hosts and
	// a pair's slot is computed (direct); with many, a pair gets a slot on
	// first use, found through links and conns.
	direct  bool
	hosts   int
	links   map[uint64]int // pair → slot in linkTab, when not direct
	conns   map[uint64]int // pair → slot in connTab, when not direct
	linkTab []link
	connTab []conn
	cuts    []*Cut
	faults  []*LinkFault
	free    []*Envelope
	root    sim.Stream
	sent    [msgNumber + 1]uint64 // messages put on the wire, by type number
	// peerDropped counts peer-stream messages dropped because the peer's send
	// buffer was full.
	peerDropped uint64
	// rafthttp: PeerReconnect is "rafthttp".
	rafthttp bool
}

// PeerDropped is how many peer-stream messages were dropped so far because
// the send buffer to their peer was full.
func (n *Network) PeerDropped() uint64 { return n.peerDropped }

// PeerQueuedMost is the most peer-stream messages now in flight on one link
// (at most PeerSendBuffer).
func (n *Network) PeerQueuedMost() int {
	most := 0
	for i := range n.linkTab {
		most = max(most, n.linkTab[i].peerQueued)
	}
	return most
}

// Sent is how many messages of type t were put on the wire so far (lost
// ones included, refusals and messages from stopped processes not).
func (n *Network) Sent(t MsgType) uint64 { return n.sent[t.Number()] }

// directHosts is the largest host count whose links and connections are
// tables of hosts × hosts (under 2 MiB): the common small cluster pays no
// lookup on the hot path. A larger cluster gives a pair a slot on first
// use, found through a map, so that thousands of workers do not pay for
// hosts × hosts pairs that never talk.
const directHosts = 128

// pairKey is a pair of host indexes as a map key.
func pairKey(a, b int) uint64 { return uint64(a)<<32 | uint64(b) }

func newNetwork(w *World, cfg NetworkConfig) *Network {
	n := len(w.Hosts)
	nw := &Network{w: w, cfg: cfg, hosts: n, root: w.Sim.Stream("net"), rafthttp: cfg.PeerReconnect == PeerReconnectRafthttp}
	if n <= directHosts {
		nw.direct = true
		nw.linkTab, nw.connTab = make([]link, n*n), make([]conn, n*n)
	} else {
		nw.links, nw.conns = map[uint64]int{}, map[uint64]int{}
	}
	return nw
}

// link is the directed link from host a to b, made on first use.
func (n *Network) link(a, b int) *link {
	var lk *link
	if n.direct { // the hot path: no call
		lk = &n.linkTab[a*n.hosts+b]
	} else {
		lk = pairSlot(n.links, &n.linkTab, a, b)
	}
	if !lk.made {
		*lk = link{made: true, stream: n.root.Sub(n.w.Hosts[a].Name + "/" + n.w.Hosts[b].Name)}
	}
	return lk
}

// conn is the connection between hosts a and b, made on first use: broken
// if a cut separates them now.
func (n *Network) Conn(a, b int) *conn {
	if a > b {
		a, b = b, a
	}
	var cn *conn
	if n.direct {
		cn = &n.connTab[a*n.hosts+b]
	} else {
		cn = pairSlot(n.conns, &n.connTab, a, b)
	}
	if !cn.made {
		*cn = conn{made: true, a: int32(a), b: int32(b), Broken: n.Blocked(a, b) || n.Blocked(b, a)}
	}
	return cn
}

// pairSlot is the slot of the pair (a, b) in tab when the tables are not
// direct: found through idx or appended (zero, for the caller to make).
func pairSlot[T any](idx map[uint64]int, tab *[]T, a, b int) *T {
	k := pairKey(a, b)
	i, ok := idx[k]
	if !ok {
		i = len(*tab)
		*tab = append(*tab, *new(T))
		idx[k] = i
	}
	return &(*tab)[i]
}

// blocked reports whether an active cut drops messages from host a to b.
func (n *Network) Blocked(a, b int) bool {
	for _, c := range n.cuts {
		if c.blocks(a, b) {
			return true
		}
	}
	return false
}

// passes reports whether a message may travel from host a to b now.
func (n *Network) passes(a, b int, datagram bool) bool {
	if datagram {
		return !n.Blocked(a, b)
	}
	cn := n.Conn(a, b)
	return !cn.Broken && n.w.Sim.Now() >= cn.RestoreAt
}

// arrives reports whether a message of type t in flight from host a to b
// reaches b now. With PeerReconnect "rafthttp" a raft message between
// members travels on its stream, which Send already waited for: only a
// new cut stops it.
func (n *Network) arrives(a, b int, t MsgType) bool {
	if n.rafthttp && t.Is(PeerStream) {
		return !n.Conn(a, b).Broken
	}
	return n.passes(a, b, t.Is(Datagram))
}

// handshake reports whether a TCP connection from a to b would be
// accepted now: b's host is up and reachable and b is not stopped (a
// paused process's kernel still accepts connections).
func (n *Network) Handshake(a, b *Process) bool { return n.Reachable(a.Host, b) }

// reachable reports whether a TCP connection from host a to b would be
// accepted now.
func (n *Network) Reachable(a *Host, b *Process) bool {
	if b.state == Stopped || !b.Host.up {
		return false
	}
	fi, ti := a.index, b.Host.index
	return fi == ti || (n.passes(fi, ti, false) && n.passes(ti, fi, false))
}

// Send puts a copy of m on the wire from m.From to m.To. Messages between
// hosts may be lost to cuts, broken connections, a down host or random
// loss; they never arrive out of order on a link.
func (n *Network) Send(m *Message) {
	from, to := m.From, m.To
	if from.state != Running {
		return
	}
	n.sent[m.Type.Number()]++
	fi, ti := from.Host.index, to.Host.index
	lk := n.link(fi, ti)
	peer := m.Type.Is(PeerStream)
	if peer && lk.peerQueued >= PeerSendBuffer {
		// etcd's peer transport drops a raft message when its send buffer
		// to the peer is full ("dropped internal Raft message since
		// sending buffer is full"); raft recovers by its own retries.
		n.peerDropped++
		return
	}
	lk.seq++
	lat := n.cfg.Loopback
	base := n.w.Sim.Now()
	if fi != ti {
		if !to.Host.up {
			return
		}
		if peer && n.rafthttp {
			ps := &lk.streams[streamOf(m.Type)]
			switch {
			case n.Conn(fi, ti).Broken:
				// Into the cut: TCP keeps it to retransmit.
				if ps.lostAt == 0 {
					ps.lostAt = base
				}
				if len(ps.held) < PeerSendBuffer {
					h := *m
					if m.Body != nil {
						h.Body = m.Body.Copy()
					}
					ps.held = append(ps.held, h)
				}
				return
			case base < ps.restoreAt:
				if !ps.resend {
					return // the stream is being redialed: lost
				}
				base = ps.restoreAt // queued behind the retransmission
			}
			lk.peer = true
			ps.lastOK = n.w.Sim.Now()
		} else if !n.passes(fi, ti, m.Type.Is(Datagram)) {
			return
		}
		var loss float64
		lat, loss = n.LinkParams(from.Host, to.Host)
		if loss > 0 && lk.stream.Sub("loss").Float64(lk.seq) < loss {
			return
		}
	}
	n.put(lk, m, base.Add(lat.Sample(lk.stream, lk.seq)), peer, true)
}

// put schedules the delivery of m on lk at time at, or after the link's
// last delivery: of a copy of its body if clone is set.
func (n *Network) put(lk *link, m *Message, at sim.Time, peer, clone bool) {
	if at < lk.lastAt {
		at = lk.lastAt
	}
	lk.lastAt = at
	e := n.get()
	e.msg = *m
	if clone && m.Body != nil {
		e.msg.Body = m.Body.Copy()
	}
	if peer {
		e.peer = true
		lk.peerQueued++
	}
	e.timer.Reset(at)
}

// PeerSendBuffer is how many peer-stream messages to one peer can be on their way
// (not yet delivered to a running member) before more are dropped: the
// buffer of etcd's rafthttp stream writer (streamBufSize, 4096). It bounds
// what a flooded or frozen peer costs.
const PeerSendBuffer = 4096

// linkParams is the latency distribution and loss in force from a to b.
func (n *Network) LinkParams(a, b *Host) (Dist, float64) {
	lat, loss := n.cfg.CrossZone, n.cfg.Loss
	if a.Zone != nil && a.Zone == b.Zone { // a host in no zone is cross-zone from every other
		lat = n.cfg.SameZone
	}
	for _, f := range n.faults {
		if (f.from[a.index] && f.to[b.index]) || (f.from[b.index] && f.to[a.index]) {
			if f.latency != nil {
				lat = *f.latency
			}
			if f.loss != nil {
				loss = *f.loss
			}
		}
	}
	return lat, loss
}

func (n *Network) get() *Envelope {
	if k := len(n.free); k > 0 {
		e := n.free[k-1]
		n.free = n.free[:k-1]
		return e
	}
	e := &Envelope{net: n}
	e.timer = n.w.Sim.NewTimer("net/deliver", e.deliver)
	return e
}

func (n *Network) release(e *Envelope) {
	if e.peer {
		n.link(e.msg.From.Host.index, e.msg.To.Host.index).peerQueued--
		e.peer = false
	}
	if e.msg.Body != nil {
		e.msg.Body.Free()
	}
	e.msg = Message{}
	if len(n.free) >= envelopesKept {
		e.timer.Discard()
		return
	}
	n.free = append(n.free, e)
}

// envelopesKept is the most envelopes the network keeps for reuse: the
// messages in flight at once number a few dozen in a steady cluster, and
// the burst of a member catching up after hours away must not leave the
// network holding its envelopes and their timers for the rest of the run.
const envelopesKept = 256

// envelopesSteady is the most envelopes the network keeps past a skip
// (Trim): the messages in flight at once in a steady cluster.
const envelopesSteady = 64

// Trim implements Trimmer (NewWorld registers the network): it lets go
// of the envelopes kept beyond envelopesSteady, their timers given back to
// the engine, and of the room their list grew to (see Pool.Trim).
func (n *Network) Trim() {
	n.free = trimFree(n.free, envelopesSteady, func(e *Envelope) { e.timer.Discard() })
}

// deliver hands the message to its target, buffers it for a paused target,
// or answers a request to a stopped one with a refusal.
func (e *Envelope) deliver() {
	n, m := e.net, &e.msg
	to := m.To
	if fi, ti := m.From.Host.index, to.Host.index; fi != ti && (!to.Host.up || !n.arrives(fi, ti, m.Type)) {
		n.release(e)
		return
	}
	switch to.state {
	case Running:
		to.h.Deliver(m)
	case Paused:
		to.inbox = append(to.inbox, e)
		return
	case Stopped:
		if m.Type.Is(Request) {
			// Nothing listens: the target host's kernel resets the connection.
			n.refuse(to, m.From, m.ReqID)
		}
	}
	n.release(e)
}

// refuse delivers a connection refusal from the host of dead to client.
func (n *Network) refuse(dead, client *Process, ctx uint64) {
	fi, ti := dead.Host.index, client.Host.index
	lk := n.link(fi, ti)
	lk.seq++
	lat := n.cfg.Loopback
	if fi != ti {
		lat, _ = n.LinkParams(dead.Host, client.Host)
	}
	at := max(n.w.Sim.Now().Add(lat.Sample(lk.stream, lk.seq)), lk.lastAt)
	lk.lastAt = at
	e := n.get()
	e.msg = Message{Type: MsgRefused, From: dead, To: client, ReqID: ctx}
	e.timer.Reset(at)
}

// hostMask marks hosts by index.
func (w *World) HostMask(hosts []*Host) []bool {
	set := make([]bool, len(w.Hosts))
	for _, h := range hosts {
		set[h.index] = true
	}
	return set
}

// Cut silently drops, from now until Heal, the messages from hosts a to
// hosts b, and those back unless oneWay. Connections between the two sets
// break; cuts stack, and a connection carries traffic again only once no
// cut separates its pair (after a reconnection delay).
func (n *Network) Cut(a, b []*Host, oneWay bool) *Cut {
	c := &Cut{a: n.w.HostMask(a), b: n.w.HostMask(b), oneWay: oneWay}
	n.cuts = append(n.cuts, c)
	n.cutsChanged()
	return c
}

// Heal removes the cut c installed by Cut (and only it): connections no
// remaining cut separates reconnect after the reconnection delay.
func (n *Network) Heal(c *Cut) {
	uninstall(&n.cuts, c, "model.Network.Heal: cut")
	n.cutsChanged()
}

// Degrade sets, from now until Restore, the one-way latency (if latency is
// not nil) and the loss probability (if loss is not nil) of the links
// between hosts a and hosts b, both ways. Link faults stack: where several
// match a link, the most recent one installed sets each parameter it
// names.
func (n *Network) Degrade(a, b []*Host, latency *Dist, loss *float64) *LinkFault {
	f := &LinkFault{from: n.w.HostMask(a), to: n.w.HostMask(b), latency: latency, loss: loss}
	n.faults = append(n.faults, f)
	return f
}

// Restore removes the link fault f installed by Degrade (and only it).
func (n *Network) Restore(f *LinkFault) { uninstall(&n.faults, f, "model.Network.Restore: link fault") }

// uninstall removes x, which must be installed, from list: what a heal
// does with the handle its fault got.
func uninstall[T comparable](list *[]T, x T, what string) {
	i := slices.Index(*list, x)
	if i < 0 {
		panic(what + " not installed")
	}
	*list = slices.Delete(*list, i, i+1)
}

// cutsChanged recomputes every connection after a cut was installed or
// healed: a pair separated by any cut, in either direction, is broken; a
// pair no cut separates any more is usable again after a reconnection
// delay drawn per pair and heal (from a stream keyed by the pair's names,
// so the order in which pairs are visited does not matter).
func (n *Network) cutsChanged() {
	hosts := n.w.Hosts
	now := n.w.Sim.Now()
	for k := range n.connTab {
		cn := &n.connTab[k]
		if !cn.made {
			continue
		}
		i, j := int(cn.a), int(cn.b)
		sep := n.Blocked(i, j) || n.Blocked(j, i)
		switch {
		case sep && !cn.Broken:
			cn.Broken = true
			if n.rafthttp {
				for _, lk := range []*link{n.link(i, j), n.link(j, i)} {
					lk.cutAt = now
					for k := range lk.streams {
						lk.streams[k].lostAt, lk.streams[k].held = 0, lk.streams[k].held[:0]
					}
				}
			}
		case !sep && cn.Broken:
			cn.Broken = false
			cn.heals++
			if n.rafthttp {
				for _, lk := range []*link{n.link(i, j), n.link(j, i)} {
					n.restoreStreams(lk, now)
				}
			}
			st := n.root.Sub("reconnect/" + hosts[i].Name + "/" + hosts[j].Name)
			cn.RestoreAt = now.Add(n.cfg.Reconnect.Sample(st, cn.heals))
		}
	}
}

// settled reports whether no cut or link fault is installed and no
// connection is broken or waiting to be re-established.
func (n *Network) settled() bool {
	if len(n.cuts) > 0 || len(n.faults) > 0 {
		return false
	}
	now := n.w.Sim.Now()
	for i := range n.connTab {
		if c := &n.connTab[i]; c.made && (c.Broken || c.RestoreAt > now) {
			return false
		}
	}
	for i := range n.linkTab {
		if !n.rafthttp {
			break
		}
		if lk := &n.linkTab[i]; lk.made && (lk.streams[0].restoreAt > now || lk.streams[1].restoreAt > now) {
			return false
		}
	}
	return true
}

// restoreStreams sets when each of the link's rafthttp streams carries
// traffic again after the heal at now (RafthttpRestore). Each stream's
// writer also sends a link heartbeat every LinkHeartbeat, at a phase of
// its own (drawn per link and stream), so that its reader read at the
// last heartbeat before the cut at the latest, and the first heartbeat
// after the cut was held back if nothing else was.
func (n *Network) restoreStreams(lk *link, now sim.Time) {
	if !lk.peer {
		return
	}
	for k := range lk.streams {
		ps := &lk.streams[k]
		phase := sim.Time(lk.stream.Sub("rafthttp").Float64(uint64(k)) * float64(LinkHeartbeat))
		lastHB := lk.cutAt
		if lastHB >= phase {
			lastHB -= (lastHB - phase) % sim.Time(LinkHeartbeat)
		} else {
			lastHB = 0
		}
		firstHB := lastHB.Add(LinkHeartbeat)
		if lk.cutAt < phase {
			firstHB = phase
		}
		lastOK, lostAt := max(ps.lastOK, lastHB), ps.lostAt
		if firstHB < now && (lostAt == 0 || firstHB < lostAt) {
			lostAt = firstHB
		}
		ps.restoreAt, ps.resend = RafthttpRestore(now, lastOK, lostAt, n.cfg.PeerDialTimeout)
		if ps.resend {
			for h := range ps.held {
				m := &ps.held[h]
				if m.From.state != Running || !m.To.Host.up {
					continue
				}
				lk.seq++
				lat, _ := n.LinkParams(m.From.Host, m.To.Host)
				n.put(lk, m, ps.restoreAt.Add(lat.Sample(lk.stream, lk.seq)), true, false)
			}
		}
		clear(ps.held)
		ps.held = ps.held[:0]
	}
}
