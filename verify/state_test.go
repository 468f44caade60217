package verify_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"stele/verify"
)

func TestStateDir(t *testing.T) {
	d := verify.StateDir(t.TempDir())
	if s, err := d.Load("example.test/log"); s != nil || err != nil {
		t.Fatalf("nothing remembered: %v %v", s, err)
	}
	want := &verify.State{Checkpoint: []byte("example.test/log\n1\nAAAA\n\n— sig\n"), Status: verify.StatusOnline, LastEntry: []byte("{}"), VerifiedAt: 17, Archived: []int64{1, 5}}
	// Origins that would be unsafe as path elements stay inside the
	// directory and do not collide.
	origins := []string{"example.test/log", "../../escape", "..", "a/b", "a%2Fb", "with space"}
	for i, o := range origins {
		w := *want
		w.VerifiedAt = int64(i)
		if err := d.Save(o, &w); err != nil {
			t.Fatalf("%q: %v", o, err)
		}
	}
	for i, o := range origins {
		got, err := d.Load(o)
		if err != nil {
			t.Fatalf("%q: %v", o, err)
		}
		w := *want
		w.VerifiedAt = int64(i)
		if !reflect.DeepEqual(got, &w) {
			t.Fatalf("%q: got %+v", o, got)
		}
	}
	files, _ := filepath.Glob(filepath.Join(string(d), "state", "*"))
	if len(files) != len(origins) {
		t.Fatalf("files %v", files)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(string(d)), "escape.json")); err == nil {
		t.Fatal("an origin escaped the directory")
	}
}

// TestStateSurvivesCrash: a write that dies before its rename leaves the
// previous state readable; a torn state file (not written by Save) is an
// error, not a silently empty state.
func TestStateSurvivesCrash(t *testing.T) {
	d := verify.StateDir(t.TempDir())
	old := &verify.State{Checkpoint: []byte("old\n"), Status: verify.StatusOpaque}
	if err := d.Save("o", old); err != nil {
		t.Fatal(err)
	}
	// What a crash mid-Save leaves behind: a partial temporary file.
	if err := os.WriteFile(filepath.Join(string(d), "state", ".tmp-123"), []byte(`{"checkpoint":"bmV3`), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := d.Load("o")
	if err != nil || !reflect.DeepEqual(got, old) {
		t.Fatalf("after a crash: %+v, %v", got, err)
	}
	// A later Save still replaces it.
	if err := d.Save("o", &verify.State{Checkpoint: []byte("new\n")}); err != nil {
		t.Fatal(err)
	}
	if got, _ := d.Load("o"); string(got.Checkpoint) != "new\n" {
		t.Fatalf("after a later save: %+v", got)
	}
	// Negative control: a torn file in place is reported.
	p := filepath.Join(string(d), "state", "o.json")
	b, _ := os.ReadFile(p)
	os.WriteFile(p, b[:len(b)/2], 0o600)
	if _, err := d.Load("o"); err == nil {
		t.Fatal("a torn state file loads")
	}
}

func TestSaveEvidence(t *testing.T) {
	d := verify.StateDir(t.TempDir())
	sv := &verify.SplitView{Origin: "o/x", First: []byte("first\n"), Second: []byte("second"), Reason: "why"}
	p, err := d.SaveEvidence(sv, time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(p)
	if err != nil || !strings.Contains(string(b), "first\n") || !strings.Contains(string(b), "second\n") || !strings.Contains(string(b), "why") {
		t.Fatalf("evidence %q: %v", b, err)
	}
	if filepath.Dir(p) != filepath.Join(string(d), "evidence") {
		t.Fatalf("evidence at %s", p)
	}
}

// TestStateNilAndEmpty checks that saving no state (a partial check)
// keeps what was remembered, and that a state file without a checkpoint
// is an error rather than "nothing remembered", which would drop the
// rollback protection silently.
func TestStateNilAndEmpty(t *testing.T) {
	d := verify.StateDir(t.TempDir())
	const origin = "example.test/log"
	want := &verify.State{Checkpoint: []byte("example.test/log\n1\nAAAA\n\n— sig\n"), Status: verify.StatusOnline}
	if err := d.Save(origin, want); err != nil {
		t.Fatal(err)
	}
	if err := d.Save(origin, nil); err != nil {
		t.Fatal(err)
	}
	if got, err := d.Load(origin); err != nil || got == nil || string(got.Checkpoint) != string(want.Checkpoint) {
		t.Fatalf("after saving nil: %+v, %v", got, err)
	}
	files, _ := filepath.Glob(filepath.Join(string(d), "state", "*.json"))
	if len(files) != 1 {
		t.Fatalf("state files %v", files)
	}
	for _, bad := range []string{"null\n", "{}\n", `{"status":"online"}`} {
		if err := os.WriteFile(files[0], []byte(bad), 0o600); err != nil {
			t.Fatal(err)
		}
		if s, err := d.Load(origin); err == nil {
			t.Errorf("%q: loaded %+v, want an error", bad, s)
		}
	}
}
