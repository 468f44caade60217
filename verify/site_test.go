package verify_test

import (
	"context"
	"path/filepath"
	"testing"

	"stele/checkpoint"
	"stele/internal/sitetest"
	"stele/store"
	"stele/verify"
)

// publishSite generates a small simulated directory, publishes it with the
// batch job into a site directory, and returns the site and the verifier.
func publishSite(t *testing.T, epochs int) (string, *checkpoint.Verifier) {
	siteDir, _, v := publishSiteSource(t, epochs)
	return siteDir, v
}

// publishSiteSource is publishSite that also returns the proof directory.
func publishSiteSource(t *testing.T, epochs int) (string, string, *checkpoint.Verifier) {
	t.Helper()
	tmp := t.TempDir()
	s, v := newKey(t, sitetest.Origin)
	r := sitetest.Run{Source: filepath.Join(tmp, "proofs"), Site: filepath.Join(tmp, "site"), Signer: s, Epochs: epochs}
	sitetest.Publish(t, r)
	return r.Site, r.Source, v
}

func TestProveAndVerifyProof(t *testing.T) {
	siteDir, v := publishSite(t, 6)
	st, _ := store.NewDir(siteDir)
	ctx := context.Background()
	for epoch := uint64(50); epoch <= 56; epoch++ {
		doc, err := verify.Prove(ctx, st, "ns", epoch)
		if err != nil {
			t.Fatalf("epoch %d: %v", epoch, err)
		}
		rec, c, err := verify.VerifyProof(doc, []*checkpoint.Verifier{v})
		if err != nil {
			t.Fatalf("epoch %d: %v", epoch, err)
		}
		if rec.Epoch != epoch || c.Size != 7 {
			t.Fatalf("proof of epoch %d gave epoch %d in a tree of %d", epoch, rec.Epoch, c.Size)
		}
	}
	if _, err := verify.Prove(ctx, st, "ns", 57); !verify.IsNoEpoch(err) {
		t.Fatalf("epoch past the log: %v", err)
	}
	if _, err := verify.Prove(ctx, st, "ns", 49); !verify.IsNoEpoch(err) {
		t.Fatalf("epoch before the anchor: %v", err)
	}

	// Negative control: every single flipped byte makes the proof fail.
	doc, err := verify.Prove(ctx, st, "ns", 53)
	if err != nil {
		t.Fatal(err)
	}
	for i := range doc {
		bad := append([]byte(nil), doc...)
		bad[i] ^= 0x01
		if _, _, err := verify.VerifyProof(bad, []*checkpoint.Verifier{v}); err == nil {
			t.Fatalf("flipping byte %d (%q) still verifies", i, doc[i])
		}
	}
	_, other := newKey(t, "test.example/stele")
	if _, _, err := verify.VerifyProof(doc, []*checkpoint.Verifier{other}); !verify.IsFailure(err) {
		t.Fatalf("another key: %v", err)
	}
}

// TestVerifySiteRecords: a published site verifies with its records, and
// the namespace status is reported.
func TestVerifySiteRecords(t *testing.T) {
	siteDir, v := publishSite(t, 4)
	st, _ := store.NewDir(siteDir)
	r := verify.Log(context.Background(), store.Sub(st, "logs/ns/"), []*checkpoint.Verifier{v}, verify.Options{Records: true})
	if r.Err != nil || r.Status != verify.StatusOnline || r.EntriesChecked != 5 {
		t.Fatalf("got %+v", r)
	}
}
