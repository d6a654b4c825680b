package model

import "strconv"

// GroupEtcd is the etcd cluster as a leader group: the name of its
// GroupResult and of a leader:etcd fault target. It is the same word as
// RoleEtcd, the role of its members' processes.
const GroupEtcd = RoleEtcd

// EtcdMemberName is the name of the member on Config.EtcdMembers[i]:
// members are numbered from 1 in that order (etcd-1, etcd-2, ...), which is
// also their Raft ID. A scenario's probe endpoints and stacked apiservers
// name members this way.
func EtcdMemberName(i int) string { return "etcd-" + strconv.Itoa(i+1) }

// HostProcessName is the name of a process of which a host runs at most
// one of its role: role and host, as in kube-apiserver-master-1,
// kubelet-worker-3 or kube-scheduler-master-2. It is how kubelet names the
// mirror pod of a static pod (the pod's name, "-", the node's name:
// kubernetes/pkg/kubelet/config, generatePodName).
func HostProcessName(role, host string) string { return role + "-" + host }
