package edkey

import (
	"crypto/ed25519"
	"encoding/hex"
	"math/rand/v2"
	"testing"

	"filippo.io/edwards25519"

	circl "github.com/cloudflare/circl/sign/ed25519"
)

// reference is the general verifier every answer is compared with.
func reference(pub, msg, sig []byte) bool {
	return circl.Verify(circl.PublicKey(pub), msg, sig)
}

// RFC 8032 section 7.1, tests 1 to 3.
var rfcVectors = []struct{ pub, msg, sig string }{
	{"d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
		"e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
	{"3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
		"92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
	{"fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
		"6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"},
}

func unhex(t testing.TB, s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRFC8032(t *testing.T) {
	for i, v := range rfcVectors {
		pub, msg, sig := unhex(t, v.pub), unhex(t, v.msg), unhex(t, v.sig)
		k, err := New(pub)
		if err != nil {
			t.Fatalf("vector %d: %v", i+1, err)
		}
		if !k.Verify(msg, sig) {
			t.Errorf("vector %d: valid signature refused", i+1)
		}
		// Negative control: every single flipped byte must fail.
		for j := range sig {
			bad := append([]byte(nil), sig...)
			bad[j] ^= 0x01
			if k.Verify(msg, bad) {
				t.Errorf("vector %d: signature with byte %d flipped accepted", i+1, j)
			}
		}
		if k.Verify(append(msg, 0), sig) {
			t.Errorf("vector %d: signature accepted for another message", i+1)
		}
	}
}

// TestMatchesReference compares answers with circl's verifier on valid
// signatures under many keys and on signatures changed in every bit.
func TestMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	seed := make([]byte, ed25519.SeedSize)
	for n := range 20 {
		for i := range seed {
			seed[i] = byte(rng.Uint32())
		}
		priv := ed25519.NewKeyFromSeed(seed)
		pub := priv.Public().(ed25519.PublicKey)
		k, err := New(pub)
		if err != nil {
			t.Fatal(err)
		}
		msg := make([]byte, rng.IntN(300))
		for i := range msg {
			msg[i] = byte(rng.Uint32())
		}
		sig := ed25519.Sign(priv, msg)
		if !k.Verify(msg, sig) {
			t.Fatalf("key %d: valid signature refused", n)
		}
		for bit := range 8 * len(sig) {
			bad := append([]byte(nil), sig...)
			bad[bit/8] ^= 1 << (bit % 8)
			if got, want := k.Verify(msg, bad), reference(pub, msg, bad); got != want {
				t.Fatalf("key %d, bit %d flipped: got %v, reference %v", n, bit, got, want)
			}
		}
	}
}

// TestScalarEdges checks S at and above the group order and the
// malleable S + L, which strict verifiers refuse.
func TestScalarEdges(t *testing.T) {
	pub, msg, sig := unhex(t, rfcVectors[0].pub), unhex(t, rfcVectors[0].msg), unhex(t, rfcVectors[0].sig)
	k, err := New(pub)
	if err != nil {
		t.Fatal(err)
	}
	plusL := append([]byte(nil), sig...)
	var carry uint16
	for i := range 32 {
		v := uint16(plusL[32+i]) + uint16(order[i]) + carry
		plusL[32+i], carry = byte(v), v>>8
	}
	for name, s := range map[string][]byte{
		"S = L":       order[:],
		"S = 2^256-1": bytesOf(0xff, 32),
		"S + L":       plusL[32:],
	} {
		bad := append(append([]byte(nil), sig[:32]...), s...)
		if k.Verify(msg, bad) || reference(pub, msg, bad) {
			t.Errorf("%s: accepted (reference %v)", name, reference(pub, msg, bad))
		}
	}
}

func bytesOf(b byte, n int) []byte {
	s := make([]byte, n)
	for i := range s {
		s[i] = b
	}
	return s
}

// TestNewRefuses checks that keys are canonical point encodings, as
// circl's decoding requires.
func TestNewRefuses(t *testing.T) {
	p := bytesOf(0xff, 32)
	p[0], p[31] = 0xed, 0x7f // y = p: not reduced
	negZero := make([]byte, 32)
	negZero[0], negZero[31] = 1, 0x80 // the identity with x's sign bit set
	notOnCurve := make([]byte, 32)
	notOnCurve[0] = 2 // y = 2 has no x on the curve
	for name, pub := range map[string][]byte{
		"short":         make([]byte, 31),
		"y = p":         p,
		"negative zero": negZero,
		"not on curve":  notOnCurve,
	} {
		if _, err := New(pub); err == nil {
			t.Errorf("%s: accepted", name)
		}
		if reference(pub, nil, make([]byte, 64)) {
			t.Errorf("%s: reference accepted a zero signature", name)
		}
	}
}

// TestSmallOrderKey checks a key of small order (the identity), where
// the cofactorless equation makes R = [S]B for any message; the answers
// must still match circl's.
func TestSmallOrderKey(t *testing.T) {
	id := make([]byte, 32)
	id[0] = 1
	k, err := New(id)
	if err != nil {
		t.Fatal(err)
	}
	s := make([]byte, 32)
	s[0] = 7
	sb, err := edwards25519.NewScalar().SetCanonicalBytes(s)
	if err != nil {
		t.Fatal(err)
	}
	var sig [64]byte
	copy(sig[:32], new(edwards25519.Point).ScalarBaseMult(sb).Bytes())
	copy(sig[32:], s)
	for _, msg := range [][]byte{nil, []byte("any message")} {
		if got, want := k.Verify(msg, sig[:]), reference(id, msg, sig[:]); got != want || !got {
			t.Errorf("identity key, msg %q: got %v, reference %v (both should accept)", msg, got, want)
		}
	}
}
