//go:build unix

package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestSweepInterruptResumeShards runs the real binary: a sweep interrupted
// by SIGINT stops after the runs in flight, says how many finished and
// exits 130; --resume then finishes it, and the results file is byte for
// byte the uninterrupted one's. Three shard processes picked by
// JOB_COMPLETION_INDEX, merged, give the same bytes again.
func TestSweepInterruptResumeShards(t *testing.T) {
	bin := buildHasim(t)
	dir := t.TempDir()
	sweepArgs := []string{"sweep", "worked-timeline-c-paused-kcm", "--axis", "spec.controlPlane.leaderElection.leaseDuration=15s,20s,25s", "--seeds", "30"}
	ref := filepath.Join(dir, "ref.jsonl")
	if out, err := exec.Command(bin, append(sweepArgs, "--results", ref, "-q", "--workers", "2")...).CombinedOutput(); err != nil {
		t.Fatalf("uninterrupted sweep: %v\n%s", err, out)
	}
	want, err := os.ReadFile(ref)
	if err != nil {
		t.Fatal(err)
	}

	res := filepath.Join(dir, "int.jsonl")
	p := start(t, bin, nil, append(sweepArgs, "--results", res, "--workers", "1", "--progress-every", "1ms")...)
	p.until(t, "ten runs in the results file", false, func() bool {
		b, _ := os.ReadFile(res)
		return bytes.Count(b, []byte("\n")) > 10
	})
	p.interrupt(t)
	code := p.exitCode(t)
	errs := p.errs.String()
	if code != 130 || !strings.Contains(errs, "hasim sweep: interrupted: ") || !strings.Contains(errs, " of 90 runs finished (in "+res+"); continue with --resume") ||
		!strings.Contains(p.out.String(), " of 90 runs finished: the figures cover those") || !strings.Contains(errs, "runs/s, ETA") {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, p.out, errs)
	}
	part, _ := os.ReadFile(res)
	if n := bytes.Count(part, []byte("\n")) - 1; n >= 90 || !bytes.HasPrefix(want, part) {
		t.Fatalf("the interrupted file holds %d runs, or is not a prefix of the whole", n)
	}
	if !strings.Contains(errs, fmt.Sprintf("interrupted: %d of 90 runs finished", bytes.Count(part, []byte("\n"))-1)) {
		t.Fatalf("the count said is not the file's:\n%s", errs)
	}
	out, err := exec.Command(bin, append(sweepArgs, "--results", res, "--resume", "--workers", "2")...).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "resuming after") {
		t.Fatalf("resume: %v\n%s", err, out)
	}
	if got, _ := os.ReadFile(res); !bytes.Equal(got, want) {
		t.Fatal("the resumed results differ from the uninterrupted ones")
	}

	var shards []string
	for i := range 3 {
		f := filepath.Join(dir, fmt.Sprintf("shard-%d.jsonl", i))
		cmd := exec.Command(bin, append(sweepArgs, "--results", f, "--shards", "3", "-q")...)
		cmd.Env = append(os.Environ(), fmt.Sprintf("JOB_COMPLETION_INDEX=%d", i))
		if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), fmt.Sprintf("shard %d/3", i)) {
			t.Fatalf("shard %d: %v\n%s", i, err, out)
		}
		shards = append(shards, f)
	}
	merged := filepath.Join(dir, "merged.jsonl")
	if out, err := exec.Command(bin, append([]string{"sweep", "merge", "--results", merged}, shards...)...).CombinedOutput(); err != nil || !strings.Contains(string(out), "Sweep worked-timeline-c-paused-kcm-sweep: 3 points × 30 seeds") {
		t.Fatalf("merge: %v\n%s", err, out)
	}
	if got, _ := os.ReadFile(merged); !bytes.Equal(got, want) {
		t.Fatal("the merged shards differ from the unsharded results")
	}
}
