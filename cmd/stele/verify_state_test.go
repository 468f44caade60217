package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestVerifyIncremental: verify, append more, verify again: only the new
// entries are checked; -full and -state none check everything; a rollback
// is a split view with evidence.
func TestVerifyIncremental(t *testing.T) {
	dir, key, vkey := newLog(t, 600)
	state := t.TempDir()
	if out := mustRun(t, "", "verify", dir, "-vkey", vkey, "-state", state); !strings.Contains(out, "entries=600 status") {
		t.Fatalf("first run: %q", out)
	}
	saved, err := os.ReadFile(filepath.Join(dir, "checkpoint"))
	if err != nil {
		t.Fatal(err)
	}
	mustRun(t, lines(600, 1000), "append", "-dir", dir, "-key", key)
	out := mustRun(t, "", "verify", dir, "-vkey", vkey, "-state", state, "-json")
	var res struct {
		Logs []verifyLogJSON `json:"logs"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || len(res.Logs) != 1 {
		t.Fatalf("json: %v %q", err, out)
	}
	if l := res.Logs[0]; l.EntriesChecked != 400 || l.From != 600 || l.Size != 1000 || l.Result != "ok" {
		t.Fatalf("incremental run: %+v", l)
	}
	if out := mustRun(t, "", "verify", dir, "-vkey", vkey, "-state", state); !strings.Contains(out, "entries=0 from=1000") {
		t.Fatalf("nothing new: %q", out)
	}
	if out := mustRun(t, "", "verify", dir, "-vkey", vkey, "-state", state, "-full"); !strings.Contains(out, "entries=1000 status") {
		t.Fatalf("-full: %q", out)
	}
	if out := mustRun(t, "", "verify", dir, "-vkey", vkey, "-state", "none"); !strings.Contains(out, "entries=1000 status") {
		t.Fatalf("-state none: %q", out)
	}

	// Roll the log back to its first checkpoint.
	if err := os.WriteFile(filepath.Join(dir, "checkpoint"), saved, 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ := stele(t, "", "verify", dir, "-vkey", vkey, "-state", state)
	if code != exitViolation || !strings.Contains(out, "SPLIT VIEW") || !strings.Contains(out, "rollback") {
		t.Fatalf("rollback: exit %d, %q", code, out)
	}
	ev, _ := filepath.Glob(filepath.Join(state, "evidence", "*.txt"))
	if len(ev) != 1 {
		t.Fatalf("evidence files: %v", ev)
	}
	b, err := os.ReadFile(ev[0])
	if err != nil || strings.Count(string(b), "example.test/stele\n") != 2 || !strings.Contains(out, ev[0]) {
		t.Fatalf("evidence %s: %q", ev[0], b)
	}
	// The remembered state is not replaced by the rolled-back view.
	if code, _, _ := stele(t, "", "verify", dir, "-vkey", vkey, "-state", state); code != exitViolation {
		t.Fatalf("rollback again: exit %d", code)
	}
	// -full checks everything again but still against what was seen:
	// the rollback stands. Only forgetting the state accepts this view.
	if code, out, _ := stele(t, "", "verify", dir, "-vkey", vkey, "-state", state, "-full"); code != exitViolation || !strings.Contains(out, "SPLIT VIEW") {
		t.Fatalf("-full after rollback: exit %d, %q", code, out)
	}
	if out := mustRun(t, "", "verify", dir, "-vkey", vkey, "-state", "none"); !strings.Contains(out, "entries=600 status") {
		t.Fatalf("-state none after rollback: %q", out)
	}
}

// TestVerifyInitialization: a namespace listed as initializing, with no
// log yet, is reported, not a failure to fetch.
func TestVerifyInitialization(t *testing.T) {
	root, vkey := mirrorSite(t)
	os.WriteFile(filepath.Join(root, "namespaces", "index.html"),
		[]byte(`{"namespaces":[{"name":"a","status":"Online"},{"name":"b","status":"Online"},{"name":"c","status":"Initialization"}]}`), 0o644)
	srv := mirrorServe(t, root)
	out := mustRun(t, "", "verify", srv.URL, "-vkey", vkey)
	if !strings.Contains(out, "ok        c size=0") || !strings.Contains(out, "status=initialization") {
		t.Fatalf("initializing namespace: %q", out)
	}
	// Negative control: listed as online, a missing log cannot be checked.
	os.WriteFile(filepath.Join(root, "namespaces", "index.html"),
		[]byte(`{"namespaces":[{"name":"a"},{"name":"c","status":"Online"}]}`), 0o644)
	if code, out, _ := stele(t, "", "verify", srv.URL, "-vkey", vkey); code != exitIncomplete {
		t.Fatalf("missing online log: exit %d, %q", code, out)
	}
}
