package kube

import (
	"testing"
	"time"
)

// TestEtcdCheckLimiter: the etcd check of /readyz runs a real probe at
// most once per timeout/2 (rate.Every(timeout/2), burst 1); a request in
// between gets the result stored by the last probe sent, and a probe sent
// earlier but answered later does not overwrite a newer one's result.
func TestEtcdCheckLimiter(t *testing.T) {
	c := etcdCheck{name: "etcd", timeout: 2 * time.Second, result: "etcd client connection not yet established"}
	s := time.Second
	for _, st := range []struct {
		at   time.Duration
		want bool
	}{{0, true}, {s / 2, false}, {s - 1, false}, {s, true}, {s + s/2, false}, {5 * s, true}, {5*s + 1, false}} {
		if got := c.allow(st.at); got != st.want {
			t.Errorf("allow at %v = %v, want %v", st.at, got, st.want)
		}
	}
	c = etcdCheck{name: "etcd", timeout: 2 * time.Second}
	c.store("", 3*s)                  // a probe sent at 3s passed
	c.store("deadline exceeded", 1*s) // one sent at 1s failed, answered later
	if c.result != "" {
		t.Errorf("an older probe's late failure replaced the newer result: %q", c.result)
	}
	c.store("deadline exceeded", 4*s)
	if c.result != "deadline exceeded" {
		t.Errorf("the newest probe's failure was not stored: %q", c.result)
	}
}
