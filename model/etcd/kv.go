package etcd

// The etcd members' state machine: a small key-value store of objects,
// enough for what Kubernetes keeps in etcd that hasim models (coordination
// Leases, and later node leases). Keys are interned by the cluster; the
// object is a Lease record. Every write carries the raft index at which
// it was applied as its revision, which is what Kubernetes exposes as an
// object's resourceVersion.

// LeaseRecord is the spec of a coordination.k8s.io Lease as
// client-go's leader election writes it.
type LeaseRecord struct {
	Holder      int32 // interned holder identity; 0 means no holder
	DurationSec int32 // leaseDurationSeconds, as the holder wrote it
	Acquire     int64 // acquireTime: the holder's wall clock, ns
	Renew       int64 // renewTime: the holder's wall clock, ns
	Transitions int32 // leaseTransitions
}

// OpKind is the kind of a write.
type OpKind uint8

const (
	// OpNone: an entry without effect on the store (a no-op, a probe write).
	OpNone OpKind = iota
	// OpCreate: create the key; fails with ErrExists if it exists.
	OpCreate
	// OpUpdate: replace the object if its revision is still Rev
	// (optimistic concurrency); fails with ErrConflict otherwise, or
	// ErrNotFound if it does not exist.
	OpUpdate
	// OpPut: replace unconditionally.
	OpPut

	// Membership changes: etcd's Cluster API (MsgClientMember) and, once
	// proposed, the conf-change entries that carry them. Op.Member is the
	// member the change is about. They take effect on each member when it
	// applies them (membership.go).

	// OpMemberAdd adds a voting member (raft ConfChangeAddNode).
	OpMemberAdd
	// OpMemberAddLearner adds a learner (ConfChangeAddLearnerNode).
	OpMemberAddLearner
	// OpMemberPromote makes a learner a voting member (ConfChangeAddNode
	// with etcd's IsPromote).
	OpMemberPromote
	// OpMemberRemove removes a member for good (ConfChangeRemoveNode).
	OpMemberRemove
	// OpMemberPublish is a normal entry, not a conf change: a member that
	// joined publishes its name after it starts (etcd's publish), which
	// marks it started (etcd's Member.IsStarted).
	OpMemberPublish
)

// isConfChange reports whether an entry of this kind is a raft
// configuration change (one may be pending at a time).
func (k OpKind) isConfChange() bool { return k >= OpMemberAdd && k <= OpMemberRemove }

// Op is a write, carried in a Raft entry.
type Op struct {
	Kind OpKind
	// Member is the ID of the member a membership change is about.
	Member uint8
	// Note is a membership change's narration for the timeline (why, and
	// the member that proposed it), interned by Etcd.note (0: none).
	Note uint16
	// Key is the written (or read) key.
	Key uint32
	Rev uint64 // OpUpdate: the expected revision
	Val LeaseRecord
}

// KVItem is one key's state.
type KVItem struct {
	Val    LeaseRecord
	Rev    uint64 // revision of the last write
	Exists bool
}

// Errors of store operations, as clients see them.
const (
	ErrConflict = "conflict: the object has been modified; please apply your changes to the latest version"
	ErrExists   = "already exists"
	ErrNotFound = "not found"
)

// applyOp applies a committed write at index and returns its error ("" on
// success).
func applyOp(kv []KVItem, op Op, index uint64) string {
	it := &kv[op.Key]
	switch op.Kind {
	case OpCreate:
		if it.Exists {
			return ErrExists
		}
	case OpUpdate:
		if !it.Exists {
			return ErrNotFound
		}
		if it.Rev != op.Rev {
			return ErrConflict
		}
	case OpPut:
	default:
		return ""
	}
	*it = KVItem{Val: op.Val, Rev: index, Exists: true}
	return ""
}
