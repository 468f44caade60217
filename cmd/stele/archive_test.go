package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestArchiveCommand(t *testing.T) {
	root, vkey := mirrorSite(t)
	out := filepath.Join(t.TempDir(), "zips")
	got := mustRun(t, "", "archive", root, out, "-vkey", vkey)
	if strings.Count(got, "verified") != 2 {
		t.Fatalf("archive output: %s", got)
	}
	for _, ns := range []string{"a", "b"} {
		if _, err := os.Stat(filepath.Join(out, ns, "000.zip")); err != nil {
			t.Fatal(err)
		}
	}
	// A log at the root of DIR is packed at the root of OUT.
	dir, _, lvkey := newLog(t, 300)
	out2 := filepath.Join(t.TempDir(), "zips")
	var res struct {
		Logs []archiveLogJSON `json:"logs"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, "", "archive", "-json", dir, out2, "-vkey", lvkey)), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Logs) != 1 || res.Logs[0].Size != 300 || res.Logs[0].Result != "ok" || len(res.Logs[0].Zips) != 1 || res.Logs[0].Zips[0] != filepath.Join(out2, "000.zip") {
		t.Fatalf("archive -json: %+v", res)
	}

	// A tampered archive fails verification with exit 1; the packer
	// writes only what it read, so tamper with the source.
	tile := filepath.Join(dir, "tile", "0", "000")
	b, _ := os.ReadFile(tile)
	b[5] ^= 1
	os.WriteFile(tile, b, 0o644)
	if code, out, _ := stele(t, "", "archive", dir, t.TempDir(), "-vkey", lvkey); code != exitViolation || !strings.Contains(out, "tile/0/000") {
		t.Fatalf("tampered source: exit %d, %s", code, out)
	}
	if code, _, _ := stele(t, "", "archive", dir); code != exitUsage {
		t.Errorf("no OUT: exit %d, want 2", code)
	}
	if code, _, _ := stele(t, "", "archive", filepath.Join(t.TempDir(), "none"), t.TempDir()); code != exitUsage {
		t.Errorf("no DIR: exit %d, want 2", code)
	}
	if code, _, _ := stele(t, "", "archive", t.TempDir(), t.TempDir()); code != exitIncomplete {
		t.Errorf("DIR without logs: exit %d, want 3", code)
	}
}

// TestVerifyArchives runs stele verify on what stele archive wrote: a
// site of zips, a directory of one log's zips, one zip, and the zip of an
// empty log. Each verifies as the whole log (a log this small is one
// zip), with no part= in the result.
func TestVerifyArchives(t *testing.T) {
	root, vkey := mirrorSite(t)
	site := filepath.Join(t.TempDir(), "zips")
	mustRun(t, "", "archive", root, site, "-vkey", vkey)
	dir, _, lvkey := newLog(t, 300)
	logZips := filepath.Join(t.TempDir(), "zips")
	mustRun(t, "", "archive", dir, logZips, "-vkey", lvkey)
	empty, _, evkey := newLog(t, 0)
	emptyZips := filepath.Join(t.TempDir(), "zips")
	mustRun(t, "", "archive", empty, emptyZips, "-vkey", evkey)
	for _, c := range []struct{ target, vkey string }{
		{site, vkey},
		{filepath.Join(site, "a"), vkey},
		{filepath.Join(site, "a", "000.zip"), vkey},
		{logZips, lvkey},
		{filepath.Join(logZips, "000.zip"), lvkey},
		{filepath.Join(emptyZips, "000.zip"), evkey},
	} {
		code, out, errs := stele(t, "", "verify", c.target, "-vkey", c.vkey, "-state", "none")
		if code != exitOK || !strings.HasPrefix(out, "ok ") || strings.Contains(out, "part=") {
			t.Errorf("verify %s: exit %d\n%s%s", c.target, code, out, errs)
		}
	}
}

// TestArchiveUnsafeZip checks that verify's archive store (as the archive
// command uses it) refuses a zip with an entry climbing out of it.
func TestArchiveUnsafeZip(t *testing.T) {
	dir, _, vkey := newLog(t, 10)
	out := t.TempDir()
	mustRun(t, "", "archive", dir, out)
	p := filepath.Join(out, "000.zip")
	data, _ := os.ReadFile(p)
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		zw.Copy(f)
	}
	w, _ := zw.Create("../../escape")
	w.Write([]byte("x"))
	zw.Close()
	os.WriteFile(p, buf.Bytes(), 0o644)
	res, errText := verifyArchive(t.Context(), out, mustKeys(t, vkey))
	if res != "failed" || !strings.Contains(errText, "../../escape") {
		t.Fatalf("unsafe zip: %s %s", res, errText)
	}
}

func mustKeys(t *testing.T, vkey string) verifierList {
	t.Helper()
	var v verifierList
	if err := v.Set(vkey); err != nil {
		t.Fatal(err)
	}
	return v
}
