package scenarios

import (
	"reflect"
	"strings"
	"testing"

	"hasim/model"
)

// TestEveryPoolTrimmed: every message-body pool (fabric.Pool) in the
// cluster of each library scenario is let go of at a skip: it is, or lies
// within, something registered with World.TrimAtSkip. A component that
// adds a pool and forgets to register it would keep the high-water mark
// of a run's worst transient for the rest of a run over years.
func TestEveryPoolTrimmed(t *testing.T) {
	for _, e := range Library() {
		t.Run(e.Name, func(t *testing.T) {
			sc, err := Load(e.Name+".yaml", e.Source)
			if err != nil {
				t.Fatal(err)
			}
			c, err := model.Build(sc.Config())
			if err != nil {
				t.Fatal(err)
			}
			w := poolWalk{registered: map[place]bool{}, seen: map[place]bool{}, pools: map[place]bool{},
				paths: map[place]string{}, noPtrs: map[reflect.Type]bool{}}
			for _, tr := range c.Trimmers() {
				v := reflect.ValueOf(tr)
				w.registered[place{v.Pointer(), v.Type().Elem()}] = true
			}
			w.visit(reflect.ValueOf(c), false, "cluster")
			if len(w.pools) == 0 {
				t.Fatal("no pool found: the walk sees nothing")
			}
			for p, covered := range w.pools {
				if !covered {
					t.Errorf("a %v at %s is not trimmed at a skip (World.TrimAtSkip)", p.t, w.paths[p])
				}
			}
		})
	}
}

// place is a value in memory: its address and type (a struct and its
// first field share an address).
type place struct {
	addr uintptr
	t    reflect.Type
}

// poolWalk follows every pointer from the cluster and records each
// fabric.Pool it finds, and whether it was reached within something
// registered for trimming.
type poolWalk struct {
	registered map[place]bool
	seen       map[place]bool
	pools      map[place]bool // pool → reached within a registered value
	paths      map[place]string
	noPtrs     map[reflect.Type]bool
}

func (w *poolWalk) visit(v reflect.Value, covered bool, path string) {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return
		}
		// A pointee is a value of its own: within a registered value
		// means inline in it, not reachable from it.
		k := place{v.Pointer(), v.Type().Elem()}
		if w.seen[k] {
			return
		}
		w.seen[k] = true
		w.visit(v.Elem(), false, path)
	case reflect.Interface:
		if !v.IsNil() {
			w.visit(v.Elem(), false, path)
		}
	case reflect.Struct:
		t := v.Type()
		if v.CanAddr() {
			p := place{v.Addr().Pointer(), t}
			covered = covered || w.registered[p]
			if t.PkgPath() == "hasim/model/fabric" && strings.HasPrefix(t.Name(), "Pool[") {
				w.pools[p] = w.pools[p] || covered
				if _, ok := w.paths[p]; !ok {
					w.paths[p] = path
				}
				return
			}
		}
		for i := range t.NumField() {
			if f := t.Field(i); w.mayHold(f.Type) {
				w.visit(v.Field(i), covered, path+"."+f.Name)
			}
		}
	case reflect.Slice, reflect.Array:
		if !w.mayHold(v.Type().Elem()) {
			return
		}
		if v.Kind() == reflect.Slice {
			covered = false // its array lies elsewhere
		}
		for i := range v.Len() {
			w.visit(v.Index(i), covered, path+"[]")
		}
	case reflect.Map:
		if !w.mayHold(v.Type().Elem()) {
			return
		}
		it := v.MapRange()
		for it.Next() {
			w.visit(it.Value(), false, path+"[k]")
		}
	}
}

// mayHold reports whether a value of type t can hold or lead to a pool:
// it holds pointers, interfaces, maps or slices, or is a pool.
func (w *poolWalk) mayHold(t reflect.Type) bool {
	if no, ok := w.noPtrs[t]; ok {
		return !no
	}
	w.noPtrs[t] = false // assume it may, while recursing
	may := false
	switch t.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Map, reflect.Slice:
		may = true
	case reflect.Array:
		may = w.mayHold(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if w.mayHold(t.Field(i).Type) {
				may = true
				break
			}
		}
	}
	w.noPtrs[t] = !may
	return may
}
