package fabric

import "time"

// Sum is a total of durations that may pass the 292 years a time.Duration
// holds: a probe's time up or an apiserver's time ready over a run of a
// thousand years. It is whole eras (EraLen) plus the rest; while under an
// era it is exactly the Duration it would have been.
type Sum struct {
	Eras int64
	Rest time.Duration
}

// Add adds d (not negative).
func (s *Sum) Add(d time.Duration) {
	s.Rest += d
	if s.Rest >= EraLen {
		k := s.Rest / EraLen
		s.Eras += int64(k)
		s.Rest -= k * EraLen
	}
}

// Seconds is the total in seconds.
func (s Sum) Seconds() float64 { return float64(s.Eras)*EraLen.Seconds() + s.Rest.Seconds() }

// Duration is the total if it is under an era, else the longest
// time.Duration.
func (s Sum) Duration() time.Duration {
	if s.Eras > 0 {
		return 1<<63 - 1
	}
	return s.Rest
}

// Frac is the total as a fraction of the total of: exactly the ratio of
// the nanoseconds while both are under an era, in seconds past it.
func (s Sum) Frac(of Sum) float64 {
	if s.Eras == 0 && of.Eras == 0 {
		return float64(s.Rest) / float64(of.Rest)
	}
	return s.Seconds() / of.Seconds()
}
