package model

import (
	"testing"
	"time"

	"hasim/model/etcd"
	"hasim/model/fabric"
	"hasim/model/kube"
)

// TestNamesFollowTheRules: a built cluster's members, apiservers, kubelets
// and controllers carry the names the naming functions give, and the etcd
// group's result is named GroupEtcd.
func TestNamesFollowTheRules(t *testing.T) {
	for _, tc := range []struct {
		i    int
		want string
	}{{0, "etcd-1"}, {1, "etcd-2"}, {11, "etcd-12"}} {
		if got := etcd.EtcdMemberName(tc.i); got != tc.want {
			t.Errorf("EtcdMemberName(%d) = %q, want %q", tc.i, got, tc.want)
		}
	}
	if got := fabric.HostProcessName(kube.RoleAPIServer, "master-1"); got != "kube-apiserver-master-1" {
		t.Errorf("HostProcessName = %q", got)
	}
	c := build(t, stacked3(time.Second))
	for i, m := range c.Etcd.Members {
		if m.Name != etcd.EtcdMemberName(i) || m.Proc.Role != etcd.RoleEtcd || m.ID != uint64(i+1) {
			t.Errorf("member %d: %s, role %s, ID %d", i, m.Name, m.Proc.Role, m.ID)
		}
	}
	for _, a := range c.APIServers {
		if a.Name != fabric.HostProcessName(kube.RoleAPIServer, a.Proc.Host.Name) {
			t.Errorf("apiserver %s on %s", a.Name, a.Proc.Host.Name)
		}
	}
	kubelets := 0
	for _, p := range c.Procs {
		if p.Role == kube.RoleKubelet {
			kubelets++
			if p.Name != fabric.HostProcessName(kube.RoleKubelet, p.Host.Name) {
				t.Errorf("kubelet %s on %s", p.Name, p.Host.Name)
			}
		}
	}
	if kubelets == 0 {
		t.Error("no kubelet in a stacked control plane")
	}
	for _, g := range c.Groups {
		for _, k := range g.Candidates {
			if k.Name != fabric.HostProcessName(g.Name, k.Proc.Host.Name) || k.Proc.Role != g.Name {
				t.Errorf("candidate %s (role %s) on %s", k.Name, k.Proc.Role, k.Proc.Host.Name)
			}
		}
	}
	if r := c.Result(0); r.Groups[0].Name != GroupEtcd {
		t.Errorf("first group %q, want %q", r.Groups[0].Name, GroupEtcd)
	}
}
