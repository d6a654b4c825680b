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
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := string(doc)
	i := strings.Index(s, after+"\n")
	if i < 0 {
		t.Fatalf("%s: no line %q to quote after", path, after)
	}
	i += len(after) + 1
	j := strings.Index(s[i:], "\n```")
	if j < 0 {
		t.Fatalf("%s: the block after %q has no closing fence", path, after)
	}
	j += i
	got = strings.TrimRight(got, "\n")
	if Updating() {
		if err := os.WriteFile(path, []byte(s[:i]+got+s[j:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if s[i:j] != got {
		t.Errorf("%s does not quote the output after %q (review, then run make update):\n%s", path, after, FirstDiff(s[i:j], got))
	}
}
