package checkpoint

import (
	"bytes"
	"crypto/sha256"
	"testing"

	"golang.org/x/mod/sumdb/tlog"
)

// seed returns a deterministic 32-byte Ed25519 seed for tests.
func seed(label string) []byte {
	s := sha256.Sum256([]byte("stele checkpoint test seed " + label))
	return s[:]
}

// testKeys returns a signer and verifier named name with a key derived
// from label.
func testKeys(tb testing.TB, name, label string) (*Signer, *Verifier) {
	tb.Helper()
	skey, vkey, err := GenerateKey(bytes.NewReader(seed(label)), name)
	if err != nil {
		tb.Fatalf("GenerateKey(%q): %v", name, err)
	}
	s, err := NewSigner(skey)
	if err != nil {
		tb.Fatalf("NewSigner(%q): %v", skey, err)
	}
	v, err := NewVerifier(vkey)
	if err != nil {
		tb.Fatalf("NewVerifier(%q): %v", vkey, err)
	}
	return s, v
}

func testCheckpoint(origin string, size int64, ext ...string) Checkpoint {
	return Checkpoint{
		Origin:     origin,
		Size:       size,
		Hash:       tlog.Hash(sha256.Sum256([]byte(origin))),
		Extensions: ext,
	}
}

func mustSign(tb testing.TB, c Checkpoint, signers ...*Signer) []byte {
	tb.Helper()
	n, err := Sign(c, signers...)
	if err != nil {
		tb.Fatalf("Sign(%v): %v", c, err)
	}
	return n
}

func equalCheckpoints(a, b Checkpoint) bool {
	return bytes.Equal(a.Marshal(), b.Marshal())
}
