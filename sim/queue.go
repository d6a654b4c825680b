package sim

import "math/bits"

// entry is one armed timer in the queue. The key (at, seq) is stored inline
// so that comparisons never dereference the timer, and the timer is named by
// its id, so the heap holds no pointers for the garbage collector to trace.
type entry struct {
	at  Time
	seq uint64
	id  int32
}

func (a *entry) less(b *entry) bool {
	return a.at < b.at || (a.at == b.at && a.seq < b.seq)
}

// lessBit is less as 0 or 1, computed without branches: (at, seq) compared
// as one 128-bit unsigned number (times are never negative), whose borrow
// is the answer. Choosing the smallest child with it avoids the branch
// mispredictions that dominate a sift through a large heap.
func lessBit(a, b *entry) uint64 {
	_, borrow := bits.Sub64(a.seq, b.seq, 0)
	_, borrow = bits.Sub64(uint64(a.at), uint64(b.at), borrow)
	return borrow
}

// queue is a 4-ary min-heap of entries ordered by (at, seq). pos records
// each timer's heap position, so that Stop removes and Reset moves its entry
// in O(log n). A 4-ary heap is shallower than a binary one, which pays off
// when most operations are sift-downs (fires and re-arms into the future).
//
// Invariants: pos[h[i].id] == i for every i; pos[id] == -1 for a timer not
// in the heap; no entry sorts before its parent h[(i-1)/4].
type queue struct {
	h   []entry
	pos []int32 // by timer id
}

// arity is fixed at 4: down's branch-free tournament assumes it.
const arity = 4

// add registers a new timer id and returns it.
func (q *queue) add() int32 {
	q.pos = append(q.pos, -1)
	return int32(len(q.pos) - 1)
}

func (q *queue) push(e entry) {
	q.h = append(q.h, e)
	q.up(len(q.h)-1, e)
}

// fix gives the entry at i the key (at, seq) and restores heap order.
func (q *queue) fix(i int, at Time, seq uint64) {
	e := q.h[i]
	e.at, e.seq = at, seq
	if i > 0 && e.less(&q.h[(i-1)/arity]) {
		q.up(i, e)
	} else {
		q.down(i, e)
	}
}

// remove takes the entry at i out of the queue.
func (q *queue) remove(i int) {
	h := q.h
	q.pos[h[i].id] = -1
	n := len(h) - 1
	last := h[n]
	q.h = h[:n]
	if i == n {
		return
	}
	if i > 0 && last.less(&h[(i-1)/arity]) {
		q.up(i, last)
	} else {
		q.down(i, last)
	}
}

// up places e at i and sifts it towards the root.
func (q *queue) up(i int, e entry) {
	h, pos := q.h, q.pos
	for i > 0 {
		p := (i - 1) / arity
		if !e.less(&h[p]) {
			break
		}
		h[i] = h[p]
		pos[h[i].id] = int32(i)
		i = p
	}
	h[i] = e
	pos[e.id] = int32(i)
}

// down places e at i and sifts it towards the leaves. It uses the
// bottom-up variant: the hole first walks down to a leaf along the smallest
// children, without comparing against e, then e climbs back from there.
// Entries sifted down are usually re-armed far into the future and belong
// near the leaves, so the climb is short and each level costs one
// comparison fewer than the classic sift.
func (q *queue) down(i int, e entry) {
	h, pos := q.h, q.pos
	n := len(h)
	for {
		c := arity*i + 1
		if c >= n {
			break
		}
		m := c
		if c+arity <= n {
			// Full set of children: branch-free tournament.
			a := c + int(lessBit(&h[c+1], &h[c]))
			b := c + 2 + int(lessBit(&h[c+3], &h[c+2]))
			d := int(lessBit(&h[b], &h[a]))
			m = a + (b-a)*d
		} else {
			for j := c + 1; j < n; j++ {
				if h[j].less(&h[m]) {
					m = j
				}
			}
		}
		h[i] = h[m]
		pos[h[i].id] = int32(i)
		i = m
	}
	// e sorts at or after the parent of start (callers sift down only
	// then), so the climb never passes start. (Inlined rather than a call
	// to up: this is the hottest loop of the engine.)
	for i > 0 {
		p := (i - 1) / arity
		if !e.less(&h[p]) {
			break
		}
		h[i] = h[p]
		pos[h[i].id] = int32(i)
		i = p
	}
	h[i] = e
	pos[e.id] = int32(i)
}
