package record

import (
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	for name, r := range sampleRecords(t) {
		t.Run(name, func(t *testing.T) {
			b := mustMarshal(t, r)
			got, err := Parse(b)
			if err != nil {
				t.Fatalf("Parse(%s): %v", b, err)
			}
			if !reflect.DeepEqual(got, r) {
				t.Fatalf("Parse(Marshal(r)) = %+v, want %+v", got, r)
			}
			if b2 := mustMarshal(t, got); string(b2) != string(b) {
				t.Fatalf("Marshal(Parse(b)) = %s, want %s", b2, b)
			}
			if strings.ContainsAny(string(b), "\n\r") {
				t.Fatalf("line break in %s", b)
			}
		})
	}
}

// TestCanonicalForm pins the exact bytes of each kind, written out by hand
// in the specification's key order.
func TestCanonicalForm(t *testing.T) {
	rs := sampleRecords(t)
	v := rs["verified"]
	p := v.Proofs[0]
	sig := v.Signature
	want := `{"kind":"verified","namespace":"whatsapp.key-transparency.v2","epoch":722607,` +
		`"previous_digest":"` + v.PreviousDigest + `","digest":"` + v.Digest + `",` +
		`"proof":{"name":"` + p.Name + `","size":284000000,"sha256":"` + p.SHA256 + `"},` +
		`"configuration":"whatsapp_v1","verified_at":1717084639921,` +
		`"signature":{"ciphersuite":1,"key_id":` + strconv.Itoa(int(*sig.KeyID)) + `,"timestamp":1717084639921,"signature":"` + sig.Signature + `"}}`
	if got := string(mustMarshal(t, v)); got != want {
		t.Errorf("verified:\n got %s\nwant %s", got, want)
	}

	a := rs["experimental-anchor"]
	want = `{"kind":"anchor","namespace":"akd_example","epoch":0,"digest":"` + a.Digest + `",` +
		`"configuration":"experimental","domain":"Label with \"quotes\", \\, \t and é","verified_at":1717084639921,` +
		`"signature":{"ciphersuite":1,"key_id":` + strconv.Itoa(int(*a.Signature.KeyID)) + `,"timestamp":1717084639921,"signature":"` + a.Signature.Signature + `"}}`
	if got := string(mustMarshal(t, a)); got != want {
		t.Errorf("experimental anchor:\n got %s\nwant %s", got, want)
	}

	x := rs["violation-no-roots"]
	want = `{"kind":"violation","namespace":"akd_example","epoch":9,"previous_digest":"` + x.PreviousDigest +
		`","digest":"` + x.Digest + `","proof":{"name":"` + x.Proofs[0].Name + `","size":284000000,"sha256":"` + x.Proofs[0].SHA256 + `"},` +
		`"configuration":"experimental","domain":"ExampleLabel","verified_at":0,` +
		`"reason":"duplicate label 0x\u0001ff\nsecond line` + "\x7f" + ` ✓","computed_previous":"","computed_digest":""}`
	if got := string(mustMarshal(t, x)); got != want {
		t.Errorf("violation:\n got %s\nwant %s", got, want)
	}

	two := rs["violation-two-proofs"]
	b := string(mustMarshal(t, two))
	if !strings.Contains(b, `"proof":[{"name":"`+two.Proofs[0].Name+`"`) || !strings.Contains(b, `"}]`) {
		t.Errorf("two proofs are not a JSON array: %s", b)
	}
	// Keyless signature: key_id is omitted.
	k := *rs["anchor"]
	ks := *k.Signature
	ks.KeyID = nil
	k.Signature = &ks
	if b := string(mustMarshal(t, &k)); strings.Contains(b, "key_id") || !strings.Contains(b, `"signature":{"ciphersuite":1,"timestamp":`) {
		t.Errorf("record without key ID: %s", b)
	}
}

// TestMarshalRejects lists inconsistent records; Marshal must refuse each.
func TestMarshalRejects(t *testing.T) {
	rs := sampleRecords(t)
	tests := []struct {
		name   string
		base   string
		change func(r *Record)
	}{
		{"unknown kind", "verified", func(r *Record) { r.Kind = "Verified" }},
		{"empty namespace", "verified", func(r *Record) { r.Namespace = "" }},
		{"namespace with slash", "verified", func(r *Record) { r.Namespace = "a/b" }},
		{"namespace starting with dot", "anchor", func(r *Record) { r.Namespace = ".a" }},
		{"namespace too long", "anchor", func(r *Record) { r.Namespace = strings.Repeat("a", 129) }},
		{"uppercase digest", "verified", func(r *Record) { r.Digest = strings.ToUpper(r.Digest) }},
		{"short digest", "verified", func(r *Record) { r.Digest = r.Digest[:62] }},
		{"short previous digest", "verified", func(r *Record) { r.PreviousDigest = r.PreviousDigest[:62] }},
		{"anchor with previous digest", "anchor", func(r *Record) { r.PreviousDigest = r.Digest }},
		{"anchor with proof", "anchor", func(r *Record) { r.Proofs = rs["verified"].Proofs }},
		{"anchor with reason", "anchor", func(r *Record) { r.Reason = "x" }},
		{"anchor unsigned", "anchor", func(r *Record) { r.Signature = nil }},
		{"verified without proof", "verified", func(r *Record) { r.Proofs = nil }},
		{"verified with two proofs", "verified", func(r *Record) { r.Proofs = rs["violation-two-proofs"].Proofs }},
		{"verified epoch 0", "verified", func(r *Record) { r.Epoch = 0 }},
		{"verified with computed roots", "verified", func(r *Record) { r.ComputedDigest = r.Digest }},
		{"verified unsigned", "verified", func(r *Record) { r.Signature = nil }},
		{"verified_at differs from timestamp", "verified", func(r *Record) { r.VerifiedAt++ }},
		{"negative verified_at", "violation", func(r *Record) { r.VerifiedAt = -1 }},
		{"unknown ciphersuite", "verified", func(r *Record) { r.Signature.Ciphersuite = 3 }},
		{"short signature", "verified", func(r *Record) { r.Signature.Signature = r.Signature.Signature[:126] }},
		{"negative timestamp", "verified", func(r *Record) { r.Signature.Timestamp, r.VerifiedAt = -5, -5 }},
		{"unknown configuration", "verified", func(r *Record) { r.Configuration = "whatsapp_v2" }},
		{"domain on whatsapp_v1", "verified", func(r *Record) { r.Domain = "x" }},
		{"experimental without domain", "experimental", func(r *Record) { r.Domain = "" }},
		{"domain not UTF-8", "experimental", func(r *Record) { r.Domain = "\xff" }},
		{"proof without name", "verified", func(r *Record) { r.Proofs[0].Name = "" }},
		{"negative proof size", "verified", func(r *Record) { r.Proofs[0].Size = -1 }},
		{"proof sha256 uppercase", "verified", func(r *Record) { r.Proofs[0].SHA256 = strings.ToUpper(r.Proofs[0].SHA256) }},
		{"signed violation", "violation", func(r *Record) { r.Signature = rs["verified"].Signature }},
		{"violation without reason", "violation", func(r *Record) { r.Reason = "" }},
		{"violation reason not UTF-8", "violation", func(r *Record) { r.Reason = "bad \xc3" }},
		{"violation without proof", "violation", func(r *Record) { r.Proofs = nil }},
		{"violation with three proofs", "violation-two-proofs", func(r *Record) { r.Proofs = append(r.Proofs, r.Proofs[0]) }},
		{"violation proofs out of order", "violation-two-proofs", func(r *Record) { r.Proofs[0], r.Proofs[1] = r.Proofs[1], r.Proofs[0] }},
		{"violation proofs with one name", "violation-two-proofs", func(r *Record) { r.Proofs[1].Name = r.Proofs[0].Name }},
		{"violation with one computed root", "violation", func(r *Record) { r.ComputedPrevious = "" }},
		{"violation computed root uppercase", "violation", func(r *Record) { r.ComputedDigest = strings.ToUpper(r.ComputedDigest) }},
		{"violation without previous digest", "violation", func(r *Record) { r.PreviousDigest = "" }},
		{"too large", "violation", func(r *Record) { r.Reason = strings.Repeat("x", MaxSize) }},
	}
	for _, tt := range tests {
		r := clone(rs[tt.base])
		tt.change(r)
		if _, err := r.Marshal(); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: Marshal error %v, want ErrMalformed", tt.name, err)
		}
	}
}

// clone returns a deep copy of r.
func clone(r *Record) *Record {
	c := *r
	c.Proofs = append([]Proof(nil), r.Proofs...)
	if r.Signature != nil {
		s := *r.Signature
		if s.KeyID != nil {
			k := *s.KeyID
			s.KeyID = &k
		}
		c.Signature = &s
	}
	return &c
}

func TestValidNamespace(t *testing.T) {
	good := []string{"a", "Z", "0", "whatsapp.key-transparency.v2", "a_b-c.d", "a..", strings.Repeat("x", 128)}
	bad := []string{"", ".a", "-a", "_a", "a/b", "a b", "é", "a\x00", "..", strings.Repeat("x", 129)}
	for _, ns := range good {
		if !ValidNamespace(ns) {
			t.Errorf("ValidNamespace(%q) = false", ns)
		}
	}
	for _, ns := range bad {
		if ValidNamespace(ns) {
			t.Errorf("ValidNamespace(%q) = true", ns)
		}
	}
}
