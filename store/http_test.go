package store_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"stele/store"
)

// site is a tiny static host over a Dir, sending each object's metadata
// as headers the way a bucket would, and remembering what it was asked.
type site struct {
	d *store.Dir

	mu       sync.Mutex
	requests map[string]http.Header // by key
}

func (s *site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	key := strings.TrimPrefix(r.URL.Path, "/site/")
	s.mu.Lock()
	s.requests[key] = r.Header.Clone()
	s.mu.Unlock()
	o, err := s.d.Get(r.Context(), key)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		http.Error(w, "no such object", http.StatusNotFound)
		return
	case errors.Is(err, store.ErrInvalidKey):
		http.Error(w, "bad key", http.StatusBadRequest)
		return
	case err != nil:
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	for name, v := range map[string]string{
		"Content-Type":     o.ContentType,
		"Cache-Control":    o.CacheControl,
		"Content-Encoding": o.ContentEncoding,
		"ETag":             o.ETag,
	} {
		if v != "" {
			h.Set(name, v)
		}
	}
	if o.ContentType == "" {
		h["Content-Type"] = nil // send none rather than a sniffed one
	}
	h.Set("Content-Length", strconv.Itoa(len(o.Data)))
	w.Write(o.Data)
}

func (s *site) request(key string) http.Header {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[key]
}

// newSite serves a new Dir at <server>/site/ and returns both.
func newSite(t *testing.T) (*site, *httptest.Server) {
	t.Helper()
	s := &site{d: newDir(t), requests: make(map[string]http.Header)}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv
}

func newHTTP(t *testing.T, url string, c *http.Client) *store.HTTP {
	t.Helper()
	h, err := store.NewHTTP(url, c)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func gzipped(t *testing.T, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write(data)
	must(t, zw.Close())
	return b.Bytes()
}

func TestHTTPGet(t *testing.T) {
	ctx := t.Context()
	s, srv := newSite(t)
	mdCP := store.Metadata{ContentType: "text/plain; charset=utf-8", CacheControl: "no-cache"}
	objs := map[string]store.Metadata{
		"logs/ns/checkpoint":    mdCP,
		"logs/ns/tile/0/000":    mdTile,
		"with space/q?x#y%20z":  mdTile,
		"ünïcödé/ключ":          {},
		"namespaces/index.html": {ContentType: "application/json"},
	}
	for k, md := range objs {
		must(t, s.d.Put(ctx, k, []byte("bytes of "+k), md))
	}
	must(t, s.d.Sync(ctx))
	for _, base := range []string{srv.URL + "/site", srv.URL + "/site/"} {
		h := newHTTP(t, base, srv.Client())
		for k, md := range objs {
			o, err := h.Get(ctx, k)
			if err != nil {
				t.Fatalf("Get(%q): %v", k, err)
			}
			want, _ := s.d.Get(ctx, k)
			if string(o.Data) != "bytes of "+k || o.Metadata != md || o.ETag != want.ETag {
				t.Errorf("Get(%q) = %q %+v %s; want %q %+v %s", k, o.Data, o.Metadata, o.ETag, "bytes of "+k, md, want.ETag)
			}
		}
	}
}

func TestHTTPStatus(t *testing.T) {
	ctx := t.Context()
	code := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(code)
	}))
	defer srv.Close()
	h := newHTTP(t, srv.URL, srv.Client())
	for _, c := range []struct {
		code     int
		notExist bool
	}{
		{404, true}, {410, true},
		{403, false}, {500, false}, {503, false}, {204, false}, {206, false}, {429, false},
	} {
		code = c.code
		_, err := h.Get(ctx, "logs/x/checkpoint")
		var se *store.StatusError
		if !errors.As(err, &se) || se.StatusCode != c.code {
			t.Errorf("status %d: error %v, want a StatusError with the code", c.code, err)
			continue
		}
		if got := errors.Is(err, fs.ErrNotExist); got != c.notExist {
			t.Errorf("status %d: errors.Is(err, os.ErrNotExist) = %v, want %v", c.code, got, c.notExist)
		}
		if !strings.Contains(err.Error(), srv.URL+"/logs/x/checkpoint") || !strings.Contains(err.Error(), strconv.Itoa(c.code)) {
			t.Errorf("status %d: error %q does not name the URL and status", c.code, err)
		}
	}
}

func TestHTTPShortBody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		w.Write([]byte("only ten b"))
	}))
	defer srv.Close()
	_, err := newHTTP(t, srv.URL, srv.Client()).Get(t.Context(), "tile/0/000")
	if err == nil || errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("short transfer: %v, want an error that is not ErrNotExist", err)
	}
}

func TestHTTPTransportError(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	_, err := newHTTP(t, url, nil).Get(t.Context(), "checkpoint")
	if err == nil || errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), url+"/checkpoint") {
		t.Fatalf("unreachable server: %v, want an error naming the URL that is not ErrNotExist", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := newHTTP(t, url, nil).Get(ctx, "checkpoint"); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled: %v", err)
	}
}

func TestHTTPGzip(t *testing.T) {
	ctx := t.Context()
	s, srv := newSite(t)
	plain := bytes.Repeat([]byte("entry bundle "), 100)
	gz := gzipped(t, plain)
	md := store.Metadata{ContentType: "application/octet-stream", ContentEncoding: "gzip"}
	must(t, s.d.Create(ctx, "tile/entries/000", gz, md))
	must(t, s.d.Sync(ctx))

	// The store asks for gzip itself and decodes, whatever the client
	// would do on its own.
	for name, client := range map[string]*http.Client{
		"default":             srv.Client(),
		"no transparent gzip": {Transport: &http.Transport{DisableCompression: true}},
	} {
		o, err := newHTTP(t, srv.URL+"/site", client).Get(ctx, "tile/entries/000")
		if err != nil || !bytes.Equal(o.Data, plain) || o.ContentEncoding != "" || o.ContentType != md.ContentType {
			t.Fatalf("%s client: %d bytes %+v, %v; want the %d plain bytes", name, len(o.Data), o.Metadata, err, len(plain))
		}
	}
	if got := s.request("tile/entries/000").Get("Accept-Encoding"); got != "gzip" {
		t.Errorf("Accept-Encoding = %q, want gzip", got)
	}

	// A corrupt gzip body arrived whole: bad bytes, not a failed transfer.
	bad := bytes.Clone(gz)
	bad[len(bad)-5] ^= 0xff // in the CRC-32 trailer
	must(t, s.d.Create(ctx, "tile/entries/001", bad, md))
	must(t, s.d.Sync(ctx))
	if o, err := newHTTP(t, srv.URL+"/site", srv.Client()).Get(ctx, "tile/entries/001"); !errors.Is(err, store.ErrCorruptEncoding) {
		t.Fatalf("corrupt gzip: %d bytes, %v; want ErrCorruptEncoding", len(o.Data), err)
	}
}

func TestHTTPCheckpointNoCache(t *testing.T) {
	ctx := t.Context()
	s, srv := newSite(t)
	h := newHTTP(t, srv.URL+"/site", srv.Client())
	for key, want := range map[string]string{
		"checkpoint":             "no-cache",
		"logs/ns/checkpoint":     "no-cache",
		"logs/ns/checkpoints/10": "",
		"logs/ns/tile/0/000":     "",
		"mycheckpoint":           "",
	} {
		h.Get(ctx, key)
		if got := s.request(key).Get("Cache-Control"); got != want {
			t.Errorf("Get(%q) sent Cache-Control %q, want %q", key, got, want)
		}
	}
}

func TestHTTPMaxObjectBytes(t *testing.T) {
	ctx := t.Context()
	s, srv := newSite(t)
	must(t, s.d.Put(ctx, "big", bytes.Repeat([]byte("x"), 1000), store.Metadata{}))
	must(t, s.d.Put(ctx, "bomb", gzipped(t, bytes.Repeat([]byte("x"), 1000)), store.Metadata{ContentEncoding: "gzip"}))
	must(t, s.d.Sync(ctx))
	h := newHTTP(t, srv.URL+"/site", srv.Client())
	h.MaxObjectBytes = 999
	if o, err := h.Get(ctx, "big"); err == nil {
		t.Errorf("Get(big) over the limit returned %d bytes", len(o.Data))
	}
	h.MaxObjectBytes = 1000
	if o, err := h.Get(ctx, "big"); err != nil || len(o.Data) != 1000 {
		t.Errorf("Get(big) at the limit: %d bytes, %v", len(o.Data), err)
	}
	// A compressed body is bounded once decoded too (a gzip bomb).
	h.MaxObjectBytes = 999
	if o, err := h.Get(ctx, "bomb"); err == nil {
		t.Errorf("Get(bomb) decoding over the limit returned %d bytes", len(o.Data))
	}
	h.MaxObjectBytes = 1000
	if o, err := h.Get(ctx, "bomb"); err != nil || len(o.Data) != 1000 {
		t.Errorf("Get(bomb) at the limit: %d bytes, %v", len(o.Data), err)
	}
}

func TestHTTPReadOnly(t *testing.T) {
	ctx := t.Context()
	h := newHTTP(t, "https://example.com/site", nil)
	for name, err := range map[string]error{
		"Create": h.Create(ctx, "k", nil, store.Metadata{}),
		"Put":    h.Put(ctx, "k", nil, store.Metadata{}),
		"Swap":   h.Swap(ctx, "k", "", nil, store.Metadata{}),
	} {
		if !errors.Is(err, store.ErrReadOnly) {
			t.Errorf("%s: %v, want ErrReadOnly", name, err)
		}
	}
	_, err := h.List(ctx, "logs/")
	if !errors.Is(err, store.ErrReadOnly) || !errors.Is(err, errors.ErrUnsupported) || !strings.Contains(err.Error(), "not supported over HTTP") {
		t.Errorf("List: %v, want ErrReadOnly saying listing is not supported over HTTP", err)
	}
	for _, k := range []string{"", "/a", "a/../b", ".stele/x"} {
		if _, err := h.Get(ctx, k); !errors.Is(err, store.ErrInvalidKey) {
			t.Errorf("Get(%q): %v, want ErrInvalidKey", k, err)
		}
		if err := h.Put(ctx, k, nil, store.Metadata{}); !errors.Is(err, store.ErrInvalidKey) {
			t.Errorf("Put(%q): %v, want ErrInvalidKey", k, err)
		}
	}
	must(t, h.Sync(ctx))
}

func TestNewHTTP(t *testing.T) {
	for _, bad := range []string{
		"", "example.com", "ftp://example.com", "http://", "https:///path",
		"http://example.com/?prefix=x", "http://example.com/#frag", "http://example.com/?",
		"http://user:pw@example.com/", "http://[::1", "%zz",
	} {
		if _, err := store.NewHTTP(bad, nil); err == nil {
			t.Errorf("NewHTTP(%q) succeeded", bad)
		}
	}
	for base, want := range map[string]string{
		"https://example.com":            "https://example.com/tile/0/000",
		"https://example.com/":           "https://example.com/tile/0/000",
		"http://example.com:8080/a/b//":  "http://example.com:8080/a/b/tile/0/000",
		"https://example.com/a%20b/":     "https://example.com/a%20b/tile/0/000",
		"HTTPS://Example.com/bucket/pre": "https://Example.com/bucket/pre/tile/0/000",
	} {
		if got := newHTTP(t, base, nil).URL("tile/0/000"); got != want {
			t.Errorf("NewHTTP(%q).URL = %q, want %q", base, got, want)
		}
	}
	if got := newHTTP(t, "https://example.com", nil).URL("a b/c?d#e%f"); got != "https://example.com/a%20b/c%3Fd%23e%25f" {
		t.Errorf("URL of an odd key = %q", got)
	}
}

// FuzzNewHTTP checks that a parsed site URL joins any valid key back into
// a URL whose path is the site's path, a slash and the key.
func FuzzNewHTTP(f *testing.F) {
	f.Add("https://example.com/site/", "tile/0/000")
	f.Add("http://h:1/a%2Fb", "a b/c?d#e%f")
	f.Add("http://h", "ключ")
	f.Fuzz(func(t *testing.T, base, key string) {
		h, err := store.NewHTTP(base, nil)
		if err != nil || store.CheckKey(key) != nil {
			return
		}
		got, err := urlPath(h.URL(key))
		if err != nil {
			t.Fatalf("URL(%q) = %q does not parse: %v", key, h.URL(key), err)
		}
		root, _ := urlPath(h.URL("x"))
		root = strings.TrimSuffix(root, "x")
		if got != root+key {
			t.Fatalf("URL(%q) has path %q, want %q", key, got, root+key)
		}
	})
}

func urlPath(s string) (string, error) {
	req, err := http.NewRequest("GET", s, nil)
	if err != nil {
		return "", err
	}
	if req.URL.RawQuery != "" || req.URL.Fragment != "" {
		return "", fmt.Errorf("query or fragment in %q", s)
	}
	return req.URL.Path, nil
}
