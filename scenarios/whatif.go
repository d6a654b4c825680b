package scenarios

import (
	"fmt"
	"strings"
)

// WhatIf adds one fault to a scenario, as `hasim run NAME --at 45s --with
// 'kind=process-pause target=leader:kube-controller-manager duration=20s'`
// spells it: with is the fault's fields as key=value pairs separated by
// spaces (the scenario file's field names and values; a value with spaces
// in double quotes), at its start (or an at= pair). The fault is decoded and
// checked as a fault in a file is, with the file's messages; the name
// "--with" stands for the file, and a field's path is its place in
// spec.faults. The fault is named "what-if" unless with names it.
func (s *Scenario) WhatIf(at, with string) error {
	pairs, err := splitPairs(with)
	if err != nil {
		return &FieldError{File: "--with", Msg: err.Error()}
	}
	var doc strings.Builder
	hasAt, hasName := false, false
	for _, p := range pairs {
		hasAt = hasAt || p[0] == "at"
		hasName = hasName || p[0] == "name"
		fmt.Fprintf(&doc, "%s: %s\n", p[0], p[1])
	}
	switch {
	case at != "" && hasAt:
		return &FieldError{File: "--with", Path: "at", Msg: "given twice: by --at and by at= in --with; give one"}
	case at != "":
		fmt.Fprintf(&doc, "at: %s\n", at)
	case !hasAt:
		return &FieldError{File: "--with", Path: "at", Msg: "required: when the fault starts, by --at 45s or at=45s"}
	}
	if !hasName {
		doc.WriteString("name: what-if\n")
	}
	path := fmt.Sprintf("spec.faults[%d]", len(s.Spec.Faults))
	var f FaultSpec
	if err := Decode("--with", []byte(doc.String()), &f); err != nil {
		return onWith(err, path+".")
	}
	s.Spec.Faults = append(s.Spec.Faults, f)
	return onWith(s.Spec.Check(), "spec.")
}

// onWith makes errors about the added fault read as the file's would,
// naming --with for the file: positions in the text WhatIf made mean
// nothing to the user, the field path does.
func onWith(err error, prefix string) error {
	list, ok := err.(ErrorList)
	if !ok {
		return err
	}
	out := make(ErrorList, 0, len(list))
	for _, e := range list {
		c := *e
		c.File, c.Line, c.Column = "--with", 0, 0
		if c.Path != "" {
			c.Path = prefix + c.Path
		}
		out = append(out, &c)
	}
	return out
}

// splitPairs reads `key=value key="a value"` into key, value pairs; a
// value in double quotes keeps its quotes (a YAML string).
func splitPairs(s string) ([][2]string, error) {
	var out [][2]string
	for rest := strings.TrimSpace(s); rest != ""; rest = strings.TrimSpace(rest) {
		key, val, ok := strings.Cut(rest, "=")
		if !ok || key == "" || strings.ContainsAny(key, " \t\"") {
			word, _, _ := strings.Cut(rest, " ")
			return nil, fmt.Errorf("%q: want key=value pairs separated by spaces, e.g. kind=process-pause target=leader:kube-controller-manager duration=20s", word)
		}
		if strings.HasPrefix(val, "{") || strings.HasPrefix(val, "[") {
			depth, end := 0, -1
			for i, r := range val {
				switch r {
				case '{', '[':
					depth++
				case '}', ']':
					depth--
				}
				if depth == 0 {
					end = i
					break
				}
			}
			if end < 0 {
				return nil, fmt.Errorf("%s: the value %s is not closed", key, val[:1])
			}
			out = append(out, [2]string{key, val[:end+1]})
			rest = val[end+1:]
			continue
		}
		if strings.HasPrefix(val, `"`) {
			end := strings.Index(val[1:], `"`)
			if end < 0 {
				return nil, fmt.Errorf("%s: the quoted value has no closing quote", key)
			}
			out = append(out, [2]string{key, val[:end+2]})
			rest = val[end+2:]
			continue
		}
		v, after, _ := strings.Cut(val, " ")
		if v == "" {
			return nil, fmt.Errorf("%s: no value after =", key)
		}
		out = append(out, [2]string{key, v})
		rest = after
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no fields: want key=value pairs, e.g. kind=process-pause target=leader:kube-controller-manager duration=20s")
	}
	return out, nil
}
