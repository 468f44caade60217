package store

import (
	"context"

	"stele/tiles"
)

// Fetcher reads a log's tiles and bundles from s for the tile readers
// (tiles.HashReader): paths are keys of s, and a missing object wraps
// os.ErrNotExist, as both contracts say.
func Fetcher(s Store) tiles.Fetcher {
	return tiles.FetcherFunc(func(ctx context.Context, path string) ([]byte, error) {
		o, err := s.Get(ctx, path)
		return o.Data, err
	})
}
