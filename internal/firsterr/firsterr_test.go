package firsterr

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"testing"
)

type failAfter struct{ n int }

func (f *failAfter) Write(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, errors.New("disk full")
	}
	f.n--
	return len(p), nil
}

type short struct{}

func (short) Write(p []byte) (int, error) { return len(p) - 1, nil }

// TestWriter: the first failure is kept and every later write fails with
// it; a short write counts as a failure.
func TestWriter(t *testing.T) {
	var b bytes.Buffer
	w := &Writer{W: &b}
	fmt.Fprint(w, "a")
	fmt.Fprint(w, "b")
	if w.Err != nil || b.String() != "ab" {
		t.Fatalf("%q, %v", b.String(), w.Err)
	}
	w = &Writer{W: &failAfter{n: 1}}
	fmt.Fprint(w, "a")
	fmt.Fprint(w, "b")
	if _, err := fmt.Fprint(w, "c"); err == nil || w.Err == nil || w.Err.Error() != "disk full" {
		t.Fatalf("after a failure: %v, kept %v", err, w.Err)
	}
	w = &Writer{W: short{}}
	fmt.Fprint(w, "abc")
	if !errors.Is(w.Err, io.ErrShortWrite) {
		t.Fatalf("short write kept as %v", w.Err)
	}
}
