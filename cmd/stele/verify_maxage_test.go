package main

import (
	"crypto/rand"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"stele/akd"
	"stele/akdsim"
	"stele/checkpoint"
	"stele/internal/sitetest"
)

// auditSite publishes a few simulated epochs verified at the time now and
// returns the site directory and the verifier key.
func auditSite(t *testing.T, now time.Time) (string, string) {
	t.Helper()
	tmp := t.TempDir()
	skey, vkey, err := checkpoint.GenerateKey(rand.Reader, sitetest.Origin)
	if err != nil {
		t.Fatal(err)
	}
	s, err := checkpoint.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	r := sitetest.Run{Source: filepath.Join(tmp, "proofs"), Site: filepath.Join(tmp, "site"), Signer: s,
		Params: akdsim.Params{Config: akd.WhatsAppV1(), Seed: 3, Start: 10, Users: 20}, Epochs: 3, Updates: 4, Now: now}
	sitetest.Publish(t, r)
	return r.Site, vkey
}

// TestVerifyMaxAge: a log whose newest verified epoch is older than
// -max-age is stale (exit 1), also when nothing is new since the
// remembered state; a fresh enough one is ok.
func TestVerifyMaxAge(t *testing.T) {
	siteDir, vkey := auditSite(t, time.Now().Add(-2*time.Hour))
	state := t.TempDir()
	if out := mustRun(t, "", "verify", siteDir, "-vkey", vkey, "-state", state, "-max-age", "3h"); !strings.Contains(out, "status=online") {
		t.Fatalf("fresh: %q", out)
	}
	code, out, _ := stele(t, "", "verify", siteDir, "-vkey", vkey, "-state", state, "-max-age", "1h")
	if code != exitViolation || !strings.Contains(out, "STALE") || !strings.Contains(out, "entries=0") {
		t.Fatalf("stale, incremental: exit %d, %q", code, out)
	}
	code, out, _ = stele(t, "", "verify", siteDir, "-vkey", vkey, "-state", "none", "-max-age", "1h", "-json")
	if code != exitViolation || !strings.Contains(out, `"status":"stale"`) || !strings.Contains(out, `"result":"failed"`) {
		t.Fatalf("stale, full: exit %d, %q", code, out)
	}
	if code, _, _ := stele(t, "", "verify", siteDir, "-vkey", vkey, "-max-age", "-1h"); code != exitUsage {
		t.Fatalf("negative -max-age: exit %d", code)
	}
}
