package etcd

import (
	"errors"
	"fmt"
	"time"

	"hasim/model/fabric"
)

// EtcdConfig is how every member of the etcd cluster runs. The defaults are
// etcd's own (server/embed/config.go and the etcd flags' documentation).
type EtcdConfig struct {
	// Version is the etcd release line, "3.4", "3.5" or "3.6". It sets the
	// default of PreVote (off in 3.4, on from 3.5) and how a leader without
	// a commit in its term treats a ReadIndex (3.4 drops it, 3.5+ queues it).
	Version string
	// HeartbeatInterval is one Raft tick (--heartbeat-interval). Default 100ms.
	HeartbeatInterval time.Duration
	// ElectionTimeout (--election-timeout) is E ticks of HeartbeatInterval.
	// Default 1000ms. Must be at least 5 heartbeat intervals and at most 50s.
	ElectionTimeout time.Duration
	// ElectionJitterTicks is the width of the randomized election timeout: a
	// follower campaigns after a number of ticks drawn uniformly from
	// [E, E+ElectionJitterTicks-1] on each role change. 0 means E, etcd's
	// [E, 2E-1].
	ElectionJitterTicks int
	// Tick, HeartbeatTicks and ElectionTicks are etcd-io/raft's own
	// settings (Config.HeartbeatTick and Config.ElectionTick, counted in
	// calls to Node.Tick), which etcd fixes: its ticker fires every
	// heartbeat interval, a leader sends a heartbeat every tick, and E is
	// the election timeout over the heartbeat interval. Tick 0 means
	// etcd's way: Tick = HeartbeatInterval, HeartbeatTicks 1 and
	// ElectionTicks = ElectionTimeout / HeartbeatInterval. A non-zero Tick
	// runs Raft as the library allows: HeartbeatTicks (default 1) and
	// ElectionTicks (default 10, the library's own examples) count ticks of
	// that length, raft's rule ElectionTicks > HeartbeatTicks applies
	// instead of etcd's five heartbeats, and HeartbeatInterval and
	// ElectionTimeout follow from them.
	Tick           time.Duration
	HeartbeatTicks int
	ElectionTicks  int
	// CheckQuorum is etcd-io/raft's Config.CheckQuorum, which etcd always
	// sets: a leader steps down when it has not heard from a quorum within
	// an election timeout, and a member that heard from a leader within
	// one ignores vote requests. Nil means true.
	CheckQuorum *bool
	// PreVote runs a pre-election that changes no term before a real one.
	// Nil means the version's default.
	PreVote *bool
	// TickPhase places each member's ticker: "random" (uniform over one
	// heartbeat interval, as after independent restarts) or "aligned"
	// (members started together, within AlignedSpread). Default "random".
	TickPhase string
	// AlignedSpread is the start-time spread of "aligned" members. Default 5ms.
	AlignedSpread time.Duration
	// RequestTimeout bounds a proposal or ReadIndex inside the server.
	// Default 5s + 2×ElectionTimeout (7s), as etcd's ReqTimeout.
	RequestTimeout time.Duration
	// ReadIndexRetry is how often an unanswered ReadIndex is re-sent. Default 500ms.
	ReadIndexRetry time.Duration
	// SnapshotCount is how many applied entries trigger a compaction, and
	// SnapshotCatchUpEntries how many a compaction keeps for slow followers.
	// Defaults 10000 and 5000 (kubeadm's --snapshot-count; etcd's constant).
	SnapshotCount          uint64
	SnapshotCatchUpEntries uint64
	// InitialMembers is how many members, etcd-1 to etcd-N in order, form
	// the cluster at time zero. The others are in the topology but not in
	// the cluster: their process is not started, and a client adds them
	// (MsgClientMember) before the caller starts them (Member.StartProcess).
	// 0 means every member.
	InitialMembers int
	// StrictReconfigCheck is --strict-reconfig-check: membership changes
	// that could cost the cluster its quorum are refused. Nil means true,
	// etcd's default.
	StrictReconfigCheck *bool
	// InitialElectionTickAdvance is --initial-election-tick-advance: a
	// member of a cluster of several that sees more than one peer
	// connected within 5 s of its start fast-forwards its election timer
	// by E−2 ticks (a member alone in its cluster always does, by E−1).
	// Nil means true, etcd's default.
	InitialElectionTickAdvance *bool

	raftTicks bool // WithDefaults saw Tick set: Raft's own ticks
}

// Etcd defaults.
const (
	DefaultEtcdVersion            = "3.5"
	DefaultHeartbeatInterval      = 100 * time.Millisecond
	DefaultElectionTimeout        = 1000 * time.Millisecond
	DefaultAlignedSpread          = 5 * time.Millisecond
	DefaultReadIndexRetry         = 500 * time.Millisecond
	DefaultSnapshotCount          = 10000
	DefaultSnapshotCatchUpEntries = 5000
	// DefaultElectionTicks is ElectionTicks when Tick is set and
	// ElectionTicks is not: etcd-io/raft's examples use 10 (and
	// HeartbeatTick 1).
	DefaultElectionTicks = 10
)

// WithDefaults returns c with every unset field given its default.
func (c EtcdConfig) WithDefaults() EtcdConfig {
	if c.Version == "" {
		c.Version = DefaultEtcdVersion
	}
	if c.Tick != 0 {
		// Raft's own ticks; etcd's two flags follow from them.
		c.raftTicks = true
		if c.HeartbeatTicks == 0 {
			c.HeartbeatTicks = 1
		}
		if c.ElectionTicks == 0 {
			c.ElectionTicks = DefaultElectionTicks
		}
		if c.HeartbeatInterval == 0 {
			c.HeartbeatInterval = time.Duration(c.HeartbeatTicks) * c.Tick
		}
		if c.ElectionTimeout == 0 {
			c.ElectionTimeout = time.Duration(c.ElectionTicks) * c.Tick
		}
	}
	if c.HeartbeatInterval == 0 {
		c.HeartbeatInterval = DefaultHeartbeatInterval
	}
	if c.ElectionTimeout == 0 {
		c.ElectionTimeout = DefaultElectionTimeout
	}
	if c.Tick == 0 {
		// etcd's way: one tick per heartbeat interval.
		c.Tick = c.HeartbeatInterval
		if c.HeartbeatTicks == 0 {
			c.HeartbeatTicks = 1
		}
		if c.ElectionTicks == 0 && c.HeartbeatInterval > 0 {
			c.ElectionTicks = int(c.ElectionTimeout / c.HeartbeatInterval)
		}
	}
	if c.CheckQuorum == nil {
		cq := true
		c.CheckQuorum = &cq
	}
	if c.InitialElectionTickAdvance == nil {
		adv := true
		c.InitialElectionTickAdvance = &adv
	}
	if c.PreVote == nil {
		pv := c.Version != "3.4"
		c.PreVote = &pv
	}
	if c.TickPhase == "" {
		c.TickPhase = "random"
	}
	if c.AlignedSpread == 0 {
		c.AlignedSpread = DefaultAlignedSpread
	}
	if c.RequestTimeout == 0 {
		c.RequestTimeout = 5*time.Second + 2*c.ElectionTimeout
	}
	if c.ReadIndexRetry == 0 {
		c.ReadIndexRetry = DefaultReadIndexRetry
	}
	if c.SnapshotCount == 0 {
		c.SnapshotCount = DefaultSnapshotCount
	}
	if c.SnapshotCatchUpEntries == 0 {
		c.SnapshotCatchUpEntries = DefaultSnapshotCatchUpEntries
	}
	if c.ElectionJitterTicks == 0 {
		c.ElectionJitterTicks = c.electionTicks()
	}
	if c.StrictReconfigCheck == nil {
		strict := true
		c.StrictReconfigCheck = &strict
	}
	return c
}

// electionTicks is E, the election timeout in ticks.
func (c EtcdConfig) electionTicks() int {
	if c.ElectionTicks > 0 {
		return c.ElectionTicks
	}
	if c.Tick > 0 {
		return int(c.ElectionTimeout / c.Tick)
	}
	if c.HeartbeatInterval <= 0 {
		return 0
	}
	return int(c.ElectionTimeout / c.HeartbeatInterval)
}

// RaftTicks reports whether the config sets Raft's own ticks (Tick)
// rather than etcd's heartbeat interval and election timeout.
func (c EtcdConfig) RaftTicks() bool { return c.raftTicks }

// Validate checks a defaulted config with etcd's own rules.
func (c EtcdConfig) Validate() error {
	var errs []error
	switch c.Version {
	case "3.4", "3.5", "3.6":
	default:
		errs = append(errs, fmt.Errorf("version %q: allowed 3.4, 3.5, 3.6", c.Version))
	}
	if c.raftTicks {
		if c.Tick < MinTick || c.Tick > MaxHeartbeatInterval {
			errs = append(errs, fmt.Errorf("tick %v out of range; allowed: %v to %v", c.Tick, MinTick, MaxHeartbeatInterval))
		}
		if c.HeartbeatTicks < 1 {
			errs = append(errs, fmt.Errorf("heartbeatTicks must be at least 1"))
		}
		if c.ElectionTicks <= c.HeartbeatTicks {
			errs = append(errs, fmt.Errorf("electionTicks (%d) must be greater than heartbeatTicks (%d), as etcd-io/raft requires", c.ElectionTicks, c.HeartbeatTicks))
		}
		if c.Tick > 0 && c.ElectionTicks > int(MaxElectionTimeout/c.Tick) {
			errs = append(errs, fmt.Errorf("electionTicks %d out of range: %d ticks of %v exceed etcd's longest election timeout, 50s", c.ElectionTicks, c.ElectionTicks, c.Tick))
		}
	} else {
		if c.HeartbeatInterval < MinHeartbeatInterval || c.HeartbeatInterval > MaxHeartbeatInterval {
			errs = append(errs, fmt.Errorf("heartbeatInterval %v out of range; allowed: %v to %v", c.HeartbeatInterval, MinHeartbeatInterval, MaxHeartbeatInterval))
		}
		if c.ElectionTimeout < MinElectionTicks*c.HeartbeatInterval {
			errs = append(errs, fmt.Errorf("electionTimeout %v must be at least 5 × heartbeatInterval (%v)", c.ElectionTimeout, MinElectionTicks*c.HeartbeatInterval))
		}
		if c.ElectionTimeout > MaxElectionTimeout {
			errs = append(errs, fmt.Errorf("electionTimeout %v exceeds etcd's maximum of 50s", c.ElectionTimeout))
		}
	}
	if c.ElectionJitterTicks < 1 {
		errs = append(errs, fmt.Errorf("electionJitterTicks must be at least 1"))
	} else if c.Tick > 0 && c.ElectionJitterTicks > int(MaxElectionJitter/c.Tick) {
		unit := "heartbeatInterval"
		if c.raftTicks {
			unit = "tick"
		}
		errs = append(errs, fmt.Errorf("electionJitterTicks %d out of range; allowed: 1 to %d (%v of %s %v)",
			c.ElectionJitterTicks, MaxElectionJitter/c.Tick, MaxElectionJitter, unit, c.Tick))
	}
	for _, d := range []struct {
		name   string
		v      time.Duration
		lo, hi time.Duration
	}{{"alignedSpread", c.AlignedSpread, 0, fabric.MaxPeriod}, {"requestTimeout", c.RequestTimeout, fabric.MinTimeout, fabric.MaxTimeout}, {"readIndexRetry", c.ReadIndexRetry, fabric.MinPeriod, fabric.MaxPeriod}} {
		if d.v < d.lo || d.v > d.hi {
			errs = append(errs, fmt.Errorf("%s %v out of range; allowed: %v to %v", d.name, d.v, d.lo, d.hi))
		}
	}
	if c.SnapshotCount > MaxSnapshotCount {
		errs = append(errs, fmt.Errorf("snapshotCount %d out of range; allowed: up to %d", c.SnapshotCount, MaxSnapshotCount))
	}
	if c.TickPhase != "random" && c.TickPhase != "aligned" {
		errs = append(errs, fmt.Errorf("tickPhase %q: allowed random, aligned", c.TickPhase))
	}
	if c.InitialMembers < 0 {
		errs = append(errs, fmt.Errorf("initialMembers must not be negative"))
	}
	if c.SnapshotCatchUpEntries >= c.SnapshotCount {
		errs = append(errs, fmt.Errorf("snapshotCatchUpEntries (%d) must be below snapshotCount (%d)", c.SnapshotCatchUpEntries, c.SnapshotCount))
	}
	return errors.Join(errs...)
}

// initialCount is how many of n members form the initial cluster.
func (c EtcdConfig) InitialCount(n int) int {
	if c.InitialMembers > 0 {
		return c.InitialMembers
	}
	return n
}
