package source

import (
	"context"
	"io"
)

// Object is one listed proof object.
type Object struct {
	Key
	// Name is the object's key relative to the source's root, the name to
	// pass to [Source.Open] and to record as the proof's name. For every
	// current source it equals Key.String().
	Name string
	// Size is the object's length in bytes, or -1 when the listing does not
	// say.
	Size int64
}

// Source is a bucket, a bucket's public listing or a local directory of
// proof objects, keyed "<epoch>/<hex prev root>/<hex cur root>" (see
// [ParseKey]).
//
// # Contract
//
// List returns every object of the given epoch: every name under the
// source's root that [ParseKey] accepts and whose epoch is the one asked
// for, each once, in any order. Names that ParseKey rejects (a "root" file,
// upper-case hex, a leading zero, a folder marker, an extra segment) are
// ignored, never listed and never an error. An epoch with no object is an
// empty (or nil) slice and a nil error. That answer may be stale — a CDN can
// serve an old negative listing — so callers treat "not there" as "nothing
// new yet", never as evidence against the directory. Listings are by epoch
// number, never by string order: keys sort as strings ("99999" after
// "624700"), so callers walk epochs by number.
//
// Open streams the object that List named name. The caller reads it and
// closes it; the reader may fail with ctx's error once ctx is done. An
// object that is not there (never was, or no longer is) is an error
// wrapping [os.ErrNotExist], like an epoch List finds empty. A name that
// ParseKey rejects is an error wrapping [ErrInvalidKey]: a caller's mistake,
// since no listing produces one, and never a request to the source. Open
// does not limit the size it streams: wrap the reader with [LimitReader].
//
// A context that is done makes both methods fail with an error wrapping
// ctx.Err(). Every other error, from either method or from reading, is
// transient — the source could not be read now (network, permissions,
// throttling, a short transfer) — and the call may be retried. Neither
// method ever reports a problem with an object's bytes: deciding that a
// proof is malformed or false is the verifier's job, and a source hands over
// whatever bytes it holds.
//
// A Source is safe for concurrent use and does not retry on its own unless
// its documentation says so.
type Source interface {
	List(ctx context.Context, epoch uint64) ([]Object, error)
	Open(ctx context.Context, name string) (io.ReadCloser, error)
	// Location is a human-readable location of the source, a path or a
	// URL, for logs and reports. It is never empty.
	Location() string
	// URL returns a public URL at which anyone can fetch the object named
	// name, or "" when there is none (a local directory).
	URL(name string) string
}
