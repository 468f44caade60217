package mirror_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"stele/checkpoint"
	"stele/mirror"
	"stele/publish"
	"stele/verify"
)

// plainLogs makes logs of one origin and key whose entries differ by a tag.
type plainLogs struct {
	signer *checkpoint.Signer
	v      *checkpoint.Verifier
}

const plainOrigin = "plain.example.test/log"

func newPlainLogs(t *testing.T) *plainLogs {
	t.Helper()
	skey, vkey, err := checkpoint.GenerateKey(rand.Reader, plainOrigin)
	if err != nil {
		t.Fatal(err)
	}
	s, err := checkpoint.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	v, err := checkpoint.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	return &plainLogs{s, v}
}

// grow appends entries tag-from .. tag-(to-1) to the log in dir.
func (p *plainLogs) grow(t *testing.T, dir, tag string, from, to int) {
	t.Helper()
	st := newDir(t, dir)
	ctx := context.Background()
	l, err := publish.OpenLog(ctx, st, p.signer, plainOrigin)
	if err != nil {
		t.Fatal(err)
	}
	var es [][]byte
	for i := from; i < to; i++ {
		es = append(es, fmt.Appendf(nil, "%s-%d", tag, i))
	}
	if err := l.Append(ctx, es); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Commit(ctx); err != nil {
		t.Fatal(err)
	}
}

func (p *plainLogs) mirror(t *testing.T, from, to string) mirror.Result {
	t.Helper()
	srv := serveDir(t, from)
	defer srv.Close()
	return mirrorURL(t, srv.URL, to, p.v, mirror.Options{})
}

// TestMirrorRefusesForks checks that a mirror never replaces its local
// checkpoint with one that does not extend it.
func TestMirrorRefusesForks(t *testing.T) {
	p := newPlainLogs(t)
	base := t.TempDir()
	honest, other := filepath.Join(base, "honest"), filepath.Join(base, "other")
	p.grow(t, honest, "a", 0, 300)
	p.grow(t, other, "b", 0, 600) // same origin and key, other entries
	old := filepath.Join(base, "old")
	if err := os.CopyFS(old, os.DirFS(honest)); err != nil {
		t.Fatal(err)
	}
	p.grow(t, honest, "a", 300, 600)

	dst := filepath.Join(base, "copy")
	mustOK(t, p.mirror(t, honest, dst)) // size 600
	local, _ := os.ReadFile(filepath.Join(dst, "checkpoint"))

	for _, c := range []struct {
		name, src, want string
	}{
		{"rollback", old, "rollback"},
		{"split view", other, "split view"},
	} {
		res := p.mirror(t, c.src, dst)
		if res.Outcome() != verify.ResultFailed || !strings.Contains(res.Logs[0].Err.Error(), c.want) {
			t.Fatalf("%s: %s %v", c.name, res.Outcome(), res.Logs[0].Err)
		}
		if !strings.Contains(res.Logs[0].Err.Error(), string(local)) {
			t.Errorf("%s: the error does not quote the local checkpoint", c.name)
		}
		if now, _ := os.ReadFile(filepath.Join(dst, "checkpoint")); string(now) != string(local) {
			t.Fatalf("%s: the local checkpoint was replaced", c.name)
		}
		p.verifyCopy(t, dst, 600)
	}

	// A larger tree that does not contain the local one.
	p.grow(t, other, "b", 600, 700)
	res := p.mirror(t, other, dst)
	if res.Outcome() != verify.ResultFailed || !strings.Contains(res.Logs[0].Err.Error(), "does not contain") {
		t.Fatalf("fork: %s %v", res.Outcome(), res.Logs[0].Err)
	}
	p.verifyCopy(t, dst, 600)

	// The honest log growing is fine, and the copy still verifies.
	p.grow(t, honest, "a", 600, 650)
	res = p.mirror(t, honest, dst)
	mustOK(t, res)
	if res.Logs[0].Retried {
		t.Error("the local copy was damaged by the refused mirrors")
	}
	p.verifyCopy(t, dst, 650)
}

// verifyCopy checks that the copy in dir is intact at the given size.
func (p *plainLogs) verifyCopy(t *testing.T, dir string, size int64) {
	t.Helper()
	st := newDir(t, dir)
	if r := verify.Log(context.Background(), st, []*checkpoint.Verifier{p.v}, verify.Options{}); r.Err != nil || r.Size != size {
		t.Fatalf("the local copy: size %d, %v; want %d, intact", r.Size, r.Err, size)
	}
}
