package edkey

import (
	"crypto/ed25519"
	"testing"
)

func BenchmarkVerify(b *testing.B) {
	priv := ed25519.NewKeyFromSeed(make([]byte, 32))
	pub := priv.Public().(ed25519.PublicKey)
	msg := make([]byte, 120) // about a Plexi message
	sig := ed25519.Sign(priv, msg)
	k, err := New(pub)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("edkey", func(b *testing.B) {
		for b.Loop() {
			if !k.Verify(msg, sig) {
				b.Fatal("refused")
			}
		}
	})
	b.Run("circl", func(b *testing.B) {
		for b.Loop() {
			if !reference(pub, msg, sig) {
				b.Fatal("refused")
			}
		}
	})
	b.Run("stdlib", func(b *testing.B) {
		for b.Loop() {
			if !ed25519.Verify(pub, msg, sig) {
				b.Fatal("refused")
			}
		}
	})
}

func BenchmarkNew(b *testing.B) {
	pub := ed25519.NewKeyFromSeed(make([]byte, 32)).Public().(ed25519.PublicKey)
	for b.Loop() {
		if _, err := New(pub); err != nil {
			b.Fatal(err)
		}
	}
}
