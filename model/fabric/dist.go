package fabric

import (
	"fmt"
	"math"
	"strings"
	"time"

	"hasim/sim"
)

// DistKind names a family of duration distributions.
type DistKind string

const (
	// Constant: always Value.
	Constant DistKind = "constant"
	// Uniform: uniform on [Min, Max].
	Uniform DistKind = "uniform"
	// LogNormal: exp(N(ln Median, Sigma²)), clamped to [Min, Max] when set.
	LogNormal DistKind = "lognormal"
	// Empirical: piecewise-linear quantile function through Points
	// (probability, value), which must start at probability 0 and end at 1.
	Empirical DistKind = "empirical"
)

// Quantile is one point of an empirical distribution.
type Quantile struct {
	P     float64
	Value time.Duration
}

// Dist is a distribution of durations. The zero Dist is the constant 0.
type Dist struct {
	Kind   DistKind
	Value  time.Duration // Constant
	Min    time.Duration // Uniform; optional clamp for LogNormal
	Max    time.Duration // Uniform; optional clamp for LogNormal
	Median time.Duration // LogNormal
	Sigma  float64       // LogNormal: standard deviation of the log
	Points []Quantile    // Empirical
}

// Fixed returns the constant distribution d.
func Fixed(d time.Duration) Dist { return Dist{Kind: Constant, Value: d} }

// Between returns the uniform distribution on [lo, hi].
func Between(lo, hi time.Duration) Dist { return Dist{Kind: Uniform, Min: lo, Max: hi} }

// Sample draws the n-th value of st from the distribution.
func (d Dist) Sample(st sim.Stream, n uint64) time.Duration {
	switch d.Kind {
	case "", Constant:
		return d.Value
	case Uniform:
		return d.Min + time.Duration(st.Float64(n)*float64(d.Max-d.Min))
	case LogNormal:
		// Clamped as a float: a far tail draw would overflow a Duration.
		v := float64(d.Median) * math.Exp(d.Sigma*st.Normal(n))
		if d.Min > 0 && v < float64(d.Min) {
			v = float64(d.Min)
		}
		if d.Max > 0 && v > float64(d.Max) {
			v = float64(d.Max)
		}
		return time.Duration(min(v, float64(MaxLatency)))
	case Empirical:
		u := st.Float64(n)
		pts := d.Points
		for i := 1; i < len(pts); i++ {
			if u <= pts[i].P || i == len(pts)-1 {
				a, b := pts[i-1], pts[i]
				if b.P == a.P {
					return b.Value
				}
				f := (u - a.P) / (b.P - a.P)
				return a.Value + time.Duration(f*float64(b.Value-a.Value))
			}
		}
	}
	panic(fmt.Sprintf("model.Dist.Sample: unknown kind %q", d.Kind))
}

// Validate reports what is wrong with the distribution's parameters.
func (d Dist) Validate() error {
	switch d.Kind {
	case "", Constant:
		if d.Value < 0 {
			return fmt.Errorf("constant value %v is negative", d.Value)
		}
	case Uniform:
		if d.Min < 0 || d.Max < d.Min {
			return fmt.Errorf("uniform needs 0 <= min <= max, got min %v max %v", d.Min, d.Max)
		}
	case LogNormal:
		if d.Median <= 0 || !(d.Sigma >= 0) || math.IsInf(d.Sigma, 0) {
			return fmt.Errorf("lognormal needs median > 0 and sigma >= 0, got median %v sigma %v", d.Median, d.Sigma)
		}
		if d.Max > 0 && d.Max < d.Min {
			return fmt.Errorf("lognormal clamp needs min <= max, got min %v max %v", d.Min, d.Max)
		}
	case Empirical:
		pts := d.Points
		if len(pts) < 2 || pts[0].P != 0 || pts[len(pts)-1].P != 1 {
			return fmt.Errorf("empirical needs at least two points, from p=0 to p=1")
		}
		for i := 1; i < len(pts); i++ {
			if pts[i].P < pts[i-1].P || pts[i].Value < pts[i-1].Value {
				return fmt.Errorf("empirical points must not decrease (point %d)", i)
			}
		}
		if pts[0].Value < 0 {
			return fmt.Errorf("empirical values must not be negative")
		}
	default:
		return fmt.Errorf("unknown distribution %q; allowed: constant, uniform, lognormal, empirical", d.Kind)
	}
	return d.checkLimits()
}

// String describes the distribution ("uniform 1ms–2ms").
func (d Dist) String() string {
	switch d.Kind {
	case "", Constant:
		return d.Value.String()
	case Uniform:
		return fmt.Sprintf("uniform %v–%v", d.Min, d.Max)
	case LogNormal:
		return fmt.Sprintf("lognormal median %v sigma %g", d.Median, d.Sigma)
	case Empirical:
		var b strings.Builder
		b.WriteString("empirical")
		for _, p := range d.Points {
			fmt.Fprintf(&b, " p%g=%v", p.P*100, p.Value)
		}
		return b.String()
	}
	return string(d.Kind)
}
