package store_test

import (
	"path/filepath"
	"strings"
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
	_, err := store.Open("s3://bucket/prefix?region=eu-west-1")
	if err == nil || !strings.Contains(err.Error(), "s3 not supported yet") {
		t.Errorf("Open(s3://...): %v, want \"s3 not supported yet\"", err)
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
