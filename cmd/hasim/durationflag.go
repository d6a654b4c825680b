package main

import (
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
