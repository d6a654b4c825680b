// Package sweep runs parameter studies: a base scenario, axes over its
// fields (each point of the study is the base with one value per axis set
// as an override), and the same seeds at every point (common random
// numbers). It expands a kind: Sweep document into its points, runs every
// (point, seed) in parallel, writes one JSON line per run in a fixed order
// as the runs finish (appended and synced, so that an interrupted sweep
// resumes where it stopped), and splits the runs into shards that merge
// back into the same bytes. Aggregating and rendering are report's.
package sweep

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"hasim/scenarios"
)

// Kind identifies a sweep document.
const Kind = "Sweep"

// Document is a kind: Sweep document.
type Document struct {
	APIVersion string             `yaml:"apiVersion"`
	Kind       string             `yaml:"kind"`
	Metadata   scenarios.Metadata `yaml:"metadata"`
	Spec       Spec               `yaml:"spec"`
}

// Spec is what to sweep.
type Spec struct {
	// Scenario is the base scenario: a built-in name, or a file (relative
	// to the sweep document's directory). Inline gives it in place
	// instead; set exactly one.
	Scenario string              `yaml:"scenario,omitempty"`
	Inline   *scenarios.Scenario `yaml:"inline,omitempty"`
	// Set are overrides applied at every point, PATH=VALUE as --set.
	Set  []string   `yaml:"set,omitempty"`
	Axes []AxisSpec `yaml:"axes"`
	// Sample draws points for the axes given by from and to alone.
	Sample *SampleSpec `yaml:"sample,omitempty"`
	// Constraints keep only the points that satisfy every one, such as
	// "renewDeadline < leaseDuration".
	Constraints []string `yaml:"constraints,omitempty"`
	// Seeds is how many runs each point gets: seeds firstSeed,
	// firstSeed+1, ..., the same at every point. Default 20.
	Seeds     int     `yaml:"seeds,omitempty"`
	FirstSeed *uint64 `yaml:"firstSeed,omitempty"`
	// Metrics are the metrics to aggregate: names, or patterns such as
	// "failover.*" (see Metrics for every name). Default DefaultMetrics.
	Metrics []string `yaml:"metrics,omitempty"`
	// Baseline picks a point by its axis values ({name: value}): every
	// other point's metrics are given as differences from it, seed by
	// seed (paired).
	Baseline map[string]string `yaml:"baseline,omitempty"`
}

// AxisSpec is one parameter swept.
type AxisSpec struct {
	// Path is the field, as --set takes it.
	Path string `yaml:"path"`
	// Name labels the axis in tables and constraints; default the last
	// field of the path.
	Name string `yaml:"name,omitempty"`
	// Values lists the values (YAML scalars, as in the scenario).
	Values []string `yaml:"values,omitempty"`
	// From and To bound a range (durations or numbers). With Step, the
	// values from, from+step, ... up to to; with Count, count values
	// evenly spaced (on a log scale with scale: log); with neither, the
	// axis is sampled (see Sample).
	From  string `yaml:"from,omitempty"`
	To    string `yaml:"to,omitempty"`
	Step  string `yaml:"step,omitempty"`
	Count int    `yaml:"count,omitempty"`
	// Scale: linear (default) or log.
	Scale string `yaml:"scale,omitempty"`
}

// SampleSpec draws points in the box of the sampled axes.
type SampleSpec struct {
	// Method: random (independent uniform draws) or latin-hypercube (each
	// axis cut into points equal strata, each stratum drawn once).
	Method string `yaml:"method"`
	Points int    `yaml:"points"`
	// Seed of the draws; default 1.
	Seed uint64 `yaml:"seed,omitempty"`
}

// Check implements scenarios.Checker.
func (a *AxisSpec) Check() error {
	var errs scenarios.ErrorList
	bad := func(path, format string, args ...any) {
		errs = append(errs, &scenarios.FieldError{Path: path, Msg: fmt.Sprintf(format, args...)})
	}
	if a.Path == "" {
		bad("path", "an axis needs a path, such as spec.etcd.electionTimeout")
	}
	ranged := a.From != "" || a.To != ""
	switch {
	case len(a.Values) > 0 && ranged:
		bad("values", "give values, or from and to, not both")
	case len(a.Values) == 0 && !ranged:
		bad("values", "an axis needs values, or from and to")
	case ranged && (a.From == "" || a.To == ""):
		bad("from", "a range needs both from and to")
	}
	if a.Step != "" && a.Count != 0 {
		bad("step", "give step or count, not both")
	}
	if (a.Step != "" || a.Count != 0 || a.Scale != "") && !ranged {
		bad("values", "step, count and scale go with from and to")
	}
	if a.Count < 0 || a.Count == 1 {
		bad("count", "want at least 2 values, got %d", a.Count)
	}
	switch a.Scale {
	case "", "linear", "log":
	default:
		bad("scale", "want linear or log, got %q", a.Scale)
	}
	if a.Scale == "log" && a.Step != "" {
		bad("step", "a log scale takes count, not step")
	}
	if ranged && a.From != "" && a.To != "" {
		from, fk, err1 := parseNum(a.From)
		to, tk, err2 := parseNum(a.To)
		switch {
		case err1 != nil:
			bad("from", "%v", err1)
		case err2 != nil:
			bad("to", "%v", err2)
		case fk != tk:
			bad("to", "from is %s and to is %s: want both durations or both numbers", fk, tk)
		case to < from:
			bad("to", "to (%s) is below from (%s)", a.To, a.From)
		case a.Scale == "log" && from <= 0:
			bad("from", "a log scale needs from > 0")
		}
		if a.Step != "" {
			step, sk, err := parseNum(a.Step)
			switch {
			case err != nil:
				bad("step", "%v", err)
			case sk != fk:
				bad("step", "step is %s, from is %s", sk, fk)
			case step <= 0:
				bad("step", "want a positive step")
			case err1 == nil && err2 == nil && (to-from)/step > maxValues:
				bad("step", "%.0f values: at most %d per axis", (to-from)/step+1, maxValues)
			}
		}
	}
	if a.Count > maxValues {
		bad("count", "at most %d values per axis", maxValues)
	}
	return errs.Err()
}

// Check implements scenarios.Checker.
func (s *SampleSpec) Check() error {
	var errs scenarios.ErrorList
	if s.Method != "random" && s.Method != "latin-hypercube" {
		errs = append(errs, &scenarios.FieldError{Path: "method", Msg: fmt.Sprintf("want random or latin-hypercube, got %q", s.Method)})
	}
	if s.Points < 1 || s.Points > maxPoints {
		errs = append(errs, &scenarios.FieldError{Path: "points", Msg: fmt.Sprintf("want 1 to %d points, got %d", maxPoints, s.Points)})
	}
	return errs.Err()
}

// Check implements scenarios.Checker.
func (s *Spec) Check() error {
	var errs scenarios.ErrorList
	bad := func(path, format string, args ...any) {
		errs = append(errs, &scenarios.FieldError{Path: path, Msg: fmt.Sprintf(format, args...)})
	}
	if (s.Scenario == "") == (s.Inline == nil) {
		bad("scenario", "give the base scenario as scenario (a built-in name or a file) or inline, one of the two")
	}
	if len(s.Axes) == 0 {
		bad("axes", "a sweep needs at least one axis")
	}
	names := map[string]int{}
	for i, a := range s.Axes {
		n := a.name()
		if j, dup := names[n]; dup {
			bad(fmt.Sprintf("axes[%d].name", i), "axis name %q is also axes[%d]'s: give one of them a name", n, j)
		}
		names[n] = i
	}
	sampled := slices.ContainsFunc(s.Axes, func(a AxisSpec) bool { return a.sampled() })
	if sampled && s.Sample == nil {
		bad("sample", "axes with from and to but neither step nor count are sampled: give sample: {method: latin-hypercube, points: N}")
	}
	if !sampled && s.Sample != nil {
		bad("sample", "no axis to sample: a sampled axis has from and to, and neither step nor count")
	}
	if s.Seeds < 0 || s.Seeds > maxSeeds {
		bad("seeds", "want 1 to %d seeds per point, got %d", maxSeeds, s.Seeds)
	}
	for i, c := range s.Constraints {
		if _, err := parseConstraint(c, names); err != nil {
			bad(fmt.Sprintf("constraints[%d]", i), "%v", err)
		}
	}
	for _, m := range s.Metrics {
		if _, err := filepath.Match(m, ""); err != nil || m == "" {
			bad("metrics", "%q is not a metric name or pattern", m)
		}
	}
	for _, k := range sortedKeys(s.Baseline) {
		if _, ok := names[k]; !ok {
			bad("baseline", "%q is not an axis (axes: %s)", k, strings.Join(axisNames(s.Axes), ", "))
		}
	}
	if s.Baseline != nil && len(s.Baseline) != len(s.Axes) {
		bad("baseline", "give a value for every axis (%s)", strings.Join(axisNames(s.Axes), ", "))
	}
	for i, set := range s.Set {
		if _, err := scenarios.ParseOverride(set); err != nil {
			bad(fmt.Sprintf("set[%d]", i), "want PATH=VALUE, such as spec.horizon=5m")
		}
	}
	return errs.Err()
}

// DefaultMetrics are the metrics aggregated when a sweep names none.
var DefaultMetrics = []string{"failover.*", "noLeader.*", "splitBrain.*.total", "actingSplitBrain.*", "leaseWrites.*", "availability.*", "writeRecovery"}

// Bounds on a study, so that a typo cannot ask for a billion runs.
const (
	maxValues = 10_000
	maxPoints = 100_000
	maxSeeds  = 1_000_000
	maxRuns   = 100_000_000
)

func (a AxisSpec) name() string {
	if a.Name != "" {
		return a.Name
	}
	p := a.Path
	if i := strings.LastIndex(p, "."); i >= 0 {
		p = p[i+1:]
	}
	return p
}

func (a AxisSpec) sampled() bool {
	return a.From != "" && a.To != "" && a.Step == "" && a.Count == 0
}

func axisNames(axes []AxisSpec) []string {
	var out []string
	for _, a := range axes {
		out = append(out, a.name())
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// numKind says whether a number is a duration (in seconds) or plain.
type numKind string

const (
	kindDuration numKind = "a duration"
	kindNumber   numKind = "a number"
)

// parseNum reads a duration (as seconds) or a number.
func parseNum(s string) (float64, numKind, error) {
	var d scenarios.Duration
	if err := d.UnmarshalScalar(s); err == nil {
		return d.D().Seconds(), kindDuration, nil
	}
	if strings.HasPrefix(s, "-") {
		if d, err := time.ParseDuration(s); err == nil {
			return d.Seconds(), kindDuration, nil
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, "", fmt.Errorf("want a duration such as 10s or a number, got %q", s)
	}
	return f, kindNumber, nil
}

// format writes x of kind k as a scenario value: durations to the
// nanosecond, integers without a point.
func format(x float64, k numKind, integer bool) string {
	if k == kindDuration {
		return time.Duration(math.Round(x * 1e9)).String()
	}
	if integer {
		return strconv.FormatInt(int64(math.Round(x)), 10)
	}
	return strconv.FormatFloat(x, 'g', -1, 64)
}

// round3 rounds x to 3 significant digits (log-spaced and sampled values
// read better so, and no study needs more).
func round3(x float64) float64 {
	if x == 0 {
		return 0
	}
	e := math.Floor(math.Log10(math.Abs(x))) - 2
	p := math.Pow(10, e)
	return math.Round(x/p) * p
}

// Plan is a sweep expanded: its points, each with its overrides, and its
// seeds.
type Plan struct {
	Name, Description string
	// BaseName is how the base scenario is named on a command line
	// (built-in name or file; "inline" for an inline one), BaseFile its
	// name in errors and BaseSource its document.
	BaseName, BaseFile string
	BaseSource         []byte
	Set                []scenarios.Override
	Axes               []string // axis names, in order
	AxisPaths          []string
	Points             []Point
	Seeds              Seeds
	Metrics            []string // patterns; empty: every metric
	Baseline           int      // the point every other is compared with; -1 if none
	// Dropped is how many points the constraints removed.
	Dropped int
	// Hash identifies the definition: every point's scenario as decoded
	// (the base with its overrides), the axes, the seeds, the metrics and
	// the baseline (see Header).
	Hash string
}

// Point is one setting of the axes.
type Point struct {
	Values    []string // one per axis
	Overrides []scenarios.Override
	// Cost is the run's expected cost, relative: the horizon in seconds
	// times the hosts (sharding balances it).
	Cost float64
	// Config is the point's scenario, loaded and checked.
	Scenario *scenarios.Scenario
}

// Runs is the number of (point, seed) runs.
func (p *Plan) Runs() int { return len(p.Points) * p.Seeds.N }

// Seeds are the seeds every point runs: First, First+1, ..., N of them.
// They are a range, not a list, so that a plan's memory does not grow
// with the number of runs.
type Seeds struct {
	First uint64
	N     int
}

// At is the i-th seed.
func (s Seeds) At(i int) uint64 { return s.First + uint64(i) }

// hash writes the seeds to a hash as fmt's %v writes a []uint64 of them
// ("[7 8 9]"), a few at a time: a definition's hash has always been of
// that text.
func (s Seeds) hash(h hash.Hash) {
	buf := []byte{'['}
	for i := range s.N {
		if i > 0 {
			buf = append(buf, ' ')
		}
		buf = strconv.AppendUint(buf, s.At(i), 10)
		if len(buf) > 4096 {
			h.Write(buf)
			buf = buf[:0]
		}
	}
	h.Write(append(buf, ']'))
}

// Task is run number k: seed-major, so that the first runs of an
// interrupted sweep cover every point alike.
func (p *Plan) Task(k int) (point, seedIndex int) {
	return k % len(p.Points), k / len(p.Points)
}

// Options are what the command line adds to a sweep definition.
type Options struct {
	// Axes add axes (--axis PATH=v1,v2,...).
	Axes []AxisSpec
	// Set adds overrides at every point (--set).
	Set []scenarios.Override
	// Constraints add constraints (--constraint).
	Constraints []string
	// Metrics replace the document's metrics (--metric).
	Metrics []string
	// Seeds and FirstSeed replace the document's when positive / set.
	Seeds     int
	FirstSeed *uint64
}

// ParseAxis reads --axis PATH=v1,v2,... or PATH=FROM..TO/STEP.
func ParseAxis(s string) (AxisSpec, error) {
	path, vals, ok := strings.Cut(s, "=")
	if !ok || path == "" || vals == "" {
		return AxisSpec{}, fmt.Errorf("--axis %q: want PATH=v1,v2,... or PATH=FROM..TO/STEP, such as spec.etcd.electionTimeout=500ms,1s,2s", s)
	}
	a := AxisSpec{Path: path}
	if from, rest, ok := strings.Cut(vals, ".."); ok {
		to, step, _ := strings.Cut(rest, "/")
		a.From, a.To, a.Step = from, to, step
		if step == "" {
			return AxisSpec{}, fmt.Errorf("--axis %q: a range needs a step: FROM..TO/STEP, such as 10s..30s/5s", s)
		}
	} else {
		a.Values = strings.Split(vals, ",")
	}
	if err := a.Check(); err != nil {
		return AxisSpec{}, fmt.Errorf("--axis %s: %v", s, err)
	}
	return a, nil
}

// Load reads arg, a sweep document or a scenario (built-in name, file or
// - for standard input), and plans it. A scenario is swept along the
// axes of opts alone.
func Load(ctx context.Context, arg string, stdin io.Reader, opts Options) (*Plan, error) {
	file, data, err := resolve(ctx, arg, stdin)
	if err != nil {
		return nil, err
	}
	var head struct {
		Kind string `yaml:"kind"`
	}
	_ = yaml.Unmarshal(data, &head) // the strict decode below says what is wrong
	var doc Document
	dir := "."
	if head.Kind == Kind {
		if err := scenarios.Decode(file, data, &doc); err != nil {
			return nil, err
		}
		if doc.APIVersion != scenarios.APIVersion {
			return nil, scenarios.ErrorList{{File: file, Path: "apiVersion", Msg: fmt.Sprintf("want %s, got %q", scenarios.APIVersion, doc.APIVersion)}}
		}
		if doc.Metadata.Name == "" {
			return nil, scenarios.ErrorList{{File: file, Path: "metadata.name", Msg: "a sweep needs a name"}}
		}
		dir = filepath.Dir(file)
	} else {
		if len(opts.Axes) == 0 {
			return nil, fmt.Errorf("%s is a scenario: sweep it with --axis PATH=v1,v2,... (or give a kind: Sweep document)", arg)
		}
		sc, err := scenarios.LoadWith(file, data, nil)
		if err != nil {
			return nil, err
		}
		doc = Document{Kind: Kind, Metadata: scenarios.Metadata{Name: sc.Metadata.Name + "-sweep", Description: sc.Metadata.Description},
			Spec: Spec{Scenario: arg}}
	}
	doc.Spec.Axes = append(doc.Spec.Axes, opts.Axes...)
	doc.Spec.Constraints = append(doc.Spec.Constraints, opts.Constraints...)
	if len(opts.Metrics) > 0 {
		doc.Spec.Metrics = opts.Metrics
	}
	if len(doc.Spec.Metrics) == 0 {
		doc.Spec.Metrics = DefaultMetrics
	}
	if opts.Seeds > 0 {
		doc.Spec.Seeds = opts.Seeds
	}
	if opts.FirstSeed != nil {
		doc.Spec.FirstSeed = opts.FirstSeed
	}
	if err := doc.Spec.Check(); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	p := &Plan{Name: doc.Metadata.Name, Description: doc.Metadata.Description, Metrics: doc.Spec.Metrics, Baseline: -1}
	switch {
	case head.Kind != Kind:
		p.BaseName, p.BaseFile, p.BaseSource = arg, file, data
	case doc.Spec.Inline != nil:
		p.BaseName, p.BaseFile = "inline", file+" (spec.inline)"
		p.BaseSource, err = inlineSource(data)
		if err != nil {
			return nil, err
		}
	default:
		base := doc.Spec.Scenario
		if !filepath.IsAbs(base) && strings.ContainsAny(base, "/.") && !strings.HasPrefix(file, "library/") {
			base = filepath.Join(dir, base)
		}
		p.BaseName = base
		p.BaseFile, p.BaseSource, err = scenarios.ResolveSource(ctx, base, nil)
		if err != nil {
			return nil, fmt.Errorf("%s: spec.scenario: %w", file, err)
		}
	}
	for _, s := range doc.Spec.Set {
		o, _ := scenarios.ParseOverride(s)
		o.Origin = fmt.Sprintf("%s: spec.set: %s", file, s)
		p.Set = append(p.Set, o)
	}
	p.Set = append(p.Set, opts.Set...)
	if err := p.expand(doc.Spec); err != nil {
		return nil, err
	}
	return p, nil
}

// resolve reads arg: a file (or - for standard input), a built-in sweep,
// or a built-in scenario.
func resolve(ctx context.Context, arg string, stdin io.Reader) (string, []byte, error) {
	if arg != "-" && !fileExists(arg) {
		for _, e := range Library() {
			if e.Name == arg {
				return "library/" + e.Name + ".yaml", e.Source, nil
			}
		}
	}
	file, data, err := scenarios.ResolveSource(ctx, arg, stdin)
	if errors.Is(err, scenarios.ErrNotFound) {
		var names []string
		for _, e := range Library() {
			names = append(names, e.Name)
		}
		return "", nil, fmt.Errorf("%w; built-in sweeps: %s", err, strings.Join(names, ", "))
	}
	return file, data, err
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

//go:embed library/*.yaml
var library embed.FS

// Entry is a built-in sweep.
type Entry struct {
	Name, Description string
	Source            []byte
}

// Library lists the built-in sweeps, sorted by name.
func Library() []Entry {
	files, err := fs.Glob(library, "library/*.yaml")
	if err != nil {
		panic(err)
	}
	var out []Entry
	for _, f := range files {
		data, err := library.ReadFile(f)
		if err != nil {
			panic(err)
		}
		var doc Document
		if err := scenarios.Decode(f, data, &doc); err != nil {
			panic(fmt.Sprintf("built-in sweep %s does not load: %v", f, err))
		}
		out = append(out, Entry{Name: doc.Metadata.Name, Description: strings.TrimSpace(doc.Metadata.Description), Source: data})
	}
	slices.SortFunc(out, func(a, b Entry) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// inlineSource is spec.inline of a sweep document as a document of its
// own.
func inlineSource(data []byte) ([]byte, error) {
	var doc struct {
		Spec struct {
			Inline yaml.Node `yaml:"inline"`
		} `yaml:"spec"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	return yaml.Marshal(&doc.Spec.Inline)
}

// expand lists the points, checks each, and hashes the definition.
func (p *Plan) expand(s Spec) error {
	seeds := s.Seeds
	if seeds == 0 {
		seeds = 20
	}
	first := uint64(1)
	if s.FirstSeed != nil {
		first = *s.FirstSeed
	}
	p.Seeds = Seeds{First: first, N: seeds}
	type axis struct {
		values  []string
		kind    numKind
		lo, hi  float64
		log     bool
		integer bool
	}
	var axes []axis
	var grid, sampled []int
	for i, a := range s.Axes {
		p.Axes = append(p.Axes, a.name())
		p.AxisPaths = append(p.AxisPaths, a.Path)
		var ax axis
		switch {
		case len(a.Values) > 0:
			ax.values = a.Values
		default:
			from, k, _ := parseNum(a.From)
			to, _, _ := parseNum(a.To)
			ax.kind, ax.lo, ax.hi, ax.log = k, from, to, a.Scale == "log"
			ax.integer = k == kindNumber && !strings.ContainsAny(a.From+a.To+a.Step, ".eE")
			switch {
			case a.Step != "":
				step, _, _ := parseNum(a.Step)
				n := int(math.Floor((to-from)/step*(1+1e-12))) + 1
				for j := range n {
					ax.values = append(ax.values, format(from+float64(j)*step, k, ax.integer))
				}
			case a.Count > 0:
				for j := range a.Count {
					f := float64(j) / float64(a.Count-1)
					x := from + f*(to-from)
					if ax.log {
						x = round3(math.Exp(math.Log(from) + f*(math.Log(to)-math.Log(from))))
					}
					ax.values = append(ax.values, format(x, k, ax.integer))
				}
				ax.values = slices.Compact(ax.values)
			}
		}
		axes = append(axes, ax)
		if ax.values == nil {
			sampled = append(sampled, i)
		} else {
			grid = append(grid, i)
		}
	}
	// The grid's points, the first axis slowest.
	combos := [][]string{make([]string, len(axes))}
	for _, i := range grid {
		var next [][]string
		for _, c := range combos {
			for _, v := range axes[i].values {
				n := slices.Clone(c)
				n[i] = v
				next = append(next, n)
			}
		}
		combos = next
		if len(combos)*p.Seeds.N > maxRuns {
			return fmt.Errorf("more than %d runs: shrink the axes or the seeds", maxRuns)
		}
	}
	if len(sampled) > 0 {
		seed := s.Sample.Seed
		if seed == 0 {
			seed = 1
		}
		rng := rand.New(rand.NewPCG(seed, 0x5eed))
		n := s.Sample.Points
		// u[j][i]: sample j's position in [0, 1) on sampled axis i.
		u := make([][]float64, n)
		for j := range u {
			u[j] = make([]float64, len(sampled))
		}
		for i := range sampled {
			if s.Sample.Method == "latin-hypercube" {
				perm := rng.Perm(n)
				for j := range n {
					u[j][i] = (float64(perm[j]) + rng.Float64()) / float64(n)
				}
			} else {
				for j := range n {
					u[j][i] = rng.Float64()
				}
			}
		}
		var next [][]string
		for _, c := range combos {
			for j := range n {
				v := slices.Clone(c)
				for i, ai := range sampled {
					ax := axes[ai]
					x := ax.lo + u[j][i]*(ax.hi-ax.lo)
					if ax.log {
						x = math.Exp(math.Log(ax.lo) + u[j][i]*(math.Log(ax.hi)-math.Log(ax.lo)))
					}
					v[ai] = format(round3(x), ax.kind, ax.integer)
				}
				next = append(next, v)
			}
		}
		combos = next
	}
	names := map[string]int{}
	for i, a := range p.Axes {
		names[a] = i
	}
	var cons []constraint
	for _, c := range s.Constraints {
		k, _ := parseConstraint(c, names)
		cons = append(cons, k)
	}
	h := sha256.New()
	// The points' scenarios are hashed as decoded, not as written: the
	// same study from a file or inline, reformatted or commented, is the
	// same definition.
	fmt.Fprintf(h, "hasim sweep\x00")
	for i, a := range p.Axes {
		fmt.Fprintf(h, "axis\x00%s\x00%s\x00", a, p.AxisPaths[i])
	}
	fmt.Fprintf(h, "seeds\x00")
	p.Seeds.hash(h)
	fmt.Fprintf(h, "\x00metrics\x00%q\x00baseline\x00%q\x00", s.Metrics, sortedKeys(s.Baseline))
	for _, k := range sortedKeys(s.Baseline) {
		fmt.Fprintf(h, "%s\x00", s.Baseline[k])
	}
	seen := map[string]bool{}
next:
	for _, vals := range combos {
		for _, c := range cons {
			ok, err := c.holds(vals)
			if err != nil {
				return fmt.Errorf("constraint %q at %s: %v", c.src, pointString(p.Axes, vals), err)
			}
			if !ok {
				p.Dropped++
				continue next
			}
		}
		key := strings.Join(vals, "\x00")
		if seen[key] {
			continue // a sample that rounds to a point already there
		}
		seen[key] = true
		pt := Point{Values: vals}
		for i, v := range vals {
			pt.Overrides = append(pt.Overrides, scenarios.Override{Path: p.AxisPaths[i], Value: v,
				Origin: fmt.Sprintf("axis %s=%s (point %s)", p.Axes[i], v, pointString(p.Axes, vals))})
		}
		sc, err := scenarios.LoadWith(p.BaseFile, p.BaseSource, append(slices.Clone(p.Set), pt.Overrides...))
		if err != nil {
			return err
		}
		pt.Scenario = sc
		cfg := sc.Config()
		pt.Cost = cfg.Horizon.Seconds() * float64(len(sc.Spec.Hosts)+1)
		canon, err := yaml.Marshal(sc)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "point\x00%s\x00%s\x00", key, canon)
		p.Points = append(p.Points, pt)
	}
	if len(p.Points) == 0 {
		return fmt.Errorf("no point is left: the constraints removed all %d", p.Dropped)
	}
	if len(p.Points)*p.Seeds.N > maxRuns {
		return fmt.Errorf("%d runs: at most %d", len(p.Points)*p.Seeds.N, maxRuns)
	}
	p.Hash = "sha256:" + hex.EncodeToString(h.Sum(nil))[:32]
	if s.Baseline != nil {
		want := make([]string, len(p.Axes))
		for i, a := range p.Axes {
			want[i] = s.Baseline[a]
		}
		p.Baseline = slices.IndexFunc(p.Points, func(pt Point) bool { return sameValues(pt.Values, want) })
		if p.Baseline < 0 {
			return fmt.Errorf("spec.baseline %s is not a point of the sweep", pointString(p.Axes, want))
		}
	}
	return nil
}

// sameValues compares axis values as numbers where they are numbers
// ("15s" is "15.0s").
func sameValues(a, b []string) bool {
	for i := range a {
		x, kx, ex := parseNum(a[i])
		y, ky, ey := parseNum(b[i])
		if ex == nil && ey == nil && kx == ky {
			if x != y {
				return false
			}
		} else if a[i] != b[i] {
			return false
		}
	}
	return true
}

// pointString is "leaseDuration=20s renewDeadline=10s".
func pointString(names, vals []string) string {
	parts := make([]string, len(names))
	for i := range names {
		parts[i] = names[i] + "=" + vals[i]
	}
	return strings.Join(parts, " ")
}

// String describes point i.
func (p *Plan) PointString(i int) string { return pointString(p.Axes, p.Points[i].Values) }

// constraint is "a OP b", each side an axis (times a factor) or a
// literal.
type constraint struct {
	src  string
	l, r term
	op   string
}

type term struct {
	factor float64
	axis   int // -1 for a literal
	value  float64
}

func parseConstraint(s string, axes map[string]int) (constraint, error) {
	c := constraint{src: s}
	for _, op := range []string{"<=", ">=", "==", "!=", "<", ">"} {
		if l, r, ok := strings.Cut(s, op); ok {
			c.op = op
			var err error
			if c.l, err = parseTerm(l, axes); err != nil {
				return c, err
			}
			if c.r, err = parseTerm(r, axes); err != nil {
				return c, err
			}
			return c, nil
		}
	}
	return c, fmt.Errorf("want A OP B with OP one of < <= > >= == !=, such as renewDeadline < leaseDuration or renewDeadline > 1.2 * retryPeriod, got %q", s)
}

func parseTerm(s string, axes map[string]int) (term, error) {
	s = strings.TrimSpace(s)
	t := term{factor: 1, axis: -1}
	if f, rest, ok := strings.Cut(s, "*"); ok {
		x, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil {
			return t, fmt.Errorf("%q: want FACTOR * AXIS, such as 1.2 * retryPeriod", s)
		}
		t.factor, s = x, strings.TrimSpace(rest)
	}
	if i, ok := axes[s]; ok {
		t.axis = i
		return t, nil
	}
	if v, _, err := parseNum(s); err == nil {
		t.value = v
		return t, nil
	}
	var names []string
	for n := range axes {
		names = append(names, n)
	}
	slices.Sort(names)
	return t, fmt.Errorf("%q is neither an axis (%s) nor a duration or number", s, strings.Join(names, ", "))
}

func (t term) eval(vals []string) (float64, error) {
	if t.axis < 0 {
		return t.factor * t.value, nil
	}
	x, _, err := parseNum(vals[t.axis])
	if err != nil {
		return 0, fmt.Errorf("axis value %q is not a duration or number", vals[t.axis])
	}
	return t.factor * x, nil
}

func (c constraint) holds(vals []string) (bool, error) {
	l, err := c.l.eval(vals)
	if err != nil {
		return false, err
	}
	r, err := c.r.eval(vals)
	if err != nil {
		return false, err
	}
	switch c.op {
	case "<":
		return l < r, nil
	case "<=":
		return l <= r, nil
	case ">":
		return l > r, nil
	case ">=":
		return l >= r, nil
	case "==":
		return l == r, nil
	}
	return l != r, nil
}

// Header is the first line of a results file: what sweep its runs belong
// to.
type Header struct {
	Hasim string `json:"hasim"` // the version that wrote it
	Sweep string `json:"sweep"`
	// Definition is the plan's hash: a results file is resumed or merged
	// only with the definition that made it.
	Definition string   `json:"definition"`
	Axes       []string `json:"axes"`
	Points     int      `json:"points"`
	Seeds      int      `json:"seeds"`
	Runs       int      `json:"runs"`
	// Metrics are the metrics to aggregate (names or patterns; empty:
	// every one) and Baseline the point the others are compared with,
	// seed by seed (absent: none).
	Metrics  []string `json:"metrics,omitempty"`
	Baseline *int     `json:"baseline,omitempty"`
	// Shard is "I/N" for a shard's file, empty for the whole sweep.
	Shard string `json:"shard,omitempty"`
}

// HeaderOf is the plan's header for hasim version v.
func (p *Plan) HeaderOf(version string, sh Shard) Header {
	h := Header{Hasim: version, Sweep: p.Name, Definition: p.Hash, Axes: p.Axes, Points: len(p.Points), Seeds: p.Seeds.N, Runs: p.Runs()}
	if sh.N > 1 {
		h.Shard = sh.String()
	}
	h.Metrics = p.Metrics
	if p.Baseline >= 0 {
		b := p.Baseline
		h.Baseline = &b
	}
	return h
}

func marshalLine(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only our own types, which always marshal
	}
	return append(b, '\n')
}
