package record

import (
	"fmt"
	"strconv"
)

// Marshal returns the canonical encoding of r: one line of JSON with the
// keys in the specification's order, no insignificant white space and no
// trailing newline. It fails, wrapping ErrMalformed, when r's fields do not
// fit its kind (see Record), a hexadecimal field has the wrong length or
// case, a string is not valid UTF-8, the namespace is not valid, or the
// encoding would exceed MaxSize bytes.
func (r *Record) Marshal() ([]byte, error) {
	if err := r.validate(); err != nil {
		return nil, fmt.Errorf("encoding %s record: %w", r.Kind, err)
	}
	b := r.appendTo(make([]byte, 0, r.sizeHint()))
	if len(b) > MaxSize {
		return nil, fmt.Errorf("encoding %s record for epoch %d: %w", r.Kind, r.Epoch,
			malformed("%d bytes, more than %d", len(b), MaxSize))
	}
	return b, nil
}

// sizeHint estimates the encoded length, to allocate once.
func (r *Record) sizeHint() int {
	n := 640 + len(r.Namespace) + len(r.Domain) + len(r.Reason)
	for i := range r.Proofs {
		n += 140 + len(r.Proofs[i].Name)
	}
	return n
}

// appendTo appends the encoding of r, which has been validated.
func (r *Record) appendTo(b []byte) []byte {
	b = append(b, `{"kind":`...)
	b = appendString(b, r.Kind)
	b = appendStringField(b, "namespace", r.Namespace)
	b = appendUintField(b, "epoch", r.Epoch)
	if r.Kind != KindAnchor {
		b = appendHexField(b, "previous_digest", r.PreviousDigest)
	}
	b = appendHexField(b, "digest", r.Digest)
	switch len(r.Proofs) {
	case 0:
	case 1:
		b = appendKey(b, "proof", false)
		b = r.Proofs[0].appendTo(b)
	default:
		b = appendKey(b, "proof", false)
		b = append(b, '[')
		for i := range r.Proofs {
			if i > 0 {
				b = append(b, ',')
			}
			b = r.Proofs[i].appendTo(b)
		}
		b = append(b, ']')
	}
	b = appendStringField(b, "configuration", r.Configuration)
	if r.Configuration == ConfigExperimental {
		b = appendStringField(b, "domain", r.Domain)
	}
	b = appendIntField(b, "verified_at", r.VerifiedAt)
	if s := r.Signature; s != nil {
		b = appendKey(b, "signature", false)
		b = s.appendTo(b)
	}
	if r.Kind == KindViolation {
		b = appendStringField(b, "reason", r.Reason)
		b = appendHexField(b, "computed_previous", r.ComputedPrevious)
		b = appendHexField(b, "computed_digest", r.ComputedDigest)
	}
	return append(b, '}')
}

func (p *Proof) appendTo(b []byte) []byte {
	b = append(b, `{"name":`...)
	b = appendString(b, p.Name)
	b = appendIntField(b, "size", p.Size)
	b = appendHexField(b, "sha256", p.SHA256)
	return append(b, '}')
}

func (s *Signature) appendTo(b []byte) []byte {
	b = append(b, '{')
	b = appendKey(b, "ciphersuite", true)
	b = strconv.AppendUint(b, uint64(s.Ciphersuite), 10)
	if s.KeyID != nil {
		b = appendUintField(b, "key_id", uint64(*s.KeyID))
	}
	b = appendIntField(b, "timestamp", s.Timestamp)
	b = appendHexField(b, "signature", s.Signature)
	return append(b, '}')
}
