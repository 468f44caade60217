package store

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

var errClosed = errors.New("store: Dir is closed")

// Create implements [Store.Create]. The object becomes visible to other
// readers at the next Sync; a different object that another writer puts at
// the key meanwhile makes that Sync fail with ErrImmutable for this key.
func (d *Dir) Create(ctx context.Context, key string, data []byte, md Metadata) error {
	if err := d.checkWrite(ctx, "creating", key, md); err != nil {
		return err
	}
	sum := sha256.Sum256(data)
	if done, err := d.createExisting(key, sum, md); done || err != nil {
		return err
	}
	w, err := d.prepare(key, kindCreate, data, sum, md)
	if err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		removeTemps(w)
		return errClosed
	}
	if old := d.pending[key]; old != nil {
		// Another goroutine wrote the key while this one was writing.
		removeTemps(w)
		if old.sum != sum {
			return immutableError(key)
		}
		return nil
	}
	if err := d.pendingConflict(key); err != nil {
		removeTemps(w)
		return err
	}
	d.add(w)
	return nil
}

// createExisting settles a Create whose key already holds an object,
// pending or in the tree: equal bytes are done (repairing a missing
// sidecar), other bytes are ErrImmutable. It reports done=false when the
// key holds nothing yet.
func (d *Dir) createExisting(key string, sum [sha256.Size]byte, md Metadata) (done bool, err error) {
	d.mu.RLock()
	old := d.pending[key]
	d.mu.RUnlock()
	if old != nil {
		if old.sum != sum {
			return true, immutableError(key)
		}
		return true, nil
	}
	if err := d.treeConflict(key); err != nil {
		return true, err
	}
	p := d.objectPath(key)
	data, err := readObject(p)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return true, fmt.Errorf("store: creating %q: reading the existing object: %w", key, err)
	}
	if sha256.Sum256(data) != sum {
		return true, immutableError(key)
	}
	// Equal bytes: success, once what made them visible is durable too.
	stored, err := d.readMeta(key, sum)
	if err != nil {
		return true, err
	}
	var fix *write
	if stored == (Metadata{}) && md != (Metadata{}) {
		metaTmp, err := d.writeTemp(encodeSidecar(sum, md))
		if err != nil {
			return true, fmt.Errorf("store: creating %q: %w", key, err)
		}
		fix = &write{key: key, kind: kindMeta, metaTmp: metaTmp, sum: sum, md: md}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		if fix != nil {
			removeTemps(fix)
		}
		return true, errClosed
	}
	d.touched = append(d.touched, p, filepath.Dir(p))
	if fix != nil {
		if old := d.fixes[key]; old != nil {
			old.dead = true
			removeTemps(old)
		}
		d.fixes[key] = fix
		d.order = append(d.order, fix)
	}
	return true, nil
}

// Put implements [Store.Put]. The object becomes visible to other readers at
// the next Sync.
func (d *Dir) Put(ctx context.Context, key string, data []byte, md Metadata) error {
	if err := d.checkWrite(ctx, "writing", key, md); err != nil {
		return err
	}
	if err := d.treeConflict(key); err != nil {
		return err
	}
	w, err := d.prepare(key, kindPut, data, sha256.Sum256(data), md)
	if err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		removeTemps(w)
		return errClosed
	}
	if err := d.pendingConflict(key); err != nil {
		removeTemps(w)
		return err
	}
	d.add(w)
	return nil
}

// checkWrite checks what every write checks first.
func (d *Dir) checkWrite(ctx context.Context, doing, key string, md Metadata) error {
	if err := CheckKey(key); err != nil {
		return err
	}
	if err := md.check(); err != nil {
		return fmt.Errorf("store: %s %q: %w", doing, key, err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("store: %s %q: %w", doing, key, err)
	}
	d.mu.RLock()
	closed := d.closed
	d.mu.RUnlock()
	if closed {
		return errClosed
	}
	return nil
}

// prepare writes a pending write's temporary files.
func (d *Dir) prepare(key string, kind writeKind, data []byte, sum [sha256.Size]byte, md Metadata) (*write, error) {
	tmp, err := d.writeTemp(data)
	if err != nil {
		return nil, fmt.Errorf("store: writing %q: %w", key, err)
	}
	metaTmp, err := d.writeTemp(encodeSidecar(sum, md))
	if err != nil {
		os.Remove(tmp)
		return nil, fmt.Errorf("store: writing %q: %w", key, err)
	}
	return &write{key: key, kind: kind, tmp: tmp, metaTmp: metaTmp, sum: sum, md: md}, nil
}

// add records w as pending, replacing an earlier pending write of its key.
// d.mu must be held.
func (d *Dir) add(w *write) {
	if old := d.pending[w.key]; old != nil {
		old.dead = true
		removeTemps(old)
	}
	if old := d.fixes[w.key]; old != nil {
		old.dead = true
		removeTemps(old)
		delete(d.fixes, w.key)
	}
	d.pending[w.key] = w
	d.order = append(d.order, w)
	for i := range len(w.key) {
		if w.key[i] == '/' {
			d.dirs[w.key[:i]] = struct{}{}
		}
	}
}

// pendingConflict reports whether key clashes with a pending write: a
// pending object at one of its prefixes, or pending objects under it.
// d.mu must be held.
func (d *Dir) pendingConflict(key string) error {
	if _, ok := d.dirs[key]; ok {
		return prefixError(key, "", "unsynced")
	}
	for i := range len(key) {
		if key[i] == '/' {
			if _, ok := d.pending[key[:i]]; ok {
				return prefixError(key, key[:i], "unsynced")
			}
		}
	}
	return nil
}

// treeConflict reports whether key clashes with the tree: a directory at
// key, or a file at one of its prefixes.
func (d *Dir) treeConflict(key string) error {
	fi, err := os.Stat(d.objectPath(key))
	switch {
	case err == nil && fi.IsDir():
		return prefixError(key, "", "stored")
	case err != nil && isNotDir(err):
		for i := range len(key) {
			if key[i] != '/' {
				continue
			}
			if fi, err := os.Stat(d.objectPath(key[:i])); err == nil && !fi.IsDir() {
				return prefixError(key, key[:i], "stored")
			}
		}
		return prefixError(key, "", "stored")
	}
	return nil
}

// prefixError explains an ErrPrefixConflict for key: holder is the key of
// the object at a prefix of key, or "" if key is itself a prefix of others.
func prefixError(key, holder, state string) error {
	if holder != "" {
		return fmt.Errorf("store: writing %q: %s object %q is at a prefix of it: %w", key, state, holder, ErrPrefixConflict)
	}
	return fmt.Errorf("store: writing %q: it is a prefix of %s keys: %w", key, state, ErrPrefixConflict)
}

func immutableError(key string) error {
	return fmt.Errorf("store: creating %q: %w", key, ErrImmutable)
}
