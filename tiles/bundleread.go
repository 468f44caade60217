package tiles

import (
	"context"
	"errors"
	"fmt"
	"os"

	"golang.org/x/mod/sumdb/tlog"
)

// ReadBundle fetches the entry bundle t (t.L == -1) through f and returns
// its t.W entries. A missing partial bundle falls back to the full bundle,
// of which the first t.W entries are returned. The entries are not
// authenticated: hash them (tlog.RecordHash) and compare with the level-0
// hashes of a tree read through [HashReader].
//
// Errors wrap the Fetcher's error (os.ErrNotExist when the bundle and, for
// a partial one, its full bundle are both missing) or [ErrMalformedBundle],
// naming the path of the bundle that was read.
func ReadBundle(ctx context.Context, f Fetcher, t tlog.Tile) ([][]byte, error) {
	if t.H != Height || t.L != -1 || t.N < 0 || t.W < 1 || t.W > Width {
		return nil, fmt.Errorf("tiles: reading entry bundle %+v: not an entry bundle of height %d", t, Height)
	}
	p := Path(t)
	data, err := f.Fetch(ctx, p)
	if err == nil {
		entries, err := ParseBundleN(data, t.W)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", p, err)
		}
		return entries, nil
	}
	if t.W == Width || !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("tiles: fetching entry bundle %s: %w", p, err)
	}

	full := t
	full.W = Width
	fp := Path(full)
	data, ferr := f.Fetch(ctx, fp)
	if ferr != nil {
		return nil, fmt.Errorf("tiles: fetching entry bundle %s (missing: %v) or its full bundle: %w", p, err, ferr)
	}
	entries, err := ParseBundleN(data, Width)
	if err != nil {
		return nil, fmt.Errorf("reading %s in place of missing %s: %w", fp, p, err)
	}
	return entries[:t.W:t.W], nil
}
