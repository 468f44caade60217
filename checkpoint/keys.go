package checkpoint

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/cloudflare/circl/sign/ed25519"
)

// ErrInvalidKey reports a signer or verifier key string that cannot be used:
// wrong shape, bad base64, an algorithm other than Ed25519, a key ID that
// does not match, or an invalid name. It is wrapped with detail.
var ErrInvalidKey = errors.New("invalid key")

const (
	algEd25519       = 0x01
	signerKeyPrefix  = "PRIVATE+KEY+"
	keyStringDataLen = 1 + 32 // algorithm byte and seed or public key
)

// keyHash computes the C2SP key ID of an Ed25519 public key under name.
func keyHash(name string, pub []byte) uint32 {
	h := sha256.New()
	h.Write([]byte(name))
	h.Write([]byte{'\n', algEd25519})
	h.Write(pub)
	return binary.BigEndian.Uint32(h.Sum(nil))
}

// validName reports whether name may be a key name: non-empty UTF-8 with no
// Unicode space, no plus sign and no control character.
func validName(name string) bool {
	if name == "" || !utf8.ValidString(name) || strings.Contains(name, "+") {
		return false
	}
	return strings.IndexFunc(name, func(r rune) bool { return unicode.IsSpace(r) || r < 0x20 }) < 0
}

// GenerateKey creates an Ed25519 key named name, reading its 32-byte seed
// from rand, and returns it as a signer key string and the matching verifier
// key string.
func GenerateKey(rand io.Reader, name string) (signerKey, verifierKey string, err error) {
	if !validName(name) {
		return "", "", fmt.Errorf("generating key: name %q: %w", name, ErrInvalidKey)
	}
	seed := make([]byte, ed25519.SeedSize)
	if _, err := io.ReadFull(rand, seed); err != nil {
		return "", "", fmt.Errorf("generating key: reading seed: %w", err)
	}
	pub := ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey)
	return signerKeyString(name, pub, seed), verifierKeyString(name, pub), nil
}

func signerKeyString(name string, pub, seed []byte) string {
	return signerKeyPrefix + name + "+" + hashString(keyHash(name, pub)) + "+" + keyData(seed)
}

func verifierKeyString(name string, pub []byte) string {
	return name + "+" + hashString(keyHash(name, pub)) + "+" + keyData(pub)
}

func hashString(h uint32) string { return fmt.Sprintf("%08x", h) }

func keyData(key []byte) string {
	return base64.StdEncoding.EncodeToString(append([]byte{algEd25519}, key...))
}

// decodeBase64 decodes canonical padded standard base64 only: the decoder
// alone would skip newlines and, unless strict, accept non-zero padding bits.
func decodeBase64(s string) ([]byte, bool) {
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil || base64.StdEncoding.EncodeToString(b) != s {
		return nil, false
	}
	return b, true
}

// splitKey parses "<name>+<hash>+<data>" into its name, key ID and 32 key
// bytes, checking everything except that the key ID matches.
func splitKey(s string) (name string, hash uint32, key []byte, err error) {
	// The name and key ID hold no '+'; the base64 key data may.
	name, rest, ok1 := strings.Cut(s, "+")
	hexHash, b64, ok2 := strings.Cut(rest, "+")
	if !ok1 || !ok2 {
		return "", 0, nil, fmt.Errorf("not <name>+<key ID>+<key data>: %w", ErrInvalidKey)
	}
	if !validName(name) {
		return "", 0, nil, fmt.Errorf("name %q: %w", name, ErrInvalidKey)
	}
	if len(hexHash) != 8 || strings.ToLower(hexHash) != hexHash {
		return "", 0, nil, fmt.Errorf("key ID %q is not 8 lower-case hex digits: %w", hexHash, ErrInvalidKey)
	}
	h, err := strconv.ParseUint(hexHash, 16, 32)
	if err != nil {
		return "", 0, nil, fmt.Errorf("key ID %q is not 8 lower-case hex digits: %w", hexHash, ErrInvalidKey)
	}
	data, ok := decodeBase64(b64)
	if !ok {
		return "", 0, nil, fmt.Errorf("key data is not canonical base64: %w", ErrInvalidKey)
	}
	if len(data) != keyStringDataLen {
		return "", 0, nil, fmt.Errorf("key data is %d bytes, want %d: %w", len(data), keyStringDataLen, ErrInvalidKey)
	}
	if data[0] != algEd25519 {
		return "", 0, nil, fmt.Errorf("algorithm %#02x, want Ed25519 (0x01): %w", data[0], ErrInvalidKey)
	}
	return name, uint32(h), data[1:], nil
}
