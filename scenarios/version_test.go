package scenarios

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"hasim/model"
	"hasim/sim"
)

func libraryDoc(t *testing.T, name string) string {
	t.Helper()
	for _, e := range Library() {
		if e.Name == name {
			return string(e.Source)
		}
	}
	t.Fatalf("no library scenario %s", name)
	return ""
}

func runVersionDoc(t *testing.T, doc string) model.Result {
	t.Helper()
	return simulateDoc(t, "t.yaml", doc)
}

// simulateDoc loads the scenario doc (named file in errors) and runs it.
func simulateDoc(t *testing.T, file, doc string) model.Result {
	t.Helper()
	s, err := Load(file, []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	r, err := model.Simulate(s.Config(), model.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func notReadyAfter(r model.Result, from sim.Time) time.Duration {
	for _, rec := range r.Timeline {
		if rec.Event == model.EvNodeNotReady && rec.T > from {
			return rec.T.Sub(from)
		}
	}
	return -1
}

// kubernetesVersion moves the node monitor grace period from 40 s (≤ 1.31)
// to 50 s (≥ 1.32): the same worker failure is noticed 10 s later, on the
// same seed (same lease phases).
func TestKubernetesVersionGracePeriod(t *testing.T) {
	doc := libraryDoc(t, "worker-node-failure")
	crash := sim.At(30 * time.Second)
	for seed := 1; seed <= 5; seed++ {
		d := strings.Replace(doc, "seed: 4", "seed: "+strconv.Itoa(seed), 1)
		new := notReadyAfter(runVersionDoc(t, d), crash)
		old := notReadyAfter(runVersionDoc(t, strings.Replace(d, `kubernetesVersion: "1.32"`, `kubernetesVersion: "1.31"`, 1)), crash)
		if diff := new - old; diff < 9*time.Second || diff > 11*time.Second {
			t.Errorf("seed %d: NotReady after %v with 1.32 and %v with 1.31; want 10 s apart", seed, new, old)
		}
	}
}

// The version picks the etcd release kubeadm deploys, hence pre-vote.
func TestKubernetesVersionEtcd(t *testing.T) {
	doc := libraryDoc(t, "worker-node-failure")
	for v, want := range map[string]string{"1.21": "3.4", "1.22": "3.5", "1.33": "3.5", "1.34": "3.6", "v1.36.2": "3.6"} {
		d := strings.Replace(doc, `kubernetesVersion: "1.32"`, `kubernetesVersion: "`+v+`"`, 1)
		s, err := Load("t.yaml", []byte(d))
		if err != nil {
			t.Fatalf("%s: %v", v, err)
		}
		e := s.Config().Etcd.WithDefaults()
		if e.Version != want || *e.PreVote != (want != "3.4") {
			t.Errorf("Kubernetes %s: etcd %s pre-vote %v, want %s", v, e.Version, *e.PreVote, want)
		}
	}
	// An explicit etcd version wins.
	d := strings.Replace(doc, `kubernetesVersion: "1.32"`, `kubernetesVersion: "1.21"`, 1)
	d = strings.Replace(d, "  controlPlane:", "  etcd: {version: \"3.5\"}\n  controlPlane:", 1)
	s, err := Load("t.yaml", []byte(d))
	if err != nil {
		t.Fatal(err)
	}
	if v := s.Config().Etcd.Version; v != "3.5" {
		t.Errorf("explicit etcd version overridden: %s", v)
	}
}

// controlPlaneEndpoint is kubeadm's name for loadBalancer: the same run.
func TestControlPlaneEndpointSpelling(t *testing.T) {
	doc := libraryDoc(t, "worker-node-failure")
	a := runVersionDoc(t, doc)
	b := runVersionDoc(t, strings.Replace(doc, "controlPlaneEndpoint:", "loadBalancer:", 1))
	if len(a.Timeline) != len(b.Timeline) || a.Events != b.Events {
		t.Fatalf("the two spellings ran differently: %d vs %d events", a.Events, b.Events)
	}
	for i := range a.Timeline {
		if a.Timeline[i] != b.Timeline[i] {
			t.Fatalf("record %d differs: %+v vs %+v", i, a.Timeline[i], b.Timeline[i])
		}
	}
}

// kubeadm adds a joining stacked member as a learner from 1.29
// (EtcdLearnerMode) and as a voter before: with 1.28 the member.added
// record raises the quorum at once and nothing is promoted.
func TestKubernetesVersionLearnerMode(t *testing.T) {
	doc := libraryDoc(t, "grow-1-to-3-masters")
	for _, tc := range []struct {
		version  string
		added    string
		promoted int
	}{{"1.29", "added as a learner", 2}, {"1.28", "added as a voting member", 0}} {
		r := runVersionDoc(t, strings.Replace(doc, `kubernetesVersion: "1.33"`, `kubernetesVersion: "`+tc.version+`"`, 1))
		added, promoted := 0, 0
		for _, rec := range r.Timeline {
			switch rec.Event {
			case model.EvMemberAdded:
				if strings.Contains(rec.Reason, tc.added) {
					added++
				}
			case model.EvMemberPromoted:
				promoted++
			case model.EvOpFailed:
				t.Errorf("%s: %s", tc.version, rec.Reason)
			}
		}
		if added != 2 || promoted != tc.promoted {
			t.Errorf("%s: %d members %s and %d promoted; want 2 and %d", tc.version, added, tc.added, promoted, tc.promoted)
		}
	}
}
