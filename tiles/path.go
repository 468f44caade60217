package tiles

import (
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/tlog"
)

// maxLevel is the highest hash-tile level C2SP allows.
const maxLevel = 63

// Path returns the C2SP path of t relative to the log root:
// "tile/<L>/<N>[.p/<W>]" for hash tiles and, when t.L == -1,
// "tile/entries/<N>[.p/<W>]" for entry bundles. N is written in 3-digit
// groups, every group but the last prefixed with "x": 1234067 ->
// "x001/x234/067", 5 -> "005". W==256 means a full tile (no .p/ suffix).
//
// It panics if t.H != Height, t.W is not in 1..256, t.L is not in -1..63
// or t.N is negative: such a tile is a programmer error, not data.
func Path(t tlog.Tile) string {
	if t.H != Height {
		panic(fmt.Sprintf("tiles.Path: tile height %d, want %d", t.H, Height))
	}
	if t.W < 1 || t.W > Width {
		panic(fmt.Sprintf("tiles.Path: tile width %d not in 1..%d", t.W, Width))
	}
	if t.L < -1 || t.L > maxLevel {
		panic(fmt.Sprintf("tiles.Path: tile level %d not in -1..%d", t.L, maxLevel))
	}
	if t.N < 0 {
		panic(fmt.Sprintf("tiles.Path: negative tile number %d", t.N))
	}

	b := make([]byte, 0, 48)
	b = append(b, "tile/"...)
	if t.L == -1 {
		b = append(b, "entries"...)
	} else {
		b = strconv.AppendInt(b, int64(t.L), 10)
	}
	b = append(b, '/')
	b = appendNumber(b, t.N)
	if t.W != Width {
		b = append(b, ".p/"...)
		b = strconv.AppendInt(b, int64(t.W), 10)
	}
	return string(b)
}

// appendNumber appends n >= 0 in 3-digit groups, all but the last
// prefixed with "x".
func appendNumber(b []byte, n int64) []byte {
	var groups [7]int64 // an int64 has at most 19 digits
	k := 0
	for {
		groups[k] = n % 1000
		k++
		n /= 1000
		if n == 0 {
			break
		}
	}
	for i := k - 1; i >= 0; i-- {
		if i > 0 {
			b = append(b, 'x')
		}
		g := groups[i]
		b = append(b, byte('0'+g/100), byte('0'+g/10%10), byte('0'+g%10))
		if i > 0 {
			b = append(b, '/')
		}
	}
	return b
}

// ParsePath is the strict inverse of Path: it rejects every path Path would
// not produce (leading zeros apart from the 3-digit padding, missing x
// prefixes, .p/0, .p/256, .p/ over 256, level > 63, trailing slashes, empty
// segments, anything else). H is always Height; L is -1 for entry bundles.
//
// Errors wrap [ErrMalformedPath].
func ParsePath(path string) (tlog.Tile, error) {
	t, reason := parsePath(path)
	if reason != "" {
		return tlog.Tile{}, fmt.Errorf("%w %q: %s", ErrMalformedPath, path, reason)
	}
	return t, nil
}

// parsePath does the work of ParsePath, returning why the path is
// malformed instead of an error.
func parsePath(path string) (tlog.Tile, string) {
	rest, ok := strings.CutPrefix(path, "tile/")
	if !ok {
		return tlog.Tile{}, `does not start with "tile/"`
	}
	segs := strings.Split(rest, "/")
	if len(segs) < 2 {
		return tlog.Tile{}, "missing tile number"
	}
	t := tlog.Tile{H: Height, W: Width}

	if segs[0] == "entries" {
		t.L = -1
	} else {
		l, ok := parseDecimal(segs[0], maxLevel)
		if !ok {
			return tlog.Tile{}, fmt.Sprintf("level %q is not a decimal in 0..%d without leading zeros", segs[0], maxLevel)
		}
		t.L = int(l)
	}
	segs = segs[1:]

	if n := len(segs); n >= 2 && strings.HasSuffix(segs[n-2], ".p") {
		w, ok := parseDecimal(segs[n-1], Width-1)
		if !ok || w == 0 {
			return tlog.Tile{}, fmt.Sprintf("partial width %q is not a decimal in 1..%d without leading zeros", segs[n-1], Width-1)
		}
		t.W = int(w)
		segs[n-2] = strings.TrimSuffix(segs[n-2], ".p")
		segs = segs[:n-1]
	}

	for i, s := range segs {
		last := i == len(segs)-1
		if !last {
			var ok bool
			if s, ok = strings.CutPrefix(s, "x"); !ok {
				return tlog.Tile{}, fmt.Sprintf("group %d of the tile number lacks its x prefix", i)
			}
		}
		if len(s) != 3 || !isDigit(s[0]) || !isDigit(s[1]) || !isDigit(s[2]) {
			return tlog.Tile{}, fmt.Sprintf("group %d of the tile number is not three digits", i)
		}
		g := int64(s[0]-'0')*100 + int64(s[1]-'0')*10 + int64(s[2]-'0')
		if i == 0 && g == 0 && !last {
			return tlog.Tile{}, "tile number has a leading zero group"
		}
		if t.N > (1<<63-1-g)/1000 {
			return tlog.Tile{}, "tile number overflows int64"
		}
		t.N = t.N*1000 + g
	}
	return t, ""
}

// parseDecimal parses s as a decimal number in 0..max, written without a
// sign or leading zeros.
func parseDecimal(s string, max int64) (int64, bool) {
	if s == "" || len(s) > 1 && s[0] == '0' {
		return 0, false
	}
	var v int64
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return 0, false
		}
		v = v*10 + int64(s[i]-'0')
		if v > max {
			return 0, false
		}
	}
	return v, true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
