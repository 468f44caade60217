package store_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"stele/store"
)

const benchObjects = 1000

// BenchmarkDirCreate measures durable writes: 1,000 small objects created,
// then one Sync, per iteration; objects/s is the figure. The "fsync-each"
// variant is the unbatched baseline (write, fsync, rename, fsync the
// directory, per object) that Dir's batching is meant to beat.
func BenchmarkDirCreate(b *testing.B) {
	data := make([]byte, 256)
	for _, mode := range []string{"syncfs", "per-file", "fsync-each"} {
		b.Run(mode, func(b *testing.B) {
			ctx := b.Context()
			parent := b.TempDir()
			for i := 0; b.Loop(); i++ {
				root := filepath.Join(parent, fmt.Sprint(i))
				if mode == "fsync-each" {
					naiveWrites(b, root, data)
					continue
				}
				d, err := store.NewDir(root)
				if err != nil {
					b.Fatal(err)
				}
				store.SetPerFileFlush(d, mode == "per-file")
				for j := range benchObjects {
					data[0], data[1] = byte(j), byte(j>>8)
					if err := d.Create(ctx, fmt.Sprintf("tile/0/x%03d/%03d", j/1000, j%1000), data, mdTile); err != nil {
						b.Fatal(err)
					}
				}
				if err := d.Sync(ctx); err != nil {
					b.Fatal(err)
				}
				d.Close()
			}
			b.ReportMetric(float64(benchObjects*b.N)/b.Elapsed().Seconds(), "objects/s")
		})
	}
}

func naiveWrites(b *testing.B, root string, data []byte) {
	dir := filepath.Join(root, "tile", "0", "x000")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	for j := range benchObjects {
		data[0], data[1] = byte(j), byte(j>>8)
		p := filepath.Join(dir, fmt.Sprintf("%03d", j))
		f, err := os.Create(p + ".tmp")
		if err != nil {
			b.Fatal(err)
		}
		f.Write(data)
		f.Sync()
		f.Close()
		if err := os.Rename(p+".tmp", p); err != nil {
			b.Fatal(err)
		}
		d, _ := os.Open(dir)
		d.Sync()
		d.Close()
	}
}
