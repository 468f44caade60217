package verify_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"stele/checkpoint"
	"stele/publish"
	"stele/record"
	"stele/store"
	"stele/verify"
)

// benchRecords is a 1,000,000-record stele audit log (an anchor and
// verified records, each signed), built once per process in a temporary
// directory, or in "records" under $STELE_BENCH_LOG and kept.
var benchRecords struct {
	once sync.Once
	dir  string
	v    *checkpoint.Verifier
	err  error
}

const benchRecordOrigin = "bench.example/stele/ns"

func buildBenchRecords(b *testing.B) (string, *checkpoint.Verifier) {
	benchRecords.once.Do(func() { benchRecords.dir, benchRecords.v, benchRecords.err = makeBenchRecords(b) })
	if benchRecords.err != nil {
		b.Fatal(benchRecords.err)
	}
	return benchRecords.dir, benchRecords.v
}

func makeBenchRecords(b *testing.B) (string, *checkpoint.Verifier, error) {
	var dir string
	if kept := os.Getenv("STELE_BENCH_LOG"); kept != "" {
		dir = filepath.Join(kept, "records")
		if vkey, err := os.ReadFile(filepath.Join(dir, "vkey")); err == nil {
			v, err := checkpoint.NewVerifier(string(vkey))
			return dir, v, err
		}
	} else {
		d, err := os.MkdirTemp("", "stele-bench-records-")
		if err != nil {
			return "", nil, err
		}
		benchCleanup = append(benchCleanup, d)
		dir = d
	}
	s, _, _ := newBenchKey(b)
	s = s.WithName(benchRecordOrigin)
	v, err := checkpoint.NewVerifier(s.VerifierKey())
	if err != nil {
		return "", nil, err
	}
	ctx := context.Background()
	st, err := store.NewDir(dir)
	if err != nil {
		return "", nil, err
	}
	defer st.Close()
	l, err := publish.OpenLog(ctx, st, s, benchRecordOrigin)
	if err != nil {
		return "", nil, err
	}
	const batch = 20_000
	lines := make([][]byte, batch)
	for start := 0; start < benchEntries; start += batch {
		var wg sync.WaitGroup
		errs := make([]error, runtime.NumCPU())
		for w := range errs {
			wg.Go(func() {
				for i := w; i < batch; i += len(errs) {
					lines[i], errs[w] = benchRecord(start+i, s)
					if errs[w] != nil {
						return
					}
				}
			})
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				return "", nil, err
			}
		}
		if err := l.Append(ctx, lines); err != nil {
			return "", nil, err
		}
	}
	if _, err := l.Commit(ctx); err != nil {
		return "", nil, err
	}
	if os.Getenv("STELE_BENCH_LOG") != "" {
		err = os.WriteFile(filepath.Join(dir, "vkey"), []byte(s.VerifierKey()), 0o644)
	}
	return dir, v, err
}

// benchRecord is record i of the bench log: the anchor at epoch 1000, then
// verified records chained by digest.
func benchRecord(i int, s *checkpoint.Signer) ([]byte, error) {
	epoch := uint64(1000 + i)
	r := &record.Record{Kind: record.KindAnchor, Namespace: "ns", Epoch: epoch, Digest: digest(i), Configuration: record.ConfigWhatsAppV1}
	if i > 0 {
		r.Kind, r.PreviousDigest = record.KindVerified, digest(i-1)
		r.Proofs = []record.Proof{{Name: fmt.Sprintf("%d/%s/%s", epoch, digest(i-1), digest(i)), Size: 1 << 20, SHA256: digest(i + 7)}}
	}
	if err := r.Sign(1, 1795600000000+int64(i), s.PublicKey(), s.Sign); err != nil {
		return nil, err
	}
	return r.Marshal()
}

// benchCleanup lists temporary directories that TestMain does not know.
var benchCleanup []string

// BenchmarkVerifyRecords verifies a 1,000,000-record stele audit log from a
// local directory with the record checks (chain and every Plexi
// signature). records/s is the figure; the peak heap must stay flat.
func BenchmarkVerifyRecords(b *testing.B) {
	if testing.Short() {
		b.Skip("builds a 1,000,000-record log (a minute of signing); skipped in -short mode")
	}
	dir, v := buildBenchRecords(b)
	st, err := store.NewDir(dir)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	b.ResetTimer()
	var peak uint64
	cpu0, cpuOK := processCPU()
	for i := 0; i < b.N; i++ {
		p := peakHeap(func() {
			r := verify.Log(context.Background(), st, []*checkpoint.Verifier{v}, verify.Options{Records: true})
			if r.Err != nil || r.EntriesChecked != benchEntries || r.Status != verify.StatusOnline {
				b.Fatalf("verify: %d entries, status %s, %v", r.EntriesChecked, r.Status, r.Err)
			}
		})
		peak = max(peak, p)
	}
	cpu1, _ := processCPU()
	n := float64(benchEntries) * float64(b.N)
	b.ReportMetric(n/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	if cpuOK {
		b.ReportMetric(float64((cpu1-cpu0).Nanoseconds())/n, "cpu-ns/record")
	}
}
