package store_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"stele/store"
	"stele/store/storetest"
)

func TestSubConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		d := newDir(t)
		// Neighbours the view must not see or touch.
		must(t, d.Put(t.Context(), "logs/ns2/checkpoint", []byte("other log"), mdTile))
		must(t, d.Put(t.Context(), "logs/nsx", []byte("sibling"), mdTile))
		return store.Sub(d, "logs/ns/")
	})
}

func TestSub(t *testing.T) {
	ctx := t.Context()
	root := t.TempDir()
	d := openDir(t, root)
	must(t, d.Put(ctx, "logs/nsx/checkpoint", []byte("sibling"), mdTile))
	v := store.Sub(d, "logs/ns") // the slash is added
	must(t, v.Create(ctx, "tile/0/000", []byte("tile"), mdTile))
	must(t, v.Swap(ctx, "checkpoint", "", []byte("cp"), mdTile))
	if b, err := os.ReadFile(filepath.Join(root, "logs", "ns", "tile", "0", "000")); err != nil || string(b) != "tile" {
		t.Errorf("view's object in the tree: %q, %v", b, err)
	}
	keys, err := v.List(ctx, "")
	if want := []string{"checkpoint", "tile/0/000"}; err != nil || !slices.Equal(keys, want) {
		t.Errorf("List = %q, %v; want %q", keys, err, want)
	}
	if o, err := d.Get(ctx, "logs/ns/checkpoint"); err != nil || string(o.Data) != "cp" {
		t.Errorf("underlying Get: %q, %v", o.Data, err)
	}

	// A view of a view.
	vv := store.Sub(v, "tile/")
	if o, err := vv.Get(ctx, "0/000"); err != nil || string(o.Data) != "tile" {
		t.Errorf("view of a view: %q, %v", o.Data, err)
	}
	if store.Sub(d, "") != store.Store(d) {
		t.Error("Sub with an empty prefix is not the store itself")
	}
}

func TestSubInvalidPrefix(t *testing.T) {
	ctx := t.Context()
	d := newDir(t)
	for _, p := range []string{"/logs/", "logs//", "../", ".stele/", "logs/.x/"} {
		for _, v := range []store.Store{store.Sub(d, p), store.Sub(store.Sub(d, "logs"), p)} {
			_, gerr := v.Get(ctx, "checkpoint")
			_, lerr := v.List(ctx, "")
			for name, err := range map[string]error{
				"Get":    gerr,
				"List":   lerr,
				"Create": v.Create(ctx, "k", nil, mdTile),
				"Put":    v.Put(ctx, "k", nil, mdTile),
				"Swap":   v.Swap(ctx, "k", "", nil, mdTile),
				"Sync":   v.Sync(ctx),
			} {
				if !errors.Is(err, store.ErrInvalidKey) {
					t.Errorf("Sub(%q).%s: %v, want ErrInvalidKey", p, name, err)
				}
			}
		}
	}
	keys, err := d.List(ctx, "")
	if err != nil || len(keys) != 0 {
		t.Errorf("invalid views wrote %q, %v", keys, err)
	}
}

// TestSubForwardsCheapReads: a view of a directory keeps its cheap reads,
// with the prefix applied; a view of a store without them has none.
func TestSubForwardsCheapReads(t *testing.T) {
	ctx := t.Context()
	d, err := store.NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	md := store.Metadata{ContentType: "text/plain", ContentEncoding: "gzip"}
	if err := d.Create(ctx, "logs/ns/a", []byte("abc"), md); err != nil {
		t.Fatal(err)
	}
	type reader interface {
		AppendData(ctx context.Context, key string, buf []byte) ([]byte, error)
		RecordedMetadata(ctx context.Context, key string) (store.Metadata, error)
	}
	for _, v := range []store.Store{store.Sub(d, "logs/ns/"), store.Sub(store.Sub(d, "logs"), "ns")} {
		r, ok := v.(reader)
		if !ok {
			t.Fatalf("%T lost the directory's cheap reads", v)
		}
		b, err := r.AppendData(ctx, "a", []byte("x"))
		if err != nil || string(b) != "xabc" {
			t.Fatalf("AppendData: %q, %v", b, err)
		}
		if got, err := r.RecordedMetadata(ctx, "a"); err != nil || got != md {
			t.Fatalf("RecordedMetadata: %+v, %v", got, err)
		}
	}
	h, err := store.NewHTTP("http://127.0.0.1:1", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := store.Sub(h, "logs/ns/").(reader); ok {
		t.Fatal("a view of an HTTP store claims cheap reads")
	}
}
