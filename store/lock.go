package store

import (
	"context"
	"fmt"
	"os"
	"time"
)

// lockFile opens (creating it if needed) the lock file at path and takes an
// exclusive lock on it, waiting while another holder has it and giving up
// when ctx is done. Closing the returned file releases the lock; so does the
// death of the process, which is why a lock can never be left stale.
func lockFile(ctx context.Context, path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("store: opening lock file: %w", err)
	}
	wait := time.Millisecond
	for {
		ok, err := tryLock(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("store: locking %s: %w", path, err)
		}
		if ok {
			return f, nil
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			f.Close()
			return nil, fmt.Errorf("store: waiting for lock %s: %w", path, ctx.Err())
		case <-t.C:
		}
		wait = min(2*wait, 20*time.Millisecond)
	}
}
