package experiment

import (
	"context"
	"reflect"
	"testing"
	"time"

	"hasim/model"
)

func etcd3(horizon time.Duration) model.Config {
	return model.Config{
		Horizon: horizon, Zones: []string{"a"},
		Hosts:       []model.HostConfig{{Name: "h1", Zone: "a"}, {Name: "h2", Zone: "a"}, {Name: "h3", Zone: "a"}, {Name: "c", Zone: "a"}},
		Network:     model.DefaultNetworkConfig(),
		EtcdMembers: []string{"h1", "h2", "h3"},
		Probes:      []model.ProbeConfig{{Name: "w", Host: "c", Kind: model.ProbeWrite}},
		Faults: []model.FaultConfig{{Kind: model.FaultProcessKill, At: 10 * time.Second,
			Target: model.Target{Kind: model.TargetLeader, Name: "etcd"}}},
	}
}

// TestRunAllIsOrderIndependent: the runs come back in [job][run] order
// with the same figures whatever the number of workers, and run i uses
// seed base+i.
func TestRunAllIsOrderIndependent(t *testing.T) {
	jobs := []Job{{Name: "a", Config: etcd3(20 * time.Second)}, {Name: "b", Config: etcd3(25 * time.Second)}}
	one, err := RunAll(context.Background(), jobs, 7, 6, 1)
	if err != nil {
		t.Fatal(err)
	}
	three, err := RunAll(context.Background(), jobs, 7, 6, 3)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(one, three) {
		t.Fatal("1 and 3 workers gave different runs")
	}
	for j := range one {
		for i, r := range one[j] {
			if !r.Done || r.Seed != 7+uint64(i) || len(r.Recovery) != 1 || r.Recovery[0] <= 0 {
				t.Fatalf("job %d run %d: %+v", j, i, r)
			}
		}
	}
}

// TestRunAllInterrupted: a cancelled context ends the batch early; what
// did not run is marked not done.
func TestRunAllInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	runs, err := RunAll(ctx, []Job{{Name: "a", Config: etcd3(20 * time.Second)}}, 1, 5, 2)
	if err == nil {
		t.Fatal("no error from a cancelled batch")
	}
	for _, r := range runs[0] {
		if r.Done {
			t.Fatal("a run claims to be done after the context was cancelled before it")
		}
	}
}
