package model

import (
	"fmt"
	"time"

	"hasim/sim"
)

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

	since  sim.Time      // true time of the last rate change
	monoAt time.Duration // monotonic reading then
}

// Mono is the monotonic reading at true time t (t not before the last
// rate change).
func (c *Clock) Mono(t sim.Time) time.Duration {
	return c.monoAt + time.Duration(c.Rate*float64(t-c.since))
}

// Wall is the wall-clock reading at true time t.
func (c *Clock) Wall(t sim.Time) time.Duration { return c.Mono(t) + c.Offset }

// TrueDuration is the true time that elapses while the clock advances by d.
func (c *Clock) TrueDuration(d time.Duration) time.Duration {
	if c.Rate == 1 {
		return d
	}
	return time.Duration(float64(d) / c.Rate)
}

// Host is a machine in a zone. It runs processes, owns a clock and a disk,
// and can be down (crashed, powered off), in which case its processes are
// stopped and the network neither delivers to nor sends from it.
type Host struct {
	Name  string
	Zone  *Zone
	Clock Clock
	Disk  *Disk
	Procs []*Process

	c       *Cluster
	index   int // position in Cluster.Hosts
	up      bool
	crashes int      // active faults holding the host down
	kubelet *Kubelet // restarts the host's static pods, if it has any
	joining bool     // a control-plane host kubeadm has not joined yet
}

// Up reports whether the host is running.
func (h *Host) Up() bool { return h.up }

// Joining reports whether the host is a control-plane host that kubeadm
// has not joined yet: nothing but clients runs on it until then.
func (h *Host) Joining() bool { return h.joining }

// Index is the host's position in the cluster's host list.
func (h *Host) Index() int { return h.index }

// crash takes the host down: every process on it stops at once, losing
// volatile state.
func (h *Host) crash() {
	if !h.up {
		return
	}
	h.up = false
	for _, p := range h.Procs {
		p.kill()
	}
}

// setRate changes the clock's rate at true time now and moves every armed
// timer of the host's processes so that it still fires when the clock has
// advanced by what it had left to wait.
func (h *Host) setRate(now sim.Time, rate float64) {
	c := &h.Clock
	old := c.Rate
	c.monoAt, c.since, c.Rate = c.Mono(now), now, rate
	for _, p := range h.Procs {
		for _, t := range p.timers {
			if t.period > 0 {
				t.period = c.TrueDuration(t.localPeriod)
			}
			if t.st.Pending() {
				left := float64(t.st.When() - now)
				t.st.Reset(now + sim.Time(left*old/rate))
				t.next = t.st.When()
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
	for _, p := range h.Procs {
		if p.enabled {
			p.start()
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
	slow      []Dist // fsync overrides from active slow-disk faults, last wins
}

// latency is the fsync distribution in force.
func (d *Disk) latency() Dist {
	if n := len(d.slow); n > 0 {
		return d.slow[n-1]
	}
	return d.Fsync
}

// Sync schedules a synchronous write and returns when it completes.
func (d *Disk) Sync(now sim.Time) sim.Time {
	start := max(now, d.busyUntil)
	d.writes++
	done := start.Add(d.latency().Sample(d.stream, d.writes))
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

// Process is a program running on a host: an etcd member, a probe client.
// It gates its handler: while paused nothing runs, and while stopped its
// timers are disarmed and messages to it are refused.
type Process struct {
	Name string
	Role string // "etcd", "client", ...
	Host *Host

	c           *Cluster
	index       int // position in Cluster.Procs
	h           Handler
	state       ProcState
	enabled     bool   // meant to run: started when its host boots
	incarnation uint64 // starts so far
	timers      []*Timer
	deferred    []*Timer    // came due while paused, in due order
	inbox       []*envelope // arrived while paused, in arrival order
	apiFault    apiFault    // an active api-error or api-block fault
	held        []Message   // API requests held by an api-block fault
}

// apiFault is the state of a process's API requests under client faults.
type apiFault uint8

const (
	apiOK   apiFault = iota
	apiFail          // requests fail at once
	apiHold          // requests hang until the heal
)

// releaseHeld sends the requests an api-block fault held, in order.
func (p *Process) releaseHeld() {
	held := p.held
	p.held = nil
	for i := range held {
		if p.state != Stopped {
			p.c.net.Send(&held[i])
		}
	}
}

// State is the process's life-cycle state.
func (p *Process) State() ProcState { return p.state }

// Running reports whether the process handles events now.
func (p *Process) Running() bool { return p.state == Running }

// Incarnation counts the process's starts; keyed random draws use it so a
// restarted process draws afresh.
func (p *Process) Incarnation() uint64 { return p.incarnation }

// Now is the true simulation time.
func (p *Process) Now() sim.Time { return p.c.Sim.Now() }

// start runs the process if its host is up and it is not running.
func (p *Process) start() {
	if p.state != Stopped || !p.Host.up {
		return
	}
	p.state = Running
	p.incarnation++
	p.h.Start()
	p.c.leadershipChanged()
}

// kill stops the process, dropping timers, buffered input and (through the
// handler) volatile state.
func (p *Process) kill() {
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
		p.c.net.release(e)
	}
	p.inbox = p.inbox[:0]
	p.held = nil
	p.h.Stop()
}

// pause freezes the process.
func (p *Process) pause() {
	if p.state == Running {
		p.state = Paused
		p.c.leadershipChanged()
	}
}

// resume unfreezes the process: buffered messages first, in arrival order,
// then the timers that came due, in due order.
func (p *Process) resume() {
	if p.state != Paused {
		return
	}
	p.state = Running
	p.c.leadershipChanged()
	for i := 0; i < len(p.inbox) && p.state == Running; i++ {
		e := p.inbox[i]
		p.h.Deliver(&e.msg)
		p.c.net.release(e)
		p.inbox[i] = nil
	}
	p.inbox = p.inbox[:0]
	for i := 0; i < len(p.deferred) && p.state == Running; i++ {
		t := p.deferred[i]
		t.deferred = false
		t.run()
	}
	p.deferred = p.deferred[:0]
}

// Timer is a process-owned timer. Its callback runs only while the process
// runs: one that comes due while the process is paused runs on resume, and
// a killed process's timers are disarmed. A Timer with a period is a ticker
// with a fixed phase, like Go's time.Ticker: a tick missed while paused is
// delivered once on resume and the ticker keeps its phase.
type Timer struct {
	p           *Process
	st          *sim.Timer
	fn          func()
	deferred    bool
	period      time.Duration // true-time period of a ticker; 0 for one-shot
	localPeriod time.Duration // the ticker's period on the host's clock
	next        sim.Time      // ticker: the grid point it is armed for
}

// NewTimer returns an idle one-shot timer of p that runs fn.
func (p *Process) NewTimer(name string, fn func()) *Timer {
	t := &Timer{p: p, fn: fn}
	t.st = p.c.Sim.NewTimer(name, t.fire)
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

// run calls the callback and, for a ticker, re-arms at the next grid point
// after now, so ticks missed during a pause collapse into one.
func (t *Timer) run() {
	if t.period > 0 {
		now := t.p.Now()
		for t.next <= now {
			t.next = t.next.Add(t.period)
		}
		t.st.Reset(t.next)
	}
	t.fn()
}

// After arms the one-shot timer to fire after d on the host's clock.
func (t *Timer) After(d time.Duration) {
	t.st.ResetAfter(t.p.Host.Clock.TrueDuration(d))
}

// At arms the one-shot timer for true time at.
func (t *Timer) At(at sim.Time) { t.st.Reset(at) }

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

// StartTicker makes t a ticker with period d on the host's clock whose
// first tick is at true time first.
func (t *Timer) StartTicker(d time.Duration, first sim.Time) {
	t.localPeriod = d
	t.period = t.p.Host.Clock.TrueDuration(d)
	t.next = first
	t.st.Reset(first)
}
