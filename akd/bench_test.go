package akd

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"stele/akd/internal/blake3x"
)

// benchProof is a generated proof and its roots, built once per process.
type benchProof struct {
	data      []byte
	elements  int
	prev, cur [32]byte
}

var (
	benchMu     sync.Mutex
	benchProofs = map[int]*benchProof{}
)

// getBenchProof returns a proof of about n elements: k inserted leaves in
// a tree of depth 35 (log2 of a directory of 2^35 leaves), k chosen so
// that the unchanged siblings bring the total to n. Its roots are the
// ones the verifier computes (correctness is other tests' business).
func getBenchProof(b *testing.B, cfg Config, n int) *benchProof {
	benchMu.Lock()
	defer benchMu.Unlock()
	key := n
	if cfg.kind == kindExperimental {
		key = -n
	}
	if bp := benchProofs[key]; bp != nil {
		return bp
	}
	const depth = 35
	k := n / 18
	p := virtualProof(rand.New(rand.NewPCG(uint64(n), 1)), k, depth)
	bp := &benchProof{elements: len(p.Inserted) + len(p.Unchanged)}
	var buf bytes.Buffer
	if err := Encode(&buf, p); err != nil {
		b.Fatal(err)
	}
	bp.data = buf.Bytes()
	_, err := VerifyStep(cfg, p, 100, [32]byte{}, [32]byte{}, nil)
	var v *ViolationError
	if !errors.As(err, &v) {
		b.Fatal(err)
	}
	bp.prev, bp.cur = v.ComputedPrevious, v.ComputedCurrent
	benchProofs[key] = bp
	return bp
}

// peakHeap samples the heap while f runs and returns the largest heap in
// use seen (objects plus the unused part of their spans, as HeapInuse),
// a lower bound of the peak. runtime/metrics does not stop the world, so
// the sampling does not slow f down the way runtime.ReadMemStats would.
func peakHeap(f func()) uint64 {
	var peak atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		samples := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"}}
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(samples)
			if inuse := samples[0].Value.Uint64() + samples[1].Value.Uint64(); inuse > peak.Load() {
				peak.Store(inuse)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	f()
	close(stop)
	<-done
	return peak.Load()
}

// blake3Floor measures the bare cost of hashing one 64-byte input, the
// unit of the floor ratio: the fastest of a few short runs, so that a
// busy machine disturbs it less.
func blake3Floor() float64 {
	var block [64]byte
	return fastest(func(i int) {
		block[0] = byte(i)
		_ = sum(block[:])
	}, 1)
}

// simdFloor measures the cost per hash of the eight-lane kernel on
// 64-byte inputs (the portable code where there is no SIMD).
func simdFloor() float64 {
	var in [blake3x.Lanes][blake3x.BlockSize]byte
	var out [blake3x.Lanes][32]byte
	lens := [blake3x.Lanes]uint32{64, 64, 64, 64, 64, 64, 64, 64}
	return fastest(func(i int) {
		in[0][0] = byte(i)
		blake3x.Sum1(&out, &in, &lens)
	}, blake3x.Lanes)
}

// fastest runs f 20,000 times, five times over, and returns the fastest
// run's time per call over perCall.
func fastest(f func(int), perCall int) float64 {
	const n = 20000
	best := time.Duration(1 << 62)
	for range 5 {
		start := time.Now()
		for i := 0; i < n; i++ {
			f(i)
		}
		best = min(best, time.Since(start))
	}
	return float64(best.Nanoseconds()) / float64(n*perCall)
}

// BenchmarkVerify streams generated proofs of 100,000 and 3,600,000
// elements through Verify, single-threaded and on all cores, reporting
// ns/element, MB/s, the peak heap, and two floor ratios: the time per
// proof × workers over (compressions run × the bare cost of one 64-byte
// BLAKE3 hash), one at a time (floor-ratio) and in the eight-lane kernel
// (simd-floor-ratio).
func BenchmarkVerify(b *testing.B) {
	for _, cfg := range testConfigs {
		for _, n := range []int{100_000, 3_600_000} {
			for _, workers := range []int{1, runtime.GOMAXPROCS(0)} {
				name := cfg.Name() + "/" + strconv.Itoa(n) + "/workers=" + strconv.Itoa(workers)
				b.Run(name, func(b *testing.B) {
					if n > 1_000_000 && testing.Short() {
						b.Skip("the 3.6M-element proof is skipped in -short mode")
					}
					bp := getBenchProof(b, cfg, n)
					floor, simd := blake3Floor(), simdFloor()
					b.SetBytes(int64(len(bp.data)))
					var res Result
					runtime.GC()
					b.ResetTimer()
					peak := peakHeap(func() {
						for b.Loop() {
							var err error
							res, err = Verify(context.Background(), bytes.NewReader(bp.data), cfg, 100, bp.prev, bp.cur, &Options{Workers: workers})
							if err != nil {
								b.Fatal(err)
							}
						}
					})
					b.StopTimer()
					perOp := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
					b.ReportMetric(perOp/float64(bp.elements), "ns/element")
					b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
					b.ReportMetric(float64(res.Compressions)/float64(bp.elements), "compressions/element")
					b.ReportMetric(floor, "ns/blake3-64B")
					b.ReportMetric(perOp*float64(workers)/(float64(res.Compressions)*floor), "floor-ratio")
					b.ReportMetric(perOp*float64(workers)/(float64(res.Compressions)*simd), "simd-floor-ratio")
				})
			}
		}
	}
}

// BenchmarkVerifyFile streams the proof object named by the environment
// variable AKD_BENCH_PROOF (a whatsapp_v1 proof whose path ends in
// <epoch>/<hex prev>/<hex cur>, as `stele akd gen` writes them) from its
// file, single-threaded and on all cores. It is skipped without one.
func BenchmarkVerifyFile(b *testing.B) {
	path := os.Getenv("AKD_BENCH_PROOF")
	if path == "" {
		b.Skip("set AKD_BENCH_PROOF to a proof object to benchmark a real file")
	}
	parts := strings.Split(filepath.ToSlash(path), "/")
	if len(parts) < 3 {
		b.Fatalf("%s is not named <epoch>/<hex prev>/<hex cur>", path)
	}
	epoch, err := strconv.ParseUint(parts[len(parts)-3], 10, 64)
	if err != nil {
		b.Fatal(err)
	}
	prev, cur := mustHex(b, parts[len(parts)-2]), mustHex(b, parts[len(parts)-1])
	for _, workers := range []int{1, runtime.GOMAXPROCS(0)} {
		b.Run("workers="+strconv.Itoa(workers), func(b *testing.B) {
			floor, simd := blake3Floor(), simdFloor()
			var res Result
			for b.Loop() {
				f, err := os.Open(path)
				if err != nil {
					b.Fatal(err)
				}
				res, err = Verify(context.Background(), f, WhatsAppV1(), epoch, prev, cur, &Options{Workers: workers})
				f.Close()
				if err != nil {
					b.Fatal(err)
				}
			}
			perOp := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			elements := float64(res.Inserted + res.Unchanged)
			b.SetBytes(res.Bytes)
			b.ReportMetric(perOp/elements, "ns/element")
			b.ReportMetric(float64(res.Compressions)/elements, "compressions/element")
			b.ReportMetric(perOp*float64(workers)/(float64(res.Compressions)*floor), "floor-ratio")
			b.ReportMetric(perOp*float64(workers)/(float64(res.Compressions)*simd), "simd-floor-ratio")
		})
	}
}
