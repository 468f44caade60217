package source_test

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"stele/source"
	"stele/source/sourcetest"
)

func TestDirConformance(t *testing.T) {
	sourcetest.Run(t, func(t *testing.T, objects map[string][]byte) source.Source {
		root := t.TempDir()
		sourcetest.WriteTree(t, root, objects)
		d, err := source.NewDir(root)
		if err != nil {
			t.Fatal(err)
		}
		return d
	})
}

// tree is a directory with one proof object, 12/hexA/hexB, and its anchor.
func tree(t *testing.T) (root, name string) {
	root = t.TempDir()
	name = "12/" + hexA + "/" + hexB
	sourcetest.WriteTree(t, root, map[string][]byte{
		name:   []byte("the proof"),
		"root": []byte("11/" + hexA + "\n"),
	})
	return root, name
}

func newDir(t *testing.T, root string) *source.Dir {
	t.Helper()
	d, err := source.NewDir(root)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// listed returns the names List(epoch) returns, failing on an error.
func listed(t *testing.T, s source.Source, epoch uint64) []string {
	t.Helper()
	objs, err := s.List(t.Context(), epoch)
	if err != nil {
		t.Fatalf("List(%d): %v", epoch, err)
	}
	var names []string
	for _, o := range objs {
		names = append(names, o.Name)
	}
	slices.Sort(names)
	return names
}

func wantNotExist(t *testing.T, s source.Source, name string) {
	t.Helper()
	r, err := s.Open(t.Context(), name)
	if err == nil {
		r.Close()
		t.Fatalf("Open(%q) succeeded, want a missing object", name)
	}
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Open(%q) error = %v, want one wrapping os.ErrNotExist", name, err)
	}
}

func readAll(t *testing.T, s source.Source, name string) string {
	t.Helper()
	r, err := s.Open(t.Context(), name)
	if err != nil {
		t.Fatalf("Open(%q): %v", name, err)
	}
	defer r.Close()
	data, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("reading %q: %v", name, err)
	}
	return string(data)
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("cannot make symbolic links here: %v", err)
	}
}

func TestDirSymlinkToFile(t *testing.T) {
	root := t.TempDir()
	elsewhere := filepath.Join(t.TempDir(), "proof.bin")
	if err := os.WriteFile(elsewhere, []byte("a proof kept elsewhere"), 0o644); err != nil {
		t.Fatal(err)
	}
	name := "5/" + hexA + "/" + hexB
	symlink(t, elsewhere, filepath.Join(root, filepath.FromSlash(name)))
	d := newDir(t, root)
	objs, err := d.List(t.Context(), 5)
	if err != nil || len(objs) != 1 || objs[0].Name != name {
		t.Fatalf("List(5) = %+v, %v; want the linked object", objs, err)
	}
	if objs[0].Size != int64(len("a proof kept elsewhere")) {
		t.Errorf("size = %d, want the target's", objs[0].Size)
	}
	if got := readAll(t, d, name); got != "a proof kept elsewhere" {
		t.Errorf("read %q", got)
	}
}

func TestDirIgnoredLinks(t *testing.T) {
	root, name := tree(t)
	other := t.TempDir()
	sourcetest.WriteTree(t, other, map[string][]byte{hexA + "/" + hexB: []byte("behind a link")})
	cases := map[string]string{
		// a link to a directory where the object's file belongs
		"20/" + hexA + "/" + hexB: other,
		// a dangling link
		"21/" + hexA + "/" + hexB: filepath.Join(other, "missing"),
		// a linked epoch directory (its content is a valid layout)
		"22": other,
		// a linked previous-root directory
		"23/" + hexA: filepath.Join(other, hexA),
		// a link to the epoch directory that does hold a proof
		"24": filepath.Join(root, "12"),
	}
	for link, target := range cases {
		symlink(t, target, filepath.Join(root, filepath.FromSlash(link)))
	}
	d := newDir(t, root)
	for _, e := range []uint64{20, 21, 22, 23, 24} {
		if got := listed(t, d, e); len(got) != 0 {
			t.Errorf("List(%d) = %q, want nothing", e, got)
		}
		wantNotExist(t, d, keyAB(e))
	}
	// The real object is still there.
	if got := listed(t, d, 12); !slices.Equal(got, []string{name}) {
		t.Errorf("List(12) = %q", got)
	}
}

func TestDirSymlinkLoop(t *testing.T) {
	root := t.TempDir()
	name := "30/" + hexA + "/" + hexB
	link := filepath.Join(root, filepath.FromSlash(name))
	symlink(t, link, link)
	d := newDir(t, root)
	objs, err := d.List(t.Context(), 30)
	if err == nil || errors.Is(err, os.ErrNotExist) {
		t.Errorf("List over a link loop = %v, %v; want a transient error", objs, err)
	}
	r, err := d.Open(t.Context(), name)
	if err == nil {
		r.Close()
	}
	if err == nil || errors.Is(err, os.ErrNotExist) || errors.Is(err, source.ErrInvalidKey) {
		t.Errorf("Open of a link loop: error = %v, want a transient error", err)
	}
}

func TestDirWrongKinds(t *testing.T) {
	root, name := tree(t)
	// A directory where the object's file belongs, a file where the
	// previous root's directory belongs, a file where the epoch's does.
	for _, dir := range []string{"40/" + hexA + "/" + hexB, "40/" + hexB + "/" + hexA + "/sub"} {
		if err := os.MkdirAll(filepath.Join(root, filepath.FromSlash(dir)), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	sourcetest.WriteTree(t, root, map[string][]byte{
		"41/" + hexA: []byte("a file where a directory belongs"),
		"42":         []byte("a file where the epoch's directory belongs"),
	})
	d := newDir(t, root)
	for _, e := range []uint64{40, 41, 42} {
		if got := listed(t, d, e); len(got) != 0 {
			t.Errorf("List(%d) = %q, want nothing", e, got)
		}
		wantNotExist(t, d, keyAB(e))
	}
	wantNotExist(t, d, "40/"+hexB+"/"+hexA)
	if got := listed(t, d, 12); !slices.Equal(got, []string{name}) {
		t.Errorf("List(12) = %q", got)
	}
}

func TestDirReadAfterCancel(t *testing.T) {
	root, name := tree(t)
	d := newDir(t, root)
	ctx, cancel := context.WithCancel(t.Context())
	r, err := d.Open(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cancel()
	if _, err := io.ReadAll(r); !errors.Is(err, context.Canceled) {
		t.Errorf("reading after cancel: %v, want context.Canceled", err)
	}
}

func TestDirUnreadable(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("permissions do not apply to root")
	}
	root, name := tree(t)
	edir := filepath.Join(root, "12")
	if err := os.Chmod(edir, 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(edir, 0o755) })
	d := newDir(t, root)
	if objs, err := d.List(t.Context(), 12); err == nil || errors.Is(err, os.ErrNotExist) {
		t.Errorf("List of an unreadable epoch = %v, %v; want a transient error", objs, err)
	}
	r, err := d.Open(t.Context(), name)
	if err == nil {
		r.Close()
	}
	if err == nil || errors.Is(err, os.ErrNotExist) {
		t.Errorf("Open in an unreadable epoch: error = %v, want a transient error", err)
	}
}

func TestNewDir(t *testing.T) {
	root, name := tree(t)
	if _, err := source.NewDir(filepath.Join(root, "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("NewDir(missing) error = %v, want one wrapping os.ErrNotExist", err)
	}
	if _, err := source.NewDir(filepath.Join(root, "root")); err == nil {
		t.Errorf("NewDir(a file) succeeded")
	}
	if _, err := source.NewDir(""); err == nil {
		t.Errorf(`NewDir("") succeeded`)
	}
	d := newDir(t, root+string(filepath.Separator)+".")
	if d.Location() != root {
		t.Errorf("Location() = %q, want %q", d.Location(), root)
	}
	if u := d.URL(name); u != "" {
		t.Errorf("URL(%q) = %q, want none", name, u)
	}
	// The root itself may be a link.
	link := filepath.Join(t.TempDir(), "proofs")
	symlink(t, root, link)
	if got := readAll(t, newDir(t, link), name); got != "the proof" {
		t.Errorf("read through a linked root: %q", got)
	}
}

// keyAB is the key of epoch e from root hexA to root hexB.
func keyAB(e uint64) string { return strconv.FormatUint(e, 10) + "/" + hexA + "/" + hexB }
