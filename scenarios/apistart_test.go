package scenarios

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"hasim/model"
	"hasim/sim"
)

// The tests in this file check kube-apiserver's start and its /readyz
// against a real control plane (kube-apiserver v1.37 over etcd 3.7 on
// three stacked masters, HAProxy 2.6 in front with inter 2s, fall 3,
// rise 2 and timeout check 10s). One model default is taken from them:
// the apiserver's initTime (see DefaultAPIInitTime), from the median
// /readyz; the other figures follow from the mechanisms.

// stackedLab is the measured set-up: three stacked masters, a load
// balancer and a client on one bridge (its latency as the library's
// real-case scenarios give it), with faults.
func stackedLab(t *testing.T, seed uint64, lb, faults string) model.Result {
	t.Helper()
	src := fmt.Sprintf(`apiVersion: hasim.dev/v1alpha1
kind: Scenario
metadata:
  name: stacked-lab
spec:
  seed: %d
  horizon: 80s
  zones: [{name: lab}]
  hosts:
    - {name: master-1, zone: lab}
    - {name: master-2, zone: lab}
    - {name: master-3, zone: lab}
    - {name: lb, zone: lab}
    - {name: client, zone: lab}
  network:
    sameZone: {min: 50us, max: 150us}
  controlPlane:
    topology: stacked
    masters: [master-1, master-2, master-3]
    loadBalancer: {kind: haproxy, hosts: [lb]%s}
  faults:
%s`, seed, lb, faults)
	return simulateDoc(t, "stacked-lab.yaml", src)
}

// pct is the nearest-rank percentile of sorted xs.
func pct(xs []float64, q float64) float64 {
	return xs[max(0, int(math.Ceil(q*float64(len(xs))))-1)]
}

func withinReal(t *testing.T, what string, got, real, tol float64) {
	t.Helper()
	if math.Abs(got-real) > tol*real {
		t.Errorf("%s = %.0f ms, real %.0f ms: off by %+.1f%% (allowed %.0f%%)", what, got, real, 100*(got-real)/real, 100*tol)
	}
}

// restartSeeds is how many runs TestAPIServerRestartMatchesReal makes
// (about 3 s of CPU in all).
const restartSeeds = 200

// TestAPIServerRestartMatchesReal: the master holding the
// controller-manager lease crashes and comes back 60 s later (the real
// Case A, 12 trials); its apiserver starts again. From the host's return:
//   - /readyz passes: real p50 3555 ms, p90 4027 ms (within 10% / 20%);
//   - HAProxy marks it UP: real p50 6178 ms, p90 6740 ms (likewise);
//   - never before the mechanism allows: init (at least 0.75 × 2.4 s), then
//     the post-start hooks' first poll (1 s) and rbac/bootstrap-roles'
//     130 reads; UP needs two passing checks 2 s apart after that.
func TestAPIServerRestartMatchesReal(t *testing.T) {
	var ready, up []float64
	for seed := uint64(1); seed <= restartSeeds; seed++ {
		// The crash falls at a seeded moment of HAProxy's 2 s check
		// cycle, as the real harness's faults fell at arbitrary moments:
		// at a fixed time it would meet the checks at the phase the run's
		// start gave them (they fall into step while etcd elects its
		// first leader), and UP would follow from that phase.
		at := 10*time.Second + time.Duration(float64(2*time.Second)*math.Mod(float64(seed)*0.6180339887498949, 1))
		r := stackedLab(t, seed, ", timeoutCheck: 10s",
			fmt.Sprintf("    - {name: crash, kind: host-crash, target: \"leader:kube-controller-manager\", at: %v, duration: 60s}\n", at))
		f := r.Faults[0]
		host, _, _ := strings.Cut(f.Target, " ")
		var rd, u time.Duration
		for _, rec := range r.Timeline {
			if rec.T < f.HealedAt || rec.Host != host {
				continue
			}
			if rec.Event == model.EvAPIReady && rd == 0 {
				rd = rec.T.Sub(f.HealedAt)
			}
			if rec.Event == model.EvLBBackendUp && u == 0 {
				u = rec.T.Sub(f.HealedAt)
			}
		}
		if rd == 0 || u == 0 {
			t.Fatalf("seed %d: %s's apiserver never ready (%v) or UP (%v) after its return", seed, host, rd, u)
		}
		if least := 1800*time.Millisecond + time.Second; rd < least {
			t.Errorf("seed %d: ready %v after the return, before init and the hooks' first poll (%v)", seed, rd, least)
		}
		if u < rd+2*time.Second {
			t.Errorf("seed %d: UP %v after the return, ready only at %v: rise 2 needs two checks 2 s apart", seed, u, rd)
		}
		ready = append(ready, float64(rd)/1e6)
		up = append(up, float64(u)/1e6)
	}
	slices.Sort(ready)
	slices.Sort(up)
	t.Logf("after the return, over %d seeds: ready p50 %.0f p90 %.0f [%.0f, %.0f] ms; UP p50 %.0f p90 %.0f [%.0f, %.0f] ms",
		len(ready), pct(ready, .5), pct(ready, .9), ready[0], ready[len(ready)-1], pct(up, .5), pct(up, .9), up[0], up[len(up)-1])
	withinReal(t, "ready p50", pct(ready, .5), 3555, 0.10)
	withinReal(t, "ready p90", pct(ready, .9), 4027, 0.20)
	withinReal(t, "UP p50", pct(up, .5), 6178, 0.10)
	withinReal(t, "UP p90", pct(up, .9), 6740, 0.20)
}

// TestQuorumLostMasterMarkedDown: master-1 is cut off from the other
// masters, not from the load balancer. Its etcd member loses quorum, so
// each /readyz waits for both etcd checks to time out (etcd 2 s, then
// etcd-readiness 2 s) and fails after 4 s. HAProxy starts its next check
// inter (2 s) after the last one ended, so with timeout check 10s a check
// cycle is 6 s and the third failure comes 16-18 s after the cut, not
// 4-6 s as an instant answer would give. (The cut meets HAProxy's check
// cycle at a random phase, and a check under way at the cut can still
// pass on what etcd answered before it: up to about 0.7 s more.) That
// holds only while HAProxy is the sole caller of the etcd checks: the
// kubelet's readiness probe of /readyz (every second) and liveness probe
// of /livez (every 10 s) run them too, and a check that meets their rate
// limiter (one probe of etcd per half timeout) just after a probe has
// used it gets the stored failure at once, so with the kubelet's probes
// the third failure can come from about 6 s (the first failure known 2 s
// after the cut, then two more checks inter apart). With timeout check
// unset HAProxy gives each check inter (2 s) in all: it times out before
// the answer, and the third failure comes 10-12 s after the cut, sooner
// with stored failures, which answer before the check times out. How
// often a check meets a stored failure depends on the phases of the
// kubelet's probes against HAProxy's checks (each prober starts at a
// random part of its period), so the bounds with the probes are the
// mechanism's, not a measured spread.
func TestQuorumLostMasterMarkedDown(t *testing.T) {
	const cut = 20 * time.Second
	const noKubeletProbes = "}\n    apiserver: {readinessProbe: {period: 1h}, livenessProbe: {initialDelay: 1h}"
	const failed, timedOut = "/readyz: 500: etcd: error getting data from etcd", "check timed out"
	for _, tc := range []struct {
		name, lb string
		reasons  []string // what the third failed check may say
		lo, hi   time.Duration
	}{
		{"timeout check 10s", ", timeoutCheck: 10s", []string{failed}, 6 * time.Second, 19 * time.Second},
		{"timeout check 10s, no kubelet probes", ", timeoutCheck: 10s" + noKubeletProbes, []string{failed}, 16 * time.Second, 19 * time.Second},
		// A stored failure answers at once, before the check times out.
		{"timeout check unset", "", []string{timedOut, failed}, 6 * time.Second, 13 * time.Second},
		{"timeout check unset, no kubelet probes", noKubeletProbes, []string{timedOut}, 10 * time.Second, 13 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var downs []time.Duration
			for seed := uint64(1); seed <= 20; seed++ {
				r := stackedLab(t, seed, tc.lb,
					"    - {name: isolate, kind: partition, target: \"host:master-1\", peer: \"role:kube-apiserver\", at: 20s, duration: 40s}\n")
				var down time.Duration
				why := ""
				for _, rec := range r.Timeline {
					if rec.Event == model.EvLBBackendDown && rec.Host == "master-1" && rec.T >= sim.Time(cut) {
						down, why = time.Duration(rec.T)-cut, rec.Reason
						break
					}
				}
				if down == 0 {
					t.Fatalf("seed %d: HAProxy never marked master-1 DOWN", seed)
				}
				downs = append(downs, down)
				if down < tc.lo || down > tc.hi || !slices.ContainsFunc(tc.reasons, func(r string) bool { return strings.Contains(why, r) }) {
					t.Errorf("seed %d: DOWN %v after the cut (%q), want %v to %v for %q", seed, down, why, tc.lo, tc.hi, tc.reasons)
				}
			}
			slices.Sort(downs)
			t.Logf("DOWN after the cut over %d seeds: %v to %v", len(downs), downs[0], downs[len(downs)-1])
			if strings.Contains(tc.name, "10s") && !strings.Contains(tc.name, "no kubelet") && downs[0] >= 16*time.Second {
				t.Errorf("no DOWN before 16 s in %d seeds with the kubelet's probes: none met a stored failure", len(downs))
			}
		})
	}
}
