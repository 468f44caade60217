package record

import (
	"bytes"
	"encoding/hex"
	"errors"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/cloudflare/circl/sign/ed25519"
)

// plexiSerdeExample is the response in Plexi's own serialisation test.
const plexiSerdeExample = `{"version":1,"ciphersuite":1,"namespace":"n","timestamp":2,"epoch":3,"digest":"04","signature":"05","key_id":6,"serialized_message":"07"}`

func TestSignatureResponseVectors(t *testing.T) {
	for _, v := range loadVectors(t) {
		seed, _ := hex.DecodeString(v.SigningKey)
		priv := ed25519.NewKeyFromSeed(seed)
		pub := priv.Public().(ed25519.PublicKey)
		r := &Record{Kind: KindAnchor, Namespace: v.Namespace, Epoch: v.Epoch, Digest: v.Digest, Configuration: ConfigWhatsAppV1}
		if err := r.Sign(v.Ciphersuite, v.Timestamp, pub, signer(priv)); err != nil {
			t.Fatal(err)
		}
		sr, err := r.SignatureResponse()
		if err != nil {
			t.Fatal(err)
		}
		digest, _ := hex.DecodeString(v.Digest)
		msg, _ := Message(v.Ciphersuite, v.Namespace, v.Timestamp, v.Epoch, digest)
		cs := strconv.Itoa(int(v.Ciphersuite))
		want := `{"version":` + cs + `,"ciphersuite":` + cs + `,"namespace":"` + v.Namespace + `",` +
			`"timestamp":` + strconv.FormatInt(v.Timestamp, 10) + `,"epoch":` + strconv.FormatUint(v.Epoch, 10) +
			`,"digest":"` + v.Digest + `","signature":"` + v.Signature + `","key_id":` + strconv.Itoa(int(v.KeyID)) +
			`,"serialized_message":"` + hex.EncodeToString(msg) + `"}`
		b, err := sr.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != want {
			t.Fatalf("Marshal:\n got %s\nwant %s", b, want)
		}
		got, err := ParseSignatureResponse(b)
		if err != nil {
			t.Fatalf("ParseSignatureResponse: %v", err)
		}
		if !reflect.DeepEqual(got, sr) {
			t.Fatalf("parsed %+v, want %+v", got, sr)
		}
		if err := got.Verify(pub); err != nil {
			t.Fatalf("Verify: %v", err)
		}
	}
}

// TestSignatureResponseKeyOrder compares the key sequence of a response
// with the one in Plexi's serialisation test.
func TestSignatureResponseKeyOrder(t *testing.T) {
	keys := regexp.MustCompile(`"([a-z_]+)":`)
	seq := func(s string) string {
		var ks []string
		for _, m := range keys.FindAllStringSubmatch(s, -1) {
			ks = append(ks, m[1])
		}
		return strings.Join(ks, ",")
	}
	sr, err := sampleRecords(t)["verified"].SignatureResponse()
	if err != nil {
		t.Fatal(err)
	}
	b, err := sr.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := seq(string(b)), seq(plexiSerdeExample); got != want {
		t.Fatalf("keys %s, Plexi's %s", got, want)
	}
	// Plexi's example itself has a one-byte digest and signature, which a
	// real signature never has: the strict parser refuses it.
	if _, err := ParseSignatureResponse([]byte(plexiSerdeExample)); !errors.Is(err, ErrMalformed) {
		t.Fatalf("Plexi's placeholder response: %v, want ErrMalformed", err)
	}
}

func TestSignatureResponseOptionalFields(t *testing.T) {
	pub, _ := testKey()
	for _, name := range []string{"anchor", "verified-bincode"} {
		sr, err := sampleRecords(t)[name].SignatureResponse()
		if err != nil {
			t.Fatal(err)
		}
		sr.KeyID, sr.SerializedMessage = nil, nil
		b, err := sr.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasSuffix(b, []byte(`","serialized_message":null}`)) || bytes.Contains(b, []byte("key_id")) {
			t.Fatalf("%s without key_id and message: %s", name, b)
		}
		got, err := ParseSignatureResponse(b)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, sr) {
			t.Fatalf("parsed %+v, want %+v", got, sr)
		}
		if err := got.Verify(pub); err != nil {
			t.Fatalf("Verify: %v", err)
		}
	}
	if _, err := sampleRecords(t)["violation"].SignatureResponse(); !errors.Is(err, ErrMalformed) {
		t.Fatalf("SignatureResponse of a violation: %v, want ErrMalformed", err)
	}
}

func TestParseSignatureResponseRejects(t *testing.T) {
	sr, err := sampleRecords(t)["verified"].SignatureResponse()
	if err != nil {
		t.Fatal(err)
	}
	good, _ := sr.Marshal()
	g := string(good)
	msgHex := hex.EncodeToString(sr.SerializedMessage)
	flipped := bytes.Clone(sr.SerializedMessage)
	flipped[len(flipped)-1] ^= 1
	replace := func(old, new string) string {
		t.Helper()
		if !strings.Contains(g, old) {
			t.Fatalf("%q not in %s", old, g)
		}
		return strings.Replace(g, old, new, 1)
	}
	dig := hex.EncodeToString(sr.Digest)
	sig := hex.EncodeToString(sr.Signature)
	tests := []struct{ name, in string }{
		{"empty", ""},
		{"trailing newline", g + "\n"},
		{"space", replace(`"epoch":`, `"epoch": `)},
		{"version differs", replace(`"version":1`, `"version":2`)},
		{"version missing", replace(`"version":1,`, ``)},
		{"ciphersuite missing", replace(`"ciphersuite":1,`, ``)},
		{"ciphersuite 3", replace(`"version":1,"ciphersuite":1`, `"version":3,"ciphersuite":3`)},
		{"keys reordered", replace(`"version":1,"ciphersuite":1`, `"ciphersuite":1,"version":1`)},
		{"unknown key", replace(`"epoch":`, `"x":1,"epoch":`)},
		{"serialized_message altered", replace(msgHex, hex.EncodeToString(flipped))},
		{"serialized_message empty", replace(msgHex, "")},
		{"serialized_message missing", replace(`,"serialized_message":"`+msgHex+`"`, ``)},
		{"serialized_message uppercase", replace(msgHex, strings.ToUpper(msgHex))},
		{"digest uppercase", replace(dig, strings.ToUpper(dig))},
		{"digest short", replace(`"digest":"`+dig, `"digest":"`+dig[2:])},
		{"digest odd", replace(`"digest":"`+dig, `"digest":"`+dig[1:])},
		{"signature short", replace(sig, sig[2:])},
		{"key_id 256", replace(`"key_id":`, `"key_id":256,"x":`)},
		{"key_id after message", replace(`"key_id":`, `"kid":`)},
		{"timestamp negative", replace(`"timestamp":`, `"timestamp":-`)},
		{"epoch string", replace(`"epoch":722607`, `"epoch":"722607"`)},
		{"namespace not UTF-8", replace(`"namespace":"`, "\"namespace\":\"\xff")},
		{"null digest", replace(`"digest":"`+dig+`"`, `"digest":null`)},
	}
	for _, tt := range tests {
		if got, err := ParseSignatureResponse([]byte(tt.in)); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: ParseSignatureResponse = %+v, %v; want ErrMalformed", tt.name, got, err)
		}
	}
	// Prefixes.
	for i := range good {
		if _, err := ParseSignatureResponse(good[:i]); !errors.Is(err, ErrMalformed) {
			t.Fatalf("prefix of %d bytes: %v, want ErrMalformed", i, err)
		}
	}
}

func TestSignatureResponseVerifyFlips(t *testing.T) {
	pub, _ := testKey()
	sr, err := sampleRecords(t)["verified"].SignatureResponse()
	if err != nil {
		t.Fatal(err)
	}
	base := *sr
	base.SerializedMessage = nil
	fails := func(what string, s SignatureResponse) {
		t.Helper()
		if err := s.Verify(pub); !errors.Is(err, ErrBadSignature) {
			t.Errorf("%s changed: Verify = %v, want ErrBadSignature", what, err)
		}
	}
	for i := range base.Signature {
		s := base
		s.Signature = bytes.Clone(base.Signature)
		s.Signature[i] ^= 4
		fails("signature", s)
	}
	for i := range base.Digest {
		s := base
		s.Digest = bytes.Clone(base.Digest)
		s.Digest[i] ^= 4
		fails("digest", s)
	}
	s := base
	s.Epoch++
	fails("epoch", s)
	s = base
	s.Timestamp++
	fails("timestamp", s)
	s = base
	s.Namespace += "x"
	fails("namespace", s)
	s = base
	s.Ciphersuite = CiphersuiteBincode
	fails("ciphersuite", s)
	s = base
	k := *base.KeyID + 1
	s.KeyID = &k
	fails("key_id", s)

	// A message that does not match the fields is malformed, whatever
	// the signature.
	s = *sr
	s.SerializedMessage = bytes.Clone(sr.SerializedMessage)
	s.SerializedMessage[0] ^= 1
	if err := s.Verify(pub); !errors.Is(err, ErrMalformed) {
		t.Errorf("altered serialized_message: Verify = %v, want ErrMalformed", err)
	}
	if _, err := s.Marshal(); !errors.Is(err, ErrMalformed) {
		t.Errorf("altered serialized_message: Marshal = %v, want ErrMalformed", err)
	}
	s = *sr
	s.Digest = s.Digest[:31]
	if _, err := s.Marshal(); !errors.Is(err, ErrMalformed) {
		t.Errorf("31-byte digest: Marshal = %v, want ErrMalformed", err)
	}
}
