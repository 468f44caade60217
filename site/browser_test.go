package site_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"stele/checkpoint"
	"stele/layout"
	"stele/site"
	"stele/store"
)

// chromium is Debian's headless-capable Chromium, which the project's test
// script installs.
const chromium = "/usr/bin/chromium"

// browser is one headless Chromium for a test.
type browser struct{ ctx context.Context }

func newBrowser(t *testing.T) browser {
	t.Helper()
	profile, err := os.MkdirTemp("", "stele-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// Chromium's helpers may still write to the profile for a moment.
		for range 50 {
			if os.RemoveAll(profile) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	alloc, cancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(profile), chromedp.WindowSize(1200, 900))
	t.Cleanup(cancel)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting %s: %v", chromium, err)
	}
	return browser{ctx}
}

// tab is a page in a browser context of its own (its own cache), which
// records every request it makes and every dialog a script opens.
type tab struct {
	t        *testing.T
	ctx      context.Context
	mu       sync.Mutex
	requests []string
	dialogs  []string
}

func (b browser) newTab(t *testing.T) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatal(err)
	}
	tb := &tab{t: t, ctx: ctx}
	err := chromedp.Listen(ctx, func(ev any) {
		tb.mu.Lock()
		defer tb.mu.Unlock()
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			tb.requests = append(tb.requests, e.Request.URL)
		case *page.EventJavascriptDialogOpening:
			tb.dialogs = append(tb.dialogs, e.Message)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return tb
}

// do runs steps with a time limit, failing the test on error.
func (tb *tab) do(steps ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, time.Minute)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		tb.t.Fatal(err)
	}
}

// follow clicks the link sel and waits for the page at path to load.
func (tb *tab) follow(sel, path string) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, time.Minute)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		tb.t.Fatalf("following %s: %v", sel, err)
	}
	if !strings.HasSuffix(resp.URL, path) || resp.Status != 200 {
		tb.t.Fatalf("following %s: %d %s, want %s", sel, resp.Status, resp.URL, path)
	}
}

func run[T any](tb *tab, a chromedp.Action[T]) T {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, time.Minute)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		tb.t.Fatal(err)
	}
	return v
}

// verify clicks the "Verify in this browser" button inside scope and
// returns the outcome the page shows: its data-verify-status and message.
func (tb *tab) verify(scope string) (status, message string) {
	tb.t.Helper()
	tb.do(chromedp.WaitVisible(chromedp.CSS(scope+" button[data-verify]")), chromedp.Click(chromedp.CSS(scope+" button[data-verify]")))
	got := run(tb, chromedp.Poll[string](fmt.Sprintf(`(() => {
		const o = document.querySelector(%q);
		const s = o && o.dataset.verifyStatus;
		return s === 'ok' || s === 'failed' ? s + '\n' + o.textContent : null;
	})()`, scope+" output.verify-result"), chromedp.WithPollingTimeout(time.Minute), chromedp.WithPollingInterval(50*time.Millisecond)))
	status, message, _ = strings.Cut(got, "\n")
	return status, message
}

// screenshot saves the whole page, or when at is set the viewport scrolled
// to the element with that id (a page of 256 records is too tall to
// render whole quickly).
func (tb *tab) screenshot(dir, name, at string) {
	tb.t.Helper()
	shot := chromedp.FullScreenshot(100)
	if at != "" {
		tb.do(chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.getElementById(%q).scrollIntoView()`, at)))
		shot = chromedp.CaptureScreenshot()
	}
	png := run(tb, shot)
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		tb.t.Fatal(err)
	}
	tb.t.Logf("screenshot: %s", path)
}

// checkOrigins fails the test if the tab requested anything from another
// origin than base, or if a script opened a dialog.
func (tb *tab) checkOrigins(base string) {
	tb.t.Helper()
	tb.mu.Lock()
	defer tb.mu.Unlock()
	if len(tb.requests) == 0 {
		tb.t.Error("no request was recorded")
	}
	for _, u := range tb.requests {
		if !strings.HasPrefix(u, base+"/") && !strings.HasPrefix(u, "data:") {
			tb.t.Errorf("a request went to another origin: %s", u)
		}
	}
	for _, m := range tb.dialogs {
		tb.t.Errorf("a script opened a dialog: %q", m)
	}
}

// setKey types a verifier key into the page's trusted-key field.
func setKey(k string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.getElementById('trusted-key').value = %q`, k))
}

func artifactDir(t *testing.T) string {
	if d := os.Getenv("STELE_ARTIFACTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

// flipFile changes one byte of a published object on disk (the verifier
// must notice) and returns a function that restores it.
func flipFile(t *testing.T, path string, edit func([]byte) []byte) (restore func()) {
	t.Helper()
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, edit(bytes.Clone(orig)), 0o644); err != nil {
		t.Fatal(err)
	}
	return func() {
		if err := os.WriteFile(path, orig, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestBrowser opens the published demo site in headless Chromium, walks
// from the front page to an epoch, verifies in the browser, and requires
// a failure, with its reason, after a tile or a checkpoint signature is
// damaged.
func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("the browser test does not run in -short mode")
	}
	if _, err := os.Stat(chromium); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI must run the browser test, but headless Chromium is missing at %s: %v", chromium, err)
		}
		t.Skipf("the browser test needs headless Chromium at %s (Debian package chromium; the project's test script installs it): %v", chromium, err)
	}
	d := buildDemoSite(t, 270) // wa: 276 entries, a full epoch page and a partial one
	st, err := store.NewDir(d.dir)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(site.Handler(st, nil))
	defer srv.Close()
	artifacts := artifactDir(t)
	b := newBrowser(t)

	t.Run("weight", func(t *testing.T) {
		resp, err := http.Get(srv.URL + "/") // the client undoes the gzip encoding
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("GET /: %d %v", resp.StatusCode, err)
		}
		if len(body) >= 100_000 {
			t.Errorf("index.html is %d bytes before gzip, over 100 KB", len(body))
		}
		t.Logf("index.html: %d bytes before gzip", len(body))
	})

	t.Run("navigate and verify", func(t *testing.T) {
		tb := b.newTab(t)
		tb.do(chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`#verify button[data-verify="logs"]`)))
		if title := run(tb, chromedp.Title()); !strings.Contains(title, evil) {
			t.Errorf("the title %q does not show the configured title as text", title)
		}
		text := run(tb, chromedp.Evaluate[string](`document.body.innerText`))
		if !strings.Contains(text, "(domain "+evil+")") {
			t.Error("the markup domain label is not shown as text")
		}
		if n := run(tb, chromedp.Evaluate[int](`document.scripts.length`)); n != 1 {
			t.Errorf("%d script elements on the index", n)
		}
		if status, msg := tb.verify("#verify"); status != "ok" || !strings.Contains(msg, "demo.stele.test/kt/wa") || !strings.Contains(msg, "demo.stele.test/kt/ex") {
			t.Errorf("index: %s: %s", status, msg)
		}
		tb.screenshot(artifacts, "index.png", "")

		tb.follow(`a[href="logs/wa/index.html"]`, "/logs/wa/index.html")
		tb.follow(`#epochs a[href="../../logs/wa/epochs/0.html"]`, "/logs/wa/epochs/0.html")
		tb.do(chromedp.WaitVisible(chromedp.CSS(`#epoch-722700 button[data-verify="entry"]`)))
		if status, msg := tb.verify("#epoch-722700"); status != "ok" || !strings.Contains(msg, "Epoch 722700 (entry 100) is in the log") || !strings.Contains(msg, "Plexi signature verifies") {
			t.Errorf("epoch 722700: %s: %s", status, msg)
		}
		tb.screenshot(artifacts, "epoch.png", "epoch-722700")

		// The rightmost, partial page: partial tiles at two levels.
		tb.do(chromedp.Navigate(srv.URL+"/logs/wa/epochs/1.html"), chromedp.WaitVisible(chromedp.CSS(`#epoch-722875 button`)))
		if status, msg := tb.verify("#epoch-722875"); status != "ok" {
			t.Errorf("epoch 722875: %s: %s", status, msg)
		}
		// Ciphersuite 2 (bincode) signatures, on the namespace with a markup domain.
		tb.do(chromedp.Navigate(srv.URL+"/logs/ex/epochs/0.html"), chromedp.WaitVisible(chromedp.CSS(`#epoch-3 button`)))
		if status, msg := tb.verify("#epoch-3"); status != "ok" || !strings.Contains(msg, "Plexi signature verifies") {
			t.Errorf("ex epoch 3: %s: %s", status, msg)
		}
		tb.checkOrigins(srv.URL)
	})

	t.Run("trusted key", func(t *testing.T) {
		tb := b.newTab(t)
		tb.do(chromedp.Navigate(srv.URL+"/logs/wa/epochs/0.html"), chromedp.WaitVisible(chromedp.CSS(`#epoch-722610 button`)),
			setKey(d.vkey))
		if status, msg := tb.verify("#epoch-722610"); status != "ok" || !strings.Contains(msg, "key you supplied") {
			t.Errorf("with the auditor's key: %s: %s", status, msg)
		}
		_, other, err := checkpoint.GenerateKey(rand.Reader, d.origin)
		if err != nil {
			t.Fatal(err)
		}
		tb.do(setKey(other))
		if status, msg := tb.verify("#epoch-722610"); status != "failed" || !strings.Contains(msg, "no signature by demo.stele.test/kt/wa+") {
			t.Errorf("with another key: %s: %s", status, msg)
		}
		tb.do(setKey(""))
		tb.checkOrigins(srv.URL)
	})

	t.Run("corrupt tile", func(t *testing.T) {
		// Hash 37 of the level-0 tile holding entry 100 is one of its
		// siblings in the inclusion proof.
		restore := flipFile(t, filepath.Join(d.dir, "logs/wa/tile/0/000"), func(b []byte) []byte {
			b[37*32+5] ^= 1
			return b
		})
		defer restore()
		tb := b.newTab(t)
		tb.do(chromedp.Navigate(srv.URL+"/logs/wa/epochs/0.html"), chromedp.WaitVisible(chromedp.CSS(`#epoch-722700 button`)))
		status, msg := tb.verify("#epoch-722700")
		if status != "failed" || !strings.Contains(msg, "tile/0/000") || !strings.Contains(msg, "a tile is corrupt") {
			t.Errorf("with a corrupt tile: %s: %s", status, msg)
		}
		t.Logf("corrupt tile: %s", msg)
		tb.checkOrigins(srv.URL)
	})

	t.Run("corrupt checkpoint signature", func(t *testing.T) {
		restore := flipFile(t, filepath.Join(d.dir, "logs/wa/checkpoint"), func(b []byte) []byte {
			lines := strings.Split(string(b), "\n")
			for i, l := range lines {
				if name, sig, ok := strings.Cut(strings.TrimPrefix(l, "— "), " "); ok && strings.HasPrefix(l, "— ") {
					raw, err := base64.StdEncoding.DecodeString(sig)
					if err != nil {
						t.Fatal(err)
					}
					raw[20] ^= 1 // in the Ed25519 signature, after the key hash
					lines[i] = "— " + name + " " + base64.StdEncoding.EncodeToString(raw)
				}
			}
			return []byte(strings.Join(lines, "\n"))
		})
		defer restore()
		tb := b.newTab(t)
		tb.do(chromedp.Navigate(srv.URL+"/logs/wa/epochs/0.html"), chromedp.WaitVisible(chromedp.CSS(`#epoch-722700 button`)))
		status, msg := tb.verify("#epoch-722700")
		if status != "failed" || !strings.Contains(msg, "signature by demo.stele.test/kt/wa+") || !strings.Contains(msg, "does not verify") {
			t.Errorf("with a corrupt checkpoint signature: %s: %s", status, msg)
		}
		t.Logf("corrupt signature: %s", msg)
		tb.do(chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`#verify button`)))
		if status, msg := tb.verify("#verify"); status != "failed" || !strings.Contains(msg, "does not verify") {
			t.Errorf("index with a corrupt checkpoint signature: %s: %s", status, msg)
		}
		tb.checkOrigins(srv.URL)
	})

	t.Run("ages and staleness", func(t *testing.T) {
		// A front page whose logs were last verified an hour ago, with a
		// staleness limit of a minute.
		ctx := context.Background()
		st := openDir(t, t.TempDir())
		hourAgo := time.Now().Add(-time.Hour).UnixMilli()
		e := uint64(5)
		logs := []site.Log{
			{LogRef: site.LogRef{Name: "old", Origin: d.origin + "/old", VerifierKey: d.vkey}, Status: site.LogOnline, LastEpoch: &e, LastVerifiedAt: hourAgo},
			{LogRef: site.LogRef{Name: "stopped", Origin: d.origin + "/stopped", VerifierKey: d.vkey}, Status: site.LogHalted, LastEpoch: &e, LastVerifiedAt: hourAgo},
		}
		page, err := site.RenderIndex(site.Index{Meta: site.Meta{Title: "t", Origin: d.origin, VerifierKey: d.vkey}, Logs: logs, StaleAfter: time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		key, script := site.Script()
		html := store.Metadata(layout.MDPage)
		if err := st.Put(ctx, "index.html", site.Gzip(page), html); err != nil {
			t.Fatal(err)
		}
		if err := st.Put(ctx, key, site.Gzip(script), store.Metadata(layout.MDScript)); err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(site.Handler(st, nil))
		defer srv.Close()
		tb := b.newTab(t)
		tb.do(chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`#verify button`)))
		got := run(tb, chromedp.Evaluate[[]string](`[...document.querySelectorAll('.log .status')].map(s => s.textContent)`))
		if !slices.Equal(got, []string{"stale", "halted"}) {
			t.Errorf("statuses %q, want stale and halted", got)
		}
		if age := run(tb, chromedp.Text(chromedp.CSS("#log-old .age"))); !strings.Contains(age, "1 hour ago") {
			t.Errorf("age %q", age)
		}
		tb.checkOrigins(srv.URL)
	})
}
