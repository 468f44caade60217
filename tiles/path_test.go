package tiles

import (
	"errors"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/tlog"
)

func tile(l int, n int64, w int) tlog.Tile { return tlog.Tile{H: Height, L: l, N: n, W: w} }

func TestPathExamples(t *testing.T) {
	for _, tc := range []struct {
		tile tlog.Tile
		path string
	}{
		{tile(0, 0, 256), "tile/0/000"},
		{tile(0, 5, 256), "tile/0/005"},
		{tile(0, 999, 256), "tile/0/999"},
		{tile(0, 1000, 256), "tile/0/x001/000"},
		{tile(1, 1234067, 256), "tile/1/x001/x234/067"},
		{tile(1, 1234067, 1), "tile/1/x001/x234/067.p/1"},
		{tile(0, 273, 112), "tile/0/273.p/112"},
		{tile(2, 0, 1), "tile/2/000.p/1"},
		{tile(63, 1000000, 255), "tile/63/x001/x000/000.p/255"},
		{tile(-1, 0, 256), "tile/entries/000"},
		{tile(-1, 273, 112), "tile/entries/273.p/112"},
		{tile(-1, math.MaxInt64, 256), "tile/entries/x009/x223/x372/x036/x854/x775/807"},
	} {
		if got := Path(tc.tile); got != tc.path {
			t.Errorf("Path(%+v) = %q, want %q", tc.tile, got, tc.path)
		}
		got, err := ParsePath(tc.path)
		if err != nil || got != tc.tile {
			t.Errorf("ParsePath(%q) = %+v, %v; want %+v", tc.path, got, err, tc.tile)
		}
	}
}

func TestPathRoundTrip(t *testing.T) {
	ns := []int64{0, 1, 9, 10, 99, 100, 999, 1000, 1001, 9999, 123456, 999999, 1000000,
		1234067, 1 << 32, 1 << 40, 999999999999999999, math.MaxInt64 - 1, math.MaxInt64}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		ns = append(ns, rng.Int64()>>rng.IntN(63))
	}
	count := 0
	for _, l := range []int{-1, 0, 1, 2, 9, 10, 62, 63} {
		for _, n := range ns {
			for _, w := range []int{1, 2, 9, 10, 99, 100, 112, 255, 256} {
				tl := tile(l, n, w)
				p := Path(tl)
				got, err := ParsePath(p)
				if err != nil || got != tl {
					t.Fatalf("ParsePath(Path(%+v) = %q) = %+v, %v", tl, p, got, err)
				}
				count++
			}
		}
	}
	t.Logf("%d paths round-tripped", count)
}

// malformedPaths are strings Path never produces.
var malformedPaths = []string{
	"",
	"tile",
	"tile/",
	"tile/0",
	"tile/0/",
	"/tile/0/000",
	"./tile/0/000",
	"TILE/0/000",
	"tiles/0/000",
	"tile/0/000/",
	"tile//000",
	"tile/0//000",
	"tile/00/000",
	"tile/01/000",
	"tile/+1/000",
	"tile/-1/000",
	"tile/64/000",
	"tile/99999999999999999999/000",
	"tile/data/000",
	"tile/Entries/000",
	"tile/entries",
	"tile/entries/",
	"tile/8/0/000",     // sumdb spelling
	"tile/8/data/000",  // sumdb spelling
	"tile/0/0",         // no padding
	"tile/0/5",         // no padding
	"tile/0/00",        // short group
	"tile/0/0000",      // long group
	"tile/0/0a0",       // not digits
	"tile/0/ 000",      // space
	"tile/0/000 ",      // space
	"tile/0/x005",      // last group with x
	"tile/0/001/000",   // first group without x
	"tile/0/x000/005",  // leading zero group
	"tile/0/x1/000",    // short x group
	"tile/0/x0001/000", // long x group
	"tile/0/x001/x000", // last group with x
	"tile/0/X001/000",  // capital X
	"tile/0/x001//000",
	"tile/0/x001.p/5/000",
	"tile/0/000.p/0",
	"tile/0/000.p/00",
	"tile/0/000.p/256",
	"tile/0/000.p/300",
	"tile/0/000.p/012",
	"tile/0/000.p/+1",
	"tile/0/000.p/1e2",
	"tile/0/000.p/",
	"tile/0/000.p",
	"tile/0/000.p/1/",
	"tile/0/000.p/1.p/2",
	"tile/0/000.q/1",
	"tile/0/000.P/1",
	"tile/0/000p/1",
	"tile/0/.p/1",
	"tile/entries/000.p/256",
	"tile/0/x009/x223/x372/x036/x854/x775/808",      // MaxInt64 + 1
	"tile/0/x010/x000/x000/x000/x000/x000/x000/000", // 10**21
	"tile/0/x001/x000/x000/x000/x000/x000/x000/x000/000",
	"tile/0/000\x00",
	"tile/0/ⅰⅰⅰ",
}

func TestParsePathMalformed(t *testing.T) {
	for _, p := range malformedPaths {
		got, err := ParsePath(p)
		if err == nil {
			t.Errorf("ParsePath(%q) = %+v, want error", p, got)
			continue
		}
		if !errors.Is(err, ErrMalformedPath) {
			t.Errorf("ParsePath(%q) error %v does not wrap ErrMalformedPath", p, err)
		}
		if !strings.Contains(err.Error(), strconv.Quote(p)) {
			t.Errorf("ParsePath(%q) error %q does not name the path", p, err)
		}
	}
}

func TestPathPanics(t *testing.T) {
	for _, tl := range []tlog.Tile{
		{H: 2, L: 0, N: 0, W: 4},
		{H: 8, L: 0, N: 0, W: 0},
		{H: 8, L: 0, N: 0, W: 257},
		{H: 8, L: -2, N: 0, W: 1},
		{H: 8, L: 64, N: 0, W: 1},
		{H: 8, L: 0, N: -1, W: 1},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Path(%+v) did not panic", tl)
				}
			}()
			Path(tl)
		}()
	}
}

func FuzzParsePath(f *testing.F) {
	for _, p := range malformedPaths {
		f.Add(p)
	}
	for _, p := range []string{"tile/0/000", "tile/entries/x001/x234/067.p/9", "tile/63/x009/x223/x372/x036/x854/x775/807.p/255"} {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, p string) {
		tl, err := ParsePath(p)
		if err != nil {
			if !errors.Is(err, ErrMalformedPath) {
				t.Fatalf("ParsePath(%q) error %v does not wrap ErrMalformedPath", p, err)
			}
			return
		}
		if tl.H != Height || tl.L < -1 || tl.L > 63 || tl.N < 0 || tl.W < 1 || tl.W > Width {
			t.Fatalf("ParsePath(%q) = %+v, out of range", p, tl)
		}
		if back := Path(tl); back != p {
			t.Fatalf("ParsePath(%q) = %+v, whose Path is %q", p, tl, back)
		}
	})
}

func FuzzPath(f *testing.F) {
	f.Add(0, int64(0), 256)
	f.Add(-1, int64(1234067), 17)
	f.Add(63, int64(math.MaxInt64), 1)
	f.Fuzz(func(t *testing.T, l int, n int64, w int) {
		l = ((l%65)+65)%65 - 1 // -1..63
		if n < 0 {
			n = -(n + 1)
		}
		w = ((w%Width)+Width)%Width + 1 // 1..256
		tl := tile(l, n, w)
		p := Path(tl)
		got, err := ParsePath(p)
		if err != nil || got != tl {
			t.Fatalf("ParsePath(Path(%+v) = %q) = %+v, %v", tl, p, got, err)
		}
	})
}
