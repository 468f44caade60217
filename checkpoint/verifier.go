package checkpoint

import (
	"fmt"
	"strings"

	"github.com/cloudflare/circl/sign/ed25519"
	"golang.org/x/mod/sumdb/note"
)

var _ note.Verifier = (*Verifier)(nil)

// Verifier holds an Ed25519 public key and the name it verifies notes
// under. It implements golang.org/x/mod/sumdb/note.Verifier. A Verifier is
// immutable and safe for concurrent use.
type Verifier struct {
	name string
	hash uint32
	pub  ed25519.PublicKey
}

// NewVerifier parses a verifier key string
// "<name>+<key ID>+<base64(0x01 || public key)>". The key ID must be the one
// the name and public key give. Errors wrap [ErrInvalidKey].
func NewVerifier(verifierKey string) (*Verifier, error) {
	name, hash, pub, err := splitKey(verifierKey)
	if err != nil {
		return nil, fmt.Errorf("reading verifier key: %w", err)
	}
	v := newVerifier(name, pub)
	if v.hash != hash {
		return nil, fmt.Errorf("reading verifier key %s: key ID %08x, the key gives %08x: %w", name, hash, v.hash, ErrInvalidKey)
	}
	return v, nil
}

func newVerifier(name string, pub []byte) *Verifier {
	return &Verifier{name: name, hash: keyHash(name, pub), pub: ed25519.PublicKey(pub)}
}

// Name returns the key name.
func (v *Verifier) Name() string { return v.name }

// KeyHash returns the key ID of the public key under the name.
func (v *Verifier) KeyHash() uint32 { return v.hash }

// Verify reports whether sig is a valid Ed25519 signature of msg by the key
// (without key ID prefix). Non-canonical signatures are rejected.
func (v *Verifier) Verify(msg, sig []byte) bool {
	return ed25519.Verify(v.pub, msg, sig)
}

// PublicKey returns a copy of the 32-byte Ed25519 public key.
func (v *Verifier) PublicKey() []byte { return append([]byte(nil), v.pub...) }

// String returns the verifier key string.
func (v *Verifier) String() string { return verifierKeyString(v.name, v.pub) }

// ForOrigin returns the verifier for the log whose origin is origin, with
// v's public key and origin as the key name. The origin must be v's name, or
// v's name followed by "/" and a non-empty rest that keeps it a valid key
// name: one key covers every log below its name, each signed under its own
// origin. Any other origin is an error.
func (v *Verifier) ForOrigin(origin string) (*Verifier, error) {
	if origin == v.name {
		return v, nil
	}
	rest, ok := strings.CutPrefix(origin, v.name+"/")
	if !ok || rest == "" {
		return nil, fmt.Errorf("key %s does not cover origin %q: want %q or %q", v.name, origin, v.name, v.name+"/<namespace>")
	}
	if !validName(origin) {
		return nil, fmt.Errorf("key %s does not cover origin %q: not a valid key name", v.name, origin)
	}
	return newVerifier(origin, v.pub), nil
}
