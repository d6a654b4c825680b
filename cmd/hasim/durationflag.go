package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"hasim/model"
	"hasim/scenarios"
)

// durationValue is a duration flag written as in a scenario file: Go's
// units (100ms, 1.5s, 2m, 1h30m) and d (a day, 24h) and y (a year of 365
// days), as in 30d or 100y.
type durationValue time.Duration

var _ pflag.Value = (*durationValue)(nil)

// durationFlag defines a duration flag with the scenario format's units.
func durationFlag(fs *verbFlags, name, usage string) *time.Duration {
	d := new(time.Duration)
	fs.Var((*durationValue)(d), name, usage)
	return d
}

// Set implements pflag.Value with the scenario format's parser.
func (v *durationValue) Set(s string) error {
	var d scenarios.Duration
	if err := d.UnmarshalScalar(s); err != nil {
		return err
	}
	*v = durationValue(d.D())
	return nil
}

// String writes the duration in the units it can be given in, "" for
// zero (no default to show).
func (v *durationValue) String() string {
	if *v == 0 {
		return ""
	}
	return model.LongString(time.Duration(*v))
}

// Type implements pflag.Value.
func (v *durationValue) Type() string { return "duration" }

// windowValue is a stretch of simulated time, FROM..TO, each a duration
// as durationValue reads them (30s..2m).
type windowValue struct{ from, to time.Duration }

var _ pflag.Value = (*windowValue)(nil)

// Set implements pflag.Value.
func (v *windowValue) Set(s string) error {
	a, b, ok := strings.Cut(s, "..")
	if !ok {
		return fmt.Errorf("want FROM..TO, e.g. 30s..120s")
	}
	var from, to durationValue
	if err := from.Set(strings.TrimSpace(a)); err != nil {
		return fmt.Errorf("FROM: %v", err)
	}
	if err := to.Set(strings.TrimSpace(b)); err != nil {
		return fmt.Errorf("TO: %v", err)
	}
	if from < 0 || to <= from {
		return fmt.Errorf("want 0 <= FROM < TO, e.g. 30s..120s")
	}
	v.from, v.to = time.Duration(from), time.Duration(to)
	return nil
}

// String implements pflag.Value.
func (v *windowValue) String() string {
	if v.to == 0 {
		return ""
	}
	return model.LongString(v.from) + ".." + model.LongString(v.to)
}

// Type implements pflag.Value.
func (v *windowValue) Type() string { return "FROM..TO" }

// horizonValue is --until: a duration as durationValue reads it, or one
// past 292 years (1000y), as spec.horizon.
type horizonValue scenarios.Horizon

var _ pflag.Value = (*horizonValue)(nil)

// horizonFlag defines a horizon flag.
func horizonFlag(fs *verbFlags, name, usage string) *scenarios.Horizon {
	h := new(scenarios.Horizon)
	fs.Var((*horizonValue)(h), name, usage)
	return h
}

// Set implements pflag.Value with the scenario format's parser.
func (v *horizonValue) Set(s string) error { return (*scenarios.Horizon)(v).UnmarshalScalar(s) }

// String writes the horizon in the units it can be given in, "" for zero.
func (v *horizonValue) String() string {
	if !scenarios.Horizon(*v).Set() {
		return ""
	}
	return scenarios.Horizon(*v).String()
}

// Type implements pflag.Value.
func (v *horizonValue) Type() string { return "duration" }
