package scenarios

import (
	"testing"
	"time"

	"hasim/model"
)

// TestIncidentsUnderOverlappingFailures: the library's stacked 3-master
// cloud scenario with zone outages, VM stalls, zone partitions and clock
// drifts every 10 to 20 minutes as well, so that faults overlap all the
// time: incidents are disjoint and in order, every injected fault is in
// exactly one, and every function's downtime lies in them and is split
// exactly among the causes.
func TestIncidentsUnderOverlappingFailures(t *testing.T) {
	s, err := Resolve("stacked-3-cloud-failures", nil)
	if err != nil {
		t.Fatal(err)
	}
	s.Spec.Failures = append(s.Spec.Failures, FailureSpec{Name: "zone-outage", MTBF: Duration(20 * time.Minute), MTTR: Duration(time.Minute)},
		FailureSpec{Name: "vm-pause", MTBF: Duration(10 * time.Minute), MTTR: Duration(20 * time.Second)}, FailureSpec{Name: "zone-partition", MTBF: Duration(15 * time.Minute), MTTR: Duration(time.Minute)}, FailureSpec{Name: "clock-drift", MTBF: Duration(15 * time.Minute), MTTR: Duration(time.Minute)})
	if err := s.Spec.Check(); err != nil {
		t.Fatal(err)
	}
	for seed := uint64(1); seed <= 2; seed++ {
		cfg := s.Config()
		cfg.Seed = seed
		r, err := model.Simulate(cfg, model.RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[int]int{}
		for i, in := range r.Incidents {
			if i > 0 && in.Start <= r.Incidents[i-1].End {
				t.Errorf("seed %d: incidents %v–%v and %v–%v overlap", seed, r.Incidents[i-1].Start, r.Incidents[i-1].End, in.Start, in.End)
			}
			for _, f := range in.Faults {
				seen[f.ID]++
			}
		}
		for _, f := range r.Faults {
			if f.Skipped == "" && f.At >= r.MeasuredFrom && seen[f.ID] != 1 {
				t.Errorf("seed %d: fault %d %s in %d incidents", seed, f.ID, f.Name, seen[f.ID])
			}
		}
		for fn, f := range r.Functions {
			var sum time.Duration
			for _, in := range r.Incidents {
				sum += in.Down[fn].Total
				var c time.Duration
				for _, x := range in.Down[fn].ByCause {
					c += x
				}
				if c != in.Down[fn].Total {
					t.Errorf("seed %d, %s, incident at %v: causes %v do not sum to %v", seed, f.Name, in.Start, in.Down[fn].ByCause, in.Down[fn].Total)
				}
			}
			if sum != f.Down {
				t.Errorf("seed %d, %s: %v down in the incidents, %v in all", seed, f.Name, sum, f.Down)
			}
		}
		if classes := len(model.CauseTotals(r.Incidents, len(r.Functions))); classes < 5 || len(r.Incidents) < 10 {
			t.Errorf("seed %d: %d incidents, %d classes", seed, len(r.Incidents), classes)
		}
	}
}
