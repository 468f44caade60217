package tiles

import (
	"context"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"
)

// cachedTiles is how many authenticated tiles a HashReader keeps: enough
// for the tiles on the right edge of any tree plus a few proofs' worth.
const cachedTiles = 64

// HashReader returns a tlog.HashReader for tree whose every tile is
// authenticated against tree.Hash before use (tlog.TileHashReader over
// NewTileReader), with a small cache of authenticated tiles so that repeated
// proofs do not refetch.
//
// ReadHashes errors wrap the Fetcher's error when a tile could not be read
// (os.ErrNotExist when it is missing), [ErrMalformedTile] when a tile has the
// wrong length, and [ErrInconsistentTile] when the tiles do not hash to
// tree.Hash. Asking for a hash outside the tree is an error wrapping none
// of these. The reader may be used concurrently.
func HashReader(ctx context.Context, tree tlog.Tree, f Fetcher) tlog.HashReader {
	return &hashReader{
		tree: tree,
		tr:   &tileReader{ctx: ctx, f: f, cache: newTileCache(cachedTiles)},
	}
}

type hashReader struct {
	tree tlog.Tree
	tr   *tileReader
}

func (h *hashReader) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	if len(indexes) == 0 {
		return []tlog.Hash{}, nil
	}
	limit := tlog.StoredHashIndex(0, h.tree.N)
	for _, x := range indexes {
		if x < 0 || x >= limit {
			return nil, fmt.Errorf("tiles: reading stored hash %d: not in a tree of size %d", x, h.tree.N)
		}
	}
	// tlog.TileHashReader returns ReadTiles errors unchanged; every other
	// error it returns means the tiles failed authentication. A reader per
	// call tells the two apart even when calls run concurrently.
	call := &trackingReader{tileReader: h.tr}
	hashes, err := tlog.TileHashReader(h.tree, call).ReadHashes(indexes)
	if err != nil {
		if call.err != nil {
			return nil, err // could not read a tile, or it had the wrong length
		}
		return nil, fmt.Errorf("%w: tree of size %d: %w", ErrInconsistentTile, h.tree.N, err)
	}
	return hashes, nil
}

// trackingReader remembers the error its ReadTiles returned.
type trackingReader struct {
	*tileReader
	err error
}

func (t *trackingReader) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	data, err := t.tileReader.ReadTiles(tiles)
	t.err = err
	return data, err
}
