package record

import (
	"encoding/hex"
	"fmt"

	"github.com/cloudflare/circl/sign/ed25519"
)

// message returns the Plexi message r's signature covers, built with
// ciphersuite cs and timestamp ts.
func (r *Record) message(cs uint32, ts int64) ([]byte, error) {
	if !isHex(r.Digest, 2*DigestSize) {
		return nil, malformed("digest is not 64 lower-case hexadecimal digits")
	}
	digest, _ := hex.DecodeString(r.Digest)
	return Message(cs, r.Namespace, ts, r.Epoch, digest)
}

// Sign signs r as Plexi would sign its epoch and digest: it builds the
// message for r's namespace, epoch and digest with ciphersuite and
// timestamp (Unix milliseconds), has sign sign it, checks the result
// verifies under pub (the signer's 32-byte Ed25519 public key), and only
// then sets r.Signature (key_id = pub[31]) and r.VerifiedAt = timestamp.
//
// sign must return the 64-byte Ed25519 signature of exactly the bytes it
// is given, with the private key of pub (a checkpoint signer's Sign method
// does). Only anchors and verified records are signed. r is not modified
// when Sign fails.
func (r *Record) Sign(ciphersuite uint32, timestamp int64, pub []byte, sign func(msg []byte) ([]byte, error)) error {
	if r.Kind != KindAnchor && r.Kind != KindVerified {
		return fmt.Errorf("signing record: %w", malformed("a %q record is not signed", r.Kind))
	}
	if len(pub) != ed25519.PublicKeySize {
		return fmt.Errorf("signing %s epoch %d: public key is %d bytes, want %d", r.Namespace, r.Epoch, len(pub), ed25519.PublicKeySize)
	}
	if !ValidNamespace(r.Namespace) {
		return fmt.Errorf("signing record: %w", malformed("namespace %q is not valid", r.Namespace))
	}
	msg, err := r.message(ciphersuite, timestamp)
	if err != nil {
		return fmt.Errorf("signing %s epoch %d: %w", r.Namespace, r.Epoch, err)
	}
	sig, err := sign(msg)
	if err != nil {
		return fmt.Errorf("signing %s epoch %d: %w", r.Namespace, r.Epoch, err)
	}
	if !verifyStrict(pub, msg, sig) {
		return fmt.Errorf("signing %s epoch %d: the signer's signature does not verify under the given public key: %w",
			r.Namespace, r.Epoch, ErrBadSignature)
	}
	kid := pub[len(pub)-1]
	r.Signature = &Signature{
		Ciphersuite: ciphersuite,
		KeyID:       &kid,
		Timestamp:   timestamp,
		Signature:   hex.EncodeToString(sig),
	}
	r.VerifiedAt = timestamp
	return nil
}

// VerifySignature checks r's Plexi signature against pub, a 32-byte
// Ed25519 public key: the message is rebuilt from r's namespace, epoch and
// digest and the signature's ciphersuite and timestamp, and verified
// strictly (see the package documentation). When the signature names a
// key_id it must be pub's last byte. A record without a signature fails
// with ErrBadSignature; the other fields' consistency is Parse's and
// Marshal's business, not checked here. To check many records under one
// key, a [Verifier] gives the same answers faster.
func (r *Record) VerifySignature(pub []byte) error {
	return r.verifySignature(pub, func(msg, sig []byte) bool { return verifyStrict(pub, msg, sig) })
}

func (r *Record) verifySignature(pub []byte, check func(msg, sig []byte) bool) error {
	s := r.Signature
	if s == nil {
		return fmt.Errorf("verifying %s epoch %d: record has no signature: %w", r.Namespace, r.Epoch, ErrBadSignature)
	}
	msg, err := r.message(s.Ciphersuite, s.Timestamp)
	if err != nil {
		return fmt.Errorf("verifying %s epoch %d: %w", r.Namespace, r.Epoch, err)
	}
	if !isHex(s.Signature, 2*ed25519.SignatureSize) {
		return fmt.Errorf("verifying %s epoch %d: %w", r.Namespace, r.Epoch,
			malformed("signature is not 128 lower-case hexadecimal digits"))
	}
	sig, _ := hex.DecodeString(s.Signature)
	if err := verifyPlexi(pub, s.KeyID, msg, sig, check); err != nil {
		return fmt.Errorf("verifying %s epoch %d: %w", r.Namespace, r.Epoch, err)
	}
	return nil
}

// verifyPlexi checks a Plexi signature sig of msg and its optional key ID
// against pub, the signature itself with check.
func verifyPlexi(pub []byte, keyID *uint8, msg, sig []byte, check func(msg, sig []byte) bool) error {
	if len(pub) != ed25519.PublicKeySize {
		return fmt.Errorf("public key is %d bytes, want %d", len(pub), ed25519.PublicKeySize)
	}
	if keyID != nil && *keyID != pub[len(pub)-1] {
		return fmt.Errorf("key_id %d names another key than %d: %w", *keyID, pub[len(pub)-1], ErrBadSignature)
	}
	if !check(msg, sig) {
		return fmt.Errorf("signature does not verify: %w", ErrBadSignature)
	}
	return nil
}
