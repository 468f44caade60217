package record

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cloudflare/circl/sign/ed25519"
)

// vectorsPath is Plexi's test vectors, outside the repository.
var vectorsPath = filepath.Join("..", "..", "shared", "vectors", "plexi", "test-vectors.json")

type vector struct {
	SigningKey   string `json:"signing_key"`
	VerifyingKey string `json:"verifying_key"`
	KeyID        uint8  `json:"key_id"`
	Namespace    string `json:"namespace"`
	Timestamp    int64  `json:"timestamp"`
	Epoch        uint64 `json:"epoch"`
	Digest       string `json:"digest"`
	Signature    string `json:"signature"`
	Ciphersuite  uint32 `json:"ciphersuite"`
}

func loadVectors(t testing.TB) []vector {
	t.Helper()
	b, err := os.ReadFile(vectorsPath)
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("Plexi test vectors not found at %s; skipping", vectorsPath)
	}
	if err != nil {
		t.Fatal(err)
	}
	var vs []vector
	if err := json.Unmarshal(b, &vs); err != nil {
		t.Fatalf("decoding %s: %v", vectorsPath, err)
	}
	if len(vs) == 0 {
		t.Fatalf("%s holds no vectors", vectorsPath)
	}
	return vs
}

// testKey is a fixed Ed25519 key for the tests.
func testKey() (ed25519.PublicKey, ed25519.PrivateKey) {
	seed := sha256.Sum256([]byte("stele record test key"))
	priv := ed25519.NewKeyFromSeed(seed[:])
	return priv.Public().(ed25519.PublicKey), priv
}

func signer(priv ed25519.PrivateKey) func([]byte) ([]byte, error) {
	return func(msg []byte) ([]byte, error) { return ed25519.Sign(priv, msg), nil }
}

// hexOf returns 2n hexadecimal digits derived from label.
func hexOf(label string, n int) string {
	h := sha256.Sum256([]byte(label))
	s := hex.EncodeToString(h[:])
	return strings.Repeat(s, (2*n+len(s)-1)/len(s))[:2*n]
}

const testNamespace = "whatsapp.key-transparency.v2"

func proofFor(epoch string, prev, cur string) Proof {
	return Proof{Name: epoch + "/" + prev + "/" + cur, Size: 284_000_000, SHA256: hexOf("object "+epoch+cur, 32)}
}

// sampleRecords returns one record of every shape, signed records signed
// with testKey.
func sampleRecords(t testing.TB) map[string]*Record {
	t.Helper()
	pub, priv := testKey()
	d0, d1, d2 := hexOf("root 722606", 32), hexOf("root 722607", 32), hexOf("root 722608", 32)
	anchor := &Record{Kind: KindAnchor, Namespace: testNamespace, Epoch: 722606, Digest: d0, Configuration: ConfigWhatsAppV1}
	verified := &Record{
		Kind: KindVerified, Namespace: testNamespace, Epoch: 722607, PreviousDigest: d0, Digest: d1,
		Proofs: []Proof{proofFor("722607", d0, d1)}, Configuration: ConfigWhatsAppV1,
	}
	bincode := &Record{
		Kind: KindVerified, Namespace: "log2.example.com", Epoch: 2, PreviousDigest: d0, Digest: d1,
		Proofs: []Proof{proofFor("2", d0, d1)}, Configuration: ConfigWhatsAppV1,
	}
	experimental := &Record{
		Kind: KindVerified, Namespace: "akd_example", Epoch: 1, PreviousDigest: d0, Digest: d1,
		Proofs: []Proof{proofFor("1", d0, d1)}, Configuration: ConfigExperimental, Domain: "ExampleLabel",
	}
	expAnchor := &Record{Kind: KindAnchor, Namespace: "akd_example", Epoch: 0, Digest: d0,
		Configuration: ConfigExperimental, Domain: "Label with \"quotes\", \\, \t and é"}
	for _, r := range []*Record{anchor, verified, experimental, expAnchor} {
		if err := r.Sign(CiphersuiteProtobuf, 1717084639921, pub, signer(priv)); err != nil {
			t.Fatal(err)
		}
	}
	if err := bincode.Sign(CiphersuiteBincode, 1717084639921, pub, signer(priv)); err != nil {
		t.Fatal(err)
	}
	violation := &Record{
		Kind: KindViolation, Namespace: testNamespace, Epoch: 722608, PreviousDigest: d1, Digest: d2,
		Proofs: []Proof{proofFor("722608", d1, d2)}, Configuration: ConfigWhatsAppV1, VerifiedAt: 1717084759921,
		Reason:           "current root does not rebuild",
		ComputedPrevious: d1, ComputedDigest: hexOf("rebuilt", 32),
	}
	d2b := hexOf("other root 722608", 32)
	twoProofs := &Record{
		Kind: KindViolation, Namespace: testNamespace, Epoch: 722608, PreviousDigest: d1, Digest: d2,
		Proofs:        []Proof{proofFor("722608", d1, d2), proofFor("722608", d1, d2b)},
		Configuration: ConfigWhatsAppV1, VerifiedAt: 1717084759921,
		Reason: "two objects claim epoch 722608",
	}
	if twoProofs.Proofs[0].Name > twoProofs.Proofs[1].Name {
		twoProofs.Proofs[0], twoProofs.Proofs[1] = twoProofs.Proofs[1], twoProofs.Proofs[0]
	}
	labels := &Record{
		Kind: KindViolation, Namespace: "akd_example", Epoch: 9, PreviousDigest: d1, Digest: d2,
		Proofs: []Proof{proofFor("9", d1, d2)}, Configuration: ConfigExperimental, Domain: "ExampleLabel",
		VerifiedAt: 0, Reason: "duplicate label 0x\u0001ff\nsecond line\u007f ✓",
	}
	return map[string]*Record{
		"anchor": anchor, "verified": verified, "verified-bincode": bincode,
		"experimental": experimental, "experimental-anchor": expAnchor,
		"violation": violation, "violation-two-proofs": twoProofs, "violation-no-roots": labels,
	}
}

func mustMarshal(t testing.TB, r *Record) []byte {
	t.Helper()
	b, err := r.Marshal()
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	return b
}
