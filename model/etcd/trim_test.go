package etcd

import (
	"testing"
	"time"

	"hasim/model/fabric"
)

// TestMemberTrimsAtSkip: writes against slow disks pile messages up in
// the members' outgoing buffers and pools; a skip, once the disks are
// fast again and the cluster quiet, lets them go down to what a steady
// cluster needs.
func TestMemberTrimsAtSkip(t *testing.T) {
	const pooled = 64 // what a fabric.Pool keeps past a skip
	h := &etcdHarness{t: t}
	for _, line := range []string{"cluster members=3", "run 5s"} {
		if _, err := h.do(line); err != nil {
			t.Fatal(err)
		}
	}
	var slow []*fabric.Slowdown
	for _, m := range h.e.Members {
		slow = append(slow, m.Proc.Host.Disk.Slow(fabric.Fixed(3*time.Second)))
	}
	if _, err := h.do("put n=1000 timeout=120s"); err != nil {
		t.Fatal(err)
	}
	for i, m := range h.e.Members {
		m.Proc.Host.Disk.Restore(slow[i])
	}
	if _, err := h.do("run 10s"); err != nil {
		t.Fatal(err)
	}
	kept := func(m *Member) (msgs, bodies int) {
		return max(cap(m.outbox), cap(m.held)), m.raftPool.Kept() + m.replies.Kept()
	}
	grown := false
	for _, m := range h.e.Members {
		msgs, bodies := kept(m)
		grown = grown || msgs > msgsSteady || bodies > 2*pooled
	}
	if !grown {
		t.Fatal("the slow disks grew no buffer or pool past what a skip keeps: the test shows nothing")
	}
	h.w.Skip(time.Hour)
	for _, m := range h.e.Members {
		if msgs, bodies := kept(m); msgs > msgsSteady || bodies > 2*pooled {
			t.Errorf("%s after the skip: outgoing buffer of %d messages, %d bodies pooled", m.Name, msgs, bodies)
		}
	}
	if out, err := h.do("put n=10"); err != nil || len(out) == 0 {
		t.Fatalf("writes after the skip: %q, %v", out, err)
	}
}
