package verify_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"stele/checkpoint"
	"stele/store"
	"stele/verify"
)

// getOnly hides every method of a store but those of store.Store, so the
// verifier reads through Get alone.
type getOnly struct{ store.Store }

// TestDirDataReader checks the cheap read path of store.Dir against the
// contract the verifier relies on: AppendData gives Get's bytes, and
// RecordedMetadata gives Get's metadata, or a stale record where Get gives
// none.
func TestDirDataReader(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := store.NewDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	gz := store.Metadata{ContentType: "application/octet-stream", ContentEncoding: "gzip"}
	if err := st.Create(ctx, "a/synced", []byte("synced bytes"), gz); err != nil {
		t.Fatal(err)
	}
	if err := st.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if err := st.Put(ctx, "a/pending", []byte("pending bytes"), gz); err != nil {
		t.Fatal(err)
	}

	same := func(key string) {
		t.Helper()
		obj, err := st.Get(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		got, err := st.AppendData(ctx, key, []byte("prefix:"))
		if err != nil || string(got) != "prefix:"+string(obj.Data) {
			t.Fatalf("AppendData(%s) = %q, %v; Get has %q", key, got, err, obj.Data)
		}
		md, err := st.RecordedMetadata(ctx, key)
		if err != nil || md != obj.Metadata {
			t.Fatalf("RecordedMetadata(%s) = %+v, %v; Get has %+v", key, md, err, obj.Metadata)
		}
	}
	same("a/synced")
	same("a/pending")

	// An object replaced behind the store's back: Get no longer trusts the
	// record, RecordedMetadata still returns it, the bytes are the new ones.
	if err := os.WriteFile(filepath.Join(dir, "a", "synced"), []byte("other bytes"), 0o644); err != nil {
		t.Fatal(err)
	}
	obj, err := st.Get(ctx, "a/synced")
	if err != nil || obj.Metadata != (store.Metadata{}) {
		t.Fatalf("Get of a replaced object: %+v, %v; want empty metadata", obj.Metadata, err)
	}
	if md, err := st.RecordedMetadata(ctx, "a/synced"); err != nil || md != gz {
		t.Fatalf("RecordedMetadata of a replaced object: %+v, %v; want the record %+v", md, err, gz)
	}
	if got, err := st.AppendData(ctx, "a/synced", nil); err != nil || string(got) != "other bytes" {
		t.Fatalf("AppendData of a replaced object: %q, %v", got, err)
	}

	// Missing objects, prefixes, bad keys, done contexts.
	for _, key := range []string{"missing", "a", "a/synced/below"} {
		if _, err := st.AppendData(ctx, key, nil); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("AppendData(%q): %v, want os.ErrNotExist", key, err)
		}
		if md, err := st.RecordedMetadata(ctx, key); err != nil || md != (store.Metadata{}) {
			t.Errorf("RecordedMetadata(%q): %+v, %v; want nothing", key, md, err)
		}
	}
	for _, key := range []string{"", "/a", "a/../b", ".stele/lock"} {
		if _, err := st.AppendData(ctx, key, nil); !errors.Is(err, store.ErrInvalidKey) {
			t.Errorf("AppendData(%q): %v, want ErrInvalidKey", key, err)
		}
		if _, err := st.RecordedMetadata(ctx, key); !errors.Is(err, store.ErrInvalidKey) {
			t.Errorf("RecordedMetadata(%q): %v, want ErrInvalidKey", key, err)
		}
	}
	done, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := st.AppendData(done, "a/pending", nil); !errors.Is(err, context.Canceled) {
		t.Errorf("AppendData with a done context: %v", err)
	}
	if _, err := st.RecordedMetadata(done, "a/pending"); !errors.Is(err, context.Canceled) {
		t.Errorf("RecordedMetadata with a done context: %v", err)
	}
}

// plainBundle returns the decompressed bytes of the bundle file at key.
func plainBundle(t *testing.T, dir, key string) []byte {
	t.Helper()
	z, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(key)))
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
	return raw
}

// TestVerifyReadPathsAgree verifies logs, intact and damaged, through the
// directory's cheap read path and through Get alone: the outcome must be
// the same, down to the error. The damages include metadata that lies
// about a bundle's encoding, current or stale, which only Get can settle.
func TestVerifyReadPathsAgree(t *testing.T) {
	s, v := newKey(t, origin)
	ctx := context.Background()
	const bundle = "tile/entries/001"
	cases := []struct {
		name   string
		damage func(t *testing.T, dir string, st *store.Dir)
		result string
	}{
		{"intact", func(*testing.T, string, *store.Dir) {}, verify.ResultOK},
		{"stale gzip record over a plain bundle", func(t *testing.T, dir string, _ *store.Dir) {
			// Written behind the store's back: Get ignores the record
			// and recognises a plain bundle.
			raw := plainBundle(t, dir, bundle)
			if err := os.WriteFile(filepath.Join(dir, bundle), raw, 0o644); err != nil {
				t.Fatal(err)
			}
		}, verify.ResultOK},
		{"current gzip record over a plain bundle", func(t *testing.T, dir string, st *store.Dir) {
			// The store says gzip for these very bytes: served so, no
			// client could read them.
			raw := plainBundle(t, dir, bundle)
			md := store.Metadata{ContentType: "application/octet-stream", ContentEncoding: "gzip"}
			if err := st.Put(ctx, bundle, raw, md); err != nil {
				t.Fatal(err)
			}
		}, verify.ResultFailed},
		{"unknown encoding recorded", func(t *testing.T, dir string, st *store.Dir) {
			z, err := os.ReadFile(filepath.Join(dir, bundle))
			if err != nil {
				t.Fatal(err)
			}
			if err := st.Put(ctx, bundle, z, store.Metadata{ContentEncoding: "br"}); err != nil {
				t.Fatal(err)
			}
		}, verify.ResultFailed},
		{"stale unknown encoding recorded", func(t *testing.T, dir string, st *store.Dir) {
			z, err := os.ReadFile(filepath.Join(dir, bundle))
			if err != nil {
				t.Fatal(err)
			}
			if err := st.Put(ctx, bundle, z, store.Metadata{ContentEncoding: "br"}); err != nil {
				t.Fatal(err)
			}
			if err := st.Sync(ctx); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, bundle), plainBundle(t, dir, bundle), 0o644); err != nil {
				t.Fatal(err)
			}
		}, verify.ResultOK},
		{"corrupt gzip", func(t *testing.T, dir string, _ *store.Dir) { flipByte(t, dir, bundle, 20) }, verify.ResultFailed},
		{"entry content", func(t *testing.T, dir string, _ *store.Dir) {
			rewriteBundle(t, dir, bundle, func(b []byte) []byte { b[100] ^= 1; return b })
		}, verify.ResultFailed},
		{"level-0 tile", func(t *testing.T, dir string, _ *store.Dir) { flipByte(t, dir, "tile/0/002.p/44", 40) }, verify.ResultFailed},
		{"missing partial bundle", func(t *testing.T, dir string, _ *store.Dir) {
			os.Remove(filepath.Join(dir, "tile", "entries", "002.p", "44"))
		}, verify.ResultUnchecked},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			appendN(t, dir, s, 556)
			st, err := store.NewDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			tc.damage(t, dir, st)
			// The damage is read unsynced through st, synced through a
			// second Dir.
			if err := st.Sync(ctx); err != nil {
				t.Fatal(err)
			}
			st2, err := store.NewDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			var results []verify.Result
			for _, through := range []store.Store{st2, getOnly{st2}} {
				results = append(results, verify.Log(ctx, through, []*checkpoint.Verifier{v}, verify.Options{}))
			}
			fast, slow := results[0], results[1]
			if got := verify.Classify(fast.Err); got != tc.result {
				t.Fatalf("result %s (%v), want %s", got, fast.Err, tc.result)
			}
			if fmt.Sprint(fast.Err) != fmt.Sprint(slow.Err) || fast.Root != slow.Root || fast.EntriesChecked != slow.EntriesChecked {
				t.Fatalf("the read paths disagree:\ncheap: %v, %d entries, root %v\nGet:   %v, %d entries, root %v",
					fast.Err, fast.EntriesChecked, fast.Root, slow.Err, slow.EntriesChecked, slow.Root)
			}
		})
	}
}

// TestVerifyUnsynced verifies a log whose last writes were never synced,
// through the Dir that wrote them: the cheap read path sees pending writes
// as Get does.
func TestVerifyUnsynced(t *testing.T) {
	s, v := newKey(t, origin)
	dir := t.TempDir()
	appendN(t, dir, s, 300)
	ctx := context.Background()
	st, err := store.NewDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	// Rewrite every object in place through st, without syncing.
	keys, err := st.List(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		obj, err := st.Get(ctx, k)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Put(ctx, k, obj.Data, obj.Metadata); err != nil {
			t.Fatal(err)
		}
	}
	for _, through := range []store.Store{st, getOnly{st}} {
		if r := verify.Log(ctx, through, []*checkpoint.Verifier{v}, verify.Options{}); r.Err != nil || r.EntriesChecked != 300 {
			t.Fatalf("%T: %d entries, %v", through, r.EntriesChecked, r.Err)
		}
	}
	st.Close()
}

// TestEntryOrderAnyConcurrency: every entry is handed over once, in order
// and intact, whatever the number of bundles in flight (their memory is
// reused from bundle to bundle).
func TestEntryOrderAnyConcurrency(t *testing.T) {
	s, v := newKey(t, origin)
	dir := t.TempDir()
	appendN(t, dir, s, 5*256+17)
	st, err := store.NewDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, conc := range []int{1, 2, 3, 16} {
		var kept [][]byte
		r := verify.Log(context.Background(), st, []*checkpoint.Verifier{v}, verify.Options{
			Concurrency: conc,
			Entry: func(i int64, e []byte) error {
				if i != int64(len(kept)) || !bytes.Equal(e, entry(i)) {
					return fmt.Errorf("entry %d is %q, after %d entries", i, e, len(kept))
				}
				kept = append(kept, bytes.Clone(e))
				return nil
			},
		})
		if r.Err != nil || r.EntriesChecked != 5*256+17 {
			t.Fatalf("concurrency %d: %d entries, %v", conc, r.EntriesChecked, r.Err)
		}
		for i, e := range kept {
			if !bytes.Equal(e, entry(int64(i))) {
				t.Fatalf("concurrency %d: entry %d was %q when kept", conc, i, e)
			}
		}
	}
}
