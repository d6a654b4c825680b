package model

import (
	"reflect"
	"testing"

	"hasim/model/etcd"
	"hasim/model/fabric"
	"hasim/model/kube"
)

// TestComponentsDoNotHoldTheCluster: the components of the lower floors
// (hosts, processes, the network and RPC clients; etcd; Kubernetes) hold
// the World and report to the cluster through watchers; none keeps a
// *Cluster. Faults and kubeadm operations belong to the cluster itself.
func TestComponentsDoNotHoldTheCluster(t *testing.T) {
	cluster := reflect.TypeOf((*Cluster)(nil))
	for _, v := range []any{
		fabric.Host{}, fabric.Process{}, fabric.Timer{}, fabric.Disk{}, fabric.Network{}, fabric.Envelope{}, fabric.RPCClient{}, fabric.Message{},
		etcd.Etcd{}, etcd.Member{},
		kube.APIServer{}, kube.Elector{}, kube.LeaseGroup{}, kube.Controller{}, kube.Probe{}, kube.Proxy{}, kube.LoadBalancer{}, kube.VRRP{}, kube.Kubelet{},
		kube.WorkerPlane{}, kube.CtrlLoops{}, kube.Node{},
	} {
		typ := reflect.TypeOf(v)
		for i := range typ.NumField() {
			if f := typ.Field(i); f.Type == cluster {
				t.Errorf("%s.%s is a *Cluster: a component reports through the World's watchers instead", typ.Name(), f.Name)
			}
		}
	}
}
