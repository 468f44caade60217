package record

import (
	"unicode/utf8"
)

// Kinds of record.
const (
	KindAnchor    = "anchor"
	KindVerified  = "verified"
	KindViolation = "violation"
)

// AKD hashing configurations a record may name.
const (
	ConfigWhatsAppV1   = "whatsapp_v1"
	ConfigExperimental = "experimental"
)

// Plexi ciphersuites: the serialisation of the signed message. Both sign
// with Ed25519.
const (
	CiphersuiteProtobuf uint32 = 1
	CiphersuiteBincode  uint32 = 2
)

// MaxSize is the largest encoded record, in bytes: the C2SP tlog-tiles
// limit on one entry.
const MaxSize = 65535

// Proof names the proof object a record is about. JSON keys: name, size,
// sha256.
type Proof struct {
	// Name is the object's key relative to the source, "E/<prev>/<cur>"
	// for every source stele reads. It must not be empty.
	Name string
	// Size is the object's length in bytes.
	Size int64
	// SHA256 is the lower-case hexadecimal SHA-256 of the object's bytes.
	SHA256 string
}

// Signature is a Plexi signature as a record holds it. JSON keys:
// ciphersuite, key_id (omitted when KeyID is nil), timestamp, signature.
type Signature struct {
	// Ciphersuite selects the message serialisation: CiphersuiteProtobuf
	// or CiphersuiteBincode.
	Ciphersuite uint32
	// KeyID is the last byte of the signer's Ed25519 public key, as Plexi
	// reports it; nil when absent. [Record.Sign] always sets it.
	KeyID *uint8
	// Timestamp is the signing time in Unix milliseconds; it is part of
	// the signed message.
	Timestamp int64
	// Signature is the 64-byte Ed25519 signature in lower-case
	// hexadecimal.
	Signature string
}

// Record is one entry of a namespace's log. Which fields are set depends on
// Kind:
//
//	field             anchor    verified  violation
//	PreviousDigest    -         yes       yes
//	Proofs            -         1         1 or 2
//	Signature         yes       yes       -
//	Reason            -         -         yes
//	ComputedPrevious  -         -         yes, or "" with ComputedDigest ""
//	ComputedDigest    -         -         yes, or "" with ComputedPrevious ""
//
// Namespace, Epoch, Digest, Configuration and VerifiedAt are always set,
// Domain exactly when Configuration is ConfigExperimental. "-" means the
// zero value. Hexadecimal fields are lower case, 64 digits (32 bytes).
type Record struct {
	Kind string
	// Namespace matches [A-Za-z0-9][A-Za-z0-9._-]{0,127}; see
	// ValidNamespace.
	Namespace string
	// Epoch is the epoch the record is about: the anchor's epoch, or E of
	// the step E-1 -> E (at least 1).
	Epoch uint64
	// PreviousDigest is the root of E-1 named by the proof.
	PreviousDigest string
	// Digest is the root of Epoch: the anchor's, or the one the proof
	// names for E.
	Digest string
	// Proofs is the proof object (JSON "proof", an object) or, for a
	// violation where two objects claim one epoch, both of them (a JSON
	// array, names in ascending byte order).
	Proofs []Proof
	// Configuration is ConfigWhatsAppV1 or ConfigExperimental.
	Configuration string
	// Domain is the experimental configuration's domain label; non-empty
	// exactly when Configuration is ConfigExperimental.
	Domain string
	// VerifiedAt is when the epoch was checked, in Unix milliseconds. On
	// signed kinds it equals Signature.Timestamp.
	VerifiedAt int64
	// Signature is the Plexi signature of (namespace, timestamp, epoch,
	// digest); set on anchors and verified records, never on violations.
	Signature *Signature
	// Reason says what the violation is; non-empty on violations.
	Reason string
	// ComputedPrevious and ComputedDigest are the roots of E-1 and E that
	// the verifier rebuilt from the proof. Both are "" when no roots could
	// be rebuilt: a contradictory label set, or two objects claiming one
	// epoch.
	ComputedPrevious string
	ComputedDigest   string
}

// ValidNamespace reports whether ns is a valid namespace name:
// [A-Za-z0-9][A-Za-z0-9._-]{0,127}. Namespaces become path segments and
// key names, so nothing else is accepted.
func ValidNamespace(ns string) bool {
	if len(ns) == 0 || len(ns) > 128 {
		return false
	}
	for i := 0; i < len(ns); i++ {
		c := ns[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case i > 0 && (c == '.' || c == '_' || c == '-'):
		default:
			return false
		}
	}
	return true
}

// hexValue maps a lower-case hexadecimal digit to its value plus one, and
// every other byte to zero.
var hexValue = func() (t [256]uint8) {
	for i, c := range []byte(hexDigits) {
		t[c] = uint8(i) + 1
	}
	return t
}()

// isHex reports whether s is n lower-case hexadecimal digits.
func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if hexValue[s[i]] == 0 {
			return false
		}
	}
	return true
}

// validate checks that r's fields are consistent with its kind. It does
// not check the encoded size.
func (r *Record) validate() error {
	switch r.Kind {
	case KindAnchor, KindVerified, KindViolation:
	default:
		return malformed("unknown kind %q", r.Kind)
	}
	if !ValidNamespace(r.Namespace) {
		return malformed("namespace %q does not match [A-Za-z0-9][A-Za-z0-9._-]{0,127}", r.Namespace)
	}
	if !isHex(r.Digest, 64) {
		return malformed("digest is not 64 lower-case hexadecimal digits")
	}
	switch r.Configuration {
	case ConfigWhatsAppV1:
		if r.Domain != "" {
			return malformed("configuration %s takes no domain", r.Configuration)
		}
	case ConfigExperimental:
		if r.Domain == "" {
			return malformed("configuration %s needs a domain", r.Configuration)
		}
		if !utf8.ValidString(r.Domain) {
			return malformed("domain is not valid UTF-8")
		}
	default:
		return malformed("unknown configuration %q", r.Configuration)
	}
	if r.VerifiedAt < 0 {
		return malformed("verified_at %d is negative", r.VerifiedAt)
	}
	if r.Kind == KindAnchor {
		return r.validateAnchor()
	}
	return r.validateStep()
}

func (r *Record) validateAnchor() error {
	switch {
	case r.PreviousDigest != "":
		return malformed("an anchor has no previous_digest")
	case len(r.Proofs) != 0:
		return malformed("an anchor has no proof")
	case r.Reason != "" || r.ComputedPrevious != "" || r.ComputedDigest != "":
		return malformed("an anchor has no reason, computed_previous or computed_digest")
	}
	return r.validateSignature()
}

// validateStep checks the fields of verified records and violations.
func (r *Record) validateStep() error {
	if r.Epoch == 0 {
		return malformed("a %s record is about a step E-1 -> E, and epoch is 0", r.Kind)
	}
	if !isHex(r.PreviousDigest, 64) {
		return malformed("previous_digest is not 64 lower-case hexadecimal digits")
	}
	for i := range r.Proofs {
		if err := r.Proofs[i].validate(); err != nil {
			return err
		}
	}
	if r.Kind == KindVerified {
		switch {
		case len(r.Proofs) != 1:
			return malformed("a verified record has one proof, not %d", len(r.Proofs))
		case r.Reason != "" || r.ComputedPrevious != "" || r.ComputedDigest != "":
			return malformed("a verified record has no reason, computed_previous or computed_digest")
		}
		return r.validateSignature()
	}
	switch {
	case len(r.Proofs) != 1 && len(r.Proofs) != 2:
		return malformed("a violation has one or two proofs, not %d", len(r.Proofs))
	case len(r.Proofs) == 2 && r.Proofs[0].Name >= r.Proofs[1].Name:
		return malformed("the two proofs of a violation must have distinct names in ascending order")
	case r.Signature != nil:
		return malformed("a violation is not signed")
	case r.Reason == "":
		return malformed("a violation needs a reason")
	case !utf8.ValidString(r.Reason):
		return malformed("reason is not valid UTF-8")
	case (r.ComputedPrevious == "") != (r.ComputedDigest == ""):
		return malformed("computed_previous and computed_digest are both set or both empty")
	case r.ComputedPrevious != "" && !isHex(r.ComputedPrevious, 64):
		return malformed("computed_previous is not 64 lower-case hexadecimal digits")
	case r.ComputedDigest != "" && !isHex(r.ComputedDigest, 64):
		return malformed("computed_digest is not 64 lower-case hexadecimal digits")
	}
	return nil
}

func (r *Record) validateSignature() error {
	s := r.Signature
	switch {
	case s == nil:
		return malformed("a %s record must be signed", r.Kind)
	case s.Ciphersuite != CiphersuiteProtobuf && s.Ciphersuite != CiphersuiteBincode:
		return malformed("unknown ciphersuite %d", s.Ciphersuite)
	case s.Timestamp < 0:
		return malformed("signature timestamp %d is negative", s.Timestamp)
	case s.Timestamp != r.VerifiedAt:
		return malformed("signature timestamp %d differs from verified_at %d", s.Timestamp, r.VerifiedAt)
	case !isHex(s.Signature, 128):
		return malformed("signature is not 128 lower-case hexadecimal digits")
	}
	return nil
}

func (p *Proof) validate() error {
	switch {
	case p.Name == "":
		return malformed("proof name is empty")
	case !utf8.ValidString(p.Name):
		return malformed("proof name is not valid UTF-8")
	case p.Size < 0:
		return malformed("proof size %d is negative", p.Size)
	case !isHex(p.SHA256, 64):
		return malformed("proof sha256 is not 64 lower-case hexadecimal digits")
	}
	return nil
}
