package sourcetest

import (
	"strings"
	"testing"

	"stele/source"
)

// TestFixture checks the suite's own promises about its fixture: valid and
// ignored keys are what ParseKey says, and no key is a path prefix of
// another, so that a directory can hold them all.
func TestFixture(t *testing.T) {
	fx := newFixture()
	for k := range fx.valid {
		if _, err := source.ParseKey(k); err != nil {
			t.Errorf("valid key %q: %v", k, err)
		}
	}
	for k := range fx.ignored {
		if _, err := source.ParseKey(k); err == nil {
			t.Errorf("ignored key %q parses", k)
		}
	}
	all := fx.all()
	for a := range all {
		for b := range all {
			if a != b && strings.HasPrefix(b, strings.TrimSuffix(a, "/")+"/") {
				t.Errorf("key %q is a prefix of %q", a, b)
			}
		}
	}
	if n := len(fx.epoch(twoEpoch)); n != 2 {
		t.Errorf("epoch %d has %d objects, want 2", twoEpoch, n)
	}
	for _, e := range singleEpochs {
		if n := len(fx.epoch(e)); n != 1 {
			t.Errorf("epoch %d has %d objects, want 1", e, n)
		}
	}
	for _, e := range emptyEpochs {
		if n := len(fx.epoch(e)); n != 0 {
			t.Errorf("epoch %d has %d objects, want none", e, n)
		}
	}
}
