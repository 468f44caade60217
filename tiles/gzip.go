package tiles

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"slices"
	"sync"
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
//
// The result is data itself when there was nothing to decode, and newly
// allocated bytes otherwise. To decode many bundles into reused memory, use
// a [BundleDecoder].
func DecodeBundleBytes(data []byte, contentEncoding string) ([]byte, error) {
	d := decoders.Get().(*BundleDecoder)
	defer decoders.Put(d)
	out, _, err := d.decode(nil, data, contentEncoding)
	return out, err
}

// decoders holds BundleDecoders for DecodeBundleBytes, which uses only
// their decompressor, never their output buffer.
var decoders = sync.Pool{New: func() any { return new(BundleDecoder) }}

// A BundleDecoder decodes entry bundles as [DecodeBundleBytes] does, reusing
// its decompressor and its output buffer from one call to the next, so that
// decoding a stream of bundles allocates nothing once the buffer has grown
// to the size of the largest. The zero value is ready to use. A
// BundleDecoder must not be used by two goroutines at once.
type BundleDecoder struct {
	zr  *gzip.Reader
	src bytes.Reader
	buf []byte
}

// Decode returns the bytes of the entry bundle data once its content
// encoding is undone, with the same rules and errors as
// [DecodeBundleBytes]. The result is valid until the next call of Decode:
// it is either data itself (nothing to decode) or the decoder's buffer.
func (d *BundleDecoder) Decode(data []byte, contentEncoding string) ([]byte, error) {
	out, decoded, err := d.decode(d.buf[:0], data, contentEncoding)
	if decoded {
		d.buf = out
	}
	return out, err
}

// decode is Decode appending the decompressed bytes, if any, to dst. It
// reports whether the result is a decompression (as opposed to data
// itself).
func (d *BundleDecoder) decode(dst, data []byte, contentEncoding string) (out []byte, decoded bool, err error) {
	switch contentEncoding {
	case "gzip":
		out, err := d.gunzip(dst, data)
		if err != nil {
			return nil, false, fmt.Errorf("%w: gzip content encoding: %v", ErrMalformedBundle, err)
		}
		return out, true, nil
	case "", "identity":
		if len(data) >= 3 && data[0] == 0x1f && data[1] == 0x8b && data[2] == 8 {
			if out, err := d.gunzip(dst, data); err == nil {
				return out, true, nil
			}
		}
		return data, false, nil
	default:
		return nil, false, fmt.Errorf("%w: unsupported content encoding %q", ErrMalformedBundle, contentEncoding)
	}
}

// errTooLarge reports a gzip stream that decompresses to more than any
// entry bundle can hold.
var errTooLarge = fmt.Errorf("decompresses to more than %d bytes", MaxBundleSize)

// maxDeflateRatio bounds how much deflate can expand its input (a little
// over 1,032 to 1), which bounds the size a gzip trailer can honestly
// claim.
const maxDeflateRatio = 1032

// gunzip appends the decompression of the gzip stream data (several members
// are read one after the other, as gzip.Reader does) to dst, checking every
// member's checksum and length and stopping once the output would exceed
// MaxBundleSize.
func (d *BundleDecoder) gunzip(dst, data []byte) ([]byte, error) {
	d.src.Reset(data)
	defer d.src.Reset(nil) // keep no reference to data
	if d.zr == nil {
		zr, err := gzip.NewReader(&d.src)
		if err != nil {
			return nil, err
		}
		d.zr = zr
	} else if err := d.zr.Reset(&d.src); err != nil {
		return nil, err
	}
	// Size the output once from the trailer, which records the (last
	// member's) length. It is only a hint, bounded by what the input could
	// expand to and by the largest bundle, so a lying trailer costs at
	// most a regrowth, never an outsized allocation.
	start := len(dst)
	hint := 0
	if len(data) >= 4 {
		hint = int(binary.LittleEndian.Uint32(data[len(data)-4:]))
		hint = min(hint, MaxBundleSize, maxDeflateRatio*len(data))
	}
	dst = slices.Grow(dst, hint+1) // one spare byte lets the last Read see EOF
	limit := start + MaxBundleSize + 1
	for {
		if len(dst) == cap(dst) {
			dst = slices.Grow(dst, min(cap(dst)-start+1, limit-len(dst)))
		}
		n, err := d.zr.Read(dst[len(dst):min(cap(dst), limit)])
		dst = dst[:len(dst)+n]
		if len(dst) > start+MaxBundleSize {
			return nil, errTooLarge
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	if err := d.zr.Close(); err != nil {
		return nil, err
	}
	return dst, nil
}
