package verify_test

import (
	"context"
	"crypto/rand"
	"os"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"stele/checkpoint"
	"stele/publish"
	"stele/store"
	"stele/verify"
)

// benchLog is a 1,000,000-entry log of 200-byte entries, built once per
// test process and removed by TestMain.
var benchLog struct {
	once sync.Once
	dir  string
	v    *checkpoint.Verifier
	err  error
}

const benchEntries = 1_000_000

func TestMain(m *testing.M) {
	code := m.Run()
	if benchLog.dir != "" {
		os.RemoveAll(benchLog.dir)
	}
	os.Exit(code)
}

func buildBenchLog(b *testing.B) (string, *checkpoint.Verifier) {
	benchLog.once.Do(func() {
		dir, err := os.MkdirTemp("", "stele-bench-verify-")
		if err != nil {
			benchLog.err = err
			return
		}
		benchLog.dir = dir
		s, v := newKey(b, origin)
		benchLog.v = v
		ctx := context.Background()
		st, err := store.NewDir(dir)
		if err != nil {
			benchLog.err = err
			return
		}
		l, err := publish.OpenLog(ctx, st, s, s.Name())
		if err != nil {
			benchLog.err = err
			return
		}
		batch := make([][]byte, 0, 10_000)
		for i := 0; i < benchEntries; i++ {
			e := make([]byte, 200)
			rand.Read(e)
			batch = append(batch, e)
			if len(batch) == cap(batch) {
				if benchLog.err = l.Append(ctx, batch); benchLog.err != nil {
					return
				}
				batch = batch[:0]
			}
		}
		_, benchLog.err = l.Commit(ctx)
	})
	if benchLog.err != nil {
		b.Fatal(benchLog.err)
	}
	return benchLog.dir, benchLog.v
}

// peakHeap samples the live heap while f runs and returns the largest
// value seen, in bytes.
func peakHeap(f func()) uint64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak uint64
	read := func() {
		metrics.Read(sample)
		if v := sample[0].Value.Uint64(); v > peak {
			peak = v
		}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				read()
			}
		}
	}()
	f()
	close(done)
	wg.Wait()
	read()
	return peak
}

// BenchmarkVerifyTree verifies a 1,000,000-entry log of 200-byte entries
// from a local directory, entries opaque.
func BenchmarkVerifyTree(b *testing.B) {
	if testing.Short() {
		b.Skip("builds a 1,000,000-entry log; skipped in -short mode")
	}
	dir, v := buildBenchLog(b)
	st, err := store.NewDir(dir)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	var peak uint64
	for i := 0; i < b.N; i++ {
		p := peakHeap(func() {
			r := verify.Log(context.Background(), st, []*checkpoint.Verifier{v}, verify.Options{})
			if r.Err != nil || r.EntriesChecked != benchEntries {
				b.Fatalf("verify: %d entries, %v", r.EntriesChecked, r.Err)
			}
		})
		peak = max(peak, p)
	}
	b.ReportMetric(float64(benchEntries)*float64(b.N)/b.Elapsed().Seconds(), "entries/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}
