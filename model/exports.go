package model

import (
	"hasim/model/etcd"
	"hasim/model/fabric"
	"hasim/model/kube"
)

// The types, constants and functions of the model's floors that packages
// above the model use, under the names they have in the model.

type APIServerConfig = kube.APIServerConfig

const BarePodKind = kube.BarePodKind
const Constant = fabric.Constant
const DefaultHeartbeatInterval = etcd.DefaultHeartbeatInterval

// DefaultNetworkConfig is fabric.DefaultNetworkConfig.
func DefaultNetworkConfig() fabric.NetworkConfig { return fabric.DefaultNetworkConfig() }

type Dist = fabric.Dist
type DistKind = fabric.DistKind

const Empirical = fabric.Empirical

type EtcdConfig = etcd.EtcdConfig

// EtcdMemberName is etcd.EtcdMemberName.
func EtcdMemberName(i int) string { return etcd.EtcdMemberName(i) }

const EvAPIReady = fabric.EvAPIReady
const EvAPIUnready = fabric.EvAPIUnready
const EvCandidate = fabric.EvCandidate
const EvClockChanged = fabric.EvClockChanged
const EvCtrlSynced = kube.EvCtrlSynced
const EvFaultHealed = fabric.EvFaultHealed
const EvFaultInjected = fabric.EvFaultInjected
const EvFirstCommit = fabric.EvFirstCommit
const EvFollower = fabric.EvFollower
const EvHostDown = fabric.EvHostDown
const EvHostUp = fabric.EvHostUp
const EvLBBackendDown = fabric.EvLBBackendDown
const EvLBBackendUp = fabric.EvLBBackendUp
const EvLeader = fabric.EvLeader
const EvLeaseAcquired = fabric.EvLeaseAcquired
const EvLeaseLost = fabric.EvLeaseLost
const EvLeaseReleased = fabric.EvLeaseReleased
const EvLeaseRenewed = fabric.EvLeaseRenewed
const EvMemberAdded = fabric.EvMemberAdded
const EvMemberLeft = fabric.EvMemberLeft
const EvMemberPromoted = fabric.EvMemberPromoted
const EvMemberRemoved = fabric.EvMemberRemoved
const EvNodeLeaseFailing = kube.EvNodeLeaseFailing
const EvNodeLeaseOK = kube.EvNodeLeaseOK
const EvNodeNotReady = kube.EvNodeNotReady
const EvNodeReady = kube.EvNodeReady
const EvNodeTainted = kube.EvNodeTainted
const EvNodeUntainted = kube.EvNodeUntainted
const EvOpDone = fabric.EvOpDone
const EvOpFailed = fabric.EvOpFailed
const EvOpRetrying = fabric.EvOpRetrying
const EvPodCreated = kube.EvPodCreated
const EvPodEvicted = kube.EvPodEvicted
const EvPodScheduled = kube.EvPodScheduled
const EvPodStarted = kube.EvPodStarted
const EvPodsStopped = kube.EvPodsStopped
const EvPreCandidate = fabric.EvPreCandidate
const EvProbeDown = fabric.EvProbeDown
const EvProbeUp = fabric.EvProbeUp
const EvProcExited = fabric.EvProcExited
const EvProcPaused = fabric.EvProcPaused
const EvProcRestarted = fabric.EvProcRestarted
const EvProcResumed = fabric.EvProcResumed
const EvProcStarted = fabric.EvProcStarted
const EvProcStopped = fabric.EvProcStopped
const EvStepDown = fabric.EvStepDown
const EvVIPMoved = fabric.EvVIPMoved
const EvViolation = fabric.EvViolation
const EvVoteIgnored = fabric.EvVoteIgnored
const EvVoteRejected = fabric.EvVoteRejected
const GroupCCM = kube.GroupCCM
const GroupKCM = kube.GroupKCM
const GroupScheduler = kube.GroupScheduler

type Host = fabric.Host
type HostConfig = fabric.HostConfig
type Interval = kube.Interval
type KubeletConfig = kube.KubeletConfig

const LBHAProxy = kube.LBHAProxy
const LBKeepalived = kube.LBKeepalived

type LBKind = kube.LBKind

const LBKubeVIP = kube.LBKubeVIP
const LBNone = kube.LBNone

type LeaderElectionConfig = kube.LeaderElectionConfig
type LeaseGroupConfig = kube.LeaseGroupConfig
type LivenessProbe = kube.LivenessProbe
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
