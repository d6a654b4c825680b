package scenarios

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"hasim/model"
	"hasim/sim"
)

// backupDoc is three stacked masters behind a load balancer (lb, the YAML
// of spec.controlPlane.loadBalancer), a client probing with fresh
// connections and one probing over a long-lived connection, and faults.
func backupDoc(lb, faults string) string {
	return backupDocProbes(lb, faults, true)
}

// backupDocProbes is backupDoc, without the long-lived probe unless
// longLived.
func backupDocProbes(lb, faults string, longLived bool) string {
	ll := "    - {name: long-lived-writes, host: client, kind: write, via: lb, connection: long-lived}\n"
	if !longLived {
		ll = ""
	}
	return `apiVersion: hasim.dev/v1alpha1
kind: Scenario
metadata:
  name: backup-servers
spec:
  horizon: 120s
  zones: [{name: zone-a}, {name: zone-b}, {name: zone-c}]
  hosts:
    - {name: master-1, zone: zone-a}
    - {name: master-2, zone: zone-b}
    - {name: master-3, zone: zone-c}
    - {name: lb, zone: zone-a}
    - {name: client, zone: zone-b}
  etcd:
    version: "3.5"
  controlPlane:
    topology: stacked
    masters: [master-1, master-2, master-3]
    loadBalancer: ` + lb + `
  probes:
    - {name: fresh-writes, host: client, kind: write, via: lb}
` + ll + `  faults:
` + faults
}

// cutFromLB is a partition between the load balancer and a master, from
// at for d: the proxy's checks fail and it marks the master DOWN, while
// the master itself stays in the cluster.
func cutFromLB(master string, at, d time.Duration) string {
	return fmt.Sprintf("    - {name: cut %s from the lb, kind: partition, target: \"host:%s\", peer: \"host:lb\", at: %v, duration: %v}\n", master, master, at, d)
}

// backupSample is the proxy seen at one moment: the connections sent to
// each master so far, and where the long-lived probe's connection goes.
type backupSample struct {
	t      sim.Time
	opened [3]uint64
	conn   string
}

// runBackup runs doc for seed, sampling the proxy every 100 ms.
func runBackup(t *testing.T, doc string, seed uint64) (model.Result, []backupSample) {
	t.Helper()
	s, err := Load("backup.yaml", []byte(doc))
	if err != nil {
		t.Fatalf("%v\n%s", err, doc)
	}
	cfg := s.Config()
	cfg.Seed = seed
	var out []backupSample
	r, err := model.Simulate(cfg, model.RunOptions{BeforeRun: func(c *model.Cluster) error {
		x := c.LB.Proxies[0]
		for at := 100 * time.Millisecond; at < cfg.Horizon; at += 100 * time.Millisecond {
			c.CalendarAt(sim.At(at), "test/sample", func() {
				b := backupSample{t: sim.At(at)}
				for i := range b.opened {
					b.opened[i] = x.Opened(fmt.Sprintf("master-%d", i+1))
				}
				for _, p := range c.Probes {
					if h := p.ConnHost(c.LB); p.Name == "long-lived-writes" && h != nil {
						b.conn = h.Name
					}
				}
				out = append(out, b)
			})
		}
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Violations) > 0 {
		t.Fatalf("seed %d: %v", seed, r.Violations)
	}
	return r, out
}

// marks are the times the load balancer marked host DOWN and UP.
func marks(r model.Result, host string) (down, up []sim.Time) {
	for _, rec := range r.Timeline {
		switch {
		case rec.Host != host:
		case rec.Event == model.EvLBBackendDown:
			down = append(down, rec.T)
		case rec.Event == model.EvLBBackendUp:
			up = append(up, rec.T)
		}
	}
	return down, up
}

// TestBackupServerRouting: master-1 and master-2 are HAProxy's servers,
// master-3 its backup. master-1 is cut off from the load balancer from 20
// to 80 s, master-2 from 40 to 60 s; a client writes with a fresh
// connection every 100 ms. The backup gets no connection until both are
// marked DOWN, every one while both are, and none again once master-2 is
// marked UP. The client's writes fail for that time less than with no
// backup.
func TestBackupServerRouting(t *testing.T) {
	faults := cutFromLB("master-1", 20*time.Second, 60*time.Second) + cutFromLB("master-2", 40*time.Second, 20*time.Second)
	for seed := uint64(1); seed <= connSeeds; seed++ {
		r, samples := runBackup(t, backupDocProbes("{kind: haproxy, hosts: [lb], backup: [master-3]}", faults, false), seed)
		down1, _ := marks(r, "master-1")
		down2, up2 := marks(r, "master-2")
		if len(down1) != 1 || len(down2) != 1 || len(up2) != 1 || down2[0] < down1[0] {
			t.Fatalf("seed %d: master-1 DOWN at %v, master-2 DOWN at %v and UP at %v; want each once, master-1 first", seed, down1, down2, up2)
		}
		from, to := down2[0], up2[0]        // both primaries DOWN
		var first, last, after backupSample // in [from, to): the first and last samples; the first after to
		for _, s := range samples {
			switch {
			case s.t < from && s.opened[2] != 0:
				t.Fatalf("seed %d: %d connections to the backup at %v, before both primaries were DOWN (%v)", seed, s.opened[2], s.t, from)
			case s.t < from:
			case s.t < to && first.t == 0:
				first, last = s, s
			case s.t < to:
				last = s
			case after.t == 0:
				after = s
			case s.opened[2] != after.opened[2]:
				t.Fatalf("seed %d: %d connections to the backup at %v, after master-2 was UP again at %v (%d then)", seed, s.opened[2], s.t, to, after.opened[2])
			}
		}
		// Every fresh request (one per 100 ms), and the other clients'.
		if got, want := last.opened[2]-first.opened[2], uint64(last.t.Sub(first.t)/(100*time.Millisecond)); got < want {
			t.Errorf("seed %d: %d connections to the backup while both primaries were DOWN for %v; want at least %d", seed, got, last.t.Sub(first.t), want)
		}
		if last.opened[0] != first.opened[0] || last.opened[1] != first.opened[1] {
			t.Errorf("seed %d: the primaries got connections while DOWN: %v then %v", seed, first.opened, last.opened)
		}
		// The fresh writes fail until master-2 is marked DOWN (3 s for the
		// last ones sent to it to time out), then the backup carries them.
		back, ok := find(r, from, func(rec model.Record) bool { return rec.Event == model.EvProbeUp && rec.Probe == "fresh-writes" })
		if !ok || back.T.Sub(from) > 3100*time.Millisecond {
			t.Fatalf("seed %d: fresh writes back at %v (%v), master-2 DOWN at %v; want within 3 s", seed, back.T, ok, from)
		}
		if down, ok := find(r, back.T, func(rec model.Record) bool { return rec.Event == model.EvProbeDown && rec.Probe == "fresh-writes" }); ok && down.T < to {
			t.Errorf("seed %d: fresh writes failed at %v, while the backup carried them (until %v)", seed, down.T, to)
		}
	}
}

// TestAllBackups: with master-2 and master-3 both backups and master-1
// cut off from the load balancer, HAProxy sends every connection to the
// first UP backup (master-2); with option allbackups, to both in turn.
func TestAllBackups(t *testing.T) {
	faults := cutFromLB("master-1", 20*time.Second, 60*time.Second)
	for seed := uint64(1); seed <= connSeeds; seed++ {
		for _, all := range []bool{false, true} {
			lb := fmt.Sprintf("{kind: haproxy, hosts: [lb], backup: [master-2, master-3], allBackups: %v}", all)
			_, samples := runBackup(t, backupDoc(lb, faults), seed)
			end := samples[len(samples)-1].opened
			if end[0] == 0 || end[1] == 0 {
				t.Fatalf("seed %d, allBackups %v: connections %v; want master-1's before the cut and the first backup's during it", seed, all, end)
			}
			if all && (end[2] < end[1]/2 || end[2] > end[1]*2) {
				t.Errorf("seed %d: with allBackups master-2 got %d connections and master-3 %d; want them shared", seed, end[1], end[2])
			}
			if !all && end[2] != 0 {
				t.Errorf("seed %d: without allBackups the second backup, master-3, got %d connections; want none", seed, end[2])
			}
		}
	}
}

// TestShutdownBackupSessions: both primaries are cut off from the load
// balancer, which (with on-marked-down shutdown-sessions) moves the
// long-lived client's connection to the backup, master-3. master-1 comes
// back at 60 s. Without on-marked-up shutdown-backup-sessions the client
// keeps its connection to the backup until the end of the run, though new
// connections go to master-1 again; with it, HAProxy shuts the backup's
// sessions down when it marks master-1 UP, and the client's next request
// redials to master-1, within one check interval of the mark.
func TestShutdownBackupSessions(t *testing.T) {
	faults := cutFromLB("master-1", 20*time.Second, 40*time.Second) + cutFromLB("master-2", 20*time.Second, 100*time.Second)
	for seed := uint64(1); seed <= connSeeds; seed++ {
		for _, opt := range []bool{false, true} {
			lb := fmt.Sprintf("{kind: haproxy, hosts: [lb], backup: [master-3], shutdownSessions: true, shutdownBackupSessions: %v}", opt)
			r, samples := runBackup(t, backupDoc(lb, faults), seed)
			_, up := marks(r, "master-1")
			if len(up) != 1 {
				t.Fatalf("seed %d: master-1 marked UP at %v; want once", seed, up)
			}
			mark := up[0]
			if !strings.Contains(lastUpReason(r, "master-1"), "shutdown-backup-sessions") == opt {
				t.Errorf("seed %d, option %v: master-1's UP mark reads %q", seed, opt, lastUpReason(r, "master-1"))
			}
			var before, after, end string
			for _, s := range samples {
				switch {
				case s.t < mark:
					before = s.conn
				case s.t <= mark.Add(2*time.Second): // inter
				case after == "":
					after = s.conn
				}
				end = s.conn
			}
			if before != "master-3" {
				t.Fatalf("seed %d, option %v: the long-lived connection went to %q before master-1 was UP; want the backup, master-3", seed, opt, before)
			}
			if want := map[bool]string{false: "master-3", true: "master-1"}[opt]; after != want || end != want {
				t.Errorf("seed %d, option %v: the long-lived connection went to %s one check interval after master-1's UP mark and to %s at the end; want %s", seed, opt, after, end, want)
			}
			if opt {
				continue
			}
			if _, ok := find(r, mark, func(rec model.Record) bool {
				return rec.Event == model.EvProbeDown && rec.Probe == "long-lived-writes"
			}); ok {
				t.Errorf("seed %d: the long-lived client failed after master-1's UP mark", seed)
			}
		}
	}
}

// lastUpReason is the reason of the last UP mark of host.
func lastUpReason(r model.Result, host string) string {
	why := ""
	for _, rec := range r.Timeline {
		if rec.Event == model.EvLBBackendUp && rec.Host == host {
			why = rec.Reason
		}
	}
	return why
}

// TestNginxBackup: nginx's "server ... backup;" behind the same two
// primaries, both cut off from nginx from 20 to 50 s (proxy_connect_timeout
// 1s). The backup gets no connection before the cut, takes the fresh
// writes once a connect to each primary has failed (each then skipped for
// fail_timeout, 10 s), and gets none again once the primaries accept
// connections after the heal and fail_timeout.
func TestNginxBackup(t *testing.T) {
	faults := cutFromLB("master-1", 20*time.Second, 30*time.Second) + cutFromLB("master-2", 20*time.Second, 30*time.Second)
	for seed := uint64(1); seed <= connSeeds; seed++ {
		r, samples := runBackup(t, backupDocProbes("{kind: nginx, hosts: [lb], proxyConnectTimeout: 1s, backup: [master-3]}", faults, false), seed)
		var at20, at50, at65 backupSample
		for _, s := range samples {
			switch {
			case s.t <= sim.At(20*time.Second):
				at20 = s
			case s.t <= sim.At(50*time.Second):
				at50 = s
			case s.t <= sim.At(65*time.Second):
				at65 = s
			case s.opened[2] != at65.opened[2]:
				t.Fatalf("seed %d: %d connections to the backup at %v, %d at 65 s: the primaries are back", seed, s.opened[2], s.t, at65.opened[2])
			}
		}
		if at20.opened[2] != 0 {
			t.Errorf("seed %d: %d connections to the backup before the primaries were cut off", seed, at20.opened[2])
		}
		if n := at50.opened[2]; n < 250 {
			t.Errorf("seed %d: %d connections to the backup in the 30 s both primaries were cut off; want nearly every request's", seed, n)
		}
		if fresh := probeResult(t, r, "fresh-writes"); fresh.Unavailable > 3*time.Second {
			t.Errorf("seed %d: fresh writes unavailable %v; want the backup to take them after one failed connect to each primary", seed, fresh.Unavailable)
		}
	}
}
