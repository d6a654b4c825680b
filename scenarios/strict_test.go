package scenarios

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// The schema below is a miniature scenario, used only by these tests.

type faultKind string

func (k *faultKind) UnmarshalScalar(s string) error {
	switch s {
	case "crash", "pause", "partition":
		*k = faultKind(s)
		return nil
	}
	return fmt.Errorf("want one of crash, pause, partition, got %q", s)
}

type meta struct {
	Name   string            `yaml:"name"`
	Labels map[string]string `yaml:"labels,omitempty"`
}

type scenario struct {
	meta `yaml:",inline"`
	Seed uint64 `yaml:"seed"`
	Spec spec   `yaml:"spec"`
}

type spec struct {
	Nodes    int      `yaml:"nodes"`
	Duration Duration `yaml:"duration"`
	Loss     float64  `yaml:"loss"`
	Verbose  bool     `yaml:"verbose"`
	Leader   *leader  `yaml:"leader,omitempty"`
	Faults   []fault  `yaml:"faults"`
}

// Check reports faults aimed at nodes that do not exist.
func (s *spec) Check() error {
	var errs ErrorList
	for i, f := range s.Faults {
		if f.Node != nil && (*f.Node < 0 || *f.Node >= s.Nodes) {
			errs = append(errs, &FieldError{
				Path: fmt.Sprintf("faults[%d].node", i),
				Msg:  fmt.Sprintf("node %d out of range; have %d nodes", *f.Node, s.Nodes),
			})
		}
	}
	return errs.Err()
}

type leader struct {
	LeaseDuration   Duration `yaml:"leaseDuration"`
	RenewDeadline   Duration `yaml:"renewDeadline"`
	ElectionTimeout Duration `yaml:"electionTimeout"`
}

func (l *leader) Check() error {
	if l.RenewDeadline >= l.LeaseDuration {
		return &FieldError{Path: "renewDeadline", Msg: fmt.Sprintf("must be less than leaseDuration (%s)", l.LeaseDuration.D())}
	}
	return nil
}

type fault struct {
	Kind    faultKind `yaml:"kind"`
	At      Duration  `yaml:"at"`
	Node    *int      `yaml:"node,omitempty"`
	Targets []string  `yaml:"targets,omitempty"`
}

func (f *fault) Check() error {
	if f.Kind == "" {
		return &FieldError{Path: "kind", Msg: "is required; one of crash, pause, partition"}
	}
	return nil
}

// kinds has a field of every supported (and one unsupported) kind.
type kinds struct {
	I8       int8              `yaml:"i8"`
	U8       uint8             `yaml:"u8"`
	I        int               `yaml:"i"`
	U16      uint16            `yaml:"u16"`
	F32      float32           `yaml:"f32"`
	F64      float64           `yaml:"f64"`
	B        bool              `yaml:"b"`
	S        string            `yaml:"s"`
	Raw      time.Duration     `yaml:"raw"`
	PS       *string           `yaml:"ps"`
	PD       *Duration         `yaml:"pd"`
	List     []int             `yaml:"list"`
	Ptrs     []*int            `yaml:"ptrs"`
	Map      map[string]uint8  `yaml:"map,omitempty"`
	Nested   map[string][]bool `yaml:"nested"`
	Any      any               `yaml:"any"`
	HTTPPort int               // untagged: "httpPort"
	Skip     string            `yaml:"-"`
	hidden   string
}

// tree is recursive, to exercise alias cycles and alias bombs.
type tree struct {
	Name string `yaml:"name"`
	Kids []tree `yaml:"kids"`
}

// pair's Check returns a plain error joined with a positioned one.
type pair struct {
	A int `yaml:"a"`
	B int `yaml:"b"`
}

func (p *pair) Check() error {
	if p.A+p.B == 0 {
		return errors.Join(errors.New("a and b must not both be zero"), &FieldError{Path: "b", Msg: "must be positive"})
	}
	return nil
}

type pairs struct {
	Pairs map[string]pair `yaml:"pairs"`
}

// Schemas with programmer errors.
type badInline struct {
	N int `yaml:",inline"`
}

type dupNames struct {
	A int `yaml:"x"`
	B int `yaml:"x"`
}

type intKeys struct {
	M map[int]string `yaml:"m"`
}

func intp(i int) *int           { return &i }
func strp(s string) *string     { return &s }
func durp(d Duration) *Duration { return &d }

func TestDecodeErrors(t *testing.T) {
	const l = "s.yaml"
	tests := []struct {
		name string
		doc  string
		into func() any // default: new(scenario)
		want []string
	}{
		{"empty", "", nil, []string{"s.yaml: empty document"}},
		{"only comments", "# nothing\n\n# here\n", nil, []string{"s.yaml: empty document"}},
		{"only a marker", "---\n", nil, []string{"s.yaml:1:1: empty document"}},
		{"syntax error, scanner", "name: x\nspec:\n  nodes: 3\n   loss: 1\n", nil,
			[]string{"s.yaml:4: mapping values are not allowed in this context"}},
		{"syntax error, parser", "name: x\nspec:\n  nodes: 3\n - kind: crash\n", nil,
			[]string{"s.yaml:4: did not find expected key"}},
		{"syntax error, flow", "name: x\nlabels: {a: b\nseed: 1\n", nil,
			[]string{"s.yaml:2: did not find expected ',' or '}'"}},
		{"unknown anchor", "name: *nope\n", nil, []string{"s.yaml:1:11: unknown anchor 'nope' referenced"}},
		{"two documents", "name: a\n---\nname: b\n", nil, []string{"s.yaml:2:1: only one document is allowed"}},
		{"root scalar", "hello\n", nil,
			[]string{"s.yaml:1:1: want a mapping with fields name, labels, seed, spec, got a scalar"}},
		{"root list", "- name: a\n", nil,
			[]string{"s.yaml:1:1: want a mapping with fields name, labels, seed, spec, got a list"}},
		{"unknown field, suggestion", "spec:\n  leader:\n    leaseDuration: 15s\n    electonTimeout: 1s\n", nil,
			[]string{`s.yaml:4:5: spec.leader: unknown field "electonTimeout" (did you mean "electionTimeout"?)`}},
		{"unknown field, allowed list", "spec:\n  bogus: 1\n", nil,
			[]string{`s.yaml:2:3: spec: unknown field "bogus"; allowed: nodes, duration, loss, verbose, leader, faults`}},
		{"unknown field, short name gets the list", "spec:\n  faults:\n  - to: 1\n", nil,
			[]string{`s.yaml:3:5: spec.faults[0]: unknown field "to"; allowed: kind, at, node, targets`}},
		{"unknown root field, case typo", "Seed: 1\n", nil,
			[]string{`s.yaml:1:1: unknown field "Seed" (did you mean "seed"?)`}},
		{"duplicate field", "name: a\nseed: 1\nname: b\n", nil,
			[]string{`s.yaml:3:1: duplicate field "name" (first at line 1)`}},
		{"duplicate map key", "labels:\n  team: a\n  team: b\n", nil,
			[]string{`s.yaml:3:3: labels: duplicate key "team" (first at line 2)`}},
		{"non-scalar key", "? [a]\n: 1\n", nil, []string{"s.yaml:1:3: want a scalar as field name, got a list"}},
		{"merge key", "labels: &l {a: b}\nspec:\n  <<: {nodes: 3}\n", nil,
			[]string{"s.yaml:3:3: spec: merge keys (<<) are not supported"}},
		{"string from mapping", "name: {a: 1}\n", nil, []string{"s.yaml:1:7: name: want a string, got a mapping"}},
		{"string from list", "name: [a]\n", nil, []string{"s.yaml:1:7: name: want a string, got a list"}},
		{"bool yes", "spec:\n  verbose: yes\n", nil, []string{`s.yaml:2:12: spec.verbose: want true or false, got "yes"`}},
		{"bool from list", "spec:\n  verbose: [true]\n", nil, []string{"s.yaml:2:12: spec.verbose: want true or false, got a list"}},
		{"int from float", "spec:\n  nodes: 1.5\n", nil, []string{`s.yaml:2:10: spec.nodes: want an integer, got "1.5"`}},
		{"int from hex", "spec:\n  nodes: 0x10\n", nil, []string{`s.yaml:2:10: spec.nodes: want an integer, got "0x10"`}},
		{"int from mapping", "spec:\n  nodes: {}\n", nil, []string{"s.yaml:2:10: spec.nodes: want an integer, got a mapping"}},
		{"uint64 negative", "seed: -1\n", nil, []string{"s.yaml:1:7: seed: value -1 out of range for uint64"}},
		{"uint64 too big", "seed: 18446744073709551616\n", nil,
			[]string{"s.yaml:1:7: seed: value 18446744073709551616 out of range for uint64"}},
		{"small ints out of range", "i8: -129\nu8: 300\nu16: 65536\n", func() any { return new(kinds) }, []string{
			"s.yaml:1:5: i8: value -129 out of range for int8",
			"s.yaml:2:5: u8: value 300 out of range for uint8",
			"s.yaml:3:6: u16: value 65536 out of range for uint16",
		}},
		{"floats", "f32: 1e39\nf64: abc\nlist: [1, 2]\n", func() any { return new(kinds) }, []string{
			"s.yaml:1:6: f32: value 1e39 out of range for float32",
			`s.yaml:2:6: f64: want a number, got "abc"`,
		}},
		{"two documents, second empty", "spec:\n  loss: 0.5\n---\n", nil, []string{"s.yaml:3:1: only one document is allowed"}},
		{"float nan", "f32: NaN\nf64: -Inf\n", func() any { return new(kinds) }, []string{
			`s.yaml:1:6: f32: want a finite number, got "NaN"`,
			`s.yaml:2:6: f64: want a finite number, got "-Inf"`,
		}},
		{"time.Duration is just an integer", "raw: 5s\n", func() any { return new(kinds) },
			[]string{`s.yaml:1:6: raw: want an integer, got "5s"`}},
		{"unsupported any", "any: 1\n", func() any { return new(kinds) },
			[]string{"s.yaml:1:6: any: cannot decode into Go type interface {}: not supported (programmer error)"}},
		{"skipped and unexported fields are unknown", "Skip: x\nhidden: y\n", func() any { return new(kinds) }, []string{
			`s.yaml:1:1: unknown field "Skip"; allowed: i8, u8, i, u16, f32, f64, b, s, raw, ps, pd, list, ptrs, map, nested, any, httpPort`,
			`s.yaml:2:1: unknown field "hidden"; allowed: i8, u8, i, u16, f32, f64, b, s, raw, ps, pd, list, ptrs, map, nested, any, httpPort`,
		}},
		{"inline on a non-struct", "n: 1\n", func() any { return new(badInline) },
			[]string{"s.yaml:1:1: field N of scenarios.badInline: inline needs an embedded or exported struct (programmer error)"}},
		{"two fields with one name", "x: 1\n", func() any { return new(dupNames) },
			[]string{`s.yaml:1:1: Go type scenarios.dupNames has two fields named "x" (programmer error)`}},
		{"map with int keys", "m: {1: a}\n", func() any { return new(intKeys) },
			[]string{"s.yaml:1:4: m: cannot decode into Go type map[int]string: map keys must be strings (programmer error)"}},
		{"null list items and map values", "labels: {a: ~, b: x}\nspec:\n  faults:\n  -\n  - kind: crash\n", nil, []string{
			"s.yaml:1:13: labels.a: map values must not be null",
			"s.yaml:4:4: spec.faults[0]: list items must not be null",
		}},
		{"list from scalar", "spec:\n  faults: crash\n", nil, []string{"s.yaml:2:11: spec.faults: want a list, got a scalar"}},
		{"list from mapping", "spec:\n  faults:\n    kind: crash\n", nil,
			[]string{"s.yaml:3:5: spec.faults: want a list, got a mapping"}},
		{"struct from scalar", "spec: 5\n", nil,
			[]string{"s.yaml:1:7: spec: want a mapping with fields nodes, duration, loss, verbose, leader, faults, got a scalar"}},
		{"map from list", "labels: [a, b]\n", nil, []string{"s.yaml:1:9: labels: want a mapping, got a list"}},
		{"map values", "map:\n  a: 1\n  b.c: 256\n  d: x\n", func() any { return new(kinds) }, []string{
			`s.yaml:3:8: map["b.c"]: value 256 out of range for uint8`,
			`s.yaml:4:6: map.d: want an integer, got "x"`,
		}},
		{"nested list in map", "nested:\n  x: [true, maybe]\n", func() any { return new(kinds) },
			[]string{`s.yaml:2:13: nested.x[1]: want true or false, got "maybe"`}},
		{"duration bare number", "spec:\n  duration: 10\n", nil,
			[]string{`s.yaml:2:13: spec.duration: want a duration such as 100ms, 1.5s, 30d or 1y, got "10"`}},
		{"duration zero without unit", "spec:\n  duration: 0\n", nil,
			[]string{`s.yaml:2:13: spec.duration: want a duration such as 100ms, 1.5s, 30d or 1y, got "0"`}},
		{"duration garbage", "spec:\n  duration: 5 s\n", nil,
			[]string{`s.yaml:2:13: spec.duration: want a duration such as 100ms, 1.5s, 30d or 1y, got "5 s"`}},
		{"duration negative", "spec:\n  duration: -1s\n", nil,
			[]string{`s.yaml:2:13: spec.duration: want a non-negative duration, got "-1s"`}},
		{"duration from list", "pd: [1s]\n", func() any { return new(kinds) }, []string{"s.yaml:1:5: pd: want a scalar, got a list"}},
		{"enum not allowed", "spec:\n  faults:\n  - kind: crash\n  - kind: crsh\n", nil,
			[]string{`s.yaml:4:11: spec.faults[1].kind: want one of crash, pause, partition, got "crsh"`}},
		{"checker at child key", "spec:\n  leader:\n    leaseDuration: 15s\n    electionTimeout: 5s\n    renewDeadline: 20s\n", nil,
			[]string{"s.yaml:5:5: spec.leader.renewDeadline: must be less than leaseDuration (15s)"}},
		{"checker, child key absent", "spec:\n  leader:\n    leaseDuration: 0s\n", nil,
			[]string{"s.yaml:3:5: spec.leader.renewDeadline: must be less than leaseDuration (0s)"}},
		{"checker skipped when own field fails", "spec:\n  leader:\n    leaseDuration: 15s\n    renewDeadline: soon\n", nil,
			[]string{`s.yaml:4:20: spec.leader.renewDeadline: want a duration such as 100ms, 1.5s, 30d or 1y, got "soon"`}},
		{"checker path with index, ancestor still checked", "spec:\n  nodes: 3\n  faults:\n  - kind: oops\n    node: 1\n  - kind: pause\n    node: 7\n", nil, []string{
			`s.yaml:4:11: spec.faults[0].kind: want one of crash, pause, partition, got "oops"`,
			"s.yaml:7:5: spec.faults[1].node: node 7 out of range; have 3 nodes",
		}},
		{"checker, required key absent, at the struct", "spec:\n  faults: [{at: 1s}]\n", nil,
			[]string{"s.yaml:2:12: spec.faults[0].kind: is required; one of crash, pause, partition"}},
		{"checker with plain and joined errors", "pairs:\n  p:\n    a: 0\n    b: 0\n  q: {a: 1}\n", func() any { return new(pairs) }, []string{
			"s.yaml:3:5: pairs.p: a and b must not both be zero",
			"s.yaml:4:5: pairs.p.b: must be positive",
		}},
		{"alias type mismatch points at the alias", "name: &n x\nlabels: *n\n", nil,
			[]string{"s.yaml:2:9: labels: want a mapping, got a scalar"}},
		{"alias cycle", "kids: &k\n- name: a\n  kids: *k\n", func() any { return new(tree) },
			[]string{"s.yaml:3:9: kids[0].kids[0].kids: alias *k refers to itself"}},
		{"several errors in line order", "seed: x\nspec:\n  nodes: -1.0\n  verbose: on\n  faults:\n  - kind: crash\n    at: 3\n    extra: 1\nname: [x]\nseed: 2\n", nil, []string{
			`s.yaml:1:7: seed: want an integer, got "x"`,
			`s.yaml:3:10: spec.nodes: want an integer, got "-1.0"`,
			`s.yaml:4:12: spec.verbose: want true or false, got "on"`,
			`s.yaml:7:9: spec.faults[0].at: want a duration such as 100ms, 1.5s, 30d or 1y, got "3"`,
			`s.yaml:8:5: spec.faults[0]: unknown field "extra"; allowed: kind, at, node, targets`,
			"s.yaml:9:7: name: want a string, got a list",
			`s.yaml:10:1: duplicate field "seed" (first at line 1)`,
		}},
		{"long values are shortened", "name: x\nseed: " + strings.Repeat("9", 100) + "x\n", nil,
			[]string{`s.yaml:2:7: seed: want an integer, got "` + strings.Repeat("9", 60) + `..."`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := any(new(scenario))
			if tt.into != nil {
				out = tt.into()
			}
			err := Decode(l, []byte(tt.doc), out)
			if err == nil {
				t.Fatalf("Decode succeeded, want errors:\n%s", strings.Join(tt.want, "\n"))
			}
			if _, ok := err.(ErrorList); !ok {
				t.Errorf("error is a %T, want ErrorList", err)
			}
			if got, want := err.Error(), strings.Join(tt.want, "\n"); got != want {
				t.Errorf("errors:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestDecodeGood(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want any
	}{
		{"full scenario", `# a leader election under faults
name: failover
labels: {team: sre, "b.c": "x"}
seed: 42
spec:
  nodes: 5
  duration: 2m
  loss: 0.25
  verbose: true
  leader:
    leaseDuration: 15s
    renewDeadline: 10s
    electionTimeout: 1.5s
  faults:
  - kind: crash
    at: 100ms
    node: 2
  - kind: partition
    at: 1m30s
    targets: [a, b]
`, &scenario{
			meta: meta{Name: "failover", Labels: map[string]string{"team": "sre", "b.c": "x"}},
			Seed: 42,
			Spec: spec{Nodes: 5, Duration: Duration(2 * time.Minute), Loss: 0.25, Verbose: true,
				Leader: &leader{LeaseDuration: Duration(15 * time.Second), RenewDeadline: Duration(10 * time.Second),
					ElectionTimeout: Duration(1500 * time.Millisecond)},
				Faults: []fault{
					{Kind: "crash", At: Duration(100 * time.Millisecond), Node: intp(2)},
					{Kind: "partition", At: Duration(90 * time.Second), Targets: []string{"a", "b"}},
				}},
		}},
		{"nulls leave zero values", "name: ~\nseed: null\nlabels:\nspec:\n  leader: null\n  faults: ~\n",
			&scenario{}},
		{"empty collections are nil", "labels: {}\nspec:\n  faults: []\n", &scenario{}},
		{"scalars into strings", "name: 123\nlabels: {a: true, b: \"null\", c: 1.50}\n",
			&scenario{meta: meta{Name: "123", Labels: map[string]string{"a": "true", "b": "null", "c": "1.50"}}}},
		{"aliases", "labels: &l {a: b}\nspec:\n  nodes: 2\n  faults:\n  - &f {kind: pause, at: 1s}\n  - *f\n",
			&scenario{meta: meta{Labels: map[string]string{"a": "b"}}, Spec: spec{Nodes: 2, Faults: []fault{
				{Kind: "pause", At: Duration(time.Second)}, {Kind: "pause", At: Duration(time.Second)}}}}},
		{"every kind", "i8: -128\nu8: 255\ni: +7\nu16: 007\nf32: 0.5\nf64: -1e300\nb: false\ns: 'yes'\nraw: 1000\n" +
			"ps: \"\"\npd: 1h\nlist: [1, -2]\nptrs: [~, 3]\nmap: {x: 1}\nnested: {a: [true]}\nhttpPort: 8080\nany: null\n",
			&kinds{I8: -128, U8: 255, I: 7, U16: 7, F32: 0.5, F64: -1e300, S: "yes", Raw: 1000, PS: strp(""),
				PD: durp(Duration(time.Hour)), List: []int{1, -2}, Ptrs: []*int{nil, intp(3)}, Map: map[string]uint8{"x": 1},
				Nested: map[string][]bool{"a": {true}}, HTTPPort: 8080}},
		{"document end marker and flow root", "{name: x}\n...\n", &scenario{meta: meta{Name: "x"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := reflect.New(reflect.TypeOf(tt.want).Elem()).Interface()
			if err := Decode("good.yaml", []byte(tt.doc), out); err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if !reflect.DeepEqual(out, tt.want) {
				t.Errorf("got  %+v\nwant %+v", out, tt.want)
			}
			if _, ok := out.(*scenario); ok { // kinds has fields yaml.Marshal writes differently
				roundTrip(t, out)
			}
		})
	}
}

// roundTrip marshals v and decodes the result again, which must give v.
func roundTrip(t *testing.T, v any) {
	t.Helper()
	data, err := yaml.Marshal(v)
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	again := reflect.New(reflect.TypeOf(v).Elem()).Interface()
	if err := Decode("again.yaml", data, again); err != nil {
		t.Fatalf("Decode of marshaled\n%s: %v", data, err)
	}
	if !reflect.DeepEqual(v, again) {
		t.Fatalf("round trip through\n%s\ngot  %+v\nwant %+v", data, again, v)
	}
}

func TestRoundTrip(t *testing.T) {
	doc := `name: "it's \"quoted\"\n  and multi-line "
labels:
  "yes": "no"
  "123": "0x1F"
  "": "~"
  "é ü": " leading and trailing "
  block: |
    one
      two
seed: 18446744073709551615
spec:
  nodes: 2147483647
  duration: 1h2m3.5s
  loss: 1e-7
  leader: {leaseDuration: 1ns, renewDeadline: 0s}
  faults:
  - {kind: partition, at: 0s, node: 0, targets: ["a b", "#c", "- d", "null"]}
`
	var s scenario
	if err := Decode("rt.yaml", []byte(doc), &s); err != nil {
		t.Fatal(err)
	}
	if s.Labels["block"] != "one\n  two\n" || s.Spec.Faults[0].Targets[3] != "null" || s.Seed != 1<<64-1 {
		t.Errorf("decoded %+v", s)
	}
	roundTrip(t, &s)
}

func TestDecodeNullKeepsDefaults(t *testing.T) {
	s := scenario{meta: meta{Name: "default"}, Spec: spec{Nodes: 3, Leader: &leader{LeaseDuration: 9}}}
	if err := Decode("d.yaml", []byte("name:\nspec:\n  nodes: ~\n  leader: ~\n  verbose: true\n"), &s); err != nil {
		t.Fatal(err)
	}
	if s.Name != "default" || s.Spec.Nodes != 3 || s.Spec.Leader == nil || !s.Spec.Verbose {
		t.Errorf("got %+v", s)
	}
}

func TestDecodeBadTarget(t *testing.T) {
	var s scenario
	for _, out := range []any{nil, s, (*scenario)(nil), new(int)} {
		err := Decode("-", []byte("name: x\n"), out)
		want := fmt.Sprintf("-: cannot decode into %T: want a non-nil pointer to a struct (programmer error)", out)
		if err == nil || err.Error() != want {
			t.Errorf("Decode into %T: got %v, want %s", out, err, want)
		}
	}
}

func TestDecodeAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("kids:\n- &l0 {name: lol}\n")
	for i := 1; i <= 8; i++ {
		fmt.Fprintf(&b, "- &l%d {kids: [%s]}\n", i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*l%d, ", i-1), 10), ", "))
	}
	start := time.Now()
	err := Decode("bomb.yaml", []byte(b.String()), new(tree))
	var list ErrorList
	if !errors.As(err, &list) || len(list) != 1 || !strings.HasSuffix(list[0].Msg, "document too large or too deeply aliased") {
		t.Fatalf("got %v", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %s", d)
	}
}

func TestFieldErrorFormat(t *testing.T) {
	tests := []struct {
		e    FieldError
		want string
	}{
		{FieldError{"f.yaml", 3, 7, "spec.nodes", "bad"}, "f.yaml:3:7: spec.nodes: bad"},
		{FieldError{"f.yaml", 3, 0, "spec.nodes", "bad"}, "f.yaml:3: spec.nodes: bad"},
		{FieldError{"f.yaml", 0, 7, "", "bad"}, "f.yaml: bad"},
		{FieldError{"-", 1, 1, "", "bad"}, "-:1:1: bad"},
		{FieldError{"", 2, 1, "x", "bad"}, "2:1: x: bad"},
		{FieldError{"", 0, 0, "", "bad"}, "bad"},
	}
	for _, tt := range tests {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
}

func TestErrorListErr(t *testing.T) {
	if err := ErrorList(nil).Err(); err != nil {
		t.Errorf("empty list: got %v", err)
	}
	if err := (ErrorList{nil}).Err(); err != nil {
		t.Errorf("list of nil: got %v", err)
	}
	l := ErrorList{
		{File: "f", Line: 2, Column: 1, Msg: "b"},
		{File: "f", Line: 1, Column: 5, Path: "y", Msg: "a"},
		{File: "f", Line: 1, Column: 5, Path: "x", Msg: "z"},
		{File: "f", Line: 2, Column: 1, Msg: "b"},
		{File: "f", Line: 1, Column: 5, Path: "x", Msg: "a"},
	}
	want := "f:1:5: x: a\nf:1:5: x: z\nf:1:5: y: a\nf:2:1: b"
	if got := l.Err().Error(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if l[0].Msg != "b" {
		t.Errorf("Err changed the receiver")
	}
}

func TestDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{"100ms": 100 * time.Millisecond, "1.5s": 1500 * time.Millisecond, "2m": 2 * time.Minute, "0s": 0,
		"1d": 24 * time.Hour, "1y": 8760 * time.Hour, "1.5d": 36 * time.Hour, "1d12h30m": 36*time.Hour + 30*time.Minute, "2y30d": (730 + 30) * 24 * time.Hour} {
		var d Duration
		if err := d.UnmarshalScalar(in); err != nil || d.D() != want {
			t.Errorf("%q: got %v, %v; want %v", in, d.D(), err, want)
		}
		if m, err := d.MarshalYAML(); err != nil || m != want.String() {
			t.Errorf("MarshalYAML(%v) = %v, %v", d, m, err)
		}
	}
	for _, in := range []string{"d", "1", "1dd", "1.2.3d", "y1", "1w", "300y", "1d-2h", "-1d"} {
		var d Duration
		if err := d.UnmarshalScalar(in); err == nil {
			t.Errorf("%q accepted as %v", in, d.D())
		}
	}
}

// FuzzDecode checks that Decode never panics and that whatever it accepts
// survives yaml.Marshal and a second Decode unchanged.
func FuzzDecode(f *testing.F) {
	for _, seed := range []string{
		"",
		"name: x\nseed: 1\nspec:\n  nodes: 3\n  duration: 1m\n  faults:\n  - kind: crash\n    at: 1s\n    node: 2\n",
		"labels: &l {a: b, c: d}\nspec: {leader: {leaseDuration: 15s, renewDeadline: 10s}, loss: 1e-3}\n",
		"spec:\n  faults: [{kind: pause, targets: [a, *x]}]\n",
		"name: [\n",
		"a: &a [*a]\n",
		"spec:\n  <<: {nodes: 1}\n",
		"spec:\n faults: [{}, ~]\n",
		"name: 'it''s'\nlabels:\n  \"\\u00e9\": |\n    multi\n    line\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var s scenario
		if err := Decode("fuzz.yaml", data, &s); err == nil {
			roundTrip(t, &s)
		} else {
			checkErrorList(t, err)
		}
		// Schemas with every kind and with recursion: only check the errors.
		checkErrorList(t, Decode("fuzz.yaml", data, new(kinds)))
		checkErrorList(t, Decode("fuzz.yaml", data, new(tree)))
	})
}

// checkErrorList fails if err is neither nil nor a non-empty ErrorList, or
// if it reports a panic.
func checkErrorList(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	list, ok := err.(ErrorList)
	if !ok || len(list) == 0 {
		t.Fatalf("error is %T %v, want a non-empty ErrorList", err, err)
	}
	for _, e := range list {
		if strings.HasPrefix(e.Msg, "internal error") {
			t.Fatalf("Decode panicked: %v", e)
		}
	}
}
