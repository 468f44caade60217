package verify_test

import (
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"stele/checkpoint"
	"stele/tlogproof"
	"stele/verify"
)

// TestVerifyProofNamespace: a tlog-proof whose record is for another
// namespace than the log it is proved in fails, though the record, its
// signature, the inclusion and the checkpoint all verify.
func TestVerifyProofNamespace(t *testing.T) {
	s, v := newKey(t, "test.example/stele")
	for _, c := range []struct {
		ns, origin string
		ok         bool
	}{
		{"ns", "test.example/stele/ns", true},
		{"other", "test.example/stele/ns", false},
	} {
		rec := chain(t, s, 0)[0]
		rec.Namespace = c.ns
		sign(t, s, rec)
		line, err := rec.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		note, err := checkpoint.Sign(checkpoint.Checkpoint{Origin: c.origin, Size: 1, Hash: tlog.RecordHash(line)}, s.WithName(c.origin))
		if err != nil {
			t.Fatal(err)
		}
		doc := tlogproof.Format(tlogproof.Proof{Extra: line, Index: 0, Checkpoint: note})
		_, _, err = verify.VerifyProof(doc, []*checkpoint.Verifier{v})
		if c.ok && err != nil || !c.ok && (!verify.IsFailure(err) || !strings.Contains(err.Error(), "namespace")) {
			t.Errorf("record of %q in the log of %q: %v", c.ns, c.origin, err)
		}
	}
}
