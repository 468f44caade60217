package tiles

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"

	"golang.org/x/mod/sumdb/tlog"
)

// fetchConcurrency bounds the fetches one ReadTiles call has in flight.
const fetchConcurrency = 8

// NewTileReader returns a tlog.TileReader over f. ReadTiles fetches each
// tile (concurrently, bounded) and falls back from a missing partial tile to
// the full tile (truncated to the partial's width). It checks each tile's
// length (W*32 bytes). It is meant to be wrapped by tlog.TileHashReader,
// which authenticates tiles against a tree root before they are used:
// SaveTiles is only called with authenticated tiles and then calls save
// (may be nil), e.g. to cache them.
//
// ReadTiles errors wrap the Fetcher's error (os.ErrNotExist when a tile and,
// for a partial tile, its full tile are both missing) or [ErrMalformedTile]
// when a fetched tile has the wrong length. ctx bounds every fetch.
func NewTileReader(ctx context.Context, f Fetcher, save func([]tlog.Tile, [][]byte)) tlog.TileReader {
	return &tileReader{ctx: ctx, f: f, save: save}
}

// tileReader implements NewTileReader; with a non-nil cache, it also serves
// tiles from it and fills it with authenticated tiles.
type tileReader struct {
	ctx   context.Context
	f     Fetcher
	save  func([]tlog.Tile, [][]byte)
	cache *tileCache
}

var _ tlog.TileReader = (*tileReader)(nil)

func (r *tileReader) Height() int { return Height }

func (r *tileReader) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	data := make([][]byte, len(tiles))
	var todo []int
	for i, t := range tiles {
		if t.H != Height || t.L < 0 || t.L > maxLevel || t.N < 0 || t.W < 1 || t.W > Width {
			return nil, fmt.Errorf("tiles: reading tile %+v: not a hash tile of height %d", t, Height)
		}
		if d := r.cache.get(t); d != nil {
			data[i] = d
			continue
		}
		todo = append(todo, i)
	}
	if len(todo) == 0 {
		return data, nil
	}

	ctx, cancel := context.WithCancel(r.ctx)
	defer cancel()
	var (
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
		sem      = make(chan struct{}, fetchConcurrency)
	)
	for _, i := range todo {
		sem <- struct{}{}
		mu.Lock()
		failed := firstErr != nil
		mu.Unlock()
		if failed {
			<-sem
			break
		}
		wg.Go(func() {
			defer func() { <-sem }()
			d, err := r.readTile(ctx, tiles[i])
			if err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = err
					cancel()
				}
				mu.Unlock()
				return
			}
			data[i] = d
		})
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	return data, nil
}

// readTile fetches one hash tile, falling back from a missing partial tile
// to the full tile, and checks its length.
func (r *tileReader) readTile(ctx context.Context, t tlog.Tile) ([]byte, error) {
	p := Path(t)
	want := t.W * tlog.HashSize
	b, err := r.f.Fetch(ctx, p)
	if err == nil {
		if len(b) != want {
			return nil, fmt.Errorf("%w: %s has %d bytes, want %d", ErrMalformedTile, p, len(b), want)
		}
		return b, nil
	}
	if t.W == Width || !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("tiles: fetching tile %s: %w", p, err)
	}

	full := t
	full.W = Width
	fp := Path(full)
	b, ferr := r.f.Fetch(ctx, fp)
	if ferr != nil {
		// Only the full tile's error is wrapped: whether the partial
		// tile is missing no longer matters once the full tile could not
		// be read, and that error alone says whether to retry.
		return nil, fmt.Errorf("tiles: fetching tile %s (missing: %v) or its full tile: %w", p, err, ferr)
	}
	if len(b) != TileSize {
		return nil, fmt.Errorf("%w: %s, read in place of missing %s, has %d bytes, want %d", ErrMalformedTile, fp, p, len(b), TileSize)
	}
	return b[:want:want], nil
}

func (r *tileReader) SaveTiles(tiles []tlog.Tile, data [][]byte) {
	r.cache.put(tiles, data)
	if r.save != nil {
		r.save(tiles, data)
	}
}
