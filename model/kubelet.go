package model

import (
	"fmt"
	"time"

	"hasim/sim"
)

// Kubelet restart and probe defaults (kubelet; kubeadm's static pod
// manifests: shared/reference/k8s-ha-semantics.md §1.7 and §3.4).
const (
	// Container restart back-off: 10s doubling to 300s. The first restart
	// after a clean run is immediate; the back-off resets after 10 minutes
	// of running.
	restartBackoffBase  = 10 * time.Second
	restartBackoffMax   = 300 * time.Second
	restartBackoffReset = 10 * time.Minute
	// The apiserver's liveness probe: /livez every 10s after 10s, each with
	// a 15s timeout; 8 consecutive failures restart it (~80 s).
	livenessInitialDelay = 10 * time.Second
	livenessPeriod       = 10 * time.Second
	livenessTimeout      = 15 * time.Second
	livenessFailures     = 8
)

// staticPod is a process the kubelet keeps running.
type staticPod struct {
	proc     *Process
	restart  *Timer
	backoff  time.Duration
	started  sim.Time
	liveness bool // probe /livez (kube-apiserver)
	failures int
	probeTag uint64
}

// Kubelet is the part of the kubelet that keeps a control-plane host's
// static pods alive: it restarts a process that exited, with the container
// restart back-off, and restarts a kube-apiserver whose /livez fails
// livenessFailures times in a row.
type Kubelet struct {
	Proc *Process

	c      *Cluster
	pods   []*staticPod
	probe  *Timer
	client *rpcClient
	tag    uint64
	node   *Node // the node it registers, with the worker plane
}

func newKubelet(c *Cluster, h *Host) *Kubelet {
	k := &Kubelet{c: c}
	k.Proc = c.addProcess("kubelet-"+h.Name, RoleKubelet, h, k)
	k.probe = k.Proc.NewTimer(k.Proc.Name+"/liveness", k.onProbe)
	h.kubelet = k
	return k
}

// manage adds a static pod; liveness probes its /livez.
func (k *Kubelet) manage(p *Process, liveness bool) {
	sp := &staticPod{proc: p, liveness: liveness, backoff: 0}
	sp.restart = k.Proc.NewTimer(k.Proc.Name+"/restart-"+p.Name, func() { k.restart(sp) })
	k.pods = append(k.pods, sp)
	if liveness {
		k.client = newRPCClient(k.Proc, k.Proc.Name+"/probe", []*Process{p}, 0, 0, k.probeDone)
	}
}

// Start implements Handler.
func (k *Kubelet) Start() {
	now := k.Proc.Now()
	for _, sp := range k.pods {
		sp.started, sp.failures, sp.backoff = now, 0, 0
	}
	if k.client != nil {
		k.client.start()
		k.probe.StartTicker(livenessPeriod, now.Add(livenessInitialDelay))
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
func (k *Kubelet) Deliver(msg *Message) {
	if k.client != nil {
		k.client.deliver(msg)
	}
	if k.node != nil {
		k.node.client.deliver(msg)
	}
}

func (k *Kubelet) pod(p *Process) *staticPod {
	for _, sp := range k.pods {
		if sp.proc == p {
			return sp
		}
	}
	return nil
}

// podExited schedules the restart of a static pod that exited.
func (k *Kubelet) podExited(p *Process) {
	sp := k.pod(p)
	if sp == nil || k.Proc.state == Stopped {
		return
	}
	now := k.Proc.Now()
	if now.Sub(sp.started) >= restartBackoffReset {
		sp.backoff = 0
	}
	sp.restart.After(sp.backoff)
	if sp.backoff == 0 {
		sp.backoff = restartBackoffBase
	} else {
		sp.backoff = min(2*sp.backoff, restartBackoffMax)
	}
}

func (k *Kubelet) restart(sp *staticPod) {
	p := sp.proc
	if p.state != Stopped || !p.enabled || !p.Host.up {
		return
	}
	sp.started, sp.failures = k.Proc.Now(), 0
	k.c.Record(Record{Event: EvProcRestarted, Proc: p.Name, Host: p.Host.Name, Reason: "restarted by the kubelet"})
	p.start()
}

// onProbe sends the liveness probe of each probed pod.
func (k *Kubelet) onProbe() {
	for _, sp := range k.pods {
		if !sp.liveness || sp.proc.state == Stopped || sp.probeTag != 0 {
			continue
		}
		if k.Proc.Now().Sub(sp.started) < livenessInitialDelay {
			continue
		}
		k.tag++
		sp.probeTag = k.tag
		k.client.call(k.tag, Message{Type: MsgAPIRequest, Verb: VerbLivez}, livenessTimeout, false)
	}
}

func (k *Kubelet) probeDone(tag uint64, _ *Message, err string) {
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
		if sp.failures >= livenessFailures && sp.proc.state != Stopped {
			k.c.Record(Record{Event: EvProcExited, Proc: sp.proc.Name, Host: sp.proc.Host.Name,
				Reason: fmt.Sprintf("killed by the kubelet: liveness probe (/livez) failed %d times: %s", sp.failures, err)})
			sp.proc.kill()
			k.podExited(sp.proc)
		}
	}
}
