package fabric

import "hasim/sim"

// Timeline event names of hosts, processes and clocks; each floor names
// its own. They are part of hasim's output format (the README documents
// each); never rename one.
const (
	EvHostDown     = "host.down" // a host crashed or lost power
	EvHostUp       = "host.up"   // a host came back
	EvProcStopped  = "process.stopped"
	EvProcStarted  = "process.started"
	EvProcPaused   = "process.paused"
	EvProcResumed  = "process.resumed"
	EvProcExited   = "process.exited" // a process exited by itself (Reason)
	EvClockChanged = "clock.changed"  // a host clock was stepped or its rate changed
)

// Record is one timeline event. Only the fields that apply are set.
type Record struct {
	T      sim.Time
	Event  string
	Member string // etcd member
	Host   string
	Proc   string // process
	Probe  string
	Group  string // leader-election group (kube-controller-manager, ...)
	Fault  int    // 1-based fault number
	Kind   string // fault kind
	Target string // fault target as resolved
	Term   uint64
	Leader string // the leader a follower follows
	Peer   string // the other member of a vote
	Index  uint64
	Reason string
	seq    uint64 // emission order, ties broken by it
}

// Seq is the record's emission order.
func (r Record) Seq() uint64 { return r.seq }
