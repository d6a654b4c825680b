package report

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"hasim/model"
	"hasim/sim"
)

// ResultOf rebuilds, from a run's JSON document, what the narration needs:
// the timeline and the faults' names. Times keep the document's
// microsecond precision.
func ResultOf(d Document) model.Result {
	var r model.Result
	for _, f := range d.Summary.Faults {
		r.Faults = append(r.Faults, model.FaultResult{ID: f.ID, Name: f.Name})
	}
	for _, e := range d.Timeline {
		r.Timeline = append(r.Timeline, model.Record{T: sim.At(time.Duration(math.Round(e.T*1e6)) * time.Microsecond), Event: e.Event,
			Member: e.Member, Host: e.Host, Proc: e.Proc, Probe: e.Probe, Group: e.Group, Fault: e.Fault, Kind: e.Kind, Target: e.Target,
			Term: e.Term, Leader: e.Leader, Peer: e.Peer, Index: e.Index, Reason: e.Reason})
	}
	return r
}

// DiffLine is a line of the narrated timelines of two runs aligned on
// time: Side is '=' for a line both have at the same time, 'A' or 'B' for
// one only one has.
type DiffLine struct {
	Side byte
	Line
}

// AlignTimelines merges two narrated timelines in time order: lines equal in
// time and text are told once ('='); at one instant, lines both have come
// first, then A's, then B's. It returns the merged lines and the index of
// the first that is not shared (-1 if none).
func AlignTimelines(a, b []Line) (out []DiffLine, first int) {
	first = -1
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		var t sim.Time
		switch {
		case i == len(a):
			t = b[j].T
		case j == len(b):
			t = a[i].T
		default:
			t = min(a[i].T, b[j].T)
		}
		ei, ej := i, j
		for ei < len(a) && a[ei].T == t {
			ei++
		}
		for ej < len(b) && b[ej].T == t {
			ej++
		}
		as, bs := slices.Clone(a[i:ei]), slices.Clone(b[j:ej])
		var onlyA []Line
		for _, l := range as {
			if k := slices.Index(bs, l); k >= 0 {
				out = append(out, DiffLine{'=', l})
				bs = slices.Delete(bs, k, k+1)
				continue
			}
			onlyA = append(onlyA, l)
		}
		for _, l := range onlyA {
			if first < 0 {
				first = len(out)
			}
			out = append(out, DiffLine{'A', l})
		}
		for _, l := range bs {
			if first < 0 {
				first = len(out)
			}
			out = append(out, DiffLine{'B', l})
		}
		i, j = ei, ej
	}
	return out, first
}

// FigureChange is a summary figure that differs between two runs.
type FigureChange struct {
	Path string // its place in the JSON summary, list items named by their name or id
	A, B string // "-" where a run has no such figure
}

// ChangedFigures lists the summary figures (the JSON document's summary,
// flattened) that differ between two runs, in the order of A's document
// and then B's.
func ChangedFigures(a, b Document) []FigureChange {
	fa, fb := flatten(a.Summary), flatten(b.Summary)
	var out []FigureChange
	seen := map[string]bool{}
	for _, kv := range fa {
		seen[kv[0]] = true
		vb, ok := lookup(fb, kv[0])
		if !ok {
			vb = "-"
		}
		if vb != kv[1] {
			out = append(out, FigureChange{kv[0], kv[1], vb})
		}
	}
	for _, kv := range fb {
		if !seen[kv[0]] {
			out = append(out, FigureChange{kv[0], "-", kv[1]})
		}
	}
	// A list item only one run has (a what-if's fault) is one line.
	var folded []FigureChange
	for _, c := range out {
		item, _, ok := strings.Cut(c.Path, "].")
		if ok && (c.A == "-" || c.B == "-") {
			item += "]"
			if n := len(folded); n > 0 && folded[n-1].Path == item {
				continue
			}
			if c.A == "-" {
				c = FigureChange{item, "-", "(only in B)"}
			} else {
				c = FigureChange{item, "(only in A)", "-"}
			}
		}
		folded = append(folded, c)
	}
	return folded
}

func lookup(kvs [][2]string, k string) (string, bool) {
	for _, kv := range kvs {
		if kv[0] == k {
			return kv[1], true
		}
	}
	return "", false
}

// flatten turns a summary into path, value pairs in document order.
func flatten(s Summary) [][2]string {
	data, err := json.Marshal(s)
	if err != nil {
		panic(err) // a Summary always marshals
	}
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		panic(err)
	}
	var out [][2]string
	walk(&out, "", v, data)
	return out
}

// walk flattens v; objects' keys come in the order the document has them.
func walk(out *[][2]string, path string, v any, raw []byte) {
	join := func(k string) string {
		if path == "" {
			return k
		}
		return path + "." + k
	}
	switch x := v.(type) {
	case map[string]any:
		for _, k := range keysInOrder(raw) {
			if sub, ok := x[k]; ok {
				walk(out, join(k), sub, rawOf(raw, k))
			}
		}
	case []any:
		var items []json.RawMessage
		_ = json.Unmarshal(raw, &items)
		for i, it := range x {
			name := fmt.Sprint(i)
			if m, ok := it.(map[string]any); ok {
				if n, ok := m["name"].(string); ok {
					name = n
				} else if id, ok := m["id"]; ok {
					name = fmt.Sprint(id)
				}
			}
			var r []byte
			if i < len(items) {
				r = items[i]
			}
			walk(out, path+"["+name+"]", it, r)
		}
	case nil:
		*out = append(*out, [2]string{path, "null"})
	default:
		*out = append(*out, [2]string{path, fmt.Sprint(x)})
	}
}

// keysInOrder are the keys of the JSON object raw, in order.
func keysInOrder(raw []byte) []string {
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	var keys []string
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return keys
		}
		keys = append(keys, t.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return keys
		}
	}
	return keys
}

// rawOf is the raw value of key k in the JSON object raw.
func rawOf(raw []byte, k string) []byte {
	var m map[string]json.RawMessage
	_ = json.Unmarshal(raw, &m)
	return m[k]
}

// WriteDiff writes two runs' narrated timelines aligned on time, with a
// mark where they first diverge, then the summary figures that changed.
// With width 0 each line is marked = (both runs), A or B; with a width,
// lines only one run has stand side by side in two columns (A left, B
// right, wrapped to fit the width) and shared lines span both.
func WriteDiff(w io.Writer, nameA, nameB string, a, b Document, verbose bool, width int) error {
	lines, first := AlignTimelines(Narration(ResultOf(a), verbose), Narration(ResultOf(b), verbose))
	fmt.Fprintf(w, "A: %s\nB: %s\n\n", nameA, nameB)
	mark := func(t sim.Time) {
		fmt.Fprintf(w, "---------- the runs first diverge at %v ----------\n", t)
	}
	if width == 0 {
		for i, l := range lines {
			if i == first {
				mark(l.T)
			}
			if _, err := fmt.Fprintf(w, "%10s  %c  %s\n", l.T, l.Side, l.Text); err != nil {
				return err
			}
		}
	} else if err := writeColumns(w, lines, first, width, mark); err != nil {
		return err
	}
	if first < 0 {
		fmt.Fprintln(w, "(the timelines are the same)")
	}
	changes := ChangedFigures(a, b)
	fmt.Fprintln(w)
	if len(changes) == 0 {
		_, err := fmt.Fprintln(w, "No summary figure changed.")
		return err
	}
	fmt.Fprintln(w, "Summary figures that changed (A → B):")
	for _, c := range changes {
		if _, err := fmt.Fprintf(w, "  %s: %s → %s\n", c.Path, c.A, c.B); err != nil {
			return err
		}
	}
	return nil
}

// writeColumns writes aligned lines in two columns: at each instant, the
// lines only A has on the left beside those only B has on the right; a
// line both have spans the two.
func writeColumns(w io.Writer, lines []DiffLine, first, width int, mark func(sim.Time)) error {
	const timeW = 12 // "%10s  "
	full := max(width-timeW, 20)
	col := max((full-3)/2, 10)
	fmt.Fprintf(w, "%*s%-*s | %s\n", timeW, "", col, "A only", "B only")
	for i := 0; i < len(lines); {
		l := lines[i]
		if i == first {
			mark(l.T)
		}
		if l.Side == '=' {
			for k, part := range wrap(l.Text, full) {
				t := ""
				if k == 0 {
					t = l.T.String()
				}
				if _, err := fmt.Fprintf(w, "%10s  %s\n", t, part); err != nil {
					return err
				}
			}
			i++
			continue
		}
		// The lines of this instant that only one run has.
		var as, bs []string
		j := i
		for ; j < len(lines) && lines[j].T == l.T && lines[j].Side != '='; j++ {
			if lines[j].Side == 'A' {
				as = append(as, lines[j].Text)
			} else {
				bs = append(bs, lines[j].Text)
			}
		}
		for k := 0; k < max(len(as), len(bs)); k++ {
			var left, right []string
			if k < len(as) {
				left = hang(as[k], col)
			}
			if k < len(bs) {
				right = hang(bs[k], col)
			}
			for r := 0; r < max(len(left), len(right)); r++ {
				t, lt, rt := "", "", ""
				if k == 0 && r == 0 {
					t = l.T.String()
				}
				if r < len(left) {
					lt = left[r]
				}
				if r < len(right) {
					rt = right[r]
				}
				if _, err := fmt.Fprintln(w, strings.TrimRight(fmt.Sprintf("%10s  %-*s | %s", t, col, lt, rt), " ")); err != nil {
					return err
				}
			}
		}
		i = j
	}
	return nil
}

// hang wraps s to n characters with its later lines indented, so that the
// events of a column stand apart.
func hang(s string, n int) []string {
	out := wrap(s, n-2)
	for i := range out {
		if i == 0 {
			continue
		}
		out[i] = "  " + out[i]
	}
	return out
}

// wrap breaks s into lines of at most n characters at spaces (a word
// longer than n is cut).
func wrap(s string, n int) []string {
	var out []string
	var cur []rune
	for _, word := range strings.Fields(s) {
		wr := []rune(word)
		for len(wr) > n {
			if len(cur) > 0 {
				out, cur = append(out, string(cur)), nil
			}
			out, wr = append(out, string(wr[:n])), wr[n:]
		}
		switch {
		case len(cur) == 0:
			cur = wr
		case len(cur)+1+len(wr) <= n:
			cur = append(append(cur, ' '), wr...)
		default:
			out, cur = append(out, string(cur)), wr
		}
	}
	if len(cur) > 0 || len(out) == 0 {
		out = append(out, string(cur))
	}
	return out
}
