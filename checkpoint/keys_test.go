package checkpoint

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/cloudflare/circl/sign/ed25519"
)

func TestGenerateKeyRoundTrip(t *testing.T) {
	skey, vkey, err := GenerateKey(bytes.NewReader(seed("gen")), "kt.example.com/stele")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(skey, "PRIVATE+KEY+kt.example.com/stele+") || !strings.HasPrefix(vkey, "kt.example.com/stele+") {
		t.Fatalf("GenerateKey = %q, %q", skey, vkey)
	}
	s, err := NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	v, err := NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	if s.VerifierKey() != vkey || v.String() != vkey {
		t.Errorf("VerifierKey() = %q, String() = %q, want %q", s.VerifierKey(), v.String(), vkey)
	}
	if s.Name() != v.Name() || s.KeyHash() != v.KeyHash() || !bytes.Equal(s.PublicKey(), v.PublicKey()) {
		t.Errorf("signer %s+%08x and verifier %s+%08x differ", s.Name(), s.KeyHash(), v.Name(), v.KeyHash())
	}
	if len(s.PublicKey()) != 32 {
		t.Errorf("PublicKey() is %d bytes", len(s.PublicKey()))
	}
	// The key ID is the documented hash, and appears in both strings.
	if id := fmt.Sprintf("+%08x+", keyHash(s.Name(), s.PublicKey())); !strings.Contains(skey, id) || !strings.Contains(vkey, id) {
		t.Errorf("key ID %s missing from %q or %q", id, skey, vkey)
	}
	// PublicKey returns a copy.
	s.PublicKey()[0] ^= 1
	v.PublicKey()[0] ^= 1
	if s.VerifierKey() != vkey || v.String() != vkey {
		t.Error("modifying PublicKey() changed the key")
	}
}

func TestKeyHashKnownAnswer(t *testing.T) {
	// The first four bytes of SHA-256("n" || 0x0a || 0x01 || 32 zero bytes),
	// computed with another SHA-256 implementation.
	var pub [32]byte
	if got, want := keyHash("n", pub[:]), uint32(0x6986284b); got != want {
		t.Errorf("keyHash = %08x, want %08x", got, want)
	}
}

func TestGenerateKeyErrors(t *testing.T) {
	for _, name := range []string{"", "a b", "a+b", "a\tb", "a\nb", "\xff"} {
		if _, _, err := GenerateKey(bytes.NewReader(seed("x")), name); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("GenerateKey(name %q) = %v, want ErrInvalidKey", name, err)
		}
	}
	if _, _, err := GenerateKey(bytes.NewReader(make([]byte, 31)), "n"); err == nil {
		t.Error("GenerateKey with a short random source succeeded")
	}
}

// keyStrings builds signer and verifier key strings from their parts, so
// that tests can get each part wrong.
func keyStrings(name, hash string, alg byte, key []byte) (skey, vkey string) {
	data := base64.StdEncoding.EncodeToString(append([]byte{alg}, key...))
	return "PRIVATE+KEY+" + name + "+" + hash + "+" + data, name + "+" + hash + "+" + data
}

func TestKeyStringsInvalid(t *testing.T) {
	sd := seed("neg")
	pub := ed25519.NewKeyFromSeed(sd).Public().(ed25519.PublicKey)
	name := "example.com/log"
	sHash := fmt.Sprintf("%08x", keyHash(name, pub))
	goodS, _ := keyStrings(name, sHash, 1, sd)
	_, goodV := keyStrings(name, sHash, 1, pub)
	if _, err := NewSigner(goodS); err != nil {
		t.Fatalf("control: NewSigner(%q) = %v", goodS, err)
	}
	if _, err := NewVerifier(goodV); err != nil {
		t.Fatalf("control: NewVerifier(%q) = %v", goodV, err)
	}

	type mk func() (skey, vkey string)
	parts := func(name, hash string, alg byte, skey, vkey []byte) mk {
		return func() (string, string) {
			s, _ := keyStrings(name, hash, alg, skey)
			_, v := keyStrings(name, hash, alg, vkey)
			return s, v
		}
	}
	// A key whose base64 has '+' and '/', written in the URL alphabet with
	// otherwise correct key IDs.
	urlKeys := func() (string, string) {
		k := bytes.Repeat([]byte{0xfb}, 32)
		kpub := ed25519.NewKeyFromSeed(k).Public().(ed25519.PublicKey)
		toURL := strings.NewReplacer("+", "-", "/", "_").Replace
		data := base64.StdEncoding.EncodeToString(append([]byte{1}, k...))
		if data == toURL(data) {
			t.Fatal("test key has no '+' or '/' in base64")
		}
		if _, err := NewSigner("PRIVATE+KEY+" + name + fmt.Sprintf("+%08x+", keyHash(name, kpub)) + data); err != nil {
			t.Fatalf("control: standard alphabet signer key: %v", err)
		}
		if _, err := NewVerifier(name + fmt.Sprintf("+%08x+", keyHash(name, k)) + data); err != nil {
			t.Fatalf("control: standard alphabet verifier key: %v", err)
		}
		return "PRIVATE+KEY+" + name + fmt.Sprintf("+%08x+", keyHash(name, kpub)) + toURL(data),
			name + fmt.Sprintf("+%08x+", keyHash(name, k)) + toURL(data)
	}
	raw := func(s, v string) mk { return func() (string, string) { return s, v } }
	wrongHash := fmt.Sprintf("%08x", keyHash(name, pub)+1)
	otherNameHash := fmt.Sprintf("%08x", keyHash("example.com/other", pub))
	for _, tt := range []struct {
		name string
		mk   mk
	}{
		{"wrong prefix", raw(strings.Replace(goodS, "PRIVATE+KEY+", "PRIVATE+KEYS+", 1), "x+"+goodV)},
		{"lower-case prefix", raw(strings.Replace(goodS, "PRIVATE+KEY+", "private+key+", 1), "")},
		{"swapped kinds", raw(goodV, goodS)},
		{"empty", raw("", "")},
		{"missing key data", raw("PRIVATE+KEY+"+name+"+"+sHash, name+"+"+sHash)},
		{"bad base64", raw("PRIVATE+KEY+"+name+"+"+sHash+"+!!!!", name+"+"+sHash+"+!!!!")},
		{"extra padding", raw(goodS+"=", goodV+"=")},
		{"URL base64 alphabet", urlKeys},
		{"trailing newline", raw(goodS+"\n", goodV+"\n")},
		{"inner newline", raw(goodS[:len(goodS)-8]+"\n"+goodS[len(goodS)-8:], goodV[:len(goodV)-8]+"\n"+goodV[len(goodV)-8:])},
		{"trailing space", raw(goodS+" ", goodV+" ")},
		{"wrong algorithm byte", parts(name, sHash, 0x02, sd, pub)},
		{"zero algorithm byte", parts(name, sHash, 0x00, sd, pub)},
		{"short key", parts(name, sHash, 1, sd[:31], pub[:31])},
		{"long key", parts(name, sHash, 1, append(sd, 0), append(pub, 0))},
		{"no key", parts(name, sHash, 1, nil, nil)},
		{"wrong hash", parts(name, wrongHash, 1, sd, pub)},
		{"hash of another name", parts(name, otherNameHash, 1, sd, pub)},
		{"upper-case hash", parts(name, strings.ToUpper(sHash), 1, sd, pub)},
		{"short hash", parts(name, sHash[1:], 1, sd, pub)},
		{"long hash", parts(name, "0"+sHash, 1, sd, pub)},
		{"non-hex hash", parts(name, "zzzzzzzz", 1, sd, pub)},
		{"signed hash", parts(name, "+1234567", 1, sd, pub)},
		{"name with plus", parts("a+b", sHash, 1, sd, pub)},
		{"name with space", parts("a b", sHash, 1, sd, pub)},
		{"name with no-break space", parts("a\u00a0b", sHash, 1, sd, pub)},
		{"name with tab", parts("a\tb", sHash, 1, sd, pub)},
		{"empty name", parts("", sHash, 1, sd, pub)},
		{"name not UTF-8", parts("a\xffb", sHash, 1, sd, pub)},
	} {
		skey, vkey := tt.mk()
		if _, err := NewSigner(skey); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("%s: NewSigner(%q) = %v, want ErrInvalidKey", tt.name, skey, err)
		}
		if _, err := NewVerifier(vkey); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("%s: NewVerifier(%q) = %v, want ErrInvalidKey", tt.name, vkey, err)
		}
	}
}

func TestWithName(t *testing.T) {
	s, v := testKeys(t, "kt.example.com/stele", "w")
	ns := s.WithName("kt.example.com/stele/ns")
	if ns.Name() != "kt.example.com/stele/ns" || s.Name() != "kt.example.com/stele" {
		t.Fatalf("WithName: names %q and %q", ns.Name(), s.Name())
	}
	if ns.KeyHash() == s.KeyHash() {
		t.Error("WithName kept the key ID")
	}
	if ns.KeyHash() != keyHash(ns.Name(), s.PublicKey()) || !bytes.Equal(ns.PublicKey(), s.PublicKey()) {
		t.Error("WithName changed the key or computed a wrong key ID")
	}
	nv, err := NewVerifier(ns.VerifierKey())
	if err != nil {
		t.Fatal(err)
	}
	fo, err := v.ForOrigin("kt.example.com/stele/ns")
	if err != nil {
		t.Fatal(err)
	}
	if nv.String() != fo.String() {
		t.Errorf("ForOrigin gave %q, WithName's verifier key is %q", fo.String(), nv.String())
	}
	// Raw messages signed under either name verify with the same key.
	msg := []byte{0x08, 0x01, 0x02}
	sig, _ := ns.Sign(msg)
	if !v.Verify(msg, sig) || !nv.Verify(msg, sig) {
		t.Error("raw signature does not verify")
	}
	sig[0] ^= 1
	if v.Verify(msg, sig) {
		t.Error("corrupted raw signature verifies")
	}
}

func TestForOrigin(t *testing.T) {
	_, v := testKeys(t, "name", "fo")
	for _, origin := range []string{"name", "name/ns", "name/a/b", "name/whatsapp.key-transparency.v2"} {
		d, err := v.ForOrigin(origin)
		if err != nil {
			t.Errorf("ForOrigin(%q): %v", origin, err)
			continue
		}
		if d.Name() != origin || d.KeyHash() != keyHash(origin, v.PublicKey()) || !bytes.Equal(d.PublicKey(), v.PublicKey()) {
			t.Errorf("ForOrigin(%q) = %s", origin, d)
		}
	}
	for _, origin := range []string{"namex/ns", "other", "", "nam", "name/", "name/a b", "name/a+b", "xname/ns", "Name/ns", "name\\ns"} {
		if d, err := v.ForOrigin(origin); err == nil {
			t.Errorf("ForOrigin(%q) = %s, want an error", origin, d)
		}
	}
}
