package etcd

// raftLog is a member's Raft log. Entries before offset+1 were compacted
// into a snapshot at (offset, snapTerm). stable is the highest index that
// has been fsynced; a crash loses everything after it.
//
// Invariants: offset <= committed <= lastIndex(); applied <= committed;
// offset <= stable <= lastIndex().
type raftLog struct {
	Offset    uint64
	snapTerm  uint64
	ents      []Entry // index offset+1+i
	Stable    uint64
	Committed uint64
	Applied   uint64
	truncLow  uint64 // lowest truncation point since the current fsync began
}

func (l *raftLog) LastIndex() uint64 { return l.Offset + uint64(len(l.ents)) }

func (l *raftLog) lastTerm() uint64 { t, _ := l.term(l.LastIndex()); return t }

// term is the term of entry i; ok is false if i is compacted or beyond the
// end.
func (l *raftLog) term(i uint64) (uint64, bool) {
	switch {
	case i == l.Offset:
		return l.snapTerm, true
	case i < l.Offset || i > l.LastIndex():
		return 0, false
	}
	return l.ents[i-l.Offset-1].Term, true
}

func (l *raftLog) matchTerm(i, term uint64) bool {
	t, ok := l.term(i)
	return ok && t == term
}

// isUpToDate is Raft's election restriction: a log ending at (lasti, term)
// is at least as up to date as this one.
func (l *raftLog) isUpToDate(lasti, term uint64) bool {
	lt := l.lastTerm()
	return term > lt || (term == lt && lasti >= l.LastIndex())
}

// entry returns entry i, which must be in the log.
func (l *raftLog) entry(i uint64) Entry { return l.ents[i-l.Offset-1] }

// append adds entries at the end and returns the new last index.
func (l *raftLog) Append(es ...Entry) uint64 {
	l.ents = append(l.ents, es...)
	return l.LastIndex()
}

// truncateAfter drops entries after index i; what was fsynced past i no
// longer counts as stable.
func (l *raftLog) truncateAfter(i uint64) {
	l.ents = l.ents[:i-l.Offset]
	l.Stable = min(l.Stable, i)
	l.truncLow = min(l.truncLow, i)
}

// maybeAppend applies a leader's MsgApp: if the entry at prev matches
// prevTerm, it reconciles the entries after prev with es (dropping a
// conflicting suffix), advances the commit index to min(commit, last new
// index) and returns the last new index.
func (l *raftLog) maybeAppend(prev, prevTerm, commit uint64, es []Entry) (uint64, bool) {
	if !l.matchTerm(prev, prevTerm) {
		return 0, false
	}
	lastNew := prev + uint64(len(es))
	for k, e := range es {
		i := prev + 1 + uint64(k)
		if i <= l.Offset {
			continue // already in our snapshot
		}
		if t, ok := l.term(i); ok && t == e.Term {
			continue
		}
		// First conflict or first new entry: replace the rest.
		if i <= l.LastIndex() {
			l.truncateAfter(i - 1)
		}
		l.Append(es[k:]...)
		break
	}
	l.commitTo(min(commit, lastNew))
	return lastNew, true
}

func (l *raftLog) commitTo(i uint64) {
	if i > l.Committed {
		l.Committed = min(i, l.LastIndex())
	}
}

// restore replaces the log by a snapshot at (index, term).
func (l *raftLog) restore(index, term uint64) {
	l.Offset, l.snapTerm = index, term
	l.ents = l.ents[:0]
	l.Committed = max(l.Committed, index)
	l.Applied = max(l.Applied, index)
	l.Stable = index
}

// compact drops entries up to i (which must be applied), keeping memory
// flat over long runs as etcd's snapshots do. The entries left move into
// an array of capacity c: the log's length between compactions stays
// under c unless entries wait unapplied, and an array grown past c then
// is let go, so that the memory a long run holds does not ratchet up to
// the longest log it ever had (at a compaction a year, the array's
// capacity would be the largest backlog of a thousand years).
func (l *raftLog) compact(i uint64, c int) {
	if i <= l.Offset || i > l.Applied {
		return
	}
	t, _ := l.term(i)
	rest := l.ents[i-l.Offset:]
	if cap(l.ents) != c && len(rest) <= c {
		l.ents = append(make([]Entry, 0, c), rest...)
	} else {
		n := copy(l.ents, rest)
		l.ents = l.ents[:n]
	}
	l.Offset, l.snapTerm = i, t
}

// Recycler keeps the members' log arrays of finished runs for the next
// run on the same goroutine. A study's runs are short, and each member's
// log grows by doubling until compaction, which a short run never
// reaches: without reuse that growth is most of what a run allocates, and
// the collector's work holds back parallel workers. An array is reused
// with length zero; its old entries are never read (the log reads only
// below its length), and Entry holds no pointers, so nothing stale stays
// reachable. A Recycler is not safe for concurrent use: one per worker.
type Recycler struct{ logs [][]Entry }

// Kept is how many arrays r keeps.
func (r *Recycler) Kept() int { return len(r.logs) }

// UseRecycler gives each member an array kept by r, if it has one. Call it
// before the first event.
func (e *Etcd) UseRecycler(r *Recycler) {
	for _, m := range e.Members {
		if n := len(r.logs); n > 0 && m.Log.ents == nil {
			m.Log.ents, r.logs = r.logs[n-1][:0], r.logs[:n-1]
		}
	}
}

// Recycle hands the members' log arrays to r; the cluster must not run
// again.
func (e *Etcd) Recycle(r *Recycler) {
	for _, m := range e.Members {
		if cap(m.Log.ents) > 0 {
			r.logs = append(r.logs, m.Log.ents[:0])
			m.Log.ents = nil
		}
	}
}
