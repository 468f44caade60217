package store_test

import (
	"bytes"
	"testing"

	"stele/store"
)

func TestDecoded(t *testing.T) {
	plain := []byte("entry bundle bytes")
	gz := gzipped(t, plain)
	for _, c := range []struct {
		o    store.Object
		want []byte
		ok   bool
	}{
		{store.Object{Data: plain}, plain, true},
		{store.Object{Data: plain, Metadata: store.Metadata{ContentEncoding: "identity"}}, plain, true},
		{store.Object{Data: gz, Metadata: store.Metadata{ContentEncoding: "gzip"}}, plain, true},
		{store.Object{Data: plain, Metadata: store.Metadata{ContentEncoding: "gzip"}}, nil, false},
		{store.Object{Data: gz[:len(gz)-4], Metadata: store.Metadata{ContentEncoding: "gzip"}}, nil, false},
		{store.Object{Data: gz, Metadata: store.Metadata{ContentEncoding: "br"}}, nil, false},
	} {
		got, err := c.o.Decoded()
		if (err == nil) != c.ok || !bytes.Equal(got, c.want) {
			t.Errorf("Decoded(%q, %q) = %q, %v; want %q, ok=%v", c.o.ContentEncoding, c.o.Data, got, err, c.want, c.ok)
		}
	}
	// Negative control: every single flipped byte of the gzip stream fails
	// or, in the few header bytes gzip ignores, decodes to the same bytes.
	for i := range gz {
		bad := bytes.Clone(gz)
		bad[i] ^= 0x01
		got, err := store.Object{Data: bad, Metadata: store.Metadata{ContentEncoding: "gzip"}}.Decoded()
		if err == nil && !bytes.Equal(got, plain) {
			t.Errorf("gzip with byte %d flipped decoded to other bytes %q", i, got)
		}
	}
}
