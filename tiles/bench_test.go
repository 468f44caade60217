package tiles

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"golang.org/x/mod/sumdb/tlog"
)

// BenchmarkParseBundle parses a full bundle of 256 entries the size of a
// typical audit record.
func BenchmarkParseBundle(b *testing.B) {
	for _, size := range []int{100, 700, 4000} {
		b.Run(fmt.Sprintf("entry=%dB", size), func(b *testing.B) {
			var bundle []byte
			for i := range Width {
				bundle, _ = AppendEntry(bundle, bytes.Repeat([]byte{byte(i)}, size))
			}
			b.SetBytes(int64(len(bundle)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ParseBundleN(bundle, Width); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*Width), "ns/entry")
		})
	}
}

// BenchmarkHashTiles lists and fills the tiles for appending batches of
// entries to a log of about 100,000 entries.
func BenchmarkHashTiles(b *testing.B) {
	const base = 100_000
	l := newHashLog(b, base+10_000)
	for _, batch := range []int64{1, 256, 10_000} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			tiles := 0
			for b.Loop() {
				ts, err := HashTiles(base, base+batch, l)
				if err != nil {
					b.Fatal(err)
				}
				tiles = len(ts)
			}
			b.ReportMetric(float64(tiles), "tiles/op")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(int64(b.N)*batch), "ns/entry")
		})
	}
}

// BenchmarkInclusionProof proves one entry of a 70,000-entry log through
// HashReader from memory, with a fresh reader (no cached tiles) each time:
// the cost of authenticating the tiles.
func BenchmarkInclusionProof(b *testing.B) {
	ctx := context.Background()
	l := log70k()
	m := newMemStore()
	writeTiles(b, m, l, 0, 70000)
	tree := l.tree(b, 70000)
	i := int64(0)
	for b.Loop() {
		leaf := i * 7919 % tree.N
		i++
		if _, err := tlog.ProveRecord(tree.N, leaf, HashReader(ctx, tree, m)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(m.fetchCount())/float64(b.N), "fetches/op")
}

func BenchmarkParsePath(b *testing.B) {
	p := Path(tlog.Tile{H: Height, L: 0, N: 1234067, W: 17})
	for b.Loop() {
		if _, err := ParsePath(p); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/path")
}
