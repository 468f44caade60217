package mirror_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"stele/checkpoint"
	"stele/mirror"
	"stele/publish"
	"stele/store"
	"stele/verify"
)

const benchEntries = 1_000_000

var (
	bigOnce sync.Once
	bigLog  struct {
		dir string
		v   *checkpoint.Verifier
		err error
	}
)

// bigTestLog writes a log of benchEntries entries of about 100 bytes once
// per process, in batches of 10,000 as a publisher would.
func bigTestLog(b *testing.B) (string, *checkpoint.Verifier) {
	bigOnce.Do(func() {
		bigLog.err = func() error {
			dir, err := os.MkdirTemp("", "mirror-bench-log-")
			if err != nil {
				return err
			}
			bigRoot = dir
			const origin = "bench.example.test/log"
			skey, vkey, err := checkpoint.GenerateKey(rand.Reader, origin)
			if err != nil {
				return err
			}
			signer, err := checkpoint.NewSigner(skey)
			if err != nil {
				return err
			}
			if bigLog.v, err = checkpoint.NewVerifier(vkey); err != nil {
				return err
			}
			st, err := store.NewDir(dir)
			if err != nil {
				return err
			}
			defer st.Close()
			ctx := context.Background()
			l, err := publish.OpenLog(ctx, st, signer, origin)
			if err != nil {
				return err
			}
			pad := make([]byte, 80)
			for i := range pad {
				pad[i] = 'a' + byte(i%26)
			}
			for done := 0; done < benchEntries; {
				var es [][]byte
				for k := 0; k < 10_000 && done < benchEntries; k++ {
					es = append(es, fmt.Appendf(nil, "entry %09d %s", done, pad))
					done++
				}
				if err := l.Append(ctx, es); err != nil {
					return err
				}
				if _, err := l.Commit(ctx); err != nil {
					return err
				}
			}
			bigLog.dir = dir
			return nil
		}()
	})
	if bigLog.err != nil {
		b.Fatal(bigLog.err)
	}
	return bigLog.dir, bigLog.v
}

var bigRoot string // removed by TestMain

func init() {
	cleanups = append(cleanups, func() {
		if bigRoot != "" {
			os.RemoveAll(bigRoot)
		}
	})
}

// BenchmarkMirror mirrors a 1,000,000-entry log from a static server on
// loopback. "to=dir" writes the copy to a directory, then verifies the
// copy and the original directory and reports the ratio of the two
// verification times; "to=discard" drops what it fetched, measuring the
// download and verification alone (the directory store creates two files
// per object, which dominates on slow disks).
func BenchmarkMirror(b *testing.B) {
	if testing.Short() {
		b.Skip("generates a 1,000,000-entry log")
	}
	dir, v := bigTestLog(b)
	srv := serveDir(b, dir)
	keys := []*checkpoint.Verifier{v}
	ctx := context.Background()
	for _, toDir := range []bool{true, false} {
		name := "to=discard"
		if toDir {
			name = "to=dir"
		}
		b.Run(name, func(b *testing.B) {
			var fetched, bytes int64
			var mirrorTime, copyTime, origTime time.Duration
			for i := 0; i < b.N; i++ {
				dst := filepath.Join(b.TempDir(), "copy")
				var d store.Store = discard{}
				if toDir {
					dd, err := store.NewDir(dst)
					if err != nil {
						b.Fatal(err)
					}
					defer dd.Close()
					d = dd
				}
				src, err := mirror.NewRemote(srv.URL, nil)
				if err != nil {
					b.Fatal(err)
				}
				start := time.Now()
				res := mirror.Mirror(ctx, src, d, mirror.Options{Verifiers: keys})
				mirrorTime += time.Since(start)
				if res.Outcome() != verify.ResultOK {
					b.Fatalf("mirror: %v %+v", res.Err, res.Logs)
				}
				fetched += res.Progress.Fetched
				bytes += res.Progress.Bytes
				if toDir {
					b.StopTimer()
					// The faster of three alternating runs each, to keep
					// the page cache and other noise out of the ratio.
					c, o := time.Duration(1<<62), time.Duration(1<<62)
					for range 3 {
						c = min(c, timeVerify(b, dst, keys))
						o = min(o, timeVerify(b, dir, keys))
					}
					copyTime += c
					origTime += o
					os.RemoveAll(dst)
					b.StartTimer()
				}
			}
			b.ReportMetric(float64(bytes)/1e6/mirrorTime.Seconds(), "MB/s")
			b.ReportMetric(float64(fetched)/mirrorTime.Seconds(), "requests/s")
			b.ReportMetric(float64(benchEntries)*float64(b.N)/mirrorTime.Seconds(), "entries/s")
			if toDir {
				b.ReportMetric(copyTime.Seconds()/origTime.Seconds(), "verify-copy/orig")
			}
		})
	}
}

// discard is a store that keeps nothing.
type discard struct{}

func (discard) Get(ctx context.Context, key string) (store.Object, error) {
	return store.Object{}, fmt.Errorf("discarded %s: %w", key, os.ErrNotExist)
}
func (discard) Create(context.Context, string, []byte, store.Metadata) error       { return nil }
func (discard) Put(context.Context, string, []byte, store.Metadata) error          { return nil }
func (discard) Swap(context.Context, string, string, []byte, store.Metadata) error { return nil }
func (discard) List(context.Context, string) ([]string, error)                     { return nil, nil }
func (discard) Sync(context.Context) error                                         { return nil }

func timeVerify(b *testing.B, dir string, keys []*checkpoint.Verifier) time.Duration {
	st, err := store.NewDir(dir)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	start := time.Now()
	r := verify.Log(context.Background(), st, keys, verify.Options{Records: true})
	d := time.Since(start)
	if r.Err != nil || r.EntriesChecked != benchEntries {
		b.Fatalf("verifying %s: %d entries, %v", dir, r.EntriesChecked, r.Err)
	}
	return d
}
