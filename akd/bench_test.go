package akd

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
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

// peakHeap samples the heap while f runs and returns the largest
// HeapInuse seen (runtime.MemStats), a lower bound of the peak.
func peakHeap(f func()) uint64 {
	var peak atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		var ms runtime.MemStats
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
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
// unit of the floor ratio.
func blake3Floor() float64 {
	var block [64]byte
	const n = 200000
	start := time.Now()
	for i := 0; i < n; i++ {
		block[0] = byte(i)
		_ = sum(block[:])
	}
	return float64(time.Since(start).Nanoseconds()) / n
}

// BenchmarkVerify streams generated proofs of 100,000 and 3,600,000
// elements through Verify, single-threaded and on all cores, reporting
// ns/element, MB/s, the peak heap, and the floor ratio: the time per proof
// over (compressions run × the bare cost of one 64-byte BLAKE3 hash).
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
					floor := blake3Floor()
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
				})
			}
		}
	}
}
