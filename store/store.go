package store

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
)

// Metadata is what a static host sends with an object: the Content-Type,
// Cache-Control and Content-Encoding headers. Empty fields are not sent.
// Values are printable ASCII (and tabs), as header values must be; writes
// refuse others with an error wrapping ErrInvalidMetadata.
type Metadata struct {
	ContentType     string
	CacheControl    string
	ContentEncoding string
}

// check reports whether every value can be sent as an HTTP header value.
func (md Metadata) check() error {
	for _, v := range []string{md.ContentType, md.CacheControl, md.ContentEncoding} {
		for i := range len(v) {
			if c := v[i]; (c < 0x20 && c != '\t') || c > 0x7e {
				return fmt.Errorf("%w: %q has a byte that is not printable ASCII", ErrInvalidMetadata, v)
			}
		}
	}
	return nil
}

// Object is a stored object: its bytes, its metadata, and an opaque version
// token (an ETag) to pass to [Store.Swap].
//
// Data is encoded as Metadata.ContentEncoding says: an object stored with
// "gzip" reads back as the gzip bytes from a [Dir], while [HTTP] returns the
// decoded bytes and an empty ContentEncoding when the HTTP client decoded them.
// [Object.Decoded] gives the decoded bytes in either case.
type Object struct {
	Data []byte
	Metadata
	ETag string
}

// Decoded returns the object's bytes with its content encoding removed:
// Data itself for no encoding (or "identity"), the decompressed bytes for
// "gzip". Other encodings are an error.
func (o Object) Decoded() ([]byte, error) {
	switch o.ContentEncoding {
	case "", "identity":
		return o.Data, nil
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(o.Data))
		if err != nil {
			return nil, fmt.Errorf("store: decoding gzip object: %w", err)
		}
		data, err := io.ReadAll(zr)
		if err != nil {
			return nil, fmt.Errorf("store: decoding gzip object: %w", err)
		}
		return data, nil
	default:
		return nil, fmt.Errorf("store: unsupported content encoding %q", o.ContentEncoding)
	}
}

var (
	// ErrImmutable means Create found different bytes already stored at the
	// key. Nothing was overwritten.
	ErrImmutable = errors.New("store: different bytes already stored at an immutable key")

	// ErrPrecondition means Swap's expected version did not match the stored
	// one (or the key was present when it was expected absent, or the other
	// way round). Nothing was written.
	ErrPrecondition = errors.New("store: stored version does not match the expected one")

	// ErrReadOnly means a write (or a listing) was asked of a store that
	// cannot do it, such as [HTTP].
	ErrReadOnly = errors.New("store: read-only store")

	// ErrInvalidKey means a key (or a List prefix, or a Sub prefix) breaks
	// the key rules of [CheckKey].
	ErrInvalidKey = errors.New("store: invalid key")

	// ErrInvalidMetadata means a Metadata value cannot be sent as an HTTP
	// header value.
	ErrInvalidMetadata = errors.New("store: invalid metadata")

	// ErrPrefixConflict means a store that cannot hold an object at a key
	// that is also a prefix of another key (a filesystem, MinIO) was asked
	// to: "a" when "a/b" exists, or the other way round. Nothing was
	// written. Callers store such an object at "<key>/index.html" instead.
	ErrPrefixConflict = errors.New("store: key is both an object and a prefix of other keys")
)

// Store is an object store holding one site tree.
//
// # Keys
//
// Keys follow [CheckKey]: slash-separated relative paths with no empty, "."
// or ".." segments, no leading or trailing slash, and no segment starting
// with "." (reserved for a store's own bookkeeping). Every method rejects
// other keys with an error wrapping [ErrInvalidKey], and List does the same
// for a prefix that no valid key can start with.
//
// # Errors
//
// Get of a key that holds no object returns an error wrapping
// [os.ErrNotExist]; a key that is only a prefix of other keys holds no
// object. Any other error from Get or List means the store could not be read
// right now: the caller may retry, and must not conclude anything about the
// object. Write errors say which key and what happened; [ErrImmutable],
// [ErrPrecondition], [ErrReadOnly] and [ErrPrefixConflict] are the ones a
// caller decides on. Writes whose Metadata is not a valid header value fail
// with [ErrInvalidMetadata]. A method called with a context that is already
// done fails with an error wrapping the context's error. Every method is
// safe for concurrent use.
//
// # Visibility
//
// Get and List through the same Store see every write that returned nil,
// synced or not. Other readers (another Store on the same site, another
// process, a web server) may see a write as soon as it returns, and see it
// at the latest when a later Sync or Swap returns nil. A write of an object
// is atomic: a reader sees the old object (or none) or the new one, never a
// mix and never a truncated object.
//
// # Durability
//
// A write is durable, meaning it survives a crash of the process or of the
// machine, once a later Sync or Swap of the same Store returns nil. Until
// then a crash may lose it: after a crash every write since the last
// successful Sync is either absent or complete. If Sync returns an error,
// writes made since the last successful Sync may be lost even without a
// crash; writing them again is safe. A program that writes must end with
// Sync or Swap.
//
// Data slices passed in may be reused by the caller once the call returns;
// Object.Data returned by Get belongs to the caller.
type Store interface {
	// Get returns the object at key, or an error wrapping os.ErrNotExist if
	// there is none.
	Get(ctx context.Context, key string) (Object, error)

	// Create stores an immutable object if the key is absent. If identical
	// bytes are already there, Create succeeds and leaves the stored object
	// (and its metadata) as it is. If different bytes are there, it returns
	// an error wrapping ErrImmutable and naming the key; nothing is
	// overwritten. A store that defers visibility may detect a conflicting
	// writer only at Sync, which then returns that error instead.
	Create(ctx context.Context, key string, data []byte, md Metadata) error

	// Put stores or replaces a mutable object.
	Put(ctx context.Context, key string, data []byte, md Metadata) error

	// Swap replaces the object at key only if its current ETag is etag, as
	// returned by Get (etag "" means: only if the key holds no object). On a
	// mismatch it returns an error wrapping ErrPrecondition and writes
	// nothing. Two Swaps with the same expected ETag, from any two Stores or
	// processes on the same site, never both succeed. Swap is the commit
	// point: before swapping, it makes every earlier write of this Store
	// durable, and when it returns nil the new object is durable too.
	Swap(ctx context.Context, key, etag string, data []byte, md Metadata) error

	// List returns the keys of the objects whose keys start with prefix
	// (a plain string prefix: "tile/0/00" matches "tile/0/001"), sorted,
	// including objects written through this Store but not yet synced.
	// An empty prefix lists everything.
	List(ctx context.Context, prefix string) ([]string, error)

	// Sync makes every write made so far through this Store durable and
	// visible to other readers. A store that defers visibility reports here
	// the conflicts that appeared after a write returned (another writer's
	// different bytes at a created key: ErrImmutable; a key that became a
	// prefix: ErrPrefixConflict), naming each key; the other writes of the
	// batch are still made durable.
	Sync(ctx context.Context) error
}
