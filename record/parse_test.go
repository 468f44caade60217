package record

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

// TestParseRejects changes one thing in a canonical record; Parse must
// refuse each result with ErrMalformed.
func TestParseRejects(t *testing.T) {
	rs := sampleRecords(t)
	enc := func(name string) string { return string(mustMarshal(t, rs[name])) }
	verified, anchor, violation := enc("verified"), enc("anchor"), enc("violation")
	v := rs["verified"]
	sigObj := verified[strings.Index(verified, `"signature":{`) : len(verified)-1]
	proofObj := verified[strings.Index(verified, `"proof":{`):strings.Index(verified, `,"configuration"`)]
	vProofObj := violation[strings.Index(violation, `"proof":{`):strings.Index(violation, `,"configuration"`)]

	// replace replaces the first old in s, and fails the test if absent.
	replace := func(s, old, new string) string {
		t.Helper()
		if !strings.Contains(s, old) {
			t.Fatalf("%q not in %s", old, s)
		}
		return strings.Replace(s, old, new, 1)
	}
	long := replace(violation, `"reason":"`, `"reason":"`+strings.Repeat("x", MaxSize))

	tests := []struct {
		name string
		in   string
	}{
		{"empty", ""},
		{"empty object", "{}"},
		{"null", "null"},
		{"array", "[" + verified + "]"},
		{"trailing newline", verified + "\n"},
		{"trailing CRLF", verified + "\r\n"},
		{"leading space", " " + verified},
		{"byte order mark", "\ufeff" + verified},
		{"two records", verified + verified},
		{"space after colon", replace(verified, `"kind":"verified"`, `"kind": "verified"`)},
		{"space after comma", replace(verified, `,"namespace"`, `, "namespace"`)},
		{"tab before brace", replace(verified, `}}`, "}\t}")},
		{"reordered keys", replace(verified, `"kind":"verified","namespace":"`+v.Namespace+`"`, `"namespace":"`+v.Namespace+`","kind":"verified"`)},
		{"digest before previous digest", replace(verified,
			`"previous_digest":"`+v.PreviousDigest+`","digest":"`+v.Digest+`"`,
			`"digest":"`+v.Digest+`","previous_digest":"`+v.PreviousDigest+`"`)},
		{"unknown key", replace(verified, `,"configuration"`, `,"comment":"x","configuration"`)},
		{"unknown key at end", replace(verified, `}}`, `},"zzz":1}`)},
		{"uppercase key", replace(verified, `"epoch"`, `"Epoch"`)},
		{"escaped key", replace(verified, `"epoch"`, `"epoc\u0068"`)},
		{"missing configuration", replace(verified, `,"configuration":"whatsapp_v1"`, ``)},
		{"missing verified_at", replace(verified, `,"verified_at":1717084639921`, ``)},
		{"missing epoch", replace(verified, `,"epoch":722607`, ``)},
		{"missing kind", replace(verified, `"kind":"verified",`, ``)},
		{"duplicate key", replace(verified, `"epoch":722607,`, `"epoch":722607,"epoch":722607,`)},
		{"duplicate kind", replace(verified, `"kind":"verified",`, `"kind":"verified","kind":"verified",`)},
		{"uppercase hex digest", replace(verified, v.Digest, strings.ToUpper(v.Digest))},
		{"uppercase hex signature", replace(verified, v.Signature.Signature, strings.ToUpper(v.Signature.Signature))},
		{"uppercase hex proof sha256", replace(verified, v.Proofs[0].SHA256, strings.ToUpper(v.Proofs[0].SHA256))},
		{"short digest", replace(verified, `"digest":"`+v.Digest, `"digest":"`+v.Digest[:62])},
		{"long digest", replace(verified, `"digest":"`+v.Digest, `"digest":"`+v.Digest+"00")},
		{"odd digest", replace(verified, `"digest":"`+v.Digest, `"digest":"`+v.Digest[:63])},
		{"short signature", replace(verified, v.Signature.Signature, v.Signature.Signature[:126])},
		{"non-hex digest", replace(verified, `"digest":"`+v.Digest[:2], `"digest":"g0`)},
		{"digest as number", replace(verified, `"digest":"`+v.Digest+`"`, `"digest":0`)},
		{"epoch as string", replace(verified, `"epoch":722607`, `"epoch":"722607"`)},
		{"epoch leading zero", replace(verified, `"epoch":722607`, `"epoch":0722607`)},
		{"epoch negative", replace(anchor, `"epoch":722606`, `"epoch":-722606`)},
		{"epoch fraction", replace(verified, `"epoch":722607`, `"epoch":722607.0`)},
		{"epoch exponent", replace(verified, `"epoch":722607`, `"epoch":7226e2`)},
		{"epoch overflow", replace(verified, `"epoch":722607`, `"epoch":18446744073709551616`)},
		{"epoch zero on a step", replace(verified, `"epoch":722607`, `"epoch":0`)},
		{"verified_at overflow", replace(violation, `"verified_at":1717084759921`, `"verified_at":9223372036854775808`)},
		{"proof size negative", replace(verified, `"size":284000000`, `"size":-1`)},
		{"key_id 256", replace(verified, `"key_id":`, `"key_id":256,"x":`)},
		{"key_id after timestamp", replace(verified, `"key_id":`+strconv.Itoa(int(*v.Signature.KeyID))+`,"timestamp":1717084639921`, `"timestamp":1717084639921,"key_id":`+strconv.Itoa(int(*v.Signature.KeyID)))},
		{"ciphersuite 3", replace(verified, `"ciphersuite":1`, `"ciphersuite":3`)},
		{"ciphersuite 0", replace(verified, `"ciphersuite":1`, `"ciphersuite":0`)},
		{"timestamp differs from verified_at", replace(verified, `"timestamp":1717084639921`, `"timestamp":1717084639922`)},
		{"unknown kind", replace(verified, `"kind":"verified"`, `"kind":"checked"`)},
		{"unknown configuration", replace(verified, `"whatsapp_v1"`, `"whatsapp_v2"`)},
		{"domain on whatsapp_v1", replace(verified, `"whatsapp_v1"`, `"whatsapp_v1","domain":"x"`)},
		{"experimental without domain", replace(verified, `"whatsapp_v1"`, `"experimental"`)},
		{"experimental with empty domain", replace(verified, `"whatsapp_v1"`, `"experimental","domain":""`)},
		{"signature on a violation", replace(violation, `,"reason"`, `,`+sigObj+`,"reason"`)},
		{"proof on an anchor", replace(anchor, `,"configuration"`, `,`+proofObj+`,"configuration"`)},
		{"previous digest on an anchor", replace(anchor, `,"digest"`, `,"previous_digest":"`+v.Digest+`","digest"`)},
		{"anchor without signature", anchor[:strings.Index(anchor, `,"signature"`)] + "}"},
		{"verified without proof", replace(verified, proofObj+",", "")},
		{"verified with reason", replace(verified, `}}`, `},"reason":"x"}`)},
		{"verified with proof array", replace(verified, proofObj, `"proof":[`+proofObj[len(`"proof":`):]+`,`+proofObj[len(`"proof":`):]+`]`)},
		{"violation with one-proof array", replace(violation, vProofObj, `"proof":[`+vProofObj[len(`"proof":`):]+`]`)},
		{"violation with three-proof array", replace(enc("violation-two-proofs"), `}],"configuration"`, `},`+proofObj[len(`"proof":`):]+`],"configuration"`)},
		{"violation with empty array", replace(violation, proofObj[:len(`"proof":`)], `"proof":[],"x":`)},
		{"violation without reason", replace(violation, `"reason":"current root does not rebuild",`, ``)},
		{"violation with empty reason", replace(violation, `"reason":"current root does not rebuild"`, `"reason":""`)},
		{"violation with one computed root", replace(violation, `"computed_previous":"`+rs["violation"].ComputedPrevious+`"`, `"computed_previous":""`)},
		{"violation computed root null", replace(violation, `"computed_previous":"`+rs["violation"].ComputedPrevious+`"`, `"computed_previous":null`)},
		{"escaped slash", replace(violation, `does not`, `does\/not`)},
		{"escaped letter", replace(violation, `does not`, `does n\u006ft`)},
		{"long escape of newline", replace(violation, `does not`, `does\u000anot`)},
		{"uppercase escape", replace(enc("violation-no-roots"), `\u0001`, `\u0001\u001F`)},
		{"surrogate escape", replace(violation, `does not`, `does\ud83d\ude00not`)},
		{"unknown escape", replace(violation, `does not`, `does\xnot`)},
		{"raw newline in string", replace(violation, `does not`, "does\nnot")},
		{"raw tab in string", replace(violation, `does not`, "does\tnot")},
		{"invalid UTF-8 in string", replace(violation, `does not`, "does\xffnot")},
		{"truncated UTF-8 in string", replace(violation, `does not`, "does\xc3")},
		{"encoded surrogate in string", replace(violation, `does not`, "does\xed\xa0\x80not")},
		{"namespace with slash", replace(verified, v.Namespace, "a/b")},
		{"escaped namespace", replace(verified, `"namespace":"w`, `"namespace":"\u0077`)},
		{"unterminated", verified[:len(verified)-1]},
		{"too large", long},
	}
	for _, tt := range tests {
		r, err := Parse([]byte(tt.in))
		if !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: Parse = %+v, %v; want ErrMalformed", tt.name, r, err)
			continue
		}
		t.Logf("%s: %v", tt.name, err)
	}
	if len(long) <= MaxSize {
		t.Fatalf("the oversized record is only %d bytes", len(long))
	}
}

// TestParsePrefixes checks that no proper prefix of a record parses.
func TestParsePrefixes(t *testing.T) {
	for name, r := range sampleRecords(t) {
		b := mustMarshal(t, r)
		for i := range b {
			if _, err := Parse(b[:i]); !errors.Is(err, ErrMalformed) {
				t.Fatalf("%s: prefix of %d bytes: error %v, want ErrMalformed", name, i, err)
			}
		}
	}
}

// TestParseErrorPosition checks that errors say where the problem is.
func TestParseErrorPosition(t *testing.T) {
	b := mustMarshal(t, sampleRecords(t)["verified"])
	bad := strings.Replace(string(b), `"epoch":722607`, `"epoch":x`, 1)
	_, err := Parse([]byte(bad))
	at := strings.Index(bad, "x")
	if err == nil || !strings.Contains(err.Error(), "at byte "+strconv.Itoa(at)) {
		t.Fatalf("error %v does not name byte %d", err, at)
	}
}

// TestParseAcceptsMaxSize checks the boundary: exactly MaxSize bytes parse.
func TestParseAcceptsMaxSize(t *testing.T) {
	r := clone(sampleRecords(t)["violation"])
	n := len(mustMarshal(t, r))
	r.Reason += strings.Repeat("y", MaxSize-n)
	b := mustMarshal(t, r)
	if len(b) != MaxSize {
		t.Fatalf("built %d bytes, want %d", len(b), MaxSize)
	}
	if _, err := Parse(b); err != nil {
		t.Fatalf("Parse of %d bytes: %v", len(b), err)
	}
	r.Reason += "y"
	if _, err := r.Marshal(); !errors.Is(err, ErrMalformed) {
		t.Fatalf("Marshal of %d bytes: %v, want ErrMalformed", MaxSize+1, err)
	}
}
