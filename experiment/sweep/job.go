package sweep

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Standalone returns the sweep arg (a built-in sweep or a kind: Sweep
// file) as a document that needs nothing else: a base scenario given by
// file is put inline. It is what a Kubernetes Job's pods read.
func Standalone(ctx context.Context, arg string) ([]byte, *Plan, error) {
	file, data, err := resolve(ctx, arg, nil)
	if err != nil {
		return nil, nil, err
	}
	p, err := Load(ctx, arg, nil, Options{})
	if err != nil {
		return nil, nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil || len(doc.Content) == 0 {
		return nil, nil, fmt.Errorf("%s: not a YAML document", file)
	}
	root := doc.Content[0]
	if keyIndex(root, "kind") < 0 || root.Content[keyIndex(root, "kind")+1].Value != Kind {
		return nil, nil, fmt.Errorf("%s is not a kind: Sweep document: a Job runs a sweep (a built-in one or a file)", arg)
	}
	spec := root.Content[keyIndex(root, "spec")+1]
	if i := keyIndex(spec, "scenario"); i >= 0 && !strings.HasPrefix(p.BaseFile, "library/") {
		var base yaml.Node
		if err := yaml.Unmarshal(p.BaseSource, &base); err != nil || len(base.Content) == 0 {
			return nil, nil, fmt.Errorf("%s: not a YAML document", p.BaseFile)
		}
		spec.Content[i].Value = "inline"
		spec.Content[i+1] = base.Content[0]
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, nil, err
	}
	enc.Close()
	return b.Bytes(), p, nil
}

func keyIndex(m *yaml.Node, name string) int {
	if m.Kind != yaml.MappingNode {
		return -1
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == name {
			return i
		}
	}
	return -1
}

// JobOptions shape the Kubernetes Job of a sharded sweep.
type JobOptions struct {
	Name        string // the Job's name; default hasim-sweep-NAME
	Namespace   string // default: none (kubectl's current namespace)
	Image       string
	Shards      int
	Parallelism int    // pods at once; default Shards
	Volume      string // the PersistentVolumeClaim that receives the results
	CPU         string // request per pod, also its --workers; default 1
	Memory      string // request per pod; default 512Mi
	// BackoffLimitPerIndex is how often each shard is retried; a retry
	// resumes the shard's results file.
	BackoffLimitPerIndex int
}

// WriteJob writes a ConfigMap holding the standalone sweep document and a
// batch/v1 Indexed Job whose pod number I runs shard I of N into the
// volume, as YAML documents.
func WriteJob(w io.Writer, doc []byte, p *Plan, o JobOptions) error {
	if o.Name == "" {
		o.Name = "hasim-sweep-" + p.Name
	}
	if o.Parallelism == 0 {
		o.Parallelism = o.Shards
	}
	if o.CPU == "" {
		o.CPU = "1"
	}
	if o.Memory == "" {
		o.Memory = "512Mi"
	}
	workers := "1"
	if n, err := strconv.Atoi(o.CPU); err == nil && n > 0 {
		workers = o.CPU
	}
	labels := map[string]string{"app.kubernetes.io/name": "hasim", "hasim.dev/sweep": p.Name}
	meta := func(name string) map[string]any {
		m := map[string]any{"name": name, "labels": labels}
		if o.Namespace != "" {
			m["namespace"] = o.Namespace
		}
		return m
	}
	cm := map[string]any{
		"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta(o.Name),
		"data": map[string]string{"sweep.yaml": string(doc)},
	}
	job := map[string]any{
		"apiVersion": "batch/v1", "kind": "Job", "metadata": meta(o.Name),
		"spec": map[string]any{
			"completionMode":       "Indexed",
			"completions":          o.Shards,
			"parallelism":          o.Parallelism,
			"backoffLimitPerIndex": o.BackoffLimitPerIndex,
			"template": map[string]any{
				"metadata": map[string]any{"labels": labels},
				"spec": map[string]any{
					"restartPolicy": "Never",
					"containers": []any{map[string]any{
						"name":  "hasim",
						"image": o.Image,
						// The Job sets JOB_COMPLETION_INDEX in each pod: with
						// --shards it picks the pod's shard. --resume makes a
						// retried pod continue its shard's file.
						"args":       []string{"sweep", "/etc/hasim/sweep.yaml", "--shards", strconv.Itoa(o.Shards), "--resume", "--workers", workers},
						"workingDir": "/results",
						"resources": map[string]any{
							"requests": map[string]string{"cpu": o.CPU, "memory": o.Memory},
							"limits":   map[string]string{"memory": o.Memory},
						},
						"volumeMounts": []any{
							map[string]any{"name": "sweep", "mountPath": "/etc/hasim", "readOnly": true},
							map[string]any{"name": "results", "mountPath": "/results"},
						},
					}},
					"volumes": []any{
						map[string]any{"name": "sweep", "configMap": map[string]string{"name": o.Name}},
						map[string]any{"name": "results", "persistentVolumeClaim": map[string]string{"claimName": o.Volume}},
					},
				},
			},
		},
	}
	fmt.Fprintf(w, "# hasim sweep %s: %d runs in %d shards; each pod writes %s.shard-I-of-%d.jsonl to the volume %s.\n",
		p.Name, p.Runs(), o.Shards, p.Name, o.Shards, o.Volume)
	fmt.Fprintf(w, "# Merge them with: hasim sweep merge %s.shard-*-of-%d.jsonl --results %s.runs.jsonl\n", p.Name, o.Shards, p.Name)
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(cm); err != nil {
		return err
	}
	if err := enc.Encode(job); err != nil {
		return err
	}
	return enc.Close()
}
