package scenarios

import (
	"strings"
	"testing"
	"time"

	"hasim/model"
)

// TestHorizon: spec.horizon reads what a Duration reads and, past 250
// years, whole eras of 50 years and the rest; it writes back what it read.
func TestHorizon(t *testing.T) {
	for _, c := range []struct {
		in   string
		eras int64
		rest time.Duration
		out  string
	}{
		{"60s", 0, time.Minute, "1m"},
		{"250y", 0, 250 * Year, "250y"},
		{"251y", 5, Year, "251y"},
		{"300y", 6, 0, "300y"},
		{"1000y", 20, 0, "1000y"},
		{"1000y12h", 20, 12 * time.Hour, "1000y12h"},
		{"999.5y", 19, 49*Year + Year/2, "999y182d12h"},
		{"1000000y", 20000, 0, "1000000y"},
	} {
		var h Horizon
		if err := h.UnmarshalScalar(c.in); err != nil || h.Eras != c.eras || h.Rest.D() != c.rest {
			t.Errorf("%q: got %d eras + %v, %v; want %d + %v", c.in, h.Eras, h.Rest.D(), err, c.eras, c.rest)
			continue
		}
		if h.String() != c.out {
			t.Errorf("%q written as %q, want %q", c.in, h.String(), c.out)
		}
		var back Horizon
		m, _ := h.MarshalYAML()
		if err := back.UnmarshalScalar(m.(string)); err != nil || back != h {
			t.Errorf("%q: wrote %q, read back %+v, %v", c.in, m, back, err)
		}
		if cfg := (model.Config{Horizon: h.Rest.D(), HorizonEras: h.Eras}); cfg.HorizonString() != c.out {
			t.Errorf("%q: the model writes %q", c.in, cfg.HorizonString())
		}
	}
	for in, want := range map[string]string{
		"1000001y": "horizon out of range; allowed: up to 1000000y",
		"1000yy":   "want a duration",
		"-1000y":   "want a non-negative duration",
		"1000w":    "want a duration",
	} {
		var h Horizon
		if err := h.UnmarshalScalar(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want one saying %q", in, err, want)
		}
	}
}

// TestLongHorizonBadInputs: a horizon past 250 years takes scripted faults
// only at fixed times within its first 50 years, each error at its field.
func TestLongHorizonBadInputs(t *testing.T) {
	src := strings.Replace(base, "horizon: 60s", "horizon: 1000y\n  failures: [{kind: process-kill, target: role:etcd, mtbf: 1y, mttr: 1m}]", 1)
	src = strings.Replace(src, "at: 10s, duration: 5s}", "at: 10s, duration: 5s}\n    - {kind: process-kill, target: \"leader:etcd\", at: 60y}", 1)
	_, err := Load("f.yaml", []byte(src))
	want := `f.yaml:21:51: spec.faults[1].at: with a horizon past 250y (1000y), a scripted fault must come at a fixed time (no on:) within the first 50y: what a run that long lists is stated in its first 50 years`
	if err == nil || err.Error() != want {
		t.Errorf("errors:\n%v\nwant:\n%s", err, want)
	}
	ok := strings.Replace(src, "at: 60y}", "at: 49y}", 1)
	sc, err := Load("f.yaml", []byte(ok))
	if err != nil {
		t.Fatalf("a fault within the first era: %v", err)
	}
	if cfg := sc.Config(); cfg.HorizonEras != 20 || cfg.Horizon != 0 || cfg.Validate() != nil {
		t.Errorf("config: %d eras + %v, %v", cfg.HorizonEras, cfg.Horizon, cfg.Validate())
	}
	cfg := sc.Config()
	cfg.NoFastForward = true
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "a horizon of 1000y needs failure processes and the fast-forward") {
		t.Errorf("without the fast-forward: %v", err)
	}
	// A profile's failure processes are enough.
	prof := strings.Replace(base, "horizon: 60s", "horizon: 1000y\n  failureProfile: cloud", 1)
	if sc, err := Load("f.yaml", []byte(prof)); err != nil || sc.Config().HorizonEras != 20 {
		t.Errorf("1000y with the cloud profile: %v", err)
	}
}
