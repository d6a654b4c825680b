package sim_test

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

// TestNothingAmbient guards the determinism rules of sim/ and model/ (their
// non-test sources), with full type information:
//   - no wall clock: time.Now, Since, Until, Sleep, After, AfterFunc, Tick,
//     NewTimer, NewTicker;
//   - no goroutines, channels or select;
//   - no process-global randomness: only rand.New and the generator
//     constructors of math/rand/v2, never its top-level draws, and not
//     math/rand or crypto/rand at all;
//   - no package-level mutable state: package-level vars are forbidden
//     (sentinel errors excepted);
//   - no iteration over maps, whose order is random;
//   - no os, net, sync or unsafe.
func TestNothingAmbient(t *testing.T) {
	for _, dir := range []string{"../sim", "../model", "../model/fabric", "../model/etcd", "../model/kube"} {
		checkAmbient(t, dir)
	}
}

// reporter is the part of testing.TB the checker uses, so that a test can
// capture what it reports.
type reporter interface {
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
	Fatal(args ...any)
}

func checkAmbient(t reporter, dir string) {
	fset := token.NewFileSet()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}, Uses: map[*ast.Ident]types.Object{}}
	conf := types.Config{Importer: importer.ForCompiler(fset, "source", nil)}
	if _, err := conf.Check(dir, fset, files, info); err != nil {
		t.Fatalf("type-checking %s: %v", dir, err)
	}
	bad := func(n ast.Node, format string, args ...any) {
		t.Errorf("%s: "+format, append([]any{fset.Position(n.Pos())}, args...)...)
	}
	wallClock := []string{"Now", "Since", "Until", "Sleep", "After", "AfterFunc", "Tick", "NewTimer", "NewTicker"}
	randOK := []string{"New", "NewPCG", "NewChaCha8", "NewZipf"}
	for _, f := range files {
		for _, imp := range f.Imports {
			switch p := strings.Trim(imp.Path.Value, `"`); p {
			case "os", "net", "sync", "sync/atomic", "unsafe", "math/rand", "crypto/rand":
				bad(imp, "imports %s", p)
			}
		}
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.VAR {
				continue
			}
			for _, spec := range gd.Specs {
				for _, name := range spec.(*ast.ValueSpec).Names {
					if name.Name != "_" && !strings.HasPrefix(name.Name, "Err") {
						bad(name, "package-level variable %s", name.Name)
					}
				}
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.GoStmt:
				bad(n, "go statement")
			case *ast.SelectStmt:
				bad(n, "select statement")
			case *ast.ChanType:
				bad(n, "channel type")
			case *ast.RangeStmt:
				if tv, ok := info.Types[n.X]; ok {
					if _, isMap := tv.Type.Underlying().(*types.Map); isMap {
						bad(n, "range over a map: iteration order is random")
					}
				}
			case *ast.SelectorExpr:
				obj := info.Uses[n.Sel]
				fn, ok := obj.(*types.Func)
				if !ok || fn.Pkg() == nil || fn.Type().(*types.Signature).Recv() != nil {
					return true
				}
				switch fn.Pkg().Path() {
				case "time":
					if slices.Contains(wallClock, fn.Name()) {
						bad(n, "wall clock: time.%s", fn.Name())
					}
				case "math/rand/v2":
					if !slices.Contains(randOK, fn.Name()) {
						bad(n, "global randomness: rand.%s", fn.Name())
					}
				}
			}
			return true
		})
	}
}

// TestAmbientCheckerCatches: the guard is not vacuous.
func TestAmbientCheckerCatches(t *testing.T) {
	dir := t.TempDir()
	src := `package bad

import (
	"math/rand/v2"
	"time"
)

var counter int

func f(m map[string]int) {
	_ = time.Now()
	go func() {}()
	_ = rand.IntN(3)
	for range m {
	}
}
`
	if err := os.WriteFile(filepath.Join(dir, "bad.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	rec := &recorder{t: t}
	checkAmbient(rec, dir)
	for _, want := range []string{"package-level variable counter", "wall clock: time.Now", "go statement", "global randomness: rand.IntN", "range over a map"} {
		if !rec.has(want) {
			t.Errorf("checker missed %q; reported %q", want, rec.msgs)
		}
	}
}

// recorder collects what the checker reports instead of failing.
type recorder struct {
	t    *testing.T
	msgs []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.msgs = append(r.msgs, fmt.Sprintf(format, args...))
}
func (r *recorder) Fatalf(format string, args ...any) { r.t.Fatalf(format, args...) }
func (r *recorder) Fatal(args ...any)                 { r.t.Fatal(args...) }

func (r *recorder) has(s string) bool {
	for _, m := range r.msgs {
		if strings.Contains(m, s) {
			return true
		}
	}
	return false
}
