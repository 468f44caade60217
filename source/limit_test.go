package source_test

import (
	"bytes"
	"errors"
	"io"
	"math"
	"testing"
	"testing/iotest"

	"stele/source"
)

// closer records whether Close was called.
type closer struct {
	io.Reader
	closed bool
}

func (c *closer) Close() error { c.closed = true; return nil }

func limited(data []byte, limit int64) io.ReadCloser {
	return source.LimitReader(&closer{Reader: bytes.NewReader(data)}, limit)
}

func TestLimitReader(t *testing.T) {
	data := bytes.Repeat([]byte("proof"), 1000) // 5000 bytes
	n := int64(len(data))
	for _, tt := range []struct {
		name  string
		data  []byte
		limit int64
		ok    bool
	}{
		{"exactly the limit", data, n, true},
		{"one over", data, n - 1, false},
		{"under", data, n + 1, true},
		{"far under", data, math.MaxInt64, true},
		{"far over", data, 10, false},
		{"empty, limit 0", nil, 0, true},
		{"one byte, limit 0", data[:1], 0, false},
		{"negative limit, empty", nil, -5, true},
		{"negative limit", data[:1], -5, false},
	} {
		for _, wrap := range []struct {
			name string
			f    func(io.Reader) io.Reader
		}{
			{"plain", func(r io.Reader) io.Reader { return r }},
			{"one byte", iotest.OneByteReader},
			{"data+EOF", iotest.DataErrReader},
			{"half", iotest.HalfReader},
		} {
			r := source.LimitReader(&closer{Reader: wrap.f(bytes.NewReader(tt.data))}, tt.limit)
			got, err := io.ReadAll(r)
			if tt.ok {
				if err != nil || !bytes.Equal(got, tt.data) {
					t.Errorf("%s, %s: read %d bytes, %v; want all %d", tt.name, wrap.name, len(got), err, len(tt.data))
				}
				continue
			}
			if !errors.Is(err, source.ErrTooLarge) {
				t.Errorf("%s, %s: error = %v, want one wrapping ErrTooLarge", tt.name, wrap.name, err)
			}
			if want := max(tt.limit, 0); int64(len(got)) != want || !bytes.Equal(got, tt.data[:want]) {
				t.Errorf("%s, %s: delivered %d bytes before failing, want the first %d", tt.name, wrap.name, len(got), want)
			}
			// The error sticks.
			if n, err := r.Read(make([]byte, 10)); n != 0 || !errors.Is(err, source.ErrTooLarge) {
				t.Errorf("%s, %s: Read after the error = %d, %v", tt.name, wrap.name, n, err)
			}
		}
	}
}

func TestLimitReaderConforms(t *testing.T) {
	data := bytes.Repeat([]byte{1, 2, 3, 4, 5, 6, 7}, 300)
	if err := iotest.TestReader(limited(data, int64(len(data))), data); err != nil {
		t.Error(err)
	}
}

func TestLimitReaderPassesErrors(t *testing.T) {
	boom := errors.New("connection reset")
	r := source.LimitReader(io.NopCloser(iotest.ErrReader(boom)), 100)
	if _, err := io.ReadAll(r); !errors.Is(err, boom) || errors.Is(err, source.ErrTooLarge) {
		t.Errorf("error = %v, want the reader's own", err)
	}
}

func TestLimitReaderClose(t *testing.T) {
	c := &closer{Reader: bytes.NewReader(nil)}
	if err := source.LimitReader(c, 1).Close(); err != nil || !c.closed {
		t.Errorf("Close = %v, closed = %v; want it passed on", err, c.closed)
	}
}
