package site

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"html"
	"io"
	"regexp"
	"strings"
	"testing"

	"stele/layout"
)

const evil = `<script>alert(1)</script>`

// renderAll renders one page of every kind from the same data.
func renderAll(t *testing.T, meta Meta, logs []Log, idx *EpochIndex, entries []Entry) map[string][]byte {
	t.Helper()
	pages := map[string][]byte{}
	add := func(name string, b []byte, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		pages[name] = b
	}
	b, err := RenderIndex(Index{Meta: meta, Logs: logs})
	add("index", b, err)
	b, err = RenderOverview(Overview{Meta: meta, Log: logs[0], Pages: idx})
	add("overview", b, err)
	b, err = RenderEpochs(Epochs{Meta: meta, Log: logs[0].LogRef, Bundle: PageOf(entries[0].Index), Entries: entries})
	add("epochs", b, err)
	b, err = RenderEpochList(EpochList{Meta: meta, Log: logs[0].LogRef, Pages: idx})
	add("epochlist", b, err)
	b, err = RenderHistory(History{Meta: meta, Log: logs[0].LogRef, Sizes: []int64{1, 13, 41}, Page: 0})
	add("history", b, err)
	return pages
}

func TestRenderEscapesEverything(t *testing.T) {
	meta := testMeta()
	meta.Title = evil
	l := testLog("wa")
	l.Domain, l.Configuration = evil, "experimental"
	l.SourceURL = "javascript:alert(1)"
	l.Status = LogHalted
	l.Halt = &Violation{Entry: 3, Epoch: 722603, Reason: evil}
	entries := testEntries(t, "wa", 0, 3, 722600)
	entries = append(entries, testViolation(t, "wa", 3, 722603, evil, evil))
	idx := &EpochIndex{}
	for _, e := range entries {
		if err := idx.Add(e.Index, e.Record); err != nil {
			t.Fatal(err)
		}
	}
	for name, page := range renderAll(t, meta, []Log{l}, idx, entries) {
		s := string(page)
		if strings.Contains(s, evil) || strings.Contains(s, "<script>alert") {
			t.Errorf("%s: the value %s is rendered as markup", name, evil)
		}
		if !strings.Contains(s, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Errorf("%s: the escaped value is missing", name)
		}
		if n := strings.Count(s, "<script"); n != 1 {
			t.Errorf("%s: %d script elements, want only the verifier's", name, n)
		}
		if strings.Contains(s, `href="javascript:`) {
			t.Errorf("%s: a javascript: URL became a link", name)
		}
	}
}

// Negative control: the check above would see an unescaped value.
func TestEscapeCheckSeesRawMarkup(t *testing.T) {
	raw := "<p>" + evil + "</p>"
	if !strings.Contains(raw, evil) {
		t.Fatal("the check cannot see raw markup")
	}
}

func TestRenderIndex(t *testing.T) {
	meta := testMeta()
	halted := testLog("halted-ns")
	halted.Status, halted.Halt = LogHalted, &Violation{Entry: 300, Epoch: 722900, Reason: "the previous root does not rebuild"}
	fresh := testLog("fresh")
	fresh.Status, fresh.Size, fresh.LastEpoch, fresh.LastVerifiedAt, fresh.RootHash = LogInitialization, 0, nil, 0, ""
	b, err := RenderIndex(Index{Meta: meta, Logs: []Log{testLog("wa"), halted, fresh}})
	if err != nil {
		t.Fatal(err)
	}
	s := html.UnescapeString(string(b)) // '+' in keys is written &#43;
	for _, want := range []string{
		`href="logs/wa/index.html"`, `data-log="wa"`, `data-origin="kt.example.test/stele/wa"`,
		`data-vkey="` + testLog("wa").VerifierKey + `"`,
		`<button type="button" data-verify="logs" hidden>Verify in this browser</button>`,
		`class="verify-result"`,
		`stele verify <span data-site-url>https://kt.example.test/stele</span> -vkey ` + meta.VerifierKey,
		`stele mirror <span data-site-url>https://kt.example.test/stele</span> ./mirror`,
		meta.PlexiKey, `data-ms="1795644938079"`, `2026-11-25 22:15:38 UTC`,
		`Halted by a violation`, `href="logs/halted-ns/epochs/1.html#epoch-722900"`, `the previous root does not rebuild`,
		`data-status="online"`, `data-stale-ms="86400000"`, `data-status="initialization"`,
		`href="logs/wa/checkpoint"`, `href="info"`, `href="namespaces/index.html"`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("the index lacks %s", want)
		}
	}
	if len(b) > 100_000 {
		t.Errorf("the index is %d bytes", len(b))
	}
}

func TestRenderIndexWeight(t *testing.T) {
	var logs []Log
	for i := range 20 {
		logs = append(logs, testLog(fmt.Sprintf("namespace-%d", i)))
	}
	b, err := RenderIndex(Index{Meta: testMeta(), Logs: logs})
	if err != nil {
		t.Fatal(err)
	}
	if len(b) >= 100_000 {
		t.Fatalf("an index of 20 namespaces is %d bytes, over 100 KB", len(b))
	}
	t.Logf("index of 20 namespaces: %d bytes, %d gzipped", len(b), len(Gzip(b)))
}

func TestRenderEpochs(t *testing.T) {
	meta, l := testMeta(), testLog("wa")
	full := testEntries(t, "wa", 256, 256, 722600)
	b, err := RenderEpochs(Epochs{Meta: meta, Log: l.LogRef, Bundle: 1, Entries: full})
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, want := range []string{
		"never changes", `href="../../../logs/wa/epochs/2.html"`, `href="../../../logs/wa/epochs/0.html"`,
		`id="epoch-722856"`, `data-entry="256"`, `data-entry="511"`, `href="../../../namespaces/wa/audits/722856"`,
		`<script src="../../../assets/verify-`, `data-verify="entry"`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("the full page lacks %s", want)
		}
	}
	for _, e := range full {
		sum := sha256.Sum256(append([]byte{0}, e.Line...))
		if !strings.Contains(s, `data-leaf="`+hex.EncodeToString(sum[:])+`"`) {
			t.Fatalf("entry %d: leaf hash missing", e.Index)
		}
	}
	for _, current := range []string{"checkpoint of size", "ago"} {
		if strings.Contains(s, current) {
			t.Errorf("a full page holds current data: %q", current)
		}
	}

	partial := testEntries(t, "wa", 0, 10, 722600)
	b, err = RenderEpochs(Epochs{Meta: meta, Log: l.LogRef, Bundle: 0, Entries: partial})
	if err != nil {
		t.Fatal(err)
	}
	if s := string(b); strings.Contains(s, "never changes") || strings.Contains(s, "epochs/1.html") || !strings.Contains(s, "grows") {
		t.Error("the partial page claims to be final or links to a next page")
	}

	// Negative controls: entries that are not the bundle's.
	if _, err := RenderEpochs(Epochs{Meta: meta, Log: l.LogRef, Bundle: 1, Entries: partial}); err == nil {
		t.Error("entries of bundle 0 rendered as bundle 1")
	}
	if _, err := RenderEpochs(Epochs{Meta: meta, Log: l.LogRef, Bundle: 0, Entries: partial[1:]}); err == nil {
		t.Error("a bundle page not starting at its first entry rendered")
	}
	if _, err := RenderEpochs(Epochs{Meta: meta, Log: l.LogRef}); err == nil {
		t.Error("an empty bundle page rendered")
	}
}

func TestRenderProofLinks(t *testing.T) {
	e := testEntries(t, "wa", 0, 2, 100)
	e[1].ProofURLs = []string{"https://bucket.example/proofs/" + e[1].Record.Proofs[0].Name}
	b, err := RenderEpochs(Epochs{Meta: testMeta(), Log: testLog("wa").LogRef, Entries: e})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `<a href="https://bucket.example/proofs/101/`) {
		t.Error("the proof is not linked to its source object")
	}
}

func TestRenderHistory(t *testing.T) {
	var sizes []int64
	for i := range 250 {
		sizes = append(sizes, int64(i+1)*3)
	}
	if n := HistoryPages(len(sizes)); n != 3 {
		t.Fatalf("%d pages", n)
	}
	for p, want := range []string{"logs/wa/checkpoint-history/0.html", "logs/wa/checkpoint-history/1.html", "logs/wa/checkpoint-history/index.html"} {
		if got := HistoryKey("wa", len(sizes), p); got != want {
			t.Errorf("page %d: key %s, want %s", p, got, want)
		}
	}
	ref := testLog("wa").LogRef
	b, err := RenderHistory(History{Meta: testMeta(), Log: ref, Sizes: sizes, Page: 2})
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	if i, j := strings.Index(s, "checkpoints/750<"), strings.Index(s, "checkpoints/603<"); i < 0 || j < 0 || i > j {
		t.Error("the newest page does not list 750 down to 603, newest first")
	}
	if strings.Contains(s, "checkpoints/600<") || !strings.Contains(s, `href="../../../logs/wa/checkpoint-history/1.html"`) || strings.Contains(s, "newer") {
		t.Error("the newest page holds an older size, or lacks its link to older ones")
	}
	b, _ = RenderHistory(History{Meta: testMeta(), Log: ref, Sizes: sizes, Page: 1})
	if s := string(b); !strings.Contains(s, `checkpoint-history/index.html">← newer`) || !strings.Contains(s, `checkpoint-history/0.html">older`) {
		t.Error("a middle page lacks its links")
	}
	if _, err := RenderHistory(History{Meta: testMeta(), Log: ref, Sizes: sizes, Page: 3}); err == nil {
		t.Error("a page past the last rendered")
	}
	if b, err := RenderHistory(History{Meta: testMeta(), Log: ref}); err != nil || !strings.Contains(string(b), "No checkpoint") {
		t.Errorf("an empty history: %v", err)
	}
}

var styleRe = regexp.MustCompile(`(?s)<style>(.*?)</style>`)

func TestPagesAreSelfContained(t *testing.T) {
	key, script := Script()
	if !regexp.MustCompile(`^assets/verify-[0-9a-f]{16}\.js$`).MatchString(key) || !strings.HasPrefix(key, layout.AssetPrefix) {
		t.Fatalf("script key %s", key)
	}
	if !bytes.Contains(script, []byte("data-verify-status")) && !bytes.Contains(script, []byte("verifyStatus")) {
		t.Fatal("the script does not report a status")
	}
	entries := testEntries(t, "wa", 0, 3, 10)
	idx := &EpochIndex{}
	for _, e := range entries {
		idx.Add(e.Index, e.Record)
	}
	for name, page := range renderAll(t, testMeta(), []Log{testLog("wa")}, idx, entries) {
		s := string(page)
		if !strings.Contains(s, `src="`) || !strings.Contains(s, key+`" defer></script>`) {
			t.Errorf("%s does not load %s", name, key)
		}
		for _, external := range []string{`src="http`, `src="//`, `<link rel="stylesheet"`, `@import`, `url(`} {
			if strings.Contains(s, external) {
				t.Errorf("%s loads something from elsewhere: %s", name, external)
			}
		}
		m := styleRe.FindStringSubmatch(s)
		if m == nil {
			t.Fatalf("%s has no style sheet", name)
		}
		sum := sha256.Sum256([]byte(m[1]))
		if !strings.Contains(s, "sha256-"+strings.ReplaceAll(base64.StdEncoding.EncodeToString(sum[:]), "+", "&#43;")) {
			t.Errorf("%s: the CSP does not allow its own style sheet", name)
		}
	}
}

func TestGzipIsDeterministic(t *testing.T) {
	page := []byte(strings.Repeat("<p>stele</p>\n", 100))
	a, b := Gzip(page), Gzip(page)
	if !bytes.Equal(a, b) {
		t.Fatal("two compressions differ")
	}
	zr, err := gzip.NewReader(bytes.NewReader(a))
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(got, page) {
		t.Fatalf("round trip: %v", err)
	}
	if !zr.ModTime.IsZero() || zr.Name != "" {
		t.Error("the gzip header carries a time or a name")
	}
}
