package sweep_test

import (
	"context"
	"path/filepath"
	"testing"

	"hasim/experiment/sweep"
	"hasim/report"
)

// runBuiltin runs a built-in sweep with a few seeds and returns the mean
// of each metric at each point, by metric and point string.
func runBuiltin(t *testing.T, name string, seeds int) map[string]map[string]report.Estimate {
	t.Helper()
	p, err := sweep.Load(context.Background(), name, nil, sweep.Options{Seeds: seeds})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "r.jsonl")
	res, err := p.Open(path, "test", sweep.Shard{}, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Run(context.Background(), res, sweep.Shard{}, sweep.RunOptions{}); err != nil {
		t.Fatal(err)
	}
	res.Close()
	if len(res.Failed) > 0 {
		t.Fatalf("%d runs failed: %s", len(res.Failed), res.Failed[0].Failure)
	}
	agg, err := report.AggregateResults(path, false)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]report.Estimate{}
	for i, pt := range agg.Points {
		for _, m := range pt.Metrics {
			if out[m.Metric] == nil {
				out[m.Metric] = map[string]report.Estimate{}
			}
			out[m.Metric][p.PointString(i)] = m.Mean
		}
	}
	return out
}

// lease-renew-paused-leader: the takeover of a frozen leader comes about
// a lease after its last renewal, and on resume it acts for renewDeadline
// beside the new leader; a lease longer than the 30 s pause is never
// taken over, and nothing acts twice.
func TestBuiltinLeaseRenew(t *testing.T) {
	all := runBuiltin(t, "lease-renew-paused-leader", 3)
	fo := all["failover.kube-controller-manager"]
	if !(fo["leaseDuration=10s renewDeadline=5s"].Value < fo["leaseDuration=15s renewDeadline=10s"].Value &&
		fo["leaseDuration=15s renewDeadline=10s"].Value < fo["leaseDuration=20s renewDeadline=10s"].Value) {
		t.Errorf("failover does not grow with the lease: %v", fo)
	}
	if n := fo["leaseDuration=40s renewDeadline=10s"].N; n != 0 {
		t.Errorf("a 40s lease was taken over in %d runs of a 30s pause", n)
	}
	acting := all["actingSplitBrain.kube-controller-manager"]
	for pt, want := range map[string]float64{"leaseDuration=15s renewDeadline=10s": 10, "leaseDuration=20s renewDeadline=15s": 15, "leaseDuration=40s renewDeadline=20s": 0} {
		if got := acting[pt].Value; got != want {
			t.Errorf("%s: acting split brain %vs, want %vs", pt, got, want)
		}
	}
}

// etcd-election-heartbeat-slow-disk: with an election timeout well below
// the 1.5-3 s fsyncs the followers depose the slow leader within about a
// timeout; at 5 s the leader mostly keeps its place and writes wait.
func TestBuiltinSlowDisk(t *testing.T) {
	all := runBuiltin(t, "etcd-election-heartbeat-slow-disk", 3)
	fo := all["failover.etcd"]
	if short := fo["electionTimeout=500ms heartbeatInterval=100ms"]; short.N != 3 || short.Value > 1 {
		t.Errorf("500ms timeout: failover %+v, want every run within 1s", short)
	}
	down := all["downtime.writes"]
	if !(down["electionTimeout=500ms heartbeatInterval=100ms"].Value < down["electionTimeout=5s heartbeatInterval=100ms"].Value) {
		t.Errorf("a longer election timeout does not cost writes on a slow disk: %v", down)
	}
}

// haproxy-checks-master-crash: requests keep going to the dead apiserver
// for about inter × fall.
func TestBuiltinHAProxyChecks(t *testing.T) {
	down := runBuiltin(t, "haproxy-checks-master-crash", 2)["downtime.api-writes"]
	fast, slow := down["inter=500ms fall=1 rise=2"].Value, down["inter=5s fall=5 rise=2"].Value
	if !(fast < 2 && slow > 12) {
		t.Errorf("write downtime %vs with checks every 500ms/fall 1, %vs every 5s/fall 5", fast, slow)
	}
}
