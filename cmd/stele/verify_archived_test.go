package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"stele/checkpoint"
	"stele/layout"
	"stele/verify"
)

// logPath is the file of a log object in the log directory dir.
func logPath(dir, key string) string { return filepath.Join(dir, filepath.FromSlash(key)) }

// archiveCheckpoint copies the log's current checkpoint, of the given
// size, to checkpoints/<size>, as the publisher does after each run, and
// returns the signed note.
func archiveCheckpoint(t *testing.T, dir string, size int64) []byte {
	t.Helper()
	note, err := os.ReadFile(logPath(dir, layout.Checkpoint))
	if err != nil {
		t.Fatal(err)
	}
	writeObject(t, dir, layout.ArchivedCheckpoint(size), note)
	return note
}

// writeHistory lists sizes in the log's history object.
func writeHistory(t *testing.T, dir string, sizes ...int64) {
	t.Helper()
	b, err := json.Marshal(sizes)
	if err != nil {
		t.Fatal(err)
	}
	writeObject(t, dir, layout.History, append(b, '\n'))
}

func writeObject(t *testing.T, dir, key string, data []byte) {
	t.Helper()
	p := logPath(dir, key)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// openNote opens a signed checkpoint that vkey verifies.
func openNote(t *testing.T, note []byte, vkey string) checkpoint.Checkpoint {
	t.Helper()
	v, err := checkpoint.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	c, err := checkpoint.Open(note, v)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// signWith signs c with the key in keyFile.
func signWith(t *testing.T, c checkpoint.Checkpoint, keyFile string) []byte {
	t.Helper()
	s, err := loadSigner(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	note, err := checkpoint.Sign(c, s)
	if err != nil {
		t.Fatal(err)
	}
	return note
}

// forgeCheckpoint signs, with the log's own key, a checkpoint of the same
// origin and size as note (which vkey verifies) but another root.
func forgeCheckpoint(t *testing.T, note []byte, keyFile, vkey string) []byte {
	t.Helper()
	c := openNote(t, note, vkey)
	c.Hash[0] ^= 1
	return signWith(t, c, keyFile)
}

// isolateCache points the user's cache directory into a temporary one,
// so that the evidence verify saves with -state none lands there, and
// returns that evidence directory.
func isolateCache(t *testing.T) string {
	t.Helper()
	tmp := t.TempDir()
	for _, name := range []string{"XDG_CACHE_HOME", "HOME", "LocalAppData"} {
		t.Setenv(name, tmp)
	}
	d, err := verify.DefaultStateDir()
	if err != nil || !strings.HasPrefix(string(d), tmp) {
		t.Fatalf("the default state directory %q (%v) is not under the test's cache %s", d, err, tmp)
	}
	return filepath.Join(string(d), "evidence")
}

// rememberedArchived is the list of archived sizes the state in the
// directory state holds as checked for the test logs' origin.
func rememberedArchived(t *testing.T, state string) []int64 {
	t.Helper()
	st, err := verify.StateDir(state).Load("example.test/stele")
	if err != nil || st == nil {
		t.Fatalf("no remembered state in %s: %v", state, err)
	}
	return st.Archived
}

// archivedLog makes a log grown by three appends, each checkpoint archived
// and listed in history: sizes 300, 700 and 1000, the last the current
// one. It returns the directory, key file, verifier key and the archived
// notes by size.
func archivedLog(t *testing.T) (dir, key, vkey string, notes map[int64][]byte) {
	t.Helper()
	dir, key, vkey = newLog(t, 300)
	notes = map[int64][]byte{300: archiveCheckpoint(t, dir, 300)}
	mustRun(t, lines(300, 700), "append", "-dir", dir, "-key", key)
	notes[700] = archiveCheckpoint(t, dir, 700)
	mustRun(t, lines(700, 1000), "append", "-dir", dir, "-key", key)
	notes[1000] = archiveCheckpoint(t, dir, 1000)
	writeHistory(t, dir, 300, 700, 1000)
	return dir, key, vkey, notes
}

// TestVerifyArchivedCheckpoints: a log's archived checkpoints that are
// prefixes of its tree verify; a forged one signed with the log's key, at
// an earlier size or at the current one, is a split view (exit 1) with
// both signed notes printed and saved as evidence.
func TestVerifyArchivedCheckpoints(t *testing.T) {
	evidenceDir := isolateCache(t)
	dir, key, vkey, notes := archivedLog(t)
	current := notes[1000]

	// Positive control. A state directory shows which archived sizes
	// the run checked.
	state := t.TempDir()
	if out := mustRun(t, "", "verify", dir, "-vkey", vkey, "-state", state); !strings.HasPrefix(out, "ok ") || !strings.Contains(out, "size=1000 ") {
		t.Fatalf("control: %q", out)
	}
	if got := rememberedArchived(t, state); !slices.Equal(got, []int64{300, 700, 1000}) {
		t.Fatalf("control: archived sizes checked %v, want [300 700 1000]", got)
	}
	if out := mustRun(t, "", "verify", dir, "-vkey", vkey, "-state", "none"); !strings.Contains(out, "entries=1000 ") {
		t.Fatalf("control, -state none: %q", out)
	}
	if ev, _ := filepath.Glob(filepath.Join(evidenceDir, "*")); len(ev) != 0 {
		t.Fatalf("evidence saved for a log that verifies: %v", ev)
	}

	for _, tc := range []struct {
		size   int64
		reason string
	}{
		{700, "does not contain the tree of size 700"},
		{1000, "two roots for size 1000"},
	} {
		arch := layout.ArchivedCheckpoint(tc.size)
		forged := forgeCheckpoint(t, notes[tc.size], key, vkey)
		writeObject(t, dir, arch, forged)
		before, _ := filepath.Glob(filepath.Join(evidenceDir, "*.txt"))

		code, out, errs := stele(t, "", "verify", dir, "-vkey", vkey, "-state", "none")
		if code != exitViolation {
			t.Fatalf("forged %s: exit %d, want %d\nstdout: %s\nstderr: %s", arch, code, exitViolation, out, errs)
		}
		for _, want := range []string{"FAILED", arch + ": split view", tc.reason, "SPLIT VIEW", string(forged), string(current)} {
			if !strings.Contains(out, want) {
				t.Errorf("forged %s: output lacks %q:\n%s", arch, want, out)
			}
		}
		after, _ := filepath.Glob(filepath.Join(evidenceDir, "*.txt"))
		if len(after) != len(before)+1 {
			t.Fatalf("forged %s: evidence files %v, then %v: want one more", arch, before, after)
		}
		path := after[len(after)-1]
		for _, p := range after {
			if !slices.Contains(before, p) {
				path = p
			}
		}
		if !strings.Contains(out, "evidence saved to "+path) {
			t.Errorf("forged %s: output does not name the evidence file %s:\n%s", arch, path, out)
		}
		if !strings.HasPrefix(filepath.Base(path), "example.test%2Fstele-") {
			t.Errorf("forged %s: evidence file %s is not named after the origin", arch, path)
		}
		ev, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		evs := string(ev)
		if !strings.Contains(evs, "--- first checkpoint\n"+string(forged)) || !strings.Contains(evs, "--- second checkpoint\n"+string(current)) || !strings.Contains(evs, tc.reason) {
			t.Errorf("forged %s: evidence does not hold the forged and the current checkpoint:\n%s", arch, evs)
		}

		// The same as JSON: both notes, and where they were saved.
		code, out, _ = stele(t, "", "verify", dir, "-vkey", vkey, "-state", "none", "-json")
		var res struct {
			Logs []verifyLogJSON `json:"logs"`
		}
		if err := json.Unmarshal([]byte(out), &res); err != nil || len(res.Logs) != 1 {
			t.Fatalf("forged %s, json: %v %q", arch, err, out)
		}
		l := res.Logs[0]
		if code != exitViolation || l.Result != verify.ResultFailed || l.SplitView == nil ||
			!slices.Equal(*l.SplitView, []string{string(forged), string(current)}) || !strings.HasPrefix(l.Evidence, evidenceDir) {
			t.Fatalf("forged %s, json: exit %d, %+v", arch, code, l)
		}
		if _, err := os.Stat(l.Evidence); err != nil {
			t.Fatalf("forged %s, json: evidence file: %v", arch, err)
		}

		writeObject(t, dir, arch, notes[tc.size])
	}

	// Another root signed by another key is a failed signature, not a
	// split view: there is no evidence against this log.
	_, otherKey, _ := newLog(t, 1)
	c := openNote(t, notes[700], vkey)
	c.Hash[0] ^= 1
	foreign := signWith(t, c, otherKey)
	writeObject(t, dir, layout.ArchivedCheckpoint(700), foreign)
	before, _ := filepath.Glob(filepath.Join(evidenceDir, "*.txt"))
	code, out, _ := stele(t, "", "verify", dir, "-vkey", vkey, "-state", "none")
	if code != exitViolation || !strings.Contains(out, "checkpoints/700") || strings.Contains(out, "SPLIT VIEW") {
		t.Fatalf("archived checkpoint signed by another key: exit %d, %q", code, out)
	}
	if after, _ := filepath.Glob(filepath.Join(evidenceDir, "*.txt")); len(after) != len(before) {
		t.Fatalf("evidence saved for a checkpoint the log's key did not sign: %v", after)
	}
}

// TestVerifyArchivedUnavailable: an archived checkpoint listed in history
// but absent could not be checked (exit 3, retry later); one larger than
// the current tree is left for a later run, not fetched (exit 0, and not
// remembered as checked).
func TestVerifyArchivedUnavailable(t *testing.T) {
	dir, key, vkey, notes := archivedLog(t)

	if err := os.Remove(logPath(dir, layout.ArchivedCheckpoint(700))); err != nil {
		t.Fatal(err)
	}
	code, out, _ := stele(t, "", "verify", dir, "-vkey", vkey, "-state", "none")
	if code != exitIncomplete || !strings.HasPrefix(out, "UNCHECKED") || !strings.Contains(out, "checkpoints/700") {
		t.Fatalf("listed but absent: exit %d, want %d: %q", code, exitIncomplete, out)
	}
	writeObject(t, dir, layout.ArchivedCheckpoint(700), notes[700])

	// A size beyond the current tree, whose checkpoint is forged, and
	// another that is not there at all.
	c := openNote(t, notes[1000], vkey)
	c.Size, c.Hash[0] = 5000, c.Hash[0]^1
	writeObject(t, dir, layout.ArchivedCheckpoint(5000), signWith(t, c, key))
	writeHistory(t, dir, 300, 700, 1000, 5000, 6000)
	state := t.TempDir()
	code, out, errs := stele(t, "", "verify", dir, "-vkey", vkey, "-state", state)
	if code != exitOK || !strings.Contains(out, "size=1000 ") {
		t.Fatalf("sizes beyond the tree: exit %d, %q", code, out)
	}
	if !strings.Contains(errs, "warning: history lists archived checkpoints of sizes [5000 6000], beyond this checkpoint's 1000") {
		t.Errorf("sizes beyond the tree: no warning on stderr: %q", errs)
	}
	if got := rememberedArchived(t, state); !slices.Equal(got, []int64{300, 700, 1000}) {
		t.Fatalf("sizes beyond the tree: archived sizes checked %v, want [300 700 1000]", got)
	}
}
