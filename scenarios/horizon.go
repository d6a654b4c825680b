package scenarios

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strings"
	"time"

	"hasim/model"
)

// Horizon is spec.horizon: a Duration, which may also pass the 292 years
// a Duration holds, up to a million years ("1000y"). Past model.MaxHorizon
// (250 years) it is whole eras of 50 years (Eras) and the rest (Rest); the
// run then rebases its calendar by one era at a time (see the README's
// long horizons). Within it, Eras is 0 and Rest is the whole horizon.
type Horizon struct {
	Eras int64
	Rest Duration
}

// HorizonOf is a horizon of d.
func HorizonOf(d time.Duration) Horizon { return Horizon{Rest: Duration(d)} }

// D is the horizon as a Duration; past one (Eras > 0) the longest
// Duration, which is beyond every time a scenario can give otherwise.
func (h Horizon) D() time.Duration {
	if h.Eras > 0 {
		return math.MaxInt64
	}
	return h.Rest.D()
}

// Set reports whether a horizon is given.
func (h Horizon) Set() bool { return h.Eras > 0 || h.Rest > 0 }

// String writes the horizon as LongString does ("1000y", "90s").
func (h Horizon) String() string { return model.HorizonString(h.Eras, h.Rest.D()) }

// MarshalYAML writes the horizon in the units it can be given in.
func (h Horizon) MarshalYAML() (any, error) {
	if h.Eras == 0 {
		return h.Rest.MarshalYAML()
	}
	return h.String(), nil
}

// UnmarshalScalar implements Scalar: a duration as Duration reads it, or
// one past 292 years.
func (h *Horizon) UnmarshalScalar(s string) error {
	var d Duration
	err := d.UnmarshalScalar(s)
	if err == nil {
		*h = HorizonOf(d.D())
		if d.D() > model.MaxHorizon {
			eras, rest, _ := model.LongHorizon(big.NewInt(int64(d)))
			*h = Horizon{Eras: eras, Rest: Duration(rest)}
		}
		return nil
	}
	if _, rerr := parseDuration(s); !errors.Is(rerr, ErrDurationRange) {
		return err
	}
	if strings.HasPrefix(s, "-") {
		return fmt.Errorf("want a non-negative duration, got %s", quote(s))
	}
	ns, perr := parseLong(strings.TrimPrefix(s, "+"))
	if perr != nil {
		return fmt.Errorf("want a duration such as 60s, 30d, 10y or 1000y, got %s", quote(s))
	}
	eras, rest, lerr := model.LongHorizon(ns)
	if lerr != nil {
		return fmt.Errorf("%s: %v", quote(s), lerr)
	}
	*h = Horizon{Eras: eras, Rest: Duration(rest)}
	return nil
}

// parseLong reads a duration of any length, in nanoseconds: a sequence of
// decimal numbers each with a unit (ns, us, µs, ms, s, m, h, d, y).
func parseLong(s string) (*big.Int, error) {
	units := map[string]int64{"ns": 1, "us": int64(time.Microsecond), "µs": int64(time.Microsecond), "ms": int64(time.Millisecond),
		"s": int64(time.Second), "m": int64(time.Minute), "h": int64(time.Hour), "d": int64(Day), "y": int64(Year)}
	total := new(big.Rat)
	rest := s
	if rest == "" {
		return nil, fmt.Errorf("empty")
	}
	for rest != "" {
		i := strings.IndexFunc(rest, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
		if i <= 0 {
			return nil, fmt.Errorf("bad duration %q", s)
		}
		num := rest[:i]
		j := i + strings.IndexFunc(rest[i:], func(r rune) bool { return (r >= '0' && r <= '9') || r == '.' })
		if j < i {
			j = len(rest)
		}
		unit, ok := units[rest[i:j]]
		rest = rest[j:]
		v, vok := new(big.Rat).SetString(num)
		if !ok || !vok {
			return nil, fmt.Errorf("bad duration %q", s)
		}
		total.Add(total, v.Mul(v, new(big.Rat).SetInt64(unit)))
	}
	return new(big.Int).Quo(total.Num(), total.Denom()), nil
}
