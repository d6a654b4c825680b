// Package etcd is etcd's members as hasim simulates them, on a
// fabric.World: Raft as etcd-io/raft runs it (elections with pre-vote and
// CheckQuorum, log replication and catch-up, snapshots, ReadIndex,
// leadership transfer, joint-free membership changes with learners), the
// server around it (the Ready loop that persists before it sends, the
// fsync on the host's disk, the KV store with compare-and-swap, the
// client API's requests and errors, graceful stop), etcdctl's client,
// and the safety invariants: one leader per term, no commit without a
// quorum of durable copies, one vote per member and term.
//
// Members talk to each other and to clients only through messages on the
// fabric (RaftMsg between members, ClientMsg with clients), so faults act
// on the mechanisms and failovers emerge from them. What the cluster
// above needs to account (a leader elected, the first commit) goes to the
// Watcher it gives NewEtcd.
//
// The scripts in testdata drive members alone, with no Kubernetes, one
// command at a time (see script_test.go).
package etcd
