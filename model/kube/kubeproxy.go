package kube

import (
	"math/bits"
	"strings"

	"hasim/sim"

	"hasim/model/etcd"
	"hasim/model/fabric"
)

// RoleKubeProxy is kube-proxy's role.
const RoleKubeProxy = "kube-proxy"

// KubeProxy is kube-proxy in iptables mode on one node, for the
// `kubernetes` Service only (pkg/proxy/iptables/proxier.go):
//
//   - it watches the Service's endpoints through the API (an informer on
//     EndpointSlices; modelled as a read of the Endpoints from an
//     apiserver's watch cache every ProxySync, the minSyncPeriod that
//     bounds how soon a change is programmed), and programs the node's
//     forwarding when they change;
//   - the forwarding is the node's (kernel iptables rules): it stays when
//     the kube-proxy process dies and goes with a reboot, after which
//     nothing forwards until kube-proxy has read the endpoints again;
//   - a new connection to the Service's address goes to one endpoint
//     drawn at random with equal weights (the statistic match, mode
//     random); an established one stays on its endpoint through conntrack,
//     even after the endpoint is removed: kube-proxy flushes conntrack
//     entries of removed endpoints for UDP only
//     (pkg/proxy/conntrack/cleanup.go), so established TCP connections
//     are not reset.
type KubeProxy struct {
	Name string
	Proc *fabric.Process

	s      *Service
	client *fabric.RPCClient
	reqs   apiRequests
	sync   *fabric.Timer
	tag    uint64
	busy   bool // a read is in flight

	rules  uint64 // the endpoints programmed on the node, while its boot is boot
	boot   int
	stream sim.Stream
	draws  uint64
}

func newKubeProxy(c *Plane, s *Service, h *fabric.Host) *KubeProxy {
	k := &KubeProxy{Name: fabric.HostProcessName(RoleKubeProxy, h.Name), s: s, rules: s.current, boot: h.Boots(),
		stream: c.Sim.Stream("kube-proxy/" + h.Name)}
	k.Proc = c.AddProcess(k.Name, RoleKubeProxy, h, k)
	c.TrimAtSkip(&k.reqs)
	servers, resolve := c.apiEndpoints(s.cfg.ProxyEndpoint, h)
	k.client = fabric.NewRPCClient(k.Proc, k.Name+"/api", servers, 0, 0, k.done)
	k.client.LongLived(k.Name+"/api", ClientGoH2()) // client-go: one HTTP/2 connection
	k.client.Resolve = resolve
	k.sync = k.Proc.NewTimer(k.Name+"/sync", k.onSync)
	// A DaemonSet pod: the kubelet restarts it when it exits.
	c.KubeletOf(h).Manage(k.Proc, nil, nil)
	return k
}

// Rules are the endpoints the node forwards the Service to now.
func (k *KubeProxy) Rules() []string { return k.s.names(k.programmed()) }

// programmed is the endpoint set in the node's kernel: none while the
// host is down or since it booted, until kube-proxy programs it again.
func (k *KubeProxy) programmed() uint64 {
	if h := k.Proc.Host; !h.Up() || h.Boots() != k.boot {
		return 0
	}
	return k.rules
}

// Start implements Handler.
func (k *KubeProxy) Start() {
	k.client.Start()
	k.busy = false
	k.sync.StartTicker(k.s.cfg.ProxySync, 0)
}

// Stop implements Handler: the rules stay in the kernel (until the host
// goes down).
func (k *KubeProxy) Stop() {}

// Deliver implements Handler.
func (k *KubeProxy) Deliver(msg *fabric.Message) { k.client.Deliver(msg) }

func (k *KubeProxy) onSync() {
	if k.busy {
		return
	}
	k.busy = true
	k.tag++
	k.reqs.call(k.client, k.tag, VerbWatchGet, etcd.Op{Key: k.s.epKey}, proxyRequestTimeout, false)
}

func (k *KubeProxy) done(tag uint64, res *fabric.Message, err string) {
	if tag != k.tag {
		return
	}
	k.busy = false
	b := apiBody(res)
	if err != "" || !b.Found {
		// Not found: the object the cluster had before the run was not
		// rewritten yet; what the node forwards to stays.
		return
	}
	set := endpointsOf(b.Val)
	if set == 0 || set == k.programmed() {
		return
	}
	k.rules, k.boot = set, k.Proc.Host.Boots()
	k.s.w.Record(fabric.Record{Event: EvProxyRules, Proc: k.Name, Host: k.Proc.Host.Name,
		Reason: strings.Join(k.s.names(set), ", ")})
}

// Dial is a new connection from the node to the Service's address: the
// process at the endpoint drawn, or nil when the node forwards nowhere
// (no rules since a reboot: the packets go unanswered) or the endpoint
// is an address nothing answers on.
func (k *KubeProxy) Dial() *fabric.Process {
	set := k.programmed()
	n := bits.OnesCount64(set)
	if n == 0 {
		return nil
	}
	k.draws++
	pick := k.stream.IntN(k.draws, n)
	for range pick {
		set &= set - 1
	}
	return k.s.target(bits.TrailingZeros64(set))
}

// ProxyOn is the kube-proxy of host h, or nil.
func (s *Service) ProxyOn(h *fabric.Host) *KubeProxy {
	for _, k := range s.Proxies {
		if k.Proc.Host == h {
			return k
		}
	}
	return nil
}

// ConnHost is the host kube-proxy's long-lived API connection reaches
// (through lb, the backend its session went to), nil if it has none.
func (k *KubeProxy) ConnHost(lb *LoadBalancer) *fabric.Host { return connHost(k.client, lb) }
