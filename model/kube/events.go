package kube

// Kubernetes' timeline events. They are part of hasim's output format (the README
// documents each); never rename one.
const (
	EvProbeDown     = "probe.unavailable" // a probe's requests started failing
	EvProbeUp       = "probe.available"   // a probe's requests succeed again
	EvAPIReady      = "apiserver.ready"   // /readyz passes (etcd health check ok)
	EvAPIUnready    = "apiserver.unready" // /readyz fails, with Reason
	EvLeaseAcquired = "lease.acquired"    // a candidate became leader of its group (OnStartedLeading)
	EvLeaseRenewed  = "lease.renewed"     // the leader renewed its lease
	EvLeaseLost     = "lease.lost"        // the leader's renew round failed (OnStoppedLeading)
	EvLeaseReleased = "lease.released"    // the leader released its lease on shutdown
	// Split brain in a lease group: Proc is the candidate it concerns (the
	// stale believer when it begins, the one that stopped when it ends),
	// Peer the other believers, Reason who believes what and why.
	EvSplitBrain            = "lease.split_brain"              // two or more candidates believe they lead
	EvSplitBrainEnded       = "lease.split_brain_ended"        // one or none believes it leads again
	EvActingSplitBrain      = "lease.acting_split_brain"       // two or more believers also run (act)
	EvActingSplitBrainEnded = "lease.acting_split_brain_ended" // one or none acts again
	EvProcRestarted         = "process.restarted"              // the kubelet restarted a static pod
	EvLBBackendDown         = "lb.backend_down"                // a proxy marked an apiserver down
	EvLBBackendUp           = "lb.backend_up"                  // a proxy marked an apiserver up
	EvVIPMoved              = "vip.moved"                      // the virtual IP now answers on Host
)
