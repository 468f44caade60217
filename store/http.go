package store

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
)

// DefaultMaxObjectBytes is the largest object [HTTP] reads unless told
// otherwise: far above the largest object stele publishes (an entry bundle
// of 256 records of at most 64 KiB each), far below what would exhaust a
// machine.
const DefaultMaxObjectBytes = 256 << 20

// HTTP is a read-only [Store] over a site published on a static HTTP host:
// Get fetches baseURL/key. It cannot write, and it cannot list, since plain
// static hosts have no listing: Create, Put, Swap and List return errors
// wrapping ErrReadOnly (List's says listing is not supported over HTTP, and
// wraps errors.ErrUnsupported too). Sync has nothing to do.
type HTTP struct {
	base   *url.URL
	client *http.Client

	// MaxObjectBytes is the largest object Get reads (after decoding).
	// A larger one is an error. The objects of a tlog-tiles log are held
	// to their kind's own bound too: a hash tile to its hashes, an entry
	// bundle to 256 entries of the largest size, a checkpoint to 1 MiB, a
	// history to 16 MiB.
	MaxObjectBytes int64

	// KeepEncoding makes Get return objects as sent, with their
	// ContentEncoding, instead of decoding them.
	KeepEncoding bool
}

var _ Store = (*HTTP)(nil)

// StatusError is a response other than 200 OK to a Get. For 404 Not Found
// and 410 Gone it wraps os.ErrNotExist; any other status means the object
// could not be read right now.
type StatusError struct {
	URL        string
	StatusCode int
	Status     string // as the server sent it, e.g. "503 Service Unavailable"
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("store: GET %s: %s", e.URL, e.Status)
}

// Unwrap returns os.ErrNotExist for 404 and 410, nil otherwise.
func (e *StatusError) Unwrap() error {
	if e.StatusCode == http.StatusNotFound || e.StatusCode == http.StatusGone {
		return fs.ErrNotExist
	}
	return nil
}

// NewHTTP returns the read-only store of the site at baseURL, an http or
// https URL without query or fragment (a trailing slash is optional). A nil
// client means http.DefaultClient.
func NewHTTP(baseURL string, client *http.Client) (*HTTP, error) {
	u, err := url.Parse(baseURL)
	if err != nil {
		return nil, fmt.Errorf("store: parsing site URL: %w", err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("store: site URL %q: scheme is not http or https", baseURL)
	case u.Host == "":
		return nil, fmt.Errorf("store: site URL %q: no host", baseURL)
	case u.User != nil:
		return nil, fmt.Errorf("store: site URL %q: credentials in URLs are not supported", baseURL)
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return nil, fmt.Errorf("store: site URL %q: query or fragment not supported", baseURL)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	if client == nil {
		client = http.DefaultClient
	}
	return &HTTP{base: u, client: client, MaxObjectBytes: DefaultMaxObjectBytes}, nil
}

// URL returns the address Get fetches for key.
func (h *HTTP) URL(key string) string {
	u := *h.base
	u.Path = h.base.Path + "/" + key
	return u.String()
}

// Get fetches the object. Checkpoints (keys "checkpoint" and ".../checkpoint")
// are asked for with Cache-Control: no-cache, so that a CDN revalidates them.
// It asks for gzip itself and decodes a gzip body after the whole body
// has arrived, so Data is the object's plain bytes and ContentEncoding is
// empty (unless KeepEncoding is set: then Data is the bytes as sent and
// ContentEncoding says how they are encoded, as a mirror keeps them). A body that arrived whole but does not decode
// is an error wrapping ErrCorruptEncoding (bytes to judge, not a failed
// transfer); decoded output is bounded by MaxObjectBytes too. A body
// shorter than its Content-Length is an error.
func (h *HTTP) Get(ctx context.Context, key string) (Object, error) {
	if err := CheckKey(key); err != nil {
		return Object{}, err
	}
	u := h.URL(key)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return Object{}, fmt.Errorf("store: fetching %s: %w", u, err)
	}
	if isCheckpointKey(key) {
		req.Header.Set("Cache-Control", "no-cache")
	}
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := h.client.Do(req)
	if err != nil {
		return Object{}, fmt.Errorf("store: fetching %s: %w", u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return Object{}, &StatusError{URL: u, StatusCode: resp.StatusCode, Status: resp.Status}
	}
	limit := h.MaxObjectBytes
	if limit <= 0 {
		limit = DefaultMaxObjectBytes
	}
	limit = objectLimit(key, limit)
	if resp.ContentLength > limit {
		return Object{}, fmt.Errorf("store: fetching %s: object of %d bytes is larger than the limit of %d", u, resp.ContentLength, limit)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return Object{}, fmt.Errorf("store: fetching %s: reading the body: %w", u, err)
	}
	if int64(len(data)) > limit {
		return Object{}, fmt.Errorf("store: fetching %s: object is larger than the limit of %d bytes", u, limit)
	}
	if resp.ContentLength >= 0 && int64(len(data)) != resp.ContentLength {
		return Object{}, fmt.Errorf("store: fetching %s: short transfer: %d of %d bytes: %w", u, len(data), resp.ContentLength, io.ErrUnexpectedEOF)
	}
	md := Metadata{
		ContentType:  resp.Header.Get("Content-Type"),
		CacheControl: resp.Header.Get("Cache-Control"),
	}
	switch enc := resp.Header.Get("Content-Encoding"); {
	case h.KeepEncoding:
		md.ContentEncoding = enc
	case enc == "", enc == "identity":
	case enc == "gzip":
		if data, err = gunzipLimited(data, limit); err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) && closeDelimited(resp) {
				// A body that ends when the connection does may have been
				// cut: a transfer to retry, not bytes to judge.
				return Object{}, fmt.Errorf("store: fetching %s: gzip body ends early, and the response has no length to tell a cut connection: %w", u, err)
			}
			return Object{}, fmt.Errorf("store: fetching %s: %w: %v", u, ErrCorruptEncoding, err)
		}
	default:
		return Object{}, fmt.Errorf("store: fetching %s: %w: unsupported content encoding %q", u, ErrCorruptEncoding, enc)
	}
	if n, ok := tileLength(key); ok && int64(len(data)) < n && closeDelimited(resp) && md.ContentEncoding == "" {
		// A hash tile shorter than its name says, in a body with no
		// length: as likely a cut connection as a short tile.
		return Object{}, fmt.Errorf("store: fetching %s: %d of the tile's %d bytes, and the response has no length to tell a cut connection: %w", u, len(data), n, io.ErrUnexpectedEOF)
	}
	return Object{Data: data, Metadata: md, ETag: resp.Header.Get("ETag")}, nil
}

// Create returns an error wrapping ErrReadOnly.
func (h *HTTP) Create(ctx context.Context, key string, data []byte, md Metadata) error {
	return h.readOnly("creating", key)
}

// Put returns an error wrapping ErrReadOnly.
func (h *HTTP) Put(ctx context.Context, key string, data []byte, md Metadata) error {
	return h.readOnly("writing", key)
}

// Swap returns an error wrapping ErrReadOnly.
func (h *HTTP) Swap(ctx context.Context, key, etag string, data []byte, md Metadata) error {
	return h.readOnly("swapping", key)
}

func (h *HTTP) readOnly(doing, key string) error {
	if err := CheckKey(key); err != nil {
		return err
	}
	return fmt.Errorf("store: %s %q at %s: %w", doing, key, h.base, ErrReadOnly)
}

// List returns an error: a static HTTP host has no listing.
func (h *HTTP) List(ctx context.Context, prefix string) ([]string, error) {
	if err := checkPrefix(prefix); err != nil {
		return nil, err
	}
	return nil, fmt.Errorf("store: listing %q at %s: listing is not supported over HTTP: %w (%w)", prefix, h.base,
		ErrReadOnly, errors.ErrUnsupported)
}

// Sync does nothing: nothing is ever written.
func (h *HTTP) Sync(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("store: syncing: %w", err)
	}
	return nil
}

// ErrCorruptEncoding means an object arrived whole but its content
// encoding does not decode: the bytes are bad, the transfer was not.
var ErrCorruptEncoding = errors.New("store: content encoding does not decode")

func gunzipLimited(data []byte, limit int64) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	out, err := io.ReadAll(io.LimitReader(zr, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(out)) > limit {
		return nil, fmt.Errorf("decodes to more than the limit of %d bytes", limit)
	}
	return out, zr.Close()
}

// closeDelimited reports whether resp's body ends when the connection
// does (HTTP/1 with neither a Content-Length nor chunked encoding), so
// that a cut connection looks like the end of the body.
func closeDelimited(resp *http.Response) bool {
	return resp.ProtoMajor == 1 && resp.ContentLength < 0 && len(resp.TransferEncoding) == 0
}
