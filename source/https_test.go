package source_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"stele/source"
	"stele/source/sourcetest"
)

// fakeBucket serves a bucket's public listing (ListObjectsV2, pageSize
// keys a page) and its objects under /bucket, and records what it was
// asked.
type fakeBucket struct {
	objects  map[string][]byte
	pageSize int

	mu      sync.Mutex
	busts   map[string]bool // cache-busting values seen
	noCache int             // listings asked with Cache-Control: no-cache
	lists   int
}

func newFakeBucket(t *testing.T, objects map[string][]byte, pageSize int) (*fakeBucket, string) {
	fb := &fakeBucket{objects: objects, pageSize: pageSize, busts: map[string]bool{}}
	srv := httptest.NewServer(fb)
	t.Cleanup(srv.Close)
	return fb, srv.URL + "/bucket"
}

func (fb *fakeBucket) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	key, ok := strings.CutPrefix(r.URL.Path, "/bucket")
	if !ok {
		http.NotFound(w, r)
		return
	}
	key = strings.TrimPrefix(key, "/")
	q := r.URL.Query()
	if key == "" && q.Get("list-type") == "2" {
		fb.list(w, r)
		return
	}
	data, ok := fb.objects[key]
	if !ok || strings.HasSuffix(key, "/") {
		http.Error(w, "NoSuchKey", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.Write(data)
}

func (fb *fakeBucket) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	fb.mu.Lock()
	fb.lists++
	bust := q.Get(source.CacheBustParam)
	if bust != "" && !fb.busts[bust] {
		fb.busts[bust] = true
	} else {
		fb.busts[""] = true // a listing without a fresh value
	}
	if r.Header.Get("Cache-Control") == "no-cache" {
		fb.noCache++
	}
	fb.mu.Unlock()
	var keys []string
	for k := range fb.objects {
		if strings.HasPrefix(k, q.Get("prefix")) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	start := 0
	if tok := q.Get("continuation-token"); tok != "" {
		start, _ = strconv.Atoi(strings.TrimPrefix(tok, "token-"))
	}
	end := min(start+fb.pageSize, len(keys))
	l := &source.Listing{Truncated: end < len(keys)}
	if l.Truncated {
		l.NextToken = fmt.Sprintf("token-%d", end)
	}
	for _, k := range keys[start:end] {
		l.Keys = append(l.Keys, k)
		l.Sizes = append(l.Sizes, int64(len(fb.objects[k])))
	}
	b, err := l.AppendXML(nil)
	if err != nil {
		panic(err)
	}
	w.Header().Set("Content-Type", "application/xml")
	w.Write(b)
}

// The suite against a fake bucket that pages every three keys: it runs
// without an S3 server.
func TestHTTPConformanceFake(t *testing.T) {
	sourcetest.Run(t, func(t *testing.T, objects map[string][]byte) source.Source {
		_, u := newFakeBucket(t, objects, 3)
		s, err := source.NewHTTP(u, nil)
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func key(e uint64, i int) string { return fmt.Sprintf("%d/%064x/%064x", e, i, i+1) }

func TestHTTPListing(t *testing.T) {
	objects := map[string][]byte{}
	for i := range 10 {
		objects["pre/"+key(7, i)] = []byte{byte(i)}
	}
	objects["pre/70/"+strings.Repeat("0", 64)+"/"+strings.Repeat("1", 64)] = nil
	objects[key(7, 99)] = []byte("outside the prefix")
	fb, u := newFakeBucket(t, objects, 4)
	s, err := source.NewHTTP(u+"?prefix=pre", nil)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		objs, err := s.List(t.Context(), 7)
		if err != nil {
			t.Fatal(err)
		}
		if len(objs) != 10 {
			t.Fatalf("List(7) = %d objects, want 10", len(objs))
		}
		for _, o := range objs {
			if o.Size != 1 {
				t.Errorf("%s: size %d, want 1", o.Name, o.Size)
			}
		}
	}
	if fb.lists != 6 || fb.noCache != 6 {
		t.Errorf("%d listing requests, %d with no-cache; want 6 and 6", fb.lists, fb.noCache)
	}
	if fb.busts[""] {
		t.Error("a listing request without a fresh cache-busting parameter")
	}
	if r := s.Requests(); r["LIST"] != 6 || r["GET"] != 0 {
		t.Errorf("Requests() = %v", r)
	}
	if got := s.URL(key(7, 1)); got != u+"/pre/"+key(7, 1) {
		t.Errorf("URL = %q", got)
	}
}

// answer serves one canned response for every request.
func answer(t *testing.T, h http.HandlerFunc) string {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestHTTPListingErrors(t *testing.T) {
	for name, body := range map[string]string{
		"repeated token":      `<ListBucketResult><IsTruncated>true</IsTruncated><NextContinuationToken>same</NextContinuationToken></ListBucketResult>`,
		"truncated, no token": `<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>`,
		"not XML":             `<html>`,
		"another document":    `<Error><Code>AccessDenied</Code></Error>`,
		"no key":              `<ListBucketResult><Contents><Size>3</Size></Contents></ListBucketResult>`,
	} {
		t.Run(name, func(t *testing.T) {
			u := answer(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, body) })
			s, err := source.NewHTTP(u, nil)
			if err != nil {
				t.Fatal(err)
			}
			if objs, err := s.List(t.Context(), 7); err == nil {
				t.Fatalf("List = %v, want an error", objs)
			}
		})
	}
	for _, status := range []int{403, 404, 500, 503} {
		u := answer(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(status) })
		s, _ := source.NewHTTP(u, nil)
		if _, err := s.List(t.Context(), 7); err == nil || errors.Is(err, os.ErrNotExist) {
			t.Errorf("List answered %d: %v, want a transient error", status, err)
		}
	}
}

func TestHTTPOpen(t *testing.T) {
	name := key(7, 1)
	for _, tc := range []struct {
		status   int
		body     string
		length   string // Content-Length to announce, "" for chunked
		limit    int64
		notExist bool
		tooLarge bool
		ok       bool
	}{
		{status: 200, body: "proof", length: "5", ok: true},
		{status: 200, body: "proof", length: "5", limit: 5, ok: true},
		{status: 404, notExist: true},
		{status: 410, notExist: true},
		{status: 403},
		{status: 500},
		{status: 200, body: "proof", length: "5", limit: 4, tooLarge: true},
		{status: 200, body: "proof", limit: 4, tooLarge: true},
		{status: 200, body: "pro", length: "5"},
	} {
		u := answer(t, func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/"+name {
				t.Errorf("fetched %s", r.URL.Path)
			}
			if tc.length != "" {
				w.Header().Set("Content-Length", tc.length)
			}
			w.WriteHeader(tc.status)
			io.WriteString(w, tc.body)
			if tc.length == "" {
				w.(http.Flusher).Flush()
			}
		})
		s, _ := source.NewHTTP(u, nil)
		if tc.limit > 0 {
			s.MaxObjectBytes = tc.limit
		}
		var data []byte
		r, err := s.Open(t.Context(), name)
		if err == nil {
			data, err = io.ReadAll(r)
			r.Close()
		}
		switch {
		case tc.ok && (err != nil || string(data) != tc.body):
			t.Errorf("%+v: read %q, %v", tc, data, err)
		case tc.notExist && !errors.Is(err, os.ErrNotExist):
			t.Errorf("%+v: %v, want os.ErrNotExist", tc, err)
		case tc.tooLarge && !errors.Is(err, source.ErrTooLarge):
			t.Errorf("%+v: %v, want ErrTooLarge", tc, err)
		case !tc.ok && err == nil:
			t.Errorf("%+v: read %q, want an error", tc, data)
		case !tc.notExist && errors.Is(err, os.ErrNotExist):
			t.Errorf("%+v: %v says not there", tc, err)
		}
	}
}

func TestNewHTTPErrors(t *testing.T) {
	for _, loc := range []string{
		"ftp://x", "https://", "https://u:p@x/", "https://x/#f", "https://x/?prefix=a&prefix=b",
		"https://x/?list-type=2", "https://x/?%zz", "%",
	} {
		if s, err := source.NewHTTP(loc, nil); err == nil {
			t.Errorf("NewHTTP(%q) = %v, want an error", loc, s)
		}
	}
}

// FuzzParseListing checks that a parsed listing encodes and parses back to
// itself.
func FuzzParseListing(f *testing.F) {
	f.Add([]byte(`<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>7/a/b</Key><Size>3</Size></Contents></ListBucketResult>`))
	f.Add([]byte(`<ListBucketResult><IsTruncated>true</IsTruncated><NextContinuationToken>t</NextContinuationToken><Contents><Key>x</Key></Contents></ListBucketResult>`))
	f.Add([]byte(`<ListBucketResult><EncodingType>url</EncodingType><Contents><Key>a%2Fb</Key><Size>0</Size></Contents></ListBucketResult>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		l, err := source.ParseListing(body)
		if err != nil {
			if !errors.Is(err, source.ErrListing) {
				t.Fatalf("error %v does not wrap ErrListing", err)
			}
			return
		}
		b, err := l.AppendXML(nil)
		if err != nil {
			return // keys that XML cannot carry (control characters)
		}
		l2, err := source.ParseListing(b)
		if err != nil {
			t.Fatalf("re-parsing %q: %v", b, err)
		}
		if l.Truncated != l2.Truncated || l.NextToken != l2.NextToken || !slices.Equal(l.Keys, l2.Keys) || !slices.Equal(l.Sizes, l2.Sizes) {
			t.Fatalf("round trip: %+v became %+v", l, l2)
		}
	})
}
