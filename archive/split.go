package archive

import (
	"golang.org/x/mod/sumdb/tlog"

	"stele/tiles"
)

// DefaultLevel is the tile level whose subtrees the zips hold: zip k holds
// level-2 tile k and everything below it (256³ entries).
const DefaultLevel = 2

// layout is the split of one log into zips.
type layout struct {
	level int // zip k holds the subtree of tile (level, k)
}

// span is the number of tiles of level l (-1 for entry bundles) under
// one tile of the zip level.
func (lo layout) span(l int) int64 {
	if l < 0 {
		l = 0
	}
	return int64(1) << (tiles.Height * (lo.level - l))
}

// owner returns the zip that holds t, or shared=true when every zip holds
// it (partial tiles, tiles above the zip level).
func (lo layout) owner(t tlog.Tile) (zip int64, shared bool) {
	if t.W != tiles.Width || t.L > lo.level {
		return 0, true
	}
	return t.N / lo.span(t.L), false
}

// zips is the number of zips of a log of the given size: one per tile of
// the zip level, full or partial, and at least one.
func (lo layout) zips(size int64) int64 {
	per := int64(1) << (tiles.Height * (lo.level + 1)) // entries per zip
	n := (size + per - 1) / per
	return max(n, 1)
}

// levelTiles describes level l (-1 for entry bundles) of a tree of the
// given size: how many full tiles it has, and the width of its partial
// tile at index full (0 when there is none).
func levelTiles(size int64, l int) (full int64, partial int) {
	n := size
	if l > 0 {
		n = size >> (tiles.Height * l)
	}
	return n / tiles.Width, int(n % tiles.Width)
}

// topLevel is the highest hash-tile level of a tree of the given size, or
// -1 for an empty tree.
func topLevel(size int64) int {
	top := -1
	for l := 0; l < 64 && size>>(tiles.Height*l) > 0; l++ {
		top = l
	}
	return top
}

// shared returns the tiles every zip of a log of the given size holds.
func (lo layout) shared(size int64) []tlog.Tile {
	var out []tlog.Tile
	for l := topLevel(size); l >= -1; l-- {
		full, partial := levelTiles(size, l)
		if l > lo.level {
			for n := int64(0); n < full; n++ {
				out = append(out, tlog.Tile{H: tiles.Height, L: l, N: n, W: tiles.Width})
			}
		}
		if partial > 0 {
			out = append(out, tlog.Tile{H: tiles.Height, L: l, N: full, W: partial})
		}
	}
	return out
}

// owned calls fn for each full tile zip k holds, level by level from the
// zip level down, entry bundles last; it stops at fn's first error.
func (lo layout) owned(size, k int64, fn func(tlog.Tile) error) error {
	for l := lo.level; l >= -1; l-- {
		full, _ := levelTiles(size, l)
		span := lo.span(l)
		for n := k * span; n < min((k+1)*span, full); n++ {
			if err := fn(tlog.Tile{H: tiles.Height, L: l, N: n, W: tiles.Width}); err != nil {
				return err
			}
		}
	}
	return nil
}
