package store_test

import (
	"errors"
	"os"
	"testing"

	"stele/store"
)

func TestFetcher(t *testing.T) {
	d, err := store.NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Create(t.Context(), "tile/0/000.p/1", []byte("32 bytes of hash, more or less.."), store.Metadata{}); err != nil {
		t.Fatal(err)
	}
	f := store.Fetcher(d)
	if b, err := f.Fetch(t.Context(), "tile/0/000.p/1"); err != nil || string(b) != "32 bytes of hash, more or less.." {
		t.Fatalf("Fetch: %q, %v", b, err)
	}
	if _, err := f.Fetch(t.Context(), "tile/0/001"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing tile: %v, want os.ErrNotExist", err)
	}
}
