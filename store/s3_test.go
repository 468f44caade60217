package store_test

import (
	"os"
	"testing"

	"stele/internal/s3test"
	"stele/store"
	"stele/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(s3test.Main(m)) }

// newS3 returns an S3 store on a new bucket of the test server, under
// prefix.
func newS3(t testing.TB, srv *s3test.Server, prefix string, opts store.S3Options) (*store.S3, string) {
	t.Helper()
	bucket := srv.NewBucket(t)
	cfg := srv.Config()
	opts.Client.Config = &cfg
	s, err := store.OpenS3(t.Context(), srv.URL(bucket, prefix), opts)
	if err != nil {
		t.Fatal(err)
	}
	return s, bucket
}

func TestS3Conformance(t *testing.T) {
	srv := s3test.Start(t)
	storetest.Run(t, func(t *testing.T) store.Store {
		s, _ := newS3(t, srv, "", store.S3Options{})
		return s
	})
}

func TestS3ConformancePrefixed(t *testing.T) {
	srv := s3test.Start(t)
	storetest.Run(t, func(t *testing.T) store.Store {
		s, _ := newS3(t, srv, "site/v1", store.S3Options{Uploads: 1})
		return s
	})
}
