package fabric

// Structures that keep a client's or a member's outstanding work in order.

// minHeap is a binary min-heap of values that order themselves: the
// deadlines of a client's requests, the read indexes a member's reads wait
// for.
type MinHeap[T interface{ Less(T) bool }] []T

func (h *MinHeap[T]) Push(x T) {
	*h = append(*h, x)
	a := *h
	for i := len(a) - 1; i > 0; {
		p := (i - 1) / 2
		if !a[i].Less(a[p]) {
			break
		}
		a[i], a[p] = a[p], a[i]
		i = p
	}
}

// pop removes and returns the least value; the heap must not be empty.
func (h *MinHeap[T]) Pop() T {
	a := *h
	top := a[0]
	n := len(a) - 1
	a[0] = a[n]
	a = a[:n]
	for i := 0; ; {
		m, l, r := i, 2*i+1, 2*i+2
		if l < n && a[l].Less(a[m]) {
			m = l
		}
		if r < n && a[r].Less(a[m]) {
			m = r
		}
		if m == i {
			break
		}
		a[i], a[m] = a[m], a[i]
		i = m
	}
	*h = a
	return top
}

// compactHoles keeps a list whose ended entries stay as holes from being
// copied on every removal: once nothing in it is live it is emptied, and
// once the holes are at least half of list[head:] (or head has moved past
// half of it) the live entries move to the front, in order. It returns the
// list and its new head; the array is reused either way.
func CompactHoles[T any](list []T, head, live int, ended func(*T) bool) ([]T, int) {
	n := len(list)
	switch {
	case live == 0:
		clear(list)
		return list[:0], 0
	case n-head >= 64 && live <= (n-head)/2 || head >= 64 && 2*head >= n:
		kept := list[:0]
		for i := head; i < n; i++ {
			if !ended(&list[i]) {
				kept = append(kept, list[i])
			}
		}
		clear(list[len(kept):])
		return kept, 0
	}
	return list, head
}
