package edkey

import (
	"crypto/sha512"
	"fmt"
	"testing"

	"filippo.io/edwards25519"
)

// order8 is a point of order 8 (a torsion point), canonical encoding.
var order8 = "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"

func scalarOf(t *testing.T, n uint64) *edwards25519.Scalar {
	b := make([]byte, 32)
	for i := range 8 {
		b[i] = byte(n >> (8 * i))
	}
	s, err := edwards25519.NewScalar().SetCanonicalBytes(b)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestMixedOrder signs under a key with a torsion component, A = [a]B + T.
// The cofactorless equation then holds only when 8 divides k, and R with a
// torsion component never matches: the answers must agree with circl's on
// every message.
func TestMixedOrder(t *testing.T) {
	torsion, err := new(edwards25519.Point).SetBytes(unhex(t, order8))
	if err != nil {
		t.Fatal(err)
	}
	a, r := scalarOf(t, 123456789), scalarOf(t, 987654321)
	pubPoint := new(edwards25519.Point).ScalarBaseMult(a)
	pubPoint.Add(pubPoint, torsion)
	pub := pubPoint.Bytes()
	k, err := New(pub)
	if err != nil {
		t.Fatal(err)
	}
	R := new(edwards25519.Point).ScalarBaseMult(r)
	Rtorsion := new(edwards25519.Point).Add(R, torsion)
	accepted := 0
	for i := range 64 {
		msg := []byte(fmt.Sprintf("message %d", i))
		for _, rp := range []*edwards25519.Point{R, Rtorsion} {
			rb := rp.Bytes()
			h := sha512.New()
			h.Write(rb)
			h.Write(pub)
			h.Write(msg)
			kk, err := edwards25519.NewScalar().SetUniformBytes(h.Sum(nil))
			if err != nil {
				t.Fatal(err)
			}
			s := edwards25519.NewScalar().MultiplyAdd(kk, a, r)
			sig := append(rb, s.Bytes()...)
			got, want := k.Verify(msg, sig), reference(pub, msg, sig)
			if got != want {
				t.Fatalf("message %d: got %v, reference %v", i, got, want)
			}
			if got {
				accepted++
			}
		}
	}
	// Some but not all: the test must exercise both answers.
	if accepted == 0 || accepted == 128 {
		t.Fatalf("%d of 128 accepted; want some of each", accepted)
	}
}
