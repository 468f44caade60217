package verify_test

import (
	"context"
	"crypto/rand"
	"os"
	"path/filepath"
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
// test process and removed by TestMain. With $STELE_BENCH_LOG naming a
// directory, the log is built there once (with its verifier key beside it)
// and kept for later runs, which saves the build when profiling.
var benchLog struct {
	once sync.Once
	dir  string
	keep bool
	v    *checkpoint.Verifier
	err  error
}

const benchEntries = 1_000_000

func TestMain(m *testing.M) {
	code := m.Run()
	if benchLog.dir != "" && !benchLog.keep {
		os.RemoveAll(benchLog.dir)
	}
	for _, d := range benchCleanup {
		os.RemoveAll(d)
	}
	os.Exit(code)
}

func buildBenchLog(b *testing.B) (string, *checkpoint.Verifier) {
	benchLog.once.Do(func() {
		if kept := os.Getenv("STELE_BENCH_LOG"); kept != "" {
			benchLog.dir, benchLog.keep = kept, true
			if vkey, err := os.ReadFile(filepath.Join(kept, "vkey")); err == nil {
				benchLog.v, benchLog.err = checkpoint.NewVerifier(string(vkey))
				return
			}
		} else {
			dir, err := os.MkdirTemp("", "stele-bench-verify-")
			if err != nil {
				benchLog.err = err
				return
			}
			benchLog.dir = dir
		}
		dir := benchLog.dir
		s, v, vkey := newBenchKey(b)
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
		if _, benchLog.err = l.Commit(ctx); benchLog.err == nil && benchLog.keep {
			// An object the verifier never reads.
			benchLog.err = os.WriteFile(filepath.Join(dir, "vkey"), []byte(vkey), 0o644)
		}
	})
	if benchLog.err != nil {
		b.Fatal(benchLog.err)
	}
	return benchLog.dir, benchLog.v
}

// newBenchKey returns a fresh signer named origin, its verifier and the
// verifier key string.
func newBenchKey(b *testing.B) (*checkpoint.Signer, *checkpoint.Verifier, string) {
	skey, vkey, err := checkpoint.GenerateKey(rand.Reader, origin)
	if err != nil {
		b.Fatal(err)
	}
	s, err := checkpoint.NewSigner(skey)
	if err != nil {
		b.Fatal(err)
	}
	v, err := checkpoint.NewVerifier(vkey)
	if err != nil {
		b.Fatal(err)
	}
	return s, v, vkey
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
// from a local directory, entries opaque. entries/s is the figure (run it
// with -cpu 1 for one core); cpu-ns/entry is the CPU time of the whole
// process per entry, steadier than wall time on a busy machine; the peak
// heap must not grow with the log.
func BenchmarkVerifyTree(b *testing.B) {
	benchVerify(b, func(d *store.Dir) store.Store { return d })
}

// BenchmarkGetOnlyVerify is BenchmarkVerifyTree reading through Get alone,
// as for a store without the directory's cheap read path (and as through
// a store.Sub view): every object hashed for its ETag, every sidecar
// checked.
func BenchmarkGetOnlyVerify(b *testing.B) {
	benchVerify(b, func(d *store.Dir) store.Store { return getOnly{d} })
}

func benchVerify(b *testing.B, wrap func(*store.Dir) store.Store) {
	if testing.Short() {
		b.Skip("builds a 1,000,000-entry log; skipped in -short mode")
	}
	dir, v := buildBenchLog(b)
	d, err := store.NewDir(dir)
	if err != nil {
		b.Fatal(err)
	}
	st := wrap(d)
	b.ResetTimer()
	var peak uint64
	cpu0, cpuOK := processCPU()
	for i := 0; i < b.N; i++ {
		p := peakHeap(func() {
			r := verify.Log(context.Background(), st, []*checkpoint.Verifier{v}, verify.Options{})
			if r.Err != nil || r.EntriesChecked != benchEntries {
				b.Fatalf("verify: %d entries, %v", r.EntriesChecked, r.Err)
			}
		})
		peak = max(peak, p)
	}
	cpu1, _ := processCPU()
	entries := float64(benchEntries) * float64(b.N)
	b.ReportMetric(entries/b.Elapsed().Seconds(), "entries/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	if cpuOK {
		// CPU time (user and system, every thread) is steadier than wall
		// time on a shared machine: it does not count the time spent
		// waiting for a core.
		b.ReportMetric(float64((cpu1-cpu0).Nanoseconds())/entries, "cpu-ns/entry")
	}
}
