package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"hasim/model"
)

// isTerminal reports whether w is a terminal (a character device).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// progressEvery is how often a progress line is written: every if set,
// else a fifth of a second on a terminal (the line is updated in place)
// and ten seconds otherwise (a line each time, as in a log).
func progressEvery(every time.Duration, tty bool) time.Duration {
	switch {
	case every > 0:
		return every
	case tty:
		return 200 * time.Millisecond
	}
	return 10 * time.Second
}

// eta is how much longer work that has taken elapsed and done a fraction
// of itself will take at the same pace, "?" until it has done enough to
// say.
func eta(elapsed time.Duration, fraction float64) string {
	if fraction < 0.001 || elapsed <= 0 {
		return "?"
	}
	left := time.Duration(float64(elapsed) * (1 - fraction) / fraction)
	return left.Round(time.Second).String()
}

// meter writes a progress line on standard error while long work runs:
// updated in place on a terminal and erased when the work ends, a plain
// line each time otherwise. The first line comes only once the work has
// taken a second on a terminal, or the interval otherwise, so quick work
// prints nothing. line makes the text from the time elapsed; it runs on
// the meter's own goroutine.
type meter struct {
	w     io.Writer
	tty   bool
	every time.Duration
	line  func(elapsed time.Duration) string
	stop  chan struct{}
	wg    sync.WaitGroup
	once  sync.Once
	shown bool
}

// startMeter starts a meter; every as for progressEvery.
func startMeter(w io.Writer, every time.Duration, line func(elapsed time.Duration) string) *meter {
	tty := isTerminal(w)
	m := &meter{w: w, tty: tty, every: progressEvery(every, tty), line: line, stop: make(chan struct{})}
	first := m.every
	if tty {
		first = time.Second
	}
	start := time.Now()
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		wait := time.NewTimer(first)
		defer wait.Stop()
		for {
			select {
			case <-m.stop:
				return
			case <-wait.C:
			}
			msg := m.line(time.Since(start))
			if m.tty {
				fmt.Fprintf(m.w, "\r\x1b[K%s", msg)
			} else {
				fmt.Fprintln(m.w, msg)
			}
			m.shown = true
			wait.Reset(m.every)
		}
	}()
	return m
}

// finish stops the meter (nil: none) and, on a terminal, erases its
// line; again, it does nothing.
func (m *meter) finish() {
	if m == nil {
		return
	}
	m.once.Do(func() {
		close(m.stop)
		m.wg.Wait()
		if m.tty && m.shown {
			fmt.Fprint(m.w, "\r\x1b[K")
		}
	})
}

// calendarString writes simulated seconds as a progress line shows them:
// years to a tenth over a horizon of years, else a duration to the
// second.
func calendarString(secs, horizon float64) string {
	if year := model.Year.Seconds(); horizon >= 2*year {
		return fmt.Sprintf("%.1fy", secs/year)
	}
	return model.LongString(time.Duration(secs * float64(time.Second)).Round(time.Second))
}
