//go:build unix

package store_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// A Swap waits while another holder (here: this test, as another process
// would) has the lock, gives up when its context ends, and proceeds once the
// lock is released.
func TestDirSwapWaitsForLock(t *testing.T) {
	ctx := t.Context()
	root := t.TempDir()
	d := openDir(t, root)
	must(t, d.Swap(ctx, "checkpoint", "", []byte("1"), mdTile)) // makes .stele
	f, err := os.OpenFile(filepath.Join(root, ".stele", "lock"), os.O_RDWR, 0)
	must(t, err)
	defer f.Close()
	must(t, syscall.Flock(int(f.Fd()), syscall.LOCK_EX))

	o, err := d.Get(ctx, "checkpoint")
	must(t, err)
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	err = d.Swap(short, "checkpoint", o.ETag, []byte("2"), mdTile)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Swap while the lock is held elsewhere: %v, want DeadlineExceeded", err)
	}

	done := make(chan error, 1)
	go func() { done <- d.Swap(ctx, "checkpoint", o.ETag, []byte("2"), mdTile) }()
	select {
	case err := <-done:
		t.Fatalf("Swap returned while the lock was held: %v", err)
	case <-time.After(20 * time.Millisecond):
	}
	must(t, syscall.Flock(int(f.Fd()), syscall.LOCK_UN))
	must(t, <-done)
	if o, err := d.Get(ctx, "checkpoint"); err != nil || string(o.Data) != "2" {
		t.Fatalf("after the lock was released: %q, %v", o.Data, err)
	}
}
