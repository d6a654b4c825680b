package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSwarmCommand: a small swarm prints its summary and exits 0 when
// nothing fails (seed 2's first 30 short cases hold no known defect).
func TestSwarmCommand(t *testing.T) {
	var out, errb bytes.Buffer
	code := run([]string{"-n", "30", "-seed", "2", "-short", "-out", t.TempDir()}, &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out.String(), errb.String())
	}
	for _, want := range []string{"swarm seed 2: 30 of 30 cases run", "failures: 0", "wall time per case: p50", "memory: peak live heap"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, out.String())
		}
	}
}

// TestSwarmCommandUsage: bad flags and stray arguments are usage errors.
func TestSwarmCommandUsage(t *testing.T) {
	for _, args := range [][]string{{"-n", "x"}, {"stray"}, {"-workers", "0"}, {"-replay"}} {
		var out, errb bytes.Buffer
		if code := run(args, &out, &errb); code != 2 {
			t.Errorf("%q: exit %d, want 2", args, code)
		}
	}
}

// TestReplay: -replay runs a file as the swarm runs a case and says how
// it ended; a file that does not load is a usage error.
func TestReplay(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	src := "apiVersion: hasim.dev/v1alpha1\nkind: Scenario\nmetadata: {name: g}\nspec:\n  horizon: 10s\n  zones: [{name: a}]\n" +
		"  hosts: [{name: h1, zone: a}]\n  etcd: {members: [h1]}\n"
	if err := os.WriteFile(good, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := run([]string{"-replay", good}, &out, &errb); code != 0 || !strings.Contains(out.String(), "good.yaml: ok at 10s") {
		t.Fatalf("exit %d: %s%s", code, out.String(), errb.String())
	}
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("kind: x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	errb.Reset()
	if code := run([]string{"-replay", bad}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "bad.yaml") {
		t.Fatalf("exit %d: %s%s", code, out.String(), errb.String())
	}
}
