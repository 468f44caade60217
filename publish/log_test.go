package publish_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"stele/checkpoint"
	"stele/publish"
	"stele/store"
)

func newSigner(t testing.TB, name string) *checkpoint.Signer {
	t.Helper()
	skey, _, err := checkpoint.GenerateKey(rand.Reader, name)
	if err != nil {
		t.Fatal(err)
	}
	s, err := checkpoint.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func entries(from, n int) [][]byte {
	var es [][]byte
	for i := from; i < from+n; i++ {
		es = append(es, []byte(fmt.Sprintf("record %d", i)))
	}
	return es
}

// rootOf is the tree hash of entries 0..n-1 computed from scratch.
func rootOf(t *testing.T, n int) tlog.Hash {
	t.Helper()
	var hashes []tlog.Hash
	r := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			out[i] = hashes[x]
		}
		return out, nil
	})
	for i, e := range entries(0, n) {
		hs, err := tlog.StoredHashes(int64(i), e, r)
		if err != nil {
			t.Fatal(err)
		}
		hashes = append(hashes, hs...)
	}
	h, err := tlog.TreeHash(int64(n), r)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func openLog(t *testing.T, st store.Store, s *checkpoint.Signer) *publish.Log {
	t.Helper()
	l, err := publish.OpenLog(context.Background(), st, s, s.Name())
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestAppendAcrossRuns(t *testing.T) {
	ctx := context.Background()
	s := newSigner(t, "example.test/log")
	st, err := store.NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, batch := range []int{1, 254, 1, 1, 300, 0, 256} {
		l := openLog(t, st, s)
		if l.Size() != int64(n) {
			t.Fatalf("reopened at size %d, want %d", l.Size(), n)
		}
		if err := l.Append(ctx, entries(n, batch)); err != nil {
			t.Fatal(err)
		}
		n += batch
		c, err := l.Commit(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if c.Size != int64(n) || c.Hash != rootOf(t, n) {
			t.Fatalf("after %d entries: checkpoint %d %s, want root %s", n, c.Size, c.Hash, rootOf(t, n))
		}
	}
}

func TestEmptyLogCommit(t *testing.T) {
	s := newSigner(t, "example.test/log")
	st, _ := store.NewDir(t.TempDir())
	c, err := openLog(t, st, s).Commit(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if c.Size != 0 || c.Hash != tlog.Hash(sha256Empty()) {
		t.Fatalf("empty checkpoint %+v", c)
	}
	if openLog(t, st, s).Size() != 0 {
		t.Fatal("reopened empty log is not empty")
	}
}

// TestInterruptedRun: a run that wrote tiles but never committed is
// finished by a rerun with the same entries; different entries are refused
// without overwriting.
func TestInterruptedRun(t *testing.T) {
	ctx := context.Background()
	s := newSigner(t, "example.test/log")
	dir := t.TempDir()
	st, _ := store.NewDir(dir)
	l := openLog(t, st, s)
	l.Append(ctx, entries(0, 100))
	l.Commit(ctx)

	crashed := openLog(t, st, s)
	if err := crashed.Append(ctx, entries(100, 200)); err != nil {
		t.Fatal(err)
	}
	if err := st.Sync(ctx); err != nil { // the crash happens after the writes landed
		t.Fatal(err)
	}

	other := openLog(t, st, s)
	if other.Size() != 100 {
		t.Fatalf("uncommitted entries visible: size %d", other.Size())
	}
	err := other.Append(ctx, entries(1000, 200)) // other entries, same tiles

	if !errors.Is(err, publish.ErrLeftover) {
		t.Fatalf("different bytes over a leftover: %v, want ErrLeftover", err)
	}

	rerun := openLog(t, st, s)
	if err := rerun.Append(ctx, entries(100, 200)); err != nil {
		t.Fatalf("rerun with the same entries: %v", err)
	}
	c, err := rerun.Commit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if c.Hash != rootOf(t, 300) {
		t.Fatal("rerun produced the wrong tree")
	}
}

func TestLostSwap(t *testing.T) {
	ctx := context.Background()
	s := newSigner(t, "example.test/log")
	st, _ := store.NewDir(t.TempDir())
	a, b := openLog(t, st, s), openLog(t, st, s)
	a.Append(ctx, entries(0, 10))
	if _, err := a.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	b.Append(ctx, entries(0, 10)) // same bytes: the tiles are accepted
	b.Append(ctx, entries(10, 1))
	if _, err := b.Commit(ctx); !errors.Is(err, publish.ErrLostSwap) {
		t.Fatalf("second publisher: %v, want ErrLostSwap", err)
	}
	if got := openLog(t, st, s).Size(); got != 10 {
		t.Fatalf("log size %d after a lost swap, want 10", got)
	}
}

func TestOpenRefuses(t *testing.T) {
	ctx := context.Background()
	s := newSigner(t, "example.test/log")
	dir := t.TempDir()
	st, _ := store.NewDir(dir)
	if _, err := publish.OpenLog(ctx, st, s, "example.test/other"); err == nil {
		t.Fatal("signer name differing from origin accepted")
	}
	l := openLog(t, st, s)
	l.Append(ctx, entries(0, 300))
	if _, err := l.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := publish.OpenLog(ctx, st, newSigner(t, "example.test/log"), "example.test/log"); !errors.Is(err, publish.ErrCorrupt) {
		t.Fatalf("another key's log: %v, want ErrCorrupt", err)
	}
	if err := l.Append(ctx, [][]byte{make([]byte, 65536)}); err == nil {
		t.Fatal("65,536-byte entry accepted")
	}
	// Damage the partial bundle the next append would extend.
	p := filepath.Join(dir, "tile", "entries", "001.p", "44")
	if err := os.WriteFile(p, []byte{0, 1, 'x'}, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := publish.OpenLog(ctx, st, s, s.Name()); err == nil {
		t.Fatal("damaged partial bundle accepted")
	}
}
