package scenarios

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// base is a valid scenario that the bad-input cases mutate.
const base = `apiVersion: hasim.dev/v1alpha1
kind: Scenario
metadata:
  name: t
spec:
  horizon: 60s
  zones:
    - name: a
    - name: b
  hosts:
    - {name: h1, zone: a}
    - {name: h2, zone: b}
    - {name: h3, zone: b}
  etcd:
    members: [h1, h2, h3]
  probes:
    - {name: w, host: h1}
  faults:
    - {kind: process-kill, target: "leader:etcd", at: 10s, duration: 5s}
`

// TestLoadBadInputs: each bad input gives exactly these errors, with file,
// line, column, field path and what is allowed.
func TestLoadBadInputs(t *testing.T) {
	for _, tc := range badCases {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(base, tc.from, tc.to, 1)
			if src == base {
				t.Fatalf("mutation %q not found in the base scenario", tc.from)
			}
			_, err := Load("f.yaml", []byte(src))
			if err == nil {
				t.Fatalf("accepted:\n%s", src)
			}
			got := strings.Split(err.Error(), "\n")
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

// badCases mutate base (replace from by to, once) into an invalid scenario
// and list the exact errors expected.
var badCases = []struct {
	name, from, to string
	want           []string
}{
	// Failure processes (failures.go).
	{"unknown failure profile", "  faults:", "  failureProfile: aws\n  faults:",
		[]string{`f.yaml:18:3: spec.failureProfile: unknown profile "aws"; allowed: cloud, bare-metal`}},
	{"failure unknown kind", "  faults:", "  failures: [{kind: join-control-plane, target: hosts, mtbf: 1y, mttr: 1h}]\n  faults:",
		[]string{`f.yaml:18:15: spec.failures[0].kind: unknown kind "join-control-plane"; allowed: host-crash, zone-outage, process-kill, process-crash, process-pause, host-pause, partition, link, slow-disk, process-stop, api-error, api-block, clock-step, clock-drift, maintenance (operations are scripted faults only)`}},
	{"failure without kind", "  faults:", "  failures: [{name: disk-loss, target: hosts, mtbf: 1y, mttr: 1h}]\n  faults:",
		[]string{`f.yaml:18:14: spec.failures[0].kind: required: "disk-loss" is not a class of failureProfile (none), so it needs a kind`}},
	{"failure unknown target", "  faults:", "  failures: [{kind: host-crash, target: racks, mtbf: 1y, mttr: 1h}]\n  faults:",
		[]string{`f.yaml:18:33: spec.failures[0].target: unknown target "racks"; allowed: control-plane, load-balancers, hosts, zones, zone-pairs, role:NAME, host:NAME, zone:NAME`}},
	{"failure undefined host", "  faults:", "  failures: [{kind: host-crash, target: \"host:h9\", mtbf: 1y, mttr: 1h}]\n  faults:",
		[]string{`f.yaml:18:33: spec.failures[0].target: host "h9" is not defined; defined hosts: h1, h2, h3`}},
	{"failure no tbf", "  faults:", "  failures: [{kind: host-crash, target: hosts, mttr: 1h}]\n  faults:",
		[]string{`f.yaml:18:14: spec.failures[0].mtbf: required: the time between failures: mtbf (e.g. 1y), rate (e.g. 2/y) or tbf (a distribution)`}},
	{"failure two tbfs", "  faults:", "  failures: [{kind: host-crash, target: hosts, mtbf: 1y, rate: 2/y, mttr: 1h}]\n  faults:",
		[]string{`f.yaml:18:48: spec.failures[0].mtbf: set one of mtbf, rate and tbf`}},
	{"failure bad rate", "  faults:", "  failures: [{kind: host-crash, target: hosts, rate: often, mttr: 1h}]\n  faults:",
		[]string{`f.yaml:18:54: spec.failures[0].rate: want a rate such as 2/y, 1/30d or 0.5/d (failures per unit of time), got "often"`}},
	{"failure no ttr", "  faults:", "  failures: [{kind: host-crash, target: hosts, mtbf: 1y}]\n  faults:",
		[]string{`f.yaml:18:14: spec.failures[0].mttr: required: the time to repair: mttr (e.g. 1h) or ttr (a distribution)`}},
	{"failure too frequent", "  faults:", "  failures: [{kind: host-crash, target: hosts, mtbf: 10s, mttr: 1h}]\n  faults:",
		[]string{`f.yaml:18:48: spec.failures[0].mtbf: mean time between failures 10s; allowed: at least 1m`}},
	{"failure bad distribution", "  faults:", "  failures: [{kind: host-crash, target: hosts, tbf: {dist: gamma, mean: 1y}, mttr: 1h}]\n  faults:",
		[]string{`f.yaml:18:54: spec.failures[0].tbf.dist: unknown distribution "gamma"; allowed: exponential, weibull, lognormal, fixed, uniform, empirical`}},
	{"failure weibull missing scale", "  faults:", "  failures: [{kind: host-crash, target: hosts, tbf: {shape: 0.7}, mttr: 1h}]\n  faults:",
		[]string{`f.yaml:18:48: spec.failures[0].tbf: a weibull distribution needs shape and scale`}},
	{"failure parameter of another family", "  faults:", "  failures: [{kind: host-crash, target: hosts, mtbf: 1y, ttr: {median: 1h, sigma: 1, mean: 2h}}]\n  faults:",
		[]string{`f.yaml:18:86: spec.failures[0].ttr.mean: not a parameter of a lognormal distribution (its parameters: median, sigma)`}},
	{"failure bad day duration", "  faults:", "  failures: [{kind: host-crash, target: hosts, mtbf: 1 year, mttr: 1h}]\n  faults:",
		[]string{`f.yaml:18:54: spec.failures[0].mtbf: want a duration such as 100ms, 1.5s, 30d or 1y, got "1 year"`}},
	{"failure bad pick", "  faults:", "  failures: [{kind: host-crash, target: hosts, pick: some, mtbf: 1y, mttr: 1h}]\n  faults:",
		[]string{`f.yaml:18:48: spec.failures[0].pick: unknown pick "some"; allowed: each (every member has its own process), one (one member at random per arrival)`}},
	{"failure zone outage on hosts", "  faults:", "  failures: [{kind: zone-outage, target: hosts, mtbf: 1y, mttr: 1h}]\n  faults:",
		[]string{`f.yaml:18:34: spec.failures[0].target: "hosts": a zone-outage targets zones or zone:NAME`}},
	{"failure zone-pairs host crash", "  faults:", "  failures: [{kind: host-crash, target: zone-pairs, mtbf: 1y, mttr: 1h}]\n  faults:",
		[]string{`f.yaml:18:33: spec.failures[0].target: zone-pairs (the links between zones) is a target for partition and link failures, not host-crash`}},
	{"failure parameter of another kind", "  faults:", "  failures: [{kind: host-crash, target: hosts, mtbf: 1y, mttr: 1h, fsync: {value: 1s}}]\n  faults:",
		[]string{`f.yaml:18:68: spec.failures[0].fsync: applies only to slow-disk failures, not host-crash`}},
	{"failure slow disk without fsync", "  faults:", "  failures: [{kind: slow-disk, target: \"role:etcd\", mtbf: 1y, mttr: 1h}]\n  faults:",
		[]string{`f.yaml:18:14: spec.failures[0]: a slow-disk failure needs fsync, e.g. fsync: {median: 200ms, sigma: 0.5}`}},
	{"failure clock drift rate", "  faults:", "  failures: [{kind: clock-drift, target: hosts, mtbf: 1y, mttr: 1h, clockRate: 20}]\n  faults:",
		[]string{`f.yaml:18:69: spec.failures[0].clockRate: 20 out of range; allowed: 0.1 to 10`}},
	{"failure defined twice", "  faults:", "  failures: [{kind: host-crash, target: hosts, mtbf: 1y, mttr: 1h}, {kind: host-crash, target: zones, mtbf: 1y, mttr: 1h}]\n  faults:",
		[]string{`f.yaml:18:69: spec.failures[1].name: failure "host-crash" is defined twice (failures[0])`}},
	{"maintenance without every", "  faults:", "  failures: [{kind: maintenance, target: \"role:etcd\"}]\n  faults:",
		[]string{`f.yaml:18:14: spec.failures[0].every: required: the maintenance period, e.g. 30d`}},
	{"maintenance with mtbf", "  faults:", "  failures: [{kind: maintenance, every: 30d, mtbf: 1y}]\n  faults:",
		[]string{`f.yaml:18:46: spec.failures[0].mtbf: maintenance runs on a schedule (every), without mtbf, rate or tbf`}},
	{"maintenance after the horizon", "  faults:", "  failures: [{kind: maintenance, every: 30d, start: 2m}]\n  faults:",
		[]string{`f.yaml:18:46: spec.failures[0].start: 2m0s is at or after the horizon (1m0s): no maintenance would happen`}},
	{"override of a preset with a bad field", "  faults:", "  failureProfile: cloud\n  failures: [{name: zone-outage, target: \"zone:c\"}]\n  faults:",
		[]string{`f.yaml:19:34: spec.failures[0].target: zone "c" is not defined; defined zones: a, b`}},
	{"failure unknown field", "  faults:", "  failures: [{kind: host-crash, target: hosts, mtbf: 1y, mttr: 1h, mtff: 1y}]\n  faults:",
		[]string{`f.yaml:18:68: spec.failures[0]: unknown field "mtff" (did you mean "mtbf"?)`}},
	{"unknown topology", "  probes:", "  controlPlane: {topology: hyperconverged, masters: [h1]}\n  probes:", []string{`f.yaml:16:18: spec.controlPlane.topology: unknown topology "hyperconverged"; allowed: stacked, external`}},
	{"master not defined", "  probes:", "  controlPlane: {topology: stacked, masters: [h1, h9]}\n  probes:", []string{`f.yaml:15:5: spec.etcd.members: a stacked topology runs one member on each master: list the masters, or omit members`, `f.yaml:16:51: spec.controlPlane.masters[1]: host "h9" is not defined; defined hosts: h1, h2, h3`}},
	{"stacked members differ", "  probes:", "  controlPlane: {topology: stacked, masters: [h1]}\n  probes:", []string{`f.yaml:15:5: spec.etcd.members: a stacked topology runs one member on each master: list the masters, or omit members`}},
	{"external etcd on a master", "  probes:", "  controlPlane: {topology: external, masters: [h1]}\n  probes:", []string{`f.yaml:15:15: spec.etcd.members[0]: host "h1" is a master: external etcd runs on its own hosts (or use topology: stacked)`}},
	{"haproxy with two hosts", "  probes:", "  controlPlane: {topology: external, masters: [h9], loadBalancer: {kind: haproxy, hosts: [h1, h2]}}\n  probes:", []string{`f.yaml:16:48: spec.controlPlane.masters[0]: host "h9" is not defined; defined hosts: h1, h2, h3`, `f.yaml:16:83: spec.controlPlane.loadBalancer.hosts: haproxy runs on one host (for two behind a VIP use kind keepalived)`}},
	{"unknown trigger event", "duration: 5s}", "duration: 5s, on: {event: leader.elected}}", []string{`f.yaml:19:79: spec.faults[0].on.event: unknown event "leader.elected"; allowed: fault.injected, fault.healed, host.down, host.up, process.stopped, process.started, process.paused, process.resumed, member.precandidate, member.candidate, member.leader, member.follower, leader.stepdown, vote.ignored, vote.rejected, term.first_commit, probe.unavailable, probe.available, apiserver.ready, apiserver.unready, lease.acquired, lease.renewed, lease.lost, lease.released, lease.split_brain, lease.split_brain_ended, lease.acting_split_brain, lease.acting_split_brain_ended, process.exited, process.restarted, clock.changed, lb.backend_down, lb.backend_up, vip.moved, node.lease_failing, node.lease_ok, node.not_ready, node.ready, node.tainted, node.untainted, pod.evicted, pod.created, pod.scheduled, pod.started, pods.stopped, controller.synced, service.endpoints, service.proxy_rules, member.added, member.promoted, member.removed, member.left, operation.retrying, operation.done, operation.failed`}},
	{"cached read without via", "{name: w, host: h1}", "{name: w, host: h1, kind: cached-read}", []string{`f.yaml:17:27: spec.probes[0].kind: unknown kind "cached-read" for an etcd client; allowed: write, read, serializable-read (cached-read and schedule need via)`}},
	{"undefined zone", "{name: h1, zone: a}", "{name: h1, zone: c}",
		[]string{`f.yaml:11:18: spec.hosts[0].zone: zone "c" is not defined; defined zones: a, b (a host that runs only probes may omit zone)`}},
	{"etcd member outside every zone", "{name: h1, zone: a}", "{name: h1}",
		[]string{`f.yaml:11:7: spec.hosts[0].zone: host "h1" runs an etcd member, so it needs a zone (defined zones: a, b); only a host that runs nothing but probes (a client, the users) may have none`}},
	{"duplicate host", "{name: h3, zone: b}", "{name: h2, zone: b}",
		[]string{`f.yaml:13:8: spec.hosts[2].name: host "h2" is defined twice`, `f.yaml:15:23: spec.etcd.members[2]: host "h3" is not defined; defined hosts: h1, h2`}},
	{"duplicate zone", "    - name: b\n", "    - name: a\n",
		[]string{`f.yaml:9:7: spec.zones[1].name: zone "a" is defined twice`, `f.yaml:12:18: spec.hosts[1].zone: zone "b" is not defined; defined zones: a (a host that runs only probes may omit zone)`, `f.yaml:13:18: spec.hosts[2].zone: zone "b" is not defined; defined zones: a (a host that runs only probes may omit zone)`}},
	{"empty quorum", "members: [h1, h2, h3]", "members: []",
		[]string{`f.yaml:15:5: spec.etcd.members: an etcd cluster needs at least one member (an empty quorum cannot commit)`}},
	{"member on undefined host", "members: [h1, h2, h3]", "members: [h1, h2, h9]",
		[]string{`f.yaml:15:23: spec.etcd.members[2]: host "h9" is not defined; defined hosts: h1, h2, h3`}},
	{"two members on a host", "members: [h1, h2, h3]", "members: [h1, h2, h2]",
		[]string{`f.yaml:15:23: spec.etcd.members[2]: host "h2" already runs a member`}},
	{"election timeout too short", "members: [h1, h2, h3]", "members: [h1, h2, h3]\n    electionTimeout: 300ms",
		[]string{`f.yaml:16:5: spec.etcd.electionTimeout: 300ms must be at least 5 × heartbeatInterval (500ms), as etcd requires`}},
	{"election timeout too long", "members: [h1, h2, h3]", "members: [h1, h2, h3]\n    electionTimeout: 60s",
		[]string{`f.yaml:16:5: spec.etcd.electionTimeout: 1m0s exceeds etcd's maximum of 50s`}},
	{"unknown version", "members: [h1, h2, h3]", "members: [h1, h2, h3]\n    version: \"3.3\"",
		[]string{`f.yaml:16:5: spec.etcd.version: unknown version "3.3"; allowed: 3.4, 3.5, 3.6`}},
	{"unknown tick phase", "members: [h1, h2, h3]", "members: [h1, h2, h3]\n    tickPhase: skewed",
		[]string{`f.yaml:16:5: spec.etcd.tickPhase: unknown phase "skewed"; allowed: random, aligned`}},
	{"fault after horizon", "at: 10s", "at: 90s",
		[]string{`f.yaml:19:51: spec.faults[0].at: 1m30s is at or after the horizon (1m0s): the fault would never happen`}},
	{"process-crash with a duration", "kind: process-kill", "kind: process-crash",
		[]string{`f.yaml:19:61: spec.faults[0].duration: process-crash takes no duration: the kubelet restarts the process, after its back-off (process-kill keeps it down for a duration)`}},
	{"process-crash of a process no kubelet runs", `{kind: process-kill, target: "leader:etcd", at: 10s, duration: 5s}`, `{kind: process-crash, target: "host:h1", process: keepalived, at: 10s}`,
		[]string{`f.yaml:19:48: spec.faults[0].process: "keepalived" is not a static pod the kubelet restarts; process-crash allows etcd, kube-apiserver, kube-controller-manager, kube-scheduler, cloud-controller-manager, kube-vip (process-kill stops any process for a duration)`}},
	{"failure process-crash with a time to repair", "  faults:", "  failures: [{kind: process-crash, target: \"role:etcd\", mtbf: 1y, mttr: 1h}]\n  faults:",
		[]string{`f.yaml:18:67: spec.failures[0].mttr: process-crash takes no time to repair (mttr, ttr): the kubelet restarts the process, after its back-off; process-kill keeps it down for a time to repair`}},
	{"failure process-crash of a process no kubelet runs", "  faults:", "  failures: [{kind: process-crash, target: \"role:kubelet\", mtbf: 1y}]\n  faults:",
		[]string{`f.yaml:18:36: spec.failures[0].target: "kubelet" is not a static pod the kubelet restarts; process-crash allows etcd, kube-apiserver, kube-controller-manager, kube-scheduler, cloud-controller-manager, kube-vip (process-kill stops any process for a time to repair)`}},
	{"unknown fault kind", "kind: process-kill", "kind: reboot",
		[]string{`f.yaml:19:8: spec.faults[0].kind: unknown kind "reboot"; allowed: host-crash, zone-outage, process-kill, process-crash, process-pause, host-pause, partition, link, slow-disk, process-stop, api-error, api-block, clock-step, clock-drift, join-control-plane, remove-etcd-member`}},
	{"bad target syntax", `target: "leader:etcd"`, `target: "etcd-1"`,
		[]string{`f.yaml:19:28: spec.faults[0].target: target "etcd-1": want host:NAME, zone:NAME, role:NAME, leader:GROUP or connection:PROBE`}},
	{"connection of a probe without one", `target: "leader:etcd"`, `target: "connection:w"`,
		[]string{`f.yaml:19:28: spec.faults[0].target: probe "w" has no long-lived connection; probes with one: none`}},
	{"undefined target host", `target: "leader:etcd"`, `target: "host:h7"`,
		[]string{`f.yaml:19:28: spec.faults[0].target: host "h7" is not defined; defined hosts: h1, h2, h3`}},
	{"unknown role", `target: "leader:etcd"`, `target: "role:frontend"`,
		[]string{`f.yaml:19:28: spec.faults[0].target: unknown role "frontend"; allowed: etcd, client, kube-apiserver, kube-controller-manager, kube-scheduler, cloud-controller-manager, kubelet, load-balancer, keepalived, kube-vip`}},
	{"unknown leader group", `target: "leader:etcd"`, `target: "leader:kcm"`,
		[]string{`f.yaml:19:28: spec.faults[0].target: target "leader:kcm": leader groups are etcd, kube-controller-manager, kube-scheduler, cloud-controller-manager, kube-vip`}},
	{"field for another kind", "duration: 5s}", "duration: 5s, oneWay: true}",
		[]string{`f.yaml:19:74: spec.faults[0].oneWay: applies only to partition faults, not process-kill`}},
	{"zone outage needs zone", `{kind: process-kill, target: "leader:etcd"`, `{kind: zone-outage, target: "host:h1"`,
		[]string{`f.yaml:19:27: spec.faults[0].target: a zone-outage targets a zone (zone:NAME)`}},
	{"link without effect", `{kind: process-kill, target: "leader:etcd"`, `{kind: link, target: "host:h1"`,
		[]string{`f.yaml:19:7: spec.faults[0]: a link fault needs latency, loss or both`}},
	{"slow disk without fsync", `{kind: process-kill, target: "leader:etcd"`, `{kind: slow-disk, target: "host:h1"`,
		[]string{`f.yaml:19:7: spec.faults[0]: a slow-disk fault needs fsync, e.g. fsync: {value: 2s}`}},
	{"loss not a probability", "  probes:", "  network: {loss: 1.5}\n  probes:",
		[]string{`f.yaml:16:13: spec.network.loss: 1.5 is not a probability; allowed: 0 to 1`}},
	{"bad distribution field", "  probes:", "  network: {sameZone: {value: 1ms, max: 2ms}}\n  probes:",
		[]string{`f.yaml:16:36: spec.network.sameZone.max: not a parameter of a constant distribution (its parameters: value)`}},
	{"uniform needs both bounds", "  probes:", "  network: {sameZone: {min: 1ms}}\n  probes:",
		[]string{`f.yaml:16:23: spec.network.sameZone: a uniform distribution needs min and max`}},
	{"unknown distribution", "  probes:", "  network: {sameZone: {dist: pareto, value: 1ms}}\n  probes:",
		[]string{`f.yaml:16:24: spec.network.sameZone.dist: unknown distribution "pareto"; allowed: constant, uniform, lognormal, empirical`}},
	{"empirical not from 0", "  probes:", "  network: {reconnect: {points: [{p: 0.1, value: 1ms}, {p: 1, value: 2ms}]}}\n  probes:",
		[]string{`f.yaml:16:24: spec.network.reconnect: empirical needs at least two points, from p=0 to p=1`}},
	{"bad probe kind", "{name: w, host: h1}", "{name: w, host: h1, kind: delete}",
		[]string{`f.yaml:17:27: spec.probes[0].kind: unknown kind "delete" for an etcd client; allowed: write, read, serializable-read (cached-read and schedule need via)`}},
	{"probe endpoint", "{name: w, host: h1}", "{name: w, host: h1, endpoints: [etcd-4]}",
		[]string{`f.yaml:17:39: spec.probes[0].endpoints[0]: no etcd member "etcd-4"; members: etcd-1, etcd-2, etcd-3`}},
	{"probe host", "{name: w, host: h1}", "{name: w, host: nowhere}",
		[]string{`f.yaml:17:17: spec.probes[0].host: host "nowhere" is not defined; defined hosts: h1, h2, h3 (or client, the users' host outside every zone)`}},
	{"bad clock rate", "{name: h1, zone: a}", "{name: h1, zone: a, clock: {rate: 0}}",
		[]string{`f.yaml:11:35: spec.hosts[0].clock.rate: 0 out of range; allowed: 0.1 to 10 (1 is a perfect clock; NTP keeps real ones within 0.9995 to 1.0005)`}},
	{"bad name", "name: t", "name: My_Cluster",
		[]string{`f.yaml:4:3: metadata.name: "My_Cluster": want lower-case letters, digits and dashes, starting with a letter, at most 63 characters`}},
	{"wrong api version", "hasim.dev/v1alpha1", "hasim.dev/v2",
		[]string{`f.yaml:1:1: apiVersion: want "hasim.dev/v1alpha1", got "hasim.dev/v2"`}},
	{"negative duration", "horizon: 60s", "horizon: -60s",
		[]string{`f.yaml:6:12: spec.horizon: want a non-negative duration, got "-60s"`}},
	{"zero horizon", "horizon: 60s", "horizon: 0s",
		[]string{`f.yaml:6:3: spec.horizon: must be positive, e.g. 60s`}},
	{"typo with suggestion", "horizon: 60s", "horizn: 60s",
		[]string{`f.yaml:6:3: spec: unknown field "horizn" (did you mean "horizon"?)`}},
	{"no zones", "  zones:\n    - name: a\n    - name: b\n", "  zones: []\n",
		[]string{`f.yaml:7:3: spec.zones: define at least one zone`, `f.yaml:9:18: spec.hosts[0].zone: zone "a" is not defined; defined zones: none (a host that runs only probes may omit zone)`, `f.yaml:10:18: spec.hosts[1].zone: zone "b" is not defined; defined zones: none (a host that runs only probes may omit zone)`, `f.yaml:11:18: spec.hosts[2].zone: zone "b" is not defined; defined zones: none (a host that runs only probes may omit zone)`}},
	{"bool as yes", "duration: 5s}", "duration: 5s}\n    - {kind: partition, target: \"host:h1\", at: 1s, oneWay: yes}",
		[]string{`f.yaml:20:60: spec.faults[1].oneWay: want true or false, got "yes"`}},
	{"several at once", "horizon: 60s", "horizon: soon\n  seed: -1",
		[]string{`f.yaml:6:12: spec.horizon: want a duration such as 100ms, 1.5s, 30d or 1y, got "soon"`, `f.yaml:7:9: spec.seed: value -1 out of range for uint64`}},
	{"unsupported kubernetes version", "  probes:", "  controlPlane: {topology: stacked, masters: [h1, h2, h3], kubernetesVersion: \"1.19\"}\n  probes:", []string{`f.yaml:16:60: spec.controlPlane.kubernetesVersion: unsupported version "1.19"; allowed: 1.20 to 1.36 (e.g. "1.31")`}},
	{"kubernetes version not a version", "  probes:", "  controlPlane: {topology: stacked, masters: [h1, h2, h3], kubernetesVersion: latest}\n  probes:", []string{`f.yaml:16:60: spec.controlPlane.kubernetesVersion: unsupported version "latest"; allowed: 1.20 to 1.36 (e.g. "1.31")`}},
	{"both endpoint spellings", "  probes:", "  controlPlane: {topology: stacked, masters: [h1, h2, h3], loadBalancer: {kind: haproxy, hosts: [h1]}, controlPlaneEndpoint: {kind: haproxy, hosts: [h2]}}\n  probes:", []string{`f.yaml:16:104: spec.controlPlane.controlPlaneEndpoint: set either loadBalancer or controlPlaneEndpoint (kubeadm's name for it), not both`}},
	{"controlPlaneEndpoint bad kind", "  probes:", "  controlPlane: {topology: stacked, masters: [h1, h2, h3], controlPlaneEndpoint: {kind: f5}}\n  probes:", []string{`f.yaml:16:83: spec.controlPlane.controlPlaneEndpoint.kind: unknown kind "f5"; allowed: haproxy, keepalived, nginx, cloud, kube-vip, none`}},
	{"cloud load balancer with hosts", "  probes:", "  controlPlane: {topology: stacked, masters: [h1, h2, h3], loadBalancer: {kind: cloud, hosts: [h1]}}\n  probes:", []string{`f.yaml:16:88: spec.controlPlane.loadBalancer.hosts: a cloud load balancer is run by its provider: no hosts of its own (it does not fail; a zone outage takes down only its targets)`}},
	{"cloud load balancer unknown provider", "  probes:", "  controlPlane: {topology: stacked, masters: [h1, h2, h3], loadBalancer: {kind: cloud, provider: oracle}}\n  probes:", []string{`f.yaml:16:88: spec.controlPlane.loadBalancer.provider: unknown provider "oracle"; allowed: aws, azure, gcp`}},
	{"cloud load balancer timeout over interval", "  probes:", "  controlPlane: {topology: stacked, masters: [h1, h2, h3], loadBalancer: {kind: cloud, provider: gcp, interval: 5s, timeout: 6s}}\n  probes:", []string{`f.yaml:16:117: spec.controlPlane.loadBalancer.timeout: 6s exceeds the check interval (5s): a check must end before the next starts`}},
	{"cloud load balancer thresholds", "  probes:", "  controlPlane: {topology: stacked, masters: [h1, h2, h3], loadBalancer: {kind: cloud, healthyThreshold: 11, unhealthyThreshold: -1}}\n  probes:", []string{`f.yaml:16:88: spec.controlPlane.loadBalancer.healthyThreshold: 11: allowed 1 to 10 (consecutive checks)`, `f.yaml:16:110: spec.controlPlane.loadBalancer.unhealthyThreshold: -1: allowed 1 to 10 (consecutive checks)`}},
	{"cloud load balancer unhealthy connections", "  probes:", "  controlPlane: {topology: stacked, masters: [h1, h2, h3], loadBalancer: {kind: cloud, unhealthyConnections: drain}}\n  probes:", []string{`f.yaml:16:88: spec.controlPlane.loadBalancer.unhealthyConnections: unknown "drain"; allowed: keep (established connections go on to an unhealthy target), close (reset after unhealthyDraining)`}},
	{"cloud load balancer short interval", "  probes:", "  controlPlane: {topology: stacked, masters: [h1, h2, h3], loadBalancer: {kind: cloud, interval: 500ms}}\n  probes:", []string{`f.yaml:16:88: spec.controlPlane.loadBalancer.interval: 500ms: want at least 1s`}},
	{"haproxy setting on a cloud load balancer", "  probes:", "  controlPlane: {topology: stacked, masters: [h1, h2, h3], loadBalancer: {kind: cloud, inter: 5s}}\n  probes:", []string{`f.yaml:16:88: spec.controlPlane.loadBalancer.inter: applies only to haproxy and keepalived; a cloud load balancer's settings: provider, check, interval, timeout, healthyThreshold, unhealthyThreshold, unhealthyConnections, unhealthyDraining, failOpen, idleTimeout`}},
	{"cloud setting on haproxy", "  probes:", "  controlPlane: {topology: stacked, masters: [h1, h2, h3], loadBalancer: {kind: haproxy, hosts: [h1], provider: aws, failOpen: true}}\n  probes:", []string{`f.yaml:16:103: spec.controlPlane.loadBalancer.provider: applies only to kind cloud, not haproxy`, `f.yaml:16:118: spec.controlPlane.loadBalancer.failOpen: applies only to kind cloud, not haproxy`}},
	{"workload without control plane", "  probes:", "  workloads: [{name: web, replicas: 2}]\n  probes:", []string{`f.yaml:16:15: spec.workloads[0]: workloads need a controlPlane to schedule and recover them`}},
	{"workload bad kind and replicas", "  probes:", "  controlPlane: {topology: stacked, masters: [h1, h2, h3]}\n  workloads: [{name: web, kind: Deployment, replicas: 0}]\n  probes:", []string{`f.yaml:17:27: spec.workloads[0].kind: unknown kind "Deployment"; allowed: ReplicaSet, Pod`, `f.yaml:17:45: spec.workloads[0].replicas: 0: want at least 1`}},
	{"workload defined twice", "  probes:", "  controlPlane: {topology: stacked, masters: [h1, h2, h3]}\n  workloads: [{name: web, replicas: 1}, {name: web, replicas: 2}]\n  probes:", []string{`f.yaml:17:42: spec.workloads[1].name: workload "web" is defined twice`}},
	{"schedule probe without via", "{name: w, host: h1}", "{name: w, host: h1, kind: schedule}", []string{`f.yaml:17:27: spec.probes[0].kind: unknown kind "schedule" for an etcd client; allowed: write, read, serializable-read (cached-read and schedule need via)`}},
	{"joining not a master", "  probes:", "  controlPlane: {topology: stacked, masters: [h1, h2, h3], joining: [h9]}\n  probes:", []string{`f.yaml:16:70: spec.controlPlane.joining[0]: "h9" is not a master; joining lists masters that kubeadm joins during the run (masters: h1, h2, h3)`}},
	{"joining master never joins", "  probes:", "  controlPlane: {topology: stacked, masters: [h1, h2, h3], joining: [h3]}\n  probes:", []string{`f.yaml:16:70: spec.controlPlane.joining[0]: h3 never joins: add a fault of kind join-control-plane with target host:h3`}},
	{"every master joining", "  probes:", "  controlPlane: {topology: external, masters: [h3], joining: [h3]}\n  probes:", []string{`f.yaml:15:23: spec.etcd.members[2]: host "h3" is a master: external etcd runs on its own hosts (or use topology: stacked)`, `f.yaml:16:53: spec.controlPlane.joining: every master is joining: at least one must start the cluster (kubeadm init)`, `f.yaml:16:63: spec.controlPlane.joining[0]: h3 never joins: add a fault of kind join-control-plane with target host:h3`}},
	{"joining master not last", "  probes:", "  controlPlane: {topology: stacked, masters: [h1, h2, h3], joining: [h2]}\n  probes:", []string{`f.yaml:16:60: spec.controlPlane.joining: with stacked etcd the joining masters come last in masters (members are numbered as they join): move h2 after h3`, `f.yaml:16:70: spec.controlPlane.joining[0]: h2 never joins: add a fault of kind join-control-plane with target host:h2`}},
	{"join a master of the initial cluster", "{kind: process-kill, target: \"leader:etcd\", at: 10s, duration: 5s}", "{kind: join-control-plane, target: \"host:h1\", at: 10s}", []string{`f.yaml:19:34: spec.faults[0].target: "host:h1": a join-control-plane targets a master listed in controlPlane.joining (host:NAME); joining: none`}},
	{"remove a host without a member", "members: [h1, h2, h3]\n  probes:\n    - {name: w, host: h1}\n  faults:\n    - {kind: process-kill, target: \"leader:etcd\", at: 10s, duration: 5s}", "members: [h1, h2]\n  probes:\n    - {name: w, host: h1}\n  faults:\n    - {kind: remove-etcd-member, target: \"host:h3\", at: 10s}", []string{`f.yaml:19:34: spec.faults[0].target: host "h3" runs no etcd member; etcd hosts: h1, h2`}},
	{"operation with a duration", "{kind: process-kill, target: \"leader:etcd\", at: 10s, duration: 5s}", "{kind: remove-etcd-member, target: \"host:h3\", at: 10s, duration: 5s}", []string{`f.yaml:19:62: spec.faults[0].duration: remove-etcd-member is an operation: it runs until done or it gives up, so it takes no duration`}},
	{"remove by zone", "{kind: process-kill, target: \"leader:etcd\", at: 10s, duration: 5s}", "{kind: remove-etcd-member, target: \"zone:a\", at: 10s}", []string{`f.yaml:19:34: spec.faults[0].target: "zone:a": a remove-etcd-member targets host:NAME (a host running a member) or leader:etcd`}},
	{"strictReconfigCheck not a bool", "members: [h1, h2, h3]", "members: [h1, h2, h3]\n    strictReconfigCheck: maybe", []string{`f.yaml:16:26: spec.etcd.strictReconfigCheck: want true or false, got "maybe"`}},
	{"haproxy knobs on kube-vip", "  probes:", "  controlPlane: {topology: stacked, masters: [h1, h2, h3], loadBalancer: {kind: kube-vip, fall: 9, timeoutServer: 5s}}\n  probes:", []string{`f.yaml:16:91: spec.controlPlane.loadBalancer.fall: applies only to haproxy and keepalived: kube-vip has no proxy`, `f.yaml:16:100: spec.controlPlane.loadBalancer.timeoutServer: applies only to haproxy and keepalived: kube-vip has no proxy`}},
	{"connection on an etcd client", "{name: w, host: h1}", "{name: w, host: h1, connection: long-lived}", []string{`f.yaml:17:27: spec.probes[0].connection: applies only to an API client (with via); an etcd client keeps gRPC connections`}},
	{"connection unknown", "  probes:\n    - {name: w, host: h1}", "  controlPlane: {topology: stacked, masters: [h1, h2, h3]}\n  probes:\n    - {name: w, host: h1, via: lb, connection: pooled}", []string{`f.yaml:18:36: spec.probes[0].connection: unknown connection "pooled"; allowed: per-request, long-lived`}},
	{"session knobs on kube-vip", "  probes:", "  controlPlane: {topology: stacked, masters: [h1, h2, h3], loadBalancer: {kind: kube-vip, shutdownSessions: true, timeoutClient: 5s}}\n  probes:", []string{`f.yaml:16:91: spec.controlPlane.loadBalancer.shutdownSessions: applies only to haproxy and keepalived: kube-vip has no proxy`, `f.yaml:16:115: spec.controlPlane.loadBalancer.timeoutClient: applies only to haproxy and keepalived: kube-vip has no proxy`}},
	// Backup servers (HAProxy's and nginx's "backup").
	{"backup not a host", "  probes:", "  controlPlane: {topology: stacked, masters: [h1, h2, h3], loadBalancer: {kind: haproxy, hosts: [h1], backup: [h9]}}\n  probes:", []string{`f.yaml:16:112: spec.controlPlane.loadBalancer.backup[0]: host "h9" is not defined; backup servers are masters: h1, h2, h3`}},
	{"backup not a master", "  etcd:\n    members: [h1, h2, h3]\n  probes:", "  controlPlane: {topology: stacked, masters: [h1, h2], loadBalancer: {kind: haproxy, hosts: [h3], backup: [h3]}}\n  probes:", []string{`f.yaml:14:108: spec.controlPlane.loadBalancer.backup[0]: "h3" is not a master: backup servers are masters' apiservers (masters: h1, h2)`}},
	{"every master a backup", "  probes:", "  controlPlane: {topology: stacked, masters: [h1, h2, h3], loadBalancer: {kind: haproxy, hosts: [h1], backup: [h3, h2, h1]}}\n  probes:", []string{`f.yaml:16:103: spec.controlPlane.loadBalancer.backup: every master is a backup: leave at least one primary server (masters: h1, h2, h3)`}},
	{"backup listed twice", "  probes:", "  controlPlane: {topology: stacked, masters: [h1, h2, h3], loadBalancer: {kind: keepalived, hosts: [h1, h2], backup: [h3, h3]}}\n  probes:", []string{`f.yaml:16:123: spec.controlPlane.loadBalancer.backup[1]: "h3" is listed twice`}},
	{"backup not a list", "  probes:", "  controlPlane: {topology: stacked, masters: [h1, h2, h3], loadBalancer: {kind: haproxy, hosts: [h1], backup: h3}}\n  probes:", []string{`f.yaml:16:111: spec.controlPlane.loadBalancer.backup: want a list, got a scalar`}},
	{"backup on a cloud load balancer", "  probes:", "  controlPlane: {topology: stacked, masters: [h1, h2, h3], loadBalancer: {kind: cloud, backup: [h3]}}\n  probes:", []string{`f.yaml:16:88: spec.controlPlane.loadBalancer.backup: a cloud load balancer has no backup targets: every healthy target takes new connections (backup servers: haproxy, keepalived, nginx)`}},
	{"backup on kube-vip", "  probes:", "  controlPlane: {topology: stacked, masters: [h1, h2, h3], loadBalancer: {kind: kube-vip, backup: [h3], shutdownBackupSessions: true}}\n  probes:", []string{`f.yaml:16:91: spec.controlPlane.loadBalancer.backup: applies only to haproxy, keepalived and nginx: kube-vip has no proxy`, `f.yaml:16:105: spec.controlPlane.loadBalancer.shutdownBackupSessions: applies only to haproxy and keepalived: kube-vip has no proxy`}},
	{"HAProxy's backup options on nginx", "  probes:", "  controlPlane: {topology: stacked, masters: [h1, h2, h3], loadBalancer: {kind: nginx, hosts: [h1], backup: [h3], allBackups: true, shutdownBackupSessions: true}}\n  probes:", []string{`f.yaml:16:115: spec.controlPlane.loadBalancer.allBackups: applies only to haproxy and keepalived: nginx always takes its backup servers in turn`, `f.yaml:16:133: spec.controlPlane.loadBalancer.shutdownBackupSessions: applies only to haproxy and keepalived: open-source nginx has no active health checks (its settings: maxFails, failTimeout, proxyConnectTimeout, proxyTimeout, nextUpstreamTries, nextUpstreamTimeout)`}},
	{"backup options without backups", "  probes:", "  controlPlane: {topology: stacked, masters: [h1, h2, h3], loadBalancer: {kind: haproxy, hosts: [h1], allBackups: true, shutdownBackupSessions: true}}\n  probes:", []string{`f.yaml:16:103: spec.controlPlane.loadBalancer.allBackups: acts on backup servers, and there are none: list them in backup (masters: h1, h2, h3)`, `f.yaml:16:121: spec.controlPlane.loadBalancer.shutdownBackupSessions: acts on backup servers, and there are none: list them in backup (masters: h1, h2, h3)`}},
	{"timeout client of two hours", "  probes:", "  controlPlane: {topology: stacked, masters: [h1, h2, h3], loadBalancer: {kind: haproxy, hosts: [h1], timeoutClient: 2h}}\n  probes:", []string{`f.yaml:16:103: spec.controlPlane.loadBalancer.timeoutClient: 2h0m0s out of range; allowed: 1ms to 1h`}},
	{"keepalived knobs on haproxy", "  probes:", "  controlPlane: {topology: stacked, masters: [h1, h2, h3], loadBalancer: {kind: haproxy, hosts: [h1], advertInterval: 2s, priorities: [100]}}\n  probes:", []string{`f.yaml:16:103: spec.controlPlane.loadBalancer.advertInterval: applies only to keepalived, not haproxy`, `f.yaml:16:123: spec.controlPlane.loadBalancer.priorities: applies only to keepalived, not haproxy`}},
	{"priorities per host", "  probes:", "  controlPlane: {topology: stacked, masters: [h1, h2, h3], loadBalancer: {kind: keepalived, hosts: [h1, h2], priorities: [255]}}\n  probes:", []string{`f.yaml:16:110: spec.controlPlane.loadBalancer.priorities: 1 priorities for 2 hosts: give one per host, in hosts order`, `f.yaml:16:123: spec.controlPlane.loadBalancer.priorities[0]: 255: VRRP priorities are 1 to 254`}},
	{"check script weight", "  probes:", "  controlPlane: {topology: stacked, masters: [h1, h2, h3], loadBalancer: {kind: keepalived, hosts: [h1, h2], checkScript: {weight: -300, fall: -1}}}\n  probes:", []string{`f.yaml:16:124: spec.controlPlane.loadBalancer.checkScript.weight: -300: keepalived allows -253 to 253 (0: FAULT while failing)`, `f.yaml:16:138: spec.controlPlane.loadBalancer.checkScript.fall: -1 out of range; allowed: 1 to 1000`}},
	{"process-stop of kube-apiserver", "{kind: process-kill, target: \"leader:etcd\", at: 10s, duration: 5s}", "{kind: process-stop, target: \"host:h1\", process: kube-apiserver, at: 10s, duration: 5s}", []string{`f.yaml:19:47: spec.faults[0].process: "kube-apiserver": process-stop is the graceful stop (SIGTERM) of etcd or of a leader-elected process, and the graceful stop of kube-apiserver is not modelled; allowed: etcd, kube-controller-manager, kube-scheduler, cloud-controller-manager, kube-vip`}},
	{"restart back-off cap above the kubelet's", "  probes:", "  controlPlane: {topology: stacked, masters: [h1, h2, h3], kubelet: {maxRestartBackOff: 10m}}\n  probes:", []string{`f.yaml:16:70: spec.controlPlane.kubelet.maxRestartBackOff: 10m0s out of range; allowed: 1s to 5m (the kubelet's crashLoopBackOff.maxContainerRestartPeriod)`}},
	{"restart back-off above its cap", "  probes:", "  controlPlane: {topology: stacked, masters: [h1, h2, h3], kubelet: {restartBackOff: 10m}}\n  probes:", []string{`f.yaml:16:70: spec.controlPlane.kubelet.restartBackOff: 10m0s exceeds maxRestartBackOff (5m0s)`}},
	{"liveness threshold negative", "  probes:", "  controlPlane: {topology: stacked, masters: [h1, h2, h3], apiserver: {livenessProbe: {failureThreshold: -1, period: 5s}}}\n  probes:", []string{`f.yaml:16:88: spec.controlPlane.apiserver.livenessProbe.failureThreshold: -1 out of range; allowed: 1 to 1000`}},
	// The kubernetes Service and in-cluster access (via: service).
	{"service probe from a host that is no node", "  probes:\n    - {name: w, host: h1}", "  controlPlane: {topology: stacked, masters: [h1, h2, h3]}\n  probes:\n    - {name: w, host: h1, via: service}", []string{`f.yaml:18:17: spec.probes[0].host: "h1" is not a node: in-cluster access (via: service) goes through a node's kube-proxy; nodes: none (list workers in controlPlane.workers)`}},
	{"service without nodes", "  probes:", "  controlPlane: {topology: stacked, masters: [h1, h2, h3], kubernetesService: {}}\n  probes:", []string{`f.yaml:16:60: spec.controlPlane.kubernetesService: kube-proxy runs on the nodes: list workers in controlPlane.workers`}},
	{"service advertise address unknown", "  probes:", "  controlPlane: {topology: stacked, masters: [h1, h2, h3], kubernetesService: {advertiseAddress: vip}}\n  workloads: [{name: web, replicas: 1}]\n  probes:", []string{`f.yaml:16:80: spec.controlPlane.kubernetesService.advertiseAddress: unknown address "vip"; allowed: host (each master its own), load-balancer (the control-plane endpoint's)`}},
	{"service advertising a load balancer there is not", "  probes:", "  controlPlane: {topology: stacked, masters: [h1, h2, h3], kubernetesService: {advertiseAddress: load-balancer}}\n  workloads: [{name: web, replicas: 1}]\n  probes:", []string{`f.yaml:16:80: spec.controlPlane.kubernetesService.advertiseAddress: load-balancer needs a loadBalancer (controlPlaneEndpoint) whose address the masters advertise`}},
	{"service knobs out of range", "  probes:", "  controlPlane: {topology: stacked, masters: [h1, h2, h3], kubernetesService: {reconcileInterval: 1ns, leaseTTL: 1500ms, kubeProxy: {endpoint: local, syncPeriod: 2h}}}\n  workloads: [{name: web, replicas: 1}]\n  probes:", []string{`f.yaml:16:80: spec.controlPlane.kubernetesService.reconcileInterval: 1ns out of range; allowed: 1ms to 1h`, `f.yaml:16:104: spec.controlPlane.kubernetesService.leaseTTL: 1.5s: etcd leases are whole seconds`, `f.yaml:16:134: spec.controlPlane.kubernetesService.kubeProxy.endpoint: unknown endpoint "local"; allowed: lb, all`, `f.yaml:16:151: spec.controlPlane.kubernetesService.kubeProxy.syncPeriod: 2h0m0s out of range; allowed: 1ms to 1h`}},
	{"service field misspelt", "  probes:", "  controlPlane: {topology: stacked, masters: [h1, h2, h3], kubernetesService: {leaseTtl: 15s}}\n  workloads: [{name: web, replicas: 1}]\n  probes:", []string{`f.yaml:16:80: spec.controlPlane.kubernetesService: unknown field "leaseTtl" (did you mean "leaseTTL"?)`}},
	// Limits (model.Max*): each at its field, with the allowed range.
	{"horizon beyond 250 years without failure processes", "horizon: 60s", "horizon: 251y", []string{`f.yaml:6:3: spec.horizon: 251y is past 250y: a horizon that long needs failure processes (spec.failures or spec.failureProfile), whose steady stretches the run skips; simulating every instant ends at about 292 years`}},
	{"horizon beyond a million years", "horizon: 60s", "horizon: 1000001y", []string{`f.yaml:6:12: spec.horizon: "1000001y": horizon out of range; allowed: up to 1000000y`}},
	{"clocks beyond their range", "horizon: 60s", "horizon: 250y\n  failures: [{kind: clock-drift, target: hosts, mtbf: 1y, mttr: 1h, clockRate: 1.2}]", []string{`f.yaml: spec: clock readings would span 300 years (a clock at rate 1.2 over the 250y horizon): beyond the 280y a run's clocks may span (readings are int64 nanoseconds, which end at about 292 years); shorten the horizon, or lower the clock rates, offsets or steps`}},
	{"maxEvents too large", "horizon: 60s", "horizon: 60s\n  maxEvents: 10000000000000", []string{`f.yaml:7:3: spec.maxEvents: 10000000000000 out of range; allowed: up to 1000000000000 (0: the default, 2000000000)`}},
	{"maxEventsPerInstant too large", "horizon: 60s", "horizon: 60s\n  maxEventsPerInstant: 2000000000", []string{`f.yaml:7:3: spec.maxEventsPerInstant: 2000000000 out of range; allowed: 1 to 1000000000 (0: the default, 1000000)`}},
	{"clock rate 1e-300", "{name: h1, zone: a}", "{name: h1, zone: a, clock: {rate: 1e-300}}", []string{`f.yaml:11:35: spec.hosts[0].clock.rate: 1e-300 out of range; allowed: 0.1 to 10 (1 is a perfect clock; NTP keeps real ones within 0.9995 to 1.0005)`}},
	{"clock offset of two centuries", "{name: h1, zone: a}", "{name: h1, zone: a, clock: {offset: 1800000h}}", []string{`f.yaml:11:35: spec.hosts[0].clock.offset: 1800000h0m0s out of range; allowed: -876000h (100 years) to 876000h (100 years)`}},
	{"lognormal sigma 1000", "{name: h1, zone: a}", "{name: h1, zone: a, disk: {fsync: {median: 2ms, sigma: 1000}}}", []string{`f.yaml:11:55: spec.hosts[0].disk.fsync.sigma: 1000 out of range; allowed: 0 to 5 (measured latencies have sigma below 2)`}},
	{"latency beyond an hour", "  probes:", "  network: {crossZone: {min: 1ms, max: 2h}}\n  probes:", []string{`f.yaml:16:35: spec.network.crossZone.max: 2h0m0s out of range; allowed: 0 to 1h`}},
	{"empirical point beyond an hour", "  probes:", "  network: {reconnect: {points: [{p: 0, value: 1ms}, {p: 1, value: 100h}]}}\n  probes:", []string{`f.yaml:16:61: spec.network.reconnect.points[1].value: 100h0m0s out of range; allowed: 0 to 1h`}},
	{"heartbeat of a nanosecond", "members: [h1, h2, h3]", "members: [h1, h2, h3]\n    heartbeatInterval: 1ns\n    electionTimeout: 1ms", []string{`f.yaml:16:5: spec.etcd.heartbeatInterval: 1ns out of range; allowed: 1ms to 10s`}},
	{"election jitter of 2^63-1 ticks", "members: [h1, h2, h3]", "members: [h1, h2, h3]\n    electionJitterTicks: 9223372036854775807", []string{`f.yaml:16:5: spec.etcd.electionJitterTicks: 9223372036854775807 out of range; allowed: 1 to 500 (at most 50s of heartbeatInterval 100ms, etcd's longest election timeout)`}},
	{"raft ticks with etcd's flags", "members: [h1, h2, h3]", "members: [h1, h2, h3]\n    heartbeatInterval: 100ms\n    tick: 10ms\n    electionTicks: 100", []string{`f.yaml:16:5: spec.etcd.heartbeatInterval: set with Raft's own ticks (tick, heartbeatTicks, electionTicks); give etcd's heartbeatInterval and electionTimeout, or Raft's ticks, not both`}},
	{"raft ticks without a tick", "members: [h1, h2, h3]", "members: [h1, h2, h3]\n    heartbeatTicks: 5", []string{`f.yaml:16:5: spec.etcd.heartbeatTicks: needs etcd.tick, the length of one Raft tick (etcd fixes it to heartbeatInterval)`}},
	{"election ticks not above heartbeat ticks", "members: [h1, h2, h3]", "members: [h1, h2, h3]\n    tick: 1ms\n    heartbeatTicks: 75\n    electionTicks: 75", []string{`f.yaml:18:5: spec.etcd.electionTicks: 75 must be greater than heartbeatTicks (75), as etcd-io/raft requires`}},
	{"election ticks beyond 50s", "members: [h1, h2, h3]", "members: [h1, h2, h3]\n    tick: 1s\n    electionTicks: 60", []string{`f.yaml:17:5: spec.etcd.electionTicks: 60 ticks of 1s (1m0s) exceed etcd's longest election timeout, 50s`}},
	{"tick of a microsecond", "members: [h1, h2, h3]", "members: [h1, h2, h3]\n    tick: 1us", []string{`f.yaml:16:5: spec.etcd.tick: 1µs out of range; allowed: 1ms to 10s`}},
	{"unequal logs on a partition", "{kind: process-kill, target: \"leader:etcd\", at: 10s, duration: 5s}", "{kind: partition, target: \"leader:etcd\", at: 10s, duration: 5s, unequalLogs: true}", []string{`f.yaml:19:71: spec.faults[0].unequalLogs: applies only to process-kill and host-crash faults, not partition`}},
	{"unequal logs killing an apiserver", "{kind: process-kill, target: \"leader:etcd\", at: 10s, duration: 5s}", "{kind: process-kill, target: \"host:h1\", process: kube-apiserver, at: 10s, unequalLogs: true}", []string{`f.yaml:19:81: spec.faults[0].unequalLogs: needs the etcd process killed, not kube-apiserver`}},
	{"unknown peer reconnect model", "  probes:", "  network: {peerReconnect: tcp}\n  probes:", []string{`f.yaml:16:13: spec.network.peerReconnect: unknown model "tcp"; allowed: measured, rafthttp`}},
	{"snapshot count too large", "members: [h1, h2, h3]", "members: [h1, h2, h3]\n    snapshotCount: 100000000", []string{`f.yaml:16:5: spec.etcd.snapshotCount: 100000000 out of range; allowed: up to 1000000 (etcd's default is 100000, kubeadm's 10000)`}},
	{"etcd request timeout", "members: [h1, h2, h3]", "members: [h1, h2, h3]\n    requestTimeout: 2h", []string{`f.yaml:16:5: spec.etcd.requestTimeout: 2h0m0s out of range; allowed: 1ms to 1h`}},
	{"sixteen etcd members", "  hosts:\n    - {name: h1, zone: a}\n    - {name: h2, zone: b}\n    - {name: h3, zone: b}\n  etcd:\n    members: [h1, h2, h3]",
		"  hosts: [" + seq("{name: m%d, zone: a}", 16) + "]\n  etcd:\n    members: [" + seq("m%d", 16) + "]",
		[]string{`f.yaml:12:5: spec.etcd.members: 16 members; allowed: at most 15 (etcd recommends 3, 5 or 7 members)`, `f.yaml:14:17: spec.probes[0].host: host "h1" is not defined; defined hosts: m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12, m13, m14, m15, m16 (or client, the users' host outside every zone)`}},
	{"probe period of a nanosecond", "{name: w, host: h1}", "{name: w, host: h1, period: 1ns, timeout: 2h}", []string{`f.yaml:17:27: spec.probes[0].period: 1ns out of range; allowed: 1ms to 1h`, `f.yaml:17:40: spec.probes[0].timeout: 2h0m0s out of range; allowed: 1ms to 1h`}},
	{"a hundred million replicas", "  probes:", "  controlPlane: {topology: stacked, masters: [h1, h2, h3]}\n  workloads: [{name: web, replicas: 100000000}]\n  probes:", []string{`f.yaml:17:27: spec.workloads[0].replicas: 100000000 out of range; allowed: 1 to 300000 (Kubernetes supports up to 150,000 pods per cluster)`}},
	{"replicas beyond the cluster limit in all", "  probes:", "  controlPlane: {topology: stacked, masters: [h1, h2, h3]}\n  workloads: [{name: a, replicas: 200000}, {name: b, replicas: 200000}]\n  probes:", []string{`f.yaml:17:3: spec.workloads: 400000 replicas in all; allowed: at most 300000 (Kubernetes supports up to 150,000 pods per cluster)`}},
	{"replicas 1e3 is one error at the cause", "  probes:", "  controlPlane: {topology: stacked, masters: [h1, h2, h3]}\n  workloads: [{name: web, replicas: 1e3}]\n  probes:", []string{`f.yaml:17:37: spec.workloads[0].replicas: want an integer, got "1e3"`}},
	{"fault duration beyond 250 years", "duration: 5s}", "duration: 251y}", []string{`f.yaml:19:60: spec.faults[0].duration: 2198760h0m0s out of range; allowed: 0 to 250y`}},
	{"clock-drift rate 1e-300", "{kind: process-kill, target: \"leader:etcd\", at: 10s, duration: 5s}", "{kind: clock-drift, target: \"host:h1\", at: 10s, duration: 5s, rate: 1e-300}", []string{`f.yaml:19:69: spec.faults[0].rate: 1e-300 out of range; allowed: 0.1 to 10 (1 is a perfect clock; NTP keeps real ones within 0.9995 to 1.0005)`}},
	{"clock steps of centuries", "{kind: process-kill, target: \"leader:etcd\", at: 10s, duration: 5s}", "{kind: clock-step, target: \"host:h1\", at: 10s, step: 600000h}\n    - {kind: clock-step, target: \"host:h1\", at: 20s, step: -600000h}", []string{`f.yaml:18:3: spec.faults: clock steps add up to 1200000h0m0s; allowed: at most 876000h (100 years)`}},
	{"trigger delay beyond 250 years", "duration: 5s}", "duration: 5s, on: {event: member.leader, delay: 251y}}", []string{`f.yaml:19:101: spec.faults[0].on.delay: 2198760h0m0s out of range; allowed: 0 to 250y`}},
	{"load balancer knobs", "  probes:", "  controlPlane: {topology: stacked, masters: [h1, h2, h3], loadBalancer: {kind: keepalived, hosts: [h1, h2], inter: 1ns, fall: 5000, timeoutServer: 2h, advertInterval: 1ns, checkScript: {interval: 1ns}}}\n  probes:",
		[]string{`f.yaml:16:110: spec.controlPlane.loadBalancer.inter: 1ns out of range; allowed: 1ms to 1h`, `f.yaml:16:122: spec.controlPlane.loadBalancer.fall: 5000 out of range; allowed: 1 to 1000`, `f.yaml:16:134: spec.controlPlane.loadBalancer.timeoutServer: 2h0m0s out of range; allowed: 1ms to 1h`, `f.yaml:16:153: spec.controlPlane.loadBalancer.advertInterval: 1ns out of range; allowed: 1ms to 1h`, `f.yaml:16:188: spec.controlPlane.loadBalancer.checkScript.interval: 1ns out of range; allowed: 1ms to 1h`}},
	{"leader election retry of a nanosecond", "  probes:", "  controlPlane: {topology: stacked, masters: [h1, h2, h3], leaderElection: {retryPeriod: 1ns}}\n  probes:", []string{`f.yaml:16:77: spec.controlPlane.leaderElection.retryPeriod: 1ns out of range; allowed: 1ms to 1h`}},
	{"apiserver and kubelet knobs", "  probes:", "  controlPlane: {topology: stacked, masters: [h1, h2, h3], apiserver: {healthTimeout: 1ns, livenessProbe: {period: 2h}}, kubelet: {restartBackOff: 1ns}}\n  probes:",
		[]string{`f.yaml:16:72: spec.controlPlane.apiserver.healthTimeout: 1ns out of range; allowed: 1ms to 1h`, `f.yaml:16:108: spec.controlPlane.apiserver.livenessProbe.period: 2h0m0s out of range; allowed: 1ms to 1h`, `f.yaml:16:132: spec.controlPlane.kubelet.restartBackOff: 1ns out of range; allowed: 1ms to 1h`}},
	{"node monitor period and eviction rate", "  probes:", "  controlPlane: {topology: stacked, masters: [h1, h2, h3], nodeLifecycle: {monitorPeriod: 1ns, evictionRate: 1e9, toleration: 1000h}}\n  probes:",
		[]string{`f.yaml:16:76: spec.controlPlane.nodeLifecycle.monitorPeriod: 1ns out of range; allowed: 1ms to 1h`, `f.yaml:16:96: spec.controlPlane.nodeLifecycle.evictionRate: 1e+09 is out of range; allowed: 0 to 1000 nodes per second`, `f.yaml:16:115: spec.controlPlane.nodeLifecycle.toleration: 1000h0m0s out of range; allowed: 0 to 24h`}},
	{"periodic work beyond the bound", "    - {name: w, host: h1}", seq("    - {name: w%d, host: h1, period: 1ms}\n", 101),
		[]string{`f.yaml:6:3: spec: asks for 101020 periodic requests per simulated second (probes 101000, etcd heartbeats 20); allowed: at most 100000: lengthen the periods or simulate fewer probes or nodes`}},
	// Names are RFC 1035 labels everywhere, so narration stays one line.
	{"host name with a newline and a colon", "{name: h1, zone: a}", "{name: \"h1\\nx:y\", zone: a}", []string{`f.yaml:11:8: spec.hosts[0].name: "h1\nx:y": want lower-case letters, digits and dashes, starting with a letter, at most 63 characters`, `f.yaml:15:15: spec.etcd.members[0]: host "h1" is not defined; defined hosts: h2, h3`, `f.yaml:17:17: spec.probes[0].host: host "h1" is not defined; defined hosts: h2, h3 (or client, the users' host outside every zone)`}},
	{"probe name with a space", "{name: w, host: h1}", "{name: Writes Probe, host: h1}", []string{`f.yaml:17:8: spec.probes[0].name: "Writes Probe": want lower-case letters, digits and dashes, starting with a letter, at most 63 characters`}},
	{"zone name with a colon", "    - name: b\n", "    - name: \"b:1\"\n", []string{`f.yaml:9:7: spec.zones[1].name: "b:1": want lower-case letters, digits and dashes, starting with a letter, at most 63 characters`, `f.yaml:12:18: spec.hosts[1].zone: zone "b" is not defined; defined zones: a (a host that runs only probes may omit zone)`, `f.yaml:13:18: spec.hosts[2].zone: zone "b" is not defined; defined zones: a (a host that runs only probes may omit zone)`}},
	{"fault name of two lines", "duration: 5s}", "duration: 5s, name: \"kill\\nthe leader\"}", []string{`f.yaml:19:74: spec.faults[0].name: "kill\nthe leader": want one line of at most 100 printable characters`}},
	// Encoding errors name the line and column.
	{"invalid UTF-8", "name: t", "name: t\xff", []string{`f.yaml:4:10: byte 0xFF is not UTF-8; a scenario is UTF-8 text`}},
	{"NUL byte", "horizon: 60s", "horizon: 6\x000s", []string{`f.yaml:6:13: control character U+0000 is not allowed (YAML allows tab, line feed and carriage return)`}},
	{"UTF-16", "apiVersion", "\xff\xfeapiVersion", []string{`f.yaml:1:1: the file is UTF-16 (it starts with a byte order mark); save it as UTF-8`}},
	{"node lifecycle out of range", "  probes:", "  controlPlane: {topology: stacked, masters: [h1, h2, h3], nodeLifecycle: {gracePeriod: -5s, unhealthyZoneThreshold: 1.5, leaseDuration: 500ms}}\n  probes:", []string{`f.yaml:16:89: spec.controlPlane.nodeLifecycle.gracePeriod: want a non-negative duration, got "-5s"`, `f.yaml:16:94: spec.controlPlane.nodeLifecycle.unhealthyZoneThreshold: 1.5 is out of range; allowed: 0 to 1`, `f.yaml:16:123: spec.controlPlane.nodeLifecycle.leaseDuration: 500ms: the kubelet writes whole seconds; want at least 1s`}},
}

// seq formats format with 1..n and joins the results with ", " (or
// concatenates them if format ends in a newline).
func seq(format string, n int) string {
	var parts []string
	for i := 1; i <= n; i++ {
		parts = append(parts, fmt.Sprintf(format, i))
	}
	if strings.HasSuffix(format, "\n") {
		return strings.Join(parts, "")
	}
	return strings.Join(parts, ", ")
}

// TestMissingSpec: a document without spec is an error, not a crash (found
// by FuzzLoad).
func TestMissingSpec(t *testing.T) {
	_, err := Load("f.yaml", []byte("apiVersion: hasim.dev/v1alpha1\nkind: Scenario\nmetadata:\n name: a"))
	if err == nil || err.Error() != "f.yaml:1:1: spec: required: the topology, etcd cluster, horizon and faults to simulate" {
		t.Fatalf("err = %v", err)
	}
}

// TestLibraryLoads: every built-in scenario loads, survives encode,
// decode, compare, and compiles into a model configuration.
func TestLibraryLoads(t *testing.T) {
	lib := Library()
	if len(lib) < 8 {
		t.Fatalf("library has %d scenarios", len(lib))
	}
	found := false
	for _, e := range lib {
		s, err := Load(e.Name+".yaml", e.Source)
		if err != nil {
			t.Fatalf("%s: %v", e.Name, err)
		}
		roundTripScenario(t, s)
		found = found || e.Name == DefaultScenario
		if e.Description == "" {
			t.Errorf("%s has no description", e.Name)
		}
	}
	if !found {
		t.Errorf("the default scenario %s is not in the library", DefaultScenario)
	}
}

func roundTripScenario(t testing.TB, s *Scenario) {
	t.Helper()
	out, err := yaml.Marshal(s)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	s2, err := Load("roundtrip.yaml", out)
	if err != nil {
		t.Fatalf("re-load of marshalled scenario: %v\n%s", err, out)
	}
	if !reflect.DeepEqual(s, s2) {
		t.Fatalf("round trip changed the scenario:\n%s", out)
	}
}

// TestResolve: a path wins over a library name; unknown names list the
// library; "-" reads standard input.
func TestResolve(t *testing.T) {
	if _, err := Resolve("etcd-leader-kill", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := Resolve("no-such-scenario", nil); err == nil || !strings.Contains(err.Error(), "built-in: clock-drift-split-brain, controllers-via-lb") {
		t.Fatalf("err = %v", err)
	}
	s, err := Resolve("-", bytes.NewReader([]byte(base)))
	if err != nil || s.Metadata.Name != "t" {
		t.Fatalf("stdin: %v", err)
	}
}

// TestDefaultProbe: a scenario without probes gets a write probe on a
// client host of its own.
func TestDefaultProbe(t *testing.T) {
	src := strings.Replace(base, "  probes:\n    - {name: w, host: h1}\n", "", 1)
	s, err := Load("f.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	cfg := s.Config()
	if len(cfg.Probes) != 1 || cfg.Probes[0].Host != DefaultClientHost || cfg.Hosts[len(cfg.Hosts)-1].Name != DefaultClientHost {
		t.Fatalf("probes %+v", cfg.Probes)
	}
}

// seedCorpus starts a fuzz target's corpus from the library and the
// tests' base scenario.
func seedCorpus(f *testing.F) {
	for _, e := range Library() {
		f.Add(e.Source)
	}
	f.Add([]byte(base))
}

// FuzzLoad: the loader never panics (nor recovers from a panic as an
// "internal error"), its errors are an ErrorList, and whatever it accepts
// survives encode, decode, compare. The corpus starts from the library.
func FuzzLoad(f *testing.F) {
	seedCorpus(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Load("fuzz.yaml", data)
		if err != nil {
			// Decode turns a panic into an "internal error": a bug all
			// the same.
			checkErrorList(t, err)
			return
		}
		roundTripScenario(t, s)
	})
}
