package main

import (
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"stele/site"
	"stele/store"
)

// mirrorSite makes a site of two logs written by stele append, listed by
// namespaces/index.html as a published site lists them.
func mirrorSite(t *testing.T) (root, vkey string) {
	t.Helper()
	_, key, vkey := newLog(t, 1)
	root = t.TempDir()
	for i, ns := range []string{"a", "b"} {
		mustRun(t, lines(0, 300*(i+1)), "append", "-dir", filepath.Join(root, "logs", ns), "-key", key, "-origin", "example.test/stele/"+ns)
	}
	os.MkdirAll(filepath.Join(root, "namespaces"), 0o755)
	os.WriteFile(filepath.Join(root, "namespaces", "index.html"), []byte(`{"namespaces":[{"name":"a"},{"name":"b"}]}`), 0o644)
	return root, vkey
}

func mirrorServe(t *testing.T, dir string) *httptest.Server {
	t.Helper()
	st, err := store.NewDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(site.Handler(st, nil))
	t.Cleanup(func() { srv.Close(); st.Close() })
	return srv
}

func TestMirrorCommand(t *testing.T) {
	root, vkey := mirrorSite(t)
	srv := mirrorServe(t, root)
	dst := filepath.Join(t.TempDir(), "copy")
	out := mustRun(t, "", "mirror", srv.URL, dst, "-vkey", vkey)
	for _, want := range []string{"example.test/stele/a size=300", "example.test/stele/b size=600", "objects fetched"} {
		if !strings.Contains(out, want) {
			t.Errorf("mirror output lacks %q:\n%s", want, out)
		}
	}
	srv.Close()
	out = mustRun(t, "", "verify", dst, "-vkey", vkey)
	if !strings.Contains(out, "entries=300") || !strings.Contains(out, "entries=600") {
		t.Fatalf("offline verify of the mirror: %s", out)
	}

	// Again, as JSON: everything is reused.
	srv2 := mirrorServe(t, root)
	out = mustRun(t, "", "mirror", "--json", srv2.URL, dst, "-vkey", vkey)
	var res mirrorJSON
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("json %q: %v", out, err)
	}
	if res.Result != "ok" || len(res.Logs) != 2 || res.ObjectsReused == 0 || res.Logs[1].EntriesChecked != 600 {
		t.Fatalf("second mirror: %+v", res)
	}
}

func TestMirrorCommandExitCodes(t *testing.T) {
	root, vkey := mirrorSite(t)
	_, _, otherKey := newLog(t, 1)
	srv := mirrorServe(t, root)
	dst := t.TempDir()
	if code, _, _ := stele(t, "", "mirror", srv.URL, dst, "-vkey", otherKey); code != exitViolation {
		t.Errorf("wrong key: exit %d, want 1", code)
	}
	if code, _, _ := stele(t, "", "mirror", srv.URL, dst); code != exitUsage {
		t.Errorf("no key: exit %d, want 2", code)
	}
	if code, _, _ := stele(t, "", "mirror", srv.URL, "-vkey", vkey); code != exitUsage {
		t.Errorf("no DIR: exit %d, want 2", code)
	}
	if code, _, _ := stele(t, "", "mirror", root, root, "-vkey", vkey); code != exitUsage {
		t.Errorf("onto itself: exit %d, want 2", code)
	}
	srv.Close()
	if code, _, _ := stele(t, "", "mirror", srv.URL, dst, "-vkey", vkey); code != exitIncomplete {
		t.Errorf("server gone: exit %d, want 3", code)
	}
	if code, out, _ := stele(t, "", "mirror", "-h"); code != exitOK || !strings.Contains(out, "usage") {
		t.Errorf("-h: exit %d, %q", code, out)
	}
	// A directory is a source too.
	if out := mustRun(t, "", "mirror", root, filepath.Join(t.TempDir(), "c"), "-vkey", vkey, "-q"); !strings.Contains(out, "entries=600") {
		t.Errorf("mirror of a directory: %s", out)
	}
}
