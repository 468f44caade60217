package store_test

import (
	"path/filepath"
	"testing"

	"stele/store"
)

func TestOpen(t *testing.T) {
	for _, u := range []string{"http://example.com/site", "https://example.com", "HTTPS://example.com/x/"} {
		s, err := store.Open(u)
		if _, ok := s.(*store.HTTP); err != nil || !ok {
			t.Errorf("Open(%q) = %T, %v; want *store.HTTP", u, s, err)
		}
	}
	if _, err := store.Open("https://example.com/?q"); err == nil {
		t.Error("Open of an HTTPS URL with a query succeeded")
	}
	for _, u := range []string{"s3://bucket/prefix?region=eu-west-1", "S3://bucket", "s3://b/p/?endpoint=http://127.0.0.1:9000&use_path_style=true"} {
		s, err := store.Open(u)
		if _, ok := s.(*store.S3); err != nil || !ok {
			t.Errorf("Open(%q) = %T, %v; want *store.S3", u, s, err)
		}
	}
	for _, u := range []string{"s3://", "s3://bucket/a//b", "s3://bucket/.stele", "s3://bucket?color=blue"} {
		if s, err := store.Open(u); err == nil {
			t.Errorf("Open(%q) = %T, want an error", u, s)
		}
	}
	if _, err := store.Open(""); err == nil {
		t.Error("Open(\"\") succeeded")
	}
	dir := filepath.Join(t.TempDir(), "site")
	t.Chdir(filepath.Dir(dir))
	for _, p := range []string{dir, dir + "/", "site", "./site/"} {
		s, err := store.Open(p)
		if d, ok := s.(*store.Dir); err != nil || !ok || d.Root() != filepath.Clean(p) {
			t.Errorf("Open(%q) = %T, %v; want the *store.Dir", p, s, err)
		}
	}
}
