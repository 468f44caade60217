package publish_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"stele/layout"
	"stele/publish"
	"stele/store"
	"stele/store/storefault"
)

// takeover hands the lease of the namespace at prefix to another
// publisher the first time an audit object is written: as if this run
// had outlived its lease and been overtaken while publishing.
type takeover struct {
	store.Store
	prefix string
	once   sync.Once
}

func (s *takeover) Create(ctx context.Context, key string, data []byte, md store.Metadata) error {
	if strings.Contains(key, "/audits/") {
		s.once.Do(func() {
			s.Store.Put(ctx, s.prefix+layout.Lock, []byte(`{"holder":"another","expires":99999999999999}`), store.Metadata{})
		})
	}
	return s.Store.Create(ctx, key, data, md)
}

// TestLeaseRenewedBeforeCommit: a run whose lease another publisher took
// while it worked stops short of the checkpoint swap (exit 3); the log
// stays as it was for the lease's holder to extend.
func TestLeaseRenewedBeforeCommit(t *testing.T) {
	s := newJobSite(t, 4, specWA)
	st := storefault.NewMem()
	wantResult(t, s.runOn(st, s.now, publish.Options{}), "wa", publish.ResultOK, 0)
	before := s.check(st, "wa").recs
	s.extend(2)
	n := wantResult(t, s.runOn(&takeover{Store: st, prefix: layout.LogPrefix("wa")}, s.now, publish.Options{}), "wa", publish.ResultUnchecked, 3)
	if !strings.Contains(n.Error, "another publisher took it") {
		t.Errorf("error %q does not say the lease was lost", n.Error)
	}
	if got := s.check(st, "wa").recs; len(got) != len(before) {
		t.Errorf("the checkpoint moved from %d to %d entries without the lease", len(before), len(got))
	}
}
