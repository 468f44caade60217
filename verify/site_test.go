package verify_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"stele/akd"
	"stele/akdsim"
	"stele/checkpoint"
	"stele/publish"
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
	src := filepath.Join(tmp, "proofs")
	if _, err := akdsim.Extend(src, akdsim.Params{Config: akd.WhatsAppV1(), Seed: 7, Start: 50, Users: 50}, epochs, 5); err != nil {
		t.Fatal(err)
	}
	root, err := os.ReadFile(filepath.Join(src, "root"))
	if err != nil {
		t.Fatal(err)
	}
	s, v := newKey(t, "test.example/stele")
	cfg := publish.Config{Origin: "test.example/stele", Key: "unused", Namespaces: []publish.Namespace{{
		Name: "ns", Source: src, Configuration: "whatsapp_v1", Root: strings.TrimSpace(string(root)),
	}}}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	siteDir := filepath.Join(tmp, "site")
	st, err := store.NewDir(siteDir)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	job, err := publish.NewJob(cfg, st, s, publish.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	if sum := job.Run(context.Background()); sum.ExitCode != 0 {
		t.Fatalf("publish: %+v", sum)
	}
	return siteDir, src, v
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
