// Package model is hasim's cluster: zones and hosts with their clocks and
// disks, processes on hosts, the message fabric between them, etcd members
// running Raft as etcd runs it, client probes, scripted faults, the
// timeline of what happened and the invariants that must hold.
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
