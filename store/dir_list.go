package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// List implements [Store.List]: the files under the root whose keys start
// with prefix (regular files, or symbolic links to them; not the contents of
// linked directories; never anything under .stele or any other name starting
// with "."), plus this Dir's pending writes.
func (d *Dir) List(ctx context.Context, prefix string) ([]string, error) {
	if err := checkPrefix(prefix); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("store: listing %q: %w", prefix, err)
	}
	// Take the pending keys before walking: a key that Sync moves from
	// pending to the tree meanwhile is then seen in one or the other.
	seen := make(map[string]struct{})
	d.mu.RLock()
	for k := range d.pending {
		if strings.HasPrefix(k, prefix) {
			seen[k] = struct{}{}
		}
	}
	d.mu.RUnlock()

	// Walk from the deepest directory that the prefix names in full.
	// The root is followed if it is a symbolic link (the trailing separator
	// does that); links to directories below it are not.
	start := d.root + string(filepath.Separator)
	if i := strings.LastIndexByte(prefix, '/'); i >= 0 {
		start = d.objectPath(prefix[:i])
	}
	err := filepath.WalkDir(start, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			if p == start && (errors.Is(err, fs.ErrNotExist) || isNotDir(err)) {
				return fs.SkipAll
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if p == start {
			return nil
		}
		rel, err := filepath.Rel(d.root, p)
		if err != nil {
			return err
		}
		key := filepath.ToSlash(rel)
		if strings.HasPrefix(path.Base(key), ".") {
			if e.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if e.IsDir() {
			// Descend only where keys with the prefix can be.
			if !strings.HasPrefix(key+"/", prefix) && !strings.HasPrefix(prefix, key+"/") {
				return fs.SkipDir
			}
			return nil
		}
		if !strings.HasPrefix(key, prefix) || CheckKey(key) != nil {
			return nil
		}
		if e.Type()&fs.ModeSymlink != 0 {
			fi, err := os.Stat(p)
			if err != nil || !fi.Mode().IsRegular() {
				return nil
			}
		} else if !e.Type().IsRegular() {
			return nil
		}
		seen[key] = struct{}{}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: listing %q: %w", prefix, err)
	}
	keys := make([]string, 0, len(seen))
	for k := range seen {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys, nil
}
