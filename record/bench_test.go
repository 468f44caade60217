package record

import (
	"encoding/json"
	"testing"
)

// A verifier of a whole log parses and verifies every record: these
// report records/s for a typical verified record.

func benchRecord(b *testing.B) []byte {
	return mustMarshal(b, sampleRecords(b)["verified"])
}

func reportRate(b *testing.B) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

func BenchmarkParse(b *testing.B) {
	line := benchRecord(b)
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(line); err != nil {
			b.Fatal(err)
		}
	}
	reportRate(b)
}

// BenchmarkParseEncodingJSON is the reference the hand-written parser is
// measured against: encoding/json into an equivalent struct, with none of
// Parse's canonical-form checks.
func BenchmarkParseEncodingJSON(b *testing.B) {
	line := benchRecord(b)
	type proof struct {
		Name   string `json:"name"`
		Size   int64  `json:"size"`
		SHA256 string `json:"sha256"`
	}
	type sig struct {
		Ciphersuite uint32 `json:"ciphersuite"`
		KeyID       *uint8 `json:"key_id"`
		Timestamp   int64  `json:"timestamp"`
		Signature   string `json:"signature"`
	}
	type rec struct {
		Kind           string `json:"kind"`
		Namespace      string `json:"namespace"`
		Epoch          uint64 `json:"epoch"`
		PreviousDigest string `json:"previous_digest"`
		Digest         string `json:"digest"`
		Proof          proof  `json:"proof"`
		Configuration  string `json:"configuration"`
		VerifiedAt     int64  `json:"verified_at"`
		Signature      *sig   `json:"signature"`
	}
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	for b.Loop() {
		var r rec
		if err := json.Unmarshal(line, &r); err != nil {
			b.Fatal(err)
		}
	}
	reportRate(b)
}

func BenchmarkMarshal(b *testing.B) {
	r := sampleRecords(b)["verified"]
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Marshal(); err != nil {
			b.Fatal(err)
		}
	}
	reportRate(b)
}

func BenchmarkParseAndVerify(b *testing.B) {
	line := benchRecord(b)
	pub, _ := testKey()
	b.ReportAllocs()
	for b.Loop() {
		r, err := Parse(line)
		if err != nil {
			b.Fatal(err)
		}
		if err := r.VerifySignature(pub); err != nil {
			b.Fatal(err)
		}
	}
	reportRate(b)
}

func BenchmarkSign(b *testing.B) {
	pub, priv := testKey()
	r := clone(sampleRecords(b)["verified"])
	b.ReportAllocs()
	for b.Loop() {
		if err := r.Sign(CiphersuiteProtobuf, 1717084639921, pub, signer(priv)); err != nil {
			b.Fatal(err)
		}
	}
	reportRate(b)
}
