package store

import (
	"strings"

	"golang.org/x/mod/sumdb/tlog"

	"stele/tiles"
)

// Limits on the objects of a tlog-tiles log, far above what an honest log
// holds, so that a hostile host cannot make a reader hold much more than
// that (a small gzip body can decode to hundreds of megabytes).
const (
	maxNoteBytes    = 1 << 20  // a checkpoint (a signed note)
	maxHistoryBytes = 16 << 20 // a stele log's list of archived sizes
)

// tileOf parses key as the path of a tile or entry bundle of a log, under
// a site's "logs/<ns>/" or at the root.
func tileOf(key string) (tlog.Tile, bool) {
	if i := strings.LastIndex(key, "/tile/"); i >= 0 {
		key = key[i+1:]
	}
	t, err := tiles.ParsePath(key)
	return t, err == nil
}

// tileLength is the exact length of the hash tile at key, when key names
// one.
func tileLength(key string) (int64, bool) {
	t, ok := tileOf(key)
	if !ok || t.L < 0 {
		return 0, false
	}
	return int64(t.W) * tlog.HashSize, true
}

// objectLimit is the most bytes the object at key may hold, encoded or
// decoded: the bound of its kind for the objects of a tlog-tiles log
// (under a site's "logs/<ns>/" or at the root), and max for the others.
func objectLimit(key string, max int64) int64 {
	if t, ok := tileOf(key); ok {
		if t.L < 0 {
			return min(max, tiles.MaxBundleSize)
		}
		return min(max, int64(t.W)*tlog.HashSize)
	}
	switch {
	case isCheckpointKey(key) || strings.HasPrefix(key, "checkpoints/") || strings.Contains(key, "/checkpoints/"):
		return min(max, maxNoteBytes)
	case key == "history" || strings.HasSuffix(key, "/history"):
		return min(max, maxHistoryBytes)
	}
	return max
}
