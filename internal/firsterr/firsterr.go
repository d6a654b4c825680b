// Package firsterr has a writer that remembers the first write that
// failed, so that output made of many Fprintf calls is checked once, at
// its end.
package firsterr

import "io"

// Writer passes writes on to W until one fails (or writes less than it
// was given), then fails every later write with that error, kept in Err.
type Writer struct {
	W   io.Writer
	Err error
}

func (e *Writer) Write(p []byte) (int, error) {
	if e.Err != nil {
		return 0, e.Err
	}
	n, err := e.W.Write(p)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	e.Err = err
	return n, err
}
