package publish_test

import (
	"testing"

	"stele/publish"
	"stele/record"
)

// TestResumeMustMatchSource: a resume whose digest the source's next
// proof does not start from is a configuration error (exit 2) with
// nothing written, as root is for an empty log; it is not recorded as a
// violation against the directory. Corrected, the namespace resumes.
func TestResumeMustMatchSource(t *testing.T) {
	s := newJobSite(t, 8, specWA)
	a := s.rootOf("wa")
	bad := a.Epoch + 4
	k, _ := s.sourceKey("wa", bad)
	flipLastByte(t, s.proofPath("wa", k))
	wantResult(t, s.run(), "wa", publish.ResultViolation, 1)
	before := len(s.check(s.openStore(), "wa").recs)

	wrong := k.Cur
	wrong[0] ^= 1
	s.nsConfig("wa").Resume = publish.Anchor{Epoch: bad, Digest: wrong}.String()
	n := wantResult(t, s.run(), "wa", publish.ResultConfig, 2)
	if n.Status != "halted" {
		t.Errorf("a mistyped resume: status %q, want halted", n.Status)
	}
	p := s.check(s.openStore(), "wa")
	if len(p.recs) != before || p.recs[len(p.recs)-1].Kind != record.KindViolation {
		t.Fatalf("a mistyped resume wrote records: %s", shape(p.recs))
	}

	s.nsConfig("wa").Resume = publish.Anchor{Epoch: bad, Digest: k.Cur}.String()
	wantResult(t, s.run(), "wa", publish.ResultOK, 0)
	p = s.check(s.openStore(), "wa")
	if got := p.recs[before]; got.Kind != record.KindAnchor || got.Epoch != bad {
		t.Fatalf("after the corrected resume: %s", shape(p.recs))
	}
}
