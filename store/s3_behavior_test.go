package store_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"stele/internal/s3test"
	"stele/store"
)

var s3mdTile = store.Metadata{ContentType: "application/octet-stream", CacheControl: "public, max-age=31536000, immutable"}

// newS3Via returns an S3 store on a new bucket whose requests go through
// a proxy with the given options.
func newS3Via(t *testing.T, srv *s3test.Server, popts s3test.ProxyOptions, opts store.S3Options) (*store.S3, string, *s3test.Proxy) {
	t.Helper()
	bucket := srv.NewBucket(t)
	p := s3test.NewProxy(t, srv.Endpoint, popts)
	cfg := srv.Config()
	opts.Client.Config = &cfg
	s, err := store.OpenS3(t.Context(), srv.URLVia(p.URL, bucket, ""), opts)
	if err != nil {
		t.Fatal(err)
	}
	return s, bucket, p
}

// never matches no request.
func never(*http.Request) bool { return false }

// firstPUT matches the first PUT request only.
func firstPUT() func(r *http.Request) bool {
	var seen atomic.Bool
	return func(r *http.Request) bool { return r.Method == http.MethodPut && !seen.Swap(true) }
}

// rawGet reads an object with a plain client.
func rawGet(t *testing.T, srv *s3test.Server, bucket, key string) []byte {
	t.Helper()
	out, err := srv.Client().GetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("reading %s directly: %v", key, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func rawPut(t *testing.T, srv *s3test.Server, bucket, key string, data []byte) {
	t.Helper()
	_, err := srv.Client().PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(data)})
	if err != nil {
		t.Fatalf("writing %s directly: %v", key, err)
	}
}

// A swap whose first attempt landed but whose answer was lost is retried
// by the SDK, gets 412, and reads back its own bytes: success.
func TestS3SwapLandedAnswerLost(t *testing.T) {
	srv := s3test.Start(t)
	for _, etagFromGet := range []bool{false, true} {
		t.Run(fmt.Sprint("existing=", etagFromGet), func(t *testing.T) {
			s, _, p := newS3Via(t, srv, s3test.ProxyOptions{Rate: 1, Faults: []s3test.Fault{s3test.ResetAfter}, Only: never}, store.S3Options{})
			etag := ""
			if etagFromGet {
				if err := s.Swap(t.Context(), "checkpoint", "", []byte("size 1"), s3mdTile); err != nil {
					t.Fatal(err)
				}
				o, err := s.Get(t.Context(), "checkpoint")
				if err != nil {
					t.Fatal(err)
				}
				etag = o.ETag
			}
			before := s.Requests()
			// Only the next PUT is answered by a reset.
			setOnly(p, firstPUT())
			if err := s.Swap(t.Context(), "checkpoint", etag, []byte("size 2"), s3mdTile); err != nil {
				t.Fatalf("Swap whose first attempt landed: %v", err)
			}
			after := s.Requests()
			if d := after["PUT"] - before["PUT"]; d != 2 {
				t.Errorf("the swap sent %d PUTs, want 2 (the lost one and the retry)", d)
			}
			if d := after["GET"] - before["GET"]; d != 1 {
				t.Errorf("the swap sent %d GETs, want 1 (reading back)", d)
			}
			if c := p.Counts()[s3test.ResetAfter]; c != 1 {
				t.Fatalf("proxy reset %d answers, want 1", c)
			}
			// Negative control: the same swap again has a stale ETag (or
			// expects no object), and the stored bytes are the same as
			// ours, but no retry happened: the store must not call it ours.
			err := s.Swap(t.Context(), "checkpoint", etag, []byte("size 2"), s3mdTile)
			if !errors.Is(err, store.ErrPrecondition) {
				t.Fatalf("repeated Swap with a stale ETag: %v, want ErrPrecondition", err)
			}
		})
	}
}

// setOnly replaces the filter of a proxy's faults (tests only build one
// proxy per store, before any request).
func setOnly(p *s3test.Proxy, f func(*http.Request) bool) { p.SetOnly(f) }

// A lost swap is reported as such even when the SDK retried: the object
// read back is someone else's.
func TestS3SwapLostAfterRetry(t *testing.T) {
	srv := s3test.Start(t)
	s, bucket, p := newS3Via(t, srv, s3test.ProxyOptions{Rate: 1, Faults: []s3test.Fault{s3test.ResetBefore}, Only: never}, store.S3Options{})
	rawPut(t, srv, bucket, "checkpoint", []byte("theirs"))
	setOnly(p, firstPUT())
	err := s.Swap(t.Context(), "checkpoint", "", []byte("ours"), s3mdTile)
	if !errors.Is(err, store.ErrPrecondition) {
		t.Fatalf("Swap over another writer's object after a retry: %v, want ErrPrecondition", err)
	}
	if got := rawGet(t, srv, bucket, "checkpoint"); string(got) != "theirs" {
		t.Fatalf("checkpoint = %q after a lost swap", got)
	}
}

// A Create whose first attempt landed but whose answer was lost succeeds.
func TestS3CreateLandedAnswerLost(t *testing.T) {
	srv := s3test.Start(t)
	s, bucket, p := newS3Via(t, srv, s3test.ProxyOptions{Rate: 1, Faults: []s3test.Fault{s3test.ResetAfter}, Only: never}, store.S3Options{})
	setOnly(p, firstPUT())
	if err := s.Create(t.Context(), "tile/0/000", []byte("tile"), s3mdTile); err != nil {
		t.Fatal(err)
	}
	if err := s.Sync(t.Context()); err != nil {
		t.Fatalf("Sync after a Create whose answer was lost: %v", err)
	}
	if got := rawGet(t, srv, bucket, "tile/0/000"); string(got) != "tile" {
		t.Fatalf("stored %q", got)
	}
	if p.Counts()[s3test.ResetAfter] != 1 {
		t.Fatal("the proxy injected no fault")
	}
}

// An immutable object changed behind the store's back is never
// overwritten, and the error names its key.
func TestS3ImmutableChangedBehindOurBack(t *testing.T) {
	srv := s3test.Start(t)
	s, bucket := newS3(t, srv, "", store.S3Options{})
	const key = "logs/x/tile/entries/000"
	rawPut(t, srv, bucket, key, []byte("forged bundle"))
	if err := s.Create(t.Context(), key, []byte("our bundle"), s3mdTile); err != nil && !errors.Is(err, store.ErrImmutable) {
		t.Fatal(err)
	}
	err := s.Sync(t.Context())
	if !errors.Is(err, store.ErrImmutable) || !strings.Contains(err.Error(), key) {
		t.Fatalf("Sync after creating over different bytes: %v, want ErrImmutable naming %s", err, key)
	}
	if got := rawGet(t, srv, bucket, key); string(got) != "forged bundle" {
		t.Fatalf("the object was overwritten: %q", got)
	}
	// A Swap after such a failure reports it and swaps nothing.
	if err := s.Create(t.Context(), "logs/x/tile/entries/001", []byte("our bundle"), s3mdTile); err != nil {
		t.Fatal(err)
	}
	rawPut(t, srv, bucket, "logs/x/tile/0/000", []byte("forged tile"))
	if err := s.Create(t.Context(), "logs/x/tile/0/000", []byte("our tile"), s3mdTile); err != nil && !errors.Is(err, store.ErrImmutable) {
		t.Fatal(err)
	}
	err = s.Swap(t.Context(), "logs/x/checkpoint", "", []byte("size 1"), s3mdTile)
	if !errors.Is(err, store.ErrImmutable) || !strings.Contains(err.Error(), "logs/x/tile/0/000") {
		t.Fatalf("Swap after a failed Create: %v, want ErrImmutable naming the key", err)
	}
	if _, err := s.Get(t.Context(), "logs/x/checkpoint"); err == nil {
		t.Fatal("the checkpoint was swapped in although an earlier write failed")
	}
	// The same bytes are fine.
	if err := s.Create(t.Context(), key, []byte("forged bundle"), s3mdTile); err != nil {
		t.Fatalf("Create of the stored bytes: %v", err)
	}
}

// Sequential writes are uploaded in parallel, never more than Uploads at
// once.
func TestS3ParallelUploads(t *testing.T) {
	srv := s3test.Start(t)
	for _, n := range []int{0, 4} {
		t.Run(fmt.Sprint("uploads=", n), func(t *testing.T) {
			s, _, p := newS3Via(t, srv, s3test.ProxyOptions{Rate: 1, Faults: []s3test.Fault{s3test.Latency}}, store.S3Options{Uploads: n})
			const objects = 48
			for i := range objects {
				if err := s.Create(t.Context(), fmt.Sprintf("tile/0/%03d", i), []byte{byte(i)}, s3mdTile); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.Sync(t.Context()); err != nil {
				t.Fatal(err)
			}
			limit := n
			if limit == 0 {
				limit = store.DefaultS3Uploads
			}
			got := p.MaxInFlight()
			if got < 2 || got > limit {
				t.Errorf("%d uploads in flight at most, want between 2 and %d", got, limit)
			}
			if r := s.Requests(); r["PUT"] != objects {
				t.Errorf("%d PUTs for %d objects", r["PUT"], objects)
			}
			t.Logf("%d requests at most in flight", got)
		})
	}
}

// List pages through more than 1,000 keys and counts one LIST per page.
func TestS3ListPages(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 1,001 objects")
	}
	srv := s3test.Start(t)
	s, _ := newS3(t, srv, "site", store.S3Options{})
	const n = 1001
	for i := range n {
		if err := s.Put(t.Context(), fmt.Sprintf("k/%d", i), nil, store.Metadata{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Sync(t.Context()); err != nil {
		t.Fatal(err)
	}
	before := s.Requests()["LIST"]
	keys, err := s.List(t.Context(), "k/")
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != n {
		t.Fatalf("listed %d keys, want %d", len(keys), n)
	}
	if d := s.Requests()["LIST"] - before; d != 2 {
		t.Errorf("%d LIST requests for %d keys, want 2", d, n)
	}
}

// With 30% of requests failing in every way the proxy knows, every write
// and read still succeeds, through retries.
func TestS3Faults(t *testing.T) {
	srv := s3test.Start(t)
	s, bucket, p := newS3Via(t, srv, s3test.ProxyOptions{Rate: 0.3, Seed: 1}, store.S3Options{})
	ctx := t.Context()
	etag := ""
	for round := range 5 {
		for i := range 20 {
			key := fmt.Sprintf("tile/%d/%03d", round, i)
			if err := s.Create(ctx, key, []byte(key), s3mdTile); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Put(ctx, "history", fmt.Appendf(nil, "[%d]", round), store.Metadata{}); err != nil {
			t.Fatal(err)
		}
		if err := s.Swap(ctx, "checkpoint", etag, fmt.Appendf(nil, "size %d", round), s3mdTile); err != nil {
			t.Fatalf("round %d: Swap: %v", round, err)
		}
		o, err := s.Get(ctx, "checkpoint")
		if err != nil {
			t.Fatal(err)
		}
		etag = o.ETag
	}
	keys, err := s.List(ctx, "tile/")
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 100 {
		t.Fatalf("listed %d tiles, want 100", len(keys))
	}
	if got := rawGet(t, srv, bucket, "checkpoint"); string(got) != "size 4" {
		t.Fatalf("checkpoint %q", got)
	}
	if p.Faults() == 0 {
		t.Fatal("the proxy injected no fault")
	}
	t.Logf("faults: %v; requests: %v", p.Counts(), s.Requests())
}

// A background write's failure reaches Sync as a WriteError naming it.
func TestS3WriteError(t *testing.T) {
	srv := s3test.Start(t)
	s, bucket := newS3(t, srv, "", store.S3Options{})
	rawPut(t, srv, bucket, "a", []byte("theirs"))
	if err := s.Create(t.Context(), "a", []byte("ours"), s3mdTile); err != nil {
		t.Fatal(err)
	}
	if err := s.Create(t.Context(), "b", []byte("ours"), s3mdTile); err != nil {
		t.Fatal(err)
	}
	err := s.Sync(t.Context())
	var we *store.WriteError
	if !errors.As(err, &we) || we.Key != "a" || we.Op != "creating" || !errors.Is(we, store.ErrImmutable) {
		t.Fatalf("Sync: %v, want a WriteError for creating a", err)
	}
	if err := s.Sync(t.Context()); err != nil {
		t.Fatalf("a second Sync reports again: %v", err)
	}
	if got := rawGet(t, srv, bucket, "b"); string(got) != "ours" {
		t.Fatalf("the other write of the batch was lost: %q", got)
	}
}
