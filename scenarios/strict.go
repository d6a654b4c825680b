package scenarios

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"hasim/model"
)

// maxVisits caps the number of nodes (values and mapping keys) one Decode
// call looks at, so that alias expansion ("billion laughs") cannot blow up.
const maxVisits = 1_000_000

// maxErrors bounds the errors reported: a mistake repeated in each of
// 10,000 hosts is the same mistake.
const maxErrors = 100

// FieldError is one problem in a document.
type FieldError struct {
	File         string // as given by the caller; "-" for standard input
	Line, Column int    // 1-based, from the yaml.Node; 0 if unknown
	Path         string // dotted field path from the document root, list items as [i]: "spec.faults[2].at"
	Msg          string // what is wrong and what is allowed, lower-case, no trailing period
}

// Error formats the error as "file:line:col: path: msg", leaving out the
// position parts that are 0 and the path when it is empty.
func (e *FieldError) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc += ":" + strconv.Itoa(e.Line)
		if e.Column > 0 {
			loc += ":" + strconv.Itoa(e.Column)
		}
	}
	if loc = strings.TrimPrefix(loc, ":"); loc != "" {
		loc += ": "
	}
	if e.Path != "" {
		loc += e.Path + ": "
	}
	return loc + e.Msg
}

// ErrorList is several FieldErrors; Err sorts it by (line, column, path,
// msg) and removes duplicates.
type ErrorList []*FieldError

// Error returns the errors one per line.
func (l ErrorList) Error() string {
	lines := make([]string, 0, len(l))
	for _, e := range l {
		if e != nil {
			lines = append(lines, e.Error())
		}
	}
	return strings.Join(lines, "\n")
}

// Err returns nil if the list is empty, else a sorted, de-duplicated copy of
// the list.
func (l ErrorList) Err() error {
	s := slices.DeleteFunc(slices.Clone(l), func(e *FieldError) bool { return e == nil })
	if len(s) == 0 {
		return nil
	}
	slices.SortStableFunc(s, func(a, b *FieldError) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column),
			strings.Compare(a.Path, b.Path), strings.Compare(a.Msg, b.Msg))
	})
	return slices.CompactFunc(s, func(a, b *FieldError) bool { return *a == *b })
}

// Scalar is implemented (on a pointer receiver) by types that parse
// themselves from a YAML scalar, such as enums and quantities. It takes
// precedence over the rules for the type's kind. A non-nil error's text
// becomes the FieldError's Msg.
type Scalar interface {
	UnmarshalScalar(s string) error
}

// Checker is implemented (on a pointer receiver) by structs that validate
// themselves once their fields are decoded. Check is called bottom-up, for
// each struct written in the document as a mapping (not for absent or null
// ones), and only if none of the struct's own keys and values failed to
// decode; errors inside a nested struct do not stop the enclosing struct's
// Check, which may then see zero values where the nested struct failed.
//
// A plain error is reported at the struct's position and path. A
// *FieldError, or an ErrorList of them, may carry a Path relative to the
// struct (such as "renewDeadline" or "faults[1].at"): it is joined to the
// struct's path and reported at the key or list item it names, or at the
// deepest part of it that exists in the document.
type Checker interface {
	Check() error
}

// Duration is a time.Duration written the way time.ParseDuration reads it,
// such as "100ms", "1.5s" or "2m", with two more units for failure
// processes and long horizons: d (a day, 24h) and y (a year of 365 days,
// 8760h; leap days are not counted), as in "30d", "1y" or "1d12h".
// Negative durations and numbers without a unit (including "0") are
// rejected.
type Duration time.Duration

// Day and Year are the d and y units of Duration.
const (
	Day  = model.Day
	Year = model.Year
)

// UnmarshalScalar implements Scalar.
func (d *Duration) UnmarshalScalar(s string) error {
	v, err := parseDuration(s)
	if errors.Is(err, ErrDurationRange) {
		return fmt.Errorf("%s out of range: a duration is 64-bit nanoseconds, at most about 292 years (292y)", quote(s))
	}
	if err != nil || strings.TrimLeft(s, "+-0123456789.") == "" {
		return fmt.Errorf("want a duration such as 100ms, 1.5s, 30d or 1y, got %s", quote(s))
	}
	if v < 0 {
		return fmt.Errorf("want a non-negative duration, got %s", quote(s))
	}
	*d = Duration(v)
	return nil
}

// ErrDurationRange: a duration beyond what time.Duration holds (about
// 292 years).
var ErrDurationRange = errors.New("out of range")

// parseDuration is time.ParseDuration with the units d and y: each
// number-and-unit term in d or y is added up apart, the rest is left to
// time.ParseDuration.
func parseDuration(s string) (time.Duration, error) {
	if !strings.ContainsAny(s, "dy") {
		return time.ParseDuration(s)
	}
	rest, neg := s, false
	if rest != "" && (rest[0] == '-' || rest[0] == '+') {
		neg, rest = rest[0] == '-', rest[1:]
	}
	var long float64 // nanoseconds in d and y terms
	var short strings.Builder
	for rest != "" {
		i := strings.IndexFunc(rest, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
		if i <= 0 {
			return 0, fmt.Errorf("bad duration %q", s)
		}
		num := rest[:i]
		j := i + strings.IndexFunc(rest[i:], func(r rune) bool { return (r >= '0' && r <= '9') || r == '.' })
		if j < i {
			j = len(rest)
		}
		unit := rest[i:j]
		rest = rest[j:]
		switch unit {
		case "d", "y":
			f, err := strconv.ParseFloat(num, 64)
			if err != nil {
				return 0, fmt.Errorf("bad duration %q", s)
			}
			u := Day
			if unit == "y" {
				u = Year
			}
			long += f * float64(u)
		default:
			short.WriteString(num + unit)
		}
	}
	var v time.Duration
	if short.Len() > 0 {
		var err error
		if v, err = time.ParseDuration(short.String()); err != nil {
			return 0, err
		}
	}
	if long+float64(v) >= math.MaxInt64 {
		return 0, fmt.Errorf("duration %q: %w", s, ErrDurationRange)
	}
	v += time.Duration(long)
	if neg {
		v = -v
	}
	return v, nil
}

// MarshalYAML writes d in its canonical form, such as "1m30s".
func (d Duration) MarshalYAML() (any, error) { return time.Duration(d).String(), nil }

// D returns d as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// Decode parses data, which must hold one YAML document, into out, which
// must be a non-nil pointer to a struct. It returns nil or an ErrorList with
// every problem found, each naming file, position and field path. A YAML null
// leaves the target value as it was. Decode never panics.
func Decode(file string, data []byte, out any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = ErrorList{{File: file, Msg: fmt.Sprintf("internal error: %v", r)}}
		}
	}()
	v := reflect.ValueOf(out)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return ErrorList{{File: file, Msg: fmt.Sprintf("cannot decode into %T: want a non-nil pointer to a struct (programmer error)", out)}}
	}
	root, fe := parse(file, data)
	if fe != nil {
		return ErrorList{fe}
	}
	return decodeNode(file, root, out, nil)
}

// decodeNode decodes the document tree root into out, a non-nil pointer
// to a struct; errors at what overrides a set name them (see Override).
func decodeNode(file string, root *yaml.Node, out any, a *applied) (err error) {
	d := &decoder{file: file, expanding: map[*yaml.Node]bool{}, fields: map[reflect.Type][]field{}, failed: map[string]bool{}, applied: a}
	defer func() {
		if r := recover(); r != nil {
			d.errs = append(d.errs, &FieldError{File: file, Msg: fmt.Sprintf("internal error: %v", r)})
			err = d.errList()
		}
	}()
	v := reflect.ValueOf(out)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return ErrorList{{File: file, Msg: fmt.Sprintf("cannot decode into %T: want a non-nil pointer to a struct (programmer error)", out)}}
	}
	d.decode(root, v.Elem(), "", "")
	if d.visits > maxVisits {
		// What the checks said about the half-decoded rest is noise.
		return ErrorList{d.budgetErr}
	}
	return d.errList()
}

// parse returns the root node of the only document in data.
func parse(file string, data []byte) (*yaml.Node, *FieldError) {
	if fe := checkEncoding(file, data); fe != nil {
		return nil, fe
	}
	if fe := checkSize(file, data); fe != nil {
		return nil, fe
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc, extra yaml.Node
	if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
		return nil, &FieldError{File: file, Msg: "empty document"}
	} else if err != nil {
		return nil, locate(syntaxError(file, err), data)
	}
	if err := dec.Decode(&extra); err == nil {
		return nil, &FieldError{File: file, Line: extra.Line, Column: extra.Column, Msg: "only one document is allowed"}
	} else if !errors.Is(err, io.EOF) {
		return nil, locate(syntaxError(file, err), data)
	}
	if len(doc.Content) == 0 || isNull(doc.Content[0]) {
		return nil, &FieldError{File: file, Line: doc.Line, Column: doc.Column, Msg: "empty document"}
	}
	return doc.Content[0], nil
}

// syntaxError turns a yaml.v3 parse error into a FieldError. yaml.v3 puts
// "line N: " in front of most messages, but for parser (as opposed to
// scanner) errors N is 0-based and left out when 0, so those are fixed up.
func syntaxError(file string, err error) *FieldError {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if num, m, ok := strings.Cut(rest, ": "); ok {
			if n, err := strconv.Atoi(num); err == nil {
				line, msg = n, m
			}
		}
	}
	switch msg {
	case "did not find expected ',' or ']'", "did not find expected ',' or '}'",
		"did not find expected '-' indicator", "did not find expected <document start>",
		"did not find expected key", "did not find expected node content",
		"found duplicate %TAG directive", "found duplicate %YAML directive",
		"found incompatible YAML document", "found undefined tag handle":
		line++
	}
	return &FieldError{File: file, Line: line, Msg: msg}
}

// decoder holds the state of one Decode call: the errors found so far and
// the guards against alias cycles and runaway alias expansion.
type decoder struct {
	file      string
	errs      ErrorList
	visits    int
	expanding map[*yaml.Node]bool // alias nodes being decoded, to catch cycles
	fields    map[reflect.Type][]field
	// failed holds the paths of values that did not decode: a Check
	// sees zero values there, and what it says about them is a
	// follow-on error, not reported.
	failed    map[string]bool
	budgetErr *FieldError // the error of the node beyond maxVisits
	dropped   int         // errors beyond maxErrors
	applied   *applied    // the overrides applied to the document, if any
}

// fail reports a value that did not decode.
func (d *decoder) fail(n *yaml.Node, path, format string, args ...any) {
	if len(d.errs) < maxErrors {
		d.failed[path] = true
	}
	d.errorf(n, path, format, args...)
}

// followOn reports whether path is, or is inside, a value that did not
// decode.
func (d *decoder) followOn(path string) bool {
	for {
		if d.failed[path] {
			return true
		}
		i := strings.LastIndexAny(path, ".[")
		if i <= 0 {
			return false
		}
		path = path[:i]
	}
}

// field is a struct field as the decoder sees it.
type field struct {
	name  string
	index []int
}

func (d *decoder) errorf(n *yaml.Node, path, format string, args ...any) {
	if len(d.errs) >= maxErrors {
		d.dropped++
		return
	}
	d.errs = append(d.errs, d.newError(n, path, format, args...))
}

func (d *decoder) newError(n *yaml.Node, path, format string, args ...any) *FieldError {
	fe := &FieldError{File: d.file, Path: path, Msg: fmt.Sprintf(format, args...)}
	if o, own := d.applied.originOf(n, path); o != "" {
		fe.File = o // not in the file: the override's doing
		if own {
			fe.Path = "" // the override names it
		}
		return fe
	}
	if n != nil {
		fe.Line, fe.Column = n.Line, n.Column
	}
	return fe
}

// errList is the errors found, sorted, and a last line saying how many
// more there were.
func (d *decoder) errList() error {
	err := d.errs.Err()
	if d.dropped > 0 {
		err = append(err.(ErrorList), &FieldError{File: d.file, Msg: fmt.Sprintf("%d more errors not shown", d.dropped)})
	}
	return err
}

// visit counts a node and reports whether decoding may go on.
func (d *decoder) visit(n *yaml.Node, path string) bool {
	d.visits++
	if d.visits == maxVisits+1 {
		d.budgetErr = d.newError(n, path, "document too large or too deeply aliased")
	}
	return d.visits <= maxVisits
}

// decode decodes node into v. A null leaves v as it was, but is an error if
// v is not a pointer and notNull names what v is (list items, map values):
// only fields may be left out that way. decode reports false if the value
// itself was unusable; errors inside a nested struct's mapping do not count
// (they belong to that struct, see Checker).
func (d *decoder) decode(node *yaml.Node, v reflect.Value, path, notNull string) bool {
	if !d.visit(node, path) {
		return false
	}
	n := node // n is the content; errors about the value as a whole go to node
	if n.Kind == yaml.AliasNode {
		if d.expanding[n] || n.Alias == nil {
			d.fail(node, path, "alias *%s refers to itself", n.Value)
			return false
		}
		d.expanding[n] = true
		defer delete(d.expanding, n)
		n = n.Alias
	}
	if isNull(n) {
		if notNull != "" && v.Kind() != reflect.Pointer {
			d.fail(node, path, "%s must not be null", notNull)
			return false
		}
		return true
	}
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		v = v.Elem()
	}
	if s, ok := addrAs[Scalar](v); ok {
		if n.Kind != yaml.ScalarNode {
			d.fail(node, path, "want a scalar, got %s", kindOf(n))
			return false
		}
		if err := s.UnmarshalScalar(n.Value); err != nil {
			d.fail(node, path, "%s", err)
			return false
		}
		return true
	}
	switch v.Kind() {
	case reflect.Slice:
		return d.list(node, n, v, path)
	case reflect.Map:
		return d.mapping(node, n, v, path)
	case reflect.Struct:
		return d.structure(node, n, v, path)
	}
	want := wantOf(v.Kind())
	switch {
	case want == "":
		d.errorf(node, path, "cannot decode into Go type %s: not supported (programmer error)", v.Type())
	case n.Kind != yaml.ScalarNode:
		d.fail(node, path, "want %s, got %s", want, kindOf(n))
	default:
		msg := setScalar(v, n.Value)
		if msg == "" {
			return true
		}
		d.fail(node, path, "%s", msg)
	}
	return false
}

// wantOf describes what a scalar of kind k must look like, or returns ""
// if the decoder does not support k.
func wantOf(k reflect.Kind) string {
	switch {
	case k == reflect.String:
		return "a string"
	case k == reflect.Bool:
		return "true or false"
	case k >= reflect.Int && k <= reflect.Uintptr:
		return "an integer"
	case k == reflect.Float32 || k == reflect.Float64:
		return "a number"
	}
	return ""
}

// setScalar parses s into v, a string, bool or number, and returns what is
// wrong with s, if anything.
func setScalar(v reflect.Value, s string) string {
	var err error
	switch {
	case v.Kind() == reflect.String:
		v.SetString(s)
	case v.Kind() == reflect.Bool:
		if s != "true" && s != "false" {
			return fmt.Sprintf("want true or false, got %s", quote(s))
		}
		v.SetBool(s == "true")
	case !v.CanFloat() && !isDecimal(s):
		return fmt.Sprintf("want an integer, got %s", quote(s))
	case v.CanInt():
		var i int64
		if i, err = strconv.ParseInt(s, 10, v.Type().Bits()); err == nil {
			v.SetInt(i)
		}
	case v.CanUint(): // a syntax error here is a negative number
		var u uint64
		if u, err = strconv.ParseUint(s, 10, v.Type().Bits()); err == nil {
			v.SetUint(u)
		}
	default:
		var f float64
		f, err = strconv.ParseFloat(s, v.Type().Bits())
		switch {
		case err != nil && !errors.Is(err, strconv.ErrRange):
			return fmt.Sprintf("want a number, got %s", quote(s))
		case err == nil && (math.IsNaN(f) || math.IsInf(f, 0)):
			return fmt.Sprintf("want a finite number, got %s", quote(s))
		case err == nil:
			v.SetFloat(f)
		}
	}
	if err != nil {
		return fmt.Sprintf("value %s out of range for %s", short(s), v.Kind())
	}
	return ""
}

// list decodes a sequence into the slice v. An empty sequence gives a nil
// slice, so that decoding is stable under re-encoding.
func (d *decoder) list(node, n *yaml.Node, v reflect.Value, path string) bool {
	if n.Kind != yaml.SequenceNode {
		d.fail(node, path, "want a list, got %s", kindOf(n))
		return false
	}
	if len(n.Content) == 0 {
		v.SetZero()
		return true
	}
	s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	ok := true
	for i, item := range n.Content {
		ok = d.decode(item, s.Index(i), fmt.Sprintf("%s[%d]", path, i), "list items") && ok
	}
	v.Set(s)
	return ok
}

// mapping decodes a mapping into the map v, replacing its contents. An
// empty mapping gives a nil map.
func (d *decoder) mapping(node, n *yaml.Node, v reflect.Value, path string) bool {
	t := v.Type()
	if t.Key().Kind() != reflect.String {
		d.errorf(node, path, "cannot decode into Go type %s: map keys must be strings (programmer error)", t)
		return false
	}
	if n.Kind != yaml.MappingNode {
		d.fail(node, path, "want a mapping, got %s", kindOf(n))
		return false
	}
	if len(n.Content) == 0 {
		v.SetZero()
		return true
	}
	m := reflect.MakeMapWithSize(t, len(n.Content)/2)
	ok := d.pairs(n, path, "key", func(key *yaml.Node, name string, val *yaml.Node) bool {
		e := reflect.New(t.Elem()).Elem()
		good := d.decode(val, e, mapPath(path, name), "map values")
		m.SetMapIndex(reflect.ValueOf(name).Convert(t.Key()), e)
		return good
	})
	v.Set(m)
	return ok
}

// structure decodes a mapping into the struct v and then runs its Check.
// It reports false only if the node is not a mapping.
func (d *decoder) structure(node, n *yaml.Node, v reflect.Value, path string) bool {
	fields, err := d.fieldsOf(v.Type())
	if err != nil {
		d.errorf(node, path, "%s (programmer error)", err)
		return false
	}
	if n.Kind != yaml.MappingNode {
		d.fail(node, path, "want a mapping with fields %s, got %s", fieldNames(fields), kindOf(n))
		return false
	}
	own := d.pairs(n, path, "field", func(key *yaml.Node, name string, val *yaml.Node) bool {
		i := slices.IndexFunc(fields, func(f field) bool { return f.name == name })
		if i < 0 {
			d.errorf(key, path, "%s", unknownField(name, fields))
			return false
		}
		return d.decode(val, v.FieldByIndex(fields[i].index), joinPath(path, name), "")
	})
	if c, ok := addrAs[Checker](v); ok && own {
		d.report(node, n, path, c.Check())
	}
	return true
}

// pairs checks the keys of mapping n and calls fn for each good key with its
// value. It reports whether all keys were good and all calls returned true.
func (d *decoder) pairs(n *yaml.Node, path, noun string, fn func(key *yaml.Node, name string, val *yaml.Node) bool) bool {
	ok := true
	seen := make(map[string]*yaml.Node, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], n.Content[i+1]
		if !d.visit(key, path) {
			return false
		}
		k := key
		if k.Kind == yaml.AliasNode && k.Alias != nil {
			k = k.Alias
		}
		switch first, dup := seen[k.Value]; {
		case k.Kind != yaml.ScalarNode:
			d.errorf(key, path, "want a scalar as %s name, got %s", noun, kindOf(k))
		case k.ShortTag() == "!!merge":
			d.errorf(key, path, "merge keys (<<) are not supported")
		case dup:
			d.errorf(key, path, "duplicate %s %s (first at line %d)", noun, quote(k.Value), first.Line)
		default:
			seen[k.Value] = key
			ok = fn(key, k.Value, val) && ok
			continue
		}
		ok = false
	}
	return ok
}

// report records the errors returned by the Check of the struct at node
// (whose mapping is n) with the given path.
func (d *decoder) report(node, n *yaml.Node, path string, err error) {
	switch e := err.(type) {
	case nil:
	case ErrorList:
		for _, fe := range e {
			d.report(node, n, path, fe)
		}
	case *FieldError:
		if e == nil {
			return
		}
		full := joinPath(path, e.Path)
		if d.followOn(full) {
			return
		}
		pos := node
		if e.Path != "" {
			pos = at(node, n, e.Path)
		}
		d.errorf(pos, full, "%s", e.Msg)
	case interface{ Unwrap() []error }:
		for _, x := range e.Unwrap() {
			d.report(node, n, path, x)
		}
	default:
		d.errorf(node, path, "%s", err)
	}
}

// at returns the node that the relative path rel names below the mapping n
// (for a field, its key node), or the deepest part of it found; node if
// nothing of it is found.
func at(node, n *yaml.Node, rel string) *yaml.Node {
	pos, cur := node, n
	for rel != "" && cur != nil {
		if cur.Kind == yaml.AliasNode {
			cur = cur.Alias
			continue
		}
		if rel[0] == '[' {
			end := strings.IndexByte(rel, ']')
			if end < 0 {
				break
			}
			i, err := strconv.Atoi(rel[1:end])
			if err != nil || cur.Kind != yaml.SequenceNode || i < 0 || i >= len(cur.Content) {
				break
			}
			pos, cur, rel = cur.Content[i], cur.Content[i], rel[end+1:]
			continue
		}
		rel = strings.TrimPrefix(rel, ".")
		end := strings.IndexAny(rel, ".[")
		if end < 0 {
			end = len(rel)
		}
		name := rel[:end]
		rel = rel[end:]
		if cur.Kind != yaml.MappingNode {
			break
		}
		found := false
		for i := 0; i+1 < len(cur.Content) && !found; i += 2 {
			if k := cur.Content[i]; k.Kind == yaml.ScalarNode && k.Value == name {
				pos, cur, found = k, cur.Content[i+1], true
			}
		}
		if !found {
			break
		}
	}
	return pos
}

// fieldsOf lists the YAML fields of struct type t in declaration order,
// with the fields of ",inline" structs in place.
func (d *decoder) fieldsOf(t reflect.Type) ([]field, error) {
	if fs, ok := d.fields[t]; ok {
		return fs, nil
	}
	var fs []field
	var walk func(t reflect.Type, index []int) error
	walk = func(t reflect.Type, index []int) error {
		for i := range t.NumField() {
			f := t.Field(i)
			tag := f.Tag.Get("yaml")
			name, opts, _ := strings.Cut(tag, ",")
			idx := append(slices.Clone(index), i)
			switch {
			case tag == "-":
			case slices.Contains(strings.Split(opts, ","), "inline"):
				if f.Type.Kind() != reflect.Struct || !(f.Anonymous || f.IsExported()) {
					return fmt.Errorf("field %s of %s: inline needs an embedded or exported struct", f.Name, t)
				}
				if err := walk(f.Type, idx); err != nil {
					return err
				}
			case f.IsExported():
				if name == "" {
					name = lowerCamel(f.Name)
				}
				if slices.ContainsFunc(fs, func(x field) bool { return x.name == name }) {
					return fmt.Errorf("Go type %s has two fields named %q", t, name)
				}
				fs = append(fs, field{name, idx})
			}
		}
		return nil
	}
	if err := walk(t, nil); err != nil {
		return nil, err
	}
	d.fields[t] = fs
	return fs, nil
}

// unknownField describes an unknown key, suggesting a close field name if
// there is one (edit distance at most 2, and less than the name's length).
func unknownField(name string, fields []field) string {
	best, bestDist := "", 3
	for _, f := range fields {
		if dist := editDistance(name, f.name, bestDist); dist < bestDist && dist < utf8.RuneCountInString(f.name) {
			best, bestDist = f.name, dist
		}
	}
	if best != "" {
		return fmt.Sprintf("unknown field %s (did you mean %q?)", quote(name), best)
	}
	if len(fields) == 0 {
		return fmt.Sprintf("unknown field %s; no fields are allowed", quote(name))
	}
	return fmt.Sprintf("unknown field %s; allowed: %s", quote(name), names(fields))
}

// editDistance returns the Levenshtein distance between a and b, or limit if
// it is at least limit.
func editDistance(a, b string, limit int) int {
	if len(a) > 4*(len(b)+limit) { // too long by rune count too; spares a long a's conversion
		return limit
	}
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d >= limit || -d >= limit {
		return limit
	}
	prev, cur := make([]int, len(rb)+1), make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := range ra {
		cur[0] = i + 1
		for j := range rb {
			cost := 1
			if ra[i] == rb[j] {
				cost = 0
			}
			cur[j+1] = min(prev[j+1]+1, cur[j]+1, prev[j]+cost)
		}
		prev, cur = cur, prev
	}
	return min(prev[len(rb)], limit)
}

// addrAs returns v's address as a T, if v is addressable and its pointer
// type implements T.
func addrAs[T any](v reflect.Value) (T, bool) {
	var zero T
	if !v.CanAddr() || !v.Addr().CanInterface() {
		return zero, false
	}
	t, ok := v.Addr().Interface().(T)
	return t, ok
}

// isDecimal reports whether s is an optionally signed string of digits.
func isDecimal(s string) bool {
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	return s != "" && strings.Trim(s, "0123456789") == ""
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" }

func kindOf(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	return "a scalar"
}

// fieldNames formats as the names of its fields, when it is formatted.
type fieldNames []field

func (f fieldNames) String() string { return names(f) }

func names(fields []field) string {
	s := make([]string, len(fields))
	for i, f := range fields {
		s[i] = f.name
	}
	return strings.Join(s, ", ")
}

func joinPath(path, rel string) string {
	if path == "" || rel == "" || rel[0] == '[' {
		return path + rel
	}
	return path + "." + rel
}

// mapPath appends a map key to path: dotted if it is a plain word, else
// quoted in brackets.
func mapPath(path, key string) string {
	if key == "" || strings.ContainsFunc(key, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_' && r != '-'
	}) {
		return path + "[" + quote(key) + "]"
	}
	return joinPath(path, key)
}

// lowerCamel lower-cases the leading capitals of a Go name: "ID" → "id",
// "LeaseDuration" → "leaseDuration", "HTTPPort" → "httpPort".
func lowerCamel(s string) string {
	r := []rune(s)
	for i := 0; i < len(r) && unicode.IsUpper(r[i]); i++ {
		if i > 0 && i+1 < len(r) && unicode.IsLower(r[i+1]) {
			break
		}
		r[i] = unicode.ToLower(r[i])
	}
	return string(r)
}

// quote quotes s for a message, shortened if it is long.
func quote(s string) string { return strconv.Quote(short(s)) }

func short(s string) string {
	if utf8.RuneCountInString(s) <= 64 {
		return s
	}
	return string([]rune(s)[:60]) + "..."
}
