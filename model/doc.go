// Package model is hasim's cluster: the top floor, which wires a run and
// watches it. Its floors below, each knowing only those under it, are
// model/fabric (hosts, processes, the network, records), model/etcd (etcd
// members) and model/kube (Kubernetes' control plane and worker plane).
// Here live the configuration (Config) and Build, faults and failure
// processes, kubeadm operations, the accounting of leadership, split brain
// and fault attribution, and the results (Result, with its lanes of states
// over time). Simulate is the one way to build, run and take a result.
// The names packages above the model use from the floors are kept here
// too (exports.go).
//
// Each component's defaults are filled in once, by its configuration's
// WithDefaults method, when the cluster is built; what reads them
// afterwards (validation, `hasim explain`) asks the built cluster for the
// configuration it runs with rather than filling the defaults again.
//
// Every component is a state machine driven by events from package sim:
// timers it owns and messages the network delivers. Components never reach
// into each other; they talk through messages, so faults (crashes, pauses,
// partitions, slow disks) act on the mechanisms and results emerge from
// them.
//
// Same-instant order: events at one instant run in the order they were
// scheduled (package sim). A process resumed from a pause first receives
// the messages buffered while it was frozen, in arrival order, then runs
// the timers that came due meanwhile, in due order: a process whose socket
// buffers hold a newer leader's heartbeats reads them before its own
// ticker matters, as real etcd does after SIGCONT.
//
// Nothing in this package reads the wall clock, starts goroutines, keeps
// package-level mutable state or lets map iteration order reach a result.
package model
