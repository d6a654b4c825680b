// Package golden compares test output with golden files under testdata/.
// Set HASIM_UPDATE=1 (make update) to rewrite them after reviewing a change
// of behaviour.
package golden

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Updating reports whether golden files are being rewritten.
func Updating() bool { return os.Getenv("HASIM_UPDATE") != "" }

// Check compares got with the file at path, or rewrites the file when
// updating. A difference is reported with the first differing line.
func Check(t testing.TB, path, got string) {
	t.Helper()
	if Updating() {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run make update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the output (review, then run make update):\n%s", path, FirstDiff(string(want), got))
	}
}

// FirstDiff describes the first line at which want and got differ.
func FirstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := range max(len(w), len(g)) {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return "line " + strconv.Itoa(i+1) + ":\n- " + a + "\n+ " + b
		}
	}
	return "(no line differs)"
}

// CheckQuote checks that the document at path (the README) quotes got
// verbatim in the fenced block that follows the line after (such as
// "$ make run"), up to the block's closing fence; when updating, it puts
// got there instead.
func CheckQuote(t testing.TB, path, after, got string) {
	t.Helper()
	checkSpan(t, path, strings.TrimRight(got, "\n"), "the output after "+strconv.Quote(after), func(doc string) (int, int, bool) {
		i := strings.Index(doc, after+"\n")
		if i < 0 {
			return 0, 0, false
		}
		i += len(after) + 1
		j := strings.Index(doc[i:], "\n```")
		return i, i + j, j >= 0
	})
}

// CheckTable checks that the document at path quotes the Markdown table
// verbatim: from its header line to the first line that is not a row;
// when updating, it puts table there instead.
func CheckTable(t testing.TB, path, table string) {
	t.Helper()
	header := table[:strings.Index(table, "\n")+1]
	checkSpan(t, path, table, "the table "+strconv.Quote(strings.TrimSpace(header)), func(doc string) (int, int, bool) {
		i := strings.Index(doc, header)
		if i < 0 {
			return 0, 0, false
		}
		j := i
		for j < len(doc) && doc[j] == '|' {
			j += strings.Index(doc[j:], "\n") + 1
		}
		return i, j, true
	})
}

// checkSpan compares got with the span of the document at path that find
// locates, or puts got there when updating.
func checkSpan(t testing.TB, path, got, what string, find func(doc string) (i, j int, ok bool)) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	i, j, ok := find(doc)
	if !ok {
		t.Fatalf("%s: no place for %s", path, what)
	}
	if Updating() {
		if err := os.WriteFile(path, []byte(doc[:i]+got+doc[j:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if doc[i:j] != got {
		t.Errorf("%s does not quote %s (review, then run make update):\n%s", path, what, FirstDiff(doc[i:j], got))
	}
}
