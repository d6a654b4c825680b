// Package fabric is the physical world of a hasim run and the services
// every component shares: zones and hosts (each with a clock and a disk),
// processes on hosts and their lifecycle (start, crash, freeze, hold),
// the network between hosts (per-link latency and loss, FIFO links, cuts,
// connections that must be re-established after a heal), the envelope a
// message travels in, request and reply plumbing with retries and gRPC
// keepalives (RPCClient), latency distributions, and the record stream.
//
// A World holds all of it: the engine, the hosts and processes, the
// network, the records, interned names and request ids. Components of the
// floors above hold the World, never the cluster that wires them; what
// they have to tell the cluster goes to the World's watcher.
//
// The fabric knows nothing of etcd or Kubernetes: a message's body is the
// protocol's own (Body), and the fabric acts only on a message type's
// traits (a request to refuse when nothing listens, a datagram, a
// peer-stream message counted against its send buffer). Faults act
// through the methods of what they break (Host.Crash, Network.Cut,
// Disk.Slow, Process.Freeze, Host.DriftClock), each returning a handle its
// heal gives back, so a heal undoes exactly what its fault did.
//
// Nothing in this package reads the wall clock, starts goroutines, keeps
// package-level mutable state or lets map iteration order reach a result.
package fabric
