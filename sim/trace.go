package sim

import (
	"encoding/binary"
	"fmt"
	"hash"
	"hash/fnv"
	"io"
)

// Digest is a Tracer that folds every event into a 64-bit FNV-1a hash, so
// that two runs can be compared for identical behaviour with one number.
type Digest struct {
	h   hash.Hash64
	n   uint64
	buf [16]byte
}

// NewDigest returns an empty digest.
func NewDigest() *Digest { return &Digest{h: fnv.New64a()} }

// Event folds e into the digest.
func (d *Digest) Event(e Event) {
	binary.LittleEndian.PutUint64(d.buf[:8], uint64(e.At))
	binary.LittleEndian.PutUint64(d.buf[8:], e.Seq)
	d.h.Write(d.buf[:])
	io.WriteString(d.h, e.Name)
	d.n++
}

// Sum is the digest of the events seen so far.
func (d *Digest) Sum() uint64 { return d.h.Sum64() }

// Count is the number of events seen.
func (d *Digest) Count() uint64 { return d.n }

// String formats the digest as 16 hex digits followed by the event count.
func (d *Digest) String() string { return fmt.Sprintf("%016x/%d", d.Sum(), d.n) }

// Writer is a Tracer that prints one line per event in fixed columns:
// time (to the nanosecond), sequence, timer name.
type Writer struct {
	W io.Writer
}

// Event prints e.
func (w Writer) Event(e Event) {
	fmt.Fprintf(w.W, "%20s %10d %s\n", e.At.Precise(), e.Seq, e.Name)
}

// Tee is a Tracer that hands each event to every tracer in order.
type Tee []Tracer

// Event hands e on.
func (t Tee) Event(e Event) {
	for _, x := range t {
		x.Event(e)
	}
}
