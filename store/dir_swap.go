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
)

// Swap implements [Store.Swap]: it syncs every earlier write, then replaces
// the object under the lock if its ETag (the quoted hex SHA-256 of its bytes;
// the quotes are optional in etag) is the expected one, and returns once the
// new object is durable.
func (d *Dir) Swap(ctx context.Context, key, etag string, data []byte, md Metadata) error {
	if err := d.checkWrite(ctx, "swapping", key, md); err != nil {
		return err
	}
	if err := d.Sync(ctx); err != nil {
		return fmt.Errorf("store: swapping %q: %w", key, err)
	}
	if err := d.treeConflict(key); err != nil {
		return err
	}
	w, err := d.prepare(key, kindPut, data, sha256.Sum256(data), md)
	if err != nil {
		return err
	}
	defer removeTemps(w) // no-op once renamed
	if err := fsyncPaths([]string{w.tmp, w.metaTmp}); err != nil {
		return fmt.Errorf("store: swapping %q: %w", key, err)
	}

	d.swapMu.Lock()
	defer d.swapMu.Unlock()
	lock, err := lockFile(ctx, filepath.Join(d.state, "lock"))
	if err != nil {
		return fmt.Errorf("store: swapping %q: %w", key, err)
	}
	defer lock.Close()

	obj := d.objectPath(key)
	cur, err := readObject(obj)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if etag != "" {
			return fmt.Errorf("store: swapping %q: no object, expected ETag %s: %w", key, etag, ErrPrecondition)
		}
	case err != nil:
		return fmt.Errorf("store: swapping %q: reading the current object: %w", key, err)
	case etag == "":
		return fmt.Errorf("store: swapping %q: an object exists, expected none: %w", key, ErrPrecondition)
	case !sameETag(etagOf(sha256.Sum256(cur)), etag):
		return fmt.Errorf("store: swapping %q: ETag is %s, expected %s: %w", key, etagOf(sha256.Sum256(cur)), etag, ErrPrecondition)
	}

	dirs := make(map[string]struct{})
	if err := d.mkdirs(key, filepath.Dir(obj), dirs); err != nil {
		return err
	}
	if err := os.Rename(w.tmp, obj); err != nil {
		return d.renameError(key, err)
	}
	dirs[filepath.Dir(obj)] = struct{}{}
	meta := d.metaPath(key)
	if err := d.mkdirs(key, filepath.Dir(meta), dirs); err != nil {
		return err
	}
	if err := os.Rename(w.metaTmp, meta); err != nil {
		return fmt.Errorf("store: swapping %q: writing metadata: %w", key, err)
	}
	dirs[filepath.Dir(meta)] = struct{}{}
	paths := make([]string, 0, len(dirs))
	for p := range dirs {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	if err := fsyncPaths(paths); err != nil {
		return fmt.Errorf("store: swapping %q: %w", key, err)
	}
	return nil
}
