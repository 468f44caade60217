package record

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/cloudflare/circl/sign/ed25519"
)

// SignatureResponse is Plexi's JSON for one epoch's signature, served at
// namespaces/<ns>/audits/<epoch>:
//
//	{"version":1,"ciphersuite":1,"namespace":"n","timestamp":2,"epoch":3,
//	 "digest":"04","signature":"05","key_id":6,"serialized_message":"07"}
//
// in exactly that key order, on one line. version mirrors ciphersuite;
// key_id is omitted when absent; serialized_message is null when absent.
type SignatureResponse struct {
	// Ciphersuite is written as both "version" and "ciphersuite".
	Ciphersuite uint32
	// Namespace is any valid UTF-8 string (Plexi's namespaces need not be
	// stele's).
	Namespace string
	// Timestamp is the signing time in Unix milliseconds.
	Timestamp int64
	Epoch     uint64
	// Digest is the epoch's 32-byte root.
	Digest []byte
	// Signature is the 64-byte Ed25519 signature.
	Signature []byte
	// KeyID is the last byte of the signer's public key; nil when absent.
	KeyID *uint8
	// SerializedMessage is the exact signed bytes, Message of the fields
	// above; nil when absent (JSON null).
	SerializedMessage []byte
}

// SignatureResponse returns the Plexi signature response for a signed
// record, with the serialised message set.
func (r *Record) SignatureResponse() (*SignatureResponse, error) {
	s := r.Signature
	if s == nil {
		return nil, fmt.Errorf("building signature response for %s epoch %d: %w", r.Namespace, r.Epoch,
			malformed("a %s record is not signed", r.Kind))
	}
	msg, err := r.message(s.Ciphersuite, s.Timestamp)
	if err != nil {
		return nil, fmt.Errorf("building signature response for %s epoch %d: %w", r.Namespace, r.Epoch, err)
	}
	if !isHex(s.Signature, 2*ed25519.SignatureSize) {
		return nil, fmt.Errorf("building signature response for %s epoch %d: %w", r.Namespace, r.Epoch,
			malformed("signature is not 128 lower-case hexadecimal digits"))
	}
	digest, _ := hex.DecodeString(r.Digest)
	sig, _ := hex.DecodeString(s.Signature)
	var kid *uint8
	if s.KeyID != nil {
		k := *s.KeyID
		kid = &k
	}
	return &SignatureResponse{
		Ciphersuite:       s.Ciphersuite,
		Namespace:         r.Namespace,
		Timestamp:         s.Timestamp,
		Epoch:             r.Epoch,
		Digest:            digest,
		Signature:         sig,
		KeyID:             kid,
		SerializedMessage: msg,
	}, nil
}

// message checks the fields and returns the message they sign.
func (s *SignatureResponse) message() ([]byte, error) {
	if len(s.Signature) != ed25519.SignatureSize {
		return nil, malformed("signature is %d bytes, want %d", len(s.Signature), ed25519.SignatureSize)
	}
	msg, err := Message(s.Ciphersuite, s.Namespace, s.Timestamp, s.Epoch, s.Digest)
	if err != nil {
		return nil, err
	}
	if s.SerializedMessage != nil && !bytes.Equal(s.SerializedMessage, msg) {
		return nil, malformed("serialized_message is not the message of the other fields")
	}
	return msg, nil
}

// Marshal returns the response's JSON in Plexi's key order, on one line
// without a trailing newline. It fails, wrapping ErrMalformed, when a
// field is out of range (see Message; the signature must be 64 bytes) or
// SerializedMessage is set and differs from the message of the other
// fields.
func (s *SignatureResponse) Marshal() ([]byte, error) {
	if _, err := s.message(); err != nil {
		return nil, fmt.Errorf("encoding signature response: %w", err)
	}
	b := make([]byte, 0, 320+len(s.Namespace)+2*len(s.SerializedMessage))
	b = append(b, '{')
	b = appendKey(b, "version", true)
	b = strconv.AppendUint(b, uint64(s.Ciphersuite), 10)
	b = appendUintField(b, "ciphersuite", uint64(s.Ciphersuite))
	b = appendStringField(b, "namespace", s.Namespace)
	b = appendIntField(b, "timestamp", s.Timestamp)
	b = appendUintField(b, "epoch", s.Epoch)
	b = appendHexBytes(appendKey(b, "digest", false), s.Digest)
	b = appendHexBytes(appendKey(b, "signature", false), s.Signature)
	if s.KeyID != nil {
		b = appendUintField(b, "key_id", uint64(*s.KeyID))
	}
	b = appendKey(b, "serialized_message", false)
	if s.SerializedMessage == nil {
		b = append(b, "null"...)
	} else {
		b = appendHexBytes(b, s.SerializedMessage)
	}
	return append(b, '}'), nil
}

// ParseSignatureResponse decodes a signature response strictly: exactly
// the bytes Marshal writes (Plexi's key order, version equal to
// ciphersuite, lower-case hexadecimal, no white space), a known
// ciphersuite, a 32-byte digest, a 64-byte signature, and a
// serialized_message that is null or equal to the message rebuilt from the
// other fields. The signature itself is not verified; see Verify. Errors
// wrap ErrMalformed.
func ParseSignatureResponse(b []byte) (*SignatureResponse, error) {
	sc := newScanner(b, "signature response")
	s, err := decodeResponse(sc)
	if err != nil {
		return nil, err
	}
	if !utf8.ValidString(s.Namespace) {
		return nil, fmt.Errorf("parsing signature response: %w", malformed("namespace is not valid UTF-8"))
	}
	if _, err := s.message(); err != nil {
		return nil, fmt.Errorf("parsing signature response: %w", err)
	}
	return s, nil
}

func decodeResponse(sc *scanner) (*SignatureResponse, error) {
	s := new(SignatureResponse)
	if err := sc.expect('{'); err != nil {
		return nil, err
	}
	if err := sc.expectKey("version"); err != nil {
		return nil, err
	}
	version, err := sc.uint(math.MaxUint32)
	if err != nil {
		return nil, err
	}
	if err := field(sc, "ciphersuite"); err != nil {
		return nil, err
	}
	at := sc.i
	cs, err := sc.uint(math.MaxUint32)
	if err != nil {
		return nil, err
	}
	if cs != version {
		sc.i = at
		return nil, sc.errorf("ciphersuite %d differs from version %d", cs, version)
	}
	s.Ciphersuite = uint32(cs)
	if err := field(sc, "namespace"); err != nil {
		return nil, err
	}
	if s.Namespace, err = sc.str(); err != nil {
		return nil, err
	}
	if err := field(sc, "timestamp"); err != nil {
		return nil, err
	}
	if s.Timestamp, err = sc.int64(); err != nil {
		return nil, err
	}
	if err := field(sc, "epoch"); err != nil {
		return nil, err
	}
	if s.Epoch, err = sc.uint(math.MaxUint64); err != nil {
		return nil, err
	}
	if err := field(sc, "digest"); err != nil {
		return nil, err
	}
	if s.Digest, err = sc.hexBytes(); err != nil {
		return nil, err
	}
	if err := field(sc, "signature"); err != nil {
		return nil, err
	}
	if s.Signature, err = sc.hexBytes(); err != nil {
		return nil, err
	}
	if err := sc.expect(','); err != nil {
		return nil, err
	}
	at = sc.i
	k, err := sc.key()
	if err != nil {
		return nil, err
	}
	if string(k) == "key_id" {
		id, err := sc.uint(math.MaxUint8)
		if err != nil {
			return nil, err
		}
		kid := uint8(id)
		s.KeyID = &kid
		if err := field(sc, "serialized_message"); err != nil {
			return nil, err
		}
	} else if string(k) != "serialized_message" {
		sc.i = at
		return nil, sc.errorf("key %q, want \"key_id\" or \"serialized_message\"", k)
	}
	if bytes.HasPrefix(sc.b[sc.i:], []byte("null")) {
		sc.i += len("null")
	} else if s.SerializedMessage, err = sc.hexBytes(); err != nil {
		return nil, err
	}
	if err := sc.expect('}'); err != nil {
		return nil, err
	}
	return s, sc.end()
}

// field reads the ',' and the key name that come before a value.
func field(sc *scanner, name string) error {
	if err := sc.expect(','); err != nil {
		return err
	}
	return sc.expectKey(name)
}

// Verify checks the response's signature against pub, a 32-byte Ed25519
// public key, strictly, over the message rebuilt from its fields; key_id,
// when present, must be pub's last byte. Errors for a signature that does
// not verify wrap ErrBadSignature.
func (s *SignatureResponse) Verify(pub []byte) error {
	msg, err := s.message()
	if err != nil {
		return fmt.Errorf("verifying signature response for %s epoch %d: %w", s.Namespace, s.Epoch, err)
	}
	if err := verifyPlexi(pub, s.KeyID, msg, s.Signature, func(msg, sig []byte) bool { return verifyStrict(pub, msg, sig) }); err != nil {
		return fmt.Errorf("verifying signature response for %s epoch %d: %w", s.Namespace, s.Epoch, err)
	}
	return nil
}
