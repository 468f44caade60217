package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// genDir makes a small simulated AKD directory and returns it with the
// keys of its proof objects.
func genDir(t *testing.T, args ...string) (dir string, keys []string) {
	t.Helper()
	dir = filepath.Join(t.TempDir(), "akd")
	out := mustRun(t, "", append([]string{"akd", "gen", "-dir", dir, "-users", "300", "-updates", "25", "-epochs", "3"}, args...)...)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "anchor ") {
		t.Fatalf("akd gen printed %q, want an anchor and three keys", out)
	}
	for _, k := range lines[1:] {
		if !proofKey.MatchString(k) {
			t.Fatalf("akd gen printed key %q", k)
		}
	}
	return dir, lines[1:]
}

// copyObject copies a proof object to a fresh directory under the same
// key, changed by edit, and returns its path.
func copyObject(t *testing.T, dir, key string, edit func([]byte) []byte) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, key))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), key)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, edit(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestAKDVerifyGenerated(t *testing.T) {
	for _, c := range []struct {
		name string
		gen  []string // configuration flags of gen and verify
	}{
		{"whatsapp_v1", []string{"-config", "whatsapp_v1"}},
		{"experimental", []string{"-config", "experimental", "-domain", "ExampleLabel"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir, keys := genDir(t, c.gen...)
			for _, k := range keys {
				code, out, errs := stele(t, "", append([]string{"akd", "verify", filepath.Join(dir, k)}, c.gen...)...)
				if code != exitOK || !strings.HasPrefix(out, "verified: step ") || !strings.Contains(errs, "inserted") {
					t.Fatalf("verify %s: exit %d\nstdout: %s\nstderr: %s", k, code, out, errs)
				}
			}
			// The same object under the wrong configuration does not verify.
			other := []string{"-config", "experimental", "-domain", "OtherLabel"}
			if c.name != "whatsapp_v1" {
				other = []string{"-config", "whatsapp_v1"}
			}
			if code, out, _ := stele(t, "", append([]string{"akd", "verify", filepath.Join(dir, keys[0])}, other...)...); code != exitViolation {
				t.Fatalf("wrong configuration: exit %d, %q", code, out)
			}
		})
	}
}

// TestAKDVerifyCorrupted: a flipped byte of a value is a violation that
// names both computed roots; a truncated or empty object is unchecked.
func TestAKDVerifyCorrupted(t *testing.T) {
	dir, keys := genDir(t, "-config", "whatsapp_v1")
	key := keys[1]
	flipped := copyObject(t, dir, key, func(b []byte) []byte {
		b[len(b)-1] ^= 0x01 // the last byte of the last element's value
		return b
	})
	code, out, _ := stele(t, "", "akd", "verify", flipped)
	roots := regexp.MustCompile(`computed previous root [0-9a-f]{64}\ncomputed current root  [0-9a-f]{64}\n`)
	if code != exitViolation || !strings.HasPrefix(out, "VIOLATION: ") || !roots.MatchString(out) {
		t.Fatalf("flipped byte: exit %d, %q", code, out)
	}
	for name, edit := range map[string]func([]byte) []byte{
		"truncated":  func(b []byte) []byte { return b[:len(b)-5] },
		"zero bytes": func([]byte) []byte { return nil },
	} {
		path := copyObject(t, dir, key, edit)
		if code, out, _ := stele(t, "", "akd", "verify", path); code != exitIncomplete || !strings.HasPrefix(out, "not checked: ") {
			t.Errorf("%s: exit %d, %q", name, code, out)
		}
	}
	// A missing object is unchecked too.
	if code, _, _ := stele(t, "", "akd", "verify", filepath.Join(t.TempDir(), key)); code != exitIncomplete {
		t.Errorf("missing object: exit %d", code)
	}
	// The roots given by flags override the name: the intact object
	// checked against the next step's roots is a violation.
	m := proofKey.FindStringSubmatch(keys[2])
	if code, _, _ := stele(t, "", "akd", "verify", filepath.Join(dir, key), "-prev", m[2], "-cur", m[3]); code != exitViolation {
		t.Errorf("other step's roots: exit %d", code)
	}
}

func TestAKDVerifyJSON(t *testing.T) {
	dir, keys := genDir(t, "-config", "whatsapp_v1")
	m := proofKey.FindStringSubmatch(keys[0])
	type verdict struct {
		Verdict          string  `json:"verdict"`
		ComputedPrevious *string `json:"computed_previous"`
		ComputedCurrent  *string `json:"computed_current"`
		Error            *string `json:"error"`
	}
	decode := func(out string) verdict {
		t.Helper()
		var v verdict
		dec := json.NewDecoder(strings.NewReader(out))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&v); err != nil || dec.More() {
			t.Fatalf("output %q is not one JSON verdict: %v", out, err)
		}
		if v.ComputedPrevious == nil || v.ComputedCurrent == nil || v.Error == nil {
			t.Fatalf("output %q lacks a field", out)
		}
		return v
	}
	code, out, errs := stele(t, "", "akd", "verify", "--json", filepath.Join(dir, keys[0]))
	if v := decode(out); code != exitOK || v.Verdict != "verified" || *v.ComputedPrevious != m[2] || *v.ComputedCurrent != m[3] || *v.Error != "" {
		t.Fatalf("verified: exit %d, %+v", code, v)
	}
	if errs != "" {
		t.Fatalf("--json wrote to stderr: %q", errs)
	}
	flipped := copyObject(t, dir, keys[0], func(b []byte) []byte { b[len(b)-1] ^= 0x80; return b })
	code, out, _ = stele(t, "", "akd", "verify", flipped, "--json")
	if v := decode(out); code != exitViolation || v.Verdict != "violation" || *v.Error == "" ||
		len(*v.ComputedPrevious) != 64 || len(*v.ComputedCurrent) != 64 || *v.ComputedCurrent == m[3] {
		t.Fatalf("violation: exit %d, %+v", code, v)
	}
	empty := copyObject(t, dir, keys[0], func([]byte) []byte { return nil })
	code, out, _ = stele(t, "", "akd", "verify", "-json", empty)
	if v := decode(out); code != exitIncomplete || v.Verdict != "malformed" || *v.Error == "" || *v.ComputedPrevious != "" {
		t.Fatalf("empty: exit %d, %+v", code, v)
	}
}

func TestAKDVerifyHTTP(t *testing.T) {
	dir, keys := genDir(t, "-config", "experimental", "-domain", "ExampleLabel")
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	defer srv.Close()
	for _, k := range keys {
		code, out, errs := stele(t, "", "akd", "verify", srv.URL+"/"+k, "-config", "experimental", "-domain", "ExampleLabel")
		if code != exitOK {
			t.Fatalf("%s over HTTP: exit %d, %q %q", k, code, out, errs)
		}
	}
	// Not found is unchecked, never a violation.
	m := proofKey.FindStringSubmatch(keys[0])
	missing := srv.URL + "/9/" + m[2] + "/" + m[3]
	if code, out, _ := stele(t, "", "akd", "verify", missing, "-config", "experimental", "-domain", "ExampleLabel"); code != exitIncomplete || !strings.Contains(out, "404") {
		t.Fatalf("404: exit %d, %q", code, out)
	}
}

func TestAKDUsage(t *testing.T) {
	dir, keys := genDir(t, "-config", "whatsapp_v1")
	obj := filepath.Join(dir, keys[0])
	bad := [][]string{
		{"akd"},
		{"akd", "frob"},
		{"akd", "verify"},
		{"akd", "verify", obj, obj},
		{"akd", "verify", obj, "-nosuchflag"},
		{"akd", "verify", obj, "-config", "whatsapp_v2"},
		{"akd", "verify", obj, "-config", "experimental"},
		{"akd", "verify", obj, "-domain", "X"},
		{"akd", "verify", obj, "-prev", "abc"},
		{"akd", "verify", obj, "-epoch", "0"},
		{"akd", "verify", obj, "-workers", "two"},
		{"akd", "verify", filepath.Join(t.TempDir(), "not-a-key")},
		{"akd", "gen"},
		{"akd", "gen", "-dir", filepath.Join(t.TempDir(), "new")},
		{"akd", "gen", "-dir", dir, "-updates", "0"},
		{"akd", "gen", "-dir", dir, "extra"},
		{"akd", "gen", "-dir", filepath.Join(t.TempDir(), "new"), "-config", "nope"},
	}
	for _, args := range bad {
		if code, _, errs := stele(t, "", args...); code != exitUsage || errs == "" {
			t.Errorf("%q: exit %d, stderr %q; want 2 and a message", args, code, errs)
		}
	}
	for _, args := range [][]string{{"akd", "-h"}, {"akd", "verify", "-h"}, {"akd", "gen", "-h"}} {
		if code, out, _ := stele(t, "", args...); code != exitOK || !strings.Contains(out, "usage") {
			t.Errorf("%q: exit %d, %q", args, code, out)
		}
	}
	// A bad flag left nothing behind: the directory still verifies and
	// extends.
	out := mustRun(t, "", "akd", "gen", "-dir", dir, "-epochs", "1", "-updates", "5")
	if !strings.HasPrefix(out, "anchor ") || strings.Count(out, "\n") != 2 {
		t.Fatalf("extending: %q", out)
	}
}
