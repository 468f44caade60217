package source

import (
	"errors"
	"fmt"
	"io"
	"math"
)

// ErrTooLarge is wrapped by the error of a reader from [LimitReader] that
// was asked for more bytes than its limit.
var ErrTooLarge = errors.New("source: object larger than the limit")

// LimitReader returns a reader of r that fails once r holds more than limit
// bytes: a stream of exactly limit bytes reads to io.EOF, while a longer one
// delivers its first limit bytes and then an error wrapping [ErrTooLarge],
// without ever handing over the byte past the limit. Closing it closes r.
// A negative limit counts as 0.
//
// This is how a caller enforces the configuration's max_proof_bytes on
// [Source.Open]: an object over the limit is not read into memory.
func LimitReader(r io.ReadCloser, limit int64) io.ReadCloser {
	limit = max(limit, 0)
	return &limitedReader{r: r, limit: limit, left: limit}
}

type limitedReader struct {
	r     io.ReadCloser
	limit int64 // the limit
	left  int64 // bytes still allowed
	err   error // the sticky ErrTooLarge, once seen
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	// Ask for at most one byte more than allowed: receiving it proves the
	// stream is too long.
	if l.left < math.MaxInt64 && int64(len(p)) > l.left+1 {
		p = p[:l.left+1]
	}
	n, err := l.r.Read(p)
	if int64(n) > l.left {
		n = int(l.left)
		l.left = 0
		l.err = fmt.Errorf("%w: more than %d bytes", ErrTooLarge, l.limit)
		return n, l.err
	}
	l.left -= int64(n)
	return n, err
}

func (l *limitedReader) Close() error { return l.r.Close() }
