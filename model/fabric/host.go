package fabric

import (
	"fmt"
	"math"
	"time"

	"hasim/sim"
)

// HostConfig describes one host.
type HostConfig struct {
	Name string
	// Zone is the host's failure domain; "" puts it outside every zone
	// (a client: the users), cross-zone from every other host.
	Zone string
	// Clock of the host; the zero value is a perfect clock (offset 0, rate 1).
	Clock Clock
	// Fsync is the disk's fsync latency. Zero means DefaultFsync.
	Fsync Dist
}

// DefaultFsync is a healthy SSD's fsync latency: uniform 0.5–2 ms (etcd's
// guidance is a WAL fsync p99 under 10 ms).
func DefaultFsync() Dist { return Between(500*time.Microsecond, 2*time.Millisecond) }

// Zone is a failure domain: a set of hosts that share power and network.
type Zone struct {
	Name  string
	Hosts []*Host
}

// Clock is a host's clock. Its monotonic reading advances at Rate per unit
// of true time (1 is a perfect clock; 1.001 runs 0.1% fast); its wall
// reading is the monotonic one plus Offset, which an NTP step moves. Go
// timers and durations measured between two time.Now() readings follow the
// monotonic reading, so a process's timers and elapsed-time checks follow
// Rate and ignore Offset; what a process writes as a timestamp is the wall
// reading. The zero Clock is not valid; Rate must be positive.
type Clock struct {
	Offset time.Duration
	Rate   float64

	Since  sim.Time      // true time of the last rate change
	MonoAt time.Duration // monotonic reading then
}

// Mono is the monotonic reading at true time t (t not before the last
// rate change). It never decreases as t grows.
func (c *Clock) Mono(t sim.Time) time.Duration {
	if c.Rate == 1 {
		return c.MonoAt + time.Duration(t-c.Since)
	}
	return c.MonoAt + Saturate(c.Rate*float64(t-c.Since))
}

// Wall is the wall-clock reading at true time t.
func (c *Clock) Wall(t sim.Time) time.Duration { return c.Mono(t) + c.Offset }

// Step moves the wall clock by d (an NTP step): the monotonic reading, and
// so every timer, does not move.
func (c *Clock) Step(d time.Duration) { c.Offset += d }

// TrueDuration is the true time that elapses while the clock advances by d
// at its current rate.
func (c *Clock) TrueDuration(d time.Duration) time.Duration {
	if c.Rate == 1 {
		return d
	}
	return Saturate(float64(d) / c.Rate)
}

// TrueAt is the earliest true time, not before now, at which the clock's
// monotonic reading has reached mono at its current rate: when a timer
// armed for mono on this clock fires. A deadline already passed gives now;
// one the clock never reaches within the simulator's range gives
// sim.Never. Whatever the rate and the rounding, Mono(TrueAt(now, m)) >= m
// unless the result is sim.Never.
func (c *Clock) TrueAt(now sim.Time, mono time.Duration) sim.Time {
	if mono <= c.Mono(now) {
		return now
	}
	left := mono - c.MonoAt // positive: the reading at now is below mono
	if c.Rate == 1 {
		if left > time.Duration(sim.Never-c.Since) {
			return sim.Never
		}
		return c.Since + sim.Time(left)
	}
	f := float64(c.Since) + math.Ceil(float64(left)/c.Rate)
	if !(f < float64(sim.Never)) {
		return sim.Never
	}
	// The float estimate may be off by rounding, by a nanosecond or (far
	// from the last rate change, or at an extreme rate) by more: gallop
	// from it to a bracket lo < answer <= hi, then bisect.
	t := max(sim.Time(f), now)
	lo, hi := t, t // Mono(lo) < mono <= Mono(hi) once bracketed
	if c.Mono(t) >= mono {
		for step := sim.Time(1); ; step *= 2 {
			lo = hi - step
			if lo <= now {
				lo = now // Mono(now) < mono, checked above
				break
			}
			if c.Mono(lo) < mono {
				break
			}
			hi = lo
		}
	} else {
		for step := sim.Time(1); ; step *= 2 {
			if step > sim.Never-lo {
				return sim.Never
			}
			hi = lo + step
			if c.Mono(hi) >= mono {
				break
			}
			lo = hi
		}
	}
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		if c.Mono(mid) < mono {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi
}

// saturate converts nanoseconds held in a float to a Duration, clamping
// what does not fit instead of wrapping (Go leaves an out-of-range
// float-to-int conversion undefined).
func Saturate(ns float64) time.Duration {
	switch {
	case ns >= math.MaxInt64:
		return math.MaxInt64
	case ns <= math.MinInt64:
		return math.MinInt64
	}
	return time.Duration(ns)
}

// Host is a machine in a zone (Zone is nil for a host outside every zone,
// a client). It runs processes, owns a clock and a disk, and can be down
// (crashed, powered off), in which case its processes are stopped and the
// network neither delivers to nor sends from it.
type Host struct {
	Name  string
	Zone  *Zone
	Clock Clock
	Disk  *Disk
	Procs []*Process

	w       *World
	index   int // position in Cluster.Hosts
	up      bool
	crashes int           // active faults holding the host down
	boots   int           // times it booted after a crash
	drifts  []*ClockDrift // active clock-rate overrides, last wins
	rate    float64       // the clock's rate before the first of drifts
	joining bool          // a control-plane host kubeadm has not joined yet
	stalls  int           // active VM stalls (Stall)
}

// Up reports whether the host is running.
func (h *Host) Up() bool { return h.up }

// Boots counts the host's boots after a crash: what lived only in its
// memory (a kernel's forwarding rules, say) is gone when it changed.
func (h *Host) Boots() int { return h.boots }

// Joining reports whether the host is a control-plane host that kubeadm
// has not joined yet: nothing but clients runs on it until then.
func (h *Host) Joining() bool { return h.joining }

// SetJoining marks the host as one kubeadm joins during the run (nothing
// on it runs until then), or no longer.
func (h *Host) SetJoining(j bool) { h.joining = j }

// Index is the host's position in the cluster's host list.
func (h *Host) Index() int { return h.index }

// Crash holds the host down for one more fault: the first hold crashes
// it (see crash). It reports whether this was the first hold, the one that
// took the host down. Each Crash is undone by one Repair.
func (h *Host) Crash() bool {
	h.crashes++
	if h.crashes > 1 {
		return false
	}
	h.crash()
	return true
}

// Repair ends one fault's hold on the host (undoing one Crash) and reports
// whether no fault holds it down any more, so that it may Boot: a host
// held down by two overlapping faults boots only when both are repaired.
func (h *Host) Repair() bool {
	if h.crashes == 0 {
		panic("model.Host.Repair: " + h.Name + " is not held down")
	}
	h.crashes--
	return h.crashes == 0
}

// Stall freezes the whole host for one more fault (a VM stall: the
// hypervisor descheduling it, a live migration's final copy). The first
// stall pauses every running process and returns them; a process started
// while the host is stalled (a boot, a fault's heal) starts only when the
// last stall ends.
func (h *Host) Stall() []*Process {
	h.stalls++
	if h.stalls > 1 {
		return nil
	}
	var paused []*Process
	for _, p := range h.Procs {
		if p.state == Running {
			p.Pause()
			paused = append(paused, p)
		}
	}
	return paused
}

// Unstall ends one stall. When none remains, every process the stalls kept
// frozen and no process fault freezes is resumed, and every process whose
// start waited for the end is started, in the host's order; each is first
// told to will (started: whether it is a start).
func (h *Host) Unstall(will func(p *Process, started bool)) {
	if h.stalls == 0 {
		panic("model.Host.Unstall: " + h.Name + " is not stalled")
	}
	h.stalls--
	if h.stalls > 0 {
		return
	}
	for _, p := range h.Procs {
		switch {
		case p.stallStart:
			p.stallStart = false
			if p.state == Stopped && h.up {
				will(p, true)
				p.Start()
			}
		case p.state == Paused && p.pauses == 0:
			will(p, false)
			p.Resume()
		}
	}
}

// Boot brings the host back, unless a fault still holds it down (see
// Repair), and starts the processes meant to run on it.
func (h *Host) Boot() {
	if h.crashes == 0 {
		h.boot()
	}
}

// crash takes the host down: every process on it stops at once, losing
// volatile state.
func (h *Host) crash() {
	if !h.up {
		return
	}
	h.up = false
	for _, p := range h.Procs {
		p.Kill()
	}
}

// ClockDrift is a clock-rate override installed by Host.DriftClock; pass
// it to Host.RestoreClock to remove it.
type ClockDrift struct {
	rate float64
}

// DriftClock makes the host's clock run at rate from now until the
// returned override is removed by RestoreClock. Overrides stack: the most
// recent one still installed is in force.
func (h *Host) DriftClock(rate float64) *ClockDrift {
	if len(h.drifts) == 0 {
		h.rate = h.Clock.Rate
	}
	d := &ClockDrift{rate: rate}
	h.drifts = append(h.drifts, d)
	h.SetRate(h.w.Sim.Now(), rate)
	return d
}

// RestoreClock removes the override d installed by DriftClock and sets the
// clock to the rate then in force: that of the most recent override still
// installed, or the rate the clock had before the first. It returns that
// rate. Removing overrides in any order leaves the clock at its original
// rate once all are gone.
func (h *Host) RestoreClock(d *ClockDrift) float64 {
	uninstall(&h.drifts, d, "model.Host.RestoreClock: "+h.Name+": override")
	rate := h.rate
	if n := len(h.drifts); n > 0 {
		rate = h.drifts[n-1].rate
	}
	h.SetRate(h.w.Sim.Now(), rate)
	return rate
}

// setRate changes the clock's rate at true time now. Timers armed on the
// host's clock (After, AtMono, tickers) keep their deadlines as monotonic
// readings, so each is simply re-armed for the true time at which the
// clock, at its new rate, reaches its deadline: never before now, and a
// deadline already reached fires now. Timers armed for a true time (At:
// a disk write completing) do not move.
func (h *Host) SetRate(now sim.Time, rate float64) {
	c := &h.Clock
	c.MonoAt, c.Since, c.Rate = c.Mono(now), now, rate
	for _, p := range h.Procs {
		for _, t := range p.timers {
			if t.local && t.st.Pending() {
				t.st.Reset(c.TrueAt(now, t.mono))
			}
		}
	}
}

// boot brings the host back and starts the processes meant to run on it.
func (h *Host) boot() {
	if h.up {
		return
	}
	h.up = true
	h.boots++
	for _, p := range h.Procs {
		if p.enabled {
			p.Start()
		}
	}
}

// Disk is a host's storage as the processes on it see it: a FIFO of
// synchronous writes, each taking one fsync latency after the previous one
// completes.
type Disk struct {
	Fsync Dist // fsync latency

	stream    sim.Stream
	writes    uint64
	busyUntil sim.Time
	Slowdowns []*Slowdown // fsync overrides from active slow-disk faults, last wins
}

// Slowdown is an fsync-latency override installed by Disk.Slow; pass it to
// Disk.Restore to remove it.
type Slowdown struct {
	fsync Dist
}

// Slow makes fsyncs take fsync from now until the returned override is
// removed by Restore. Overrides stack: the most recent one still installed
// is in force. Writes already queued keep their completion times.
func (d *Disk) Slow(fsync Dist) *Slowdown {
	s := &Slowdown{fsync: fsync}
	d.Slowdowns = append(d.Slowdowns, s)
	return s
}

// Restore removes the override s installed by Slow (and only it, even if
// another installed one has the same distribution): fsyncs then take the
// most recent override still installed, or the configured Fsync once none
// is.
func (d *Disk) Restore(s *Slowdown) { uninstall(&d.Slowdowns, s, "model.Disk.Restore: override") }

// latency is the fsync distribution in force.
func (d *Disk) Latency() Dist {
	if n := len(d.Slowdowns); n > 0 {
		return d.Slowdowns[n-1].fsync
	}
	return d.Fsync
}

// Sync schedules a synchronous write and returns when it completes.
func (d *Disk) Sync(now sim.Time) sim.Time {
	start := max(now, d.busyUntil)
	d.writes++
	done := start.Add(d.Latency().Sample(d.stream, d.writes))
	d.busyUntil = done
	return done
}

// ProcState is the life-cycle state of a process.
type ProcState int

const (
	// Stopped: not running (killed, crashed with its host, or not started).
	Stopped ProcState = iota
	// Running: handling events.
	Running
	// Paused: frozen (SIGSTOP, a long GC or VM pause): timers that come due
	// and messages that arrive wait until it resumes.
	Paused
)

func (s ProcState) String() string {
	switch s {
	case Stopped:
		return "stopped"
	case Running:
		return "running"
	case Paused:
		return "paused"
	}
	return fmt.Sprintf("ProcState(%d)", int(s))
}

// Handler is the behaviour of a process: the component it runs.
type Handler interface {
	// Start runs when the process (re)starts, after its timers were reset:
	// rebuild volatile state from persistent state and arm timers.
	Start()
	// Stop runs when the process is killed: drop volatile state. Its timers
	// are already stopped and its buffered input dropped.
	Stop()
	// Deliver hands the process one message.
	Deliver(m *Message)
}

// FreezeWatcher is a Handler that is told when its process is frozen and
// when it thaws (a probe does not count the time it could not send). Both
// are bookkeeping: Frozen runs as the process stops handling events,
// Thawed before it handles what waited.
type FreezeWatcher interface {
	Frozen()
	Thawed()
}

// Passive is a Handler that may have nothing of its own to do: when
// Passive reports true it arms no timer and waits only for what others do
// (a kubelet whose only pod is etcd restarts it if it exits). A run in
// which only passive processes still run has ended, not stalled.
type Passive interface {
	Passive() bool
}

// Process is a program running on a host: an etcd member, a probe client.
// It gates its handler: while paused nothing runs, and while stopped its
// timers are disarmed and messages to it are refused.
type Process struct {
	Name string
	Role string // "etcd", "client", ...
	Host *Host

	w           *World
	Index       int // position in Cluster.Procs
	h           Handler
	state       ProcState
	enabled     bool   // meant to run: started when its host boots
	incarnation uint64 // starts so far
	timers      []*Timer
	deferred    []*Timer    // came due while paused, in due order
	inbox       []*Envelope // arrived while paused, in arrival order
	apiFaults   []*APIFault // active api-error and api-block faults, last wins
	held        []Message   // API requests held by an api-block fault
	Supervisor  supervisor  // restarts the process when it exits (its host's kubelet), if any
	holds       int         // active faults keeping it from running (Hold)
	pauses      int         // active faults keeping it frozen (Freeze)
	stallStart  bool        // started while its host was stalled: it starts when the stall ends
}

// Hold keeps the process from running until Release, for a fault that
// kills or stops it: it is no longer meant to run, so neither its host's
// boot nor its kubelet starts it. Holds count: each is undone by one
// Release. Hold does not stop the process; the fault does that.
func (p *Process) Hold() {
	p.holds++
	p.enabled = false
}

// Held reports whether a fault keeps the process from running (Hold).
func (p *Process) Held() bool { return p.holds > 0 }

// Enable marks the process as meant to run: from now on it starts when
// its host boots, and its supervisor restarts it. It does not start it.
func (p *Process) Enable() { p.enabled = true }

// Enabled reports whether the process is meant to run.
func (p *Process) Enabled() bool { return p.enabled }

// exit ends a process by itself (not a fault): the kubelet on its host
// restarts it.
func (p *Process) Exit(reason string) {
	if p.state == Stopped {
		return
	}
	p.w.Record(Record{Event: EvProcExited, Proc: p.Name, Host: p.Host.Name, Reason: reason})
	p.Kill()
	if s := p.Supervisor; s != nil {
		s.PodExited(p)
	}
}

// Retire stops the process for good: an exit nothing restarts.
func (p *Process) Retire() {
	p.enabled = false
	p.Kill()
}

// Release ends one Hold. When no hold remains the process is meant to run
// again, and Release reports whether it should be started now (its host is
// up and it is stopped); the caller then starts it.
func (p *Process) Release() bool {
	if p.holds == 0 {
		panic("model.Process.Release: " + p.Name + " is not held")
	}
	p.holds--
	if p.holds > 0 {
		return false
	}
	p.enabled = true
	return p.Host.up && p.state == Stopped
}

// Freeze pauses the process (SIGSTOP) for one more fault. Freezes count:
// each is undone by one Thaw.
func (p *Process) Freeze() {
	p.pauses++
	p.Pause()
}

// Thaw ends one Freeze and reports whether the process should be resumed
// now: no freeze remains and it is still paused. The caller then resumes
// it.
func (p *Process) Thaw() bool {
	if p.pauses == 0 {
		panic("model.Process.Thaw: " + p.Name + " is not frozen")
	}
	p.pauses--
	return p.pauses == 0 && p.state == Paused && p.Host.stalls == 0
}

// APIFault is an api-error or api-block fault installed on a process by
// FailAPI or BlockAPI; pass it to ClearAPI to remove it.
type APIFault struct {
	mode apiFault
}

// FailAPI makes every API request of the process fail at once until the
// returned fault is removed by ClearAPI. API faults stack: the most recent
// one still installed is in force.
func (p *Process) FailAPI() *APIFault { return p.addAPIFault(APIFail) }

// BlockAPI makes every API request of the process hang until the returned
// fault is removed by ClearAPI (see FailAPI for stacking).
func (p *Process) BlockAPI() *APIFault { return p.addAPIFault(APIHold) }

func (p *Process) addAPIFault(mode apiFault) *APIFault {
	f := &APIFault{mode: mode}
	p.apiFaults = append(p.apiFaults, f)
	return f
}

// apiMode is the api fault in force: that of the most recent one installed,
// or none.
func (p *Process) APIMode() apiFault {
	if n := len(p.apiFaults); n > 0 {
		return p.apiFaults[n-1].mode
	}
	return APIOK
}

// ClearAPI removes the api fault f: the most recent one still installed is
// in force again, or none. Once no api-block is in force, the requests
// held so far are sent, in order.
func (p *Process) ClearAPI(f *APIFault) {
	uninstall(&p.apiFaults, f, "model.Process.ClearAPI: "+p.Name+": fault")
	if p.APIMode() != APIHold {
		p.releaseHeld()
	}
}

// apiFault is the state of a process's API requests under client faults.
type apiFault uint8

const (
	APIOK   apiFault = iota
	APIFail          // requests fail at once
	APIHold          // requests hang until the heal
)

// hold keeps a request an api-block fault holds, with a copy of its body.
func (p *Process) hold(m Message) {
	if m.Body != nil {
		m.Body = m.Body.Copy()
	}
	p.held = append(p.held, m)
}

// releaseHeld sends the requests an api-block fault held, in order.
func (p *Process) releaseHeld() {
	held := p.held
	p.held = nil
	for i := range held {
		if p.state != Stopped {
			p.w.Net.Send(&held[i])
		}
	}
	freeBodies(held)
}

// freeBodies frees the bodies of messages kept with copies of their own.
func freeBodies(msgs []Message) {
	for i := range msgs {
		if msgs[i].Body != nil {
			msgs[i].Body.Free()
		}
	}
}

// State is the process's life-cycle state.
func (p *Process) State() ProcState { return p.state }

// Handler is the component the process runs.
func (p *Process) Handler() Handler { return p.h }

// Running reports whether the process handles events now.
func (p *Process) Running() bool { return p.state == Running }

// Incarnation counts the process's starts; keyed random draws use it so a
// restarted process draws afresh.
func (p *Process) Incarnation() uint64 { return p.incarnation }

// Now is the true simulation time.
func (p *Process) Now() sim.Time { return p.w.Sim.Now() }

// start runs the process if its host is up and it is not running.
func (p *Process) Start() {
	if p.state != Stopped || !p.Host.up {
		return
	}
	if p.Host.stalls > 0 {
		p.stallStart = true // nothing runs on a stalled VM
		return
	}
	p.state = Running
	p.incarnation++
	if s := p.Supervisor; s != nil {
		s.PodStarted(p)
	}
	p.h.Start()
	p.w.Watch.LeadershipChanged()
}

// kill stops the process, dropping timers, buffered input and (through the
// handler) volatile state.
func (p *Process) Kill() {
	p.stallStart = false
	if p.state == Stopped {
		return
	}
	p.state = Stopped
	for _, t := range p.timers {
		t.st.Stop()
		t.deferred = false
	}
	p.deferred = p.deferred[:0]
	for _, e := range p.inbox {
		p.w.Net.release(e)
	}
	p.inbox = p.inbox[:0]
	freeBodies(p.held)
	p.held = nil
	p.h.Stop()
}

// pause freezes the process.
func (p *Process) Pause() {
	if p.state == Running {
		p.state = Paused
		if fw, ok := p.h.(FreezeWatcher); ok {
			fw.Frozen()
		}
		p.w.Watch.LeadershipChanged()
	}
}

// resume unfreezes the process: buffered messages first, in arrival order,
// then the timers that came due, in due order.
func (p *Process) Resume() {
	if p.state != Paused {
		return
	}
	p.state = Running
	if fw, ok := p.h.(FreezeWatcher); ok {
		fw.Thawed()
	}
	p.w.Watch.LeadershipChanged()
	// What is delivered or run leaves the front of its queue first: a
	// delivery or a timer may kill the process (Kill empties the queues)
	// or freeze it again (the rest then waits, ahead of anything newer).
	inbox := p.inbox
	for len(p.inbox) > 0 && p.state == Running {
		e := p.inbox[0]
		p.inbox[0] = nil
		p.inbox = p.inbox[1:]
		p.h.Deliver(&e.msg)
		p.w.Net.release(e)
	}
	if len(p.inbox) == 0 {
		p.inbox = inbox[:0] // the array again, from its start
	}
	deferred := p.deferred
	for len(p.deferred) > 0 && p.state == Running {
		t := p.deferred[0]
		p.deferred[0] = nil
		p.deferred = p.deferred[1:]
		t.deferred = false
		t.run()
	}
	if len(p.deferred) == 0 {
		p.deferred = deferred[:0]
	}
}

// Mono is the process's monotonic clock reading now: what Go's
// time.Since measures and its timers follow.
func (p *Process) Mono() time.Duration { return p.Host.Clock.Mono(p.Now()) }

// supervisor restarts a process that exits by itself: the kubelet of a
// static pod. It hears of every start too, whoever made it (its own
// restart, a boot, a fault's heal), as a kubelet sees the container start.
type supervisor interface {
	PodExited(p *Process)
	PodStarted(p *Process)
}

// Timer is a process-owned timer. Its callback runs only while the process
// runs: one that comes due while the process is paused runs on resume, and
// a killed process's timers are disarmed. A Timer with a period is a ticker
// with a fixed phase, like Go's time.Ticker: a tick missed while paused is
// delivered once on resume and the ticker keeps its phase.
//
// A timer armed with After, AtMono or StartTicker keeps its deadline as a
// reading of the host's monotonic clock, as a Go timer does, so a change of
// the clock's rate moves it (Host.setRate); one armed with At keeps a true
// time.
type Timer struct {
	p        *Process
	st       *sim.Timer
	fn       func()
	deferred bool
	local    bool          // armed on the host's clock: mono is its deadline
	mono     time.Duration // the deadline, or a ticker's next grid point, on the host's monotonic clock
	period   time.Duration // a ticker's period on the host's clock; 0 for one-shot
}

// NewTimer returns an idle one-shot timer of p that runs fn.
func (p *Process) NewTimer(name string, fn func()) *Timer {
	t := &Timer{p: p, fn: fn}
	t.st = p.w.Sim.NewTimer(name, t.fire)
	p.timers = append(p.timers, t)
	return t
}

func (t *Timer) fire() {
	switch t.p.state {
	case Running:
		t.run()
	case Paused:
		if !t.deferred {
			t.deferred = true
			t.p.deferred = append(t.p.deferred, t)
		}
	}
}

// run calls the callback and, for a ticker, re-arms at the first grid
// point after now, so ticks missed during a pause collapse into one. The
// next grid point is past the clock's reading now, so a ticker always
// re-arms strictly in the future.
func (t *Timer) run() {
	if t.period > 0 {
		clk := &t.p.Host.Clock
		now := t.p.Now()
		if m := clk.Mono(now); t.mono <= m {
			t.mono += ((m-t.mono)/t.period + 1) * t.period
		}
		t.st.Reset(clk.TrueAt(now, t.mono))
	}
	t.fn()
}

// After arms the one-shot timer to fire after d on the host's clock. A
// negative d is a bug in the caller.
func (t *Timer) After(d time.Duration) {
	if d < 0 {
		panic(fmt.Sprintf("model.Timer.After: %s: negative delay %v", t.st.Name(), d))
	}
	t.AtMono(t.p.Mono() + d)
}

// AtMono arms the one-shot timer to fire when the host's monotonic clock
// reads mono (at once if it already has).
func (t *Timer) AtMono(mono time.Duration) {
	t.local, t.mono, t.period = true, mono, 0
	t.st.Reset(t.p.Host.Clock.TrueAt(t.p.Now(), mono))
}

// At arms the one-shot timer for true time at, which a change of the
// host's clock rate does not move: for physical events such as a disk
// write completing.
func (t *Timer) At(at sim.Time) {
	t.local, t.period = false, 0
	t.st.Reset(at)
}

// Stop disarms the timer and forgets a pending deferred run.
func (t *Timer) Stop() {
	t.st.Stop()
	if t.deferred {
		t.deferred = false
		for i, d := range t.p.deferred {
			if d == t {
				t.p.deferred = append(t.p.deferred[:i], t.p.deferred[i+1:]...)
				break
			}
		}
	}
}

// Pending reports whether the timer is armed or waiting for a resume.
func (t *Timer) Pending() bool { return t.st.Pending() || t.deferred }

// Due is when an armed timer fires, in true time (for a timer that came
// due while its process was paused: when it did); ok false when idle.
func (t *Timer) Due() (at sim.Time, ok bool) {
	if !t.st.Pending() && !t.deferred {
		return 0, false
	}
	return t.st.When(), true
}

// StartTicker makes t a ticker with period d on the host's clock whose
// first tick comes after first on the host's clock (0: now).
func (t *Timer) StartTicker(d, first time.Duration) {
	if d <= 0 {
		panic("model.Timer.StartTicker: period must be positive")
	}
	t.p.w.NotePeriod(d)
	t.local, t.period, t.mono = true, d, t.p.Mono()+first
	t.st.Reset(t.p.Host.Clock.TrueAt(t.p.Now(), t.mono))
}

// RoleClient is the role of a process that only sends requests: a probe's
// client, etcdctl.
const RoleClient = "client"

// HostProcessName is the name of a process of which a host runs at most
// one of its role: role and host, as in kube-apiserver-master-1,
// kubelet-worker-3 or kube-scheduler-master-2. It is how kubelet names the
// mirror pod of a static pod (the pod's name, "-", the node's name:
// kubernetes/pkg/kubelet/config, generatePodName).
func HostProcessName(role, host string) string { return role + "-" + host }
