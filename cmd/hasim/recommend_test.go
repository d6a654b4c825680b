package main

import (
	"reflect"
	"testing"

	"hasim/report"
)

// TestDefaultObjectives: recommend weighs, by default, the first
// controller group's failover p99 against its acting split brain and, where
// the study measured it, the lease writes its renewals cost.
func TestDefaultObjectives(t *testing.T) {
	metrics := []string{"failover.etcd", "failover.kube-controller-manager", "failover.kube-scheduler", "noLeader.etcd",
		"actingSplitBrain.kube-controller-manager", "leaseWrites.kube-controller-manager", "leaseWrites.kube-scheduler"}
	want := []report.Figure{{Metric: "failover.kube-controller-manager", Stat: "p99"},
		{Metric: "actingSplitBrain.kube-controller-manager", Stat: "mean"}, {Metric: "leaseWrites.kube-controller-manager", Stat: "mean"}}
	if got := defaultObjectives(metrics); !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if got := defaultObjectives(metrics[:5]); len(got) != 2 {
		t.Errorf("without lease writes: %v, want the failover and the split brain", got)
	}
}
