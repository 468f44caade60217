package site_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"stele/layout"
	"stele/publish"
	"stele/site"
	"stele/store"
)

// recording is a store that remembers the keys written through it.
type recording struct {
	store.Store
	mu     sync.Mutex
	writes []string
}

func (r *recording) note(key string) {
	r.mu.Lock()
	r.writes = append(r.writes, key)
	r.mu.Unlock()
}

func (r *recording) Put(ctx context.Context, key string, data []byte, md store.Metadata) error {
	r.note(key)
	return r.Store.Put(ctx, key, data, md)
}

func (r *recording) Create(ctx context.Context, key string, data []byte, md store.Metadata) error {
	r.note(key)
	return r.Store.Create(ctx, key, data, md)
}

// pagesWritten lists the pages (and the epoch index) among the writes.
func (r *recording) pagesWritten() []string {
	var out []string
	for _, k := range r.writes {
		if strings.HasSuffix(k, ".html") && !strings.HasPrefix(k, "namespaces/") || strings.HasSuffix(k, "index.json") {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

func openDir(t *testing.T, dir string) store.Store {
	t.Helper()
	st, err := store.NewDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestPublishedPages(t *testing.T) {
	if testing.Short() {
		t.Skip("publishes 280 epochs; skipped in -short mode")
	}
	d := buildDemoSite(t, 270) // wa: 276 entries in two runs; ex: 9
	st := openDir(t, d.dir)
	srv := httptest.NewServer(site.Handler(st, nil))
	defer srv.Close()
	script, _ := site.Script()

	// Every page is served as a static host would: HTML, gzip, and the
	// page of a full bundle immutable.
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	for _, tc := range []struct {
		path, cache, typ string
	}{
		{"/", layout.Short, "text/html; charset=utf-8"},
		{"/logs/wa/", layout.Short, "text/html; charset=utf-8"},
		{"/logs/wa/index.html", layout.Short, "text/html; charset=utf-8"},
		{"/logs/wa/epochs/0.html", layout.Immutable, "text/html; charset=utf-8"},
		{"/logs/wa/epochs/1.html", layout.Short, "text/html; charset=utf-8"},
		{"/logs/wa/epochs/", layout.Short, "text/html; charset=utf-8"},
		{"/logs/wa/checkpoint-history/", layout.Short, "text/html; charset=utf-8"},
		{"/logs/ex/epochs/0.html", layout.Short, "text/html; charset=utf-8"},
		{"/" + script, layout.Immutable, "text/javascript; charset=utf-8"},
	} {
		resp, err := client.Get(srv.URL + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Cache-Control") != tc.cache || resp.Header.Get("Content-Type") != tc.typ || resp.Header.Get("Content-Encoding") != "gzip" {
			t.Errorf("GET %s: %d, %q, %q, %q", tc.path, resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Cache-Control"), resp.Header.Get("Content-Encoding"))
		}
	}
	for _, missing := range []string{"/logs/wa/epochs/2.html", "/logs/nope/index.html", "/namespaces/wa/audits/1"} {
		resp, err := client.Get(srv.URL + missing)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 404 {
			t.Errorf("GET %s: %d, want 404", missing, resp.StatusCode)
		}
	}
	idx := readIndex(t, st, "wa")
	if idx.Size != 276 || len(idx.Pages) != 2 || idx.Pages[0].First != 722600 || idx.Pages[1].Last != 722875 || len(idx.Violations) != 0 {
		t.Errorf("epoch index %+v", idx)
	}
	page := readPage(t, st, layout.HistoryIndex("wa"))
	if !strings.Contains(page, "checkpoints/276<") || !strings.Contains(page, "checkpoints/271<") {
		t.Error("the checkpoint history lacks a published size")
	}

	// A run with nothing new writes no page.
	rec := &recording{Store: st}
	d.publish(t, rec)
	if w := rec.pagesWritten(); len(w) != 0 {
		t.Errorf("a run with nothing new wrote %v", w)
	}

	// New epochs rewrite the partial page and the summaries, never the
	// page of a full bundle, nor the other namespace's pages.
	extend(t, d.wa, 3)
	rec = &recording{Store: st}
	d.publish(t, rec)
	want := []string{"index.html", "logs/wa/checkpoint-history/index.html", "logs/wa/epochs/1.html", "logs/wa/epochs/index.html", "logs/wa/epochs/index.json", "logs/wa/index.html"}
	if w := rec.pagesWritten(); !slices.Equal(w, want) {
		t.Errorf("pages written: %v\nwant %v", w, want)
	}

	// Without the epoch index every page is rebuilt, identically.
	before := readPage(t, st, layout.EpochPage("wa", 0))
	if err := os.Remove(filepath.Join(d.dir, filepath.FromSlash(layout.EpochIndex("wa")))); err != nil {
		t.Fatal(err)
	}
	extend(t, d.wa, 1)
	rec = &recording{Store: st}
	d.publish(t, rec)
	if w := rec.pagesWritten(); !slices.Contains(w, layout.EpochIndex("wa")) || slices.Contains(w, layout.EpochPage("wa", 0)) {
		t.Errorf("rebuilding: wrote %v (the unchanged full page must be skipped)", w)
	}
	if after := readPage(t, st, layout.EpochPage("wa", 0)); after != before {
		t.Error("the rebuilt page of a full bundle differs")
	}
	if idx := readIndex(t, st, "wa"); idx.Size != 280 {
		t.Errorf("rebuilt index covers %d entries", idx.Size)
	}
}

func TestPublishedViolation(t *testing.T) {
	d := buildDemoSite(t, 3)
	st := openDir(t, d.dir)
	// The next epoch's proof claims a root it does not rebuild.
	extend(t, d.wa, 1)
	objs, err := filepath.Glob(filepath.Join(d.wa, "722609", "*", "*"))
	if err != nil || len(objs) != 1 {
		t.Fatalf("proof of epoch 722609: %v %v", objs, err)
	}
	b, err := os.ReadFile(objs[0])
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)-1] ^= 1
	if err := os.WriteFile(objs[0], b, 0o644); err != nil {
		t.Fatal(err)
	}
	job, err := publish.NewJob(d.cfg, st, d.signer, publish.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if sum := job.Run(context.Background()); sum.ExitCode != 1 {
		t.Fatalf("publish over a bad proof: exit %d, want 1: %+v", sum.ExitCode, sum)
	}
	idx := readIndex(t, st, "wa")
	if len(idx.Violations) != 1 || idx.Violations[0].Epoch != 722609 || idx.Violations[0].Entry != 9 {
		t.Fatalf("violations in the index: %+v", idx.Violations)
	}
	if page := readPage(t, st, layout.EpochPage("wa", 0)); !strings.Contains(page, escapeText(idx.Violations[0].Reason)) {
		t.Errorf("the epoch page lacks the reason %q", idx.Violations[0].Reason)
	}
	for key, wants := range map[string][]string{
		layout.IndexPage:           {"Halted by a violation", `href="logs/wa/epochs/0.html#epoch-722609"`, `data-status="halted"`},
		layout.NamespacePage("wa"): {"Halted by a violation at epoch 722609", "1 violation recorded", "Violations"},
		layout.EpochPage("wa", 0):  {`class="record violation"`, `id="epoch-722609"`, "<strong>Violation:</strong>", "Computed roots"},
		layout.NamespacePage("ex"): {`data-status="online"`},
		layout.EpochPage("ex", 0):  {`id="epoch-8"`},
		layout.HistoryIndex("wa"):  {"checkpoints/10<"},
		layout.EpochList("wa"):     {"violation"},
	} {
		page := readPage(t, st, key)
		for _, w := range wants {
			if !strings.Contains(page, w) {
				t.Errorf("%s lacks %s", key, w)
			}
		}
	}
}

// escapeText is how html/template writes text.
func escapeText(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;", "+", "&#43;").Replace(s)
}

func readPage(t *testing.T, st store.Store, key string) string {
	t.Helper()
	obj, err := st.Get(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	b, err := obj.Decoded()
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func readIndex(t *testing.T, st store.Store, ns string) *site.EpochIndex {
	t.Helper()
	idx, err := site.ParseEpochIndex([]byte(readPage(t, st, layout.EpochIndex(ns))))
	if err != nil {
		t.Fatal(err)
	}
	return idx
}
