package results

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Write writes r to path atomically: the document goes to a temporary file in the
// same directory, is synced, and is renamed over path, so path holds either the
// previous file or the whole new one, never part of it. The file is mode 0644.
func Write(path string, r Result) error {
	if r.Schema == "" {
		r.Schema = Schema
	}
	err := writeAtomic(path, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	})
	if err != nil {
		return fmt.Errorf("write result %s: %w", path, err)
	}
	return nil
}

// writeAtomic runs write into a temporary file next to path and renames it to path
// once everything, the sync included, has succeeded; on failure the temporary file
// is removed and path is left alone.
func writeAtomic(path string, write func(io.Writer) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			err = errors.Join(err, removeIfExists(tmp))
		}
	}()
	bw := bufio.NewWriterSize(f, 64<<10)
	if err := write(bw); err != nil {
		return errors.Join(err, f.Close())
	}
	if err := bw.Flush(); err != nil {
		return errors.Join(err, f.Close())
	}
	// CreateTemp makes the file 0600; results are meant to be shared.
	if err := f.Chmod(0o644); err != nil {
		return errors.Join(err, f.Close())
	}
	// Without the sync a crash after the rename can leave an empty file at path.
	if err := f.Sync(); err != nil {
		return errors.Join(err, f.Close())
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	return syncDir(dir)
}

// removeIfExists removes path, tolerating that it is already gone.
func removeIfExists(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	return errors.Join(err, d.Close())
}
