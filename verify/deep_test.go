package verify_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"stele/checkpoint"
	"stele/record"
	"stele/source"
	"stele/store"
	"stele/verify"
)

// sampleRecords verifies the site's log and offers every record to a
// sampler.
func sampleRecords(t *testing.T, siteDir string, v *checkpoint.Verifier, spec string, seed uint64) []*record.Record {
	t.Helper()
	s, err := verify.NewSampler[*record.Record](spec, seed)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := store.NewDir(siteDir)
	r := verify.Log(context.Background(), store.Sub(st, "logs/ns/"), []*checkpoint.Verifier{v}, verify.Options{
		Records: true,
		Entry: func(i int64, e []byte) error {
			rec, err := record.Parse(e)
			if err == nil && rec.Kind == record.KindVerified {
				s.Offer(rec)
			}
			return nil
		},
	})
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	return s.Sample()
}

func TestDeep(t *testing.T) {
	siteDir, srcDir, v := publishSiteSource(t, 8)
	src, err := source.NewDir(srcDir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	all := sampleRecords(t, siteDir, v, "all", 1)
	if len(all) != 8 {
		t.Fatalf("all: %d records, want the 8 verified ones", len(all))
	}
	if err := verify.DeepCheck(ctx, src, all, 2, nil); err != nil {
		t.Fatalf("deep check of an honest log: %v", err)
	}
	// The same seed picks the same sample; the sample has the asked size.
	a, b := sampleRecords(t, siteDir, v, "3", 42), sampleRecords(t, siteDir, v, "3", 42)
	if len(a) != 3 || a[0].Epoch != b[0].Epoch || a[1].Epoch != b[1].Epoch || a[2].Epoch != b[2].Epoch {
		t.Fatalf("samples differ for one seed: %v %v", a, b)
	}
	if p := sampleRecords(t, siteDir, v, "100%", 7); len(p) != 8 {
		t.Fatalf("100%%: %d", len(p))
	}
	for _, bad := range []string{"0", "-1", "0%", "101%", "x"} {
		if _, err := verify.NewSampler[int](bad, 1); err == nil {
			t.Errorf("-deep %q accepted", bad)
		}
	}

	// A proof whose bytes changed since it was logged: a failure.
	target := all[3].Proofs[0].Name
	p := filepath.Join(srcDir, filepath.FromSlash(target))
	orig, _ := os.ReadFile(p)
	changed := append([]byte(nil), orig...)
	changed[len(changed)/2] ^= 1
	os.WriteFile(p, changed, 0o644)
	if err := verify.DeepCheck(ctx, src, all, 2, nil); !verify.IsFailure(err) {
		t.Fatalf("changed proof bytes: %v, want a failure", err)
	}
	// Longer than recorded: a failure too.
	os.WriteFile(p, append(orig, 0), 0o644)
	if err := verify.DeepCheck(ctx, src, all[3:4], 1, nil); !verify.IsFailure(err) {
		t.Fatalf("longer proof: %v, want a failure", err)
	}
	// Gone: could not check, not a failure.
	os.Remove(p)
	if err := verify.DeepCheck(ctx, src, all[3:4], 1, nil); err == nil || verify.IsFailure(err) {
		t.Fatalf("missing proof: %v, want unchecked", err)
	}
	os.WriteFile(p, orig, 0o644)
	if err := verify.DeepCheck(ctx, src, all, 2, nil); err != nil {
		t.Fatalf("restored: %v", err)
	}
}
