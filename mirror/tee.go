package mirror

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"

	"stele/checkpoint"
	"stele/layout"
	"stele/store"
	"stele/tiles"
)

// tee is the store one log is verified through: reads come from the
// source and are written to the destination on the way, except the
// checkpoint, which is held back for the caller to write once the log has
// verified. Keys are relative to the log; prefix places them in the site.
//
// With reuse set, tiles and entry bundles already in the destination are
// read from there instead of the source. The verifier checks them exactly
// as it checks fetched ones.
//
// Without reuse (the second pass, after local copies failed to verify),
// everything is read from the source, objects absent from the destination
// are written, and local copies with other bytes are left alone: the
// source's bytes are kept in diffs, to replace them only once the log has
// verified and the source is known to extend the local checkpoint.
type tee struct {
	r      *run
	prefix string
	reuse  bool

	mu   sync.Mutex
	cp   *store.Object // the checkpoint handed to the verifier
	size int64         // its size, once parsed

	usedLocal atomic.Bool // some object came from the destination

	diffMu    sync.Mutex
	diffs     map[string]store.Object // second pass: local copies to replace
	diffBytes int64
	tooMany   bool // diffs outgrew maxDiffBytes and were dropped
}

// maxDiffBytes bounds the replacement objects a second pass holds.
const maxDiffBytes = 256 << 20

var _ store.Store = (*tee)(nil)

func (t *tee) Get(ctx context.Context, key string) (store.Object, error) {
	if err := store.CheckKey(key); err != nil {
		return store.Object{}, err
	}
	if key == layout.Checkpoint {
		return t.checkpoint(ctx)
	}
	full := t.prefix + key
	_, tileErr := tiles.ParsePath(key)
	isTile := tileErr == nil
	if t.reuse && isTile {
		obj, err := t.r.dst.Get(ctx, full)
		if err == nil {
			t.usedLocal.Store(true)
			t.r.c.gotLocal()
			return obj, nil
		}
		if !errors.Is(err, os.ErrNotExist) {
			return store.Object{}, fmt.Errorf("reading the local copy of %s: %w", full, err)
		}
	}
	if t.reuse {
		return t.r.fetch(ctx, full)
	}
	return t.fetchKeep(ctx, full)
}

// fetchKeep reads an object from the source; it writes it only where the
// destination has nothing, and keeps it in diffs where the destination
// has other bytes.
func (t *tee) fetchKeep(ctx context.Context, key string) (store.Object, error) {
	obj, err := t.r.src.Get(ctx, key)
	if err != nil {
		return store.Object{}, err
	}
	if obj, err = Normalize(key, obj); err != nil {
		return store.Object{}, err
	}
	t.r.c.gotRemote(len(obj.Data))
	local, err := t.r.dst.Get(ctx, key)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return obj, t.r.put(ctx, key, obj)
	case err != nil:
		return store.Object{}, fmt.Errorf("reading the local copy of %s: %w", key, err)
	case bytes.Equal(local.Data, obj.Data) && local.Metadata == obj.Metadata:
		return obj, nil
	}
	t.diffMu.Lock()
	defer t.diffMu.Unlock()
	if t.diffBytes+int64(len(obj.Data)) > maxDiffBytes {
		t.tooMany, t.diffs = true, nil
	}
	if !t.tooMany {
		if t.diffs == nil {
			t.diffs = map[string]store.Object{}
		}
		t.diffs[key] = cloneObject(obj)
		t.diffBytes += int64(len(obj.Data))
	}
	return obj, nil
}

// repair replaces the local copies that differed from the source.
func (t *tee) repair(ctx context.Context) error {
	if t.tooMany {
		return fmt.Errorf("the local copy of %s differs from the source in more than %d MiB of objects: remove it and mirror again", t.prefix, maxDiffBytes>>20)
	}
	for key, obj := range t.diffs {
		if err := t.r.put(ctx, key, obj); err != nil {
			return err
		}
	}
	if len(t.diffs) > 0 {
		t.r.log.Warn("replaced damaged local copies", "log", t.prefix, "objects", len(t.diffs))
	}
	return nil
}

// checkpoint fetches the log's checkpoint once; later calls return the
// same bytes, so that what is verified is what is finally written.
func (t *tee) checkpoint(ctx context.Context) (store.Object, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.cp != nil {
		return cloneObject(*t.cp), nil
	}
	key := t.prefix + layout.Checkpoint
	obj, err := t.r.src.Get(ctx, key)
	if err != nil {
		return store.Object{}, err
	}
	if obj, err = Normalize(key, obj); err != nil {
		return store.Object{}, err
	}
	t.r.c.gotRemote(len(obj.Data))
	t.cp = &obj
	// The size only sizes the progress estimate; the verifier makes the
	// decision about the checkpoint.
	if c, err := checkpoint.OpenWithOrigin(obj.Data, t.r.opts.Verifiers...); err == nil {
		t.size = c.Size
		t.r.c.expected.Add(tileObjects(c.Size))
	}
	return cloneObject(obj), nil
}

func cloneObject(o store.Object) store.Object {
	o.Data = append([]byte(nil), o.Data...)
	return o
}

func (t *tee) Create(ctx context.Context, key string, data []byte, md store.Metadata) error {
	return t.readOnly(key)
}

func (t *tee) Put(ctx context.Context, key string, data []byte, md store.Metadata) error {
	return t.readOnly(key)
}

func (t *tee) Swap(ctx context.Context, key, etag string, data []byte, md store.Metadata) error {
	return t.readOnly(key)
}

func (t *tee) List(ctx context.Context, prefix string) ([]string, error) {
	return nil, fmt.Errorf("mirror: listing %q: %w (%w)", prefix, store.ErrReadOnly, errors.ErrUnsupported)
}

func (t *tee) Sync(ctx context.Context) error { return nil }

func (t *tee) readOnly(key string) error {
	return fmt.Errorf("mirror: writing %q through the verifier's view: %w", key, store.ErrReadOnly)
}

// tileObjects is the number of entry bundles and hash tiles of a tree of
// the given size: what verifying it reads.
func tileObjects(size int64) int64 {
	if size <= 0 {
		return 0
	}
	n := (size + tiles.Width - 1) / tiles.Width // entry bundles
	for level := size; level > 0; level >>= tiles.Height {
		n += (level + tiles.Width - 1) / tiles.Width
	}
	return n
}
