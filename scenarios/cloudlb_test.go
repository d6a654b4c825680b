package scenarios

import (
	"slices"
	"strings"
	"testing"
	"time"

	"hasim/model"
	"hasim/sim"
)

const cloudSeeds = 3

// downAfter is when the load balancer marked host's apiserver unhealthy
// after the first fault began, and whether it did.
func downAfter(r model.Result, host string) (time.Duration, bool) {
	rec, ok := find(r, r.Faults[0].At, func(rec model.Record) bool {
		return rec.Event == model.EvLBBackendDown && rec.Host == host
	})
	return rec.T.Sub(r.Faults[0].At), ok
}

// hit is the host the run's first fault hit (its target resolved).
func hit(r model.Result) string { return strings.Fields(r.Faults[0].Target)[0] }

// probeBackAfter is how long after at the named probe next succeeded.
func probeBackAfter(t *testing.T, r model.Result, probe string, at time.Duration) time.Duration {
	t.Helper()
	rec, ok := find(r, r.Faults[0].At.Add(at), func(rec model.Record) bool {
		return rec.Event == model.EvProbeUp && rec.Probe == probe
	})
	if !ok {
		t.Fatalf("%s never succeeded again after %v", probe, at)
	}
	return rec.T.Sub(r.Faults[0].At) - at
}

// probeBackForGood is when the probe came back for good (its last success
// after a failure, dated by its request's send time), relative to at after
// the first fault; it may be negative.
func probeBackForGood(t *testing.T, r model.Result, probe string, at time.Duration) time.Duration {
	t.Helper()
	var last sim.Time = -1
	for _, rec := range r.Timeline {
		if rec.Probe == probe && rec.Event == model.EvProbeUp && rec.T > r.Faults[0].At {
			last = rec.T
		}
	}
	if last < 0 {
		t.Fatalf("%s never succeeded again after the fault", probe)
	}
	return last.Sub(r.Faults[0].At) - at
}

// backWith checks that the long-lived client was back with the request
// that crossed the unhealthy mark: a probe's success is dated when the
// request was sent, up to one period (100 ms) before the load balancer
// saw it.
func backWith(t *testing.T, seed uint64, what string, r model.Result, down time.Duration) {
	t.Helper()
	between(t, seed, what, probeBackAfter(t, r, "long-lived-writes", down-100*time.Millisecond), 0, 300*time.Millisecond)
}

// TestCloudLBMasterCrash: the master of the long-lived connection crashes behind AWS NLB's defaults. The
// TCP check runs every 30 s with a 10 s timeout and two failures mark a
// target unhealthy: 40 to 70 s after the crash, against about 10 s behind
// HAProxy, so fresh connections keep failing (each third one, until its
// client's timeout: no proxy answers for the dead master) several times
// longer. The long-lived client fails until its 100 streams are held by
// timed-out requests, 10 s, then dials afresh, and the NLB's flow hash
// sends the new connection to any target it has not marked unhealthy:
// to the dead master again one time in three, which costs another 100
// requests. So its outage is a multiple of 10 s, 10 s two times in three,
// and ends at the latest when the NLB marks the master unhealthy and
// resets the connections still going to it. Google Cloud's defaults
// (checks every 5 s, timeout 5 s, threshold 2) take 10 to 15 s. The load
// balancer is no host of the cluster's: three hosts run it.
func TestCloudLBMasterCrash(t *testing.T) {
	tens := 0
	defer func() {
		if tens == 0 {
			t.Errorf("the long-lived client never came back after its first 100 failures in %d seeds: the NLB's new connections do not spread", cloudSeeds)
		}
	}()
	for seed := uint64(1); seed <= cloudSeeds; seed++ {
		r := runLibrary(t, "lb-cloud-master-crash", seed, nil)
		if r.Hosts != 3 {
			t.Errorf("seed %d: %d hosts; want the three masters (the managed load balancer is none of them)", seed, r.Hosts)
		}
		down, ok := downAfter(r, hit(r))
		if !ok {
			t.Fatalf("seed %d: the NLB never marked the faulted master unhealthy", seed)
		}
		between(t, seed, "AWS: crash to unhealthy", down, 40*time.Second, 70*time.Second)
		fresh, ll := probeResult(t, r, "fresh-writes"), probeResult(t, r, "long-lived-writes")
		haproxy := probeResult(t, runLibrary(t, "lb-long-lived-master-crash", seed, nil), "fresh-writes")
		if fresh.Unavailable < 2*haproxy.Unavailable {
			t.Errorf("seed %d: fresh writes down %v behind the NLB, %v behind HAProxy; want the NLB's slow check to cost at least twice as much", seed, fresh.Unavailable, haproxy.Unavailable)
		}
		if ll.Failed == 0 || ll.Failed%100 != 0 || ll.Unavailable > down+300*time.Millisecond {
			t.Errorf("seed %d: long-lived client failed %d requests over %v; want a multiple of 100 (each connection that reaches the dead master holds 100 streams), over at most the %v to the unhealthy mark", seed, ll.Failed, ll.Unavailable, down)
		}
		if ll.Failed == 100 {
			tens++
		}

		g := runDoc(t, libraryEdit(t, "lb-cloud-master-crash", "provider: aws", "provider: gcp"), seed)
		gd, ok := downAfter(g, hit(g))
		if !ok {
			t.Fatalf("seed %d: GCP never marked the faulted master unhealthy", seed)
		}
		between(t, seed, "GCP: crash to unhealthy", gd, 10*time.Second, 15*time.Second)
		if i := slices.IndexFunc(g.HostList, func(h model.HostResult) bool { return h.Name == model.CloudLBHost }); i < 0 || !slices.Equal(g.HostList[i].Procs, []string{"gcp-nlb"}) {
			t.Errorf("seed %d: no host %s running gcp-nlb: %+v", seed, model.CloudLBHost, g.HostList)
		}
	}
}

// TestCloudLBIsolatedMaster: the master of the long-lived connection is cut off from the other masters
// for 90 s but still accepts connections. AWS NLB's default TCP check
// never fails it, so fresh connections sent there fail for the whole
// partition (a third of 90 s) and the long-lived client pinned there fails
// until the kubelet restarts its apiserver, 80 s in (kubeadm's
// /livez probe fails 8 times, 10 s apart), which resets the connection. With check: http (GET /readyz, which fails without etcd
// quorum) the NLB marks it unhealthy 30 to 70 s in and resets the
// long-lived connection: the client is back at once. Google Cloud keeps
// established connections to an unhealthy backend (TCP, per-connection
// tracking): with its HTTP check the fresh connections recover within
// 15 s, but the long-lived client fails until that restart, as behind
// HAProxy without shutdown-sessions; with unhealthyConnections: close it
// recovers with them.
func TestCloudLBIsolatedMaster(t *testing.T) {
	// The kubelet's liveness restart of the isolated apiserver: /livez
	// fails from the first probe after the cut (every 10 s; its etcd check
	// times out in 2 s), and the eighth failure, 70 s later, kills it.
	const restart = 76 * time.Second
	for seed := uint64(1); seed <= cloudSeeds; seed++ {
		r := runLibrary(t, "lb-cloud-isolated-master", seed, nil)
		if _, ok := downAfter(r, hit(r)); ok {
			t.Errorf("seed %d: the TCP check marked the isolated (live) master unhealthy", seed)
		}
		between(t, seed, "AWS tcp: fresh writes' outage", probeResult(t, r, "fresh-writes").Unavailable, 25*time.Second, 35*time.Second)
		between(t, seed, "AWS tcp: long-lived outage", probeResult(t, r, "long-lived-writes").Unavailable, restart-7*time.Second, restart+7*time.Second)

		h := runDoc(t, libraryEdit(t, "lb-cloud-isolated-master", "provider: aws", "provider: aws, check: http"), seed)
		down, ok := downAfter(h, hit(h))
		if !ok {
			t.Fatalf("seed %d: AWS http check never marked the faulted master unhealthy", seed)
		}
		between(t, seed, "AWS http: partition to unhealthy", down, 30*time.Second, 70*time.Second)
		backWith(t, seed, "AWS http: long-lived client back at the unhealthy mark", h, down)

		for _, c := range []struct {
			conns string
			ll    [2]time.Duration
		}{{"", [2]time.Duration{restart - 7*time.Second, restart + 7*time.Second}}, {", unhealthyConnections: close", [2]time.Duration{5 * time.Second, 16 * time.Second}}} {
			g := runDoc(t, libraryEdit(t, "lb-cloud-isolated-master", "provider: aws", "provider: gcp, check: http"+c.conns), seed)
			gd, ok := downAfter(g, hit(g))
			if !ok {
				t.Fatalf("seed %d: GCP http check never marked the faulted master unhealthy", seed)
			}
			between(t, seed, "GCP http: partition to unhealthy", gd, 5*time.Second, 15*time.Second)
			between(t, seed, "GCP http: fresh writes' outage", probeResult(t, g, "fresh-writes").Unavailable, 0, 7*time.Second)
			between(t, seed, "GCP http"+c.conns+": long-lived outage", probeResult(t, g, "long-lived-writes").Unavailable, c.ll[0], c.ll[1])
		}
	}
}

// TestCloudLBDoesNotFail: faults pass the managed load balancer by. A
// zone outage of master-3's zone takes down only master-3, which the NLB
// then marks unhealthy; a crash of role:load-balancer finds no host (the
// provider's load balancer is not one of the scenario's), and the host
// cloud-lb cannot be named.
func TestCloudLBDoesNotFail(t *testing.T) {
	r := runDoc(t, libraryEdit(t, "lb-cloud-master-crash", "kind: host-crash\n      target: connection:long-lived-writes", "kind: zone-outage\n      target: zone:zone-c"), 1)
	if _, ok := downAfter(r, "master-3"); !ok {
		t.Errorf("zone-c's outage: the NLB never marked master-3 unhealthy")
	}
	if f := probeResult(t, r, "fresh-writes"); f.Unavailable > 30*time.Second {
		t.Errorf("zone-c's outage: fresh writes down %v; the load balancer itself must stay up", f.Unavailable)
	}
	r = runDoc(t, libraryEdit(t, "lb-cloud-master-crash", "target: connection:long-lived-writes", "target: role:load-balancer"), 1)
	if f := probeResult(t, r, "fresh-writes"); f.Failed > 0 {
		t.Errorf("a crash of role:load-balancer: %d fresh writes failed; the managed load balancer does not fail", f.Failed)
	}
	if r.Faults[0].Skipped == "" {
		t.Errorf("a crash of role:load-balancer was not skipped: %+v", r.Faults[0])
	}
	_, err := Load("f.yaml", []byte(libraryEdit(t, "lb-cloud-master-crash", "target: connection:long-lived-writes", "target: host:cloud-lb")))
	if err == nil || !strings.Contains(err.Error(), `"cloud-lb"`) {
		t.Errorf("a fault on host:cloud-lb: err = %v; want it refused", err)
	}
}

// TestCloudLBFailOpen: etcd is killed on every master for 40 s, so every
// apiserver's /readyz fails and Google Cloud's HTTP check marks all three
// unhealthy. Failing open (Google Cloud's and AWS's behaviour), the load
// balancer still sends new connections to all of them, and writes succeed
// as soon as etcd is back; without (Azure's AllProbedDown), no connection
// is made until a target passes its healthy threshold again: two checks
// 5 s apart after etcd's return.
func TestCloudLBFailOpen(t *testing.T) {
	for seed := uint64(1); seed <= cloudSeeds; seed++ {
		var back [2]time.Duration
		for i, open := range []string{"true", "false"} {
			r := runDoc(t, libraryEdit(t, "lb-cloud-master-crash", "provider: aws", "provider: gcp, check: http, failOpen: "+open,
				"kind: host-crash\n      target: connection:long-lived-writes", "kind: process-kill\n      target: role:etcd", "duration: 90s", "duration: 40s"), seed)
			for _, h := range []string{"master-1", "master-2", "master-3"} {
				if _, ok := downAfter(r, h); !ok {
					t.Fatalf("seed %d, failOpen %s: %s never marked unhealthy", seed, open, h)
				}
			}
			back[i] = probeBackForGood(t, r, "fresh-writes", 40*time.Second)
		}
		// Failing open, requests sent up to a timeout (3 s) before etcd's
		// return wait in the apiserver for its new leader and succeed.
		between(t, seed, "failing open: writes back after etcd's return", back[0], -3*time.Second, 2*time.Second)
		between(t, seed, "failing closed: writes back after etcd's return", back[1], 5*time.Second, 15*time.Second)
	}
}

// TestCloudLBDraining: with unhealthyConnections close and
// unhealthyDraining 20s (Google Cloud's HTTP check marks the isolated
// master unhealthy within 15 s, well before the kubelet's liveness
// restart), the load balancer keeps the long-lived connection to it for
// 20 s after marking it unhealthy, then resets it: the client is back 20 s
// after the mark instead of at it.
func TestCloudLBDraining(t *testing.T) {
	for seed := uint64(1); seed <= cloudSeeds; seed++ {
		r := runDoc(t, libraryEdit(t, "lb-cloud-isolated-master", "provider: aws", "provider: gcp, check: http, unhealthyConnections: close, unhealthyDraining: 20s"), seed)
		down, ok := downAfter(r, hit(r))
		if !ok {
			t.Fatalf("seed %d: the isolated master never marked unhealthy", seed)
		}
		backWith(t, seed, "long-lived client back when the draining ends", r, down+20*time.Second)
	}
}

// TestCloudLBPassThrough: kube-apiserver on master-3 is killed; its host
// answers connections with a reset. HAProxy retries such a connect on
// another server (retries and redispatch), so no fresh request fails; a
// pass-through load balancer hands the reset to the client, whose request
// fails with "connection refused" until the target is marked unhealthy
// or the kubelet has restarted the apiserver.
func TestCloudLBPassThrough(t *testing.T) {
	kill := []string{"kind: host-crash\n      target: connection:long-lived-writes", "kind: process-kill\n      process: kube-apiserver\n      target: host:master-3"}
	h := runDoc(t, libraryEdit(t, "lb-long-lived-master-crash", kill...), 1)
	c := runDoc(t, libraryEdit(t, "lb-cloud-master-crash", append([]string{"provider: aws", "provider: gcp"}, kill...)...), 1)
	failed := func(r model.Result) int {
		return probeResult(t, r, "fresh-writes").Failed + probeResult(t, r, "fresh-reads").Failed
	}
	if n := failed(h); n != 0 {
		t.Errorf("HAProxy: %d fresh requests failed; want every refused connect redispatched", n)
	}
	if n := failed(c); n == 0 {
		t.Errorf("cloud load balancer: no fresh request failed; want the target's resets passed through")
	}
	if _, ok := find(c, c.Faults[0].At, func(rec model.Record) bool {
		return rec.Event == model.EvProbeDown && strings.Contains(rec.Reason, "connection refused")
	}); !ok {
		t.Errorf("cloud load balancer: no probe failed with connection refused")
	}
}
