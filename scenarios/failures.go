package scenarios

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"hasim/model"
)

// FailureSpec is a failure process: faults of one kind that arrive at
// random times on every member of a target class (or on one member at
// random per arrival), each repaired after a random time. It is spelled
// "failures" beside the scripted "faults": a fault is one event at a time
// the scenario picks, a failure is a process that makes faults. With a
// failureProfile, an entry whose name is a preset class overrides the
// fields it sets (off: true drops the class); other entries add classes.
// docs/failures.md lists the fields, the presets and their sources.
type FailureSpec struct {
	// Name is the failure class: it labels the faults ("host-crash
	// master-1") and keys the random draws with the member's name. Default:
	// the kind.
	Name string `yaml:"name,omitempty"`
	// Kind: a scripted fault kind that is not an operation, or maintenance.
	Kind string `yaml:"kind,omitempty"`
	// Target is the class: control-plane, load-balancers, hosts, zones,
	// zone-pairs, role:NAME, host:NAME or zone:NAME. Default: zones for a
	// zone-outage, zone-pairs for a partition or link, control-plane for
	// maintenance.
	Target string `yaml:"target,omitempty"`
	// Pick: each (default: every member has its own process) or one (one
	// process for the class, each arrival hitting one member at random).
	Pick string `yaml:"pick,omitempty"`
	// Time between failures, one of: mtbf (exponential with this mean),
	// rate ("2/y": exponential, that many per unit of time) or tbf (any
	// distribution).
	MTBF Duration     `yaml:"mtbf,omitempty"`
	Rate *FailureRate `yaml:"rate,omitempty"`
	TBF  *LifeSpec    `yaml:"tbf,omitempty"`
	// Time to repair, one of: mttr (exponential with this mean) or ttr.
	MTTR Duration  `yaml:"mttr,omitempty"`
	TTR  *LifeSpec `yaml:"ttr,omitempty"`
	// Off drops a preset class.
	Off bool `yaml:"off,omitempty"`
	// The fault's parameters, as for scripted faults.
	Process   string    `yaml:"process,omitempty"`   // process kinds; default: the role of a role:NAME target, else etcd
	OneWay    bool      `yaml:"oneWay,omitempty"`    // partition
	Latency   *DistSpec `yaml:"latency,omitempty"`   // link
	Loss      *float64  `yaml:"loss,omitempty"`      // link
	Fsync     *DistSpec `yaml:"fsync,omitempty"`     // slow-disk
	Step      *Offset   `yaml:"step,omitempty"`      // clock-step
	ClockRate *float64  `yaml:"clockRate,omitempty"` // clock-drift: the clock's rate while it lasts
	// Maintenance: every (the schedule), start (the first window; default
	// drawn within the first period), drain (default 30s), duration (the
	// restart, default 5m), settle (the wait before the next host, default
	// 2m).
	Every    Duration  `yaml:"every,omitempty"`
	Start    *Duration `yaml:"start,omitempty"`
	Drain    *Duration `yaml:"drain,omitempty"`
	Duration Duration  `yaml:"duration,omitempty"`
	Settle   *Duration `yaml:"settle,omitempty"`
}

// FailureRate is a failure rate written with its unit, "2/y" or "1/30d":
// that many failures per that much time. It holds the mean time between
// failures.
type FailureRate time.Duration

// UnmarshalScalar implements Scalar.
func (r *FailureRate) UnmarshalScalar(s string) error {
	num, per, ok := strings.Cut(s, "/")
	n, err := strconv.ParseFloat(num, 64)
	if ok && per != "" && (per[0] < '0' || per[0] > '9') {
		per = "1" + per
	}
	var d Duration
	if !ok || err != nil || !(n > 0 && n <= 1e9) || d.UnmarshalScalar(per) != nil || d == 0 {
		return fmt.Errorf("want a rate such as 2/y, 1/30d or 0.5/d (failures per unit of time), got %s", quote(s))
	}
	*r = FailureRate(float64(d) / n)
	return nil
}

// MarshalYAML writes the rate as one per its mean.
func (r FailureRate) MarshalYAML() (any, error) { return "1/" + time.Duration(r).String(), nil }

// LifeSpec is a distribution of times between failures or to repair:
//
//	{mean: 1y}                     exponential
//	{shape: 0.7, scale: 100d}      weibull
//	{median: 1h, sigma: 1}         lognormal
//	{value: 30d}                   fixed
//	{min: 1h, max: 4h}             uniform
//	{values: [5m, 20m, 3h]}        empirical: each value equally likely
//
// Dist may name the family explicitly.
type LifeSpec struct {
	Dist   string     `yaml:"dist,omitempty"`
	Mean   *Duration  `yaml:"mean,omitempty"`
	Shape  *float64   `yaml:"shape,omitempty"`
	Scale  *Duration  `yaml:"scale,omitempty"`
	Median *Duration  `yaml:"median,omitempty"`
	Sigma  *float64   `yaml:"sigma,omitempty"`
	Value  *Duration  `yaml:"value,omitempty"`
	Min    *Duration  `yaml:"min,omitempty"`
	Max    *Duration  `yaml:"max,omitempty"`
	Values []Duration `yaml:"values,omitempty"`
}

func (l *LifeSpec) kind() model.LifeKind {
	switch {
	case l.Dist != "":
		return model.LifeKind(l.Dist)
	case l.Values != nil:
		return model.LifeEmpirical
	case l.Shape != nil || l.Scale != nil:
		return model.LifeWeibull
	case l.Median != nil || l.Sigma != nil:
		return model.LifeLogNormal
	case l.Mean != nil:
		return model.LifeExponential
	case l.Value != nil:
		return model.LifeFixed
	case l.Min != nil || l.Max != nil:
		return model.LifeUniform
	}
	return ""
}

// Model is the model distribution.
func (l *LifeSpec) Model() model.Life {
	out := model.Life{Kind: l.kind(), Mean: dur(l.Mean), Scale: dur(l.Scale), Median: dur(l.Median), Value: dur(l.Value), Min: dur(l.Min), Max: dur(l.Max)}
	if l.Shape != nil {
		out.Shape = *l.Shape
	}
	if l.Sigma != nil {
		out.Sigma = *l.Sigma
	}
	for _, v := range l.Values {
		out.Values = append(out.Values, v.D())
	}
	return out
}

// check validates the parameters for the family. (It is not the decoder's
// Checker: checkFailures reports it once, for written and preset entries
// alike.)
func (l *LifeSpec) check() error {
	k := l.kind()
	allowed := map[model.LifeKind][]string{
		model.LifeExponential: {"mean"},
		model.LifeWeibull:     {"shape", "scale"},
		model.LifeLogNormal:   {"median", "sigma"},
		model.LifeFixed:       {"value"},
		model.LifeUniform:     {"min", "max"},
		model.LifeEmpirical:   {"values"},
	}
	fields, ok := allowed[k]
	if !ok {
		var names []string
		for _, n := range model.LifeKinds() {
			names = append(names, string(n))
		}
		if k == "" {
			return &FieldError{Msg: "empty distribution: set mean (exponential), shape and scale (weibull), median and sigma (lognormal), value (fixed), min and max (uniform) or values (empirical)"}
		}
		return &FieldError{Path: "dist", Msg: fmt.Sprintf("unknown distribution %q; allowed: %s", l.Dist, strings.Join(names, ", "))}
	}
	var errs ErrorList
	set := map[string]bool{"mean": l.Mean != nil, "shape": l.Shape != nil, "scale": l.Scale != nil, "median": l.Median != nil,
		"sigma": l.Sigma != nil, "value": l.Value != nil, "min": l.Min != nil, "max": l.Max != nil, "values": l.Values != nil}
	for _, name := range []string{"mean", "shape", "scale", "median", "sigma", "value", "min", "max", "values"} {
		if set[name] && !slices.Contains(fields, name) {
			errs = append(errs, &FieldError{Path: name, Msg: fmt.Sprintf("not a parameter of a %s distribution (its parameters: %s)", k, strings.Join(fields, ", "))})
		}
	}
	for _, name := range fields {
		if !set[name] {
			errs = append(errs, &FieldError{Msg: fmt.Sprintf("a %s distribution needs %s", k, strings.Join(fields, " and "))})
			break
		}
	}
	if len(errs) > 0 {
		return errs
	}
	if err := l.Model().Validate(); err != nil {
		return &FieldError{Msg: err.Error()}
	}
	return nil
}

// Failure profiles.
const (
	ProfileCloud     = "cloud"
	ProfileBareMetal = "bare-metal"
)

// FailureProfiles lists the presets.
func FailureProfiles() []string { return []string{ProfileCloud, ProfileBareMetal} }

func pd(d time.Duration) *Duration { v := Duration(d); return &v }
func pf(f float64) *float64        { return &f }

func lognormal(median time.Duration, sigma float64) *LifeSpec {
	return &LifeSpec{Median: pd(median), Sigma: pf(sigma)}
}

// preset is a profile's failure classes. docs/failures.md gives the source
// of every figure and how it was derived; keep the two in step.
func preset(profile string) []FailureSpec {
	const d, y = Duration(Day), Duration(Year)
	// A crashed static pod is restarted by its kubelet (CrashLoopBackOff),
	// so a crash has no time to repair of its own.
	crash := func(role string) FailureSpec {
		return FailureSpec{Name: role + "-crash", Kind: string(model.FaultProcessCrash), Target: "role:" + role, MTBF: y}
	}
	drift := pf(1.0005)
	switch profile {
	case ProfileCloud:
		return []FailureSpec{
			{Name: "host-crash", Kind: string(model.FaultHostCrash), Target: model.ClassControlPlane, MTBF: y, TTR: lognormal(10*time.Minute, 1)},
			crash(model.RoleEtcd), crash(model.RoleAPIServer), crash(model.GroupKCM), crash(model.GroupScheduler),
			{Name: "vm-pause", Kind: string(model.FaultHostPause), Target: model.ClassHosts, MTBF: 90 * d, TTR: lognormal(2*time.Second, 1)},
			{Name: "zone-outage", Kind: string(model.FaultZoneOutage), Target: model.ClassZones, MTBF: 2 * y, TTR: lognormal(2*time.Hour, 1)},
			{Name: "zone-partition", Kind: string(model.FaultPartition), Target: model.ClassZonePairs, MTBF: y, TTR: lognormal(5*time.Minute, 1)},
			{Name: "slow-disk", Kind: string(model.FaultSlowDisk), Target: "role:etcd", MTBF: 90 * d, TTR: lognormal(5*time.Minute, 1),
				Fsync: &DistSpec{Median: pd(200 * time.Millisecond), Sigma: pf(0.5)}},
			{Name: "clock-drift", Kind: string(model.FaultClockDrift), Target: model.ClassControlPlane, MTBF: y, TTR: lognormal(time.Hour, 1), ClockRate: drift},
			{Name: "lb-host-crash", Kind: string(model.FaultHostCrash), Target: model.ClassLoadBalancers, MTBF: y, TTR: lognormal(10*time.Minute, 1)},
			{Name: "maintenance", Kind: string(model.FaultMaintenance), Target: model.ClassControlPlane, Every: 30 * d,
				Drain: pd(30 * time.Second), Duration: Duration(5 * time.Minute), Settle: pd(2 * time.Minute)},
		}
	case ProfileBareMetal:
		machine := &LifeSpec{Shape: pf(0.75), Scale: pd(110 * Day)}
		return []FailureSpec{
			{Name: "host-crash", Kind: string(model.FaultHostCrash), Target: model.ClassControlPlane, TBF: machine, TTR: lognormal(time.Hour, 1.5)},
			crash(model.RoleEtcd), crash(model.RoleAPIServer), crash(model.GroupKCM), crash(model.GroupScheduler),
			{Name: "etcd-pause", Kind: string(model.FaultProcessPause), Target: "role:etcd", MTBF: y, TTR: lognormal(time.Second, 1)},
			{Name: "zone-outage", Kind: string(model.FaultZoneOutage), Target: model.ClassZones, MTBF: 10 * y, TTR: lognormal(4*time.Hour, 1)},
			{Name: "zone-partition", Kind: string(model.FaultPartition), Target: model.ClassZonePairs, MTBF: y, TTR: lognormal(10*time.Minute, 1)},
			{Name: "slow-disk", Kind: string(model.FaultSlowDisk), Target: "role:etcd", MTBF: y, TTR: lognormal(10*time.Minute, 1),
				Fsync: &DistSpec{Median: pd(time.Second), Sigma: pf(0.5)}},
			{Name: "clock-drift", Kind: string(model.FaultClockDrift), Target: model.ClassControlPlane, MTBF: y, TTR: lognormal(time.Hour, 1), ClockRate: drift},
			{Name: "lb-host-crash", Kind: string(model.FaultHostCrash), Target: model.ClassLoadBalancers, TBF: machine, TTR: lognormal(time.Hour, 1.5)},
			{Name: "maintenance", Kind: string(model.FaultMaintenance), Target: model.ClassControlPlane, Every: 30 * d,
				Drain: pd(30 * time.Second), Duration: Duration(10 * time.Minute), Settle: pd(2 * time.Minute)},
		}
	}
	return nil
}

// name is the entry's class name: its name, or its kind.
func (f *FailureSpec) name() string { return orDefault(f.Name, f.Kind) }

// effectiveFailure is a failure class after the profile and overrides:
// the merged entry, and the index of the user's entry (-1: preset only).
type effectiveFailure struct {
	spec FailureSpec
	user int
	base bool // a profile's class
}

// failures merges the profile's classes with spec.failures.
func (sp *Spec) failures() []effectiveFailure {
	var out []effectiveFailure
	for _, p := range preset(sp.FailureProfile) {
		out = append(out, effectiveFailure{spec: p, user: -1, base: true})
	}
	for i, u := range sp.Failures {
		j := slices.IndexFunc(out, func(e effectiveFailure) bool { return e.user < 0 && e.spec.Name == u.name() })
		if j < 0 {
			out = append(out, effectiveFailure{spec: u, user: i})
			continue
		}
		out[j].spec, out[j].user = override(out[j].spec, u), i
	}
	return slices.DeleteFunc(out, func(e effectiveFailure) bool { return e.spec.Off })
}

// override sets in base the fields that u sets: the time between failures
// and the time to repair each as a whole, whichever way written.
func override(base, u FailureSpec) FailureSpec {
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&base.Kind, u.Kind)
	set(&base.Target, u.Target)
	set(&base.Pick, u.Pick)
	set(&base.Process, u.Process)
	if u.MTBF != 0 || u.Rate != nil || u.TBF != nil {
		base.MTBF, base.Rate, base.TBF = u.MTBF, u.Rate, u.TBF
	}
	if u.MTTR != 0 || u.TTR != nil {
		base.MTTR, base.TTR = u.MTTR, u.TTR
	}
	base.Off = u.Off
	base.OneWay = base.OneWay || u.OneWay
	for _, p := range []struct{ dst, v **DistSpec }{{&base.Latency, &u.Latency}, {&base.Fsync, &u.Fsync}} {
		if *p.v != nil {
			*p.dst = *p.v
		}
	}
	for _, p := range []struct{ dst, v **float64 }{{&base.Loss, &u.Loss}, {&base.ClockRate, &u.ClockRate}} {
		if *p.v != nil {
			*p.dst = *p.v
		}
	}
	if u.Step != nil {
		base.Step = u.Step
	}
	if u.Every != 0 {
		base.Every = u.Every
	}
	if u.Duration != 0 {
		base.Duration = u.Duration
	}
	for _, p := range []struct{ dst, v **Duration }{{&base.Start, &u.Start}, {&base.Drain, &u.Drain}, {&base.Settle, &u.Settle}} {
		if *p.v != nil {
			*p.dst = *p.v
		}
	}
	return base
}

// maxFailures bounds spec.failures.
const maxFailures = 100

// Minimum mean time between failures: a failure process is about rare
// events, and a busier one would be a scripted chaos test.
const minMTBF = time.Minute

// checkFailures validates spec.failureProfile and spec.failures, each
// merged entry reported at the user's entry.
func (sp *Spec) checkFailures(hosts, zones map[string]bool, hostNames, zoneNames []string) ErrorList {
	var errs ErrorList
	if n := len(sp.Failures); n > maxFailures {
		return ErrorList{{Path: "failures", Msg: fmt.Sprintf("%d failures; allowed: at most %d (each is a class of failures, applied to every member of its target)", n, maxFailures)}}
	}
	if p := sp.FailureProfile; p != "" && !slices.Contains(FailureProfiles(), p) {
		errs = append(errs, &FieldError{Path: "failureProfile", Msg: fmt.Sprintf("unknown profile %q; allowed: %s", p, strings.Join(FailureProfiles(), ", "))})
	}
	names := map[string]int{}
	for i, u := range sp.Failures {
		path := fmt.Sprintf("failures[%d]", i)
		n := u.name()
		switch {
		case n == "":
			errs = append(errs, &FieldError{Path: path, Msg: "needs a kind (or the name of a class of failureProfile to override)"})
		case !validName(n):
			errs = append(errs, &FieldError{Path: path + ".name", Msg: fmt.Sprintf("%s: %s", quote(n), nameRule)})
		default:
			if j, dup := names[n]; dup {
				errs = append(errs, &FieldError{Path: path + ".name", Msg: fmt.Sprintf("failure %q is defined twice (failures[%d])", n, j)})
			}
			names[n] = i
		}
	}
	if len(errs) > 0 {
		return errs
	}
	for _, e := range sp.failures() {
		path := "failures"
		if e.user >= 0 {
			path = fmt.Sprintf("failures[%d]", e.user)
		}
		errs = append(errs, checkFailure(&e.spec, path, sp, hosts, zones, hostNames, zoneNames)...)
	}
	return errs
}

func checkFailure(f *FailureSpec, path string, sp *Spec, hosts, zones map[string]bool, hostNames, zoneNames []string) ErrorList {
	var errs ErrorList
	add := func(field, format string, a ...any) {
		p := path
		if field != "" {
			p += "." + field
		}
		errs = append(errs, &FieldError{Path: p, Msg: fmt.Sprintf(format, a...)})
	}
	kind := model.FaultKind(f.Kind)
	if f.Kind == "" {
		add("kind", "required: %q is not a class of failureProfile %s, so it needs a kind", f.name(), orDefault(sp.FailureProfile, "(none)"))
		return errs
	}
	if !slices.Contains(model.FailureKinds(), kind) {
		var names []string
		for _, k := range model.FailureKinds() {
			names = append(names, string(k))
		}
		add("kind", "unknown kind %q; allowed: %s (operations are scripted faults only)", f.Kind, strings.Join(names, ", "))
		return errs
	}
	maint := kind == model.FaultMaintenance
	target := f.target()
	switch {
	case target == "":
		add("target", "required: %s", strings.Join(model.FailureClasses(), ", "))
	default:
		if err := classError(target, hosts, zones, hostNames, zoneNames); err != "" {
			add("target", "%s", err)
		}
	}
	switch {
	case kind == model.FaultZoneOutage && target != model.ClassZones && !strings.HasPrefix(target, "zone:"):
		add("target", "%q: a zone-outage targets zones or zone:NAME", target)
	case target == model.ClassZonePairs && kind != model.FaultPartition && kind != model.FaultLink:
		add("target", "zone-pairs (the links between zones) is a target for partition and link failures, not %s", kind)
	}
	switch f.Pick {
	case "", "each", "one":
	default:
		add("pick", "unknown pick %q; allowed: each (every member has its own process), one (one member at random per arrival)", f.Pick)
	}
	if maint && f.Pick == "one" {
		add("pick", "maintenance restarts every host of its target in turn: pick one does not apply")
	}
	// Time between failures.
	tbfs := 0
	for _, set := range []bool{f.MTBF != 0, f.Rate != nil, f.TBF != nil} {
		if set {
			tbfs++
		}
	}
	// Errors about the time between failures and to repair are reported at
	// mtbf and mttr (or the field written), so that a value that failed to
	// decode does not also read as missing.
	switch {
	case maint && tbfs > 0:
		add(f.tbfField(), "maintenance runs on a schedule (every), without mtbf, rate or tbf")
	case !maint && tbfs == 0:
		add("mtbf", "required: the time between failures: mtbf (e.g. 1y), rate (e.g. 2/y) or tbf (a distribution)")
	case tbfs > 1:
		add(f.tbfField(), "set one of mtbf, rate and tbf")
	}
	tbfOK := true
	if f.TBF != nil {
		for _, e := range lifeErrors(f.TBF, "tbf") {
			add(e.Path, "%s", e.Msg)
			tbfOK = false
		}
	}
	if !maint && tbfs == 1 && tbfOK {
		if m := f.tbf().MeanOf(); m < minMTBF {
			add(f.tbfField(), "mean time between failures %v; allowed: at least %s", m, human(minMTBF))
		}
	}
	// Time to repair.
	ttrs := 0
	for _, set := range []bool{f.MTTR != 0, f.TTR != nil} {
		if set {
			ttrs++
		}
	}
	ttrField := "mttr"
	if f.MTTR == 0 && f.TTR != nil {
		ttrField = "ttr"
	}
	switch {
	case kind == model.FaultProcessCrash && ttrs > 0:
		add(ttrField, "process-crash takes no time to repair (mttr, ttr): the kubelet restarts the process, after its back-off; process-kill keeps it down for a time to repair")
	case (maint || kind.Instant()) && ttrs > 0:
		add(ttrField, "%s takes no time to repair (mttr, ttr)", kind)
	case !maint && !kind.Instant() && ttrs == 0:
		add("mttr", "required: the time to repair: mttr (e.g. 1h) or ttr (a distribution)")
	case ttrs > 1:
		add(ttrField, "set one of mttr and ttr")
	}
	if f.TTR != nil {
		for _, e := range lifeErrors(f.TTR, "ttr") {
			add(e.Path, "%s", e.Msg)
		}
	}
	// The kind's parameters.
	only := func(field string, set bool, kinds ...model.FaultKind) {
		if set && !slices.Contains(kinds, kind) {
			var names []string
			for _, k := range kinds {
				names = append(names, string(k))
			}
			add(field, "applies only to %s failures, not %s", strings.Join(names, " and "), kind)
		}
	}
	only("process", f.Process != "", model.FaultProcessKill, model.FaultProcessCrash, model.FaultProcessPause, model.FaultProcessStop, model.FaultAPIError, model.FaultAPIBlock)
	only("oneWay", f.OneWay, model.FaultPartition)
	only("latency", f.Latency != nil, model.FaultLink)
	only("loss", f.Loss != nil, model.FaultLink)
	only("fsync", f.Fsync != nil, model.FaultSlowDisk)
	only("step", f.Step != nil, model.FaultClockStep)
	only("clockRate", f.ClockRate != nil, model.FaultClockDrift)
	for _, m := range []struct {
		field string
		set   bool
	}{{"every", f.Every != 0}, {"start", f.Start != nil}, {"drain", f.Drain != nil}, {"duration", f.Duration != 0}, {"settle", f.Settle != nil}} {
		only(m.field, m.set, model.FaultMaintenance)
	}
	if f.Process != "" && !slices.Contains(model.KnownRoles(), f.Process) {
		add("process", "unknown process %q; allowed: %s", f.Process, strings.Join(model.KnownRoles(), ", "))
	} else if role := processOf(f.Process, f.Target); kind == model.FaultProcessCrash && !slices.Contains(model.StaticPodRoles(), role) {
		field := "process"
		if f.Process == "" {
			field = "target" // the process is the class's role
		}
		add(field, "%q is not a static pod the kubelet restarts; process-crash allows %s (process-kill stops any process for a time to repair)",
			role, strings.Join(model.StaticPodRoles(), ", "))
	}
	switch kind {
	case model.FaultLink:
		if f.Latency == nil && f.Loss == nil {
			add("", "a link failure needs latency, loss or both")
		}
		if f.Loss != nil && (*f.Loss < 0 || *f.Loss > 1) {
			add("loss", "%g is not a probability; allowed: 0 to 1", *f.Loss)
		}
	case model.FaultSlowDisk:
		if f.Fsync == nil {
			add("", "a slow-disk failure needs fsync, e.g. fsync: {median: 200ms, sigma: 0.5}")
		}
	case model.FaultClockStep:
		if f.Step == nil || *f.Step == 0 {
			add("", "a clock-step failure needs a non-zero step, e.g. step: -30s")
		}
	case model.FaultClockDrift:
		if f.ClockRate == nil {
			add("", "a clock-drift failure needs clockRate, e.g. clockRate: 1.0005 (500 ppm fast)")
		} else if r := *f.ClockRate; !(r >= model.MinClockRate && r <= model.MaxClockRate) {
			add("clockRate", "%g out of range; allowed: %g to %g", r, model.MinClockRate, model.MaxClockRate)
		}
	case model.FaultProcessStop:
		role := orDefault(f.Process, strings.TrimPrefix(target, "role:"))
		if !strings.HasPrefix(target, "role:") && f.Process == "" {
			role = model.RoleEtcd
		}
		if allowed := append([]string{model.RoleEtcd}, model.LeaderElectedRoles()...); !slices.Contains(allowed, role) {
			add("process", "%q: process-stop is the graceful stop of etcd or of a leader-elected process; allowed: %s", role, strings.Join(allowed, ", "))
		}
	case model.FaultMaintenance:
		if f.Every == 0 {
			add("every", "required: the maintenance period, e.g. 30d")
		} else if f.Every.D() < time.Hour {
			add("every", "%v; allowed: at least 1h", f.Every.D())
		}
		if f.Start != nil && f.Start.D() >= sp.Horizon.D() && sp.Horizon.Set() {
			add("start", "%v is at or after the horizon (%v): no maintenance would happen", f.Start.D(), sp.Horizon.D())
		}
	}
	return errs
}

// asList flattens a Check error into field errors.
func asList(err error) ErrorList {
	switch e := err.(type) {
	case ErrorList:
		return e
	case *FieldError:
		return ErrorList{e}
	}
	return ErrorList{{Msg: err.Error()}}
}

// lifeErrors checks a distribution field (already checked by the decoder
// when written by the user; presets are checked here).
func lifeErrors(l *LifeSpec, field string) ErrorList {
	err := l.check()
	if err == nil {
		return nil
	}
	var out ErrorList
	for _, e := range asList(err) {
		out = append(out, &FieldError{Path: joinPath(field, e.Path), Msg: e.Msg})
	}
	return out
}

// classError says what is wrong with a target class, or "".
func classError(class string, hosts, zones map[string]bool, hostNames, zoneNames []string) string {
	switch class {
	case model.ClassControlPlane, model.ClassLoadBalancers, model.ClassHosts, model.ClassZones, model.ClassZonePairs:
		return ""
	}
	t, err := model.ParseTarget(class)
	if err != nil || t.Kind == model.TargetLeader || t.Kind == model.TargetConnection {
		return fmt.Sprintf("unknown target %q; allowed: %s", class, strings.Join(model.FailureClasses(), ", "))
	}
	switch {
	case t.Kind == model.TargetHost && !hosts[t.Name]:
		return fmt.Sprintf("host %q is not defined; defined hosts: %s", t.Name, listOrNone(hostNames))
	case t.Kind == model.TargetZone && !zones[t.Name]:
		return fmt.Sprintf("zone %q is not defined; defined zones: %s", t.Name, listOrNone(zoneNames))
	case t.Kind == model.TargetRole && !slices.Contains(model.KnownRoles(), t.Name):
		return fmt.Sprintf("unknown role %q; allowed: %s", t.Name, strings.Join(model.KnownRoles(), ", "))
	}
	return ""
}

// target is the class, with the kind's default.
func (f *FailureSpec) target() string {
	if f.Target != "" {
		return f.Target
	}
	switch model.FaultKind(f.Kind) {
	case model.FaultZoneOutage:
		return model.ClassZones
	case model.FaultPartition, model.FaultLink:
		return model.ClassZonePairs
	case model.FaultMaintenance:
		return model.ClassControlPlane
	}
	return ""
}

// tbfField is the field the time between failures is written in.
func (f *FailureSpec) tbfField() string {
	switch {
	case f.MTBF != 0:
		return "mtbf"
	case f.Rate != nil:
		return "rate"
	case f.TBF != nil:
		return "tbf"
	}
	return "mtbf"
}

func (f *FailureSpec) tbf() model.Life {
	switch {
	case f.Rate != nil:
		return model.Exponential(time.Duration(*f.Rate))
	case f.TBF != nil:
		return f.TBF.Model()
	}
	return model.Exponential(f.MTBF.D())
}

func (f *FailureSpec) ttr() model.Life {
	if f.TTR != nil {
		return f.TTR.Model()
	}
	return model.Exponential(f.MTTR.D())
}

// failureModels compiles the merged failure classes.
func (sp *Spec) failureModels() []model.FailureConfig {
	var out []model.FailureConfig
	for _, e := range sp.failures() {
		f := &e.spec
		fc := model.FailureConfig{Name: f.name(), Class: f.target(), One: f.Pick == "one",
			Fault: model.FaultConfig{Kind: model.FaultKind(f.Kind), Process: f.Process, OneWay: f.OneWay, Loss: f.Loss}}
		if fc.Fault.Kind == model.FaultMaintenance {
			m := model.MaintenanceConfig{Every: f.Every.D(), Start: -1, Drain: 30 * time.Second, Duration: 5 * time.Minute, Settle: 2 * time.Minute}
			if f.Start != nil {
				m.Start = f.Start.D()
			}
			if f.Drain != nil {
				m.Drain = f.Drain.D()
			}
			if f.Duration != 0 {
				m.Duration = f.Duration.D()
			}
			if f.Settle != nil {
				m.Settle = f.Settle.D()
			}
			fc.Maintenance = m
			out = append(out, fc)
			continue
		}
		fc.TBF = f.tbf()
		if !fc.Fault.Kind.Instant() {
			fc.TTR = f.ttr()
		}
		if f.Latency != nil {
			d := f.Latency.Model()
			fc.Fault.Latency = &d
		}
		if f.Fsync != nil {
			fc.Fault.Fsync = f.Fsync.Model()
		}
		if f.Step != nil {
			fc.Fault.Step = time.Duration(*f.Step)
		}
		if f.ClockRate != nil {
			fc.Fault.Rate = *f.ClockRate
		}
		out = append(out, fc)
	}
	return out
}

// processOf is the process a failure's fault acts on: process if set,
// else the role of a role:NAME class, else etcd.
func processOf(process, class string) string {
	if process != "" {
		return process
	}
	if role, ok := strings.CutPrefix(class, model.TargetRole+":"); ok {
		return role
	}
	return model.RoleEtcd
}
