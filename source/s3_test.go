package source_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"stele/internal/s3client"
	"stele/internal/s3test"
	"stele/source"
	"stele/source/sourcetest"
)

func TestMain(m *testing.M) { os.Exit(s3test.Main(m)) }

// fillBucket writes objects into a new bucket under prefix and returns the
// bucket's name.
func fillBucket(t testing.TB, srv *s3test.Server, prefix string, objects map[string][]byte) string {
	t.Helper()
	bucket := srv.NewBucket(t)
	c := srv.Client()
	for k, v := range objects {
		_, err := c.PutObject(t.Context(), &s3.PutObjectInput{
			Bucket: aws.String(bucket), Key: aws.String(prefix + k), Body: bytes.NewReader(v),
		})
		if err != nil {
			t.Fatalf("writing %s: %v", k, err)
		}
	}
	return bucket
}

// openS3 opens the S3 source of prefix in bucket with the server's
// credentials.
func openS3(t testing.TB, srv *s3test.Server, bucket, prefix string) *source.S3 {
	t.Helper()
	cfg := srv.Config()
	s, err := source.OpenS3(t.Context(), srv.URL(bucket, prefix), s3client.Options{Config: &cfg})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestS3Conformance(t *testing.T) {
	srv := s3test.Start(t)
	for _, prefix := range []string{"", "proofs/whatsapp/"} {
		t.Run("prefix="+prefix, func(t *testing.T) {
			sourcetest.Run(t, func(t *testing.T, objects map[string][]byte) source.Source {
				return openS3(t, srv, fillBucket(t, srv, prefix, objects), prefix)
			})
		})
	}
}

func TestHTTPConformance(t *testing.T) {
	srv := s3test.Start(t)
	for _, prefix := range []string{"", "proofs/whatsapp/"} {
		t.Run("prefix="+prefix, func(t *testing.T) {
			sourcetest.Run(t, func(t *testing.T, objects map[string][]byte) source.Source {
				bucket := fillBucket(t, srv, prefix, objects)
				srv.MakePublic(t, bucket)
				loc := srv.BucketURL(bucket)
				if prefix != "" {
					loc += "?prefix=" + prefix
				}
				s, err := source.NewHTTP(loc, nil)
				if err != nil {
					t.Fatal(err)
				}
				return s
			})
		})
	}
}

// A public bucket is read anonymously: the S3 source without credentials
// falls back to unsigned requests.
func TestS3Anonymous(t *testing.T) {
	srv := s3test.Start(t)
	name := fmt.Sprintf("5/%064x/%064x", 4, 5)
	bucket := fillBucket(t, srv, "", map[string][]byte{name: []byte("proof")})
	s, err := source.OpenS3(t.Context(), srv.URL(bucket, ""), s3client.Options{Anonymous: true})
	if err != nil {
		t.Fatal(err)
	}
	// Negative control: not public yet.
	if _, err := s.List(t.Context(), 5); err == nil {
		t.Fatal("anonymous listing of a private bucket succeeded")
	}
	srv.MakePublic(t, bucket)
	objs, err := s.List(t.Context(), 5)
	if err != nil || len(objs) != 1 || objs[0].Name != name {
		t.Fatalf("anonymous List = %v, %v", objs, err)
	}
	if got := read(t, s, name); got != "proof" {
		t.Fatalf("read %q", got)
	}
}

func read(t *testing.T, s source.Source, name string) string {
	t.Helper()
	r, err := s.Open(t.Context(), name)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// bigEpoch is a bucket where one epoch holds more objects than one page
// of a listing, beside epochs whose string order differs from their
// numeric order.
func bigEpoch(t *testing.T, srv *s3test.Server, prefix string) (bucket string, want map[uint64]int) {
	objects := map[string][]byte{}
	want = map[uint64]int{}
	add := func(e uint64, i int) {
		objects[fmt.Sprintf("%d/%064x/%064x", e, i, i+1)] = fmt.Appendf(nil, "claim %d of epoch %d", i, e)
		want[e]++
	}
	for i := range 1003 {
		add(100, i)
	}
	for _, e := range []uint64{9, 10, 99, 1000, 99999, 624700} {
		add(e, 0)
	}
	objects["100/not-a-key"] = []byte("ignored")
	objects["1000/"+strings.Repeat("A", 64)+"/"+strings.Repeat("b", 64)] = []byte("ignored")
	return fillBucket(t, srv, prefix, objects), want
}

func TestListPagination(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 1,011 objects")
	}
	srv := s3test.Start(t)
	const prefix = "p/"
	bucket, want := bigEpoch(t, srv, prefix)
	srv.MakePublic(t, bucket)
	h, err := source.NewHTTP(srv.BucketURL(bucket)+"?prefix="+prefix, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []interface {
		source.Source
		Requests() map[string]int64
	}{openS3(t, srv, bucket, prefix), h} {
		t.Run(fmt.Sprintf("%T", s), func(t *testing.T) {
			for _, e := range []uint64{1, 9, 10, 11, 99, 100, 1000, 99999, 624700, 6247} {
				before := s.Requests()["LIST"]
				objs, err := s.List(t.Context(), e)
				if err != nil {
					t.Fatal(err)
				}
				if len(objs) != want[e] {
					t.Errorf("List(%d): %d objects, want %d", e, len(objs), want[e])
				}
				pages := int64(1)
				if e == 100 {
					pages = 2
				}
				if n := s.Requests()["LIST"] - before; n != pages {
					t.Errorf("List(%d) sent %d LIST requests, want %d", e, n, pages)
				}
			}
			objs, _ := s.List(t.Context(), 100)
			if len(objs) > 0 {
				if got, want := read(t, s, objs[len(objs)-1].Name), "claim"; !strings.HasPrefix(got, want) {
					t.Errorf("read %q", got)
				}
			}
		})
	}
}

// Open of a missing object through the HTTPS source of a bucket that does
// not grant public reads is transient (403), not "not there".
func TestHTTPForbidden(t *testing.T) {
	srv := s3test.Start(t)
	bucket := fillBucket(t, srv, "", nil)
	h, err := source.NewHTTP(srv.BucketURL(bucket), nil)
	if err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("5/%064x/%064x", 4, 5)
	_, err = h.Open(t.Context(), name)
	if err == nil || errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Open on a private bucket: %v, want a transient error", err)
	}
	if _, err := h.List(t.Context(), 5); err == nil {
		t.Fatal("List on a private bucket succeeded")
	}
}
