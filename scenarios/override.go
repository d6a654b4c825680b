package scenarios

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Override sets one field of a scenario document before it is decoded:
// what `--set PATH=VALUE` on the command line, and each axis of a sweep
// at one of its points, do. The document with its overrides is decoded
// and validated exactly as a file is; an error in an overridden value,
// or about it, names Origin instead of a position in the file.
type Override struct {
	// Path is a field path as `hasim explain` prints it:
	// "spec.etcd.electionTimeout", "spec.hosts[0].disk.fsync". A list
	// element is picked by its index or by its name: "spec.hosts[master-1]"
	// is the host named master-1, "spec.etcd.members[master-2]" the
	// member equal to master-2 in a list of names.
	Path string
	// Value is YAML: a scalar ("500ms", "3", "true"), a flow mapping
	// ("{min: 1ms, max: 2ms}") or a flow list ("[master-1, master-2]").
	// An empty Value (or "null") unsets the field: its default applies.
	Value string
	// Origin names the override in errors; default "--set PATH=VALUE".
	Origin string
}

// ParseOverride reads "PATH=VALUE", as given to --set.
func ParseOverride(s string) (Override, error) {
	path, value, ok := strings.Cut(s, "=")
	path = strings.TrimSpace(path)
	if !ok || path == "" {
		return Override{}, fmt.Errorf("--set %s: want PATH=VALUE, such as spec.etcd.electionTimeout=500ms (the paths are those `hasim explain` prints)", quote(s))
	}
	return Override{Path: path, Value: value}, nil
}

func (o Override) origin() string {
	if o.Origin != "" {
		return o.Origin
	}
	return "--set " + o.Path + "=" + o.Value
}

// segment is one step of a path: a field name, or a list element by
// index or by name.
type segment struct {
	field string
	index int    // -1 unless by index
	name  string // "" unless by name
	item  bool   // a list element (index or name), not a field
}

// parsePath splits "spec.hosts[master-1].disk.fsync" into segments.
func parsePath(p string) ([]segment, error) {
	var segs []segment
	rest := p
	for rest != "" {
		switch rest[0] {
		case '[':
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				return nil, fmt.Errorf("%q has no closing ]", rest)
			}
			in := strings.TrimSpace(rest[1:end])
			if in == "" {
				return nil, fmt.Errorf("empty [] in the path: want a list index or a name, such as [0] or [master-1]")
			}
			if len(segs) == 0 {
				return nil, fmt.Errorf("a path starts with a field name, such as spec")
			}
			s := segment{index: -1, item: true}
			if i, err := strconv.Atoi(in); err == nil {
				if i < 0 {
					return nil, fmt.Errorf("list index [%d] is negative", i)
				}
				s.index = i
			} else {
				s.name = strings.Trim(in, `"'`)
			}
			segs = append(segs, s)
			rest = rest[end+1:]
			if rest != "" && rest[0] != '.' && rest[0] != '[' {
				return nil, fmt.Errorf("want . or [ after ], got %q", rest)
			}
			rest = strings.TrimPrefix(rest, ".")
		default:
			end := strings.IndexAny(rest, ".[")
			if end < 0 {
				end = len(rest)
			}
			name := rest[:end]
			if name == "" || strings.ContainsAny(name, " \t]=") {
				return nil, fmt.Errorf("%q is not a field name", name)
			}
			segs = append(segs, segment{field: name, index: -1})
			rest = rest[end:]
			if strings.HasPrefix(rest, ".") {
				rest = rest[1:]
				if rest == "" {
					return nil, fmt.Errorf("the path ends in a dot")
				}
			}
		}
	}
	if len(segs) == 0 {
		return nil, fmt.Errorf("empty path")
	}
	return segs, nil
}

// applied is the record of the overrides applied to one document tree:
// the nodes they put there and their paths, with list elements by index,
// as the decoder's errors name them.
type applied struct {
	nodes map[*yaml.Node]string // node → origin
	paths []appliedPath
	// implied are the lists an override wrote out from what the scenario
	// has by default (see implied), such as "spec.probes".
	implied []string
}

type appliedPath struct {
	path, origin string
}

// originOf returns the override an error at node n with the given path
// is about, or "", and whether path is the override's own.
func (a *applied) originOf(n *yaml.Node, path string) (string, bool) {
	if a == nil {
		return "", false
	}
	for i := len(a.paths) - 1; i >= 0; i-- { // the last override of a path wins
		p := a.paths[i]
		if path == p.path || within(path, p.path) {
			return p.origin, path == p.path
		}
	}
	if o, ok := a.nodes[n]; ok {
		return o, false
	}
	return "", false
}

// within reports whether path is inside the value at outer.
func within(path, outer string) bool {
	return strings.HasPrefix(path, outer+".") || strings.HasPrefix(path, outer+"[")
}

// impliedList reports whether an override wrote out the list at path
// from the scenario's defaults.
func (s *Scenario) impliedList(path string) bool { return slices.Contains(s.implied, path) }

// overriddenBy returns the override that set the value at path (or a
// value around it or inside it), or "".

func (s *Scenario) overriddenBy(path string) string {
	for i := len(s.setBy) - 1; i >= 0; i-- {
		p := s.setBy[i]
		if path == p.path || within(path, p.path) || within(p.path, path) {
			return p.origin
		}
	}
	return ""
}

// origins lists every override, for errors about the document as a
// whole that they may have caused.
func (a *applied) origins() string {
	if a == nil || len(a.paths) == 0 {
		return ""
	}
	s := make([]string, len(a.paths))
	for i, p := range a.paths {
		s[i] = p.origin
	}
	return strings.Join(s, ", ")
}

// applyOverrides sets each override in the document tree root, in order
// (a later one wins over an earlier one of the same path).
func applyOverrides(root *yaml.Node, ovs []Override) (*applied, ErrorList) {
	a := &applied{nodes: map[*yaml.Node]string{}}
	var errs ErrorList
	for _, o := range ovs {
		canon, err := a.apply(root, o)
		if err != nil {
			errs = append(errs, &FieldError{File: o.origin(), Msg: err.Error()})
			continue
		}
		a.paths = append(a.paths, appliedPath{canon, o.origin()})
	}
	return a, errs
}

// apply sets one override and returns its path with list elements by
// index.
func (a *applied) apply(root *yaml.Node, o Override) (string, error) {
	segs, err := parsePath(o.Path)
	if err != nil {
		return "", fmt.Errorf("bad path: %v", err)
	}
	value, err := parseValue(o.Value)
	if err != nil {
		return "", err
	}
	origin := o.origin()
	mark(value, a.nodes, origin)
	cur := root
	canon := ""
	for i, s := range segs {
		last := i == len(segs)-1
		cur = unalias(cur)
		if !s.item {
			if cur.Kind != yaml.MappingNode {
				return "", fmt.Errorf("%s is %s, not a mapping: it has no field %q", orRoot(canon), kindOf(cur), s.field)
			}
			canon = joinPath(canon, s.field)
			j := keyIndex(cur, s.field)
			if j < 0 {
				key := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s.field}
				var val *yaml.Node
				switch {
				case last:
					val = value
				case segs[i+1].item:
					items := implied(root, canon, segs[i+1].name)
					if items == nil {
						return "", fmt.Errorf("%s is not in the scenario: a list element can only be set in a list that is there%s", canon, impliedHint(canon))
					}
					val = &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: items}
					mark(val, a.nodes, origin)
					a.implied = append(a.implied, canon)
				default:
					val = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
				}
				a.nodes[key], a.nodes[val] = origin, origin
				cur.Content = append(cur.Content, key, val)
				cur = val
				continue
			}
			if last {
				cur.Content[j+1] = value
				break
			}
			if cur.Content[j+1].Kind == yaml.AliasNode { // do not change the anchor's other uses
				cur.Content[j+1] = deepCopy(cur.Content[j+1].Alias, 0)
			}
			if isNull(cur.Content[j+1]) && !segs[i+1].item {
				cur.Content[j+1] = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: cur.Content[j+1].Line, Column: cur.Content[j+1].Column}
			}
			cur = cur.Content[j+1]
			continue
		}
		if cur.Kind != yaml.SequenceNode {
			return "", fmt.Errorf("%s is %s, not a list", orRoot(canon), kindOf(cur))
		}
		k := s.index
		if s.name != "" {
			k = itemIndex(cur, s.name)
			if k < 0 && canon == "spec.failures" {
				if items := implied(root, canon, s.name); items != nil {
					mark(items[0], a.nodes, origin)
					cur.Content = append(cur.Content, items...)
					k = len(cur.Content) - 1
				}
			}
			if k < 0 {
				return "", fmt.Errorf("%s has no element named %q (%s)", canon, s.name, itemNames(cur))
			}
		} else if k >= len(cur.Content) {
			return "", fmt.Errorf("%s has %d elements: no [%d] (%s)", canon, len(cur.Content), k, itemNames(cur))
		}
		canon = fmt.Sprintf("%s[%d]", canon, k)
		if last {
			cur.Content[k] = value
			break
		}
		if cur.Content[k].Kind == yaml.AliasNode {
			cur.Content[k] = deepCopy(cur.Content[k].Alias, 0)
		}
		cur = cur.Content[k]
	}
	return canon, nil
}

// implied are the elements that list (a path) has without being written,
// when name is one of them, so that an override can set a field of one:
// spec.failures[NAME] for a class of the scenario's failureProfile (an
// entry {name: NAME}, which overrides only the fields it sets), and
// spec.probes[NAME] for a probe added because the scenario defines none
// (all of them: a scenario that defines probes gets no others). Else nil.
func implied(root *yaml.Node, list, name string) []*yaml.Node {
	if name == "" {
		return nil
	}
	var doc Scenario
	_ = root.Decode(&doc) // leniently: the strict decode after the overrides says what is wrong
	var items []any
	switch list {
	case "spec.failures":
		if slices.ContainsFunc(preset(doc.Spec.FailureProfile), func(f FailureSpec) bool { return f.Name == name }) {
			items = append(items, map[string]string{"name": name})
		}
	case "spec.probes":
		if len(doc.Spec.Probes) > 0 {
			return nil
		}
		probes := doc.Spec.defaultProbes()
		if !slices.ContainsFunc(probes, func(p ProbeSpec) bool { return p.Name == name }) {
			return nil
		}
		for _, p := range probes {
			items = append(items, p)
		}
	}
	var out []*yaml.Node
	for _, it := range items {
		var n yaml.Node
		if n.Encode(it) != nil {
			return nil
		}
		out = append(out, &n)
	}
	return out
}

// impliedHint says which elements a missing list would have by default.
func impliedHint(list string) string {
	switch list {
	case "spec.failures":
		return " (or a class of the scenario's failureProfile, by name)"
	case "spec.probes":
		return " (or, in a scenario that defines no probe, one of the probes added by default, by name)"
	}
	return ""
}

func orRoot(p string) string {
	if p == "" {
		return "the document"
	}
	return p
}

// parseValue reads an override's VALUE as a YAML value.
func parseValue(s string) (*yaml.Node, error) {
	if strings.TrimSpace(s) == "" {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: ""}, nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(s), &doc); err != nil {
		return nil, fmt.Errorf("value is not YAML: %s (a mapping is written {key: value, ...}, a list [a, b])", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if len(doc.Content) == 0 {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: ""}, nil
	}
	return doc.Content[0], nil
}

// mark records every node under n as the override's.
func mark(n *yaml.Node, nodes map[*yaml.Node]string, origin string) {
	nodes[n] = origin
	for _, c := range n.Content {
		mark(c, nodes, origin)
	}
}

func unalias(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// deepCopy copies a node tree (aliases inside stay aliases), up to a depth
// that no scenario reaches.
func deepCopy(n *yaml.Node, depth int) *yaml.Node {
	c := *n
	if depth > 100 {
		return &c
	}
	c.Content = make([]*yaml.Node, len(n.Content))
	for i, x := range n.Content {
		c.Content[i] = deepCopy(x, depth+1)
	}
	return &c
}

// keyIndex is the index in m.Content of the key named name, or -1.
func keyIndex(m *yaml.Node, name string) int {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if k := unalias(m.Content[i]); k.Kind == yaml.ScalarNode && k.Value == name {
			return i
		}
	}
	return -1
}

// itemIndex finds a list element by name: a mapping whose name field is
// name, or a scalar equal to it.
func itemIndex(seq *yaml.Node, name string) int {
	for i, it := range seq.Content {
		it = unalias(it)
		switch it.Kind {
		case yaml.ScalarNode:
			if it.Value == name {
				return i
			}
		case yaml.MappingNode:
			if j := keyIndex(it, "name"); j >= 0 && unalias(it.Content[j+1]).Value == name {
				return i
			}
		}
	}
	return -1
}

// itemNames describes a list's elements for an error: their names, or
// how many there are.
func itemNames(seq *yaml.Node) string {
	var names []string
	for i, it := range seq.Content {
		it = unalias(it)
		name := ""
		switch it.Kind {
		case yaml.ScalarNode:
			name = it.Value
		case yaml.MappingNode:
			if j := keyIndex(it, "name"); j >= 0 {
				name = unalias(it.Content[j+1]).Value
			}
		}
		if name == "" {
			name = strconv.Itoa(i)
		}
		names = append(names, name)
	}
	if len(names) == 0 {
		return "it is empty"
	}
	return "elements: " + strings.Join(names, ", ")
}

// LoadWith is Load with overrides applied to the document first. The
// scenario remembers them (Scenario.Overrides), so that explain says where
// a value came from.
func LoadWith(file string, data []byte, ovs []Override) (*Scenario, error) {
	if len(ovs) == 0 {
		return Load(file, data)
	}
	var s Scenario
	a, err := decodeWith(file, data, &s, ovs)
	if err != nil {
		return nil, err
	}
	if err := s.Config().Validate(); err != nil {
		var el ErrorList
		note := ""
		if o := a.origins(); o != "" {
			note = " (with " + o + ")"
		}
		for _, e := range splitJoined(err) {
			el = append(el, &FieldError{File: file, Path: "spec", Msg: e.Error() + note})
		}
		return nil, el
	}
	s.Overrides, s.setBy, s.implied = ovs, a.paths, a.implied
	return &s, nil
}

// decodeWith is Decode with overrides applied to the document tree
// before it is decoded.
func decodeWith(file string, data []byte, out any, ovs []Override) (a *applied, err error) {
	root, fe := parse(file, data)
	if fe != nil {
		return nil, ErrorList{fe}
	}
	a, errs := applyOverrides(root, ovs)
	if len(errs) > 0 {
		return nil, errs
	}
	return a, decodeNode(file, root, out, a)
}

// ResolveWith is ResolveContext with overrides (see LoadWith).
func ResolveWith(ctx context.Context, arg string, stdin io.Reader, ovs []Override) (*Scenario, error) {
	file, data, err := ResolveSource(ctx, arg, stdin)
	if err != nil {
		return nil, err
	}
	return LoadWith(file, data, ovs)
}

// ResolveSource reads NAME|FILE as Resolve does, without decoding it: the
// name to give errors and the document.
func ResolveSource(ctx context.Context, arg string, stdin io.Reader) (file string, data []byte, err error) {
	if arg == "-" || fileExists(arg) {
		data, err := readInput(ctx, arg, stdin)
		return arg, data, err
	}
	for _, e := range Library() {
		if e.Name == arg {
			return "library/" + e.Name + ".yaml", e.Source, nil
		}
	}
	return "", nil, notFound(arg)
}
