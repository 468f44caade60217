package record

import (
	"bytes"
	"fmt"
	"math"
)

// The record's keys in canonical order. A record holds a subsequence.
const (
	fKind = iota
	fNamespace
	fEpoch
	fPreviousDigest
	fDigest
	fProof
	fConfiguration
	fDomain
	fVerifiedAt
	fSignature
	fReason
	fComputedPrevious
	fComputedDigest
	numFields
)

var fieldNames = [numFields]string{
	"kind", "namespace", "epoch", "previous_digest", "digest", "proof",
	"configuration", "domain", "verified_at", "signature", "reason",
	"computed_previous", "computed_digest",
}

func fieldIndex(k []byte) int {
	switch string(k) {
	case "kind":
		return fKind
	case "namespace":
		return fNamespace
	case "epoch":
		return fEpoch
	case "previous_digest":
		return fPreviousDigest
	case "digest":
		return fDigest
	case "proof":
		return fProof
	case "configuration":
		return fConfiguration
	case "domain":
		return fDomain
	case "verified_at":
		return fVerifiedAt
	case "signature":
		return fSignature
	case "reason":
		return fReason
	case "computed_previous":
		return fComputedPrevious
	case "computed_digest":
		return fComputedDigest
	}
	return -1
}

// The keys each kind has (domain aside).
const (
	maskBase      = 1<<fKind | 1<<fNamespace | 1<<fEpoch | 1<<fDigest | 1<<fConfiguration | 1<<fVerifiedAt
	maskAnchor    = maskBase | 1<<fSignature
	maskVerified  = maskBase | 1<<fPreviousDigest | 1<<fProof | 1<<fSignature
	maskViolation = maskBase | 1<<fPreviousDigest | 1<<fProof | 1<<fReason | 1<<fComputedPrevious | 1<<fComputedDigest
)

// Parse decodes one audit record. It is strict: b must be exactly the
// canonical encoding that Marshal writes (valid UTF-8, the known keys of
// the record's kind in order, each once, no white space, no trailing
// newline, at most MaxSize bytes), so Marshal of the result returns b.
// Errors wrap ErrMalformed and say what was wrong and at which byte.
func Parse(b []byte) (*Record, error) {
	if len(b) > MaxSize {
		return nil, fmt.Errorf("parsing record: %w", malformed("%d bytes, more than %d", len(b), MaxSize))
	}
	s := newScanner(b, "record")
	h := new(parsed)
	r := &h.rec
	mask, err := h.decode(s)
	if err != nil {
		return nil, err
	}
	if mask&(1<<fKind) == 0 {
		return nil, fmt.Errorf("parsing record: %w", malformed("missing key %q", fieldNames[fKind]))
	}
	want := 0
	switch r.Kind {
	case KindAnchor:
		want = maskAnchor
	case KindVerified:
		want = maskVerified
	case KindViolation:
		want = maskViolation
	default:
		return nil, fmt.Errorf("parsing record: %w", malformed("unknown kind %q", r.Kind))
	}
	if r.Configuration == ConfigExperimental {
		want |= 1 << fDomain
	}
	if mask != want {
		for f := range numFields {
			switch bit := 1 << f; {
			case want&bit != 0 && mask&bit == 0:
				return nil, fmt.Errorf("parsing %s record: %w", r.Kind, malformed("missing key %q", fieldNames[f]))
			case want&bit == 0 && mask&bit != 0:
				return nil, fmt.Errorf("parsing %s record: %w", r.Kind, malformed("unexpected key %q", fieldNames[f]))
			}
		}
	}
	if err := r.validate(); err != nil {
		return nil, fmt.Errorf("parsing record: %w", err)
	}
	// The scanner accepts only canonical forms, so this holds by
	// construction; checking it keeps "one record, one encoding" true
	// whatever a future change to the scanner does.
	var buf [1024]byte
	if !bytes.Equal(r.appendTo(buf[:0]), b) {
		return nil, fmt.Errorf("parsing record: %w", malformed("not in canonical form"))
	}
	return r, nil
}

// parsed holds a parsed record and what it points to, allocated at once.
type parsed struct {
	rec   Record
	sig   Signature
	kid   uint8
	proof [1]Proof
}

// decode reads the object's keys and values into h and returns the set of
// keys it found.
func (h *parsed) decode(s *scanner) (mask int, err error) {
	if err := s.expect('{'); err != nil {
		return 0, err
	}
	last := -1
	for {
		at := s.i
		k, err := s.key()
		if err != nil {
			return 0, err
		}
		f := fieldIndex(k)
		switch {
		case f < 0:
			s.i = at
			return 0, s.errorf("unknown key %q", k)
		case f == last:
			s.i = at
			return 0, s.errorf("duplicate key %q", k)
		case f < last:
			s.i = at
			return 0, s.errorf("key %q after %q: keys out of order", k, fieldNames[last])
		}
		last = f
		mask |= 1 << f
		if err := h.decodeField(s, f); err != nil {
			return 0, err
		}
		more, err := s.more()
		if err != nil {
			return 0, err
		}
		if !more {
			return mask, s.end()
		}
	}
}

func (h *parsed) decodeField(s *scanner, f int) (err error) {
	r := &h.rec
	switch f {
	case fKind:
		r.Kind, err = s.str()
		r.Kind = intern(r.Kind)
	case fNamespace:
		r.Namespace, err = s.str()
	case fEpoch:
		r.Epoch, err = s.uint(math.MaxUint64)
	case fPreviousDigest:
		r.PreviousDigest, err = s.hexStr(64, false)
	case fDigest:
		r.Digest, err = s.hexStr(64, false)
	case fProof:
		r.Proofs, err = decodeProofs(s, &h.proof)
	case fConfiguration:
		r.Configuration, err = s.str()
		r.Configuration = intern(r.Configuration)
	case fDomain:
		r.Domain, err = s.str()
	case fVerifiedAt:
		r.VerifiedAt, err = s.int64()
	case fSignature:
		err = decodeSignature(s, &h.sig, &h.kid)
		r.Signature = &h.sig
	case fReason:
		r.Reason, err = s.str()
	case fComputedPrevious:
		r.ComputedPrevious, err = s.hexStr(64, true)
	case fComputedDigest:
		r.ComputedDigest, err = s.hexStr(64, true)
	}
	return err
}

// intern returns the constant equal to v, if any, to share its memory.
func intern(v string) string {
	switch v {
	case KindAnchor:
		return KindAnchor
	case KindVerified:
		return KindVerified
	case KindViolation:
		return KindViolation
	case ConfigWhatsAppV1:
		return ConfigWhatsAppV1
	case ConfigExperimental:
		return ConfigExperimental
	}
	return v
}

// decodeProofs reads a proof object into one, or an array of exactly two.
func decodeProofs(s *scanner, one *[1]Proof) ([]Proof, error) {
	if c, ok := s.next(); !ok || c != '[' {
		p, err := decodeProof(s)
		if err != nil {
			return nil, err
		}
		one[0] = p
		return one[:1:1], nil
	}
	s.i++
	ps := make([]Proof, 2)
	var err error
	if ps[0], err = decodeProof(s); err != nil {
		return nil, err
	}
	if c, ok := s.next(); !ok || c != ',' {
		return nil, s.errorf("a proof array holds exactly two objects")
	}
	s.i++
	if ps[1], err = decodeProof(s); err != nil {
		return nil, err
	}
	if c, ok := s.next(); !ok || c != ']' {
		return nil, s.errorf("a proof array holds exactly two objects")
	}
	s.i++
	return ps, nil
}

func decodeProof(s *scanner) (p Proof, err error) {
	if err = s.expect('{'); err != nil {
		return p, err
	}
	if err = s.expectKey("name"); err != nil {
		return p, err
	}
	if p.Name, err = s.str(); err != nil {
		return p, err
	}
	if err = s.expect(','); err != nil {
		return p, err
	}
	if err = s.expectKey("size"); err != nil {
		return p, err
	}
	if p.Size, err = s.int64(); err != nil {
		return p, err
	}
	if err = s.expect(','); err != nil {
		return p, err
	}
	if err = s.expectKey("sha256"); err != nil {
		return p, err
	}
	if p.SHA256, err = s.hexStr(64, false); err != nil {
		return p, err
	}
	return p, s.expect('}')
}

// decodeSignature reads a signature object into sig, and its key ID, if
// any, into kid.
func decodeSignature(s *scanner, sig *Signature, kid *uint8) error {
	if err := s.expect('{'); err != nil {
		return err
	}
	if err := s.expectKey("ciphersuite"); err != nil {
		return err
	}
	cs, err := s.uint(math.MaxUint32)
	if err != nil {
		return err
	}
	sig.Ciphersuite = uint32(cs)
	if err := s.expect(','); err != nil {
		return err
	}
	at := s.i
	k, err := s.key()
	if err != nil {
		return err
	}
	if string(k) == "key_id" {
		id, err := s.uint(math.MaxUint8)
		if err != nil {
			return err
		}
		*kid = uint8(id)
		sig.KeyID = kid
		if err := s.expect(','); err != nil {
			return err
		}
		if err := s.expectKey("timestamp"); err != nil {
			return err
		}
	} else if string(k) != "timestamp" {
		s.i = at
		return s.errorf("key %q, want \"key_id\" or \"timestamp\"", k)
	}
	if sig.Timestamp, err = s.int64(); err != nil {
		return err
	}
	if err := s.expect(','); err != nil {
		return err
	}
	if err := s.expectKey("signature"); err != nil {
		return err
	}
	if sig.Signature, err = s.hexStr(128, false); err != nil {
		return err
	}
	return s.expect('}')
}
