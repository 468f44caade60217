package store

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
)

// A sidecar is the small JSON file a Dir keeps beside each object (under
// .stele/meta/<key>) with the object's Metadata. It names the SHA-256 of the
// bytes it describes, so that metadata left over from an older version of a
// mutable object (a crash between the two renames of a Put) is recognised
// and ignored rather than served with the wrong object.
type sidecar struct {
	SHA256          string `json:"sha256"`
	ContentType     string `json:"content_type,omitempty"`
	CacheControl    string `json:"cache_control,omitempty"`
	ContentEncoding string `json:"content_encoding,omitempty"`
}

var errBadSidecar = errors.New("store: malformed metadata sidecar")

// encodeSidecar returns the sidecar for an object whose bytes hash to sum.
func encodeSidecar(sum [sha256.Size]byte, md Metadata) []byte {
	b, err := json.Marshal(sidecar{
		SHA256:          hex.EncodeToString(sum[:]),
		ContentType:     md.ContentType,
		CacheControl:    md.CacheControl,
		ContentEncoding: md.ContentEncoding,
	})
	if err != nil {
		// Marshalling a struct of strings cannot fail.
		panic(err)
	}
	return append(b, '\n')
}

// parseSidecar parses a sidecar, returning the hash of the object it
// describes and the metadata. Unknown fields are ignored so that later
// versions may add some.
func parseSidecar(b []byte) ([sha256.Size]byte, Metadata, error) {
	var sc sidecar
	var sum [sha256.Size]byte
	if err := json.Unmarshal(b, &sc); err != nil {
		return sum, Metadata{}, fmt.Errorf("%w: %w", errBadSidecar, err)
	}
	if len(sc.SHA256) != 2*sha256.Size {
		return sum, Metadata{}, fmt.Errorf("%w: sha256 is not %d hex digits", errBadSidecar, 2*sha256.Size)
	}
	if _, err := hex.Decode(sum[:], []byte(sc.SHA256)); err != nil {
		return sum, Metadata{}, fmt.Errorf("%w: sha256: %w", errBadSidecar, err)
	}
	return sum, Metadata{
		ContentType:     sc.ContentType,
		CacheControl:    sc.CacheControl,
		ContentEncoding: sc.ContentEncoding,
	}, nil
}

// etagOf is the ETag of an object whose bytes hash to sum: the quoted hex
// SHA-256, as HTTP writes entity tags.
func etagOf(sum [sha256.Size]byte) string {
	return `"` + hex.EncodeToString(sum[:]) + `"`
}

// sameETag compares two ETags, ignoring the quotes that one of them may lack.
func sameETag(a, b string) bool {
	return unquoteETag(a) == unquoteETag(b)
}

func unquoteETag(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return s[1 : len(s)-1]
	}
	return s
}
