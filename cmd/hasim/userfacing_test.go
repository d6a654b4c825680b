package main

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"hasim/scenarios"
)

// private matches text that points readers to files they do not have: the
// team's notes and measurements (and their section marks), the work
// directories the project was built in, and the numbered design seeds.
// Users get upstream code, docs and papers, and the project's own docs.
var private = regexp.MustCompile(`(?i)shared/(reference|bench)|k8s-ha-semantics|real-measurements|real-controlplane|reference(\.md)? §|/work/|\bseeds? 0\d\d\b|the seeds (name|say|warn)`)

// TestUserTextCitesNoPrivateFiles: nothing a user reads mentions files
// users do not have: the README, docs/, the library's scenarios (and so
// their descriptions), every verb's --help, explain's output (the source
// of every default) for every library scenario, the first lines of run's
// output, and the doc comments of the packages (what go doc shows).
func TestUserTextCitesNoPrivateFiles(t *testing.T) {
	check := func(where, text string) {
		t.Helper()
		for i, line := range strings.Split(text, "\n") {
			if m := private.FindString(line); m != "" {
				t.Errorf("%s:%d mentions %q: %s", where, i+1, m, strings.TrimSpace(line))
			}
		}
	}
	root := filepath.Join("..", "..")
	read := func(path string) string {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	check("README.md", read(filepath.Join(root, "README.md")))
	docs := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			switch d.Name() {
			case ".git", "bin", "out", "testdata":
				return filepath.SkipDir
			}
			return nil
		}
		switch {
		case strings.HasPrefix(rel, "docs"+string(filepath.Separator)) && strings.HasSuffix(rel, ".md"),
			strings.HasSuffix(rel, ".go") && !strings.HasSuffix(rel, "_test.go"),
			strings.HasSuffix(rel, ".yaml"):
			docs++
			check(rel, read(path))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if docs < 50 {
		t.Fatalf("found only %d files to check: is the walk rooted at the repository?", docs)
	}
	for _, args := range [][]string{{"--help"}, {"run", "--help"}, {"compare", "--help"}, {"validate", "--help"},
		{"explain", "--help"}, {"scenarios", "--help"}, {"scenarios", "list"}, {"version", "--help"}} {
		_, out, errs := run(context.Background(), "", args...)
		check("hasim "+strings.Join(args, " "), out+errs)
	}
	if code, out, errs := run(context.Background(), "", "run", "--until", "41s"); code != 0 {
		t.Fatalf("run: exit %d: %s", code, errs)
	} else {
		check("hasim run (make run)", out)
	}
	lib := scenarios.Library()
	if len(lib) == 0 {
		t.Fatal("no library scenarios")
	}
	for _, e := range lib {
		code, out, errs := run(context.Background(), "", "explain", e.Name)
		if code != 0 {
			t.Fatalf("explain %s: exit %d: %s", e.Name, code, errs)
		}
		check("hasim explain "+e.Name, out)
		check("library "+e.Name, e.Description)
	}
}

// TestPrivatePattern: the check above would catch each kind of pointer.
func TestPrivatePattern(t *testing.T) {
	// The samples are put together from pieces, so that this file does
	// not itself read as pointing users to those files.
	shared, seed := ".."+"/shared", "seed "+"000"
	for _, bad := range []string{"see " + shared + "/reference/k8s-ha-semantics.md §8", "real-" + "measurements §2.4", "the split brain " + seed + " warns about",
		"(real-" + "controlplane.md)", "reference §4.1", "what the seeds name"} {
		if !private.MatchString(bad) {
			t.Errorf("not caught: %q", bad)
		}
	}
	for _, good := range []string{"Ford et al. (OSDI 2010), as we read its §3", "over 300 seeds per case", "--seed 17", "seeds 0 to 99"} {
		if private.MatchString(good) {
			t.Errorf("caught, but fine: %q", good)
		}
	}
}
