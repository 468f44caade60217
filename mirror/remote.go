package mirror

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"stele/store"
	"stele/tiles"
)

// NewRemote returns a read-only store of the site or log at baseURL (http
// or https) suited to mirroring: it asks for gzip itself, so that objects
// published gzip-compressed (entry bundles, pages) arrive as the bytes
// that were published rather than decoded by the HTTP client, and it
// decodes what other readers must parse (see [Normalize]). A nil client
// gets a transport that keeps enough idle connections for concurrent
// fetches.
func NewRemote(baseURL string, client *http.Client) (store.Store, error) {
	if client == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 64
		client = &http.Client{Transport: tr}
	}
	h, err := store.NewHTTP(baseURL, client)
	if err != nil {
		return nil, fmt.Errorf("mirror: %w", err)
	}
	h.KeepEncoding = true // bundles and pages are kept as published
	return normalizing{h}, nil
}

// normalizing is a store whose Get applies Normalize.
type normalizing struct{ store.Store }

func (n normalizing) Get(ctx context.Context, key string) (store.Object, error) {
	obj, err := n.Store.Get(ctx, key)
	if err != nil {
		return obj, err
	}
	return Normalize(key, obj)
}

// Normalize returns obj as the mirror stores it. Entry bundles and objects
// meant for browsers (HTML, scripts, style sheets) keep their content
// encoding: they are stored as published. Anything else that arrived
// encoded (a hash tile, a checkpoint, a JSON object compressed by a CDN in
// transit) is decoded, since its readers parse the bytes directly. An
// encoding that cannot be decoded is an error.
func Normalize(key string, obj store.Object) (store.Object, error) {
	if obj.ContentEncoding == "" || keepsEncoding(key, obj.ContentType) {
		return obj, nil
	}
	data, err := obj.Decoded()
	if err != nil {
		return store.Object{}, fmt.Errorf("mirror: decoding %s: %w", key, err)
	}
	obj.Data, obj.ContentEncoding = data, ""
	return obj, nil
}

// keepsEncoding reports whether an object is stored with the content
// encoding it arrived with.
func keepsEncoding(key, contentType string) bool {
	if t, err := tiles.ParsePath(tileKey(key)); err == nil {
		return t.L == -1
	}
	ct := strings.ToLower(contentType)
	for _, p := range []string{"text/html", "text/javascript", "application/javascript", "text/css"} {
		if strings.HasPrefix(ct, p) {
			return true
		}
	}
	return false
}

// tileKey returns the part of key from its last "tile/" segment on, or key.
func tileKey(key string) string {
	if strings.HasPrefix(key, "tile/") {
		return key
	}
	if i := strings.LastIndex(key, "/tile/"); i >= 0 {
		return key[i+1:]
	}
	return key
}
