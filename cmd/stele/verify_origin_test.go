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

// TestVerifyRollbackToNothing: a namespace whose log was verified before
// may not reappear as not started (status Initialization, no checkpoint):
// that is a rollback, not a new namespace. Without remembered state it is
// a new namespace, ok.
func TestVerifyRollbackToNothing(t *testing.T) {
	root, vkey := mirrorSite(t)
	srv := mirrorServe(t, root)
	state := t.TempDir()
	mustRun(t, "", "verify", srv.URL, "-vkey", vkey, "-state", state)
	if err := os.Remove(filepath.Join(root, "logs", "a", "checkpoint")); err != nil {
		t.Fatal(err)
	}
	index := `{"namespaces":[{"name":"a","status":"Initialization"},{"name":"b"}]}`
	if err := os.WriteFile(filepath.Join(root, "namespaces", "index.html"), []byte(index), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ := stele(t, "", "verify", srv.URL, "-vkey", vkey, "-state", state)
	if code != exitViolation || !strings.Contains(out, "a rollback") {
		t.Fatalf("a remembered log back to nothing: exit %d\n%s", code, out)
	}
	code, out, _ = stele(t, "", "verify", srv.URL, "-vkey", vkey, "-state", t.TempDir())
	if code != exitOK || !strings.Contains(out, "initialization") {
		t.Fatalf("no remembered state: exit %d\n%s", code, out)
	}
}
