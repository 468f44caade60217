package storefault

import (
	"context"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"

	"stele/store"
)

// Mem is a store.Store in memory that behaves as an object store such as
// S3: every write is durable and visible to every reader when it returns
// (Sync has nothing to do), and an object may sit at a key that is also a
// prefix of other keys. ETags are version numbers, new at every write.
//
// It exists so that fault-injection tests can snapshot a site with
// [Mem.Clone] at no cost and run hundreds of crash points quickly; the
// directory store's own crash behaviour is tested beside it.
type Mem struct {
	mu      sync.Mutex
	objects map[string]store.Object
	version int64
}

var _ store.Store = (*Mem)(nil)

// NewMem returns an empty Mem.
func NewMem() *Mem { return &Mem{objects: map[string]store.Object{}} }

// Clone returns an independent copy of m's objects.
func (m *Mem) Clone() *Mem {
	m.mu.Lock()
	defer m.mu.Unlock()
	// Stored data is never modified in place, so the slices can be shared.
	return &Mem{objects: maps.Clone(m.objects), version: m.version}
}

// Keys returns every key, sorted.
func (m *Mem) Keys() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Sorted(maps.Keys(m.objects))
}

// check applies the contract's argument rules to a call.
func check(ctx context.Context, op, key string, md *store.Metadata) error {
	if err := store.CheckKey(key); err != nil {
		return fmt.Errorf("storefault: %s %q: %w", op, key, err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("storefault: %s %q: %w", op, key, err)
	}
	if md == nil {
		return nil
	}
	for _, v := range []string{md.ContentType, md.CacheControl, md.ContentEncoding} {
		for i := range len(v) {
			if c := v[i]; (c < 0x20 && c != '\t') || c > 0x7e {
				return fmt.Errorf("storefault: %s %q: %w: %q", op, key, store.ErrInvalidMetadata, v)
			}
		}
	}
	return nil
}

// set stores a copy of data at key. m.mu must be held.
func (m *Mem) set(key string, data []byte, md store.Metadata) {
	m.version++
	m.objects[key] = store.Object{
		Data:     append([]byte{}, data...),
		Metadata: md,
		ETag:     `"` + strconv.FormatInt(m.version, 10) + `"`,
	}
}

// Get implements store.Store.
func (m *Mem) Get(ctx context.Context, key string) (store.Object, error) {
	if err := check(ctx, "reading", key, nil); err != nil {
		return store.Object{}, err
	}
	m.mu.Lock()
	o, ok := m.objects[key]
	m.mu.Unlock()
	if !ok {
		return store.Object{}, fmt.Errorf("storefault: reading %q: %w", key, os.ErrNotExist)
	}
	o.Data = append([]byte{}, o.Data...)
	return o, nil
}

// Create implements store.Store.
func (m *Mem) Create(ctx context.Context, key string, data []byte, md store.Metadata) error {
	if err := check(ctx, "creating", key, &md); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if o, ok := m.objects[key]; ok {
		if string(o.Data) != string(data) {
			return fmt.Errorf("storefault: creating %q: %w", key, store.ErrImmutable)
		}
		return nil
	}
	m.set(key, data, md)
	return nil
}

// Put implements store.Store.
func (m *Mem) Put(ctx context.Context, key string, data []byte, md store.Metadata) error {
	if err := check(ctx, "writing", key, &md); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.set(key, data, md)
	return nil
}

// Swap implements store.Store.
func (m *Mem) Swap(ctx context.Context, key, etag string, data []byte, md store.Metadata) error {
	if err := check(ctx, "swapping", key, &md); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	o, ok := m.objects[key]
	if (ok && o.ETag != etag) || (!ok && etag != "") {
		return fmt.Errorf("storefault: swapping %q: %w", key, store.ErrPrecondition)
	}
	m.set(key, data, md)
	return nil
}

// List implements store.Store.
func (m *Mem) List(ctx context.Context, prefix string) ([]string, error) {
	if prefix != "" {
		// A prefix is valid when some valid key can start with it.
		if err := check(ctx, "listing", prefix+"x", nil); err != nil {
			return nil, err
		}
	} else if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("storefault: listing: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	keys := []string{}
	for k := range m.objects {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys, nil
}

// Sync implements store.Store: every write is already durable.
func (m *Mem) Sync(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("storefault: syncing: %w", err)
	}
	return nil
}
