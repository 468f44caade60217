package verify_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"stele/checkpoint"
	"stele/layout"
	"stele/record"
	"stele/store"
	"stele/verify"
)

// siteAudits verifies the site's log and returns what every audit object
// must state.
func siteAudits(t *testing.T, siteDir string, v *checkpoint.Verifier) []verify.Audit {
	t.Helper()
	st, _ := store.NewDir(siteDir)
	var out []verify.Audit
	r := verify.Log(context.Background(), store.Sub(st, "logs/ns/"), []*checkpoint.Verifier{v}, verify.Options{
		Records: true,
		Entry: func(i int64, e []byte) error {
			rec, err := record.Parse(e)
			if err != nil {
				return err
			}
			if a, ok := verify.AuditOf(rec); ok {
				out = append(out, a)
			}
			return nil
		},
	})
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	return out
}

// TestCheckAudits checks a published site's audit objects against its
// log, then with one object replaced by another epoch's, by one that does
// not parse, and absent.
func TestCheckAudits(t *testing.T) {
	siteDir, v := publishSite(t, 6)
	audits := siteAudits(t, siteDir, v)
	if len(audits) != 7 { // the anchor and six verified epochs
		t.Fatalf("%d audits, want 7", len(audits))
	}
	st, _ := store.NewDir(siteDir)
	ctx := context.Background()
	if n, err := verify.CheckAudits(ctx, st, "ns", audits, 3); err != nil || n != 7 {
		t.Fatalf("honest site: %d checked, %v", n, err)
	}

	victim := filepath.Join(siteDir, filepath.FromSlash(layout.Audit("ns", audits[3].Epoch)))
	orig, err := os.ReadFile(victim)
	if err != nil {
		t.Fatal(err)
	}
	other, err := os.ReadFile(filepath.Join(siteDir, filepath.FromSlash(layout.Audit("ns", audits[4].Epoch))))
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"another epoch's": other, "not a response": []byte("{\"version\":1}\n")} {
		if err := os.WriteFile(victim, data, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := verify.CheckAudits(ctx, st, "ns", audits, 3); !verify.IsFailure(err) {
			t.Errorf("%s audit object: %v, want a failure", name, err)
		}
	}
	// Another statement that parses: the record's, with another timestamp.
	resp, err := record.ParseSignatureResponse(orig[:len(orig)-1])
	if err != nil {
		t.Fatal(err)
	}
	resp.Timestamp++
	resp.SerializedMessage = nil
	b, err := resp.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(victim, append(b, '\n'), 0o644)
	if _, err := verify.CheckAudits(ctx, st, "ns", audits, 3); !verify.IsFailure(err) {
		t.Errorf("another timestamp: %v, want a failure", err)
	}
	// Absent: could not be checked, not a failure.
	os.Remove(victim)
	if n, err := verify.CheckAudits(ctx, st, "ns", audits, 3); verify.IsFailure(err) || !errors.Is(err, os.ErrNotExist) || n != 6 {
		t.Errorf("absent audit object: %d checked, %v, want 6 and not found", n, err)
	}
	os.WriteFile(victim, orig, 0o644)
	if _, err := verify.CheckAudits(ctx, st, "ns", audits, 3); err != nil {
		t.Errorf("restored: %v", err)
	}
}
