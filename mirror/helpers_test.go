package mirror_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"stele/akd"
	"stele/akdsim"
	"stele/checkpoint"
	"stele/publish"
	"stele/site"
	"stele/store"
)

const testOrigin = "mirror.example.test/stele"

// testSite is a published stele site in a directory: two namespaces, two
// publish runs (so each log has two archived checkpoints).
type testSite struct {
	dir      string
	verifier *checkpoint.Verifier
}

var (
	siteOnce   sync.Once
	sharedSite *testSite
	siteRoot   string // removed by TestMain
)

// cleanups run when the test binary is done.
var cleanups []func()

func TestMain(m *testing.M) {
	code := m.Run()
	if siteRoot != "" {
		os.RemoveAll(siteRoot)
	}
	for _, c := range cleanups {
		c()
	}
	os.Exit(code)
}

// newTestSite returns the site the tests share (none of them changes it),
// publishing it on first use.
func newTestSite(t testing.TB) *testSite {
	t.Helper()
	siteOnce.Do(func() {
		dir, err := os.MkdirTemp("", "mirror-test-site-")
		if err != nil {
			t.Fatal(err)
		}
		siteRoot = dir
		sharedSite = publishTestSite(t, dir)
	})
	if sharedSite == nil {
		t.Fatal("the shared test site could not be published")
	}
	return sharedSite
}

func publishTestSite(t testing.TB, dir string) *testSite {
	t.Helper()
	skey, vkey, err := checkpoint.GenerateKey(rand.Reader, testOrigin)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := checkpoint.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	v, err := checkpoint.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	s := &testSite{dir: dir, verifier: v}
	type ns struct {
		name, config, domain string
		cs                   uint32
		start                uint64
	}
	nss := []ns{{"wa", akd.NameWhatsAppV1, "", 1, 500}, {"ex", akd.NameExperimental, "Label", 2, 0}}
	cfg := publish.Config{Origin: testOrigin, Site: s.dir, Key: "unused", Workers: 2}
	srcs := map[string]string{}
	gen := func(n ns, epochs int) {
		c, err := akd.ParseConfig(n.config, n.domain)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := akdsim.Extend(srcs[n.name], akdsim.Params{Config: c, Seed: uint64(len(n.name)), Start: n.start, Users: 12}, epochs, 2); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range nss {
		srcs[n.name] = filepath.Join(t.TempDir(), n.name)
		gen(n, 6)
		root, err := os.ReadFile(filepath.Join(srcs[n.name], "root"))
		if err != nil {
			t.Fatal(err)
		}
		cfg.Namespaces = append(cfg.Namespaces, publish.Namespace{
			Name: n.name, Source: srcs[n.name], Configuration: n.config, Domain: n.domain,
			Root: strings.TrimSpace(string(root)), Ciphersuite: n.cs,
		})
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	publishOnce := func() {
		d, err := store.NewDir(s.dir)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		job, err := publish.NewJob(cfg, d, signer, publish.Options{Now: func() time.Time { return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) }})
		if err != nil {
			t.Fatal(err)
		}
		sum := job.Run(context.Background())
		if sum.ExitCode != 0 {
			t.Fatalf("publishing the test site: %+v", sum)
		}
	}
	publishOnce()
	for _, n := range nss {
		gen(n, 3)
	}
	publishOnce()
	return s
}

// server serves a directory as stele serve does, counting requests and
// optionally failing or rewriting them.
type server struct {
	*httptest.Server
	requests atomic.Int64
	mu       sync.Mutex
	paths    map[string]int // successful (200) GETs by path
	// failAfter, when > 0, makes every request after that many fail with
	// 503 Service Unavailable.
	failAfter int64
	// rewrite, when set, may change a response body by path.
	rewrite func(path string, body []byte) []byte
}

func serveDir(t testing.TB, dir string) *server {
	t.Helper()
	st, err := store.NewDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return serveStore(t, st)
}

func serveStore(t testing.TB, st store.Store) *server {
	s := &server{paths: map[string]int{}}
	h := site.Handler(st, nil)
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := s.requests.Add(1)
		if s.failAfter > 0 && n > s.failAfter {
			http.Error(w, "overloaded", http.StatusServiceUnavailable)
			return
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		if s.rewrite != nil {
			body = s.rewrite(r.URL.Path, body)
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		w.WriteHeader(rec.Code)
		w.Write(body)
		if rec.Code == http.StatusOK {
			s.mu.Lock()
			s.paths[r.URL.Path]++
			s.mu.Unlock()
		}
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *server) fetched() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]int{}
	for k, v := range s.paths {
		out[k] = v
	}
	return out
}

func newDir(t testing.TB, dir string) *store.Dir {
	t.Helper()
	d, err := store.NewDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}
