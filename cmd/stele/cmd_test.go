package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"stele/site"
	"stele/store"
)

// stele runs the command in-process and returns its exit code, stdout and
// stderr.
func stele(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), &env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb}, args)
	return code, out.String(), errb.String()
}

func mustRun(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	code, out, errs := stele(t, stdin, args...)
	if code != 0 {
		t.Fatalf("stele %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, out, errs)
	}
	return out
}

func lines(from, to int) string {
	var b strings.Builder
	for i := from; i < to; i++ {
		b.WriteString("line ")
		b.WriteString(strings.Repeat("x", i%7))
		b.WriteString("\n")
	}
	return b.String()
}

// newLog makes a key and a log of n lines; it returns the directory, key
// file and verifier key.
func newLog(t *testing.T, n int) (dir, key, vkey string) {
	t.Helper()
	tmp := t.TempDir()
	key = filepath.Join(tmp, "stele.key")
	vkey = strings.TrimSpace(mustRun(t, "", "keygen", "-o", key, "-name", "example.test/stele"))
	dir = filepath.Join(tmp, "log")
	mustRun(t, lines(0, n), "append", "-dir", dir, "-key", key)
	return dir, key, vkey
}

func TestKeygen(t *testing.T) {
	tmp := t.TempDir()
	key := filepath.Join(tmp, "k")
	out := mustRun(t, "", "keygen", "-o", key, "-name", "example.test/stele")
	if !strings.HasPrefix(out, "example.test/stele+") || strings.Count(out, "\n") != 1 || strings.Contains(out, "PRIVATE") {
		t.Fatalf("keygen printed %q, want only the verifier key", out)
	}
	fi, err := os.Stat(key)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("key mode %v, want 0600", fi.Mode().Perm())
	}
	before, _ := os.ReadFile(key)
	if code, _, errs := stele(t, "", "keygen", "-name", "other", "-o", key); code != exitUsage || !strings.Contains(errs, "exists") {
		t.Fatalf("overwrite: exit %d, %q", code, errs)
	}
	if after, _ := os.ReadFile(key); !bytes.Equal(before, after) {
		t.Fatal("keygen overwrote an existing key")
	}
	for _, bad := range [][]string{{"keygen"}, {"keygen", "-o", filepath.Join(tmp, "x")}, {"keygen", "-o", filepath.Join(tmp, "y"), "-name", "has space"}} {
		if code, _, _ := stele(t, "", bad...); code != exitUsage {
			t.Errorf("%v: exit %d, want 2", bad, code)
		}
	}
}

func TestAppendVerify(t *testing.T) {
	dir, key, vkey := newLog(t, 1000)
	// Flags after the positional argument, two dashes.
	out := mustRun(t, "", "verify", dir, "--vkey", vkey)
	if !strings.Contains(out, "size=1000") || !strings.Contains(out, "entries=1000") {
		t.Fatalf("verify output %q", out)
	}
	// A second append from a file argument.
	in := filepath.Join(t.TempDir(), "more.txt")
	os.WriteFile(in, []byte(lines(1000, 1300)), 0o644)
	mustRun(t, "", "append", "-key", key, "-dir", dir, in)
	out = mustRun(t, "", "verify", "-json", "-vkey", vkey, dir)
	var res struct {
		Logs []struct {
			Origin         string `json:"origin"`
			Size           int64  `json:"size"`
			Root           string `json:"root"`
			EntriesChecked int64  `json:"entries_checked"`
			Result         string `json:"result"`
		} `json:"logs"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("json output %q: %v", out, err)
	}
	if len(res.Logs) != 1 || res.Logs[0].Size != 1300 || res.Logs[0].EntriesChecked != 1300 || res.Logs[0].Result != "ok" || res.Logs[0].Origin != "example.test/stele" || len(res.Logs[0].Root) != 44 {
		t.Fatalf("json result %+v", res)
	}
}

func TestAppendOrigin(t *testing.T) {
	dir, key, vkey := newLog(t, 3)
	ns := filepath.Join(t.TempDir(), "logs", "ns1")
	mustRun(t, "a\nb\n", "append", "-dir", ns, "-key", key, "-origin", "example.test/stele/ns1")
	// A site root: the directory holding logs/<ns>/ verifies with the base key.
	out := mustRun(t, "", "verify", filepath.Dir(filepath.Dir(ns)), "-vkey", vkey)
	if !strings.Contains(out, "example.test/stele/ns1") {
		t.Fatalf("site verify output %q", out)
	}
	if code, _, _ := stele(t, "x\n", "append", "-dir", dir, "-key", key, "-origin", "example.test/stelex"); code != exitUsage {
		t.Fatalf("origin outside the key's name: exit %d, want 2", code)
	}
}

func TestAppendRefusesBadKey(t *testing.T) {
	_, key, _ := newLog(t, 1)
	os.Chmod(key, 0o644)
	code, _, errs := stele(t, "x\n", "append", "-dir", t.TempDir(), "-key", key)
	if code != exitUsage || !strings.Contains(errs, "group or others") {
		t.Fatalf("world-readable key: exit %d, %q", code, errs)
	}
	code, _, _ = stele(t, "x\n", "append", "-dir", t.TempDir(), "-key", filepath.Join(t.TempDir(), "missing"))
	if code != exitUsage {
		t.Fatalf("missing key: exit %d", code)
	}
	os.Chmod(key, 0o600)
	big := strings.Repeat("a", 65536) + "\n"
	code, _, errs = stele(t, big, "append", "-dir", t.TempDir(), "-key", key)
	if code != exitUsage {
		t.Fatalf("oversize line: exit %d, %q", code, errs)
	}
}

func TestVerifyExitCodes(t *testing.T) {
	dir, _, vkey := newLog(t, 600)
	_, _, otherV := newLog(t, 1)
	if code, _, _ := stele(t, "", "verify", dir, "-vkey", otherV); code != exitViolation {
		t.Errorf("wrong key: exit %d, want 1", code)
	}
	if code, _, _ := stele(t, "", "verify", dir); code != exitUsage {
		t.Errorf("no key: exit %d, want 2", code)
	}
	if code, _, _ := stele(t, "", "verify", "-vkey", "not a key", dir); code != exitUsage {
		t.Errorf("bad key: exit %d, want 2", code)
	}
	if code, out, _ := stele(t, "", "verify", "-h"); code != exitOK || !strings.Contains(out, "usage") {
		t.Errorf("-h: exit %d, %q", code, out)
	}
	os.Rename(filepath.Join(dir, "tile", "0", "001"), filepath.Join(dir, "moved"))
	if code, out, _ := stele(t, "", "verify", dir, "-vkey", vkey); code != exitIncomplete || !strings.Contains(out, "tile/0/001") {
		t.Errorf("missing tile: exit %d, %q", code, out)
	}
	os.Rename(filepath.Join(dir, "moved"), filepath.Join(dir, "tile", "0", "001"))
	p := filepath.Join(dir, "tile", "0", "001")
	b, _ := os.ReadFile(p)
	b[77] ^= 0x80
	os.WriteFile(p, b, 0o644)
	if code, out, _ := stele(t, "", "verify", dir, "-vkey", vkey); code != exitViolation || !strings.Contains(out, "tile/0/001") {
		t.Errorf("tampered tile: exit %d, %q", code, out)
	}
	if code, _, _ := stele(t, "", "verify", filepath.Join(t.TempDir(), "nothing"), "-vkey", vkey); code != exitIncomplete {
		t.Errorf("nothing there: exit %d, want 3", code)
	}
}

// TestVerifyHTTP verifies a log and a site over HTTP from the static host
// that `stele serve` runs.
func TestVerifyHTTP(t *testing.T) {
	dir, key, vkey := newLog(t, 700)
	st, err := store.NewDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(site.Handler(st, nil))
	defer srv.Close()
	out := mustRun(t, "", "verify", srv.URL, "-vkey", vkey)
	if !strings.Contains(out, "entries=700") {
		t.Fatalf("verify over HTTP: %q", out)
	}

	// A site: namespaces listed by namespaces/index.html.
	root := t.TempDir()
	for _, ns := range []string{"a", "b"} {
		mustRun(t, "x\ny\n", "append", "-dir", filepath.Join(root, "logs", ns), "-key", key, "-origin", "example.test/stele/"+ns)
	}
	os.MkdirAll(filepath.Join(root, "namespaces"), 0o755)
	os.WriteFile(filepath.Join(root, "namespaces", "index.html"), []byte(`{"namespaces":[{"name":"a"},{"name":"b"}]}`), 0o644)
	rst, _ := store.NewDir(root)
	srv2 := httptest.NewServer(site.Handler(rst, nil))
	defer srv2.Close()
	out = mustRun(t, "", "verify", srv2.URL+"/", "-vkey", vkey)
	if !strings.Contains(out, "example.test/stele/a") || !strings.Contains(out, "example.test/stele/b") {
		t.Fatalf("site over HTTP: %q", out)
	}
}

func TestUnknownCommand(t *testing.T) {
	if code, _, errs := stele(t, "", "frobnicate"); code != exitUsage || !strings.Contains(errs, "unknown command") {
		t.Fatalf("exit %d, %q", code, errs)
	}
	if code, out, _ := stele(t, "", "help"); code != exitOK || !strings.Contains(out, "verify") {
		t.Fatalf("help: exit %d, %q", code, out)
	}
}
