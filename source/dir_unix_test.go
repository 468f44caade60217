//go:build unix

package source_test

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestDirFIFO checks that a named pipe where an object belongs is ignored
// and never opened: opening one would block until a writer came.
func TestDirFIFO(t *testing.T) {
	root, _ := tree(t)
	name := keyAB(50)
	path := filepath.Join(root, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Skipf("cannot make a named pipe here: %v", err)
	}
	d := newDir(t, root)
	if got := listed(t, d, 50); len(got) != 0 {
		t.Errorf("List(50) = %q, want nothing", got)
	}
	wantNotExist(t, d, name)
}
