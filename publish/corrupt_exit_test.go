package publish_test

import (
	"context"
	"testing"

	"stele/publish"
	"stele/store"
	"stele/store/storefault"
)

// TestCorruptCoveredObjectsExit: complete bytes under the published
// checkpoint that fail to parse or to hash are evidence (exit 1), not a
// reason to retry (exit 3) forever.
func TestCorruptCoveredObjectsExit(t *testing.T) {
	for _, c := range []struct {
		key  string
		data []byte
		md   store.Metadata
	}{
		{"logs/wa/tile/entries/000.p/7", []byte("not gzip at all"), store.Metadata{ContentEncoding: "gzip"}},
		{"logs/wa/tile/0/000.p/7", make([]byte, 7*32), store.Metadata{}},
	} {
		s := newJobSite(t, 6, specWA)
		s.logger = nil
		st := storefault.NewMem()
		if sum := s.runOn(st, s.now, publish.Options{}); sum.ExitCode != 0 {
			t.Fatal(sum)
		}
		s.extend(1)
		if err := st.Put(context.Background(), c.key, c.data, c.md); err != nil {
			t.Fatal(err)
		}
		sum := s.runOn(st, s.now, publish.Options{})
		if sum.ExitCode != 1 {
			t.Errorf("%s tampered: exit %d, want 1 (%s)", c.key, sum.ExitCode, sum.Namespaces[0].Error)
		}
	}
}
