package model

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"hasim/sim"

	"hasim/model/etcd"
	"hasim/model/fabric"
	"hasim/model/kube"
)

// FaultKind names a kind of fault.
type FaultKind string

// The fault catalog. Each has a start (At) and, unless Duration is 0, an
// end at which it heals.
const (
	// FaultHostCrash: the target hosts crash (volatile state lost; etcd's
	// term, vote and fsynced log survive) and boot again at the end.
	FaultHostCrash FaultKind = "host-crash"
	// FaultZoneOutage: every host of the target zone loses power.
	FaultZoneOutage FaultKind = "zone-outage"
	// FaultProcessKill: the process (Process, default etcd) on the target
	// hosts is killed (SIGKILL) and restarted at the end.
	FaultProcessKill FaultKind = "process-kill"
	// FaultProcessCrash: the process (Process, default etcd) on the target
	// hosts crashes (exits at once, as SIGKILL leaves it) and its kubelet
	// restarts it as it restarts any static pod that exits: at once if it
	// had run for 10 minutes, else after the container restart back-off.
	// It has no duration: the kubelet ends it.
	FaultProcessCrash FaultKind = "process-crash"
	// FaultProcessPause: the process is frozen (SIGSTOP, a long GC or VM
	// pause) and resumed (SIGCONT) at the end.
	FaultProcessPause FaultKind = "process-pause"
	// FaultHostPause: every process of the target hosts is frozen at once
	// (a VM stall: the hypervisor descheduling the guest, a live
	// migration's stop-and-copy) and resumed at the end: timers that came
	// due fire late, and messages wait in the sockets, as for
	// process-pause; a process started meanwhile starts only then.
	FaultHostPause FaultKind = "host-pause"
	// FaultPartition: messages between the target hosts and the peer hosts
	// (default: all others) are silently dropped; with OneWay only those
	// from target to peer. Connections across it come back a reconnection
	// delay after the heal.
	FaultPartition FaultKind = "partition"
	// FaultLink: latency and/or loss between target and peer hosts change.
	FaultLink FaultKind = "link"
	// FaultSlowDisk: fsyncs on the target hosts take Fsync.
	FaultSlowDisk FaultKind = "slow-disk"
	// FaultProcessStop: a graceful stop (SIGTERM) of etcd (the default)
	// or of a leader-elected process. An etcd leader first hands its
	// leadership to the voter it has been connected to longest; etcd is
	// restarted at the end. A leader-elected process with ReleaseOnCancel
	// releases its lease first; the kubelet restarts it.
	FaultProcessStop FaultKind = "process-stop"
	// FaultAPIError: every API request of the process fails at once (a
	// broken credential, a refusing proxy) until the heal.
	FaultAPIError FaultKind = "api-error"
	// FaultAPIBlock: every API request of the process hangs until the heal,
	// then proceeds.
	FaultAPIBlock FaultKind = "api-block"
	// FaultClockStep: the target hosts' wall clocks jump by Step (an NTP
	// step); monotonic clocks do not move.
	FaultClockStep FaultKind = "clock-step"
	// FaultClockDrift: the target hosts' clocks run at Rate until the heal.
	FaultClockDrift FaultKind = "clock-drift"
)

// FaultKinds lists the catalog in documentation order.
func FaultKinds() []FaultKind {
	return []FaultKind{FaultHostCrash, FaultZoneOutage, FaultProcessKill, FaultProcessCrash, FaultProcessPause, FaultHostPause,
		FaultPartition, FaultLink, FaultSlowDisk, FaultProcessStop, FaultAPIError, FaultAPIBlock,
		FaultClockStep, FaultClockDrift, FaultJoinControlPlane, FaultRemoveEtcdMember}
}

// Target selects hosts: a host by name, every host of a zone, every host
// running a role, or a dynamic target resolved when the fault starts.
type Target struct {
	Kind string // "host", "zone", "role", "leader", "connection"
	// Name is the host, zone or role; for "leader", the group ("etcd");
	// for "connection", a probe with a long-lived connection.
	Name string
}

// Target kinds.
const (
	TargetHost   = "host"
	TargetZone   = "zone"
	TargetRole   = "role"
	TargetLeader = "leader"
	// TargetConnection is the host a probe's long-lived connection
	// reaches when the fault starts: through a load balancer, the backend
	// its session went to.
	TargetConnection = "connection"
)

// ParseTarget reads "host:NAME", "zone:NAME", "role:NAME", "leader:GROUP"
// or "connection:PROBE".
func ParseTarget(s string) (Target, error) {
	kind, name, ok := strings.Cut(s, ":")
	if !ok || name == "" {
		return Target{}, fmt.Errorf("target %q: want host:NAME, zone:NAME, role:NAME, leader:GROUP or connection:PROBE", s)
	}
	switch kind {
	case TargetHost, TargetZone, TargetRole, TargetConnection:
	case TargetLeader:
		if !slices.Contains(LeaderGroups(), name) {
			return Target{}, fmt.Errorf("target %q: leader groups are %s", s, strings.Join(LeaderGroups(), ", "))
		}
	default:
		return Target{}, fmt.Errorf("target %q: unknown kind %q; allowed: host, zone, role, leader, connection", s, kind)
	}
	return Target{Kind: kind, Name: name}, nil
}

func (t Target) String() string { return t.Kind + ":" + t.Name }

// LeaderGroups are the groups a leader:NAME target can name.
func LeaderGroups() []string {
	return []string{"etcd", kube.GroupKCM, kube.GroupScheduler, kube.GroupCCM, kube.RoleKubeVIP}
}

// LeaderElectedRoles are the processes besides etcd that a process-stop
// can stop gracefully.
func LeaderElectedRoles() []string {
	return []string{kube.GroupKCM, kube.GroupScheduler, kube.GroupCCM, kube.RoleKubeVIP}
}

// KnownRoles are the roles a Target can name.
// StaticPodRoles are the processes the kubelet runs as static pods (as
// kubeadm lays out a control plane, external etcd hosts included) and
// restarts when they exit.
func StaticPodRoles() []string {
	return []string{etcd.RoleEtcd, kube.RoleAPIServer, kube.GroupKCM, kube.GroupScheduler, kube.GroupCCM, kube.RoleKubeVIP}
}

// KnownRoles are the processes a fault can name.
func KnownRoles() []string {
	return []string{etcd.RoleEtcd, fabric.RoleClient, kube.RoleAPIServer, kube.GroupKCM, kube.GroupScheduler, kube.GroupCCM, kube.RoleKubelet,
		kube.RoleLoadBalancer, kube.RoleVRRP, kube.RoleKubeVIP}
}

// FaultConfig is one scripted fault.
type FaultConfig struct {
	Name     string // label in reports; default "fault N"
	Kind     FaultKind
	At       time.Duration // start, from the beginning of the run
	Duration time.Duration // until the heal; 0: never healed
	Target   Target
	// Peer is the other side of a partition or link fault; nil means every
	// host not in Target.
	Peer *Target
	// OneWay (partition): drop only messages from Target to Peer.
	OneWay bool
	// Process (process-kill, process-pause) is the role of the process to
	// act on. Default "etcd".
	Process string
	Latency *fabric.Dist  // link: one-way latency while active
	Loss    *float64      // link: loss probability while active
	Fsync   fabric.Dist   // slow-disk: fsync latency while active
	Step    time.Duration // clock-step: how far the wall clock jumps
	Rate    float64       // clock-drift: the clock rate while active
	// On makes the fault wait, from At, for a timeline event, and start
	// Delay after the first that matches.
	On *Trigger
	// UnequalLogs (process-kill of etcd, host-crash): when the fault
	// takes down the etcd leader, its followers first get logs of
	// different lengths, as in the Raft paper's election measurements
	// (etcd.Etcd.UnequalLogs): some candidates are then refused votes
	// by members whose logs are more up to date.
	UnequalLogs bool
	// AddAsVoter (join-control-plane): kubeadm adds the stacked member as a
	// voting member at once, as before Kubernetes 1.29 (EtcdLearnerMode
	// off), instead of as a learner promoted once in sync.
	AddAsVoter bool
	// Failure is the failure process that made the fault (its name: the
	// failure class); empty for a scripted fault.
	Failure string
}

// Trigger is an event a fault waits for.
type Trigger struct {
	Event string // a timeline event name: "lease.acquired", "member.leader", ...
	// Match, if set, must equal the record's member, process, group, host
	// or probe.
	Match string
	Delay time.Duration
}

func (t *Trigger) matches(r fabric.Record) bool {
	if r.Event != t.Event {
		return false
	}
	return t.Match == "" || t.Match == r.Member || t.Match == r.Proc || t.Match == r.Group || t.Match == r.Host || t.Match == r.Probe
}

// EventNames are the timeline events a trigger can wait for.
func EventNames() []string {
	return []string{EvFaultInjected, EvFaultHealed, fabric.EvHostDown, fabric.EvHostUp, fabric.EvProcStopped, fabric.EvProcStarted, fabric.EvProcPaused,
		fabric.EvProcResumed, etcd.EvPreCandidate, etcd.EvCandidate, etcd.EvLeader, etcd.EvFollower, etcd.EvStepDown, etcd.EvVoteIgnored, etcd.EvVoteRejected,
		etcd.EvFirstCommit, kube.EvProbeDown, kube.EvProbeUp, kube.EvAPIReady, kube.EvAPIUnready, kube.EvLeaseAcquired, kube.EvLeaseRenewed,
		kube.EvLeaseLost, kube.EvLeaseReleased, kube.EvSplitBrain, kube.EvSplitBrainEnded, kube.EvActingSplitBrain, kube.EvActingSplitBrainEnded, fabric.EvProcExited, kube.EvProcRestarted, fabric.EvClockChanged, kube.EvLBBackendDown,
		kube.EvLBBackendUp, kube.EvVIPMoved, kube.EvNodeLeaseFailing, kube.EvNodeLeaseOK, kube.EvNodeNotReady, kube.EvNodeReady, kube.EvNodeTainted,
		kube.EvNodeUntainted, kube.EvPodEvicted, kube.EvPodCreated, kube.EvPodScheduled, kube.EvPodStarted, kube.EvPodsStopped, kube.EvCtrlSynced, kube.EvServiceEndpoints, kube.EvProxyRules, etcd.EvMemberAdded, etcd.EvMemberPromoted, etcd.EvMemberRemoved, etcd.EvMemberLeft,
		EvOpRetrying, EvOpDone, EvOpFailed}
}

func (f *FaultConfig) validate(cfg *Config, hosts, zones map[string]bool) error {
	known := false
	for _, k := range FaultKinds() {
		known = known || k == f.Kind
	}
	if !known {
		return fmt.Errorf("unknown kind %q", f.Kind)
	}
	if f.At < 0 || f.Duration < 0 {
		return fmt.Errorf("at and duration must not be negative")
	}
	if cfg.HorizonEras == 0 && f.At >= cfg.Horizon {
		return fmt.Errorf("starts at %v, at or after the horizon (%v)", f.At, cfg.Horizon)
	}
	if f.On != nil {
		if !slices.Contains(EventNames(), f.On.Event) {
			return fmt.Errorf("trigger event %q: allowed %s", f.On.Event, strings.Join(EventNames(), ", "))
		}
		if f.On.Delay < 0 {
			return fmt.Errorf("trigger delay must not be negative")
		}
	}
	check := func(t Target) error {
		switch t.Kind {
		case TargetHost:
			if !hosts[t.Name] {
				return fmt.Errorf("target host %q is not defined", t.Name)
			}
		case TargetZone:
			if !zones[t.Name] {
				return fmt.Errorf("target zone %q is not defined", t.Name)
			}
		case TargetRole:
			if !slices.Contains(KnownRoles(), t.Name) {
				return fmt.Errorf("target role %q: allowed %s", t.Name, strings.Join(KnownRoles(), ", "))
			}
		case TargetLeader:
		case TargetConnection:
			i := slices.IndexFunc(cfg.Probes, func(p kube.ProbeConfig) bool { return p.Name == t.Name })
			if i < 0 || cfg.Probes[i].Connection != kube.ConnLongLived {
				return fmt.Errorf("target %q: no probe %q with a long-lived connection", t, t.Name)
			}
		default:
			return fmt.Errorf("target %q: unknown kind", t)
		}
		return nil
	}
	if err := check(f.Target); err != nil {
		return err
	}
	if f.Peer != nil {
		if err := check(*f.Peer); err != nil {
			return fmt.Errorf("peer: %w", err)
		}
	}
	if f.UnequalLogs {
		switch {
		case f.Kind != FaultProcessKill && f.Kind != FaultHostCrash:
			return fmt.Errorf("unequalLogs applies only to process-kill and host-crash faults, not %s", f.Kind)
		case f.Kind == FaultProcessKill && f.processRole() != etcd.RoleEtcd:
			return fmt.Errorf("unequalLogs needs the etcd process killed, not %s", f.processRole())
		}
	}
	if f.Kind.IsOperation() && f.Duration != 0 {
		return fmt.Errorf("%s is an operation: it runs until done, without a duration", f.Kind)
	}
	switch f.Kind {
	case FaultJoinControlPlane:
		if f.Target.Kind != TargetHost {
			return fmt.Errorf("join-control-plane needs a host target (host:NAME)")
		}
		if !slices.Contains(cfg.Joining, f.Target.Name) {
			return fmt.Errorf("join-control-plane: host %q is not a joining control-plane host", f.Target.Name)
		}
	case FaultRemoveEtcdMember:
		if f.Target.Kind != TargetHost && f.Target != (Target{Kind: TargetLeader, Name: "etcd"}) {
			return fmt.Errorf("remove-etcd-member needs host:NAME or leader:etcd")
		}
		if f.Target.Kind == TargetHost && !slices.Contains(cfg.EtcdMembers, f.Target.Name) {
			return fmt.Errorf("remove-etcd-member: host %q runs no etcd member", f.Target.Name)
		}
	case FaultZoneOutage:
		if f.Target.Kind != TargetZone {
			return fmt.Errorf("zone-outage needs a zone target (zone:NAME)")
		}
	case FaultClockDrift:
		if f.Rate <= 0 {
			return fmt.Errorf("clock-drift needs a positive rate, e.g. 1.001")
		}
	case FaultClockStep:
		if f.Step == 0 {
			return fmt.Errorf("clock-step needs a non-zero step")
		}
	case FaultProcessKill, FaultProcessPause, FaultProcessStop, FaultAPIError, FaultAPIBlock:
		if f.Process != "" && !slices.Contains(KnownRoles(), f.Process) {
			return fmt.Errorf("process %q: allowed %s", f.Process, strings.Join(KnownRoles(), ", "))
		}
	case FaultProcessCrash:
		if f.Process != "" && !slices.Contains(StaticPodRoles(), f.Process) {
			return fmt.Errorf("process-crash: process %q is not a static pod its kubelet restarts; allowed %s (process-kill with a duration stops any process)",
				f.Process, strings.Join(StaticPodRoles(), ", "))
		}
		if f.Duration != 0 {
			return fmt.Errorf("process-crash has no duration: the kubelet restarts the process (process-kill keeps it down for a duration)")
		}

	case FaultLink:
		if f.Latency == nil && f.Loss == nil {
			return fmt.Errorf("link needs latency or loss")
		}
		if f.Latency != nil {
			if err := f.Latency.Validate(); err != nil {
				return fmt.Errorf("latency: %w", err)
			}
		}
		if f.Loss != nil && (*f.Loss < 0 || *f.Loss > 1) {
			return fmt.Errorf("loss %g must be within [0, 1]", *f.Loss)
		}
	case FaultSlowDisk:
		if f.Fsync.Kind == "" && f.Fsync.Value == 0 {
			return fmt.Errorf("slow-disk needs fsync")
		}
		if err := f.Fsync.Validate(); err != nil {
			return fmt.Errorf("fsync: %w", err)
		}
	}
	return nil
}

// Fault is a scripted fault and what was measured around it.
type Fault struct {
	ID  int
	Cfg FaultConfig

	c     *Cluster
	hosts []*fabric.Host
	procs []*fabric.Process
	// What the fault installed, each removed by its heal: by host for
	// slow-disk and clock-drift (as f.hosts), by process for api faults
	// (as f.procs).
	cut      *fabric.Cut
	link     *fabric.LinkFault
	slow     []*fabric.Slowdown
	drifts   []*fabric.ClockDrift
	api      []*fabric.APIFault
	injected bool
	healed   bool
	armed    bool // waiting for its trigger

	// Measurements, in calendar time (fabric.World.Now).
	InjectedAt     sim.Time
	HealedAt       sim.Time
	Skipped        string // why the fault did nothing (no leader to target)
	Resolved       string // the hosts it hit
	TermAtInject   uint64
	LeaderAtInject string
	NewLeaderAt    sim.Time // first leader of a higher term after injection; 0 if none
	NewLeader      string
	NewLeaderTerm  uint64
	FirstOK        []sim.Time // by probe: first success sent after injection; 0 if none
	// GroupAcquired, by group: the first lease acquisition after injection.
	GroupAcquired []GroupAcquisition
	doneAt        sim.Time // an operation's end; 0 while it runs
	opErr         string   // why an operation failed
	// Class is the failure class the fault's downtime is attributed to
	// (incidents.go).
	Class string
	inc   *pendingIncident // the incident it is part of while active
}

// GroupAcquisition is a leader-election group's first acquisition after a
// fault.
type GroupAcquisition struct {
	Group string
	Proc  string
	At    sim.Time // 0 if none
}

func (f *Fault) groupAcquired(g *kube.LeaseGroup, proc string) {
	for i := range f.GroupAcquired {
		if a := &f.GroupAcquired[i]; a.Group == g.Name && a.At == 0 {
			a.Proc, a.At = proc, f.c.Now()
		}
	}
}

func newFault(c *Cluster, id int, fc FaultConfig) *Fault {
	class := faultClass(fc)
	if fc.Name == "" {
		fc.Name = fmt.Sprintf("fault %d", id)
	}
	f := &Fault{ID: id, Cfg: fc, c: c, FirstOK: make([]sim.Time, len(c.cfg.Probes)), Class: class}
	for _, g := range c.Groups {
		f.GroupAcquired = append(f.GroupAcquired, GroupAcquisition{Group: g.Name})
	}
	if fc.On == nil {
		c.CalendarAt(sim.At(fc.At), fmt.Sprintf("fault-%d/inject", id), f.inject)
	} else {
		// Armed at At; Record fires it after the first matching event.
		c.CalendarAt(sim.At(fc.At), fmt.Sprintf("fault-%d/arm", id), func() { f.armed = true })
	}
	return f
}

// Injected reports whether the fault took effect.
func (f *Fault) Injected() bool { return f.injected }

// Healed reports whether the fault ended within the run.
func (f *Fault) Healed() bool { return f.healed }

// resolve turns a target into hosts, now.
func (c *Cluster) resolve(t Target) ([]*fabric.Host, string) {
	var out []*fabric.Host
	switch t.Kind {
	case TargetHost:
		for _, h := range c.Hosts {
			if h.Name == t.Name {
				out = append(out, h)
			}
		}
	case TargetZone:
		for _, z := range c.Zones {
			if z.Name == t.Name {
				out = append(out, z.Hosts...)
			}
		}
	case TargetRole:
		for _, h := range c.Hosts {
			if c.managed(h) {
				continue // a managed load balancer does not fail
			}
			for _, p := range h.Procs {
				if p.Role == t.Name {
					out = append(out, h)
					break
				}
			}
		}
	case TargetLeader:
		if t.Name == "etcd" {
			if l := c.Etcd.Leader(); l != nil {
				return []*fabric.Host{l.Proc.Host}, fmt.Sprintf("%s (host of etcd leader %s)", l.Proc.Host.Name, l.Name)
			}
			return nil, ""
		}
		for _, g := range c.Groups {
			if g.Name != t.Name {
				continue
			}
			if k := g.ActingLeader(); k != nil {
				return []*fabric.Host{k.Proc.Host}, fmt.Sprintf("%s (host of %s leader %s)", k.Proc.Host.Name, g.Name, k.Proc.Name)
			}
		}
		return nil, ""
	case TargetConnection:
		for _, p := range c.Probes {
			if p.Name != t.Name {
				continue
			}
			if h := p.ConnHost(c.LB); h != nil {
				return []*fabric.Host{h}, fmt.Sprintf("%s (where %s's connection goes)", h.Name, p.Name)
			}
		}
		return nil, ""
	}
	names := make([]string, len(out))
	for i, h := range out {
		names[i] = h.Name
	}
	return out, strings.Join(names, ", ")
}

// frozenLeaders names the candidates of a leader:NAME target's group that
// believe they lead but are frozen, when none acts ("" otherwise).
func (c *Cluster) frozenLeaders(t Target) string {
	if t.Kind != TargetLeader {
		return ""
	}
	var names []string
	for _, g := range c.Groups {
		if g.Name != t.Name {
			continue
		}
		for _, k := range g.Believers() {
			if k.Proc.State() == fabric.Paused {
				names = append(names, k.Name)
			}
		}
	}
	return strings.Join(names, " and ")
}

func (f *Fault) inject() {
	c := f.c
	f.InjectedAt = c.Now()
	f.TermAtInject = c.Etcd.MaxTerm()
	if l := c.Etcd.Leader(); l != nil {
		f.LeaderAtInject = l.Name
	}
	hosts, desc := c.resolve(f.Cfg.Target)
	if len(hosts) == 0 {
		f.Skipped = fmt.Sprintf("no host matches %s now", f.Cfg.Target)
		if frozen := c.frozenLeaders(f.Cfg.Target); frozen != "" {
			f.Skipped += " (" + frozen + " believes it leads but is frozen)"
		}
		c.Record(fabric.Record{Event: EvFaultInjected, Fault: f.ID, Kind: string(f.Cfg.Kind), Target: f.Cfg.Target.String(),
			Reason: "skipped: " + f.Skipped})
		return
	}
	if f.Cfg.Kind.IsOperation() {
		if why := f.precheck(hosts); why != "" {
			f.Skipped = why
			c.Record(fabric.Record{Event: EvFaultInjected, Fault: f.ID, Kind: string(f.Cfg.Kind), Target: desc, Reason: "skipped: " + why})
			return
		}
		hosts, desc = hosts[:1], hosts[0].Name
	}
	f.hosts, f.Resolved = hosts, desc
	f.injected = true
	switch {
	case f.Cfg.Kind.IsOperation():
		c.opsRunning++
	case f.Cfg.Duration > 0:
		c.inForce++
	}
	c.current = f
	why := f.describe()
	if f.Cfg.UnequalLogs {
		why += "; unequal logs: " + f.unequalLogs(hosts)
	}
	c.Record(fabric.Record{Event: EvFaultInjected, Fault: f.ID, Kind: string(f.Cfg.Kind), Target: desc, Reason: why})
	c.faultBegins(f)
	switch f.Cfg.Kind {
	case FaultJoinControlPlane, FaultRemoveEtcdMember:
		f.startOperation(hosts[0])
	case FaultHostCrash, FaultZoneOutage:
		for _, h := range hosts {
			if h.Crash() {
				c.Record(fabric.Record{Event: fabric.EvHostDown, Host: h.Name, Fault: f.ID})
			}
		}
	case FaultProcessKill, FaultProcessCrash, FaultProcessPause, FaultProcessStop, FaultAPIError, FaultAPIBlock:
		role := f.processRole()
		for _, h := range hosts {
			for _, p := range h.Procs {
				if p.Role != role {
					continue
				}
				f.procs = append(f.procs, p)
				switch f.Cfg.Kind {
				case FaultProcessKill:
					p.Hold()
					p.Kill()
					c.Record(fabric.Record{Event: fabric.EvProcStopped, Proc: p.Name, Host: h.Name, Fault: f.ID, Reason: "killed (SIGKILL)"})
				case FaultProcessCrash:
					// Exit records the exit and hands the process to its
					// kubelet, which restarts it after its back-off. A frozen
					// process does not run, so it cannot crash.
					if p.State() == fabric.Running {
						p.Exit(fmt.Sprintf("crashed (fault %d)", f.ID))
					}
				case FaultProcessPause:
					p.Freeze()
					c.Record(fabric.Record{Event: fabric.EvProcPaused, Proc: p.Name, Host: h.Name, Fault: f.ID, Reason: "frozen (SIGSTOP)"})
				case FaultProcessStop:
					switch k := p.Handler().(type) {
					case *kube.Controller:
						if p.Running() {
							c.Record(fabric.Record{Event: fabric.EvProcStopped, Proc: p.Name, Host: h.Name, Fault: f.ID, Reason: "asked to stop (SIGTERM)"})
							k.Elector.Shutdown()
						}
					case *etcd.Member:
						// etcd's static pod restart is not modelled: it
						// starts again at the heal, like a killed one.
						p.Hold()
						k.Sigterm(f.ID)
					}
				case FaultAPIError:
					f.api = append(f.api, p.FailAPI())
				case FaultAPIBlock:
					f.api = append(f.api, p.BlockAPI())
				}
			}
		}
	case FaultClockStep:
		for _, h := range hosts {
			h.Clock.Step(f.Cfg.Step)
			c.Record(fabric.Record{Event: fabric.EvClockChanged, Host: h.Name, Fault: f.ID, Reason: fmt.Sprintf("wall clock stepped by %v", f.Cfg.Step)})
		}
	case FaultClockDrift:
		for _, h := range hosts {
			f.drifts = append(f.drifts, h.DriftClock(f.Cfg.Rate))
			c.Record(fabric.Record{Event: fabric.EvClockChanged, Host: h.Name, Fault: f.ID, Reason: fmt.Sprintf("clock rate now %g", f.Cfg.Rate)})
		}
	case FaultHostPause:
		for _, h := range hosts {
			for _, p := range h.Stall() {
				c.Record(fabric.Record{Event: fabric.EvProcPaused, Proc: p.Name, Host: h.Name, Fault: f.ID, Reason: "frozen with its VM"})
			}
		}
	case FaultPartition, FaultLink:
		peers := f.peers(hosts)
		if f.Cfg.Kind == FaultPartition {
			f.cut = c.Net.Cut(hosts, peers, f.Cfg.OneWay)
		} else {
			f.link = c.Net.Degrade(hosts, peers, f.Cfg.Latency, f.Cfg.Loss)
		}
	case FaultSlowDisk:
		for _, h := range hosts {
			f.slow = append(f.slow, h.Disk.Slow(f.Cfg.Fsync))
		}
	}
	if c.withinTime(f.Cfg.Duration) {
		c.CalendarAt(c.Now().Add(f.Cfg.Duration), fmt.Sprintf("fault-%d/heal", f.ID), f.heal)
	}
	if f.Cfg.Kind.Instant() {
		c.pruneFaults() // over already: no heal will
	}
}

func (f *Fault) heal() {
	c := f.c
	f.healed = true
	c.inForce--
	defer c.pruneFaults()
	f.HealedAt = c.Now()
	c.Record(fabric.Record{Event: EvFaultHealed, Fault: f.ID, Kind: string(f.Cfg.Kind), Target: f.Resolved})
	c.faultEnds(f)
	switch f.Cfg.Kind {
	case FaultHostCrash, FaultZoneOutage:
		for _, h := range f.hosts {
			if h.Repair() {
				c.Record(fabric.Record{Event: fabric.EvHostUp, Host: h.Name, Fault: f.ID})
				h.Boot()
			}
		}
	case FaultProcessKill, FaultProcessStop:
		for _, p := range f.procs {
			if _, ok := p.Handler().(*etcd.Member); !ok && f.Cfg.Kind == FaultProcessStop {
				continue // the kubelet restarts a leader-elected process
			}
			if p.Release() {
				c.Record(fabric.Record{Event: fabric.EvProcStarted, Proc: p.Name, Host: p.Host.Name, Fault: f.ID, Reason: "restarted"})
				p.Start()
			}
		}
	case FaultProcessPause:
		for _, p := range f.procs {
			if p.Thaw() {
				c.Record(fabric.Record{Event: fabric.EvProcResumed, Proc: p.Name, Host: p.Host.Name, Fault: f.ID, Reason: "resumed (SIGCONT)"})
				p.Resume()
			}
		}
	case FaultHostPause:
		for _, h := range f.hosts {
			h.Unstall(func(p *fabric.Process, started bool) {
				if started {
					c.Record(fabric.Record{Event: fabric.EvProcStarted, Proc: p.Name, Host: h.Name, Fault: f.ID, Reason: "started as its VM resumed (its start came during the stall)"})
				} else {
					c.Record(fabric.Record{Event: fabric.EvProcResumed, Proc: p.Name, Host: h.Name, Fault: f.ID, Reason: "resumed with its VM"})
				}
			})
		}
	case FaultAPIError, FaultAPIBlock:
		for i, p := range f.procs {
			p.ClearAPI(f.api[i])
		}
	case FaultClockDrift:
		for i, h := range f.hosts {
			rate := h.RestoreClock(f.drifts[i])
			c.Record(fabric.Record{Event: fabric.EvClockChanged, Host: h.Name, Fault: f.ID, Reason: fmt.Sprintf("clock rate back to %g", rate)})
		}
	case FaultPartition:
		c.Net.Heal(f.cut)
	case FaultLink:
		c.Net.Restore(f.link)
	case FaultSlowDisk:
		for i, h := range f.hosts {
			h.Disk.Restore(f.slow[i])
		}
	}
}

// peers is the other side of a partition or link fault whose target is
// hosts: the hosts of Peer, or every host not in hosts.
func (f *Fault) peers(hosts []*fabric.Host) []*fabric.Host {
	if f.Cfg.Peer != nil {
		peers, _ := f.c.resolve(*f.Cfg.Peer)
		return peers
	}
	in := f.c.HostMask(hosts)
	var out []*fabric.Host
	for _, h := range f.c.Hosts {
		if !in[h.Index()] {
			out = append(out, h)
		}
	}
	return out
}

// describe says what the fault does, in words.
func (f *Fault) describe() string {
	fc := f.Cfg
	var what string
	switch fc.Kind {
	case FaultHostCrash:
		what = "host crash"
	case FaultZoneOutage:
		what = "zone outage"
	case FaultProcessKill:
		what = "kill " + f.processRole()
	case FaultProcessCrash:
		what = "crash of " + f.processRole() + " (its kubelet restarts it)"
	case FaultProcessPause:
		what = "pause " + f.processRole()
	case FaultHostPause:
		what = "VM stall: every process frozen"
	case FaultPartition:
		peer := "all other hosts"
		if fc.Peer != nil {
			peer = fc.Peer.String()
		}
		what = "partition from " + peer
		if fc.OneWay {
			what = "one-way partition (outbound only) to " + peer
		}
	case FaultLink:
		var parts []string
		if fc.Latency != nil {
			parts = append(parts, "latency "+fc.Latency.String())
		}
		if fc.Loss != nil {
			parts = append(parts, fmt.Sprintf("loss %g%%", *fc.Loss*100))
		}
		what = "link " + strings.Join(parts, ", ")
	case FaultSlowDisk:
		what = "slow disk: fsync " + fc.Fsync.String()
	case FaultProcessStop:
		what = "stop " + f.processRole() + " gracefully (SIGTERM)"
		if f.processRole() == etcd.RoleEtcd {
			what = "stop etcd gracefully (SIGTERM; a leader first transfers its leadership)"
		}
	case FaultAPIError:
		what = "API requests of " + f.processRole() + " fail at once"
	case FaultAPIBlock:
		what = "API requests of " + f.processRole() + " hang"
	case FaultClockStep:
		what = fmt.Sprintf("wall clock step by %v", fc.Step)
	case FaultClockDrift:
		what = fmt.Sprintf("clock rate %g", fc.Rate)
	case FaultJoinControlPlane:
		what = "kubeadm join --control-plane"
		if fc.AddAsVoter {
			what += " (etcd member added as a voter: no learner mode before 1.29)"
		}
	case FaultRemoveEtcdMember:
		what = "etcdctl member remove"
	}
	if fc.Duration > 0 {
		what += fmt.Sprintf(" for %v", fc.Duration)
	}
	return what
}

// processRole is the role of the process a process fault acts on.
func (f *Fault) processRole() string { return f.Cfg.processRole() }

func (f *FaultConfig) processRole() string {
	if f.Process != "" {
		return f.Process
	}
	if f.Target.Kind == TargetRole {
		return f.Target.Name
	}
	if f.Target.Kind == TargetLeader && f.Target.Name != "etcd" {
		return f.Target.Name
	}
	return etcd.RoleEtcd
}

// withinTime reports whether d from the calendar's now is a positive
// delay that ends before the end of simulated time (sim.Time ends at about
// 292 years): a fault's heal or delayed start that would fall beyond it
// never happens, and is not armed (now + d would wrap around).
func (c *Cluster) withinTime(d time.Duration) bool {
	return d > 0 && d < sim.Never.Sub(c.Now())
}

// triggered starts, after their delay, the armed faults that r matches.
func (c *Cluster) triggered(r fabric.Record) {
	for _, f := range c.Faults {
		if f.armed && f.Cfg.On.matches(r) {
			f.armed = false
			if c.withinTime(f.Cfg.On.Delay) || f.Cfg.On.Delay == 0 {
				c.CalendarAt(c.Now().Add(f.Cfg.On.Delay), fmt.Sprintf("fault-%d/inject", f.ID), f.inject)
			}
		}
	}
}

// leaderElected attributes a new leader to the most recent fault.
func (c *Cluster) leaderElected(m *etcd.Member) {
	if f := c.current; f != nil && f.NewLeaderAt == 0 && m.HS.Term > f.TermAtInject {
		f.NewLeaderAt, f.NewLeader, f.NewLeaderTerm = c.Now(), m.Name, m.HS.Term
	}
}

// ProbeSucceeded implements kube.Watcher: it attributes a probe's first
// success after the most recent fault to that fault.
func (c *Cluster) ProbeSucceeded(p *kube.Probe, sent sim.Time) {
	f := c.current
	if f == nil || c.Calendar(sent) < f.InjectedAt {
		return
	}
	for i, q := range c.Probes {
		if q == p && f.FirstOK[i] == 0 {
			f.FirstOK[i] = c.Now()
		}
	}
}

// unequalLogs gives the etcd leader's followers logs of different lengths
// before the fault takes the leader down (FaultConfig.UnequalLogs), and
// says what it did.
func (f *Fault) unequalLogs(hosts []*fabric.Host) string {
	l := f.c.Etcd.Leader()
	if l == nil {
		return "no etcd leader now; logs left as they are"
	}
	if !slices.Contains(hosts, l.Proc.Host) {
		return "the etcd leader " + l.Name + " is not among the targets; logs left as they are"
	}
	return f.c.Etcd.UnequalLogs(l, f.c.Sim.Stream("fault/unequal-logs"), uint64(f.ID))
}
