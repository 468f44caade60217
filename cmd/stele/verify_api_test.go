package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var (
	sizeField   = regexp.MustCompile(` size=(\d+) `)
	auditsField = regexp.MustCompile(` audits=(\d+)`)
)

// TestE2EVerifyAPI checks a demo site's Plexi audit objects against its
// logs with -api: all of them, a sample, one replaced by another epoch's
// (exit 1, the object named), and the usage errors.
func TestE2EVerifyAPI(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "demo")
	r := e2eExpect(t, exitOK, tmp, "demo", "-dir", dir, "-serve=false")
	_, vkey, _ := strings.Cut(r.stdout, "== auditor key: ")
	vkey, _, _ = strings.Cut(vkey, "\n")
	site := filepath.Join(dir, "site")

	r = e2eExpect(t, exitOK, tmp, "verify", site, "-vkey", vkey, "-state", "none", "-api", "all")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 2 {
		t.Fatalf("want a line per namespace\n%s", r)
	}
	for _, line := range lines {
		size, audits := sizeField.FindStringSubmatch(line), auditsField.FindStringSubmatch(line)
		// Every record of the demo's logs is signed: one audit each.
		if size == nil || audits == nil || size[1] != audits[1] {
			t.Errorf("-api all: %q: want audits= equal to size=", line)
		}
	}
	if !strings.Contains(r.stderr, "-api-seed") {
		t.Errorf("-api all: the sample's seed is not printed\n%s", r)
	}

	r = e2eExpect(t, exitOK, tmp, "verify", site, "-vkey", vkey, "-state", "none", "-api", "3", "-api-seed", "7")
	if got := strings.Count(r.stdout, " audits=3 "); got != 2 {
		t.Errorf("-api 3: %d lines with audits=3, want 2\n%s", got, r)
	}
	again := e2eExpect(t, exitOK, tmp, "verify", site, "-vkey", vkey, "-state", "none", "-api", "3", "-api-seed", "7")
	if again.stderr != r.stderr {
		t.Errorf("one seed, two samples:\n%s\n%s", r.stderr, again.stderr)
	}

	// An audit object that states another epoch's signature.
	audits := filepath.Join(site, "namespaces", "whatsapp", "audits")
	other, err := os.ReadFile(filepath.Join(audits, "722631"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(audits, "722630"), other, 0o644); err != nil {
		t.Fatal(err)
	}
	r = e2eExpect(t, exitViolation, tmp, "verify", site, "-vkey", vkey, "-state", "none", "-api", "all")
	if !strings.Contains(r.stdout, "namespaces/whatsapp/audits/722630") {
		t.Errorf("the changed audit object is not named\n%s", r)
	}
	// Without -api the logs themselves still verify.
	e2eExpect(t, exitOK, tmp, "verify", site, "-vkey", vkey, "-state", "none")

	e2eExpect(t, exitUsage, tmp, "verify", filepath.Join(site, "logs", "whatsapp"), "-vkey", vkey, "-state", "none", "-api", "all")
	e2eExpect(t, exitUsage, tmp, "verify", site, "-vkey", vkey, "-api", "0")
}
