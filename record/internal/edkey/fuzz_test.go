package edkey

import (
	"crypto/ed25519"
	"testing"
)

// FuzzVerify compares Verify with circl's verifier on signatures made under
// a fuzzed key and then changed by a fuzzed mask, and on raw fuzzed bytes.
func FuzzVerify(f *testing.F) {
	f.Add([]byte("seed"), []byte("message"), []byte{}, false)
	f.Add([]byte("seed"), []byte("message"), []byte{0, 0, 0, 1}, false)
	f.Add([]byte("other"), []byte{}, make([]byte, 64), true)
	f.Fuzz(func(t *testing.T, seed, msg, mask []byte, raw bool) {
		s := make([]byte, ed25519.SeedSize)
		copy(s, seed)
		priv := ed25519.NewKeyFromSeed(s)
		pub := priv.Public().(ed25519.PublicKey)
		k, err := New(pub)
		if err != nil {
			t.Fatal(err)
		}
		var sig []byte
		if raw {
			sig = mask
		} else {
			sig = ed25519.Sign(priv, msg)
			for i := range min(len(mask), len(sig)) {
				sig[i] ^= mask[i]
			}
		}
		if got, want := k.Verify(msg, sig), reference(pub, msg, sig); got != want {
			t.Fatalf("got %v, reference %v", got, want)
		}
	})
}

// FuzzNew compares New's acceptance of keys with circl's decoding, and a
// verification under each accepted key with circl's answer.
func FuzzNew(f *testing.F) {
	f.Add(make([]byte, 32), make([]byte, 64))
	f.Add(unhex(f, rfcVectors[0].pub), unhex(f, rfcVectors[0].sig))
	f.Fuzz(func(t *testing.T, pub, sig []byte) {
		k, err := New(pub)
		if err != nil {
			return
		}
		if got, want := k.Verify(nil, sig), reference(pub, nil, sig); got != want {
			t.Fatalf("got %v, reference %v", got, want)
		}
	})
}
