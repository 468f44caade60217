package s3e2e

import (
	"context"
	"fmt"
	"io/fs"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"stele/tiles"
)

// Two `stele publish` processes started together on one bucket, round
// after round with new epochs: never do both append; the other exits 3
// (held lease, lost swap) or 0 (nothing new when it looked); the log
// verifies and never forks.
func TestConcurrentPublishers(t *testing.T) {
	w := newWorld(t)
	siteBucket := w.srv.NewBucket(t)
	site := w.srv.URL(siteBucket, "")
	src := w.gen("wa", 1)
	cfg := w.config("stele", site, ns{name: "wa", source: src, root: w.anchor(src)})
	const rounds = 20
	type seen struct {
		size int64
		root [32]byte
	}
	var history []seen
	total, contested := 0, 0
	for round := range rounds {
		if round > 0 {
			w.gen("wa", 2)
		}
		type run struct {
			r   result
			sum summary
		}
		runs := make([]run, 2)
		done := make(chan int)
		for i := range runs {
			c, out, errb := w.cmd(nil, "publish", "-c", cfg, "-json", "-q")
			if err := c.Start(); err != nil {
				t.Fatal(err)
			}
			go func() {
				c.Wait()
				runs[i].r = result{code: c.ProcessState.ExitCode(), stdout: out.String(), stderr: errb.String()}
				done <- i
			}()
		}
		<-done
		<-done
		appended := 0
		for i, r := range runs {
			if r.r.code != 0 && r.r.code != 3 {
				t.Fatalf("round %d: publisher %d: want exit 0 or 3, got %s", round, i, r.r)
			}
			runs[i].sum = parseSummary(t, r.r)
			if n := runs[i].sum.appended(); n > 0 {
				appended++
				total += n
			}
		}
		if appended > 1 {
			t.Fatalf("round %d: both publishers appended:\n%s\n%s", round, runs[0].r, runs[1].r)
		}
		if runs[0].r.code == 3 || runs[1].r.code == 3 {
			contested++
		}
		size, root := checkpointOf(t, w.get(siteBucket, "logs/wa/checkpoint"))
		history = append(history, seen{size, root})
		if len(history) > 1 && size < history[len(history)-2].size {
			t.Fatalf("round %d: the checkpoint went back from %d to %d", round, history[len(history)-2].size, size)
		}
	}
	// Whatever the races left undone, one more run finishes.
	w.publish(cfg, 0)
	v := w.verify(site, 0)
	if len(v.Logs) != 1 || v.Logs[0].Result != "ok" {
		t.Fatalf("verify: %+v", v)
	}
	// No fork: every checkpoint seen is a prefix of the final tree.
	final, _ := checkpointOf(t, w.get(siteBucket, "logs/wa/checkpoint"))
	if want := int64(1 + 1 + 2*(rounds-1)); final != want {
		t.Fatalf("final log size %d, want %d", final, want)
	}
	objs := w.objects(siteBucket, "logs/wa/")
	fetch := tiles.FetcherFunc(func(_ context.Context, path string) ([]byte, error) {
		b, ok := objs[path]
		if !ok {
			return nil, fmt.Errorf("no %s: %w", path, fs.ErrNotExist)
		}
		return b, nil
	})
	size, root := checkpointOf(t, objs["checkpoint"])
	hr := tiles.HashReader(t.Context(), tlog.Tree{N: size, Hash: root}, fetch)
	for i, h := range history {
		got, err := tlog.TreeHash(h.size, hr)
		if err != nil {
			t.Fatalf("round %d: tree hash at %d: %v", i, h.size, err)
		}
		if got != h.root {
			t.Fatalf("round %d: the checkpoint of size %d is not a prefix of the final log: a fork", i, h.size)
		}
	}
	// Negative control: a checkpoint with another root at a size the log
	// covers is caught.
	forged := history[len(history)/2]
	forged.root[0] ^= 1
	if got, err := tlog.TreeHash(forged.size, hr); err != nil || got == forged.root {
		t.Fatalf("a forged root at size %d was not caught (%v)", forged.size, err)
	}
	t.Logf("%d rounds, %d epochs appended, %d rounds with a publisher exiting 3", rounds, total, contested)
}
