package source_test

import (
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"stele/source"
)

func TestOpen(t *testing.T) {
	root, name := tree(t)
	spaced := filepath.Join(t.TempDir(), "proofs with space")
	if err := os.Mkdir(spaced, 0o755); err != nil {
		t.Fatal(err)
	}
	fileURL := func(p string) string {
		return (&url.URL{Scheme: "file", Path: filepath.ToSlash(p)}).String()
	}
	for _, loc := range []string{
		root,
		fileURL(root),
		"file://localhost" + filepath.ToSlash(root),
		"FILE://" + filepath.ToSlash(root),
		fileURL(spaced),
	} {
		s, err := source.Open(loc)
		if err != nil {
			t.Errorf("Open(%q): %v", loc, err)
			continue
		}
		if _, ok := s.(*source.Dir); !ok {
			t.Errorf("Open(%q) = %T, want a *Dir", loc, s)
		}
	}
	// The directory is the one named.
	s, err := source.Open(fileURL(root))
	if err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, s, name); got != "the proof" {
		t.Errorf("read %q through a file URL", got)
	}
}

func TestOpenUnsupported(t *testing.T) {
	for _, loc := range []string{
		"gs://bucket/prefix",
		"ftp://proofs.example.com/",
	} {
		s, err := source.Open(loc)
		if !errors.Is(err, source.ErrUnsupported) {
			t.Errorf("Open(%q) = %v, %v; want an error wrapping ErrUnsupported", loc, s, err)
		}
	}
}

func TestOpenRemote(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	for _, loc := range []string{"s3://bucket/proofs/?region=us-east-1", "S3://bucket"} {
		s, err := source.Open(loc)
		if _, ok := s.(*source.S3); err != nil || !ok {
			t.Errorf("Open(%q) = %T, %v; want a *source.S3", loc, s, err)
		}
	}
	for _, loc := range []string{"https://proofs.example.com", "http://localhost:9000/bucket?prefix=whatsapp/", "HTTPS://proofs.example.com/"} {
		s, err := source.Open(loc)
		if _, ok := s.(*source.HTTP); err != nil || !ok {
			t.Errorf("Open(%q) = %T, %v; want a *source.HTTP", loc, s, err)
		}
	}
	for _, loc := range []string{"s3://bucket/proofs?colour=blue", "s3://", "https://x.example/?list-type=2", "https://user:pw@x.example/", "http://"} {
		if s, err := source.Open(loc); err == nil {
			t.Errorf("Open(%q) = %T, want an error", loc, s)
		}
	}
}

func TestOpenErrors(t *testing.T) {
	root, _ := tree(t)
	for _, loc := range []string{
		"",
		filepath.Join(root, "missing"),
		filepath.Join(root, "root"), // a file
		"file://example.com/proofs",
		"file://" + filepath.ToSlash(root) + "?prefix=x",
		"file://" + filepath.ToSlash(root) + "#x",
		"file://",
		"file://%zz",
	} {
		if s, err := source.Open(loc); err == nil {
			t.Errorf("Open(%q) = %v, want an error", loc, s)
		} else if errors.Is(err, source.ErrUnsupported) {
			t.Errorf("Open(%q) error = %v, which says unsupported", loc, err)
		}
	}
	if _, err := source.Open(filepath.Join(root, "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Open(missing directory) error = %v, want one wrapping os.ErrNotExist", err)
	}
}

// FuzzOpen checks that Open never panics, and that whatever it accepts is
// the kind of source its scheme names.
func FuzzOpen(f *testing.F) {
	for _, s := range []string{".", "file:///", "file://localhost/", "s3://b/p", "https://x", "a:b", "c:\\x", "://", "1a://x"} {
		f.Add(s)
	}
	f.Setenv("AWS_ACCESS_KEY_ID", "test")
	f.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	f.Fuzz(func(t *testing.T, loc string) {
		s, err := source.Open(loc)
		if err != nil {
			return
		}
		scheme, _, hasScheme := strings.Cut(strings.ToLower(loc), "://")
		var ok bool
		switch {
		case hasScheme && scheme == "s3":
			_, ok = s.(*source.S3)
		case hasScheme && (scheme == "http" || scheme == "https"):
			_, ok = s.(*source.HTTP)
		default:
			_, ok = s.(*source.Dir)
		}
		if !ok {
			t.Fatalf("Open(%q) = %T", loc, s)
		}
	})
}
