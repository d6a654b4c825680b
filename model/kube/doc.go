// Package kube is Kubernetes' control plane as hasim simulates it, on a
// fabric.World and an etcd cluster: kube-apiservers (their etcd client,
// health checks, watch cache and /readyz), client-go's leader elector and
// the lease groups of kube-controller-manager, kube-scheduler and
// cloud-controller-manager, the controllers and the worker plane (node
// leases, node lifecycle, taint-based eviction, ReplicaSets, the
// scheduler), kubelets that restart static pods and probe their liveness,
// load balancers (HAProxy, keepalived's VRRP, kube-vip) and the probes
// that measure the API as a client sees it.
//
// A Plane holds these components; the cluster above builds them with
// NewPlane and its Build* and New* functions and watches them through the
// Watcher it sets (a lease acquired, a probe's success).
package kube
