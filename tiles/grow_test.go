package tiles

import (
	"errors"
	"fmt"
	"testing"

	"golang.org/x/mod/sumdb/tlog"
)

// TestWorkedExample checks the example of the C2SP spec: a tree of size
// 70,000 is 273 full level-0 tiles, a level-0 partial of width 112, one full
// level-1 tile, a level-1 partial of width 17 and a level-2 partial of
// width 1.
func TestWorkedExample(t *testing.T) {
	l := log70k()
	ts, err := HashTiles(0, 70000, l)
	if err != nil {
		t.Fatal(err)
	}
	type key struct{ l, w int }
	count := map[key]int{}
	for _, tt := range ts {
		count[key{tt.L, tt.W}]++
		if len(tt.Data) != tt.W*tlog.HashSize {
			t.Errorf("%s: %d bytes", Path(tt.Tile), len(tt.Data))
		}
	}
	want := map[key]int{{0, 256}: 273, {0, 112}: 1, {1, 256}: 1, {1, 17}: 1, {2, 1}: 1}
	if fmt.Sprint(count) != fmt.Sprint(want) {
		t.Errorf("tiles by (level, width) = %v, want %v", count, want)
	}
	var paths []string
	for _, tt := range ts[len(ts)-5:] {
		paths = append(paths, Path(tt.Tile))
	}
	if got, want := fmt.Sprint(paths), "[tile/0/272 tile/0/273.p/112 tile/1/000 tile/1/001.p/17 tile/2/000.p/1]"; got != want {
		t.Errorf("last paths = %s, want %s", got, want)
	}
	if p := Path(ts[0].Tile); p != "tile/0/000" {
		t.Errorf("first path = %s", p)
	}

	// The level-1 tile holds the hashes of the full level-0 tiles, and the
	// level-2 partial the hash of the full level-1 tile.
	for i, tt := range ts[:2] {
		h, err := tlog.HashFromTile(ts[274].Tile, ts[274].Data, tlog.StoredHashIndex(8, int64(i)))
		if err != nil {
			t.Fatal(err)
		}
		if h != tileHash(tt.Data) {
			t.Errorf("level-1 hash %d is not the hash of tile %s", i, Path(tt.Tile))
		}
	}
	if h := tileHash(ts[274].Data); string(h[:]) != string(ts[276].Data) {
		t.Errorf("level-2 partial is not the hash of the full level-1 tile")
	}

	bs := BundleTiles(0, 70000)
	if len(bs) != 274 {
		t.Fatalf("%d entry bundles, want 274", len(bs))
	}
	for i, b := range bs[:273] {
		if b != (tlog.Tile{H: Height, L: -1, N: int64(i), W: Width}) {
			t.Fatalf("bundle %d = %+v", i, b)
		}
	}
	if p := Path(bs[273]); p != "tile/entries/273.p/112" {
		t.Errorf("last bundle = %s", p)
	}
}

// tileHash is the Merkle tree hash of the hashes of a full tile.
func tileHash(data []byte) tlog.Hash {
	var level []tlog.Hash
	for i := 0; i < len(data); i += tlog.HashSize {
		level = append(level, tlog.Hash(data[i:i+tlog.HashSize]))
	}
	for len(level) > 1 {
		var next []tlog.Hash
		for i := 0; i < len(level); i += 2 {
			next = append(next, tlog.NodeHash(level[i], level[i+1]))
		}
		level = next
	}
	return level[0]
}

func TestBundleTiles(t *testing.T) {
	for _, tc := range []struct {
		old, new int64
		want     string
	}{
		{0, 0, "[]"},
		{5, 5, "[]"},
		{0, 1, "[tile/entries/000.p/1]"},
		{0, 255, "[tile/entries/000.p/255]"},
		{0, 256, "[tile/entries/000]"},
		{0, 257, "[tile/entries/000 tile/entries/001.p/1]"},
		{100, 200, "[tile/entries/000.p/200]"},
		{200, 256, "[tile/entries/000]"},
		{256, 300, "[tile/entries/001.p/44]"},
		{255, 1000, "[tile/entries/000 tile/entries/001 tile/entries/002 tile/entries/003.p/232]"},
		{256000, 256001, "[tile/entries/x001/000.p/1]"},
	} {
		var paths []string
		for _, b := range BundleTiles(tc.old, tc.new) {
			paths = append(paths, Path(b))
		}
		if got := fmt.Sprint(paths); got != tc.want {
			t.Errorf("BundleTiles(%d, %d) = %s, want %s", tc.old, tc.new, got, tc.want)
		}
	}
	for _, bad := range [][2]int64{{-1, 0}, {2, 1}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("BundleTiles(%d, %d) did not panic", bad[0], bad[1])
				}
			}()
			BundleTiles(bad[0], bad[1])
		}()
	}
}

// TestBundleTilesMatchLevelZero checks that entry bundles follow the level-0
// hash tiles for every growth within a few tiles.
func TestBundleTilesMatchLevelZero(t *testing.T) {
	for n := int64(0); n <= 3*Width; n++ {
		for _, old := range []int64{0, n / 2, max(n-1, 0), n} {
			var level0 []tlog.Tile
			for _, tt := range tlog.NewTiles(Height, old, n) {
				if tt.L == 0 {
					tt.L = -1
					level0 = append(level0, tt)
				}
			}
			if got, want := fmt.Sprint(BundleTiles(old, n)), fmt.Sprint(level0); got != want {
				t.Fatalf("BundleTiles(%d, %d) = %s, want %s", old, n, got, want)
			}
		}
	}
}

func TestHashTilesErrors(t *testing.T) {
	l := newHashLog(t, 10)
	for _, bad := range [][2]int64{{-1, 5}, {6, 5}} {
		if _, err := HashTiles(bad[0], bad[1], l); err == nil {
			t.Errorf("HashTiles(%d, %d) succeeded", bad[0], bad[1])
		}
	}
	if ts, err := HashTiles(7, 7, l); err != nil || len(ts) != 0 {
		t.Errorf("HashTiles(7, 7) = %d tiles, %v", len(ts), err)
	}
	// The reader's error passes through, wrapped with the tile.
	errBoom := errors.New("boom")
	r := tlog.HashReaderFunc(func([]int64) ([]tlog.Hash, error) { return nil, errBoom })
	_, err := HashTiles(0, 5, r)
	if !errors.Is(err, errBoom) {
		t.Errorf("HashTiles with a failing reader: %v", err)
	}
	// Control: a log too short for the tiles asked for fails.
	if _, err := HashTiles(0, 11, l); err == nil {
		t.Errorf("HashTiles past the stored hashes succeeded")
	}
}

func TestTileOf(t *testing.T) {
	for _, tc := range []struct {
		l       int
		i, size int64
		want    string
	}{
		{-1, 0, 1, "tile/entries/000.p/1"},
		{-1, 0, 256, "tile/entries/000"},
		{-1, 300, 70000, "tile/entries/001"},
		{-1, 69999, 70000, "tile/entries/273.p/112"},
		{0, 69887, 70000, "tile/0/272"},
		{0, 69888, 70000, "tile/0/273.p/112"},
		{1, 0, 70000, "tile/1/000"},
		{1, 272, 70000, "tile/1/001.p/17"},
		{2, 0, 70000, "tile/2/000.p/1"},
	} {
		if got := Path(TileOf(tc.l, tc.i, tc.size)); got != tc.want {
			t.Errorf("TileOf(%d, %d, %d) = %s, want %s", tc.l, tc.i, tc.size, got, tc.want)
		}
	}
	for _, bad := range []struct {
		l       int
		i, size int64
	}{{-1, 1, 1}, {0, -1, 5}, {1, 0, 255}, {2, 1, 70000}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("TileOf(%d, %d, %d) did not panic", bad.l, bad.i, bad.size)
				}
			}()
			TileOf(bad.l, bad.i, bad.size)
		}()
	}
}
