package store

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"stele/internal/s3client"
)

// RequestCounter is implemented by the stores and sources that send
// requests to an object store ([S3]; source.S3 and source.HTTP too):
// Requests returns the requests sent so far by kind ("GET", "PUT",
// "LIST", "HEAD"), retries included, for a job's summary.
type RequestCounter interface {
	Requests() map[string]int64
}

var _ RequestCounter = (*S3)(nil)

// DefaultS3Uploads is how many uploads an [S3] store keeps in flight unless
// told otherwise.
const DefaultS3Uploads = 16

// S3 is a [Store] in an S3 bucket (AWS S3, or an S3-compatible service:
// R2, MinIO, Ceph, versitygw), under a key prefix.
//
// # Writes
//
// Create and Put hand the object to a background upload and return: up to
// [S3Options.Uploads] uploads are in flight at once (a write waits for a
// free slot), so that a caller writing objects one after the other still
// uploads them in parallel. Sync waits for every upload started before it
// and reports the ones that failed, each naming its key; Swap syncs first.
// An upload runs under the context of the write that started it, so
// canceling that context may fail the upload (reported by Sync). Get and
// List see writes still in flight: Get waits for the key's upload, List
// adds the keys being uploaded. A write of a key already written through
// the store runs in the caller, so that it reports its own result (Create
// of other bytes fails with ErrImmutable at once) and writes of one key
// land in order; a write also waits for uploads in flight of its parent
// keys and of keys under it, so that of two writes of "a" and "a/b" the
// first one lands first.
//
// Immutable objects are created with If-None-Match: *. On 412 the store
// reads the object back: identical bytes are success (a retried request
// that saw its first attempt land, or another writer of the same bytes),
// different bytes are [ErrImmutable] naming the key, and nothing is
// overwritten.
//
// Swap sends If-Match: <ETag> (If-None-Match: * for ""). On 412 (or 404
// for an If-Match, or 409 for a concurrent conditional write) it fails with
// [ErrPrecondition], except when the SDK retried the request and the
// object read back holds exactly our bytes: then the first attempt landed
// and its answer was lost, and the swap succeeded. An ETag that is not a
// quoted string (such as "*", which would match any object) can match no
// object and fails without a request.
//
// # Metadata
//
// Content-Type, Cache-Control and Content-Encoding are sent with each
// object and read back from GetObject. S3 gives an object stored without a
// Content-Type a default one, and versitygw keeps an object's old
// Cache-Control or Content-Encoding when a later PUT of the key sends none;
// so the store also records which headers it set, in the user metadata
// x-amz-meta-stele-md, and Get reports the others as empty.
//
// # Requests and retries
//
// Requests go through the SDK's standard retryer (backoff for 5xx,
// SlowDown, timeouts, connection errors and responses cut short; see
// package s3client). [S3.Requests] counts the HTTP requests sent, retries
// included, by kind.
//
// # Keys that are also prefixes
//
// AWS S3 holds "a" and "a/b" side by side; filesystem-backed services
// (versitygw's posix backend, MinIO) refuse the second one, which this
// store reports as [ErrPrefixConflict].
type S3 struct {
	client  *s3.Client
	counter *s3client.Counter
	bucket  string
	prefix  string // "" or ending in "/"
	where   string // for messages: s3://bucket/prefix
	slots   chan struct{}

	// MaxObjectBytes is the largest object Get reads; a larger one is an
	// error. Set it before first use.
	MaxObjectBytes int64

	mu       sync.Mutex
	inflight map[string]*upload  // the upload of each key still running
	known    map[string]struct{} // every key written through this store
	started  []*upload           // uploads started since the last Sync
	failed   []error             // uploads that failed, for the next Sync
}

// S3Options adjust an [S3] store. The zero value is ready to use.
type S3Options struct {
	// Uploads is the most uploads in flight at once (default
	// DefaultS3Uploads).
	Uploads int
	// Client options: the AWS configuration (default: the standard chain),
	// attempts per request, an HTTP client.
	Client s3client.Options
}

var _ Store = (*S3)(nil)

// OpenS3 returns the store at an s3:// location,
// s3://BUCKET/PREFIX?region=R&endpoint=URL&use_path_style=true (stele.md,
// "S3 locations"), with credentials from the standard AWS chain
// (environment, shared configuration, instance role) unless opts says
// otherwise. The prefix must be empty or a valid key prefix. It makes no
// request.
func OpenS3(ctx context.Context, location string, opts S3Options) (*S3, error) {
	loc, err := s3client.Parse(location)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	if loc.Prefix != "" {
		if err := CheckKey(strings.TrimSuffix(loc.Prefix, "/")); err != nil {
			return nil, fmt.Errorf("store: prefix of %s: %w", location, err)
		}
	}
	client, counter, err := s3client.New(ctx, loc, opts.Client)
	if err != nil {
		return nil, fmt.Errorf("store: opening %s: %w", location, err)
	}
	n := opts.Uploads
	if n <= 0 {
		n = DefaultS3Uploads
	}
	return &S3{
		client:         client,
		counter:        counter,
		bucket:         loc.Bucket,
		prefix:         loc.Prefix,
		where:          "s3://" + loc.Bucket + "/" + loc.Prefix,
		slots:          make(chan struct{}, n),
		inflight:       map[string]*upload{},
		known:          map[string]struct{}{},
		MaxObjectBytes: DefaultMaxObjectBytes,
	}, nil
}

// Requests returns the HTTP requests sent so far, retries included, by
// kind: "GET", "PUT", "LIST", "HEAD" (and "OTHER" when not zero).
func (s *S3) Requests() map[string]int64 { return s.counter.Snapshot() }

// Location returns the store's place, s3://BUCKET/PREFIX.
func (s *S3) Location() string { return s.where }

// objectKey returns the key in the bucket of one of the store's keys.
func (s *S3) objectKey(key string) string { return s.prefix + key }

// mdSetKey names the user metadata (x-amz-meta-stele-md) in which the
// store records which of the three headers it set on an object: S3 gives
// an object stored without a Content-Type a default one, and some services
// (versitygw) keep an object's old Cache-Control or Content-Encoding when a
// new PUT of the key sends none. Get reports the headers not listed as
// empty. Its value is the names below, separated by spaces.
const (
	mdSetKey          = "stele-md" // S3 lowercases metadata names
	mdContentType     = "content-type"
	mdCacheControl    = "cache-control"
	mdContentEncoding = "content-encoding"
	mdNone            = "none"
)

// metadataOf returns the metadata of a GetObject answer.
func metadataOf(out *s3.GetObjectOutput) Metadata {
	md := Metadata{
		ContentType:     aws.ToString(out.ContentType),
		CacheControl:    aws.ToString(out.CacheControl),
		ContentEncoding: aws.ToString(out.ContentEncoding),
	}
	set, ok := out.Metadata[mdSetKey]
	if !ok {
		return md // not written by this store: as the service says
	}
	names := strings.Fields(set)
	if !slices.Contains(names, mdContentType) {
		md.ContentType = ""
	}
	if !slices.Contains(names, mdCacheControl) {
		md.CacheControl = ""
	}
	if !slices.Contains(names, mdContentEncoding) {
		md.ContentEncoding = ""
	}
	return md
}

// Get implements [Store.Get]. If the key's upload is in flight, Get waits
// for it first.
func (s *S3) Get(ctx context.Context, key string) (Object, error) {
	if err := CheckKey(key); err != nil {
		return Object{}, err
	}
	if err := ctx.Err(); err != nil {
		return Object{}, fmt.Errorf("store: reading %s: %w", key, err)
	}
	if err := s.waitKey(ctx, key); err != nil {
		return Object{}, fmt.Errorf("store: reading %s: %w", key, err)
	}
	return s.get(ctx, key)
}

// get reads an object, trying again (up to three times in all) when the
// body breaks off: the SDK retries a request only until its headers
// arrive.
func (s *S3) get(ctx context.Context, key string) (Object, error) {
	var err error
	for range 3 {
		var o Object
		var retry bool
		o, retry, err = s.getOnce(ctx, key)
		if err == nil || !retry || ctx.Err() != nil {
			return o, err
		}
	}
	return Object{}, err
}

func (s *S3) getOnce(ctx context.Context, key string) (o Object, retry bool, err error) {
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(s.objectKey(key))})
	if err != nil {
		if isNotFound(err) {
			return Object{}, false, fmt.Errorf("store: reading %s in %s: %w", key, s.where, fs.ErrNotExist)
		}
		return Object{}, false, fmt.Errorf("store: reading %s in %s: %w", key, s.where, err)
	}
	defer out.Body.Close()
	limit := s.MaxObjectBytes
	if limit <= 0 {
		limit = DefaultMaxObjectBytes
	}
	if n := aws.ToInt64(out.ContentLength); n > limit {
		return Object{}, false, fmt.Errorf("store: reading %s in %s: object of %d bytes is larger than the limit of %d", key, s.where, n, limit)
	}
	data, err := io.ReadAll(io.LimitReader(out.Body, limit+1))
	if err != nil {
		return Object{}, true, fmt.Errorf("store: reading %s in %s: reading the body: %w", key, s.where, err)
	}
	if int64(len(data)) > limit {
		return Object{}, false, fmt.Errorf("store: reading %s in %s: object is larger than the limit of %d bytes", key, s.where, limit)
	}
	if out.ContentLength != nil && int64(len(data)) != *out.ContentLength {
		return Object{}, true, fmt.Errorf("store: reading %s in %s: short transfer: %d of %d bytes: %w", key, s.where, len(data), *out.ContentLength, io.ErrUnexpectedEOF)
	}
	return Object{Data: data, Metadata: metadataOf(out), ETag: aws.ToString(out.ETag)}, false, nil
}

// List implements [Store.List]: a paginated ListObjectsV2 of the prefix,
// plus the keys whose uploads are in flight. Objects in the bucket whose
// keys break the key rules (a folder marker "a/", a ".hidden" name) are not
// listed: no method of the store could read them.
func (s *S3) List(ctx context.Context, prefix string) ([]string, error) {
	if err := checkPrefix(prefix); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("store: listing %q: %w", prefix, err)
	}
	// Keys in flight now are either listed below (their upload finished
	// first) or still in flight: take them before listing.
	s.mu.Lock()
	var keys []string
	for k := range s.inflight {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
		}
	}
	s.mu.Unlock()
	p := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{
		Bucket: aws.String(s.bucket),
		Prefix: aws.String(s.objectKey(prefix)),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("store: listing %q in %s: %w", prefix, s.where, err)
		}
		for _, o := range page.Contents {
			k, ok := strings.CutPrefix(aws.ToString(o.Key), s.prefix)
			if ok && CheckKey(k) == nil {
				keys = append(keys, k)
			}
		}
	}
	slices.Sort(keys)
	return slices.Compact(keys), nil
}

// waitKey waits until no upload of key is in flight.
func (s *S3) waitKey(ctx context.Context, key string) error {
	for {
		s.mu.Lock()
		u := s.inflight[key]
		s.mu.Unlock()
		if u == nil {
			return nil
		}
		select {
		case <-u.done:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
