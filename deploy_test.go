package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// TestKubernetesManifests: deploy/k8s parses as the Kubernetes API types, and the
// fields that make a distributed run work hold together: an Indexed Job whose
// completions match the N of --shard $(JOB_COMPLETION_INDEX)/N, run with a
// scenario file from the ConfigMap that sseload validate passes, results on the
// mounted volume, one per index, the summary as JSON, every argument a flag of
// sseload run.
func TestKubernetesManifests(t *testing.T) {
	read := func(name string, into any) {
		t.Helper()
		data, err := os.ReadFile(filepath.Join("deploy/k8s", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := yaml.UnmarshalStrict(data, into); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	var job batchv1.Job
	var cm corev1.ConfigMap
	var pvc corev1.PersistentVolumeClaim
	read("job.yaml", &job)
	read("scenario.yaml", &cm)
	read("results-pvc.yaml", &pvc)
	if job.Kind != "Job" || cm.Kind != "ConfigMap" || pvc.Kind != "PersistentVolumeClaim" {
		t.Fatalf("kinds %q %q %q", job.Kind, cm.Kind, pvc.Kind)
	}

	spec := job.Spec
	if spec.CompletionMode == nil || *spec.CompletionMode != batchv1.IndexedCompletion {
		t.Fatalf("completionMode %v, want Indexed", spec.CompletionMode)
	}
	if spec.Completions == nil || spec.Parallelism == nil || *spec.Completions != *spec.Parallelism {
		t.Fatalf("completions %v, parallelism %v: every shard must run at once", spec.Completions, spec.Parallelism)
	}
	n := int(*spec.Completions)
	pod := spec.Template.Spec
	if pod.RestartPolicy != corev1.RestartPolicyNever || len(pod.Containers) != 1 {
		t.Fatalf("restartPolicy %q, %d containers", pod.RestartPolicy, len(pod.Containers))
	}
	c := pod.Containers[0]
	args := strings.Join(c.Args, " ")
	for _, want := range []string{"--shard $(JOB_COMPLETION_INDEX)/" + strconv.Itoa(n), "--summary json", "--no-tui", "--start-at $(START_AT)"} {
		if !strings.Contains(args, want) {
			t.Errorf("args %q lack %q", args, want)
		}
	}
	// The arguments as a pod of index 1 runs them, with START_AT set: sseload
	// run's own flag parser must take them all.
	env := map[string]string{"JOB_COMPLETION_INDEX": "1"}
	for _, e := range c.Env {
		env[e.Name] = e.Value
	}
	if _, err := time.Parse(time.RFC3339, env["START_AT"]); err != nil {
		t.Errorf("START_AT %q: %v", env["START_AT"], err)
	}
	expanded := make([]string, len(c.Args))
	for i, a := range c.Args {
		for k, v := range env {
			a = strings.ReplaceAll(a, "$("+k+")", v)
		}
		expanded[i] = a
	}
	if expanded[0] != "run" {
		t.Fatalf("args start %q, want run", expanded[0])
	}
	cmd := newRunCmd()
	if err := cmd.ParseFlags(expanded[1:]); err != nil {
		t.Fatalf("sseload run refuses the Job's arguments: %v", err)
	}
	flag := func(name string) string { return cmd.Flags().Lookup(name).Value.String() }
	if got := flag("shard"); got != "1/"+strconv.Itoa(n) {
		t.Errorf("--shard %q for index 1", got)
	}

	mounts := map[string]corev1.VolumeMount{}
	for _, m := range c.VolumeMounts {
		mounts[m.Name] = m
	}
	volumes := map[string]corev1.Volume{}
	for _, v := range pod.Volumes {
		volumes[v.Name] = v
	}
	scenario := flag("scenario")
	sm, rm := mounts["scenario"], mounts["results"]
	if sv := volumes["scenario"]; sv.ConfigMap == nil || sv.ConfigMap.Name != cm.Name || !strings.HasPrefix(scenario, sm.MountPath+"/") {
		t.Errorf("--scenario %s is not in the ConfigMap %s mounted at %s", scenario, cm.Name, sm.MountPath)
	}
	if rv := volumes["results"]; rv.PersistentVolumeClaim == nil || rv.PersistentVolumeClaim.ClaimName != pvc.Name ||
		!strings.HasPrefix(flag("out"), rm.MountPath+"/") || !strings.Contains(c.Args[len(c.Args)-1], "$(JOB_COMPLETION_INDEX)") {
		t.Errorf("--out %s: want one file per index on the claim %s mounted at %s", flag("out"), pvc.Name, rm.MountPath)
	}

	// The scenario the ConfigMap holds passes sseload validate.
	data, ok := cm.Data[filepath.Base(scenario)]
	if !ok {
		t.Fatalf("the ConfigMap has no %s", filepath.Base(scenario))
	}
	file := filepath.Join(t.TempDir(), "scenario.yaml")
	if err := os.WriteFile(file, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := validateScenarioFile(file); err != nil {
		var b bytes.Buffer
		reportScenario(&b, file, err)
		t.Errorf("the ConfigMap's scenario does not validate:\n%s", b.String())
	}
}
