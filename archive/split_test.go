package archive

import (
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"stele/tiles"
)

// allTiles lists every tile of a tree of the given size the slow way:
// level by level, counting the hashes stored at each.
func allTiles(size int64) []tlog.Tile {
	var out []tlog.Tile
	for l := -1; ; l++ {
		hashes := size
		for i := 0; i < l; i++ {
			hashes /= tiles.Width
		}
		if hashes == 0 {
			return out
		}
		for n := int64(0); n*tiles.Width < hashes; n++ {
			w := min(hashes-n*tiles.Width, tiles.Width)
			out = append(out, tlog.Tile{H: tiles.Height, L: l, N: n, W: int(w)})
		}
	}
}

// TestSplit checks, for many sizes and zip levels, that every tile of the
// tree is in exactly the zips it should be: a full tile at or below the
// zip level in the one zip whose subtree holds it, every other tile in
// every zip, and nothing else anywhere.
func TestSplit(t *testing.T) {
	sizes := []int64{0, 1, 2, 255, 256, 257, 511, 512, 513, 65535, 65536, 65537, 65536*3 + 700, 1<<24 - 1, 1 << 24, 1<<24 + 1, 3<<24 + 5}
	for _, level := range []int{0, 1, 2} {
		lo := layout{level: level}
		for _, size := range sizes {
			if level == 2 && size > 1<<24+1 || level == 0 && size > 65537 {
				continue // keep the brute force small
			}
			zips := lo.zips(size)
			want := (size + int64(1)<<(8*(level+1)) - 1) >> (8 * (level + 1))
			if want == 0 {
				want = 1
			}
			if zips != want {
				t.Fatalf("level %d size %d: %d zips, want %d", level, size, zips, want)
			}
			in := map[tlog.Tile][]int64{}
			for _, tl := range lo.shared(size) {
				for k := int64(0); k < zips; k++ {
					in[tl] = append(in[tl], k)
				}
			}
			for k := int64(0); k < zips; k++ {
				lo.owned(size, k, func(tl tlog.Tile) error {
					in[tl] = append(in[tl], k)
					return nil
				})
			}
			all := allTiles(size)
			if len(in) != len(all) {
				t.Fatalf("level %d size %d: %d distinct tiles packed, the tree has %d", level, size, len(in), len(all))
			}
			for _, tl := range all {
				got := in[tl]
				owner, shared := lo.owner(tl)
				switch {
				case shared && int64(len(got)) != zips:
					t.Fatalf("level %d size %d: shared tile %v in %d of %d zips", level, size, tl, len(got), zips)
				case !shared && (len(got) != 1 || got[0] != owner):
					t.Fatalf("level %d size %d: tile %v in zips %v, owner %d", level, size, tl, got, owner)
				case !shared && (tl.W != tiles.Width || tl.L > level):
					t.Fatalf("level %d size %d: tile %v is not shared", level, size, tl)
				}
			}
		}
	}
}

// TestOwner pins the routing torchwood's TileArchiveFS uses for level 2.
func TestOwner(t *testing.T) {
	lo := layout{level: DefaultLevel}
	for _, c := range []struct {
		l      int
		n      int64
		w      int
		zip    int64
		shared bool
	}{
		{2, 7, 256, 7, false},
		{1, 256*3 + 9, 256, 3, false},
		{0, 65536*5 + 1, 256, 5, false},
		{-1, 65536*5 + 1, 256, 5, false},
		{3, 0, 256, 0, true},
		{0, 1, 17, 0, true},
		{-1, 70000, 200, 0, true},
	} {
		zip, shared := lo.owner(tlog.Tile{H: tiles.Height, L: c.l, N: c.n, W: c.w})
		if zip != c.zip || shared != c.shared {
			t.Errorf("tile L=%d N=%d W=%d: zip %d shared %v, want %d %v", c.l, c.n, c.w, zip, shared, c.zip, c.shared)
		}
	}
	if ZipName(7) != "007.zip" || ZipName(1234) != "1234.zip" {
		t.Errorf("zip names %s %s", ZipName(7), ZipName(1234))
	}
}
