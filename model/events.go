package model

// The cluster's timeline events: faults and operations. They are part of hasim's output format (the README
// documents each); never rename one.
const (
	EvFaultInjected = "fault.injected" // a fault began
	EvFaultHealed   = "fault.healed"   // a fault ended
	// Operations (join-control-plane, remove-etcd-member) end with one of
	// these: Fault, Kind, Host (the target), Member (if any) and Reason.
	EvOpDone   = "operation.done"
	EvOpFailed = "operation.failed"
	// EvOpRetrying: an operation's etcd call was refused and is retried
	// (told at the first refusal of a step and when the error changes).
	EvOpRetrying = "operation.retrying"
)
