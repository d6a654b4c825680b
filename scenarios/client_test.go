package scenarios

import (
	"strings"
	"testing"
	"time"

	"hasim/model"
)

// clientZoneOutage is three masters in three zones with the load balancer
// in zone-a, which loses power for 600 s; client is the hosts line that
// places the probes' client, if any.
func clientZoneOutage(t *testing.T, client, faults string) (*Scenario, model.Result) {
	t.Helper()
	src := `apiVersion: hasim.dev/v1alpha1
kind: Scenario
metadata:
  name: client-zone-outage
spec:
  horizon: 900s
  zones: [{name: zone-a}, {name: zone-b}, {name: zone-c}]
  hosts:
    - {name: master-1, zone: zone-a}
    - {name: master-2, zone: zone-b}
    - {name: master-3, zone: zone-c}
    - {name: lb, zone: zone-a}
` + client + `  controlPlane:
    topology: stacked
    masters: [master-1, master-2, master-3]
    loadBalancer: {kind: haproxy, hosts: [lb]}
  faults:
` + faults
	s, err := Load("client-zone-outage.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	r, err := model.Simulate(s.Config(), model.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return s, r
}

const zoneAOutage = "    - {name: zone-a loses power, kind: zone-outage, target: \"zone:zone-a\", at: 60s, duration: 600s}\n"

func probeResult(t *testing.T, r model.Result, name string) model.ProbeResult {
	t.Helper()
	for _, p := range r.Probes {
		if p.Name == name {
			return p
		}
	}
	t.Fatalf("no probe %q", name)
	return model.ProbeResult{}
}

// TestDefaultClientOutsideZones: the default probes' client stands outside
// every zone, so a 600 s outage of the first zone (which holds the only
// load balancer) reads as 600 s of API downtime. When the client sat in
// the first zone, it died with the load balancer and the run read
// "api-writes availability 99.989%": requests a dead client never sent
// were not counted.
func TestDefaultClientOutsideZones(t *testing.T) {
	s, r := clientZoneOutage(t, "", zoneAOutage)
	cfg := s.Config()
	var zone *string
	for _, h := range cfg.Hosts {
		if h.Name == DefaultClientHost {
			zone = &h.Zone
		}
	}
	if zone == nil || *zone != "" {
		t.Fatalf("default client host: zone %v, want a host in no zone", zone)
	}
	if got := r.Faults[0].Target; strings.Contains(got, DefaultClientHost) {
		t.Errorf("the zone outage hit %s, want the client spared", got)
	}
	for _, name := range []string{"api-writes", "api-reads"} {
		p := probeResult(t, r, name)
		if p.Unavailable < 599*time.Second || p.Unavailable > 602*time.Second {
			t.Errorf("%s unavailable %v, want the 600s the load balancer was down", name, p.Unavailable)
		}
		if p.Availability > 0.34 {
			t.Errorf("%s availability %.3f%%, want about a third (600s of about 900s down)", name, 100*p.Availability)
		}
		if p.Unmeasured != 0 || p.UnmeasuredRequests != 0 {
			t.Errorf("%s unmeasured %v (%d requests), want none: its client never went down", name, p.Unmeasured, p.UnmeasuredRequests)
		}
	}
	if r.Hosts != 4 {
		t.Errorf("hosts %d, want 4: the client is not a cluster host", r.Hosts)
	}
}

// TestClientInAZoneIsUnmeasured: a scenario may still place the client in
// a zone. While that zone is out, the probes could send nothing: the 600 s
// are unmeasured (about 6,000 requests at one per 100 ms), reported apart
// and left out of availability, never counted as success.
func TestClientInAZoneIsUnmeasured(t *testing.T) {
	s, r := clientZoneOutage(t, "    - {name: client, zone: zone-a}\n", zoneAOutage)
	for _, h := range s.Config().Hosts {
		if h.Name == DefaultClientHost && h.Zone != "zone-a" {
			t.Fatalf("client in zone %q, want the scenario's zone-a", h.Zone)
		}
	}
	measured := r.End.Sub(r.MeasuredFrom)
	for _, name := range []string{"api-writes", "api-reads"} {
		p := probeResult(t, r, name)
		if p.Unmeasured < 599900*time.Millisecond || p.Unmeasured > 600100*time.Millisecond {
			t.Errorf("%s unmeasured %v, want the 600s its client was down", name, p.Unmeasured)
		}
		if p.UnmeasuredRequests < 5999 || p.UnmeasuredRequests > 6003 {
			t.Errorf("%s unmeasured requests %d, want about 6000", name, p.UnmeasuredRequests)
		}
		// The availability's denominator is the measured time without
		// the unmeasured: up = Availability × (measured - unmeasured).
		probed := measured - p.Unmeasured
		up := time.Duration(p.Availability * float64(probed))
		if d := probed - up - p.Unavailable; d < -time.Millisecond || d > time.Millisecond {
			t.Errorf("%s: availability %.6f over %v probed, unavailable %v: they do not add up (off by %v)", name, p.Availability, probed, p.Unavailable, d)
		}
		if p.Unavailable > 3*time.Second {
			t.Errorf("%s unavailable %v: the client's own outage counted as downtime", name, p.Unavailable)
		}
	}
}

// TestFrozenClientIsUnmeasured: a client frozen for 20 s (process-pause)
// measures nothing meanwhile; its probes report those 20 s unmeasured. (A
// scenario that targets the client names it: here a host in no zone.)
func TestFrozenClientIsUnmeasured(t *testing.T) {
	_, r := clientZoneOutage(t, "    - {name: client}\n", "    - {name: client freezes, kind: process-pause, target: \"host:client\", process: client, at: 100s, duration: 20s}\n")
	for _, name := range []string{"api-writes", "api-reads"} {
		p := probeResult(t, r, name)
		if p.Unmeasured < 19900*time.Millisecond || p.Unmeasured > 20100*time.Millisecond {
			t.Errorf("%s unmeasured %v, want the 20s its client was frozen", name, p.Unmeasured)
		}
		if p.UnmeasuredRequests < 199 || p.UnmeasuredRequests > 201 {
			t.Errorf("%s unmeasured requests %d, want about 200", name, p.UnmeasuredRequests)
		}
		if p.Availability < 0.999 {
			t.Errorf("%s availability %.4f: the freeze of its own client counted against the cluster", name, p.Availability)
		}
	}
}

// TestZonelessHostRunsOnlyClients: a host outside every zone may run
// probes only; one that runs part of the cluster is refused at its zone
// field, naming what it runs.
func TestZonelessHostRunsOnlyClients(t *testing.T) {
	src := `apiVersion: hasim.dev/v1alpha1
kind: Scenario
metadata:
  name: zoneless
spec:
  horizon: 60s
  zones: [{name: a}]
  hosts:
    - {name: m1, zone: a}
    - {name: lb}
    - {name: users}
  controlPlane:
    topology: stacked
    masters: [m1]
    loadBalancer: {kind: haproxy, hosts: [lb]}
  probes:
    - {name: w, host: users, via: lb}
`
	_, err := Load("zoneless.yaml", []byte(src))
	want := `zoneless.yaml:10:7: spec.hosts[1].zone: host "lb" runs the load balancer, so it needs a zone (defined zones: a); only a host that runs nothing but probes (a client, the users) may have none`
	if err == nil || err.Error() != want {
		t.Fatalf("error %v, want %s", err, want)
	}
	ok := strings.Replace(src, "{name: lb}", "{name: lb, zone: a}", 1)
	s, err := Load("zoneless.yaml", []byte(ok))
	if err != nil {
		t.Fatal(err)
	}
	cfg := s.Config()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	// The model refuses the same as a backstop.
	cfg.Hosts[1].Zone = ""
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), `host "lb" is in no zone but runs the load balancer`) {
		t.Errorf("model validation: %v", err)
	}
}
