package store

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// staleAge is how old an unlocked temporary directory must be before another
// Dir removes it. Liveness comes from the lock; the age only covers the
// moment between creating a directory and locking it.
const staleAge = time.Minute

// tempDir is one Dir's directory of temporary files, locked while it lives.
type tempDir struct {
	path string
	lock *os.File // holds the flock on the directory itself
}

// temp returns this Dir's temporary directory, making it (and cleaning up
// after dead Dirs) on first use.
func (d *Dir) temp() (*tempDir, error) {
	d.tmpMu.Lock()
	defer d.tmpMu.Unlock()
	if d.tmp != nil {
		return d.tmp, nil
	}
	parent := filepath.Join(d.state, "tmp")
	if _, err := mkdirs(parent); err != nil {
		return nil, fmt.Errorf("store: creating %s: %w", parent, err)
	}
	var id [8]byte
	rand.Read(id[:])
	p := filepath.Join(parent, hex.EncodeToString(id[:]))
	if err := os.Mkdir(p, 0o755); err != nil {
		return nil, fmt.Errorf("store: creating temporary directory: %w", err)
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("store: opening temporary directory: %w", err)
	}
	ok, err := tryLock(f)
	if err != nil || !ok {
		f.Close()
		return nil, fmt.Errorf("store: locking temporary directory %s: %v", p, err)
	}
	d.tmp = &tempDir{path: p, lock: f}
	removeStaleTemps(parent, p)
	return d.tmp, nil
}

// removeStaleTemps removes, best effort, the entries of parent other than
// keep that belong to no live Dir: directories old enough that nobody holds
// their lock, and stray files old enough.
func removeStaleTemps(parent, keep string) {
	entries, err := os.ReadDir(parent)
	if err != nil {
		return
	}
	for _, e := range entries {
		p := filepath.Join(parent, e.Name())
		if p == keep {
			continue
		}
		fi, err := e.Info()
		if err != nil || time.Since(fi.ModTime()) < staleAge {
			continue
		}
		if !e.IsDir() {
			os.Remove(p)
			continue
		}
		f, err := os.Open(p)
		if err != nil {
			continue
		}
		if ok, err := tryLock(f); err == nil && ok {
			os.RemoveAll(p)
		}
		f.Close()
	}
}

// writeTemp writes data to a new temporary file (mode 0644, not fsynced)
// and returns its path.
func (d *Dir) writeTemp(data []byte) (string, error) {
	t, err := d.temp()
	if err != nil {
		return "", err
	}
	p := filepath.Join(t.path, strconv.FormatUint(d.seq.Add(1), 10))
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return "", fmt.Errorf("store: creating temporary file: %w", err)
	}
	// The final object keeps this file's mode: set it whatever the umask.
	err = f.Chmod(0o644)
	if err == nil {
		_, err = f.Write(data)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(p)
		return "", fmt.Errorf("store: writing temporary file: %w", err)
	}
	return p, nil
}

// removeTemps removes the temporary files of writes that will not be made
// visible; already moved ones are gone and ignored.
func removeTemps(ws ...*write) {
	for _, w := range ws {
		if w.tmp != "" {
			os.Remove(w.tmp)
		}
		if w.metaTmp != "" {
			os.Remove(w.metaTmp)
		}
	}
}
