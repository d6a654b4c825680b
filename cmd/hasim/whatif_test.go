package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const whatIfPause = "kind=process-pause target=leader:kube-controller-manager process=kube-controller-manager duration=20s"

// TestWhatIf: --at and --with add a fault to a library scenario; the
// reproduce line carries them; a bad field is refused with the message a
// scenario file gets, the field's path in spec.faults and --with for the
// file; --at alone and a malformed pair are usage errors.
func TestWhatIf(t *testing.T) {
	ctx := context.Background()
	code, out, errs := run(ctx, "", "run", "worked-timeline-c-paused-kcm", "--at", "50s", "--with", whatIfPause)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"--at 50s --with '" + whatIfPause + "'",
		"what-if (fault 2) begins: pause kube-controller-manager for 20s on master-3 (host of kube-controller-manager leader kube-controller-manager-master-3)"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	for _, c := range []struct{ with, at, want string }{
		{"kind=process-paus target=leader:kube-controller-manager", "50s", `--with: spec.faults[1].kind: unknown kind "process-paus"; allowed: host-crash,`},
		{"kind=process-pause target=leader:kube-controller-manager duration=xx", "50s", `--with: spec.faults[1].duration: want a duration such as 100ms`},
		{"kind=process-pause target=leader:kube-controller-manager", "", `--with: at: required: when the fault starts, by --at 45s or at=45s`},
		{"kind=process-pause at=3s", "50s", `--with: at: given twice`},
		{"kind", "50s", `--with: "kind": want key=value pairs`},
		{"", "50s", `--at is the start of the fault of --with`},
	} {
		args := []string{"run", "worked-timeline-c-paused-kcm", "--at", c.at, "--with", c.with}
		code, _, errs := run(ctx, "", args...)
		if code != exitUsage || !strings.Contains(errs, c.want) {
			t.Errorf("--at %q --with %q: exit %d, %q; want exit 2 and %q", c.at, c.with, code, errs, c.want)
		}
	}
	// The file's own message for the same mistake.
	_, show, _ := run(ctx, "", "scenarios", "show", "worked-timeline-c-paused-kcm")
	file := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(file, []byte(strings.Replace(show, "kind: process-pause", "kind: process-paus", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, fileErr := run(ctx, "", "validate", file)
	if !strings.Contains(fileErr, `spec.faults[0].kind: unknown kind "process-paus"; allowed: host-crash,`) {
		t.Errorf("validate of the same mistake in a file: %q", fileErr)
	}
}

// TestDiff: a run against its what-if is aligned on time, the first
// divergence is marked at the what-if's start, the changed figures follow
// (the new fault as one line); a saved run against itself has no
// difference; a diff wants exactly two runs.
func TestDiff(t *testing.T) {
	ctx := context.Background()
	b := "worked-timeline-c-paused-kcm --at 50s --with '" + whatIfPause + "'"
	code, out, errs := run(ctx, "", "diff", "worked-timeline-c-paused-kcm", b, "--width", "0")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	before, after, ok := strings.Cut(out, "---------- the runs first diverge at 50.000s ----------\n")
	if !ok {
		t.Fatalf("no divergence mark at 50s:\n%s", out)
	}
	if strings.Contains(before, "  A  ") || strings.Contains(before, "  B  ") {
		t.Errorf("lines only one run has before the divergence:\n%s", before)
	}
	for _, want := range []string{
		"   50.000s  B  what-if (fault 2) begins",
		"   60.000s  =  kube-controller-manager-master-2 on master-2 is resumed",
		"   70.000s  A  acting split brain in kube-controller-manager ends after 10s",
		"groups[kube-controller-manager].leader: kube-controller-manager-master-3 → kube-controller-manager-master-1",
		"groups[kube-controller-manager].acquisitions: 2 → 3",
		"faults[what-if]: - → (only in B)",
	} {
		if !strings.Contains(after, want) {
			t.Errorf("diff lacks %q:\n%s", want, out)
		}
	}
	// Side by side (the default): B's lines in the right column, within
	// the width.
	code, out, errs = run(ctx, "", "diff", "worked-timeline-c-paused-kcm", b)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{
		"   50.000s" + strings.Repeat(" ", 2+72) + " | what-if (fault 2) begins:",
		"   60.000s  kube-controller-manager-master-2 on master-2 is resumed (SIGCONT)",
		"acting split brain in kube-controller-manager ends after 10s:",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("side-by-side diff lacks %q:\n%s", want, out)
		}
	}
	for _, l := range strings.Split(out, "\n") {
		if len([]rune(l)) > 160 && !strings.HasPrefix(l, "B: ") && !strings.HasPrefix(l, "  faults") {
			t.Errorf("line wider than 160: %q", l)
		}
	}
	code, saved, _ := run(ctx, "", "run", "etcd-leader-kill", "-o", "json")
	if code != 0 {
		t.Fatal("run -o json failed")
	}
	file := filepath.Join(t.TempDir(), "kill.json")
	if err := os.WriteFile(file, []byte(saved), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs = run(ctx, "", "diff", file, "etcd-leader-kill")
	if code != 0 || !strings.Contains(out, "(the timelines are the same)") || !strings.Contains(out, "No summary figure changed.") {
		t.Errorf("a saved run against the same run: exit %d, %s%s", code, out, errs)
	}
	if code, _, errs := run(ctx, "", "diff", file); code != exitUsage || !strings.Contains(errs, "want two runs") {
		t.Errorf("one run: exit %d, %q", code, errs)
	}
	if code, _, errs := run(ctx, "", "diff", file, "etcd-leader-kill -o csv"); code != exitUsage || !strings.Contains(errs, "-o is not allowed here") {
		t.Errorf("-o in a run: exit %d, %q", code, errs)
	}
}
