package tiles

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
)

// MaxBundleSize is the largest an entry bundle can be: 256 entries of the
// largest size, each with its 2-byte length prefix.
const MaxBundleSize = Width * (2 + MaxEntrySize)

// DecodeBundleBytes undoes the transfer encoding of an entry bundle.
// contentEncoding is what the store or server said ("gzip" or ""). When it
// says nothing, a body that starts with the gzip magic and decompresses
// cleanly is taken as gzip (a plain bundle may begin with those bytes too,
// so a failed decompression falls back to the raw bytes). Decompressed
// output is capped at MaxBundleSize.
func DecodeBundleBytes(data []byte, contentEncoding string) ([]byte, error) {
	switch contentEncoding {
	case "gzip":
		out, err := gunzip(data)
		if err != nil {
			return nil, fmt.Errorf("%w: gzip content encoding: %v", ErrMalformedBundle, err)
		}
		return out, nil
	case "", "identity":
		if len(data) >= 3 && data[0] == 0x1f && data[1] == 0x8b && data[2] == 8 {
			if out, err := gunzip(data); err == nil {
				return out, nil
			}
		}
		return data, nil
	default:
		return nil, fmt.Errorf("%w: unsupported content encoding %q", ErrMalformedBundle, contentEncoding)
	}
}

func gunzip(data []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	out, err := io.ReadAll(io.LimitReader(zr, MaxBundleSize+1))
	if err != nil {
		return nil, err
	}
	if len(out) > MaxBundleSize {
		return nil, fmt.Errorf("decompresses to more than %d bytes", MaxBundleSize)
	}
	if err := zr.Close(); err != nil {
		return nil, err
	}
	return out, nil
}
