package source

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
)

// DefaultMaxObjectBytes is the largest proof object an [HTTP] source
// streams unless told otherwise: well above the largest proofs published
// today (Messenger's, about 284 MB), well below what would exhaust a
// machine. The configuration's max_proof_bytes is usually tighter.
const DefaultMaxObjectBytes = 2 << 30

// maxListingBytes bounds one page of a listing (1,000 keys take about
// 300 KB).
const maxListingBytes = 16 << 20

// maxListingPages bounds how many pages one List reads: a million keys in
// one epoch is far beyond any directory.
const maxListingPages = 1000

// CacheBustParam is the query parameter that makes every listing URL
// unique, so that a CDN in front of the bucket cannot answer with a
// listing it cached before the epoch's object appeared.
const CacheBustParam = "stele-nocache"

// HTTP is a [Source] at a bucket's public URL: a CDN distribution in front
// of the bucket (https://HOST[/PATH], as WhatsApp's) or a path-style bucket
// URL on an endpoint (http://endpoint/BUCKET). It speaks the S3 listing API
// over plain HTTP(S), anonymously (stele.md, the https:// source):
//
//   - List(E) is GET URL?list-type=2&prefix=<P><E>/ with a cache-busting
//     parameter and Cache-Control: no-cache, following continuation
//     tokens;
//   - Open(name) is GET URL/<P><name>.
//
// P is the prefix inside the bucket, from the location's ?prefix=P/.
// A 404 or 410 for an object is "not there"; every other failure,
// including 403 (what a bucket that does not grant s3:ListBucket answers
// for a missing key), is transient. Open refuses an object announced
// larger than MaxObjectBytes and fails a read past it. Nothing is
// retried.
type HTTP struct {
	base     *url.URL // without query, path without trailing slash
	prefix   string   // "" or ending in "/"
	location string
	client   *http.Client

	// MaxObjectBytes is the largest object Open streams (default
	// DefaultMaxObjectBytes). Set it before first use.
	MaxObjectBytes int64

	gets, lists atomic.Int64
	nonce       string
	seq         atomic.Uint64
}

var _ Source = (*HTTP)(nil)

// NewHTTP returns the source at a bucket's public URL: http:// or
// https://, no credentials, no fragment, and no query parameter but an
// optional prefix=P/ (a slash is added if missing). A nil client means
// http.DefaultClient.
func NewHTTP(location string, client *http.Client) (*HTTP, error) {
	u, err := url.Parse(location)
	if err != nil {
		return nil, fmt.Errorf("source: parsing %s: %w", location, err)
	}
	bad := func(why string) (*HTTP, error) { return nil, fmt.Errorf("source: %s: %s", location, why) }
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return bad("the scheme is not http or https")
	case u.Host == "":
		return bad("no host")
	case u.User != nil:
		return bad("credentials in URLs are not supported")
	case u.Fragment != "":
		return bad("a fragment is not allowed")
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return bad("query: " + err.Error())
	}
	prefix := ""
	for name, vals := range q {
		if name != "prefix" {
			return bad(fmt.Sprintf("unknown query parameter %q (only prefix is known)", name))
		}
		if len(vals) != 1 {
			return bad("prefix given more than once")
		}
		prefix = strings.TrimPrefix(vals[0], "/")
		if prefix != "" && !strings.HasSuffix(prefix, "/") {
			prefix += "/"
		}
	}
	base := &url.URL{Scheme: u.Scheme, Host: u.Host, Path: strings.TrimRight(u.Path, "/")}
	if client == nil {
		client = http.DefaultClient
	}
	var n [6]byte
	rand.Read(n[:])
	return &HTTP{base: base, prefix: prefix, location: location, client: client,
		MaxObjectBytes: DefaultMaxObjectBytes, nonce: hex.EncodeToString(n[:])}, nil
}

// Location returns the URL the source was made with.
func (h *HTTP) Location() string { return h.location }

// URL returns the object's public URL, URL/<P><name>.
func (h *HTTP) URL(name string) string {
	u := *h.base
	u.Path = h.base.Path + "/" + h.prefix + name
	return u.String()
}

// Requests returns the requests sent so far by kind: "LIST" (listing
// pages) and "GET" (objects), with "PUT" and "HEAD" always zero.
func (h *HTTP) Requests() map[string]int64 {
	return map[string]int64{"GET": h.gets.Load(), "LIST": h.lists.Load(), "PUT": 0, "HEAD": 0}
}

// listURL returns the URL of one page of the listing of prefix.
func (h *HTTP) listURL(prefix, token string) string {
	q := url.Values{"list-type": {"2"}, "prefix": {prefix}}
	if token != "" {
		q.Set("continuation-token", token)
	}
	q.Set(CacheBustParam, h.nonce+"-"+strconv.FormatUint(h.seq.Add(1), 10))
	u := *h.base
	if u.Path == "" {
		u.Path = "/"
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// List implements [Source.List].
func (h *HTTP) List(ctx context.Context, epoch uint64) ([]Object, error) {
	objs, err := h.list(ctx, epoch)
	if err != nil {
		return nil, fmt.Errorf("source: listing epoch %d at %s: %w", epoch, h.location, err)
	}
	return objs, nil
}

func (h *HTTP) list(ctx context.Context, epoch uint64) ([]Object, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	prefix := h.prefix + strconv.FormatUint(epoch, 10) + "/"
	var objs []Object
	seen := map[string]bool{}
	tokens := map[string]bool{}
	token := ""
	for range maxListingPages {
		page, err := h.page(ctx, prefix, token)
		if err != nil {
			return nil, err
		}
		for i, k := range page.Keys {
			if obj, ok := listed(k, h.prefix, epoch, page.Sizes[i]); ok && !seen[obj.Name] {
				seen[obj.Name] = true
				objs = append(objs, obj)
			}
		}
		if !page.Truncated {
			return objs, nil
		}
		if tokens[page.NextToken] {
			return nil, fmt.Errorf("the listing repeats the continuation token %q", page.NextToken)
		}
		tokens[page.NextToken] = true
		token = page.NextToken
	}
	return nil, fmt.Errorf("the listing has more than %d pages", maxListingPages)
}

// page fetches and parses one page of a listing.
func (h *HTTP) page(ctx context.Context, prefix, token string) (*Listing, error) {
	u := h.listURL(prefix, token)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Cache-Control", "no-cache")
	h.lists.Add(1)
	resp, err := h.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxListingBytes+1))
	if err != nil {
		return nil, fmt.Errorf("GET %s: reading the listing: %w", u, err)
	}
	if len(body) > maxListingBytes {
		return nil, fmt.Errorf("GET %s: a listing page larger than %d bytes", u, maxListingBytes)
	}
	return ParseListing(body)
}

// Open implements [Source.Open].
func (h *HTTP) Open(ctx context.Context, name string) (io.ReadCloser, error) {
	r, err := h.open(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("source: opening %q at %s: %w", name, h.location, err)
	}
	return r, nil
}

func (h *HTTP) open(ctx context.Context, name string) (io.ReadCloser, error) {
	if _, err := ParseKey(name); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	u := h.URL(name)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	h.gets.Add(1)
	resp, err := h.client.Do(req)
	if err != nil {
		return nil, err
	}
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotFound, http.StatusGone:
		resp.Body.Close()
		return nil, fmt.Errorf("GET %s: %s: %w", u, resp.Status, fs.ErrNotExist)
	default:
		resp.Body.Close()
		return nil, fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	limit := h.MaxObjectBytes
	if limit <= 0 {
		limit = DefaultMaxObjectBytes
	}
	if resp.ContentLength > limit {
		resp.Body.Close()
		return nil, fmt.Errorf("GET %s: %w: %d bytes announced, the limit is %d", u, ErrTooLarge, resp.ContentLength, limit)
	}
	return LimitReader(resp.Body, limit), nil
}
