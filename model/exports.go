package model

import (
	"hasim/model/etcd"
	"hasim/model/fabric"
	"hasim/model/kube"
)

// The types, constants and functions of the model's floors that packages
// above the model use, under the names they have in the model.

type APIServerConfig = kube.APIServerConfig
type ServiceConfig = kube.ServiceConfig

const MaxServiceMasters = kube.MaxServiceMasters

const EvServiceEndpoints = kube.EvServiceEndpoints
const EvProxyRules = kube.EvProxyRules

const BarePodKind = kube.BarePodKind
const ConnLongLived = kube.ConnLongLived
const ConnPerRequest = kube.ConnPerRequest

type Connection = kube.Connection

const Constant = fabric.Constant
const DefaultH2MaxStreams = kube.DefaultH2MaxStreams
const DefaultH2PingTimeout = kube.DefaultH2PingTimeout
const DefaultH2ReadIdleTimeout = kube.DefaultH2ReadIdleTimeout
const DefaultHeartbeatInterval = etcd.DefaultHeartbeatInterval

// DefaultNetworkConfig is fabric.DefaultNetworkConfig.
func DefaultNetworkConfig() fabric.NetworkConfig { return fabric.DefaultNetworkConfig() }

type Dist = fabric.Dist
type DistKind = fabric.DistKind

const Empirical = fabric.Empirical

type EtcdConfig = etcd.EtcdConfig

// Recycler lends a run's etcd log arrays to the next run on the same
// goroutine (RunOptions.Recycler).
type Recycler = etcd.Recycler

// EtcdMemberName is etcd.EtcdMemberName.
func EtcdMemberName(i int) string { return etcd.EtcdMemberName(i) }

// PeerReconnects is fabric.PeerReconnects.
func PeerReconnects() []string { return fabric.PeerReconnects() }

const EvAPIReady = kube.EvAPIReady
const EvAPIUnready = kube.EvAPIUnready
const EvCandidate = etcd.EvCandidate
const EvClockChanged = fabric.EvClockChanged
const EvCtrlSynced = kube.EvCtrlSynced
const EvFirstCommit = etcd.EvFirstCommit
const EvFollower = etcd.EvFollower
const EvHostDown = fabric.EvHostDown
const EvHostUp = fabric.EvHostUp
const EvLBBackendDown = kube.EvLBBackendDown
const EvLBBackendUp = kube.EvLBBackendUp
const EvLeader = etcd.EvLeader
const EvLeaseAcquired = kube.EvLeaseAcquired
const EvLeaseLost = kube.EvLeaseLost
const EvLeaseReleased = kube.EvLeaseReleased
const EvLeaseRenewed = kube.EvLeaseRenewed
const EvSplitBrain = kube.EvSplitBrain
const EvSplitBrainEnded = kube.EvSplitBrainEnded
const EvActingSplitBrain = kube.EvActingSplitBrain
const EvActingSplitBrainEnded = kube.EvActingSplitBrainEnded
const EvMemberAdded = etcd.EvMemberAdded
const EvMemberLeft = etcd.EvMemberLeft
const EvMemberPromoted = etcd.EvMemberPromoted
const EvMemberRemoved = etcd.EvMemberRemoved
const EvNodeLeaseFailing = kube.EvNodeLeaseFailing
const EvNodeLeaseOK = kube.EvNodeLeaseOK
const EvNodeNotReady = kube.EvNodeNotReady
const EvNodeReady = kube.EvNodeReady
const EvNodeTainted = kube.EvNodeTainted
const EvNodeUntainted = kube.EvNodeUntainted
const EvPodCreated = kube.EvPodCreated
const EvPodEvicted = kube.EvPodEvicted
const EvPodScheduled = kube.EvPodScheduled
const EvPodStarted = kube.EvPodStarted
const EvPodsStopped = kube.EvPodsStopped
const EvPreCandidate = etcd.EvPreCandidate
const EvProbeDown = kube.EvProbeDown
const EvProbeUp = kube.EvProbeUp
const EvProcExited = fabric.EvProcExited
const EvProcPaused = fabric.EvProcPaused
const EvProcRestarted = kube.EvProcRestarted
const EvProcResumed = fabric.EvProcResumed
const EvProcStarted = fabric.EvProcStarted
const EvProcStopped = fabric.EvProcStopped
const EvStepDown = etcd.EvStepDown
const EvVIPMoved = kube.EvVIPMoved
const EvViolation = etcd.EvViolation
const EvVoteIgnored = etcd.EvVoteIgnored
const EvVoteRejected = etcd.EvVoteRejected
const GroupCCM = kube.GroupCCM
const GroupKCM = kube.GroupKCM
const GroupScheduler = kube.GroupScheduler

type Host = fabric.Host
type HostConfig = fabric.HostConfig
type Interval = kube.Interval
type KubeletConfig = kube.KubeletConfig

// DefaultMaxRestartBackoff is the kubelet's cap on a container's restart
// back-off (300 s), also the most its configuration accepts.
const DefaultMaxRestartBackoff = kube.DefaultMaxRestartBackoff

const LBHAProxy = kube.LBHAProxy
const LBNginx = kube.LBNginx
const LBKeepalived = kube.LBKeepalived
const LBCloud = kube.LBCloud
const CloudLBHost = kube.CloudLBHost
const ProviderAWS = kube.ProviderAWS
const ProviderAzure = kube.ProviderAzure
const ProviderGCP = kube.ProviderGCP
const UnhealthyKeep = kube.UnhealthyKeep
const UnhealthyClose = kube.UnhealthyClose

func CloudPreset(provider, check string) LoadBalancerConfig { return kube.CloudPreset(provider, check) }

// IsCloudLB reports whether proc names a cloud provider's load balancer.
func IsCloudLB(proc string) bool {
	for _, p := range kube.Providers() {
		if proc == kube.CloudLBName(p) {
			return true
		}
	}
	return false
}

func CloudProviders() []string { return kube.Providers() }

type LBKind = kube.LBKind

const LBKubeVIP = kube.LBKubeVIP
const LBNone = kube.LBNone

type LeaderElectionConfig = kube.LeaderElectionConfig
type LeaseGroupConfig = kube.LeaseGroupConfig
type LivenessProbe = kube.LivenessProbe

// ReadinessProbe is kube.ReadinessProbe.
type ReadinessProbe = kube.ReadinessProbe
type LoadBalancerConfig = kube.LoadBalancerConfig

const LogNormal = fabric.LogNormal
const MaxDelay = fabric.MaxDelay
const MaxElectionJitter = etcd.MaxElectionJitter
const MaxEmpiricalPoints = fabric.MaxEmpiricalPoints
const MaxHeartbeatInterval = etcd.MaxHeartbeatInterval
const MaxLatency = fabric.MaxLatency
const MaxPeriod = fabric.MaxPeriod
const MaxSigma = fabric.MaxSigma
const MaxSnapshotCount = etcd.MaxSnapshotCount
const MaxTimeout = fabric.MaxTimeout
const MinHeartbeatInterval = etcd.MinHeartbeatInterval
const MinPeriod = fabric.MinPeriod
const MinTick = etcd.MinTick
const MinTimeout = fabric.MinTimeout

type NodeConfig = kube.NodeConfig

const NodeGracePeriodBefore132 = kube.NodeGracePeriodBefore132
const ProbeCachedRead = kube.ProbeCachedRead

type ProbeConfig = kube.ProbeConfig
type ProbeKind = kube.ProbeKind

const ProbeRead = kube.ProbeRead
const ProbeSchedule = kube.ProbeSchedule
const ProbeSerializableRead = kube.ProbeSerializableRead
const ProbeWrite = kube.ProbeWrite

type Quantile = fabric.Quantile
type Record = fabric.Record

const ReplicaSetKind = kube.ReplicaSetKind
const RoleEtcd = etcd.RoleEtcd
const RoleAPIServer = kube.RoleAPIServer
const Uniform = fabric.Uniform

type VRRPScript = kube.VRRPScript
type WorkerPlaneConfig = kube.WorkerPlaneConfig
type WorkloadConfig = kube.WorkloadConfig
type WorkloadKind = kube.WorkloadKind
