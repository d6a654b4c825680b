package picture

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"hasim/model"
	"hasim/sim"
)

// TestTimelineSVG: the picture of a run has a lane per host, group and
// probe, renders the same bytes twice, and marks split brain.
func TestTimelineSVG(t *testing.T) {
	iv := []model.Interval{{From: sim.At(40 * time.Second), To: sim.At(50 * time.Second)}}
	r := model.Result{Seed: 1, End: sim.At(90 * time.Second), MeasuredFrom: sim.At(time.Second),
		Members: []model.MemberResult{{Name: "etcd-1", Host: "master-1"}},
		Groups:  []model.GroupResult{{Name: "kube-controller-manager", SplitBrain: iv, ActingSplitBrain: iv}},
		Probes:  []model.ProbeResult{{Name: "api-writes"}},
		Faults:  []model.FaultResult{{At: sim.At(30 * time.Second), Healed: true, HealedAt: sim.At(60 * time.Second)}},
		Timeline: []model.Record{
			{T: sim.At(2 * time.Second), Event: model.EvLeaseAcquired, Group: "kube-controller-manager", Proc: "kube-controller-manager-master-1", Host: "master-1"},
			{T: sim.At(30 * time.Second), Event: model.EvHostDown, Host: "master-1"},
			{T: sim.At(30 * time.Second), Event: model.EvProbeDown, Probe: "api-writes"},
			{T: sim.At(35 * time.Second), Event: model.EvProbeUp, Probe: "api-writes"},
		}}
	r.Lanes = model.ComputeLanes(&r)
	if n := Lanes(r); n != 3 {
		t.Fatalf("%d lanes, want 3 (host, group, probe)", n)
	}
	render := func() string {
		var b bytes.Buffer
		if err := WriteTo(Timeline("t", r), &b, "svg", Lanes(r)); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	a, b := render(), render()
	if a != b {
		t.Fatal("two renderings differ")
	}
	for _, want := range []string{"host master-1", "kube-controller-manager leader", "probe api-writes", "split brain", "both acting"} {
		if !strings.Contains(a, want) {
			t.Errorf("SVG lacks %q", want)
		}
	}
}
