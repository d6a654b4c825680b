package fabric

import (
	"fmt"
	"math"
	"time"
)

// Limits on the timings and distributions of a run: what a real cluster
// could have, with a wide margin (see limits.go).
const (
	// MinPeriod is the shortest period or interval of anything that
	// repeats (probes, health checks, adverts, ticks): a millisecond, far
	// below any real setting (etcd's heartbeat, the shortest, is 100 ms by
	// default and is meant to be about a round trip).
	MinPeriod = time.Millisecond
	// MaxPeriod is the longest period or interval: an hour.
	MaxPeriod = time.Hour
	// MinTimeout and MaxTimeout bound timeouts and back-offs: a
	// millisecond to an hour.
	MinTimeout = time.Millisecond
	MaxTimeout = time.Hour
	// MaxDelay bounds durations that are not periods or timeouts (lease
	// durations, grace periods, tolerations, start delays): a day.
	MaxDelay = 24 * time.Hour
	// MaxLatency bounds every value of a latency, fsync or reconnection
	// distribution: an hour, far beyond any disk or network that still
	// works.
	MaxLatency = time.Hour
	// MaxSigma bounds a lognormal's sigma: 5 puts the 99.9th percentile
	// 5,000,000 times above the median; measured latencies have sigma
	// below 2.
	MaxSigma = 5.0
	// MaxEmpiricalPoints bounds an empirical distribution's quantiles.
	MaxEmpiricalPoints = 1_000
)

// checkLimits reports distribution parameters beyond MaxLatency,
// MaxSigma and MaxEmpiricalPoints.
func (d Dist) checkLimits() error {
	for _, v := range []struct {
		name string
		v    time.Duration
	}{{"value", d.Value}, {"min", d.Min}, {"max", d.Max}, {"median", d.Median}} {
		if v.v > MaxLatency {
			return fmt.Errorf("%s %v out of range; allowed: up to %v", v.name, v.v, MaxLatency)
		}
	}
	if d.Sigma > MaxSigma || math.IsNaN(d.Sigma) {
		return fmt.Errorf("sigma %g out of range; allowed: 0 to %g", d.Sigma, MaxSigma)
	}
	if len(d.Points) > MaxEmpiricalPoints {
		return fmt.Errorf("%d points; allowed: up to %d", len(d.Points), MaxEmpiricalPoints)
	}
	for _, p := range d.Points {
		if p.Value > MaxLatency {
			return fmt.Errorf("point value %v out of range; allowed: up to %v", p.Value, MaxLatency)
		}
	}
	return nil
}
