package publish_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"stele/publish"
	"stele/store"
	"stele/store/storefault"
)

// deferredStore models store.S3's documented write semantics: Create/Put
// return at once and a failed background upload is only reported by the
// next Sync (and by Swap, which syncs first and then swaps nothing).
type deferredStore struct {
	store.Store
	fail   func(key string) bool
	mu     sync.Mutex
	failed []error
}

func (d *deferredStore) Create(ctx context.Context, key string, data []byte, md store.Metadata) error {
	if d.fail != nil && d.fail(key) {
		d.mu.Lock()
		d.failed = append(d.failed, errors.New("upload of "+key+" failed (503 after retries)"))
		d.mu.Unlock()
		return nil
	}
	return d.Store.Create(ctx, key, data, md)
}

func (d *deferredStore) Sync(ctx context.Context) error {
	d.mu.Lock()
	errs := d.failed
	d.failed = nil
	d.mu.Unlock()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	return d.Store.Sync(ctx)
}

func (d *deferredStore) Swap(ctx context.Context, key, etag string, data []byte, md store.Metadata) error {
	if err := d.Sync(ctx); err != nil {
		return err
	}
	return d.Store.Swap(ctx, key, etag, data, md)
}

// TestLostBundleRecovers fails one bundle upload of run 2, reported only
// at the next Sync as S3 does. Nothing derived from the bundle's records
// (hash tiles, audit objects) may land without it: the later runs, at
// later clocks as a real schedule has them, sign the epochs again at
// other times and must not meet other bytes at immutable keys.
func TestLostBundleRecovers(t *testing.T) {
	s := newJobSite(t, 6, specWA)
	base := storefault.NewMem()
	if sum := s.runOn(base, s.now, publish.Options{}); sum.ExitCode != 0 {
		t.Fatalf("first run: %+v", sum)
	}
	s.extend(6)
	once := true
	d := &deferredStore{Store: base, fail: func(key string) bool {
		if once && strings.HasPrefix(key, "logs/wa/tile/entries/") {
			once = false
			return true
		}
		return false
	}}
	sum := s.runOn(d, s.now.Add(time.Hour), publish.Options{})
	if sum.ExitCode != 3 {
		t.Fatalf("run 2, a bundle lost: exit %d, want 3 (%s)", sum.ExitCode, sum.Namespaces[0].Error)
	}
	for i := 3; i <= 5; i++ {
		sum = s.runOn(base, s.now.Add(time.Duration(i)*time.Hour), publish.Options{})
		t.Logf("run %d: exit %d result %s: %s", i, sum.ExitCode, sum.Namespaces[0].Result, sum.Namespaces[0].Error)
	}
	if sum.ExitCode != 0 || sum.Namespaces[0].LogSize != 13 {
		t.Errorf("the namespace does not recover: exit %d, log size %d", sum.ExitCode, sum.Namespaces[0].LogSize)
	}
}
