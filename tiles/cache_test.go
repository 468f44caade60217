package tiles

import (
	"bytes"
	"testing"

	"golang.org/x/mod/sumdb/tlog"
)

func TestTileCache(t *testing.T) {
	c := newTileCache(3)
	data := func(w int, fill byte) []byte { return bytes.Repeat([]byte{fill}, w*tlog.HashSize) }

	c.put([]tlog.Tile{tile(0, 0, 5)}, [][]byte{data(5, 1)})
	if got := c.get(tile(0, 0, 3)); !bytes.Equal(got, data(3, 1)) || cap(got) != len(got) {
		t.Errorf("narrower width: %d bytes, cap %d", len(got), cap(got))
	}
	if got := c.get(tile(0, 0, 6)); got != nil {
		t.Errorf("wider width than cached: %d bytes", len(got))
	}
	// A wider tile replaces a narrower one, not the other way round.
	c.put([]tlog.Tile{tile(0, 0, Width)}, [][]byte{data(Width, 2)})
	c.put([]tlog.Tile{tile(0, 0, 2)}, [][]byte{data(2, 3)})
	if got := c.get(tile(0, 0, Width)); !bytes.Equal(got, data(Width, 2)) {
		t.Errorf("full tile not kept")
	}
	if got := c.get(tile(1, 0, 1)); got != nil {
		t.Errorf("other level served")
	}

	// Least recently used goes first.
	c.put([]tlog.Tile{tile(0, 1, 1), tile(0, 2, 1)}, [][]byte{data(1, 4), data(1, 5)})
	c.get(tile(0, 0, 1))
	c.put([]tlog.Tile{tile(0, 3, 1)}, [][]byte{data(1, 6)})
	for n, want := range map[int64]bool{0: true, 1: false, 2: true, 3: true} {
		if got := c.get(tile(0, n, 1)) != nil; got != want {
			t.Errorf("tile %d cached = %v, want %v", n, got, want)
		}
	}

	var none *tileCache
	none.put([]tlog.Tile{tile(0, 0, 1)}, [][]byte{data(1, 1)})
	if none.get(tile(0, 0, 1)) != nil {
		t.Error("nil cache served a tile")
	}
}
