package publish

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/tlog"

	"stele/tiles"
)

// Entry returns entry i of the published tree, checked against the
// checkpoint's root.
func (l *Log) Entry(ctx context.Context, i int64) ([]byte, error) {
	if i < 0 || i >= l.published.Size {
		return nil, fmt.Errorf("entry %d is outside the published tree of size %d", i, l.published.Size)
	}
	t := tiles.TileOf(-1, i, l.published.Size)
	entries, err := readCovered(ctx, l.st, t)
	if err != nil {
		return nil, err
	}
	e := entries[i-t.N*tiles.Width]
	want, err := l.old.ReadHashes([]int64{tlog.StoredHashIndex(0, i)})
	if err != nil {
		return nil, fmt.Errorf("reading leaf hash %d: %w", i, coveredHashErr(err))
	}
	if tlog.RecordHash(e) != want[0] {
		return nil, fmt.Errorf("%w: %s: entry %d does not match the tree", ErrCorrupt, tiles.Path(t), i)
	}
	return e, nil
}

// Leftovers returns the entries an interrupted run wrote beyond the
// published checkpoint: the widest entry bundles found past its size,
// bundle after bundle while they are full. They are not authenticated by
// any checkpoint; the caller decides whether to adopt them (append them
// unchanged), which recreates exactly the objects already there.
func (l *Log) Leftovers(ctx context.Context) ([][]byte, error) {
	var out [][]byte
	n := l.size
	for {
		k, have := n/tiles.Width, int(n%tiles.Width)
		w, err := l.widestBundle(ctx, k)
		if err != nil {
			return nil, err
		}
		if w <= have {
			return out, nil
		}
		entries, err := readBundle(ctx, l.st, tlog.Tile{H: tiles.Height, L: -1, N: k, W: w})
		if err != nil {
			return nil, err
		}
		out = append(out, entries[have:]...)
		n = k*tiles.Width + int64(w)
		if w < tiles.Width {
			return out, nil
		}
	}
}

// widestBundle is the width of the widest entry bundle k present: 256 when
// the full bundle exists, else the widest partial, else 0.
func (l *Log) widestBundle(ctx context.Context, k int64) (int, error) {
	full := tiles.Path(tlog.Tile{H: tiles.Height, L: -1, N: k, W: tiles.Width})
	if _, err := l.st.Get(ctx, full); err == nil {
		return tiles.Width, nil
	} else if !isNotExist(err) {
		return 0, fmt.Errorf("looking for leftovers at %s: %w", full, err)
	}
	prefix := full + ".p/"
	keys, err := l.st.List(ctx, prefix)
	if err != nil {
		return 0, fmt.Errorf("listing %s: %w", prefix, err)
	}
	w := 0
	for _, key := range keys {
		v, err := strconv.Atoi(strings.TrimPrefix(key, prefix))
		if err == nil && v > w && v < tiles.Width && key == prefix+strconv.Itoa(v) {
			w = v
		}
	}
	return w, nil
}
