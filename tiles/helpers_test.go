package tiles

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"os"
	"sync"
	"testing"

	"golang.org/x/mod/sumdb/tlog"
)

// record returns the contents of entry i of the test logs.
func record(i int64) []byte { return fmt.Appendf(nil, "entry %d of the test log", i) }

// hashLog holds the stored hashes of a test log of n entries, computed
// directly with tlog.StoredHashes. It is a tlog.HashReader.
type hashLog struct {
	n      int64
	hashes []tlog.Hash
}

func newHashLog(tb testing.TB, n int64) *hashLog {
	l := &hashLog{}
	l.grow(tb, n)
	return l
}

func (l *hashLog) grow(tb testing.TB, n int64) {
	tb.Helper()
	for l.n < n {
		hs, err := tlog.StoredHashes(l.n, record(l.n), l)
		if err != nil {
			tb.Fatalf("StoredHashes(%d): %v", l.n, err)
		}
		l.hashes = append(l.hashes, hs...)
		l.n++
	}
}

func (l *hashLog) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(l.hashes)) {
			return nil, fmt.Errorf("hash %d not stored (have %d)", x, len(l.hashes))
		}
		out[i] = l.hashes[x]
	}
	return out, nil
}

// tree returns the tree head of the first n entries, computed directly.
func (l *hashLog) tree(tb testing.TB, n int64) tlog.Tree {
	tb.Helper()
	h, err := tlog.TreeHash(n, l)
	if err != nil {
		tb.Fatalf("TreeHash(%d): %v", n, err)
	}
	return tlog.Tree{N: n, Hash: h}
}

// log70k is the log of the C2SP worked example, built once.
var log70k = sync.OnceValue(func() *hashLog {
	l := &hashLog{}
	l.grow(fatalTB{}, 70000)
	return l
})

// fatalTB lets helpers that take a testing.TB run outside a test; it panics
// where a test would fail.
type fatalTB struct{ testing.TB }

func (fatalTB) Helper() {}
func (fatalTB) Fatalf(format string, args ...any) {
	panic(fmt.Sprintf(format, args...))
}

// memStore is an in-memory Fetcher. Writes are immutable: writing other
// bytes at a path that exists fails the test.
type memStore struct {
	mu      sync.Mutex
	objs    map[string][]byte
	fetched []string
	fail    error // if set, every Fetch returns it
}

func newMemStore() *memStore { return &memStore{objs: make(map[string][]byte)} }

func (m *memStore) put(tb testing.TB, path string, data []byte) {
	tb.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	if old, ok := m.objs[path]; ok && !bytes.Equal(old, data) {
		tb.Fatalf("rewriting %s with different bytes", path)
	}
	m.objs[path] = bytes.Clone(data)
}

func (m *memStore) delete(path string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.objs, path)
}

func (m *memStore) clone() *memStore {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := newMemStore()
	c.objs = maps.Clone(m.objs)
	c.fail = m.fail
	return c
}

func (m *memStore) fetchCount() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.fetched)
}

func (m *memStore) Fetch(ctx context.Context, path string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.fetched = append(m.fetched, path)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if m.fail != nil {
		return nil, fmt.Errorf("memory store: reading %s: %w", path, m.fail)
	}
	b, ok := m.objs[path]
	if !ok {
		return nil, fmt.Errorf("memory store: reading %s: %w", path, os.ErrNotExist)
	}
	return bytes.Clone(b), nil
}

var _ Fetcher = (*memStore)(nil)

// writeTiles writes to m the hash tiles and entry bundles that growing l
// from oldSize to newSize creates, as a publisher would.
func writeTiles(tb testing.TB, m *memStore, l *hashLog, oldSize, newSize int64) {
	tb.Helper()
	ts, err := HashTiles(oldSize, newSize, l)
	if err != nil {
		tb.Fatalf("HashTiles(%d, %d): %v", oldSize, newSize, err)
	}
	for _, t := range ts {
		m.put(tb, Path(t.Tile), t.Data)
	}
	for _, t := range BundleTiles(oldSize, newSize) {
		m.put(tb, Path(t), bundleFor(tb, t))
	}
}

// bundleFor returns the entry bundle t of the test logs.
func bundleFor(tb testing.TB, t tlog.Tile) []byte {
	tb.Helper()
	var b []byte
	for i := range int64(t.W) {
		var err error
		if b, err = AppendEntry(b, record(t.N*Width+i)); err != nil {
			tb.Fatal(err)
		}
	}
	return b
}
