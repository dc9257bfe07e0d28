package results

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestWriteReplacesAtomically(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "run.json")
	snaps := fullRun(t)
	r := collect(t, snaps, testMeta(snaps))
	for i := range 2 {
		r.Version = []string{"first", "second"}[i]
		if err := Write(path, r); err != nil {
			t.Fatalf("Write #%d: %v", i+1, err)
		}
	}
	if got := listDir(t, dir); !slices.Equal(got, []string{"run.json"}) {
		t.Errorf("directory holds %q, want only run.json (no temporary files)", got)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o644 {
		t.Errorf("mode = %v, want 0644", fi.Mode().Perm())
	}
	got, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != "second" {
		t.Errorf("Version = %q, want the second write's", got.Version)
	}
}

func TestWriteAtomicFailureKeepsOldFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "run.json")
	const old = `{"schema":"sseload.result/v1"}`
	if err := os.WriteFile(path, []byte(old), 0o644); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := writeAtomic(path, func(w io.Writer) error {
		if _, err := io.WriteString(w, `{"schema":"sseload.result/v1","half":`); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("writeAtomic = %v, want the writer's error", err)
	}
	b, err := os.ReadFile(path)
	if err != nil || string(b) != old {
		t.Errorf("after a failed write the file holds %q (%v), want the old %q", b, err, old)
	}
	if got := listDir(t, dir); !slices.Equal(got, []string{"run.json"}) {
		t.Errorf("directory holds %q, want only run.json", got)
	}
}

func TestWriteErrors(t *testing.T) {
	snaps := fullRun(t)
	r := collect(t, snaps, testMeta(snaps))
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		path string
	}{
		{"missing directory", filepath.Join(dir, "nope", "run.json")},
		{"parent is a file", filepath.Join(file, "run.json")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Write(tt.path, r)
			if err == nil || !strings.Contains(err.Error(), "write result "+tt.path) {
				t.Fatalf("Write(%q) = %v, want an error naming the path", tt.path, err)
			}
		})
	}
}

func TestWriteReadOnlyDir(t *testing.T) {
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := os.Chmod(dir, 0o755); err != nil {
			t.Error(err)
		}
	})
	probe := filepath.Join(dir, "probe")
	if err := os.WriteFile(probe, nil, 0o644); err == nil {
		t.Skip("the directory is writable anyway (running as root?)")
	}
	path := filepath.Join(dir, "run.json")
	snaps := fullRun(t)
	err := Write(path, collect(t, snaps, testMeta(snaps)))
	if !errors.Is(err, os.ErrPermission) || !strings.Contains(err.Error(), path) {
		t.Fatalf("Write into a read-only directory = %v, want a permission error naming %s", err, path)
	}
	if got := listDir(t, dir); len(got) != 0 {
		t.Errorf("directory holds %q, want nothing", got)
	}
}
