package verify_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"stele/checkpoint"
	"stele/publish"
	"stele/store"
	"stele/verify"
)

const origin = "test.example/stele/log"

// newKey returns a fresh signer named origin and its verifier.
func newKey(t testing.TB, name string) (*checkpoint.Signer, *checkpoint.Verifier) {
	t.Helper()
	skey, vkey, err := checkpoint.GenerateKey(rand.Reader, name)
	if err != nil {
		t.Fatal(err)
	}
	s, err := checkpoint.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	v, err := checkpoint.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	return s, v
}

func entry(i int64) []byte { return []byte(fmt.Sprintf("entry %d", i)) }

// appendN grows the log in dir by the given batch sizes, committing after
// each batch.
func appendN(t testing.TB, dir string, s *checkpoint.Signer, batches ...int) {
	t.Helper()
	ctx := context.Background()
	st, err := store.NewDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range batches {
		l, err := publish.OpenLog(ctx, st, s, s.Name())
		if err != nil {
			t.Fatal(err)
		}
		var es [][]byte
		for i := l.Size(); i < l.Size()+int64(n); i++ {
			es = append(es, entry(i))
		}
		if err := l.Append(ctx, es); err != nil {
			t.Fatal(err)
		}
		if _, err := l.Commit(ctx); err != nil {
			t.Fatal(err)
		}
	}
}

func check(t testing.TB, dir string, v *checkpoint.Verifier) verify.Result {
	t.Helper()
	st, err := store.NewDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return verify.Log(context.Background(), st, []*checkpoint.Verifier{v}, verify.Options{})
}

func TestVerifySizes(t *testing.T) {
	s, v := newKey(t, origin)
	for _, batches := range [][]int{{1}, {2}, {255}, {256}, {257}, {3, 300, 1}, {256*256 + 300, 700}} {
		t.Run(fmt.Sprint(batches), func(t *testing.T) {
			if testing.Short() && batches[0] >= 256*256 {
				t.Skip("large log skipped in -short mode")
			}
			dir := t.TempDir()
			appendN(t, dir, s, batches...)
			r := check(t, dir, v)
			if r.Err != nil {
				t.Fatalf("verify: %v", r.Err)
			}
			var total int64
			for _, b := range batches {
				total += int64(b)
			}
			if r.Size != total || r.EntriesChecked != total || r.Origin != origin {
				t.Fatalf("got size %d, checked %d, origin %q; want %d entries of %q", r.Size, r.EntriesChecked, r.Origin, total, origin)
			}
		})
	}
}

// flipByte changes one byte of the file at key in the log directory.
func flipByte(t *testing.T, dir, key string, at int) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(key))
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if at < 0 {
		at += len(b)
	}
	b[at] ^= 0x01
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// rewriteBundle decompresses an entry bundle, applies f, and stores it
// compressed again, so the damage is in the content, not the encoding.
func rewriteBundle(t *testing.T, dir, key string, f func([]byte) []byte) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(key))
	z, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(z))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(f(raw))
	zw.Close()
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestVerifyNegative(t *testing.T) {
	s, v := newKey(t, origin)
	_, otherV := newKey(t, origin)
	golden := t.TempDir()
	appendN(t, golden, s, 256*256+300)

	// Each case damages the one golden log in place; the files it touches
	// are restored after it (copying the log per case is slow on disks
	// where creating files is).
	cases := []struct {
		name   string
		files  []string // touched, restored afterwards
		damage func(t *testing.T, dir string)
		key    []*checkpoint.Verifier
		result string
		object string // must appear in the error
	}{
		{"level-0 tile byte", []string{"tile/0/007"}, func(t *testing.T, dir string) { flipByte(t, dir, "tile/0/007", 100) }, nil, verify.ResultFailed, "tile/0/007"},
		{"partial level-0 tile", []string{"tile/0/257.p/44"}, func(t *testing.T, dir string) { flipByte(t, dir, "tile/0/257.p/44", -1) }, nil, verify.ResultFailed, "tile/0/257.p/44"},
		{"level-1 tile byte", []string{"tile/1/000"}, func(t *testing.T, dir string) { flipByte(t, dir, "tile/1/000", 5) }, nil, verify.ResultFailed, "tile/1/000"},
		{"level-2 partial tile", []string{"tile/2/000.p/1"}, func(t *testing.T, dir string) { flipByte(t, dir, "tile/2/000.p/1", 0) }, nil, verify.ResultFailed, "tile/2/000.p/1"},
		{"entry content", []string{"tile/entries/003"}, func(t *testing.T, dir string) {
			rewriteBundle(t, dir, "tile/entries/003", func(b []byte) []byte { b[len(b)-1] ^= 1; return b })
		}, nil, verify.ResultFailed, "tile/0/003"},
		{"bundle trailing bytes", []string{"tile/entries/003"}, func(t *testing.T, dir string) {
			rewriteBundle(t, dir, "tile/entries/003", func(b []byte) []byte { return append(b, 0) })
		}, nil, verify.ResultFailed, "tile/entries/003"},
		{"corrupt gzip", []string{"tile/entries/004"}, func(t *testing.T, dir string) { flipByte(t, dir, "tile/entries/004", 12) }, nil, verify.ResultFailed, "tile/entries/004"},
		{"truncated tile", []string{"tile/0/001"}, func(t *testing.T, dir string) {
			os.Truncate(filepath.Join(dir, "tile", "0", "001"), 8000)
		}, nil, verify.ResultFailed, "tile/0/001"},
		{"checkpoint body", []string{"checkpoint"}, func(t *testing.T, dir string) { flipByte(t, dir, "checkpoint", 3) }, nil, verify.ResultFailed, "checkpoint"},
		{"checkpoint signature", []string{"checkpoint"}, func(t *testing.T, dir string) { flipByte(t, dir, "checkpoint", -5) }, nil, verify.ResultFailed, "checkpoint"},
		{"wrong key", nil, func(t *testing.T, dir string) {}, []*checkpoint.Verifier{otherV}, verify.ResultFailed, "checkpoint"},
		{"missing tile", []string{"tile/0/005"}, func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, "tile", "0", "005")) }, nil, verify.ResultUnchecked, "tile/0/005"},
		{"missing bundle", []string{"tile/entries/009"}, func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, "tile", "entries", "009")) }, nil, verify.ResultUnchecked, "tile/entries/009"},
		{"missing checkpoint", []string{"checkpoint"}, func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, "checkpoint")) }, nil, verify.ResultUnchecked, "checkpoint"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, k := range tc.files {
				p := filepath.Join(golden, filepath.FromSlash(k))
				b, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() {
					if err := os.WriteFile(p, b, 0o644); err != nil {
						t.Fatal(err)
					}
				})
			}
			tc.damage(t, golden)
			keys := tc.key
			if keys == nil {
				keys = []*checkpoint.Verifier{v}
			}
			st, _ := store.NewDir(golden)
			r := verify.Log(context.Background(), st, keys, verify.Options{})
			if got := verify.Classify(r.Err); got != tc.result {
				t.Fatalf("result %q (err %v), want %q", got, r.Err, tc.result)
			}
			if !strings.Contains(r.Err.Error(), tc.object) {
				t.Fatalf("error %q does not name %s", r.Err, tc.object)
			}
		})
	}
	// The controls: undamaged, the same log verifies.
	if r := check(t, golden, v); r.Err != nil {
		t.Fatalf("restored golden log: %v", r.Err)
	}
}

// TestVerifyCheckpointMismatch signs, with the right key, a checkpoint whose
// size or root does not match the tiles.
func TestVerifyCheckpointMismatch(t *testing.T) {
	s, v := newKey(t, origin)
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		alter func(c *checkpoint.Checkpoint)
	}{
		{"root", func(c *checkpoint.Checkpoint) { c.Hash[0] ^= 1 }},
		{"size of an older tree", func(c *checkpoint.Checkpoint) { c.Size = 300 }},
		{"empty tree, another root", func(c *checkpoint.Checkpoint) { c.Size = 0 }},
		{"size past what indexes hold", func(c *checkpoint.Checkpoint) { c.Size = 1<<63 - 1 }},
		{"size 2^62", func(c *checkpoint.Checkpoint) { c.Size = 1 << 62 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			appendN(t, dir, s, 300, 300) // the tiles of size 300 exist too
			st, _ := store.NewDir(dir)
			obj, err := st.Get(ctx, "checkpoint")
			if err != nil {
				t.Fatal(err)
			}
			c, err := checkpoint.Open(obj.Data, v)
			if err != nil {
				t.Fatal(err)
			}
			tc.alter(&c)
			note, err := checkpoint.Sign(c, s)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "checkpoint"), note, 0o644); err != nil {
				t.Fatal(err)
			}
			r := check(t, dir, v)
			if verify.Classify(r.Err) != verify.ResultFailed {
				t.Fatalf("want failed, got %v", r.Err)
			}
		})
	}
}

// TestVerifyPartialFallback checks a reader at an older checkpoint whose
// partial tiles have been replaced by full ones (C2SP allows deleting
// partials once the full tile exists).
func TestVerifyPartialFallback(t *testing.T) {
	s, v := newKey(t, origin)
	dir := t.TempDir()
	appendN(t, dir, s, 300)
	old, err := os.ReadFile(filepath.Join(dir, "checkpoint"))
	if err != nil {
		t.Fatal(err)
	}
	appendN(t, dir, s, 300)
	if err := os.WriteFile(filepath.Join(dir, "checkpoint"), old, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"tile/0/001.p/44", "tile/entries/001.p/44"} {
		if err := os.Remove(filepath.Join(dir, filepath.FromSlash(p))); err != nil {
			t.Fatal(err)
		}
	}
	r := check(t, dir, v)
	if r.Err != nil || r.EntriesChecked != 300 {
		t.Fatalf("verify with fallback: checked %d, err %v", r.EntriesChecked, r.Err)
	}
}

// TestVerifyBaseKey: a log named <base>/<ns> verifies with the base key.
func TestVerifyBaseKey(t *testing.T) {
	s, v := newKey(t, "test.example/stele")
	dir := t.TempDir()
	st, _ := store.NewDir(dir)
	ctx := context.Background()
	l, err := publish.OpenLog(ctx, st, s.WithName("test.example/stele/ns1"), "test.example/stele/ns1")
	if err != nil {
		t.Fatal(err)
	}
	l.Append(ctx, [][]byte{[]byte("a"), []byte("b")})
	if _, err := l.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if r := check(t, dir, v); r.Err != nil {
		t.Fatalf("base key: %v", r.Err)
	}
}

// TestEntryCallback: records are handed over in order and a Failure from
// the callback fails the log.
func TestEntryCallback(t *testing.T) {
	s, v := newKey(t, origin)
	dir := t.TempDir()
	appendN(t, dir, s, 700)
	st, _ := store.NewDir(dir)
	var next int64
	r := verify.Log(context.Background(), st, []*checkpoint.Verifier{v}, verify.Options{
		Entry: func(i int64, e []byte) error {
			if i != next || !bytes.Equal(e, entry(i)) {
				return fmt.Errorf("entry %d out of order or wrong", i)
			}
			next++
			if i == 650 {
				return &verify.Failure{Object: "tile/entries/002", Err: fmt.Errorf("bad record %d", i)}
			}
			return nil
		},
	})
	if verify.Classify(r.Err) != verify.ResultFailed || next != 651 {
		t.Fatalf("got %v after %d entries", r.Err, next)
	}
}

// TestVerifyForeignLayout: a log written by another implementation stores
// its entry bundles plain and keeps no metadata; one that gzips without
// saying so must verify too.
func TestVerifyForeignLayout(t *testing.T) {
	s, v := newKey(t, origin)
	for _, plain := range []bool{true, false} {
		t.Run(fmt.Sprintf("plain=%v", plain), func(t *testing.T) {
			dir := t.TempDir()
			appendN(t, dir, s, 600)
			if err := os.RemoveAll(filepath.Join(dir, ".stele")); err != nil {
				t.Fatal(err)
			}
			if plain {
				for _, k := range []string{"tile/entries/000", "tile/entries/001", "tile/entries/002.p/88"} {
					p := filepath.Join(dir, filepath.FromSlash(k))
					z, _ := os.ReadFile(p)
					zr, err := gzip.NewReader(bytes.NewReader(z))
					if err != nil {
						t.Fatal(err)
					}
					raw, _ := io.ReadAll(zr)
					os.WriteFile(p, raw, 0o644)
				}
			}
			if r := check(t, dir, v); r.Err != nil || r.EntriesChecked != 600 {
				t.Fatalf("checked %d: %v", r.EntriesChecked, r.Err)
			}
		})
	}
}
