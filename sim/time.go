package sim

import (
	"strconv"
	"time"
)

// Time is a point on the simulation's virtual clock: integer nanoseconds
// since the start of the run. It is the engine's true time; what a host's
// clock reads is a model of that reading (see package model).
type Time int64

// Never is a time later than any event a run can schedule.
const Never Time = 1<<63 - 1

// At converts a duration since the start of the run into a Time.
func At(d time.Duration) Time { return Time(d) }

// Add returns t+d.
func (t Time) Add(d time.Duration) Time { return t + Time(d) }

// Sub returns the duration t-u.
func (t Time) Sub(u Time) time.Duration { return time.Duration(t - u) }

// Duration returns t as a duration since the start of the run.
func (t Time) Duration() time.Duration { return time.Duration(t) }

// Seconds returns t in seconds since the start of the run.
func (t Time) Seconds() float64 { return time.Duration(t).Seconds() }

// String formats t as seconds with millisecond precision ("12.400s"), the
// form used in timelines.
func (t Time) String() string {
	if t == Never {
		return "never"
	}
	return strconv.FormatFloat(t.Seconds(), 'f', 3, 64) + "s"
}

// Precise formats t as seconds with nanosecond precision
// ("12.400000125s"): traces use it, since events a few microseconds apart
// print alike with String.
func (t Time) Precise() string {
	if t == Never {
		return "never"
	}
	if t < 0 {
		return "-" + (-t).Precise()
	}
	return strconv.FormatInt(int64(t)/1e9, 10) + "." + pad9(int64(t)%1e9) + "s"
}

// pad9 formats n (0 <= n < 1e9) with nine digits.
func pad9(n int64) string {
	s := strconv.FormatInt(n, 10)
	return "000000000"[len(s):] + s
}
