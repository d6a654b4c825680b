package model

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// floors are the simulator's floors, lowest first: a package may import
// only packages of its own floor or lower ones, and nothing below the
// cluster (model, the top floor) imports it. The compiler forbids cycles;
// this forbids imports that point up.
var floors = []string{"hasim/sim", "hasim/model/fabric", "hasim/model/etcd", "hasim/model/kube", "hasim/model"}

// floorOf is the floor of an import path inside hasim/sim or hasim/model
// (a sub-package belongs to the floor whose path it extends), or -1.
func floorOf(path string) int {
	best := -1
	for i, f := range floors {
		if path == f || strings.HasPrefix(path, f+"/") {
			if best < 0 || len(f) > len(floors[best]) {
				best = i
			}
		}
	}
	return best
}

// TestFloors parses every Go file under sim/ and model/ and checks that
// no import points to a higher floor.
func TestFloors(t *testing.T) {
	checked := 0
	for _, root := range []string{"../sim", "."} {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
				return err
			}
			dir := filepath.ToSlash(filepath.Dir(path))
			pkg := "hasim/model"
			switch {
			case strings.HasPrefix(dir, "../sim"):
				pkg = "hasim/sim" + strings.TrimPrefix(dir, "../sim")
			case dir != ".":
				pkg = "hasim/model/" + strings.TrimPrefix(dir, "./")
			}
			if strings.HasSuffix(path, "_test.go") && pkg == "hasim/model" {
				return nil // the cluster's own tests may reach anything
			}
			src, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			f, err := parser.ParseFile(token.NewFileSet(), path, src, parser.ImportsOnly)
			if err != nil {
				return err
			}
			from := floorOf(pkg)
			for _, imp := range f.Imports {
				p, _ := strconv.Unquote(imp.Path.Value)
				if to := floorOf(p); to > from {
					t.Errorf("%s (%s, floor %d) imports %s (floor %d): a lower floor must not know a higher one", path, pkg, from, p, to)
				}
			}
			checked++
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if checked == 0 {
		t.Fatal("no file checked")
	}
}

// TestFloorOf: the table maps packages to floors, sub-packages included.
func TestFloorOf(t *testing.T) {
	for path, want := range map[string]int{"hasim/sim": 0, "hasim/model/fabric": 1, "hasim/model/etcd/raft": 2, "hasim/model/kube": 3, "hasim/model": 4, "hasim/report": -1, "fmt": -1} {
		if got := floorOf(path); got != want {
			t.Errorf("floorOf(%q) = %d, want %d", path, got, want)
		}
	}
}
