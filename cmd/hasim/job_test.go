package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"hasim/experiment/sweep"
)

// The printed manifest decodes strictly (no unknown fields) into the
// upstream batch/v1 Job and core/v1 ConfigMap types, wires the pod index
// to the shard (an Indexed Job sets JOB_COMPLETION_INDEX; the args give
// the shard count), mounts the sweep and the results volume, and the
// ConfigMap's sweep, with its base scenario inline, is the same sweep
// definition as the file.
func TestSweepJobManifest(t *testing.T) {
	dir := t.TempDir()
	base, err := os.ReadFile("../../scenarios/library/worked-timeline-c-paused-kcm.yaml")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "base.yaml"), base, 0o644)
	doc := filepath.Join(dir, "study.yaml")
	os.WriteFile(doc, []byte("apiVersion: hasim.dev/v1alpha1\nkind: Sweep\nmetadata: {name: study}\nspec:\n  scenario: ./base.yaml\n"+
		"  axes:\n    - {path: spec.controlPlane.leaderElection.leaseDuration, values: [15s, 20s]}\n  seeds: 5\n"), 0o644)
	code, out, errs := run(context.Background(), "", "sweep", "job", doc, "--shards", "3", "--image", "registry.example/hasim:0.1.0",
		"--volume", "results-claim", "--cpu", "2", "--parallelism", "2")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	parts := strings.Split(out, "\n---\n")
	if len(parts) != 2 {
		t.Fatalf("want a ConfigMap and a Job:\n%s", out)
	}
	var cm corev1.ConfigMap
	if err := yaml.UnmarshalStrict([]byte(parts[0]), &cm); err != nil {
		t.Fatalf("ConfigMap: %v", err)
	}
	var job batchv1.Job
	if err := yaml.UnmarshalStrict([]byte(parts[1]), &job); err != nil {
		t.Fatalf("Job: %v", err)
	}
	s := job.Spec
	if job.APIVersion != "batch/v1" || job.Kind != "Job" || s.CompletionMode == nil || *s.CompletionMode != batchv1.IndexedCompletion ||
		*s.Completions != 3 || *s.Parallelism != 2 || s.BackoffLimitPerIndex == nil || *s.BackoffLimitPerIndex != 2 {
		t.Fatalf("job spec: %+v", s)
	}
	pod := s.Template.Spec
	if pod.RestartPolicy != corev1.RestartPolicyNever || len(pod.Containers) != 1 {
		t.Fatalf("pod: %+v", pod)
	}
	c := pod.Containers[0]
	args := strings.Join(c.Args, " ")
	if c.Image != "registry.example/hasim:0.1.0" || args != "sweep /etc/hasim/sweep.yaml --shards 3 --resume --workers 2" || c.WorkingDir != "/results" ||
		c.Resources.Requests.Cpu().String() != "2" {
		t.Fatalf("container: %+v", c)
	}
	mounts := map[string]string{}
	for _, m := range c.VolumeMounts {
		mounts[m.Name] = m.MountPath
	}
	var claim, cmName string
	for _, v := range pod.Volumes {
		if v.PersistentVolumeClaim != nil {
			claim = v.PersistentVolumeClaim.ClaimName
		}
		if v.ConfigMap != nil {
			cmName = v.ConfigMap.Name
		}
	}
	if mounts["sweep"] != "/etc/hasim" || mounts["results"] != "/results" || claim != "results-claim" || cmName != cm.Name {
		t.Fatalf("volumes: mounts %v, claim %q, config map %q (want %q)", mounts, claim, cmName, cm.Name)
	}
	inPod := filepath.Join(t.TempDir(), "sweep.yaml")
	os.WriteFile(inPod, []byte(cm.Data["sweep.yaml"]), 0o644)
	if !strings.Contains(cm.Data["sweep.yaml"], "inline:") {
		t.Fatalf("the base scenario is not inline:\n%s", cm.Data["sweep.yaml"])
	}
	a, err := sweep.Load(context.Background(), doc, nil, sweep.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := sweep.Load(context.Background(), inPod, nil, sweep.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if a.Hash != b.Hash || a.Seeds != b.Seeds {
		t.Errorf("the pod's sweep is another definition: %s vs %s", b.Hash, a.Hash)
	}

	for _, bad := range [][]string{{"sweep", "job", doc, "--shards", "3"}, {"sweep", "job", "etcd-leader-kill", "--shards", "3", "--image", "i", "--volume", "v"},
		{"sweep", "job", doc, "--shards", "11", "--image", "i", "--volume", "v"}} {
		if code, _, errs := run(context.Background(), "", bad...); code != 2 || errs == "" {
			t.Errorf("%v: exit %d, %q", bad, code, errs)
		}
	}
}
