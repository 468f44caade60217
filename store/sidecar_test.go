package store

import (
	"bytes"
	"crypto/sha256"
	"testing"
)

// FuzzSidecar checks that sidecars round-trip, and that whatever parses
// re-encodes to something that parses to the same values.
func FuzzSidecar(f *testing.F) {
	f.Add([]byte("tile"), "application/octet-stream", "public, max-age=31536000, immutable", "gzip",
		[]byte(`{"sha256":"00"}`))
	f.Add([]byte(""), "", "", "", []byte(`{"sha256":"`+string(bytes.Repeat([]byte("aB"), 32))+`","x":1}`))
	f.Add([]byte("x"), "text/plain; charset=\"utf-8\"\n\x00", "no-cache", "\xff", []byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte, ct, cc, ce string, raw []byte) {
		md := Metadata{ContentType: ct, CacheControl: cc, ContentEncoding: ce}
		sum := sha256.Sum256(data)
		gotSum, gotMD, err := parseSidecar(encodeSidecar(sum, md))
		if err != nil {
			t.Fatalf("parsing an encoded sidecar: %v", err)
		}
		if gotSum != sum {
			t.Fatalf("sum round trip: %x, want %x", gotSum, sum)
		}
		if md.check() == nil && gotMD != md {
			t.Fatalf("metadata round trip: %+v, want %+v", gotMD, md)
		}

		s2, md2, err := parseSidecar(raw)
		if err != nil {
			return
		}
		s3, md3, err := parseSidecar(encodeSidecar(s2, md2))
		if err != nil || s3 != s2 || md3 != md2 {
			t.Fatalf("re-encoding %q: %x %+v, %v; want %x %+v", raw, s3, md3, err, s2, md2)
		}
	})
}

func TestSidecarRejects(t *testing.T) {
	sum := sha256.Sum256([]byte("x"))
	good := encodeSidecar(sum, Metadata{ContentType: "text/plain"})
	if _, _, err := parseSidecar(good); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{
		``, `{}`, `null`, `{"sha256":""}`, `{"sha256":"abc"}`, `{"sha256":1}`,
		`{"sha256":"` + string(bytes.Repeat([]byte("g"), 64)) + `"}`,
		`{"sha256":"` + string(bytes.Repeat([]byte("a"), 66)) + `"}`,
		string(good[:len(good)-3]),
	} {
		if _, _, err := parseSidecar([]byte(bad)); err == nil {
			t.Errorf("parseSidecar(%q) succeeded", bad)
		}
	}
}

func TestETag(t *testing.T) {
	sum := sha256.Sum256([]byte("x"))
	e := etagOf(sum)
	if len(e) != 66 || e[0] != '"' || e[65] != '"' {
		t.Fatalf("etagOf = %s, want the quoted hex SHA-256", e)
	}
	if !sameETag(e, e[1:65]) || !sameETag(e[1:65], e) {
		t.Error("quoted and unquoted ETags differ")
	}
	other := etagOf(sha256.Sum256([]byte("y")))
	if sameETag(e, other) || sameETag(e, `"`) || sameETag(e, "") {
		t.Error("different ETags compare equal")
	}
}
