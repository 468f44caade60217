package tiles

import "context"

// Fetcher reads one object by its path relative to the log root. A missing
// object must be reported with an error wrapping os.ErrNotExist; any other
// error means the object could not be read (retryable), never that it is bad.
//
// Fetch returns the whole object, decoded of any transfer or content
// encoding (entry bundles are typically stored gzip-compressed), or an
// error: a short read must be an error, not a short object. The returned
// bytes belong to the caller. Fetch may be called concurrently.
type Fetcher interface {
	Fetch(ctx context.Context, path string) ([]byte, error)
}

// FetcherFunc adapts a function to the [Fetcher] interface.
type FetcherFunc func(ctx context.Context, path string) ([]byte, error)

// Fetch calls f(ctx, path).
func (f FetcherFunc) Fetch(ctx context.Context, path string) ([]byte, error) {
	return f(ctx, path)
}

var _ Fetcher = FetcherFunc(nil)
