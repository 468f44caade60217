package site

import (
	"bytes"
	"errors"
	"log/slog"
	"mime"
	"net/http"
	"os"
	"path"
	"strings"
	"time"

	"stele/store"
)

// Handler returns an http.Handler that serves st as a static website.
// Only GET and HEAD are allowed. Keys with a segment that starts with a dot
// are never served. logger may be nil.
func Handler(st store.Store, logger *slog.Logger) http.Handler {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &host{st: st, log: logger}
}

type host struct {
	st  store.Store
	log *slog.Logger
}

func (h *host) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	key, ok := keyFor(r.URL.Path)
	if !ok {
		http.NotFound(w, r)
		return
	}
	obj, err := h.st.Get(r.Context(), key)
	if errors.Is(err, os.ErrNotExist) && !strings.HasSuffix(key, "index.html") {
		key += "/index.html"
		obj, err = h.st.Get(r.Context(), key)
	}
	if errors.Is(err, os.ErrNotExist) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		h.log.Error("reading object", "key", key, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", contentType(key, obj.ContentType))
	if obj.CacheControl != "" {
		hd.Set("Cache-Control", obj.CacheControl)
	}
	if obj.ContentEncoding != "" {
		hd.Set("Content-Encoding", obj.ContentEncoding)
	}
	if obj.ETag != "" {
		hd.Set("ETag", quoteETag(obj.ETag))
	}
	hd.Set("X-Content-Type-Options", "nosniff")
	// Logs are public and read by clients on other origins (monitors,
	// witnesses, browser verifiers), as on a public bucket with CORS.
	hd.Set("Access-Control-Allow-Origin", "*")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(obj.Data))
}

// keyFor maps a URL path to an object key, refusing paths that name
// bookkeeping (dot segments) or climb out of the root.
func keyFor(p string) (string, bool) {
	if !strings.HasPrefix(p, "/") {
		return "", false
	}
	trailing := strings.HasSuffix(p, "/")
	key := strings.TrimPrefix(p, "/")
	for _, seg := range strings.Split(strings.TrimSuffix(key, "/"), "/") {
		if strings.HasPrefix(seg, ".") {
			return "", false
		}
		if seg == "" && key != "" {
			return "", false
		}
	}
	if key == "" || trailing {
		key += "index.html"
	}
	return key, true
}

// contentType is the stored type, or one guessed from the key for objects
// that came without metadata (a log written by another program).
func contentType(key, stored string) string {
	if stored != "" {
		return stored
	}
	if t := mime.TypeByExtension(path.Ext(key)); t != "" {
		return t
	}
	if path.Base(key) == "checkpoint" {
		return "text/plain; charset=utf-8"
	}
	return "application/octet-stream"
}

func quoteETag(e string) string {
	if strings.HasPrefix(e, `"`) || strings.HasPrefix(e, `W/"`) {
		return e
	}
	return `"` + e + `"`
}
