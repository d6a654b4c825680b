package model

import (
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestFaultsUseMethods checks that fault.go breaks things only through
// their methods: no selector in it names an unexported field of a host,
// disk, clock, network, process or of what their fault methods return,
// nor any field of a Clock (its Rate and Offset change through
// Host.DriftClock and Clock.Step). The model package is type-checked from
// source so that a field is told from a method and from a field of the
// same name on another type (Fault.slow, FaultConfig.Rate).
func TestFaultsUseMethods(t *testing.T) {
	fset := token.NewFileSet()
	files, err := parseDir(fset, ".")
	if err != nil {
		t.Fatal(err)
	}
	info := &types.Info{Selections: map[*ast.SelectorExpr]*types.Selection{}}
	conf := types.Config{Importer: &localImporter{fset: fset, std: importer.ForCompiler(fset, "source", nil), done: map[string]*types.Package{}}}
	if _, err := conf.Check("hasim/model", fset, files, info); err != nil {
		t.Fatal(err)
	}
	guarded := map[string]bool{"Host": true, "Disk": true, "Clock": true, "Network": true, "Process": true,
		"Cut": true, "LinkFault": true, "Slowdown": true, "ClockDrift": true, "APIFault": true}
	checked := 0
	var bad []string
	for sel, s := range info.Selections {
		pos := fset.Position(sel.Pos())
		if filepath.Base(pos.Filename) != "fault.go" || s.Kind() != types.FieldVal {
			continue
		}
		checked++
		recv := s.Recv()
		if p, ok := recv.(*types.Pointer); ok {
			recv = p.Elem()
		}
		named, ok := recv.(*types.Named)
		if !ok || !guarded[named.Obj().Name()] {
			continue
		}
		if field := s.Obj().Name(); !ast.IsExported(field) || named.Obj().Name() == "Clock" {
			bad = append(bad, fmt.Sprintf("%s: fault code reads or writes %s.%s: act through a method of %s instead",
				pos, named.Obj().Name(), field, named.Obj().Name()))
		}
	}
	slices.Sort(bad)
	for _, b := range bad {
		t.Error(b)
	}
	if checked == 0 {
		t.Fatal("no field selection found in fault.go: the check looks at nothing")
	}
}

// parseDir parses the non-test Go files of dir.
func parseDir(fset *token.FileSet, dir string) ([]*ast.File, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var files []*ast.File
	for _, e := range ents {
		n := e.Name()
		if !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, n), nil, 0)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	return files, nil
}

// localImporter type-checks the module's own packages (hasim/...) from
// source, found relative to the model directory, and hands the standard
// library to std.
type localImporter struct {
	fset *token.FileSet
	std  types.Importer
	done map[string]*types.Package
}

func (l *localImporter) Import(path string) (*types.Package, error) {
	rest, ok := strings.CutPrefix(path, "hasim/")
	if !ok {
		return l.std.Import(path)
	}
	if p := l.done[path]; p != nil {
		return p, nil
	}
	files, err := parseDir(l.fset, filepath.Join("..", filepath.FromSlash(rest)))
	if err != nil {
		return nil, err
	}
	conf := types.Config{Importer: l}
	p, err := conf.Check(path, l.fset, files, nil)
	if err != nil {
		return nil, err
	}
	l.done[path] = p
	return p, nil
}
