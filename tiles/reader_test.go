package tiles

import (
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"testing"

	"golang.org/x/mod/sumdb/tlog"
)

// checkTree reads tree back through r and checks its hash, an inclusion
// proof for leaf and, when old > 0, a consistency proof from old.
func checkTree(t *testing.T, l *hashLog, tree tlog.Tree, r tlog.HashReader, leaf, old int64) {
	t.Helper()
	h, err := tlog.TreeHash(tree.N, r)
	if err != nil {
		t.Fatalf("size %d: TreeHash through tiles: %v", tree.N, err)
	}
	if h != tree.Hash {
		t.Fatalf("size %d: TreeHash through tiles = %v, want %v", tree.N, h, tree.Hash)
	}
	p, err := tlog.ProveRecord(tree.N, leaf, r)
	if err != nil {
		t.Fatalf("size %d: ProveRecord(%d): %v", tree.N, leaf, err)
	}
	if err := tlog.CheckRecord(p, tree.N, tree.Hash, leaf, tlog.RecordHash(record(leaf))); err != nil {
		t.Fatalf("size %d: CheckRecord(%d): %v", tree.N, leaf, err)
	}
	if old > 0 {
		p, err := tlog.ProveTree(tree.N, old, r)
		if err != nil {
			t.Fatalf("size %d: ProveTree(%d): %v", tree.N, old, err)
		}
		if err := tlog.CheckTree(p, tree.N, tree.Hash, old, l.tree(t, old).Hash); err != nil {
			t.Fatalf("size %d: CheckTree(%d): %v", tree.N, old, err)
		}
	}
}

// TestReadBackEverySize grows logs to every size from 1 to 1000, from
// several earlier sizes, writing only the tiles HashTiles and BundleTiles
// list, and reads every tree back through the tiles.
func TestReadBackEverySize(t *testing.T) {
	ctx := context.Background()
	const maxSize = 1000
	l := newHashLog(t, maxSize)
	rng := rand.New(rand.NewPCG(3, 4))

	// One log grown an entry at a time, as a busy publisher would.
	steady := newMemStore()
	for n := int64(1); n <= maxSize; n++ {
		olds := []int64{n - 1, 0, rng.Int64N(n)}
		if testing.Short() && n%16 != 0 && n%Width > 2 && n%Width < Width-2 {
			// Short runs regrow from scratch only at a sample of sizes
			// and around tile boundaries.
			olds = olds[:1]
		}
		for _, old := range olds {
			m := steady
			if old != n-1 {
				m = newMemStore()
				writeTiles(t, m, l, 0, old)
			}
			writeTiles(t, m, l, old, n)
			tree := l.tree(t, n)
			leaf := rng.Int64N(n)

			plain := tlog.TileHashReader(tree, NewTileReader(ctx, m, nil))
			checkTree(t, l, tree, plain, leaf, old)
			checkTree(t, l, tree, HashReader(ctx, tree, m), leaf, old)

			entries, err := ReadBundle(ctx, m, TileOf(-1, leaf, n))
			if err != nil {
				t.Fatalf("size %d: ReadBundle for entry %d: %v", n, leaf, err)
			}
			if got := entries[leaf%Width]; string(got) != string(record(leaf)) {
				t.Fatalf("size %d: entry %d = %q", n, leaf, got)
			}
		}
	}
}

// tamper returns a copy of m in which one byte of the object at path is
// flipped.
func tamper(m *memStore, path string, rng *rand.Rand) *memStore {
	c := m.clone()
	b := append([]byte(nil), c.objs[path]...)
	b[rng.IntN(len(b))] ^= 1 << rng.IntN(8)
	c.objs[path] = b
	return c
}

// TestTamperedTile flips a byte in every tile of logs of many sizes and
// reads a hash that needs that tile: the read must fail, and succeed on the
// untampered copy.
func TestTamperedTile(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(5, 6))
	l := log70k()
	sizes := []int64{70000, 65536, 65537}
	for n := int64(1); n <= 600; n++ {
		sizes = append(sizes, n)
	}
	if testing.Short() {
		sizes = sizes[:40]
	}
	tampered := 0
	for _, n := range sizes {
		m := newMemStore()
		writeTiles(t, m, l, 0, n)
		tree := l.tree(t, n)
		ts, err := HashTiles(0, n, l)
		if err != nil {
			t.Fatal(err)
		}
		for _, tt := range ts {
			if n == 70000 && tt.L == 0 && tt.N%17 != 0 && tt.W == Width {
				continue // a sample of the 273 full level-0 tiles is enough
			}
			idx := []int64{tlog.StoredHashIndex(Height*tt.L, tt.N*Width)}

			if _, err := HashReader(ctx, tree, m).ReadHashes(idx); err != nil {
				t.Fatalf("size %d, control for %s: %v", n, Path(tt.Tile), err)
			}

			bad := tamper(m, Path(tt.Tile), rng)
			saved := false
			tr := NewTileReader(ctx, bad, func([]tlog.Tile, [][]byte) { saved = true })
			if _, err := tlog.TileHashReader(tree, tr).ReadHashes(idx); err == nil {
				t.Fatalf("size %d: tampered %s read without error", n, Path(tt.Tile))
			}
			if saved {
				t.Fatalf("size %d: tampered %s saved", n, Path(tt.Tile))
			}
			_, err := HashReader(ctx, tree, bad).ReadHashes(idx)
			if !errors.Is(err, ErrInconsistentTile) {
				t.Fatalf("size %d: tampered %s: error %v does not wrap ErrInconsistentTile", n, Path(tt.Tile), err)
			}
			if errors.Is(err, os.ErrNotExist) {
				t.Fatalf("size %d: tampered %s: error %v wraps ErrNotExist", n, Path(tt.Tile), err)
			}
			tampered++
		}
	}
	t.Logf("%d tampered tiles rejected", tampered)
}

// TestPartialFallback deletes every partial tile of a 70,000-entry log and
// reads smaller trees, whose partial tiles are all prefixes of full tiles.
func TestPartialFallback(t *testing.T) {
	ctx := context.Background()
	l := log70k()
	full := newMemStore()
	writeTiles(t, full, l, 0, 70000)
	for p := range full.objs {
		if strings.Contains(p, ".p/") {
			full.delete(p)
		}
	}
	rng := rand.New(rand.NewPCG(7, 8))
	sizes := []int64{1, 2, 255, 256, 257, 1000, 65535}
	for range 100 {
		sizes = append(sizes, 1+rng.Int64N(65535))
	}
	for _, n := range sizes {
		tree := l.tree(t, n)
		leaf := rng.Int64N(n)
		checkTree(t, l, tree, tlog.TileHashReader(tree, NewTileReader(ctx, full, nil)), leaf, rng.Int64N(n))
		checkTree(t, l, tree, HashReader(ctx, tree, full), leaf, 0)
		entries, err := ReadBundle(ctx, full, TileOf(-1, leaf, n))
		if err != nil {
			t.Fatalf("size %d: ReadBundle: %v", n, err)
		}
		if string(entries[leaf%Width]) != string(record(leaf)) || len(entries) != TileOf(-1, leaf, n).W {
			t.Fatalf("size %d: wrong bundle for entry %d", n, leaf)
		}
	}

	// Control: the tree of 70,000 entries needs partial tiles that have no
	// full tile, so it cannot be read.
	tree := l.tree(t, 70000)
	_, err := tlog.TreeHash(tree.N, HashReader(ctx, tree, full))
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("size 70000 without partial tiles: %v, want ErrNotExist", err)
	}
	if !strings.Contains(err.Error(), ".p/") {
		t.Errorf("error %q does not name a missing partial tile", err)
	}
}

func TestMissingTiles(t *testing.T) {
	ctx := context.Background()
	l := newHashLog(t, 1000)
	m := newMemStore()
	writeTiles(t, m, l, 0, 100)
	tree := l.tree(t, 1000)

	_, err := tlog.TreeHash(tree.N, tlog.TileHashReader(tree, NewTileReader(ctx, m, nil)))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("plain reader: %v, want ErrNotExist", err)
	}
	_, err = tlog.TreeHash(tree.N, HashReader(ctx, tree, m))
	if !errors.Is(err, os.ErrNotExist) || errors.Is(err, ErrInconsistentTile) {
		t.Errorf("HashReader: %v, want ErrNotExist only", err)
	}
	_, err = ReadBundle(ctx, m, TileOf(-1, 999, 1000))
	if !errors.Is(err, os.ErrNotExist) || errors.Is(err, ErrMalformedBundle) {
		t.Errorf("ReadBundle: %v, want ErrNotExist only", err)
	}
}

func TestFetchErrorPassesThrough(t *testing.T) {
	ctx := context.Background()
	l := newHashLog(t, 1000)
	m := newMemStore()
	writeTiles(t, m, l, 0, 1000)
	tree := l.tree(t, 1000)
	errNet := errors.New("connection reset")

	down := m.clone()
	down.fail = errNet
	_, err := tlog.TreeHash(tree.N, HashReader(ctx, tree, down))
	if !errors.Is(err, errNet) || errors.Is(err, os.ErrNotExist) || errors.Is(err, ErrInconsistentTile) {
		t.Errorf("store down: %v", err)
	}
	_, err = ReadBundle(ctx, down, TileOf(-1, 0, 1000))
	if !errors.Is(err, errNet) || errors.Is(err, os.ErrNotExist) {
		t.Errorf("ReadBundle, store down: %v", err)
	}

	// A missing partial tile whose full tile cannot be read (rather than
	// is missing) is not reported as missing.
	flaky := FetcherFunc(func(ctx context.Context, p string) ([]byte, error) {
		if p == "tile/0/003" || p == "tile/entries/003" {
			return nil, errNet
		}
		if strings.HasPrefix(p, "tile/0/003.p/") || strings.HasPrefix(p, "tile/entries/003.p/") {
			return nil, os.ErrNotExist
		}
		return m.Fetch(ctx, p)
	})
	_, err = tlog.TreeHash(tree.N, HashReader(ctx, tree, flaky))
	if !errors.Is(err, errNet) || errors.Is(err, os.ErrNotExist) {
		t.Errorf("partial missing, full unreadable: %v", err)
	}
	_, err = ReadBundle(ctx, flaky, TileOf(-1, 999, 1000))
	if !errors.Is(err, errNet) || errors.Is(err, os.ErrNotExist) {
		t.Errorf("ReadBundle, partial missing, full unreadable: %v", err)
	}

	// A cancelled context reaches the fetcher.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err = tlog.TreeHash(tree.N, HashReader(cctx, tree, m))
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestMalformedTileLength(t *testing.T) {
	ctx := context.Background()
	l := newHashLog(t, 1000)
	m := newMemStore()
	writeTiles(t, m, l, 0, 1000)
	tree := l.tree(t, 1000)

	for _, tc := range []struct {
		path string
		cut  int
	}{
		{"tile/0/003.p/232", 1},
		{"tile/0/003.p/232", 32},
		{"tile/1/000.p/3", 32},
		{"tile/0/003.p/232", -32}, // one hash too many
	} {
		bad := m.clone()
		b := bad.objs[tc.path]
		if tc.cut > 0 {
			b = b[:len(b)-tc.cut]
		} else {
			b = append(b, make([]byte, -tc.cut)...)
		}
		bad.objs[tc.path] = b
		_, err := tlog.TreeHash(tree.N, HashReader(ctx, tree, bad))
		if !errors.Is(err, ErrMalformedTile) || !strings.Contains(err.Error(), tc.path) {
			t.Errorf("%s changed by %d bytes: %v", tc.path, -tc.cut, err)
		}
	}

	// A full tile read in place of a missing partial must be full.
	full := newMemStore()
	writeTiles(t, full, log70k(), 0, 70000)
	for p := range full.objs {
		if strings.Contains(p, ".p/") {
			full.delete(p)
		}
	}
	tree515 := l.tree(t, 515)
	bad := full.clone()
	bad.objs["tile/0/002"] = bad.objs["tile/0/002"][:TileSize-32]
	_, err := tlog.TreeHash(tree515.N, HashReader(ctx, tree515, bad))
	if !errors.Is(err, ErrMalformedTile) || !strings.Contains(err.Error(), "tile/0/002") {
		t.Errorf("short full tile in place of a partial: %v", err)
	}
	// Control: with the full tile intact, tree 515 reads from it.
	if _, err := tlog.TreeHash(tree515.N, HashReader(ctx, tree515, full)); err != nil {
		t.Errorf("control: %v", err)
	}
}

func TestSaveTilesAuthenticatedOnly(t *testing.T) {
	ctx := context.Background()
	l := newHashLog(t, 1000)
	m := newMemStore()
	writeTiles(t, m, l, 0, 1000)
	tree := l.tree(t, 1000)

	var saved []tlog.Tile
	tr := NewTileReader(ctx, m, func(ts []tlog.Tile, data [][]byte) {
		for i, tt := range ts {
			if len(data[i]) != tt.W*tlog.HashSize {
				t.Errorf("saved %s with %d bytes", Path(tt), len(data[i]))
			}
		}
		saved = append(saved, ts...)
	})
	if tr.Height() != Height {
		t.Fatalf("Height() = %d", tr.Height())
	}
	if _, err := tlog.ProveRecord(tree.N, 3, tlog.TileHashReader(tree, tr)); err != nil {
		t.Fatal(err)
	}
	paths := map[string]bool{}
	for _, tt := range saved {
		paths[Path(tt)] = true
	}
	for _, want := range []string{"tile/0/000", "tile/0/003.p/232", "tile/1/000.p/3"} {
		if !paths[want] {
			t.Errorf("%s not saved (saved %v)", want, paths)
		}
	}

	// Negative control: tiles that fail authentication are not saved.
	saved = nil
	bad := tamper(m, "tile/0/000", rand.New(rand.NewPCG(9, 10)))
	tr = NewTileReader(ctx, bad, func(ts []tlog.Tile, _ [][]byte) { saved = append(saved, ts...) })
	if _, err := tlog.ProveRecord(tree.N, 3, tlog.TileHashReader(tree, tr)); err == nil {
		t.Fatal("tampered tile accepted")
	}
	if len(saved) != 0 {
		t.Errorf("saved %v after a failed authentication", saved)
	}
}

func TestHashReaderCache(t *testing.T) {
	ctx := context.Background()
	l := newHashLog(t, 1000)
	m := newMemStore()
	writeTiles(t, m, l, 0, 1000)
	tree := l.tree(t, 1000)
	r := HashReader(ctx, tree, m)

	checkTree(t, l, tree, r, 7, 500)
	first := m.fetchCount()
	if first == 0 {
		t.Fatal("no fetches")
	}
	checkTree(t, l, tree, r, 7, 500)
	if again := m.fetchCount() - first; again != 0 {
		t.Errorf("repeating the proofs fetched %d more tiles", again)
	}
	// Control: a fresh reader fetches again.
	checkTree(t, l, tree, HashReader(ctx, tree, m), 7, 500)
	if m.fetchCount() == first {
		t.Error("a fresh reader fetched nothing")
	}

	if hs, err := r.ReadHashes(nil); err != nil || len(hs) != 0 {
		t.Errorf("ReadHashes(nil) = %v, %v", hs, err)
	}
	for _, x := range []int64{-1, tlog.StoredHashIndex(0, 1000)} {
		_, err := r.ReadHashes([]int64{x})
		if err == nil || errors.Is(err, ErrInconsistentTile) {
			t.Errorf("ReadHashes(%d) = %v, want an out-of-tree error", x, err)
		}
	}
	empty := HashReader(ctx, tlog.Tree{}, m)
	if _, err := empty.ReadHashes([]int64{0}); err == nil {
		t.Errorf("ReadHashes on an empty tree succeeded")
	}
}

// TestHashReaderConcurrent runs proofs on one reader from several
// goroutines (meaningful under the race detector).
func TestHashReaderConcurrent(t *testing.T) {
	ctx := context.Background()
	l := newHashLog(t, 3000)
	m := newMemStore()
	writeTiles(t, m, l, 0, 3000)
	tree := l.tree(t, 3000)
	r := HashReader(ctx, tree, m)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Go(func() {
			for i := int64(g); i < 3000; i += 97 {
				p, err := tlog.ProveRecord(tree.N, i, r)
				if err == nil {
					err = tlog.CheckRecord(p, tree.N, tree.Hash, i, tlog.RecordHash(record(i)))
				}
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestReadBundleMalformed(t *testing.T) {
	ctx := context.Background()
	l := newHashLog(t, 300)
	m := newMemStore()
	writeTiles(t, m, l, 0, 300)

	for _, tc := range []struct {
		name string
		path string
		data []byte
		want tlog.Tile
	}{
		{"one entry short", "tile/entries/001.p/44", bundleFor(t, tlog.Tile{H: Height, L: -1, N: 1, W: 43}), TileOf(-1, 299, 300)},
		{"one entry long", "tile/entries/001.p/44", bundleFor(t, tlog.Tile{H: Height, L: -1, N: 1, W: 45}), TileOf(-1, 299, 300)},
		{"truncated", "tile/entries/000", bundleFor(t, TileOf(-1, 0, 300))[1:], TileOf(-1, 0, 300)},
	} {
		bad := m.clone()
		bad.objs[tc.path] = tc.data
		_, err := ReadBundle(ctx, bad, tc.want)
		if !errors.Is(err, ErrMalformedBundle) || !strings.Contains(err.Error(), tc.path) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}

	// A short full bundle read in place of a missing partial.
	bad := m.clone()
	bad.objs["tile/entries/000"] = bad.objs["tile/entries/000"][:100]
	_, err := ReadBundle(ctx, bad, tlog.Tile{H: Height, L: -1, N: 0, W: 10})
	if !errors.Is(err, ErrMalformedBundle) || !strings.Contains(err.Error(), "tile/entries/000.p/10") {
		t.Errorf("short full bundle: %v", err)
	}
	// Control: intact, the full bundle serves the missing partial.
	if es, err := ReadBundle(ctx, m, tlog.Tile{H: Height, L: -1, N: 0, W: 10}); err != nil || len(es) != 10 {
		t.Errorf("control: %d entries, %v", len(es), err)
	}

	for _, tl := range []tlog.Tile{{H: Height, L: 0, N: 0, W: 1}, {H: 4, L: -1, N: 0, W: 1}, {H: Height, L: -1, N: 0, W: 0}} {
		if _, err := ReadBundle(ctx, m, tl); err == nil {
			t.Errorf("ReadBundle(%+v) succeeded", tl)
		}
	}
}

func TestReadTilesRejectsForeignTiles(t *testing.T) {
	tr := NewTileReader(context.Background(), newMemStore(), nil)
	for _, tl := range []tlog.Tile{{H: 2, L: 0, N: 0, W: 1}, {H: Height, L: -1, N: 0, W: 1}, {H: Height, L: 0, N: 0, W: 0}} {
		if _, err := tr.ReadTiles([]tlog.Tile{tl}); err == nil {
			t.Errorf("ReadTiles(%+v) succeeded", tl)
		}
	}
}
