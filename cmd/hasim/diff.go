package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"hasim/internal/firsterr"
	"hasim/report"
)

// diffVerb runs or reads two runs and writes them side by side.
func diffVerb(ctx context.Context, args []string, st streams) int {
	fs := newFlags("diff", "[flags] A B", `  hasim diff worked-timeline-c-paused-kcm "worked-timeline-c-paused-kcm --at 50s --with 'kind=process-pause target=leader:kube-controller-manager process=kube-controller-manager duration=20s'"
  hasim diff "stacked-3-master-crash --seed 1" "stacked-3-master-crash --seed 2"
  hasim diff before.json after.json     # runs saved with hasim run -o json

Each of A and B is a run: a saved run (a FILE.json written by hasim run -o json),
or the arguments of hasim run in one quoted word (a scenario and its flags,
--seed, --until, --at and --with included). The narrated timelines are aligned
on time: what both runs narrate at the same moment spans the page once, and what
only one does stands in its column, A left and B right (--width 0: one line per
event, marked = for both runs, A or B). A line marks where the runs first diverge;
the summary figures that changed follow, A → B.
`, st)
	verbose := fs.BoolP("verbose", "v", false, "narrate routine events too")
	width := fs.Int("width", 160, "side by side: the width of a line, the two columns wrapped to fit; 0: one line per event, marked = (both runs), A or B")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if *width != 0 && *width < 60 {
		fmt.Fprintf(st.err, "hasim diff: --width %d: want 60 or more, or 0 for one line per event\n", *width)
		return exitUsage
	}
	if fs.NArg() != 2 {
		fmt.Fprintln(st.err, "hasim diff: want two runs, A and B: each a FILE.json saved by hasim run -o json, or hasim run's arguments in one quoted word")
		return exitUsage
	}
	var docs [2]report.Document
	for i, arg := range fs.Args() {
		d, code := runOrRead(ctx, arg, st)
		if code != exitOK {
			return code
		}
		docs[i] = d
	}
	if err := report.WriteDiff(st.out, fs.Arg(0), fs.Arg(1), docs[0], docs[1], *verbose, *width); err != nil && st.out.Err == nil {
		fmt.Fprintf(st.err, "hasim diff: %v\n", err)
		return exitFailure
	}
	return exitOK
}

// runOrRead gives a run's document: read from a .json file, or made by
// running hasim run with the arguments in arg.
func runOrRead(ctx context.Context, arg string, st streams) (report.Document, int) {
	var d report.Document
	if strings.HasSuffix(arg, ".json") && !strings.ContainsAny(arg, " \t") {
		data, err := os.ReadFile(arg)
		if err != nil {
			fmt.Fprintf(st.err, "hasim diff: %v\n", err)
			return d, exitUsage
		}
		if err := json.Unmarshal(data, &d); err != nil || d.FormatVersion == 0 {
			fmt.Fprintf(st.err, "hasim diff: %s: not a run saved by hasim run -o json (%v)\n", arg, err)
			return d, exitUsage
		}
		return d, exitOK
	}
	words, err := shellWords(arg)
	if err != nil {
		fmt.Fprintf(st.err, "hasim diff: %q: %v\n", arg, err)
		return d, exitUsage
	}
	for _, w := range words {
		if w == "-o" || w == "--output" || strings.HasPrefix(w, "--output=") || w == "-" {
			fmt.Fprintf(st.err, "hasim diff: %q: %s is not allowed here (diff reads the run's JSON itself, and a scenario from a file or name)\n", arg, w)
			return d, exitUsage
		}
	}
	var buf bytes.Buffer
	code := runVerb(ctx, append(words, "-o", "json"), streams{in: st.in, out: &output{Writer: firsterr.Writer{W: &buf}}, err: st.err})
	if code != exitOK {
		return d, code
	}
	if err := json.Unmarshal(buf.Bytes(), &d); err != nil {
		fmt.Fprintf(st.err, "hasim diff: %q: reading its run: %v\n", arg, err)
		return d, exitFailure
	}
	return d, exitOK
}

// shellWords splits s into words as a POSIX shell would for plain words,
// 'single' and "double" quotes (no variables, no escapes but \" in double
// quotes).
func shellWords(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	in, quote := false, rune(0)
	for i, r := range s {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			} else if r == '\\' && quote == '"' && i+1 < len(s) && s[i+1] == '"' {
				continue
			} else {
				cur.WriteRune(r)
			}
		case r == '\'' || r == '"':
			quote, in = r, true
		case r == ' ' || r == '\t' || r == '\n':
			if in {
				words = append(words, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteRune(r)
			in = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unclosed %c quote", quote)
	}
	if in {
		words = append(words, cur.String())
	}
	if len(words) == 0 {
		return nil, fmt.Errorf("empty: want a scenario and its flags")
	}
	return words, nil
}
