package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"hasim/internal/golden"
	"hasim/report"
	"hasim/scenarios"
)

// run runs the CLI in-process and returns exit code, stdout and stderr.
func run(ctx context.Context, stdin string, args ...string) (int, string, string) {
	var out, errw bytes.Buffer
	code := realMain(ctx, args, strings.NewReader(stdin), &out, &errw)
	return code, out.String(), errw.String()
}

// TestGolden pins the table and JSON output of library scenarios byte for
// byte, and checks that a second run, with GOMAXPROCS 1, prints exactly
// the same.
func TestGolden(t *testing.T) {
	for _, name := range []string{"etcd-leader-kill", "etcd-isolated-leader-prevote-off", "etcd-quorum-loss", "stacked-3-master-crash", "worker-node-failure"} {
		for _, format := range []string{"table", "json", "yaml", "csv"} {
			code, out, errs := run(context.Background(), "", "run", name, "-o", format)
			if code != 0 {
				t.Fatalf("%s -o %s: exit %d: %s", name, format, code, errs)
			}
			procs := runtime.GOMAXPROCS(1)
			_, again, _ := run(context.Background(), "", "run", name, "-o", format)
			runtime.GOMAXPROCS(procs)
			if again != out {
				t.Fatalf("%s -o %s: a run with GOMAXPROCS 1 differs from one with %d", name, format, procs)
			}
			golden.Check(t, filepath.Join("testdata", name+"."+format+".golden"), out)
			if name == "stacked-3-master-crash" && format == "table" {
				// The README's first run quotes it, long lines cut.
				lines := strings.Split(out, "\n")
				for i, l := range lines {
					if r := []rune(l); len(r) > 200 {
						lines[i] = string(r[:200]) + "..."
					}
				}
				golden.CheckQuote(t, filepath.Join("..", "..", "README.md"), "$ make run", strings.Join(lines, "\n"))
			}
		}
	}
}

// TestGoldenClassroom keeps the narration of the three scenarios a class
// watches (a frozen controller-manager leader and its split brain, an
// isolated master, a zone outage of two masters of three), with every
// lease event's reason, the split brain's beginning and end and the
// takeover gap between groups.
func TestGoldenClassroom(t *testing.T) {
	for _, name := range []string{"worked-timeline-c-paused-kcm", "worked-timeline-b-isolated-master", "zone-outage-masters-2-1"} {
		code, out, errs := run(context.Background(), "", "run", name)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", name, code, errs)
		}
		golden.Check(t, filepath.Join("testdata", name+".table.golden"), out)
	}
}

// TestGoldenReadmePicture keeps the README's picture what `hasim run
// stacked-3-master-crash --svg` draws today (make update redraws it).
func TestGoldenReadmePicture(t *testing.T) {
	out := filepath.Join(t.TempDir(), "run.svg")
	if code, _, errs := run(context.Background(), "", "run", "stacked-3-master-crash", "-q", "--svg", out); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	svg, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("..", "..", "docs", "stacked-3-master-crash.svg"), string(svg))
}

// TestGoldenReadmeYears keeps the README's comparison of topologies over
// years (its table and its picture) what `hasim compare` gives today. It
// simulates three topologies for ten years each (about a minute and a
// half of CPU).
func TestGoldenReadmeYears(t *testing.T) {
	svg := filepath.Join(t.TempDir(), "years.svg")
	code, out, errs := run(context.Background(), "", "compare", "years-stacked-3", "years-external-3-3", "years-external-5-3",
		"--runs", "1", "--until", "10y", "--svg", svg)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	pic, err := os.ReadFile(svg)
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("..", "..", "docs", "years-compare.svg"), string(pic))
	golden.Check(t, filepath.Join("testdata", "compare-years.table.golden"), out)
	golden.CheckQuote(t, filepath.Join("..", "..", "README.md"),
		"$ hasim compare years-stacked-3 years-external-3-3 years-external-5-3 --runs 1 --until 10y --svg years.svg", readmeYears(out))
}

// TestGoldenReadmeDiff keeps the README's what-if, a run and its
// variant side by side, what `hasim diff` gives today, the common
// beginning and the what-if's fields abridged.
func TestGoldenReadmeDiff(t *testing.T) {
	const with = "--with 'kind=process-pause target=leader:kube-controller-manager process=kube-controller-manager duration=20s'"
	code, out, errs := run(context.Background(), "", "diff", "worked-timeline-c-paused-kcm", "worked-timeline-c-paused-kcm --at 50s "+with, "--width", "120")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.ReplaceAll(out, with, "--with '…'"), "\n")
	k := slices.IndexFunc(lines, func(l string) bool { return strings.Contains(l, "the runs first diverge") })
	if k < 4 {
		t.Fatalf("no divergence:\n%s", out)
	}
	golden.CheckQuote(t, filepath.Join("..", "..", "README.md"),
		`$ hasim diff worked-timeline-c-paused-kcm "worked-timeline-c-paused-kcm --at 50s --with '…'" --width 120`,
		strings.Join(slices.Concat(lines[:4], []string{"   (…)"}, lines[k:]), "\n"))
}

// TestGoldenReadmeZoneOutage keeps the README's comparison of one zone
// outage, stacked vs external etcd, what `hasim compare` gives today.
func TestGoldenReadmeZoneOutage(t *testing.T) {
	if testing.Short() {
		t.Skip("100 runs")
	}
	code, out, errs := run(context.Background(), "", "compare", "zone-outage-masters-1-1-1", "zone-outage-external-etcd", "--runs", "50")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	golden.CheckQuote(t, filepath.Join("..", "..", "README.md"), "$ hasim compare zone-outage-masters-1-1-1 zone-outage-external-etcd --runs 50", out)
}

// TestGoldenReadmeCloudFailures keeps the README's figures per year of an
// hour of frequent failures (stacked-3-cloud-failures) what `hasim run
// -q` gives today, from the functions to the causes of downtime, the
// incidents' p99 and longest left out.
func TestGoldenReadmeCloudFailures(t *testing.T) {
	code, out, errs := run(context.Background(), "", "run", "stacked-3-cloud-failures", "-q")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	lines := strings.Split(out, "\n")
	from := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, "Per year, ") })
	causes := slices.Index(lines, "Downtime by cause (api-writes):")
	if from < 0 || causes < 0 || causes+6 > len(lines) {
		t.Fatalf("no figures per year or causes:\n%s", out)
	}
	end := causes + 4 // past the table's header and its borders
	for end < len(lines) && strings.HasPrefix(lines[end], "| ") {
		end++
	}
	quote := slices.Clone(lines[from : end+1])
	for i, l := range quote {
		if k := strings.Index(l, ", p99 "); strings.HasPrefix(l, "Incident duration: ") && k > 0 {
			quote[i] = l[:k] + ", ..."
		}
	}
	golden.CheckQuote(t, filepath.Join("..", "..", "README.md"), "$ hasim run stacked-3-cloud-failures -q",
		"...\n"+strings.Join(quote, "\n")+"\n...")
}

// readmeYears abridges compare's figures per year as the README quotes
// them: for each scenario its write availability (and, for the first,
// the controller-manager's and the incidents), the four largest causes of
// write downtime and the closed form's writes.
func readmeYears(out string) string {
	lines := strings.Split(out, "\n")
	var b strings.Builder
	b.WriteString("…\n")
	cells := func(row string) []string {
		var out []string
		for c := range strings.SplitSeq(strings.Trim(row, "|"), "|") {
			out = append(out, strings.TrimSpace(c))
		}
		return out
	}
	section := 0
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		switch {
		case strings.HasPrefix(l, "years-") && strings.Contains(l, ". Per year, "):
			if section > 0 {
				b.WriteString("\n" + l[:strings.Index(l, ", ")] + ", …\n")
			} else {
				b.WriteString(l + "\n")
			}
			section++
		case section == 1 && strings.HasPrefix(l, "|") && strings.Contains(l, " measured by "):
			// The header, its names to the left.
			for c := range strings.SplitSeq(strings.Trim(l, "|"), "|") {
				fmt.Fprintf(&b, "| %-*s", len(c)-1, strings.TrimSpace(c))
			}
			b.WriteString("|\n")
		case strings.HasPrefix(l, "| api-writes "), section == 1 && strings.HasPrefix(l, "| kube-controller-manager ") && strings.Contains(l, "leader election"):
			b.WriteString(l + "\n")
		case section == 1 && strings.HasPrefix(l, "Incidents (overlapping"):
			b.WriteString(l + "\n")
		case l == "Downtime by cause (api-writes):":
			var causes []string
			for j := i + 4; j < len(lines) && strings.HasPrefix(lines[j], "|") && len(causes) < 4; j++ {
				c := cells(lines[j])
				share, _ := strconv.ParseFloat(strings.TrimSuffix(c[3], "%"), 64)
				causes = append(causes, fmt.Sprintf("%s %.1f%%", c[0], share))
			}
			b.WriteString("Downtime by cause (api-writes): " + strings.Join(causes, ", ") + ", …\n")
		case strings.HasPrefix(l, "Closed form beside it"):
			for j := i + 1; j < len(lines) && j < i+10; j++ {
				if c := cells(lines[j]); strings.HasPrefix(lines[j], "| writes ") {
					head := "Closed form beside it"
					if section == 1 {
						head += " (instant failover; …)"
					}
					fmt.Fprintf(&b, "%s: writes %s nines, %s / year\n", head, c[2], c[3])
					break
				}
			}
		}
	}
	return b.String()
}

// TestLibraryTellsItsStory runs every built-in scenario and checks the
// event that is its point.
func TestLibraryTellsItsStory(t *testing.T) {
	stories := map[string]func(t *testing.T, d report.Document){
		"etcd-leader-kill": func(t *testing.T, d report.Document) {
			f := d.Summary.Faults[0]
			if f.NewLeader == nil || f.NewLeader.After < 0.8 || f.NewLeader.After > 3 {
				t.Errorf("new leader %+v, want one 0.8-3s after the kill", f.NewLeader)
			}
		},
		"etcd-leader-graceful-stop": func(t *testing.T, d report.Document) {
			f := d.Summary.Faults[0]
			if f.NewLeader == nil || f.NewLeader.After > 0.05 || !hasReason(d, "member.candidate", "MsgTimeoutNow") {
				t.Errorf("new leader %+v, want a leadership transfer within 50 ms", f.NewLeader)
			}
			if u := d.Summary.Probes[0].Unavailable; u > 0.3 {
				t.Errorf("writes unavailable %.1fs through a graceful stop", u)
			}
		},
		"etcd-leader-pause": func(t *testing.T, d report.Document) {
			f := d.Summary.Faults[0]
			if f.NewLeader == nil || !hasEvent(d, "member.follower", f.LeaderBefore, *f.HealedAt, *f.HealedAt+0.01) {
				t.Errorf("want a new leader and the resumed leader following at once")
			}
		},
		"etcd-isolated-leader-prevote-off": func(t *testing.T, d report.Document) {
			f := d.Summary.Faults[0]
			if !hasReason(d, "leader.stepdown", "quorum not active") || !hasReasonAfter(d, "leader.stepdown", "saw higher term", *f.HealedAt) {
				t.Errorf("want a CheckQuorum stepdown, then the majority leader deposed after the heal")
			}
		},
		"etcd-isolated-leader-prevote-on": func(t *testing.T, d report.Document) {
			f := d.Summary.Faults[0]
			if !hasReason(d, "leader.stepdown", "quorum not active") || hasReasonAfter(d, "leader.stepdown", "saw higher term", *f.HealedAt) {
				t.Errorf("want a CheckQuorum stepdown and no disruption after the heal")
			}
		},
		"etcd-slow-disk": func(t *testing.T, d report.Document) {
			if d.Summary.Faults[0].NewLeader == nil || d.Summary.Probes[0].Unavailable < 2 {
				t.Errorf("want the leader lost to its disk and writes hurt")
			}
		},
		"etcd-quorum-loss": func(t *testing.T, d report.Document) {
			p := d.Summary.Probes
			if p[0].Unavailable < 25 || p[2].Availability != 1 {
				t.Errorf("want writes down while quorum is lost and serializable reads always up: %+v", p)
			}
		},
		"etcd-zone-outage": func(t *testing.T, d report.Document) {
			// Requests to the two dead members fail until keepalive notices
			// (~8 s); losing quorum would cost the whole 60 s.
			if d.Summary.Probes[0].Unavailable > 10 {
				t.Errorf("a 2+2+1 spread should survive a zone: unavailable %.1fs", d.Summary.Probes[0].Unavailable)
			}
		},
		"stacked-3-master-crash": func(t *testing.T, d report.Document) {
			for _, g := range d.Summary.Faults[0].Groups {
				if g.Group == "kube-controller-manager" && (g.After == nil || *g.After < 10 || *g.After > 24) {
					t.Errorf("controller-manager takeover %v, want 10-24 s after the crash", g.After)
				}
			}
		},
		"real-case-a-lease-holder-crash": func(t *testing.T, d report.Document) {
			// HAProxy drops the dead master after three failed checks;
			// until then a third of the writes fail; the controller-
			// manager lease moves after client-go's 15 s lease.
			f := d.Summary.Faults[0]
			if !hasEvent(d, "lb.backend_down", "", f.At+8, f.At+12.5) {
				t.Errorf("want HAProxy to mark the crashed master DOWN 8-12.5 s after the crash")
			}
			if u := d.Summary.Probes[0].Unavailable; u < 2.5 || u > 6 {
				t.Errorf("writes unavailable %.1fs, want 2.5-6 s", u)
			}
			for _, g := range f.Groups {
				if g.Group == "kube-controller-manager" && (g.After == nil || *g.After < 13 || *g.After > 21) {
					t.Errorf("controller-manager takeover %v, want 13-21 s after the crash", g.After)
				}
			}
		},
		"real-case-c-frozen-kcm": func(t *testing.T, d report.Document) {
			// A takeover, then the resumed leader acts for its renew
			// deadline (10 s) alongside the new one; no request fails.
			g := group(d, "kube-controller-manager")
			if g.ActingSplitBrain.Count != 1 || g.ActingSplitBrain.Longest < 9 || g.ActingSplitBrain.Longest > 10.5 {
				t.Errorf("want one acting split brain of about 10 s: %+v", g.ActingSplitBrain)
			}
			for _, p := range d.Summary.Probes {
				if p.Failed > 0 {
					t.Errorf("%s: %d requests failed, want none", p.Name, p.Failed)
				}
			}
		},
		"worked-timeline-b-isolated-master": func(t *testing.T, d report.Document) {
			if !hasReason(d, "process.exited", "liveness probe") {
				t.Errorf("want the kubelet to restart the isolated apiserver")
			}
		},
		"worked-timeline-c-paused-kcm": func(t *testing.T, d report.Document) {
			if g := group(d, "kube-controller-manager"); g.ActingSplitBrain.Count != 1 {
				t.Errorf("want one acting split brain: %+v", g.ActingSplitBrain)
			}
		},
		"worked-timeline-d-clock-steps": func(t *testing.T, d report.Document) {
			for _, g := range d.Summary.Groups {
				if g.Acquisitions != 1 {
					t.Errorf("%s changed leader after clock steps", g.Name)
				}
			}
		},
		"clock-drift-split-brain": func(t *testing.T, d report.Document) {
			if group(d, "kube-controller-manager").SplitBrain.Count == 0 {
				t.Errorf("want a controller-manager split brain from the fast clocks")
			}
		},
		"etcd-cascading-leader-loss": func(t *testing.T, d report.Document) {
			if s := d.Summary.Faults[2].Skipped; s != "" || d.Summary.Leaderless < 25 {
				t.Errorf("want three leaders killed and quorum lost until the restarts: skipped %q, leaderless %.1fs", s, d.Summary.Leaderless)
			}
		},
		"single-node": func(t *testing.T, d report.Document) {
			if u := d.Summary.Probes[0].Unavailable; u < 29 {
				t.Errorf("one node down 30 s, writes unavailable only %.1fs", u)
			}
		},
		"single-master-with-workers": func(t *testing.T, d report.Document) {
			// Master down 30-270 s, worker-2 dead from 60 s: nothing is
			// scheduled or recovered until the master is back; then a fresh
			// 50 s grace, the taint, and 300 s until the eviction.
			if u := d.Summary.Probes[1].Unavailable; u < 240 || d.Summary.Hosts != 3 {
				t.Errorf("scheduling unavailable only %.1fs (want the 4 min outage and the takeover), %d hosts", u, d.Summary.Hosts)
			}
			if hasEvent(d, "node.not_ready", "", 0, 270) || !hasEvent(d, "node.not_ready", "", 320, 345) {
				t.Errorf("want worker-2 NotReady only after the master's return (270 s) plus takeover and grace")
			}
			web, batch := d.Summary.Workloads[0], d.Summary.Workloads[1]
			if web.Evicted != 2 || web.Replacements != 2 || web.ReadyAtEnd != 4 || web.Down != 0 {
				t.Errorf("web %+v: want its 2 dead pods evicted and replaced, never down", web)
			}
			if batch.Evicted != 1 || batch.Replacements != 0 || batch.ReadyAtEnd != 1 {
				t.Errorf("batch %+v: want the bare pod evicted and never recreated", batch)
			}
		},
		"etcd-starvation-cannot-schedule": func(t *testing.T, d report.Document) {
			if d.Summary.Leaderless < 45 || d.Summary.Probes[1].Unavailable < 55 {
				t.Errorf("want a leaderless etcd (%.1fs) and no scheduling (%.1fs) for most of the minute", d.Summary.Leaderless, d.Summary.Probes[1].Unavailable)
			}
			if d.Summary.Workloads[0].Degraded != 0 {
				t.Errorf("running pods should not notice the control plane's outage")
			}
		},
		"worker-node-failure": func(t *testing.T, d report.Document) {
			if !hasEvent(d, "node.not_ready", "", 30+39.5, 30+55.5) || !hasEvent(d, "pod.evicted", "", 30+339.5, 30+355.6) {
				t.Errorf("want NotReady 40-55 s and eviction ~5m50s after the crash at 30 s")
			}
			web, single := d.Summary.Workloads[0], d.Summary.Workloads[1]
			if web.ReadyAtEnd != 6 || web.Replacements != 2 || single.ReadyAtEnd != 2 || single.Replacements != 0 {
				t.Errorf("web %+v, singleton %+v: want the ReplicaSet whole again and the bare pod lost", web, single)
			}
		},
		"grow-1-to-3-masters": func(t *testing.T, d report.Document) {
			// Each join: learner added, started, promoted within a second.
			for _, i := range []int{0, 2} {
				f := d.Summary.Faults[i]
				if f.DoneAt == nil || f.Error != "" || *f.DoneAt-f.At > 1.5 {
					t.Errorf("%s: done %v (%q), want within 1.5 s", f.Name, f.DoneAt, f.Error)
				}
			}
			if !hasReason(d, "member.added", "as a learner") || !hasReason(d, "member.promoted", "quorum 2") {
				t.Errorf("want learners added, then promoted")
			}
			// Two voters: the reboot of master-2 stops writes although
			// master-1 never failed; three voters: master-1's crash is a
			// failover.
			reboot, crash := d.Summary.Faults[1], d.Summary.Faults[3]
			if reboot.NewLeader == nil || reboot.NewLeader.After < 19 || reboot.NewLeader.Member != "etcd-1" {
				t.Errorf("master-2's reboot with two voters: new leader %+v, want etcd-1 only after master-2 is back (20 s)", reboot.NewLeader)
			}
			if crash.NewLeader == nil || crash.NewLeader.After > 3 {
				t.Errorf("master-1's crash with three voters: new leader %+v, want a failover", crash.NewLeader)
			}
			for _, m := range d.Summary.Members {
				if m.Membership != "voter" {
					t.Errorf("%s is %s at the end", m.Name, m.Membership)
				}
			}
		},
		"replace-failed-master": func(t *testing.T, d report.Document) {
			join, remove := d.Summary.Faults[1], d.Summary.Faults[2]
			if !hasReason(d, "operation.retrying", "unhealthy cluster") {
				t.Errorf("want kubeadm's member add refused while etcd-2 is dead")
			}
			if remove.DoneAt == nil || join.DoneAt == nil || *join.DoneAt < *remove.DoneAt || *join.DoneAt > *remove.DoneAt+2 {
				t.Errorf("join done %v, removal done %v: want the join to complete right after the removal", join.DoneAt, remove.DoneAt)
			}
			got := ""
			for _, m := range d.Summary.Members {
				got += m.Name + "=" + m.Membership + " "
			}
			if got != "etcd-1=voter etcd-2=removed etcd-3=voter etcd-4=voter " {
				t.Errorf("membership at end: %s", got)
			}
			if crash := d.Summary.Faults[3]; crash.NewLeader == nil || crash.NewLeader.After > 3 {
				t.Errorf("master-1's crash after the replacement: new leader %+v, want a failover", crash.NewLeader)
			}
		},
		"stacked-3-lose-one-then-two": func(t *testing.T, d report.Document) {
			if u := d.Summary.Probes[0].Unavailable; u < 39 || !hasReason(d, "lease.lost", "deadline") {
				t.Errorf("two of three masters down 40 s: writes unavailable %.1fs; want leases lost too", u)
			}
		},
		"external-etcd-3-masters": func(t *testing.T, d report.Document) {
			if g := d.Summary.Faults[0].Groups[0]; g.After != nil {
				t.Errorf("a master's crash moved etcd's leader with external etcd")
			}
		},
		"external-etcd-2-masters": func(t *testing.T, d report.Document) {
			if g := d.Summary.Faults[0].Groups[0]; g.After != nil {
				t.Errorf("a master's crash moved etcd's leader with external etcd")
			}
		},
		// The kubernetes Service: per-master endpoints wait for the lease
		// reconciler, the load balancer's address fails over with it.
		"in-cluster-master-crash": func(t *testing.T, d report.Document) {
			out, in := d.Summary.Probes[0].Unavailable, d.Summary.Probes[1].Unavailable
			if !hasEvent(d, "service.endpoints", "", 40+15, 40+28) || !hasReasonAfter(d, "service.endpoints", "master-1, master-2, master-3", 100) {
				t.Errorf("want the crashed master out of the endpoints 15-28 s after the crash (lease TTL, then a round) and back after its reboot")
			}
			if in < out+2 {
				t.Errorf("in-cluster writes unavailable %.1fs, through the LB %.1fs: want the Service slower than HAProxy", in, out)
			}
		},
		"in-cluster-master-crash-lb-address": func(t *testing.T, d report.Document) {
			out, in := d.Summary.Probes[0].Unavailable, d.Summary.Probes[1].Unavailable
			// Both go through HAProxy and fail while it still sends to the
			// dead master; which of each client's requests its round robin
			// sends there differs, by up to a couple of seconds a run.
			if hasEvent(d, "service.endpoints", "", 0, 1e9) || math.Abs(in-out) > 2.5 {
				t.Errorf("in-cluster %.1fs, LB %.1fs unavailable: want one unchanging endpoint, so the two alike", in, out)
			}
		},
		"in-cluster-isolated-master": func(t *testing.T, d report.Document) {
			out, in := d.Summary.Probes[0].Unavailable, d.Summary.Probes[1].Unavailable
			if !hasEvent(d, "service.endpoints", "", 30+5, 30+28) || in <= out {
				t.Errorf("in-cluster %.1fs, LB %.1fs unavailable: want the isolated master out of the endpoints 5-28 s after the cut, later than HAProxy's check drops it", in, out)
			}
		},
		"in-cluster-isolated-master-lb-address": func(t *testing.T, d report.Document) {
			out, in := d.Summary.Probes[0].Unavailable, d.Summary.Probes[1].Unavailable
			if hasEvent(d, "service.endpoints", "", 0, 1e9) || math.Abs(in-out) > 2.5 {
				t.Errorf("in-cluster %.1fs, LB %.1fs unavailable: want them alike", in, out)
			}
		},
		"lb-single-point-of-failure": func(t *testing.T, d report.Document) {
			if u := d.Summary.Probes[0].Unavailable; u < 29 {
				t.Errorf("single LB down 30 s, writes unavailable only %.1fs", u)
			}
		},
		"lb-long-lived-isolated-master": func(t *testing.T, d report.Document) {
			if fresh, ll := d.Summary.Probes[0].Unavailable, d.Summary.Probes[2].Unavailable; ll < 59 || fresh > 12 {
				t.Errorf("isolated master: long-lived client down %.1fs, fresh %.1fs; want the whole 60 s against about 10", ll, fresh)
			}
		},
		"lb-long-lived-shutdown-sessions": func(t *testing.T, d report.Document) {
			if ll := d.Summary.Probes[2].Unavailable; ll > 14 {
				t.Errorf("shutdown-sessions: long-lived client down %.1fs; want it back once HAProxy marks the master DOWN", ll)
			}
		},
		"lb-long-lived-master-crash": func(t *testing.T, d report.Document) {
			if p := d.Summary.Probes[2]; p.Failed != 100 {
				t.Errorf("crashed master: long-lived client failed %d requests, want 100 (the stream limit)", p.Failed)
			}
		},
		"nginx-master-crash": func(t *testing.T, d report.Document) {
			if fresh := d.Summary.Probes[0].Unavailable; fresh < 15 {
				t.Errorf("nginx, crashed master: fresh writes down %.1fs; want a third of the 60 s crash", fresh)
			}
		},
		"nginx-isolated-master": func(t *testing.T, d report.Document) {
			if fresh, ll := d.Summary.Probes[0].Unavailable, d.Summary.Probes[2].Unavailable; fresh < 15 || ll < 59 {
				t.Errorf("nginx, isolated master: fresh writes down %.1fs, long-lived %.1fs; want a third of the partition and all of it", fresh, ll)
			}
		},
		"lb-cloud-master-crash": func(t *testing.T, d report.Document) {
			// AWS NLB: two TCP checks 30 s apart; the long-lived client
			// redials after its 100 streams are held (10 s), and the flow
			// hash sends the new connection to a live master two times
			// in three.
			if fresh, ll := d.Summary.Probes[0].Unavailable, d.Summary.Probes[2].Unavailable; fresh < 12 || ll < 10 || math.Mod(ll, 10) != 0 || !hasReason(d, "lb.backend_down", "unhealthy threshold 2") {
				t.Errorf("cloud NLB, crashed master: fresh writes down %.1fs, long-lived %.1fs; want a third of the 40-70 s until the NLB marks it unhealthy, and 10 s for each connection the flow hash sends to the dead master", fresh, ll)
			}
		},
		"lb-cloud-isolated-master": func(t *testing.T, d report.Document) {
			// The TCP check never fails the live master; the kubelet restarts
			// its apiserver 70-82 s after the cut (/livez failed 8 times).
			if fresh, ll := d.Summary.Probes[0].Unavailable, d.Summary.Probes[2].Unavailable; fresh < 25 || ll < 69 || hasReason(d, "lb.backend_down", "") {
				t.Errorf("cloud NLB, isolated master: fresh writes down %.1fs, long-lived %.1fs; want a third of the partition and all of it until the apiserver's liveness restart", fresh, ll)
			}
		},
		"lb-vip-pair": func(t *testing.T, d report.Document) {
			if u := d.Summary.Probes[0].Unavailable; u > 10 || !hasEvent(d, "vip.moved", "", 30, 35) {
				t.Errorf("VIP pair: writes unavailable %.1fs; want the VIP moved within 5 s", u)
			}
		},
		"zone-outage-masters-1-1-1": func(t *testing.T, d report.Document) {
			if a := d.Summary.Probes[0].Availability; a < 0.9 {
				t.Errorf("1+1+1 masters should survive a zone: availability %.3f", a)
			}
		},
		"zone-outage-external-etcd": func(t *testing.T, d report.Document) {
			// Not 0.85: the apiservers' etcd clients keep the dead member
			// in rotation until their keepalive notices (30 s + 10 s), so
			// some /readyz probes time out and HAProxy drops live
			// apiservers for a while: about 0.79 over 30 seeds (21 s
			// of writes lost, 19-23 s).
			if a := d.Summary.Probes[0].Availability; a < 0.75 || d.Summary.Hosts != 7 {
				t.Errorf("external etcd through a one-zone outage: availability %.3f, %d hosts", a, d.Summary.Hosts)
			}
		},
		"zone-outage-masters-2-1": func(t *testing.T, d report.Document) {
			if u := d.Summary.Probes[0].Unavailable; u < 59 {
				t.Errorf("2+1 masters lose quorum with the zone: writes unavailable only %.1fs", u)
			}
		},
		"controllers-via-local-apiserver": func(t *testing.T, d report.Document) {
			if g := group(d, "kube-controller-manager"); g.Acquisitions != 1 {
				t.Errorf("controllers on their local apiserver lost their lease when the LB died")
			}
		},
		"controllers-via-lb": func(t *testing.T, d report.Document) {
			if !hasReason(d, "lease.lost", "deadline") {
				t.Errorf("controllers behind a dead LB kept their leases")
			}
		},
		"stacked-3-cloud-failures": func(t *testing.T, d report.Document) {
			// The maintenance window restarts the masters in turn, each
			// drained 30s before; host crashes arrive on named masters.
			var restarts []string
			crashes := 0
			for _, f := range d.Summary.Faults {
				if !strings.HasPrefix(f.Target, "master-") {
					t.Errorf("fault %q on %q, not a master", f.Name, f.Target)
				}
				switch {
				case strings.HasPrefix(f.Name, "maintenance ") && strings.HasSuffix(f.Name, ": restart"):
					restarts = append(restarts, f.Target)
				case strings.HasPrefix(f.Name, "host-crash "+f.Target):
					crashes++
				}
			}
			if !slices.Equal(restarts, []string{"master-1", "master-2", "master-3"}) || crashes < 2 {
				t.Errorf("restarts %v, %d host crashes: want master-1, master-2, master-3 and host crashes", restarts, crashes)
			}
			if a := d.Summary.Probes[0].Availability; a < 0.99 {
				t.Errorf("api-writes availability %.4f: a stacked 3 rides through one master down at a time", a)
			}
		},
		"years-stacked-3": func(t *testing.T, d report.Document) {
			a := annual(t, d)
			if a.Incidents.Count < 20 || a.Functions[0].Availability.Value < 0.9999 || !hasCause(a, "maintenance") || !hasCause(a, "host-crash") {
				t.Errorf("%d incidents, writes %.6f, causes %+v: want a stacked 3 to ride through a year of failures above 99.99%%",
					a.Incidents.Count, a.Functions[0].Availability.Value, a.Causes.Classes)
			}
			if cf := a.ClosedForm; cf == nil || cf.Functions[0].Name != "writes" || cf.Functions[0].Availability <= a.Functions[0].Availability.Value {
				t.Errorf("closed form %+v: want it beside the figures, above the simulated writes (failover is not instant)", cf)
			}
		},
		"years-external-3-3": func(t *testing.T, d report.Document) {
			a := annual(t, d)
			if a.Incidents.Count < 20 || a.Functions[0].Availability.Value < 0.9999 || !hasCause(a, "host-crash") || a.ClosedForm == nil {
				t.Errorf("%d incidents, writes %.6f, causes %+v", a.Incidents.Count, a.Functions[0].Availability.Value, a.Causes.Classes)
			}
		},
		"years-external-5-3": func(t *testing.T, d report.Document) {
			a := annual(t, d)
			if a.Incidents.Count < 10 || a.Functions[0].Availability.Value < 0.9999 || a.ClosedForm == nil {
				t.Errorf("%d incidents, writes %.6f", a.Incidents.Count, a.Functions[0].Availability.Value)
			}
		},
		"years-single-master": func(t *testing.T, d report.Document) {
			// Every monthly restart of the only master is downtime.
			a := annual(t, d)
			if share := causeShare(a, "maintenance"); share < 0.5 || a.Functions[0].Availability.Value > 0.9999 {
				t.Errorf("maintenance share %.2f, writes %.6f: want restarts of the only master to dominate, below 99.99%%", share, a.Functions[0].Availability.Value)
			}
		},
		"years-single-haproxy": func(t *testing.T, d report.Document) {
			a := annual(t, d)
			if share := causeShare(a, "lb-host-crash"); share < 0.5 {
				t.Errorf("load-balancer host crashes cause %.2f of the downtime: want the single HAProxy to dominate", share)
			}
		},
		"years-maintenance-only": func(t *testing.T, d report.Document) {
			// Twelve windows a year, each restarting three masters.
			a := annual(t, d)
			if share := causeShare(a, "maintenance"); share < 0.9 || a.Incidents.Count < 30 || a.Incidents.Count > 45 {
				t.Errorf("maintenance share %.2f over %d incidents: want 36 or so restarts, nearly all the downtime", share, a.Incidents.Count)
			}
		},
		"raft-paper-figure-16": func(t *testing.T, d report.Document) {
			// Five members, timeouts of 150-155 ms: the crash is
			// detected after at least half the timeout, and split votes
			// or refused stale candidates take more than one round.
			f := d.Summary.Faults[0]
			if f.NewLeader == nil || f.NewLeader.After < 0.075 || f.NewLeader.After > 3 || f.NewLeader.Term < f.TermBefore+2 ||
				!hasReason(d, "vote.rejected", "candidate's log is behind") || !hasReason(d, "fault.injected", "unequal logs: followers' logs past index") {
				t.Errorf("new leader %+v, want one 75 ms-3 s after the crash, after split votes and a stale candidate refused", f.NewLeader)
			}
		},
		"etcd-reference-kill": func(t *testing.T, d report.Document) {
			if f := d.Summary.Faults[0]; f.NewLeader == nil || f.NewLeader.After < 0.8 {
				t.Errorf("new leader %+v", f.NewLeader)
			}
		},
	}
	for _, e := range scenarios.Library() {
		t.Run(e.Name, func(t *testing.T) {
			story, ok := stories[e.Name]
			if !ok {
				t.Fatalf("no story test for built-in scenario %s", e.Name)
			}
			args := []string{"run", e.Name, "-o", "json"}
			if u, ok := storyHorizon[e.Name]; ok {
				args = append(args, "--until", u)
			}
			code, out, errs := run(context.Background(), "", args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			var d report.Document
			if err := json.Unmarshal([]byte(out), &d); err != nil {
				t.Fatal(err)
			}
			if len(d.Violations) > 0 {
				t.Fatalf("violations: %v", d.Violations)
			}
			story(t, d)
		})
	}
}

// storyHorizon shortens the library's scenarios of a hundred years for
// their stories: a year tells it (half for the costliest).
var storyHorizon = map[string]string{
	"years-stacked-3": "1y", "years-external-3-3": "1y", "years-external-5-3": "180d",
	"years-single-master": "1y", "years-single-haproxy": "1y", "years-maintenance-only": "1y",
}

// annual is a run's figures per year; the test fails without them.
func annual(t *testing.T, d report.Document) *report.AnnualFigures {
	t.Helper()
	if d.Annual == nil || len(d.Annual.Functions) == 0 {
		t.Fatal("no figures per year")
	}
	return d.Annual
}

// hasCause reports whether a failure class caused some downtime.
func hasCause(a *report.AnnualFigures, class string) bool { return causeShare(a, class) > 0 }

// causeShare is a failure class's share of the downtime.
func causeShare(a *report.AnnualFigures, class string) float64 {
	for _, c := range a.Causes.Classes {
		if c.Class == class {
			return c.Share
		}
	}
	return 0
}

func group(d report.Document, name string) report.GroupSummary {
	for _, g := range d.Summary.Groups {
		if g.Name == name {
			return g
		}
	}
	return report.GroupSummary{}
}

func hasEvent(d report.Document, event, member string, from, to float64) bool {
	for _, e := range d.Timeline {
		if e.Event == event && (member == "" || e.Member == member) && e.T >= from && e.T <= to {
			return true
		}
	}
	return false
}

func hasReason(d report.Document, event, reason string) bool {
	return hasReasonAfter(d, event, reason, 0)
}

func hasReasonAfter(d report.Document, event, reason string, after float64) bool {
	for _, e := range d.Timeline {
		if e.Event == event && e.T >= after && strings.Contains(e.Reason, reason) {
			return true
		}
	}
	return false
}

// TestExitCodesAndErrors: usage and validation errors exit 2 with a
// message naming the problem; help exits 0.
func TestExitCodesAndErrors(t *testing.T) {
	bad := "apiVersion: hasim.dev/v1alpha1\nkind: Scenario\nmetadata: {name: x}\nspec:\n  horizon: 10s\n  zones: [{name: a}]\n  hosts: [{name: h, zone: b}]\n  etcd: {members: [h]}\n"
	cases := []struct {
		name     string
		stdin    string
		args     []string
		code     int
		inStderr string
		inStdout string
	}{
		{"no verb", "", nil, 2, "Usage:", ""},
		{"unknown verb", "", []string{"frobnicate"}, 2, `unknown command "frobnicate"`, ""},
		{"help", "", []string{"help"}, 0, "", "Usage:"},
		{"run help", "", []string{"run", "--help"}, 0, "", "Examples:"},
		{"bad flag", "", []string{"run", "--sed", "3"}, 2, "unknown flag: --sed", ""},
		{"bad output", "", []string{"run", "-o", "xml"}, 2, `--output "xml": allowed table, json, yaml, csv`, ""},
		{"unknown scenario", "", []string{"run", "no-such"}, 2, `"no-such" is neither a file nor a built-in scenario`, ""},
		{"invalid stdin", bad, []string{"run", "-"}, 2, `-:7:21: spec.hosts[0].zone: zone "b" is not defined; defined zones: a`, ""},
		{"validate invalid", bad, []string{"validate", "-"}, 2, "spec.hosts[0].zone", ""},
		{"validate library file", "", []string{"validate", "../../scenarios/library/etcd-slow-disk.yaml"}, 0, "", "etcd-slow-disk.yaml: ok"},
		{"scenarios list", "", []string{"scenarios", "list"}, 0, "", "* stacked-3-master-crash"},
		{"scenarios show", "", []string{"scenarios", "show", "etcd-slow-disk"}, 0, "", "kind: slow-disk"},
		{"scenarios show unknown", "", []string{"scenarios", "show", "nope"}, 2, "no built-in scenario", ""},
		{"version", "", []string{"version"}, 0, "", "hasim "},
		{"explain defaults", "", []string{"explain", "lb-vip-pair"}, 0, "", "spec.etcd.heartbeatInterval                            100ms                  default: etcd --heartbeat-interval"},
		{"explain set values", "", []string{"explain", "etcd-reference-kill"}, 0, "", "spec.etcd.version                     3.4                    scenario file"},
		{"explain topology", "", []string{"explain", "lb-vip-pair"}, 0, "", "lb-2           zone-b   haproxy-lb-2, keepalived-lb-2"},
		{"compare needs two", "", []string{"compare", "etcd-leader-kill"}, 2, "want at least two scenarios", ""},
		{"compare bad output", "", []string{"compare", "etcd-leader-kill", "etcd-quorum-loss", "-o", "xml"}, 2, `--output "xml": allowed table, json, yaml, csv`, ""},
		{"until and seed", "", []string{"run", "etcd-leader-kill", "--until", "40s", "--seed", "9", "-q"}, 0, "", "# hasim run etcd-leader-kill --seed 9 --until 40s"},
		{"set bad value", "", []string{"run", "etcd-leader-kill", "--set", "spec.etcd.electionTimeout=abc"}, 2, `--set spec.etcd.electionTimeout=abc: want a duration such as 100ms`, ""},
		{"set no value", "", []string{"explain", "etcd-leader-kill", "--set", "spec.etcd.electionTimeout"}, 2, `want PATH=VALUE`, ""},
		{"set compare", "", []string{"compare", "etcd-leader-kill", "etcd-quorum-loss", "--set", "spec.etcd.members[nope]=x"}, 2, `--set spec.etcd.members[nope]=x: spec.etcd.members has no element named "nope"`, ""},
		{"set run reproduces", "", []string{"run", "etcd-leader-kill", "--until", "40s", "-q", "--set", "spec.etcd.electionTimeout=2s", "--set", "spec.hosts[0].disk.fsync={value: 3ms}"}, 0, "",
			"# hasim run etcd-leader-kill --seed 1 --until 40s --set spec.etcd.electionTimeout=2s --set 'spec.hosts[0].disk.fsync={value: 3ms}'"},
		{"set explain", "", []string{"explain", "etcd-leader-kill", "--set", "spec.etcd.electionTimeout=2s"}, 0, "", "2s                     --set spec.etcd.electionTimeout=2s"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := run(context.Background(), tc.stdin, tc.args...)
			if code != tc.code || !strings.Contains(errs, tc.inStderr) || !strings.Contains(out, tc.inStdout) {
				t.Fatalf("exit %d (want %d)\nstdout: %s\nstderr: %s", code, tc.code, out, errs)
			}
		})
	}
}

// TestVerbHelpOnStdout: every verb's help (--help, -h, hasim help VERB)
// goes to standard output with exit 0 and nothing on standard error, like
// hasim --help.
func TestVerbHelpOnStdout(t *testing.T) {
	for _, verb := range []string{"run", "compare", "validate", "explain", "scenarios", "version"} {
		for _, args := range [][]string{{verb, "--help"}, {verb, "-h"}, {"help", verb}} {
			code, out, errs := run(context.Background(), "", args...)
			if code != 0 || errs != "" || !strings.Contains(out, "Usage: hasim "+verb) {
				t.Errorf("hasim %s: exit %d (want 0)\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, out, errs)
			}
		}
	}
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}, {"help", "--help"}, {"help", "-h"}} {
		code, out, errs := run(context.Background(), "", args...)
		if code != 0 || errs != "" || !strings.HasPrefix(out, "hasim simulates") {
			t.Errorf("hasim %s: exit %d (want 0)\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, out, errs)
		}
	}
	if code, _, errs := run(context.Background(), "", "version", "extra"); code != 2 || !strings.Contains(errs, "takes no arguments") {
		t.Errorf("hasim version extra: exit %d, stderr %q", code, errs)
	}
}

// TestValidateNames: hasim validate takes built-in scenario names as run
// and explain do, files beside them, and names an unknown one.
func TestValidateNames(t *testing.T) {
	code, out, errs := run(context.Background(), "", "validate", "etcd-leader-kill", "../../scenarios/library/etcd-slow-disk.yaml", "stacked-3-master-crash")
	if code != 0 || out != "etcd-leader-kill: ok\n../../scenarios/library/etcd-slow-disk.yaml: ok\nstacked-3-master-crash: ok\n" {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out, errs)
	}
	code, out, errs = run(context.Background(), "", "validate", "etcd-leader-kill", "no-such")
	if code != 2 || out != "etcd-leader-kill: ok\n" || !strings.Contains(errs, `"no-such" is neither a file nor a built-in scenario`) {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out, errs)
	}
}

// TestCompareIsDeterministic: hasim compare prints the same bytes for any
// number of workers (results merge in a fixed order), in every format,
// pinned by golden files.
func TestCompareIsDeterministic(t *testing.T) {
	for _, format := range []string{"table", "json", "yaml", "csv"} {
		var first string
		for _, w := range []string{"1", "2", "4"} {
			code, out, errs := run(context.Background(), "", "compare", "stacked-3-master-crash", "worked-timeline-c-paused-kcm",
				"--runs", "8", "--workers", w, "-o", format)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			if first == "" {
				first = out
			} else if out != first {
				t.Fatalf("-o %s: output with %s workers differs from 1 worker", format, w)
			}
		}
		golden.Check(t, filepath.Join("testdata", "compare."+format+".golden"), first)
	}
}

// TestClosedFormBesideTheFigures: for a scenario with failure processes,
// run's summary and compare's JSON carry the closed form, with what it
// assumes; a scripted scenario has none.
func TestClosedFormBesideTheFigures(t *testing.T) {
	code, out, errs := run(context.Background(), "", "run", "stacked-3-cloud-failures", "-q")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"Closed form beside it (instant failover", "| writes ", "| etcd quorum "} {
		if !strings.Contains(out, want) {
			t.Errorf("run's summary lacks %q", want)
		}
	}
	code, out, errs = run(context.Background(), "", "compare", "stacked-3-cloud-failures", "stacked-3-master-crash", "--runs", "2", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var doc struct {
		Scenarios []struct {
			Scenario string `json:"scenario"`
			Annual   *struct {
				ClosedForm *struct {
					Assumption string `json:"assumption"`
					Functions  []struct {
						Name         string  `json:"name"`
						Availability float64 `json:"availability"`
					} `json:"functions"`
				} `json:"closedForm"`
			} `json:"annual"`
		} `json:"scenarios"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Scenarios) != 2 || doc.Scenarios[0].Annual == nil || doc.Scenarios[0].Annual.ClosedForm == nil || doc.Scenarios[1].Annual != nil {
		t.Fatalf("closed forms: %+v", doc.Scenarios)
	}
	cf := doc.Scenarios[0].Annual.ClosedForm
	if !strings.Contains(cf.Assumption, "instant failover") || len(cf.Functions) != 3 || cf.Functions[0].Name != "writes" ||
		!(cf.Functions[0].Availability > 0.9 && cf.Functions[0].Availability < 1) {
		t.Errorf("closed form %+v", cf)
	}
}

// TestMaxRecords: --max-records bounds the timeline a run keeps; the
// figures still count every record, and the JSON says how many were not
// kept.
func TestMaxRecords(t *testing.T) {
	code, out, errs := run(context.Background(), "", "run", "stacked-3-cloud-failures", "--max-records", "50", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var d struct {
		Timeline       []json.RawMessage `json:"timeline"`
		RecordsDropped int               `json:"recordsDropped"`
	}
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatal(err)
	}
	if len(d.Timeline) != 50 || d.RecordsDropped < 100 {
		t.Errorf("%d records kept, %d dropped; want 50 kept and the rest dropped", len(d.Timeline), d.RecordsDropped)
	}
	if code, _, _ := run(context.Background(), "", "run", "stacked-3-cloud-failures", "--max-records", "0"); code != 2 {
		t.Errorf("--max-records 0: exit %d, want 2", code)
	}
	if code, _, errs := run(context.Background(), "", "run", "stacked-3-cloud-failures", "--incidents", "-2"); code != 2 || !strings.Contains(errs, "--incidents must be positive") {
		t.Errorf("--incidents -2: exit %d (%s), want 2", code, errs)
	}
}

// TestGoldenReadmeSweep keeps the README's pictures of the built-in lease
// study what `hasim sweep` draws today: the takeover time against the
// lease duration, and the acting split brain over lease duration and
// renew deadline (the second from the first's results, resumed).
func TestGoldenReadmeSweep(t *testing.T) {
	dir := t.TempDir()
	results := filepath.Join(dir, "lease.runs.jsonl")
	curves, heat := filepath.Join(dir, "failover.svg"), filepath.Join(dir, "acting.svg")
	ctx := context.Background()
	if code, _, errs := run(ctx, "", "sweep", "lease-renew-paused-leader", "-q", "--results", results,
		"--svg", curves, "--plot", "failover.kube-controller-manager", "--x", "leaseDuration"); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if code, _, errs := run(ctx, "", "sweep", "lease-renew-paused-leader", "-q", "--results", results, "--resume",
		"--svg", heat, "--plot", "actingSplitBrain.kube-controller-manager", "--x", "leaseDuration", "--y", "renewDeadline"); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, p := range []struct{ got, golden string }{{curves, "sweep-lease-failover.svg"}, {heat, "sweep-lease-acting-heatmap.svg"}} {
		data, err := os.ReadFile(p.got)
		if err != nil {
			t.Fatal(err)
		}
		golden.Check(t, filepath.Join("..", "..", "docs", p.golden), string(data))
	}

	// The README's table of the sweep and its recommendation, some rows.
	code, out, errs := run(ctx, "", "sweep", "lease-renew-paused-leader", "-q", "--results", results, "--resume")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	golden.CheckQuote(t, filepath.Join("..", "..", "README.md"), "$ hasim sweep lease-renew-paused-leader",
		pickRows(out, 5, "...", "| 10s | 5s | failover.", "| 10s | 5s | actingSplitBrain.", "| 15s | 10s | failover.",
			"| 15s | 10s | actingSplitBrain.", "| 40s | 10s | failover.", "| 40s | 10s | noLeader.", "| 40s | 10s | actingSplitBrain."))
	code, out, errs = run(ctx, "", "recommend", results, "--target", "failover.kube-controller-manager.p99 <= 20s")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	rec := pickRows(out, 0, "", "| 10s | 5s |", "| 15s | 5s |", "| 15s | 10s |", "| 20s | 5s |", "| 40s | 5s |")
	for l := range strings.Lines(out) {
		if k := strings.Index(l, "; "); strings.HasPrefix(l, "Recommended: ") && k > 0 {
			rec += "...\n" + l[:k] + "; ..."
		}
	}
	golden.CheckQuote(t, filepath.Join("..", "..", "README.md"),
		"$ hasim recommend lease-renew-paused-leader.runs.jsonl --target 'failover.kube-controller-manager.p99 <= 20s'", "...\n"+rec)
}

// pickRows is the first head lines of a table's output, then the rows
// whose first cells (spaces squeezed) start as one of rows says, in the
// table's order, then tail (if not empty) on a line of its own.
func pickRows(out string, head int, tail string, rows ...string) string {
	lines := strings.Split(out, "\n")
	var b strings.Builder
	for _, l := range lines[:min(head, len(lines))] {
		b.WriteString(l + "\n")
	}
	for _, l := range lines[head:] {
		squeezed := strings.Join(strings.Fields(l), " ")
		if slices.ContainsFunc(rows, func(r string) bool { return strings.HasPrefix(squeezed, r) }) {
			b.WriteString(l + "\n")
		}
	}
	if tail != "" {
		b.WriteString(tail + "\n")
	}
	return b.String()
}
