package tiles

import (
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"io"
	"testing"
)

func gzipOf(tb testing.TB, data []byte) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(data); err != nil {
		tb.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// referenceDecode is the straightforward decoding DecodeBundleBytes must
// agree with: read the whole gzip stream with a fresh reader.
func referenceDecode(data []byte, encoding string) ([]byte, bool) {
	gunzip := func() ([]byte, bool) {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, false
		}
		out, err := io.ReadAll(io.LimitReader(zr, MaxBundleSize+1))
		if err != nil || len(out) > MaxBundleSize || zr.Close() != nil {
			return nil, false
		}
		return out, true
	}
	switch encoding {
	case "gzip":
		return gunzip()
	case "", "identity":
		if len(data) >= 3 && data[0] == 0x1f && data[1] == 0x8b && data[2] == 8 {
			if out, ok := gunzip(); ok {
				return out, true
			}
		}
		return data, true
	}
	return nil, false
}

func bundleOf(tb testing.TB, n, size int) []byte {
	tb.Helper()
	var b []byte
	for i := range n {
		e := make([]byte, size)
		rand.Read(e)
		e[0] = byte(i)
		var err error
		if b, err = AppendEntry(b, e); err != nil {
			tb.Fatal(err)
		}
	}
	return b
}

func TestDecodeBundleBytes(t *testing.T) {
	plain := bundleOf(t, Width, 200)
	z := gzipOf(t, plain)
	twoMembers := append(gzipOf(t, plain[:1000]), gzipOf(t, plain[1000:])...)
	corrupt := bytes.Clone(z)
	corrupt[len(corrupt)/2] ^= 1
	badCRC := bytes.Clone(z)
	badCRC[len(badCRC)-5] ^= 1 // the CRC-32 in the trailer
	magicPlain := append([]byte{0x1f, 0x8b, 8}, plain...)

	for _, tc := range []struct {
		name     string
		data     []byte
		encoding string
		want     []byte // nil: an error wrapping ErrMalformedBundle
	}{
		{"gzip", z, "gzip", plain},
		{"gzip unannounced", z, "", plain},
		{"gzip identity", z, "identity", plain},
		{"plain", plain, "", plain},
		{"two members", twoMembers, "gzip", plain},
		{"corrupt gzip", corrupt, "gzip", nil},
		{"corrupt gzip unannounced", corrupt, "", corrupt},
		{"bad checksum", badCRC, "gzip", nil},
		{"plain said gzip", plain, "gzip", nil},
		{"plain with the magic", magicPlain, "", magicPlain},
		{"truncated", z[:len(z)-1], "gzip", nil},
		{"empty gzip", gzipOf(t, nil), "gzip", []byte{}},
		{"unknown encoding", z, "br", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var d BundleDecoder
			for round := range 2 { // a used decoder behaves as a new one
				got, err := DecodeBundleBytes(tc.data, tc.encoding)
				dgot, derr := d.Decode(tc.data, tc.encoding)
				if tc.want == nil {
					if !errors.Is(err, ErrMalformedBundle) || !errors.Is(derr, ErrMalformedBundle) {
						t.Fatalf("round %d: errors %v and %v, want ErrMalformedBundle", round, err, derr)
					}
					continue
				}
				if err != nil || derr != nil {
					t.Fatalf("round %d: errors %v and %v", round, err, derr)
				}
				if !bytes.Equal(got, tc.want) || !bytes.Equal(dgot, tc.want) {
					t.Fatalf("round %d: decoded %d and %d bytes, want %d", round, len(got), len(dgot), len(tc.want))
				}
			}
		})
	}
}

// TestDecodeBundleSizeLimit: a stream that decompresses to more than a
// bundle can hold is refused, wherever its trailer says it ends.
func TestDecodeBundleSizeLimit(t *testing.T) {
	over := make([]byte, MaxBundleSize+1)
	exact := over[:MaxBundleSize]
	z := gzipOf(t, over)
	lying := bytes.Clone(z)
	binary.LittleEndian.PutUint32(lying[len(lying)-4:], 10)
	var d BundleDecoder
	for _, data := range [][]byte{z, lying} {
		if _, err := d.Decode(data, "gzip"); !errors.Is(err, ErrMalformedBundle) {
			t.Fatalf("%d bytes decompressed: %v, want ErrMalformedBundle", len(over), err)
		}
	}
	out, err := d.Decode(gzipOf(t, exact), "gzip")
	if err != nil || len(out) != MaxBundleSize {
		t.Fatalf("exactly MaxBundleSize: %d bytes, %v", len(out), err)
	}
	// A trailer is not trusted for the size: too small or too large, the
	// output is what the stream holds (and a wrong size fails the check).
	plain := bundleOf(t, 10, 100)
	for _, claim := range []uint32{0, 1, 1 << 31, ^uint32(0)} {
		zc := gzipOf(t, plain)
		binary.LittleEndian.PutUint32(zc[len(zc)-4:], claim)
		if _, err := d.Decode(zc, "gzip"); !errors.Is(err, ErrMalformedBundle) {
			t.Fatalf("trailer claiming %d bytes: %v, want ErrMalformedBundle", claim, err)
		}
	}
}

// TestBundleDecoderReuse: the decoder's output is its own buffer, reused,
// and decoding allocates nothing once it has grown.
func TestBundleDecoderReuse(t *testing.T) {
	a, b := bundleOf(t, Width, 200), bundleOf(t, Width, 150)
	za, zb := gzipOf(t, a), gzipOf(t, b)
	var d BundleDecoder
	got, err := d.Decode(za, "gzip")
	if err != nil || !bytes.Equal(got, a) {
		t.Fatalf("first bundle: %v", err)
	}
	got, err = d.Decode(zb, "gzip")
	if err != nil || !bytes.Equal(got, b) {
		t.Fatalf("second bundle: %v", err)
	}
	if raw, _ := d.Decode(a, ""); &raw[0] != &a[0] {
		t.Fatal("a plain bundle was copied")
	}
	allocs := testing.AllocsPerRun(20, func() {
		if _, err := d.Decode(za, "gzip"); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 0 {
		t.Fatalf("%v allocations per decoded bundle, want none", allocs)
	}
}

func FuzzDecodeBundle(f *testing.F) {
	plain := bundleOf(f, 3, 20)
	z := gzipOf(f, plain)
	f.Add(z, "gzip")
	f.Add(z, "")
	f.Add(plain, "")
	f.Add(plain, "gzip")
	f.Add(append(bytes.Clone(z), z...), "gzip")
	f.Add([]byte{0x1f, 0x8b, 8}, "")
	f.Add(z, "br")
	var d BundleDecoder
	f.Fuzz(func(t *testing.T, data []byte, encoding string) {
		want, ok := referenceDecode(data, encoding)
		got, err := DecodeBundleBytes(data, encoding)
		dgot, derr := d.Decode(data, encoding)
		if !ok {
			if err == nil || derr == nil {
				t.Fatalf("decoded %q (%q), the reference fails", data, encoding)
			}
			if !errors.Is(err, ErrMalformedBundle) || !errors.Is(derr, ErrMalformedBundle) {
				t.Fatalf("errors %v, %v do not wrap ErrMalformedBundle", err, derr)
			}
			return
		}
		if err != nil || derr != nil {
			t.Fatalf("errors %v, %v; the reference decodes", err, derr)
		}
		if !bytes.Equal(got, want) || !bytes.Equal(dgot, want) {
			t.Fatalf("decoded %x and %x, the reference %x", got, dgot, want)
		}
		// Round trip: what decodes re-encodes and decodes to the same.
		if again, err := d.Decode(gzipOf(t, got), "gzip"); err != nil || !bytes.Equal(again, want) {
			t.Fatalf("re-encoded: %x, %v", again, err)
		}
	})
}

// BenchmarkDecodeBundle decodes a gzip-compressed full bundle of 200-byte
// random entries (stored blocks, as a log of signatures compresses), fresh
// each time and with a reused decoder.
func BenchmarkDecodeBundle(b *testing.B) {
	plain := bundleOf(b, Width, 200)
	z := gzipOf(b, plain)
	for _, mode := range []string{"DecodeBundleBytes", "BundleDecoder"} {
		b.Run(mode, func(b *testing.B) {
			var d BundleDecoder
			b.SetBytes(int64(len(plain)))
			b.ReportAllocs()
			for b.Loop() {
				var err error
				if mode == "BundleDecoder" {
					_, err = d.Decode(z, "gzip")
				} else {
					_, err = DecodeBundleBytes(z, "gzip")
				}
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*Width), "ns/entry")
		})
	}
}
