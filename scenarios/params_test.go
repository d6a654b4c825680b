package scenarios

import (
	"strings"
	"testing"
	"time"

	"hasim/model"
	"hasim/sim"
)

// firstAfter is the first record of event (whose reason contains reason)
// at or after from, and whether there is one.
func firstAfter(r model.Result, event, reason string, from sim.Time) (model.Record, bool) {
	for _, rec := range r.Timeline {
		if rec.Event == event && rec.T >= from && strings.Contains(rec.Reason, reason) {
			return rec, true
		}
	}
	return model.Record{}, false
}

// The keepalived check script decides how soon the VIP leaves a host
// whose proxy died while the host lives: the kubeadm guide's script
// (every 3 s, weight -2 after 10 failures) takes ~30 s plus the
// master-down interval; a FAULTing script (weight 0) after one failure
// advertises priority 0 and the backup takes over after its skew time;
// and a weight smaller than the priority gap never moves it.
func TestKeepalivedCheckScript(t *testing.T) {
	doc := strings.Replace(libraryDoc(t, "lb-vip-pair"),
		`- {name: the load balancer's host dies, kind: host-crash, target: "host:lb-1", at: 30s, duration: 30s}`,
		`- {name: haproxy dies on lb-1, kind: process-kill, process: load-balancer, target: "host:lb-1", at: 30s}`, 1)
	kill := sim.At(30 * time.Second)
	for _, tc := range []struct {
		script   string
		min, max time.Duration // -1: never
	}{
		{"", 30 * time.Second, 40 * time.Second},
		{", checkScript: {interval: 1s, fall: 1, weight: 0}", 0, 2 * time.Second},
		{", priorities: [150, 100]", -1, -1},
	} {
		d := strings.Replace(doc, "hosts: [lb-1, lb-2]}", "hosts: [lb-1, lb-2]"+tc.script+"}", 1)
		r := runVersionDoc(t, d)
		moved, ok := firstAfter(r, model.EvVIPMoved, "keepalived-lb-2", kill)
		switch {
		case tc.min < 0 && ok:
			t.Errorf("%q: the VIP moved at %v although weight -2 cannot close a priority gap of 50", tc.script, moved.T)
		case tc.min < 0:
		case !ok:
			t.Errorf("%q: the VIP never moved to lb-2", tc.script)
		default:
			if took := moved.T.Sub(kill); took < tc.min || took > tc.max {
				t.Errorf("%q: VIP moved %v after the proxy died; want %v–%v", tc.script, took, tc.min, tc.max)
			}
		}
	}
}

// A stricter liveness probe restarts an isolated master's apiserver
// sooner; the kubelet's restart back-off spaces the restarts that follow.
func TestApiserverLivenessAndRestartBackoff(t *testing.T) {
	doc := libraryDoc(t, "worked-timeline-b-isolated-master")
	isolated := sim.At(30 * time.Second)
	killedAfter := func(d string) time.Duration {
		r := runVersionDoc(t, d)
		rec, ok := firstAfter(r, model.EvProcExited, "liveness probe", isolated)
		if !ok {
			t.Fatalf("no liveness restart")
		}
		return rec.T.Sub(isolated)
	}
	def := killedAfter(doc)
	fast := killedAfter(strings.Replace(doc, "  controlPlane:\n", "  controlPlane:\n    apiserver: {livenessProbe: {period: 5s, failureThreshold: 3}}\n", 1))
	if def < 70*time.Second || def > 100*time.Second || fast > 30*time.Second {
		t.Errorf("liveness restart %v after isolation by default (want ~80 s), %v with 3 × 5 s (want < 30 s)", def, fast)
	}

	// Restarts of the probed apiserver, killed by its liveness probe or
	// exiting when its post-start hook gives up on etcd: immediate, then
	// restartBackOff doubling.
	gaps := func(d string) []time.Duration {
		r := runVersionDoc(t, d)
		var out []time.Duration
		var exited sim.Time
		for _, rec := range r.Timeline {
			if !strings.HasPrefix(rec.Proc, "kube-apiserver-") {
				continue
			}
			switch {
			case rec.Event == model.EvProcExited:
				exited = rec.T
			case rec.Event == model.EvProcRestarted && exited != 0:
				out = append(out, rec.T.Sub(exited))
				exited = 0
			}
		}
		return out
	}
	long := strings.Replace(doc, "horizon: 150s", "horizon: 400s", 1)
	long = strings.Replace(long, "duration: 100s", "duration: 300s", 1)
	for _, tc := range []struct {
		kubelet string
		second  time.Duration
	}{{"", 10 * time.Second}, {"    kubelet: {restartBackOff: 2s}\n", 2 * time.Second}} {
		g := gaps(strings.Replace(long, "  controlPlane:\n", "  controlPlane:\n"+tc.kubelet, 1))
		if len(g) < 2 || g[0] != 0 || g[1] != tc.second {
			t.Errorf("%q: restart delays %v; want 0, then %v", tc.kubelet, g, tc.second)
		}
	}
}
