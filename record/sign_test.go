package record

import (
	"bytes"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"math/big"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/cloudflare/circl/sign/ed25519"
)

func TestSignedSamplesVerify(t *testing.T) {
	pub, _ := testKey()
	for name, r := range sampleRecords(t) {
		if r.Kind == KindViolation {
			if err := verifyBoth(t, r, pub); !errors.Is(err, ErrBadSignature) {
				t.Errorf("%s: VerifySignature of an unsigned record: %v, want ErrBadSignature", name, err)
			}
			continue
		}
		if err := verifyBoth(t, r, pub); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		other := ed25519.NewKeyFromSeed(make([]byte, 32)).Public().(ed25519.PublicKey)
		if err := verifyBoth(t, r, other); !errors.Is(err, ErrBadSignature) {
			t.Errorf("%s: verifies under another key: %v", name, err)
		}
	}
}

// TestVerifyFlippedFields changes every byte of every signed field of a
// decoded record; the signature must no longer verify.
func TestVerifyFlippedFields(t *testing.T) {
	pub, _ := testKey()
	for _, base := range []string{"verified", "verified-bincode"} {
		orig := sampleRecords(t)[base]
		fails := func(what string, r *Record) {
			t.Helper()
			if err := verifyBoth(t, r, pub); !errors.Is(err, ErrBadSignature) {
				t.Errorf("%s: %s changed: VerifySignature = %v, want ErrBadSignature", base, what, err)
			}
		}
		sig, _ := hex.DecodeString(orig.Signature.Signature)
		for i := range sig {
			r := clone(orig)
			s := bytes.Clone(sig)
			s[i] ^= 0x01
			r.Signature.Signature = hex.EncodeToString(s)
			fails("signature byte "+strconv.Itoa(i), r)
		}
		dig, _ := hex.DecodeString(orig.Digest)
		for i := range dig {
			r := clone(orig)
			d := bytes.Clone(dig)
			d[i] ^= 0x80
			r.Digest = hex.EncodeToString(d)
			fails("digest byte "+strconv.Itoa(i), r)
		}
		for i := range orig.Namespace {
			r := clone(orig)
			ns := []byte(r.Namespace)
			ns[i] ^= 0x01
			r.Namespace = string(ns)
			fails("namespace byte "+strconv.Itoa(i), r)
		}
		for bit := range 64 {
			r := clone(orig)
			r.Epoch ^= 1 << bit
			fails("epoch bit "+strconv.Itoa(bit), r)
			r = clone(orig)
			r.Signature.Timestamp ^= 1 << (bit % 63)
			r.VerifiedAt = r.Signature.Timestamp
			fails("timestamp bit "+strconv.Itoa(bit%63), r)
		}
		r := clone(orig)
		r.Signature.Ciphersuite = 3 - r.Signature.Ciphersuite
		fails("ciphersuite", r)
		r = clone(orig)
		*r.Signature.KeyID ^= 1
		fails("key_id", r)

		// Positive control: key_id is optional, and the fields outside
		// the message are not signed.
		r = clone(orig)
		r.Signature.KeyID = nil
		r.PreviousDigest = r.Digest
		r.Proofs[0].Size++
		if err := verifyBoth(t, r, pub); err != nil {
			t.Errorf("%s: unsigned fields changed: %v", base, err)
		}
	}
}

// TestVerifyFlippedBytes flips bits in each byte of the encoded values of
// a signed record's namespace, epoch, digest, timestamp and signature:
// either Parse or VerifySignature must fail.
func TestVerifyFlippedBytes(t *testing.T) {
	pub, _ := testKey()
	b := mustMarshal(t, sampleRecords(t)["verified"])
	for _, key := range []string{"namespace", "epoch", `digest`, "timestamp", "signature", "ciphersuite", "key_id"} {
		start, end := valueSpan(t, b, key)
		parsed := 0
		for i := start; i < end; i++ {
			for _, mask := range []byte{0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80} {
				m := bytes.Clone(b)
				m[i] ^= mask
				r, err := Parse(m)
				if err != nil {
					if !errors.Is(err, ErrMalformed) {
						t.Fatalf("Parse: %v, want ErrMalformed", err)
					}
					continue
				}
				parsed++
				if err := verifyBoth(t, r, pub); !errors.Is(err, ErrBadSignature) {
					t.Errorf("%s: byte %d ^ %#x: parses and VerifySignature = %v", key, i, mask, err)
				}
			}
		}
		t.Logf("%s: %d bytes, %d changed records that parse, none verifies", key, end-start, parsed)
	}
}

// valueSpan returns the span of the value of the first "key": in b, from
// its first byte (after any '"') to the ',' or '}' that ends it (before any
// '"').
func valueSpan(t *testing.T, b []byte, key string) (int, int) {
	t.Helper()
	k := []byte(`"` + key + `":`)
	i := bytes.Index(b, k)
	if key == "signature" { // the hex value, not the object
		i = bytes.Index(b, []byte(`"signature":"`))
	}
	if i < 0 {
		t.Fatalf("no %s in %s", key, b)
	}
	start := i + len(k)
	if b[start] == '"' {
		start++
	}
	end := start + bytes.IndexAny(b[start:], ",}")
	if b[end-1] == '"' {
		end--
	}
	return start, end
}

func TestSignRejects(t *testing.T) {
	pub, priv := testKey()
	rs := sampleRecords(t)
	unsigned := func(name string) *Record {
		r := clone(rs[name])
		r.Signature, r.VerifiedAt = nil, 0
		return r
	}
	otherPriv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32))
	tests := []struct {
		name   string
		r      *Record
		cs     uint32
		ts     int64
		pub    []byte
		sign   func([]byte) ([]byte, error)
		wantIs error
	}{
		{"violation", rs["violation"], 1, 5, pub, signer(priv), ErrMalformed},
		{"unknown kind", &Record{Kind: "x"}, 1, 5, pub, signer(priv), ErrMalformed},
		{"ciphersuite 3", unsigned("verified"), 3, 5, pub, signer(priv), ErrMalformed},
		{"negative timestamp", unsigned("verified"), 1, -5, pub, signer(priv), ErrMalformed},
		{"bad digest", func() *Record { r := unsigned("anchor"); r.Digest = "00"; return r }(), 1, 5, pub, signer(priv), ErrMalformed},
		{"bad namespace", func() *Record { r := unsigned("anchor"); r.Namespace = "a b"; return r }(), 1, 5, pub, signer(priv), ErrMalformed},
		{"short public key", unsigned("verified"), 1, 5, pub[:31], signer(priv), nil},
		{"signer of another key", unsigned("verified"), 1, 5, pub, signer(otherPriv), ErrBadSignature},
		{"short signature", unsigned("verified"), 1, 5, pub, func([]byte) ([]byte, error) { return make([]byte, 63), nil }, ErrBadSignature},
		{"signer fails", unsigned("verified"), 1, 5, pub, func([]byte) ([]byte, error) { return nil, errTestSigner }, errTestSigner},
	}
	for _, tt := range tests {
		before := clone(tt.r)
		err := tt.r.Sign(tt.cs, tt.ts, tt.pub, tt.sign)
		if err == nil || (tt.wantIs != nil && !errors.Is(err, tt.wantIs)) {
			t.Errorf("%s: Sign = %v, want %v", tt.name, err, tt.wantIs)
		}
		if !reflect.DeepEqual(before, tt.r) {
			t.Errorf("%s: failed Sign changed the record", tt.name)
		}
	}
}

var errTestSigner = errors.New("test signer failure")

func TestVerifyKeyID(t *testing.T) {
	pub, _ := testKey()
	r := clone(sampleRecords(t)["anchor"])
	if *r.Signature.KeyID != pub[31] {
		t.Fatalf("key_id %d, want the key's last byte %d", *r.Signature.KeyID, pub[31])
	}
	*r.Signature.KeyID++
	err := verifyBoth(t, r, pub)
	if !errors.Is(err, ErrBadSignature) || !strings.Contains(err.Error(), "key_id") {
		t.Fatalf("wrong key_id: %v", err)
	}
	if err := verifyBoth(t, r, pub[:31]); err == nil || errors.Is(err, ErrBadSignature) {
		t.Fatalf("short public key: %v, want a plain error", err)
	}
}

// TestSmallOrderList checks that smallOrder is the torsion subgroup. The
// signature (R = identity, S = 0) of M under A verifies exactly when
// [k]A is the identity, k = H(R || A || M) mod L. For k not a multiple of
// L that proves A has order dividing 8; it also proves A decodes, which
// circl only does for canonical encodings. Eight distinct such points are
// the whole subgroup. A key of large order never verifies this way.
func TestSmallOrderList(t *testing.T) {
	identity := smallOrder[0][:]
	sig := append(bytes.Clone(identity), make([]byte, 32)...)
	honest, _ := testKey()
	for m := range 64 {
		if ed25519.Verify(honest, []byte{byte(m)}, sig) {
			t.Fatalf("control: (identity, 0) verifies under a key of large order")
		}
	}
	seen := map[[32]byte]bool{}
	for _, a := range smallOrder {
		if seen[a] {
			t.Fatalf("duplicate entry %x", a)
		}
		seen[a] = true
		found := false
		for m := range 256 {
			msg := []byte{byte(m), 's', 't', 'e', 'l', 'e'}
			if !ed25519.Verify(ed25519.PublicKey(a[:]), msg, sig) {
				continue
			}
			found = true
			if strictBoth(t, a[:], msg, sig) {
				t.Errorf("verifyStrict accepts small-order key %x", a)
			}
			break
		}
		if !found {
			t.Errorf("%x: no message signed by (identity, 0): not shown to be of small order", a)
		}
	}
}

// groupOrder is L, the order of the Ed25519 base point.
var groupOrder, _ = new(big.Int).SetString("7237005577332262213973186563042994240857116359379907606001950938285454250989", 10)

func leInt(b []byte) *big.Int {
	r := make([]byte, len(b))
	for i := range b {
		r[len(b)-1-i] = b[i]
	}
	return new(big.Int).SetBytes(r)
}

func leBytes32(x *big.Int) []byte {
	be := x.FillBytes(make([]byte, 32))
	for i, j := 0, 31; i < j; i, j = i+1, j-1 {
		be[i], be[j] = be[j], be[i]
	}
	return be
}

// TestVerifyStrict checks the two refusals that plain cofactorless
// verification lacks or has: an R of small order (here the identity,
// which the holder of the key can make verify with S = k*a), and a
// non-reduced S.
func TestVerifyStrict(t *testing.T) {
	pub, priv := testKey()
	msg := []byte("epoch message")

	// R = identity, S = k*a mod L.
	h := sha512.Sum512(priv.Seed())
	h[0] &= 248
	h[31] &= 127
	h[31] |= 64
	a := leInt(h[:32])
	rEnc := smallOrder[0][:]
	kh := sha512.New()
	kh.Write(rEnc)
	kh.Write(pub)
	kh.Write(msg)
	k := new(big.Int).Mod(leInt(kh.Sum(nil)), groupOrder)
	s := new(big.Int).Mod(new(big.Int).Mul(k, a), groupOrder)
	sig := append(bytes.Clone(rEnc), leBytes32(s)...)
	if !ed25519.Verify(pub, msg, sig) {
		t.Fatal("control: the small-R signature does not verify under plain verification")
	}
	if strictBoth(t, pub, msg, sig) {
		t.Error("verifyStrict accepts a signature whose R has small order")
	}

	// A valid signature, then the same with S + L.
	good := ed25519.Sign(priv, msg)
	if !strictBoth(t, pub, msg, good) {
		t.Fatal("control: a valid signature does not verify")
	}
	sPlusL := new(big.Int).Add(leInt(good[32:]), groupOrder)
	bad := append(bytes.Clone(good[:32]), leBytes32(sPlusL)...)
	if strictBoth(t, pub, msg, bad) {
		t.Error("verifyStrict accepts a non-reduced S")
	}
}
