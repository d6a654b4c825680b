package model

import (
	"hasim/model/etcd"
)

// GroupEtcd is the etcd cluster as a leader group: the name of its
// GroupResult and of a leader:etcd fault target. It is the same word as
// RoleEtcd, the role of its members' processes.
const GroupEtcd = etcd.RoleEtcd
