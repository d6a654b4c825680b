package model

import (
	"reflect"
	"testing"
)

// TestComponentsDoNotHoldTheCluster: the components of the lower floors
// (hosts, processes, the network and RPC clients; etcd; Kubernetes) hold
// the World and report to the cluster through watchers; none keeps a
// *Cluster. Faults and kubeadm operations belong to the cluster itself.
func TestComponentsDoNotHoldTheCluster(t *testing.T) {
	cluster := reflect.TypeOf((*Cluster)(nil))
	for _, v := range []any{
		Host{}, Process{}, Timer{}, Disk{}, Network{}, envelope{}, rpcClient{}, Message{},
		Etcd{}, Member{},
		APIServer{}, Elector{}, LeaseGroup{}, Controller{}, Probe{}, Proxy{}, LoadBalancer{}, VRRP{}, Kubelet{},
		workerPlane{}, ctrlLoops{}, Node{},
	} {
		typ := reflect.TypeOf(v)
		for i := range typ.NumField() {
			if f := typ.Field(i); f.Type == cluster {
				t.Errorf("%s.%s is a *Cluster: a component reports through the World's watchers instead", typ.Name(), f.Name)
			}
		}
	}
}
