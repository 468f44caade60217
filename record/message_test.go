package record

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/cloudflare/circl/sign/ed25519"
)

// TestVectors reproduces Plexi's signatures byte for byte from the
// vectors' signing key (Ed25519 is deterministic) and verifies them.
func TestVectors(t *testing.T) {
	for _, v := range loadVectors(t) {
		t.Run(v.Namespace, func(t *testing.T) {
			seed, _ := hex.DecodeString(v.SigningKey)
			priv := ed25519.NewKeyFromSeed(seed)
			pub := priv.Public().(ed25519.PublicKey)
			if got := hex.EncodeToString(pub); got != v.VerifyingKey {
				t.Fatalf("public key %s, vector says %s", got, v.VerifyingKey)
			}
			if pub[31] != v.KeyID {
				t.Fatalf("key ID %d, vector says %d", pub[31], v.KeyID)
			}
			digest, _ := hex.DecodeString(v.Digest)
			msg, err := Message(v.Ciphersuite, v.Namespace, v.Timestamp, v.Epoch, digest)
			if err != nil {
				t.Fatal(err)
			}
			if got := hex.EncodeToString(ed25519.Sign(priv, msg)); got != v.Signature {
				t.Fatalf("signature of %x is %s, vector says %s", msg, got, v.Signature)
			}

			// The same through a record.
			r := &Record{Kind: KindAnchor, Namespace: v.Namespace, Epoch: v.Epoch, Digest: v.Digest, Configuration: ConfigWhatsAppV1}
			if err := r.Sign(v.Ciphersuite, v.Timestamp, pub, signer(priv)); err != nil {
				t.Fatal(err)
			}
			if r.Signature.Signature != v.Signature || *r.Signature.KeyID != v.KeyID || r.VerifiedAt != v.Timestamp {
				t.Fatalf("signed record %+v does not match the vector", r.Signature)
			}
			// A record carrying the vector's signature verifies, and
			// fails under another ciphersuite's message.
			r.Signature.Signature = v.Signature
			if err := r.VerifySignature(pub); err != nil {
				t.Fatalf("vector signature does not verify: %v", err)
			}
			r.Signature.Ciphersuite = 3 - v.Ciphersuite
			if err := r.VerifySignature(pub); err == nil {
				t.Fatal("vector signature verifies under the other ciphersuite")
			}
		})
	}
}

// TestMessageLayout pins both serialisations against layouts written out
// by hand from the proto2 definition and bincode's legacy configuration.
func TestMessageLayout(t *testing.T) {
	digest := bytes.Repeat([]byte{4}, 32)
	d := strings.Repeat("04", 32)
	tests := []struct {
		cs        uint32
		ns        string
		ts        int64
		epoch     uint64
		wantHex   string
		wantBytes int
	}{
		{1, "n", 2, 3, "0801" + "12016e" + "1802" + "2202" + "0803" + "2a20" + d, 45},
		{1, "n", 0, 0, "0801" + "12016e" + "1800" + "2202" + "0800" + "2a20" + d, 45},
		// 1717084639921 = 0x18fca3852b1; epoch 300 = 0x12c.
		{1, "", 1717084639921, 300, "0801" + "1200" + "18b1a5e1d1fc31" + "2203" + "08ac02" + "2a20" + d, 0},
		{2, "n", 2, 3, "02000000" + "0100000000000000" + "6e" + "0200000000000000" + "0300000000000000" + "2000000000000000" + d, 69},
		{2, "", 1717084639921, 300, "02000000" + "0000000000000000" + "b15238ca8f010000" + "2c01000000000000" + "2000000000000000" + d, 0},
	}
	for _, tt := range tests {
		got, err := Message(tt.cs, tt.ns, tt.ts, tt.epoch, digest)
		if err != nil {
			t.Fatal(err)
		}
		if hex.EncodeToString(got) != tt.wantHex {
			t.Errorf("Message(%d, %q, %d, %d) = %x, want %s", tt.cs, tt.ns, tt.ts, tt.epoch, got, tt.wantHex)
		}
		if tt.wantBytes != 0 && len(got) != tt.wantBytes {
			t.Errorf("Message(%d, %q) is %d bytes, want %d", tt.cs, tt.ns, len(got), tt.wantBytes)
		}
	}
}

func TestMessageRejects(t *testing.T) {
	digest := make([]byte, 32)
	tests := []struct {
		name   string
		cs     uint32
		ns     string
		ts     int64
		digest []byte
	}{
		{"ciphersuite 0", 0, "n", 1, digest},
		{"ciphersuite 3", 3, "n", 1, digest},
		{"negative timestamp", 1, "n", -1, digest},
		{"short digest", 1, "n", 1, digest[:31]},
		{"long digest", 2, "n", 1, append(digest, 0)},
		{"invalid UTF-8", 1, "n\xff", 1, digest},
	}
	for _, tt := range tests {
		if _, err := Message(tt.cs, tt.ns, tt.ts, 1, tt.digest); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: Message error %v, want ErrMalformed", tt.name, err)
		}
	}
}
