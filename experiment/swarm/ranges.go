package swarm

import (
	"math"
	"time"
)

// Span is an inclusive range of durations.
type Span struct{ Lo, Hi time.Duration }

// IntSpan is an inclusive range of integers.
type IntSpan struct{ Lo, Hi int }

// FloatSpan is an inclusive range of numbers.
type FloatSpan struct{ Lo, Hi float64 }

// Ranges are the values the generator draws from. Every range ends at
// values the scenario loader accepts: the generator picks each end on
// purpose (an eighth of the draws each) besides values in between, so
// the edges of what hasim accepts are exercised on every run. When the
// loader's limits change, change them here; TestGeneratedCasesLoad fails
// if a range reaches past what the loader accepts.
type Ranges struct {
	// Run bounds. Horizon is short: a failure shows within seconds.
	Horizon             Span
	MaxEvents           uint64 // spec.maxEvents of every case
	MaxEventsPerInstant uint64 // spec.maxEventsPerInstant: catches a livelock fast

	// Topology.
	Zones        IntSpan
	EtcdMembers  IntSpan // etcd alone or external etcd
	Masters      IntSpan
	Workers      IntSpan
	Workloads    IntSpan
	Replicas     IntSpan
	Probes       IntSpan // 0: the default probes
	Faults       IntSpan // scripted faults, besides the joins of joining masters
	K8sMinor     IntSpan // kubernetesVersion 1.Lo to 1.Hi
	LBKeepalived IntSpan // keepalived hosts

	// Clocks and disks.
	ClockRate   FloatSpan     // host clock rate and clock-drift rate
	ClockOffset time.Duration // host clock offset from 0 to ClockOffset (the field takes no sign)
	ClockStep   time.Duration // clock-step within ±ClockStep, never 0
	Fsync       Span          // host fsync and slow-disk latencies
	Sigma       FloatSpan     // lognormal sigma

	// Network.
	Latency   Span // same-zone, cross-zone, loopback and link latencies
	Reconnect Span
	Loss      FloatSpan // network and link loss

	// etcd.
	Heartbeat      Span // electionTimeout is drawn from 5 × heartbeat to ElectionMax
	ElectionMax    time.Duration
	JitterTicks    IntSpan
	RequestTimeout Span
	AlignedSpread  Span
	SnapshotCount  [2]uint64

	// Control plane.
	RetryPeriod    Span // leader election: renewDeadline and leaseDuration are drawn above it
	LeaseMax       time.Duration
	LBInterval     Span // haproxy inter, timeoutCheck, keepalived advert and check script interval
	LBTimeout      Span // haproxy timeoutConnect and timeoutServer
	LBCount        IntSpan
	BootstrapReads IntSpan // an apiserver's rbac/bootstrap-roles reads at its start
	Priority       IntSpan
	ScriptWeight   IntSpan
	APITimeout     Span // apiserver request, health and keepalive timeouts, watch cache staleness
	Liveness       Span // liveness probe delay, period and timeout
	LivenessFails  IntSpan
	RestartBackOff Span
	NodeLifecycle  Span // node lease, monitor period, grace period, toleration, pod start delay
	EvictionRate   FloatSpan
	LargeCluster   IntSpan

	// Probes and faults.
	ProbePeriod  Span
	ProbeTimeout Span
	TriggerDelay Span
	// Seeds are the extreme seeds drawn, each as often as a random one.
	Seeds []uint64
}

// DefaultRanges are the ranges of `make swarm`: what a real cluster could
// have, up to the ends the loader accepts.
func DefaultRanges() Ranges {
	return Ranges{
		Horizon:             Span{5 * time.Second, 2 * time.Minute},
		MaxEvents:           20_000_000,
		MaxEventsPerInstant: 100_000,

		Zones:        IntSpan{1, 3},
		EtcdMembers:  IntSpan{1, 7},
		Masters:      IntSpan{1, 5},
		Workers:      IntSpan{1, 4},
		Workloads:    IntSpan{1, 3},
		Replicas:     IntSpan{1, 50},
		Probes:       IntSpan{0, 3},
		Faults:       IntSpan{1, 11},
		K8sMinor:     IntSpan{20, 36},
		LBKeepalived: IntSpan{2, 3},

		ClockRate:   FloatSpan{0.5, 2},
		ClockOffset: time.Hour,
		ClockStep:   time.Hour,
		Fsync:       Span{0, 10 * time.Second},
		Sigma:       FloatSpan{0, 3},

		Latency:   Span{0, 5 * time.Second},
		Reconnect: Span{0, 10 * time.Second},
		Loss:      FloatSpan{0, 1},

		Heartbeat:      Span{time.Millisecond, 10 * time.Second},
		ElectionMax:    50 * time.Second,
		JitterTicks:    IntSpan{1, 100},
		RequestTimeout: Span{100 * time.Millisecond, time.Minute},
		AlignedSpread:  Span{0, time.Second},
		SnapshotCount:  [2]uint64{5001, 100_000},

		RetryPeriod:    Span{100 * time.Millisecond, 10 * time.Second},
		LeaseMax:       2 * time.Minute,
		LBInterval:     Span{100 * time.Millisecond, 10 * time.Second},
		LBTimeout:      Span{100 * time.Millisecond, time.Minute},
		LBCount:        IntSpan{1, 10},
		BootstrapReads: IntSpan{1, 2000},
		Priority:       IntSpan{1, 254},
		ScriptWeight:   IntSpan{-253, 253},
		APITimeout:     Span{100 * time.Millisecond, 2 * time.Minute},
		Liveness:       Span{time.Second, time.Minute},
		LivenessFails:  IntSpan{1, 10},
		RestartBackOff: Span{time.Second, 5 * time.Minute},
		NodeLifecycle:  Span{time.Second, 10 * time.Minute},
		EvictionRate:   FloatSpan{0, 1},
		LargeCluster:   IntSpan{0, 100},

		ProbePeriod:  Span{10 * time.Millisecond, 10 * time.Second},
		ProbeTimeout: Span{10 * time.Millisecond, 30 * time.Second},
		TriggerDelay: Span{0, 10 * time.Second},
		Seeds:        []uint64{0, 1, math.MaxUint64},
	}
}

// TestRanges are DefaultRanges with shorter runs and smaller
// topologies: what `go test` affords for a few hundred cases.
func TestRanges() Ranges {
	r := DefaultRanges()
	r.Horizon = Span{5 * time.Second, 20 * time.Second}
	r.MaxEvents = 2_000_000
	r.Replicas = IntSpan{1, 10}
	r.Heartbeat = Span{10 * time.Millisecond, 10 * time.Second}
	return r
}
