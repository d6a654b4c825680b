// Package sim is hasim's deterministic discrete-event engine.
//
// A Sim owns a virtual clock (Time, integer nanoseconds since the start of
// the run) and a queue of Timers ordered by (fire time, scheduling
// sequence): timers due at the same instant fire in the order in which they
// were armed. Timers are created once and then armed, re-armed and stopped
// any number of times; Reset and Stop are O(log n) and never allocate, so a
// component that re-arms an election timer on every heartbeat costs one
// sift of the heap and nothing for the garbage collector.
//
// Randomness comes only from Streams derived from the run's root seed and a
// stable name ("etcd-2/election"). A Stream is counter-based: the n-th draw
// of a stream is a pure function of (root seed, name, n), so adding a
// consumer never changes what the others draw, and a caller that keys its
// draws by (purpose, attempt number) gets the same numbers whether or not
// unrelated no-op events ran in between.
//
// Runs are bounded (Bounds): a maximum simulated time and a maximum number
// of events. Reaching a bound is an Outcome the caller reports, never a hang.
// An optional Tracer sees every event.
//
// Nothing in this package reads the wall clock, starts goroutines, keeps
// package-level mutable state or depends on map iteration order; a test in
// this repository guards that. A Sim is not safe for concurrent use: run
// independent simulations in independent Sims.
package sim
