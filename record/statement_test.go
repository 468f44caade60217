package record

import (
	"bytes"
	"testing"
)

// TestFingerprint checks that every stated field changes the fingerprint
// and that serialized_message does not.
func TestFingerprint(t *testing.T) {
	r := sampleRecords(t)["verified"]
	base, err := r.SignatureResponse()
	if err != nil {
		t.Fatal(err)
	}
	want := base.Fingerprint()
	same := *base
	same.SerializedMessage = nil
	if same.Fingerprint() != want {
		t.Error("serialized_message changes the fingerprint")
	}
	kid := *base.KeyID + 1
	for name, change := range map[string]func(s *SignatureResponse){
		"ciphersuite": func(s *SignatureResponse) { s.Ciphersuite++ },
		"namespace":   func(s *SignatureResponse) { s.Namespace += "x" },
		"timestamp":   func(s *SignatureResponse) { s.Timestamp++ },
		"epoch":       func(s *SignatureResponse) { s.Epoch++ },
		"digest":      func(s *SignatureResponse) { s.Digest = append(bytes.Clone(s.Digest[:31]), s.Digest[31]^1) },
		"signature":   func(s *SignatureResponse) { s.Signature = append(bytes.Clone(s.Signature[:63]), s.Signature[63]^1) },
		"key_id":      func(s *SignatureResponse) { s.KeyID = &kid },
		"no key_id":   func(s *SignatureResponse) { s.KeyID = nil },
	} {
		c := *base
		change(&c)
		if c.Fingerprint() == want {
			t.Errorf("%s changed: same fingerprint", name)
		}
	}
}
