package verify

import (
	"crypto/sha256"
	"fmt"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"stele/tiles"
)

// leafHashes returns the RFC 6962 leaf hashes of n distinct entries.
func leafHashes(n int) []tlog.Hash {
	hs := make([]tlog.Hash, n)
	for i := range hs {
		hs[i] = tlog.RecordHash(fmt.Appendf(nil, "leaf %d", i))
	}
	return hs
}

// mth is the reference: RFC 6962's definition of the Merkle tree hash of
// the leaves hs, recursively.
func mth(hs []tlog.Hash) tlog.Hash {
	switch len(hs) {
	case 0:
		return sha256.Sum256(nil)
	case 1:
		return hs[0]
	}
	k := 1
	for k*2 < len(hs) {
		k *= 2
	}
	return tlog.NodeHash(mth(hs[:k]), mth(hs[k:]))
}

type tileNode struct {
	level int
	index int64
	h     tlog.Hash
}

// TestTreeBuilderSubtrees: a tree grown by full tiles' subtree roots, then
// leaf by leaf, has RFC 6962's root and reports the same tile-level nodes as
// one grown leaf by leaf, for every size up to a few tiles and at sizes
// that complete upper tiles.
func TestTreeBuilderSubtrees(t *testing.T) {
	const max = 3*tiles.Width + 5
	hs := leafHashes(max)
	sizes := []int{0, 1, 2, 3, 255, 256, 257, 511, 512, 513, max}
	if !testing.Short() {
		sizes = sizes[:0]
		for n := 0; n <= max; n++ {
			sizes = append(sizes, n)
		}
	}
	var scratch [tiles.Width / 2]tlog.Hash
	for _, n := range sizes {
		var byLeaf, byTile []tileNode
		a := treeBuilder{onTileNode: func(l int, i int64, h tlog.Hash) error {
			byLeaf = append(byLeaf, tileNode{l, i, h})
			return nil
		}}
		b := treeBuilder{onTileNode: func(l int, i int64, h tlog.Hash) error {
			byTile = append(byTile, tileNode{l, i, h})
			return nil
		}}
		for i := range n {
			if err := a.add(hs[i]); err != nil {
				t.Fatal(err)
			}
		}
		i := 0
		for ; i+tiles.Width <= n; i += tiles.Width {
			var tile []byte
			for _, h := range hs[i : i+tiles.Width] {
				tile = append(tile, h[:]...)
			}
			if err := b.push(tileRoot(tile, scratch[:]), tiles.Height); err != nil {
				t.Fatal(err)
			}
		}
		for ; i < n; i++ {
			if err := b.add(hs[i]); err != nil {
				t.Fatal(err)
			}
		}
		want := mth(hs[:n])
		if a.n != int64(n) || b.n != int64(n) || a.root() != want || b.root() != want {
			t.Fatalf("size %d: sizes %d, %d; roots %v, %v; RFC 6962's %v", n, a.n, b.n, a.root(), b.root(), want)
		}
		if fmt.Sprint(byLeaf) != fmt.Sprint(byTile) {
			t.Fatalf("size %d: tile nodes differ:\nleaf by leaf %v\nby tile %v", n, byLeaf, byTile)
		}
		if len(byLeaf) != n/tiles.Width {
			t.Fatalf("size %d: %d level-1 nodes reported, want %d", n, len(byLeaf), n/tiles.Width)
		}
	}
	if (&treeBuilder{}).root() != sha256.Sum256(nil) {
		t.Fatal("the empty tree's root is not SHA-256 of nothing")
	}
}

// TestTreeBuilderUpperLevels: a 65,536-leaf tree built from 256 subtree
// roots reports its level-2 node, and that node is the root.
func TestTreeBuilderUpperLevels(t *testing.T) {
	var seen []tileNode
	b := treeBuilder{onTileNode: func(l int, i int64, h tlog.Hash) error {
		seen = append(seen, tileNode{l, i, h})
		return nil
	}}
	hs := leafHashes(tiles.Width * tiles.Width)
	var scratch [tiles.Width / 2]tlog.Hash
	for k := range tiles.Width {
		var tile []byte
		for _, h := range hs[k*tiles.Width : (k+1)*tiles.Width] {
			tile = append(tile, h[:]...)
		}
		if err := b.push(tileRoot(tile, scratch[:]), tiles.Height); err != nil {
			t.Fatal(err)
		}
	}
	if len(seen) != tiles.Width+1 {
		t.Fatalf("%d tile nodes, want %d", len(seen), tiles.Width+1)
	}
	last := seen[len(seen)-1]
	if last.level != 2 || last.index != 0 || last.h != b.root() {
		t.Fatalf("last node reported: level %d index %d, want level 2 index 0 and the root", last.level, last.index)
	}
	if want := mth(hs); b.root() != want {
		t.Fatalf("root %v, RFC 6962's %v", b.root(), want)
	}
}

// TestTreeBuilderStops: an error from onTileNode stops the growth.
func TestTreeBuilderStops(t *testing.T) {
	stop := fmt.Errorf("stop")
	b := treeBuilder{onTileNode: func(int, int64, tlog.Hash) error { return stop }}
	hs := leafHashes(tiles.Width)
	for i, h := range hs {
		err := b.add(h)
		if i < tiles.Width-1 && err != nil {
			t.Fatalf("leaf %d: %v", i, err)
		}
		if i == tiles.Width-1 && err != stop {
			t.Fatalf("the leaf completing a tile: %v, want the callback's error", err)
		}
	}
	if err := (&treeBuilder{onTileNode: b.onTileNode}).push(hs[0], tiles.Height); err != stop {
		t.Fatalf("pushing a tile root: %v, want the callback's error", err)
	}
}

func TestLeafHasher(t *testing.T) {
	lh := newLeafHasher()
	for _, e := range [][]byte{nil, {0}, make([]byte, 200), []byte("entry")} {
		if got, want := lh.sum(e), tlog.RecordHash(e); got != want {
			t.Fatalf("leaf hash of %q: %v, want %v", e, got, want)
		}
	}
}
