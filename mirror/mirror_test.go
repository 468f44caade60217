package mirror_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"stele/checkpoint"
	"stele/layout"
	"stele/mirror"
	"stele/store"
	"stele/verify"
)

func mirrorURL(t *testing.T, url, dir string, v *checkpoint.Verifier, opts mirror.Options) mirror.Result {
	t.Helper()
	src, err := mirror.NewRemote(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	dst := newDir(t, dir)
	opts.Verifiers = []*checkpoint.Verifier{v}
	return mirror.Mirror(context.Background(), src, dst, opts)
}

func mustOK(t *testing.T, res mirror.Result) {
	t.Helper()
	if res.Outcome() != verify.ResultOK {
		for _, l := range res.Logs {
			t.Logf("log %q: %v", l.Prefix, l.Err)
		}
		t.Fatalf("mirror: %s: %v", res.Outcome(), res.Err)
	}
}

// verifyOffline verifies every log of dir from the directory alone.
func verifyOffline(t *testing.T, dir string, v *checkpoint.Verifier) []verify.Result {
	t.Helper()
	st := newDir(t, dir)
	prefixes, err := verify.FindLogs(context.Background(), st)
	if err != nil {
		t.Fatalf("finding the mirrored logs: %v", err)
	}
	var out []verify.Result
	for _, p := range prefixes {
		r := verify.Log(context.Background(), store.Sub(st, p), []*checkpoint.Verifier{v}, verify.Options{Records: true})
		if r.Err != nil {
			t.Fatalf("offline verification of %q: %v", p, r.Err)
		}
		out = append(out, r)
	}
	return out
}

// publishedKeys lists the objects of a site a mirror must copy: all but
// the publisher's lease.
func publishedKeys(t *testing.T, dir string) []string {
	t.Helper()
	keys, err := newDir(t, dir).List(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, k := range keys {
		if strings.HasSuffix(k, "/"+layout.Lock) {
			continue
		}
		out = append(out, k)
	}
	return out
}

func TestMirrorSite(t *testing.T) {
	s := newTestSite(t)
	srv := serveDir(t, s.dir)
	dst := filepath.Join(t.TempDir(), "copy")
	res := mirrorURL(t, srv.URL, dst, s.verifier, mirror.Options{})
	mustOK(t, res)
	if len(res.Logs) != 2 {
		t.Fatalf("mirrored %d logs, want 2", len(res.Logs))
	}
	if len(res.Missing) != 0 {
		t.Errorf("missing objects: %v", res.Missing)
	}
	if res.Progress.Fetched == 0 || res.Progress.Bytes == 0 || res.Progress.Reused != 0 {
		t.Errorf("progress %+v: want objects fetched and none reused", res.Progress)
	}
	srv.Close() // from here on, no network

	results := verifyOffline(t, dst, s.verifier)
	for _, r := range results {
		if r.EntriesChecked != r.Size || r.Size == 0 {
			t.Errorf("%s: %d of %d entries checked", r.Origin, r.EntriesChecked, r.Size)
		}
	}

	// Every published object is in the copy with its bytes and metadata.
	orig, cp := newDir(t, s.dir), newDir(t, dst)
	ctx := context.Background()
	for _, k := range publishedKeys(t, s.dir) {
		want, err := orig.Get(ctx, k)
		if err != nil {
			t.Fatal(err)
		}
		got, err := cp.Get(ctx, k)
		if err != nil {
			t.Errorf("%s: not mirrored: %v", k, err)
			continue
		}
		if !bytes.Equal(got.Data, want.Data) || got.Metadata != want.Metadata {
			t.Errorf("%s: mirrored as %q %+v, published as %q %+v", k, got.Data, got.Metadata, want.Data, want.Metadata)
		}
	}

	// Serving the copy gives what serving the original gave.
	a, b := serveDir(t, s.dir), serveDir(t, dst)
	for _, p := range []string{
		"/logs/wa/checkpoint", "/logs/wa/tile/entries/000.p/10", "/logs/ex/tile/0/000.p/10",
		"/namespaces/wa", "/namespaces", "/info", "/namespaces/ex/audits/3", "/", "/logs/wa/history",
	} {
		ra, rb := get(t, a.URL+p), get(t, b.URL+p)
		if ra.status != http.StatusOK {
			t.Errorf("original %s: %d", p, ra.status)
		}
		if ra.status != rb.status || !bytes.Equal(ra.body, rb.body) {
			t.Errorf("%s: copy served %d %d bytes, original %d %d bytes", p, rb.status, len(rb.body), ra.status, len(ra.body))
		}
		for _, h := range []string{"Content-Type", "Cache-Control", "Content-Encoding", "ETag"} {
			if ra.header.Get(h) != rb.header.Get(h) {
				t.Errorf("%s: %s %q, original %q", p, h, rb.header.Get(h), ra.header.Get(h))
			}
		}
	}
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func get(t *testing.T, url string) response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Accept-Encoding", "gzip") // compare the bytes as stored
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{resp.StatusCode, resp.Header, body}
}

func TestMirrorResume(t *testing.T) {
	s := newTestSite(t)
	dst := filepath.Join(t.TempDir(), "copy")

	// A fresh mirror, to know what a complete one costs.
	full := serveDir(t, s.dir)
	mustOK(t, mirrorURL(t, full.URL, filepath.Join(t.TempDir(), "ref"), s.verifier, mirror.Options{Concurrency: 1}))
	total := full.requests.Load()

	// A server that breaks down two thirds of the way.
	broken := serveDir(t, s.dir)
	broken.failAfter = total * 2 / 3
	res := mirrorURL(t, broken.URL, dst, s.verifier, mirror.Options{Concurrency: 1})
	if res.Outcome() != verify.ResultUnchecked {
		t.Fatalf("interrupted mirror: outcome %s, want %s", res.Outcome(), verify.ResultUnchecked)
	}
	first := broken.fetched()

	// Resume from a healthy server: only what is missing is fetched.
	again := serveDir(t, s.dir)
	res = mirrorURL(t, again.URL, dst, s.verifier, mirror.Options{Concurrency: 1})
	mustOK(t, res)
	if res.Progress.Reused == 0 {
		t.Errorf("resumed mirror reused nothing: %+v", res.Progress)
	}
	if got := again.requests.Load(); got >= total {
		t.Errorf("resumed mirror made %d requests, a fresh one %d", got, total)
	}
	for p := range again.fetched() {
		if first[p] > 0 && (strings.Contains(p, "/tile/") || strings.Contains(p, "/audits/") || strings.Contains(p, "/checkpoints/")) {
			t.Errorf("resumed mirror fetched %s again", p)
		}
	}
	verifyOffline(t, dst, s.verifier)
}

func TestMirrorCanceled(t *testing.T) {
	s := newTestSite(t)
	srv := serveDir(t, s.dir)
	dst := filepath.Join(t.TempDir(), "copy")
	ctx, cancel := context.WithCancel(context.Background())
	src, err := mirror.NewRemote(srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	res := mirror.Mirror(ctx, src, newDir(t, dst), mirror.Options{
		Verifiers:   []*checkpoint.Verifier{s.verifier},
		Concurrency: 2,
		Progress: func(p mirror.Progress) {
			if p.Fetched >= 5 {
				cancel()
			}
		},
	})
	if res.Outcome() == verify.ResultOK {
		t.Fatal("a canceled mirror reported success")
	}
	// What was fetched before the cancellation was kept.
	res = mirrorURL(t, srv.URL, dst, s.verifier, mirror.Options{})
	mustOK(t, res)
	if res.Progress.Reused == 0 {
		t.Errorf("mirror after a cancellation reused nothing: %+v", res.Progress)
	}
}

func TestMirrorTampered(t *testing.T) {
	s := newTestSite(t)
	srv := serveDir(t, s.dir)
	const bad = "/logs/wa/tile/0/000.p/10"
	srv.rewrite = func(path string, body []byte) []byte {
		if path == bad {
			body = bytes.Clone(body)
			body[7] ^= 1
		}
		return body
	}
	dst := filepath.Join(t.TempDir(), "copy")
	res := mirrorURL(t, srv.URL, dst, s.verifier, mirror.Options{})
	if res.Outcome() != verify.ResultFailed {
		t.Fatalf("outcome %s, want %s", res.Outcome(), verify.ResultFailed)
	}
	var failed *mirror.LogResult
	for i := range res.Logs {
		if res.Logs[i].Err != nil {
			failed = &res.Logs[i]
		} else if res.Logs[i].Prefix != "logs/ex/" {
			t.Errorf("log %q verified", res.Logs[i].Prefix)
		}
	}
	if failed == nil || failed.Prefix != "logs/wa/" || !verify.IsFailure(failed.Err) || !strings.Contains(failed.Err.Error(), "tile/0/000.p/10") {
		t.Fatalf("failure does not name the tampered tile: %+v", failed)
	}
	// The failed log got no local checkpoint; the other did.
	if _, err := os.Stat(filepath.Join(dst, "logs/wa/checkpoint")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("checkpoint of the failed log written: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dst, "logs/ex/checkpoint")); err != nil {
		t.Errorf("checkpoint of the good log: %v", err)
	}

	// Once the server is honest again, the damaged local copy is replaced.
	srv.rewrite = nil
	res = mirrorURL(t, srv.URL, dst, s.verifier, mirror.Options{})
	mustOK(t, res)
	retried := false
	for _, l := range res.Logs {
		retried = retried || (l.Prefix == "logs/wa/" && l.Retried)
	}
	if !retried {
		t.Error("the damaged local copy was not detected and replaced")
	}
	verifyOffline(t, dst, s.verifier)
}

func TestMirrorTessera(t *testing.T) {
	golden := filepath.Join("..", "testdata", "tessera")
	vkey, err := os.ReadFile(filepath.Join(golden, "vkey"))
	if err != nil {
		t.Skipf("no Tessera golden log: %v", err)
	}
	v, err := checkpoint.NewVerifier(strings.TrimSpace(string(vkey)))
	if err != nil {
		t.Fatal(err)
	}
	srv := serveDir(t, filepath.Join(golden, "log"))
	dst := filepath.Join(t.TempDir(), "copy")
	res := mirrorURL(t, srv.URL, dst, v, mirror.Options{})
	mustOK(t, res)
	if len(res.Logs) != 1 || res.Logs[0].Prefix != "" || res.Logs[0].Size == 0 {
		t.Fatalf("logs %+v, want one at the root", res.Logs)
	}
	srv.Close()
	r := verifyOffline(t, dst, v)
	if r[0].Size != res.Logs[0].Size {
		t.Errorf("offline size %d, mirrored %d", r[0].Size, res.Logs[0].Size)
	}
}

func TestMirrorWrongKey(t *testing.T) {
	s := newTestSite(t)
	srv := serveDir(t, s.dir)
	src, err := mirror.NewRemote(srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	res := mirror.Mirror(context.Background(), src, newDir(t, t.TempDir()), mirror.Options{})
	if res.Err == nil || res.Outcome() != verify.ResultUnchecked {
		t.Fatalf("a mirror without keys: %s, %v", res.Outcome(), res.Err)
	}
	// A key of the same name but another public key fails every log.
	_, vkey, err := checkpoint.GenerateKey(rand.Reader, testOrigin)
	if err != nil {
		t.Fatal(err)
	}
	other, err := checkpoint.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	dst := t.TempDir()
	res = mirrorURL(t, srv.URL, dst, other, mirror.Options{})
	if res.Outcome() != verify.ResultFailed || len(res.Logs) != 2 {
		t.Fatalf("outcome %s with %d logs, want failed with 2", res.Outcome(), len(res.Logs))
	}
	for _, l := range res.Logs {
		if !verify.IsFailure(l.Err) {
			t.Errorf("%s: %v, want a verification failure", l.Prefix, l.Err)
		}
		if _, err := os.Stat(filepath.Join(dst, l.Prefix, "checkpoint")); err == nil {
			t.Errorf("%s: checkpoint written", l.Prefix)
		}
	}
}

// TestMirrorStalePartial checks the partial tiles of archived checkpoints:
// mirrored, and refused when they do not match the current tiles.
func TestMirrorStalePartial(t *testing.T) {
	s := newTestSite(t)
	for _, bad := range []string{"/logs/ex/tile/0/000.p/7", "/logs/ex/tile/entries/000.p/7"} {
		srv := serveDir(t, s.dir)
		srv.rewrite = func(path string, body []byte) []byte {
			if path == bad {
				zr, err := gzip.NewReader(bytes.NewReader(body))
				if err == nil { // a bundle: change an entry's bytes
					plain, _ := io.ReadAll(zr)
					plain[len(plain)-1] ^= 1
					var buf bytes.Buffer
					zw := gzip.NewWriter(&buf)
					zw.Write(plain)
					zw.Close()
					return buf.Bytes()
				}
				body = bytes.Clone(body)
				body[0] ^= 1
			}
			return body
		}
		res := mirrorURL(t, srv.URL, t.TempDir(), s.verifier, mirror.Options{})
		var err error
		for _, l := range res.Logs {
			if l.Prefix == "logs/ex/" {
				err = l.Err
			}
		}
		if !verify.IsFailure(err) || !strings.Contains(err.Error(), strings.TrimPrefix(bad, "/logs/ex/")) {
			t.Errorf("%s tampered: %v", bad, err)
		}
	}
}
