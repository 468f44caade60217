package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"syscall"
)

// errNoSyncFS means syncfs(2) is not available here.
var errNoSyncFS = errors.New("store: syncfs not available")

// fsyncWorkers bounds the fsyncs in flight. Concurrent fsyncs on one
// filesystem share journal commits, so a batch runs several times faster than
// one fsync after another.
const fsyncWorkers = 16

// fsyncPaths opens and fsyncs each path (files or directories), several at a
// time, and returns every failure.
func fsyncPaths(paths []string) error {
	if len(paths) == 0 {
		return nil
	}
	work := make(chan string)
	errs := make([]error, 0)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range min(fsyncWorkers, len(paths)) {
		wg.Go(func() {
			for p := range work {
				if err := fsyncPath(p); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}
		})
	}
	for _, p := range paths {
		work <- p
	}
	close(work)
	wg.Wait()
	return errors.Join(errs...)
}

func fsyncPath(p string) error {
	f, err := os.Open(p)
	if err != nil {
		return fmt.Errorf("store: opening %s to fsync: %w", p, err)
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("store: fsync %s: %w", p, err)
	}
	return nil
}

// mkdirs creates dir and its missing parents with mode 0755 (whatever the
// umask) and returns the directories it created, parents first. A path
// component that exists and is not a directory is reported as ENOTDIR.
func mkdirs(dir string) ([]string, error) {
	fi, err := os.Stat(dir)
	if err == nil {
		if !fi.IsDir() {
			return nil, &fs.PathError{Op: "mkdir", Path: dir, Err: syscall.ENOTDIR}
		}
		return nil, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	var created []string
	if parent := filepath.Dir(dir); parent != dir {
		created, err = mkdirs(parent)
		if err != nil {
			return created, err
		}
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		if errors.Is(err, fs.ErrExist) {
			// Another writer made it meanwhile; it must be a directory.
			fi, serr := os.Stat(dir)
			if serr == nil && fi.IsDir() {
				return created, nil
			}
			return created, &fs.PathError{Op: "mkdir", Path: dir, Err: syscall.ENOTDIR}
		}
		return created, err
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		return created, err
	}
	return append(created, dir), nil
}
