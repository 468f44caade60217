package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestVerifySwappedLogs serves one namespace's log in another's place:
// each log verifies on its own, but not where it stands.
func TestVerifySwappedLogs(t *testing.T) {
	root, vkey := mirrorSite(t)
	if out := mustRun(t, "", "verify", root, "-vkey", vkey, "-state", "none"); strings.Count(out, "ok ") != 2 {
		t.Fatalf("control: %s", out)
	}
	logs := filepath.Join(root, "logs")
	for _, mv := range [][2]string{{"a", "swap"}, {"b", "a"}, {"swap", "b"}} {
		if err := os.Rename(filepath.Join(logs, mv[0]), filepath.Join(logs, mv[1])); err != nil {
			t.Fatal(err)
		}
	}
	code, out, _ := stele(t, "", "verify", root, "-vkey", vkey, "-state", "none")
	if code != exitViolation || !strings.Contains(out, "not of namespace") {
		t.Fatalf("swapped logs: exit %d\n%s", code, out)
	}
}
