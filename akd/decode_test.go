package akd

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
)

func wantMalformed(t *testing.T, what string, data []byte, limits Limits) *MalformedError {
	t.Helper()
	if _, err := Decode(bytes.NewReader(data), limits); err == nil {
		t.Fatalf("%s: Decode succeeded", what)
	}
	_, err := Verify(context.Background(), bytes.NewReader(data), WhatsAppV1(), 1, [32]byte{}, [32]byte{}, &Options{Limits: limits})
	var m *MalformedError
	if !errors.As(err, &m) {
		t.Fatalf("%s: want malformed, got %v", what, err)
	}
	return m
}

// element encodes an AzksElement by hand, so that tests can leave fields
// out or give them wrong sizes.
func element(field protowire.Number, labelVal []byte, labelLen int64, value []byte) []byte {
	var label []byte
	if labelVal != nil {
		label = protowire.AppendTag(label, fieldLabelVal, protowire.BytesType)
		label = protowire.AppendBytes(label, labelVal)
	}
	if labelLen >= 0 {
		label = protowire.AppendTag(label, fieldLabelLen, protowire.VarintType)
		label = protowire.AppendVarint(label, uint64(labelLen))
	}
	var el []byte
	if label != nil {
		el = protowire.AppendTag(el, fieldLabel, protowire.BytesType)
		el = protowire.AppendBytes(el, label)
	}
	if value != nil {
		el = protowire.AppendTag(el, fieldValue, protowire.BytesType)
		el = protowire.AppendBytes(el, value)
	}
	b := protowire.AppendTag(nil, field, protowire.BytesType)
	return protowire.AppendBytes(b, el)
}

func TestDecodeMalformed(t *testing.T) {
	v32 := make([]byte, 32)
	good := element(fieldUnchanged, []byte{0x80}, 1, v32)
	if p, err := Decode(bytes.NewReader(good), Limits{}); err != nil || len(p.Unchanged) != 1 || p.Unchanged[0].Label.Val[0] != 0x80 {
		t.Fatalf("control: %v %+v", err, p)
	}
	cases := map[string][]byte{
		"zero bytes":          {},
		"label_len 257":       element(fieldUnchanged, []byte{1}, 257, v32),
		"label_len 2^32":      element(fieldUnchanged, []byte{1}, 1<<32, v32),
		"label_val 33 bytes":  element(fieldInserted, make([]byte, 33), 256, v32),
		"value 31 bytes":      element(fieldUnchanged, []byte{1}, 8, v32[:31]),
		"value 33 bytes":      element(fieldUnchanged, []byte{1}, 8, make([]byte, 33)),
		"value missing":       element(fieldUnchanged, []byte{1}, 8, nil),
		"label_val missing":   element(fieldUnchanged, nil, 8, v32),
		"label_len missing":   element(fieldUnchanged, []byte{1}, -1, v32),
		"label missing":       element(fieldUnchanged, nil, -1, v32),
		"garbage":             []byte("this is not a protobuf message, just text"),
		"group wire type":     protowire.AppendTag(nil, 1, protowire.StartGroupType),
		"field 0":             {0x00, 0x01},
		"element as varint":   append(protowire.AppendTag(nil, fieldInserted, protowire.VarintType), 1),
		"huge length":         append(protowire.AppendTag(nil, fieldInserted, protowire.BytesType), 0xff, 0xff, 0xff, 0xff, 0x0f),
		"overlong varint tag": bytes.Repeat([]byte{0xff}, 11),
	}
	for what, data := range cases {
		wantMalformed(t, what, data, Limits{})
	}
	// A zero-byte object says so.
	if m := wantMalformed(t, "zero bytes", nil, Limits{}); !errors.Is(m, ErrEmpty) {
		t.Fatalf("zero bytes: %v", m)
	}
	// Every truncation of a real proof.
	p := virtualProof(rand.New(rand.NewPCG(9, 9)), 5, 8)
	data := encode(t, p)
	for n := 0; n < len(data); n++ {
		_, err := Decode(bytes.NewReader(data[:n]), Limits{})
		var m *MalformedError
		if err != nil && !errors.As(err, &m) {
			t.Fatalf("truncated at %d: %v", n, err)
		}
		if err == nil {
			// A cut between elements is a shorter, well-formed proof; the
			// roots then fail to rebuild (TestNegativeControls).
			continue
		}
	}
	wantMalformed(t, "cut in an element", data[:len(data)-3], Limits{})
	// Limits.
	if m := wantMalformed(t, "too many elements", data, Limits{MaxElements: 3}); !errors.Is(m, ErrTooLarge) {
		t.Fatal(m)
	}
	if m := wantMalformed(t, "too many bytes", data, Limits{MaxBytes: 100}); !errors.Is(m, ErrTooLarge) {
		t.Fatal(m)
	}
}

// TestDecodeProtobufRules: unknown fields are skipped, repeated scalar
// fields keep the last value and a repeated label message merges.
func TestDecodeProtobufRules(t *testing.T) {
	v32 := bytes.Repeat([]byte{7}, 32)
	data := element(fieldInserted, []byte{0xff, 0x01}, 16, v32)
	data = protowire.AppendTag(data, 9, protowire.VarintType)
	data = protowire.AppendVarint(data, 5)
	data = protowire.AppendTag(data, 10, protowire.BytesType)
	data = protowire.AppendBytes(data, []byte("skip me"))
	p, err := Decode(bytes.NewReader(data), Limits{})
	if err != nil || len(p.Inserted) != 1 || p.Inserted[0].Label.Len != 16 || p.Inserted[0].Value[0] != 7 {
		t.Fatalf("%v %+v", err, p)
	}
	// An element whose label arrives in two parts.
	var el []byte
	el = protowire.AppendTag(el, fieldLabel, protowire.BytesType)
	el = protowire.AppendBytes(el, protowire.AppendBytes(protowire.AppendTag(nil, fieldLabelVal, protowire.BytesType), []byte{0xaa}))
	el = protowire.AppendTag(el, fieldLabel, protowire.BytesType)
	el = protowire.AppendBytes(el, protowire.AppendVarint(protowire.AppendTag(nil, fieldLabelLen, protowire.VarintType), 8))
	el = protowire.AppendTag(el, fieldValue, protowire.BytesType)
	el = protowire.AppendBytes(el, v32)
	data = protowire.AppendBytes(protowire.AppendTag(nil, fieldUnchanged, protowire.BytesType), el)
	p, err = Decode(bytes.NewReader(data), Limits{})
	if err != nil || len(p.Unchanged) != 1 || p.Unchanged[0].Label.Val[0] != 0xaa || p.Unchanged[0].Label.Len != 8 {
		t.Fatalf("merged label: %v %+v", err, p)
	}
}

// TestEncodeRoundTrip: Decode inverts Encode.
func TestEncodeRoundTrip(t *testing.T) {
	p := virtualProof(rand.New(rand.NewPCG(2, 2)), 30, 10)
	q, err := Decode(bytes.NewReader(encode(t, p)), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if !equalProofs(p, q) {
		t.Fatal("round trip changed the proof")
	}
}

func equalProofs(p, q *Proof) bool {
	eq := func(a, b []Element) bool {
		if len(a) != len(b) {
			return false
		}
		for i := range a {
			if a[i] != b[i] {
				return false
			}
		}
		return true
	}
	return eq(p.Inserted, q.Inserted) && eq(p.Unchanged, q.Unchanged)
}

// FuzzVerify runs the decoder and the verifier together: whatever decodes
// re-encodes to a proof that decodes the same, and verifies (or not) the
// same way streamed and in memory, without panicking.
func FuzzVerify(f *testing.F) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, sz := range [][2]int{{1, 2}, {3, 5}, {8, 6}} {
		p := virtualProof(rng, sz[0], sz[1])
		var b bytes.Buffer
		Encode(&b, p)
		f.Add(b.Bytes(), uint64(5), false)
	}
	f.Add(element(fieldUnchanged, []byte{0x80}, 1, make([]byte, 32)), uint64(1), true)
	f.Fuzz(func(t *testing.T, data []byte, epoch uint64, experimental bool) {
		cfg := WhatsAppV1()
		if experimental {
			cfg = Experimental("ExampleLabel")
		}
		limits := Limits{MaxElements: 1 << 12, MaxBytes: 1 << 20}
		p, err := Decode(bytes.NewReader(data), limits)
		_, serr := Verify(context.Background(), bytes.NewReader(data), cfg, epoch|1, [32]byte{}, [32]byte{}, &Options{Limits: limits})
		var m *MalformedError
		if err != nil {
			if !errors.As(err, &m) || !errors.As(serr, &m) {
				t.Fatalf("decode: %v; streaming: %v", err, serr)
			}
			return
		}
		q, err := Decode(bytes.NewReader(encode(t, p)), limits)
		if err != nil || !equalProofs(p, q) {
			t.Fatalf("round trip: %v", err)
		}
		res, err := VerifyStep(cfg, p, epoch|1, [32]byte{}, [32]byte{}, &Options{Workers: 2})
		var v1, v2 *ViolationError
		if err != nil && !errors.As(err, &v1) {
			t.Fatalf("verify: %v", err)
		}
		if serr != nil && !errors.As(serr, &v2) {
			t.Fatalf("streaming verify: %v", serr)
		}
		if (v1 == nil) != (v2 == nil) || (v1 != nil && (v1.Kind != v2.Kind || v1.ComputedCurrent != v2.ComputedCurrent)) {
			t.Fatalf("in memory %v, streamed %v", v1, v2)
		}
		if v1 == nil {
			// Verified against zero roots: only possible for a forged
			// BLAKE3 preimage.
			t.Fatalf("verified against zero roots: %+v", res)
		}
	})
}

// parseGeneral is parseElement without its canonical fast path.
func parseGeneral(b []byte, e *Element) error {
	var fast Element
	if parseCanonical(b, &fast) {
		// Break the fast path's shape with a trailing empty unknown
		// field, which the general parser skips.
		b = append(append([]byte(nil), b...), 0x1a, 0x00)
	}
	return parseElement(b, e)
}

// TestParseCanonical: the fast path takes canonical elements and decodes
// them as the general parser does.
func TestParseCanonical(t *testing.T) {
	p := virtualProof(rand.New(rand.NewPCG(4, 4)), 20, 10)
	p.Unchanged = append(p.Unchanged, Element{Label: Label{Len: 200}}, Element{Label: Label{Val: [32]byte{0xff}, Len: 256}})
	for _, e := range append(p.Inserted, p.Unchanged...) {
		enc := AppendElement(nil, false, &e)
		_, _, n := protowire.ConsumeTag(enc)
		_, m := protowire.ConsumeVarint(enc[n:])
		body := enc[n+m:]
		var fast, slow Element
		if !parseCanonical(body, &fast) {
			t.Fatalf("canonical element %+v not taken by the fast path", e)
		}
		if err := parseGeneral(body, &slow); err != nil || fast != slow || fast != e {
			t.Fatalf("fast %+v, general %+v (%v), encoded %+v", fast, slow, err, e)
		}
		// Negative control: a flipped byte never decodes to the same element.
		for i := range body {
			bad := append([]byte(nil), body...)
			bad[i] ^= 0x01
			var got Element
			if parseCanonical(bad, &got) && got == e {
				t.Fatalf("byte %d flipped, same element", i)
			}
		}
	}
}

// FuzzParseCanonical: whatever the fast path accepts, the general parser
// accepts and decodes the same.
func FuzzParseCanonical(f *testing.F) {
	e := Element{Label: Label{Val: [32]byte{1, 2, 3}, Len: 130}, Value: [32]byte{9}}
	enc := AppendElement(nil, true, &e)
	f.Add(enc[2:])
	f.Add([]byte{0x0a, 0x04, 0x0a, 0x00, 0x10, 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		var fast, slow Element
		if !parseCanonical(b, &fast) {
			return
		}
		if err := parseGeneral(b, &slow); err != nil || fast != slow {
			t.Fatalf("fast path %+v, general parser %+v, %v", fast, slow, err)
		}
	})
}
