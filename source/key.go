package source

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrInvalidKey is wrapped by errors about a name that is not a proof
// object's key: [ParseKey] returns it, and [Source.Open] returns it for a
// name that no listing could have produced.
var ErrInvalidKey = errors.New("source: not a proof object key")

// Key is a proof object's name: "<epoch>/<hex prev root>/<hex cur root>",
// lowercase hex, 32-byte roots. Epoch is the target epoch E of the step
// E-1 -> E: Prev is the directory's root at E-1 and Cur its root at E.
type Key struct {
	Epoch     uint64
	Prev, Cur [32]byte
}

// rootHexLen is the length of one root in a key: 32 bytes, two hex digits
// each.
const rootHexLen = 64

// ParseKey parses a proof object's key. It accepts exactly the names that
// match ^(0|[1-9][0-9]*)/[0-9a-f]{64}/[0-9a-f]{64}$ and whose epoch fits in
// a uint64, so that String gives back the same name. Any other name is an
// error wrapping [ErrInvalidKey].
func ParseKey(name string) (Key, error) {
	var k Key
	epoch, rest, ok1 := strings.Cut(name, "/")
	prev, cur, ok2 := strings.Cut(rest, "/")
	if !ok1 || !ok2 {
		return k, fmt.Errorf("%w: %q does not have three segments", ErrInvalidKey, name)
	}
	e, err := parseEpoch(epoch)
	if err != nil {
		return k, fmt.Errorf("%w: %q: %v", ErrInvalidKey, name, err)
	}
	k.Epoch = e
	if err := parseRoot(&k.Prev, prev); err != nil {
		return k, fmt.Errorf("%w: %q: previous root: %v", ErrInvalidKey, name, err)
	}
	if err := parseRoot(&k.Cur, cur); err != nil {
		return k, fmt.Errorf("%w: %q: current root: %v", ErrInvalidKey, name, err)
	}
	return k, nil
}

// parseEpoch parses a canonical decimal uint64: digits only, no sign, no
// leading zero unless the number is 0.
func parseEpoch(s string) (uint64, error) {
	if s == "" {
		return 0, errors.New("empty epoch")
	}
	if len(s) > 1 && s[0] == '0' {
		return 0, errors.New("epoch has a leading zero")
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return 0, errors.New("epoch is not decimal digits")
		}
	}
	e, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, errors.New("epoch does not fit in 64 bits")
	}
	return e, nil
}

// parseRoot decodes 64 lowercase hex digits into dst.
func parseRoot(dst *[32]byte, s string) error {
	if len(s) != rootHexLen {
		return fmt.Errorf("%d characters, want %d", len(s), rootHexLen)
	}
	for i := range len(s) {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return errors.New("not lowercase hex")
		}
	}
	_, err := hex.Decode(dst[:], []byte(s))
	return err
}

// String returns the key's canonical name, which [ParseKey] parses back to
// k.
func (k Key) String() string {
	b := make([]byte, 0, 20+2+2*rootHexLen)
	b = strconv.AppendUint(b, k.Epoch, 10)
	b = append(b, '/')
	b = hex.AppendEncode(b, k.Prev[:])
	b = append(b, '/')
	b = hex.AppendEncode(b, k.Cur[:])
	return string(b)
}
