package mirror_test

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"stele/mirror"
	"stele/verify"
)

// TestMirrorHistoryBeyondCheckpoint serves a history that lists a size
// beyond the log's checkpoint, as when the site publishes while the
// mirror runs: the copy's history must stop at the copy's checkpoint, so
// that verifying the copy finds nothing newer than it.
func TestMirrorHistoryBeyondCheckpoint(t *testing.T) {
	s := newTestSite(t)
	srv := serveDir(t, s.dir)
	var served []byte
	srv.rewrite = func(path string, body []byte) []byte {
		if path == "/logs/wa/history" {
			served = bytes.Replace(body, []byte("]"), []byte(",1000000]"), 1)
			return served
		}
		return body
	}
	dst := filepath.Join(t.TempDir(), "copy")
	mustOK(t, mirrorURL(t, srv.URL, dst, s.verifier, mirror.Options{}))
	if !bytes.Contains(served, []byte(",1000000]")) {
		t.Fatalf("the test served no extended history: %q", served)
	}
	obj, err := newDir(t, dst).Get(context.Background(), "logs/wa/history")
	if err != nil {
		t.Fatal(err)
	}
	sizes, err := mirror.ParseHistory(obj.Data)
	if err != nil || len(sizes) == 0 || sizes[len(sizes)-1] == 1000000 {
		t.Fatalf("the copy's history %q (%v): want it cut at the checkpoint", obj.Data, err)
	}
	if want := bytes.Replace(served, []byte(",1000000]"), []byte("]"), 1); !bytes.Equal(obj.Data, want) {
		t.Errorf("the copy's history is %q, want %q", obj.Data, want)
	}
	for _, r := range verifyOffline(t, dst, s.verifier) {
		if len(r.Warnings) != 0 {
			t.Errorf("verifying the copy of %s: warnings %q", r.Origin, r.Warnings)
		}
	}
}

// TestMirrorChecksArchived serves an archived checkpoint that is not the
// one its name says (the signed checkpoint of size 7 as checkpoints/10):
// the mirror must check archived checkpoints as stele verify does, and
// fail the log, not copy it as good.
func TestMirrorChecksArchived(t *testing.T) {
	s := newTestSite(t)
	srv := serveDir(t, s.dir)
	seven := get(t, srv.URL+"/logs/wa/checkpoints/7")
	if seven.status != 200 {
		t.Fatalf("the test site has no archived checkpoint of size 7: %d", seven.status)
	}
	srv.rewrite = func(path string, body []byte) []byte {
		if path == "/logs/wa/checkpoints/10" {
			return seven.body
		}
		return body
	}
	res := mirrorURL(t, srv.URL, filepath.Join(t.TempDir(), "copy"), s.verifier, mirror.Options{})
	failed := false
	for _, l := range res.Logs {
		if l.Prefix == "logs/wa/" {
			failed = verify.IsFailure(l.Err) && strings.Contains(l.Err.Error(), "checkpoints/10")
			t.Logf("%s: %v", l.Prefix, l.Err)
		}
	}
	if !failed || res.Outcome() != verify.ResultFailed {
		t.Fatalf("outcome %s: want logs/wa/ failed, naming checkpoints/10", res.Outcome())
	}
}
