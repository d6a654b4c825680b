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
	EvProcRestarted = "process.restarted" // the kubelet restarted a static pod
	EvLBBackendDown = "lb.backend_down"   // a proxy marked an apiserver down
	EvLBBackendUp   = "lb.backend_up"     // a proxy marked an apiserver up
	EvVIPMoved      = "vip.moved"         // the virtual IP now answers on Host
)
