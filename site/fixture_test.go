package site

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"

	"stele/record"
)

// testKey is a fixed Ed25519 key, so rendered pages and golden files are
// reproducible.
func testKey() ed25519.PrivateKey {
	seed := make([]byte, ed25519.SeedSize)
	for i := range seed {
		seed[i] = byte(i + 1)
	}
	return ed25519.NewKeyFromSeed(seed)
}

func digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// testEntries makes n records of namespace ns from entry first on: an
// anchor at entry 0, verified steps after it, all signed by testKey.
func testEntries(t testing.TB, ns string, first int64, n int, anchorEpoch uint64) []Entry {
	t.Helper()
	key := testKey()
	pub := key.Public().(ed25519.PublicKey)
	sign := func(msg []byte) ([]byte, error) { return ed25519.Sign(key, msg), nil }
	var out []Entry
	for i := first; i < first+int64(n); i++ {
		epoch := anchorEpoch + uint64(i)
		rec := &record.Record{
			Kind:          record.KindVerified,
			Namespace:     ns,
			Epoch:         epoch,
			Digest:        digest(fmt.Sprint(epoch)),
			Configuration: record.ConfigWhatsAppV1,
		}
		if i == 0 {
			rec.Kind = record.KindAnchor
		} else {
			rec.PreviousDigest = digest(fmt.Sprint(epoch - 1))
			rec.Proofs = []record.Proof{{Name: fmt.Sprintf("%d/%s/%s", epoch, rec.PreviousDigest, rec.Digest), Size: 1000 + int64(i), SHA256: digest("proof" + fmt.Sprint(i))}}
		}
		if err := rec.Sign(record.CiphersuiteProtobuf, 1_795_000_000_000+i*1000, pub, sign); err != nil {
			t.Fatal(err)
		}
		line, err := rec.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, Entry{Index: i, Line: line, Record: rec})
	}
	return out
}

// testViolation is a violation record for entry i.
func testViolation(t testing.TB, ns string, i int64, epoch uint64, reason, domain string) Entry {
	t.Helper()
	rec := &record.Record{
		Kind:             record.KindViolation,
		Namespace:        ns,
		Epoch:            epoch,
		PreviousDigest:   digest(fmt.Sprint(epoch - 1)),
		Digest:           digest(fmt.Sprint(epoch)),
		Proofs:           []record.Proof{{Name: fmt.Sprintf("%d/%s/%s", epoch, digest(fmt.Sprint(epoch-1)), digest(fmt.Sprint(epoch))), Size: 5, SHA256: digest("bad")}},
		Configuration:    record.ConfigWhatsAppV1,
		VerifiedAt:       1_795_000_500_000,
		Reason:           reason,
		ComputedPrevious: digest("x"),
		ComputedDigest:   digest("y"),
	}
	if domain != "" {
		rec.Configuration, rec.Domain = record.ConfigExperimental, domain
	}
	line, err := rec.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return Entry{Index: i, Line: line, Record: rec, ProofURLs: []string{"javascript:alert(1)"}}
}

func testMeta() Meta {
	return Meta{
		Title:       "stele test",
		Origin:      "kt.example.test/stele",
		VerifierKey: "kt.example.test/stele+01234567+AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=",
		PlexiKey:    hex.EncodeToString(testKey().Public().(ed25519.PublicKey)),
	}
}

func testLog(name string) Log {
	e := uint64(722640)
	return Log{
		LogRef:         LogRef{Name: name, Origin: "kt.example.test/stele/" + name, VerifierKey: "kt.example.test/stele/" + name + "+89abcdef+AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA="},
		Status:         LogOnline,
		Configuration:  "whatsapp_v1",
		Anchor:         "722600/" + digest("anchor"),
		Size:           41,
		RootHash:       "eDkSzMiK/OKwOyHp4rqBPwwM/XkdV3txV0CgbCST7wI=",
		LastEpoch:      &e,
		LastVerifiedAt: 1_795_644_938_079,
	}
}
