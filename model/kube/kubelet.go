package kube

import (
	"fmt"
	"time"

	"hasim/sim"

	"hasim/model/etcd"
	"hasim/model/fabric"
)

// Kubelet restart and probe defaults (kubelet: pkg/kubelet's container
// restart back-off; kubeadm's static pod manifests:
// cmd/kubeadm/app/phases/controlplane/manifests.go).
const (
	// Container restart back-off: 10s doubling to 300s. The first restart
	// after a clean run is immediate; the back-off resets once the
	// container ran for 10 minutes, whatever the maximum (kubelet.go sets
	// the crash-loop back-off's HasExpiredFunc to 600 s; before the
	// maximum was configurable it was flowcontrol's twice 300 s).
	DefaultRestartBackoff    = 10 * time.Second
	DefaultMaxRestartBackoff = 300 * time.Second
	RestartBackoffReset      = 10 * time.Minute
	// The apiserver's liveness probe: /livez every 10s after 10s, each with
	// a 15s timeout; 8 consecutive failures restart it (~80 s).
	DefaultLivenessInitialDelay = 10 * time.Second
	DefaultLivenessPeriod       = 10 * time.Second
	DefaultLivenessTimeout      = 15 * time.Second
	DefaultLivenessFailures     = 8
	// The apiserver's readiness probe: /readyz every 1s, each with a 15s
	// timeout. Like the liveness probe it starts once kubeadm's startup
	// probe (/livez after 10s) has passed: here, after the liveness
	// probe's initial delay.
	DefaultReadinessPeriod  = time.Second
	DefaultReadinessTimeout = 15 * time.Second
	// RelistPeriod is how often the kubelet's pod lifecycle event
	// generator lists the containers (pkg/kubelet/kubelet.go,
	// genericPlegRelistPeriod; it lists at once when it starts, then
	// every second): a container that exits is seen at the next listing,
	// and a restart without back-off comes then.
	RelistPeriod = time.Second
)

// KubeletConfig is the kubelet's restart back-off for static pods
// (CrashLoopBackOff).
type KubeletConfig struct {
	RestartBackoff    time.Duration // first delay; default 10s
	MaxRestartBackoff time.Duration // cap; default 300s
}

// WithDefaults fills in the kubelet's defaults.
func (k KubeletConfig) WithDefaults() KubeletConfig {
	if k.RestartBackoff == 0 {
		k.RestartBackoff = DefaultRestartBackoff
	}
	if k.MaxRestartBackoff == 0 {
		k.MaxRestartBackoff = DefaultMaxRestartBackoff
	}
	return k
}

// staticPod is a process the kubelet keeps running.
type staticPod struct {
	proc     *fabric.Process
	restart  *fabric.Timer
	backoff  time.Duration
	started  sim.Time
	liveness *LivenessProbe // probe /livez (kube-apiserver); nil: none
	failures int
	probeTag uint64
	readyTag uint64 // the readiness probe in flight
	// exited: the pod exited and has not started since. A kubelet that
	// was down then, or was killed during the back-off, restarts it when
	// it starts again, as its first sync of the static pods does.
	exited bool
}

// Kubelet is the part of the kubelet that keeps a control-plane host's
// static pods alive: it restarts a process that exited, with the container
// restart back-off, and restarts a kube-apiserver whose /livez fails
// livenessFailures times in a row.
type Kubelet struct {
	Proc *fabric.Process

	w      *fabric.World
	cfg    KubeletConfig // the static pods' restart back-off
	pods   []*staticPod
	probe  *fabric.Timer
	client *fabric.RPCClient
	reqs   apiRequests
	tag    uint64
	node   *Node // the node it registers, with the worker plane
	// liveness and readiness are the probes of the apiserver it runs, if
	// any.
	liveness  *LivenessProbe
	readiness *ReadinessProbe
	ready     *fabric.Timer
	// readyStart and liveStart draw the probers' start phases.
	readyStart, liveStart sim.Stream
	// startMono is when it last started, on its host's monotonic clock:
	// its relists come every RelistPeriod from there.
	startMono time.Duration
}

func newKubelet(c *Plane, h *fabric.Host) *Kubelet {
	k := &Kubelet{w: c.World, cfg: c.kubeletCfg}
	k.Proc = c.AddProcess(fabric.HostProcessName(RoleKubelet, h.Name), RoleKubelet, h, k)
	k.probe = k.Proc.NewTimer(k.Proc.Name+"/liveness", k.onProbe)
	k.ready = k.Proc.NewTimer(k.Proc.Name+"/readiness", k.onReadiness)
	k.readyStart = c.Sim.Stream(k.Proc.Name + "/readiness")
	k.liveStart = c.Sim.Stream(k.Proc.Name + "/liveness")
	c.OnSkip(k.skip)
	c.TrimAtSkip(&k.reqs)
	return k
}

// skip accounts a skipped span: each static pod has been up (or held
// down) that much longer since its last start, which PodExited compares
// with RestartBackoffReset to reset the back-off. The span counts
// with the time simulated before and after it, and with other spans, as
// a run that simulated it would count it.
func (k *Kubelet) skip(d time.Duration) {
	for _, sp := range k.pods {
		sp.started = sp.started.Add(-d)
	}
}

// Manage adds a static pod; liveness and readiness, if set, probe its
// /livez and /readyz (one probed pod per kubelet: its apiserver).
func (k *Kubelet) Manage(p *fabric.Process, liveness *LivenessProbe, readiness *ReadinessProbe) {
	sp := &staticPod{proc: p, liveness: liveness, backoff: 0}
	p.Supervisor = k
	sp.restart = k.Proc.NewTimer(k.Proc.Name+"/restart-"+p.Name, func() { k.restart(sp) })
	k.pods = append(k.pods, sp)
	if liveness != nil {
		k.client = fabric.NewRPCClient(k.Proc, k.Proc.Name+"/probe", []*fabric.Process{p}, 0, 0, k.probeDone)
		k.liveness, k.readiness = liveness, readiness
	}
}

// Passive implements fabric.Passive: a kubelet that probes nothing and
// runs no node (an etcd-only host's) only waits for its pods to exit.
func (k *Kubelet) Passive() bool { return k.client == nil && k.node == nil }

// Start implements Handler.
func (k *Kubelet) Start() {
	now := k.Proc.Now()
	k.startMono = k.Proc.Mono()
	for _, sp := range k.pods {
		sp.started, sp.failures, sp.backoff = now, 0, 0
		if sp.exited {
			sp.restart.After(0) // after the host's boot, which may start it first
		}
	}
	if k.client != nil {
		k.client.Start()
		// Each prober's worker, started with the kubelet, waits a random
		// part of its period before its first probe, then probes every
		// period (pkg/kubelet/prober/worker.go run); a probe of a container
		// that has not run its initial delay yet is skipped (sendProbes).
		// The worker outlives the container's restarts, so its phase is
		// the kubelet's.
		phase := func(s sim.Stream, period time.Duration) time.Duration {
			return time.Duration(s.Float64(k.Proc.Incarnation()) * float64(period))
		}
		k.probe.StartTicker(k.liveness.Period, phase(k.liveStart, k.liveness.Period))
		if r := k.readiness; r != nil {
			k.ready.StartTicker(r.Period, phase(k.readyStart, r.Period))
		}
	}
	if k.node != nil {
		k.node.start()
	}
}

// Stop implements Handler.
func (k *Kubelet) Stop() {
	if k.node != nil {
		k.node.stop()
	}
}

// Deliver implements Handler.
func (k *Kubelet) Deliver(msg *fabric.Message) {
	if k.client != nil {
		k.client.Deliver(msg)
	}
	if k.node != nil {
		k.node.client.Deliver(msg)
	}
}

func (k *Kubelet) pod(p *fabric.Process) *staticPod {
	for _, sp := range k.pods {
		if sp.proc == p {
			return sp
		}
	}
	return nil
}

// PodExited schedules the restart of a static pod that exited by itself,
// which the kubelet sees at its next relist.
func (k *Kubelet) PodExited(p *fabric.Process) {
	if sp := k.pod(p); sp != nil {
		k.podDown(sp, true)
	}
}

// podDown schedules the restart of a static pod that is down: one that
// exited (relist: the kubelet sees it at its next relist), or one the
// kubelet killed itself, for a failed liveness probe, which it starts
// again in the same sync.
func (k *Kubelet) podDown(sp *staticPod, relist bool) {
	sp.exited = true
	if k.Proc.State() == fabric.Stopped {
		return // restarted when the kubelet starts
	}
	now, cfg := k.Proc.Now(), &k.cfg
	if now.Sub(sp.started) >= RestartBackoffReset {
		sp.backoff = 0
	}
	// A pod in back-off is restarted when the back-off, counted from the
	// exit, expires: the pod worker requeues the failed sync for then
	// (pod_workers.go, MinBackoffExpiration).
	wait := sp.backoff
	if relist {
		wait = max(wait, k.untilRelist())
	}
	sp.restart.After(wait)
	if sp.backoff == 0 {
		sp.backoff = cfg.RestartBackoff
	} else {
		sp.backoff = min(2*sp.backoff, cfg.MaxRestartBackoff)
	}
}

// untilRelist is the time to the kubelet's next relist, in (0, RelistPeriod].
func (k *Kubelet) untilRelist() time.Duration {
	return RelistPeriod - (k.Proc.Mono()-k.startMono)%RelistPeriod
}

// PodStarted notes a static pod's container start, whoever started it:
// its liveness probe waits its initial delay from here, and its restart
// back-off resets once it has run 10 minutes from here.
func (k *Kubelet) PodStarted(p *fabric.Process) {
	if sp := k.pod(p); sp != nil {
		sp.started, sp.failures, sp.exited = k.Proc.Now(), 0, false
	}
}

func (k *Kubelet) restart(sp *staticPod) {
	p := sp.proc
	if p.State() != fabric.Stopped || !p.Enabled() || !p.Host.Up() {
		return
	}
	k.w.Record(fabric.Record{Event: EvProcRestarted, Proc: p.Name, Host: p.Host.Name, Reason: "restarted by the kubelet"})
	p.Start()
}

// onProbe sends the liveness probe of each probed pod.
func (k *Kubelet) onProbe() {
	k.sendProbes(VerbLivez, func(sp *staticPod) (*uint64, time.Duration) { return &sp.probeTag, sp.liveness.Timeout })
}

// onReadiness sends the readiness probe of the probed pod. A prober runs
// its probes one after another, so one that takes longer than the period
// delays the next.
func (k *Kubelet) onReadiness() {
	k.sendProbes(VerbReadyz, func(sp *staticPod) (*uint64, time.Duration) { return &sp.readyTag, k.readiness.Timeout })
}

// sendProbes sends verb to each probed pod that is not stopped, has no
// such probe in flight (its tag, from probe) and has run for the
// liveness probe's initial delay (for readiness: until kubeadm's startup
// probe would have passed).
func (k *Kubelet) sendProbes(verb Verb, probe func(*staticPod) (*uint64, time.Duration)) {
	for _, sp := range k.pods {
		if sp.liveness == nil || sp.proc.State() == fabric.Stopped {
			continue
		}
		tag, timeout := probe(sp)
		if *tag != 0 || k.Proc.Now().Sub(sp.started) < sp.liveness.InitialDelay {
			continue
		}
		k.tag++
		*tag = k.tag
		k.reqs.call(k.client, k.tag, verb, etcd.Op{}, timeout, false)
	}
}

func (k *Kubelet) probeDone(tag uint64, _ *fabric.Message, err string) {
	for _, sp := range k.pods {
		if sp.readyTag == tag && tag != 0 {
			sp.readyTag = 0 // the pod's Ready condition routes nothing
			return
		}
	}
	for _, sp := range k.pods {
		if sp.probeTag != tag {
			continue
		}
		sp.probeTag = 0
		if err == "" {
			sp.failures = 0
			return
		}
		sp.failures++
		if sp.failures >= sp.liveness.FailureThreshold && sp.proc.State() != fabric.Stopped {
			k.w.Record(fabric.Record{Event: fabric.EvProcExited, Proc: sp.proc.Name, Host: sp.proc.Host.Name,
				Reason: fmt.Sprintf("killed by the kubelet: liveness probe (/livez) failed %d times: %s", sp.failures, err)})
			sp.proc.Kill()
			k.podDown(sp, false)
		}
	}
}
