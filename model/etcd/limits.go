package etcd

import (
	"time"

	"hasim/model/fabric"
)

// Limits on etcd's settings (see limits.go).
const (
	// MaxElectionTimeout is etcd's own maximum (it refuses an
	// --election-timeout above 50 s), and MinElectionTicks its rule that
	// the election timeout is at least 5 heartbeat intervals.
	MaxElectionTimeout = 50 * time.Second
	MinElectionTicks   = 5
	// MinHeartbeatInterval is MinPeriod; the maximum follows from the
	// election timeout: 10 s.
	MinHeartbeatInterval = fabric.MinPeriod
	MaxHeartbeatInterval = MaxElectionTimeout / MinElectionTicks
	// MinTick is the shortest Raft tick when ticks are set directly: a
	// millisecond, enough for the Raft paper's 12–24 ms election timeouts
	// and finer than any network hasim models between zones.
	MinTick = fabric.MinPeriod
	// MaxElectionJitter bounds the width of the randomized election
	// timeout (electionJitterTicks × heartbeat): no wider than etcd's
	// longest election timeout, or a cluster could wait hours for a leader.
	MaxElectionJitter = MaxElectionTimeout
	// MaxSnapshotCount is ten times etcd 3.5's default --snapshot-count
	// (100,000): the log is kept in memory until a compaction.
	MaxSnapshotCount = 1_000_000
)
