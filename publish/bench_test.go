package publish_test

import (
	"context"
	"fmt"
	"testing"

	"stele/publish"
	"stele/store"
)

// BenchmarkAppend appends 100,000 entries in batches of 1,000, committing a
// checkpoint after each batch, to a local directory.
func BenchmarkAppend(b *testing.B) {
	const total, batchSize = 100_000, 1_000
	s := newSigner(b, "bench.example/log")
	ctx := context.Background()
	entries := make([][]byte, batchSize)
	for i := 0; i < b.N; i++ {
		st, err := store.NewDir(b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		for n := 0; n < total; n += batchSize {
			l, err := publish.OpenLog(ctx, st, s, s.Name())
			if err != nil {
				b.Fatal(err)
			}
			for j := range entries {
				entries[j] = []byte(fmt.Sprintf("entry %d of the benchmark log, padded to a realistic size: %0120d", n+j, n+j))
			}
			if err := l.Append(ctx, entries); err != nil {
				b.Fatal(err)
			}
			if _, err := l.Commit(ctx); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(total)*float64(b.N)/b.Elapsed().Seconds(), "entries/s")
}
