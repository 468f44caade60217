package store

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"syscall"
)

// smallBatch is the number of paths up to which a flush fsyncs them one by
// one rather than flushing the whole filesystem.
const smallBatch = 8

// Sync implements [Store.Sync], in the three steps described on [Dir]. If it
// fails, every write since the last successful Sync is either visible and
// complete or absent (its temporary file removed); the error names each key
// that failed, and what failed before anything was visible.
func (d *Dir) Sync(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("store: syncing: %w", err)
	}
	d.syncMu.Lock()
	defer d.syncMu.Unlock()
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return errClosed
	}
	batch := make([]*write, 0, len(d.order))
	for _, w := range d.order {
		if !w.dead {
			batch = append(batch, w)
		}
	}
	touched := d.touched
	d.resetPending()
	if len(batch) == 0 && len(touched) == 0 {
		return nil
	}

	dirs := make(map[string]struct{})
	var errs []error
	if len(batch) > 0 {
		if err := d.publishBatch(ctx, batch, dirs, &errs); err != nil {
			removeTemps(batch...)
			return fmt.Errorf("store: syncing %d writes: %w", len(batch), err)
		}
	}

	// 3. Make the names durable.
	for _, p := range touched {
		dirs[p] = struct{}{}
	}
	paths := make([]string, 0, len(dirs))
	for p := range dirs {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	if err := d.flush(paths); err != nil {
		errs = append(errs, fmt.Errorf("store: syncing: flushing directories: %w", err))
	}
	return errors.Join(errs...)
}

// publishBatch runs steps 1 and 2 of Sync: flush the batch's temporary files,
// then make them visible under the lock. It returns an error, with nothing
// made visible, if either fails to start; failures of single writes are
// added to errs and their temporary files removed.
func (d *Dir) publishBatch(ctx context.Context, batch []*write, dirs map[string]struct{}, errs *[]error) error {
	// 1. Make the bytes durable before any name points at them.
	var files []string
	for _, w := range batch {
		if w.tmp != "" {
			files = append(files, w.tmp)
		}
		files = append(files, w.metaTmp)
	}
	if err := d.flush(files); err != nil {
		return fmt.Errorf("flushing: %w", err)
	}

	// 2. Make them visible, in order, excluding other writers.
	lock, err := lockFile(ctx, filepath.Join(d.state, "lock"))
	if err != nil {
		return err
	}
	defer lock.Close()
	for _, w := range batch {
		if err := d.publish(w, dirs); err != nil {
			*errs = append(*errs, err)
			removeTemps(w)
		}
		if d.afterPublish != nil {
			d.afterPublish(w.key)
		}
	}
	return nil
}

// flush makes the given files and directories durable: one by one for a few,
// by syncfs(2) for more where it is available.
func (d *Dir) flush(paths []string) error {
	if len(paths) <= smallBatch || d.perFileFlush || d.noSyncFS.Load() {
		return fsyncPaths(paths)
	}
	f, err := os.Open(d.root)
	if err != nil {
		return err
	}
	defer f.Close()
	err = syncFS(f)
	if errors.Is(err, errNoSyncFS) {
		d.noSyncFS.Store(true)
		return fsyncPaths(paths)
	}
	return err
}

// publish makes one flushed pending write visible, adding the directories
// whose entries it changed to dirs.
func (d *Dir) publish(w *write, dirs map[string]struct{}) error {
	obj, meta := d.objectPath(w.key), d.metaPath(w.key)
	installMeta := true
	switch w.kind {
	case kindCreate, kindPut:
		if err := d.mkdirs(w.key, filepath.Dir(obj), dirs); err != nil {
			return err
		}
		var err error
		if w.kind == kindCreate {
			installMeta, err = d.link(w, obj)
		} else {
			err = os.Rename(w.tmp, obj)
			if err != nil {
				err = d.renameError(w.key, err)
			}
		}
		if err != nil {
			return err
		}
		dirs[filepath.Dir(obj)] = struct{}{}
	case kindMeta:
		// The object was there with equal bytes when the repair was asked
		// for; if it changed since, the sidecar names other bytes and is
		// ignored.
	}
	if !installMeta {
		os.Remove(w.metaTmp)
		return nil
	}
	if err := d.mkdirs(w.key, filepath.Dir(meta), dirs); err != nil {
		return err
	}
	if err := os.Rename(w.metaTmp, meta); err != nil {
		return fmt.Errorf("store: writing metadata of %q: %w", w.key, err)
	}
	dirs[filepath.Dir(meta)] = struct{}{}
	return nil
}

// link makes a pending Create visible without replacing anything, and
// reports whether its sidecar should be installed: yes for a new object,
// and for equal bytes found there whose sidecar is missing or stale.
func (d *Dir) link(w *write, obj string) (installMeta bool, err error) {
	if d.noLink {
		err = &os.LinkError{Op: "link", Old: w.tmp, New: obj, Err: syscall.EPERM}
	} else {
		err = os.Link(w.tmp, obj)
	}
	if err != nil && !errors.Is(err, fs.ErrExist) && linkUnsupported(err) {
		// No hard links here. The lock held by Sync excludes other stele
		// writers, so checking for the name and then renaming is atomic
		// with respect to them.
		if _, serr := os.Lstat(obj); errors.Is(serr, fs.ErrNotExist) {
			err = os.Rename(w.tmp, obj)
		} else {
			err = fs.ErrExist
		}
	}
	if err == nil {
		os.Remove(w.tmp)
		return true, nil
	}
	if !errors.Is(err, fs.ErrExist) {
		return false, d.renameError(w.key, err)
	}
	os.Remove(w.tmp)
	data, err := readObject(obj)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, prefixError(w.key, "", "stored")
	case err != nil:
		return false, fmt.Errorf("store: creating %q: reading the existing object: %w", w.key, err)
	case sha256.Sum256(data) != w.sum:
		return false, immutableError(w.key)
	}
	md, err := d.readMeta(w.key, w.sum)
	return err == nil && md == (Metadata{}), nil
}

// linkUnsupported reports a link(2) failure that means the filesystem has
// no hard links.
func linkUnsupported(err error) bool {
	return errors.Is(err, syscall.EPERM) || errors.Is(err, errors.ErrUnsupported) ||
		errors.Is(err, syscall.ENOTSUP) || errors.Is(err, syscall.EOPNOTSUPP) || errors.Is(err, syscall.ENOSYS)
}

// mkdirs creates the directory dir for key, recording in dirs the parents
// whose entries changed, and explains a path through a file as a prefix
// conflict.
func (d *Dir) mkdirs(key, dir string, dirs map[string]struct{}) error {
	created, err := mkdirs(dir)
	for _, c := range created {
		dirs[filepath.Dir(c)] = struct{}{}
	}
	if err != nil {
		if isNotDir(err) {
			if cerr := d.treeConflict(key); cerr != nil {
				return cerr
			}
		}
		return fmt.Errorf("store: writing %q: creating directory: %w", key, err)
	}
	return nil
}

// renameError explains a failure to move a file to key's name.
func (d *Dir) renameError(key string, err error) error {
	if isDirErr(err) || isNotDir(err) || errors.Is(err, fs.ErrExist) || errors.Is(err, syscall.ENOTEMPTY) {
		if cerr := d.treeConflict(key); cerr != nil {
			return cerr
		}
	}
	return fmt.Errorf("store: writing %q: %w", key, err)
}
