package etcd

import "testing"

// TestCompactKeepsRoom: a compaction moves the entries left into an
// array of the given room, whether the log's array had grown past it (a
// backlog) or was smaller (grown by doubling), and keeps the same array
// while it has that room; the entries and indexes are unchanged.
func TestCompactKeepsRoom(t *testing.T) {
	const room = 100
	var l raftLog
	for i := range 300 {
		l.Append(Entry{Term: 1, Req: uint64(i + 1)})
	}
	l.Committed, l.Applied, l.Stable = 300, 300, 300
	check := func(what string, offset uint64) {
		t.Helper()
		if cap(l.ents) != room || l.Offset != offset || l.LastIndex() != 300 {
			t.Fatalf("%s: capacity %d, offset %d, last %d; want %d, %d, 300", what, cap(l.ents), l.Offset, l.LastIndex(), room, offset)
		}
		for i := offset + 1; i <= 300; i++ {
			if l.entry(i).Req != i {
				t.Fatalf("%s: entry %d holds request %d", what, i, l.entry(i).Req)
			}
		}
	}
	l.compact(250, room) // 50 left, from an array of a few hundred
	check("after a backlog", 250)
	before := &l.ents[:1][0]
	l.compact(260, room)
	check("with room already", 260)
	if &l.ents[:1][0] != before {
		t.Fatal("a compaction with the room already made a new array")
	}
	var small raftLog
	for i := range 20 {
		small.Append(Entry{Term: 1, Req: uint64(i + 1)})
	}
	small.Committed, small.Applied = 20, 20
	small.compact(10, room)
	if cap(small.ents) != room || small.entry(11).Req != 11 {
		t.Fatalf("a smaller array: capacity %d after compaction, want %d", cap(small.ents), room)
	}
}
