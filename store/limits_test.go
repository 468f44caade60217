package store

import (
	"bytes"
	"compress/gzip"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"stele/tiles"
)

func TestObjectLimit(t *testing.T) {
	const max = DefaultMaxObjectBytes
	for key, want := range map[string]int64{
		"tile/0/000":                     8192,
		"logs/ns/tile/1/000.p/3":         96,
		"tile/entries/x001/234":          tiles.MaxBundleSize,
		"logs/ns/tile/entries/000.p/7":   tiles.MaxBundleSize,
		"checkpoint":                     maxNoteBytes,
		"logs/ns/checkpoint":             maxNoteBytes,
		"logs/ns/checkpoints/1234":       maxNoteBytes,
		"logs/ns/history":                maxHistoryBytes,
		"namespaces/ns/audits/5":         max,
		"index.html":                     max,
		"logs/ns/tile/not-a-tile":        max,
		"logs/ns/epochs/tile/0/000.html": max,
	} {
		if got := objectLimit(key, max); got != want {
			t.Errorf("%s: limit %d, want %d", key, got, want)
		}
	}
	if got := objectLimit("tile/0/000", 100); got != 100 {
		t.Errorf("a smaller store limit: %d, want it kept", got)
	}
}

// TestHTTPGzipBomb serves an entry bundle whose small gzip body decodes
// to far more than any bundle: Get must stop at the bundle bound.
func TestHTTPGzipBomb(t *testing.T) {
	var body bytes.Buffer
	zw := gzip.NewWriter(&body)
	zw.Write(make([]byte, 2*tiles.MaxBundleSize))
	zw.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(body.Bytes())
	}))
	defer srv.Close()
	h, err := NewHTTP(srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"tile/entries/000", "tile/0/000", "checkpoint"} {
		if _, err := h.Get(context.Background(), key); err == nil || !strings.Contains(err.Error(), "limit") {
			t.Errorf("%s: %v, want an error for the size", key, err)
		}
	}
}
