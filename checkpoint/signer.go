package checkpoint

import (
	"fmt"
	"strings"

	"github.com/cloudflare/circl/sign/ed25519"
	"golang.org/x/mod/sumdb/note"
)

var _ note.Signer = (*Signer)(nil)

// Signer holds an Ed25519 private key and the name it signs notes under.
// It implements golang.org/x/mod/sumdb/note.Signer, and its Sign method also
// signs raw messages (Plexi epoch signatures). A Signer is immutable and safe
// for concurrent use.
type Signer struct {
	name string
	hash uint32
	priv ed25519.PrivateKey
	pub  ed25519.PublicKey
}

// NewSigner parses a signer key string
// "PRIVATE+KEY+<name>+<key ID>+<base64(0x01 || seed)>". The key ID must be the
// one the name and the public key derived from the seed give. Errors wrap
// [ErrInvalidKey].
func NewSigner(signerKey string) (*Signer, error) {
	rest, ok := strings.CutPrefix(signerKey, signerKeyPrefix)
	if !ok {
		return nil, fmt.Errorf("reading signer key: does not start with %q: %w", signerKeyPrefix, ErrInvalidKey)
	}
	name, hash, seed, err := splitKey(rest)
	if err != nil {
		return nil, fmt.Errorf("reading signer key: %w", err)
	}
	priv := ed25519.NewKeyFromSeed(seed)
	s := newSigner(name, priv)
	if s.hash != hash {
		return nil, fmt.Errorf("reading signer key %s: key ID %08x, the key gives %08x: %w", name, hash, s.hash, ErrInvalidKey)
	}
	return s, nil
}

func newSigner(name string, priv ed25519.PrivateKey) *Signer {
	pub := priv.Public().(ed25519.PublicKey)
	return &Signer{name: name, hash: keyHash(name, pub), priv: priv, pub: pub}
}

// Name returns the key name the signer signs notes under.
func (s *Signer) Name() string { return s.name }

// KeyHash returns the key ID of the signer's public key under its name.
func (s *Signer) KeyHash() uint32 { return s.hash }

// Sign returns the 64-byte Ed25519 signature of msg. For a note, msg is the
// note text; the key ID prefix is added by the note encoder. The error is
// always nil; it is there to satisfy note.Signer.
func (s *Signer) Sign(msg []byte) ([]byte, error) {
	return ed25519.Sign(s.priv, msg), nil
}

// WithName returns a signer with the same key under name, with the key ID
// that name gives. The name is not checked here: a name that is not a valid
// key name (empty, or with a space or '+') makes [Sign] fail.
func (s *Signer) WithName(name string) *Signer {
	return newSigner(name, s.priv)
}

// PublicKey returns a copy of the 32-byte Ed25519 public key.
func (s *Signer) PublicKey() []byte { return append([]byte(nil), s.pub...) }

// VerifierKey returns the verifier key string "<name>+<key ID>+<base64>" of
// the signer under its current name.
func (s *Signer) VerifierKey() string { return verifierKeyString(s.name, s.pub) }
