package publish_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"stele/akd"
	"stele/publish"
	"stele/source"
)

// benchEpochs is the size of the benchmark's simulated directory.
const benchEpochs = 10_000

// benchSpec makes small proofs: a few dozen elements each.
var benchSpec = nsSpec{name: "bench", config: akd.NameWhatsAppV1, ciphersuite: 1, start: 0, seed: 7, users: 64, updates: 2}

// benchTemp holds what the benchmarks generate once per process; TestMain
// removes it.
var benchTemp struct {
	once sync.Once
	dir  string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if benchTemp.dir != "" {
		os.RemoveAll(benchTemp.dir)
	}
	os.Exit(code)
}

// benchSource returns the directory of benchEpochs generated epochs,
// generating it on first use.
func benchSource(b *testing.B) string {
	b.Helper()
	benchTemp.once.Do(func() {
		benchTemp.dir, benchTemp.err = os.MkdirTemp("", "stele-publish-bench-")
		if benchTemp.err != nil {
			return
		}
		start := time.Now()
		genSource(b, filepath.Join(benchTemp.dir, benchSpec.name), benchSpec, benchEpochs)
		b.Logf("generated %d epochs in %s", benchEpochs, time.Since(start).Round(time.Millisecond))
	})
	if benchTemp.err != nil {
		b.Fatal(benchTemp.err)
	}
	return filepath.Join(benchTemp.dir, benchSpec.name)
}

// verifyAll verifies every proof of dir as the job does, one after the
// other on one core, and returns the time it took.
func verifyAll(b *testing.B, dir string, cfg akd.Config) time.Duration {
	b.Helper()
	ctx := context.Background()
	src, err := source.NewDir(dir)
	if err != nil {
		b.Fatal(err)
	}
	var objs []source.Object
	for e := uint64(1); ; e++ {
		o, err := src.List(ctx, e)
		if err != nil {
			b.Fatal(err)
		}
		if len(o) == 0 {
			break
		}
		objs = append(objs, o...)
	}
	if len(objs) != benchEpochs {
		b.Fatalf("%d proofs, want %d", len(objs), benchEpochs)
	}
	start := time.Now()
	for _, o := range objs {
		rc, err := src.Open(ctx, o.Name)
		if err != nil {
			b.Fatal(err)
		}
		_, err = akd.Verify(ctx, rc, cfg, o.Epoch, o.Prev, o.Cur, &akd.Options{Workers: 1})
		rc.Close()
		if err != nil {
			b.Fatalf("%s: %v", o.Name, err)
		}
	}
	return time.Since(start)
}

// BenchmarkPublish publishes benchEpochs epochs of small proofs into a
// local directory in one run, on one verification worker, and reports
// the cost per epoch of everything but the AKD verification itself
// (listing, hashing, signing, records, tiles, Plexi objects, pages,
// syncs), measured as the run's time minus the time verifying the same
// proofs alone takes.
func BenchmarkPublish(b *testing.B) {
	dir := benchSource(b)
	verifyTime := verifyAll(b, dir, benchSpec.akdConfig(b))
	var runTime time.Duration
	runs := 0
	for b.Loop() {
		s := newJobSiteFrom(b, map[string]string{benchSpec.name: dir}, benchSpec)
		s.cfg.Workers = 1
		d := s.openStore()
		start := time.Now()
		sum := s.runOn(d, s.now, publish.Options{})
		runTime += time.Since(start)
		runs++
		d.Close()
		n := nsSum(b, sum, benchSpec.name)
		if sum.ExitCode != 0 || n.EpochsVerified != benchEpochs {
			b.Fatalf("run: exit %d, %d epochs: %s", sum.ExitCode, n.EpochsVerified, n.Error)
		}
	}
	perRun := runTime / time.Duration(runs)
	b.ReportMetric(float64(perRun-verifyTime)/float64(time.Millisecond)/benchEpochs, "ms/epoch-excl-verify")
	b.ReportMetric(float64(verifyTime)/float64(time.Millisecond)/benchEpochs, "ms/epoch-verify")
	b.ReportMetric(benchEpochs/perRun.Seconds(), "epochs/s")
	b.Logf("%d epochs: run %s, verification alone %s", benchEpochs, perRun.Round(time.Millisecond), verifyTime.Round(time.Millisecond))
}

// The fixture's generator is what the benchmark relies on: a small
// directory through the same path verifies and publishes.
func TestBenchFixture(t *testing.T) {
	s := newJobSite(t, 5, benchSpec)
	s.cfg.Workers = 1
	wantResult(t, s.run(), benchSpec.name, publish.ResultOK, 0)
	a := s.rootOf(benchSpec.name)
	s.wantLog(s.openStore(), benchSpec.name, chain(a.Epoch, a.Epoch+5))
}
