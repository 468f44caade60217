package site

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"html/template"
	"strings"
	"time"

	"stele/layout"
)

//go:embed templates/*.tmpl
var templateFS embed.FS

//go:embed static/style.css
var styleCSS string

//go:embed static/verify.js
var verifyJS []byte

// Script is the in-browser verifier: its object key under the site root
// (named by a hash of its content, so it can be cached forever) and its
// bytes. Pages load it from there; the publisher stores it with
// layout.MDScript.
func Script() (key string, data []byte) {
	sum := sha256.Sum256(verifyJS)
	return layout.Asset("verify-" + hex.EncodeToString(sum[:8]) + ".js"), verifyJS
}

// styleHash is the CSP source of the inline style sheet.
func styleHash() string {
	sum := sha256.Sum256([]byte(styleCSS))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// view is what the base template renders around a page's content.
type view struct {
	Meta    Meta
	Root    string // from the page to the site root: "", "../../", ...
	Title   string // the page's own title
	Crumbs  []crumb
	Script  string
	CSS     template.CSS
	CSSHash string
	Data    any
}

type crumb struct{ Href, Text string }

var funcs = template.FuncMap{
	"utc": func(ms int64) string { return time.UnixMilli(ms).UTC().Format("2006-01-02 15:04:05 UTC") },
	"iso": func(ms int64) string { return time.UnixMilli(ms).UTC().Format("2006-01-02T15:04:05.000Z") },
	"leafHash": func(line []byte) string {
		sum := sha256.Sum256(append([]byte{0}, line...))
		return hex.EncodeToString(sum[:])
	},
	"nsPage":       layout.NamespacePage,
	"epochPage":    layout.EpochPage,
	"epochList":    layout.EpochList,
	"historyIndex": layout.HistoryIndex,
	"audit":        layout.Audit,
	"nsInfo":       func(ns string) string { return "namespaces/" + ns + "/index.html" },
	"lastVerified": layout.LastVerifiedEpoch,
	"logKey":       func(ns, key string) string { return layout.LogPrefix(ns) + key },
	"archived":     func(ns string, size int64) string { return layout.LogPrefix(ns) + layout.ArchivedCheckpoint(size) },
	"pageOf":       PageOf,
	"dec":          func(n int64) int64 { return n - 1 },
	"statusArgs": func(l Log, staleMs int64) statusArgs {
		return statusArgs{Log: l, StaleMs: staleMs}
	},
	"siteURL": func(m Meta) string {
		if m.URL != "" {
			return strings.TrimSuffix(m.URL, "/")
		}
		return "https://" + m.Origin
	},
	"proofURL": func(e Entry, i int) string {
		if i < len(e.ProofURLs) && (strings.HasPrefix(e.ProofURLs[i], "https://") || strings.HasPrefix(e.ProofURLs[i], "http://")) {
			return e.ProofURLs[i]
		}
		return ""
	},
}

// templates are parsed once: the base layout cloned per page.
var templates = func() map[string]*template.Template {
	base := template.Must(template.New("base.tmpl").Funcs(funcs).ParseFS(templateFS, "templates/base.tmpl", "templates/parts.tmpl"))
	out := map[string]*template.Template{}
	for _, name := range []string{"index", "namespace", "epochs", "epochlist", "history"} {
		out[name] = template.Must(template.Must(base.Clone()).ParseFS(templateFS, "templates/"+name+".tmpl"))
	}
	return out
}()

// render executes a page's template with the base layout around it.
func render(name string, v view) ([]byte, error) {
	v.Script, _ = Script()
	v.CSS = template.CSS(styleCSS)
	v.CSSHash = styleHash()
	var buf bytes.Buffer
	if err := templates[name].ExecuteTemplate(&buf, "base.tmpl", v); err != nil {
		return nil, fmt.Errorf("rendering the %s page: %w", name, err)
	}
	return buf.Bytes(), nil
}

// Gzip compresses a page deterministically (no name, no time in the
// header), so an unchanged page compresses to unchanged bytes.
func Gzip(b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
	zw.Write(b) // writes to a bytes.Buffer do not fail
	zw.Close()
	return buf.Bytes()
}
