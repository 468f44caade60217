package record

import (
	"crypto/sha256"
	"encoding/binary"
)

// Fingerprint is a SHA-256 hash of what a signature response states and
// its signature: ciphersuite, namespace, timestamp, epoch, digest,
// signature and key_id. Two responses with equal fingerprints make the
// same signed statement; serialized_message is left out, since
// ParseSignatureResponse checks it is absent or the message of these
// fields. It is how an audit object that a site serves is compared with
// the log's record of that epoch.
func (s *SignatureResponse) Fingerprint() [32]byte {
	h := sha256.New()
	var b [8]byte
	put := func(v uint64) {
		binary.BigEndian.PutUint64(b[:], v)
		h.Write(b[:])
	}
	put(uint64(s.Ciphersuite))
	put(uint64(len(s.Namespace)))
	h.Write([]byte(s.Namespace))
	put(uint64(s.Timestamp))
	put(s.Epoch)
	put(uint64(len(s.Digest)))
	h.Write(s.Digest)
	put(uint64(len(s.Signature)))
	h.Write(s.Signature)
	if s.KeyID != nil {
		h.Write([]byte{1, *s.KeyID})
	} else {
		h.Write([]byte{0})
	}
	var out [32]byte
	h.Sum(out[:0])
	return out
}
