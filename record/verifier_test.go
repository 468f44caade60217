package record

import (
	"bytes"
	"errors"
	"sync"
	"testing"

	"github.com/cloudflare/circl/sign/ed25519"
)

// verifyBoth checks r under pub with VerifySignature and with a Verifier,
// fails the test when their answers differ, and returns the answer.
func verifyBoth(t *testing.T, r *Record, pub []byte) error {
	t.Helper()
	want := r.VerifySignature(pub)
	got := testVerifier(pub).Verify(r)
	if (got == nil) != (want == nil) || got != nil && got.Error() != want.Error() ||
		errors.Is(got, ErrBadSignature) != errors.Is(want, ErrBadSignature) {
		t.Fatalf("Verifier: %v; VerifySignature: %v", got, want)
	}
	return want
}

// testVerifiers keeps the tests' Verifiers by key: preparing one takes
// milliseconds.
var testVerifiers sync.Map

func testVerifier(pub []byte) *Verifier {
	if v, ok := testVerifiers.Load(string(pub)); ok {
		return v.(*Verifier)
	}
	v, _ := testVerifiers.LoadOrStore(string(pub), NewVerifier(pub))
	return v.(*Verifier)
}

// strictBoth is verifyStrict, checked against a Verifier's answer.
func strictBoth(t *testing.T, pub, msg, sig []byte) bool {
	t.Helper()
	want := verifyStrict(pub, msg, sig)
	if got := testVerifier(pub).verify(msg, sig); got != want {
		t.Fatalf("Verifier: %v; verifyStrict: %v", got, want)
	}
	return want
}

// TestVerifierSmallOrder checks that a Verifier refuses what verifyStrict
// refuses for small order: every key of the torsion subgroup, and a valid
// equation with R the identity.
func TestVerifierSmallOrder(t *testing.T) {
	for _, a := range smallOrder {
		v := NewVerifier(a[:])
		if v.key != nil {
			// Torsion keys decode, so only the small-order check stops them.
			t.Errorf("key %x: prepared, want refused", a)
		}
		sig := append(bytes.Clone(smallOrder[0][:]), make([]byte, 32)...)
		for m := range 16 {
			if v.verify([]byte{byte(m)}, sig) {
				t.Fatalf("key %x accepts a signature", a)
			}
		}
	}
	pub, priv := testKey()
	v := NewVerifier(pub)
	msg := []byte("m")
	sig := ed25519.Sign(priv, msg)
	if !v.verify(msg, sig) {
		t.Fatal("control: a valid signature is refused")
	}
	if v.verify(msg, sig[:63]) || v.verify(msg, append(bytes.Clone(sig), 0)) {
		t.Fatal("a signature of the wrong length is accepted")
	}
}
