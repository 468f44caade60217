package mirror

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"

	"golang.org/x/mod/sumdb/tlog"

	"stele/store"
	"stele/tiles"
	"stele/verify"
)

// stalePartials fetches the partial tiles and entry bundles of the log's
// archived checkpoints smaller than the current one, which a client still
// holding such a checkpoint may ask for. Each must be a prefix of the
// current (verified) tile at its place, or the log fails. The source may
// have removed them: absent ones are skipped.
func (r *run) stalePartials(ctx context.Context, prefix string, size int64, h *history) error {
	seen := map[string]bool{}
	var keys []string
	for _, s := range h.sizes {
		if s >= size {
			continue
		}
		for _, t := range partialTiles(s) {
			if cur := currentTile(t, size); tiles.Path(cur) != tiles.Path(t) && !seen[tiles.Path(t)] {
				seen[tiles.Path(t)] = true
				keys = append(keys, tiles.Path(t))
			}
		}
	}
	r.c.expected.Add(int64(len(keys)))
	return r.each(ctx, keys, func(ctx context.Context, path string) error {
		local := true
		old, err := r.dst.Get(ctx, prefix+path)
		if errors.Is(err, os.ErrNotExist) {
			local = false
			old, err = r.src.Get(ctx, prefix+path)
			if errors.Is(err, os.ErrNotExist) {
				r.c.expected.Add(-1)
				return nil
			}
			if err == nil {
				old, err = Normalize(prefix+path, old)
			}
		}
		if err != nil {
			return fmt.Errorf("fetching %s: %w", path, err)
		}
		t, _ := tiles.ParsePath(path)
		cur := currentTile(t, size)
		now, err := r.dst.Get(ctx, prefix+tiles.Path(cur))
		if err != nil {
			return fmt.Errorf("reading the local copy of %s: %w", tiles.Path(cur), err)
		}
		if err := samePrefix(t, old, now); err != nil {
			return &verify.Failure{Object: path, Err: err}
		}
		if local {
			r.c.gotLocal()
			return nil
		}
		if err := r.put(ctx, prefix+path, old); err != nil {
			return err
		}
		r.c.gotRemote(len(old.Data))
		return nil
	})
}

// partialTiles returns the partial tiles (entry bundles included) of a
// tree of the given size.
func partialTiles(size int64) []tlog.Tile {
	var out []tlog.Tile
	for l := -1; l < 64; l++ {
		n := size
		if l > 0 {
			n = size >> (tiles.Height * l)
		}
		if n == 0 {
			break
		}
		if w := n % tiles.Width; w != 0 {
			out = append(out, tlog.Tile{H: tiles.Height, L: l, N: n / tiles.Width, W: int(w)})
		}
	}
	return out
}

// currentTile is the tile that holds t's hashes (or entries) in a tree of
// the given size: the full tile, or the wider partial one.
func currentTile(t tlog.Tile, size int64) tlog.Tile {
	n := size
	if t.L > 0 {
		n = size >> (tiles.Height * t.L)
	}
	t.W = int(min(n-t.N*tiles.Width, tiles.Width))
	return t
}

// samePrefix checks that an old partial tile holds the first hashes (or
// entries) of the current tile at its place.
func samePrefix(t tlog.Tile, old, cur store.Object) error {
	if t.L >= 0 {
		n := t.W * tlog.HashSize
		if len(old.Data) != n || len(cur.Data) < n || !bytes.Equal(old.Data, cur.Data[:n]) {
			return errors.New("the tile of an archived checkpoint does not match the log's current tile")
		}
		return nil
	}
	o, err := tiles.DecodeBundleBytes(old.Data, old.ContentEncoding)
	if err != nil {
		return err
	}
	if _, err := tiles.ParseBundleN(o, t.W); err != nil {
		return err
	}
	c, err := tiles.DecodeBundleBytes(cur.Data, cur.ContentEncoding)
	if err != nil {
		return err
	}
	if !bytes.HasPrefix(c, o) {
		return fmt.Errorf("the entry bundle of an archived checkpoint is not a prefix of the log's current bundle")
	}
	return nil
}
