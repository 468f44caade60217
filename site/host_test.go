package site

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"stele/store"
)

func TestHandler(t *testing.T) {
	ctx := context.Background()
	st, err := store.NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	put := func(key, body string, md store.Metadata) {
		if err := st.Put(ctx, key, []byte(body), md); err != nil {
			t.Fatal(err)
		}
	}
	put("index.html", "<p>home</p>", store.Metadata{ContentType: "text/html; charset=utf-8", CacheControl: "max-age=60"})
	put("namespaces/ns1/index.html", `{"name":"ns1"}`, store.Metadata{ContentType: "application/json", CacheControl: "max-age=60"})
	put("namespaces/ns1/audits/7", `{"epoch":7}`, store.Metadata{ContentType: "application/json", CacheControl: "public, max-age=31536000, immutable"})
	put("tile/entries/000", "\x1f\x8bgz", store.Metadata{ContentType: "application/octet-stream", ContentEncoding: "gzip", CacheControl: "public, max-age=31536000, immutable"})
	put("checkpoint", "origin\n", store.Metadata{})

	srv := httptest.NewServer(Handler(st, nil))
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}

	for _, tc := range []struct {
		method, path string
		status       int
		body         string
		header       map[string]string
	}{
		{"GET", "/", 200, "<p>home</p>", map[string]string{"Content-Type": "text/html; charset=utf-8", "Cache-Control": "max-age=60"}},
		{"GET", "/index.html", 200, "<p>home</p>", nil},
		{"GET", "/namespaces/ns1", 200, `{"name":"ns1"}`, map[string]string{"Content-Type": "application/json"}},
		{"GET", "/namespaces/ns1/", 200, `{"name":"ns1"}`, nil},
		{"GET", "/namespaces/ns1/audits/7", 200, `{"epoch":7}`, map[string]string{"Cache-Control": "public, max-age=31536000, immutable"}},
		{"GET", "/namespaces/ns1/audits/8", 404, "", nil},
		{"GET", "/namespaces", 404, "", nil},
		{"GET", "/tile/entries/000", 200, "\x1f\x8bgz", map[string]string{"Content-Encoding": "gzip"}},
		{"GET", "/checkpoint", 200, "origin\n", map[string]string{"Content-Type": "text/plain; charset=utf-8"}},
		{"GET", "/.stele/meta/checkpoint", 404, "", nil},
		{"GET", "/a//b", 404, "", nil},
		{"HEAD", "/checkpoint", 200, "", nil},
		{"POST", "/checkpoint", 405, "", nil},
	} {
		req, _ := http.NewRequest(tc.method, srv.URL+tc.path, nil)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("%s %s: status %d, want %d", tc.method, tc.path, resp.StatusCode, tc.status)
			continue
		}
		if tc.status == 200 && string(body) != tc.body {
			t.Errorf("%s %s: body %q, want %q", tc.method, tc.path, body, tc.body)
		}
		for k, v := range tc.header {
			if got := resp.Header.Get(k); got != v {
				t.Errorf("%s %s: %s %q, want %q", tc.method, tc.path, k, got, v)
			}
		}
	}

	// Conditional request: the ETag it sent answers 304.
	resp, err := client.Get(srv.URL + "/checkpoint")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	etag := resp.Header.Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}
	req, _ := http.NewRequest("GET", srv.URL+"/checkpoint", nil)
	req.Header.Set("If-None-Match", etag)
	resp, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotModified {
		t.Fatalf("If-None-Match: status %d, want 304", resp.StatusCode)
	}
}
