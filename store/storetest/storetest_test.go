package storetest_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"

	"stele/store"
	"stele/store/storetest"
)

// mem is a minimal in-memory Store that can hold a key and its prefixes at
// once, as S3 can: a second implementation for the suite, and the base of
// the broken ones below.
type mem struct {
	mu      sync.Mutex
	objects map[string]store.Object
	version int
}

func newMem() *mem { return &mem{objects: make(map[string]store.Object)} }

func (m *mem) check(ctx context.Context, key string, md store.Metadata) error {
	if err := store.CheckKey(key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, v := range []string{md.ContentType, md.CacheControl, md.ContentEncoding} {
		for _, c := range []byte(v) {
			if (c < 0x20 && c != '\t') || c > 0x7e {
				return store.ErrInvalidMetadata
			}
		}
	}
	return nil
}

func (m *mem) Get(ctx context.Context, key string) (store.Object, error) {
	if err := m.check(ctx, key, store.Metadata{}); err != nil {
		return store.Object{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	o, ok := m.objects[key]
	if !ok {
		return store.Object{}, fmt.Errorf("%q: %w", key, fs.ErrNotExist)
	}
	o.Data = slices.Clone(o.Data)
	return o, nil
}

func (m *mem) set(key string, data []byte, md store.Metadata) {
	m.version++
	m.objects[key] = store.Object{Data: slices.Clone(data), Metadata: md, ETag: fmt.Sprintf(`"v%d"`, m.version)}
}

func (m *mem) Create(ctx context.Context, key string, data []byte, md store.Metadata) error {
	if err := m.check(ctx, key, md); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if o, ok := m.objects[key]; ok {
		if string(o.Data) != string(data) {
			return fmt.Errorf("%q: %w", key, store.ErrImmutable)
		}
		return nil
	}
	m.set(key, data, md)
	return nil
}

func (m *mem) Put(ctx context.Context, key string, data []byte, md store.Metadata) error {
	if err := m.check(ctx, key, md); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.set(key, data, md)
	return nil
}

func (m *mem) Swap(ctx context.Context, key, etag string, data []byte, md store.Metadata) error {
	if err := m.check(ctx, key, md); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if o, ok := m.objects[key]; (ok && o.ETag != etag) || (!ok && etag != "") {
		return fmt.Errorf("%q: %w", key, store.ErrPrecondition)
	}
	m.set(key, data, md)
	return nil
}

func (m *mem) List(ctx context.Context, prefix string) ([]string, error) {
	if prefix != "" {
		if err := store.CheckKey(prefix + "x"); err != nil {
			return nil, err
		}
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

func (m *mem) Sync(ctx context.Context) error { return nil }

func TestMem(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return newMem() })
}

// Broken stores, each breaking one clause of the contract.
type (
	overwritingCreate struct{ *mem }
	blindSwap         struct{ *mem }
	unsortedList      struct{ *mem }
	laxKeys           struct{ *mem }
	vagueNotFound     struct{ *mem }
	sharedData        struct{ *mem }
)

func (s overwritingCreate) Create(ctx context.Context, key string, data []byte, md store.Metadata) error {
	return s.Put(ctx, key, data, md)
}

func (s blindSwap) Swap(ctx context.Context, key, etag string, data []byte, md store.Metadata) error {
	return s.Put(ctx, key, data, md)
}

func (s unsortedList) List(ctx context.Context, prefix string) ([]string, error) {
	keys, err := s.mem.List(ctx, prefix)
	slices.Reverse(keys)
	return keys, err
}

func (s laxKeys) Put(ctx context.Context, key string, data []byte, md store.Metadata) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.set(key, data, md)
	return nil
}

func (s vagueNotFound) Get(ctx context.Context, key string) (store.Object, error) {
	o, err := s.mem.Get(ctx, key)
	if errors.Is(err, fs.ErrNotExist) {
		err = errors.New("no such object")
	}
	return o, err
}

func (s sharedData) Get(ctx context.Context, key string) (store.Object, error) {
	s.mu.Lock()
	o, ok := s.objects[key]
	s.mu.Unlock()
	if !ok {
		return s.mem.Get(ctx, key)
	}
	return o, nil // the stored slice itself
}

var broken = map[string]func() store.Store{
	"overwritingCreate": func() store.Store { return overwritingCreate{newMem()} },
	"blindSwap":         func() store.Store { return blindSwap{newMem()} },
	"unsortedList":      func() store.Store { return unsortedList{newMem()} },
	"laxKeys":           func() store.Store { return laxKeys{newMem()} },
	"vagueNotFound":     func() store.Store { return vagueNotFound{newMem()} },
	"sharedData":        func() store.Store { return sharedData{newMem()} },
}

const brokenEnv = "STORETEST_BROKEN"

// TestBroken runs the suite on one broken store, named by the environment;
// TestSuiteCatchesBrokenStores runs it in a child process and expects it to
// fail.
func TestBroken(t *testing.T) {
	name := os.Getenv(brokenEnv)
	if name == "" {
		t.Skip("run by TestSuiteCatchesBrokenStores in a child process")
	}
	storetest.Run(t, func(t *testing.T) store.Store { return broken[name]() })
}

// TestSuiteCatchesBrokenStores is the suite's negative control: for each
// broken store, the subtest that covers the broken clause must fail.
func TestSuiteCatchesBrokenStores(t *testing.T) {
	want := map[string]string{
		"overwritingCreate": "CreateDifferent",
		"blindSwap":         "SwapETag",
		"unsortedList":      "List",
		"laxKeys":           "InvalidKeys",
		"vagueNotFound":     "GetMissing",
		"sharedData":        "Copies",
	}
	for name := range broken {
		t.Run(name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestBroken$", "-test.v")
			cmd.Env = append(os.Environ(), brokenEnv+"="+name)
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("the suite passed a store with a broken contract:\n%s", out)
			}
			if !strings.Contains(string(out), "--- FAIL: TestBroken/"+want[name]+" ") {
				t.Errorf("subtest %s did not fail:\n%s", want[name], out)
			}
		})
	}
}
