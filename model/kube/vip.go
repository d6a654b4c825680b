package kube

import (
	"fmt"
	"time"

	"hasim/model/fabric"
)

// LoadBalancer is the control-plane endpoint: proxies, and for the VIP
// kinds, who holds the virtual IP.
type LoadBalancer struct {
	Kind    LBKind
	Proxies []*Proxy
	VRRPs   []*VRRP
	KubeVIP *LeaseGroup

	w          *fabric.World
	apiservers []*APIServer // behind kube-vip's VIP
	cfg        LoadBalancerConfig
	holder     *fabric.Host // the host the VIP answers on (last gratuitous ARP); nil: none
}

// Config is the load balancer's defaulted configuration.
func (lb *LoadBalancer) Config() LoadBalancerConfig { return lb.cfg }

// Holder is the host the virtual IP answers on, or nil.
func (lb *LoadBalancer) Holder() *fabric.Host { return lb.holder }

// endpoint is the process a client reaching the control-plane endpoint
// talks to now; nil when nothing answers (a VIP without holder).
func (lb *LoadBalancer) endpoint() *fabric.Process {
	switch lb.Kind {
	case LBHAProxy, LBNginx, LBCloud:
		return lb.Proxies[0].Proc
	case LBKeepalived:
		for _, x := range lb.Proxies {
			if x.Proc.Host == lb.holder {
				return x.Proc
			}
		}
	case LBKubeVIP:
		for _, a := range lb.apiservers {
			if a.Proc.Host == lb.holder {
				return a.Proc
			}
		}
	}
	return nil
}

// claim makes h the VIP's host (a gratuitous ARP from h).
func (lb *LoadBalancer) claim(h *fabric.Host, why string) {
	if lb.holder == h {
		return
	}
	lb.holder = h
	lb.w.Record(fabric.Record{Event: EvVIPMoved, Host: h.Name, Reason: why})
}

// withdraw removes the VIP from h; another current claimant keeps it.
func (lb *LoadBalancer) withdraw(h *fabric.Host, why string) {
	if lb.holder != h {
		return
	}
	lb.holder = nil
	for _, v := range lb.VRRPs {
		if v.master && v.Proc.Host != h && v.Proc.State() != fabric.Stopped {
			lb.claim(v.Proc.Host, "still VRRP master")
			return
		}
	}
	lb.w.Record(fabric.Record{Event: EvVIPMoved, Reason: "the VIP has no holder: " + why})
}

// VRRP is keepalived on one load-balancer host: VRRPv2 with preemption,
// adverts every AdvertInterval, the master-down timer 3 × advert + skew,
// and a check script on the local proxy (LoadBalancerConfig.Script; by
// default the kubeadm guide's: every 3 s, weight −2 after 10 failures,
// back after 2 successes).
type VRRP struct {
	Name string
	Proc *fabric.Process

	lb       *LoadBalancer
	priority int
	ad       Advert // the body of the advert being sent
	adverts  fabric.Pool[Advert]
	master   bool
	down     *fabric.Timer // master-down timer (backup)
	advert   *fabric.Timer // advert ticker (master)
	script   *fabric.Timer
	proxy    *Proxy
	fails    int
	oks      int
	penalty  int
	failed   bool // the script has failed Fall times and not yet risen
}

// vrrpDownAdverts: a backup takes over after this many advert intervals
// without an advert (VRRPv2), plus the skew.
const vrrpDownAdverts = 3

func newVRRP(c *Plane, lb *LoadBalancer, h *fabric.Host, priority int, proxy *Proxy) *VRRP {
	v := &VRRP{Name: "keepalived-" + h.Name, lb: lb, priority: priority, proxy: proxy}
	c.TrimAtSkip(&v.adverts)
	v.Proc = c.AddProcess(v.Name, RoleVRRP, h, v)
	v.down = v.Proc.NewTimer(v.Name+"/master-down", v.onMasterDown)
	v.advert = v.Proc.NewTimer(v.Name+"/advert", v.sendAdvert)
	v.script = v.Proc.NewTimer(v.Name+"/check-script", v.runScript)
	return v
}

// prio is the effective priority: the configured one moved by the check
// script's weight, kept within 1–254 as keepalived keeps it (255 is the
// address owner's; vrrp_update_priority in keepalived's vrrp.c clamps).
func (v *VRRP) prio() int { return min(max(v.priority+v.penalty, 1), 254) }

// masterDown is the master-down interval: 3 × advert + (256 − prio)/256 s.
func (v *VRRP) masterDown() time.Duration {
	return vrrpDownAdverts*v.lb.cfg.AdvertInterval + time.Duration(256-v.prio())*time.Second/256
}

// Start implements Handler: a starting keepalived is BACKUP.
func (v *VRRP) Start() {
	v.master, v.fails, v.oks, v.penalty, v.failed = false, 0, 0, 0, false
	v.down.After(v.masterDown())
	v.script.StartTicker(v.lb.cfg.Script.Interval, v.lb.cfg.Script.Interval)
}

// Stop implements Handler: the VIP goes with the process.
func (v *VRRP) Stop() {
	if v.master {
		v.master = false
		v.lb.withdraw(v.Proc.Host, v.Name+" stopped")
	}
}

func (v *VRRP) onMasterDown() {
	if v.faulted() {
		v.down.After(v.masterDown())
		return
	}
	v.becomeMaster(fmt.Sprintf("%s became VRRP master: no advert from a higher priority for %v", v.Name, v.masterDown()))
}

func (v *VRRP) becomeMaster(why string) {
	if v.master {
		return
	}
	v.master = true
	v.down.Stop()
	v.lb.claim(v.Proc.Host, why)
	v.advert.StartTicker(v.lb.cfg.AdvertInterval, 0)
}

func (v *VRRP) becomeBackup(why string) {
	v.down.After(v.masterDown())
	if !v.master {
		return
	}
	v.master = false
	v.advert.Stop()
	v.lb.withdraw(v.Proc.Host, why)
}

func (v *VRRP) sendAdvert() { v.advertise(v.prio()) }

func (v *VRRP) advertise(prio int) {
	for _, o := range v.lb.VRRPs {
		if o != v {
			v.ad = Advert{pool: &v.adverts, Priority: prio}
			v.lb.w.Net.Send(&fabric.Message{Type: MsgVRRPAdvert, From: v.Proc, To: o.Proc, Body: &v.ad})
		}
	}
}

// Deliver implements Handler: adverts.
func (v *VRRP) Deliver(msg *fabric.Message) {
	if msg.Type != MsgVRRPAdvert {
		return
	}
	theirs := msg.Body.(*Advert).Priority
	switch {
	case theirs == 0 && !v.master:
		// The master stopped participating: take over after the skew
		// time (RFC 3768 6.4.2).
		v.down.After(time.Duration(256-v.prio()) * time.Second / 256)
	case v.master && theirs > v.prio():
		v.becomeBackup(fmt.Sprintf("%s saw an advert of priority %d above its %d", v.Name, theirs, v.prio()))
	case !v.master && theirs >= v.prio():
		v.down.After(v.masterDown())
	}
	// A lower-priority advert to a backup is ignored (preemption): its
	// master-down timer runs out and it takes over.
}

// runScript is check_apiserver: the local proxy must run and have a
// backend up. After Fall failures the priority changes by Weight; with
// weight 0 the instance enters FAULT instead: it gives up the VIP and
// does not take over until Rise successes.
func (v *VRRP) runScript() {
	s := &v.lb.cfg.Script
	ok := v.proxy.Proc.State() == fabric.Running && v.proxy.Up() > 0
	if ok {
		v.oks, v.fails = v.oks+1, 0
		if v.failed && v.oks >= s.Rise {
			v.failed, v.penalty = false, 0
		}
		return
	}
	v.fails, v.oks = v.fails+1, 0
	if v.failed || v.fails < s.Fall {
		return
	}
	v.failed = true
	if *s.Weight != 0 {
		v.penalty = *s.Weight
		return
	}
	if v.master {
		// Leaving MASTER for FAULT, keepalived advertises priority 0 so
		// that a backup takes over after its skew time, not 3 adverts.
		v.advertise(0)
	}
	v.becomeBackup(fmt.Sprintf("%s entered FAULT: its check script failed %d times (weight 0)", v.Name, v.fails))
}

// faulted: a failing script with weight 0 keeps the instance in FAULT.
func (v *VRRP) faulted() bool { return v.failed && *v.lb.cfg.Script.Weight == 0 }

// kubeVIP is kube-vip in ARP mode on a control-plane host: a leader
// elector on the plndr-cp-lock Lease through the local apiserver, whose
// leader answers the VIP. Its identity is the host name, and after
// losing the lease it withdraws the VIP and campaigns again.
type kubeVIP struct {
	k  *Controller
	lb *LoadBalancer
}
