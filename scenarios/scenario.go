package scenarios

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"hasim/model"
	"hasim/model/fabric"
)

// APIVersion and Kind identify a scenario document.
const (
	APIVersion = "hasim.dev/v1alpha1"
	Kind       = "Scenario"
)

// Scenario is one scenario document, shaped like a Kubernetes object.
type Scenario struct {
	APIVersion string   `yaml:"apiVersion"`
	Kind       string   `yaml:"kind"`
	Metadata   Metadata `yaml:"metadata"`
	Spec       Spec     `yaml:"spec"`
	// Overrides are what LoadWith set in the document (--set), in order.
	Overrides []Override    `yaml:"-"`
	setBy     []appliedPath // their paths, list elements by index
	implied   []string      // lists they wrote out from the defaults (applied.implied)
}

// Metadata names and describes a scenario.
type Metadata struct {
	// Name identifies the scenario: lower-case letters, digits and dashes.
	Name string `yaml:"name"`
	// Description says what the scenario shows, for people.
	Description string `yaml:"description,omitempty"`
}

// Spec is what to simulate.
type Spec struct {
	// Seed is the root seed of every random draw. Default 1.
	Seed *uint64 `yaml:"seed,omitempty"`
	// Horizon is how much simulated time to run.
	Horizon Horizon `yaml:"horizon"`
	// ColdStart starts the cluster at time 0 from nothing (etcd elects its
	// first leader then, the leases are taken then) instead of showing it
	// from a moment after a warm-up of random length.
	ColdStart bool `yaml:"coldStart,omitempty"`
	// MaxEvents bounds the run; 0 means the engine's default bound.
	MaxEvents uint64 `yaml:"maxEvents,omitempty"`
	// MaxEventsPerInstant ends a run as livelocked once this many events
	// fire without simulated time advancing; 0 means the default
	// (model.DefaultMaxEventsPerInstant).
	MaxEventsPerInstant uint64      `yaml:"maxEventsPerInstant,omitempty"`
	Zones               []ZoneSpec  `yaml:"zones"`
	Hosts               []HostSpec  `yaml:"hosts"`
	Network             NetworkSpec `yaml:"network,omitempty"`
	Etcd                EtcdSpec    `yaml:"etcd"`
	// ControlPlane adds kube-apiservers, leader-elected controllers and a
	// load balancer on top of etcd. Without it the scenario is etcd alone.
	ControlPlane *ControlPlaneSpec `yaml:"controlPlane,omitempty"`
	// Workloads are pods on the nodes (with a controlPlane): the worker
	// plane then runs, with node leases, the node lifecycle controller,
	// taint-based eviction, the ReplicaSet controller and the scheduler.
	Workloads []WorkloadSpec `yaml:"workloads,omitempty"`
	Probes    []ProbeSpec    `yaml:"probes,omitempty"`
	Faults    []FaultSpec    `yaml:"faults,omitempty"`
	// FailureProfile adds a preset's failure processes: cloud or
	// bare-metal (docs/failures.md).
	FailureProfile string `yaml:"failureProfile,omitempty"`
	// Failures are failure processes (failures.go): faults at random
	// times, each repaired after a random time.
	Failures []FailureSpec `yaml:"failures,omitempty"`
}

// WorkloadSpec is a set of identical pods, running from the start.
type WorkloadSpec struct {
	Name string `yaml:"name"`
	// Kind: ReplicaSet (default; a deleted pod is replaced) or Pod (bare
	// pods: nothing recreates them).
	Kind     string `yaml:"kind,omitempty"`
	Replicas int    `yaml:"replicas"`
}

// NodeLifecycleSpec tunes the kubelets' node leases and the node
// lifecycle controller (kube-controller-manager flags).
type NodeLifecycleSpec struct {
	LeaseDuration          Duration `yaml:"leaseDuration,omitempty"`          // default 40s (kubelet nodeLeaseDurationSeconds)
	MonitorPeriod          Duration `yaml:"monitorPeriod,omitempty"`          // default 5s
	GracePeriod            Duration `yaml:"gracePeriod,omitempty"`            // default by kubernetesVersion: 40s up to 1.31, 50s from 1.32
	Toleration             Duration `yaml:"toleration,omitempty"`             // default 300s (DefaultTolerationSeconds)
	EvictionRate           *float64 `yaml:"evictionRate,omitempty"`           // default 0.1 nodes/s per zone
	SecondaryEvictionRate  *float64 `yaml:"secondaryEvictionRate,omitempty"`  // default 0.01
	UnhealthyZoneThreshold *float64 `yaml:"unhealthyZoneThreshold,omitempty"` // default 0.55
	LargeClusterSize       int      `yaml:"largeClusterSize,omitempty"`       // default 50
	PodStartDelay          Duration `yaml:"podStartDelay,omitempty"`          // default 2s ±50%
}

// ZoneSpec is a failure domain.
type ZoneSpec struct {
	Name string `yaml:"name"`
}

// HostSpec is a machine.
type HostSpec struct {
	Name string `yaml:"name"`
	// Zone is the host's failure domain. A host that runs nothing but
	// probes may have none: it is outside every zone (the users), and no
	// zone outage or partition between zones reaches it.
	Zone  string     `yaml:"zone,omitempty"`
	Clock *ClockSpec `yaml:"clock,omitempty"`
	Disk  *DiskSpec  `yaml:"disk,omitempty"`
}

// ClockSpec is a host clock: it reads offset + rate × true time.
type ClockSpec struct {
	Offset Duration `yaml:"offset,omitempty"`
	// Rate is 1 for a perfect clock; 1.001 runs 0.1% fast. Default 1.
	Rate *float64 `yaml:"rate,omitempty"`
}

// DiskSpec is a host's disk.
type DiskSpec struct {
	// Fsync latency. Default uniform 0.5ms–2ms.
	Fsync *DistSpec `yaml:"fsync,omitempty"`
}

// NetworkSpec sets the fabric's latencies, loss and reconnection delay.
type NetworkSpec struct {
	SameZone  *DistSpec `yaml:"sameZone,omitempty"`  // default uniform 200µs–500µs
	CrossZone *DistSpec `yaml:"crossZone,omitempty"` // default uniform 1ms–2ms
	Loopback  *DistSpec `yaml:"loopback,omitempty"`  // default 50µs
	Loss      float64   `yaml:"loss,omitempty"`      // default 0
	Reconnect *DistSpec `yaml:"reconnect,omitempty"` // default: real etcd's rejoin delay
	// PeerReconnect is how etcd's peer connections come back after a
	// heal: measured (drawn from reconnect, like every connection; the
	// default with pre-vote on) or rafthttp (etcd's peer transport over
	// TCP: retransmission back-off, the 5 s read timeout and redials; the
	// default with pre-vote off).
	PeerReconnect string `yaml:"peerReconnect,omitempty"`
}

// EtcdSpec is the etcd cluster.
type EtcdSpec struct {
	// Members are the hosts running a member, named etcd-1, etcd-2, ... in
	// this order.
	Members []string `yaml:"members"`
	// Version: "3.4", "3.5" or "3.6". Default "3.5".
	Version             string   `yaml:"version,omitempty"`
	HeartbeatInterval   Duration `yaml:"heartbeatInterval,omitempty"`   // default 100ms
	ElectionTimeout     Duration `yaml:"electionTimeout,omitempty"`     // default 1s
	ElectionJitterTicks int      `yaml:"electionJitterTicks,omitempty"` // default E
	// Tick, HeartbeatTicks and ElectionTicks set etcd-io/raft's own
	// timers instead of etcd's heartbeatInterval and electionTimeout
	// (give one pair or the other): a Raft tick of Tick, a heartbeat every
	// HeartbeatTicks ticks (default 1), an election timeout of
	// ElectionTicks ticks (default 10), randomized over
	// electionJitterTicks more.
	Tick           Duration `yaml:"tick,omitempty"`
	HeartbeatTicks int      `yaml:"heartbeatTicks,omitempty"`
	ElectionTicks  int      `yaml:"electionTicks,omitempty"`
	// CheckQuorum is etcd-io/raft's CheckQuorum, which etcd always sets:
	// a leader without a quorum steps down, and members that heard from a
	// leader within an election timeout ignore vote requests. Default true.
	CheckQuorum    *bool    `yaml:"checkQuorum,omitempty"`
	PreVote        *bool    `yaml:"preVote,omitempty"`        // default: off in 3.4, on from 3.5
	TickPhase      string   `yaml:"tickPhase,omitempty"`      // random (default) or aligned
	AlignedSpread  Duration `yaml:"alignedSpread,omitempty"`  // default 5ms
	RequestTimeout Duration `yaml:"requestTimeout,omitempty"` // default 5s + 2 × electionTimeout
	SnapshotCount  uint64   `yaml:"snapshotCount,omitempty"`  // default 10000
	// StrictReconfigCheck is etcd's --strict-reconfig-check (default
	// true): refuse membership changes that could lose the quorum, or
	// while a voter is not connected.
	StrictReconfigCheck *bool `yaml:"strictReconfigCheck,omitempty"`
	// InitialElectionTickAdvance is etcd's --initial-election-tick-advance
	// (default true): a starting member that sees more than one peer
	// connected within 5 s fast-forwards its election timer, so that with
	// no leader it campaigns sooner.
	InitialElectionTickAdvance *bool `yaml:"initialElectionTickAdvance,omitempty"`
}

// ControlPlaneSpec is the Kubernetes control plane.
type ControlPlaneSpec struct {
	// Topology: "stacked" (kubeadm's default: an etcd member on every
	// master, each apiserver using only its local member) or "external"
	// (etcd on its own hosts, every apiserver using all members).
	Topology string `yaml:"topology"`
	// Masters are the control-plane hosts: each runs kube-apiserver,
	// kube-controller-manager and kube-scheduler (and
	// cloud-controller-manager if enabled) as static pods.
	Masters []string `yaml:"masters"`
	// Workers are worker hosts: nodes of the worker plane.
	Workers []string `yaml:"workers,omitempty"`
	// Joining are masters that are not part of the cluster at the start
	// (kubeadm init ran on the others): each joins when a
	// join-control-plane operation targets it, and nothing runs on it
	// before. With stacked etcd they come last in masters, since members
	// are numbered in the order they join.
	Joining []string `yaml:"joining,omitempty"`
	// ControllersEndpoint is where the controllers send API requests:
	// "local" (their own host's apiserver: kubeadm since 1.19, KTHW's
	// --master=127.0.0.1; default), "lb" (controlPlaneEndpoint) or "all".
	ControllersEndpoint string `yaml:"controllersEndpoint,omitempty"`
	// LeaderElection is client-go's timing for every controller group.
	LeaderElection *LeaderElectionSpec `yaml:"leaderElection,omitempty"`
	// CloudControllerManager adds a cloud-controller-manager group.
	CloudControllerManager bool `yaml:"cloudControllerManager,omitempty"`
	// APIServer tunes the apiservers.
	APIServer *APIServerSpec `yaml:"apiserver,omitempty"`
	// LoadBalancer is the control-plane endpoint; absent means kind none.
	LoadBalancer *LoadBalancerSpec `yaml:"loadBalancer,omitempty"`
	// ControlPlaneEndpoint is kubeadm's word for the same thing: set one
	// of the two.
	ControlPlaneEndpoint *LoadBalancerSpec `yaml:"controlPlaneEndpoint,omitempty"`
	// KubernetesVersion ("1.20" to "1.36", default "1.33") picks the
	// defaults that changed between releases: the etcd version kubeadm
	// ships (3.4 up to 1.21, 3.5 up to 1.33, 3.6 from 1.34), the node
	// monitor grace period (40s up to 1.31, 50s from 1.32) and where
	// control-plane kubelets send API requests (the endpoint, or their
	// local apiserver from 1.33).
	KubernetesVersion string `yaml:"kubernetesVersion,omitempty"`
	// NodeLifecycle tunes the worker plane's timings.
	NodeLifecycle *NodeLifecycleSpec `yaml:"nodeLifecycle,omitempty"`
	// Kubelet tunes how the kubelets restart static pods.
	Kubelet *KubeletSpec `yaml:"kubelet,omitempty"`
	// KubernetesService models the kubernetes Service that pods reach
	// the API through: the apiservers' endpoint reconciler and kube-proxy
	// on every node. A probe with via: service needs it; absent, neither
	// is simulated.
	KubernetesService *KubernetesServiceSpec `yaml:"kubernetesService,omitempty"`
}

// KubernetesServiceSpec is the kubernetes Service (default/kubernetes,
// 10.96.0.1 with kubeadm's service CIDR): its endpoints, which the
// apiservers' lease endpoint reconciler keeps, and kube-proxy, which
// forwards each new connection from a node to one of them.
type KubernetesServiceSpec struct {
	// AdvertiseAddress is what every apiserver's --advertise-address
	// names: host (its own host's address, kubeadm's default: one
	// endpoint per master) or load-balancer (the control-plane
	// endpoint's address on every master: one endpoint, the load
	// balancer).
	AdvertiseAddress string `yaml:"advertiseAddress,omitempty"`
	// ReconcileInterval is how often each apiserver refreshes its master
	// lease and rewrites the endpoints (default 10s); LeaseTTL the etcd
	// lease on a master's key (default 15s).
	ReconcileInterval Duration `yaml:"reconcileInterval,omitempty"`
	LeaseTTL          Duration `yaml:"leaseTTL,omitempty"`
	// KubeProxy tunes kube-proxy on the nodes.
	KubeProxy *KubeProxySpec `yaml:"kubeProxy,omitempty"`
}

// KubeProxySpec is kube-proxy (iptables mode).
type KubeProxySpec struct {
	// Endpoint is where kube-proxy reads the endpoints from: lb (the
	// control-plane endpoint, as kubeadm configures it; default) or all.
	Endpoint string `yaml:"endpoint,omitempty"`
	// SyncPeriod is how soon a change of the endpoints is programmed on
	// the node: kube-proxy's minSyncPeriod (default 1s).
	SyncPeriod Duration `yaml:"syncPeriod,omitempty"`
}

// KubeletSpec is the kubelet's container restart back-off
// (CrashLoopBackOff): the first restart of a container that ran is
// immediate, then restartBackOff doubling up to maxRestartBackOff; it
// resets once a container ran for 10 minutes, whatever the maximum.
type KubeletSpec struct {
	RestartBackOff    Duration `yaml:"restartBackOff,omitempty"`    // default 10s
	MaxRestartBackOff Duration `yaml:"maxRestartBackOff,omitempty"` // default 300s
}

// ProbeTimingSpec is a kubelet probe's timing, as in a pod manifest.
type ProbeTimingSpec struct {
	InitialDelay     Duration `yaml:"initialDelay,omitempty"`
	Period           Duration `yaml:"period,omitempty"`
	Timeout          Duration `yaml:"timeout,omitempty"`
	FailureThreshold int      `yaml:"failureThreshold,omitempty"`
}

// CheckScriptSpec is keepalived's vrrp_script on the local proxy.
type CheckScriptSpec struct {
	Interval Duration `yaml:"interval,omitempty"` // default 3s
	Fall     int      `yaml:"fall,omitempty"`     // default 10
	Rise     int      `yaml:"rise,omitempty"`     // default 2
	// Weight is added to the priority while the script fails (default
	// -2); 0 puts the instance in FAULT instead.
	Weight *int `yaml:"weight,omitempty"`
}

// learnerModeMinor is the first Kubernetes minor version whose kubeadm
// adds a joining stacked etcd member as a learner (EtcdLearnerMode, beta
// and on by default in 1.29, GA in 1.32).
const learnerModeMinor = 29

// DefaultKubernetesVersion is the release whose defaults a scenario gets
// without kubernetesVersion: the newest that kubeadm pairs with etcd 3.5.
const DefaultKubernetesVersion = "1.33"

// Supported Kubernetes minor versions: Lease locks are the default from
// 1.20; the version presets cover releases up to 1.36.
const (
	minKubernetesMinor = 20
	maxKubernetesMinor = 36
)

// lb is the control-plane endpoint under either name, and the name used.
func (cp *ControlPlaneSpec) lb() (*LoadBalancerSpec, string) {
	if cp.ControlPlaneEndpoint != nil {
		return cp.ControlPlaneEndpoint, "controlPlaneEndpoint"
	}
	return cp.LoadBalancer, "loadBalancer"
}

// minor is the Kubernetes minor version (33 for "1.33" or "v1.33.2"), 0 if
// the version does not parse.
func (cp *ControlPlaneSpec) minor() int {
	v := cp.KubernetesVersion
	if v == "" {
		v = DefaultKubernetesVersion
	}
	v = strings.TrimPrefix(v, "v")
	rest, ok := strings.CutPrefix(v, "1.")
	if !ok {
		return 0
	}
	if i := strings.IndexByte(rest, '.'); i >= 0 {
		if _, err := strconv.Atoi(rest[i+1:]); err != nil {
			return 0
		}
		rest = rest[:i]
	}
	n, err := strconv.Atoi(rest)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// etcdVersionFor is the etcd release kubeadm deploys with a Kubernetes
// minor version (cmd/kubeadm/app/constants SupportedEtcdVersion).
func etcdVersionFor(minor int) string {
	switch {
	case minor <= 21:
		return "3.4"
	case minor <= 33:
		return "3.5"
	}
	return "3.6"
}

// workerPlane reports whether the scenario simulates nodes and pods.
func (sp *Spec) workerPlane() bool {
	cp := sp.ControlPlane
	if cp == nil {
		return false
	}
	if len(cp.Workers) > 0 || len(sp.Workloads) > 0 {
		return true
	}
	return slices.ContainsFunc(sp.Probes, func(p ProbeSpec) bool { return p.Kind == string(model.ProbeSchedule) })
}

// serviceModelled reports whether the kubernetes Service and kube-proxy
// are simulated: with controlPlane.kubernetesService, or for a probe via
// service.
func (sp *Spec) serviceModelled() bool {
	cp := sp.ControlPlane
	if cp == nil {
		return false
	}
	return cp.KubernetesService != nil || slices.ContainsFunc(sp.Probes, func(p ProbeSpec) bool { return p.Via == "service" })
}

// nodes are the hosts the worker plane registers as nodes (none without
// it): the masters that are not joining, and the workers.
func (sp *Spec) nodes() []string {
	if !sp.workerPlane() {
		return nil
	}
	var out []string
	for _, m := range sp.ControlPlane.Masters {
		if !slices.Contains(sp.ControlPlane.Joining, m) {
			out = append(out, m)
		}
	}
	return append(out, sp.ControlPlane.Workers...)
}

// LeaderElectionSpec is --leader-elect-lease-duration and friends.
type LeaderElectionSpec struct {
	LeaseDuration Duration `yaml:"leaseDuration,omitempty"` // default 15s
	RenewDeadline Duration `yaml:"renewDeadline,omitempty"` // default 10s
	RetryPeriod   Duration `yaml:"retryPeriod,omitempty"`   // default 2s
	StartDelay    Duration `yaml:"startDelay,omitempty"`    // default 2s: process start to first attempt
	ExitFlush     Duration `yaml:"exitFlush,omitempty"`     // default 0: acting after losing the lease
}

// APIServerSpec tunes kube-apiserver.
type APIServerSpec struct {
	RequestTimeout Duration `yaml:"requestTimeout,omitempty"` // default 60s
	HealthTimeout  Duration `yaml:"healthTimeout,omitempty"`  // default 2s
	ReadyTimeout   Duration `yaml:"readyTimeout,omitempty"`   // default 2s: --etcd-readycheck-timeout
	// Start-up: init (drawn from 0.75 to 1.25 of initTime), a blocking
	// etcd dial of at most dialTimeout, then the post-start hooks, of
	// which rbac/bootstrap-roles makes bootstrapReads quorum reads, each
	// loopbackCost of the apiserver's own work apart.
	InitTime             Duration `yaml:"initTime,omitempty"`             // default 2.4s
	DialTimeout          Duration `yaml:"dialTimeout,omitempty"`          // default 20s
	BootstrapReads       int      `yaml:"bootstrapReads,omitempty"`       // default 130
	LoopbackCost         Duration `yaml:"loopbackCost,omitempty"`         // default 1ms
	WatchCacheStaleAfter Duration `yaml:"watchCacheStaleAfter,omitempty"` // default 3 × etcd electionTimeout + 2s (5s)
	EtcdKeepaliveTime    Duration `yaml:"etcdKeepaliveTime,omitempty"`    // default 30s (kube-apiserver's etcd client)
	EtcdKeepaliveTimeout Duration `yaml:"etcdKeepaliveTimeout,omitempty"` // default 10s
	// LivenessProbe is the kubelet's probe of /livez (kubeadm's manifest:
	// initialDelay 10s, period 10s, timeout 15s, failureThreshold 8).
	LivenessProbe *ProbeTimingSpec `yaml:"livenessProbe,omitempty"`
	// ReadinessProbe is the kubelet's probe of /readyz (kubeadm's
	// manifest: period 1s, timeout 15s).
	ReadinessProbe *ReadinessProbeSpec `yaml:"readinessProbe,omitempty"`
}

// ReadinessProbeSpec is the kubelet's readiness probe of the apiserver.
type ReadinessProbeSpec struct {
	Period  Duration `yaml:"period,omitempty"`
	Timeout Duration `yaml:"timeout,omitempty"`
}

// LoadBalancerSpec is the control-plane endpoint.
type LoadBalancerSpec struct {
	// Kind: haproxy, keepalived, nginx, cloud, kube-vip or none.
	Kind string `yaml:"kind"`
	// Hosts run the proxy (haproxy: one, the single point of failure;
	// keepalived: two or more). A master's host may be used ("the first
	// master's IP promoted to the load balancer").
	Hosts          []string `yaml:"hosts,omitempty"`
	Check          string   `yaml:"check,omitempty"` // http (default, GET /readyz) or tcp
	Inter          Duration `yaml:"inter,omitempty"` // default 2s
	Fall           int      `yaml:"fall,omitempty"`  // default 3
	Rise           int      `yaml:"rise,omitempty"`  // default 2
	TimeoutCheck   Duration `yaml:"timeoutCheck,omitempty"`
	TimeoutConnect Duration `yaml:"timeoutConnect,omitempty"` // default 5s
	TimeoutServer  Duration `yaml:"timeoutServer,omitempty"`  // default 20s
	TimeoutClient  Duration `yaml:"timeoutClient,omitempty"`  // default 20s
	// ShutdownSessions: HAProxy's on-marked-down shutdown-sessions (off).
	ShutdownSessions bool `yaml:"shutdownSessions,omitempty"`
	// Backup lists masters whose apiservers are backup servers (haproxy,
	// keepalived, nginx: "server ... backup"); AllBackups is HAProxy's
	// option allbackups; ShutdownBackupSessions its on-marked-up
	// shutdown-backup-sessions (off).
	Backup                 []string `yaml:"backup,omitempty"`
	AllBackups             bool     `yaml:"allBackups,omitempty"`
	ShutdownBackupSessions bool     `yaml:"shutdownBackupSessions,omitempty"`
	// nginx (stream module, open-source): max_fails (1), fail_timeout
	// (10s), proxy_connect_timeout (60s), proxy_timeout (10m),
	// proxy_next_upstream_tries and _timeout (0: unlimited).
	MaxFails            int      `yaml:"maxFails,omitempty"`
	FailTimeout         Duration `yaml:"failTimeout,omitempty"`
	ProxyConnectTimeout Duration `yaml:"proxyConnectTimeout,omitempty"`
	ProxyTimeout        Duration `yaml:"proxyTimeout,omitempty"`
	NextUpstreamTries   int      `yaml:"nextUpstreamTries,omitempty"`
	NextUpstreamTimeout Duration `yaml:"nextUpstreamTimeout,omitempty"`
	AdvertInterval      Duration `yaml:"advertInterval,omitempty"` // keepalived, default 1s
	// Priorities (keepalived) are the hosts' VRRP priorities, in hosts
	// order; default 101, 100, ...
	Priorities     []int               `yaml:"priorities,omitempty"`
	CheckScript    *CheckScriptSpec    `yaml:"checkScript,omitempty"`    // keepalived
	LeaderElection *LeaderElectionSpec `yaml:"leaderElection,omitempty"` // kube-vip, default 15s/10s/2s
	// cloud: a provider's managed pass-through network load balancer;
	// provider (aws, azure or gcp) picks the preset that fills the rest.
	Provider             string   `yaml:"provider,omitempty"`
	Interval             Duration `yaml:"interval,omitempty"`
	Timeout              Duration `yaml:"timeout,omitempty"`
	HealthyThreshold     int      `yaml:"healthyThreshold,omitempty"`
	UnhealthyThreshold   int      `yaml:"unhealthyThreshold,omitempty"`
	UnhealthyConnections string   `yaml:"unhealthyConnections,omitempty"` // keep or close
	UnhealthyDraining    Duration `yaml:"unhealthyDraining,omitempty"`
	FailOpen             *bool    `yaml:"failOpen,omitempty"`
	IdleTimeout          Duration `yaml:"idleTimeout,omitempty"`
}

// ProbeSpec is a client measuring availability.
type ProbeSpec struct {
	Name string `yaml:"name"`
	Host string `yaml:"host"`
	// Kind: write (default), read (linearizable) or serializable-read for
	// an etcd client; write, read (quorum GET) or cached-read (watch
	// cache) for an API client (with via).
	Kind string `yaml:"kind,omitempty"`
	// Via makes it a Kubernetes API client: lb, all, apiserver:HOST, or
	// service (in-cluster access: the kubernetes Service through the
	// node's kube-proxy; the probe's host must be a node).
	Via       string   `yaml:"via,omitempty"`
	Period    Duration `yaml:"period,omitempty"`  // default 100ms
	Timeout   Duration `yaml:"timeout,omitempty"` // default 3s
	Endpoints []string `yaml:"endpoints,omitempty"`
	// Connection (API clients): per-request (default) or long-lived (one
	// HTTP/2 connection, as client-go keeps).
	Connection string `yaml:"connection,omitempty"`
}

// FaultSpec is one scripted fault.
type FaultSpec struct {
	// Name labels the fault in reports; default "fault N".
	Name string `yaml:"name,omitempty"`
	Kind string `yaml:"kind"`
	// Target: host:NAME, zone:NAME, role:ROLE, leader:GROUP or
	// connection:PROBE.
	Target string `yaml:"target"`
	// At is when the fault starts; Duration how long until it heals (0 or
	// absent: never).
	At       Duration `yaml:"at"`
	Duration Duration `yaml:"duration,omitempty"`
	// Peer (partition, link): the other side; default every other host.
	Peer string `yaml:"peer,omitempty"`
	// OneWay (partition): drop only messages from target to peer.
	OneWay bool `yaml:"oneWay,omitempty"`
	// Process (process-kill, process-pause): the role of the process; default etcd.
	Process string    `yaml:"process,omitempty"`
	Latency *DistSpec `yaml:"latency,omitempty"` // link
	Loss    *float64  `yaml:"loss,omitempty"`    // link
	Fsync   *DistSpec `yaml:"fsync,omitempty"`   // slow-disk
	// Step (clock-step) moves the wall clock, forwards or back (-30s).
	Step *Offset `yaml:"step,omitempty"`
	// Rate (clock-drift) is the clock rate while the fault lasts.
	Rate *float64 `yaml:"rate,omitempty"`
	// On makes the fault wait, from at, for an event of the timeline and
	// start delay after the first that matches.
	On *TriggerSpec `yaml:"on,omitempty"`
	// UnequalLogs (process-kill of etcd, host-crash): when the fault takes
	// the etcd leader down, its followers first hold logs of different
	// lengths (none, one, two, … of its last entries), as in the Raft
	// paper's election measurements: candidates with stale logs are
	// refused votes.
	UnequalLogs bool `yaml:"unequalLogs,omitempty"`
}

// TriggerSpec is an event a fault waits for.
type TriggerSpec struct {
	// Event is a timeline event name, e.g. member.leader or lease.acquired.
	Event string `yaml:"event"`
	// Match, if set, must equal the event's member, process, group, host or probe.
	Match string   `yaml:"match,omitempty"`
	Delay Duration `yaml:"delay,omitempty"`
}

// Offset is a signed duration ("-30s").
type Offset time.Duration

// UnmarshalScalar implements Scalar.
func (o *Offset) UnmarshalScalar(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("want a duration such as 30s or -1.5s, got %q", s)
	}
	*o = Offset(d)
	return nil
}

// MarshalYAML writes the canonical form.
func (o Offset) MarshalYAML() (any, error) { return time.Duration(o).String(), nil }

// DistSpec is a distribution of durations, written by its parameters:
//
//	{value: 1ms}                       constant
//	{min: 1ms, max: 2ms}               uniform
//	{median: 2ms, sigma: 0.5}          lognormal (optionally clamped by min/max)
//	{points: [{p: 0, value: 1ms}, …]}  empirical quantiles, p from 0 to 1
//
// Dist may name the family explicitly.
type DistSpec struct {
	Dist   string      `yaml:"dist,omitempty"`
	Value  *Duration   `yaml:"value,omitempty"`
	Min    *Duration   `yaml:"min,omitempty"`
	Max    *Duration   `yaml:"max,omitempty"`
	Median *Duration   `yaml:"median,omitempty"`
	Sigma  *float64    `yaml:"sigma,omitempty"`
	Points []PointSpec `yaml:"points,omitempty"`
}

// PointSpec is one quantile of an empirical distribution.
type PointSpec struct {
	P     float64  `yaml:"p"`
	Value Duration `yaml:"value"`
}

// kind infers the distribution family.
func (d *DistSpec) kind() model.DistKind {
	switch {
	case d.Dist != "":
		return model.DistKind(d.Dist)
	case d.Points != nil:
		return model.Empirical
	case d.Median != nil:
		return model.LogNormal
	case d.Value != nil:
		return model.Constant
	case d.Min != nil || d.Max != nil:
		return model.Uniform
	}
	return model.Constant
}

func dur(d *Duration) time.Duration {
	if d == nil {
		return 0
	}
	return time.Duration(*d)
}

// Model converts the spec into a model distribution.
func (d *DistSpec) Model() model.Dist {
	out := model.Dist{Kind: d.kind(), Value: dur(d.Value), Min: dur(d.Min), Max: dur(d.Max), Median: dur(d.Median)}
	if d.Sigma != nil {
		out.Sigma = *d.Sigma
	}
	for _, p := range d.Points {
		out.Points = append(out.Points, model.Quantile{P: p.P, Value: time.Duration(p.Value)})
	}
	return out
}

// Check validates the distribution's parameters for its family.
func (d *DistSpec) Check() error {
	var errs ErrorList
	k := d.kind()
	allowed := map[model.DistKind][]string{
		model.Constant:  {"value"},
		model.Uniform:   {"min", "max"},
		model.LogNormal: {"median", "sigma", "min", "max"},
		model.Empirical: {"points"},
	}
	fields, ok := allowed[k]
	if !ok {
		return &FieldError{Path: "dist", Msg: fmt.Sprintf("unknown distribution %q; allowed: constant, uniform, lognormal, empirical", d.Dist)}
	}
	set := map[string]bool{"value": d.Value != nil, "min": d.Min != nil, "max": d.Max != nil,
		"median": d.Median != nil, "sigma": d.Sigma != nil, "points": d.Points != nil}
	for _, name := range []string{"value", "min", "max", "median", "sigma", "points"} {
		if set[name] && !slices.Contains(fields, name) {
			errs = append(errs, &FieldError{Path: name, Msg: fmt.Sprintf("not a parameter of a %s distribution (its parameters: %s)", k, strings.Join(fields, ", "))})
		}
	}
	switch k {
	case model.Constant:
		if d.Value == nil {
			errs = append(errs, &FieldError{Msg: "a constant distribution needs value"})
		}
	case model.Uniform:
		if d.Min == nil || d.Max == nil {
			errs = append(errs, &FieldError{Msg: "a uniform distribution needs min and max"})
		}
	case model.LogNormal:
		if d.Sigma == nil {
			errs = append(errs, &FieldError{Msg: "a lognormal distribution needs median and sigma"})
		}
	}
	for _, v := range []struct {
		name string
		d    *Duration
	}{{"value", d.Value}, {"min", d.Min}, {"max", d.Max}, {"median", d.Median}} {
		if v.d != nil && v.d.D() > model.MaxLatency {
			errs = append(errs, &FieldError{Path: v.name, Msg: fmt.Sprintf("%v out of range; allowed: 0 to %s", v.d.D(), human(model.MaxLatency))})
		}
	}
	if d.Sigma != nil && !(*d.Sigma >= 0 && *d.Sigma <= model.MaxSigma) {
		errs = append(errs, &FieldError{Path: "sigma", Msg: fmt.Sprintf("%g out of range; allowed: 0 to %g (measured latencies have sigma below 2)", *d.Sigma, model.MaxSigma)})
	}
	if len(d.Points) > model.MaxEmpiricalPoints {
		errs = append(errs, &FieldError{Path: "points", Msg: fmt.Sprintf("%d points; allowed: at most %d", len(d.Points), model.MaxEmpiricalPoints)})
	}
	for i, p := range d.Points {
		if p.Value.D() > model.MaxLatency {
			errs = append(errs, &FieldError{Path: fmt.Sprintf("points[%d].value", i), Msg: fmt.Sprintf("%v out of range; allowed: 0 to %s", p.Value.D(), human(model.MaxLatency))})
		}
	}
	if len(errs) > 0 {
		return errs
	}
	if err := d.Model().Validate(); err != nil {
		return &FieldError{Msg: err.Error()}
	}
	return nil
}

// Check validates what can be checked within the spec as a whole: names
// defined once and referenced where defined, parameter relations, faults
// within the horizon.
func (s *Spec) Check() error {
	var errs ErrorList
	add := func(path, format string, a ...any) {
		errs = append(errs, &FieldError{Path: path, Msg: fmt.Sprintf(format, a...)})
	}
	if !s.Horizon.Set() {
		add("horizon", "must be positive, e.g. 60s")
	}
	if s.Horizon.Eras > 0 && len(s.Failures) == 0 && s.FailureProfile == "" {
		add("horizon", "%s is past %s: a horizon that long needs failure processes (spec.failures or spec.failureProfile), whose steady stretches the run skips; simulating every instant ends at about 292 years",
			s.Horizon, model.LongString(model.MaxHorizon))
	}
	zones := map[string]bool{}
	var zoneNames []string
	for i, z := range s.Zones {
		p := fmt.Sprintf("zones[%d].name", i)
		switch {
		case !validName(z.Name):
			add(p, "%s: %s", quote(z.Name), nameRule)
		case zones[z.Name]:
			add(p, "zone %q is defined twice", z.Name)
		}
		if !zones[z.Name] && validName(z.Name) {
			zoneNames = append(zoneNames, z.Name)
		}
		zones[z.Name] = true
	}
	if len(s.Zones) == 0 {
		add("zones", "define at least one zone")
	}
	hosts := map[string]bool{}
	var hostNames []string
	for i, h := range s.Hosts {
		p := fmt.Sprintf("hosts[%d]", i)
		switch {
		case !validName(h.Name):
			add(p+".name", "%s: %s", quote(h.Name), nameRule)
		case hosts[h.Name]:
			add(p+".name", "host %q is defined twice", h.Name)
		}
		if !hosts[h.Name] && validName(h.Name) {
			hostNames = append(hostNames, h.Name)
		}
		hosts[h.Name] = true
		switch {
		case h.Zone == "":
			// Outside every zone: the users' side, for clients only.
			if runs := s.clusterRoles(h.Name); len(runs) > 0 {
				add(p+".zone", "host %q runs %s, so it needs a zone (defined zones: %s); only a host that runs nothing but probes (a client, the users) may have none",
					h.Name, strings.Join(runs, " and "), listOrNone(zoneNames))
			}
		case !zones[h.Zone]:
			add(p+".zone", "zone %q is not defined; defined zones: %s (a host that runs only probes may omit zone)", h.Zone, listOrNone(zoneNames))
		}
	}
	if len(s.Hosts) == 0 {
		add("hosts", "define at least one host")
	}
	stacked := s.ControlPlane != nil && s.ControlPlane.Topology == "stacked"
	if len(s.Etcd.Members) == 0 && !(stacked && len(s.ControlPlane.Masters) > 0) {
		add("etcd.members", "an etcd cluster needs at least one member (an empty quorum cannot commit)")
	}
	seen := map[string]bool{}
	for i, m := range s.Etcd.Members {
		p := fmt.Sprintf("etcd.members[%d]", i)
		if !hosts[m] {
			add(p, "host %q is not defined; defined hosts: %s", m, listOrNone(hostNames))
		}
		if seen[m] {
			add(p, "host %q already runs a member", m)
		}
		seen[m] = true
	}
	etcd := s.etcdModel().WithDefaults()
	switch etcd.Version {
	case "3.4", "3.5", "3.6":
	default:
		add("etcd.version", "unknown version %q; allowed: 3.4, 3.5, 3.6", etcd.Version)
	}
	raftTicks := s.Etcd.Tick != 0 || s.Etcd.HeartbeatTicks != 0 || s.Etcd.ElectionTicks != 0
	switch {
	case raftTicks && (s.Etcd.HeartbeatInterval != 0 || s.Etcd.ElectionTimeout != 0):
		field := "etcd.heartbeatInterval"
		if s.Etcd.HeartbeatInterval == 0 {
			field = "etcd.electionTimeout"
		}
		add(field, "set with Raft's own ticks (tick, heartbeatTicks, electionTicks); give etcd's heartbeatInterval and electionTimeout, or Raft's ticks, not both")
	case raftTicks && s.Etcd.Tick == 0:
		field := "etcd.heartbeatTicks"
		if s.Etcd.HeartbeatTicks == 0 {
			field = "etcd.electionTicks"
		}
		add(field, "needs etcd.tick, the length of one Raft tick (etcd fixes it to heartbeatInterval)")
	case raftTicks:
		if s.Etcd.HeartbeatTicks < 0 {
			add("etcd.heartbeatTicks", "must be at least 1")
		}
		if s.Etcd.ElectionTicks < 0 {
			add("etcd.electionTicks", "must be at least 2")
		}
		if etcd.HeartbeatTicks >= 1 && etcd.ElectionTicks <= etcd.HeartbeatTicks {
			add("etcd.electionTicks", "%d must be greater than heartbeatTicks (%d), as etcd-io/raft requires", etcd.ElectionTicks, etcd.HeartbeatTicks)
		}
		if etcd.ElectionTimeout > 50*time.Second {
			add("etcd.electionTicks", "%d ticks of %v (%v) exceed etcd's longest election timeout, 50s", etcd.ElectionTicks, etcd.Tick, etcd.ElectionTimeout)
		}
	case etcd.HeartbeatInterval <= 0:
		add("etcd.heartbeatInterval", "must be positive")
	case etcd.ElectionTimeout < 5*etcd.HeartbeatInterval:
		add("etcd.electionTimeout", "%v must be at least 5 × heartbeatInterval (%v), as etcd requires", etcd.ElectionTimeout, 5*etcd.HeartbeatInterval)
	}
	if !raftTicks && etcd.ElectionTimeout > 50*time.Second {
		add("etcd.electionTimeout", "%v exceeds etcd's maximum of 50s", etcd.ElectionTimeout)
	}
	if s.Etcd.ElectionJitterTicks < 0 {
		add("etcd.electionJitterTicks", "must not be negative")
	}
	if etcd.TickPhase != "random" && etcd.TickPhase != "aligned" {
		add("etcd.tickPhase", "unknown phase %q; allowed: random, aligned", etcd.TickPhase)
	}
	if etcd.SnapshotCount <= etcd.SnapshotCatchUpEntries {
		add("etcd.snapshotCount", "must exceed the %d entries a compaction keeps", etcd.SnapshotCatchUpEntries)
	}
	if s.Network.Loss < 0 || s.Network.Loss > 1 {
		add("network.loss", "%g is not a probability; allowed: 0 to 1", s.Network.Loss)
	}
	if pr := s.Network.PeerReconnect; pr != "" && !slices.Contains(model.PeerReconnects(), pr) {
		add("network.peerReconnect", "unknown model %q; allowed: %s", pr, strings.Join(model.PeerReconnects(), ", "))
	}
	if cp := s.ControlPlane; cp != nil {
		errs = append(errs, s.checkControlPlane(hosts, hostNames)...)
	}
	members := map[string]bool{}
	var memberNames []string
	for i := range s.etcdHosts() {
		n := model.EtcdMemberName(i)
		members[n] = true
		memberNames = append(memberNames, n)
	}
	wls := map[string]bool{}
	for i, w := range s.Workloads {
		path := fmt.Sprintf("workloads[%d]", i)
		if s.ControlPlane == nil {
			add(path, "workloads need a controlPlane to schedule and recover them")
		}
		if !validName(w.Name) {
			add(path+".name", "%s: %s", quote(w.Name), nameRule)
		} else if wls[w.Name] {
			add(path+".name", "workload %q is defined twice", w.Name)
		}
		wls[w.Name] = true
		switch model.WorkloadKind(w.Kind) {
		case "", model.ReplicaSetKind, model.BarePodKind:
		default:
			add(path+".kind", "unknown kind %q; allowed: ReplicaSet, Pod", w.Kind)
		}
		if w.Replicas < 1 {
			add(path+".replicas", "%d: want at least 1", w.Replicas)
		}
	}
	probes := map[string]bool{}
	var longLived []string // probes a connection:PROBE target can name
	for i, p := range s.Probes {
		path := fmt.Sprintf("probes[%d]", i)
		if !validName(p.Name) {
			add(path+".name", "%s: %s", quote(p.Name), nameRule)
		} else if probes[p.Name] {
			add(path+".name", "probe %q is defined twice", p.Name)
		}
		probes[p.Name] = true
		if !hosts[p.Host] && p.Host != DefaultClientHost {
			add(path+".host", "host %q is not defined; defined hosts: %s (or %s, the users' host outside every zone)", p.Host, listOrNone(hostNames), DefaultClientHost)
		}
		switch {
		case p.Via == "":
			switch model.ProbeKind(p.Kind) {
			case "", model.ProbeWrite, model.ProbeRead, model.ProbeSerializableRead:
			default:
				add(path+".kind", "unknown kind %q for an etcd client; allowed: write, read, serializable-read (cached-read and schedule need via)", p.Kind)
			}
		case s.ControlPlane == nil:
			add(path+".via", "an API client needs a controlPlane")
		default:
			switch model.ProbeKind(p.Kind) {
			case "", model.ProbeWrite, model.ProbeRead, model.ProbeCachedRead, model.ProbeSchedule:
			default:
				add(path+".kind", "unknown kind %q for an API client; allowed: write, read, cached-read, schedule", p.Kind)
			}
			switch {
			case p.Via == "service":
				if nodes := s.nodes(); !slices.Contains(nodes, p.Host) {
					add(path+".host", "%q is not a node: in-cluster access (via: service) goes through a node's kube-proxy; nodes: %s (list workers in controlPlane.workers)", p.Host, listOrNone(nodes))
				}
			case p.Via != "lb" && p.Via != "all" && !(strings.HasPrefix(p.Via, "apiserver:") && slices.Contains(s.ControlPlane.Masters, strings.TrimPrefix(p.Via, "apiserver:"))):
				add(path+".via", "unknown endpoint %q; allowed: lb, all, apiserver:MASTER, service", p.Via)
			}
			if len(p.Endpoints) > 0 {
				add(path+".endpoints", "an API client reaches apiservers through via, not etcd endpoints")
			}
		}
		if model.Connection(p.Connection) == model.ConnLongLived && p.Via != "" {
			longLived = append(longLived, p.Name)
		}
		if p.Connection != "" && !model.Connection(p.Connection).Valid() {
			add(path+".connection", "unknown connection %q; allowed: per-request, long-lived", p.Connection)
		} else if p.Connection != "" && p.Via == "" {
			add(path+".connection", "applies only to an API client (with via); an etcd client keeps gRPC connections")
		}
		if p.Period < 0 || p.Timeout < 0 {
			add(path, "period and timeout must not be negative")
		}
		for j, e := range p.Endpoints {
			if !members[e] {
				add(fmt.Sprintf("%s.endpoints[%d]", path, j), "no etcd member %q; members: %s", e, listOrNone(memberNames))
			}
		}
	}
	for i := range s.Faults {
		f := &s.Faults[i]
		path := fmt.Sprintf("faults[%d]", i)
		kinds := model.FaultKinds()
		if !slices.Contains(kinds, model.FaultKind(f.Kind)) {
			var names []string
			for _, k := range kinds {
				names = append(names, string(k))
			}
			add(path+".kind", "unknown kind %q; allowed: %s", f.Kind, strings.Join(names, ", "))
			continue
		}
		if f.At.D() >= s.Horizon.D() && s.Horizon.Set() {
			add(path+".at", "%v is at or after the horizon (%v): the fault would never happen", f.At.D(), s.Horizon.D())
		}
		if s.Horizon.Eras > 0 && (f.On != nil || f.At.D() >= fabric.EraLen) {
			add(path+".at", "with a horizon past %s (%s), a scripted fault must come at a fixed time (no on:) within the first %s: what a run that long lists is stated in its first 50 years",
				model.LongString(model.MaxHorizon), s.Horizon, model.LongString(fabric.EraLen))
		}
		if f.At < 0 || f.Duration < 0 {
			add(path, "at and duration must not be negative")
		}
		for _, t := range []struct{ field, val string }{{"target", f.Target}, {"peer", f.Peer}} {
			if t.val == "" {
				if t.field == "target" {
					add(path+".target", "required: host:NAME, zone:NAME, role:ROLE, leader:GROUP or connection:PROBE")
				}
				continue
			}
			tg, err := model.ParseTarget(t.val)
			if err != nil {
				add(path+"."+t.field, "%v", err)
				continue
			}
			switch {
			case tg.Kind == model.TargetHost && !hosts[tg.Name]:
				add(path+"."+t.field, "host %q is not defined; defined hosts: %s", tg.Name, listOrNone(hostNames))
			case tg.Kind == model.TargetZone && !zones[tg.Name]:
				add(path+"."+t.field, "zone %q is not defined; defined zones: %s", tg.Name, listOrNone(zoneNames))
			case tg.Kind == model.TargetRole && !slices.Contains(model.KnownRoles(), tg.Name):
				add(path+"."+t.field, "unknown role %q; allowed: %s", tg.Name, strings.Join(model.KnownRoles(), ", "))
			case tg.Kind == model.TargetConnection && !slices.Contains(longLived, tg.Name):
				add(path+"."+t.field, "probe %q has no long-lived connection; probes with one: %s", tg.Name, listOrNone(longLived))
			}
		}
		kind := model.FaultKind(f.Kind)
		only := func(field string, set bool, kinds ...model.FaultKind) {
			if set && !slices.Contains(kinds, kind) {
				var names []string
				for _, k := range kinds {
					names = append(names, string(k))
				}
				add(path+"."+field, "applies only to %s faults, not %s", strings.Join(names, " and "), kind)
			}
		}
		only("peer", f.Peer != "", model.FaultPartition, model.FaultLink)
		only("oneWay", f.OneWay, model.FaultPartition)
		only("process", f.Process != "", model.FaultProcessKill, model.FaultProcessCrash, model.FaultProcessPause, model.FaultProcessStop, model.FaultAPIError, model.FaultAPIBlock)
		only("latency", f.Latency != nil, model.FaultLink)
		only("loss", f.Loss != nil, model.FaultLink)
		only("fsync", f.Fsync != nil, model.FaultSlowDisk)
		only("step", f.Step != nil, model.FaultClockStep)
		only("unequalLogs", f.UnequalLogs, model.FaultProcessKill, model.FaultHostCrash)
		if f.UnequalLogs && kind == model.FaultProcessKill && f.Process != "" && f.Process != "etcd" {
			add(path+".unequalLogs", "needs the etcd process killed, not %s", f.Process)
		}
		if f.On != nil && !slices.Contains(model.EventNames(), f.On.Event) {
			add(path+".on.event", "unknown event %q; allowed: %s", f.On.Event, strings.Join(model.EventNames(), ", "))
		}
		only("rate", f.Rate != nil, model.FaultClockDrift)
		switch kind {
		case model.FaultZoneOutage:
			if !strings.HasPrefix(f.Target, "zone:") {
				add(path+".target", "a zone-outage targets a zone (zone:NAME)")
			}
		case model.FaultLink:
			if f.Latency == nil && f.Loss == nil {
				add(path, "a link fault needs latency, loss or both")
			}
			if f.Loss != nil && (*f.Loss < 0 || *f.Loss > 1) {
				add(path+".loss", "%g is not a probability; allowed: 0 to 1", *f.Loss)
			}
		case model.FaultSlowDisk:
			if f.Fsync == nil {
				add(path, "a slow-disk fault needs fsync, e.g. fsync: {value: 2s}")
			}
		case model.FaultClockStep:
			if f.Step == nil || *f.Step == 0 {
				add(path, "a clock-step fault needs a non-zero step, e.g. step: -30s")
			}
		case model.FaultClockDrift:
			if f.Rate == nil {
				add(path, "a clock-drift fault needs a rate, e.g. rate: 1.001 (0.1%% fast)")
			}
		case model.FaultProcessCrash:
			if role := f.role(); !slices.Contains(model.StaticPodRoles(), role) {
				add(path+".process", "%q is not a static pod the kubelet restarts; process-crash allows %s (process-kill stops any process for a duration)",
					role, strings.Join(model.StaticPodRoles(), ", "))
			}
			if f.Duration != 0 {
				add(path+".duration", "process-crash takes no duration: the kubelet restarts the process, after its back-off (process-kill keeps it down for a duration)")
			}
		case model.FaultProcessKill, model.FaultProcessPause, model.FaultProcessStop, model.FaultAPIError, model.FaultAPIBlock:
			if f.Process != "" && !slices.Contains(model.KnownRoles(), f.Process) {
				add(path+".process", "unknown process %q; allowed: %s", f.Process, strings.Join(model.KnownRoles(), ", "))
				break
			}
			if kind != model.FaultProcessStop {
				break
			}
			allowed := append([]string{model.RoleEtcd}, model.LeaderElectedRoles()...)
			if role := f.role(); !slices.Contains(allowed, role) {
				add(path+".process", "%q: process-stop is the graceful stop (SIGTERM) of etcd or of a leader-elected process, and the graceful stop of %s is not modelled; allowed: %s",
					role, role, strings.Join(allowed, ", "))
			}
		case model.FaultJoinControlPlane:
			var joining []string
			if s.ControlPlane != nil {
				joining = s.ControlPlane.Joining
			}
			if h, ok := strings.CutPrefix(f.Target, "host:"); !ok || !slices.Contains(joining, h) {
				add(path+".target", "%q: a join-control-plane targets a master listed in controlPlane.joining (host:NAME); joining: %s", f.Target, listOrNone(joining))
			}
		case model.FaultRemoveEtcdMember:
			h, ok := strings.CutPrefix(f.Target, "host:")
			switch {
			case f.Target == "leader:etcd":
			case !ok:
				add(path+".target", "%q: a remove-etcd-member targets host:NAME (a host running a member) or leader:etcd", f.Target)
			case hosts[h] && !slices.Contains(s.etcdHosts(), h):
				add(path+".target", "host %q runs no etcd member; etcd hosts: %s", h, listOrNone(s.etcdHosts()))
			}
		}
		if kind.IsOperation() && f.Duration != 0 {
			add(path+".duration", "%s is an operation: it runs until done or it gives up, so it takes no duration", kind)
		}
	}
	errs = append(errs, s.checkFailures(hosts, zones, hostNames, zoneNames)...)
	errs = append(errs, s.checkLimits()...)
	if len(errs) == 0 {
		if e := s.checkWork(); e != nil {
			return e
		}
		return nil
	}
	return errs
}

// Check validates the document's identity.
func (s *Scenario) Check() error {
	var errs ErrorList
	if s.APIVersion != APIVersion {
		errs = append(errs, &FieldError{Path: "apiVersion", Msg: fmt.Sprintf("want %q, got %q", APIVersion, s.APIVersion)})
	}
	if s.Kind != Kind {
		errs = append(errs, &FieldError{Path: "kind", Msg: fmt.Sprintf("want %q, got %q", Kind, s.Kind)})
	}
	if reflect.DeepEqual(s.Spec, Spec{}) {
		// An absent spec has no mapping, so its own checks never ran.
		errs = append(errs, &FieldError{Path: "spec", Msg: "required: the topology, etcd cluster, horizon and faults to simulate"})
	}
	if !validName(s.Metadata.Name) {
		errs = append(errs, &FieldError{Path: "metadata.name", Msg: fmt.Sprintf("%s: %s", quote(s.Metadata.Name), nameRule)})
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// clusterRoles is what host runs of the cluster (not probes), in words:
// an etcd member, a master, a worker, the load balancer.
func (s *Spec) clusterRoles(host string) []string {
	var out []string
	if slices.Contains(s.Etcd.Members, host) {
		out = append(out, "an etcd member")
	}
	if cp := s.ControlPlane; cp != nil {
		if slices.Contains(cp.Masters, host) {
			out = append(out, "a master")
		}
		if slices.Contains(cp.Workers, host) {
			out = append(out, "a worker")
		}
		if lb, _ := cp.lb(); lb != nil && slices.Contains(lb.Hosts, host) {
			out = append(out, "the load balancer")
		}
	}
	return out
}

// etcdHosts are the hosts running etcd members: spec.etcd.members, or the
// masters of a stacked control plane that lists none.
func (s *Spec) etcdHosts() []string {
	if len(s.Etcd.Members) == 0 && s.ControlPlane != nil && s.ControlPlane.Topology == "stacked" {
		return s.ControlPlane.Masters
	}
	return s.Etcd.Members
}

// checkControlPlane validates spec.controlPlane.
func (s *Spec) checkControlPlane(hosts map[string]bool, hostNames []string) ErrorList {
	var errs ErrorList
	add := func(path, format string, a ...any) {
		errs = append(errs, &FieldError{Path: "controlPlane." + path, Msg: fmt.Sprintf(format, a...)})
	}
	cp := s.ControlPlane
	switch cp.Topology {
	case "stacked", "external":
	default:
		add("topology", "unknown topology %q; allowed: stacked, external", cp.Topology)
	}
	if len(cp.Masters) == 0 {
		add("masters", "a control plane needs at least one master")
	}
	seen := map[string]bool{}
	for i, m := range cp.Masters {
		if !hosts[m] {
			add(fmt.Sprintf("masters[%d]", i), "host %q is not defined; defined hosts: %s", m, listOrNone(hostNames))
		}
		if seen[m] {
			add(fmt.Sprintf("masters[%d]", i), "host %q is listed twice", m)
		}
		seen[m] = true
	}
	for i, w := range cp.Workers {
		if !hosts[w] {
			add(fmt.Sprintf("workers[%d]", i), "host %q is not defined; defined hosts: %s", w, listOrNone(hostNames))
		}
		if seen[w] {
			add(fmt.Sprintf("workers[%d]", i), "host %q is already a master", w)
		}
	}
	errs = append(errs, s.checkJoining()...)
	switch cp.Topology {
	case "stacked":
		if len(s.Etcd.Members) > 0 && !sameSet(s.Etcd.Members, cp.Masters) {
			errs = append(errs, &FieldError{Path: "etcd.members", Msg: "a stacked topology runs one member on each master: list the masters, or omit members"})
		}
	case "external":
		for i, m := range s.Etcd.Members {
			if seen[m] {
				errs = append(errs, &FieldError{Path: fmt.Sprintf("etcd.members[%d]", i), Msg: fmt.Sprintf("host %q is a master: external etcd runs on its own hosts (or use topology: stacked)", m)})
			}
		}
	}
	switch cp.ControllersEndpoint {
	case "", "local", "all":
	case "lb":
		if lb, _ := cp.lb(); lb == nil || lb.Kind == "none" {
			add("controllersEndpoint", "lb needs a loadBalancer")
		}
	default:
		add("controllersEndpoint", "unknown endpoint %q; allowed: local, lb, all", cp.ControllersEndpoint)
	}
	if le := cp.LeaderElection; le != nil {
		errs = append(errs, checkLE(le, "controlPlane.leaderElection")...)
	}
	if cp.LoadBalancer != nil && cp.ControlPlaneEndpoint != nil {
		add("controlPlaneEndpoint", "set either loadBalancer or controlPlaneEndpoint (kubeadm's name for it), not both")
	}
	if m := cp.minor(); m < minKubernetesMinor || m > maxKubernetesMinor {
		add("kubernetesVersion", "unsupported version %q; allowed: 1.%d to 1.%d (e.g. \"1.31\")", cp.KubernetesVersion, minKubernetesMinor, maxKubernetesMinor)
	}
	if k := cp.Kubelet; k != nil {
		kc := model.KubeletConfig{RestartBackoff: k.RestartBackOff.D(), MaxRestartBackoff: k.MaxRestartBackOff.D()}.WithDefaults()
		if kc.RestartBackoff > kc.MaxRestartBackoff {
			add("kubelet.restartBackOff", "%v exceeds maxRestartBackOff (%v)", kc.RestartBackoff, kc.MaxRestartBackoff)
		}
	}
	if nl := cp.NodeLifecycle; nl != nil {
		p := "nodeLifecycle."
		for _, d := range []struct {
			name string
			v    Duration
		}{{"leaseDuration", nl.LeaseDuration}, {"monitorPeriod", nl.MonitorPeriod}, {"gracePeriod", nl.GracePeriod}, {"toleration", nl.Toleration}, {"podStartDelay", nl.PodStartDelay}} {
			if d.v < 0 {
				add(p+d.name, "must not be negative")
			}
		}
		if nl.LeaseDuration != 0 && nl.LeaseDuration < Duration(time.Second) {
			add(p+"leaseDuration", "%v: the kubelet writes whole seconds; want at least 1s", nl.LeaseDuration.D())
		}
		for _, r := range []struct {
			name string
			v    *float64
			max  float64
		}{{"evictionRate", nl.EvictionRate, math.Inf(1)}, {"secondaryEvictionRate", nl.SecondaryEvictionRate, math.Inf(1)}, {"unhealthyZoneThreshold", nl.UnhealthyZoneThreshold, 1}} {
			if r.v != nil && (*r.v < 0 || *r.v > r.max || math.IsNaN(*r.v)) {
				add(p+r.name, "%g is out of range; allowed: 0 to %g", *r.v, r.max)
			}
		}
		if nl.LargeClusterSize < 0 {
			add(p+"largeClusterSize", "must not be negative")
		}
	}
	errs = append(errs, s.checkService()...)
	if lb, name := cp.lb(); lb != nil {
		p := name + "."
		switch model.LBKind(lb.Kind) {
		case model.LBHAProxy:
			if len(lb.Hosts) != 1 {
				add(p+"hosts", "haproxy runs on one host (for two behind a VIP use kind keepalived)")
			}
		case model.LBNginx:
			if len(lb.Hosts) != 1 {
				add(p+"hosts", "nginx runs on one host")
			}
		case model.LBKeepalived:
			if len(lb.Hosts) < 2 {
				add(p+"hosts", "keepalived needs at least two hosts to move a VIP between")
			}
		case model.LBKubeVIP, model.LBNone:
			if len(lb.Hosts) > 0 {
				add(p+"hosts", "%s runs on the masters: no hosts of its own", lb.Kind)
			}
		case model.LBCloud:
			errs = append(errs, checkCloudLB(lb, p, hosts)...)
		default:
			add(p+"kind", "unknown kind %q; allowed: haproxy, keepalived, nginx, cloud, kube-vip, none", lb.Kind)
		}
		for i, h := range lb.Hosts {
			if !hosts[h] {
				add(fmt.Sprintf("%shosts[%d]", p, i), "host %q is not defined; defined hosts: %s", h, listOrNone(hostNames))
			}
		}
		if lb.Check != "" && lb.Check != "http" && lb.Check != "tcp" {
			add(p+"check", "unknown check %q; allowed: http (GET /readyz), tcp", lb.Check)
		}
		kind := model.LBKind(lb.Kind)
		const haproxy, keepalivedOnly, nginxOnly, cloudOnly, checked, proxied = 0, 1, 2, 3, 4, 5
		for _, f := range []struct {
			name string
			set  bool
			only int
		}{{"check", lb.Check != "", checked}, {"inter", lb.Inter != 0, haproxy}, {"fall", lb.Fall != 0, haproxy}, {"rise", lb.Rise != 0, haproxy},
			{"timeoutCheck", lb.TimeoutCheck != 0, haproxy}, {"timeoutConnect", lb.TimeoutConnect != 0, haproxy}, {"timeoutServer", lb.TimeoutServer != 0, haproxy},
			{"timeoutClient", lb.TimeoutClient != 0, haproxy}, {"shutdownSessions", lb.ShutdownSessions, haproxy},
			{"backup", lb.Backup != nil, proxied}, {"allBackups", lb.AllBackups, haproxy}, {"shutdownBackupSessions", lb.ShutdownBackupSessions, haproxy},
			{"advertInterval", lb.AdvertInterval != 0, keepalivedOnly}, {"priorities", lb.Priorities != nil, keepalivedOnly}, {"checkScript", lb.CheckScript != nil, keepalivedOnly},
			{"maxFails", lb.MaxFails != 0, nginxOnly}, {"failTimeout", lb.FailTimeout != 0, nginxOnly}, {"proxyConnectTimeout", lb.ProxyConnectTimeout != 0, nginxOnly},
			{"proxyTimeout", lb.ProxyTimeout != 0, nginxOnly}, {"nextUpstreamTries", lb.NextUpstreamTries != 0, nginxOnly}, {"nextUpstreamTimeout", lb.NextUpstreamTimeout != 0, nginxOnly},
			{"provider", lb.Provider != "", cloudOnly}, {"interval", lb.Interval != 0, cloudOnly}, {"timeout", lb.Timeout != 0, cloudOnly},
			{"healthyThreshold", lb.HealthyThreshold != 0, cloudOnly}, {"unhealthyThreshold", lb.UnhealthyThreshold != 0, cloudOnly},
			{"unhealthyConnections", lb.UnhealthyConnections != "", cloudOnly}, {"unhealthyDraining", lb.UnhealthyDraining != 0, cloudOnly},
			{"failOpen", lb.FailOpen != nil, cloudOnly}, {"idleTimeout", lb.IdleTimeout != 0, cloudOnly}} {
			switch {
			case !f.set || !kind.Valid():
			case f.only == cloudOnly && kind != model.LBCloud:
				add(p+f.name, "applies only to kind cloud, not %s", lb.Kind)
			case f.only == checked && kind == model.LBCloud:
			case f.only == proxied && kind == model.LBCloud:
				add(p+f.name, "a cloud load balancer has no backup targets: every healthy target takes new connections (backup servers: haproxy, keepalived, nginx)")
			case f.only == proxied && (kind == model.LBKubeVIP || kind == model.LBNone):
				add(p+f.name, "applies only to haproxy, keepalived and nginx: %s has no proxy", lb.Kind)
			case f.name == "allBackups" && kind == model.LBNginx:
				add(p+f.name, "applies only to haproxy and keepalived: nginx always takes its backup servers in turn")
			case f.only == haproxy && kind == model.LBCloud:
				add(p+f.name, "applies only to haproxy and keepalived; a cloud load balancer's settings: provider, check, interval, timeout, healthyThreshold, unhealthyThreshold, unhealthyConnections, unhealthyDraining, failOpen, idleTimeout")
			case f.only == keepalivedOnly && kind != model.LBKeepalived:
				add(p+f.name, "applies only to keepalived, not %s", lb.Kind)
			case f.only == nginxOnly && kind != model.LBNginx:
				add(p+f.name, "applies only to nginx, not %s", lb.Kind)
			case (f.only == haproxy || f.only == checked) && kind == model.LBNginx:
				add(p+f.name, "applies only to haproxy and keepalived: open-source nginx has no active health checks (its settings: maxFails, failTimeout, proxyConnectTimeout, proxyTimeout, nextUpstreamTries, nextUpstreamTimeout)")
			case (f.only == haproxy || f.only == checked) && (kind == model.LBKubeVIP || kind == model.LBNone):
				add(p+f.name, "applies only to haproxy and keepalived: %s has no proxy", lb.Kind)
			}
		}

		errs = append(errs, checkBackup(lb, p, hosts, cp.Masters)...)
		if kind == model.LBKeepalived && lb.Priorities != nil {
			if len(lb.Priorities) != len(lb.Hosts) {
				add(p+"priorities", "%d priorities for %d hosts: give one per host, in hosts order", len(lb.Priorities), len(lb.Hosts))
			}
			for i, pr := range lb.Priorities {
				if pr < 1 || pr > 254 {
					add(fmt.Sprintf("%spriorities[%d]", p, i), "%d: VRRP priorities are 1 to 254", pr)
				}
			}
		}
		if cs := lb.CheckScript; cs != nil {
			if cs.Weight != nil && (*cs.Weight < -253 || *cs.Weight > 253) {
				add(p+"checkScript.weight", "%d: keepalived allows -253 to 253 (0: FAULT while failing)", *cs.Weight)
			}
		}
		if lb.LeaderElection != nil {
			if model.LBKind(lb.Kind) != model.LBKubeVIP {
				add(p+"leaderElection", "applies only to kube-vip")
			}
			errs = append(errs, checkLE(lb.LeaderElection, "controlPlane."+p+"leaderElection")...)
		}
	}
	return errs
}

// checkBackup validates the backup servers of load balancer lb under
// path p: each a defined host that is a master, once; not every master;
// allBackups and shutdownBackupSessions with backups to act on.
func checkBackup(lb *LoadBalancerSpec, p string, hosts map[string]bool, masters []string) ErrorList {
	var errs ErrorList
	add := func(path, format string, a ...any) {
		errs = append(errs, &FieldError{Path: "controlPlane." + p + path, Msg: fmt.Sprintf(format, a...)})
	}
	kind := model.LBKind(lb.Kind)
	if kind != model.LBHAProxy && kind != model.LBKeepalived && kind != model.LBNginx {
		return nil // refused above, by kind
	}
	primaries := slices.Clone(masters)
	for i, h := range lb.Backup {
		path := fmt.Sprintf("backup[%d]", i)
		switch {
		case !hosts[h]:
			add(path, "host %q is not defined; backup servers are masters: %s", h, listOrNone(masters))
		case !slices.Contains(masters, h):
			add(path, "%q is not a master: backup servers are masters' apiservers (masters: %s)", h, listOrNone(masters))
		case slices.Index(lb.Backup, h) < i:
			add(path, "%q is listed twice", h)
		}
		primaries = slices.DeleteFunc(primaries, func(m string) bool { return m == h })
	}
	if lb.Backup != nil && len(primaries) == 0 && len(masters) > 0 {
		add("backup", "every master is a backup: leave at least one primary server (masters: %s)", listOrNone(masters))
	}
	if len(lb.Backup) == 0 {
		for _, o := range []struct {
			name string
			set  bool
		}{{"allBackups", lb.AllBackups}, {"shutdownBackupSessions", lb.ShutdownBackupSessions}} {
			if o.set && kind != model.LBNginx {
				add(o.name, "acts on backup servers, and there are none: list them in backup (masters: %s)", listOrNone(masters))
			}
		}
	}
	return errs
}

// checkCloudLB validates a cloud load balancer (kind cloud) under path
// p: the provider runs it (no hosts; the scenario's hosts may not take its
// host's name), a known provider, and each setting within what the
// providers allow, judged with the preset filling what is unset.
func checkCloudLB(lb *LoadBalancerSpec, p string, hosts map[string]bool) ErrorList {
	var errs ErrorList
	add := func(path, format string, a ...any) {
		errs = append(errs, &FieldError{Path: "controlPlane." + p + path, Msg: fmt.Sprintf(format, a...)})
	}
	if len(lb.Hosts) > 0 {
		add("hosts", "a cloud load balancer is run by its provider: no hosts of its own (it does not fail; a zone outage takes down only its targets)")
	}
	if hosts[model.CloudLBHost] {
		add("kind", "host %q is the cloud load balancer's own: rename the scenario's host", model.CloudLBHost)
	}
	if lb.Provider != "" && !slices.Contains(model.CloudProviders(), lb.Provider) {
		add("provider", "unknown provider %q; allowed: %s", lb.Provider, strings.Join(model.CloudProviders(), ", "))
		return errs
	}
	pre := model.CloudPreset(lb.Provider, lb.Check)
	for _, d := range []struct {
		name string
		v    Duration
		min  time.Duration
	}{{"interval", lb.Interval, time.Second}, {"timeout", lb.Timeout, time.Second}, {"unhealthyDraining", lb.UnhealthyDraining, 0}, {"idleTimeout", lb.IdleTimeout, time.Second}} {
		if d.v != 0 && d.v.D() < d.min {
			add(d.name, "%v: want at least %v", d.v.D(), max(d.min, time.Nanosecond))
		}
	}
	interval := pre.Inter
	if lb.Interval > 0 {
		interval = lb.Interval.D()
	}
	if lb.Timeout > 0 && lb.Timeout.D() > interval {
		add("timeout", "%v exceeds the check interval (%v): a check must end before the next starts", lb.Timeout.D(), interval)
	}
	for _, t := range []struct {
		name string
		v    int
	}{{"healthyThreshold", lb.HealthyThreshold}, {"unhealthyThreshold", lb.UnhealthyThreshold}} {
		if t.v < 0 || t.v > 10 {
			add(t.name, "%d: allowed 1 to 10 (consecutive checks)", t.v)
		}
	}
	switch lb.UnhealthyConnections {
	case "", model.UnhealthyKeep, model.UnhealthyClose:
	default:
		add("unhealthyConnections", "unknown %q; allowed: keep (established connections go on to an unhealthy target), close (reset after unhealthyDraining)", lb.UnhealthyConnections)
	}
	return errs
}

// checkService validates controlPlane.kubernetesService.
func (s *Spec) checkService() ErrorList {
	var errs ErrorList
	add := func(path, format string, a ...any) {
		errs = append(errs, &FieldError{Path: "controlPlane.kubernetesService" + path, Msg: fmt.Sprintf(format, a...)})
	}
	cp := s.ControlPlane
	ks := cp.KubernetesService
	if ks == nil {
		return nil
	}
	if !s.workerPlane() {
		add("", "kube-proxy runs on the nodes: list workers in controlPlane.workers")
	}
	lb, _ := cp.lb()
	noLB := lb == nil || lb.Kind == "none"
	switch ks.AdvertiseAddress {
	case "", "host":
	case "load-balancer":
		if noLB {
			add(".advertiseAddress", "load-balancer needs a loadBalancer (controlPlaneEndpoint) whose address the masters advertise")
		}
	default:
		add(".advertiseAddress", "unknown address %q; allowed: host (each master its own), load-balancer (the control-plane endpoint's)", ks.AdvertiseAddress)
	}
	if ks.LeaseTTL != 0 && ks.LeaseTTL.D()%time.Second != 0 {
		add(".leaseTTL", "%v: etcd leases are whole seconds", ks.LeaseTTL.D())
	}
	if ks.KubeProxy != nil {
		switch ks.KubeProxy.Endpoint {
		case "", "lb", "all":
		default:
			add(".kubeProxy.endpoint", "unknown endpoint %q; allowed: lb, all", ks.KubeProxy.Endpoint)
		}
	}
	if len(cp.Masters) > model.MaxServiceMasters {
		add("", "%d masters; the kubernetes Service is modelled for at most %d", len(cp.Masters), model.MaxServiceMasters)
	}
	return errs
}

// checkJoining validates controlPlane.joining: masters, not all of them,
// last in a stacked topology, and each joined by some operation.
func (s *Spec) checkJoining() ErrorList {
	var errs ErrorList
	cp := s.ControlPlane
	add := func(path, format string, a ...any) {
		errs = append(errs, &FieldError{Path: "controlPlane." + path, Msg: fmt.Sprintf(format, a...)})
	}
	seen := map[string]bool{}
	for i, h := range cp.Joining {
		p := fmt.Sprintf("joining[%d]", i)
		switch {
		case !slices.Contains(cp.Masters, h):
			add(p, "%q is not a master; joining lists masters that kubeadm joins during the run (masters: %s)", h, listOrNone(cp.Masters))
			continue
		case seen[h]:
			add(p, "%q is listed twice", h)
			continue
		}
		seen[h] = true
		joined := slices.ContainsFunc(s.Faults, func(f FaultSpec) bool {
			return f.Kind == string(model.FaultJoinControlPlane) && f.Target == "host:"+h
		})
		if !joined {
			add(p, "%s never joins: add a fault of kind join-control-plane with target host:%s", h, h)
		}
	}
	if len(cp.Masters) > 0 && len(seen) == len(cp.Masters) {
		add("joining", "every master is joining: at least one must start the cluster (kubeadm init)")
	} else if cp.Topology == "stacked" && len(seen) > 0 {
		tail := cp.Masters[len(cp.Masters)-len(seen):]
		for _, h := range tail {
			if !seen[h] {
				add("joining", "with stacked etcd the joining masters come last in masters (members are numbered as they join): move %s after %s", listOrNone(cp.Joining), h)
				break
			}
		}
	}
	return errs
}

// checkLE applies client-go's NewLeaderElector validation.
func checkLE(le *LeaderElectionSpec, path string) ErrorList {
	if errs := checkLELimits(le, path); len(errs) > 0 {
		return errs
	}
	cfg := le.model().WithDefaults()
	if err := cfg.Validate(); err != nil {
		field := "renewDeadline"
		if strings.HasPrefix(err.Error(), "leaseDuration, renewDeadline") {
			field = "leaseDuration"
		}
		return ErrorList{&FieldError{Path: path + "." + field, Msg: err.Error() + " (client-go requires leaseDuration > renewDeadline > 1.2 × retryPeriod)"}}
	}
	return nil
}

func (le *LeaderElectionSpec) model() model.LeaderElectionConfig {
	if le == nil {
		return model.LeaderElectionConfig{}
	}
	return model.LeaderElectionConfig{LeaseDuration: le.LeaseDuration.D(), RenewDeadline: le.RenewDeadline.D(),
		RetryPeriod: le.RetryPeriod.D(), StartDelay: le.StartDelay.D(), ExitFlush: le.ExitFlush.D()}
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}

// listOrNone lists names for a message: "none", or the first
// maxListed and how many there are in all.
func listOrNone(names []string) string {
	switch {
	case len(names) == 0:
		return "none"
	case len(names) > maxListed:
		return fmt.Sprintf("%s, ... (%d in all)", strings.Join(names[:maxListed], ", "), len(names))
	}
	return strings.Join(names, ", ")
}

// maxListed bounds the names a message lists, so that a mistake in a
// scenario of 10,000 hosts is not a megabyte of errors per reference.
const maxListed = 20

// nameRule is what validName accepts: an RFC 1035 label, as Kubernetes
// requires of Service names (DNS-1035), so names read well in narration
// and never hold a colon, space or newline.
const nameRule = "want lower-case letters, digits and dashes, starting with a letter, at most 63 characters"

func validName(s string) bool {
	if s == "" || s[0] < 'a' || s[0] > 'z' || len(s) > 63 {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
			return false
		}
	}
	return !strings.HasSuffix(s, "-")
}

// etcdModel is the etcd configuration, its version defaulted from the
// control plane's Kubernetes version.
func (sp *Spec) etcdModel() model.EtcdConfig {
	e := sp.Etcd.model()
	if e.Version == "" && sp.ControlPlane != nil {
		if m := sp.ControlPlane.minor(); m >= minKubernetesMinor && m <= maxKubernetesMinor {
			e.Version = etcdVersionFor(m)
		}
	}
	return e
}

func (e *EtcdSpec) model() model.EtcdConfig {
	return model.EtcdConfig{
		Version:                    e.Version,
		HeartbeatInterval:          e.HeartbeatInterval.D(),
		ElectionTimeout:            e.ElectionTimeout.D(),
		ElectionJitterTicks:        e.ElectionJitterTicks,
		Tick:                       e.Tick.D(),
		HeartbeatTicks:             e.HeartbeatTicks,
		ElectionTicks:              e.ElectionTicks,
		CheckQuorum:                e.CheckQuorum,
		PreVote:                    e.PreVote,
		TickPhase:                  e.TickPhase,
		AlignedSpread:              e.AlignedSpread.D(),
		RequestTimeout:             e.RequestTimeout.D(),
		SnapshotCount:              e.SnapshotCount,
		StrictReconfigCheck:        e.StrictReconfigCheck,
		InitialElectionTickAdvance: e.InitialElectionTickAdvance,
	}
}

// Defaults the compiler applies.
const (
	// DefaultSeed is the seed of a scenario that sets none.
	DefaultSeed = 1
	// DefaultProbeName and DefaultClientHost name the write probe added to
	// a scenario that defines no probe, and its host (outside every zone,
	// unless the scenario defines a host of that name).
	DefaultProbeName  = "writes"
	DefaultClientHost = "client"
)

// Config compiles the scenario into a model configuration. The scenario
// must have loaded without errors.
func (s *Scenario) Config() model.Config {
	sp := &s.Spec
	cfg := model.Config{
		Seed:                DefaultSeed,
		Horizon:             sp.Horizon.Rest.D(),
		HorizonEras:         sp.Horizon.Eras,
		ColdStart:           sp.ColdStart,
		MaxEvents:           sp.MaxEvents,
		MaxEventsPerInstant: sp.MaxEventsPerInstant,
		Network:             model.DefaultNetworkConfig(),
		EtcdMembers:         slices.Clone(sp.etcdHosts()),
		Etcd:                sp.etcdModel(),
	}
	if sp.Seed != nil {
		cfg.Seed = *sp.Seed
	}
	for _, z := range sp.Zones {
		cfg.Zones = append(cfg.Zones, z.Name)
	}
	for _, h := range sp.Hosts {
		hc := model.HostConfig{Name: h.Name, Zone: h.Zone}
		if h.Clock != nil {
			hc.Clock.Offset = h.Clock.Offset.D()
			if h.Clock.Rate != nil {
				hc.Clock.Rate = *h.Clock.Rate
			}
		}
		if h.Disk != nil && h.Disk.Fsync != nil {
			hc.Fsync = h.Disk.Fsync.Model()
		}
		cfg.Hosts = append(cfg.Hosts, hc)
	}
	n := &sp.Network
	for _, x := range []struct {
		spec *DistSpec
		dst  *model.Dist
	}{{n.SameZone, &cfg.Network.SameZone}, {n.CrossZone, &cfg.Network.CrossZone}, {n.Loopback, &cfg.Network.Loopback}, {n.Reconnect, &cfg.Network.Reconnect}} {
		if x.spec != nil {
			*x.dst = x.spec.Model()
		}
	}
	cfg.Network.Loss = n.Loss
	cfg.Network.PeerReconnect = n.PeerReconnect
	if cp := sp.ControlPlane; cp != nil {
		compileControlPlane(sp, &cfg)
	}
	probes := sp.Probes
	if len(probes) == 0 {
		probes = sp.defaultProbes()
	}
	if slices.ContainsFunc(probes, func(p ProbeSpec) bool { return p.Host == DefaultClientHost }) &&
		!slices.ContainsFunc(sp.Hosts, func(h HostSpec) bool { return h.Name == DefaultClientHost }) {
		// Outside every zone: the users are their own failure domain,
		// which no zone outage or partition takes down.
		cfg.Hosts = append(cfg.Hosts, model.HostConfig{Name: DefaultClientHost})
	}
	for _, p := range probes {
		cfg.Probes = append(cfg.Probes, model.ProbeConfig{Name: p.Name, Host: p.Host, Kind: model.ProbeKind(p.Kind),
			Period: p.Period.D(), Timeout: p.Timeout.D(), Endpoints: slices.Clone(p.Endpoints), Via: p.Via,
			Connection: model.Connection(p.Connection)})
	}
	for _, f := range sp.Faults {
		fc := model.FaultConfig{Name: f.Name, Kind: model.FaultKind(f.Kind), At: f.At.D(), Duration: f.Duration.D(),
			OneWay: f.OneWay, Process: f.Process, Loss: f.Loss, UnequalLogs: f.UnequalLogs}
		fc.Target, _ = model.ParseTarget(f.Target)
		if f.Peer != "" {
			p, _ := model.ParseTarget(f.Peer)
			fc.Peer = &p
		}
		if f.Latency != nil {
			d := f.Latency.Model()
			fc.Latency = &d
		}
		if f.Fsync != nil {
			fc.Fsync = f.Fsync.Model()
		}
		if f.Step != nil {
			fc.Step = time.Duration(*f.Step)
		}
		if f.Rate != nil {
			fc.Rate = *f.Rate
		}
		if f.On != nil {
			fc.On = &model.Trigger{Event: f.On.Event, Match: f.On.Match, Delay: f.On.Delay.D()}
		}
		if fc.Kind == model.FaultJoinControlPlane && sp.ControlPlane != nil {
			fc.AddAsVoter = sp.ControlPlane.minor() < learnerModeMinor
		}
		cfg.Faults = append(cfg.Faults, fc)
	}
	cfg.Failures = sp.failureModels()
	return cfg
}

// compileControlPlane adds apiservers, controller groups and the load
// balancer to cfg.
func compileControlPlane(sp *Spec, cfg *model.Config) {
	cp := sp.ControlPlane
	members := sp.etcdHosts()
	memberName := func(host string) string {
		for i, h := range members {
			if h == host {
				return model.EtcdMemberName(i)
			}
		}
		return ""
	}
	var all []string
	for i := range members {
		all = append(all, model.EtcdMemberName(i))
	}
	cfg.Joining = slices.Clone(cp.Joining)
	if cp.Topology == "stacked" && len(cp.Joining) > 0 {
		cfg.Etcd.InitialMembers = len(members) - len(cp.Joining)
	}
	for _, m := range cp.Masters {
		ac := model.APIServerConfig{Host: m, Etcd: all}
		if cp.Topology == "stacked" {
			ac.Etcd = []string{memberName(m)}
		}
		if a := cp.APIServer; a != nil {
			ac.RequestTimeout, ac.HealthTimeout, ac.WatchCacheStaleAfter = a.RequestTimeout.D(), a.HealthTimeout.D(), a.WatchCacheStaleAfter.D()
			ac.EtcdKeepaliveTime, ac.EtcdKeepaliveTimeout = a.EtcdKeepaliveTime.D(), a.EtcdKeepaliveTimeout.D()
			ac.ReadyTimeout, ac.InitTime, ac.DialTimeout = a.ReadyTimeout.D(), a.InitTime.D(), a.DialTimeout.D()
			ac.BootstrapReads, ac.LoopbackCost = a.BootstrapReads, a.LoopbackCost.D()
			if r := a.ReadinessProbe; r != nil {
				ac.Readiness = model.ReadinessProbe{Period: r.Period.D(), Timeout: r.Timeout.D()}
			}
			if l := a.LivenessProbe; l != nil {
				ac.Liveness = model.LivenessProbe{InitialDelay: l.InitialDelay.D(), Period: l.Period.D(), Timeout: l.Timeout.D(), FailureThreshold: l.FailureThreshold}
			}
		}
		cfg.APIServers = append(cfg.APIServers, ac)
	}
	endpoint := cp.ControllersEndpoint
	if endpoint == "" {
		endpoint = "local"
	}
	le := cp.LeaderElection.model()
	groups := []string{model.GroupKCM, model.GroupScheduler}
	if cp.CloudControllerManager {
		groups = append(groups, model.GroupCCM)
	}
	for _, g := range groups {
		gle := le
		gle.ReleaseOnCancel = g == model.GroupScheduler // the scheduler releases on SIGTERM, KCM does not
		cfg.Groups = append(cfg.Groups, model.LeaseGroupConfig{Name: g, Hosts: slices.Clone(cp.Masters), Endpoint: endpoint, LE: gle})
	}
	if sp.workerPlane() {
		cfg.Workers = compileWorkers(sp)
	}
	if sp.serviceModelled() {
		sc := &model.ServiceConfig{Nodes: sp.nodes()}
		if ks := cp.KubernetesService; ks != nil {
			sc.AdvertiseLB = ks.AdvertiseAddress == "load-balancer"
			sc.ReconcileInterval, sc.LeaseTTL = ks.ReconcileInterval.D(), ks.LeaseTTL.D()
			if kp := ks.KubeProxy; kp != nil {
				sc.ProxyEndpoint, sc.ProxySync = kp.Endpoint, kp.SyncPeriod.D()
			}
		}
		cfg.Service = sc
	}
	if k := cp.Kubelet; k != nil {
		cfg.Kubelet = model.KubeletConfig{RestartBackoff: k.RestartBackOff.D(), MaxRestartBackoff: k.MaxRestartBackOff.D()}
	}
	if lb, _ := cp.lb(); lb != nil && lb.Kind != "none" {
		cfg.LoadBalancer = &model.LoadBalancerConfig{Kind: model.LBKind(lb.Kind), Hosts: slices.Clone(lb.Hosts), Check: lb.Check,
			Inter: lb.Inter.D(), Fall: lb.Fall, Rise: lb.Rise, TimeoutCheck: lb.TimeoutCheck.D(), AdvertInterval: lb.AdvertInterval.D(),
			ConnectTimeout: lb.TimeoutConnect.D(), ServerTimeout: lb.TimeoutServer.D(), Priorities: slices.Clone(lb.Priorities),
			ClientTimeout: lb.TimeoutClient.D(), ShutdownSessions: lb.ShutdownSessions,
			Backup: slices.Clone(lb.Backup), AllBackups: lb.AllBackups, ShutdownBackupSessions: lb.ShutdownBackupSessions,
			MaxFails: lb.MaxFails, FailTimeout: lb.FailTimeout.D(), ProxyTimeout: lb.ProxyTimeout.D(),
			NextUpstreamTries: lb.NextUpstreamTries, NextUpstreamTimeout: lb.NextUpstreamTimeout.D(),
			LE: lb.LeaderElection.model()}
		if model.LBKind(lb.Kind) == model.LBNginx {
			cfg.LoadBalancer.ConnectTimeout = lb.ProxyConnectTimeout.D()
		}
		if model.LBKind(lb.Kind) == model.LBCloud {
			l := cfg.LoadBalancer
			l.Provider, l.Inter, l.TimeoutCheck, l.Rise, l.Fall = lb.Provider, lb.Interval.D(), lb.Timeout.D(), lb.HealthyThreshold, lb.UnhealthyThreshold
			l.UnhealthyConnections, l.UnhealthyDraining, l.IdleTimeout = lb.UnhealthyConnections, lb.UnhealthyDraining.D(), lb.IdleTimeout.D()
			if lb.FailOpen != nil {
				v := *lb.FailOpen
				l.FailOpen = &v
			}
		}
		if cs := lb.CheckScript; cs != nil {
			cfg.LoadBalancer.Script = model.VRRPScript{Interval: cs.Interval.D(), Fall: cs.Fall, Rise: cs.Rise, Weight: cs.Weight}
		}
	}
}

// compileWorkers builds the worker plane: every master and worker is a
// node; masters take pods only when there are no workers (kubeadm taints
// them NoSchedule, which single-node clusters remove).
func compileWorkers(sp *Spec) *model.WorkerPlaneConfig {
	cp := sp.ControlPlane
	minor := cp.minor()
	wp := &model.WorkerPlaneConfig{}
	masterEndpoint := "lb"
	if minor >= 33 {
		masterEndpoint = "local" // kubeadm ControlPlaneKubeletLocalMode, on by default from 1.33
	}
	for _, m := range cp.Masters {
		if slices.Contains(cp.Joining, m) {
			continue // not registered before its join; not simulated as a node
		}
		wp.Nodes = append(wp.Nodes, model.NodeConfig{Host: m, Endpoint: masterEndpoint, Schedulable: len(cp.Workers) == 0})
	}
	for _, w := range cp.Workers {
		wp.Nodes = append(wp.Nodes, model.NodeConfig{Host: w, Endpoint: "lb", Schedulable: true})
	}
	for _, w := range sp.Workloads {
		kind := model.WorkloadKind(w.Kind)
		if kind == "" {
			kind = model.ReplicaSetKind
		}
		wp.Workloads = append(wp.Workloads, model.WorkloadConfig{Name: w.Name, Kind: kind, Replicas: w.Replicas})
	}
	l := &wp.Lifecycle
	if minor < 32 {
		l.GracePeriod = model.NodeGracePeriodBefore132
	}
	if nl := cp.NodeLifecycle; nl != nil {
		l.LeaseDuration, l.MonitorPeriod, l.Toleration, l.PodStartDelay = nl.LeaseDuration.D(), nl.MonitorPeriod.D(), nl.Toleration.D(), nl.PodStartDelay.D()
		if nl.GracePeriod != 0 {
			l.GracePeriod = nl.GracePeriod.D()
		}
		for _, r := range []struct {
			src *float64
			dst *float64
		}{{nl.EvictionRate, &l.EvictionRate}, {nl.SecondaryEvictionRate, &l.SecondaryEvictionRate}, {nl.UnhealthyZoneThreshold, &l.UnhealthyZoneThreshold}} {
			if r.src != nil {
				*r.dst = *r.src
			}
		}
		l.LargeClusterSize = nl.LargeClusterSize
	}
	return wp
}

// defaultProbes are the probes of a scenario that defines none: without
// them nothing would measure availability. With a control plane they are
// API writes and reads through its endpoint, else etcd writes; their
// client is DefaultClientHost, a host of its own outside every zone
// unless the scenario defines one of that name.
func (sp *Spec) defaultProbes() []ProbeSpec {
	if sp.ControlPlane == nil {
		return []ProbeSpec{{Name: DefaultProbeName, Host: DefaultClientHost, Kind: string(model.ProbeWrite)}}
	}
	via := "lb"
	if lb, _ := sp.ControlPlane.lb(); lb == nil || lb.Kind == "none" {
		via = "all"
	}
	return []ProbeSpec{{Name: "api-writes", Host: DefaultClientHost, Kind: "write", Via: via},
		{Name: "api-reads", Host: DefaultClientHost, Kind: "read", Via: via}}
}

// role is the process a process fault acts on: process if set, else the
// role or leader group of its target, else etcd.
func (f *FaultSpec) role() string {
	role := f.Process
	if tg, err := model.ParseTarget(f.Target); role == "" && err == nil && (tg.Kind == model.TargetRole || tg.Kind == model.TargetLeader) {
		role = tg.Name
	}
	return orDefault(role, model.RoleEtcd)
}
