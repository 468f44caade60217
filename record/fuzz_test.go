package record

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

// jsonView is the record as encoding/json reads it, to cross-check the
// hand-written encoder and parser against an independent decoder.
type jsonView struct {
	Kind          string `json:"kind"`
	Namespace     string `json:"namespace"`
	Epoch         uint64 `json:"epoch"`
	Digest        string `json:"digest"`
	Configuration string `json:"configuration"`
	Domain        string `json:"domain"`
	VerifiedAt    int64  `json:"verified_at"`
	Reason        string `json:"reason"`
}

func checkWithEncodingJSON(t *testing.T, b []byte, r *Record) {
	t.Helper()
	if !json.Valid(b) {
		t.Fatalf("not valid JSON: %q", b)
	}
	var v jsonView
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("encoding/json: %v", err)
	}
	want := jsonView{r.Kind, r.Namespace, r.Epoch, r.Digest, r.Configuration, r.Domain, r.VerifiedAt, r.Reason}
	if v != want {
		t.Fatalf("encoding/json reads %+v, Parse %+v", v, want)
	}
}

func FuzzParse(f *testing.F) {
	for _, r := range sampleRecords(f) {
		f.Add(mustMarshal(f, r))
	}
	f.Add([]byte(`{"kind":"anchor"}`))
	f.Add([]byte(`{"kind":"violation","reason":"\u0000\"\\\b\t\n\f\r"}`))
	f.Add([]byte(plexiSerdeExample))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := Parse(b)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("Parse error %v does not wrap ErrMalformed", err)
			}
			return
		}
		m, err := r.Marshal()
		if err != nil {
			t.Fatalf("Parse accepted %q, Marshal refuses: %v", b, err)
		}
		if string(m) != string(b) {
			t.Fatalf("Marshal(Parse(b)) differs:\n  b %q\n  m %q", b, m)
		}
		checkWithEncodingJSON(t, b, r)
	})
}

func FuzzSignatureResponse(f *testing.F) {
	for _, r := range sampleRecords(f) {
		if r.Signature == nil {
			continue
		}
		sr, err := r.SignatureResponse()
		if err != nil {
			f.Fatal(err)
		}
		b, _ := sr.Marshal()
		f.Add(b)
		sr.KeyID, sr.SerializedMessage = nil, nil
		b, _ = sr.Marshal()
		f.Add(b)
	}
	f.Add([]byte(plexiSerdeExample))
	f.Fuzz(func(t *testing.T, b []byte) {
		sr, err := ParseSignatureResponse(b)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
			return
		}
		m, err := sr.Marshal()
		if err != nil {
			t.Fatalf("parse accepted %q, Marshal refuses: %v", b, err)
		}
		if string(m) != string(b) {
			t.Fatalf("Marshal(Parse(b)) differs:\n  b %q\n  m %q", b, m)
		}
		var v struct {
			Namespace string `json:"namespace"`
			Epoch     uint64 `json:"epoch"`
		}
		if err := json.Unmarshal(b, &v); err != nil || v.Namespace != sr.Namespace || v.Epoch != sr.Epoch {
			t.Fatalf("encoding/json reads %+v (%v), parser %q %d", v, err, sr.Namespace, sr.Epoch)
		}
	})
}

// FuzzMarshal builds records from fuzzed fields: whatever Marshal accepts
// must parse back to the same record and be JSON that encoding/json reads
// the same way.
func FuzzMarshal(f *testing.F) {
	f.Add(uint8(2), "whatsapp.key-transparency.v2", uint64(722607), "", "current root", "722607/a/b", int64(10), int64(1717084639921), true)
	f.Add(uint8(2), "akd_example", uint64(1), "Label \"é\"\x00\x1f\x7f", "why\n\\", "1/x", int64(0), int64(0), false)
	f.Add(uint8(0), "a", uint64(0), "d", "", "", int64(0), int64(5), false)
	f.Fuzz(func(t *testing.T, kind uint8, ns string, epoch uint64, domain, reason, name string, size, at int64, computed bool) {
		pub, priv := testKey()
		d1, d2 := hexOf("a", 32), hexOf("b", 32)
		r := &Record{Namespace: ns, Epoch: epoch, Digest: d2, Configuration: ConfigWhatsAppV1, VerifiedAt: at}
		if domain != "" {
			r.Configuration, r.Domain = ConfigExperimental, domain
		}
		switch kind % 3 {
		case 0:
			r.Kind = KindAnchor
		case 1:
			r.Kind = KindVerified
		case 2:
			r.Kind, r.Reason = KindViolation, reason
			if computed {
				r.ComputedPrevious, r.ComputedDigest = d1, d2
			}
		}
		if r.Kind != KindAnchor {
			r.PreviousDigest = d1
			r.Proofs = []Proof{{Name: name, Size: size, SHA256: d1}}
		}
		if r.Kind != KindViolation && ValidNamespace(ns) && at >= 0 {
			if err := r.Sign(uint32(1+kind%2), at, pub, signer(priv)); err != nil {
				t.Fatal(err)
			}
		}
		b, err := r.Marshal()
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("Marshal error %v does not wrap ErrMalformed", err)
			}
			return
		}
		got, err := Parse(b)
		if err != nil {
			t.Fatalf("Marshal wrote %q, Parse refuses: %v", b, err)
		}
		if !reflect.DeepEqual(got, r) {
			t.Fatalf("Parse(Marshal(r)) = %+v, want %+v", got, r)
		}
		checkWithEncodingJSON(t, b, r)
		if r.Signature != nil {
			if err := got.VerifySignature(pub); err != nil {
				t.Fatal(err)
			}
		}
	})
}
