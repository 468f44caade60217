package tiles

import (
	"fmt"

	"golang.org/x/mod/sumdb/tlog"
)

// Tile is a hash tile with its contents: Data is t.W hashes of 32 bytes,
// ready to be stored at [Path](t.Tile).
type Tile struct {
	tlog.Tile
	Data []byte
}

// HashTiles returns every hash tile (levels >= 0, full and the new partials)
// that tlog.NewTiles reports for growing a tree from oldSize to newSize,
// with bytes from tlog.ReadTileData(t, r). r must serve the stored hashes
// of a tree of at least newSize leaves (as tlog.StoredHashes computes
// them). The tiles come level by level, lowest first, in increasing N, so
// a writer that uploads them in order writes every child before its
// parent. Growing to the same size returns no tiles.
func HashTiles(oldSize, newSize int64, r tlog.HashReader) ([]Tile, error) {
	if oldSize < 0 || newSize < oldSize {
		return nil, fmt.Errorf("tiles: listing hash tiles for growing a tree from %d to %d leaves: sizes out of order", oldSize, newSize)
	}
	coords := tlog.NewTiles(Height, oldSize, newSize)
	out := make([]Tile, 0, len(coords))
	for _, t := range coords {
		data, err := tlog.ReadTileData(t, r)
		if err != nil {
			return nil, fmt.Errorf("tiles: reading the hashes of tile %s: %w", Path(t), err)
		}
		out = append(out, Tile{Tile: t, Data: data})
	}
	return out, nil
}

// BundleTiles returns the entry-bundle tiles (L = -1) that growing from
// oldSize to newSize creates or extends (full ones and the final partial),
// in increasing N. Growing to the same size returns none. It panics if
// oldSize is negative or greater than newSize.
func BundleTiles(oldSize, newSize int64) []tlog.Tile {
	if oldSize < 0 || newSize < oldSize {
		panic(fmt.Sprintf("tiles.BundleTiles: sizes out of order: %d to %d", oldSize, newSize))
	}
	if oldSize == newSize {
		return nil
	}
	var out []tlog.Tile
	for n := oldSize / Width; n < newSize/Width; n++ {
		out = append(out, tlog.Tile{H: Height, L: -1, N: n, W: Width})
	}
	if w := newSize % Width; w > 0 {
		out = append(out, tlog.Tile{H: Height, L: -1, N: newSize / Width, W: int(w)})
	}
	return out
}

// TileOf returns the tile at level l (-1 for entry bundles) that holds
// index i of that level in a tree of size treeSize: full when the tree
// covers all of it, partial otherwise. It panics unless 0 <= i and
// i << (8*l) < treeSize (for entry bundles, i < treeSize).
func TileOf(l int, i, treeSize int64) tlog.Tile {
	shift := uint(0)
	if l > 0 {
		shift = uint(Height * l)
	}
	levelSize := treeSize >> shift
	if i < 0 || i >= levelSize {
		panic(fmt.Sprintf("tiles.TileOf: index %d not in level %d of a tree of size %d", i, l, treeSize))
	}
	t := tlog.Tile{H: Height, L: l, N: i / Width, W: Width}
	if rest := levelSize - t.N*Width; rest < Width {
		t.W = int(rest)
	}
	return t
}
