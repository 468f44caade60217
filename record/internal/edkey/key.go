package edkey

import (
	"crypto/sha512"
	"errors"

	"filippo.io/edwards25519"
)

// Key is an Ed25519 public key prepared for verification. It is safe for
// concurrent use.
type Key struct {
	pub [32]byte
	neg *table // multiples of -A
}

// ErrKey is returned by New for bytes that are not the canonical encoding
// of a curve point.
var ErrKey = errors.New("not a canonical Ed25519 public key")

// New prepares pub, a 32-byte Ed25519 public key.
func New(pub []byte) (*Key, error) {
	if len(pub) != 32 {
		return nil, ErrKey
	}
	a, err := new(edwards25519.Point).SetBytes(pub)
	if err != nil || string(a.Bytes()) != string(pub) {
		return nil, ErrKey
	}
	k := &Key{neg: newTable(a.Negate(a))}
	copy(k.pub[:], pub)
	baseTable() // build the shared table now, not in the first Verify
	return k, nil
}

// Verify reports whether sig is a valid Ed25519 signature of msg under the
// key: sig is R || S with S < L, and R is the encoding of [S]B - [k]A.
func (k *Key) Verify(msg, sig []byte) bool {
	if len(sig) != 64 || !belowOrder(sig[32:]) {
		return false
	}
	h := sha512.New()
	h.Write(sig[:32])
	h.Write(k.pub[:])
	h.Write(msg)
	var sum [64]byte
	kk, err := edwards25519.NewScalar().SetUniformBytes(h.Sum(sum[:0]))
	if err != nil {
		return false
	}
	sd := signedDigits(sig[32:])
	kd := signedDigits(kk.Bytes())
	var acc point
	acc.setIdentity()
	baseTable().addMul(&acc, &sd)
	k.neg.addMul(&acc, &kd)
	var r [32]byte
	acc.encode(&r)
	return string(r[:]) == string(sig[:32])
}
